"""A refused write's SHACL report: the first results, how many there are, and whether the
list is cut (``QPVKG_MAX_REPORT_RESULTS``); and a write too large to validate
(``QPVKG_MAX_CONTRIBUTION_SUBJECTS``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from tests.http.conftest import OwnStore
from tests.http.test_contribution_limits import state, store_size
from tests.http.test_store import BASE, Partners, history

GRAPH = f"{BASE}graph/partner/reseau-test/limites"
LIMIT = 100
SUBJECTS = 1000
#: blank organisations with a name only: each misses its IRI and its source (2 violations;
#: a name each, or the write's canonical form would merge them into one)
NODES = 400
PER_NODE = 2


def bare_organisations(n: int) -> bytes:
    lines = [
        f'_:b{i} a <{BASE}def#Organisation> ; <http://www.w3.org/2000/01/rdf-schema#label> "O{i}"@fr .'
        for i in range(n)
    ]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def setup(
    own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Partners]]:
    folder = tmp_path_factory.mktemp("validation-report")
    options = {
        "workers": 2,
        "cache_mb": 8,
        "max_report_results": LIMIT,
        "max_contribution_subjects": SUBJECTS,
        "partners_file": str(folder / "partners.json"),
    }
    with own_store.settings("embedded", folder, **options) as settings:
        client = TestClient(create_app(settings))
        with client:
            yield client, Partners(settings)


def put(setup: tuple[TestClient, Partners], body: bytes, accept: str = "") -> object:
    client, partners = setup
    headers = {"content-type": "text/turtle", **partners.auth()}
    if accept:
        headers["accept"] = accept
    return client.put("/store", params={"graph": GRAPH}, content=body, headers=headers)


def test_many_bare_blank_organisations_get_a_cut_report(
    setup: tuple[TestClient, Partners],
) -> None:
    """422 with the first LIMIT results in the report's order, the total, the count of
    violations and the truncated flag; the texts say the list is cut; nothing is written."""
    client = setup[0]
    before = state(client)
    response = put(setup, bare_organisations(NODES))
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    details = error["details"]
    assert len(details["results"]) == LIMIT
    assert details["listed"] == LIMIT
    assert details["total"] == details["violations"] == PER_NODE * NODES
    assert details["truncated"] is True
    assert f"{PER_NODE * NODES} violations" in error["message"]
    assert len(details["report"]["sh:result"]) == LIMIT
    assert f"the first {LIMIT} of {PER_NODE * NODES} results" in details["text_en"]
    assert f"{LIMIT} premiers résultats sur {PER_NODE * NODES}" in details["text_fr"]
    assert details["text_en"].startswith(f"{PER_NODE * NODES} SHACL violation(s):")
    assert (history(client, GRAPH), store_size(client)) == before


def test_the_plain_text_report_is_cut_too(setup: tuple[TestClient, Partners]) -> None:
    response = put(setup, bare_organisations(NODES), accept="text/plain")
    assert response.status_code == 422
    text = response.text  # type: ignore[attr-defined]
    assert text.count("- [Violation]") == 2 * LIMIT
    assert f"the first {LIMIT} of {PER_NODE * NODES} results" in text


def test_a_small_report_lists_every_result(setup: tuple[TestClient, Partners]) -> None:
    """Under the limit, the report is what it was: every result, not truncated, no note."""
    response = put(setup, bare_organisations(2))
    assert response.status_code == 422
    details = response.json()["error"]["details"]  # type: ignore[attr-defined]
    assert len(details["results"]) == details["total"] == details["listed"] == 2 * PER_NODE
    assert details["truncated"] is False
    assert "results:" not in details["text_en"] and "premiers" not in details["text_fr"]


def test_a_write_of_too_many_subjects_is_refused_before_shacl(
    setup: tuple[TestClient, Partners],
) -> None:
    """Over QPVKG_MAX_CONTRIBUTION_SUBJECTS, 413 saying how many and the limit; nothing is
    written. At the limit, the write goes on to SHACL (422 here)."""
    client = setup[0]
    before = state(client)
    response = put(setup, bare_organisations(SUBJECTS + 1))
    assert response.status_code == 413, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "too_many_subjects"
    assert error["details"] == {"subjects": SUBJECTS + 1, "limit": SUBJECTS}
    assert "several graphs" in error["message"]
    assert (history(client, GRAPH), store_size(client)) == before
    assert put(setup, bare_organisations(SUBJECTS)).status_code == 422  # type: ignore[attr-defined]

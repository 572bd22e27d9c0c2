"""The part of the HTTP suite over Virtuoso that `make test` runs (the whole of it runs in
`make test-ci`): every named query gives, for its examples, the rows it gives over the
embedded store, and each question of the home page opens on an answer."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.build import BuildReport
from loaders.settings import Settings
from tests.http.test_dead_ends import home_questions
from tests.http.test_remote_store import CATALOG, bindings
from tests.virtuoso import available, virtuoso_copy

pytestmark = pytest.mark.skipif(
    not available(), reason="Debian's virtuoso-opensource is not installed (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def virtuoso_client(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app over a Virtuoso server holding every quad of the session's store."""
    folder = tmp_path_factory.mktemp("virtuoso-queries")
    with (
        virtuoso_copy(settings.store_path, folder, workers=2, query_timeout_s=30) as remote,
        TestClient(create_app(remote)) as client,
    ):
        yield client


@pytest.fixture(autouse=True)
def no_language_cookie(embedded_client: TestClient) -> Iterator[None]:
    """?lang= sets a language cookie: the session's embedded app is left without one."""
    yield
    embedded_client.cookies.clear()


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_named_query_gives_the_rows_of_the_embedded_store(
    name: str, embedded_client: TestClient, virtuoso_client: TestClient
) -> None:
    params = {p.name: p.example for p in CATALOG[name].params if p.example}
    json = {"accept": "application/json"}
    embedded = embedded_client.get(f"/queries/{name}", params=params, headers=json)
    virtuoso = virtuoso_client.get(f"/queries/{name}", params=params, headers=json)
    assert embedded.status_code == virtuoso.status_code == 200, virtuoso.text
    assert bindings(virtuoso) == bindings(embedded)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        # optional parameters left out: Virtuoso takes a comparison with an unbound
        # variable as false, which the queries' filters allow for
        ("connectors-by-territory", {}),
        ("innovations-by-territory", {"codeRegion": "11"}),
        ("innovations-by-qpv", {"codeDepartement": "13"}),
        ("qpv-with-innovations-without-connector", {}),
        ("study-analysis", {}),
        ("support-schemes-by-stage", {"lang": "en"}),
        ("qpv-containing-point", {"lon": "5.3828", "lat": "43.3002"}),
    ],
)
def test_optional_parameters_left_out_give_the_same_rows(
    name: str, params: dict[str, str], embedded_client: TestClient, virtuoso_client: TestClient
) -> None:
    json = {"accept": "application/json"}
    embedded = embedded_client.get(f"/queries/{name}", params=params, headers=json)
    virtuoso = virtuoso_client.get(f"/queries/{name}", params=params, headers=json)
    assert embedded.status_code == virtuoso.status_code == 200, virtuoso.text
    assert bindings(virtuoso) == bindings(embedded) != []


def test_each_question_of_the_home_page_answers(virtuoso_client: TestClient) -> None:
    for link in home_questions(virtuoso_client):
        url = urlsplit(link)
        answer = virtuoso_client.get(
            url.path, params={**dict(parse_qsl(url.query)), "format": "json"}
        )
        assert answer.status_code == 200, f"{link}: {answer.text[:300]}"
        assert answer.json()["results"]["bindings"], f"{link}: no answer"

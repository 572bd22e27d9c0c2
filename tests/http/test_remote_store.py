"""The endpoint over an external SPARQL store (Oxigraph's server, started here) answers as it
does over the embedded store: the build, named queries, pages, export, and the server's
failures. The HTTP suites (queries, pages, writes, history, limits, publication) also run over
it, through their store-kind parameter."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.build import BuildReport, build
from loaders.namedqueries import load_named_queries
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import Cli
from tests.remote import OxigraphServer

BASE = "https://w3id.org/qpvkg/"
CATALOG = load_named_queries(Settings(project_dir=PROJECT_DIR))


@pytest.fixture(scope="module")
def remote(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, BuildReport, int]]:
    """The session's built graph copied into an Oxigraph server, then `qpvkg build` over
    it, which finds every graph unchanged. The embedded store's publication comes along:
    the generation is the same, so it is current (publishing over the server is tested on
    its own, by `export --dumps`)."""
    folder = tmp_path_factory.mktemp("remote")
    server = OxigraphServer(folder / "oxigraph")
    try:
        copied = server.load_store(settings.store_path)
        published = settings.store_path.parent / f"{settings.store_path.name}-publish"
        shutil.copytree(published, folder / "state-publish")
        remote_settings = server.settings(folder / "state", workers=2)
        report = build(remote_settings)
        yield remote_settings, report, copied
    finally:
        server.stop()


@pytest.fixture(scope="module")
def remote_client(remote: tuple[Settings, BuildReport, int]) -> Iterator[TestClient]:
    with TestClient(create_app(remote[0])) as test_client:
        yield test_client


def test_build_over_the_external_store_sees_the_same_graph(
    remote: tuple[Settings, BuildReport, int], built: BuildReport
) -> None:
    _, report, copied = remote
    assert report.store.startswith("http://127.0.0.1:")  # type: ignore[union-attr]
    # The derived graphs are computed by a build, from no file: not "unchanged" sources.
    sources = [g for g in built.loaded if not g.key.startswith("derived/")]
    assert report.loaded == [] and len(report.unchanged) == len(sources) + len(built.unchanged)
    assert report.total_triples == copied == built.total_triples


def value(text: str) -> str:
    """A GROUP_CONCAT's order is left open by SPARQL: its parts are compared sorted."""
    return " ; ".join(sorted(text.split(" ; "))) if " ; " in text else text


def bindings(response: object) -> list[tuple[tuple[str, str], ...]]:
    body = response.json()  # type: ignore[attr-defined]
    if "boolean" in body:
        return [(("boolean", str(body["boolean"])),)]
    return sorted(
        tuple(sorted((k, value(v["value"])) for k, v in row.items() if v["type"] != "bnode"))
        for row in body["results"]["bindings"]
    )


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_named_query_answers_the_same(
    name: str, client: TestClient, remote_client: TestClient
) -> None:
    """Parameters are bound with VALUES over the external store, by substitution on the
    embedded one: the examples of every parameter give the same rows."""
    query = CATALOG[name]
    params = {p.name: p.example for p in query.params if p.example}
    embedded = client.get(f"/queries/{name}", params=params, headers={"accept": "application/json"})
    external = remote_client.get(
        f"/queries/{name}", params=params, headers={"accept": "application/json"}
    )
    assert embedded.status_code == external.status_code == 200, external.text
    assert bindings(external) == bindings(embedded)
    assert bindings(external), f"{name}: no rows for its examples"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
        "ASK { <https://w3id.org/qpvkg/id/commune/93066> ?p ?o }",
        "SELECT ?label WHERE { GRAPH ?g { <https://w3id.org/qpvkg/id/commune/93066> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }",
    ],
)
def test_sparql_answers_the_same(query: str, client: TestClient, remote_client: TestClient) -> None:
    embedded = client.get("/sparql", params={"query": query})
    external = remote_client.get("/sparql", params={"query": query})
    assert external.status_code == 200, external.text
    assert bindings(external) == bindings(embedded)


def triples(response: object) -> set[ox.Triple]:
    body = response.content  # type: ignore[attr-defined]
    return {
        t for t in ox.parse(body, ox.RdfFormat.N_TRIPLES) if isinstance(t.subject, ox.NamedNode)
    }


@pytest.mark.parametrize("path", ["/id/commune/93066", "/id/departement/93"])
def test_resource_pages_hold_the_same_triples(
    path: str, client: TestClient, remote_client: TestClient
) -> None:
    accept = {"accept": "application/n-triples"}
    embedded, external = client.get(path, headers=accept), remote_client.get(path, headers=accept)
    assert external.status_code == 200, external.text
    assert triples(external) == triples(embedded) and triples(external)
    page = remote_client.get(path, headers={"accept": "text/html"})
    assert (
        page.status_code == 200 and "Saint-Denis" in page.text
    ) or "Seine-Saint-Denis" in page.text


def test_construct_and_errors(remote_client: TestClient) -> None:
    construct = remote_client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { <https://w3id.org/qpvkg/id/commune/93066> ?p ?o }"},
        headers={"accept": "application/n-triples"},
    )
    assert construct.status_code == 200 and triples(construct)
    broken = remote_client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "query_syntax"
    update = remote_client.post(
        "/sparql", content="DROP ALL", headers={"content-type": "application/sparql-query"}
    )
    assert update.status_code == 400
    still = remote_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert still.json()["boolean"] is True


def test_export_reads_the_whole_dataset_from_the_external_store(
    remote: tuple[Settings, BuildReport, int],
    remote_client: TestClient,
    fresh_cli: Cli,
    tmp_path: Path,
) -> None:
    """`qpvkg export` (and the dumps) read every quad from the server in one Graph Store
    request: as many as the server counts, each in its graph."""
    env = {"QPVKG_STORE": remote[0].store, "QPVKG_STORE_STATE": str(tmp_path / "state")}
    result = fresh_cli("export", str(tmp_path / "all.nq"), env=env)
    assert result.exit_code == 0, result.output
    data = (tmp_path / "all.nq").read_bytes()
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    counted = remote_client.get("/sparql", params={"query": query}).json()
    assert data.count(b"\n") == int(counted["results"]["bindings"][0]["n"]["value"])
    first = next(ox.parse(data[: data.index(b"\n") + 1], ox.RdfFormat.N_QUADS))
    assert isinstance(first.graph_name, ox.NamedNode)


def test_a_query_the_server_cancels_is_a_timeout_not_a_broken_answer(tmp_path: Path) -> None:
    """Oxigraph's server, at its own limit (`--timeout-s`), answers 200 and ends a SELECT's
    body with a message: qpvkg answers 503, and its worker goes on serving."""
    server = OxigraphServer(timeout_s=1)  # in memory, below qpvkg's own limit
    try:
        data = "".join(f'<urn:s{i}> <urn:p> "{i}" .\n' for i in range(2000)).encode()
        loaded = httpx.post(
            f"{server.url}/store", content=data, headers={"content-type": "application/n-triples"}
        )
        assert loaded.status_code in (200, 201, 204), loaded.text
        settings = server.settings(tmp_path / "state", query_timeout_s=20)
        with TestClient(create_app(settings)) as remote_client:
            heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
            response = remote_client.get("/sparql", params={"query": heavy})
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert error["code"] == "query_timeout"
            assert "its own time limit" in error["message"]
            assert "QPVKG_QUERY_TIMEOUT_S" in error["message"]
            count = remote_client.get(
                "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}
            )
            assert count.json()["results"]["bindings"][0]["n"]["value"] == "2000"
            metrics = remote_client.get("/-/metrics").text
            assert "\nqpvkg_worker_restarts_total 0\n" in metrics
            assert "\nqpvkg_query_timeouts_total 1\n" in metrics
    finally:
        server.stop()


def test_an_unreachable_store_gives_502_and_the_server_goes_on(tmp_path: Path) -> None:
    server = OxigraphServer()  # in memory, empty
    settings = server.settings(tmp_path / "state", query_timeout_s=5)
    try:
        with TestClient(create_app(settings)) as remote_client:
            assert remote_client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
            assert remote_client.get("/-/health").json()["store"] == "ok"
            assert remote_client.get("/-/version").json()["store"] == f"{server.url}/query"
            server.stop()
            down = remote_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert down.status_code == 502, down.text
            error = down.json()["error"]
            assert error["code"] == "store_unavailable" and server.url in error["message"]
            health = remote_client.get("/-/health")
            assert health.status_code == 503
            assert "cannot be reached" in json.loads(health.text)["store"]
    finally:
        server.stop()

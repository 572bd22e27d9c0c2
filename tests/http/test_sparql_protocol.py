"""The W3C SPARQL 1.1 Protocol test cases, run from their manifest against the real app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.remote import RemoteConfig, RemoteStore
from loaders.settings import PROJECT_DIR, Settings
from tests.http.conftest import STORE_KINDS
from tests.remote import OxigraphServer
from tests.virtuoso import VirtuosoServer

HERE = Path(__file__).parent.parent / "fixtures" / "w3c" / "protocol"
PREFIXES = """
PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
PREFIX ht: <http://www.w3.org/2011/http#>
PREFIX cnt: <http://www.w3.org/2011/content#>
PREFIX ut: <http://www.w3.org/2009/sparql/tests/test-update#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
READ_ONLY = "SPARQL Update is not offered: /sparql is read-only (writes go through the Graph Store Protocol)"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    encoding: str
    statuses: list[str]
    boolean: bool | None
    result_format: str | None


@dataclass
class Case:
    name: str
    label: str
    requests: list[Request]


def _manifest() -> ox.Store:
    store = ox.Store()
    store.load(
        path=HERE / "manifest.ttl",
        format=ox.RdfFormat.TURTLE,
        base_iri="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl",
    )
    return store


def _value(store: ox.Store, node: object, predicate: str) -> str | None:
    rows = list(
        store.query(
            f"{PREFIXES} SELECT ?n ?v WHERE {{ ?n {predicate} ?v }}",
            substitutions={ox.Variable("n"): node},
        )
    )  # type: ignore[dict-item]
    return rows[0]["v"].value if rows else None  # type: ignore[union-attr]


def _list(store: ox.Store, head: object) -> list[object]:
    items = []
    node = head
    nil = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
    while node != nil:
        first = next(
            store.quads_for_pattern(
                node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None
            )
        )  # type: ignore[arg-type]
        items.append(first.object)
        node = next(
            store.quads_for_pattern(
                node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"), None
            )
        ).object  # type: ignore[arg-type]
    return items


def cases() -> list[Case]:
    store = _manifest()
    manifest = list(
        store.query(
            f"{PREFIXES} SELECT ?entries WHERE {{ ?m a mf:Manifest ; mf:entries ?entries }}"
        )
    )[0]["entries"]
    out = []
    for test in _list(store, manifest):
        name = str(test).rsplit("#", 1)[-1].rstrip(">")
        label = _value(store, test, "mf:name") or name
        connection = list(
            store.query(
                f"{PREFIXES} SELECT ?t ?r WHERE {{ ?t mf:action/ht:requests ?r }}",
                substitutions={ox.Variable("t"): test},
            )
        )[0]["r"]  # type: ignore[dict-item]
        requests = []
        for req in _list(store, connection):
            headers = {}
            for row in store.query(
                f"{PREFIXES} SELECT ?r ?n ?v WHERE {{ ?r ht:headers/rdf:rest*/rdf:first ?h . ?h ht:fieldName ?n ; ht:fieldValue ?v }}",
                substitutions={ox.Variable("r"): req},
            ):  # type: ignore[dict-item]
                headers[row["n"].value] = row["v"].value  # type: ignore[union-attr]
            statuses = [
                r["s"].value.rsplit("#", 1)[-1]
                for r in store.query(
                    f"{PREFIXES} SELECT ?r ?s WHERE {{ ?r ht:resp/mf:expectedStatus ?s }}",
                    substitutions={ox.Variable("r"): req},
                )
            ]  # type: ignore[dict-item,union-attr]
            boolean = _value(store, req, "ht:resp/mf:expectedBoolean")
            requests.append(
                Request(
                    method=_value(store, req, "ht:methodName") or "GET",
                    path=(_value(store, req, "ht:absolutePath") or "/sparql/").replace(
                        "/sparql/", "/sparql", 1
                    ),
                    headers=headers,
                    body=_value(store, req, "ht:body/cnt:chars"),
                    encoding=_value(store, req, "ht:body/cnt:characterEncoding") or "UTF-8",
                    statuses=statuses,
                    boolean=None if boolean is None else boolean == "true",
                    result_format=_value(store, req, "ht:resp/mf:expectedFormat"),
                )
            )
        out.append(Case(name, label, requests))
    return out


CASES = cases()


@pytest.fixture(scope="module", params=STORE_KINDS)
def protocol_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app over a store holding the test suite's three graphs, named by their labels:
    the embedded store, then an Oxigraph server and a Virtuoso server as the external store."""
    folder = tmp_path_factory.mktemp("w3c")
    graphs = {
        ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf"): HERE / f"data{n}.nt"
        for n in (1, 2, 3)
    }
    server: OxigraphServer | VirtuosoServer | None = None
    if request.param == "embedded":
        store = ox.Store(str(folder / "store"))
        for graph, path in graphs.items():
            store.load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        store.flush()
        del store
        settings = Settings(
            project_dir=PROJECT_DIR, store=str(folder / "store"), workers=1, query_timeout_s=10
        )
    else:
        if request.param == "virtuoso":
            server = VirtuosoServer(folder / "virtuoso")
            settings = server.settings(folder / "state")
            config = settings.remote_config()
        else:
            server = OxigraphServer()
            settings = server.settings(folder / "state")
            config = RemoteConfig(f"{server.url}/query", "", f"{server.url}/store")
        remote = RemoteStore(config)
        for graph, path in graphs.items():
            remote.load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        remote.close()
    try:
        with TestClient(create_app(settings)) as client:
            yield client
    finally:
        if server is not None:
            server.stop()


def _status_ok(status: int, expected: list[str]) -> bool:
    return any(status // 100 == int(e[len("StatusCode")]) for e in expected)


def test_manifest_is_read() -> None:
    assert len(CASES) == 34


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(case: Case, protocol_client: TestClient) -> None:
    is_update_case = case.name.startswith("update_")
    if is_update_case:
        # The update requests must be refused (400), never carried out.
        first = case.requests[0]
        response = protocol_client.request(
            first.method, first.path, headers=first.headers, content=(first.body or "").encode()
        )
        assert response.status_code == 400, response.text
        pytest.xfail(READ_ONLY)
    for req in case.requests:
        content = None if req.body is None else req.body.encode(req.encoding)
        response = protocol_client.request(
            req.method, req.path, headers=req.headers, content=content
        )
        assert _status_ok(response.status_code, req.statuses), (
            case.label,
            response.status_code,
            response.text[:300],
        )
        if response.status_code >= 400:
            body = response.json()
            assert body["error"]["message"]
            continue
        content_type = response.headers["content-type"].split(";")[0]
        if req.result_format == "boolean" or req.boolean is not None:
            assert content_type in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
            )
        if req.boolean is not None:
            fmt = (
                ox.QueryResultsFormat.JSON
                if content_type.endswith("json")
                else ox.QueryResultsFormat.XML
            )
            assert bool(ox.parse_query_results(response.content, fmt)) is req.boolean, case.label
        if req.result_format == "tabular":
            assert content_type in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
        if req.result_format == "RDF":
            assert content_type in ("text/turtle", "application/rdf+xml", "application/n-triples")

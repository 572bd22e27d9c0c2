"""The external-store client over a real Virtuoso (Debian's `virtuoso-opensource`, configured by
`deploy/virtuoso/`): each way Virtuoso differs from the other servers, evened out by the client
(docs/scaling.md, "Virtuoso"). The whole HTTP suite over Virtuoso runs in `make test-ci`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from loaders.contribution.write import update_text
from loaders.errors import QueryTimeoutError
from loaders.remote import RemoteStore
from loaders.settings import Settings
from tests.virtuoso import PASSWORD, USER, VirtuosoServer, available

pytestmark = pytest.mark.skipif(
    not available(), reason="Debian's virtuoso-opensource is not installed (.ci/run installs it)"
)

BASE = "https://w3id.org/qpvkg/"
GRAPH = ox.NamedNode(f"{BASE}graph/test/virtuoso")
XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
THING = ox.NamedNode(f"{BASE}id/innovation/test")
P = ox.NamedNode(f"{BASE}def#p")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    virtuoso = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield virtuoso
    virtuoso.stop()


@pytest.fixture(scope="module")
def settings(server: VirtuosoServer, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return server.settings(tmp_path_factory.mktemp("state"), query_timeout_s=2)


@pytest.fixture
def store(settings: Settings) -> Iterator[RemoteStore]:
    remote = RemoteStore(settings.remote_config())
    remote.remove_graph(GRAPH)
    yield remote
    remote.remove_graph(GRAPH)
    remote.close()


def objects(store: RemoteStore) -> dict[str, ox.Literal | ox.BlankNode | ox.NamedNode]:
    result = store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH {GRAPH} {{ {THING} ?p ?o }} }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    return {row["p"].value.rsplit("#", 1)[-1]: row["o"] for row in result}  # type: ignore[union-attr]


def test_virtuosos_own_graphs_are_not_qpvkgs(server: VirtuosoServer) -> None:
    """The recipe makes Virtuoso's system graphs private: an anonymous query's default graph
    holds qpvkg's graphs alone, and the client counts, lists and dumps none of them."""
    answer = httpx.post(
        f"{server.url}/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"accept": "text/csv"},
    )
    assert answer.text.split() == ['"n"', "0"]
    remote = RemoteStore(server.settings(Path("unused")).remote_config())
    assert len(remote) == 0 and list(remote.named_graphs()) == []


def test_terms_come_back_as_they_went(store: RemoteStore) -> None:
    """Blank nodes (`nodeID://` in Virtuoso's JSON), booleans (`1`), the old `typed-literal`
    type, geometries (`virtrdf:Geometry`): read back into the terms that were written."""
    ns = f"{BASE}def#"
    triples = [
        ox.Triple(
            THING,
            ox.NamedNode(f"{ns}flag"),
            ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean")),
        ),
        ox.Triple(
            THING,
            ox.NamedNode(f"{ns}count"),
            ox.Literal("52535", datatype=ox.NamedNode(f"{XSD}integer")),
        ),
        ox.Triple(THING, ox.NamedNode(f"{ns}label"), ox.Literal("l’été à Sevran", language="fr")),
        ox.Triple(THING, ox.NamedNode(f"{ns}where"), ox.Literal("POINT(2.5 48.9)", datatype=WKT)),
        ox.Triple(THING, ox.NamedNode(f"{ns}part"), ox.BlankNode()),
    ]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in triples)
    got = objects(store)
    assert got["flag"] == ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean"))
    assert got["count"] == ox.Literal("52535", datatype=ox.NamedNode(f"{XSD}integer"))
    assert got["label"] == ox.Literal("l’été à Sevran", language="fr")
    assert isinstance(got["where"], ox.Literal) and got["where"].datatype == WKT
    assert isinstance(got["part"], ox.BlankNode)


def test_a_construct_is_answered_as_triples(store: RemoteStore) -> None:
    """Virtuoso answers a CONSTRUCT in what is asked first: the client asks for N-Triples."""
    store.update(f'INSERT DATA {{ GRAPH {GRAPH} {{ {THING} {P} "x" }} }}')
    result = store.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {GRAPH} {{ ?s ?p ?o }} }}",
        use_default_graph_as_union=True,
    )
    assert list(result) == [ox.Triple(THING, P, ox.Literal("x"))]  # type: ignore[arg-type]


def test_a_partners_write_with_blank_nodes_commits(store: RemoteStore, settings: Settings) -> None:
    """Virtuoso refuses blank nodes in INSERT DATA; a partner's write that has some (the
    contribution's own update text) commits, whole."""
    part = ox.BlankNode()
    additions = [
        ox.Triple(THING, P, part),
        ox.Triple(
            part, ox.NamedNode(f"{BASE}def#label"), ox.Literal("un nœud anonyme", language="fr")
        ),
    ]
    prov = [ox.Triple(GRAPH, ox.NamedNode("http://purl.org/dc/terms/modified"), ox.Literal("2026"))]
    store.update(update_text(settings, GRAPH.value, "put", additions, prov))
    assert isinstance(objects(store)["p"], ox.BlankNode)
    assert store.graph_size(GRAPH) == 2


def test_a_large_write_with_blank_nodes_commits_whole(
    store: RemoteStore, settings: Settings
) -> None:
    """Virtuoso's parser runs out of room on an INSERT template of some thousands of triples
    (SP030, "memory exhausted"): the write is sent as several INSERTs of one request, one
    transaction, each blank node with every triple of its own."""
    additions = []
    for i in range(3000):
        part = ox.BlankNode()
        additions += [
            ox.Triple(THING, P, part),
            ox.Triple(part, ox.NamedNode(f"{BASE}def#rank"), ox.Literal(str(i))),
        ]
    prov = [ox.Triple(GRAPH, ox.NamedNode("http://purl.org/dc/terms/modified"), ox.Literal("2026"))]
    store.update(update_text(settings, GRAPH.value, "put", additions, prov))
    assert store.graph_size(GRAPH) == 6000
    linked = store.query(
        f"SELECT (COUNT(DISTINCT ?part) AS ?n) WHERE {{ GRAPH {GRAPH} {{ {THING} {P} ?part . "
        f"?part <{BASE}def#rank> ?rank }} }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(linked, ox.QuerySolutions)
    assert [row["n"].value for row in linked] == ["3000"]  # type: ignore[union-attr]


def test_a_query_stopped_by_virtuosos_limit_is_a_timeout(store: RemoteStore) -> None:
    """Virtuoso answers a query its `timeout` stopped with a 200 and what it found so far
    (`X-SQL-State: S1TAT`): a timeout, not a (wrong) count."""
    body = "".join(f"<{BASE}id/x/{i}> {P} {i} .\n" for i in range(2000))
    store.load(body.encode(), ox.RdfFormat.N_TRIPLES, to_graph=GRAPH)
    with pytest.raises(QueryTimeoutError):
        store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            use_default_graph_as_union=True,
        )


def test_writes_need_the_recipes_user(server: VirtuosoServer) -> None:
    """The update endpoint asks for digest credentials; the recipe's user has them."""
    update = f'INSERT DATA {{ GRAPH {GRAPH} {{ {THING} {P} "y" }} }}'
    headers = {"content-type": "application/sparql-update"}
    refused = httpx.post(f"{server.url}/sparql-auth", content=update, headers=headers)
    assert refused.status_code == 401
    accepted = httpx.post(
        f"{server.url}/sparql-auth",
        content=update,
        headers=headers,
        auth=httpx.DigestAuth(USER, PASSWORD),
    )
    assert accepted.status_code == 200

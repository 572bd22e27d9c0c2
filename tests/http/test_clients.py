"""The clients people use, against `qpvkg serve` as a real uvicorn process: SPARQLWrapper in
every return format, GET and POST, for SELECT, ASK, CONSTRUCT and DESCRIBE; rdflib's
SPARQLStore."""

from __future__ import annotations

import json
import subprocess
import warnings
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from tests.conftest import start_server
from tests.http.conftest import OwnStore, store_env

pytestmark = pytest.mark.ci  # the client libraries in every format: in `make test-ci`

TOTEM = "https://w3id.org/qpvkg/id/innovation/totem-mobi"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERIES = {
    "SELECT": f"SELECT ?l WHERE {{ <{TOTEM}> <{LABEL}> ?l }}",
    "ASK": f"ASK {{ <{TOTEM}> <{LABEL}> ?l }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{TOTEM}> <{LABEL}> ?l }} WHERE {{ <{TOTEM}> <{LABEL}> ?l }}",
    "DESCRIBE": f"DESCRIBE <{TOTEM}>",
}
FORMATS = [JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD]


@pytest.fixture(scope="module")
def endpoint(own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("clients")
    with own_store.settings("embedded", folder) as settings:
        base, process = start_server({**store_env(settings), "QPVKG_WORKERS": "1"})
        yield f"{base}/sparql"
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def graph_of(result: object) -> Graph:
    """A graph from what SPARQLWrapper's convert() gives for a graph result."""
    if isinstance(result, Graph):
        return result
    if isinstance(result, dict):  # JSON-LD, which SPARQLWrapper may leave parsed as JSON
        return Graph().parse(data=json.dumps(result), format="json-ld")
    assert isinstance(result, bytes | str), type(result)
    data = result.decode() if isinstance(result, bytes) else result
    return Graph().parse(data=data, format="turtle")


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("form", sorted(QUERIES))
@pytest.mark.parametrize("return_format", FORMATS)
def test_sparqlwrapper_gets_an_answer_in_every_format(
    endpoint: str, method: str, form: str, return_format: str
) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(return_format)
    with warnings.catch_warnings():
        # SPARQLWrapper warns of its own choices (Accept */*, a format the form has not)
        warnings.simplefilter("ignore")
        response = client.query()
        content_type = response.info()["content-type"].split(";")[0]
        result = response.convert()
    if form in ("CONSTRUCT", "DESCRIBE"):
        if return_format in (CSV, TSV):  # no CSV of a graph: the server's default format
            assert content_type == "text/turtle"
        assert (URIRef(TOTEM), URIRef(LABEL), None) in graph_of(result)
        return
    expected = {XML: "application/sparql-results+xml", CSV: "text/csv"}
    expected[TSV] = "text/tab-separated-values"
    assert content_type == expected.get(return_format, "application/sparql-results+json")
    if content_type.endswith("json"):
        assert isinstance(result, dict)
        assert result["boolean"] is True if form == "ASK" else result["results"]["bindings"]
    elif content_type.endswith("xml"):
        xml = result.toxml()  # type: ignore[attr-defined]
        assert "true" in xml if form == "ASK" else "<literal" in xml
    elif form == "ASK":
        assert result.strip() == b"true"  # type: ignore[union-attr]
    else:
        assert len(result.splitlines()) >= 2  # type: ignore[union-attr]


def test_rdflib_sparqlstore_reads_selects_asks_and_graphs(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    rows = list(graph.query(QUERIES["SELECT"]))
    assert rows and str(rows[0][0])
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    constructed = graph.query(QUERIES["CONSTRUCT"]).graph
    assert constructed is not None and (URIRef(TOTEM), URIRef(LABEL), None) in constructed
    described = graph.query(QUERIES["DESCRIBE"]).graph
    assert described is not None and len(described) > 0
    assert (URIRef(TOTEM), URIRef(LABEL), None) in graph  # triples() goes through the endpoint
    json_store = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    assert list(json_store.query(QUERIES["SELECT"]))

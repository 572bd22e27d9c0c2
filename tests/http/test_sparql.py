"""/sparql over the real data: negotiation matrix, errors, service description, CORS."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from tests.conftest import FORMULA_LABEL, add_formula_label
from tests.http.conftest import OwnStore

SELECT = "SELECT ?l WHERE { <https://w3id.org/qpvkg/id/innovation/totem-mobi> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
ASK = "ASK { ?s a <https://w3id.org/qpvkg/def#Innovation> }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/qpvkg/id/innovation/totem-mobi> AS ?s) ?s ?p ?o }"


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (SELECT, None, "application/sparql-results+json"),
        (SELECT, "*/*", "application/sparql-results+json"),
        (SELECT, "application/sparql-results+json", "application/sparql-results+json"),
        (SELECT, "application/json", "application/sparql-results+json"),
        (SELECT, "application/sparql-results+xml", "application/sparql-results+xml"),
        (SELECT, "application/xml", "application/sparql-results+xml"),
        (SELECT, "text/csv", "text/csv"),
        (SELECT, "text/tab-separated-values", "text/tab-separated-values"),
        (
            SELECT,
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
        ),
        (SELECT, "application/sparql-results+json;q=0, text/*", "text/csv"),
        (SELECT, "text/turtle, */*;q=0.1", "application/sparql-results+json"),
        (SELECT, "text/turtle", 406),
        (SELECT, "image/png", 406),
        (ASK, None, "application/sparql-results+json"),
        (ASK, "application/sparql-results+xml", "application/sparql-results+xml"),
        (ASK, "text/csv", "text/csv"),  # one line, true or false (as Jena and Virtuoso do)
        (ASK, "text/tab-separated-values", "text/tab-separated-values"),
        (ASK, "image/png", 406),
        (CONSTRUCT, None, "text/turtle"),
        (CONSTRUCT, "*/*", "text/turtle"),
        (CONSTRUCT, "text/turtle", "text/turtle"),
        (CONSTRUCT, "application/n-triples", "application/n-triples"),
        (CONSTRUCT, "application/n-quads", "application/n-quads"),
        (CONSTRUCT, "application/trig", "application/trig"),
        (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, "application/ld+json", "application/ld+json"),
        (
            CONSTRUCT,
            "application/rdf+xml;q=0.2, application/n-triples;q=0.8",
            "application/n-triples",
        ),
        (CONSTRUCT, "application/sparql-results+json", 406),
    ],
)
def test_accept_matrix(
    client: TestClient, query: str, accept: str | None, expected: str | int
) -> None:
    headers = {"accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    if isinstance(expected, int):
        assert response.status_code == expected, response.text
        assert response.json()["error"]["code"] == "not_acceptable"
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]
    if expected == "application/sparql-results+json" and query == SELECT:
        data = response.json()
        assert data["results"]["bindings"][0]["l"]["value"] == "Totem Mobi"


@pytest.mark.parametrize("method", ["get", "post_form", "post_direct"])
def test_three_ways_to_send_a_query(client: TestClient, method: str) -> None:
    if method == "get":
        response = client.get("/sparql", params={"query": ASK})
    elif method == "post_form":
        response = client.post("/sparql", data={"query": ASK})
    else:
        response = client.post(
            "/sparql", content=ASK.encode(), headers={"content-type": "application/sparql-query"}
        )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_dataset_selection(client: TestClient) -> None:
    study = "https://w3id.org/qpvkg/graph/study/innovations"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/qpvkg/def#Innovation> }"
    union = client.get(
        "/sparql", params={"query": query}, headers={"accept": "text/csv"}
    ).text.split()[1]
    only = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": study},
        headers={"accept": "text/csv"},
    ).text.split()[1]
    none = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": "https://w3id.org/qpvkg/graph/shapes/actor"},
        headers={"accept": "text/csv"},
    ).text.split()[1]
    assert int(union) == int(only) > 0
    assert none == "0"
    named = client.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": study,
        },
        headers={"accept": "text/csv"},
    )
    assert named.text.split()[1:] == [study]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "fragment"),
    [
        ({"method": "GET", "url": "/sparql?query=SELEKT%20*"}, 400, "does not parse"),
        (
            {"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D"},
            400,
            "2 query parameters",
        ),
        ({"method": "POST", "url": "/sparql", "data": {"x": "1"}}, 400, "no query"),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"ASK {\xff}",
                "headers": {"content-type": "application/sparql-query"},
            },
            400,
            "not valid UTF-8",
        ),
        (
            {
                "method": "GET",
                "url": "/sparql?query=INSERT%20DATA%20%7B%3Ca%3E%20%3Cb%3E%20%3Cc%3E%7D",
            },
            400,
            "SPARQL Update",
        ),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"CLEAR ALL",
                "headers": {"content-type": "application/sparql-update"},
            },
            400,
            "read-only",
        ),
        (
            {
                "method": "POST",
                "url": "/sparql",
                "content": b"ASK {}",
                "headers": {"content-type": "text/plain"},
            },
            415,
            "unsupported Content-Type",
        ),
        ({"method": "POST", "url": "/sparql", "content": b"ASK {}"}, 415, "needs a Content-Type"),
        ({"method": "PUT", "url": "/sparql?query=ASK%20%7B%7D"}, 405, "not allowed"),
        ({"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&timeout=soon"}, 400, "not a number"),
        (
            {"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&default-graph-uri=not%20an%20iri"},
            400,
            "not a valid IRI",
        ),
        (
            {
                "method": "GET",
                "url": "/sparql?query=SELECT%20*%20%7B%20SERVICE%20?e%20%7B%20?s%20?p%20?o%20%7D%20%7D",
            },
            400,
            "variable endpoint",
        ),
    ],
)
def test_bad_requests(
    client: TestClient, request_kwargs: dict[str, object], status: int, fragment: str
) -> None:
    response = client.request(**request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status
    assert fragment in error["message"]
    if status == 405:
        assert "GET" in response.headers["allow"]


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": SELECT, "format": "csv"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("query", "fmt", "accept", "expected"),
    [
        (SELECT, "docx", "text/csv", "text/csv"),  # an unknown name: content negotiation
        (SELECT, "turtle", None, "application/sparql-results+json"),  # not for SELECT
        (SELECT, "xml", None, "application/sparql-results+xml"),
        (SELECT, "application/sparql-results+json", "text/csv", "application/sparql-results+json"),
        (SELECT, "text/tab-separated-values", None, "text/tab-separated-values"),
        ("ASK {}", "ttl", "application/sparql-results+xml", "application/sparql-results+xml"),
        ("ASK {}", "csv", None, "text/csv"),
        (CONSTRUCT, "xml", "application/rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, "json", None, "application/ld+json"),
        (CONSTRUCT, "json-ld", None, "application/ld+json"),
        (CONSTRUCT, "turtle", None, "text/turtle"),
        (CONSTRUCT, "n3", None, "text/turtle"),
        (CONSTRUCT, "rdf+xml", None, "application/rdf+xml"),
        (CONSTRUCT, "nt", None, "application/n-triples"),
        (CONSTRUCT, "csv", "text/turtle", "text/turtle"),  # not for a graph: Accept decides
    ],
)
def test_format_names_of_other_servers_are_understood(
    client: TestClient, query: str, fmt: str, accept: str | None, expected: str
) -> None:
    headers = {"accept": accept} if accept else {}
    for name in ("format", "output", "results"):
        response = client.get("/sparql", params={"query": query, name: fmt}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == expected, (name, fmt)


def test_service_description_for_rdf_clients(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    types = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert sd + "Service" in types
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert "https://w3id.org/qpvkg/graph/study/innovations" in names
    jsonld = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")


def test_query_page_for_browsers(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"accept": browser})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    with_query = client.get("/sparql", params={"query": ASK}, headers={"accept": browser})
    assert "Innovation" in with_query.text


def test_cors_for_reads(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": ASK}, headers={"origin": "https://portal.example.org"}
    )
    assert response.headers["access-control-allow-origin"] in ("*", "https://portal.example.org")
    preflight = client.options(
        "/sparql",
        headers={
            "origin": "https://portal.example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_a_repeated_request_is_answered_from_the_cache_for_its_own_host(
    client: TestClient,
) -> None:
    """A relative IRI resolves against the request's URL: the same query string sent to
    two host names has two answers, each then repeated from the cache."""
    query = "SELECT ?x WHERE { BIND(<thing> AS ?x) }"
    for host in ("a.example", "b.example", "a.example", "b.example"):
        response = client.get("/sparql", params={"query": query}, headers={"host": host})
        value = response.json()["results"]["bindings"][0]["x"]["value"]
        assert value == f"http://{host}/thing"
    assert "cache;desc=hit" in response.headers["server-timing"]


def test_server_timing_and_rows(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT})
    assert "query;dur=" in response.headers["server-timing"]
    assert response.headers["x-result-rows"] == "1"
    again = client.get("/sparql", params={"query": SELECT})
    assert "cache;desc=hit" in again.headers["server-timing"]


FORMULAS = 'SELECT ?a ?b ?c ?d WHERE { VALUES (?a ?b ?c ?d) { ("=HYPERLINK(\\"http://x/\\")" "+1+A1" "@SUM(A1)" "-2") ("-cmd|x" "\\tx" "\\rx" "ok") } }'


def test_csv_cells_that_spreadsheets_run_as_formulas_are_prefixed(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": FORMULAS, "format": "csv"})
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows == [
        ["a", "b", "c", "d"],
        ['\'=HYPERLINK("http://x/")', "'+1+A1", "'@SUM(A1)", "-2"],  # a number stays
        ["'-cmd|x", "'\tx", "'\rx", "ok"],
    ]
    tsv = client.get("/sparql", params={"query": FORMULAS, "format": "tsv"})
    assert '"=HYPERLINK' in tsv.text  # TSV (and JSON) keep the values as they are
    as_json = client.get("/sparql", params={"query": FORMULAS, "format": "json"}).json()
    assert as_json["results"]["bindings"][0]["a"]["value"] == '=HYPERLINK("http://x/")'


@pytest.mark.parametrize("value", ["-1", "0", "nan", "NaN", "inf", "-inf", "1e999"])
def test_a_timeout_that_is_not_a_positive_finite_number_is_refused(
    client: TestClient, value: str
) -> None:
    for url in ("/sparql", "/queries/figures"):
        params = {"timeout": value, **({"query": "ASK {}"} if url == "/sparql" else {})}
        response = client.get(url, params=params, headers={"accept": "application/json"})
        assert response.status_code == 400, (url, value, response.text)
        error = response.json()["error"]
        assert error["code"] == "bad_input" and "timeout" in error["message"]


def test_named_query_csv_defuses_formulas_too(own_store: OwnStore, tmp_path: Path) -> None:
    """A label that a spreadsheet would run, in the data: the named query's CSV prefixes it."""
    formula = FORMULA_LABEL
    with own_store.settings("embedded", tmp_path) as settings:
        add_formula_label(settings.store_path)
        with TestClient(create_app(settings)) as app:
            response = app.get("/queries/innovations-by-territory.csv")
    assert response.status_code == 200, response.text
    cells = {cell for row in csv.reader(io.StringIO(response.text, newline="")) for cell in row}
    assert "'" + formula in cells and formula not in cells


def test_the_fast_path_answers_as_the_route_does(
    own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Query requests answered before the framework's routing (the default) or through the
    /sparql route (fast_path off): the same answers, errors, CORS headers, Server-Timing and
    metrics, since both go through the same access log, CORS and error mapping."""
    origin = {"origin": "https://portal.example.org"}
    requests = [
        ("GET", {"params": {"query": SELECT}, "headers": origin}),
        ("GET", {"params": {"query": ASK}, "headers": {"accept": "text/csv"}}),
        ("POST", {"data": {"query": SELECT}}),
        (
            "POST",
            {"content": SELECT.encode(), "headers": {"content-type": "application/sparql-query"}},
        ),
        ("GET", {"params": {"query": "SELECT ?x WHERE {"}, "headers": origin}),
        ("GET", {"params": {"query": SELECT, "timeout": "-1"}}),
        ("GET", {"params": {"query": SELECT}, "headers": {"accept": "image/png"}}),
        ("POST", {"content": b"x" * 100, "headers": {"content-type": "text/plain"}}),
    ]
    answers: dict[bool, list[tuple[int, str, bytes, str | None]]] = {}
    counted: dict[bool, list[str]] = {}
    for fast in (True, False):
        folder = tmp_path_factory.mktemp("fast" if fast else "routed")
        with (
            own_store.settings("embedded", folder, fast_path=fast, workers=1) as settings,
            TestClient(create_app(settings)) as client,
        ):
            answers[fast] = []
            for method, options in requests:
                response = client.request(method, "/sparql", **options)  # type: ignore[arg-type]
                assert "app;dur=" in response.headers["server-timing"], (fast, method, options)
                answers[fast].append(
                    (
                        response.status_code,
                        response.headers["content-type"],
                        response.content,
                        response.headers.get("access-control-allow-origin"),
                    )
                )
            counted[fast] = [
                line
                for line in client.get("/-/metrics").text.splitlines()
                if line.startswith("qpvkg_http_requests_total") and 'route="/sparql"' in line
            ]
    assert 'method="GET",route="/sparql",status="200"} 2' in "\n".join(counted[True])
    assert counted[True] == counted[False]
    statuses = [status for status, *_ in answers[True]]
    assert statuses == [200, 200, 200, 200, 400, 400, 406, 415], statuses
    assert answers[True] == answers[False]

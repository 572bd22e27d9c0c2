"""Hard limits that keep the server up: time, memory, rows, body size, SERVICE."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from tests.http.conftest import KINDS_EXTERNAL_IN_CI, OwnStore
from tests.listener import Listener


@pytest.fixture(scope="module", params=KINDS_EXTERNAL_IN_CI)
def limited(
    request: pytest.FixtureRequest,
    own_store: OwnStore,
    tmp_path_factory: pytest.TempPathFactory,
    listeners: tuple[Listener, Listener],
) -> Iterator[TestClient]:
    """The app with small limits, over its own copy of the store: embedded, then in an
    Oxigraph server, whose own limit, just above qpvkg's as docs/scaling.md advises, stops
    what the workers abandon (a lower one would cut answers short)."""
    limits: dict[str, Any] = {
        "workers": 2,
        "workers_max": 2,  # no extra worker: two busy ones make the server busy
        "query_timeout_s": 20 if request.param == "embedded" else 5,
        "query_memory_mb": 700,
        "max_rows": 5,
        "max_body_bytes": 2000,
        "cache_mb": 0,
        "service_allow": [listeners[0].url],
    }
    folder = tmp_path_factory.mktemp("limited")
    with (
        own_store.settings(request.param, folder, server_timeout_s=6, **limits) as settings,
        TestClient(create_app(settings)) as client,
    ):
        yield client


NEVER = 'FILTER(CONCAT(STR(?c), STR(?f)) = "never-equal")'
SLOW = {
    "select-cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "group-by": "SELECT ?b (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?b",
    "order-by": f"SELECT ?a WHERE {{ ?a ?b ?c . ?d ?e ?f {NEVER} }} ORDER BY ?a",
    "ask": f"ASK {{ ?a ?b ?c . ?d ?e ?f {NEVER} }}",
    "construct": f"CONSTRUCT {{ ?a ?b ?f }} WHERE {{ ?a ?b ?c . ?d ?e ?f {NEVER} }}",
}


@pytest.mark.parametrize("name", sorted(SLOW))
def test_a_query_past_its_time_limit_is_stopped(limited: TestClient, name: str) -> None:
    response = limited.get("/sparql", params={"query": SLOW[name], "timeout": "1.5"})
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "query_timeout"
    assert "time limit" in error["message"]
    assert response.headers["retry-after"]
    assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_other_queries_are_answered_while_one_runs(limited: TestClient) -> None:
    slow: dict[str, int] = {}

    def run_slow() -> None:
        slow["status"] = limited.get(
            "/sparql", params={"query": SLOW["select-cartesian"], "timeout": "4"}
        ).status_code

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)
    answered = [
        limited.get(
            "/sparql",
            params={"query": f"ASK {{ <https://w3id.org/qpvkg/id/commune/{93000 + i}> ?p ?o }}"},
        ).status_code
        for i in range(5)
    ]
    assert "status" not in slow, "the slow query should still be running"
    assert answered == [200] * 5
    thread.join()
    assert slow["status"] == 503


def test_a_query_that_finds_every_worker_busy_waits_only_until_its_limit(
    limited: TestClient,
) -> None:
    statuses: list[int] = []

    def run_slow() -> None:
        statuses.append(
            limited.get(
                "/sparql", params={"query": SLOW["select-cartesian"], "timeout": "2.5"}
            ).status_code
        )

    threads = [threading.Thread(target=run_slow) for _ in range(2)]  # both workers
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    waited = limited.get("/sparql", params={"query": "ASK {}", "timeout": "0.5"})
    assert waited.status_code == 503, waited.text
    assert "free worker" in waited.json()["error"]["message"]
    for thread in threads:
        thread.join()
    assert statuses == [503, 503]
    # the workers freed by the two stopped queries serve the next ones
    assert [limited.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(3)] == [
        200
    ] * 3


def test_a_client_cannot_raise_the_time_limit(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": "ASK {}", "timeout": "3600"})
    assert response.status_code == 200


def external(client: TestClient) -> bool:
    return bool(client.app.state.settings.remote)  # type: ignore[attr-defined]


def test_a_query_past_its_memory_limit_is_stopped(limited: TestClient) -> None:
    """Over the embedded store the worker's memory is the query's; over an external one the
    server holds it, and the query is stopped at its time limit."""
    query = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    response = limited.get("/sparql", params={"query": query})
    assert response.status_code == 503, response.text
    if external(limited):
        assert response.json()["error"]["code"] == "query_timeout"
    else:
        assert response.json()["error"]["code"] == "query_memory"
        assert "700 MB" in response.json()["error"]["message"]
    assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_rows_beyond_the_limit_are_cut_and_flagged(limited: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s a <http://rdf.insee.fr/def/geo#Commune> }"
    response = limited.get("/sparql", params={"query": query})
    assert response.headers["x-result-truncated"] == "true"
    data = response.json()
    assert data["truncated"] is True
    assert len(data["results"]["bindings"]) == 5
    csv = limited.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert len(csv.text.strip().splitlines()) == 6
    small = limited.get("/sparql", params={"query": query + " LIMIT 3"})
    assert "x-result-truncated" not in small.headers
    assert "truncated" not in small.json()


def test_construct_rows_are_cut_too(limited: TestClient) -> None:
    response = limited.get(
        "/sparql",
        # 50 triples past a cap of 5; without LIMIT the external store would send 17 MB
        params={"query": "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 50"},
        headers={"accept": "application/n-triples"},
    )
    assert response.headers["x-result-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 5


def test_bodies_over_the_limit_get_413(limited: TestClient) -> None:
    big = "ASK {} #" + "x" * 3000
    response = limited.post(
        "/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        yield b"ASK {} #"
        for _ in range(10):
            yield b"x" * 500

    streamed = limited.post(
        "/sparql", content=chunks(), headers={"content-type": "application/sparql-query"}
    )
    assert streamed.status_code == 413


def test_service_is_refused_unless_allowed(
    limited: TestClient, listeners: tuple[Listener, Listener]
) -> None:
    allowed, forbidden = listeners
    refused = limited.get(
        "/sparql",
        params={"query": f"SELECT * WHERE {{ SERVICE <{forbidden.url}> {{ ?s ?p ?o }} }}"},
    )
    assert refused.status_code == 400
    assert "not allowed" in refused.json()["error"]["message"]
    prefixed = limited.get(
        "/sparql",
        params={
            "query": f"PREFIX e: <http://127.0.0.1:{forbidden.port}/> SELECT * WHERE {{ SERVICE SILENT e:sparql {{ ?s ?p ?o }} }}"
        },
    )
    assert prefixed.status_code == 400
    time.sleep(0.5)
    assert forbidden.connections == 0, "the server opened a connection a client chose"
    # the allow-listed endpoint is called: the guard is what stops the others
    limited.get(
        "/sparql",
        params={"query": f"SELECT * WHERE {{ SERVICE SILENT <{allowed.url}> {{ ?s ?p ?o }} }}"},
    )
    time.sleep(0.5)
    assert allowed.connections >= 1


def test_metrics_count_limits(limited: TestClient) -> None:
    text = limited.get("/-/metrics").text
    values = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line and not line.startswith("#") and "{" not in line
    }
    if external(limited):
        assert values["qpvkg_query_timeouts_total"] >= 6
        assert values["qpvkg_query_memory_kills_total"] == 0
    else:
        assert values["qpvkg_query_timeouts_total"] >= 5
        assert values["qpvkg_query_memory_kills_total"] >= 1
    assert values["qpvkg_worker_restarts_total"] >= 6

"""The OpenAPI description (/-/openapi.json) tells the truth: its responses, media types and
parameters are those of the code, checked by reading it and by schemathesis against a real
server."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from endpoint.negotiation import BY_NAME, FORMAT_PARAMETERS, HTML, RDF, RESULTS
from endpoint.openapi import ERROR_SCHEMA, SPARQL_FORMATS
from endpoint.protocol import query_call
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import start_server
from tests.http.conftest import OwnStore, store_env

METHODS = ("get", "head", "post", "put", "delete", "patch")
ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def description(app_settings: Settings) -> dict[str, Any]:
    # the description needs no query engine: the app is not started
    response = TestClient(create_app(app_settings)).get("/-/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(description: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in description["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def test_every_operation_declares_success_and_errors(description: dict[str, Any]) -> None:
    count = 0
    ids: list[str] = []
    for method, path, operation in operations(description):
        count += 1
        statuses = set(operation["responses"])
        assert "500" in statuses, (method, path)
        assert any(s.startswith("2") for s in statuses), (method, path)
        for status, response in operation["responses"].items():
            if status not in ("204", "304"):
                assert response.get("content"), (method, path, status)
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if query or operation.get("requestBody"):
            # invalid parameters are answered 400 (endpoint.errors), never FastAPI's 422
            assert "400" in statuses, (method, path)
        if "422" in statuses:  # SHACL's report
            assert (method, path) in {
                ("PUT", "/store"),
                ("POST", "/store"),
                ("POST", "/store/rollback"),
            }
        ids.append(operation["operationId"])
    assert count > 50
    assert len(set(ids)) == len(ids)
    assert "HTTPValidationError" not in description["components"]["schemas"]


def test_every_error_response_is_the_one_error_shape(description: dict[str, Any]) -> None:
    assert description["components"]["schemas"]["Error"] == ERROR_SCHEMA
    for method, path, operation in operations(description):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path == "/-/health" and status == "503"):
                continue  # /-/health's 503 is its own document, with status "unavailable"
            content = response["content"]
            assert content["application/json"]["schema"] == ERROR_REF, (method, path, status)
            assert set(content) <= {
                "application/json",
                "text/html",
                "application/ld+json",
                "text/plain",
            }


def test_an_error_answer_conforms_to_the_error_schema(client: TestClient) -> None:
    body = client.get("/sparql", params={"query": "SELECT nothing"}).json()
    error = ERROR_SCHEMA["properties"]["error"]
    assert set(body) == set(ERROR_SCHEMA["required"])
    assert set(body["error"]) == set(error["required"])
    assert isinstance(body["error"]["status"], int) and isinstance(body["error"]["details"], dict)


def test_media_types_are_those_of_the_negotiation_table(description: dict[str, Any]) -> None:
    sparql = description["paths"]["/sparql"]
    get = set(sparql["get"]["responses"]["200"]["content"])
    post = set(sparql["post"]["responses"]["200"]["content"])
    assert post == {f.media_type for f in (*RESULTS, *RDF)}
    assert get == post | {HTML.media_type}
    named = description["paths"]["/queries/figures"]["get"]["responses"]["200"]["content"]
    assert set(named) == {f.media_type for f in RESULTS} | {HTML.media_type}
    assert set(sparql["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }
    for code in ("400", "406", "413", "415", "429", "503"):
        assert code in sparql["post"]["responses"], code
    assert "416" in description["paths"]["/dumps/{name}"]["get"]["responses"]
    for code in ("401", "403", "413", "415", "422"):
        assert code in description["paths"]["/store"]["put"]["responses"], code


def test_no_parameter_schema_admits_null(description: dict[str, Any]) -> None:
    """A URL cannot carry null: an optional parameter is one that may be absent."""
    for method, path, operation in operations(description):
        for parameter in operation.get("parameters", []):
            assert "null" not in str(parameter["schema"]), (method, path, parameter)


def test_the_format_names_are_documented_and_unknown_ones_fall_back(
    app_settings: Settings, description: dict[str, Any]
) -> None:
    """Every short name the protocol understands is in the description of ``format``, and a
    name it does not know is not refused: content negotiation decides instead."""
    assert set(SPARQL_FORMATS) == {name for name in BY_NAME if "/" not in name}
    documented = {
        p["name"]: p.get("description", "")
        for p in description["paths"]["/sparql"]["get"]["parameters"]
    }
    for name in FORMAT_PARAMETERS:
        assert all(f in documented[name] for f in SPARQL_FORMATS), name
    for value in [*SPARQL_FORMATS, "docx", "application/x-unknown"]:
        params = [("query", "ASK {}"), ("format", value)]
        call = asyncio.run(query_call("GET", params, None, app_settings, "http://x/sparql"))
        assert call is not None, value


def test_allow_lists_every_method_of_the_path(
    client: TestClient, description: dict[str, Any]
) -> None:
    """405 lists the methods of all the routes of a path (the router names only the first)."""
    for path, item in description["paths"].items():
        documented = {m.upper() for m in METHODS if m in item}
        url = re.sub(r"\{[^}]+\}", "x", path)
        response = client.request("PATCH", url)
        assert response.status_code == 405, (path, response.text)
        allow = {m.strip() for m in response.headers["allow"].split(",")}
        assert allow == documented, path
    sparql = client.put("/sparql", params={"query": "ASK {}"})
    assert sparql.headers["allow"] == "GET, HEAD, POST"
    assert "not allowed" in sparql.json()["error"]["message"]
    assert client.options("/store").headers["allow"] == "GET, HEAD, POST, PUT, DELETE"


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/sparql", {"query": "ASK { ?s ?p ?o }", "format": ""}),
        ("/queries/support-schemes", {"format": ""}),
        ("/queries/innovations-by-territory", {"format": "", "codeRegion": ""}),
        ("/search", {"q": "totem", "format": ""}),
        ("/network", {"actor": "/id/organisation/labo-societal", "format": ""}),
    ],
)
def test_an_empty_format_means_not_given(
    client: TestClient, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert "json" in response.headers["content-type"]


def test_an_empty_format_on_sparql_still_shows_the_page_to_a_browser(client: TestClient) -> None:
    response = client.get("/sparql", params={"format": ""}, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/sparql", {"timeout": "0"}),  # without a query: refused all the same
        ("/sparql", {"default-graph-uri": "not an iri"}),
        ("/queries/support-schemes", {"timeout": "-1"}),
        ("/queries/support-schemes", {"timeout": "0"}),
        ("/queries/support-schemes", {"timeout": ""}),  # a number, as at /sparql
    ],
)
def test_parameters_outside_the_schema_are_refused(
    client: TestClient, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["status"] == 400


def test_a_rollback_needs_a_version(client: TestClient) -> None:
    response = client.post("/store/rollback", params={"graph": "https://w3id.org/qpvkg/x"})
    assert response.status_code == 400
    assert "version" in response.json()["error"]["message"]


# ------------------------------------------------------------------------- schemathesis

#: The project's configuration: the seed, the examples per operation, the few statuses the
#: description cannot state, each with its reason.
CONFIG = PROJECT_DIR / "schemathesis.toml"


@pytest.fixture(scope="module")
def server(own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("openapi")
    with own_store.settings("embedded", folder) as settings:
        base, process = start_server({**store_env(settings), "QPVKG_WORKERS": "2"})
        # a line per request on the pipe: read it, or the server blocks once the pipe is full
        threading.Thread(
            target=process.stdout.read if process.stdout else None, daemon=True
        ).start()
        yield base
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.ci
def test_schemathesis_finds_no_failure(server: str, tmp_path: Path) -> None:
    """Every check (`--checks all`), a fixed seed, a few examples per operation: nothing fails
    (no undocumented status or media type, no valid request refused, no invalid one accepted,
    Allow as documented)."""
    before = httpx.get(f"{server}/-/version").json()["generation"]
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(CONFIG),
            "run",
            f"{server}/-/openapi.json",
            "--checks",
            "all",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    # 87 operations: the 59 before the QPV geography, GET and HEAD /qpv, the four map layers
    # (GET and HEAD each), the seven named queries at QPV level, study-analysis and
    # study-evidence-coverage, /lists and its eight lists
    assert "Tested: 87" in summary and "Failures:" not in summary, summary
    assert re.search(r"\d+ generated, \d+ passed", summary), summary
    # it changed nothing: writes without a token are refused
    assert httpx.get(f"{server}/-/version").json()["generation"] == before

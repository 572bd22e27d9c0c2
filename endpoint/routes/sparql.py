"""The SPARQL 1.1 Query Protocol at /sparql, its service description and the query page."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import Response

from endpoint.deps import EngineDep, SettingsDep, render
from endpoint.engine import QueryEngine
from endpoint.negotiation import BY_KEY, RDF, choose, prefers_html
from endpoint.sparqltext import check_query
from endpoint.worker import Answer, Job
from loaders.errors import (
    BadInputError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    QueryRefusedError,
    UnsupportedMediaTypeError,
)
from loaders.settings import Settings

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the request body is larger than {limit} bytes (QPVKG_MAX_BODY_BYTES)", limit=limit
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLargeError(
                f"the request body is larger than {limit} bytes (QPVKG_MAX_BODY_BYTES)", limit=limit
            )
    return bytes(body)


def decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"the {what} is not valid UTF-8 (byte {exc.start})") from None


def parse_form(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadInputError("a form value is not valid UTF-8 once percent-decoded") from None
    except ValueError as exc:
        raise BadInputError(f"the form body is malformed: {exc}") from None


async def protocol_parameters(request: Request, settings: Settings) -> list[tuple[str, str]]:
    """The protocol's parameters, from the URL and (for POST) the body."""
    try:
        params = parse_qsl(
            request.url.query, keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise BadInputError("a URL parameter is not valid UTF-8 once percent-decoded") from None
    if request.method in ("GET", "HEAD"):
        return params
    raw_type = request.headers.get("content-type", "")
    content_type = raw_type.split(";")[0].strip().lower()
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in raw_type.split(";")[1:]
            if p.strip().lower().startswith("charset=")
        ),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8"):
        raise BadInputError(f"the body must be UTF-8 (charset {charset} is not accepted)")
    body = await read_body(request, settings.max_body_bytes)
    if content_type == FORM:
        return params + parse_form(decode(body, "form body"))
    if content_type == QUERY:
        if any(k == "query" for k, _ in params):
            raise BadInputError("the query is given both in the body and in the URL")
        return [*params, ("query", decode(body, "query"))]
    if content_type == UPDATE:
        raise QueryRefusedError(
            "SPARQL Update is not accepted at /sparql: the endpoint is read-only"
        )
    if not content_type:
        raise UnsupportedMediaTypeError(
            f"a POST to /sparql needs a Content-Type: {FORM} or {QUERY}"
        )
    raise UnsupportedMediaTypeError(
        f"unsupported Content-Type {content_type!r} for /sparql: use {FORM} or {QUERY}"
    )


def iris(values: list[str], name: str) -> tuple[str, ...]:
    out = []
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise BadInputError(f"{name} {value!r} is not a valid IRI") from None
        out.append(value)
    return tuple(out)


def timeout_parameter(values: list[str]) -> float | None:
    if not values:
        return None
    if len(values) > 1:
        raise BadInputError("the timeout parameter is given several times")
    try:
        seconds = float(values[-1])
    except ValueError:
        raise BadInputError(f"timeout {values[-1]!r} is not a number of seconds") from None
    if not seconds > 0:
        raise BadInputError("timeout must be a positive number of seconds")
    return seconds


def answer_response(
    answer: Answer, cached: bool, *, head: bool = False, extra: dict[str, str] | None = None
) -> Response:
    fmt = BY_KEY[answer.format_key]
    headers = {
        "Vary": "Accept",
        "X-Result-Rows": str(answer.rows),
        "Server-Timing": f"query;dur={answer.eval_ms:.1f}, "
        f"cache;desc={'hit' if cached else 'miss'}",
        **(extra or {}),
    }
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
    return Response(b"" if head else answer.body, media_type=fmt.content_type, headers=headers)


async def run_query(
    engine: QueryEngine, settings: Settings, text: str, accept: str | None, **kwargs: Any
) -> tuple[Answer, bool]:
    check_query(text, settings.service_allow)
    timeout = kwargs.pop("timeout_s", None)
    job = Job(query=text, accept=accept, max_rows=settings.max_rows, **kwargs)
    return await engine.run(job, timeout)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other_methods(request: Request) -> Response:
    raise MethodNotAllowedError(
        f"{request.method} is not allowed on /sparql (use GET or POST)",
        allow="GET, POST, HEAD, OPTIONS",
    )


@router.api_route(
    "/sparql",
    methods=["GET", "POST", "HEAD"],
    summary="SPARQL 1.1 Query Protocol",
    description=(
        "GET with `query`, POST form-encoded, or POST `application/sparql-query`; "
        "`default-graph-uri` and `named-graph-uri` select the dataset (default: the union "
        "of all graphs); `timeout` (seconds) may lower the time limit. Results by content "
        "negotiation: SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples, N-Quads, TriG, RDF/XML, "
        "JSON-LD for graphs. Without a query: the service description, or the query page "
        "for a browser."
    ),
)
async def sparql(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    params = await protocol_parameters(request, settings)
    updates = [v for k, v in params if k in ("update", "using-graph-uri", "using-named-graph-uri")]
    if updates:
        raise QueryRefusedError(
            "SPARQL Update is not accepted at /sparql: the endpoint is read-only"
        )
    queries = [v for k, v in params if k == "query"]
    accept = request.headers.get("accept")
    if len(queries) > 1:
        raise BadInputError(f"{len(queries)} query parameters were given: give exactly one")
    if not queries:
        if request.method == "POST":
            raise BadInputError(
                "no query: give the query parameter (form) or a application/sparql-query body"
            )
        if prefers_html(accept):
            return query_page(request)
        return service_description(request, engine, settings, accept)
    text = queries[0]
    if not text.strip():
        raise BadInputError("the query is empty")
    if request.method == "GET" and prefers_html(accept) and "format" not in dict(params):
        return query_page(request, text)
    defaults = [v for k, v in params if k == "default-graph-uri"]
    named = [v for k, v in params if k == "named-graph-uri"]
    dataset: dict[str, Any] = {}
    if defaults or named:
        dataset = {
            "default_graphs": iris(defaults, "default-graph-uri"),
            "named_graphs": iris(named, "named-graph-uri"),
        }
    fmt = dict(params).get("format")
    if fmt is not None and fmt not in BY_KEY:
        raise BadInputError(f"format {fmt!r} is unknown; use one of {', '.join(sorted(BY_KEY))}")
    answer, cached = await run_query(
        engine,
        settings,
        text,
        accept,
        timeout_s=timeout_parameter([v for k, v in params if k == "timeout"]),
        format_key=fmt,
        base_iri=str(request.url.replace(query="", fragment="")),
        **dataset,
    )
    return answer_response(answer, cached, head=request.method == "HEAD")


def query_page(request: Request, query: str | None = None) -> Response:
    catalog = request.app.state.catalog
    return render(
        request,
        "sparql.html",
        {"query": query or "", "catalog": list(catalog.values())},
        headers={"Vary": "Accept"},
    )


def service_description(
    request: Request, engine: QueryEngine, settings: Settings, accept: str | None
) -> Response:
    """SPARQL 1.1 Service Description of the endpoint, in the RDF format asked for."""
    fmt = choose(accept, RDF, what="the service description")
    templates = request.app.state.templates
    graphs = (
        sorted(g.value for g in engine.store.named_graphs() if isinstance(g, ox.NamedNode))
        if engine.store
        else []
    )
    endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
    turtle = templates.get_template("service-description.ttl").render(
        endpoint=endpoint, graphs=graphs
    )
    triples = [q.triple for q in ox.parse(turtle.encode("utf-8"), ox.RdfFormat.TURTLE)]
    out = io.BytesIO()
    from endpoint.results import PREFIXES, RDF_FORMATS

    target = RDF_FORMATS[fmt.key]
    prefixes = (
        dict(PREFIXES, sd="http://www.w3.org/ns/sparql-service-description#")
        if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
        else None
    )
    ox.serialize(triples, out, target, prefixes=prefixes)
    return Response(out.getvalue(), media_type=fmt.content_type, headers={"Vary": "Accept"})

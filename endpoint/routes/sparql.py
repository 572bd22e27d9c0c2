"""The SPARQL 1.1 Query Protocol at /sparql, its service description and the query page."""

from __future__ import annotations

import io

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep, render
from endpoint.engine import QueryEngine
from endpoint.negotiation import FORMAT_PARAMETERS, RDF, choose, prefers_html
from endpoint.protocol import (
    body_parameters,
    check_content_type,
    query_call,
    read_body,
    url_parameters,
)
from endpoint.querying import answer_response
from loaders.namespaces import RESULT_PREFIXES, SD
from loaders.rdfformats import RDF_BY_KEY
from loaders.settings import Settings

router = APIRouter(tags=["SPARQL"])


async def protocol_parameters(request: Request, settings: Settings) -> list[tuple[str, str]]:
    """The protocol's parameters, from the URL and (for POST) the body."""
    params = url_parameters(request.url.query)
    if request.method in ("GET", "HEAD"):
        return params
    content_type = check_content_type(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    body = await read_body(request.receive, settings.max_body_bytes, declared)
    return body_parameters(content_type, body, params)


DESCRIPTION = (
    "GET with `query`, POST form-encoded, or POST `application/sparql-query`; "
    "`default-graph-uri` and `named-graph-uri` select the dataset (default: the union "
    "of all graphs); `timeout` (seconds) may lower the time limit. Results by content "
    "negotiation: SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples, N-Quads, TriG, RDF/XML, "
    "JSON-LD for graphs. Without a query: the service description, or the query page "
    "for a browser."
)


@router.api_route(
    "/sparql",
    methods=["GET", "HEAD"],
    summary="SPARQL 1.1 Query Protocol",
    description=DESCRIPTION,
    responses=openapi.SPARQL_GET,
    openapi_extra=openapi.SPARQL_GET_EXTRA,
)
@router.api_route(
    "/sparql",
    methods=["POST"],
    summary="SPARQL 1.1 Query Protocol",
    description=DESCRIPTION,
    responses=openapi.SPARQL_POST,
    openapi_extra=openapi.SPARQL_POST_EXTRA,
)
async def sparql(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    params = await protocol_parameters(request, settings)
    accept = request.headers.get("accept")
    base = str(request.url.replace(query="", fragment=""))
    if (
        request.method == "GET"
        and prefers_html(accept)
        and not any(k in FORMAT_PARAMETERS and v for k, v in params)  # empty: not given
    ):
        queries = [v for k, v in params if k == "query"]
        return query_page(request, queries[0] if len(queries) == 1 else None)
    call = await query_call(request.method, params, accept, settings, base)
    if call is None:
        return service_description(request, engine, accept)
    answer, cached = await engine.run(call.job, call.timeout_s)
    return answer_response(answer, cached, head=request.method == "HEAD")


def query_page(request: Request, query: str | None = None) -> Response:
    catalog = request.app.state.named_queries
    return render(
        request,
        "sparql.html",
        {"query": query or "", "catalog": list(catalog.values())},
        headers={"Vary": "Accept"},
    )


def service_description(request: Request, engine: QueryEngine, accept: str | None) -> Response:
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
    syntax = RDF_BY_KEY[fmt.key]
    prefixes = {**RESULT_PREFIXES, "sd": SD} if syntax.prefixed else None
    ox.serialize(triples, out, syntax.oxigraph, prefixes=prefixes)
    return Response(out.getvalue(), media_type=fmt.content_type, headers={"Vary": "Accept"})

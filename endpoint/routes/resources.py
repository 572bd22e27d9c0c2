"""Linked data: every IRI the store holds under the base answers at its path on this server.

``/id/...`` (instances), ``/def/...`` (the ontology's versions), ``/concept/...`` (SKOS),
``/graph/...`` (named graphs: their provenance as a page, their triples as a dump) and
``/context/...`` (the JSON-LD contexts); ``/def`` and ``/shapes`` are the documentation pages'
routes (``endpoint/routes/pages.py``), which hand every request but a browser's to the same
representations. Each is offered as HTML, Turtle, JSON-LD (compacted with the project's context),
RDF/XML and N-Triples, by ``Accept`` or by a ``.ttl``/``.jsonld``/``.rdf``/``.nt``/``.html``
suffix, with validators from the store generation (``endpoint/representation.py``). Every store
access is a query in ``queries/internal/`` run by the engine's workers, the IRI bound as an RDF
term (``endpoint/lookup.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep
from endpoint.documents import jsonld_document, ntriples_to_dataset
from endpoint.engine import QueryEngine
from endpoint.httpcache import not_modified
from endpoint.iris import GRAPH_KEYS, href_of, split_suffix, valid_iri
from endpoint.jsonldcontext import context_document
from endpoint.lookup import Row, query_text, select
from endpoint.negotiation import HTML, Format
from endpoint.representation import (
    NEGOTIATION,
    describe,
    headers_for,
    html_page,
    pick_format,
    rdf_response,
    resource,
    revalidated,
)
from endpoint.sparqlterms import triples_of, with_iris
from endpoint.worker import Job
from loaders.errors import UnknownResourceError
from loaders.settings import Settings

router = APIRouter(tags=["linked data"])

#: Graph dumps up to this many triples are compacted with the context; larger ones are
#: written by pyoxigraph's JSON-LD writer (pyld would take minutes).
JSONLD_COMPACT_MAX = 5000


# ----------------------------------------------------------------------------- running queries


# ----------------------------------------------------------------------------- descriptions


# ----------------------------------------------------------------------------- responses


async def graph_size(engine: QueryEngine, settings: Settings, iri: str) -> int:
    rows = await select(engine, settings, "graph-size", iri=ox.NamedNode(iri))
    for row in rows:
        if isinstance(n := row.get("triples"), ox.Literal):
            return int(n.value)
    return 0


async def graph_dump(
    engine: QueryEngine, settings: Settings, iri: str, fmt: Format, size: int
) -> bytes:
    """Every triple of a named graph, in ``fmt`` (N-Quads and TriG keep the graph's name)."""
    key = fmt.key
    if key in ("nq", "trig") or (key == "jsonld" and size <= JSONLD_COMPACT_MAX):
        key = "nt"
    job = Job(
        query=query_text(settings, "graph-dump"),
        accept=None,
        default_graphs=(iri,),
        named_graphs=(),
        max_rows=max(size, 1),
        format_key=key,
    )
    answer, _ = await engine.run(job)
    if key == fmt.key:
        return answer.body
    if fmt.key == "jsonld":
        triples = triples_of(answer.body)
        roots = sorted({t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)})
        return await asyncio.to_thread(jsonld_document, triples, roots, settings)
    return ntriples_to_dataset(answer.body, iri, fmt.key)


async def named_graph(
    request: Request, engine: QueryEngine, settings: Settings, path: str
) -> Response:
    """A named graph: its provenance and size as a page; its triples in the RDF formats."""
    stem, suffix = split_suffix(path, GRAPH_KEYS)
    iri = f"{settings.base_iri}graph/{stem}"
    if not valid_iri(iri):
        raise UnknownResourceError(f"no graph <{iri}>", iri=iri)
    fmt = pick_format(request, suffix, GRAPH_KEYS)
    stem_path = f"/graph/{stem}"
    headers = headers_for(request, engine, fmt, suffix, stem_path)
    if (cached := revalidated(request, engine, headers)) is not None:
        return cached
    size = await graph_size(engine, settings, iri)
    if fmt is not HTML:
        if size == 0:
            raise UnknownResourceError(f"no named graph <{iri}> in the store", iri=iri)
        if request.method == "HEAD":
            return rdf_response(b"", fmt, headers, True)
        body = await graph_dump(engine, settings, iri, fmt, size)
        return rdf_response(body, fmt, headers, False)
    description = await describe(request, engine, settings, iri, document=False)
    if size == 0 and not description.known:
        raise UnknownResourceError(f"no named graph <{iri}> in the store", iri=iri)
    listing = with_iris(query_text(settings, "graph-listing"), graph=iri)
    extra: dict[str, Any] = {
        "graph": {
            "triples": size,
            "listing": "/sparql?" + urlencode({"query": listing}),
            "provenance": f"{settings.base_iri}graph/build",
        }
    }
    if iri == settings.graph_iri("build"):  # the provenance of every graph, as a table
        rows = await select(engine, settings, "build-graphs", build=ox.NamedNode(iri))
        extra["build_graphs"] = build_table(rows, settings.base_iri)
    return await html_page(
        request, engine, settings, description, stem_path, GRAPH_KEYS, headers, extra
    )


def build_table(rows: list[Row], base_iri: str) -> list[dict[str, Any]]:
    """The provenance page's rows: each graph, its file, kind, checksum, triples, build time
    and how long its loading took (milliseconds, when the build recorded it)."""

    def text(row: Row, name: str) -> str | None:
        term = row.get(name)
        return term.value if term is not None else None

    out = []
    for row in rows:
        graph = text(row, "graph") or ""
        started, ended = text(row, "started"), text(row, "ended")
        ms = None
        if started and ended:
            try:
                span = datetime.fromisoformat(ended) - datetime.fromisoformat(started)
                ms = round(span.total_seconds() * 1000)
            except ValueError:
                ms = None
        triples = text(row, "triples")
        out.append(
            {
                "graph": graph,
                "href": href_of(graph, base_iri),
                "name": graph.removeprefix(f"{base_iri}graph/"),
                "file": text(row, "file"),
                "kind": text(row, "kind"),
                "checksum": text(row, "checksum"),
                "triples": int(triples) if triples and triples.isdigit() else None,
                "generated": text(row, "generated"),
                "milliseconds": ms,
            }
        )
    return out


# ----------------------------------------------------------------------------- routes

METHODS = ["GET", "HEAD"]


@router.api_route(
    "/id/{path:path}",
    methods=METHODS,
    summary="An instance (innovation, actor, territory...) of the graph",
    description=f"The resource `{{base}}id/{{path}}`. {NEGOTIATION}",
    responses=openapi.RESOURCE,
)
async def instance(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    return await resource(request, engine, settings, "id/", path)


@router.api_route(
    "/concept/{path:path}",
    methods=METHODS,
    summary="A SKOS concept scheme or concept",
    description=f"The resource `{{base}}concept/{{path}}`. {NEGOTIATION}",
    responses=openapi.RESOURCE,
)
async def concept(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    return await resource(request, engine, settings, "concept/", path)


@router.api_route("/def/{path:path}", methods=METHODS, include_in_schema=False)
async def ontology_version(
    path: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    return await resource(request, engine, settings, "def/", path)


@router.api_route(
    "/graph/{path:path}",
    methods=METHODS,
    summary="A named graph: its provenance, or its triples",
    description=(
        "The named graph `{base}graph/{path}`: as HTML its provenance (source file, checksum, "
        "load time) and its size; in Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD "
        "(by Accept or suffix) every triple it holds."
    ),
    responses=openapi.GRAPH,
)
async def graph(path: str, request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    return await named_graph(request, engine, settings, path)


@router.api_route(
    "/context/{name}",
    methods=METHODS,
    summary="A JSON-LD context of the project (context/v1.jsonld)",
    responses=openapi.CONTEXT,
)
async def context(
    name: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    body = context_document(settings, name)
    if body is None:
        raise UnknownResourceError(f"no JSON-LD context {name!r}", context=name)
    headers = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:20]}"'}
    if not_modified(request.headers.get("if-none-match"), None, headers["ETag"], None):
        return Response(status_code=304, headers=headers)
    return Response(
        b"" if request.method == "HEAD" else body,
        media_type="application/ld+json",
        headers=headers,
    )

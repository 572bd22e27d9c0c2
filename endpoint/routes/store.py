"""The SPARQL 1.1 Graph Store Protocol at /store: public reads, partner writes.

Writes go through ``loaders.contribution.write`` (the code ``qpvkg contribute`` runs): the
partner's bearer token, its graph, the body's size and media type are checked before the body
is parsed; then SHACL, then one atomic commit, published to the query workers at once.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep, StoreDep, open_store
from endpoint.negotiation import BY_KEY, JSON, RDF, TEXT, Format, negotiate
from endpoint.protocol import read_body
from loaders.contribution.history import History, diff, versions
from loaders.contribution.payload import media_type_for
from loaders.contribution.write import Mode, WriteResult, contribute
from loaders.errors import (
    BadInputError,
    ReadOnlyReplicaError,
    UnknownResourceError,
    ValidationFailedError,
)
from loaders.namespaces import RESULT_PREFIXES
from loaders.partners import PartnerRegistry, check_graph
from loaders.rdfformats import RDF_BY_KEY
from loaders.settings import Settings
from loaders.store import GraphStore
from loaders.validate import Validator, readable_report, report_jsonld

router = APIRouter(tags=["graph store"])

#: a rejected contribution's SHACL report: the JSON error shape, JSON-LD, or text (fr, en)
JSONLD_REPORT = BY_KEY["jsonld"]
REPORTS: tuple[Format, ...] = (JSON, JSONLD_REPORT, TEXT)

GraphParam = Annotated[
    str | None,
    Query(
        description="The graph's IRI, e.g. {base}graph/partner/NAME/projets",
        json_schema_extra={"pattern": openapi.IRI},
    ),
]
#: Writes, history, diff: the graph is required (the same check, in ``_graph``).
GivenGraph = Annotated[
    str,
    Query(
        description="The graph's IRI, e.g. {base}graph/partner/NAME/projets",
        json_schema_extra={"pattern": openapi.IRI},
    ),
]
PartnerGraph = Annotated[
    str,
    Query(
        description="The partner graph's IRI: {base}graph/partner/NAME/SLUG",
        json_schema_extra={"pattern": openapi.PARTNER_GRAPH},
    ),
]
DefaultParam = Annotated[
    str | None, Query(description="Present (empty): the default graph (GET only)")
]


def _graph(graph: str | None) -> str:
    if not graph:
        raise BadInputError("give the graph parameter: /store?graph=IRI")
    try:
        ox.NamedNode(graph)
    except ValueError:
        raise BadInputError(f"graph {graph!r} is not a valid IRI") from None
    return graph


def validator_of(request: Request, settings: Settings) -> Validator:
    """The shapes and ontology, parsed once per application."""
    validator: Validator | None = request.app.state.validator
    if validator is None:
        validator = Validator.from_settings(settings)
        request.app.state.validator = validator
    return validator


async def write(
    request: Request,
    settings: Settings,
    engine: EngineDep,
    graph: str,
    mode: Mode,
    *,
    rollback_to: int | None = None,
) -> Response:
    if settings.read_only:
        writer = f" ({settings.writer_url})" if settings.writer_url else ""
        raise ReadOnlyReplicaError(
            f"this server is a read replica: send writes to the writer{writer}",
            allow="GET, HEAD",
            **({"writer": settings.writer_url} if settings.writer_url else {}),
        )
    partner = PartnerRegistry.from_settings(settings).authenticate(
        request.headers.get("authorization")
    )
    check_graph(settings, partner.name, graph)
    data: bytes | None = None
    media: str | None = None
    if mode in ("put", "post"):
        media = media_type_for(request.headers.get("content-type") or None)
        data = await read_body(
            request.receive, settings.max_body_bytes, request.headers.get("content-length")
        )
    store = open_store(engine)
    try:
        result: WriteResult = await asyncio.to_thread(
            contribute,
            store,
            settings,
            partner=partner.name,
            graph=graph,
            data=data,
            media_type=media,
            mode=mode,
            validator=lambda: validator_of(request, settings),
            rollback_to=rollback_to,
        )
    except ValidationFailedError as exc:
        return validation_response(request, exc)
    await engine.publish_write(result.update)
    request.app.state.publisher.request()  # dumps, VoID and catalogue, in the background
    status = 201 if result.created else 200
    headers = {"Location": f"/store?graph={graph}"} if result.created else {}
    return JSONResponse(result.as_dict(), status_code=status, headers=headers)


def validation_response(request: Request, exc: ValidationFailedError) -> Response:
    """422: the SHACL report as JSON-LD, as text (fr, en), or in the JSON error shape."""
    fmt = negotiate(request.headers.get("accept"), REPORTS, fallback=JSON)
    if fmt is JSONLD_REPORT:
        return JSONResponse(
            report_jsonld(exc.results), status_code=422, media_type="application/ld+json"
        )
    if fmt is TEXT:
        text = (
            readable_report(exc.results, "fr", exc.counts)
            + "\n\n"
            + readable_report(exc.results, "en", exc.counts)
        )
        return PlainTextResponse(text, status_code=422)
    body = {
        "error": {
            "status": 422,
            "code": exc.code,
            "message": exc.message,
            "details": {
                **exc.counts,
                "results": exc.results,
                "text_fr": readable_report(exc.results, "fr", exc.counts),
                "text_en": readable_report(exc.results, "en", exc.counts),
                "report": report_jsonld(exc.results),
            },
        }
    }
    return JSONResponse(body, status_code=422)


def read_graph(store: GraphStore, graph: str | None) -> list[ox.Triple]:
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return [q.triple for q in store.quads_for_pattern(None, None, None, target)]


@router.api_route(
    "/store",
    methods=["GET", "HEAD"],
    summary="Read a graph (Graph Store Protocol): Turtle, N-Triples, JSON-LD, RDF/XML...",
    responses=openapi.STORE_READ,
)
async def store_get(
    request: Request,
    engine: EngineDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    if graph is None and default is None:
        raise BadInputError("give graph=IRI or default: /store?graph=IRI")
    if graph is not None:
        _graph(graph)
    fmt = negotiate(request.headers.get("accept"), RDF, what="a graph")
    triples = await asyncio.to_thread(read_graph, open_store(engine), graph)
    if graph is not None and not triples:
        raise UnknownResourceError(f"no graph {graph} (or it is empty)", graph=graph)
    body = ox.serialize(
        triples,
        format=RDF_BY_KEY[fmt.key].oxigraph,
        prefixes=RESULT_PREFIXES if RDF_BY_KEY[fmt.key].prefixed else None,
    )
    headers = {"Vary": "Accept", "X-Graph-Triples": str(len(triples))}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body or b""))
        return Response(status_code=200, media_type=fmt.content_type, headers=headers)
    return Response(body, media_type=fmt.content_type, headers=headers)


@router.put(
    "/store",
    summary="Replace a partner graph (token required; SHACL-validated)",
    responses=openapi.STORE_WRITE,
    openapi_extra=openapi.STORE_BODY,
)
async def store_put(
    request: Request, settings: SettingsDep, engine: EngineDep, graph: PartnerGraph
) -> Response:
    return await write(request, settings, engine, _graph(graph), "put")


@router.post(
    "/store",
    summary="Add to a partner graph (token required; SHACL-validated)",
    responses=openapi.STORE_WRITE,
    openapi_extra=openapi.STORE_BODY,
)
async def store_post(
    request: Request, settings: SettingsDep, engine: EngineDep, graph: PartnerGraph
) -> Response:
    return await write(request, settings, engine, _graph(graph), "post")


@router.delete(
    "/store",
    summary="Withdraw a partner graph (token required)",
    responses=openapi.STORE_DELETE,
    openapi_extra=openapi.TOKEN,
)
async def store_delete(
    request: Request, settings: SettingsDep, engine: EngineDep, graph: PartnerGraph
) -> Response:
    return await write(request, settings, engine, _graph(graph), "delete")


@router.get(
    "/store/history",
    summary="The versions of a graph: who, when, size, checksum",
    responses=openapi.STORE_LOG,
)
async def store_history(
    settings: SettingsDep, store: StoreDep, graph: GivenGraph
) -> dict[str, Any]:
    iri = _graph(graph)
    found = await asyncio.to_thread(versions, store, settings, iri)
    if not found:
        raise UnknownResourceError(f"no version of {iri} was ever written", graph=iri)
    return {"graph": iri, "versions": [v.as_dict() for v in reversed(found)]}


@router.get(
    "/store/diff",
    summary="Triples added and removed between two versions of a graph",
    responses=openapi.STORE_LOG,
)
async def store_diff(
    settings: SettingsDep,
    store: StoreDep,
    graph: GivenGraph,
    from_: Annotated[int, Query(alias="from", ge=1, description="The older version")] = 1,
    to: Annotated[
        int | None, Query(ge=1, description="The newer version (default current)")
    ] = None,
) -> dict[str, Any]:
    iri = _graph(graph)
    found = await asyncio.to_thread(versions, store, settings, iri)
    numbers = {v.version for v in found}
    newer = to if to is not None else max(numbers, default=0)
    for n in (from_, newer):
        if n not in numbers:
            raise UnknownResourceError(f"{iri} has no version {n}", graph=iri, version=n)
    changes = await asyncio.to_thread(diff, History.from_settings(settings), iri, from_, newer)
    return {"graph": iri, "from": from_, "to": newer, **changes}


@router.post(
    "/store/rollback",
    summary="Make an earlier version of a graph current again (a new version)",
    responses=openapi.STORE_WRITE,
    openapi_extra=openapi.TOKEN,
)
async def store_rollback(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    graph: PartnerGraph,
    version: Annotated[int, Query(ge=1, description="The version to restore")],
) -> Response:
    return await write(request, settings, engine, _graph(graph), "rollback", rollback_to=version)

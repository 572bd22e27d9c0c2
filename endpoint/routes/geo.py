"""The map's layers as GeoJSON, read from the store: the base map (département and région
contours), the QPV of 2024 (simplified for the map, or whole), the innovations and connectors by
point or commune centre, and what the small map of one resource's page draws.

Every URL is declared here once; each answers ``application/geo+json`` (or
``application/json`` when asked for) through ``endpoint.negotiation``, with validators from the
store generation. The simplified QPV layer is made by ``loaders.maplayers`` (at build, into a
file beside the store) and read from that file; when its version has no file it is made here,
once, and written there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from endpoint import openapi, representation
from endpoint.deps import EngineDep, SettingsDep
from endpoint.engine import QueryEngine
from endpoint.lookup import Row, select, vocabulary_labels
from endpoint.negotiation import GEO, GEOJSON, Format, negotiate
from endpoint.pagecache import cached
from endpoint.pageresponse import actor_iri
from endpoint.sparqlterms import Term
from loaders import maplayers
from loaders.errors import BadInputError, ParameterError
from loaders.namespaces import IGEO
from loaders.settings import Settings

router = APIRouter(tags=["map"])
METHODS = ["GET", "HEAD"]
LEVELS = {"departement": f"{IGEO}Departement", "region": f"{IGEO}Region"}
#: The typologies the places can be filtered by: parameter -> concept scheme.
FILTERS = {"category": "innovation-category", "impact": "impact-area"}
GEOJSON_ANSWERS = openapi.answers(openapi.content(GEOJSON), 400, 406, *openapi.QUERYING[1:])


def text(term: Term | None) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""


def negotiated(request: Request) -> Format:
    return negotiate(request.headers.get("accept"), GEO, what="a map layer")


async def answer(
    request: Request,
    engine: QueryEngine,
    key: str,
    build: Callable[[], Awaitable[bytes]],
) -> Response:
    """A layer's GeoJSON, built once per store generation, with its validators."""
    fmt = negotiated(request)
    headers = representation.validators(engine, fmt)
    headers["Vary"] = "Accept"
    if (not_modified := representation.revalidated(request, engine, headers)) is not None:
        return not_modified
    body: bytes = await cached(request, engine, key, build)
    return Response(
        b"" if request.method == "HEAD" else body, media_type=fmt.media_type, headers=headers
    )


# ----------------------------------------------------------------------------- base map


@router.api_route(
    "/map/contours",
    methods=METHODS,
    summary="The base map: the contours of the départements or of the régions (GeoJSON)",
    description=(
        "The contours shipped with the data (ANCT, simplified by ANCT for web maps), so that "
        "every map is drawn without a tile server. Each feature has the area's `code`, `label` "
        "and `href`."
    ),
    responses=GEOJSON_ANSWERS,
)
async def contours(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    level: Literal["departement", "region"] = Query(
        "departement", description="departement or region"
    ),
) -> Response:
    async def build() -> bytes:
        rows = await select(
            engine, settings, "geo-base-contours", level=ox.NamedNode(LEVELS[level])
        )
        features = [
            maplayers.feature(
                text(row.get("wkt")),
                {
                    "id": text(row.get("area")),
                    "href": maplayers.local(text(row.get("area")), settings.base_iri),
                    "code": text(row.get("code")),
                    "label": text(row.get("label")),
                    "kind": level,
                },
            )
            for row in unique(rows, "area")
        ]
        return maplayers.encode(maplayers.collection(features))

    return await answer(request, engine, f"geo contours {level}", build)


def unique(rows: list[Row], key: str) -> list[Row]:
    """The first row of each value of ``key`` (a second label does not draw twice)."""
    seen: dict[str, Row] = {}
    for row in rows:
        seen.setdefault(text(row.get(key)), row)
    return list(seen.values())


# ----------------------------------------------------------------------------- QPV


async def contours_version(engine: QueryEngine, settings: Settings) -> str:
    rows = await select(engine, settings, "geo-contours-version")
    return maplayers.version_key([(text(r.get("graph")), text(r.get("checksum"))) for r in rows])


async def qpv_rows(
    engine: QueryEngine, settings: Settings, **terms: Term
) -> list[tuple[str, str, str, str]]:
    rows = await select(engine, settings, "geo-qpv-contours", **terms)
    return maplayers.qpv_rows(
        {name: text(row.get(name)) for name in ("qpv", "code", "label", "wkt")} for row in rows
    )


async def simplified_layer(request: Request, engine: QueryEngine, settings: Settings) -> bytes:
    """The simplified QPV layer of the contours' version: the build's file, else made now."""
    key = await contours_version(engine, settings)
    memo: dict[str, bytes] = request.app.state.__dict__.setdefault("qpv_layers", {})
    if key in memo:
        return memo[key]
    store_path = None if settings.remote else settings.store_path
    body = maplayers.read_layer(store_path, key) if store_path else None
    if body is None:
        rows = await qpv_rows(engine, settings)
        body = await asyncio.to_thread(maplayers.qpv_layer, rows, settings.base_iri, key)
        if store_path:
            await asyncio.to_thread(maplayers.write_layer, store_path, key, body)
    memo.clear()
    memo[key] = body
    return body


@router.api_route(
    "/map/qpv",
    methods=METHODS,
    summary="The contours of the 1,584 QPV of 2024 (GeoJSON), simplified for the map or whole",
    description=(
        "`geometry=simplified` (the default, what `/map` draws): shapely's `simplify` with "
        "`preserve_topology` at a tolerance of 0.0002 degree (about 20 m), coordinates to 5 "
        "decimals, made once per version of the contours (see docs/geography.md). "
        "`geometry=full`: the contours as the source gives them. Each feature has the QPV's "
        "`code`, `label` and `href`."
    ),
    responses=GEOJSON_ANSWERS,
)
async def qpv_contours(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    geometry: Literal["simplified", "full"] = Query(
        "simplified", description="simplified (for the map) or full (as the source gives it)"
    ),
) -> Response:
    if geometry == "simplified":

        async def build() -> bytes:
            return await simplified_layer(request, engine, settings)

    else:

        async def build() -> bytes:
            rows = await qpv_rows(engine, settings)
            features = maplayers.qpv_features(rows, settings.base_iri, tolerance=None)
            return maplayers.encode(maplayers.collection(features, simplified=False))

    return await answer(request, engine, f"geo qpv {geometry}", build)


# ----------------------------------------------------------------------------- places


async def concept_filter(
    request: Request, engine: QueryEngine, settings: Settings, name: str, value: str | None
) -> str | None:
    """The concept IRI a filter names (by notation or IRI); a 400 naming it if unknown."""
    if not value:
        return None
    scheme = f"{settings.base_iri}concept/{FILTERS[name]}/"
    iri = value if value.startswith(("http://", "https://")) else scheme + value
    labels = await vocabulary_labels(request, engine, settings)
    if not iri.startswith(scheme) or iri not in labels.values:
        raise ParameterError(f"{name} {value!r} is not a concept of {FILTERS[name]}", name)
    return iri


def place_features(rows: list[Row], base_iri: str) -> list[dict[str, Any]]:
    features = []
    for row in rows:
        wkt = text(row.get("wkt"))
        if not wkt:
            continue
        thing, commune = text(row.get("thing")), text(row.get("commune"))
        features.append(
            maplayers.feature(
                wkt,
                {
                    "id": thing,
                    "href": maplayers.local(thing, base_iri),
                    "label": text(row.get("label")) or thing,
                    "kind": text(row.get("kind")),
                    "how": text(row.get("how")),
                    "commune": maplayers.local(commune, base_iri) if commune else None,
                    "communeLabel": text(row.get("communeLabel")) or None,
                    "categories": text(row.get("categories")).split(),
                    "impacts": text(row.get("impacts")).split(),
                },
            )
        )
    return features


@router.api_route(
    "/map/places",
    methods=METHODS,
    summary="Innovations and connectors where the map draws them (GeoJSON points)",
    description=(
        "Each innovation and each connector (an actor with the role connecteur) at the point "
        "the graph gives for it (`how: point`), else at the centre of each commune of its "
        "territories (`how: commune`; a connector: of the communes it is based in, else of "
        "those it connects). `kind` keeps innovations or connectors; `category` and `impact` "
        "(a concept's notation or IRI) keep the innovations of that category or impact area."
    ),
    responses=GEOJSON_ANSWERS,
)
async def places(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    kind: Literal["all", "innovation", "connector"] = Query(
        "all", description="all, innovation or connector"
    ),
    category: str | None = Query(
        None, description="an innovation category (notation or IRI)", examples=["sociale"]
    ),
    impact: str | None = Query(
        None, description="an impact area (notation or IRI)", examples=["formation-qualification"]
    ),
) -> Response:
    wanted_category = await concept_filter(request, engine, settings, "category", category)
    wanted_impact = await concept_filter(request, engine, settings, "impact", impact)

    async def build() -> bytes:
        rows = await select(engine, settings, "geo-places")
        features = place_features(rows, settings.base_iri)
        kept = [
            f
            for f in features
            if kind in ("all", f["properties"]["kind"])
            and (wanted_category is None or wanted_category in f["properties"]["categories"])
            and (wanted_impact is None or wanted_impact in f["properties"]["impacts"])
        ]
        return maplayers.encode(maplayers.collection(kept))

    key = f"geo places {kind} {wanted_category} {wanted_impact}"
    return await answer(request, engine, key, build)


# ----------------------------------------------------------------------------- one resource


@router.api_route(
    "/map/around",
    methods=METHODS,
    summary="What the small map of a resource's page draws (GeoJSON)",
    description=(
        "For a QPV: its full contour, its point and the centres of its communes; for a "
        "commune: its centre and the full contours of its QPV; for an innovation or an actor: "
        "where it is drawn (as in `/map/places`) and the contours of the QPV it is placed in "
        "or has as its territory. An empty collection when the graph holds no position."
    ),
    responses=GEOJSON_ANSWERS,
)
async def around(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    iri: str = Query(
        ...,
        description="the resource's IRI (or its path, /id/...)",
        json_schema_extra={"pattern": openapi.IRI_OR_PATH},
    ),
) -> Response:
    try:
        node = ox.NamedNode(actor_iri(iri, settings))
    except (BadInputError, ValueError) as exc:  # /network's check, named for this parameter
        raise ParameterError(f"iri {iri!r} is not an IRI", "iri") from exc

    async def build() -> bytes:
        shapes, points = await asyncio.gather(
            select(engine, settings, "geo-around", iri=node),
            select(engine, settings, "geo-places", thing=node),
        )
        features = [
            maplayers.feature(
                text(row.get("wkt")),
                {
                    "id": text(row.get("feature")),
                    "href": maplayers.local(text(row.get("feature")), settings.base_iri),
                    "label": text(row.get("label")),
                    "code": text(row.get("notation")) or None,
                    "kind": text(row.get("kind")),
                },
            )
            for row in shapes
            if text(row.get("wkt"))
        ]
        features += place_features(points, settings.base_iri)
        return maplayers.encode(maplayers.collection(features))

    return await answer(request, engine, f"geo around {node.value}", build)

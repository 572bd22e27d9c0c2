"""GET /qpv: the QPV 2024 that contains a point, or none and the nearest within 500 m.

The contours are read from the store once per store generation (``queries/internal/
qpv-contours.rq``) into a shapely STRtree (``loaders.lookup``); each lookup is then answered
in the server process without a query: a bounding-box prefilter, then an exact test on the
few candidates. JSON by default, an HTML page for a browser.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep
from endpoint.engine import QueryEngine
from endpoint.lookup import select
from endpoint.pageresponse import page, wants_json
from loaders.lookup import NEAREST_RADIUS_M, Lookup, Qpv, QpvIndex, parse_coordinate
from loaders.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["geography"])
METHODS = ["GET", "HEAD"]

#: How /qpv decides, as its answers say it.
RULE = (
    "the QPV 2024 whose official contour contains the point (a point on the boundary is "
    "outside, as geof:sfWithin); otherwise the nearest contour within 500 m, the distance "
    "measured on a local flat projection"
)


#: The parameters of /qpv as the OpenAPI gives them.
PARAMETERS = [
    {
        "name": "lon",
        "in": "query",
        "required": True,
        "description": "longitude, degrees east (CRS84), from -180 to 180",
        "schema": {"type": "number", "minimum": -180, "maximum": 180},
        "example": 2.518,
    },
    {
        "name": "lat",
        "in": "query",
        "required": True,
        "description": "latitude, degrees north (CRS84), from -90 to 90",
        "schema": {"type": "number", "minimum": -90, "maximum": 90},
        "example": 48.9459,
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "json or html (default: by Accept)",
        "schema": {"type": "string", **openapi.PAGE_FORMAT},
    },
]


def _held(request: Request, generation: str) -> QpvIndex | None:
    held: tuple[str, QpvIndex] | None = request.app.state.qpv_index
    return held[1] if held is not None and held[0] == generation else None


async def qpv_index(request: Request, engine: QueryEngine, settings: Settings) -> QpvIndex:
    """The contours' index of the current store generation, built on first use (once: the
    requests that come meanwhile wait for it)."""
    generation = engine.generation.id if engine.generation else ""
    if (index := _held(request, generation)) is not None:
        return index
    async with request.app.state.qpv_index_lock:
        if (index := _held(request, generation)) is not None:
            return index
        start = time.perf_counter()
        rows = await select(engine, settings, "qpv-contours")
        entries = []
        for row in rows:
            iri, code, label, wkt = (row.get(k) for k in ("qpv", "code", "label", "wkt"))
            if iri is None or code is None or wkt is None:
                continue
            name = label.value if label is not None else None
            entries.append((Qpv(iri.value, code.value, name), wkt.value))
        index = await asyncio.to_thread(QpvIndex, entries)
        request.app.state.qpv_index = (generation, index)
        log.info(
            "QPV contours indexed: %d (%.0f ms)", len(index), (time.perf_counter() - start) * 1000
        )
        return index


def qpv_json(qpv: Qpv) -> dict[str, Any]:
    return {"iri": qpv.iri, "code": qpv.code, "label": qpv.label}


def lookup_document(found: Lookup) -> dict[str, Any]:
    nearest = None
    if found.nearest is not None:
        nearest = {
            **qpv_json(found.nearest.qpv),
            "distance_m": round(found.nearest.distance_m, 1),
        }
    return {
        "lon": found.lon,
        "lat": found.lat,
        "qpv": qpv_json(found.containing[0]) if found.containing else None,
        "containing": [qpv_json(q) for q in found.containing],
        "nearest": nearest,
        "radius_m": NEAREST_RADIUS_M,
        "rule": RULE,
    }


@router.api_route(
    "/qpv",
    methods=METHODS,
    summary="The QPV 2024 that contains a point (or the nearest within 500 m)",
    description=(
        "The quartier prioritaire (2024 geography) whose official contour contains the point "
        "`lon`, `lat` (degrees, CRS84: WGS 84, longitude first). `qpv` is that QPV (`null` "
        "outside every contour; `containing` lists them all, for overlapping contours), and "
        "`nearest` the nearest QPV within 500 m when none contains the point (`null` "
        "otherwise), with its distance in metres. A missing, non-numeric, infinite or "
        "out-of-range coordinate is a 400 that names the parameter. JSON by default, an HTML "
        "page for a browser (Accept, or `format=html`)."
    ),
    responses=openapi.JSON_OR_PAGE,
    # read as text and checked by parse_coordinate (a 400 that names the parameter); the
    # OpenAPI says what is accepted
    openapi_extra={"parameters": PARAMETERS},
)
async def qpv_at(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    lon: str | None = Query(
        None,
        description="longitude, degrees east (CRS84), from -180 to 180",
        json_schema_extra={"example": "2.518"},
        include_in_schema=False,
    ),
    lat: str | None = Query(
        None,
        description="latitude, degrees north (CRS84), from -90 to 90",
        json_schema_extra={"example": "48.9459"},
        include_in_schema=False,
    ),
    format: str | None = Query(
        None,
        description="json or html (default: by Accept)",
        json_schema_extra=openapi.PAGE_FORMAT,
        include_in_schema=False,
    ),
) -> Response:
    as_json = wants_json(request, format)
    x = parse_coordinate("lon", lon, 180)
    y = parse_coordinate("lat", lat, 90)
    index = await qpv_index(request, engine, settings)
    document = lookup_document(index.lookup(x, y))
    if as_json:
        return JSONResponse(document, headers={"Vary": "Accept"})
    return page(request, engine, "qpv.html", {"found": document})

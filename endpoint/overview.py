"""The graph at a glance: innovations by concept and by region (the home page's charts), the
communes where innovations and connectors act (the home page's map and /map), the partners."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pyoxigraph as ox
from fastapi import Request

from endpoint.engine import QueryEngine
from endpoint.lookup import Row, select, select_for
from endpoint.pagecache import cached
from endpoint.pages.concepts import bars_of, number
from endpoint.pages.maps import places_of
from loaders.settings import Settings

#: Concept schemes charted on the home page: (scheme, property linking innovations to it).
CHARTS = (("innovation-category", "category"), ("impact-area", "impactArea"))


def concept_chart(
    engine: QueryEngine, settings: Settings, scheme: str, prop: str
) -> Awaitable[list[Row]]:
    """Innovations by concept of a scheme, through a property (a chart, a filter of /map)."""
    return select(
        engine,
        settings,
        "chart-by-concept",
        scheme=ox.NamedNode(f"{settings.base_iri}concept/{scheme}"),
        property=ox.NamedNode(f"{settings.def_ns}{prop}"),
    )


async def actor_communes(engine: QueryEngine, settings: Settings, actor: ox.NamedNode) -> list[Row]:
    """Rows (commune, label, code, departement, wkt, innovations, connectors) of the communes
    an actor acts in: its territories first, then their communes, the initiatives counted here."""
    initiatives: dict[str, set[str]] = {}
    for row in await select(engine, settings, "actor-territories", actor=actor):
        territory, initiative = row.get("territory"), row.get("initiative")
        if isinstance(territory, ox.NamedNode):
            found = initiatives.setdefault(territory.value, set())
            if isinstance(initiative, ox.NamedNode):
                found.add(initiative.value)
    # a territory's communes: itself if it is one, the commune it is within or names
    places: dict[str, set[str]] = {t: {t} for t in initiatives}
    links = await select_for(engine, settings, "territory-links", "territory", places, inside=True)
    for row in links:
        territory, place = row.get("territory"), row.get("place")
        if isinstance(territory, ox.NamedNode) and isinstance(place, ox.NamedNode):
            places[territory.value].add(place.value)
    candidates = sorted({p for found in places.values() for p in found})
    rows = await select_for(
        engine, settings, "communes-details", "commune", candidates, inside=True
    )
    details = {
        commune.value: row
        for row in rows
        if isinstance(commune := row.get("commune"), ox.NamedNode)
    }
    communes: dict[str, tuple[Row, set[str]]] = {}
    for named, reached in places.items():
        for iri in sorted(reached & details.keys()):
            entry = communes.setdefault(iri, (details[iri], set()))
            entry[1].update(initiatives[named])
    out = [
        {**row, "innovations": ox.Literal(len(found)), "connectors": ox.Literal(0)}
        for row, found in communes.values()
    ]
    return sorted(out, key=lambda r: str(getattr(r.get("label"), "value", "")))


async def map_places(
    request: Request, engine: QueryEngine, settings: Settings, actor: str | None
) -> list[dict[str, Any]]:
    async def build() -> list[dict[str, Any]]:
        if actor is None:
            rows = await select(engine, settings, "map-communes")
        else:
            rows = await actor_communes(engine, settings, ox.NamedNode(actor))
        return places_of(rows, settings.base_iri)

    result: list[dict[str, Any]] = await cached(request, engine, f"map {actor}", build)
    return result


def map_document(places: list[dict[str, Any]]) -> dict[str, Any]:
    placed = sum(1 for p in places if p["lat"] is not None)
    return {"places": places, "placed": placed, "unplaced": len(places) - placed}


async def home_extras(request: Request, engine: QueryEngine, settings: Settings) -> dict[str, Any]:
    """What the home page shows beyond the counts: charts, the map's places, the partners."""

    async def build() -> dict[str, Any]:
        categories, impacts, regions, more, places = await asyncio.gather(
            concept_chart(engine, settings, *CHARTS[0]),
            concept_chart(engine, settings, *CHARTS[1]),
            select(engine, settings, "chart-by-region"),
            select(engine, settings, "home-more-counts"),
            map_places(request, engine, settings, None),
        )
        row = more[0] if more else {}
        return {
            "charts": [
                {
                    "key": "categories",
                    "scheme": "/concept/innovation-category",
                    "bars": bars_of(categories, "concept", settings.base_iri),
                },
                {
                    "key": "impacts",
                    "scheme": "/concept/impact-area",
                    "bars": bars_of(impacts, "concept", settings.base_iri),
                },
                {
                    "key": "regions",
                    "scheme": None,
                    "bars": bars_of(regions, "region", settings.base_iri),
                },
            ],
            "more": {
                "partnerships": number(row.get("partnerships")),
                "partners": number(row.get("partners")),
            },
            "map": map_document(places),
        }

    result: dict[str, Any] = await cached(request, engine, "home", build)
    return result

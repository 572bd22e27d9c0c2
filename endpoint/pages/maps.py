"""The map and the QPV pages: communes placed by their WKT point, the map's filters and table,
what is located in a QPV and who serves it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from endpoint.iris import href_of
from endpoint.pages.concepts import bars_of, number
from endpoint.pages.terms import Row, local_name
from endpoint.sparqlterms import Term

WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.I
)


def point_of(wkt: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT point (longitude first, as GeoSPARQL's default CRS)."""
    if not wkt:
        return None
    match = WKT_POINT.match(wkt)
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    return lat, lon


def places_of(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        commune = row.get("commune")
        if not isinstance(commune, ox.NamedNode):
            continue
        label, code, dep, wkt = (row.get(k) for k in ("label", "code", "departement", "wkt"))
        point = point_of(wkt.value if isinstance(wkt, ox.Literal) else None)
        out.append(
            {
                "iri": commune.value,
                "href": href_of(commune.value, base_iri),
                "label": label.value if label is not None else commune.value,
                "code": code.value if code is not None else "",
                "departement": dep.value if dep is not None else "",
                "innovations": number(row.get("innovations")),
                "connectors": number(row.get("connectors")),
                "lat": point[0] if point else None,
                "lon": point[1] if point else None,
            }
        )
    return out


def filter_options(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    """The options of a filter of the map: each concept of a chart (rows of chart-by-concept)
    with its notation (the last segment of its IRI), labels and number of innovations."""
    return [
        {"value": bar.href.rsplit("/", 1)[-1], "labels": bar.labels, "count": bar.count}
        for bar in bars_of(rows, "concept", base_iri)
        if bar.href
    ]


def map_points_of(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    """The innovations and connectors the map draws (rows of geo-places), as a table: each
    with where it is drawn (its own point, or the communes of its territories)."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        thing = row.get("thing")
        if not isinstance(thing, ox.NamedNode):
            continue
        label, kind, how = row.get("label"), row.get("kind"), row.get("how")
        key = f"{thing.value} {kind.value if kind is not None else ''}"
        entry = out.setdefault(
            key,
            {
                "href": href_of(thing.value, base_iri),
                "label": label.value if label is not None else thing.value,
                "kind": kind.value if kind is not None else "",
                "point": False,
                "communes": [],
            },
        )
        commune, name = row.get("commune"), row.get("communeLabel")
        if how is not None and how.value == "point":
            entry["point"] = True
        elif isinstance(commune, ox.NamedNode):
            entry["communes"].append(
                {
                    "href": href_of(commune.value, base_iri),
                    "label": name.value if name is not None else commune.value,
                }
            )
    return sorted(out.values(), key=lambda p: (p["kind"], p["label"].lower()))


#: The levels of evidence on a QPV's page, most precise first.
QPV_LEVELS = ("point", "qpv", "quartier", "commune", "epci", "departement", "region")


def level_key(level: str) -> str:
    """The locale key of a level of evidence on a QPV's page."""
    return "geo.level.quartier" if level == "quartier" else f"qpv.level.{level}"


def qpv_model(located: Iterable[Row], served: Iterable[Row], base_iri: str) -> dict[str, Any]:
    """A QPV's page: what is located in it and who serves it, grouped by level of evidence."""

    def text(term: Term | None) -> str:
        return term.value if term is not None else ""

    def ref(term: Term | None, label: Term | None) -> dict[str, Any] | None:
        if not isinstance(term, ox.NamedNode):
            return None
        return {"href": href_of(term.value, base_iri), "label": text(label) or term.value}

    things = []
    for row in located:
        thing = ref(row.get("thing"), row.get("label"))
        if thing is None:
            continue
        kind = local_name(text(row.get("type")))
        things.append(
            {
                **thing,
                "kind": kind,
                "level": text(row.get("level")),
                "commune": ref(row.get("commune"), row.get("communeLabel")),
                "neighbourhood": ref(row.get("neighbourhood"), row.get("neighbourhoodLabel")),
            }
        )
    connectors = []
    for row in served:
        connector = ref(row.get("connector"), row.get("label"))
        if connector is None:
            continue
        connectors.append(
            {
                **connector,
                "level": text(row.get("level")),
                "through": ref(row.get("through"), row.get("throughLabel")),
                "where": ref(row.get("where"), row.get("whereLabel")),
            }
        )

    def rank(item: dict[str, Any]) -> int:
        level = item["level"]
        return QPV_LEVELS.index(level) if level in QPV_LEVELS else len(QPV_LEVELS)

    def order(item: dict[str, Any]) -> tuple[int, str]:
        return rank(item), str(item["label"]).lower()

    def best(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each thing once, at its best level of evidence, in the order of the levels."""
        kept: dict[str, dict[str, Any]] = {}
        for item in sorted(items, key=rank):
            item["level_key"] = level_key(item["level"])
            kept.setdefault(item["href"], item)
        return sorted(kept.values(), key=order)

    return {"located": best(things), "served": best(connectors)}

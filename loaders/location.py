"""Placements: the QPV 2024 that contains each point a resource gives, derived with GeoSPARQL.

A resource (an innovation, an organisation...) may give where it is as coordinates
(``wgs84:long`` / ``wgs84:lat``) or as a point geometry (``geo:hasGeometry`` /
``geo:asWKT "POINT(lon lat)"``), CRS84. Each such point is placed in the QPV 2024 whose official
contour contains it by ``queries/internal/qpv-location.rq`` (``geof:sfWithin``), and the
result is kept in the graph ``{base}graph/derived/qpv-location``: the link
``<thing> qpvkg:locatedInQpv <qpv>`` and a placement (``qpvkg:QpvPlacement``) that records
the point, the rule, the graph that gave the point and the version of the contours.

Placements are recomputed in the same update as a partner's write
(``loaders.contribution.write``), removed with a withdrawn graph, and recomputed for every graph
at each build (``loaders.build``), so that a new version of the contours replaces them all.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from loaders.namedqueries import internal_query, internal_update
from loaders.namespaces import DCTERMS, GEO, PROV, WGS84, XSD
from loaders.references import RDF_TYPE
from loaders.settings import Settings
from loaders.store import GraphStore

LONG = ox.NamedNode(f"{WGS84}long")
LAT = ox.NamedNode(f"{WGS84}lat")
HAS_GEOMETRY = ox.NamedNode(f"{GEO}hasGeometry")
AS_WKT = ox.NamedNode(f"{GEO}asWKT")
WKT_LITERAL = ox.NamedNode(f"{GEO}wktLiteral")

#: A point as the shapes accept it (shapes/geometry.ttl): POINT(lon lat), CRS84, no CRS IRI.
POINT = re.compile(r"^POINT ?\((-?[0-9]{1,3}(?:\.[0-9]+)?) (-?[0-9]{1,2}(?:\.[0-9]+)?)\)$")

#: How a placement is computed, as the data says it (qpvkg:placementRule).
RULE = {
    "fr": "calculé par qpvkg : le point de la ressource (ses coordonnées wgs84:long et "
    "wgs84:lat, ou sa géométrie geo:asWKT) est dans le contour officiel du QPV 2024 selon "
    "GeoSPARQL geof:sfWithin (requête queries/internal/qpv-location.rq) ; un point sur la "
    "limite du contour n'est pas dedans",
    "en": "computed by qpvkg: the resource's point (its coordinates wgs84:long and wgs84:lat, "
    "or its geometry geo:asWKT) lies within the official contour of the 2024 QPV by "
    "GeoSPARQL geof:sfWithin (query queries/internal/qpv-location.rq); a point on the "
    "contour's boundary is not within it",
}


@dataclass(frozen=True)
class LocatedPoint:
    """A point a resource gives, from the graph that gives it."""

    thing: ox.NamedNode
    lon: float
    lat: float

    @property
    def wkt(self) -> str:
        return f"POINT({_number(self.lon)} {_number(self.lat)})"


def _number(value: float) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text[:-2] if text.endswith(".0") else text


def parse_point(text: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT(lon lat)`` in CRS84, or None when it is not one."""
    match = POINT.match(text.strip())
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    return (lon, lat) if valid_coordinates(lon, lat) else None


def valid_coordinates(lon: float, lat: float) -> bool:
    """Finite, longitude in [-180, 180], latitude in [-90, 90]."""
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


def _float(term: object) -> float | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def located_points(triples: Iterable[ox.Triple]) -> list[LocatedPoint]:
    """The points the triples give: coordinates, or a point geometry; one per resource
    (the coordinates win when a resource gives both), in the order of the resources' IRIs."""
    triples = list(triples)
    lons: dict[ox.NamedNode, float] = {}
    lats: dict[ox.NamedNode, float] = {}
    geometries: dict[ox.NamedNode, object] = {}
    wkts: dict[object, str] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if p == AS_WKT and isinstance(o, ox.Literal):
            wkts[s] = o.value
        if not isinstance(s, ox.NamedNode):
            continue
        if p == LONG and (value := _float(o)) is not None:
            lons[s] = value
        elif p == LAT and (value := _float(o)) is not None:
            lats[s] = value
        elif p == HAS_GEOMETRY:
            geometries[s] = o
    points: dict[ox.NamedNode, LocatedPoint] = {}
    for thing, geometry in geometries.items():
        point = parse_point(wkts.get(geometry, ""))
        if point is not None:
            points[thing] = LocatedPoint(thing, *point)
    for thing, lon in lons.items():
        lat = lats.get(thing)
        if lat is not None and valid_coordinates(lon, lat):
            points[thing] = LocatedPoint(thing, lon, lat)
    return [points[k] for k in sorted(points, key=lambda n: n.value)]


def derived_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("derived/qpv-location"))


def contour_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("reference/qpv-2024"))


def containing_qpv(
    store: GraphStore, settings: Settings, point: LocatedPoint
) -> list[ox.NamedNode]:
    """The QPV 2024 whose contour contains the point (geof:sfWithin), usually one or none."""
    rows = store.query(
        internal_query(settings, "qpv-location"),
        substitutions={ox.Variable("point"): ox.Literal(point.wkt, datatype=WKT_LITERAL)},
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [r["qpv"] for r in rows if isinstance(r["qpv"], ox.NamedNode)]


def placement_iri(
    settings: Settings, source: ox.NamedNode, point: LocatedPoint, qpv: ox.NamedNode
) -> ox.NamedNode:
    """A placement's IRI: the same graph, resource, point and QPV give the same IRI."""
    key = "\n".join((source.value, point.thing.value, point.wkt, qpv.value))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return ox.NamedNode(f"{settings.base_iri}id/qpv-placement/{digest}")


def placement_triples(
    store: GraphStore,
    settings: Settings,
    source: ox.NamedNode,
    points: Sequence[LocatedPoint],
    when: str,
) -> list[ox.Triple]:
    """The derived triples placing each point of ``source`` in its QPV 2024."""
    if not points:
        return []
    ns = settings.def_ns
    version = _contour_version(store, settings)
    contours = contour_graph(settings)
    dataset = ox.NamedNode(f"{settings.base_iri}id/dataset/qpv-2024")
    out: list[ox.Triple] = []
    for point in points:
        for qpv in containing_qpv(store, settings, point):
            placement = placement_iri(settings, source, point, qpv)
            out += [
                ox.Triple(point.thing, ox.NamedNode(f"{ns}locatedInQpv"), qpv),
                ox.Triple(placement, RDF_TYPE, ox.NamedNode(f"{ns}QpvPlacement")),
                ox.Triple(placement, ox.NamedNode(f"{ns}placedThing"), point.thing),
                ox.Triple(placement, ox.NamedNode(f"{ns}locatedInQpv"), qpv),
                ox.Triple(
                    placement,
                    ox.NamedNode(f"{ns}placedPoint"),
                    ox.Literal(point.wkt, datatype=WKT_LITERAL),
                ),
                ox.Triple(placement, ox.NamedNode(f"{PROV}wasDerivedFrom"), source),
                ox.Triple(placement, ox.NamedNode(f"{PROV}used"), contours),
                ox.Triple(placement, ox.NamedNode(f"{DCTERMS}source"), dataset),
                ox.Triple(
                    placement,
                    ox.NamedNode(f"{PROV}generatedAtTime"),
                    ox.Literal(when, datatype=ox.NamedNode(f"{XSD}dateTime")),
                ),
            ]
            out += [
                ox.Triple(
                    placement, ox.NamedNode(f"{ns}placementRule"), ox.Literal(text, language=lang)
                )
                for lang, text in RULE.items()
            ]
            if version:
                out.append(
                    ox.Triple(placement, ox.NamedNode(f"{ns}contourVersion"), ox.Literal(version))
                )
    return out


def _contour_version(store: GraphStore, settings: Settings) -> str | None:
    rows = store.query(internal_query(settings, "qpv-location-contours"))
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        value = row["checksum"]
        if isinstance(value, ox.Literal):
            return value.value
    return None


def withdraw_text(settings: Settings, source: ox.NamedNode) -> str:
    """The update removing the placements derived from ``source`` (the graph's IRI bound as
    an RDF term: written by pyoxigraph, which checked it is an IRI)."""
    text = internal_update(settings, "qpv-location-withdraw")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return re.sub(r"\?source\b", str(source), body)


def placement_update(
    settings: Settings, source: ox.NamedNode, placements: Sequence[ox.Triple]
) -> str:
    """The update that replaces the placements derived from ``source`` (to run in the same
    transaction as the write of ``source``)."""
    parts = [withdraw_text(settings, source)]
    if placements:
        body = (ox.serialize(placements, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        parts.append(f"INSERT DATA {{ GRAPH {derived_graph(settings)} {{\n{body}}} }}")
    return " ;\n".join(parts)


def recompute(store: GraphStore, settings: Settings, when: str) -> int:
    """Place again every point the store's graphs give (the build: the contours may have
    changed); returns the number of placements."""
    rows = store.query(internal_query(settings, "qpv-location-points"))
    assert isinstance(rows, ox.QuerySolutions)
    by_source: dict[ox.NamedNode, list[ox.Triple]] = {}
    for row in rows:
        source, thing = row["source"], row["thing"]
        if not isinstance(source, ox.NamedNode) or not isinstance(thing, ox.NamedNode):
            continue
        triples = by_source.setdefault(source, [])
        lon, lat, wkt = row["lon"], row["lat"], row["wkt"]
        if lon is not None and lat is not None:
            triples += [ox.Triple(thing, LONG, lon), ox.Triple(thing, LAT, lat)]
        if wkt is not None:
            geometry = ox.BlankNode()
            triples += [ox.Triple(thing, HAS_GEOMETRY, geometry), ox.Triple(geometry, AS_WKT, wkt)]
    placements: list[ox.Triple] = []
    for source in sorted(by_source, key=lambda n: n.value):
        placements += placement_triples(
            store, settings, source, located_points(by_source[source]), when
        )
    graph = derived_graph(settings)
    update = f"DROP SILENT GRAPH {graph}"
    if placements:
        body = (ox.serialize(placements, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        update += f" ;\nINSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"
    store.update(update)
    return sum(1 for t in placements if t.predicate == RDF_TYPE)

"""Geometry helpers for the official contours: GeoJSON coordinates to WKT, points on surface."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon

from loaders.errors import SourceSyntaxError

#: A GeoJSON position (longitude, latitude), a linear ring, a polygon (outer ring then holes).
Position = tuple[float, float]
Ring = tuple[Position, ...]
PolygonRings = tuple[Ring, ...]

#: Decimals kept for a computed point (about 0.1 m): the same contour gives the same text.
POINT_DECIMALS = 6

#: How a point on surface is computed, as the data says it (qpvkg:pointMethod).
POINT_METHOD = {
    "fr": "calculé par qpvkg : point intérieur au contour (shapely point_on_surface, GEOS "
    "PointOnSurface), coordonnées arrondies à 6 décimales",
    "en": "computed by qpvkg: a point inside the contour (shapely point_on_surface, GEOS "
    "PointOnSurface), coordinates rounded to 6 decimals",
}


def features_of(data: Any, path: Path) -> list[tuple[dict[str, Any], Any, str]]:
    """The features of a GeoJSON FeatureCollection: (properties, geometry, where) each."""
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise SourceSyntaxError(
            f"{path}: not a GeoJSON FeatureCollection (expected "
            '{"type": "FeatureCollection", "features": [...]})',
            path=str(path),
        )
    out = []
    for index, feature in enumerate(data["features"], start=1):
        where = f"{path.name}, feature {index}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise SourceSyntaxError(f"{where} has no properties object", path=str(path))
        out.append((properties, feature.get("geometry"), where))
    return out


def polygons_of(geometry: Any, where: str) -> list[PolygonRings]:
    """The polygons of a GeoJSON Polygon or MultiPolygon geometry, checked for shape.

    Each ring must be a list of at least 4 positions [longitude, latitude] (a third value,
    an altitude, is dropped), closed, in range. Nothing is repaired: a self-intersecting ring
    is kept as given (see :func:`is_valid`).
    """
    if not isinstance(geometry, dict):
        raise SourceSyntaxError(f"{where}: no geometry object (expected a GeoJSON geometry)")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates, where)]
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise SourceSyntaxError(f"{where}: a MultiPolygon needs a non-empty coordinates list")
        return [_polygon(p, f"{where}, polygon {i}") for i, p in enumerate(coordinates, 1)]
    raise SourceSyntaxError(
        f"{where}: geometry of type {kind!r}, expected a Polygon or a MultiPolygon"
    )


def multipolygon_coordinates(coordinates: Any, where: str) -> list[PolygonRings]:
    """The polygons of bare MultiPolygon coordinates (a list of polygons)."""
    return polygons_of({"type": "MultiPolygon", "coordinates": coordinates}, where)


def _polygon(rings: Any, where: str) -> PolygonRings:
    if not isinstance(rings, list) or not rings:
        raise SourceSyntaxError(f"{where}: a polygon is a non-empty list of rings")
    return tuple(_ring(r, f"{where}, ring {i}") for i, r in enumerate(rings, 1))


def _ring(ring: Any, where: str) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise SourceSyntaxError(f"{where}: a ring is a list of at least 4 positions")
    positions = tuple(_position(p, where) for p in ring)
    if positions[0] != positions[-1]:
        raise SourceSyntaxError(
            f"{where}: the ring is not closed (first and last positions differ)"
        )
    return positions


def _position(value: Any, where: str) -> Position:
    if (
        not isinstance(value, list)
        or len(value) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise SourceSyntaxError(f"{where}: {value!r} is not a position [longitude, latitude]")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise SourceSyntaxError(f"{where}: position {value!r} is out of range (lon, lat)")
    return (lon, lat)


def number(value: float) -> str:
    """A coordinate as WKT writes it: the shortest decimal that reads back the same, no exponent."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def multipolygon_wkt(polygons: Sequence[PolygonRings]) -> str:
    """``MULTIPOLYGON(((lon lat, ...)), ...)`` in CRS84 (longitude first), as given."""
    parts = []
    for polygon in polygons:
        rings = ",".join(
            "(" + ",".join(f"{number(x)} {number(y)}" for x, y in ring) + ")" for ring in polygon
        )
        parts.append(f"({rings})")
    return "MULTIPOLYGON(" + ",".join(parts) + ")"


def point_wkt(lon: float, lat: float) -> str:
    """``POINT(lon lat)`` in CRS84."""
    return f"POINT({number(lon)} {number(lat)})"


def shape(polygons: Sequence[PolygonRings]) -> MultiPolygon:
    """The contour as a shapely MultiPolygon (not repaired)."""
    return MultiPolygon([Polygon(p[0], p[1:]) for p in polygons])


def is_valid(polygons: Sequence[PolygonRings]) -> bool:
    """Whether GEOS finds the contour valid (no self-intersection, no overlapping parts)."""
    return bool(shapely.is_valid(shape(polygons)))


def point_on_surface(polygons: Sequence[PolygonRings]) -> Position:
    """A point inside the contour (GEOS PointOnSurface), rounded to POINT_DECIMALS."""
    point = shape(polygons).point_on_surface()
    return (round(point.x, POINT_DECIMALS), round(point.y, POINT_DECIMALS))


def distinct_polygons(polygons: Sequence[PolygonRings]) -> list[PolygonRings]:
    """The polygons once each, in their first order (features of one QPV may repeat a part)."""
    return list(dict.fromkeys(polygons))

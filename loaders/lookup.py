"""Point lookups in the QPV 2024 contours: which QPV contains a point, or the nearest one.

The contours are read once per store generation into a shapely STRtree; a lookup asks the
tree for the contours whose bounding box holds the point (a few, among 1,584), then tests
each with ``contains_properly`` (a point on the boundary is outside, as ``geof:sfWithin``
says). With no contour containing it, the nearest contour within ``radius_m`` is found among
those whose box lies within that radius, its distance measured in metres on a local flat
projection (equirectangular, centred on the point: under 0.1 % off at 500 m).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from loaders.errors import BadInputError

#: Metres in a degree of latitude (mean Earth radius 6,371.0088 km).
METRES_PER_DEGREE = 111_195.08
#: The radius within which the nearest QPV is given when none contains the point.
NEAREST_RADIUS_M = 500.0


@dataclass(frozen=True)
class Qpv:
    """A QPV 2024 as the lookup returns it."""

    iri: str
    code: str
    label: str | None


@dataclass(frozen=True)
class Nearest:
    qpv: Qpv
    distance_m: float


@dataclass(frozen=True)
class Lookup:
    """What a point falls in: the QPV containing it (usually one, none outside every
    contour), else the nearest within the radius, if any."""

    lon: float
    lat: float
    containing: tuple[Qpv, ...]
    nearest: Nearest | None


def parse_coordinate(name: str, text: str | None, limit: float) -> float:
    """A longitude or latitude given as text: a finite number within ``[-limit, limit]``;
    otherwise a BadInputError that names the parameter."""
    if text is None or not text.strip():
        raise BadInputError(f"the parameter {name} is missing", parameter=name)
    try:
        value = float(text)
    except ValueError:
        raise BadInputError(
            f"the parameter {name} is not a number: {text[:40]!r}", parameter=name
        ) from None
    if not math.isfinite(value):
        raise BadInputError(f"the parameter {name} is not a finite number", parameter=name)
    if not -limit <= value <= limit:
        raise BadInputError(
            f"the parameter {name} is out of range: {value:g} (from {-limit:g} to {limit:g}"
            " degrees, CRS84)",
            parameter=name,
        )
    return value


class QpvIndex:
    """The QPV 2024 contours in an STRtree."""

    def __init__(self, rows: Iterable[tuple[Qpv, str]]) -> None:
        self.qpv: list[Qpv] = []
        geometries: list[BaseGeometry] = []
        for qpv, wkt in rows:
            self.qpv.append(qpv)
            geometries.append(shapely.from_wkt(wkt))
        self.geometries = geometries
        shapely.prepare(geometries)
        self.tree = STRtree(geometries)

    def __len__(self) -> int:
        return len(self.qpv)

    def lookup(self, lon: float, lat: float, radius_m: float = NEAREST_RADIUS_M) -> Lookup:
        point = shapely.Point(lon, lat)
        containing = tuple(
            self.qpv[i]
            for i in sorted(self.tree.query(point))
            if self.geometries[i].contains_properly(point)
        )
        nearest = None if containing else self.nearest(lon, lat, radius_m)
        return Lookup(lon, lat, containing, nearest)

    def nearest(self, lon: float, lat: float, radius_m: float) -> Nearest | None:
        """The nearest contour within ``radius_m`` metres, by a local flat projection."""
        dlat = radius_m / METRES_PER_DEGREE
        scale = math.cos(math.radians(lat))
        dlon = dlat / max(scale, 1e-6)
        box = shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        best: Nearest | None = None
        for i in self.tree.query(box):
            local = shapely.transform(
                self.geometries[i],
                lambda xy: (xy - (lon, lat)) * (scale * METRES_PER_DEGREE, METRES_PER_DEGREE),
            )
            distance = float(local.distance(shapely.Point(0, 0)))
            if distance <= radius_m and (best is None or distance < best.distance_m):
                best = Nearest(self.qpv[i], distance)
        return best

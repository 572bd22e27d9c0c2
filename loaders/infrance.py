"""Whether a point is in France, by the official data the repository ships in data/reference/.

A point is in France when it lies within ``CONTOUR_TOLERANCE_M`` (2 km) of the contour of a
département (ANCT's simplified contours, ``contours-departements.nt.gz``: the tolerance takes
in the coast and the small islands the simplification left out), or within
``CENTRE_RADIUS_M`` (10 km) of the centre of a commune or municipal arrondissement
(``communes-centres.nt.gz``), or within ``COLLECTIVITY_RADIUS_M`` (50 km) of the centre of a
commune of the collectivities that have no département contour (``COLLECTIVITIES``: Saint-
Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, the TAAF, Wallis-et-Futuna, French
Polynesia, New Caledonia, Clipperton). Distances are measured flat around the point
(equirectangular, 111.195 km a degree of latitude), after a prefilter by bounding boxes in
shapely's STRtree: a lookup costs tens of microseconds (``benchmarks/in_france.py``).

The validator marks each point of the data under check that is not in France with
``OUTSIDE_FRANCE`` (its value the point as WKT); ``LocatedInFranceShape`` reports the mark.
Like ``qpvkg-shapes:underCheck``, the mark lives only in the validator's own copy of the data.
"""

from __future__ import annotations

import gzip
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from loaders.errors import UnreadableSourceError
from loaders.location import AS_WKT, HAS_GEOMETRY, LAT, LONG, parse_point
from loaders.location import valid_coordinates as in_range
from loaders.settings import Settings

log = logging.getLogger(__name__)

#: The mark of a point outside France (internal to a validation, like ``underCheck``).
OUTSIDE_FRANCE = ox.NamedNode("https://w3id.org/qpvkg/shapes#pointOutsideFrance")
#: Metres in a degree of latitude (mean Earth radius 6,371.0088 km).
METRES_PER_DEGREE = 111_195.08
CONTOUR_TOLERANCE_M = 2_000.0
CENTRE_RADIUS_M = 10_000.0
COLLECTIVITY_RADIUS_M = 50_000.0
#: The collectivities (COG codes) without a département contour in ANCT's file.
COLLECTIVITIES = ("975", "977", "978", "984", "986", "987", "988", "989")
CONTOURS_FILE = "contours-departements.nt.gz"
CENTRES_FILE = "communes-centres.nt.gz"
#: The code of a commune (or arrondissement) in the IRI of its centre: ``.../93066/centre``.
CENTRE_IRI = re.compile(r"/([0-9][0-9AB][0-9]{3})/centre$")


def _box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def _wkt_texts(path: Path) -> list[tuple[str, str]]:
    """(subject IRI, WKT text) of every geo:asWKT of a shipped snapshot."""
    if not path.is_file():
        raise UnreadableSourceError(
            f"{path}: the shipped reference data needed to tell whether a point is in France "
            "is missing (data/reference/)",
            path=str(path),
        )
    triples = ox.parse(gzip.decompress(path.read_bytes()), format=ox.RdfFormat.N_TRIPLES)
    return [
        (t.subject.value, t.object.value)
        for t in triples
        if t.predicate == AS_WKT
        and isinstance(t.subject, ox.NamedNode)
        and isinstance(t.object, ox.Literal)
    ]


class FranceIndex:
    """The département contours and the commune centres, each in an STRtree."""

    def __init__(
        self, contours: Sequence[BaseGeometry], centres: Sequence[tuple[str, float, float]]
    ) -> None:
        self.contours = list(contours)
        shapely.prepare(self.contours)
        self.contour_tree = STRtree(self.contours)
        self.centre_lon = np.array([c[1] for c in centres], dtype=float)
        self.centre_lat = np.array([c[2] for c in centres], dtype=float)
        self.centre_radius = np.array(
            [
                COLLECTIVITY_RADIUS_M if code.startswith(COLLECTIVITIES) else CENTRE_RADIUS_M
                for code, _, _ in centres
            ],
            dtype=float,
        )
        self.centre_tree = STRtree([shapely.Point(c[1], c[2]) for c in centres])

    @classmethod
    def from_folder(cls, folder: Path) -> FranceIndex:
        start = time.perf_counter()
        contours = [shapely.from_wkt(wkt) for _, wkt in _wkt_texts(folder / CONTOURS_FILE)]
        centres: list[tuple[str, float, float]] = []
        for iri, wkt in _wkt_texts(folder / CENTRES_FILE):
            match, point = CENTRE_IRI.search(iri), parse_point(wkt)
            if match and point:
                centres.append((match.group(1), *point))
        log.info(
            "read %d département contours and %d commune centres for the France test (%.0f ms)",
            len(contours),
            len(centres),
            (time.perf_counter() - start) * 1000,
        )
        return cls(contours, centres)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point (CRS84) is in France by the rule of the module's docstring."""
        return self.near_a_centre(lon, lat) or self.near_a_contour(lon, lat)

    def near_a_centre(self, lon: float, lat: float) -> bool:
        near = self.centre_tree.query(shapely.box(*_box(lon, lat, COLLECTIVITY_RADIUS_M)))
        if not len(near):
            return False
        scale = math.cos(math.radians(lat)) * METRES_PER_DEGREE
        dx = (self.centre_lon[near] - lon) * scale
        dy = (self.centre_lat[near] - lat) * METRES_PER_DEGREE
        return bool(np.any(dx * dx + dy * dy <= self.centre_radius[near] ** 2))

    def near_a_contour(self, lon: float, lat: float) -> bool:
        box = _box(lon, lat, CONTOUR_TOLERANCE_M)
        point = shapely.Point(lon, lat)
        scale = (math.cos(math.radians(lat)) * METRES_PER_DEGREE, METRES_PER_DEGREE)
        for i in self.contour_tree.query(shapely.box(*box)):
            contour = self.contours[i]
            if contour.contains(point):
                return True
            # within the box, the part of the contour that may be within the tolerance
            part = shapely.clip_by_rect(contour, *box)
            if part.is_empty:
                continue
            local = shapely.transform(part, lambda xy: (xy - (lon, lat)) * scale)
            if float(local.distance(shapely.Point(0, 0))) <= CONTOUR_TOLERANCE_M:
                return True
        return False


@dataclass(frozen=True)
class _Cached:
    key: tuple[float, float]
    index: FranceIndex


_CACHE: dict[Path, _Cached] = {}
_LOCK = threading.Lock()


def france_index(settings: Settings) -> FranceIndex:
    """The index of the shipped data, read once per process (again if a file changes)."""
    folder = settings.data_dir / "reference"
    key = tuple(
        (folder / name).stat().st_mtime if (folder / name).is_file() else 0.0
        for name in (CONTOURS_FILE, CENTRES_FILE)
    )
    with _LOCK:
        cached = _CACHE.get(folder)
        if cached is None or cached.key != key:
            cached = _Cached((key[0], key[1]), FranceIndex.from_folder(folder))
            _CACHE[folder] = cached
        return cached.index


def points_of(quads: Iterable[ox.Quad]) -> list[tuple[ox.NamedNode | ox.BlankNode, float, float]]:
    """Every point the quads give, well formed and in range: coordinates (each longitude
    with each latitude of a subject) and WKT points of geometries (``geo:hasGeometry``)."""
    lons: dict[ox.NamedNode | ox.BlankNode, list[float]] = {}
    lats: dict[ox.NamedNode | ox.BlankNode, list[float]] = {}
    geometries: dict[ox.NamedNode | ox.BlankNode, list[object]] = {}
    wkts: dict[object, list[str]] = {}
    for q in quads:
        s, p, o = q.subject, q.predicate, q.object
        if isinstance(s, ox.Triple):
            continue
        if p == AS_WKT and isinstance(o, ox.Literal):
            wkts.setdefault(s, []).append(o.value)
        elif p == HAS_GEOMETRY:
            geometries.setdefault(s, []).append(o)
        elif p in (LONG, LAT) and isinstance(o, ox.Literal):
            try:
                value = float(o.value)
            except ValueError:
                continue
            (lons if p == LONG else lats).setdefault(s, []).append(value)
    out: list[tuple[ox.NamedNode | ox.BlankNode, float, float]] = []
    for thing, values in lons.items():
        out += [(thing, x, y) for x in values for y in lats.get(thing, []) if in_range(x, y)]
    for thing, nodes in geometries.items():
        for node in nodes:
            for text in wkts.get(node, []):
                point = parse_point(text)
                if point is not None:
                    out.append((thing, *point))
    return out


def outside_france(settings: Settings, quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The marks (``OUTSIDE_FRANCE``) of the points the quads give that are not in France;
    the shipped data are read only when the quads give a point."""
    points = points_of(quads)
    if not points:
        return []
    index = france_index(settings)
    return [
        ox.Quad(thing, OUTSIDE_FRANCE, ox.Literal(f"POINT({lon!r} {lat!r})"))
        for thing, lon, lat in points
        if not index.contains(lon, lat)
    ]

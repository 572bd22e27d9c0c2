"""Point lookups in QPV contours (loaders/lookup.py) and the points of placements
(loaders/location.py), on three real QPV 2024 contours (tests/fixtures/qpv-geo)."""

from __future__ import annotations

import math
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import BadInputError
from loaders.location import LocatedPoint, located_points, parse_point
from loaders.lookup import Qpv, QpvIndex, parse_coordinate

SAMPLE = Path(__file__).parent.parent / "fixtures" / "qpv-geo" / "qpv-2024-sample.nt"
GEO = "http://www.opengis.net/ont/geosparql#"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
BEAUDOTTES = "https://w3id.org/qpvkg/id/qpv/QN09355M"


@pytest.fixture(scope="module")
def index() -> QpvIndex:
    triples = list(ox.parse(path=str(SAMPLE), format=ox.RdfFormat.N_TRIPLES))
    wkt = {t.subject.value: t.object.value for t in triples if t.predicate.value == f"{GEO}asWKT"}
    rows = [
        (Qpv(t.subject.value, t.subject.value.rsplit("/", 1)[1], None), wkt[t.object.value])
        for t in triples
        if t.predicate.value == f"{GEO}hasGeometry"
    ]
    return QpvIndex(rows)


def test_a_point_inside_a_contour_is_in_its_qpv(index: QpvIndex) -> None:
    found = index.lookup(2.517996, 48.94585)  # the point on surface of QN09355M
    assert [q.iri for q in found.containing] == [BEAUDOTTES]
    assert found.nearest is None


def test_a_point_near_a_contour_gets_the_nearest_with_its_distance(index: QpvIndex) -> None:
    found = index.lookup(2.5311, 48.9378)  # Sevran's centre, outside the contour
    assert found.containing == ()
    assert found.nearest is not None and found.nearest.qpv.iri == BEAUDOTTES
    assert 100 < found.nearest.distance_m < 500


def test_a_point_far_from_every_contour_gets_nothing(index: QpvIndex) -> None:
    found = index.lookup(2.3522, 48.8566)
    assert found.containing == () and found.nearest is None
    assert index.lookup(2.5311, 48.9378, radius_m=10).nearest is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "missing"),
        ("", "missing"),
        ("abc", "not a number"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("-1e400", "not a finite number"),
        ("180.5", "out of range"),
    ],
)
def test_a_bad_coordinate_names_its_parameter(text: str | None, says: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_coordinate("lon", text, 180)
    assert says in caught.value.message
    assert caught.value.details == {"parameter": "lon"}


def test_a_good_coordinate_is_read() -> None:
    assert parse_coordinate("lat", " -20.94135 ", 90) == -20.94135
    assert parse_coordinate("lat", "90", 90) == 90


def test_points_are_read_from_coordinates_or_a_wkt_point() -> None:
    a, b, c = (ox.NamedNode(f"https://example.org/{k}") for k in "abc")
    geometry = ox.BlankNode()
    triples = [
        ox.Triple(
            a,
            ox.NamedNode(f"{WGS84}long"),
            ox.Literal("2.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
        ),
        ox.Triple(
            a,
            ox.NamedNode(f"{WGS84}lat"),
            ox.Literal("48.9", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
        ),
        ox.Triple(b, ox.NamedNode(f"{GEO}hasGeometry"), geometry),
        ox.Triple(
            geometry,
            ox.NamedNode(f"{GEO}asWKT"),
            ox.Literal("POINT(55.3 -20.9)", datatype=ox.NamedNode(f"{GEO}wktLiteral")),
        ),
        ox.Triple(c, ox.NamedNode(f"{WGS84}long"), ox.Literal("2.5")),  # no latitude: no point
    ]
    assert located_points(triples) == [LocatedPoint(a, 2.5, 48.9), LocatedPoint(b, 55.3, -20.9)]
    assert LocatedPoint(a, 2.5, 48.0).wkt == "POINT(2.5 48)"


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("POINT(2.5 48.9)", (2.5, 48.9)),
        ("POINT (-61.5 16.2)", (-61.5, 16.2)),
        ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(2.5 48.9)", None),
        ("POINT(48.9)", None),
        ("POINT(200 48.9)", None),
        ("POINT(NaN 48.9)", None),
    ],
)
def test_wkt_points(text: str, point: tuple[float, float] | None) -> None:
    assert parse_point(text) == point
    if point is not None:
        assert all(math.isfinite(v) for v in point)

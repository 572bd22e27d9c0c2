"""The rule of loaders/infrance.py over the shipped data: each of its three tests, and the
marks the validator adds for the points outside France."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from loaders.infrance import OUTSIDE_FRANCE, FranceIndex, france_index, outside_france
from loaders.settings import PROJECT_DIR, Settings

SETTINGS = Settings(project_dir=PROJECT_DIR)


@pytest.fixture(scope="module")
def index() -> FranceIndex:
    return france_index(SETTINGS)


def test_the_shipped_data_are_read_once(index: FranceIndex) -> None:
    assert france_index(SETTINGS) is index
    assert len(index.contours) == 101
    assert len(index.centre_lon) > 34_900


@pytest.mark.parametrize(
    ("lon", "lat", "centre", "contour"),
    [
        (2.517996, 48.94585, True, True),  # Sevran
        (-4.853, 48.038, True, True),  # Île de Sein
        (-149.5665, -17.535, True, False),  # Papeete: no contour, 50 km of a centre
        (166.45, -22.27, True, False),  # Nouméa
        (-52.65, 5.16, False, True),  # Kourou: far from its commune centre, in Guyane
        (-4.5, 45.5, False, False),  # the Bay of Biscay
        (7.4474, 46.948, False, False),  # Bern
        (48.94585, 2.517996, False, False),  # Sevran, latitude first: the Indian Ocean
    ],
)
def test_each_test_of_the_rule(
    index: FranceIndex, lon: float, lat: float, centre: bool, contour: bool
) -> None:
    assert index.near_a_centre(lon, lat) is centre
    assert index.near_a_contour(lon, lat) is contour
    assert index.contains(lon, lat) is (centre or contour)


def test_the_coast_is_within_the_tolerance(index: FranceIndex) -> None:
    """West of the Pointe du Raz, at sea: 1.2 km and 1.96 km from the contour of Finistère
    are within its 2 km, 2.7 km is not (the centre of Plogoff, nearer than 10 km, is)."""
    assert index.near_a_contour(-4.75, 48.039)
    assert index.near_a_contour(-4.76, 48.039)
    assert not index.near_a_contour(-4.77, 48.039)
    assert index.contains(-4.77, 48.039)


def test_only_the_points_outside_france_are_marked() -> None:
    thing = ox.NamedNode("https://example.org/atelier")
    geometry = ox.BlankNode()
    wgs84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    geo = "http://www.opengis.net/ont/geosparql#"
    quads = [
        ox.Quad(thing, ox.NamedNode(f"{wgs84}long"), ox.Literal("2.517996")),
        ox.Quad(thing, ox.NamedNode(f"{wgs84}lat"), ox.Literal("48.94585")),
        ox.Quad(thing, ox.NamedNode(f"{geo}hasGeometry"), geometry),
        ox.Quad(geometry, ox.NamedNode(f"{geo}asWKT"), ox.Literal("POINT(7.4474 46.948)")),
    ]
    assert outside_france(SETTINGS, quads) == [
        ox.Quad(thing, OUTSIDE_FRANCE, ox.Literal("POINT(7.4474 46.948)"))
    ]
    assert outside_france(SETTINGS, quads[:2]) == []

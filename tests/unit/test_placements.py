"""Placements recomputed from the contours (loaders/location.py, as `qpvkg build` runs it):
three real QPV 2024 contours (tests/fixtures/qpv-geo) in an in-memory store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from loaders import location
from loaders.settings import PROJECT_DIR, Settings

SAMPLE = Path(__file__).parent.parent / "fixtures" / "qpv-geo" / "qpv-2024-sample.nt"
BASE = "https://w3id.org/qpvkg/"
PARTNER = ox.NamedNode(f"{BASE}graph/partner/reseau-test/lieux")
THING = ox.NamedNode(f"{BASE}id/partner/reseau-test/atelier")
LOCATED = ox.NamedNode(f"{BASE}def#locatedInQpv")
BEAUDOTTES = ox.NamedNode(f"{BASE}id/qpv/QN09355M")
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")


def store_with_point(settings: Settings) -> ox.Store:
    store = ox.Store()
    contours = location.contour_graph(settings)
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, contours)
        for t in ox.parse(path=str(SAMPLE), format=ox.RdfFormat.N_TRIPLES)
    )
    for predicate, value in (("long", "2.517996"), ("lat", "48.94585")):
        store.add(
            ox.Quad(
                THING,
                ox.NamedNode(f"{WGS84}{predicate}"),
                ox.Literal(value, datatype=DOUBLE),
                PARTNER,
            )
        )
    return store


def placements(store: ox.Store, settings: Settings) -> list[ox.Quad]:
    return list(store.quads_for_pattern(THING, LOCATED, None, location.derived_graph(settings)))


def test_a_build_places_points_and_follows_the_contours() -> None:
    settings = Settings(project_dir=PROJECT_DIR)
    store = store_with_point(settings)
    assert location.recompute(store, settings, "2026-01-01T00:00:00Z") == 1
    assert [q.object for q in placements(store, settings)] == [BEAUDOTTES]

    # the contours change: the QPV is no longer in them, its placement goes
    contours = location.contour_graph(settings)
    for quad in list(store.quads_for_pattern(BEAUDOTTES, None, None, contours)):
        store.remove(quad)
    assert location.recompute(store, settings, "2026-01-02T00:00:00Z") == 0
    assert placements(store, settings) == []
    assert not list(store.quads_for_pattern(None, None, None, location.derived_graph(settings)))


def test_the_placement_update_replaces_a_graph_s_placements() -> None:
    settings = Settings(project_dir=PROJECT_DIR)
    store = store_with_point(settings)
    points = location.located_points(
        q.triple for q in store.quads_for_pattern(None, None, None, PARTNER)
    )
    derived = location.placement_triples(store, settings, PARTNER, points, "2026-01-01T00:00:00Z")
    store.update(location.placement_update(settings, PARTNER, derived))
    assert [q.object for q in placements(store, settings)] == [BEAUDOTTES]
    store.update(location.placement_update(settings, PARTNER, []))  # the graph withdrawn
    assert not list(store.quads_for_pattern(None, None, None, location.derived_graph(settings)))

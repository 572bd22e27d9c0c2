"""A QPV page's lists (endpoint/pages/maps.qpv_model): each thing once, at its best level."""

from __future__ import annotations

import pyoxigraph as ox

from endpoint.pages.maps import qpv_model

BASE = "https://w3id.org/qpvkg/"


def iri(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}{key}")


def test_each_connector_once_at_its_best_level_the_neighbourhood_before_the_commune() -> None:
    connector = iri("id/organisation/relais")
    served = [
        {"connector": connector, "level": ox.Literal(level), "where": iri(where)}
        for level, where in (
            ("departement", "id/departement/93"),
            ("commune", "id/commune/93071"),
            ("quartier", "id/quartier/beaudottes-sevran"),
        )
    ]
    model = qpv_model([], served, BASE)
    (only,) = model["served"]
    assert only["level"] == "quartier"
    assert only["level_key"] == "geo.level.quartier"
    assert only["where"]["href"] == "/id/quartier/beaudottes-sevran"


def test_things_are_ordered_by_level_then_label() -> None:
    located = [
        {"thing": iri("id/innovation/b"), "label": ox.Literal("B"), "level": ox.Literal("commune")},
        {"thing": iri("id/innovation/a"), "label": ox.Literal("A"), "level": ox.Literal("commune")},
        {"thing": iri("id/innovation/c"), "label": ox.Literal("C"), "level": ox.Literal("point")},
        {
            "thing": iri("id/innovation/a"),
            "label": ox.Literal("A"),
            "level": ox.Literal("quartier"),
        },
    ]
    model = qpv_model(located, [], BASE)
    assert [(x["label"], x["level"], x["level_key"]) for x in model["located"]] == [
        ("C", "point", "qpv.level.point"),
        ("A", "quartier", "geo.level.quartier"),
        ("B", "commune", "qpv.level.commune"),
    ]

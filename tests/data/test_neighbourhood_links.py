"""The study's neighbourhoods linked at build time to the official QPV of their name and commune."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.build import BuildReport
from loaders.settings import Settings
from loaders.store import open_read

Q = "https://w3id.org/qpvkg/def#"
ID = "https://w3id.org/qpvkg/id/"
PROV = "http://www.w3.org/ns/prov#"
RULE = f"{ID}rule/neighbourhood-name-in-commune"


def links(settings: Settings, quartier: str) -> dict[str, dict[str, set[str]]]:
    """QPV code -> the link's properties, in the derived graph, for one neighbourhood."""
    graph = settings.graph_iri("derived/neighbourhood-links")
    out: dict[str, dict[str, set[str]]] = {}
    with open_read(settings) as store:
        rows = store.query(
            f"""SELECT ?qpv ?p ?o WHERE {{ GRAPH <{graph}> {{
                  <{ID}quartier/{quartier}> <{Q}officialQpv> ?qpv ; <{Q}neighbourhoodLink> ?link .
                  ?link <{Q}linkedQPV> ?qpv ; ?p ?o }} }}"""
        )
        for row in rows:  # type: ignore[union-attr]
            code = row["qpv"].value.rsplit("/", 1)[-1]
            out.setdefault(code, {}).setdefault(row["p"].value, set()).add(row["o"].value)
    return out


def test_beaudottes_is_linked_to_its_qpv_of_2015_and_2024(
    settings: Settings, built: BuildReport
) -> None:
    found = links(settings, "beaudottes-sevran")
    assert set(found) == {"QP093054", "QN09355M"}
    for code, dataset in (("QP093054", "qpv-2015"), ("QN09355M", "qpv-2024")):
        assert found[code][f"{Q}linkRule"] == {RULE}
        assert f"{ID}dataset/{dataset}" in found[code][f"{PROV}wasDerivedFrom"]
        assert found[code][f"{Q}comparedName"] == {"beaudottes"}


def test_secteur_ouest_is_linked_in_lille_only(settings: Settings, built: BuildReport) -> None:
    # "Le Port - Secteur Ouest" (QN97418M) is in another commune: not a candidate.
    assert set(links(settings, "secteur-ouest-lille")) == {"QP059073", "QN05971M"}


def test_quartiers_nord_stays_unlinked(settings: Settings, built: BuildReport) -> None:
    assert links(settings, "quartiers-nord-marseille") == {}
    with open_read(settings) as store:
        assert not store.query(
            f"ASK {{ <{ID}quartier/quartiers-nord-marseille> <{Q}matchesQPV>|<{Q}officialQpv> ?q }}",
            use_default_graph_as_union=True,
        )


def test_the_rule_and_the_graph_provenance(settings: Settings, built: BuildReport) -> None:
    graph = settings.graph_iri("derived/neighbourhood-links")
    with open_read(settings) as store:
        labels = {
            (q.object.value, q.object.language)  # type: ignore[union-attr]
            for q in store.quads_for_pattern(
                ox.NamedNode(RULE), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None
            )
        }
        assert {lang for _, lang in labels} == {"fr", "en"}
        build = ox.NamedNode(settings.graph_iri("build"))
        kind = {
            q.object.value
            for q in store.quads_for_pattern(
                ox.NamedNode(graph), ox.NamedNode(f"{Q}sourceKind"), None, build
            )
        }
        inputs = {
            q.object.value
            for q in store.quads_for_pattern(
                ox.NamedNode(graph), ox.NamedNode(f"{PROV}wasDerivedFrom"), None, build
            )
        }
    assert kind == {"derived"}
    assert {
        settings.graph_iri("reference/qpv-2015"),
        settings.graph_iri("reference/qpv-2024"),
        settings.graph_iri("rules/neighbourhood-links"),
        settings.graph_iri("study/study"),
    } <= inputs

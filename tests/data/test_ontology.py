"""The ontology and the study's curated data are consistent under OWL RL, and well documented."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from loaders.settings import Settings

ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
QPVKG = Namespace("https://w3id.org/qpvkg/def#")
ONTOLOGY = URIRef("https://w3id.org/qpvkg/def")


def _graph(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _closure_errors(graph: Graph) -> list[str]:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = [
        str(o)
        for s in graph.subjects(RDF.type, ERR.ErrorMessage)
        for o in graph.objects(s, ERR.error)
    ]
    errors += [f"{s} is an owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    return errors


@pytest.fixture(scope="module")
def ontology_files(settings: Settings) -> list[Path]:
    return sorted(settings.ontology_dir.rglob("*.ttl"))


@pytest.fixture(scope="module")
def study_files(settings: Settings) -> list[Path]:
    files = sorted((settings.data_dir / "study").glob("*.ttl"))
    assert files, "the study's data is missing"
    return files


def test_owl_rl_closure_of_ontology_and_study_is_consistent(
    ontology_files: list[Path], study_files: list[Path]
) -> None:
    assert _closure_errors(_graph(ontology_files + study_files)) == []


def test_owl_rl_closure_detects_a_disjointness_violation(ontology_files: list[Path]) -> None:
    graph = _graph(ontology_files)
    graph.add((URIRef("https://example.org/x"), RDF.type, QPVKG.Innovation))
    graph.add((URIRef("https://example.org/x"), RDF.type, QPVKG.Organisation))
    errors = _closure_errors(graph)
    assert any("Disjoint" in e and "https://example.org/x" in e for e in errors), errors


def test_ontology_header(ontology_files: list[Path]) -> None:
    graph = _graph(ontology_files)
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY, OWL.versionIRI) is not None
    assert graph.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) is not None


def test_every_term_has_fr_and_en_label_and_definition(ontology_files: list[Path]) -> None:
    graph = _graph(ontology_files)
    missing = []
    terms = set(graph.subjects(RDFS.isDefinedBy, ONTOLOGY))
    assert len(terms) > 40
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in graph.objects(term, prop) if isinstance(o, Literal)}
            missing += [f"{term} {prop} @{lang}" for lang in ("fr", "en") if lang not in langs]
    assert missing == []


def test_every_concept_is_in_a_scheme_with_fr_en_labels(ontology_files: list[Path]) -> None:
    graph = _graph(ontology_files)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 100
    problems = []
    for concept in concepts:
        if graph.value(concept, SKOS.inScheme) is None:
            problems.append(f"{concept}: no scheme")
        if graph.value(concept, SKOS.notation) is None:
            problems.append(f"{concept}: no notation")
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in graph.objects(concept, prop) if isinstance(o, Literal)}
            problems += [f"{concept} {prop} @{lang}" for lang in ("fr", "en") if lang not in langs]
    assert problems == []


def test_concept_iris_follow_scheme_and_notation(ontology_files: list[Path]) -> None:
    graph = _graph(ontology_files)
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        scheme = graph.value(concept, SKOS.inScheme)
        notation = graph.value(concept, SKOS.notation)
        if str(concept).startswith("https://w3id.org/qpvkg/concept/"):
            assert str(concept) == f"{scheme}/{notation}"


def test_study_scheme_sizes(ontology_files: list[Path]) -> None:
    """The typologies the study defines are all there."""
    graph = _graph(ontology_files)
    base = "https://w3id.org/qpvkg/concept/"

    def size(scheme: str) -> int:
        return len(set(graph.subjects(SKOS.inScheme, URIRef(base + scheme))))

    assert size("innovation-category") == 7  # the six categories and territorial innovation
    assert size("impact-area") == 5
    assert size("stage") == 3
    assert size("scale") == 3
    assert size("orientation") == 12  # 4 orientations and 8 operational axes

"""The ontology's page: its classes and properties, the vocabularies it reuses, its diagram."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from endpoint.iris import href_of
from endpoint.pages.terms import (
    Ref,
    Terms,
    Texts,
    by_subject,
    first_text,
    iris,
    local_name,
    texts_of,
)
from loaders.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS, VANN

#: The vocabularies an ontology is written in, not ones it reuses.
LANGUAGE_PREFIXES = ("rdf", "rdfs", "owl", "xsd")


@dataclass
class Term:
    """A class or a property of the ontology."""

    iri: str
    anchor: str
    kind: str  # "class", "object", "datatype"
    labels: Texts
    definitions: Texts
    characteristics: list[str] = field(default_factory=list)
    parents: list[Ref] = field(default_factory=list)
    children: list[Ref] = field(default_factory=list)
    domains: list[Ref] = field(default_factory=list)
    ranges: list[Ref] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    disjoint: list[Ref] = field(default_factory=list)
    used_in_domain: list[Ref] = field(default_factory=list)
    used_in_range: list[Ref] = field(default_factory=list)


@dataclass
class Vocabulary:
    prefix: str
    namespace: str
    terms: list[Ref]


@dataclass
class Ontology:
    iri: str
    titles: Texts
    descriptions: Texts
    version: str | None
    license: str | None
    created: str | None
    creator: str | None
    prefix: str | None
    namespace: str | None
    classes: list[Term]
    object_properties: list[Term]
    datatype_properties: list[Term]
    vocabularies: list[Vocabulary]
    diagram: dict[str, list[dict[str, Any]]]
    license_href: str | None = None

    @property
    def terms(self) -> list[Term]:
        return [*self.classes, *self.object_properties, *self.datatype_properties]


def ontology_model(
    triples: Sequence[ox.Triple],
    ontology_iri: str,
    base_iri: str,
    prefixes: Mapping[str, str],
    external_labels: Mapping[str, Texts],
) -> Ontology:
    """The ontology's documentation from the triples of its named graph."""
    subjects = by_subject(triples)
    namespace = f"{ontology_iri}#"
    kinds = {
        f"{OWL}Class": "class",
        f"{OWL}ObjectProperty": "object",
        f"{OWL}DatatypeProperty": "datatype",
    }
    own: dict[str, str] = {}
    for iri, props in subjects.items():
        if iri.startswith(namespace):
            types = iris(props.get(f"{RDF}type", []))
            kind = next((kinds[t] for t in types if t in kinds), None)
            if kind:
                own[iri] = kind
    labels: dict[str, Texts] = {k: dict(v) for k, v in external_labels.items()}
    for iri in own:
        labels[iri] = texts_of(subjects[iri].get(f"{RDFS}label", []))
    terms = Terms(base_iri, prefixes, labels, {iri: iri[len(namespace) :] for iri in own})

    children: dict[str, list[str]] = {}
    for iri, props in subjects.items():
        for parent in iris(props.get(f"{RDFS}subClassOf", [])):
            children.setdefault(parent, []).append(iri)
        for parent in iris(props.get(f"{RDFS}subPropertyOf", [])):
            children.setdefault(parent, []).append(iri)
    in_domain: dict[str, list[str]] = {}
    in_range: dict[str, list[str]] = {}
    for iri, kind in own.items():
        if kind == "class":
            continue
        for d in iris(subjects[iri].get(f"{RDFS}domain", [])):
            in_domain.setdefault(d, []).append(iri)
        for r in iris(subjects[iri].get(f"{RDFS}range", [])):
            in_range.setdefault(r, []).append(iri)

    def refs(values: Iterable[str]) -> list[Ref]:
        return [terms.ref(v) for v in sorted(set(values))]

    built: list[Term] = []
    for iri, kind in own.items():
        props = subjects[iri]
        types = iris(props.get(f"{RDF}type", []))
        characteristics = [
            local_name(t)
            for t in types
            if t.startswith(OWL) and t not in kinds and t != f"{OWL}NamedIndividual"
        ]
        parent_key = f"{RDFS}subClassOf" if kind == "class" else f"{RDFS}subPropertyOf"
        built.append(
            Term(
                iri=iri,
                anchor=iri[len(namespace) :],
                kind=kind,
                labels=labels[iri],
                definitions=texts_of(props.get(f"{SKOS}definition", [])),
                characteristics=characteristics,
                parents=refs(iris(props.get(parent_key, []))),
                children=refs(children.get(iri, [])),
                domains=refs(iris(props.get(f"{RDFS}domain", []))),
                ranges=refs(iris(props.get(f"{RDFS}range", []))),
                inverse=refs(iris(props.get(f"{OWL}inverseOf", []))),
                disjoint=refs(iris(props.get(f"{OWL}disjointWith", []))),
                used_in_domain=refs(in_domain.get(iri, [])),
                used_in_range=refs(in_range.get(iri, [])),
            )
        )
    built.sort(key=lambda t: t.anchor.lower())

    # the vocabularies the ontology reuses: every IRI outside it that its triples name
    external: set[str] = set()
    for iri, props in subjects.items():
        if iri.startswith("_:"):
            continue
        if not iri.startswith(ontology_iri):
            external.add(iri)
        for p, values in props.items():
            if p in (f"{RDFS}isDefinedBy", f"{DCTERMS}source", f"{DCTERMS}license"):
                continue
            external.update(
                v for v in iris(values) if not v.startswith(ontology_iri) and not v.startswith(OWL)
            )
            external.add(p)
    vocabularies: dict[str, Vocabulary] = {}
    for iri in sorted(external):
        prefix = next(
            (p for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)), None
        )
        if prefix is None or iri.startswith(base_iri) or prefix in LANGUAGE_PREFIXES:
            continue
        vocab = vocabularies.setdefault(prefix, Vocabulary(prefix, prefixes[prefix], []))
        vocab.terms.append(terms.ref(iri))

    node = subjects.get(ontology_iri, {})
    return Ontology(
        iri=ontology_iri,
        titles=texts_of(node.get(f"{DCTERMS}title", [])),
        descriptions=texts_of(node.get(f"{DCTERMS}description", [])),
        version=first_text(node.get(f"{OWL}versionInfo", [])),
        license=(license := first_text(node.get(f"{DCTERMS}license", []))),
        license_href=href_of(license, base_iri) if license else None,
        created=first_text(node.get(f"{DCTERMS}created", [])),
        creator=first_text(node.get(f"{DCTERMS}creator", [])),
        prefix=first_text(node.get(f"{VANN}preferredNamespacePrefix", [])),
        namespace=first_text(node.get(f"{VANN}preferredNamespaceUri", [])),
        classes=[t for t in built if t.kind == "class"],
        object_properties=[t for t in built if t.kind == "object"],
        datatype_properties=[t for t in built if t.kind == "datatype"],
        vocabularies=sorted(vocabularies.values(), key=lambda v: v.prefix),
        diagram=diagram_of(built),
    )


def diagram_of(terms: Sequence[Term]) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape elements: the ontology's classes, their subclass links, and the object
    properties between two of its classes (domain -> range)."""
    classes = {t.iri: t for t in terms if t.kind == "class"}
    nodes = [
        {"id": t.anchor, "labels": t.labels, "href": f"#{t.anchor}", "kind": "class"}
        for t in classes.values()
    ]
    edges: list[dict[str, Any]] = []
    for t in classes.values():
        for parent in t.parents:
            if parent.iri in classes:
                edges.append(
                    {"source": t.anchor, "target": classes[parent.iri].anchor, "kind": "subclass"}
                )
    for t in terms:
        if t.kind != "object":
            continue
        for d in t.domains:
            for r in t.ranges:
                if d.iri in classes and r.iri in classes:
                    edges.append(
                        {
                            "source": classes[d.iri].anchor,
                            "target": classes[r.iri].anchor,
                            "kind": "property",
                            "labels": t.labels,
                        }
                    )
    return {"nodes": nodes, "edges": edges}

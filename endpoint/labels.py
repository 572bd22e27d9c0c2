"""Labels of the resources a page shows: the label properties, the language a label is picked
in, and the interface's names of the reused vocabularies' terms (``term.<IRI>`` in
``endpoint/locales/``) for those the store has no label for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from endpoint.i18n import term_name
from endpoint.sparqlterms import Term
from loaders.namespaces import DCTERMS, FOAF, RDFS, SKOS

#: Properties whose values name a resource, best first.
LABEL_PROPERTIES = (f"{SKOS}prefLabel", f"{RDFS}label", f"{FOAF}name", f"{DCTERMS}title")

#: Languages a label is picked in, best first ("" is a literal without a language).
LANGUAGES = ("fr", "", "en")


def best_label(literals: Iterable[Term]) -> str | None:
    """The label to show: French first, then without a language, then English, then any."""
    found: dict[str, str] = {}
    for term in literals:
        if isinstance(term, ox.Literal):
            found.setdefault(term.language or "", term.value)
    for language in LANGUAGES:
        if language in found:
            return found[language]
    return next(iter(found.values()), None)


class Labels:
    """Labels of the resources a page shows, by IRI."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, list[ox.Literal]]] = {}

    def add(self, resource: str, prop: str, label: Term) -> None:
        if isinstance(label, ox.Literal):
            self.values.setdefault(resource, {}).setdefault(prop, []).append(label)

    def merge(self, other: Labels) -> None:
        for resource, props in other.values.items():
            for prop, labels in props.items():
                for label in labels:
                    self.add(resource, prop, label)

    def get(self, iri: str) -> str | None:
        props = self.values.get(iri)
        for prop in LABEL_PROPERTIES:
            if props and prop in props:
                return best_label(props[prop])
        return term_name(iri)

    def triples(self, iris: Iterable[str]) -> list[ox.Triple]:
        """The label triples of the given resources (for RDF representations)."""
        out: list[ox.Triple] = []
        for iri in iris:
            for prop, labels in self.values.get(iri, {}).items():
                out.extend(
                    ox.Triple(ox.NamedNode(iri), ox.NamedNode(prop), label) for label in labels
                )
        return out


def labels_from(rows: Iterable[Mapping[str, Term | None]]) -> Labels:
    labels = Labels()
    for row in rows:
        resource, prop, label = row.get("resource"), row.get("property"), row.get("label")
        if isinstance(resource, ox.NamedNode) and isinstance(prop, ox.NamedNode) and label:
            labels.add(resource.value, prop.value, label)
    return labels

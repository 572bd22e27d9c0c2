"""The HTML view model of a resource's description: its nodes, their types and properties in
display order, their values ready for the template.

Pure functions: ``endpoint/representation.py`` runs the queries through the engine and hands
the triples here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from endpoint.iris import href_of, local_href
from endpoint.jsonldcontext import prefixes, qname
from endpoint.labels import LABEL_PROPERTIES, Labels
from endpoint.sparqlterms import Term
from loaders.namespaces import DCTERMS, RDF, SKOS, XSD
from loaders.settings import Settings

RDF_TYPE = f"{RDF}type"

SOURCE = f"{DCTERMS}source"

#: Properties shown first on a page, in this order (then the others by label, the source last).
LEADING = (
    *LABEL_PROPERTIES,
    f"{SKOS}altLabel",
    f"{SKOS}notation",
    f"{DCTERMS}description",
    f"{SKOS}definition",
)

#: Datatypes shown without a datatype badge.
PLAIN = {f"{XSD}string", f"{RDF}langString"}


@dataclass
class Value:
    """One value of a property, ready for the template."""

    kind: str  # "iri", "literal" or "blank"
    text: str
    href: str | None = None
    iri: str | None = None
    local: bool = False
    language: str | None = None
    datatype: str | None = None
    datatype_iri: str | None = None
    summary: list[Value] = field(default_factory=list)
    separator: str = ""
    properties: list[Property] = field(default_factory=list)
    types: list[Value] = field(default_factory=list)


@dataclass
class Property:
    iri: str
    qname: str
    label: str | None
    href: str | None
    values: list[Value]


@dataclass
class Node:
    """A resource the page describes: the main one, or a term of a hash namespace (def#X)."""

    iri: str
    anchor: str | None
    label: str | None
    types: list[Value]
    properties: list[Property]


class Describer:
    """Turns the triples of a description into nodes for the HTML template."""

    def __init__(self, triples: Sequence[ox.Triple], labels: Labels, settings: Settings) -> None:
        self.by_subject: dict[Term, list[ox.Triple]] = {}
        for triple in triples:
            if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
                self.by_subject.setdefault(triple.subject, []).append(triple)
        self.labels = labels
        self.base = settings.base_iri
        self.prefixes = prefixes(settings)
        for subject, group in self.by_subject.items():
            if isinstance(subject, ox.NamedNode):
                for t in group:
                    if t.predicate.value in LABEL_PROPERTIES and isinstance(t.object, ox.Literal):
                        self.labels.add(subject.value, t.predicate.value, t.object)

    def subjects(self) -> list[str]:
        return [s.value for s in self.by_subject if isinstance(s, ox.NamedNode)]

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)

    def iri_value(self, iri: str) -> Value:
        label = self.label(iri)
        local = local_href(iri, self.base)
        name = qname(iri, self.prefixes)
        if name == iri and local is not None:
            name = local.lstrip("/")
        return Value(
            "iri",
            label or name,
            href=href_of(iri, self.base),
            iri=iri,
            local=local is not None,
        )

    def literal_value(self, literal: ox.Literal) -> Value:
        datatype = literal.datatype.value
        return Value(
            "literal",
            literal.value,
            language=literal.language,
            datatype=None if datatype in PLAIN else qname(datatype, self.prefixes),
            datatype_iri=None if datatype in PLAIN else datatype,
        )

    def value(self, term: Term | ox.Triple, seen: frozenset[str]) -> Value:
        if isinstance(term, ox.NamedNode):
            return self.iri_value(term.value)
        if isinstance(term, ox.Literal):
            return self.literal_value(term)
        if isinstance(term, ox.BlankNode):
            if term.value in seen or len(seen) > 8:
                return Value("blank", "…")
            types, properties = self.properties(term, seen | {term.value})
            summary, separator = self.summary(properties)
            return Value(
                "blank",
                "",
                summary=summary,
                separator=separator,
                properties=properties,
                types=types,
            )
        return Value("literal", str(term))

    def properties(
        self, subject: Term, seen: frozenset[str] = frozenset()
    ) -> tuple[list[Value], list[Property]]:
        """(types, the other properties in display order) of a subject."""
        groups: dict[str, list[Term | ox.Triple]] = {}
        for triple in self.by_subject.get(subject, []):
            groups.setdefault(triple.predicate.value, []).append(triple.object)
        types = sorted(
            (self.value(t, seen) for t in groups.pop(RDF_TYPE, [])), key=lambda v: v.text.lower()
        )
        props = [
            Property(
                iri=p,
                qname=qname(p, self.prefixes),
                label=self.label(p),
                href=href_of(p, self.base),
                values=sorted(
                    (self.value(o, seen) for o in objects),
                    key=lambda v: (v.kind != "literal", v.language != "fr", v.text.lower()),
                ),
            )
            for p, objects in groups.items()
        ]
        props.sort(key=self._order)
        return types, props

    def _order(self, prop: Property) -> tuple[int, int, str]:
        if prop.iri in LEADING:
            return (0, LEADING.index(prop.iri), "")
        if prop.iri == SOURCE:
            return (2, 0, "")
        return (1, 0, (prop.label or prop.qname).lower())

    @staticmethod
    def summary(properties: list[Property]) -> tuple[list[Value], str]:
        """A one-line summary of a blank node: "actor — role" for an involvement or a
        membership, "value · indicator" for a figure (no summary otherwise)."""
        by_local = {p.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: p for p in properties}

        def first(*names: str) -> Value | None:
            for name in names:
                prop = by_local.get(name)
                if prop and prop.values:
                    return prop.values[0]
            return None

        who = first("actor", "member", "agent")
        if who:
            role = first("role", "hadRole")
            return [who, *([role] if role else [])], " — "
        value = first("value")
        if value:
            indicator = first("indicator")
            return [value, *([indicator] if indicator else [])], " · "
        return [], ""

    def node(self, iri: str, anchor: str | None = None) -> Node:
        types, props = self.properties(ox.NamedNode(iri))
        return Node(iri, anchor, self.label(iri), types, props)

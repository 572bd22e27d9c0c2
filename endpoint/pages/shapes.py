"""The shapes' page: the node and property shapes of the shapes graphs, their targets,
constraints, severities and messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from endpoint.jsonldcontext import qname
from endpoint.pages.terms import Ref, Terms, Texts, by_subject, iris, local_name, texts_of
from endpoint.sparqlterms import Term
from loaders.namespaces import RDF, RDFS, SH


@dataclass
class Constraint:
    """One constraint of a shape: a key of the message catalogue and its values."""

    key: str
    values: list[Ref | str] = field(default_factory=list)


@dataclass
class PropertyRule:
    """A property shape: the path it checks, its constraints, its severity and messages."""

    iri: str | None
    anchor: str | None
    path: Ref | None
    constraints: list[Constraint]
    severity: str
    messages: Texts


@dataclass
class Shape:
    iri: str
    anchor: str
    kind: str  # "node" or "property"
    labels: Texts
    targets: list[Constraint]
    constraints: list[Constraint]
    severity: str
    messages: Texts
    properties: list[PropertyRule]
    path: Ref | None = None
    example: str | None = None
    example_focus: Ref | None = None


def rdf_list(subjects: Mapping[str, Mapping[str, list[Term]]], head: Term) -> list[Term]:
    out: list[Term] = []
    seen: set[str] = set()
    while isinstance(head, ox.BlankNode) and f"_:{head.value}" not in seen:
        key = f"_:{head.value}"
        seen.add(key)
        node = subjects.get(key, {})
        out.extend(node.get(f"{RDF}first", []))
        rest = node.get(f"{RDF}rest", [])
        head = rest[0] if rest else ox.NamedNode(f"{RDF}nil")
    return out


SEVERITIES = {f"{SH}Violation": "violation", f"{SH}Warning": "warning", f"{SH}Info": "info"}

#: Constraint parameters shown on the page (the catalogue key is shape.c.<local name>).
PARAMETERS = (
    "minCount",
    "maxCount",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "datatype",
    "class",
    "nodeKind",
    "pattern",
    "languageIn",
    "uniqueLang",
    "hasValue",
    "in",
    "node",
    "or",
    "minInclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "lessThan",
    "closed",
)


class ShapeReader:
    """Reads node and property shapes from the triples of the shapes graphs."""

    def __init__(self, triples: Sequence[ox.Triple], terms: Terms, shapes_ns: str) -> None:
        self.subjects = by_subject(triples)
        self.terms = terms
        self.ns = shapes_ns

    def values(self, key: str, prop: str) -> list[Term]:
        return self.subjects.get(key, {}).get(prop, [])

    def show(self, term: Term) -> Ref | str:
        if isinstance(term, ox.NamedNode):
            return self.terms.ref(term.value)
        if isinstance(term, ox.Literal):
            return term.value
        if f"{RDF}first" in self.subjects.get(f"_:{term.value}", {}):
            items = (self.show(x) for x in rdf_list(self.subjects, term))
            return "( " + " ".join(i.qname if isinstance(i, Ref) else i for i in items) + " )"
        return self.describe_blank(f"_:{term.value}")

    def describe_blank(self, key: str) -> str:
        """A short text for a nested shape ([ sh:datatype xsd:date ])."""
        parts = []
        for p, values in self.subjects.get(key, {}).items():
            if p == f"{RDF}type":
                continue
            shown = ", ".join(
                v.qname if isinstance(v, Ref) else str(v) for v in (self.show(x) for x in values)
            )
            parts.append(f"{qname(p, self.terms.prefixes)} {shown}")
        return "[ " + " ; ".join(parts) + " ]"

    def constraints(self, key: str) -> list[Constraint]:
        out = []
        node = self.subjects.get(key, {})
        for name in PARAMETERS:
            values = node.get(f"{SH}{name}", [])
            if not values:
                continue
            shown: list[Ref | str] = []
            for v in values:
                if name in ("in", "languageIn", "or") and isinstance(v, ox.BlankNode):
                    shown.extend(self.show(x) for x in rdf_list(self.subjects, v))
                else:
                    shown.append(self.show(v))
            out.append(Constraint(f"shape.c.{name}", shown))
        for p, values in node.items():
            if p.startswith(self.ns):  # the project's own constraint components (luhn, notBefore)
                out.append(
                    Constraint("shape.c.component", [self.terms.ref(p), *map(self.show, values)])
                )
        qualified = node.get(f"{SH}qualifiedValueShape", [])
        for q in qualified:
            out.append(Constraint("shape.c.qualifiedValueShape", [self.show(q)]))
        return out

    def severity(self, key: str) -> str:
        values = iris(self.values(key, f"{SH}severity"))
        return SEVERITIES.get(values[0], "violation") if values else "violation"

    def messages(self, key: str) -> Texts:
        return texts_of(self.values(key, f"{SH}message"))

    def targets(self, key: str) -> list[Constraint]:
        out = []
        for name in ("targetClass", "targetObjectsOf", "targetSubjectsOf", "targetNode"):
            values = iris(self.values(key, f"{SH}{name}"))
            if values:
                out.append(Constraint(f"shape.t.{name}", [self.terms.ref(v) for v in values]))
        for target in self.values(key, f"{SH}target"):
            tkey = f"_:{target.value}" if isinstance(target, ox.BlankNode) else target.value
            kinds = iris(self.values(tkey, f"{RDF}type"))
            classes = iris(self.values(tkey, f"{self.ns}class"))
            for kind in kinds:
                out.append(
                    Constraint(f"shape.t.{local_name(kind)}", [self.terms.ref(c) for c in classes])
                )
        return out

    def path_of(self, key: str) -> Ref | None:
        paths = self.values(key, f"{SH}path")
        if paths and isinstance(paths[0], ox.NamedNode):
            return self.terms.ref(paths[0].value)
        return None

    def property_rule(self, term: Term) -> PropertyRule:
        key = term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"
        path = self.path_of(key)
        named = isinstance(term, ox.NamedNode)
        return PropertyRule(
            iri=term.value if named else None,
            anchor=term.value[len(self.ns) :] if named and term.value.startswith(self.ns) else None,
            path=path,
            constraints=self.constraints(key),
            severity=self.severity(key),
            messages=self.messages(key),
        )

    def shapes(self) -> list[Shape]:
        out = []
        for iri, props in self.subjects.items():
            if not iri.startswith(self.ns):
                continue
            types = iris(props.get(f"{RDF}type", []))
            if f"{SH}NodeShape" in types:
                kind = "node"
            elif f"{SH}PropertyShape" in types:
                kind = "property"
            else:
                continue
            rules = [self.property_rule(p) for p in props.get(f"{SH}property", [])]
            rules.sort(key=lambda r: (r.path.qname if r.path else "", r.anchor or ""))
            out.append(
                Shape(
                    iri=iri,
                    anchor=iri[len(self.ns) :],
                    kind=kind,
                    labels=texts_of(props.get(f"{RDFS}label", [])),
                    targets=self.targets(iri),
                    constraints=self.constraints(iri),
                    severity=self.severity(iri),
                    messages=self.messages(iri),
                    properties=rules,
                    path=self.path_of(iri),
                )
            )
        out.sort(key=lambda s: (s.kind != "node", not s.targets, s.anchor.lower()))
        return out


def shape_paths(shape: Shape) -> set[str]:
    return {RDF + "type", *(r.path.iri for r in shape.properties if r.path is not None)}

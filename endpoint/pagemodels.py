"""View models of the documentation and exploration pages, built from the store's triples and rows.

Pure functions: ``endpoint/routes/pages.py`` runs the queries (``queries/internal/``) through
the engine and hands their results here. Texts in several languages are kept as
``{language: text}`` maps; the templates pick the page's language (``endpoint/i18n.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from endpoint import linkeddata as ld
from loaders.namespaces import DCTERMS, OWL, RDF, RDFS, SH, SKOS, VANN, XSD

Row = Mapping[str, ld.Term | None]
#: The vocabularies an ontology is written in, not ones it reuses.
LANGUAGE_PREFIXES = ("rdf", "rdfs", "owl", "xsd")
Texts = dict[str, str]


# ----------------------------------------------------------------------------- terms


@dataclass
class Ref:
    """A link to a term or a resource: its text, where it goes, its compact name."""

    iri: str
    text: str
    href: str | None
    qname: str
    local: bool = True
    labels: Texts = field(default_factory=dict)


def texts_of(literals: Iterable[ld.Term]) -> Texts:
    """{language: text} of literals (the first one of each language)."""
    out: Texts = {}
    for term in literals:
        if isinstance(term, ox.Literal):
            out.setdefault(term.language or "", term.value)
    return out


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


class Terms:
    """Makes links to IRIs: a term of the page gets its anchor, a resource under the base its
    local page, anything else its own IRI, each named by its label or compact name."""

    def __init__(
        self,
        base_iri: str,
        prefixes: Mapping[str, str],
        labels: Mapping[str, Texts],
        anchors: Mapping[str, str] | None = None,
    ) -> None:
        self.base = base_iri
        self.prefixes = prefixes
        self.labels = labels
        self.anchors = anchors or {}

    def ref(self, iri: str) -> Ref:
        qname = ld.qname(iri, self.prefixes)
        labels = dict(self.labels.get(iri, {}))
        if not labels and iri in ld.FRENCH_NAMES:
            labels = {"fr": ld.FRENCH_NAMES[iri]}
        anchor = self.anchors.get(iri)
        local = ld.local_href(iri, self.base)
        href = f"#{anchor}" if anchor else ld.href_of(iri, self.base)
        return Ref(
            iri=iri,
            text=qname,
            href=href,
            qname=qname,
            local=anchor is not None or local is not None,
            labels=labels,
        )


# ----------------------------------------------------------------------------- ontology


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


def by_subject(triples: Iterable[ox.Triple]) -> dict[str, dict[str, list[ld.Term]]]:
    """subject IRI or blank node id -> predicate IRI -> objects."""
    out: dict[str, dict[str, list[ld.Term]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode) and isinstance(
            t.object, ox.NamedNode | ox.BlankNode | ox.Literal
        ):
            key = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
            out.setdefault(key, {}).setdefault(t.predicate.value, []).append(t.object)
    return out


def iris(values: Iterable[ld.Term]) -> list[str]:
    return sorted({v.value for v in values if isinstance(v, ox.NamedNode)})


def first_text(values: Iterable[ld.Term]) -> str | None:
    for v in values:
        return v.value
    return None


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
        license_href=ld.href_of(license, base_iri) if license else None,
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


# ----------------------------------------------------------------------------- shapes


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


def rdf_list(subjects: Mapping[str, Mapping[str, list[ld.Term]]], head: ld.Term) -> list[ld.Term]:
    out: list[ld.Term] = []
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

    def values(self, key: str, prop: str) -> list[ld.Term]:
        return self.subjects.get(key, {}).get(prop, [])

    def show(self, term: ld.Term) -> Ref | str:
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
            parts.append(f"{ld.qname(p, self.terms.prefixes)} {shown}")
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

    def property_rule(self, term: ld.Term) -> PropertyRule:
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


# ----------------------------------------------------------------------------- Turtle examples


def turtle_term(term: ld.Term, prefixes: Mapping[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        name = ld.qname(term.value, prefixes)
        return name if name != term.value else str(term)
    if isinstance(term, ox.Literal):
        text = str(term)
        datatype = term.datatype.value
        if term.language is None and datatype != f"{XSD}string":
            name = ld.qname(datatype, prefixes)
            if name != datatype:
                text = text.replace(f"<{datatype}>", name)
        return text
    return "[]"


def turtle_example(
    focus: ld.Term,
    values: Sequence[tuple[str, ld.Term, list[tuple[str, ld.Term]]]],
    keep: set[str],
    prefixes: Mapping[str, str],
) -> str:
    """A Turtle snippet: the focus node with its values for the kept paths, blank-node values
    written inline; at most three values a path."""

    def predicate(iri: str) -> str:
        return "a" if iri == f"{RDF}type" else turtle_term(ox.NamedNode(iri), prefixes)

    grouped: dict[str, list[str]] = {}
    for path, value, nested in values:
        if path not in keep:
            continue
        if isinstance(value, ox.BlankNode):
            inner = " ; ".join(
                f"{predicate(p)} {turtle_term(v, prefixes)}" for p, v in sorted(nested, key=str)
            )
            text = f"[ {inner} ]"
        else:
            text = turtle_term(value, prefixes)
        shown = grouped.setdefault(path, [])
        if text not in shown:
            shown.append(text)
    order = sorted(grouped, key=lambda p: (p != f"{RDF}type", predicate(p)))
    lines = []
    for path in order:
        objects = grouped[path]
        more = len(objects) > 3
        body = " ,\n        ".join(objects[:3]) + (" # …" if more else "")
        lines.append(f"    {predicate(path)} {body}")
    if isinstance(focus, ox.NamedNode):
        head = turtle_term(focus, prefixes)
        return head + "\n" + " ;\n".join(lines) + " ."
    return "[\n" + " ;\n".join(lines) + "\n] ."


def examples_of(
    rows: Iterable[Row],
) -> dict[str, tuple[ld.Term, list[tuple[str, ld.Term, list[tuple[str, ld.Term]]]]]]:
    """shape IRI -> (focus node, [(path, value, [(nested path, nested value)])])."""
    out: dict[
        str, tuple[ld.Term, dict[tuple[str, str], tuple[str, ld.Term, list[tuple[str, ld.Term]]]]]
    ] = {}
    for row in rows:
        shape, focus, path, value = (
            row.get("shape"),
            row.get("focus"),
            row.get("path"),
            row.get("value"),
        )
        if (
            not isinstance(shape, ox.NamedNode)
            or focus is None
            or not isinstance(path, ox.NamedNode)
            or value is None
        ):
            continue
        entry = out.setdefault(shape.value, (focus, {}))
        if entry[0] != focus:  # one focus node for each shape
            continue
        key = (path.value, str(value))
        item = entry[1].setdefault(key, (path.value, value, []))
        nested, nested_value = row.get("nested"), row.get("nestedValue")
        if isinstance(nested, ox.NamedNode) and nested_value is not None:
            pair = (nested.value, nested_value)
            if pair not in item[2]:
                item[2].append(pair)
    return {k: (focus, list(items.values())) for k, (focus, items) in out.items()}


# ----------------------------------------------------------------------------- schemes, charts


@dataclass
class Concept:
    iri: str
    href: str | None
    notation: str | None
    labels: Texts
    definitions: Texts
    broader: str | None
    innovations: int
    resources: int


def number(term: ld.Term | None) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def concepts_of(rows: Iterable[Row], usage: Iterable[Row], base_iri: str) -> list[Concept]:
    """The concepts of a scheme from its rows (labels, definitions) and its usage rows (counts
    of the concepts some resource uses)."""
    counts: dict[str, tuple[int, int]] = {}
    for row in usage:
        used = row.get("concept")
        if isinstance(used, ox.NamedNode):
            counts[used.value] = (number(row.get("innovations")), number(row.get("resources")))
    found: dict[str, Concept] = {}
    for row in rows:
        concept = row.get("concept")
        if not isinstance(concept, ox.NamedNode):
            continue
        entry = found.get(concept.value)
        if entry is None:
            notation = row.get("notation")
            broader = row.get("broader")
            entry = found[concept.value] = Concept(
                iri=concept.value,
                href=ld.href_of(concept.value, base_iri),
                notation=notation.value if isinstance(notation, ox.Literal) else None,
                labels={},
                definitions={},
                broader=broader.value if isinstance(broader, ox.NamedNode) else None,
                innovations=counts.get(concept.value, (0, 0))[0],
                resources=counts.get(concept.value, (0, 0))[1],
            )
        label, definition = row.get("label"), row.get("definition")
        if isinstance(label, ox.Literal):
            entry.labels.setdefault(label.language or "", label.value)
        if isinstance(definition, ox.Literal):
            entry.definitions.setdefault(definition.language or "", definition.value)
    return list(found.values())


@dataclass
class Bar:
    """One bar of a chart: what it counts, how many, its share of the largest."""

    labels: Texts
    href: str | None
    count: int
    percent: int = 0


def bars_of(rows: Iterable[Row], key: str, base_iri: str) -> list[Bar]:
    found: dict[str, Bar] = {}
    for row in rows:
        item = row.get(key)
        if not isinstance(item, ox.NamedNode):
            continue
        bar = found.setdefault(
            item.value, Bar({}, ld.href_of(item.value, base_iri), number(row.get("count")))
        )
        label = row.get("label")
        if isinstance(label, ox.Literal):
            bar.labels.setdefault(label.language or "", label.value)
    bars = sorted(found.values(), key=lambda b: (-b.count, b.labels.get("fr", b.href or "")))
    top = max((b.count for b in bars), default=0)
    for b in bars:
        b.percent = round(100 * b.count / top) if top else 0
    return bars


# ----------------------------------------------------------------------------- map and network


WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.I
)


def point_of(wkt: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT point (longitude first, as GeoSPARQL's default CRS)."""
    if not wkt:
        return None
    match = WKT_POINT.match(wkt)
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    return lat, lon


def places_of(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        commune = row.get("commune")
        if not isinstance(commune, ox.NamedNode):
            continue
        label, code, dep, wkt = (row.get(k) for k in ("label", "code", "departement", "wkt"))
        point = point_of(wkt.value if isinstance(wkt, ox.Literal) else None)
        out.append(
            {
                "iri": commune.value,
                "href": ld.href_of(commune.value, base_iri),
                "label": label.value if label is not None else commune.value,
                "code": code.value if code is not None else "",
                "departement": dep.value if dep is not None else "",
                "innovations": number(row.get("innovations")),
                "connectors": number(row.get("connectors")),
                "lat": point[0] if point else None,
                "lon": point[1] if point else None,
            }
        )
    return out


def filter_options(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    """The options of a filter of the map: each concept of a chart (rows of chart-by-concept)
    with its notation (the last segment of its IRI), labels and number of innovations."""
    return [
        {"value": bar.href.rsplit("/", 1)[-1], "labels": bar.labels, "count": bar.count}
        for bar in bars_of(rows, "concept", base_iri)
        if bar.href
    ]


def map_points_of(rows: Iterable[Row], base_iri: str) -> list[dict[str, Any]]:
    """The innovations and connectors the map draws (rows of geo-places), as a table: each
    with where it is drawn (its own point, or the communes of its territories)."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        thing = row.get("thing")
        if not isinstance(thing, ox.NamedNode):
            continue
        label, kind, how = row.get("label"), row.get("kind"), row.get("how")
        key = f"{thing.value} {kind.value if kind is not None else ''}"
        entry = out.setdefault(
            key,
            {
                "href": ld.href_of(thing.value, base_iri),
                "label": label.value if label is not None else thing.value,
                "kind": kind.value if kind is not None else "",
                "point": False,
                "communes": [],
            },
        )
        commune, name = row.get("commune"), row.get("communeLabel")
        if how is not None and how.value == "point":
            entry["point"] = True
        elif isinstance(commune, ox.NamedNode):
            entry["communes"].append(
                {
                    "href": ld.href_of(commune.value, base_iri),
                    "label": name.value if name is not None else commune.value,
                }
            )
    return sorted(out.values(), key=lambda p: (p["kind"], p["label"].lower()))


#: The levels of evidence on a QPV's page, most precise first.
QPV_LEVELS = ("point", "qpv", "quartier", "commune", "epci", "departement", "region")


def level_key(level: str) -> str:
    """The locale key of a level of evidence on a QPV's page."""
    return "geo.level.quartier" if level == "quartier" else f"qpv.level.{level}"


def qpv_model(located: Iterable[Row], served: Iterable[Row], base_iri: str) -> dict[str, Any]:
    """A QPV's page: what is located in it and who serves it, grouped by level of evidence."""

    def text(term: ld.Term | None) -> str:
        return term.value if term is not None else ""

    def ref(term: ld.Term | None, label: ld.Term | None) -> dict[str, Any] | None:
        if not isinstance(term, ox.NamedNode):
            return None
        return {"href": ld.href_of(term.value, base_iri), "label": text(label) or term.value}

    things = []
    for row in located:
        thing = ref(row.get("thing"), row.get("label"))
        if thing is None:
            continue
        kind = local_name(text(row.get("type")))
        things.append(
            {
                **thing,
                "kind": kind,
                "level": text(row.get("level")),
                "commune": ref(row.get("commune"), row.get("communeLabel")),
                "neighbourhood": ref(row.get("neighbourhood"), row.get("neighbourhoodLabel")),
            }
        )
    connectors = []
    for row in served:
        connector = ref(row.get("connector"), row.get("label"))
        if connector is None:
            continue
        connectors.append(
            {
                **connector,
                "level": text(row.get("level")),
                "through": ref(row.get("through"), row.get("throughLabel")),
                "where": ref(row.get("where"), row.get("whereLabel")),
            }
        )

    def rank(item: dict[str, Any]) -> int:
        level = item["level"]
        return QPV_LEVELS.index(level) if level in QPV_LEVELS else len(QPV_LEVELS)

    def order(item: dict[str, Any]) -> tuple[int, str]:
        return rank(item), str(item["label"]).lower()

    def best(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each thing once, at its best level of evidence, in the order of the levels."""
        kept: dict[str, dict[str, Any]] = {}
        for item in sorted(items, key=rank):
            item["level_key"] = level_key(item["level"])
            kept.setdefault(item["href"], item)
        return sorted(kept.values(), key=order)

    return {"located": best(things), "served": best(connectors)}


NODE_KINDS = {
    "Innovation": "innovation",
    "SupportScheme": "scheme",
    "PublicSupportScheme": "scheme",
    "Partnership": "partnership",
    "Organisation": "organisation",
    "Person": "person",
}


def network_of(
    rows: Iterable[Row], actor: str, base_iri: str, role_labels: Mapping[str, Texts]
) -> dict[str, Any]:
    """Nodes and edges of an actor's network, for the graph view and its table."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def node(term: ld.Term | None, label: ld.Term | None, cls: ld.Term | None) -> str | None:
        if not isinstance(term, ox.NamedNode):
            return None
        entry = nodes.setdefault(
            term.value,
            {
                "id": term.value,
                "href": ld.href_of(term.value, base_iri),
                "label": term.value,
                "kind": "other",
                "center": term.value == actor,
            },
        )
        if label is not None:
            entry["label"] = label.value
        if isinstance(cls, ox.NamedNode):
            kind = NODE_KINDS.get(local_name(cls.value))
            if kind and (entry["kind"] == "other" or kind != "organisation"):
                entry["kind"] = kind
        return term.value

    for row in rows:
        source = node(row.get("from"), row.get("fromLabel"), row.get("fromType"))
        target = node(row.get("to"), row.get("toLabel"), row.get("toType"))
        if source is None or target is None or source == target:
            continue
        kind = row.get("kind")
        role = row.get("role")
        role_iri = role.value if isinstance(role, ox.NamedNode) else ""
        key = (source, target, kind.value if kind is not None else "", role_iri)
        edges[key] = {
            "source": source,
            "target": target,
            "kind": key[2],
            "role": role_iri,
            "roleLabels": dict(role_labels.get(role_iri, {})) if role_iri else {},
        }
    if actor not in nodes:
        nodes[actor] = {
            "id": actor,
            "href": ld.href_of(actor, base_iri),
            "label": actor,
            "kind": "other",
            "center": True,
        }
    ordered = sorted(nodes.values(), key=lambda n: (not n["center"], n["kind"], n["label"].lower()))
    return {
        "actor": actor,
        "nodes": ordered,
        "edges": sorted(edges.values(), key=lambda e: (e["kind"], e["target"], e["source"])),
    }

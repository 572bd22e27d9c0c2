"""Linked-data representations of the store's resources: IRIs from paths, descriptions, JSON-LD.

Pure functions: ``endpoint/representation.py`` runs the queries through the engine
and hand the triples here to be turned into HTML view models, Turtle, RDF/XML, N-Triples or
JSON-LD compacted with the project's context.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from endpoint.negotiation import BY_KEY, HTML, Format
from loaders.namespaces import DCTERMS, FOAF, ORG, PREFIXES, RDF, RDFS, SKOS, XSD
from loaders.rdfformats import RDF_BY_KEY, RDF_SYNTAXES
from loaders.settings import DEFAULT_BASE_IRI, Settings
from loaders.sources import context_dir, local_context_loader
from loaders.sparqltext import with_values

RDF_TYPE = f"{RDF}type"
SOURCE = f"{DCTERMS}source"

#: Properties whose values name a resource, best first.
LABEL_PROPERTIES = (f"{SKOS}prefLabel", f"{RDFS}label", f"{FOAF}name", f"{DCTERMS}title")
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
#: Languages a label is picked in, best first ("" is a literal without a language).
LANGUAGES = ("fr", "", "en")

#: RDF representations of a resource, by file suffix; HTML is offered too.
RESOURCE_KEYS = ("ttl", "jsonld", "rdf", "nt")
#: A named graph's dump is offered in the dataset formats as well.
GRAPH_KEYS = (*RESOURCE_KEYS, "nq", "trig")

#: The formats' names for people.
FORMAT_NAMES = {"html": "HTML", **{s.key: s.label for s in RDF_SYNTAXES}}

#: French names of the reused vocabularies' properties and classes (the store has no label
#: for them); a label in the store wins.
FRENCH_NAMES = {
    f"{RDFS}label": "libellé",
    f"{RDFS}comment": "commentaire",
    f"{RDFS}subClassOf": "sous-classe de",
    f"{RDFS}subPropertyOf": "sous-propriété de",
    f"{RDFS}domain": "domaine",
    f"{RDFS}range": "portée",
    f"{RDFS}isDefinedBy": "défini par",
    f"{RDFS}seeAlso": "voir aussi",
    f"{RDF}value": "valeur",
    f"{SKOS}prefLabel": "libellé préféré",
    f"{SKOS}altLabel": "autre libellé",
    f"{SKOS}definition": "définition",
    f"{SKOS}notation": "notation",
    f"{SKOS}editorialNote": "note éditoriale",
    f"{SKOS}inScheme": "schéma",
    f"{SKOS}topConceptOf": "concept de tête de",
    f"{SKOS}hasTopConcept": "concept de tête",
    f"{SKOS}broader": "concept plus large",
    f"{SKOS}narrower": "concept plus précis",
    f"{SKOS}exactMatch": "équivalent exact",
    f"{DCTERMS}title": "titre",
    f"{DCTERMS}description": "description",
    f"{DCTERMS}source": "source",
    f"{DCTERMS}isPartOf": "fait partie de",
    f"{DCTERMS}subject": "sujet",
    f"{DCTERMS}license": "licence",
    f"{DCTERMS}temporal": "période",
    f"{DCTERMS}date": "date",
    f"{DCTERMS}created": "créé le",
    f"{DCTERMS}creator": "auteur",
    f"{DCTERMS}publisher": "éditeur",
    f"{DCTERMS}issued": "publié le",
    f"{DCTERMS}PeriodOfTime": "Période",
    f"{FOAF}name": "nom",
    f"{FOAF}homepage": "site web",
    f"{ORG}member": "membre",
    f"{ORG}role": "rôle",
    "http://www.w3.org/ns/dcat#startDate": "début",
    "http://www.w3.org/ns/dcat#endDate": "fin",
    "http://www.w3.org/ns/prov#generatedAtTime": "produit le",
    "http://www.w3.org/ns/prov#wasGeneratedBy": "produit par",
    "http://rdfs.org/ns/void#triples": "triplets",
    "http://spdx.org/rdf/terms#checksum": "empreinte",
    "http://spdx.org/rdf/terms#checksumValue": "valeur de l'empreinte",
    "http://spdx.org/rdf/terms#algorithm": "algorithme",
    "http://rdf.insee.fr/def/geo#codeINSEE": "code Insee",
    "http://rdf.insee.fr/def/geo#chefLieu": "chef-lieu",
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


# ----------------------------------------------------------------------------- paths and formats


def split_suffix(path: str, keys: Sequence[str]) -> tuple[str, str | None]:
    """(path without a format suffix, the suffix): only ``html`` or one of ``keys`` is a suffix,
    so ``organisation/simplon.co`` keeps its dot."""
    stem, dot, suffix = path.rpartition(".")
    if dot and stem and not stem.endswith("/") and (suffix == "html" or suffix in keys):
        return stem, suffix
    return path, None


def resource_formats(keys: Sequence[str] = RESOURCE_KEYS) -> tuple[Format, ...]:
    """The formats offered by content negotiation: RDF first (``*/*`` gets Turtle), then HTML."""
    return (*(BY_KEY[k] for k in keys), HTML)


def local_href(iri: str, base_iri: str) -> str | None:
    """The local page of an IRI under the base (the server answers every host), or None."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return None


#: The only schemes a page links to: any other IRI (javascript:, data:, vbscript:...) is shown
#: as text, never as a link, whatever the data says.
WEB_SCHEMES = ("http", "https")


def href_of(iri: str, base_iri: str) -> str | None:
    """The link a page makes to an IRI: its local page under the base, the IRI itself when it
    is a web (http, https) IRI, else None, and the page shows the IRI as text. The one rule for
    links in the templates (the pages' scripts apply the same one, ``links.js``)."""
    local = local_href(iri, base_iri)
    if local is not None:
        return local
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.strip().lower() in WEB_SCHEMES else None


def valid_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------- HTTP caching


def etag(generation_id: str, version: str, key: str) -> str:
    """A weak validator: the store generation, the code version and the representation."""
    return f'W/"{generation_id}-{version}-{key}"'


def http_date(value: Any) -> str:
    return format_datetime(value, usegmt=True)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, last_modified: Any
) -> bool:
    """True when a conditional GET may be answered 304 (If-None-Match wins over the date)."""
    if if_none_match is not None:
        wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in wanted or tag.removeprefix("W/") in wanted
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return bool(last_modified.replace(microsecond=0) <= since)
    return False


# ----------------------------------------------------------------------------- prefixes


@lru_cache(maxsize=8)
def context_file(directory: Path) -> Path | None:
    """The project's JSON-LD context: the highest version of ``ontology/context/v*.jsonld``."""
    files = sorted(
        directory.glob("v*.jsonld"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.stem)] or [0],
    )
    return files[-1] if files else None


def context_url(settings: Settings) -> str | None:
    path = context_file(context_dir(settings))
    return f"{settings.base_iri}context/{path.name}" if path else None


def context_document(settings: Settings, name: str) -> bytes | None:
    """A context file of ``ontology/context/``, rebased onto the server's base IRI."""
    if "/" in name or name.startswith("."):
        return None
    path = context_dir(settings) / name
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if settings.base_iri != DEFAULT_BASE_IRI:
        text = text.replace(DEFAULT_BASE_IRI, settings.base_iri)
    return text.encode("utf-8")


@lru_cache(maxsize=8)
def _prefixes(directory: Path, base_iri: str) -> tuple[tuple[str, str], ...]:
    table = dict(PREFIXES)  # the usual vocabularies, then the context's own prefixes
    table["qpvkg"] = f"{base_iri}def#"
    path = context_file(directory)
    if path is not None:
        try:
            ctx = json.loads(path.read_text(encoding="utf-8")).get("@context", {})
        except (OSError, ValueError):
            ctx = {}
        for name, value in ctx.items() if isinstance(ctx, dict) else ():
            iri = value.get("@id") if isinstance(value, dict) else value
            if not isinstance(iri, str) or name.startswith("@") or ":" in name:
                continue
            if iri.endswith(("#", "/")) and iri.startswith(("http://", "https://")):
                table.setdefault(name, iri.replace(DEFAULT_BASE_IRI, base_iri))
    # longest namespace first, so commune-deleguee: wins over commune: where both match
    return tuple(sorted(table.items(), key=lambda kv: -len(kv[1])))


def prefixes(settings: Settings) -> dict[str, str]:
    """Prefix -> namespace: the JSON-LD context's prefixes and the usual vocabularies."""
    return dict(_prefixes(context_dir(settings), settings.base_iri))


def qname(iri: str, table: Mapping[str, str]) -> str:
    for prefix, namespace in table.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if re.fullmatch(r"[\w.-]*[\w-]", local):
                return f"{prefix}:{local}"
    return iri


# ----------------------------------------------------------------------------- labels


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
        return FRENCH_NAMES.get(iri)

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


# ----------------------------------------------------------------------------- HTML view model


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


# ----------------------------------------------------------------------------- RDF documents


def used_prefixes(triples: Iterable[ox.Triple], table: Mapping[str, str]) -> dict[str, str]:
    """The prefixes a Turtle or RDF/XML document needs (the others are left out)."""
    iris: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {prefix: ns for prefix, ns in table.items() if any(i.startswith(ns) for i in iris)}


def serialize(triples: Sequence[ox.Triple], key: str, table: Mapping[str, str]) -> bytes:
    """Triples in one of pyoxigraph's formats, with the prefixes they use."""
    syntax = RDF_BY_KEY[key]
    out = io.BytesIO()
    prefixes = used_prefixes(triples, table) if syntax.prefixed else None
    ox.serialize(triples, out, syntax.oxigraph, prefixes=prefixes)
    return out.getvalue()


def embed_blank_nodes(nodes: list[dict[str, Any]], roots: Sequence[str]) -> list[dict[str, Any]]:
    """Expanded JSON-LD nodes with each blank node referenced once put inside its referrer
    (an involvement inside its innovation), the roots first."""
    by_id = {node["@id"]: node for node in nodes if "@id" in node}
    references: Counter[str] = Counter()
    for node in nodes:
        for key, values in node.items():
            if key.startswith("@") or not isinstance(values, list):
                continue
            for v in values:
                if isinstance(v, dict) and set(v) == {"@id"} and v["@id"].startswith("_:"):
                    references[v["@id"]] += 1
    inline = {i for i, n in references.items() if n == 1 and i in by_id}

    def expand(node: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@id" and node[key] in inline:
                continue
            if key.startswith("@") or not isinstance(values, list):
                out[key] = values
                continue
            items = []
            for v in values:
                ref = v.get("@id") if isinstance(v, dict) and set(v) == {"@id"} else None
                if ref in inline and ref not in seen:
                    items.append(expand(by_id[ref], seen | {ref}))
                else:
                    items.append(v)
            out[key] = items
        return out

    order = {iri: i for i, iri in enumerate(roots)}
    top = [n for n in nodes if n.get("@id") not in inline]
    top.sort(key=lambda n: (order.get(n.get("@id", ""), len(order)), n.get("@id", "")))
    return [expand(n, frozenset({n.get("@id", "")})) for n in top]


def jsonld_document(
    triples: Sequence[ox.Triple], roots: Sequence[str], settings: Settings
) -> bytes:
    """JSON-LD compacted with the project's context (pyld, contexts read locally)."""
    from pyld import jsonld

    nquads = serialize(triples, "nt", {}).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    nodes = embed_blank_nodes(expanded, roots)
    url = context_url(settings)
    if url is None:
        document: Any = nodes
    else:
        document = jsonld.compact(nodes, url, {"documentLoader": document_loader(settings)})
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def document_loader(settings: Settings) -> Any:
    """pyld's loader: the project's contexts (rebased onto the server's base), nothing remote."""
    fallback = local_context_loader(settings)
    prefix = f"{settings.base_iri}context/"

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url.startswith(prefix):
            body = context_document(settings, url[len(prefix) :])
            if body is not None:
                return {
                    "contentType": "application/ld+json",
                    "contextUrl": None,
                    "documentUrl": url,
                    "document": json.loads(body),
                }
        result: dict[str, Any] = fallback(url, options)
        return result

    return loader


def ntriples_to_dataset(body: bytes, graph: str, key: str) -> bytes:
    """N-Triples as N-Quads or TriG in the named graph ``graph``, by rewriting the lines: an
    N-Triples line ends with " .\n" and a literal never holds a raw newline, so this is exact
    (and fast on a graph of 400,000 triples)."""
    name = str(ox.NamedNode(graph)).encode("utf-8")
    if key == "nq":
        return body.replace(b" .\n", b" " + name + b" .\n")
    return name + b" {\n" + body + b"}\n"


def solutions(body: bytes) -> list[dict[str, Term | None]]:
    """SPARQL JSON results as rows of pyoxigraph terms."""
    results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if not isinstance(results, ox.QuerySolutions):
        return []
    names = [v.value for v in results.variables]
    rows: list[dict[str, Term | None]] = []
    for solution in results:
        row: dict[str, Term | None] = {}
        for name in names:
            term = solution[name]
            row[name] = term if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else None
        rows.append(row)
    return rows


def triples_of(body: bytes) -> list[ox.Triple]:
    """N-Triples bytes as triples."""
    return [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]


def with_iris(query: str, **terms: str) -> str:
    """A query shown to the user (a link) with its variables bound to IRIs: a VALUES block
    first in its pattern, where every engine joins it first (appended after the query,
    Virtuoso joins it last, after reading every triple)."""
    return with_values(query, {k: str(ox.NamedNode(v)) for k, v in terms.items()})


def values_list(name: str, iris: Iterable[str]) -> str:
    """A one-variable VALUES clause naming IRIs the store returned, appended to an internal
    query (each written by pyoxigraph, so escaped)."""
    return f"VALUES ?{name} {{ {' '.join(str(ox.NamedNode(v)) for v in iris)} }}\n"


def values_inside(query: str, name: str, iris: Iterable[str]) -> str:
    """An internal query with the IRIs the store returned in place of its placeholder block
    ``VALUES ?name { UNDEF }`` (a VALUES block inside the pattern, where the engine joins it
    first; the placeholder alone leaves the variable free)."""
    placeholder = f"VALUES ?{name} {{ UNDEF }}"
    if query.count(placeholder) != 1:
        raise ValueError(f"the query has no single placeholder {placeholder!r}")
    return query.replace(placeholder, values_list(name, iris).rstrip("\n"))

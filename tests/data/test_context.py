"""The partners' JSON-LD context (ontology/context/v1.jsonld): its form, its terms against the
ontology and the shapes, the worked examples of docs/contribute/, the guide's term table, and the
freeze of the file."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from pyld import jsonld

from endpoint.documents import document_loader, jsonld_document
from loaders.build import context_from, referenced_iris
from loaders.checks import repository_store
from loaders.contribution.payload import parse_contribution
from loaders.errors import SourceSyntaxError
from loaders.settings import PROJECT_DIR, Settings
from loaders.sources import local_context_loader
from loaders.validate import ValidationReport, Validator

#: The recorded SHA-256 of ontology/context/v1.jsonld: v1 is frozen (see ontology/README.md).
CONTEXT_SHA256 = "cd725de77c41f4161eae554296857fe60143a4e2a7e3cd87b856b651876d7989"

CONTEXT_FILE = PROJECT_DIR / "ontology" / "context" / "v1.jsonld"
CONTEXT_URL = "https://w3id.org/qpvkg/context/v1.jsonld"
#: The newest context (v1 and the terms added since), the one the pages compact with.
LATEST_URL = "https://w3id.org/qpvkg/context/v2.jsonld"
LATEST_FILE = PROJECT_DIR / "ontology" / "context" / "v2.jsonld"
BASE = "https://w3id.org/qpvkg/"
ID = f"{BASE}id/"
CONCEPT = f"{BASE}concept/"
QPVKG = f"{BASE}def#"
EXAMPLES = sorted((PROJECT_DIR / "docs" / "contribute" / "examples").glob("*.jsonld"))
GUIDE = PROJECT_DIR / "docs" / "contribute.md"
ONTOLOGY_README = PROJECT_DIR / "ontology" / "README.md"
#: The fictitious partner of the examples: its resources, its pages.
EXAMPLE_DATA = "https://data.reseau-exemple.fr/"
EXAMPLE_SITE = "https://www.reseau-exemple.fr/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode(f"{RDF}type")
RDFS_LABEL = ox.NamedNode(f"{RDFS}label")

#: The classes a partner contributes instances of; the examples show each one.
CONTRIBUTABLE = {
    f"{QPVKG}Innovation",
    f"{QPVKG}SupportScheme",
    f"{QPVKG}Organisation",
    f"{QPVKG}Person",
    f"{QPVKG}Partnership",
    f"{QPVKG}Involvement",
    f"{QPVKG}Figure",
    f"{QPVKG}PathStep",
    "http://www.w3.org/ns/org#Membership",
    "http://purl.org/dc/terms/PeriodOfTime",
}
#: A value of each datatype the context coerces to, as a partner writes it.
SAMPLE_VALUES: dict[str, Any] = {
    f"{XSD}date": "2025-03-14",
    f"{XSD}gYear": "2025",
    f"{XSD}gYearMonth": "2025-03",
    f"{XSD}boolean": True,
    f"{XSD}integer": 1,
}


# --------------------------------------------------------------------------- the context


@cache
def context(path: Path = CONTEXT_FILE) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    ctx: dict[str, Any] = document["@context"]
    return ctx


def is_prefix(definition: Any) -> bool:
    """A namespace prefix: a plain IRI ending with # or /, or a definition flagged @prefix."""
    if isinstance(definition, str):
        return definition.endswith(("#", "/"))
    return isinstance(definition, dict) and definition.get("@prefix") is True


def expand(value: str, path: Path = CONTEXT_FILE) -> str:
    """A term's IRI: a compact IRI expanded with the context's prefixes, keywords as they are."""
    prefix, colon, local = value.partition(":")
    definition = context(path).get(prefix)
    if colon and not local.startswith("//") and definition is not None and is_prefix(definition):
        namespace = definition if isinstance(definition, str) else definition["@id"]
        return str(namespace) + local
    return value


def terms(path: Path = CONTEXT_FILE) -> dict[str, dict[str, Any]]:
    """Every term of the context but keywords and prefixes, as an expanded definition."""
    out: dict[str, dict[str, Any]] = {}
    for name, definition in context(path).items():
        if name.startswith("@") or is_prefix(definition):
            continue
        full = {"@id": definition} if isinstance(definition, str) else dict(definition)
        full["@id"] = expand(full["@id"], path)
        if isinstance(full.get("@type"), str):
            full["@type"] = expand(full["@type"], path)
        out[name] = full
    return out


def scoped_base(definition: dict[str, Any]) -> str | None:
    scoped = definition.get("@context")
    return scoped.get("@base") if isinstance(scoped, dict) else None


def reference_terms() -> list[str]:
    """Terms whose values are resources of the graph (scoped @base: the instances)."""
    return sorted(t for t, d in terms().items() if scoped_base(d) == ID)


def concept_terms() -> list[str]:
    """Terms whose values are concepts (scoped @base: a scheme's namespace)."""
    return sorted(t for t, d in terms().items() if (scoped_base(d) or "").startswith(CONCEPT))


def typed_terms() -> list[str]:
    """Terms whose values are literals of a datatype."""
    return sorted(t for t, d in terms().items() if d.get("@type", "@id") != "@id")


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of a JSON document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


# --------------------------------------------------------------------------- parsing


def inline(document: Any) -> Any:
    """The document with the context URL replaced by the file's content, as the server and the
    command line do before handing JSON-LD to pyoxigraph (no remote context is ever loaded)."""

    def context_value(value: Any) -> Any:
        if value == CONTEXT_URL:
            return context()
        if value == LATEST_URL:
            return context(LATEST_FILE)
        if isinstance(value, list):
            return [context_value(v) for v in value]
        return value

    if isinstance(document, dict):
        return {k: context_value(v) if k == "@context" else inline(v) for k, v in document.items()}
    if isinstance(document, list):
        return [inline(v) for v in document]
    return document


def with_oxigraph(document: Any) -> list[ox.Quad]:
    data = json.dumps(inline(document)).encode("utf-8")
    return list(ox.parse(data, ox.RdfFormat.JSON_LD, base_iri=ID, rename_blank_nodes=True))


def with_pyld(document: Any, loader: Any = None) -> list[ox.Quad]:
    loader = loader or local_context_loader(Settings(project_dir=PROJECT_DIR))
    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": loader, "base": ID}
    )
    return list(ox.parse(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS))


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads with their blank nodes canonically labelled: equal sets mean isomorphic graphs."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def triples(quads: list[ox.Quad]) -> set[tuple[str, str, str]]:
    return {(str(q.subject).strip("<>"), q.predicate.value, str(q.object)) for q in quads}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology defines and the shapes use, and the concepts of the schemes."""

    classes: frozenset[str]
    properties: frozenset[str]
    datatypes: dict[str, frozenset[str]]  # path -> datatypes the shapes accept
    concepts: dict[str, frozenset[str]]  # path -> concepts the shapes accept
    notations: dict[str, str]  # concept -> skos:notation


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(row[n].value for n in names) for row in solutions]


@cache
def vocabulary() -> Vocabulary:
    ontology = ox.Store()
    ontology.bulk_extend(ox.parse(path=PROJECT_DIR / "ontology" / "qpvkg.ttl"))
    shapes = ox.Store()
    for path in sorted((PROJECT_DIR / "shapes").glob("*.ttl")):
        shapes.bulk_extend(ox.parse(path=path))
    concepts = ox.Store()
    for path in sorted((PROJECT_DIR / "ontology" / "concepts").glob("*.ttl")):
        concepts.bulk_extend(ox.parse(path=path))
    prefixes = (
        f"PREFIX rdf: <{RDF}> PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}> PREFIX sh: <{SH}> "
        f"PREFIX xsd: <{XSD}> "
    )

    classes = {
        c
        for (c,) in _rows(
            ontology,
            prefixes + "SELECT ?c WHERE { { ?c a owl:Class } UNION { ?x rdfs:subClassOf ?c } "
            "UNION { ?x rdfs:range ?c FILTER (!STRSTARTS(STR(?c), STR(xsd:)) "
            "&& ?c != rdf:langString) } FILTER isIRI(?c) }",
        )
    }
    classes |= {
        c
        for (c,) in _rows(
            shapes,
            prefixes + "SELECT ?c WHERE { ?s sh:class|sh:targetClass|"
            "<https://w3id.org/qpvkg/shapes#class> ?c FILTER isIRI(?c) }",
        )
    }
    properties = {
        p
        for (p,) in _rows(
            ontology,
            prefixes + "SELECT ?p WHERE { { ?p a owl:ObjectProperty } UNION "
            "{ ?p a owl:DatatypeProperty } UNION { ?x rdfs:subPropertyOf ?p } "
            "UNION { ?x ?p ?y } FILTER isIRI(?p) }",
        )
    }
    properties |= {
        p for (p,) in _rows(shapes, prefixes + "SELECT ?p WHERE { ?s sh:path ?p FILTER isIRI(?p) }")
    }
    # reused terms the ontology's README documents, e.g. `skos:altLabel`
    readme = ONTOLOGY_README.read_text(encoding="utf-8")
    for prefix, local in re.findall(r"`([a-z]+):([a-z][A-Za-z]+)`", readme):
        iri = expand(f"{prefix}:{local}")
        if iri != f"{prefix}:{local}":
            properties.add(iri)

    datatypes: dict[str, set[str]] = {}
    for prop, datatype in _rows(
        shapes,
        prefixes + "SELECT ?path ?dt WHERE { ?s sh:path ?path "
        "{ ?s sh:datatype ?dt } UNION { ?s sh:or/rdf:rest*/rdf:first/sh:datatype ?dt } }",
    ):
        datatypes.setdefault(prop, set()).add(datatype)
    accepted: dict[str, set[str]] = {}
    for prop, concept in _rows(
        shapes,
        prefixes + "SELECT ?path ?concept WHERE { ?s sh:path ?path "
        "{ ?s sh:node ?n } UNION { ?s sh:or/rdf:rest*/rdf:first ?n } "
        "?n sh:in/rdf:rest*/rdf:first ?concept }",
    ):
        accepted.setdefault(prop, set()).add(concept)
    notations = {
        concept: notation
        for concept, notation in _rows(concepts, f"SELECT ?c ?n WHERE {{ ?c <{SKOS}notation> ?n }}")
    }
    return Vocabulary(
        classes=frozenset(classes),
        properties=frozenset(properties),
        datatypes={k: frozenset(v) for k, v in datatypes.items()},
        concepts={k: frozenset(v) for k, v in accepted.items()},
        notations=notations,
    )


def short_concept(term: str) -> tuple[str, str]:
    """A concept the shapes accept for the term's property, under the term's @base: its
    notation (what a partner writes) and its IRI."""
    definition = terms()[term]
    base = scoped_base(definition) or ""
    concept = min(c for c in vocabulary().concepts[definition["@id"]] if c.startswith(base))
    return concept[len(base) :], concept


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def validator(settings: Settings) -> Validator:
    return Validator.from_settings(settings)


def validate(
    quads: list[ox.Quad], validator: Validator, settings: Settings, others: Sequence[Path] = ()
) -> ValidationReport:
    """The project's own validation: references resolve against the repository's data (its
    territories, actors, concepts), as `qpvkg validate` resolves them, and against the
    ``others`` examples (as on the server, where they are the partner's other graphs)."""
    described = [q for path in others for q in with_oxigraph(load(path))]
    resolved = context_from(repository_store(settings), referenced_iris([*quads, *described]))
    return validator.validate(quads, [*resolved, *described])


# --------------------------------------------------------------------------- (a) form


def test_the_context_is_json_ld_1_1_protected_without_vocab() -> None:
    document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    assert set(document) == {"@context"}, "the file holds a context and nothing else"
    ctx = context()
    assert ctx["@version"] == 1.1
    assert ctx["@protected"] is True
    assert ctx["id"] == "@id" and ctx["type"] == "@type"
    vocab = [key for key, _ in walk(document) if key == "@vocab"]
    assert not vocab, "no @vocab anywhere: an unknown key must not become a property"
    # no default language or base: SIREN and names stay plain strings, a document's own
    # relative IRIs resolve against the parser's base
    assert "@language" not in ctx and "@base" not in ctx
    for name, definition in terms().items():
        scoped = definition.get("@context")
        if scoped is not None:
            assert set(scoped) == {"@base"}, f"{name}: a scoped context only sets @base"
            assert definition.get("@type") == "@id", f"{name}: a scoped @base is for IRIs"


def test_the_term_names_are_french_camel_case_without_accents() -> None:
    for name in terms():
        assert re.fullmatch(r"[A-Za-z]+", name), name


# --------------------------------------------------------------------------- (b) IRIs


def test_every_term_is_a_class_or_property_of_the_ontology_or_a_documented_reuse() -> None:
    vocab = vocabulary()
    wrong = []
    for name, definition in terms().items():
        iri = definition["@id"]
        if iri.startswith("@"):
            continue
        if iri.startswith(QPVKG) and iri not in vocab.classes | vocab.properties:
            wrong.append(f"{name} -> {iri}: not defined in ontology/qpvkg.ttl")
        elif name[0].isupper() and iri not in vocab.classes:
            wrong.append(f"{name} -> {iri}: not a class of the ontology or the shapes")
        elif name[0].islower() and iri not in vocab.properties:
            wrong.append(f"{name} -> {iri}: not a property of the ontology, the shapes or README")
    assert not wrong, "\n".join(wrong)


def test_every_contributable_class_has_a_term() -> None:
    classes = {d["@id"] for n, d in terms().items() if n[0].isupper()}
    assert classes >= CONTRIBUTABLE, sorted(CONTRIBUTABLE - classes)


def test_scoped_bases_are_the_instances_or_a_concept_scheme() -> None:
    for name, definition in terms().items():
        base = scoped_base(definition)
        if base is None or base == ID:
            continue
        assert base.startswith(CONCEPT) and base.endswith("/"), f"{name}: {base}"
        scheme = base[len(CONCEPT) : -1]
        assert (PROJECT_DIR / "ontology" / "concepts" / f"{scheme}.ttl").is_file(), name


@pytest.mark.parametrize("term", concept_terms())
def test_concept_terms_resolve_notations_to_the_concepts_the_shapes_accept(term: str) -> None:
    vocab = vocabulary()
    definition = terms()[term]
    base = scoped_base(definition) or ""
    accepted = vocab.concepts.get(definition["@id"], frozenset())
    under = {c for c in accepted if c.startswith(base)}
    assert under, f"{term}: the shapes accept no concept under {base}"
    for concept in under:
        assert vocab.notations.get(concept) == concept[len(base) :], (
            f"{concept}: its notation must be its IRI's last segment, what a partner writes"
        )


def test_every_accepted_concept_has_a_short_form() -> None:
    """Where several terms write one property (mobiliseTypeActeur, mobiliseStatutJuridique),
    together they reach every concept the shapes accept for it."""
    vocab = vocabulary()
    bases: dict[str, set[str]] = {}
    for term in concept_terms():
        definition = terms()[term]
        bases.setdefault(definition["@id"], set()).add(scoped_base(definition) or "")
    for prop, prop_bases in bases.items():
        unreachable = {c for c in vocab.concepts[prop] if not c.startswith(tuple(prop_bases))}
        assert not unreachable, f"{prop}: {sorted(unreachable)}"


@pytest.mark.parametrize("term", typed_terms())
def test_typed_terms_use_a_datatype_the_shapes_accept(term: str) -> None:
    definition = terms()[term]
    accepted = vocabulary().datatypes.get(definition["@id"], frozenset())
    assert accepted, f"{term}: the shapes set no datatype for {definition['@id']}"
    assert definition["@type"] in accepted, f"{term}: {definition['@type']} not in {accepted}"


def test_each_date_property_has_a_term_per_accepted_precision() -> None:
    precisions = {f"{XSD}date", f"{XSD}gYear", f"{XSD}gYearMonth"}
    by_property: dict[str, set[str]] = {}
    for term in typed_terms():
        definition = terms()[term]
        if definition["@type"] in precisions:
            by_property.setdefault(definition["@id"], set()).add(definition["@type"])
    assert len(by_property) >= 6, sorted(by_property)
    for prop, types in by_property.items():
        assert types == precisions, f"{prop}: {sorted(types)}"


# --------------------------------------------------------------------------- (c) examples


def test_there_is_an_example_per_contributable_class() -> None:
    assert EXAMPLES, "docs/contribute/examples/*.jsonld"
    types = {
        q.object.value
        for path in EXAMPLES
        for q in with_oxigraph(load(path))
        if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
    }
    assert types >= CONTRIBUTABLE, sorted(CONTRIBUTABLE - types)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_means_the_same_to_pyoxigraph_and_pyld(path: Path) -> None:
    document = load(path)
    assert document["@context"] == CONTEXT_URL
    from_oxigraph = canonical(with_oxigraph(document))
    assert len(from_oxigraph) > 10
    assert from_oxigraph == canonical(with_pyld(document))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_means_the_same_to_the_server(path: Path) -> None:
    """The server's own parsing of a contribution (the context inlined, pyoxigraph)."""
    settings = Settings(project_dir=PROJECT_DIR)
    parsed = parse_contribution(path.read_bytes(), "application/ld+json", settings)
    assert canonical([ox.Quad(t.subject, t.predicate, t.object) for t in parsed]) == canonical(
        with_oxigraph(load(path))
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_conforms_to_the_shapes(
    path: Path, validator: Validator, settings: Settings
) -> None:
    """Each example conforms, what it references being described by the others."""
    others = [other for other in EXAMPLES if other != path]
    report = validate(with_oxigraph(load(path)), validator, settings, others)
    assert report.conforms, report.text
    assert not report.results, [r.as_dict() for r in report.results]  # no warning either


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_alone_is_refused_for_what_it_references(
    path: Path, validator: Validator, settings: Settings
) -> None:
    """Alone, an example that refers to the partner's other resources does not conform:
    a reference resolves only to a resource described somewhere."""
    quads = with_oxigraph(load(path))
    elsewhere = {
        q.subject for other in EXAMPLES if other != path for q in with_oxigraph(load(other))
    }
    pointed = {q.object for q in quads} & elsewhere - {q.subject for q in quads}
    report = validate(quads, validator, settings)
    assert report.conforms == (not pointed), report.text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_fictitious_and_points_only_to_real_resources(
    path: Path, settings: Settings
) -> None:
    quads = with_oxigraph(load(path))
    repository = repository_store(settings)
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            assert q.subject.value.startswith(EXAMPLE_DATA), q
        assert "siren" not in q.predicate.value and "siret" not in q.predicate.value, (
            "never a SIREN or SIRET in an example: it would name a real company"
        )
        if q.predicate == RDFS_LABEL:
            assert isinstance(q.object, ox.Literal) and q.object.value.startswith("Exemple"), q
        if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE:
            iri = q.object.value
            if iri.startswith(BASE):
                assert next(repository.quads_for_pattern(q.object, RDF_TYPE, None), None), (
                    f"{iri} is not a resource of the graph"
                )
            else:
                assert iri.startswith((EXAMPLE_DATA, EXAMPLE_SITE)), iri


def test_examples_validate_together_with_the_command_line(fresh_cli: Any) -> None:
    result = fresh_cli("validate", *(str(path) for path in EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_compacts_readably_and_back(path: Path) -> None:
    """The linked-data pages compact with the context: every key is a term, and the compacted
    document means the same triples (scoped @base and coercions survive compaction)."""
    settings = Settings(project_dir=PROJECT_DIR)
    quads = with_oxigraph(load(path))
    roots = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)})
    compacted = json.loads(jsonld_document([q.triple for q in quads], roots, settings))
    assert compacted["@context"] == LATEST_URL
    language_maps = {n for n, d in terms().items() if d.get("@container") == "@language"}
    names = set(context()) | {"@value", "@graph", "@language"}
    keys = {
        key
        for key, value in walk(compacted)
        if key != "@context" and not (isinstance(value, str) and re.fullmatch(r"[a-z]{2}", key))
    }
    assert keys <= names, sorted(keys - names)
    maps = [value for key, value in walk(compacted) if key in language_maps]
    assert all(isinstance(m, dict) and set(m) <= {"fr", "en"} for m in maps), maps
    back = with_pyld(compacted, document_loader(settings))
    assert canonical(back) == canonical(quads)


def guide_documents() -> list[Any]:
    """The JSON-LD documents of the guide's code blocks."""
    blocks = re.findall(r"```json\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return [json.loads(b) for b in blocks if '"@context"' in b]


def test_the_guide_example_conforms(validator: Validator, settings: Settings) -> None:
    documents = guide_documents()
    assert documents
    for document in documents:
        quads = with_oxigraph(document)
        assert canonical(quads) == canonical(with_pyld(document))
        # its actor is described in organisation.jsonld (innovation.jsonld is the same one, in full)
        others = [path for path in EXAMPLES if path.name != "innovation.jsonld"]
        report = validate(quads, validator, settings, others)
        assert report.conforms, report.text


def test_the_guide_documents_every_term() -> None:
    rows = dict(
        re.findall(r"^\| `([A-Za-z]+)` \| `([^`]+)` \|", GUIDE.read_text(encoding="utf-8"), re.M)
    )
    documented = {name: expand(iri, LATEST_FILE) for name, iri in rows.items()}
    expected = {name: d["@id"] for name, d in terms(LATEST_FILE).items()}
    assert documented == expected


# --------------------------------------------------------------------------- (d) references


@pytest.mark.parametrize(
    "value", ["commune/93066", "commune:93066", "https://w3id.org/qpvkg/id/commune/93066"]
)
def test_a_territory_by_short_form_compact_iri_or_full_iri(value: str) -> None:
    document = {"@context": CONTEXT_URL, "id": f"{EXAMPLE_DATA}x", "territoire": value}
    expected = {(f"{EXAMPLE_DATA}x", f"{QPVKG}territory", f"<{ID}commune/93066>")}
    assert triples(with_oxigraph(document)) == expected
    assert triples(with_pyld(document)) == expected


@pytest.mark.parametrize("term", reference_terms())
def test_reference_terms_resolve_under_the_instances(term: str) -> None:
    prop = terms()[term]["@id"]
    expected = {(f"{EXAMPLE_DATA}x", prop, f"<{ID}organisation/adive>")}
    for value in ("organisation/adive", f"{ID}organisation/adive"):
        document = {"@context": CONTEXT_URL, "id": f"{EXAMPLE_DATA}x", term: value}
        assert triples(with_oxigraph(document)) == expected, value
        assert triples(with_pyld(document)) == expected, value
    outside = {"@context": CONTEXT_URL, "id": f"{EXAMPLE_DATA}x", term: f"{EXAMPLE_DATA}y"}
    assert triples(with_oxigraph(outside)) == {(f"{EXAMPLE_DATA}x", prop, f"<{EXAMPLE_DATA}y>")}


@pytest.mark.parametrize("term", concept_terms())
def test_a_concept_by_notation_or_full_iri(term: str) -> None:
    notation, iri = short_concept(term)
    expected = {(f"{EXAMPLE_DATA}x", terms()[term]["@id"], f"<{iri}>")}
    for value in (notation, iri):
        document = {"@context": CONTEXT_URL, "id": f"{EXAMPLE_DATA}x", term: value}
        assert triples(with_oxigraph(document)) == expected, value
        assert triples(with_pyld(document)) == expected, value


@pytest.mark.parametrize("term", typed_terms())
def test_typed_terms_coerce_their_values(term: str) -> None:
    definition = terms()[term]
    value = SAMPLE_VALUES[definition["@type"]]
    document = {"@context": CONTEXT_URL, "id": f"{EXAMPLE_DATA}x", term: value}
    for quads in (with_oxigraph(document), with_pyld(document)):
        (quad,) = quads
        assert quad.predicate.value == definition["@id"]
        assert isinstance(quad.object, ox.Literal)
        assert quad.object.datatype.value == definition["@type"]
        assert quad.object.value == json.dumps(value).strip('"')


def test_a_relative_id_resolves_against_the_instances() -> None:
    document = {"@context": CONTEXT_URL, "id": "innovation/reseau-exemple-x", "libelle": "X"}
    expected = {(f"{ID}innovation/reseau-exemple-x", f"{RDFS}label", '"X"@fr')}
    assert triples(with_oxigraph(document)) == expected
    assert triples(with_pyld(document)) == expected


# --------------------------------------------------------------------------- (e) protection


def test_a_document_cannot_redefine_a_protected_term() -> None:
    document = {
        "@context": [CONTEXT_URL, {"libelle": "http://example.org/label"}],
        "id": f"{EXAMPLE_DATA}x",
        "libelle": "X",
    }
    with pytest.raises(SyntaxError, match="protected"):
        with_oxigraph(document)
    with pytest.raises(jsonld.JsonLdError):
        with_pyld(document)
    with pytest.raises(SourceSyntaxError, match="protected"):  # the server's 400
        parse_contribution(
            json.dumps(document).encode("utf-8"),
            "application/ld+json",
            Settings(project_dir=PROJECT_DIR),
        )
    # terms of its own, beside the context's, are welcome
    document["@context"] = [CONTEXT_URL, {"maPropriete": "http://example.org/p"}]
    document["maPropriete"] = "y"
    assert len(with_oxigraph(document)) == 2


# --------------------------------------------------------------------------- (f) freeze


def test_the_context_is_frozen() -> None:
    digest = hashlib.sha256(CONTEXT_FILE.read_bytes()).hexdigest()
    assert digest == CONTEXT_SHA256, (
        "ontology/context/v1.jsonld changed, but v1 is frozen: partners' documents would "
        "silently change meaning. Restore the file and publish the change as a new context, "
        "ontology/context/v2.jsonld (see ontology/README.md, 'The JSON-LD context')."
    )

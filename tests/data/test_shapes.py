"""The SHACL shapes: valid examples conform, every constraint has an invalid fixture that fails it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS

from loaders.build import context_from, referenced_iris
from loaders.settings import Settings
from loaders.sources import parse_file
from loaders.validate import ENGINES, ValidationReport, ValidationResult, Validator

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SHAPES_NS = "https://w3id.org/qpvkg/shapes#"
QPVKG = "https://w3id.org/qpvkg/def#"
IGEO = "http://rdf.insee.fr/def/geo#"
STUDY = "https://w3id.org/qpvkg/id/study/cget-innovation-qpv"
DATASET = "https://w3id.org/qpvkg/id/dataset/cog-2025"

#: Constraint parameters that, on a node shape, make a node-level constraint.
NODE_LEVEL = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.xone,
    SH.node,
    SH.closed,
    SH.sparql,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf, SH.target)


@dataclass(frozen=True)
class Fixture:
    """An invalid fixture: the shape it exercises and a fragment of the expected message."""

    path: Path
    shape: str
    expect: str


def read_header(path: Path) -> Fixture:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(shape|expect):\s*(.+?)\s*$", line)
        if match:
            header[match.group(1)] = match.group(2)
    assert set(header) == {"shape", "expect"}, f"{path.name}: needs '# shape:' and '# expect:'"
    return Fixture(path, header["shape"], header["expect"])


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def reference(settings: Settings) -> Validator:
    """Shapes and ontology loaded once for the module, validated by pySHACL."""
    return Validator.from_settings(settings, "pyshacl")


@pytest.fixture(scope="module", params=ENGINES)
def validator(request: pytest.FixtureRequest, reference: Validator) -> Validator:
    """Every test of the shapes runs with each engine: pySHACL and pyshacl-turbo."""
    return reference.with_engine(request.param)


@pytest.fixture(scope="module")
def references(settings: Settings) -> ox.Store:
    """The territories and actors the fixtures reference (what the graph would hold)."""
    store = ox.Store()
    store.bulk_extend(parse_file(FIXTURES / "context.ttl", settings))
    return store


@pytest.fixture(scope="module")
def shapes(validator: Validator) -> Graph:
    return validator.shapes


def validate_quads(
    quads: list[ox.Quad], validator: Validator, references: ox.Store
) -> ValidationReport:
    """Validate as `qpvkg validate` does: with the type and label of what the data references."""
    return validator.validate(quads, context_from(references, referenced_iris(quads)))


def validate_file(
    path: Path, validator: Validator, references: ox.Store, settings: Settings
) -> ValidationReport:
    return validate_quads(parse_file(path, settings), validator, references)


def term_name(iri: str | None) -> str:
    """The last segment of an IRI, after its last '#' or '/'."""
    return re.split("[#/]", iri or "")[-1]


def local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1]


# --------------------------------------------------------------------------- shapes graph


def messages(shapes: Graph, node: object, lang: str) -> list[str]:
    return [
        str(m)
        for m in shapes.objects(node, SH.message)  # type: ignore[arg-type]
        if isinstance(m, Literal) and m.language == lang
    ]


def reporting_shapes(shapes: Graph) -> dict[object, str]:
    """Every shape whose results are reported, with the constraint kind: the property
    shapes of the targeted node shapes, and targeted node shapes with node-level
    constraints (helper shapes used through sh:node or sh:or report through their user)."""
    out: dict[object, str] = {}
    for node_shape in {s for t in TARGETS for s in shapes.subjects(t, None)}:
        if any(True for p in NODE_LEVEL if (node_shape, p, None) in shapes):
            out[node_shape] = "node"
        for prop in shapes.objects(node_shape, SH.property):
            out[prop] = "property"
    return out


def shape_node(name: str | None) -> URIRef | BNode:
    """A result's source shape as a node of the shapes graph (named or blank)."""
    name = name or ""
    return URIRef(name) if name.startswith(("http://", "https://")) else BNode(name)


def reachable(shapes: Graph, shape: URIRef) -> set[object]:
    """The shape and the property shapes it lists."""
    return {shape, *shapes.objects(shape, SH.property)}


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_conforms(
    path: Path, validator: Validator, references: ox.Store, settings: Settings
) -> None:
    report = validate_file(path, validator, references, settings)
    assert report.conforms, "\n".join(
        f"{r.focus} {local(r.path)} {r.value}: {r.message_fr}" for r in report.violations
    )


GENID = "https://w3id.org/qpvkg/.well-known/genid/"
#: The suffix of the invalid fixtures about blank nodes, validated one by one as they are.
BLANK_FIXTURE = "-blank-node"


@dataclass(frozen=True)
class Outcome:
    """What the shapes said about one invalid fixture."""

    results: tuple[ValidationResult, ...]

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]


def isolate(quads: list[ox.Quad], key: str) -> list[ox.Quad]:
    """The fixture's quads with its own resources renamed apart (IRIs suffixed, blank nodes
    made IRIs under the fixture's key), so that all fixtures can be validated at once."""
    own = {q.subject for q in quads}
    renamed: dict[object, ox.NamedNode] = {}
    for term in own:
        if isinstance(term, ox.BlankNode):
            renamed[term] = ox.NamedNode(f"{GENID}{key}/{len(renamed)}")
        elif isinstance(term, ox.NamedNode):
            renamed[term] = ox.NamedNode(f"{term.value}--{key}")

    def rename(term: object) -> object:
        if isinstance(term, ox.BlankNode) and term not in renamed:
            renamed[term] = ox.NamedNode(f"{GENID}{key}/{len(renamed)}")
        return renamed.get(term, term)

    return [ox.Quad(rename(q.subject), q.predicate, rename(q.object)) for q in quads]  # type: ignore[arg-type]


def owner(focus: str) -> str | None:
    """The key of the fixture a renamed resource belongs to."""
    if focus.startswith(GENID):
        return focus[len(GENID) :].split("/", 1)[0]
    return focus.rsplit("--", 1)[1] if "--" in focus else None


@pytest.fixture(scope="module")
def outcomes(validator: Validator, references: ox.Store, settings: Settings) -> dict[str, Outcome]:
    """Every invalid fixture validated in one pass (pySHACL's cost is mostly per call),
    each result traced back to its fixture through its focus node."""
    quads: list[ox.Quad] = []
    found: dict[str, list[ValidationResult]] = {path.stem: [] for path in INVALID}
    for path in INVALID:
        if path.stem.endswith(BLANK_FIXTURE):  # renaming would give its blank node an IRI
            alone = validate_quads(parse_file(path, settings), validator, references)
            found[path.stem].extend(alone.results)
        else:
            quads.extend(isolate(parse_file(path, settings), path.stem))
    report = validate_quads(quads, validator, references)
    for result in report.results:
        key = owner(result.focus)
        if key is not None:
            found[key].append(result)
    return {key: Outcome(tuple(results)) for key, results in found.items()}


def matching(outcome: Outcome, fixture: Fixture) -> list[ValidationResult]:
    return [r for r in outcome.results if fixture.expect in r.message_fr]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_fixture_fails_its_constraint(
    path: Path, outcomes: dict[str, Outcome], shapes: Graph
) -> None:
    fixture = read_header(path)
    shape = URIRef(SHAPES_NS + fixture.shape)
    assert (shape, RDF.type, SH.NodeShape) in shapes, f"no node shape {fixture.shape}"
    outcome = outcomes[path.stem]
    found = matching(outcome, fixture)
    assert found, f"no result says {fixture.expect!r}: " + "; ".join(
        r.message_fr for r in outcome.results
    )
    for result in found:
        assert result.message_en, f"{result.shape}: no English message"
        assert result.message_en != result.message_fr, f"{result.shape}: English = French"
        assert shape_node(result.shape) in reachable(shapes, shape), (
            f"{result.shape} is not {fixture.shape} nor one of its property shapes"
        )
        declared = shapes.value(shape_node(result.shape), SH.severity)
        assert result.severity == local(str(declared or SH.Violation))
    if any(r.severity == "Violation" for r in found):
        assert not outcome.conforms
    # The fixture fails for that reason only: no other constraint is violated.
    reporting = {str(s) for s in reporting_shapes(shapes)}
    others = [
        r for r in outcome.violations if r.shape in reporting and fixture.expect not in r.message_fr
    ]
    assert not others, "also violates: " + "; ".join(r.message_fr for r in others)


# --------------------------------------------------------------------------- meta-tests


def french_messages(shapes: Graph) -> dict[str, object]:
    """Each distinct French message of a reporting shape, with one shape that has it."""
    out: dict[str, object] = {}
    for shape in reporting_shapes(shapes):
        for message in messages(shapes, shape, "fr"):
            out.setdefault(message, shape)
    return out


def test_every_constraint_has_an_invalid_fixture(shapes: Graph) -> None:
    expected = [read_header(path) for path in INVALID]
    missing = [
        message
        for message in french_messages(shapes)
        if not any(f.expect in message for f in expected)
    ]
    assert not missing, "constraints without an invalid fixture:\n" + "\n".join(missing)


def test_each_fixture_names_one_constraint(shapes: Graph) -> None:
    known = french_messages(shapes)
    for path in INVALID:
        fixture = read_header(path)
        hits = [m for m in known if fixture.expect in m]
        assert len(hits) == 1, f"{path.name}: {fixture.expect!r} matches {len(hits)} messages"


def test_every_constraint_has_a_french_and_an_english_message(shapes: Graph) -> None:
    for shape, kind in reporting_shapes(shapes).items():
        fr, en = messages(shapes, shape, "fr"), messages(shapes, shape, "en")
        assert len(fr) == 1, f"{kind} shape {shape}: {len(fr)} French messages"
        assert len(en) == 1, f"{kind} shape {shape}: {len(en)} English messages"
        assert fr != en


def test_every_severity_is_explicit_and_known(shapes: Graph) -> None:
    for shape, severity in shapes.subject_objects(SH.severity):
        assert severity in {SH.Warning, SH.Info}, f"{shape}: {severity} (Violation is the default)"


def test_node_shapes_are_named_after_their_class(shapes: Graph) -> None:
    for shape in {s for t in TARGETS for s in shapes.subjects(t, None)}:
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), shape
        assert local(str(shape)).endswith("Shape"), shape


def test_scheme_shapes_list_exactly_the_concepts_of_their_scheme(
    shapes: Graph, validator: Validator, settings: Settings
) -> None:
    concepts = Graph()
    for path in sorted((settings.ontology_dir / "concepts").glob("*.ttl")):
        concepts.parse(path)
    shapes_seen = 0
    for scheme in concepts.subjects(RDF.type, SKOS.ConceptScheme):
        key = str(scheme).rsplit("/", 1)[-1]
        name = "".join(part.capitalize() for part in key.split("-")) + "SchemeConcept"
        shape = URIRef(SHAPES_NS + name)
        listed = shapes.value(shape, SH["in"])
        assert listed is not None, f"no {name} with sh:in for scheme {key}"
        members = set(concepts.subjects(SKOS.inScheme, scheme))
        assert set(Collection(shapes, listed)) == members, name
        shapes_seen += 1
    assert shapes_seen >= 16


# --------------------------------------------------------------------------- behaviours

#: SIRENs of communes, from the Code officiel géographique (decoupage-administratif 6.0.0).
COMMUNE_SIRENS = {
    "13055": "211300553",  # Marseille
    "93066": "929939411",  # Saint-Denis
    "59512": "215905126",  # Roubaix
    "33063": "213300635",  # Bordeaux
    "2A004": "212000046",  # Ajaccio
    "97411": "219740115",  # Saint-Denis (La Réunion)
}
#: SIRETs with a right check digit: a common example, and La Poste's head office (Luhn)
#: and one of its establishments (digits adding up to a multiple of 5).
SIRETS = ("73282932000074", "35600000000048", "35600000049837")


def altered(number: str) -> str:
    """The number with its last digit changed: the Luhn check must then fail."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


RDF_TYPE = ox.NamedNode(str(RDF.type))


def described(iri: str, cls: str, facts: dict[str, str], source: str) -> list[ox.Quad]:
    """Quads of a described resource: type, French label, the facts (plain strings), source."""
    subject = ox.NamedNode(iri)
    return [
        ox.Quad(subject, RDF_TYPE, ox.NamedNode(cls)),
        ox.Quad(subject, ox.NamedNode(str(RDFS.label)), ox.Literal(iri, language="fr")),
        *(ox.Quad(subject, ox.NamedNode(p), ox.Literal(v)) for p, v in facts.items()),
        ox.Quad(subject, ox.NamedNode(str(DCTERMS.source)), ox.NamedNode(source)),
    ]


def luhn_results(report: ValidationReport) -> dict[str, str]:
    """Value -> focus of each Luhn result."""
    return {
        r.value or "": r.focus
        for r in report.results
        if r.constraint == SHAPES_NS + "LuhnConstraintComponent"
    }


def test_luhn_accepts_real_numbers_and_rejects_altered_ones(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """The qpvkg-shapes:luhn component, on organisations."""
    numbers = [*COMMUNE_SIRENS.values(), *SIRETS]
    quads: list[ox.Quad] = []
    for i, number in enumerate(numbers):
        prop = QPVKG + ("siren" if len(number) == 9 else "siret")
        for key, value in ((f"ok-{i}", number), (f"ko-{i}", altered(number))):
            iri = f"{settings.base_iri}id/organisation/{key}"
            quads += described(iri, QPVKG + "Organisation", {prop: value}, STUDY)
    flagged = luhn_results(validate_quads(quads, validator, references))
    assert set(flagged) == {altered(n) for n in numbers}


def test_luhn_in_one_pass_over_official_communes(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """The official territories go through qpvkg-shapes:WrongCheckDigitInstances."""
    quads: list[ox.Quad] = []
    for code, siren in COMMUNE_SIRENS.items():
        for key, value in ((code, siren), (f"{code}-altered", altered(siren))):
            iri = f"{settings.base_iri}id/commune/{key}"
            quads += described(iri, IGEO + "Commune", {QPVKG + "siren": value}, DATASET)
    flagged = luhn_results(validate_quads(quads, validator, references))
    assert set(flagged) == {altered(s) for s in COMMUNE_SIRENS.values()}


def test_references_are_not_validated_where_they_are_only_referenced(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """Brought by the context (as the validator brings what the data points to), type and
    label alone are references: checked where they are described."""
    stubs = parse_file(FIXTURES / "references-only.ttl", settings)
    data = parse_file(VALID[0], settings)
    alone = validate_quads(data, validator, references)
    report = validator.validate(data, [*context_from(references, referenced_iris(data)), *stubs])
    assert report.results == alone.results
    assert {r.focus for r in report.results} & {q.subject.value for q in stubs} == set()


def test_the_same_resources_under_check_are_validated(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """The same type-and-label nodes as the data under check are validated like any node."""
    stubs = parse_file(FIXTURES / "references-only.ttl", settings)
    report = validate_quads(stubs, validator, references)
    assert not report.conforms
    flagged = {r.focus for r in report.violations}
    assert flagged == {q.subject.value for q in stubs}


def test_a_bare_typed_node_is_validated_against_the_shapes_of_its_class(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """A node that carries only its type (or a type and a label) is checked like any
    other: a bare innovation misses its label, its source and its involvement; a bare
    organisation as a blank node is refused for its lack of an IRI too."""
    quads = parse_file(FIXTURES / "bare-nodes.ttl", settings)
    report = validate_quads(quads, validator, references)
    assert not report.conforms
    missing: dict[str, set[str]] = {}
    for r in report.violations:
        missing.setdefault(r.focus, set()).add(term_name(r.path) if r.path else r.constraint or "")
    bare = "https://data.bare.example/"
    assert {"label", "source", "involvement"} <= missing[f"{bare}innovation"]
    for name in ("dispositif", "organisation", "personne", "partenariat", "entree"):
        assert "source" in missing[f"{bare}{name}"], (name, missing.get(f"{bare}{name}"))
    assert "label" in missing[f"{bare}document"]
    assert {"codeINSEE", "zone"} <= missing[f"{bare}commune"]
    blank = [f for f in missing if not f.startswith("http")]
    assert len(blank) == 7
    for focus in blank:
        assert f"{SH}NodeKindConstraintComponent" in missing[focus]
        assert "label" in missing[focus]
    by_iri = {
        local(r.shape)
        for r in report.violations
        if r.constraint == f"{SH}NodeKindConstraintComponent"
    }
    assert by_iri == {
        f"{name}Shape"
        for name in (
            "Innovation",
            "SupportScheme",
            "Organisation",
            "Person",
            "Partnership",
            "BibliographicResource",
            "StudyEntry",
        )
    }


def test_national_innovation_without_territory_is_a_warning_only(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    report = validate_file(FIXTURES / "valid" / "initiatives.ttl", validator, references, settings)
    warnings = [r for r in report.results if r.severity == "Warning"]
    assert report.conforms
    assert [local(r.focus.rsplit("/", 1)[-1]) for r in warnings] == ["impact-partenaires"]


#: Malformed numbers: the format check reports them, the Luhn check leaves them alone
#: (letters, a sign, a space, Arabic-Indic digits, ten digits, a final newline, which a
#: pattern's `$` lets through in both engines).
MALFORMED = ("21130053A", "+21130053", " 21130053", "٢١١٣٠٠٥٣٥", "2113005355", "211300553\n")


def test_luhn_leaves_malformed_numbers_to_the_format_check(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    quads: list[ox.Quad] = []
    for i, number in enumerate(MALFORMED):
        organisation = f"{settings.base_iri}id/organisation/malformed-{i}"
        quads += described(organisation, QPVKG + "Organisation", {QPVKG + "siren": number}, STUDY)
        commune = f"{settings.base_iri}id/commune/malformed-{i}"
        quads += described(commune, IGEO + "Commune", {QPVKG + "siren": number}, DATASET)
    report = validate_quads(quads, validator, references)
    assert luhn_results(report) == {}
    formats = {(r.focus, r.value) for r in report.violations if r.path == QPVKG + "siren"}
    assert {value for _, value in formats} == set(MALFORMED)
    assert len(formats) == 2 * len(MALFORMED)


def test_a_zone_is_one_of_three_words_exactly(
    validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """The zone as `sh:in ( "metro" "drom" "com" )` would check it: no other text, no final
    newline, no language tag, no other datatype."""
    good = ["metro", "drom", "com"]
    bad: list[ox.Literal] = [
        ox.Literal("metro\n"),
        ox.Literal("Metro"),
        ox.Literal("outre-mer"),
        ox.Literal("com", language="fr"),
        ox.Literal("drom", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#token")),
    ]
    quads: list[ox.Quad] = []
    values = [ox.Literal(v) for v in good] + bad
    for i, value in enumerate(values):
        commune = ox.NamedNode(f"{settings.base_iri}id/commune/zone-{i}")
        quads += described(commune.value, IGEO + "Commune", {}, DATASET)
        quads.append(ox.Quad(commune, ox.NamedNode(QPVKG + "zone"), value))
    report = validate_quads(quads, validator, references)
    flagged = {r.focus for r in report.violations if r.path == QPVKG + "zone"}
    assert flagged == {f"{settings.base_iri}id/commune/zone-{i}" for i in range(3, len(values))}


def test_both_engines_give_the_same_results(
    reference: Validator, references: ox.Store, settings: Settings
) -> None:
    """pyshacl-turbo against pySHACL, the reference: every fixture at once, and the
    Luhn checks of organisations and communes; every field of every result."""
    quads: list[ox.Quad] = []
    for path in INVALID:
        quads.extend(isolate(parse_file(path, settings), path.stem))
    for path in VALID:
        quads.extend(isolate(parse_file(path, settings), f"valid-{path.stem}"))
    for code, siren in COMMUNE_SIRENS.items():
        iri = f"{settings.base_iri}id/commune/{code}-altered"
        quads += described(iri, IGEO + "Commune", {QPVKG + "siren": altered(siren)}, DATASET)
    for i, number in enumerate(SIRETS):
        iri = f"{settings.base_iri}id/organisation/altered-{i}"
        quads += described(iri, QPVKG + "Organisation", {QPVKG + "siret": altered(number)}, STUDY)
    context = context_from(references, referenced_iris(quads))
    expected = reference.validate(quads, context)
    got = reference.with_engine("pyshacl-turbo").validate(quads, context)
    assert len(expected.violations) > len(INVALID)
    assert got.conforms == expected.conforms
    assert sorted(got.results, key=repr) == sorted(expected.results, key=repr)


#: The properties whose value is a web page a reader opens, and IRIs that are not web pages.
WEB_PAGES = (
    str(DCTERMS.source),
    "http://xmlns.com/foaf/0.1/homepage",
    "http://www.w3.org/ns/dcat#landingPage",
    str(RDFS.seeAlso),
)
NOT_WEB = ("javascript:window.__xss=1", "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E")


@pytest.mark.parametrize("prop", WEB_PAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_web_page_properties_refuse_javascript_and_data_iris(
    prop: str, validator: Validator, references: ox.Store, settings: Settings
) -> None:
    """Where a web page is expected, a javascript: or data: IRI is refused (the pages would
    show it as text anyway), and an https IRI is accepted."""
    quads: list[ox.Quad] = []
    for i, iri in enumerate((*NOT_WEB, "https://exemple.fr/page")):
        subject = f"{settings.base_iri}id/organisation/web-{i}"
        quads += described(subject, QPVKG + "Organisation", {}, STUDY)
        quads.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(prop), ox.NamedNode(iri)))
    report = validate_quads(quads, validator, references)
    refused = {r.value for r in report.violations if r.path == prop}
    assert refused == set(NOT_WEB), [r.message_fr for r in report.violations]

"""A partner's body, read and checked before anything is written.

It is parsed (JSON-LD with pyoxigraph, the project's own contexts inlined and no other
context ever loaded; Turtle, N-Triples, RDF/XML without entity declarations) within the limits
of ``loaders.limits``; its triples must be instance data (no class, property, shape or concept
is (re)defined, nothing qpvkg computes itself is stated), and one write describes at most
``QPVKG_MAX_CONTRIBUTION_SUBJECTS`` subjects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.errors import (
    BadInputError,
    EmptyContributionError,
    ForbiddenError,
    PayloadTooLargeError,
    SourceSyntaxError,
    TooManySubjectsError,
    UnsupportedMediaTypeError,
)
from loaders.limits import (
    check_language_tags,
    check_no_null_context,
    check_term_sizes,
    check_xml_prolog,
    load_json,
    raise_token_too_large,
)
from loaders.namespaces import OWL, RDF, RDFS, SH, SKOS
from loaders.rdfformats import JSONLD, NTRIPLES, RDFXML, TURTLE
from loaders.settings import DEFAULT_BASE_IRI, Settings
from loaders.sources import context_dir, rebase_quads
from loaders.validate import MARKS

#: Media types a contribution may use (anything else: 415).
#: The formats a contribution may be sent in (``loaders/rdfformats.py``): their own media
#: types (not the wider ones, application/json or text/plain) and their file suffixes.
CONTRIBUTION_FORMATS = (JSONLD, TURTLE, NTRIPLES, RDFXML)
MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    media: s.oxigraph for s in CONTRIBUTION_FORMATS for media in s.media_types
}
SUFFIXES = {suffix: s.media_type for s in CONTRIBUTION_FORMATS for suffix in s.suffixes}

#: Predicates and types that define vocabulary, never instance data.
SCHEMA_PREDICATES = {
    f"{RDFS}subClassOf",
    f"{RDFS}subPropertyOf",
    f"{RDFS}domain",
    f"{RDFS}range",
    f"{SKOS}inScheme",
    f"{SKOS}topConceptOf",
    f"{SKOS}hasTopConcept",
    f"{SKOS}broader",
    f"{SKOS}narrower",
}
SCHEMA_TYPES = {
    f"{RDFS}Class",
    f"{RDF}Property",
    f"{RDFS}Datatype",
    f"{SKOS}Concept",
    f"{SKOS}ConceptScheme",
}
ALLOWED_OWL = {f"{OWL}sameAs"}


def media_type_for(content_type: str | None, filename: str | None = None) -> str:
    """The media type of a body: its Content-Type, else a file's suffix; 415 otherwise."""
    if content_type:
        media = content_type.split(";")[0].strip().lower()
        if media in MEDIA_TYPES:
            return media
        raise UnsupportedMediaTypeError(
            f"unsupported media type {media!r}: send one of {', '.join(MEDIA_TYPES)}",
            accepted=list(MEDIA_TYPES),
        )
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix in SUFFIXES:
            return SUFFIXES[suffix]
        raise UnsupportedMediaTypeError(
            f"cannot tell the format of {filename}: use a suffix among {', '.join(SUFFIXES)}",
            accepted=list(MEDIA_TYPES),
        )
    raise UnsupportedMediaTypeError(
        f"a Content-Type is required: one of {', '.join(MEDIA_TYPES)}", accepted=list(MEDIA_TYPES)
    )


def context_urls(settings: Settings) -> dict[str, Path]:
    """The project's context URLs (under the configured and the canonical base) -> files."""
    out: dict[str, Path] = {}
    for path in sorted(context_dir(settings).glob("*.jsonld")):
        for base in {settings.base_iri, DEFAULT_BASE_IRI}:
            out[f"{base}context/{path.name}"] = path
    return out


def inline_contexts(document: Any, settings: Settings) -> Any:
    """The document with the project's context URLs replaced by their content.

    Any other remote context (or ``@import``) is refused: parsing never opens a connection
    a contributor chose."""
    known = context_urls(settings)
    cache: dict[str, Any] = {}

    def load(url: str) -> Any:
        if url not in known:
            raise BadInputError(
                f"remote context {url!r} is not loaded: use the project's context "
                f"{settings.base_iri}context/v1.jsonld or put your terms inline",
                context=url,
            )
        if url not in cache:
            cache[url] = json.loads(known[url].read_text(encoding="utf-8"))["@context"]
        return cache[url]

    def context_value(value: Any) -> Any:
        if isinstance(value, str):
            return load(value)
        if isinstance(value, list):
            return [context_value(v) for v in value]
        if isinstance(value, dict):
            if "@import" in value:
                raise BadInputError(
                    "@import in a context is not accepted: use the project's context URL",
                    context=str(value["@import"]),
                )
            return {k: walk(v) for k, v in value.items()}
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: context_value(v) if k == "@context" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    inlined = walk(document)
    check_terms(inlined)
    return inlined


MAP_CONTAINERS = {"@language", "@index", "@id", "@type"}


def check_terms(document: Any) -> None:
    """400 for keys no context defines: JSON-LD would drop them without a word (no
    ``@vocab``), and a misspelt term would silently lose its facts."""
    terms: dict[str, Any] = {}

    def collect(context: Any) -> None:
        if isinstance(context, list):
            for item in context:
                collect(item)
        elif isinstance(context, dict):
            for key, definition in context.items():
                if not key.startswith("@"):
                    terms[key] = definition
                if isinstance(definition, dict) and "@context" in definition:
                    collect(definition["@context"])

    def gather(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    collect(value)
                else:
                    gather(value)
        elif isinstance(node, list):
            for item in node:
                gather(item)

    gather(document)
    unknown: set[str] = set()

    def container(key: str) -> set[str]:
        definition = terms.get(key)
        value = definition.get("@container") if isinstance(definition, dict) else None
        return set(value) if isinstance(value, list) else {value} if value else set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "@context":
                continue
            if not key.startswith("@") and ":" not in key and key not in terms:
                unknown.add(key)
            if container(key) & MAP_CONTAINERS and isinstance(value, dict):
                for item in value.values():  # the map's keys are languages, ids, indexes
                    walk(item)
            else:
                walk(value)

    walk(document)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise BadInputError(
            f"unknown term(s) {names}: the context does not define them, and JSON-LD would "
            "drop them silently; check the spelling against the context's terms "
            "(docs/contribute.md) or use full IRIs",
            terms=sorted(unknown),
        )


def parse_contribution(
    data: bytes, media_type: str, settings: Settings, *, name: str = "the body"
) -> list[ox.Triple]:
    """The triples of a contribution (blank nodes renamed apart); 400 with the parser's
    line and column when malformed. The limits (docs/contribute.md#limits) are checked
    before the RDF parser runs (document type, JSON depth and tokens, contexts, language
    tags) and on its triples (literal sizes)."""
    if len(data) > settings.max_body_bytes:
        raise PayloadTooLargeError(
            f"{name} is larger than {settings.max_body_bytes} bytes (QPVKG_MAX_BODY_BYTES)",
            limit=settings.max_body_bytes,
        )
    fmt = MEDIA_TYPES[media_type]
    base = f"{DEFAULT_BASE_IRI}id/"
    if fmt == ox.RdfFormat.JSON_LD:
        document = load_json(data, name)
        if not isinstance(document, dict | list):
            raise EmptyContributionError(
                f"{name} is JSON but not a JSON-LD document: send an object (or an array of "
                "objects) describing your resources",
            )
        check_no_null_context(document, name)
        inlined = inline_contexts(document, settings)
        check_language_tags(inlined, name)
        data = json.dumps(inlined).encode("utf-8")
    elif fmt == ox.RdfFormat.RDF_XML:
        check_xml_prolog(data, name)
    try:
        quads = list(
            ox.parse(data, fmt, base_iri=base, without_named_graphs=True, rename_blank_nodes=True)
        )
    except SyntaxError as exc:
        near = syntax_error_text(data, exc)
        raise SourceSyntaxError(
            f"{name} does not parse as {media_type}: {exc}" + (f" (at {near!r})" if near else ""),
            **({"text": near} if near else {}),
        ) from None
    except (ValueError, OSError) as exc:
        raise SourceSyntaxError(f"{name} does not parse as {media_type}: {exc}") from None
    except MemoryError as exc:
        raise_token_too_large(exc, name)
    if settings.base_iri != DEFAULT_BASE_IRI:
        quads = list(rebase_quads(quads, settings.base_iri))
    triples = list(dict.fromkeys(q.triple for q in quads))
    check_term_sizes(triples, settings.max_literal_bytes, name)
    return triples


def syntax_error_text(data: bytes, exc: SyntaxError, keep: int = 200) -> str:
    """The text a parser error points to (a malformed language tag, a bad IRI), if it
    points to one line."""
    if not exc.lineno or not exc.offset or exc.end_lineno != exc.lineno or not exc.end_offset:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if exc.lineno > len(lines):
        return ""
    return lines[exc.lineno - 1][exc.offset - 1 : exc.end_offset][:keep].strip()


#: Terms of the ontology that only qpvkg's derivations write (graph/derived/...): a partner
#: gives a point, qpvkg places it; the study names a neighbourhood, qpvkg links it.
DERIVED_TERMS = (
    "locatedInQpv",
    "QpvPlacement",
    "placedThing",
    "placedPoint",
    "placementRule",
    "contourVersion",
    "officialQpv",
)


def check_instance_data(triples: Sequence[ox.Triple], settings: Settings, own: str) -> None:
    """403 for triples that define vocabulary (the ontology, concepts, shapes) or describe
    the project's graphs; a partner may describe its own graphs (under ``own``)."""
    reserved = (settings.def_ns.rstrip("#"), f"{settings.base_iri}concept/", settings.graph_iri(""))
    # computed by qpvkg into its derived graphs (placements, neighbourhood links), or by its
    # validator for its own copy of the data (its marks), never given
    derived = {f"{settings.def_ns}{name}" for name in DERIVED_TERMS} | {m.value for m in MARKS}
    offending: list[str] = []
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        reason = None
        if (
            isinstance(s, ox.NamedNode)
            and s.value.startswith(reserved)
            and not s.value.startswith(own)
        ):
            reason = "describes a term of the ontology, a concept or a graph of the project"
        elif p in derived or (
            p == f"{RDF}type" and isinstance(o, ox.NamedNode) and o.value in derived
        ):
            reason = f"states {p if p in derived else o}, which qpvkg computes itself"
        elif (p.startswith((SH, OWL)) and p not in ALLOWED_OWL) or p in SCHEMA_PREDICATES:
            reason = f"uses the schema property {p}"
        elif (
            p == f"{RDF}type"
            and isinstance(o, ox.NamedNode)
            and (o.value in SCHEMA_TYPES or o.value.startswith((OWL, SH)))
        ):
            reason = f"declares a {o.value}"
        if reason:
            offending.append(f"{t.subject} {t.predicate} {t.object}: {reason}")
    if offending:
        shown = offending[:10]
        more = f" (and {len(offending) - 10} more)" if len(offending) > 10 else ""
        raise ForbiddenError(
            f"a contribution holds instance data, never classes, properties, concepts or "
            f"shapes: {len(offending)} triple(s) refused{more}",
            triples=shown,
        )


def check_subject_count(triples: Sequence[ox.Triple], settings: Settings) -> None:
    """Refuse, before SHACL runs, a graph that describes more subjects than one write may
    (``QPVKG_MAX_CONTRIBUTION_SUBJECTS``): validating costs about a millisecond a subject,
    the graph's lock held (and once more under the write lock if another write landed)."""
    limit = settings.max_contribution_subjects
    subjects = len({t.subject for t in triples})
    if subjects > limit:
        raise TooManySubjectsError(
            f"the graph would describe {subjects} subjects, more than the {limit} one write "
            "may: send the data in several graphs; nothing was written",
            subjects=subjects,
            limit=limit,
        )

"""Partner contributions: parse, authorise, validate, commit atomically, keep the history.

One code path for the Graph Store Protocol (``PUT/POST/DELETE /store?graph=IRI``) and for
``qpvkg contribute``. Each accepted write:

1. parses the body (JSON-LD with pyoxigraph, the project's own contexts inlined and no other
   context ever loaded; Turtle, N-Triples, RDF/XML without entity declarations) within the
   limits of ``loaders.limits``, and names its blank nodes canonically (``loaders.canonical``);
2. checks the partner may write the graph (``{base}graph/partner/{name}/...``), that the
   triples are instance data (no class, property, shape or concept is (re)defined), and that
   they describe only resources the partner mints, linking to the others
   (``loaders.ownership``);
3. validates the resulting graph with SHACL, together with the ontology and what the store
   holds about the resources it points to (so an unknown territory or concept is caught);
4. writes the version's content to the history folder, then commits the graph and its
   provenance (PROV-O, DCAT versions) in one ``Store.update`` transaction: a write is wholly
   visible or not at all, also when the process is killed during it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from loaders.canonical import canonical_triples
from loaders.errors import (
    BadInputError,
    ConflictError,
    EmptyContributionError,
    ForbiddenError,
    PayloadTooLargeError,
    SourceSyntaxError,
    TooManySubjectsError,
    UnknownResourceError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
)
from loaders.files import write_atomic
from loaders.limits import (
    check_language_tags,
    check_no_null_context,
    check_term_sizes,
    check_xml_prolog,
    load_json,
    raise_token_too_large,
)
from loaders.location import located_points, placement_triples, placement_update
from loaders.namedqueries import internal_query
from loaders.namespaces import (
    DCAT,
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    SPDX,
    VOID,
    XSD,
)
from loaders.ownership import check_ownership
from loaders.partners import PartnerRegistry, check_graph, partner_graph_prefix
from loaders.rdfformats import JSONLD, NTRIPLES, RDFXML, TURTLE
from loaders.references import context_from, referenced_iris
from loaders.remote import RemoteStore
from loaders.settings import DEFAULT_BASE_IRI, Settings
from loaders.sources import context_dir, rebase_quads
from loaders.store import GraphStore
from loaders.validate import MARKS, ValidationReport, Validator

Mode = Literal["put", "post", "delete", "rollback"]

#: blank nodes followed from a described resource, over an external store (the curated data
#: nests them two deep: an involvement, then its period)
REMOTE_BNODE_DEPTH = 4

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


# ----------------------------------------------------------------------------- results


@dataclass
class WriteResult:
    """What a write did; ``timings`` holds seconds per step (parse, shacl, commit)."""

    graph: str
    partner: str
    action: str
    version: int
    triples: int
    checksum: str
    added: int
    removed: int
    created: bool
    when: str
    warnings: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    update: str = field(default="", repr=False)  # the committed SPARQL update (for replicas)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("update")
        data["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        return data


@dataclass(frozen=True)
class Version:
    graph: str
    version: int
    action: str
    partner: str
    when: str
    triples: int
    checksum: str
    added: int
    removed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------- parsing


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


# ----------------------------------------------------------------------------- history


class History:
    """The content of every version of every partner graph, one gzip N-Triples file each.

    A version's file is written (and synced) before the store commits it; the store's
    provenance says which versions exist, so a file left by an interrupted write is ignored
    and overwritten by the next write."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> History:
        if settings.read_only:  # a replica reads the copy shipped with its generation
            from loaders.replica import history_root

            return cls(history_root(settings))
        return cls(settings.store_path.parent / f"{settings.store_path.name}-history")

    def folder(self, graph: str) -> Path:
        return self.root / hashlib.sha256(graph.encode("utf-8")).hexdigest()[:24]

    def write(self, graph: str, version: int, body: bytes) -> None:
        folder = self.folder(graph)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "graph.txt").write_text(graph + "\n", encoding="utf-8")
        compressed = gzip.compress(body, compresslevel=3, mtime=0)
        write_atomic(folder / f"v{version}.nt.gz", compressed)

    def read(self, graph: str, version: int) -> bytes:
        path = self.folder(graph) / f"v{version}.nt.gz"
        if not path.exists():
            raise UnknownResourceError(f"no content kept for version {version} of {graph}")
        return gzip.decompress(path.read_bytes())


# ----------------------------------------------------------------------------- provenance


def registry_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("contributions"))


def partner_iri(settings: Settings, partner: str) -> str:
    return f"{settings.base_iri}id/partner/{partner}"


def versions(store: GraphStore, settings: Settings, graph: str) -> list[Version]:
    """The recorded versions of a graph, oldest first."""
    rows = store.query(
        internal_query(settings, "graph-versions"),
        substitutions={
            ox.Variable("registry"): registry_graph(settings),
            ox.Variable("graph"): ox.NamedNode(graph),
        },
    )
    out = []
    for row in rows:  # type: ignore[union-attr]
        out.append(
            Version(
                graph=graph,
                version=int(row["n"].value),
                action=row["action"].value,
                partner=row["partner"].value,
                when=row["when"].value,
                triples=int(row["triples"].value),
                checksum=row["checksum"].value,
                added=int(row["added"].value),
                removed=int(row["removed"].value),
            )
        )
    return out


def provenance_triples(
    settings: Settings,
    graph: str,
    version: int,
    action: str,
    partner: str,
    when: str,
    triples: int,
    checksum: str,
    added: int,
    removed: int,
    live: bool,
) -> list[ox.Triple]:
    """The graph's current description and the record of this version (PROV-O, DCAT 3)."""
    g = ox.NamedNode(graph)
    v = ox.NamedNode(f"{graph}#v{version}")
    c = ox.NamedNode(f"{graph}#v{version}-checksum")
    agent = ox.NamedNode(partner_iri(settings, partner))
    ns = settings.def_ns

    def lit(value: str | int, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))

    out = [
        ox.Triple(agent, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Agent")),
        ox.Triple(agent, ox.NamedNode(f"{RDFS}label"), ox.Literal(partner)),
        ox.Triple(v, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Entity")),
        ox.Triple(v, ox.NamedNode(f"{DCAT}isVersionOf"), g),
        ox.Triple(v, ox.NamedNode(f"{PROV}specializationOf"), g),
        ox.Triple(v, ox.NamedNode(f"{DCAT}version"), lit(version, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}writeAction"), ox.Literal(action)),
        ox.Triple(v, ox.NamedNode(f"{PROV}wasAttributedTo"), agent),
        ox.Triple(v, ox.NamedNode(f"{PROV}generatedAtTime"), lit(when, f"{XSD}dateTime")),
        ox.Triple(v, ox.NamedNode(f"{VOID}triples"), lit(triples, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}triplesAdded"), lit(added, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}triplesRemoved"), lit(removed, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{SPDX}checksum"), c),
        ox.Triple(
            c, ox.NamedNode(f"{SPDX}algorithm"), ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256")
        ),
        ox.Triple(c, ox.NamedNode(f"{SPDX}checksumValue"), ox.Literal(checksum)),
    ]
    if version > 1:
        previous = ox.NamedNode(f"{graph}#v{version - 1}")
        out.append(ox.Triple(v, ox.NamedNode(f"{PROV}wasRevisionOf"), previous))
        out.append(ox.Triple(v, ox.NamedNode(f"{DCAT}previousVersion"), previous))
    if live:
        out += [
            ox.Triple(g, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{VOID}Dataset")),
            ox.Triple(g, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Entity")),
            ox.Triple(g, ox.NamedNode(f"{PROV}wasAttributedTo"), agent),
            ox.Triple(g, ox.NamedNode(f"{DCAT}hasCurrentVersion"), v),
            ox.Triple(g, ox.NamedNode(f"{DCTERMS}modified"), lit(when, f"{XSD}dateTime")),
            ox.Triple(g, ox.NamedNode(f"{VOID}triples"), lit(triples, f"{XSD}integer")),
        ]
    return out


# ----------------------------------------------------------------------------- the write


_locks_guard = threading.Lock()
_graph_locks: dict[str, threading.Lock] = {}
_write_lock = threading.Lock()  # commits, one at a time per process
_commits = 0  # commits of this process: a validation made while one landed is made again
_validating = 0  # validations running in this process, guarded by _locks_guard
VALIDATION_ATTEMPTS = 3  # validations outside the write lock before one under it


def validations_running() -> int:
    """The writes of this process whose SHACL validation is running now (the
    ``qpvkg_writes_validating`` gauge): a long one shows here while others commit."""
    return _validating


@contextmanager
def validation_running() -> Iterator[None]:
    global _validating
    with _locks_guard:
        _validating += 1
    try:
        yield
    finally:
        with _locks_guard:
            _validating -= 1


@contextmanager
def graph_lock(graph: str) -> Iterator[None]:
    """One write at a time per graph: a second one is refused with 409, never interleaved."""
    with _locks_guard:
        lock = _graph_locks.setdefault(graph, threading.Lock())
    if not lock.acquire(blocking=False):
        raise ConflictError(
            f"another write to {graph} is in progress: retry when it is done", graph=graph
        )
    try:
        yield
    finally:
        lock.release()


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def checksum_of(body: bytes) -> str:
    """SHA-256 of the sorted N-Triples lines; blank nodes carry their canonical labels
    (``loaders.canonical``), so the same content always has the same checksum."""
    lines = sorted(line for line in body.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def current_triples(store: GraphStore, graph: str) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def validation_context(
    store: GraphStore, graph: str, triples: Sequence[ox.Triple]
) -> list[ox.Quad]:
    """What the store holds, outside the graph, that the validation needs: the other
    graphs' triples about the resources the triples describe (the union the endpoint serves
    is what must conform), and the types and labels of every resource either points to."""
    g = ox.NamedNode(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    described = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    about: list[ox.Quad] = []
    if isinstance(store, RemoteStore):  # blank nodes are followed within each request
        about = store.subjects_quads(described, bnode_depth=REMOTE_BNODE_DEPTH, exclude_graph=g)
    else:
        pending: list[tuple[ox.NamedNode | ox.BlankNode, Any]] = [(s, None) for s in described]
        seen: set[ox.BlankNode] = set()
        while pending:  # concise bounded descriptions: blank nodes are followed
            subject, in_graph = pending.pop()
            for q in store.quads_for_pattern(subject, None, None, in_graph):
                if q.graph_name == g:
                    continue
                about.append(ox.Quad(q.subject, q.predicate, q.object))
                if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                    seen.add(q.object)
                    pending.append((q.object, q.graph_name))
    return context_from(store, referenced_iris([*quads, *about])) + about


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


def validate_graph(
    validator: Validator, store: GraphStore, graph: str, triples: Sequence[ox.Triple]
) -> ValidationReport:
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    return validator.validate(quads, validation_context(store, graph, triples))


def contribute(
    store: GraphStore,
    settings: Settings,
    *,
    partner: str,
    graph: str,
    data: bytes | None,
    media_type: str | None,
    mode: Mode,
    validator: Validator | Callable[[], Validator] | None = None,
    timings: dict[str, float] | None = None,
    history: History | None = None,
    rollback_to: int | None = None,
) -> WriteResult:
    """Write a partner graph (``put`` replaces, ``post`` adds, ``delete`` withdraws,
    ``rollback`` makes version ``rollback_to`` current again). Raises the domain error of a
    refused write; then nothing is written."""
    timings = timings if timings is not None else {}
    check_graph(settings, partner, graph)
    history = history or History.from_settings(settings)
    global _commits
    # one write at a time per graph; the global lock is held for the commit only, so that a
    # long validation of one partner's graph does not hold back the others' writes
    with graph_lock(graph), ExitStack() as commit_lock:
        start = time.perf_counter()
        previous = versions(store, settings, graph)
        existing = canonical_triples(current_triples(store, graph), strict=False)
        if mode == "rollback":
            if rollback_to is None or not any(v.version == rollback_to for v in previous):
                raise UnknownResourceError(
                    f"{graph} has no version {rollback_to}", graph=graph, version=rollback_to
                )
            data, media_type = history.read(graph, rollback_to), "application/n-triples"
        if mode == "delete":
            if not existing and not (previous and previous[-1].action != "delete"):
                raise UnknownResourceError(f"no graph {graph}", graph=graph)
            new: list[ox.Triple] = []
        else:
            if data is None or media_type is None:
                raise BadInputError("a body is required")
            new = parse_contribution(data, media_type, settings)
            check_subject_count(new, settings)  # as sent: before naming its blank nodes
            if not new and mode != "rollback":
                raise EmptyContributionError(
                    "the body holds no triple: nothing was written (DELETE withdraws a graph)"
                )
            new = canonical_triples(new, strict=mode != "rollback")
            check_instance_data(new, settings, partner_graph_prefix(settings, partner))
            namespaces = PartnerRegistry.from_settings(settings).namespaces()
            check_ownership(new, settings, partner, namespaces)
        if mode == "post":
            present = set(existing)
            additions = [t for t in new if t not in present]
            result = existing + additions
        else:
            additions = new
            result = new
        check_subject_count(result, settings)
        timings["parse"] = time.perf_counter() - start

        def conform() -> list[dict[str, Any]]:
            """The warnings of the graph's validation against what the store holds now."""
            if not result:
                return []
            # made only now: a refused body never pays for parsing the shapes
            shapes = validator() if callable(validator) else validator
            with validation_running():
                report = validate_graph(
                    shapes or Validator.from_settings(settings), store, graph, result
                )
            if not report.conforms:
                n = report.violation_count
                raise ValidationFailedError(
                    f"the graph would not conform to the shapes: {n} violation"
                    f"{'s' if n != 1 else ''}; nothing was written",
                    report=report.text,
                    results=[r.as_dict() for r in report.results],
                    **report.summary(),
                )
            return [r.as_dict() for r in report.results if r.severity != "Violation"]

        start = time.perf_counter()
        for _ in range(VALIDATION_ATTEMPTS):  # the other graphs' writes go on meanwhile
            seen = _commits
            warnings = conform()
            if _commits == seen:
                break
        commit_lock.enter_context(_write_lock)  # held to the end of the write: its commit
        if _commits != seen:  # another graph's write landed since: validate against it
            warnings = conform()
        timings["shacl"] = time.perf_counter() - start

        start = time.perf_counter()
        body = ntriples(result)
        digest = checksum_of(body)
        version = (previous[-1].version if previous else 0) + 1
        when = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        action = mode
        removed = len(set(existing) - set(result))
        added = len(set(result) - set(existing))
        history.write(graph, version, body)
        prov = provenance_triples(
            settings,
            graph,
            version,
            action,
            partner,
            when,
            len(result),
            digest,
            added,
            removed,
            live=mode != "delete",
        )
        update = update_text(settings, graph, mode, additions, prov)
        # the placements of the graph's points in their QPV, replaced in the same transaction
        source = ox.NamedNode(graph)
        placements = placement_triples(store, settings, source, located_points(result), when)
        update += " ;\n" + placement_update(settings, source, placements)
        try:
            store.update(update)
        except (SyntaxError, OSError, ValueError) as exc:
            raise BadInputError(f"the write could not be committed: {exc}") from None
        _commits += 1
        timings["commit"] = time.perf_counter() - start
        return WriteResult(
            graph=graph,
            partner=partner,
            action=action,
            version=version,
            triples=len(result),
            checksum=digest,
            added=added,
            removed=removed,
            created=not existing and mode != "delete",
            when=when,
            warnings=warnings,
            timings=dict(timings),
            update=update,
        )


def update_text(
    settings: Settings,
    graph: str,
    mode: Mode,
    additions: Sequence[ox.Triple],
    prov: Sequence[ox.Triple],
) -> str:
    """One SPARQL update, hence one transaction: the graph's content and its provenance.

    Code, not a file of queries/internal/: the update carries the data itself (the graph's
    triples and their provenance, as N-Triples), its operations depend on the mode (a PUT
    drops the graph first) and on the data (INSERT ... WHERE {} when it holds blank nodes),
    and it is joined to the placements' update in one transaction, where Oxigraph takes no
    PREFIX after the first operation. The graph's IRI is one ``check_graph`` accepted (the
    partner's prefix and a slug of safe characters); the triples are written by pyoxigraph."""
    registry = registry_graph(settings).value
    parts = [
        f"DELETE WHERE {{ GRAPH <{registry}> {{ <{graph}> ?p ?o }} }}",
    ]
    if mode in ("put", "delete", "rollback"):
        parts.insert(0, f"DROP SILENT GRAPH <{graph}>")
    inserts = f"GRAPH <{registry}> {{\n{ntriples(prov).decode('utf-8')}}}"
    if additions:
        inserts = f"GRAPH <{graph}> {{\n{ntriples(additions).decode('utf-8')}}}\n" + inserts
    if any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in additions
    ):
        # the same as INSERT DATA, which some servers (Virtuoso) refuse with blank nodes
        parts.append(f"INSERT {{\n{inserts}\n}} WHERE {{}}")
    else:
        parts.append(f"INSERT DATA {{\n{inserts}\n}}")
    return " ;\n".join(parts)


def diff(history: History, graph: str, older: int, newer: int) -> dict[str, list[str]]:
    """Triples added and removed between two versions, as N-Triples lines."""
    before = {line for line in history.read(graph, older).decode("utf-8").splitlines() if line}
    after = {line for line in history.read(graph, newer).decode("utf-8").splitlines() if line}
    return {"added": sorted(after - before), "removed": sorted(before - after)}

"""Build or refresh the on-disk store: one named graph per source file, with provenance."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox

from loaders import __version__, location
from loaders.errors import BadInputError
from loaders.namespaces import PROV, SPDX, VOID, XSD
from loaders.neighbourhoods import NEIGHBOURHOOD_LINKS, derive_neighbourhood_links
from loaders.progress import Progress, Silent
from loaders.references import (
    RDF_TYPE,
    context_from,
    load_reference_store,
    load_source,
    referenced_iris,
)
from loaders.settings import Settings
from loaders.sources import Source, discover, parse_file
from loaders.store import GraphStore, graph_size, open_remote
from loaders.validate import ValidationReport, Validator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphLoad:
    """One graph written by a build."""

    key: str
    graph: str
    triples: int
    milliseconds: float


@dataclass
class BuildReport:
    """What a build did."""

    store: Path | str  # a folder, or the URL of an external store
    loaded: list[GraphLoad] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    validation: ValidationReport | None = None
    total_triples: int = 0
    seconds: float = 0.0
    validation_seconds: float = 0.0
    published: bool = False
    publish_seconds: float = 0.0
    placements: int = 0  # resources placed in their QPV (graph/derived/qpv-location)


def graph_iri(settings: Settings, source: Source) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri(source.key))


def build_graph_iri(settings: Settings) -> ox.NamedNode:
    """The named graph holding the provenance of every other graph."""
    return ox.NamedNode(settings.graph_iri("build"))


@contextmanager
def open_store(path: Path) -> Iterator[ox.Store]:
    """Open (create) the on-disk store, with a clear error if another process holds it."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        store = ox.Store(str(path))
    except OSError as exc:
        raise BadInputError(
            f"cannot open the store at {path}: {exc} "
            "(is a server or another build using it? stop it or set QPVKG_STORE)",
            path=str(path),
        ) from exc
    try:
        yield store
    finally:
        store.flush()
        del store


def recorded_checksums(store: GraphStore, settings: Settings) -> dict[str, str]:
    """Graph IRI -> checksum recorded by the last build."""
    checksum = ox.NamedNode(f"{SPDX}checksumValue")
    has_checksum = ox.NamedNode(f"{SPDX}checksum")
    out: dict[str, str] = {}
    g = build_graph_iri(settings)
    for q in store.quads_for_pattern(None, has_checksum, None, g):
        for v in store.quads_for_pattern(q.object, checksum, None, g):  # type: ignore[arg-type]
            if isinstance(q.subject, ox.NamedNode) and isinstance(v.object, ox.Literal):
                out[q.subject.value] = v.object.value
    return out


def _stamp(moment: datetime) -> ox.Literal:
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return ox.Literal(text, datatype=ox.NamedNode(f"{XSD}dateTime"))


def provenance(
    settings: Settings,
    source: Source,
    checksum: str,
    triples: int,
    when: str,
    load: tuple[datetime, float] | None = None,
) -> list[ox.Quad]:
    """Provenance of one graph: its source file, checksum, triple count and build time; with
    ``load`` (its start, milliseconds), the loading as a PROV activity of its own."""
    g = build_graph_iri(settings)
    subject = graph_iri(settings, source)
    node = ox.NamedNode(f"{subject.value}#checksum")
    ns = settings.def_ns
    rel = source.path.relative_to(settings.project_dir).as_posix()
    loading: list[ox.Quad] = []
    if load is not None:
        started, ms = load
        activity = ox.NamedNode(f"{subject.value}#load")
        loading = [
            ox.Quad(subject, ox.NamedNode(f"{PROV}wasGeneratedBy"), activity, g),
            ox.Quad(activity, RDF_TYPE, ox.NamedNode(f"{PROV}Activity"), g),
            ox.Quad(activity, ox.NamedNode(f"{PROV}startedAtTime"), _stamp(started), g),
            ox.Quad(
                activity,
                ox.NamedNode(f"{PROV}endedAtTime"),
                _stamp(started + timedelta(milliseconds=ms)),
                g,
            ),
        ]
    quads = [
        ox.Quad(subject, RDF_TYPE, ox.NamedNode(f"{VOID}Dataset"), g),
        ox.Quad(subject, RDF_TYPE, ox.NamedNode(f"{PROV}Entity"), g),
        ox.Quad(subject, ox.NamedNode(f"{ns}sourceFile"), ox.Literal(rel), g),
        ox.Quad(
            subject,
            ox.NamedNode(f"{ns}sourceKind"),
            ox.Literal("reference" if source.is_reference else source.kind),
            g,
        ),
        ox.Quad(subject, ox.NamedNode(f"{SPDX}checksum"), node, g),
        ox.Quad(node, RDF_TYPE, ox.NamedNode(f"{SPDX}Checksum"), g),
        ox.Quad(
            node,
            ox.NamedNode(f"{SPDX}algorithm"),
            ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256"),
            g,
        ),
        ox.Quad(node, ox.NamedNode(f"{SPDX}checksumValue"), ox.Literal(checksum), g),
        ox.Quad(
            subject,
            ox.NamedNode(f"{VOID}triples"),
            ox.Literal(str(triples), datatype=ox.NamedNode(f"{XSD}integer")),
            g,
        ),
        ox.Quad(
            subject,
            ox.NamedNode(f"{PROV}generatedAtTime"),
            ox.Literal(when, datatype=ox.NamedNode(f"{XSD}dateTime")),
            g,
        ),
        ox.Quad(
            subject,
            ox.NamedNode(f"{PROV}wasGeneratedBy"),
            ox.NamedNode(f"{settings.base_iri}graph/build#qpvkg-{__version__}"),
            g,
        ),
    ]
    return [*quads, *loading]


def _forget(store: GraphStore, settings: Settings, graph: ox.NamedNode) -> None:
    """Remove a graph and its provenance."""
    g = build_graph_iri(settings)
    checksum_node = ox.NamedNode(f"{graph.value}#checksum")
    load_node = ox.NamedNode(f"{graph.value}#load")
    for subject in (graph, checksum_node, load_node):
        for q in list(store.quads_for_pattern(subject, None, None, g)):
            store.remove(q)
    if graph in set(store.named_graphs()):
        store.remove_graph(graph)


def validate_curated(
    settings: Settings,
    curated: Sequence[Source],
    reference: Sequence[Source],
    store: GraphStore,
    recorded: dict[str, str],
    progress: Progress,
) -> ValidationReport:
    """Validate the union of the curated data against the shapes; references resolve
    against the official reference data (from the store when it is current)."""
    quads: list[ox.Quad] = []
    progress.step("Parsing curated data", total=len(curated))
    for source in curated:
        quads.extend(parse_file(source.path, settings, source.format))
        progress.advance()
    iris = referenced_iris(quads)
    current = all(recorded.get(graph_iri(settings, s).value) == s.checksum() for s in reference)
    progress.step("Resolving references to official territories", total=None)
    if current:
        context = context_from(store, iris)
    else:
        context = context_from(load_reference_store(reference, settings), iris)
    progress.step("Validating curated data against the shapes", total=None)
    validator = Validator.from_settings(settings)
    return validator.validate(quads, context)


def build(
    settings: Settings,
    progress: Progress | None = None,
    *,
    store_path: Path | None = None,
    force: bool = False,
    publish_too: bool = True,
) -> BuildReport:
    """Build or refresh the store from ontology/, shapes/ and data/.

    Curated data is validated first; if it does not conform nothing is written and
    ValidationFailedError carries the report. Graphs whose source is unchanged
    (same checksum) are kept, so a rebuild is idempotent and fast.
    """
    progress = progress or Silent()
    start = time.perf_counter()
    path = store_path or settings.store_path
    report = BuildReport(store=settings.store if settings.remote and store_path is None else path)
    sources = discover(settings)
    curated = [s for s in sources if s.kind == "data" and not s.is_reference]
    reference = [s for s in sources if s.is_reference]
    opened = open_remote(settings) if settings.remote and store_path is None else open_store(path)
    with opened as store:
        recorded = {} if force else recorded_checksums(store, settings)
        t_validation = time.perf_counter()
        report.validation = validate_curated(
            settings, curated, reference, store, recorded, progress
        )
        report.validation_seconds = time.perf_counter() - t_validation
        report.validation.raise_for_violations("the curated data does not conform")

        when = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        wanted = {graph_iri(settings, s).value for s in sources}
        wanted.add(settings.graph_iri(NEIGHBOURHOOD_LINKS))  # derived below, not from a file
        build_g = build_graph_iri(settings)
        kept = (
            settings.graph_iri("partner/"),
            settings.graph_iri("contributions"),
            location.derived_graph(settings).value,  # recomputed below
        )
        for g in list(store.named_graphs()):
            if (
                isinstance(g, ox.NamedNode)
                and g != build_g
                and g.value not in wanted
                and not g.value.startswith(kept)  # partner graphs are not built from files
            ):
                _forget(store, settings, g)
                report.removed.append(g.value)
        progress.step("Loading graphs", total=len(sources))
        for source in sources:
            g = graph_iri(settings, source)
            checksum = source.checksum()
            if recorded.get(g.value) == checksum:
                report.unchanged.append(source.key)
                progress.advance()
                continue
            started, t0 = datetime.now(UTC), time.perf_counter()
            _forget(store, settings, g)
            load_source(store, source, settings, g)
            triples = graph_size(store, g)
            ms = (time.perf_counter() - t0) * 1000
            store.extend(provenance(settings, source, checksum, triples, when, (started, ms)))
            report.loaded.append(GraphLoad(source.key, g.value, triples, ms))
            log.info("loaded %s: %d triples (%.0f ms)", source.key, triples, ms)
            progress.advance()
        derived = ox.NamedNode(settings.graph_iri(NEIGHBOURHOOD_LINKS))
        if report.loaded or report.removed or derived not in set(store.named_graphs()):
            progress.step("Linking the study's neighbourhoods to the official QPV", total=None)
            links = derive_neighbourhood_links(store, settings, when)
            report.loaded.append(GraphLoad(NEIGHBOURHOOD_LINKS, links.graph, links.triples, 0.0))
        progress.step("Placing located resources in their QPV", total=None)
        t_place = time.perf_counter()
        report.placements = location.recompute(store, settings, when)
        log.info(
            "placements in QPV: %d (%.0f ms)",
            report.placements,
            (time.perf_counter() - t_place) * 1000,
        )
        if report.loaded or report.removed:
            store.optimize()
        report.total_triples = len(store)
        if isinstance(store, ox.Store):  # a store on disk: its map layer goes beside it
            from loaders.maplayers import build_layer

            progress.step("Simplifying the QPV contours for the map", total=None)
            build_layer(store, settings, path)
        if publish_too:
            from loaders.publication.publish import publish
            from loaders.replica import ship_publication

            progress.step("Publishing dumps, VoID and the DCAT catalogue", total=None)
            t_publish = time.perf_counter()
            report.published = publish(store, settings) is not None
            ship_publication(settings)  # to the read replicas, if any
            report.publish_seconds = time.perf_counter() - t_publish
    report.seconds = time.perf_counter() - start
    return report

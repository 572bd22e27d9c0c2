"""Publishing the graph for open-data portals: dumps, a VoID description, a DCAT-AP catalogue.

A publication is a folder of files made from one store generation:

- ``qpvkg.nq.gz`` (every named graph), ``qpvkg.nt.gz``, ``qpvkg.ttl.gz``, ``qpvkg.jsonld.gz``
  (the union), written with pyoxigraph's serialisers, with their SHA-256 and byte sizes;
- ``void.*`` and ``catalog.*`` in Turtle, RDF/XML, JSON-LD and N-Triples, their statistics
  computed once here (not per request);
- ``publication.json``, what the folder holds.

Publications live under ``{store}-publish/``; the one served is named in ``CURRENT``, which
is replaced atomically once a new publication is complete, so readers never see half of one.
``qpvkg build`` publishes after loading; the server publishes again, in the background, after
each accepted contribution. Every word of the catalogue and of the VoID description (titles,
descriptions, keywords, in French and English) comes from ``publication/catalog.yaml``, read
through its model (``loaders/publication.py``); the code holds none.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders import __version__
from loaders.files import write_atomic
from loaders.namedqueries import internal_query
from loaders.namespaces import (
    CATALOGUE_PREFIXES,
    DCAT,
    DCATAP,
    DCT,
    DUMP_PREFIXES,
    EU,
    FOAF,
    IANA,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    VOID,
)
from loaders.publication import (
    CatalogInfo,
    CatalogMetadata,
    DatasetSpec,
    Wording,
    load_metadata,
)
from loaders.rdfformats import JSONLD, NQUADS, NTRIPLES, RDFXML, TURTLE
from loaders.settings import Settings
from loaders.store import GraphStore, generation
from loaders.triples import Triples

#: The dumps: file name, format (``loaders/rdfformats.py``), what it holds.
DUMPS = (
    ("qpvkg.nq.gz", NQUADS, "graphs"),
    ("qpvkg.nt.gz", NTRIPLES, "union"),
    ("qpvkg.ttl.gz", TURTLE, "union"),
    ("qpvkg.jsonld.gz", JSONLD, "union"),
)
#: The descriptions' formats (the files' suffix is the format's key).
DESCRIPTION_FORMATS = (TURTLE, RDFXML, JSONLD, NTRIPLES)


@dataclass(frozen=True)
class Dump:
    file: str
    media_type: str
    file_type: str
    holds: str
    bytes: int
    sha256: str
    statements: int


@dataclass
class Statistics:
    triples: int = 0
    subjects: int = 0
    objects: int = 0
    properties: int = 0
    entities: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    property_triples: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, tuple[int, int]] = field(default_factory=dict)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    vocabularies: list[str] = field(default_factory=list)


@dataclass
class Publication:
    folder: Path
    generation: str
    modified: str
    dumps: list[Dump]
    statistics: Statistics
    seconds: float = 0.0

    def manifest(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "modified": self.modified,
            "qpvkg": __version__,
            "dumps": [asdict(d) for d in self.dumps],
            "triples": self.statistics.triples,
            "graphs": len(self.statistics.graphs),
            "seconds": round(self.seconds, 2),
        }


def publish_root(settings: Settings) -> Path:
    if settings.read_only:  # a read replica serves the publications its writer ships
        return settings.path(settings.replica_dir) / "publish"
    return settings.store_path.parent / f"{settings.store_path.name}-publish"


def current(settings: Settings) -> Path | None:
    """The folder of the publication being served, if any."""
    root = publish_root(settings)
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = root / name
    return folder if (folder / "publication.json").is_file() else None


def current_generation(settings: Settings) -> str | None:
    folder = current(settings)
    if folder is None:
        return None
    manifest = json.loads((folder / "publication.json").read_text(encoding="utf-8"))
    return str(manifest.get("generation"))


# ----------------------------------------------------------------------------- publishing


class PublicationCancelledError(Exception):
    """A publication abandoned because the server is stopping (nothing of it is kept)."""


def publish(
    store: GraphStore,
    settings: Settings,
    *,
    force: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> Publication | None:
    """Publish the store's current generation (None when it is already the current one).
    ``cancelled`` is asked between steps; when it says so, the publication is dropped."""
    if settings.read_only:  # a read replica serves its writer's publications
        return None
    start = time.perf_counter()
    gen = generation(store, settings)
    if not force and current_generation(settings) == gen.id:
        return None
    root = publish_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{gen.id}-{os.getpid()}-{time.time_ns()}"
    folder.mkdir()
    modified = gen.last_modified.astimezone(UTC).isoformat().replace("+00:00", "Z")
    try:
        dumps = write_dumps(store, folder, cancelled)
        if cancelled():
            raise PublicationCancelledError
        stats = statistics(store, settings)
        meta = load_metadata(settings)
        void = void_triples(settings, stats, dumps, modified, meta)
        catalog = catalog_triples(store, settings, dumps, stats, modified, meta)
        write_descriptions(folder, "void", void)
        write_descriptions(folder, "catalog", catalog)
        publication = Publication(folder, gen.id, modified, dumps, stats)
        publication.seconds = time.perf_counter() - start
        write_atomic(
            folder / "publication.json", json.dumps(publication.manifest(), indent=2).encode()
        )
        write_atomic(root / "CURRENT", folder.name.encode())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(root, keep={folder.name})
    return publication


def _prune(root: Path, keep: set[str]) -> None:
    """Drop publications older than the current and the previous one (a reader of the
    previous one may still be streaming a dump)."""
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in folders[2:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def write_dumps(
    store: GraphStore, folder: Path, cancelled: Callable[[], bool] = lambda: False
) -> list[Dump]:
    """The dumps, gzip-compressed, with their checksums (pyoxigraph's serialisers).

    The store is read once (a scan of an on-disk store is the slow part): into N-Quads,
    which are parsed back in memory for the union's formats."""
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_QUADS)
    quads = buffer.getvalue()
    del buffer
    union = list(dict.fromkeys(q.triple for q in ox.parse(quads, ox.RdfFormat.N_QUADS)))
    out = []
    for name, syntax, holds in DUMPS:
        fmt = syntax.oxigraph
        if cancelled():
            raise PublicationCancelledError
        if holds == "graphs":
            data, count = quads, quads.count(b"\n")
        else:
            data = ox.serialize(union, format=fmt, prefixes=_dump_prefixes(fmt)) or b""
            count = len(union)
        compressed = gzip.compress(data, compresslevel=5, mtime=0)
        (folder / name).write_bytes(compressed)
        digest = hashlib.sha256(compressed).hexdigest()
        media, file_type = syntax.media_type, syntax.eu_file_type
        out.append(Dump(name, media, file_type, holds, len(compressed), digest, count))
    return out


def _dump_prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    if fmt != ox.RdfFormat.TURTLE:
        return None
    return DUMP_PREFIXES


def _rows(
    store: GraphStore, settings: Settings, name: str, **terms: ox.NamedNode
) -> list[ox.QuerySolution]:
    result = store.query(
        internal_query(settings, name),
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in terms.items()} or None,
    )
    return list(result)  # type: ignore[arg-type]


def _int(row: ox.QuerySolution, name: str) -> int:
    value = row[name]
    return int(value.value) if value is not None else 0


def statistics(store: GraphStore, settings: Settings) -> Statistics:
    """VoID statistics of the union and of each named graph, by SPARQL over the store."""
    stats = Statistics()
    for row in _rows(store, settings, "void-totals"):
        stats.triples = _int(row, "triples")
        stats.subjects = _int(row, "subjects")
        stats.properties = _int(row, "properties")
        stats.objects = _int(row, "objects")
    space = ox.NamedNode(f"{settings.base_iri}id/")
    stats.entities = sum(
        _int(r, "entities") for r in _rows(store, settings, "void-entities", space=space)
    )
    stats.classes = {
        r["class"].value: _int(r, "entities") for r in _rows(store, settings, "void-classes")
    }
    stats.property_triples = {
        r["property"].value: _int(r, "triples") for r in _rows(store, settings, "void-properties")
    }
    stats.graphs = {
        r["graph"].value: (_int(r, "triples"), _int(r, "subjects"))
        for r in _rows(store, settings, "void-graphs")
    }
    stats.links = [
        (r["target"].value, r["predicate"].value, _int(r, "triples"))
        for r in _rows(store, settings, "void-links", base=ox.NamedNode(settings.base_iri))
    ]
    namespaces = set()
    for r in _rows(store, settings, "void-vocabularies"):
        iri = r["term"].value
        cut = max(iri.rfind("#"), iri.rfind("/"))
        namespaces.add(iri[: cut + 1])
    stats.vocabularies = sorted(namespaces)
    return stats


# ----------------------------------------------------------------------------- descriptions


def public_url(settings: Settings) -> str:
    """Where the server answers (the base IRI when no public URL is set)."""
    return (settings.public_url or settings.base_iri).rstrip("/") + "/"


def void_iri(settings: Settings) -> str:
    return f"{settings.base_iri}.well-known/void#qpvkg"


def void_triples(
    settings: Settings, stats: Statistics, dumps: list[Dump], modified: str, meta: CatalogMetadata
) -> list[ox.Triple]:
    """The VoID description: the dataset, its partitions, one subset per graph, linksets."""
    t = Triples(settings)
    url = public_url(settings)
    ds = ox.NamedNode(void_iri(settings))
    t.link(ds, f"{RDF}type", f"{VOID}Dataset")
    t.text(ds, f"{DCT}title", meta.void.title, None)
    t.link(ds, f"{VOID}sparqlEndpoint", f"{url}sparql")
    for dump in dumps:
        t.link(ds, f"{VOID}dataDump", f"{url}dumps/{dump.file}")
    t.text(ds, f"{VOID}uriSpace", f"{settings.base_iri}id/")
    t.link(ds, f"{VOID}uriLookupEndpoint", f"{url}search?q=")
    t.link(ds, f"{VOID}rootResource", f"{settings.base_iri}id/study/cget-innovation-qpv")
    for ns in stats.vocabularies:
        t.link(ds, f"{VOID}vocabulary", ns)
    t.link(ds, f"{DCT}license", meta.licence)
    t.typed(ds, f"{DCT}modified", modified, "dateTime")
    t.typed(ds, f"{VOID}triples", stats.triples, "integer")
    t.typed(ds, f"{VOID}entities", stats.entities, "integer")
    t.typed(ds, f"{VOID}classes", len(stats.classes), "integer")
    t.typed(ds, f"{VOID}properties", stats.properties, "integer")
    t.typed(ds, f"{VOID}distinctSubjects", stats.subjects, "integer")
    t.typed(ds, f"{VOID}distinctObjects", stats.objects, "integer")
    t.link(ds, f"{FOAF}homepage", url)
    for i, (cls, n) in enumerate(sorted(stats.classes.items())):
        part = ox.NamedNode(f"{void_iri(settings)}-class-{i}")
        t.add(ds, f"{VOID}classPartition", part)
        t.link(part, f"{VOID}class", cls)
        t.typed(part, f"{VOID}entities", n, "integer")
    for i, (prop, n) in enumerate(sorted(stats.property_triples.items())):
        part = ox.NamedNode(f"{void_iri(settings)}-property-{i}")
        t.add(ds, f"{VOID}propertyPartition", part)
        t.link(part, f"{VOID}property", prop)
        t.typed(part, f"{VOID}triples", n, "integer")
    for graph, (triples, subjects) in sorted(stats.graphs.items()):
        subset = ox.NamedNode(f"{graph}#void")
        t.add(ds, f"{VOID}subset", subset)
        t.link(subset, f"{RDF}type", f"{VOID}Dataset")
        t.link(subset, f"{DCT}source", graph)
        t.link(subset, f"{VOID}dataDump", f"{url}store?graph={graph}")
        t.typed(subset, f"{VOID}triples", triples, "integer")
        t.typed(subset, f"{VOID}distinctSubjects", subjects, "integer")
    for i, (target, predicate, n) in enumerate(stats.links):
        linkset = ox.NamedNode(f"{void_iri(settings)}-links-{i}")
        other = ox.NamedNode(f"{void_iri(settings)}-target-{i}")
        t.add(ds, f"{VOID}subset", linkset)
        t.link(linkset, f"{RDF}type", f"{VOID}Linkset")
        t.add(linkset, f"{VOID}subjectsTarget", ds)
        t.add(linkset, f"{VOID}objectsTarget", other)
        t.link(linkset, f"{VOID}linkPredicate", predicate)
        t.typed(linkset, f"{VOID}triples", n, "integer")
        t.link(other, f"{RDF}type", f"{VOID}Dataset")
        t.text(other, f"{VOID}uriSpace", target)
    return t.triples


def catalog_iri(settings: Settings) -> str:
    return f"{settings.base_iri}catalog"


def catalog_triples(
    store: GraphStore,
    settings: Settings,
    dumps: list[Dump],
    stats: Statistics,
    modified: str,
    meta: CatalogMetadata,
) -> list[ox.Triple]:
    """The DCAT-AP 3 catalogue: one dataset per source family and per partner, the dumps as
    distributions, the SPARQL endpoint as a data service."""
    info = meta.catalog
    licence = meta.licence
    url = public_url(settings)
    t = Triples(settings)
    catalog = ox.NamedNode(catalog_iri(settings))
    publisher = ox.NamedNode(f"{settings.base_iri}catalog#publisher")
    contact = ox.NamedNode(f"{settings.base_iri}catalog#contact")
    service = ox.NamedNode(f"{settings.base_iri}catalog#sparql")
    licence_doc = ox.NamedNode(licence)
    issued = next(
        (
            r["issued"].value
            for r in _rows(
                store, settings, "catalog-issued", build=ox.NamedNode(settings.graph_iri("build"))
            )
            if r["issued"] is not None
        ),
        modified,
    )
    years = [
        (r["first"], r["last"])
        for r in _rows(store, settings, "catalog-temporal")
        if r["first"] is not None
    ]

    t.link(catalog, f"{RDF}type", f"{DCAT}Catalog")
    t.text(catalog, f"{DCT}identifier", info.identifier)
    t.texts(catalog, f"{DCT}title", info.title)
    t.texts(catalog, f"{DCT}description", info.description)
    t.add(catalog, f"{DCT}publisher", publisher)
    t.add(catalog, f"{DCAT}contactPoint", contact)
    t.add(catalog, f"{DCT}license", licence_doc)
    t.link(catalog, f"{DCT}language", info.language)
    t.link(catalog, f"{DCT}spatial", info.spatial)
    t.link(catalog, f"{FOAF}homepage", url)
    t.typed(catalog, f"{DCT}issued", issued, "dateTime")
    t.typed(catalog, f"{DCT}modified", modified, "dateTime")
    t.add(catalog, f"{DCAT}service", service)
    t.link(catalog, f"{RDFS}seeAlso", f"{url}.well-known/void")
    t.link(catalog, f"{DCAT}themeTaxonomy", f"{EU}data-theme")

    t.link(publisher, f"{RDF}type", f"{FOAF}Agent")
    t.text(publisher, f"{FOAF}name", info.publisher)
    t.link(publisher, f"{FOAF}homepage", url)
    t.link(contact, f"{RDF}type", f"{VCARD}Kind")
    t.text(contact, f"{VCARD}fn", info.publisher)
    t.link(contact, f"{VCARD}hasURL", url)
    t.link(licence_doc, f"{RDF}type", f"{DCT}LicenseDocument")
    if meta.licence_title:  # portals (CKAN) match a licence by its URL or its title
        t.text(licence_doc, f"{DCT}title", meta.licence_title)

    t.link(service, f"{RDF}type", f"{DCAT}DataService")
    t.texts(service, f"{DCT}title", meta.service.title)
    t.link(service, f"{DCAT}endpointURL", f"{url}sparql")
    t.link(service, f"{DCAT}endpointDescription", f"{url}sparql")
    t.link(service, f"{DCT}conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    t.add(service, f"{DCT}license", licence_doc)
    t.add(service, f"{DCT}publisher", publisher)
    t.add(service, f"{DCAT}contactPoint", contact)
    _keywords_and_themes(t, service, info)
    t.link(licence_doc, f"{DCT}type", "http://purl.org/adms/licencetype/Attribution")

    graphs = _rows(
        store,
        settings,
        "catalog-graphs",
        build=ox.NamedNode(settings.graph_iri("build")),
        contributions=ox.NamedNode(settings.graph_iri("contributions")),
    )
    families: dict[str, list[ox.QuerySolution]] = {}
    for row in graphs:
        kind = row["kind"].value
        if kind == "partner":
            families.setdefault(f"partner:{row['partner'].value}", []).append(row)
            continue
        for key, spec in meta.datasets.items():
            if kind in spec.kinds:
                families.setdefault(key, []).append(row)

    whole = ox.NamedNode(f"{settings.base_iri}id/dataset/qpvkg")
    _dataset_head(t, whole, info, publisher, contact, licence_doc, issued, modified, years)
    t.add(catalog, f"{DCAT}dataset", whole)
    t.add(service, f"{DCAT}servesDataset", whole)
    t.typed(whole, f"{VOID}triples", stats.triples, "integer")
    for dump in dumps:
        _distribution(
            t, whole, settings, dump, licence_doc, meta.distributions.dumps.of(dump.holds)
        )

    for key, rows in sorted(families.items()):
        partner = key.split(":", 1)[1] if key.startswith("partner:") else None
        spec = meta.datasets["partner" if partner else key]
        dataset = ox.NamedNode(
            f"{settings.base_iri}id/dataset/" + (f"partner-{partner}" if partner else key)
        )
        declared = [r["licence"].value for r in rows if r["licence"] is not None]
        family_licence = (
            ox.NamedNode(declared[0]) if declared else licence_doc if not partner else None
        )
        last = max(
            (r["modified"].value if r["modified"] is not None else r["generated"].value)
            for r in rows
        )
        _dataset_head(
            t,
            dataset,
            spec,
            publisher,
            contact,
            family_licence,
            issued,
            last,
            years,
            name=partner or "",
        )
        t.add(catalog, f"{DCAT}dataset", dataset)
        t.add(whole, f"{DCT}hasPart", dataset)
        t.add(dataset, f"{DCT}isPartOf", whole)
        t.add(service, f"{DCAT}servesDataset", dataset)
        total = 0
        for row in rows:
            graph = row["graph"].value
            triples = stats.graphs.get(graph, (0, 0))[0]
            total += triples
            dist = ox.NamedNode(f"{graph}#distribution")
            t.add(dataset, f"{DCAT}distribution", dist)
            t.link(dist, f"{RDF}type", f"{DCAT}Distribution")
            words = meta.distributions.graph
            t.texts(dist, f"{DCT}title", words.title, graph=graph, triples=str(triples))
            t.texts(dist, f"{DCT}description", words.description, graph=graph, triples=str(triples))
            t.link(dist, f"{DCATAP}availability", f"{EU}planned-availability/AVAILABLE")
            t.link(dist, f"{DCAT}accessURL", f"{url}store?graph={graph}")
            t.link(dist, f"{DCAT}downloadURL", f"{url}store?graph={graph}")
            t.link(dist, f"{DCAT}mediaType", f"{IANA}text/turtle")
            t.link(dist, f"{DCT}format", f"{EU}file-type/RDF_TURTLE")
            t.add(dist, f"{DCAT}accessService", service)
            if family_licence is not None:
                t.add(dist, f"{DCT}license", family_licence)
            if family_licence is not None and family_licence != licence_doc:
                t.link(family_licence, f"{RDF}type", f"{DCT}LicenseDocument")
        t.typed(dataset, f"{VOID}triples", total, "integer")
    return t.triples + typing(t.triples, meta.labels)


#: Classes DCAT-AP expects of the values of its properties (their vocabularies say so).
RANGES = {
    f"{DCT}accrualPeriodicity": f"{DCT}Frequency",
    f"{DCT}conformsTo": f"{DCT}Standard",
    f"{DCAT}compressFormat": f"{DCT}MediaType",
    f"{DCAT}mediaType": f"{DCT}MediaType",
    f"{DCAT}theme": f"{SKOS}Concept",
    f"{DCAT}themeTaxonomy": f"{SKOS}ConceptScheme",
    f"{DCT}format": f"{DCT}MediaTypeOrExtent",
    f"{FOAF}homepage": f"{FOAF}Document",
    f"{DCT}language": f"{DCT}LinguisticSystem",
    f"{DCT}spatial": f"{DCT}Location",
    f"{DCATAP}availability": f"{SKOS}Concept",
    f"{DCT}type": f"{SKOS}Concept",
}


def typing(triples: list[ox.Triple], labels: dict[str, dict[str, str]]) -> list[ox.Triple]:
    """The types (and labels) of the controlled-vocabulary values the catalogue points to."""
    rdf_type = ox.NamedNode(f"{RDF}type")
    out: set[ox.Triple] = set()
    for t in triples:
        if t.predicate.value in RANGES and isinstance(t.object, ox.NamedNode):
            out.add(ox.Triple(t.object, rdf_type, ox.NamedNode(RANGES[t.predicate.value])))
        if t.predicate.value == f"{DCAT}theme" and isinstance(t.object, ox.NamedNode):
            scheme = ox.NamedNode(f"{EU}data-theme")
            out.add(ox.Triple(t.object, ox.NamedNode(f"{SKOS}inScheme"), scheme))
    described = {t.subject.value for t in out if isinstance(t.subject, ox.NamedNode)}
    for iri, names in labels.items():
        if iri not in described:
            continue
        is_scheme = iri == f"{EU}data-theme"
        for lang, name in names.items():
            predicate = f"{DCT}title" if is_scheme else f"{SKOS}prefLabel"
            out.add(
                ox.Triple(
                    ox.NamedNode(iri), ox.NamedNode(predicate), ox.Literal(name, language=lang)
                )
            )
    return sorted(out, key=str)


def _keywords_and_themes(t: Triples, node: ox.NamedNode, info: CatalogInfo | DatasetSpec) -> None:
    for lang, words in info.keywords.items():
        for word in words:
            t.text(node, f"{DCAT}keyword", word, lang)
    for theme in info.themes:
        t.link(node, f"{DCAT}theme", f"{EU}data-theme/{theme}")


def _dataset_head(
    t: Triples,
    dataset: ox.NamedNode,
    info: CatalogInfo | DatasetSpec,
    publisher: ox.NamedNode,
    contact: ox.NamedNode,
    licence: ox.NamedNode | None,
    issued: str,
    modified: str,
    years: list[tuple[Any, Any]],
    name: str = "",
) -> None:
    t.link(dataset, f"{RDF}type", f"{DCAT}Dataset")
    t.text(dataset, f"{DCT}identifier", dataset.value)
    t.texts(dataset, f"{DCT}title", info.title, name=name)
    t.texts(dataset, f"{DCT}description", info.description, name=name)
    t.add(dataset, f"{DCT}publisher", publisher)
    t.add(dataset, f"{DCAT}contactPoint", contact)
    if licence is not None:
        t.add(dataset, f"{DCT}license", licence)
    _keywords_and_themes(t, dataset, info)
    t.link(dataset, f"{DCT}spatial", f"{EU}country/FRA")
    t.link(dataset, f"{DCT}language", f"{EU}language/FRA")
    t.typed(dataset, f"{DCT}issued", issued, "dateTime")
    t.typed(dataset, f"{DCT}modified", modified, "dateTime")
    t.link(dataset, f"{DCT}accrualPeriodicity", f"{EU}frequency/IRREG")
    for first, last in years:
        period = ox.NamedNode(f"{dataset.value}#temporal")
        t.add(dataset, f"{DCT}temporal", period)
        t.link(period, f"{RDF}type", f"{DCT}PeriodOfTime")
        t.typed(period, f"{DCAT}startDate", f"{first.value}-01-01", "date")
        t.typed(period, f"{DCAT}endDate", f"{last.value}-12-31", "date")


def _distribution(
    t: Triples,
    dataset: ox.NamedNode,
    settings: Settings,
    dump: Dump,
    licence: ox.NamedNode,
    words: Wording,
) -> None:
    url = public_url(settings)
    dist = ox.NamedNode(f"{url}dumps/{dump.file}")
    checksum = ox.NamedNode(f"{url}dumps/{dump.file}#sha256")
    t.add(dataset, f"{DCAT}distribution", dist)
    t.link(dist, f"{RDF}type", f"{DCAT}Distribution")
    filled = {"media_type": dump.media_type, "statements": str(dump.statements)}
    t.texts(dist, f"{DCT}title", words.title, **filled)
    t.texts(dist, f"{DCT}description", words.description, **filled)
    t.link(dist, f"{DCATAP}availability", f"{EU}planned-availability/AVAILABLE")
    t.link(dist, f"{DCAT}accessURL", f"{url}dumps/")
    t.link(dist, f"{DCAT}downloadURL", f"{url}dumps/{dump.file}")
    t.link(dist, f"{DCAT}mediaType", f"{IANA}{dump.media_type}")
    t.link(dist, f"{DCAT}compressFormat", f"{IANA}application/gzip")
    t.link(dist, f"{DCT}format", f"{EU}file-type/{dump.file_type}")
    t.typed(dist, f"{DCAT}byteSize", dump.bytes, "nonNegativeInteger")
    t.add(dist, f"{DCT}license", licence)
    t.add(dist, f"{SPDX}checksum", checksum)
    t.link(checksum, f"{RDF}type", f"{SPDX}Checksum")
    t.link(checksum, f"{SPDX}algorithm", f"{SPDX}checksumAlgorithm_sha256")
    t.typed(checksum, f"{SPDX}checksumValue", dump.sha256, "hexBinary")


def write_descriptions(folder: Path, name: str, triples: Iterable[ox.Triple]) -> None:
    items = list(triples)
    for syntax in DESCRIPTION_FORMATS:
        data = ox.serialize(
            items,
            format=syntax.oxigraph,
            prefixes=CATALOGUE_PREFIXES if syntax != NTRIPLES else None,
        )
        (folder / f"{name}.{syntax.key}").write_bytes(data or b"")

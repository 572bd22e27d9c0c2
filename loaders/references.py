"""What a graph refers to and does not describe: the IRIs it points to, their types, labels
and centres read from the store or from the reference sources (to validate a graph in the
context of what it names, in the build, the importers and partners' writes)."""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from loaders.namespaces import GEO, RDF, RDFS
from loaders.remote import RemoteStore
from loaders.settings import DEFAULT_BASE_IRI, Settings
from loaders.sources import Source, parse_file
from loaders.store import GraphStore

RDF_TYPE = ox.NamedNode(f"{RDF}type")
RDFS_LABEL = ox.NamedNode(f"{RDFS}label")
HAS_CENTROID = ox.NamedNode(f"{GEO}hasCentroid")
AS_WKT = ox.NamedNode(f"{GEO}asWKT")


def referenced_iris(quads: Sequence[ox.Quad]) -> set[ox.NamedNode]:
    """IRIs used as objects but not described as subjects in the quads."""
    subjects = {q.subject for q in quads}
    return {
        q.object
        for q in quads
        if isinstance(q.object, ox.NamedNode)
        and q.predicate != RDF_TYPE
        and q.object not in subjects
    }


def context_from(store: GraphStore, iris: Iterable[ox.NamedNode]) -> list[ox.Quad]:
    """Types and labels of the given IRIs, as held in the store (any graph), and the centre
    of those that have one (``geo:hasCentroid`` / ``geo:asWKT``: a point given near a
    commune is checked against its centre)."""
    iris = list(iris)
    if isinstance(store, RemoteStore):  # a few requests, not two per IRI
        out = store.subjects_quads(iris, (RDF_TYPE, RDFS_LABEL, HAS_CENTROID))
        centres = [q.object for q in out if q.predicate == HAS_CENTROID]
        named = [c for c in centres if isinstance(c, ox.NamedNode)]
        return out + (store.subjects_quads(named, (AS_WKT,)) if named else [])
    out = []
    for iri in iris:
        for predicate in (RDF_TYPE, RDFS_LABEL, HAS_CENTROID):
            for q in store.quads_for_pattern(iri, predicate, None, None):
                out.append(ox.Quad(q.subject, q.predicate, q.object))
                if predicate == HAS_CENTROID and isinstance(q.object, ox.NamedNode):
                    for w in store.quads_for_pattern(q.object, AS_WKT, None, None):
                        out.append(ox.Quad(w.subject, w.predicate, w.object))
    return out


def load_reference_store(sources: Sequence[Source], settings: Settings) -> ox.Store:
    """An in-memory store of the reference sources (to resolve references during validation)."""
    memory = ox.Store()
    for source in sources:
        load_source(memory, source, settings, ox.DefaultGraph())
    return memory


def load_source(
    store: GraphStore, source: Source, settings: Settings, graph: ox.NamedNode | ox.DefaultGraph
) -> None:
    """Load a source into a graph; big N-Triples files stream through bulk_load."""
    if source.format == ox.RdfFormat.N_TRIPLES and settings.base_iri == DEFAULT_BASE_IRI:
        if source.path.name.endswith(".gz"):
            with gzip.open(source.path, "rb") as handle:
                store.bulk_load(handle, ox.RdfFormat.N_TRIPLES, to_graph=graph)  # type: ignore[arg-type]
        else:
            store.bulk_load(path=source.path, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return
    quads = parse_file(source.path, settings, source.format)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)

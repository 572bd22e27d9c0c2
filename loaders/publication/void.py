"""The VoID description: the dataset, its partitions, one subset per graph, linksets."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.namespaces import DCT, FOAF, RDF, VOID
from loaders.publication.descriptions import public_url
from loaders.publication.dumps import Dump
from loaders.publication.metadata import CatalogMetadata
from loaders.publication.statistics import Statistics
from loaders.settings import Settings
from loaders.triples import Triples


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

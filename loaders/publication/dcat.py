"""The DCAT-AP 3 catalogue: one dataset per source family and per partner, the dumps as
distributions, the SPARQL endpoint as a data service; every word from
``publication/catalog.yaml`` (``loaders.publication.metadata``)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from loaders.namespaces import DCAT, DCATAP, DCT, EU, FOAF, IANA, RDF, RDFS, SKOS, SPDX, VCARD, VOID
from loaders.publication.descriptions import public_url
from loaders.publication.dumps import Dump
from loaders.publication.metadata import CatalogInfo, CatalogMetadata, DatasetSpec, Wording
from loaders.publication.statistics import Statistics, query_rows
from loaders.settings import Settings
from loaders.store import GraphStore
from loaders.triples import Triples


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
            for r in query_rows(
                store, settings, "catalog-issued", build=ox.NamedNode(settings.graph_iri("build"))
            )
            if r["issued"] is not None
        ),
        modified,
    )
    years = [
        (r["first"], r["last"])
        for r in query_rows(store, settings, "catalog-temporal")
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

    graphs = query_rows(
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

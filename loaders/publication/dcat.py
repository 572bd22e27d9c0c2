"""The DCAT-AP 3 catalogue: one dataset per source family and per partner, the dumps as
distributions, the SPARQL endpoint as a data service; every word from
``publication/catalog.yaml`` (``loaders.publication.metadata``); its statements are those of
the template ``publication/dcat.ttl.j2``, followed by the types and labels of the
controlled-vocabulary values they point to."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from loaders.namespaces import DCAT, DCATAP, DCT, EU, FOAF, RDF, SKOS
from loaders.publication.descriptions import public_url
from loaders.publication.dumps import Dump
from loaders.publication.metadata import CatalogMetadata, DatasetSpec
from loaders.publication.rdftemplate import render_triples
from loaders.publication.statistics import Statistics, query_rows
from loaders.settings import Settings
from loaders.store import GraphStore

#: The template of the catalogue, under ``publication/``.
DCAT_TEMPLATE = "dcat.ttl.j2"


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

    triples = render_triples(
        settings,
        DCAT_TEMPLATE,
        catalog=catalog_iri(settings),
        publisher=f"{settings.base_iri}catalog#publisher",
        contact=f"{settings.base_iri}catalog#contact",
        service=f"{settings.base_iri}catalog#sparql",
        licence=licence,
        whole=f"{settings.base_iri}id/dataset/qpvkg",
        url=url,
        meta=meta,
        info=info,
        dumps=dumps,
        stats=stats,
        issued=issued,
        modified=modified,
        years=years,
        families=[
            _family(settings, key, rows, meta, licence, stats)
            for key, rows in sorted(families.items())
        ],
    )
    return triples + typing(triples, meta.labels)


@dataclass
class Family:
    """A dataset of the catalogue: a source family or a partner, and its graphs."""

    dataset: str
    spec: DatasetSpec
    name: str
    licence: str | None
    modified: str
    graphs: list[tuple[str, int]]  # each graph and its triples

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)


def _family(
    settings: Settings,
    key: str,
    rows: list[ox.QuerySolution],
    meta: CatalogMetadata,
    licence: str,
    stats: Statistics,
) -> Family:
    partner = key.split(":", 1)[1] if key.startswith("partner:") else None
    declared = [r["licence"].value for r in rows if r["licence"] is not None]
    return Family(
        dataset=f"{settings.base_iri}id/dataset/" + (f"partner-{partner}" if partner else key),
        spec=meta.datasets["partner" if partner else key],
        name=partner or "",
        licence=declared[0] if declared else licence if not partner else None,
        modified=max(
            (r["modified"].value if r["modified"] is not None else r["generated"].value)
            for r in rows
        ),
        graphs=[(r["graph"].value, stats.graphs.get(r["graph"].value, (0, 0))[0]) for r in rows],
    )


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

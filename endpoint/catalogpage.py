"""The DCAT-AP catalogue as a page for people: its datasets and their distributions (format,
size, checksum, licence), read from the published catalogue and VoID files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from endpoint.i18n import pick
from endpoint.pages.terms import by_subject, first_text, iris, texts_of
from endpoint.sparqlterms import Term
from loaders.namespaces import DCAT, DCT, IANA, RDF_TYPE, SKOS, SPDX, VOID
from loaders.rdfformats import RDF_SYNTAXES

#: Names of the EU file types the catalogue uses.
FILE_TYPES = {s.eu_file_type: s.label for s in RDF_SYNTAXES}
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


@dataclass
class Distribution:
    name: str
    href: str
    format: str
    media_type: str
    compressed: bool
    size: int | None
    triples: int | None
    sha256: str | None
    licence: str | None


@dataclass
class Dataset:
    iri: str
    anchor: str
    title: str
    description: str
    licence: str | None
    modified: str | None
    triples: int | None
    themes: list[tuple[str, str]]
    keywords: list[str]
    period: tuple[str, str] | None
    distributions: list[Distribution] = field(default_factory=list)
    whole: bool = False


@dataclass
class Catalogue:
    title: str
    description: str
    modified: str | None
    endpoint: str | None
    datasets: list[Dataset]


def _local(href: str, public: str) -> str:
    """A URL of this server as a path, so the page works on any host."""
    return "/" + href[len(public) :] if href.startswith(public) else href


def _int(values: list[Term]) -> int | None:
    for v in values:
        if isinstance(v, ox.Literal) and v.value.isdigit():
            return int(v.value)
    return None


def _first(values: list[Term]) -> str | None:
    return first_text(values)


def _text(values: list[Term], lang: str) -> str:
    return pick(texts_of(values), lang) or ""


def graph_sizes(void: list[ox.Triple]) -> dict[str, int]:
    """Triples of each named graph, from the VoID subsets."""
    subjects = by_subject(void)
    out: dict[str, int] = {}
    for props in subjects.values():
        source = _first(props.get(f"{DCT}source", []))
        triples = _int(props.get(f"{VOID}triples", []))
        if source and triples is not None:
            out[source] = triples
    return out


def catalogue_of(
    triples: list[ox.Triple], void: list[ox.Triple], lang: str, public: str
) -> Catalogue:
    subjects = by_subject(triples)
    sizes = graph_sizes(void)

    def typed(cls: str) -> list[str]:
        return sorted(s for s, p in subjects.items() if cls in iris(p.get(RDF_TYPE, [])))

    def distribution(iri: str) -> Distribution:
        props = subjects.get(iri, {})
        download = _first(props.get(f"{DCAT}downloadURL", [])) or iri
        media = (_first(props.get(f"{DCAT}mediaType", [])) or "").removeprefix(IANA)
        file_type = (_first(props.get(f"{DCT}format", [])) or "").rsplit("/", 1)[-1]
        checksum = _first(props.get(f"{SPDX}checksum", []))
        sha = _first(subjects.get(checksum or "", {}).get(f"{SPDX}checksumValue", []))
        graph = download.split("graph=", 1)[1] if "graph=" in download else None
        name = download.rsplit("/", 1)[-1] if graph is None else graph.rsplit("/graph/", 1)[-1]
        return Distribution(
            name=name,
            href=_local(download, public),
            format=FILE_TYPES.get(file_type, file_type),
            media_type=media,
            compressed=bool(props.get(f"{DCAT}compressFormat")),
            size=_int(props.get(f"{DCAT}byteSize", [])),
            triples=sizes.get(graph) if graph else None,
            sha256=sha,
            licence=_first(props.get(f"{DCT}license", [])),
        )

    datasets = []
    for iri in typed(f"{DCAT}Dataset"):
        props = subjects[iri]
        period_props = subjects.get(_first(props.get(f"{DCT}temporal", [])) or "", {})
        start = _first(period_props.get(f"{DCAT}startDate", []))
        end = _first(period_props.get(f"{DCAT}endDate", []))
        keywords = [
            v.value
            for v in props.get(f"{DCAT}keyword", [])
            if isinstance(v, ox.Literal) and v.language == lang
        ] or [
            v.value
            for v in props.get(f"{DCAT}keyword", [])
            if isinstance(v, ox.Literal) and v.language == "fr"
        ]
        dists = [distribution(d) for d in iris(props.get(f"{DCAT}distribution", []))]
        dists.sort(key=lambda d: (d.size is None, d.name))
        datasets.append(
            Dataset(
                iri=iri,
                anchor=iri.rstrip("/").rsplit("/", 1)[-1],
                title=_text(props.get(f"{DCT}title", []), lang) or iri,
                description=_text(props.get(f"{DCT}description", []), lang),
                licence=_first(props.get(f"{DCT}license", [])),
                modified=_first(props.get(f"{DCT}modified", [])),
                triples=_int(props.get(f"{VOID}triples", [])),
                themes=[
                    (t, _text(subjects.get(t, {}).get(f"{SKOS}prefLabel", []), lang) or t)
                    for t in iris(props.get(f"{DCAT}theme", []))
                ],
                keywords=keywords,
                period=(start, end) if start and end else None,
                distributions=dists,
                whole=bool(props.get(f"{DCT}hasPart")),
            )
        )
    datasets.sort(key=lambda d: (not d.whole, d.title.lower()))
    catalogs = typed(f"{DCAT}Catalog")
    head = subjects.get(catalogs[0], {}) if catalogs else {}
    services = typed(f"{DCAT}DataService")
    service = subjects.get(services[0], {}) if services else {}
    endpoint = _first(service.get(f"{DCAT}endpointURL", []))
    return Catalogue(
        title=_text(head.get(f"{DCT}title", []), lang),
        description=_text(head.get(f"{DCT}description", []), lang),
        modified=_first(head.get(f"{DCT}modified", [])),
        endpoint=_local(endpoint, public) if endpoint else None,
        datasets=datasets,
    )


def read(folder: Path, name: str) -> list[ox.Triple]:
    """The triples of a published description (its N-Triples file)."""
    data = (folder / f"{name}.nt").read_bytes()
    return [q.triple for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)]

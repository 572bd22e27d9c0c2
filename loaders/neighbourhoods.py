"""Links from the neighbourhoods a source names to the official QPV of their name and commune."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from loaders import __version__
from loaders.namedqueries import internal_query
from loaders.namespaces import PROV, VOID, XSD
from loaders.qpv2015 import name_key
from loaders.references import RDF_TYPE, RDFS_LABEL
from loaders.settings import Settings
from loaders.store import GraphStore

log = logging.getLogger(__name__)

#: Graph of the links from the study's neighbourhoods to the official QPV (built with the store).
NEIGHBOURHOOD_LINKS = "derived/neighbourhood-links"
RULE_KEY = "neighbourhood-name-in-commune"
#: Graphs (by key prefix) the links are computed from, recorded in the derived graph's provenance.
INPUT_GRAPHS = ("study/", "reference/qpv-", "rules/")
ARTICLES = ("le", "la", "les", "l")


def link_name(name: str) -> str:
    """A neighbourhood or QPV name as the rule compares it: the commune-name normalisation of
    the 2015 import (loaders.qpv2015.name_key), then a leading article dropped."""
    words = name_key(name).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def contains_words(name: str, part: str) -> bool:
    """Whether ``part`` is a run of whole words of ``name`` (both normalised)."""
    return f" {part} " in f" {name} "


@dataclass(frozen=True)
class Candidate:
    """An official QPV of a list that places it in the neighbourhood's commune."""

    qpv: str
    name: str
    geography: str
    dataset: str


@dataclass(frozen=True)
class Link:
    """A neighbourhood linked to an official QPV by the rule."""

    quartier: str
    qpv: str
    qpv_name: str
    geography: str
    dataset: str
    compared: str


@dataclass(frozen=True)
class Unlinked:
    """A neighbourhood the rule links to no QPV of a list, and why."""

    quartier: str
    geography: str
    reason: str


@dataclass
class LinkReport:
    """What the rule linked, what it left unlinked, and the graph it wrote."""

    graph: str
    links: list[Link] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)
    triples: int = 0


def decide(
    names: dict[str, set[str]], candidates: dict[tuple[str, str], set[Candidate]]
) -> tuple[list[Link], list[Unlinked]]:
    """Apply the rule: per neighbourhood and list, the one candidate of equal normalised name,
    else the one whose normalised name contains one of the neighbourhood's as whole words."""
    geographies = sorted({geography for _, geography in candidates})
    links: list[Link] = []
    unlinked: list[Unlinked] = []
    for quartier in sorted(names):
        own = sorted({link_name(n) for n in names[quartier]} - {""})
        for geography in geographies:
            found = sorted(candidates.get((quartier, geography), set()), key=lambda c: c.qpv)
            if not found:
                unlinked.append(Unlinked(quartier, geography, "no QPV of the list in its commune"))
                continue
            chosen: tuple[Candidate, str] | None = None
            reason = ""
            for test in (str.__eq__, contains_words):
                hits = [(c, n) for c in found for n in own if test(link_name(c.name), n)]
                qpvs = sorted({c.qpv for c, _ in hits})
                if len(qpvs) == 1:
                    chosen = hits[0]
                    break
                if len(qpvs) > 1:
                    reason = f"several QPV of its commune bear its name ({', '.join(qpvs)})"
                    break
            if chosen is None:
                unlinked.append(
                    Unlinked(
                        quartier,
                        geography,
                        reason
                        or f"none of the {len(found)} QPV of its commune bears its name "
                        f"({', '.join(own)})",
                    )
                )
                continue
            candidate, compared = chosen
            links.append(
                Link(
                    quartier,
                    candidate.qpv,
                    candidate.name,
                    geography,
                    candidate.dataset,
                    compared,
                )
            )
    return links, unlinked


def candidates_of(
    store: GraphStore, settings: Settings
) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[Candidate]]]:
    """The names of each neighbourhood, and the QPV of each list in its commune."""
    names: dict[str, set[str]] = defaultdict(set)
    candidates: dict[tuple[str, str], set[Candidate]] = defaultdict(set)
    rows = store.query(
        internal_query(settings, "neighbourhood-link-candidates"), use_default_graph_as_union=True
    )
    for row in rows:  # type: ignore[union-attr]
        quartier = row["quartier"].value
        names[quartier].add(row["name"].value)
        if row["qpv"] is None:
            continue
        geography = row["geography"].value.rstrip("/").rsplit("/", 1)[-1]
        candidates[(quartier, geography)].add(
            Candidate(row["qpv"].value, row["qpvName"].value, geography, row["dataset"].value)
        )
    return names, candidates


def link_triples(settings: Settings, links: Iterable[Link]) -> list[ox.Triple]:
    """The links as triples: the direct link, and a link resource with the rule, the list
    (dataset) it was computed from and the name compared."""
    q = settings.def_ns
    rule = ox.NamedNode(f"{settings.base_iri}id/rule/{RULE_KEY}")
    out: list[ox.Triple] = []
    for link in links:
        quartier, qpv = ox.NamedNode(link.quartier), ox.NamedNode(link.qpv)
        code = link.qpv.rsplit("/", 1)[-1]
        key = link.quartier.rstrip("/").rsplit("/", 1)[-1]
        node = ox.NamedNode(f"{settings.base_iri}id/neighbourhood-link/{key}-{code}")
        out += [
            ox.Triple(quartier, ox.NamedNode(f"{q}officialQpv"), qpv),
            ox.Triple(quartier, ox.NamedNode(f"{q}neighbourhoodLink"), node),
            ox.Triple(node, RDF_TYPE, ox.NamedNode(f"{q}NeighbourhoodLink")),
            ox.Triple(
                node,
                RDFS_LABEL,
                ox.Literal(f"{code} {link.qpv_name} (géographie {link.geography})", language="fr"),
            ),
            ox.Triple(node, ox.NamedNode(f"{q}linkedQPV"), qpv),
            ox.Triple(node, ox.NamedNode(f"{q}linkRule"), rule),
            ox.Triple(node, ox.NamedNode(f"{PROV}wasDerivedFrom"), ox.NamedNode(link.dataset)),
            ox.Triple(node, ox.NamedNode(f"{PROV}wasDerivedFrom"), quartier),
            ox.Triple(node, ox.NamedNode(f"{q}comparedName"), ox.Literal(link.compared)),
        ]
    return out


def derive_neighbourhood_links(store: GraphStore, settings: Settings, when: str) -> LinkReport:
    """Replace graph/derived/neighbourhood-links with the rule's links over the store, and
    record its provenance (the graphs it was computed from, the rule) in graph/build."""
    graph = ox.NamedNode(settings.graph_iri(NEIGHBOURHOOD_LINKS))
    build = ox.NamedNode(settings.graph_iri("build"))
    names, candidates = candidates_of(store, settings)
    links, unlinked = decide(names, candidates)
    triples = link_triples(settings, links)
    if graph in set(store.named_graphs()):
        store.remove_graph(graph)
    for old in list(store.quads_for_pattern(graph, None, None, build)):
        store.remove(old)
    inputs = sorted(
        g.value
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode)
        and g.value.startswith(tuple(settings.graph_iri(k) for k in INPUT_GRAPHS))
    )
    store.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
    integer = ox.NamedNode(f"{XSD}integer")
    store.extend(
        [
            ox.Quad(graph, RDF_TYPE, ox.NamedNode(f"{VOID}Dataset"), build),
            ox.Quad(graph, RDF_TYPE, ox.NamedNode(f"{PROV}Entity"), build),
            ox.Quad(
                graph, ox.NamedNode(f"{settings.def_ns}sourceKind"), ox.Literal("derived"), build
            ),
            ox.Quad(
                graph,
                ox.NamedNode(f"{VOID}triples"),
                ox.Literal(str(len(triples)), datatype=integer),
                build,
            ),
            ox.Quad(
                graph,
                ox.NamedNode(f"{PROV}generatedAtTime"),
                ox.Literal(when, datatype=ox.NamedNode(f"{XSD}dateTime")),
                build,
            ),
            ox.Quad(
                graph,
                ox.NamedNode(f"{PROV}wasGeneratedBy"),
                ox.NamedNode(f"{settings.base_iri}graph/build#qpvkg-{__version__}"),
                build,
            ),
            *(
                ox.Quad(graph, ox.NamedNode(f"{PROV}wasDerivedFrom"), ox.NamedNode(g), build)
                for g in inputs
            ),
        ]
    )
    for link in links:
        log.info("neighbourhood %s -> %s (%s)", link.quartier, link.qpv, link.geography)
    for miss in unlinked:
        log.info("neighbourhood %s: no QPV %s: %s", miss.quartier, miss.geography, miss.reason)
    return LinkReport(graph=graph.value, links=links, unlinked=unlinked, triples=len(triples))

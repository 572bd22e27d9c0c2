"""The VoID statistics of the union and of each named graph, computed once a publication
by the internal queries (``queries/internal/void-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from loaders.namedqueries import internal_query
from loaders.settings import Settings
from loaders.store import GraphStore


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


def query_rows(
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
    for row in query_rows(store, settings, "void-totals"):
        stats.triples = _int(row, "triples")
        stats.subjects = _int(row, "subjects")
        stats.properties = _int(row, "properties")
        stats.objects = _int(row, "objects")
    space = ox.NamedNode(f"{settings.base_iri}id/")
    stats.entities = sum(
        _int(r, "entities") for r in query_rows(store, settings, "void-entities", space=space)
    )
    stats.classes = {
        r["class"].value: _int(r, "entities") for r in query_rows(store, settings, "void-classes")
    }
    stats.property_triples = {
        r["property"].value: _int(r, "triples")
        for r in query_rows(store, settings, "void-properties")
    }
    stats.graphs = {
        r["graph"].value: (_int(r, "triples"), _int(r, "subjects"))
        for r in query_rows(store, settings, "void-graphs")
    }
    stats.links = [
        (r["target"].value, r["predicate"].value, _int(r, "triples"))
        for r in query_rows(store, settings, "void-links", base=ox.NamedNode(settings.base_iri))
    ]
    namespaces = set()
    for r in query_rows(store, settings, "void-vocabularies"):
        iri = r["term"].value
        cut = max(iri.rfind("#"), iri.rfind("/"))
        namespaces.add(iri[: cut + 1])
    stats.vocabularies = sorted(namespaces)
    return stats

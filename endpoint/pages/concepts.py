"""Concept schemes' pages and the charts: the concepts of a scheme with their counts, the bars
of a chart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from endpoint.iris import href_of
from endpoint.pages.terms import Row, Texts
from endpoint.sparqlterms import Term


@dataclass
class Concept:
    iri: str
    href: str | None
    notation: str | None
    labels: Texts
    definitions: Texts
    broader: str | None
    innovations: int
    resources: int


def number(term: Term | None) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def concepts_of(rows: Iterable[Row], usage: Iterable[Row], base_iri: str) -> list[Concept]:
    """The concepts of a scheme from its rows (labels, definitions) and its usage rows (counts
    of the concepts some resource uses)."""
    counts: dict[str, tuple[int, int]] = {}
    for row in usage:
        used = row.get("concept")
        if isinstance(used, ox.NamedNode):
            counts[used.value] = (number(row.get("innovations")), number(row.get("resources")))
    found: dict[str, Concept] = {}
    for row in rows:
        concept = row.get("concept")
        if not isinstance(concept, ox.NamedNode):
            continue
        entry = found.get(concept.value)
        if entry is None:
            notation = row.get("notation")
            broader = row.get("broader")
            entry = found[concept.value] = Concept(
                iri=concept.value,
                href=href_of(concept.value, base_iri),
                notation=notation.value if isinstance(notation, ox.Literal) else None,
                labels={},
                definitions={},
                broader=broader.value if isinstance(broader, ox.NamedNode) else None,
                innovations=counts.get(concept.value, (0, 0))[0],
                resources=counts.get(concept.value, (0, 0))[1],
            )
        label, definition = row.get("label"), row.get("definition")
        if isinstance(label, ox.Literal):
            entry.labels.setdefault(label.language or "", label.value)
        if isinstance(definition, ox.Literal):
            entry.definitions.setdefault(definition.language or "", definition.value)
    return list(found.values())


@dataclass
class Bar:
    """One bar of a chart: what it counts, how many, its share of the largest."""

    labels: Texts
    href: str | None
    count: int
    percent: int = 0


def bars_of(rows: Iterable[Row], key: str, base_iri: str) -> list[Bar]:
    found: dict[str, Bar] = {}
    for row in rows:
        item = row.get(key)
        if not isinstance(item, ox.NamedNode):
            continue
        bar = found.setdefault(
            item.value, Bar({}, href_of(item.value, base_iri), number(row.get("count")))
        )
        label = row.get("label")
        if isinstance(label, ox.Literal):
            bar.labels.setdefault(label.language or "", label.value)
    bars = sorted(found.values(), key=lambda b: (-b.count, b.labels.get("fr", b.href or "")))
    top = max((b.count for b in bars), default=0)
    for b in bars:
        b.percent = round(100 * b.count / top) if top else 0
    return bars

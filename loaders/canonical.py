"""Deterministic blank-node labels, so that the same content always has the same checksum.

A parser names blank nodes afresh at each read, so the N-Triples of one document differ from
one PUT to the next. Here each blank node is named from what it is: the hash of its own
description (its triples, the blank nodes below it named the same way) and of where it hangs
(the triple that points to it, and that triple's subject's name). Equal content gives equal
labels whatever the labels sent, and two graphs are compared line by line.

This needs blank nodes to form trees: each blank node is the object of one triple at most and
no blank node is reached from itself. That is what nested JSON-LD objects, Turtle's ``[ ]`` and
``( )`` and RDF/XML's nested descriptions produce. RDFC-1.0 (``Dataset.canonicalize``) handles any
graph but its cost is exponential in the worst case (measured: a ring of 32 blank nodes, 64
triples, took 7.3 s), which a partner could send to stall every write; the trees it needs
here are named in linear time (10,000 triples: docs/contribute.md#limits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pyoxigraph as ox

from loaders.errors import BlankNodeShapeError


def canonical_triples(triples: Sequence[ox.Triple], *, strict: bool = True) -> list[ox.Triple]:
    """The triples with every blank node renamed from its content and position; duplicates
    (identical blank descriptions under the same triple) merge.

    Blank nodes that are shared or form a cycle raise ``BlankNodeShapeError`` when ``strict``;
    otherwise the triples are returned as they are (graphs written before this rule)."""
    parent: dict[ox.BlankNode, ox.Triple] = {}
    below: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            below.setdefault(t.subject, []).append(t)
        if isinstance(t.object, ox.BlankNode):
            if t.object in parent and parent[t.object] != t:
                if not strict:
                    return list(triples)
                raise BlankNodeShapeError(
                    f"the blank node {t.object} is the object of several triples "
                    f"({parent[t.object]} and {t}): give the shared resource an IRI",
                    node=str(t.object),
                )
            parent[t.object] = t
    if not parent and not below:
        return list(dict.fromkeys(triples))
    nodes = set(below) | set(parent)
    roots = [
        b for b in nodes if not isinstance(getattr(parent.get(b), "subject", None), ox.BlankNode)
    ]
    order: list[ox.BlankNode] = []  # parents before children
    pending = list(roots)
    while pending:
        node = pending.pop()
        order.append(node)
        pending.extend(t.object for t in below.get(node, ()) if isinstance(t.object, ox.BlankNode))
    if len(order) != len(nodes):
        if not strict:
            return list(triples)
        cycle = sorted(str(b) for b in nodes - set(order))[:3]
        raise BlankNodeShapeError(
            f"blank nodes form a cycle ({', '.join(cycle)}...): give one of them an IRI",
            nodes=cycle,
        )
    content: dict[ox.BlankNode, str] = {}
    for node in reversed(order):  # children before parents
        lines = sorted(
            f"{t.predicate} {content[t.object] if isinstance(t.object, ox.BlankNode) else t.object}"
            for t in below.get(node, ())
        )
        content[node] = _digest("\n".join(lines))
    label: dict[ox.BlankNode, ox.BlankNode] = {}
    for node in order:
        up = parent.get(node)
        where = ""
        if up is not None:
            subject = label[up.subject] if isinstance(up.subject, ox.BlankNode) else up.subject
            where = f"{subject} {up.predicate}"
        label[node] = ox.BlankNode("c" + _digest(f"{where}\n{content[node]}")[:32])

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        return label[value] if isinstance(value, ox.BlankNode) else value

    renamed = (ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples)  # type: ignore[arg-type]
    return list(dict.fromkeys(renamed))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

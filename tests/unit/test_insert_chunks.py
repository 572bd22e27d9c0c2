"""A partner's write is sent as INSERTs of about a thousand triples (one request, one
transaction): the triples that share a blank node stay in one of them."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.contribution.write import insert_chunks

EX = "http://example.org/"
P = ox.NamedNode(f"{EX}p")


def test_ground_triples_are_cut_in_chunks_in_order() -> None:
    triples = [ox.Triple(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(str(i))) for i in range(25)]
    chunks = insert_chunks(triples, size=10)
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [t for c in chunks for t in c] == triples


def test_triples_sharing_a_blank_node_stay_together() -> None:
    a, b = ox.BlankNode(), ox.BlankNode()
    thing = ox.NamedNode(f"{EX}thing")
    chained = [ox.Triple(thing, P, a), ox.Triple(a, P, b)] + [
        ox.Triple(b, P, ox.Literal(str(i))) for i in range(12)
    ]
    ground = [ox.Triple(thing, P, ox.Literal("x"))]
    chunks = insert_chunks(ground + chained, size=5)
    (together,) = [c for c in chunks if any(isinstance(t.object, ox.BlankNode) for t in c)]
    assert sorted(map(str, together)) == sorted(map(str, chained))
    assert sum(len(c) for c in chunks) == 15

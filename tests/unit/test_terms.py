"""The terms a job carries to a worker: encoded once (endpoint/worker.py), decoded the same."""

from __future__ import annotations

import pickle

import pyoxigraph as ox
import pytest

from endpoint.worker import term, term_spec
from loaders.errors import BadInputError


@pytest.mark.parametrize(
    "value",
    [
        ox.NamedNode("https://w3id.org/qpvkg/id/commune/93066"),
        ox.BlankNode("b0"),
        ox.Literal("Saint-Denis"),
        ox.Literal("Saint-Denis", language="fr"),
        ox.Literal("93066", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ],
)
def test_a_term_crosses_to_the_worker_unchanged(value: ox.NamedNode) -> None:
    assert term(pickle.loads(pickle.dumps(term_spec(value)))) == value


def test_a_triple_cannot_be_bound_to_a_variable() -> None:
    a = ox.NamedNode("https://example.org/a")
    with pytest.raises(BadInputError, match="triple"):
        term_spec(ox.Triple(a, a, a))

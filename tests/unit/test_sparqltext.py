"""Binding variables in a query text for an external store: the result equals pyoxigraph's
own substitution, whatever the query's form and whatever braces hide in strings or comments."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from loaders.sparqltext import with_values

EX = "http://example.org/"
DATA = f"""
<{EX}a> <{EX}p> "one {{ WHERE }}" ; <{EX}q> <{EX}b> .
<{EX}b> <{EX}p> "two" ; <{EX}q> <{EX}a> .
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    return store


def results(result: object) -> object:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(tuple(str(row[n]) for n in names) for row in result)
    return sorted(str(t) for t in result)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o }",
        "SELECT * { ?s <http://example.org/p> ?o }",
        "PREFIX ex: <http://example.org/>\n# a comment { with braces } and WHERE\n"
        'SELECT ?s ?o WHERE { ?s ex:p ?o FILTER(?o != "}") }',
        "ASK { ?s <http://example.org/q> ?o }",
        "CONSTRUCT { ?s <http://example.org/r> ?o } WHERE { ?s <http://example.org/q> ?o }",
        "CONSTRUCT { ?s <http://example.org/r> ?o } { ?s <http://example.org/q> ?o }",
        "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } } }",
        "DESCRIBE ?s",
        "CONSTRUCT WHERE { ?s <http://example.org/q> ?o }",
    ],
)
def test_values_give_the_same_answer_as_substitution(store: ox.Store, query: str) -> None:
    term = ox.NamedNode(f"{EX}a")
    expected = results(store.query(query, substitutions={ox.Variable("s"): term}))
    bound = with_values(query, {"s": str(term)})
    assert bound != query
    assert results(store.query(bound)) == expected


def test_literals_are_written_escaped(store: ox.Store) -> None:
    literal = ox.Literal("one { WHERE }")
    query = "SELECT ?s WHERE { ?s <http://example.org/p> ?o }"
    bound = with_values(query, {"o": str(literal)})
    assert results(store.query(bound)) == [(f"<{EX}a>",)]
    tricky = ox.Literal('x" } } ; DROP ALL #')
    assert results(store.query(with_values(query, {"o": str(tricky)}))) == []


def test_no_bindings_leave_the_text_alone() -> None:
    assert with_values("ASK {}", {}) == "ASK {}"

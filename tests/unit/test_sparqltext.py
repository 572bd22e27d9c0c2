"""Reading a query's text: binding variables for an external store (the result equals
pyoxigraph's own substitution, whatever braces hide in strings or comments), and the quick
check that refuses updates and SERVICE clauses."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest

from loaders.errors import QueryRefusedError
from loaders.sparqltext import _check_query, check_query, with_values

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
        # a sub-SELECT with a LIMIT is evaluated on its own: the binding must reach it
        "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s <http://example.org/q> ?o } LIMIT 1 } }",
        "SELECT ?s ?o ?n WHERE { { SELECT * WHERE { ?s <http://example.org/q> ?o } LIMIT 1 }"
        " OPTIONAL { ?o <http://example.org/p> ?n } }",
        "SELECT ?s ?n WHERE { { SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s } }",
    ],
)
@pytest.mark.parametrize("name", ["a", "b"])
def test_values_give_the_same_answer_as_substitution(
    store: ox.Store, query: str, name: str
) -> None:
    term = ox.NamedNode(f"{EX}{name}")
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


KEYWORD_PLACES = [
    "SELECT * WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:insert ?o }",
    'SELECT * WHERE { ?s ?p "please DELETE me" }',
    "SELECT * WHERE { <http://example.org/add/with> ?p ?o } # load, clear, drop",
    "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> insert data { ex:a ex:b ex:c }",
    "BASE <http://example.org/> DELETE WHERE { ?s ?p ?o }",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o . FILTER(CONTAINS(?o, 'copy-move')) }",
]


@pytest.mark.parametrize("text", KEYWORD_PLACES)
def test_the_quick_check_refuses_what_the_full_check_refuses(text: str) -> None:
    allowed = "http://example.org/sparql"

    def outcome(check: Callable[[], None]) -> str:
        try:
            check()
        except QueryRefusedError as exc:
            return exc.message
        return "accepted"

    quick = outcome(lambda: check_query(text, [allowed]))
    assert quick == outcome(lambda: _check_query.__wrapped__(text, (allowed,)))

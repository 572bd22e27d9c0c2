"""IRIs the store returned, bound in an internal query by a VALUES block inside its pattern."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from endpoint.sparqlterms import values_inside

QUERY = "SELECT ?s ?o WHERE {\n  VALUES ?s { UNDEF }\n  ?s <http://example.org/p> ?o .\n}\n"


def store() -> ox.Store:
    s = ox.Store()
    for name in "abc":
        s.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/{name}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal(name),
            )
        )
    return s


def test_the_placeholder_alone_leaves_the_variable_free() -> None:
    assert len(list(store().query(QUERY))) == 3


def test_the_iris_take_the_placeholder_s_place() -> None:
    text = values_inside(QUERY, "s", ["http://example.org/a", "http://example.org/c"])
    assert "UNDEF" not in text
    assert sorted(row["o"].value for row in store().query(text)) == ["a", "c"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ?o }",  # no placeholder
        "SELECT ?s WHERE { VALUES ?o { UNDEF } ?s ?p ?o }",  # another variable's
        QUERY.replace("?o .", "?o . VALUES ?s { UNDEF }"),  # two of them
    ],
)
def test_a_query_without_one_placeholder_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        values_inside(query, "s", ["http://example.org/a"])


def test_a_value_that_is_no_iri_is_refused() -> None:
    with pytest.raises(ValueError):
        values_inside(QUERY, "s", ["http://example.org/a> } ?x ?y ?z . { <x"])

"""Terms to and from the store's queries: SPARQL JSON results as rows of pyoxigraph terms,
N-Triples as triples, VALUES clauses naming IRIs (each written by pyoxigraph, so escaped)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from loaders.sparqltext import with_values

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def solutions(body: bytes) -> list[dict[str, Term | None]]:
    """SPARQL JSON results as rows of pyoxigraph terms."""
    results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if not isinstance(results, ox.QuerySolutions):
        return []
    names = [v.value for v in results.variables]
    rows: list[dict[str, Term | None]] = []
    for solution in results:
        row: dict[str, Term | None] = {}
        for name in names:
            term = solution[name]
            row[name] = term if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else None
        rows.append(row)
    return rows


def triples_of(body: bytes) -> list[ox.Triple]:
    """N-Triples bytes as triples."""
    return [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]


def with_iris(query: str, **terms: str) -> str:
    """A query shown to the user (a link) with its variables bound to IRIs: a VALUES block
    first in its pattern, where every engine joins it first (appended after the query,
    Virtuoso joins it last, after reading every triple)."""
    return with_values(query, {k: str(ox.NamedNode(v)) for k, v in terms.items()})


def values_list(name: str, iris: Iterable[str]) -> str:
    """A one-variable VALUES clause naming IRIs the store returned, appended to an internal
    query (each written by pyoxigraph, so escaped)."""
    return f"VALUES ?{name} {{ {' '.join(str(ox.NamedNode(v)) for v in iris)} }}\n"


def values_inside(query: str, name: str, iris: Iterable[str]) -> str:
    """An internal query with the IRIs the store returned in place of its placeholder block
    ``VALUES ?name { UNDEF }`` (a VALUES block inside the pattern, where the engine joins it
    first; the placeholder alone leaves the variable free)."""
    placeholder = f"VALUES ?{name} {{ UNDEF }}"
    if query.count(placeholder) != 1:
        raise ValueError(f"the query has no single placeholder {placeholder!r}")
    return query.replace(placeholder, values_list(name, iris).rstrip("\n"))

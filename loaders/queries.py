"""Running named queries, query files and SPARQL text from the command line."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from loaders.csvsafe import defuse_csv
from loaders.errors import BadInputError, QuerySyntaxError
from loaders.namedqueries import NamedQuery, get_query, parse_query_file
from loaders.params import bind
from loaders.rdfformats import DATASET_FORMATS, RDF_SYNTAXES, RESULTS_BY_KEY
from loaders.settings import Settings
from loaders.store import open_read, term_text

#: The command line's outputs (``loaders/rdfformats.py``), in the order its messages list them.
RESULT_FORMATS = {key: RESULTS_BY_KEY[key].oxigraph for key in ("csv", "tsv", "json", "xml")}
GRAPH_FORMATS = {syntax.key: syntax.oxigraph for syntax in RDF_SYNTAXES}


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """NAME=VALUE pairs from the command line."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInputError(f"parameter {pair!r} is not NAME=VALUE")
        if key in params:
            raise BadInputError(f"parameter {key} is given twice")
        params[key] = value
    return params


def resolve(
    settings: Settings, name: str | None, file: Path | None, sparql: str | None
) -> NamedQuery | str:
    if name is not None:
        return get_query(settings, name)
    if file is not None:
        if not file.is_file():
            raise BadInputError(f"{file}: no such query file")
        return parse_query_file(file, require_header=False)
    assert sparql is not None
    return sparql


@contextmanager
def execute(
    settings: Settings,
    *,
    name: str | None,
    file: Path | None,
    sparql: str | None,
    params: Mapping[str, str],
) -> Iterator[ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]]:
    """Run a query over the union of the store's graphs; the result is live while open."""
    target = resolve(settings, name, file, sparql)
    if isinstance(target, NamedQuery):
        text = target.sparql
        substitutions = bind(target, params, settings.base_iri)
    else:
        if params:
            raise BadInputError("parameters (-p) need a named query or a .rq file with a #+ header")
        text, substitutions = target, {}
    with open_read(settings) as store:
        try:
            result = store.query(
                text, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query does not parse: {exc}") from exc
        yield result


def render(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple],
    fmt: str,
    console: Console,
) -> None:
    """Print a result as a table, or with pyoxigraph's serialisers (csv, tsv, json, xml, ttl...)."""
    if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):  # a graph
        graph_fmt = GRAPH_FORMATS.get("ttl" if fmt == "table" else fmt)
        if graph_fmt is None:
            raise BadInputError(
                f"format {fmt!r} does not fit a graph; use one of {', '.join(GRAPH_FORMATS)}"
            )
        buffer = io.BytesIO()
        ox.serialize(result, buffer, graph_fmt)
        console.file.write(buffer.getvalue().decode("utf-8"))
        return
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            console.print("true" if bool(result) else "false")
            return
        variables = [v.value for v in result.variables]
        table = Table(*variables, show_lines=False)
        count = 0
        for row in result:
            table.add_row(*("" if row[v] is None else term_text(row[v]) for v in variables))
            count += 1
        console.print(table)
        console.print(f"{count} row(s)")
        return
    results_fmt = RESULT_FORMATS.get(fmt)
    if results_fmt is None:
        raise BadInputError(f"unknown format {fmt!r}; use table, {', '.join(RESULT_FORMATS)}")
    buffer = io.BytesIO()
    result.serialize(buffer, results_fmt)
    document = buffer.getvalue()
    if fmt == "csv":  # as the HTTP answers: no cell that a spreadsheet runs as a formula
        document = defuse_csv(document)
    console.file.write(document.decode("utf-8"))
    console.file.flush()


def export_store(settings: Settings, output: Path, fmt: str) -> int:
    """Write the whole store to a file; returns the number of quads."""
    graph_fmt = GRAPH_FORMATS.get(fmt)
    if graph_fmt is None:
        raise BadInputError(f"unknown export format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")
    with open_read(settings) as store:
        n = len(store)
        buffer = io.BytesIO()
        if graph_fmt in DATASET_FORMATS:
            store.dump(buffer, graph_fmt)
        else:
            ox.serialize((q.triple for q in store), buffer, graph_fmt)
    data = buffer.getvalue()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(gzip.compress(data) if output.name.endswith(".gz") else data)
    return n

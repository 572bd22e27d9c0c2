"""Row counting and cutting of SELECT results, checked against pyoxigraph's own parsers."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from endpoint.results import RESULT_FORMATS, serialize_solutions
from endpoint.worker import Answer, decode_answer, encode_answer

EX = "http://example.org/"
# text that looks like the structure of each format
TRICKY = [
    "plain",
    'a "quoted" {"type":"uri"} value',
    "{}",
    "}{",
    "line\nbreak\r\nand\ttab",
    "<result></result><results>",
    'comma, "quote" and ""',
    "back\\slash\\",
    "",
]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i in range(40):
        subject = ox.NamedNode(f"{EX}s{i}")
        store.add(ox.Quad(subject, ox.NamedNode(f"{EX}text"), ox.Literal(TRICKY[i % len(TRICKY)])))
        if i % 3:
            store.add(ox.Quad(subject, ox.NamedNode(f"{EX}n"), ox.Literal(str(i))))
    return store


QUERIES = [
    # a variable named "type", values with braces and quotes
    "SELECT ?type ?text WHERE { ?type <http://example.org/text> ?text }",
    # unbound values and empty rows
    "SELECT ?n WHERE { ?s <http://example.org/text> ?t OPTIONAL { ?s <http://example.org/n> ?n } }",
    "SELECT * WHERE { ?s <http://example.org/text> ?t FILTER(false) }",
    "SELECT * WHERE {}",
    "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }",
]


def parsed_rows(body: bytes, key: str) -> int:
    return len(list(ox.parse_query_results(body, RESULT_FORMATS[key])))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [1, 2, 7, 100_000])
def test_rows_are_counted_and_cut_exactly(
    store: ox.Store, key: str, query: str, limit: int
) -> None:
    total = len(list(store.query(query)))  # type: ignore[arg-type]
    body, rows, truncated = serialize_solutions(store.query(query), key, limit)  # type: ignore[arg-type]
    assert truncated == (total > limit)
    assert rows == min(total, limit)
    if key == "csv":  # CSV has no types: pyoxigraph reads it back as text, rows alike
        assert body.count(b"\r\n") >= rows
    else:
        assert parsed_rows(body, key) == rows
    if truncated and key == "json":
        assert body.startswith(b'{"truncated":true,')


@pytest.mark.parametrize(
    "answer",
    [
        Answer(True, "SELECT", "json", b'{"x":"a\tb\nc"}', rows=3, eval_ms=0.125),
        Answer(True, "CONSTRUCT", "ttl", b"", rows=0, truncated=True, eval_ms=12.5),
        Answer(False, error="BadInputError", message="no\tgood\n", details={"limit": 3}),
    ],
)
def test_a_worker_answer_crosses_its_socket_unchanged(answer: Answer) -> None:
    assert decode_answer(encode_answer(answer)) == answer


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ('=A1&"x,\ny"', '\'=A1&"x,\ny"'),  # quoted, with a comma and a line break
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cells_read_as_formulas_are_prefixed(cell: str, written: str) -> None:
    store = ox.Store()
    query = f"SELECT ?v ?w WHERE {{ VALUES ?v {{ {ox.Literal(cell)} }} BIND(?v AS ?w) }}"
    body, rows, _ = serialize_solutions(store.query(query), "csv", 10)  # type: ignore[arg-type]
    parsed = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert parsed == [["v", "w"], [written, written]] and rows == 1
    tsv, _, _ = serialize_solutions(store.query(query), "tsv", 10)  # type: ignore[arg-type]
    assert "'" not in tsv.decode()  # TSV is written as it was

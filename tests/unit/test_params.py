"""Typed parameters: validated, bound as RDF terms, never pasted into query text."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import ParameterError
from loaders.namedqueries import NamedQuery, parse_query_file
from loaders.params import Param, bind, to_term

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("param", "raw", "term"),
    [
        (Param("s"), "93", ox.Literal("93")),
        (
            Param("n", type="integer"),
            "+12",
            ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
        ),
        (
            Param("d", type="decimal"),
            "1.50",
            ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
        ),
        (
            Param("b", type="boolean"),
            "oui",
            ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ),
        (
            Param("t", type="date"),
            "2016-09-01",
            ox.Literal("2016-09-01", datatype=ox.NamedNode(XSD + "date")),
        ),
        (
            Param("i", type="iri"),
            "https://w3id.org/qpvkg/id/x",
            ox.NamedNode("https://w3id.org/qpvkg/id/x"),
        ),
        (
            Param("c", type="concept", scheme="stage"),
            "maturation",
            ox.NamedNode("https://w3id.org/qpvkg/concept/stage/maturation"),
        ),
    ],
)
def test_values_become_typed_terms(param: Param, raw: str, term: object) -> None:
    assert to_term(param, raw) == term


@pytest.mark.parametrize(
    ("param", "raw"),
    [
        (Param("n", type="integer"), "12abc"),
        (Param("d", type="decimal"), "NaN"),
        (Param("b", type="boolean"), "peut-être"),
        (Param("t", type="date"), "2016-13-01"),
        (Param("i", type="iri"), "javascript:alert(1)"),
        (Param("i", type="iri"), "https://exa mple.org/> } ; DROP ALL ; {"),
        (Param("c", type="concept", scheme="stage"), "https://w3id.org/qpvkg/concept/scale/local"),
        (Param("c", type="concept", scheme="stage"), "a b"),
        # the scheme's IRI, then what no IRI holds (it was a 500)
        (Param("c", type="concept", scheme="stage"), "https://w3id.org/qpvkg/concept/stage/a>b"),
        (Param("e", enum=("a", "b")), "c"),
        (Param("p", pattern="[0-9]{2}"), "9"),
    ],
)
def test_bad_values_name_the_parameter(param: Param, raw: str) -> None:
    with pytest.raises(ParameterError) as info:
        to_term(param, raw)
    assert info.value.parameter == param.name
    assert param.name in info.value.message


def _query(tmp_path: Path) -> NamedQuery:
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: x\n#+ params:\n#+   - {name: code, required: true}\n#+   - {name: n, type: integer}\n"
        "SELECT ?s ?code ?n WHERE { ?s <https://example.org/code> ?code }\n",
        encoding="utf-8",
    )
    return parse_query_file(path)


def test_bind_checks_required_and_unknown(tmp_path: Path) -> None:
    query = _query(tmp_path)
    with pytest.raises(ParameterError, match="missing required parameter code"):
        bind(query, {})
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        bind(query, {"code": "1", "colour": "red"})
    with pytest.raises(ParameterError, match="given 2 times"):
        bind(query, {"code": ["1", "2"]})
    assert bind(query, {"code": "93"}) == {ox.Variable("code"): ox.Literal("93")}


def test_injection_attempt_is_a_plain_literal(tmp_path: Path) -> None:
    """A value that looks like SPARQL is matched as a string, never run as query text."""
    query = _query(tmp_path)
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("https://example.org/a"),
            ox.NamedNode("https://example.org/code"),
            ox.Literal("93"),
        )
    )
    evil = '93" } UNION { ?s ?p ?o } #'
    rows = list(store.query(query.sparql, substitutions=bind(query, {"code": evil})))  # type: ignore[arg-type]
    assert rows == []
    rows = list(store.query(query.sparql, substitutions=bind(query, {"code": "93"})))  # type: ignore[arg-type]
    assert len(rows) == 1

"""The one table of serialisation formats agrees with pyoxigraph and with negotiation."""

from __future__ import annotations

from endpoint import negotiation
from loaders import rdfformats as rf


def test_each_rdf_format_is_the_one_pyoxigraph_names() -> None:
    for syntax in rf.RDF_SYNTAXES:
        assert syntax.media_type == syntax.oxigraph.media_type, syntax.key
        assert syntax.suffixes[0] == f".{syntax.oxigraph.file_extension}", syntax.key
        assert syntax.label == syntax.oxigraph.name, syntax.key
    assert set(rf.RDF_BY_KEY) == {"ttl", "nt", "nq", "trig", "jsonld", "rdf"}


def test_each_results_format_is_the_one_pyoxigraph_names() -> None:
    for syntax in rf.RESULT_SYNTAXES:
        assert syntax.oxigraph.media_type.startswith(syntax.media_type), syntax.key


def test_negotiation_offers_the_table_s_formats() -> None:
    for fmt in negotiation.RDF:
        syntax = rf.RDF_BY_KEY[fmt.key]
        assert fmt.matches() == (*syntax.media_types, *syntax.generic)
    for fmt in negotiation.RESULTS:
        syntax = rf.RESULTS_BY_KEY[fmt.key]
        assert fmt.matches() == (*syntax.media_types, *syntax.generic)

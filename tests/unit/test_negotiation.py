"""Content negotiation, decided in one place (endpoint/negotiation.py): a suffix or `format=`
first, then HTML for a browser, then the Accept header with its q-values."""

from __future__ import annotations

import pytest

from endpoint.negotiation import BY_KEY, CSV, HTML, JSON, RDF, RESULTS, TEXT, Format, negotiate
from loaders.errors import BadInputError, NotAcceptableError

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LIST = (HTML, JSON, CSV)
RESOURCE = (*RDF[:4], HTML)
REPORT = (JSON, BY_KEY["jsonld"], TEXT)


@pytest.mark.parametrize(
    ("accept", "offered", "given", "expected"),
    [
        # a suffix or format= wins over any Accept header
        (BROWSER, LIST, "csv", "csv"),
        ("text/csv", LIST, "json", "json"),
        (None, RESOURCE, "html", "html"),
        ("text/html", RESOURCE, "nt", "nt"),
        # a browser gets the page where one is offered
        (BROWSER, LIST, None, "html"),
        (BROWSER, RESOURCE, None, "html"),
        ("text/html;q=0.5, text/turtle", RESOURCE, None, "ttl"),
        ("application/xhtml+xml", RESOURCE, None, "html"),
        # no header, or */*: the server's first choice, never the page
        (None, LIST, None, "json"),
        ("*/*", RESOURCE, None, "ttl"),
        ("*/*", (*RESULTS, HTML), None, "json"),
        # q-values, specificity, then order
        ("application/json;q=0.4, text/csv;q=0.9", LIST, None, "csv"),
        ("text/*;q=0.9, application/json;q=0.2", LIST, None, "csv"),
        ("application/n-triples, text/turtle;q=0.5", RESOURCE, None, "nt"),
        ("application/rdf+xml;q=0, */*", RESOURCE, None, "ttl"),
        ("application/xml", (*RESULTS, HTML), None, "xml"),
        ("application/xml", RESOURCE, None, "rdf"),
        # a report of a rejected contribution: an exact type, not a substring of the header
        ("application/ld+json", REPORT, None, "jsonld"),
        ("text/plain", REPORT, None, "txt"),
        ("application/json, text/plain;q=0.5", REPORT, None, "json"),
        ("application/ld+json;q=0, text/plain", REPORT, None, "txt"),
    ],
)
def test_the_format_of_a_response(
    accept: str | None, offered: tuple[Format, ...], given: str | None, expected: str
) -> None:
    assert negotiate(accept, offered, given=given).key == expected


def test_a_format_not_offered_is_bad_input_naming_those_that_are() -> None:
    with pytest.raises(BadInputError, match=r"'ttl' is unknown; use html, json or csv"):
        negotiate(None, LIST, given="ttl")


def test_an_accept_header_nothing_offered_meets_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptableError, match="the list innovations"):
        negotiate("image/png", LIST, what="the list innovations")


def test_a_fallback_answers_what_nothing_else_meets() -> None:
    assert negotiate("image/png", REPORT, fallback=JSON) is JSON
    assert negotiate("text/turtle", (JSON, HTML), fallback=JSON) is JSON
    assert negotiate(BROWSER, (JSON, HTML), fallback=JSON) is HTML

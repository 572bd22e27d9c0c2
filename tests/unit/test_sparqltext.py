"""Reading a query's text: binding variables for an external store (the result equals
pyoxigraph's own substitution, whatever braces hide in strings or comments), and the check
that refuses updates and SERVICE clauses, proven against pyoxigraph itself calling out to a
local listener."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import QueryRefusedError
from loaders.sparqltext import (
    MAX_CHECKED_CHARS,
    _service_refusal,
    _update_refusal,
    check_query,
    describe_parts,
    geosparql_as_virtuoso,
    with_values,
)
from tests.listener import Listener

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

    def full() -> None:  # both checks, uncached and without the quick search before them
        refusal = _update_refusal.__wrapped__(text) or _service_refusal.__wrapped__(
            text, (allowed,)
        )
        if refusal is not None:
            raise QueryRefusedError(refusal[0])

    assert outcome(lambda: check_query(text, [allowed])) == outcome(full)


# ----------------------------------------------------------------------------- SERVICE

BASE = "http://h/sparql"  # the base a query is resolved against (the /sparql URL)
CALLED = """
<http://h/s> <http://h/p> true, false, 1, 1.5, "x", "x"@en, <http://h/a>, <http://example.org/> .
"""
T = "{ ?x ?y ?z }"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def called() -> ox.Store:
    """A store where each lead pattern of the spellings matches, so SERVICE is evaluated."""
    store = ox.Store()
    store.load(CALLED.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://h/g"))
    return store


def connections(store: ox.Store, listener: Listener, query: str) -> int:
    """The connections the listener got while pyoxigraph ran the query (as a worker does)."""
    before = listener.connections
    try:
        result = store.query(query, base_iri=BASE, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            list(result)  # type: ignore[call-overload]
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass  # the remote call failed (the listener closes at once), or the text is invalid
    return listener.connections - before


def spellings(endpoint: str, port: int) -> dict[str, str]:
    """Queries that make pyoxigraph call ``endpoint``, however they write SERVICE."""
    e = f"<{endpoint}>"
    return {
        "after true.": f"SELECT ?s ?x WHERE {{ ?s ?p true.SERVICE {e} {T} }} LIMIT 2",
        "after ex:.": f"PREFIX ex: <http://example.org/> SELECT * {{ ?s ?p ex:.SERVICE {e} {T} }}",
        "after 1.": f"SELECT * WHERE {{ ?s ?p 1.SERVICE {e} {T} }}",
        'after "x".': f'SELECT * WHERE {{ ?s ?p "x".SERVICE {e} {T} }}',
        "after <a>.": f"SELECT * WHERE {{ ?s ?p <a>.SERVICE {e} {T} }}",
        "glued to true": f"SELECT * WHERE {{ ?s ?p trueSERVICE {e} {T} }}",
        "glued to 1": f"SELECT * WHERE {{ ?s ?p 1SERVICE {e} {T} }}",
        'glued to "x"': f'SELECT * WHERE {{ ?s ?p "x"SERVICE {e} {T} }}',
        "glued to <a>": f"SELECT * WHERE {{ ?s ?p <a>SERVICE{e}{T} }}",
        "after a language tag": f'SELECT * WHERE {{ ?s ?p "x"@en.SERVICE {e} {T} }}',
        "mixed case": f"SELECT * WHERE {{ ?s ?p ?o . SeRvIcE {e} {T} }}",
        "comments and newlines": f"SELECT * WHERE {{ ?s ?p true#c\n.#SERVICE\n\tSERVICE#x\n{e}\n#y\n{T} }}",
        "silent": f"SELECT * WHERE {{ ?s ?p ?o . SERVICE SILENT {e} {T} }}",
        "prefixed": f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * {{ ?s ?p ?o SERVICE e:sparql {T} }}",
        "relative to BASE": f"BASE <http://127.0.0.1:{port}/> SELECT * {{ ?s ?p ?o SERVICE <sparql> {T} }}",
        "relative to the request": f"SELECT * {{ ?s ?p ?o SERVICE <//127.0.0.1:{port}/sparql> {T} }}",
        "escaped IRI": f"SELECT * {{ ?s ?p ?o SERVICE <http://127.0.0.1:{port}/sp\\u0061rql> {T} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {e} {T} }} }}",
        "in UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {e} {T} }} }}",
        "in MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {e} {T} }} }}",
        "in a sub-SELECT": f"SELECT * WHERE {{ ?s ?p ?o {{ SELECT * WHERE {{ SERVICE {e} {T} }} }} }}",
        "in FILTER EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {e} {T} }} }}",
        "in GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o SERVICE {e} {T} }} }}",
        "in ASK": f"ASK {{ ?s ?p ?o SERVICE {e} {T} }}",
        "in CONSTRUCT": f"CONSTRUCT {{ ?x ?y ?z }} WHERE {{ ?s ?p ?o SERVICE {e} {T} }}",
        "in DESCRIBE": f"DESCRIBE ?x WHERE {{ ?s ?p ?o SERVICE {e} {T} }}",
    }


def refused_only(endpoint: str) -> dict[str, str]:
    """Spellings refused although pyoxigraph 0.5 does not call out for them: a variable
    endpoint, codepoint escapes that another reading of the text turns into SERVICE."""
    e = f"<{endpoint}>"
    return {
        "variable endpoint": f"SELECT * WHERE {{ VALUES ?e {{ {e} }} SERVICE ?e {T} }}",
        "escaped keyword": f"SELECT * WHERE {{ ?s ?p ?o . \\u0053ERVICE {e} {T} }}",
        "escaped letter": f"SELECT * WHERE {{ ?s ?p ?o . SERVI\\u0043E {e} {T} }}",
        "escaped quotes": f'SELECT * WHERE {{ ?s ?p "\\u0022" . SERVICE {e} {T} ?s ?p "\\u0022" }}',
    }


SPELLINGS = sorted(spellings("http://127.0.0.1:1/sparql", 1))


@pytest.mark.parametrize("name", SPELLINGS)
def test_a_service_call_is_refused_however_it_is_written(
    name: str, called: ox.Store, listener: Listener
) -> None:
    query = spellings(listener.url, listener.port)[name]
    assert connections(called, listener, query) >= 1, "unchecked, pyoxigraph calls out"
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check_query(query, [])
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check_query(query, ["http://127.0.0.1:1/sparql"])  # another endpoint is allowed


@pytest.mark.parametrize("name", sorted(refused_only("http://127.0.0.1:1/sparql")))
def test_a_service_call_that_cannot_be_checked_is_refused(name: str, listener: Listener) -> None:
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check_query(refused_only(listener.url)[name], [listener.url])


#: spellings refused even towards an allowed endpoint: relative endpoints, escapes, and
#: keywords glued to a literal, which pyoxigraph reads but rdflib's parser does not
NEVER_ALLOWED = {
    "relative to BASE",
    "relative to the request",
    "escaped IRI",
    "glued to true",
    "glued to 1",
}


@pytest.mark.parametrize("name", [n for n in SPELLINGS if n not in NEVER_ALLOWED])
def test_an_allowed_endpoint_passes_however_it_is_written(name: str) -> None:
    allowed = "http://127.0.0.1:1/sparql"
    check_query(spellings(allowed, 1)[name], [allowed])


def test_an_allowed_endpoint_written_relative_is_refused() -> None:
    allowed = "http://127.0.0.1:1/sparql"
    with pytest.raises(QueryRefusedError, match="<sparql> is not allowed"):
        check_query(spellings(allowed, 1)["relative to BASE"], [allowed])


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?l WHERE { ?s ?p ?l FILTER(CONTAINS(?l, "service public")) }',
        "SELECT ?service WHERE { ?service ?p ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/> {}",
        'SELECT * WHERE { ?s ?p """SERVICE <http://x/> { ?a ?b ?c }""" }',
        'SELECT * WHERE { ?s ?p "caf\\u00e9" }',  # escapes without the word: nothing to check
    ],
)
def test_the_word_service_elsewhere_is_not_refused(query: str) -> None:
    check_query(query, [])


def test_the_word_service_in_a_label_is_not_even_parsed() -> None:
    """Past MAX_CHECKED_CHARS a query that the parser would read is refused: this one runs,
    because "service" followed by a space and a word cannot open a SERVICE clause."""
    padding = " ".join(f"?s{i} ?p ?o ." for i in range(MAX_CHECKED_CHARS // 10))
    check_query(f'SELECT * WHERE {{ {padding} ?s ?p "service public", "services" }}', [])
    with pytest.raises(QueryRefusedError, match="longer than"):
        check_query(f"SELECT * WHERE {{ {padding} ?service ?q ?r }}", [])  # may be SERVICE ?q


def test_a_query_that_does_not_parse_is_refused_when_it_mentions_service() -> None:
    with pytest.raises(QueryRefusedError, match="SERVICE could not be checked"):
        check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } ", [])
    check_query("SELECT * WHERE { ?s ?p ?o ", [])  # no SERVICE: left to the store to refuse


# pieces a fuzzer puts together: a pattern whose object glues to the keyword, separators,
# comments, any case of the letters, SILENT or not, the endpoint in every form, a group
LEADS = ["true", "false", "1", "1.5", '"x"', "'x'", '"x"@en', "<a>", "ex:", "?o", "_:b", "()"]
GAPS = ["", " ", "\n", "\t", "#c\n", " # SERVICE\n", "\r\n"]
GROUPS = ["{}", "OPTIONAL {}", "{} UNION {}", "MINUS {}", "{ SELECT * {} }", "FILTER EXISTS {}"]


def keyword(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(
            c.upper() if u else c.lower() for c, u in zip(word, upper, strict=True)
        )
    )


@st.composite
def generated(draw: st.DrawFn, endpoint: str, port: int) -> str:
    gap = st.one_of(st.just(""), st.sampled_from(GAPS))  # often none: tokens glued together
    target = draw(
        st.sampled_from(
            [f"<{endpoint}>", "e:sparql", "<sparql>", f"<//127.0.0.1:{port}/sparql>", "?e"]
        )
    )
    silent = draw(st.sampled_from(["", draw(keyword("silent")) + draw(gap) + " "]))
    call = f"{draw(keyword('service'))}{draw(gap)} {silent}{target}{draw(gap)} {T}"
    dot = draw(st.sampled_from([".", ""]))
    lead = f"?s ?p {draw(st.sampled_from(LEADS))}{draw(gap)}{dot}{draw(gap)}"
    group = draw(st.sampled_from(GROUPS)).replace("{}", "{ " + lead + call + " }", 1)
    return (
        f"PREFIX ex: <http://example.org/> PREFIX e: <http://127.0.0.1:{port}/>"
        f"{draw(gap)} BASE <http://127.0.0.1:{port}/>{draw(gap)}"
        f"SELECT * WHERE {{ ?s ?p ?o . {group} }}"
    )


FUZZ = Listener()  # made at import: the strategy needs its port before any fixture runs


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=generated(FUZZ.url, FUZZ.port))
def test_no_generated_query_that_passes_the_check_calls_out(query: str, called: ox.Store) -> None:
    try:
        check_query(query, [])
    except QueryRefusedError:
        return
    assert connections(called, FUZZ, query) == 0, query


@pytest.mark.parametrize(
    ("text", "iris", "select"),
    [
        ("DESCRIBE <http://x/a>", ("http://x/a",), None),
        ("PREFIX x: <http://x/> DESCRIBE x:a <http://x/b>", ("http://x/a", "http://x/b"), None),
        (
            "DESCRIBE ?s <http://x/b> WHERE { ?s a ?c } LIMIT 2",
            ("http://x/b",),
            "SELECT DISTINCT ?s WHERE { ?s a ?c } LIMIT 2",
        ),
        (
            "# a comment\nDESCRIBE ?s ?o { ?s ?p ?o }",
            (),
            "# a comment\nSELECT DISTINCT ?s ?o { ?s ?p ?o }",
        ),
    ],
)
def test_a_describe_is_read_into_its_targets(
    text: str, iris: tuple[str, ...], select: str | None
) -> None:
    parts = describe_parts(text)
    assert parts is not None
    assert parts.iris == iris
    assert parts.select == select


@pytest.mark.parametrize(
    "text", ["DESCRIBE * WHERE { ?s ?p ?o }", "SELECT * {}", "DESCRIBE nowhere:x"]
)
def test_what_is_not_a_describe_of_targets_is_left_to_the_store(text: str) -> None:
    assert describe_parts(text) is None


GEOF = "http://www.opengis.net/def/function/geosparql/"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            f"PREFIX geof: <{GEOF}> ASK {{ FILTER(geof:sfWithin(?p, ?shape)) }}",
            f"PREFIX geof: <{GEOF}> ASK {{ FILTER(bif:st_contains("
            "bif:st_geomfromtext(STR(?shape)), bif:st_geomfromtext(STR(?p)))) }",
        ),
        (
            f'ASK {{ FILTER(<{GEOF}sfContains>(?shape, STRDT(CONCAT("POINT(", ?x, ")"), ?t))) }}',
            "ASK { FILTER(bif:st_contains(bif:st_geomfromtext(STR(?shape)), "
            'bif:st_geomfromtext(STR(STRDT(CONCAT("POINT(", ?x, ")"), ?t))))) }',
        ),
        (
            f"PREFIX g: <{GEOF}> ASK {{ FILTER(g:sfIntersects(?a, ?b)) }}",
            f"PREFIX g: <{GEOF}> ASK {{ FILTER(bif:st_intersects("
            "bif:st_geomfromtext(STR(?a)), bif:st_geomfromtext(STR(?b)))) }",
        ),
    ],
)
def test_geosparql_functions_are_written_as_virtuoso_has_them(text: str, written: str) -> None:
    assert geosparql_as_virtuoso(text) == written


@pytest.mark.parametrize(
    "text",
    [
        f"PREFIX geof: <{GEOF}> ASK {{ FILTER(geof:distance(?a, ?b) < 1) }}",
        f"PREFIX geof: <{GEOF}> ASK {{ FILTER(geof:sfWithin(?a)) }}",
        f"PREFIX geof: <{GEOF}> ASK {{ FILTER(geof:sfWithin(?a, ?b, ?c)) }}",
        "PREFIX ex: <http://example.org/> ASK { FILTER(ex:sfWithin(?a, ?b)) }",
        'ASK { ?s ?p "geof:sfWithin(?a, ?b)" } # geof:sfWithin(?a, ?b)',
    ],
)
def test_other_text_is_sent_as_written(text: str) -> None:
    assert geosparql_as_virtuoso(text) == text

"""What a SPARQL text asks for, read before it runs: is it an update, which SERVICEs it calls."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from loaders.errors import QueryRefusedError
from loaders.namespaces import GEOF

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<word>[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7-\uFFFF]*(?::[^\s{}()\[\];,<>"']*)?
              |:[^\s{}()\[\];,<>"']*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
UPDATE_KEYWORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """SPARQL tokens, without comments (strings and IRIs kept whole)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append(Token(kind, m.group()))
    return out


def _prologue(toks: list[Token]) -> tuple[dict[str, str], str | None, int]:
    """PREFIX map, BASE IRI and the index of the first token after the prologue."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = toks[i + 1].text[1:-1]
            i += 2
        elif word.startswith("PREFIX") and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
        else:
            break
    return prefixes, base, i


def is_update(text: str) -> bool:
    """True when the text is a SPARQL Update request rather than a query."""
    toks = tokens(text)
    _, _, i = _prologue(toks)
    return i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in UPDATE_KEYWORDS


def query_form(text: str) -> str:
    """The form of a query, SELECT, ASK, CONSTRUCT or DESCRIBE (upper case; "" if unknown)."""
    toks = tokens(text)
    _, _, i = _prologue(toks)
    word = toks[i].text.upper() if i < len(toks) and toks[i].kind == "word" else ""
    return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else ""


#: a keyword that starts an update, as a word anywhere in the text (in a string, an IRI or a
#: name too): without one, there is nothing to tokenise for the update check
_MAY_UPDATE = re.compile(r"\b(?:" + "|".join(sorted(UPDATE_KEYWORDS)) + r")\b", re.IGNORECASE)
#: what a SERVICE clause needs: a codepoint escape (which may spell anything), or the letters
#: of SERVICE in any case followed, past spaces and comments, by what the grammar puts after
#: the keyword (SILENT, an IRI, a variable, a prefixed name). Without a match no SERVICE can
#: be read, whatever the tokens around are; "service" in a label or an IRI does not match
_MAY_CALL = re.compile(
    r"\\u|service(?:[ \t\r\n]|\#[^\n\r]*)*(?:silent|[<?$]|[^\s{}]*:)", re.IGNORECASE
)
_ESCAPE = re.compile(r"\\u([+0-9A-Fa-f]{4})|\\U([+0-9A-Fa-f]{8})")
#: past this length a query that mentions SERVICE is not parsed (the parser is slow)
MAX_CHECKED_CHARS = 20_000
#: one parse at a time: the parser's grammar objects are shared
_PARSING = threading.Lock()


def _unescaped(text: str) -> str:
    """The text with every codepoint escape (``\\uXXXX``, ``\\UXXXXXXXX``) undone, as often as
    one undoes another: a reading generous enough to show any SERVICE that a parser that
    undoes them (over the whole text, as SPARQL says, or in strings and IRIs only) can see."""

    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group()

    for _ in range(8):
        undone = _ESCAPE.sub(char, text)
        if undone == text:
            break
        text = undone
    return text


def may_call_service(text: str) -> bool:
    """False when the text cannot hold SERVICE, whatever a parser reads (one search): then
    check_query parses nothing and takes microseconds."""
    if "\\u" in text or "\\U" in text:
        return True
    # the engine reads keywords in ASCII case only: lower() finds every spelling, and costs
    # less than a case-blind search
    return "service" in text.lower() and _MAY_CALL.search(text) is not None


def check_query(text: str, service_allow: list[str]) -> None:
    """Refuse updates and SERVICE clauses whose endpoint is not allow-listed."""
    refusal = None
    if _MAY_UPDATE.search(text) is not None:
        refusal = _update_refusal(text)
    if refusal is None and may_call_service(text):  # most queries: a search, nothing parsed
        refusal = _service_refusal(text, tuple(service_allow))
    if refusal is not None:
        message, details = refusal
        raise QueryRefusedError(message, **dict(details))


#: a refusal as cached: its message and details (a fresh error is raised each time)
Refusal = tuple[str, tuple[tuple[str, str], ...]]


@lru_cache(maxsize=4096)  # decisions are cached, refusals too: a repeated text is read once
def _update_refusal(text: str) -> Refusal | None:
    if is_update(text):
        return (
            "this is a SPARQL Update request: /sparql answers queries only "
            "(contributions go through the Graph Store Protocol at /store)",
            (),
        )
    return None


@lru_cache(maxsize=4096)
def _service_refusal(text: str, service_allow: tuple[str, ...]) -> Refusal | None:
    try:
        _check_services(text, service_allow)
    except QueryRefusedError as exc:
        return exc.message, tuple((k, str(v)) for k, v in exc.details.items())
    return None


def _unchecked(reason: str) -> QueryRefusedError:
    return QueryRefusedError(
        f"SERVICE could not be checked: {reason}; the server only calls the endpoints of "
        "QPVKG_SERVICE_ALLOW and refuses a query whose SERVICE clauses it cannot read",
        reason=reason,
    )


def _check_services(text: str, service_allow: tuple[str, ...]) -> None:
    """Refuse the query unless every SERVICE it holds, as a SPARQL parser reads it, names an
    allowed endpoint. Fails closed: a query that mentions SERVICE and cannot be read is
    refused."""
    escaped = "\\u" in text or "\\U" in text
    if not escaped and _MAY_CALL.search(text) is None:
        return  # the word, if there, is not followed by what SERVICE needs
    if escaped and "service" not in _unescaped(text).lower():
        return  # no SERVICE however the escapes are read: nothing to check
    if escaped:
        # parsers differ on where codepoint escapes are undone (before tokenising, as the
        # recommendation says, or inside strings and IRIs only): with SERVICE in the text,
        # the two readings may call different endpoints, so neither is trusted
        raise _unchecked(
            "the query holds \\u or \\U codepoint escapes; write these characters as "
            "themselves in a query that uses SERVICE or the word service"
        )
    if len(text) > MAX_CHECKED_CHARS:
        raise _unchecked(f"the query is longer than {MAX_CHECKED_CHARS} characters")
    for endpoint in service_endpoints(text):
        if endpoint is None:
            raise QueryRefusedError(
                "SERVICE with a variable endpoint is not allowed: name an allowed endpoint"
            )
        if endpoint not in service_allow:
            allowed = ", ".join(service_allow) if service_allow else "none"
            raise QueryRefusedError(
                f"SERVICE <{endpoint}> is not allowed: the server only calls the endpoints of "
                f"QPVKG_SERVICE_ALLOW (allowed: {allowed})",
                endpoint=endpoint,
            )


def service_endpoints(text: str) -> list[str | None]:
    """The endpoints of the query's SERVICE clauses, as rdflib's SPARQL parser reads them
    (None for a variable endpoint). An endpoint is its IRI as written, or its prefix's IRI
    and local name; one that is not absolute (relative to BASE or to the request's URL) is
    reported as written, so it matches no allowed endpoint. Raises QueryRefusedError when
    the parser cannot read the text."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        with _PARSING:
            tree = parseQuery(text)
    except (ParseBaseException, RecursionError, ValueError) as exc:
        raise _unchecked(f"the query does not parse as SPARQL 1.1 ({exc})") from None
    prologue, _ = tree
    prefixes = {
        str(decl["prefix"] or ""): str(decl["iri"])
        for decl in prologue
        if getattr(decl, "name", None) == "PrefixDecl"
    }
    out: list[str | None] = []
    for term in _service_terms(tree):
        if isinstance(term, Variable):
            out.append(None)
        elif isinstance(term, CompValue) and term.name == "pname":
            prefix = str(term.get("prefix") or "")
            if prefix not in prefixes:
                raise _unchecked(f"the prefix {prefix}: is not declared")
            out.append(prefixes[prefix] + str(term.get("localname") or ""))
        else:
            out.append(str(term))
    return out


def _service_terms(node: object) -> list[object]:
    """The endpoint terms of every ServiceGraphPattern in a parse tree, wherever it stands
    (OPTIONAL, UNION, MINUS, GRAPH, sub-SELECT, EXISTS in FILTER, BIND, HAVING, ORDER BY...)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    out: list[object] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            if current.name == "ServiceGraphPattern":
                out.append(current.get("term"))
            stack.extend(current.values())
        elif isinstance(current, (ParseResults, list, tuple)):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
    return out


FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Describe:
    """What a DESCRIBE asks to describe: the IRIs it names (prefixed names expanded), and the
    text of a SELECT of its variables over its WHERE pattern (None without variables)."""

    iris: tuple[str, ...]
    select: str | None


def describe_parts(text: str) -> Describe | None:
    """A DESCRIBE query's targets, for a store whose own DESCRIBE describes otherwise (None
    for another form, or ``DESCRIBE *``)."""
    matches = [m for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]
    toks = [Token(m.lastgroup or "other", m.group()) for m in matches]
    prefixes, _, i = _prologue(toks)
    if i >= len(toks) or toks[i].kind != "word" or toks[i].text.upper() != "DESCRIBE":
        return None
    keyword = i
    names: list[str] = []
    variables: list[str] = []
    i += 1
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "var":
            variables.append(f"?{tok.text[1:]}")
        elif tok.kind == "iri":
            names.append(tok.text[1:-1])
        elif tok.kind == "word" and ":" in tok.text:
            prefix, _, local = tok.text.partition(":")
            if prefix not in prefixes:
                return None  # the store says what is wrong with it
            names.append(prefixes[prefix] + local)
        elif tok.text == "*":
            return None
        else:
            break
        i += 1
    if not variables:
        return Describe(tuple(names), None)
    head = text[: matches[keyword].start()]
    rest = text[matches[i - 1].end() :] if i < len(toks) else ""
    select = f"{head}SELECT DISTINCT {' '.join(variables)}{' ' if rest[:1] != ' ' else ''}{rest}"
    return Describe(tuple(names), select)


def with_values(text: str, bindings: dict[str, str]) -> str:
    """The query with its variables bound, for a store that cannot take bindings apart.

    ``bindings`` maps variable names to terms already written in SPARQL syntax. A
    ``VALUES`` block is put first in the query's WHERE group, where the query planner joins
    it before anything else, and first in the group of each sub-SELECT that projects one of
    the variables (a sub-SELECT is evaluated on its own: with a LIMIT, binding the variables
    outside only would keep the first rows of any value). A query without a group
    (``DESCRIBE <x>``) gets the block at the end."""
    if not bindings:
        return text
    matches = [m for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]
    toks = [Token(m.lastgroup or "other", m.group()) for m in matches]
    _, _, start = _prologue(toks)
    inserts = [
        (matches[i].end(), _values(bindings, names))
        for i, names in _sub_selects(toks, start, bindings)
    ]
    outer = _outer_group(toks, start)
    if outer is None:
        return _insert(text, inserts) + f"\n{_values(bindings, list(bindings)).strip()}"
    inserts.append((matches[outer].end(), _values(bindings, list(bindings))))
    return _insert(text, inserts)


def _values(bindings: dict[str, str], names: list[str]) -> str:
    return (
        f" VALUES ({' '.join('?' + n for n in names)}) "
        f"{{ ({' '.join(bindings[n] for n in names)}) }} "
    )


def _insert(text: str, inserts: list[tuple[int, str]]) -> str:
    for at, block in sorted(inserts, reverse=True):
        text = text[:at] + block + text[at:]
    return text


def _outer_group(toks: list[Token], start: int) -> int | None:
    """The index of the '{' that opens the query's WHERE group, if it has one."""
    form = toks[start].text.upper() if start < len(toks) else ""
    depth = 0
    skip_template = form == "CONSTRUCT"
    for i in range(start, len(toks)):
        tok = toks[i]
        if tok.kind == "word" and tok.text.upper() == "WHERE" and depth == 0:
            skip_template = False
            continue
        if tok.text == "{":
            if depth == 0 and not skip_template:
                if (
                    form == "CONSTRUCT"
                    and toks[i - 1].text.upper() == "WHERE"
                    and i - 1 == start + 1
                ):
                    return None  # CONSTRUCT WHERE { triples }: a template, where VALUES may not go
                return i
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0 and skip_template:
                skip_template = False  # CONSTRUCT { template } { pattern }: the pattern is next
    return None


def _sub_selects(
    toks: list[Token], start: int, bindings: dict[str, str]
) -> list[tuple[int, list[str]]]:
    """(index of the '{' of its group, the bound variables it projects) of each sub-SELECT."""
    out = []
    depth = 0
    for i in range(start, len(toks)):
        tok = toks[i]
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
        elif depth > 0 and tok.kind == "word" and tok.text.upper() == "SELECT":
            projected: set[str] = set()
            star = False
            j = i + 1
            while j < len(toks) and toks[j].text != "{" and toks[j].text.upper() != "WHERE":
                if toks[j].text == "*":
                    star = True
                elif toks[j].kind == "var" and toks[j - 1].text.upper() != "AS":
                    projected.add(toks[j].text[1:])
                j += 1
            if j < len(toks) and toks[j].text.upper() == "WHERE":
                j += 1
            names = [n for n in bindings if star or n in projected]
            if j < len(toks) and toks[j].text == "{" and names:
                out.append((j, names))
    return out


#: GeoSPARQL's functions as Virtuoso 7.2 has them: (its function, whether the two arguments
#: change places). Virtuoso tests a shape containing a point only, and over the geometries it
#: keeps it compares their bounding boxes (a point in a département's box would be "within"
#: it): the arguments are read again from their WKT, which it tests exactly
_VIRTUOSO_GEOF = {
    f"{GEOF}sfWithin": ("bif:st_contains", True),
    f"{GEOF}sfContains": ("bif:st_contains", False),
    f"{GEOF}sfIntersects": ("bif:st_intersects", False),
}
_MAY_CALL_GEOF = re.compile(r"sf(?:Within|Contains|Intersects)")


def geosparql_as_virtuoso(text: str) -> str:
    """The query with GeoSPARQL's ``geof:sfWithin``, ``sfContains`` and ``sfIntersects``
    written as Virtuoso's ``bif:st_contains`` and ``bif:st_intersects`` (for a store set with
    ``QPVKG_STORE_GEOSPARQL=virtuoso``); any other text is left as it is."""
    if not _MAY_CALL_GEOF.search(text):
        return text
    matches = [m for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]
    toks = [Token(m.lastgroup or "other", m.group()) for m in matches]
    prefixes, _, i = _prologue(toks)
    edits: list[tuple[int, int, str]] = []
    while i < len(toks) - 1:
        function = _VIRTUOSO_GEOF.get(_name(toks[i], prefixes))
        arguments = _arguments(toks, i + 1) if function and toks[i + 1].text == "(" else None
        if function is None or arguments is None or len(arguments[0]) != 2:
            i += 1
            continue
        name, swap = function
        spans, end = arguments
        first, second = (
            f"bif:st_geomfromtext(STR({text[matches[a].start() : matches[b].end()]}))"
            for a, b in (reversed(spans) if swap else spans)
        )
        edits.append((matches[i].start(), matches[end].end(), f"{name}({first}, {second})"))
        i = end + 1
    for start, end, call in reversed(edits):
        text = text[:start] + call + text[end:]
    return text


def _name(tok: Token, prefixes: dict[str, str]) -> str:
    """The IRI a token names (an IRI or a prefixed name), or ""."""
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "word" and ":" in tok.text:
        prefix, _, local = tok.text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else ""
    return ""


def _arguments(toks: list[Token], open_at: int) -> tuple[list[tuple[int, int]], int] | None:
    """The (first, last) token of each argument of the call whose '(' is at ``open_at``, and
    the index of its ')'; None for an empty argument or no closing bracket."""
    spans: list[tuple[int, int]] = []
    depth, first = 0, open_at + 1
    for j in range(open_at, len(toks)):
        text = toks[j].text
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                if first > j - 1:
                    return None
                spans.append((first, j - 1))
                return spans, j
        elif text == "," and depth == 1:
            if first > j - 1:
                return None
            spans.append((first, j - 1))
            first = j + 1
    return None

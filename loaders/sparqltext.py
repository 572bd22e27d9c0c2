"""What a SPARQL text asks for, read before it runs: is it an update, which SERVICEs it calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from loaders.errors import QueryRefusedError

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


def service_endpoints(text: str) -> list[str | None]:
    """The endpoints of the SERVICE clauses (None for a variable endpoint)."""
    toks = tokens(text)
    prefixes, _, _ = _prologue(toks)
    out: list[str | None] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            out.append(None)
            continue
        target = toks[j]
        if target.kind == "iri":
            out.append(target.text[1:-1])
        elif target.kind == "word" and ":" in target.text:
            prefix, _, local = target.text.partition(":")
            out.append(prefixes[prefix] + local if prefix in prefixes else None)
        else:
            out.append(None)
    return out


#: a keyword that starts an update, or SERVICE, as a word anywhere in the text (in a string,
#: an IRI or a name too): without one, there is nothing to refuse and nothing to tokenise
_MAY_REFUSE = re.compile(
    r"\b(?:" + "|".join(sorted(UPDATE_KEYWORDS | {"SERVICE"})) + r")\b", re.IGNORECASE
)


def check_query(text: str, service_allow: list[str]) -> None:
    """Refuse updates and SERVICE clauses whose endpoint is not allow-listed."""
    if _MAY_REFUSE.search(text) is None:  # most queries: a search instead of two tokenisations
        return
    _check_query(text, tuple(service_allow))


@lru_cache(maxsize=4096)
def _check_query(text: str, service_allow: tuple[str, ...]) -> None:
    if is_update(text):
        raise QueryRefusedError(
            "this is a SPARQL Update request: /sparql answers queries only "
            "(contributions go through the Graph Store Protocol at /store)"
        )
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


FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


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

"""Bounds on what qpvkg reads from outside, checked before anything reaches the store.

RDF/XML document types, JSON nesting and token sizes, JSON-LD ``null`` contexts and language
tags, and the size of every literal and IRI (``QPVKG_MAX_LITERAL_BYTES``). Each check raises the
domain error that names what was refused; none of them parses the body a second time into RDF.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NoReturn
from xml.parsers import expat

import pyoxigraph as ox

from loaders.errors import (
    DocumentTooDeepError,
    LanguageTagError,
    LiteralTooLargeError,
    NullContextError,
    SourceSyntaxError,
    TokenTooLargeError,
    XmlDeclarationError,
)

#: JSON documents nested deeper than this (objects and arrays) are refused (400).
MAX_JSON_DEPTH = 64
#: A single JSON string (a key or a value) larger than this is refused (413); the RDF parser
#: refuses any token (literal, IRI) larger than this as well.
MAX_JSON_TOKEN_BYTES = 16 * 1024 * 1024


# ----------------------------------------------------------------------------- RDF/XML


class _PrologDoneError(Exception):
    """Raised at the root element: the document type declaration, if any, is behind us."""


def check_xml_prolog(data: bytes, name: str = "the body") -> None:
    """400 for RDF/XML whose document type declares an entity (general, parameter,
    external or unparsed) or refers to an external DTD.

    The XML parser (expat) reads the prolog and reports each declaration; parsing stops at the
    root element. Without entity declarations no reference can expand, so no body can grow
    into more than it is (the billion laughs and its flat variants)."""

    def doctype(
        doctype_name: str, system_id: str | None, public_id: str | None, internal: int
    ) -> None:
        if system_id or public_id:
            raise XmlDeclarationError(
                f"{name}: the document type refers to an external DTD ({system_id or public_id}): "
                "not accepted; remove the <!DOCTYPE> declaration",
                dtd=system_id or public_id,
            )

    def entity(entity_name: str, is_parameter: int, *_: Any) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        raise XmlDeclarationError(
            f"{name}: RDF/XML declares the {kind} {entity_name!r}: entity declarations are not "
            "accepted (they can expand a small body into gigabytes); write the IRIs in full, "
            "or send Turtle or JSON-LD",
            entity=entity_name,
        )

    def root(*_: Any) -> None:
        raise _PrologDoneError

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = lambda entity_name, *_: entity(entity_name, 0)
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _PrologDoneError:
        return
    except expat.ExpatError as exc:
        raise SourceSyntaxError(
            f"{name} is not well-formed XML at line {exc.lineno} column {exc.offset}: "
            f"{expat.ErrorString(exc.code)}",
            line=exc.lineno,
            column=exc.offset,
        ) from None


# ----------------------------------------------------------------------------- JSON


def load_json(data: bytes | str, name: str = "the body") -> Any:
    """The JSON value of UTF-8 bytes (or text), nested at most ``MAX_JSON_DEPTH`` deep and
    with no string over ``MAX_JSON_TOKEN_BYTES``; 400 (or 413 for a token) otherwise, never a
    crash."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise SourceSyntaxError(f"{name} is not UTF-8 (byte {exc.start})", path=name) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceSyntaxError(
            f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            path=name,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise DocumentTooDeepError(
            f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted",
            limit=MAX_JSON_DEPTH,
        ) from None
    except ValueError as exc:  # a number past Python's integer conversion limit
        raise SourceSyntaxError(f"{name}: a JSON number cannot be read: {exc}", path=name) from None
    check_json_bounds(document, name)
    return document


def check_json_bounds(document: Any, name: str = "the body") -> None:
    """Depth and token sizes of a JSON value, walked without recursion."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise DocumentTooDeepError(
                    f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted",
                    limit=MAX_JSON_DEPTH,
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_token(key, name)
                pending.append((item, depth + 1))
        elif isinstance(value, str):
            _check_token(value, name)


def _check_token(value: str, name: str) -> None:
    if len(value) * 4 > MAX_JSON_TOKEN_BYTES and len(value.encode()) > MAX_JSON_TOKEN_BYTES:
        raise TokenTooLargeError(
            f"{name}: a JSON string of {len(value.encode())} bytes is over the limit of "
            f"{MAX_JSON_TOKEN_BYTES} bytes",
            limit=MAX_JSON_TOKEN_BYTES,
        )


def raise_token_too_large(exc: MemoryError, name: str) -> NoReturn:
    """413 for the RDF parser's refusal of a token over its 16 MiB buffer (a literal, an
    IRI); any other ``MemoryError`` is raised again."""
    if "buffer maximal size" not in str(exc):
        raise exc
    raise TokenTooLargeError(
        f"{name}: one token (a literal or an IRI) is over the parser's limit of "
        f"{MAX_JSON_TOKEN_BYTES} bytes",
        limit=MAX_JSON_TOKEN_BYTES,
    ) from None


# ----------------------------------------------------------------------------- JSON-LD


def check_no_null_context(document: Any, name: str = "the body") -> None:
    """422 for a ``null`` context anywhere (``"@context": null`` or inside an array): it
    clears the active context and so lifts the protection of the project's terms."""
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@context" and (
                    value is None or (isinstance(value, list) and None in value)
                ):
                    raise NullContextError(
                        f"{name}: a null @context is not accepted: it would let a document "
                        "redefine the protected terms of the project's context; use an inline "
                        "context that adds terms instead",
                    )
                pending.append(value)


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag (as the RDF store reads them)."""
    try:
        ox.Literal("", language=tag)
    except ValueError:
        return False
    return True


def check_language_tags(document: Any, name: str = "the body") -> None:
    """422 naming the first malformed language tag of a JSON-LD document (expanded contexts
    inline): ``@language`` values and the keys of language maps. A JSON-LD processor drops a
    value with a malformed tag without a word; the store would lose the fact."""
    language_maps: set[str] = set()
    pending: list[Any] = [document]
    while pending:  # the terms whose container is @language, in any context
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict) and _is_language_container(value.get("@container")):
                    language_maps.add(key)
                pending.append(value)
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == "@language" and isinstance(value, str):
                _check_tag(value, name)
            elif key in language_maps and isinstance(value, dict):
                for tag in value:
                    if tag != "@none" and not _looks_like_keyword(tag):
                        _check_tag(tag, name)
            pending.append(value)


def _is_language_container(value: Any) -> bool:
    return value == "@language" or (isinstance(value, list) and "@language" in value)


def _looks_like_keyword(key: str) -> bool:
    return key.startswith("@")


def _check_tag(tag: str, name: str) -> None:
    if not is_language_tag(tag):
        raise LanguageTagError(
            f"{name}: {tag!r} is not a well-formed BCP 47 language tag (such as fr, en, fr-FR); "
            "a JSON-LD processor would drop the value without a word",
            value=tag,
        )


# ----------------------------------------------------------------------------- RDF terms


def check_term_sizes(triples: Iterable[ox.Triple], limit: int, name: str = "the body") -> None:
    """413 for the first literal or IRI over ``limit`` UTF-8 bytes, naming its subject and
    property: one huge literal slows every later read of the store."""
    for t in triples:
        for term in (t.object, t.subject, t.predicate):
            if isinstance(term, ox.Literal | ox.NamedNode):
                value = term.value
                if len(value) * 4 > limit and len(value.encode()) > limit:
                    kind = "literal" if isinstance(term, ox.Literal) else "IRI"
                    subject = _short(str(t.subject))
                    raise LiteralTooLargeError(
                        f"{name}: a {kind} of {len(value.encode())} bytes (subject {subject}, "
                        f"property {_short(str(t.predicate))}) is over the limit of {limit} "
                        "bytes (QPVKG_MAX_LITERAL_BYTES)",
                        limit=limit,
                        subject=subject,
                        property=_short(str(t.predicate)),
                        size=len(value.encode()),
                    )


def _short(text: str, keep: int = 200) -> str:
    return text if len(text) <= keep else f"{text[:keep]}…"

"""Typed query parameters: validated, then bound as RDF terms (never pasted into query text)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from loaders.errors import ParameterError
from loaders.namespaces import XSD
from loaders.settings import DEFAULT_BASE_IRI

if TYPE_CHECKING:  # the catalogue reads parameters declared here (no import circle)
    from loaders.namedqueries import NamedQuery

TRUE = {"true", "1", "yes", "oui", "vrai"}
FALSE = {"false", "0", "no", "non", "faux"}
Bindings = dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Param:
    """A declared query parameter; its value is bound to the variable of the same name."""

    name: str
    type: str = "string"
    required: bool = False
    example: str | None = None
    description: str = ""
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    scheme: str | None = None
    default: str | None = None
    description_en: str = ""

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` ("en" from the parameter's ``en`` key), French otherwise."""
        return self.description_en if lang == "en" and self.description_en else self.description


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def to_term(param: Param, raw: str, base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode | ox.Literal:
    """Convert a raw string to the RDF term of the parameter's declared type."""
    value = raw.strip()
    name = param.name
    if param.enum and value not in param.enum:
        raise ParameterError(
            f"parameter {name}: {value!r} is not one of {', '.join(param.enum)}", name
        )
    if param.pattern and not re.fullmatch(param.pattern, value):
        raise ParameterError(
            f"parameter {name}: {value!r} does not match the pattern {param.pattern}", name
        )
    if param.type == "string":
        return ox.Literal(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ParameterError(f"parameter {name}: {value!r} is not an integer", name)
        return _typed(str(int(value)), "integer")
    if param.type == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ParameterError(
                f"parameter {name}: {value!r} is not a decimal number", name
            ) from None
        if not number.is_finite():
            raise ParameterError(f"parameter {name}: {value!r} is not a finite number", name)
        return _typed(str(number), "decimal")
    if param.type == "boolean":
        lowered = value.lower()
        if lowered in TRUE:
            return _typed("true", "boolean")
        if lowered in FALSE:
            return _typed("false", "boolean")
        raise ParameterError(f"parameter {name}: {value!r} is not a boolean (true/false)", name)
    if param.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ParameterError(
                f"parameter {name}: {value!r} is not a date (YYYY-MM-DD)", name
            ) from None
        return _typed(value, "date")
    if param.type == "iri":
        if not value.startswith(("http://", "https://")):
            raise ParameterError(f"parameter {name}: {value!r} is not an http(s) IRI", name)
        try:
            return ox.NamedNode(value)
        except ValueError:
            raise ParameterError(f"parameter {name}: {value!r} is not a valid IRI", name) from None
    if param.type == "concept":
        prefix = f"{base_iri}concept/{param.scheme}/"
        if value.startswith(("http://", "https://")):
            if not value.startswith(prefix):
                raise ParameterError(
                    f"parameter {name}: {value!r} is not a concept of the {param.scheme} scheme",
                    name,
                )
            try:
                return ox.NamedNode(value)
            except ValueError:
                raise ParameterError(
                    f"parameter {name}: {value!r} is not a valid IRI", name
                ) from None
        if not KEY_RE.match(value):
            raise ParameterError(f"parameter {name}: {value!r} is not a concept notation", name)
        return ox.NamedNode(prefix + value)
    raise ParameterError(f"parameter {name}: unsupported type {param.type}", name)


def bind(
    query: NamedQuery, raw: Mapping[str, str | Sequence[str]], base_iri: str = DEFAULT_BASE_IRI
) -> Bindings:
    """Check the raw values against the query's parameters and return substitutions."""
    declared = {p.name: p for p in query.params}
    for key in raw:
        if key not in declared:
            known = ", ".join(declared) or "none"
            raise ParameterError(
                f"unknown parameter {key!r} for query {query.name} (parameters: {known})", key
            )
    bindings: Bindings = {}
    for p in query.params:
        value = raw.get(p.name)
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ParameterError(f"parameter {p.name} is given {len(value)} times", p.name)
            value = value[0]
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if p.default is not None:
                value = p.default
            elif p.required:
                raise ParameterError(
                    f"missing required parameter {p.name} for query {query.name}"
                    + (f" (example: {p.example})" if p.example else ""),
                    p.name,
                )
            else:
                continue
        assert isinstance(value, str)
        bindings[ox.Variable(p.name)] = to_term(p, value, base_iri)
    return bindings


def example_bindings(params: Sequence[Param]) -> Bindings:
    """Substitutions built from the parameters' examples (used to check a query's header)."""
    out: Bindings = {}
    for p in params:
        sample = (
            p.example
            or p.default
            or {
                "integer": "1",
                "decimal": "1.0",
                "boolean": "true",
                "date": "2020-01-01",
                "iri": "https://example.org/x",
                "concept": "x",
            }.get(p.type, "x")
        )
        out[ox.Variable(p.name)] = to_term(p, sample)
    return out

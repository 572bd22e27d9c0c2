"""Named queries: ``.rq`` files whose ``#+`` YAML header declares summary, params, expectations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from loaders.errors import QueryDefinitionError, UnknownResourceError
from loaders.params import Param, example_bindings
from loaders.settings import DEFAULT_BASE_IRI, Settings

HEADER_KEYS = {"summary", "description", "tags", "params", "expect", "method", "en"}
#: What the ``en`` key of a header may translate (the French of summary and description).
ENGLISH_KEYS = {"summary", "description"}
PARAM_KEYS = {
    "name",
    "type",
    "required",
    "example",
    "description",
    "enum",
    "pattern",
    "scheme",
    "default",
    "en",
}
#: What the ``en`` key of a parameter may translate.
PARAM_ENGLISH_KEYS = {"description"}
EXPECT_KEYS = {"min_rows", "max_rows", "columns", "ask"}
PARAM_TYPES = {"string", "integer", "decimal", "boolean", "date", "iri", "concept"}
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Expect:
    """What the query must return over the repository's data (checked by a test)."""

    min_rows: int | None = None
    max_rows: int | None = None
    columns: tuple[str, ...] = ()
    ask: bool | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A published SPARQL query with its header."""

    name: str
    path: Path
    text: str
    summary: str
    form: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    expect: Expect = field(default_factory=Expect)
    summary_en: str = ""
    description_en: str = ""

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` ("en" from the header's ``en`` key), French otherwise."""
        return self.summary_en if lang == "en" and self.summary_en else self.summary

    def description_in(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description

    @property
    def sparql(self) -> str:
        """The query without its ``#+`` header."""
        return strip_header(self.text)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def split_header(text: str) -> tuple[str, str]:
    """(YAML of the leading ``#+`` lines, the rest)."""
    header: list[str] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith("#+"):
        line = lines[i][2:]
        header.append(line[1:] if line.startswith(" ") else line)
        i += 1
    return "".join(header), "".join(lines[i:])


def strip_header(text: str) -> str:
    return split_header(text)[1].lstrip("\n")


def query_form(sparql: str, name: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, learnt by running the query on an empty store."""
    try:
        result = ox.Store().query(sparql)
    except SyntaxError as exc:
        raise QueryDefinitionError(f"{name}: the query does not parse: {exc}", query=name) from exc
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    return "CONSTRUCT" if re.search(r"\bCONSTRUCT\b", sparql, re.IGNORECASE) else "DESCRIBE"


def _param(raw: Any, name: str) -> Param:
    if not isinstance(raw, dict):
        raise QueryDefinitionError(f"{name}: each entry of params must be a mapping", query=name)
    unknown = set(raw) - PARAM_KEYS
    if unknown:
        raise QueryDefinitionError(f"{name}: unknown parameter keys {sorted(unknown)}", query=name)
    pname = raw.get("name")
    if not isinstance(pname, str) or not PARAM_NAME_RE.match(pname):
        raise QueryDefinitionError(f"{name}: parameter without a valid name: {raw!r}", query=name)
    ptype = raw.get("type", "string")
    if ptype not in PARAM_TYPES:
        raise QueryDefinitionError(
            f"{name}: parameter {pname} has unknown type {ptype!r} "
            f"(one of {', '.join(sorted(PARAM_TYPES))})",
            query=name,
        )
    if ptype == "concept" and not raw.get("scheme"):
        raise QueryDefinitionError(f"{name}: concept parameter {pname} needs a scheme", query=name)
    enum = raw.get("enum") or ()
    english = raw.get("en") or {}
    if not isinstance(english, dict) or set(english) - PARAM_ENGLISH_KEYS:
        raise QueryDefinitionError(
            f"{name}: the en key of parameter {pname} must be a mapping of "
            f"{', '.join(sorted(PARAM_ENGLISH_KEYS))}",
            query=name,
        )
    return Param(
        name=pname,
        type=ptype,
        required=bool(raw.get("required", False)),
        example=None if raw.get("example") is None else str(raw["example"]),
        description=str(raw.get("description", "")),
        enum=tuple(str(v) for v in enum),
        pattern=raw.get("pattern"),
        scheme=raw.get("scheme"),
        default=None if raw.get("default") is None else str(raw["default"]),
        description_en=str(english.get("description", "")),
    )


def parse_query_file(
    path: Path, *, require_header: bool = True, base_iri: str = DEFAULT_BASE_IRI
) -> NamedQuery:
    """Read and check one ``.rq`` file: header keys, parameters, and that it parses.

    IRIs under the default base are moved to ``base_iri`` (queries are written with the
    default base, like the data)."""
    name = path.name[: -len(".rq")]
    text = path.read_text(encoding="utf-8")
    if base_iri != DEFAULT_BASE_IRI:
        text = text.replace(DEFAULT_BASE_IRI, base_iri)
    header_text, body = split_header(text)
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else {}
    except yaml.YAMLError as exc:
        raise QueryDefinitionError(
            f"{name}: the #+ header is not valid YAML: {exc}", query=name
        ) from exc
    if header is None:
        header = {}
    if not isinstance(header, dict):
        raise QueryDefinitionError(f"{name}: the #+ header must be a YAML mapping", query=name)
    unknown = set(header) - HEADER_KEYS
    if unknown:
        raise QueryDefinitionError(f"{name}: unknown header keys {sorted(unknown)}", query=name)
    if require_header and not header.get("summary"):
        raise QueryDefinitionError(f"{name}: the #+ header needs a summary", query=name)
    params = tuple(_param(p, name) for p in header.get("params") or ())
    body = body.lstrip("\n")
    form = query_form(body, name)
    for p in params:
        if not re.search(rf"[?$]{re.escape(p.name)}\b", body):
            raise QueryDefinitionError(
                f"{name}: parameter {p.name} is not a variable of the query", query=name
            )
    if params and form == "SELECT":
        _check_projection(body, params, name)
    raw_expect = header.get("expect") or {}
    if not isinstance(raw_expect, dict) or set(raw_expect) - EXPECT_KEYS:
        raise QueryDefinitionError(
            f"{name}: expect must be a mapping of {sorted(EXPECT_KEYS)}", query=name
        )
    expect = Expect(
        min_rows=raw_expect.get("min_rows"),
        max_rows=raw_expect.get("max_rows"),
        columns=tuple(raw_expect.get("columns") or ()),
        ask=raw_expect.get("ask"),
    )
    tags = header.get("tags") or ()
    english = header.get("en") or {}
    if not isinstance(english, dict) or set(english) - ENGLISH_KEYS:
        raise QueryDefinitionError(
            f"{name}: en must be a mapping of {sorted(ENGLISH_KEYS)}", query=name
        )
    return NamedQuery(
        name=name,
        path=path,
        text=text,
        summary=str(header.get("summary", "")),
        description=str(header.get("description", "")).strip(),
        tags=tuple(str(t) for t in tags),
        params=params,
        expect=expect,
        form=form,
        summary_en=str(english.get("summary", "")),
        description_en=str(english.get("description", "")).strip(),
    )


def _check_projection(body: str, params: tuple[Param, ...], name: str) -> None:
    """Parameters are bound by substitution, which needs them in the SELECT projection."""
    try:
        ox.Store().query(body, substitutions=example_bindings(params))
    except (RuntimeError, ValueError) as exc:
        raise QueryDefinitionError(
            f"{name}: parameters must be projected variables of the SELECT ({exc})", query=name
        ) from exc


def load_directory(
    directory: Path, *, require_header: bool = True, base_iri: str = DEFAULT_BASE_IRI
) -> dict[str, NamedQuery]:
    queries: dict[str, NamedQuery] = {}
    if not directory.is_dir():
        return queries
    for path in sorted(directory.glob("*.rq")):
        stem = path.name[: -len(".rq")]
        if not NAME_RE.match(stem):
            raise QueryDefinitionError(f"{path.name}: query file names are kebab-case", query=stem)
        queries[stem] = parse_query_file(path, require_header=require_header, base_iri=base_iri)
    return queries


def load_named_queries(settings: Settings) -> dict[str, NamedQuery]:
    """The published named queries (queries/*.rq)."""
    return load_directory(settings.queries_dir, base_iri=settings.base_iri)


def load_quality_checks(settings: Settings) -> dict[str, NamedQuery]:
    """The quality checks (queries/qc/*-violation.rq): each must return no rows."""
    checks = load_directory(settings.queries_dir / "qc", base_iri=settings.base_iri)
    for name in checks:
        if not name.endswith("-violation"):
            raise QueryDefinitionError(
                f"qc/{name}.rq: quality checks end in -violation", query=name
            )
    return checks


def internal_query(settings: Settings, name: str) -> str:
    """The text of an internal query (queries/internal/NAME.rq) used by the code."""
    path = settings.queries_dir / "internal" / f"{name}.rq"
    try:
        text = strip_header(path.read_text(encoding="utf-8"))
        return text.replace(DEFAULT_BASE_IRI, settings.base_iri)
    except FileNotFoundError as exc:
        raise UnknownResourceError(f"internal query {name} not found", query=name) from exc


def internal_update(settings: Settings, name: str) -> str:
    """The text of an internal SPARQL update (queries/internal/NAME.ru) used by the code."""
    path = settings.queries_dir / "internal" / f"{name}.ru"
    try:
        return path.read_text(encoding="utf-8").replace(DEFAULT_BASE_IRI, settings.base_iri)
    except FileNotFoundError as exc:
        raise UnknownResourceError(f"internal update {name} not found", query=name) from exc


def get_query(settings: Settings, name: str) -> NamedQuery:
    catalog = load_named_queries(settings)
    try:
        return catalog[name]
    except KeyError:
        raise UnknownResourceError(
            f"no named query {name!r}; known queries: {', '.join(sorted(catalog))}", query=name
        ) from None

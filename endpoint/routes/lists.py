"""Lists to browse: a page per type of resource, with paging, sorting, facets and their counts,
and the list as JSON or CSV (/lists, /lists/{name}, /lists/{name}.json, /lists/{name}.csv).

Each list is a query, ``queries/internal/list-NAME.rq``, whose ``#+`` header names the class
it lists, its columns (and the property whose label heads each), its facets and its sorts.
The query takes no parameter: its rows (one per resource and value of a column) are gathered
once per store generation, then filtered, counted, sorted and paged here, so that nothing a
client sends reaches SPARQL and a facet value is checked against the values the list holds.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep, render
from endpoint.engine import QueryEngine
from endpoint.folding import fold
from endpoint.i18n import DEFAULT, pick, translate
from endpoint.insee import IGEO_NAMES
from endpoint.iris import href_of
from endpoint.listdefs import Column, ListDef, key_of, list_url
from endpoint.lookup import label_texts, query_text
from endpoint.negotiation import CSV, HTML, JSON, Format, negotiate
from endpoint.pagecache import cached
from endpoint.worker import Job
from loaders.csvsafe import defuse_csv
from loaders.errors import ParameterError, UnknownResourceError
from loaders.namespaces import IGEO
from loaders.settings import Settings

PAGE_SIZE = 50
#: The rows a list's query may give (the territories' give about 120,000).
MAX_ROWS = 1_000_000
FORMATS = {"html": HTML, "json": JSON, "csv": CSV}
#: Query parameters a list page reads besides its facets (lang: the page's language).
RESERVED = {"page", "sort", "format", "lang"}


@dataclass
class Item:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Value]] = field(default_factory=dict)  # column -> key -> value


@dataclass
class Value:
    key: str  # how a facet names it in a URL
    iri: str | None
    text: str | None  # a literal's value
    labels: dict[str, str] = field(default_factory=dict)


#: A cell of SPARQL TSV results: (kind, value, language), kind "uri" or "literal".
Cell = tuple[str, str, str]
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_CHARS = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code:
        return chr(int(code, 16))
    char = match.group(3)
    return _CHARS.get(char, char)


def tsv_cell(text: str) -> Cell | None:
    """A term of SPARQL TSV results (N-Triples syntax, numbers bare); a blank node: None."""
    if text.startswith("<"):
        return ("uri", text[1:-1], "")
    if text.startswith('"'):
        end = text.rindex('"')
        value, rest = text[1:end], text[end + 1 :]
        if "\\" in value:
            value = _ESCAPE.sub(_unescape, value)
        return ("literal", value, rest[1:] if rest.startswith("@") else "")
    if text.startswith("_:"):
        return None
    return ("literal", text, "")


def tsv_rows(body: bytes) -> list[dict[str, Cell]]:
    """SPARQL TSV results as rows of their bound cells (the fastest form to read: a list's
    query gives up to some 120,000 rows)."""
    lines = body.decode("utf-8").split("\n")
    names = [n.lstrip("?") for n in lines[0].split("\t")] if lines else []
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        row = {}
        for name, text in zip(names, line.split("\t"), strict=False):
            if text:
                cell = tsv_cell(text)
                if cell is not None:
                    row[name] = cell
        rows.append(row)
    return rows


def gather(rows: list[dict[str, Cell]], spec: ListDef, base_iri: str) -> list[Item]:
    """The list's resources from its query's rows; those without a label are left out."""
    columns = {c.name for c in spec.columns}
    items: dict[str, Item] = {}
    for row in rows:
        resource = row.get("item")
        if resource is None or resource[0] != "uri":
            continue
        item = items.get(resource[1])
        if item is None:
            item = items[resource[1]] = Item(resource[1])
        for name, (kind, text, lang) in row.items():
            if name == "label":
                item.labels.setdefault(lang, text)
            elif name in columns:
                values = item.values.setdefault(name, {})
                if kind == "uri":
                    key = key_of(text, base_iri)
                    value = values.get(key)
                    if value is None:
                        value = values[key] = Value(key, text, None)
                    label = row.get(f"{name}Label")
                    if label is not None:
                        value.labels.setdefault(label[2], label[1])
                elif text not in values:
                    values[text] = Value(text, None, text)
    for column, via in spec.inherit:
        for item in items.values():
            if column not in item.values:
                for parent in list(item.values.get(via, {}).values()):
                    if parent.iri in items and column in items[parent.iri].values:
                        item.values[column] = dict(items[parent.iri].values[column])
    for item in items.values():  # values that are resources of the list: their labels
        for values in item.values.values():
            for value in values.values():
                if value.iri and not value.labels and value.iri in items:
                    value.labels = items[value.iri].labels
    return [item for item in items.values() if item.labels]


async def list_items(
    request: Request, engine: QueryEngine, settings: Settings, spec: ListDef
) -> list[Item]:
    """The list's resources, read once for the store generation."""

    async def build() -> list[Item]:
        job = Job(
            query=query_text(settings, spec.query),
            accept=None,
            max_rows=MAX_ROWS,
            format_key="tsv",
        )
        answer, _ = await engine.run(job)
        rows = await asyncio.to_thread(tsv_rows, answer.body)
        return await asyncio.to_thread(gather, rows, spec, settings.base_iri)

    items: list[Item] = await cached(request, engine, f"list-{spec.name}", build)
    return items


class Labeller:
    """Texts in the page's language: of resources, of values, of column headings."""

    def __init__(self, names: dict[str, dict[str, str]], lang: str) -> None:
        self.names, self.lang = names, lang

    def value(self, value: Value) -> str:
        if value.text is not None:
            return value.text
        iri = value.iri or ""
        if value.labels:
            return pick(value.labels, self.lang) or iri
        if iri in self.names:
            return pick(self.names[iri], self.lang) or iri
        local = re.split(r"[#/]", iri)[-1]
        if iri.startswith(IGEO) and local in IGEO_NAMES:
            return translate(self.lang, f"search.kind.{local}")
        return local

    def item(self, item: Item) -> str:
        return pick(item.labels, self.lang) or item.iri

    def column(self, column: Column) -> str:
        if column.property and column.property in self.names:
            text = pick(self.names[column.property], self.lang) or column.name
            return text[:1].upper() + text[1:]  # a property's label heads a column
        return translate(self.lang, f"list.column.{column.name}")


# ----------------------------------------------------------------------------- a request


@dataclass(frozen=True)
class Ask:
    """What a request asks of a list, checked."""

    page: int
    sort: str  # a sort, "-" before it for descending order
    filters: dict[str, tuple[str, ...]]
    fmt: Format


def read_request(request: Request, spec: ListDef, items: list[Item], fmt: str | None) -> Ask:
    params = request.query_params
    raw_page = params.get("page", "1")
    if not raw_page.isascii() or not raw_page.isdigit() or int(raw_page) < 1:
        raise ParameterError(f"page must be a whole number, 1 or more (not {raw_page!r})", "page")
    sort = params.get("sort") or "label"
    if sort.removeprefix("-") not in spec.sorts:
        known = ", ".join(spec.sorts)
        raise ParameterError(
            f"sort {sort!r} is unknown; use one of {known} (a - before it: descending)", "sort"
        )
    filters: dict[str, tuple[str, ...]] = {}
    for facet in spec.facets:
        wanted = tuple(v for v in params.getlist(facet) if v != "")
        if not wanted:
            continue
        known_keys = {k for item in items for k in item.values.get(facet, {})}
        for value in wanted:
            if value not in known_keys:
                raise ParameterError(
                    f"{facet} {value!r} is not a value of the list {spec.name}; its facet "
                    f"{facet} lists the values it holds",
                    facet,
                )
        filters[facet] = wanted
    for name in params:
        if name not in RESERVED and name not in spec.facets:
            facets = ", ".join(spec.facets) or "none"
            raise ParameterError(
                f"{name!r} is not a parameter of the list {spec.name} (facets: {facets})", name
            )
    fmt = fmt or params.get("format") or None
    accept = request.headers.get("accept")
    chosen = negotiate(accept, (HTML, JSON, CSV), given=fmt, what=f"the list {spec.name}")
    return Ask(int(raw_page), sort, filters, chosen)


def natural(text: str) -> str:
    """A text to sort by: without case or accents, its numbers by value (01, 2, 10, 2A...)."""
    return re.sub(r"\d+", lambda m: m.group().zfill(12), fold(text))


def sort_key(item: Item, sort: str, labeller: Labeller) -> tuple[Any, ...]:
    """Texts without case or accents and numbers by value; a resource without a value last."""
    if sort == "label":
        text = labeller.item(item)
        return (0, natural(text), text, item.iri)
    values = sorted(labeller.value(v) for v in item.values.get(sort, {}).values())
    if not values:
        return (1, "", "", item.iri)
    return (0, natural(values[0]), values[0], item.iri)


def ordered(items: list[Item], sort: str, labeller: Labeller) -> list[Item]:
    """The resources in the order asked (descending: those without a value still last)."""
    column = sort.removeprefix("-")
    out = sorted(items, key=lambda item: sort_key(item, column, labeller))
    if sort.startswith("-"):
        with_value = [i for i in out if column == "label" or i.values.get(column)]
        out = with_value[::-1] + [i for i in out if column != "label" and not i.values.get(column)]
    return out


def facet_counts(
    spec: ListDef, items: list[Item], ask: Ask, labeller: Labeller
) -> dict[str, list[dict[str, Any]]]:
    """For each facet, its values among the resources shown, with how many hold each."""
    out: dict[str, list[dict[str, Any]]] = {}
    for facet in spec.facets:
        counter: Counter[str] = Counter()
        known: dict[str, Value] = {}
        for item in items:
            values = item.values.get(facet)
            if values:
                counter.update(values.keys())
                known.update(values)
        chosen = ask.filters.get(facet, ())
        out[facet] = sorted(
            (
                {
                    "key": key,
                    "iri": known[key].iri,
                    "label": labeller.value(known[key]),
                    "count": n,
                    "selected": key in chosen,
                }
                for key, n in counter.items()
            ),
            key=lambda v: (-v["count"], fold(v["label"]), v["key"]),
        )
    return out


def cells(item: Item, spec: ListDef, labeller: Labeller, base_iri: str) -> dict[str, Any]:
    """A resource's row: its link and label, each column's values (a link for those of the
    site: a list never sends a reader to another host)."""

    def local(iri: str) -> str | None:
        return href_of(iri, base_iri) if iri.startswith(base_iri) else None

    row: dict[str, Any] = {
        "iri": item.iri,
        "href": href_of(item.iri, base_iri),
        "label": labeller.item(item),
    }
    for column in spec.columns:
        values = sorted(item.values.get(column.name, {}).values(), key=labeller.value)
        row[column.name] = [
            {"label": labeller.value(v), **({"iri": v.iri, "href": local(v.iri)} if v.iri else {})}
            for v in values
        ]
    return row


def as_csv(rows: list[dict[str, Any]], spec: ListDef) -> bytes:
    """One line per resource: its IRI and label, each column's labels (and IRIs) joined."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["iri", "label"]
    for column in spec.columns:
        header.append(column.name)
        if any(v.get("iri") for row in rows for v in row[column.name]):
            header.append(f"{column.name}_iri")
    writer.writerow(header)
    for row in rows:
        line = [row["iri"], row["label"]]
        for column in spec.columns:
            line.append(" | ".join(v["label"] for v in row[column.name]))
            if f"{column.name}_iri" in header:
                line.append(" ".join(v.get("iri", "") for v in row[column.name]))
        writer.writerow(line)
    return defuse_csv(out.getvalue().encode("utf-8"))


async def show_list(
    request: Request,
    spec: ListDef,
    fmt: str | None,
    engine: QueryEngine,
    settings: Settings,
) -> Response:
    items, names = await cached_inputs(request, engine, settings, spec)
    ask = read_request(request, spec, items, fmt)
    lang = getattr(request.state, "lang", DEFAULT)
    labeller = Labeller(names, lang)

    async def order() -> list[Item]:
        return await asyncio.to_thread(ordered, items, ask.sort, labeller)

    every: list[Item] = await cached(request, engine, f"list-{spec.name}-{ask.sort}-{lang}", order)
    chosen = [
        item
        for item in every
        if all(all(k in item.values.get(f, ()) for k in keys) for f, keys in ask.filters.items())
    ]
    headers = {"Vary": "Accept"}
    title = translate(lang, f"list.{spec.name}.title")
    if ask.fmt is CSV:
        rows = [cells(item, spec, labeller, settings.base_iri) for item in chosen]
        headers["Content-Disposition"] = f'attachment; filename="{spec.name}.csv"'
        return Response(as_csv(rows, spec), media_type=CSV.content_type, headers=headers)
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    if ask.page > pages:
        raise ParameterError(f"page {ask.page} is past the last page ({pages})", "page")
    shown = chosen[(ask.page - 1) * PAGE_SIZE : ask.page * PAGE_SIZE]
    params = [(f, v) for f, values in ask.filters.items() for v in values]
    if ask.sort != "label":
        params.append(("sort", ask.sort))

    async def count() -> dict[str, list[dict[str, Any]]]:
        return await asyncio.to_thread(facet_counts, spec, chosen, ask, labeller)

    asked = urlencode(sorted((f, v) for f, values in ask.filters.items() for v in values))
    counted = await cached(request, engine, f"list-{spec.name}-facets-{lang}-{asked}", count)
    facets = {f: [dict(v) for v in values] for f, values in counted.items()}
    for facet, values in facets.items():
        for value in values:
            pair = (facet, value["key"])
            toggled = [p for p in params if p != pair] if value["selected"] else [*params, pair]
            value["href"] = page_href(spec, toggled)
    sorts = {
        s: page_href(
            spec,
            [p for p in params if p[0] != "sort"]
            + ([("sort", s)] if ask.sort != s else [("sort", f"-{s}")]),
        )
        for s in spec.sorts
    }
    body = {
        "list": spec.name,
        "title": title,
        "class": spec.cls,
        "total": len(chosen),
        "page": ask.page,
        "page_size": PAGE_SIZE,
        "pages": pages,
        "sort": ask.sort,
        "sorts": list(spec.sorts),
        "filters": {f: list(v) for f, v in ask.filters.items()},
        "columns": [{"name": c.name, "label": labeller.column(c)} for c in spec.columns],
        "facets": facets,
        "sort_links": sorts,
        "rows": [cells(item, spec, labeller, settings.base_iri) for item in shown],
        "formats": {
            key: f"/lists/{spec.name}.{key}" + (f"?{urlencode(params)}" if params else "")
            for key in ("json", "csv")
        },
    }
    if ask.fmt is JSON:
        return JSONResponse(body, headers=headers)
    facet_titles = {c.name: labeller.column(c) for c in spec.columns}
    return render(
        request,
        "list.html",
        {**body, "params": params, "facet_titles": facet_titles, "lists": all_lists(request)},
        headers=headers,
    )


async def cached_inputs(
    request: Request, engine: QueryEngine, settings: Settings, spec: ListDef
) -> tuple[list[Item], dict[str, dict[str, str]]]:
    items = await list_items(request, engine, settings, spec)
    return items, await label_texts(request, engine, settings)


def all_lists(request: Request) -> dict[str, ListDef]:
    lists: dict[str, ListDef] = request.app.state.lists
    return lists


def page_href(spec: ListDef, params: list[tuple[str, str]]) -> str:
    """The list's first page with these parameters."""
    kept = [p for p in params if not (p[0] == "sort" and p[1] == "label")]
    return list_url(spec) + (f"?{urlencode(kept)}" if kept else "")


# ----------------------------------------------------------------------------- routes


def make_route(spec: ListDef) -> Any:
    """A route function whose signature declares the list's parameters (for OpenAPI)."""

    async def show(
        request: Request, engine: EngineDep, settings: SettingsDep, **_: Any
    ) -> Response:
        return await show_list(request, spec, None, engine, settings)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("engine", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=EngineDep),
        inspect.Parameter(
            "settings", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=SettingsDep
        ),
    ]

    def param(name: str, description: str, schema: dict[str, Any] | None = None) -> None:
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=Query(None, description=description, json_schema_extra=schema),
                annotation=str | None,
            )
        )

    param("page", f"the page ({PAGE_SIZE} a page), from 1", {"pattern": "^[1-9][0-9]{0,5}$"})
    param(
        "sort",
        "the order: a column, a - before it for descending order",
        {"enum": [*spec.sorts, *(f"-{s}" for s in spec.sorts)]},
    )
    for facet in spec.facets:
        param(facet, f"only the resources of this {facet} (a value its facet lists)")
    param("format", "html, json or csv (default: by Accept)", {"enum": [*FORMATS, ""]})
    show.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    show.__name__ = f"list_{spec.name}"
    return show


def build_router(lists: dict[str, ListDef]) -> APIRouter:
    router = APIRouter(tags=["lists"])

    @router.get(
        "/lists",
        summary="The lists to browse: a page per type of resource",
        responses=openapi.QUERY_CATALOGUE,
    )
    async def index(request: Request) -> Response:
        lang = getattr(request.state, "lang", DEFAULT)
        entries = [
            {
                "name": spec.name,
                "title": translate(lang, f"list.{spec.name}.title"),
                "class": spec.cls,
                "url": list_url(spec),
                "formats": {k: f"{list_url(spec)}.{k}" for k in ("json", "csv")},
            }
            for spec in lists.values()
        ]
        if negotiate(request.headers.get("accept"), (JSON, HTML), fallback=JSON) is HTML:
            return render(request, "lists.html", {"entries": entries}, headers={"Vary": "Accept"})
        return JSONResponse({"lists": entries}, headers={"Vary": "Accept"})

    @router.get("/lists/{name}.{fmt}", include_in_schema=False)
    async def with_suffix(
        name: str, fmt: str, request: Request, engine: EngineDep, settings: SettingsDep
    ) -> Response:
        spec = lists.get(name)
        if spec is None:
            raise UnknownResourceError(f"no list {name!r}", list=name)
        return await show_list(request, spec, fmt, engine, settings)

    for spec in lists.values():
        router.add_api_route(
            list_url(spec),
            make_route(spec),
            methods=["GET"],
            responses=openapi.LIST,
            name=f"list-{spec.name}",
            summary=f"The list of {spec.name}: paged, sorted, filtered by facets",
            description=(
                f"Columns: {', '.join(c.name for c in spec.columns)}; facets (with counts): "
                f"{', '.join(spec.facets) or 'none'}. HTML for a browser, JSON (a page, the "
                "facets and their counts) or CSV (every resource the filters keep) by Accept, "
                "`format=` or a `.json` / `.csv` suffix."
            ),
        )

    @router.get("/lists/{name}", include_in_schema=False)
    async def unknown(name: str) -> Response:
        raise UnknownResourceError(
            f"no list {name!r}; the lists: {', '.join(sorted(lists))}", list=name
        )

    return router

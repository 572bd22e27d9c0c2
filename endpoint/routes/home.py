"""The home page (what the graph holds, example questions, links) and the label search."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep
from endpoint.folding import fold
from endpoint.i18n import DEFAULT, pick, translate
from endpoint.insee import IGEO_NAMES, IGEO_NAMES_EN
from endpoint.iris import href_of
from endpoint.listdefs import list_for_class
from endpoint.lookup import label_texts, query_text, select, select_for
from endpoint.negotiation import HTML, JSON, negotiate
from endpoint.overview import home_extras
from endpoint.pagecache import cached
from endpoint.pageresponse import last_update
from endpoint.sparqlterms import Term, solutions
from endpoint.worker import Job
from loaders import __version__
from loaders.errors import BadInputError
from loaders.namedqueries import NamedQuery
from loaders.namespaces import IGEO
from loaders.settings import Settings

router = APIRouter(tags=["home"])

COUNTS = (
    "innovations",
    "schemes",
    "actors",
    "organisations",
    "people",
    "territories",
    "qpv",
    "graphs",
    "triples",
)
LINKS = {
    "sparql": "/sparql",
    "queries": "/queries",
    "lists": "/lists",
    "ontology": "/ontology",
    "shapes": "/shapes",
    "map": "/map",
    "provenance": "/graph/build",
    "search": "/search",
    "api": "/-/docs",
    "openapi": "/-/openapi.json",
}
SEARCH_MIN = 2
SEARCH_MAX = 200
SEARCH_PAGE = 50  # results on a page
SEARCH_LIMIT = 1000  # results found at most
#: labels the search reads at most (search-labels.rq): the graph has about 43,000
SEARCH_LABELS_MAX = 2_000_000
MATCHES = {-1: "code", 0: "exact", 1: "prefix", 2: "contains"}


def number(term: Term | None) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def kind_of(iri: str, base_iri: str) -> str:
    """What a resource is, from its IRI: ``commune``, ``concept stage``, ``ontologie``..."""
    rest = iri[len(base_iri) :] if iri.startswith(base_iri) else iri
    head, _, tail = rest.partition("/")
    if head == "id":
        return tail.split("/", 1)[0]
    if head == "concept":
        scheme = tail.split("/", 1)[0]
        return f"concept ({scheme})" if "/" in tail else "schéma de concepts"
    if rest.startswith("def"):
        return "terme de l'ontologie"
    if rest.startswith("shapes"):
        return "forme SHACL"
    return head


async def overview(
    engine: Any, settings: Settings, names: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """Counts of what the graph holds; ``names``: labels of classes by language."""
    counts, kinds = await asyncio.gather(
        select(engine, settings, "home-counts"), select(engine, settings, "home-kinds")
    )
    row = counts[0] if counts else {}
    groups: dict[str, list[dict[str, Any]]] = {"actors": [], "territories": []}
    for k in kinds:
        kind, cls = k.get("kind"), k.get("class")
        if not isinstance(kind, ox.NamedNode) or not isinstance(cls, ox.NamedNode):
            continue
        local = re.split(r"[#/]", cls.value)[-1]
        label = k.get("label")
        groups["actors" if kind.value.endswith("#Actor") else "territories"].append(
            {
                "class": cls.value,
                "label": label.value if label is not None else IGEO_NAMES.get(local, local),
                "labels": {
                    "fr": IGEO_NAMES.get(local, local),
                    "en": IGEO_NAMES_EN.get(local, local),
                    **(names or {}).get(cls.value, {}),
                },
                "count": number(k.get("count")),
                "href": href_of(cls.value, settings.base_iri),
            }
        )
    return {"counts": {name: number(row.get(name)) for name in COUNTS}, **groups}


def example_url(query: NamedQuery) -> str:
    """The query's page, with its required parameters set to their declared examples, so that
    each question of the home page opens on an answer."""
    given = {p.name: p.example for p in query.params if p.required and p.example}
    return f"/queries/{query.name}" + (f"?{urlencode(given)}" if given else "")


@router.get(
    "/",
    summary="Home: what the graph holds, example questions, search, links",
    description="HTML for a browser; otherwise a small JSON index (counts, examples, links).",
    responses=openapi.JSON_OR_PAGE,
)
async def home(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    data, extras = await asyncio.gather(
        overview(engine, settings, await label_texts(request, engine, settings)),
        home_extras(request, engine, settings),
    )
    data["counts"].update(extras["more"])
    for group in ("actors", "territories"):
        for kind in data[group]:  # each count goes to its list, on the site
            kind["href"] = list_for_class(request.app.state.lists, kind["class"]) or kind["href"]
    data["last_update"] = last_update(engine)
    examples = [
        {
            "name": q.name,
            "summary": q.summary_in(getattr(request.state, "lang", DEFAULT)),
            "url": example_url(q),
            "tags": list(q.tags),
        }
        for q in request.app.state.named_queries.values()
    ]
    if negotiate(request.headers.get("accept"), (JSON, HTML), fallback=JSON) is HTML:
        response: Response = request.app.state.templates.TemplateResponse(
            request,
            "home.html",
            {**data, **extras, "examples": examples, "links": LINKS},
            headers={"Vary": "Accept"},
        )
        return response
    body = {
        "name": "qpvkg",
        "version": __version__,
        "description": (
            "Linked open data on innovation in France's quartiers prioritaires de la "
            "politique de la ville (QPV)"
        ),
        "base_iri": settings.base_iri,
        **data,
        "examples": examples,
        "links": LINKS,
    }
    return JSONResponse(body, headers={"Vary": "Accept"})


#: A text that may be an official code: an INSEE code (93066, 2A004, 974), a QPV code
#: (QN09355M, QP093001), a SIREN (200054781).
CODE = re.compile(r"[0-9A-Z]*[0-9][0-9A-Z]*")


async def search_index(
    request: Request, engine: Any, settings: Settings
) -> tuple[tuple[str, str, str], ...]:
    """(folded label, label, IRI) of every label of the graph's resources, read once for the
    store generation (search-labels.rq): the search scans them here, whatever the store."""

    async def read() -> tuple[tuple[str, str, str], ...]:
        job = Job(
            query=query_text(settings, "search-labels"),
            accept=None,
            max_rows=SEARCH_LABELS_MAX,
            format_key="json",
        )
        answer, _ = await engine.run(job)
        rows = solutions(answer.body)
        return tuple(
            (fold(name.value), name.value, resource.value)
            for row in rows
            if isinstance(resource := row.get("resource"), ox.NamedNode)
            and isinstance(name := row.get("name"), ox.Literal)
        )

    index: tuple[tuple[str, str, str], ...] = await cached(request, engine, "search", read)
    return index


def rank_labels(index: tuple[tuple[str, str, str], ...], folded: str) -> list[tuple[int, str]]:
    """(rank, IRI) of the resources a label of which contains the folded text: 0 for a label
    equal to it, 1 starting with it, 2 containing it; best first, then the shortest label."""
    best: dict[str, tuple[int, int, str]] = {}
    for key, label, iri in index:
        if folded not in key:
            continue
        rank = 0 if key == folded else 1 if key.startswith(folded) else 2
        found = (rank, len(label), label)
        if iri not in best or found < best[iri]:
            best[iri] = found
    ordered = sorted(best.items(), key=lambda item: (item[1], item[0]))
    return [(rank, iri) for iri, (rank, _, _) in ordered]


async def search_matches(
    request: Request, engine: Any, settings: Settings, text: str
) -> list[tuple[int, str]]:
    """(rank, IRI) of the resources found, best first: a code equal to the text, then labels
    equal to it, starting with it, containing it, at most SEARCH_LIMIT."""
    folded, code = fold(text), text.strip().upper()
    codes = (
        await select(engine, settings, "search-code", code=ox.Literal(code))
        if CODE.fullmatch(code)
        else []
    )
    labels = (
        rank_labels(await search_index(request, engine, settings), folded)
        if len(folded) >= SEARCH_MIN
        else []
    )
    found: dict[str, int] = {}
    for row in codes:
        resource = row.get("resource")
        if isinstance(resource, ox.NamedNode):
            found.setdefault(resource.value, -1)
    for rank, iri in labels:
        found.setdefault(iri, rank)
    return [(rank, iri) for iri, rank in found.items()][:SEARCH_LIMIT]


def kind_label(
    entry: dict[str, Any], names: dict[str, dict[str, str]], lang: str, base: str
) -> str:
    """What a resource is, in the page's language: its class's label in the ontology (a
    concept: its scheme's), INSEE's territory classes by name, else from its IRI."""
    scheme = entry["scheme"]
    if scheme and scheme in names:
        return translate(lang, "search.kind.concept", scheme=pick(names[scheme], lang) or scheme)
    for cls in sorted(entry["classes"]):
        local = re.split(r"[#/]", cls)[-1]
        if cls in names:
            return pick(names[cls], lang) or local
        if cls.startswith(IGEO) and local in IGEO_NAMES:
            return translate(lang, f"search.kind.{local}")
    rest = entry["iri"][len(base) :] if entry["iri"].startswith(base) else entry["iri"]
    head, _, tail = rest.partition("/")
    head = re.split(r"[#.]", head)[0]
    if head in ("def", "shapes", "graph", "concept"):
        return translate(lang, f"search.kind.{head}")
    return tail.split("/", 1)[0] if head == "id" else head


def blank_entry(iri: str) -> dict[str, Any]:
    return {
        "iri": iri,
        "labels": {},
        "code": None,
        "classes": set(),
        "scheme": None,
        "departement": None,
    }


def describe(rows: list[dict[str, Term | None]]) -> dict[str, dict[str, Any]]:
    """search-details.rq's rows by resource: labels by language, code, classes, scheme,
    département."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        resource = row.get("resource")
        if not isinstance(resource, ox.NamedNode):
            continue
        entry = out.setdefault(resource.value, blank_entry(resource.value))
        label, code, cls, scheme = (row.get(k) for k in ("label", "code", "class", "scheme"))
        if isinstance(label, ox.Literal):
            entry["labels"].setdefault(label.language or "", label.value)
        if isinstance(code, ox.Literal):
            entry["code"] = entry["code"] or code.value
        if isinstance(cls, ox.NamedNode):
            entry["classes"].add(cls.value)
        if isinstance(scheme, ox.NamedNode):
            entry["scheme"] = scheme.value
        dep, dep_label, dep_code = (row.get(k) for k in ("departement", "depLabel", "depCode"))
        if isinstance(dep, ox.NamedNode) and dep_label is not None and dep_code is not None:
            entry["departement"] = entry["departement"] or {
                "iri": dep.value,
                "label": dep_label.value,
                "code": dep_code.value,
            }
    return out


async def search_page(
    request: Request, engine: Any, settings: Settings, text: str, page: int
) -> tuple[list[dict[str, Any]], int]:
    """The results of one page, described in the page's language, and how many were found."""
    matches = await search_matches(request, engine, settings, text)
    shown = matches[(page - 1) * SEARCH_PAGE : page * SEARCH_PAGE]
    details, names = await asyncio.gather(
        select_for(
            engine, settings, "search-details", "resource", [i for _, i in shown], inside=True
        ),
        label_texts(request, engine, settings),
    )
    described = describe(details)
    lang = getattr(request.state, "lang", DEFAULT)
    results = []
    for rank, iri in shown:
        entry = described.get(iri) or blank_entry(iri)
        results.append(
            {
                "iri": iri,
                "label": pick(entry["labels"], lang) or iri,
                "href": href_of(iri, settings.base_iri),
                "kind": kind_label(entry, names, lang, settings.base_iri),
                "class": sorted(entry["classes"]),
                "code": entry["code"],
                "departement": entry["departement"],
                "match": MATCHES.get(rank, "contains"),
            }
        )
    return results, len(matches)


@router.get(
    "/search",
    summary="Search the graph's resources by label or official code",
    description=(
        "Resources under the base whose label (rdfs:label, skos:prefLabel) contains `q`, "
        "ignoring case, accents, hyphens and apostrophes, or whose official code is `q` (a "
        "commune's INSEE code, a QPV code, a SIREN); the code first, then exact labels, "
        "labels that start with `q`, labels that contain it. Each result says what it is and, "
        "for a commune or a QPV, its département. 50 a page (`page`), 1,000 at most. HTML "
        "for a browser (or `format=html`), JSON otherwise."
    ),
    responses=openapi.JSON_OR_PAGE,
)
async def search(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    q: str = Query(
        "",
        description="the text to look for (2 characters at least), or an official code",
        json_schema_extra={"maxLength": SEARCH_MAX},  # checked below, with its own message
    ),
    page: int = Query(
        1,
        ge=1,
        le=SEARCH_LIMIT // SEARCH_PAGE,
        description=f"the page of results, {SEARCH_PAGE} a page",
    ),
    format: str | None = Query(
        None, description="json or html (default: by Accept)", json_schema_extra=openapi.PAGE_FORMAT
    ),
) -> Response:
    accept = request.headers.get("accept")
    html = negotiate(accept, (JSON, HTML), given=format or None, fallback=JSON) is HTML
    text = q.strip()
    if len(text) > SEARCH_MAX:
        raise BadInputError(f"the search text is longer than {SEARCH_MAX} characters")
    start = time.perf_counter()
    results: list[dict[str, Any]] = []
    total = 0
    message = None
    if len(fold(text)) >= SEARCH_MIN or CODE.fullmatch(text.upper()):
        results, total = await search_page(request, engine, settings, text, page)
    elif text:
        lang = getattr(request.state, "lang", DEFAULT)
        message = translate(lang, "search.short", n=SEARCH_MIN)
    elapsed = (time.perf_counter() - start) * 1000
    headers = {"Vary": "Accept", "Server-Timing": f"search;dur={elapsed:.1f}"}
    paging = {
        "page": page,
        "page_size": SEARCH_PAGE,
        "total": total,
        "truncated": total >= SEARCH_LIMIT,
        "pages": -(-total // SEARCH_PAGE),
    }
    if html:
        response: Response = request.app.state.templates.TemplateResponse(
            request,
            "search.html",
            {"q": text, "results": results, "message": message, **paging},
            headers=headers,
        )
        return response
    return JSONResponse({"q": text, **paging, "results": results}, headers=headers)

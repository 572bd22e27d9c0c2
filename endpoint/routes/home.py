"""The home page (what the graph holds, example questions, links) and the label search."""

from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import linkeddata as ld
from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep
from endpoint.i18n import DEFAULT, translate
from endpoint.negotiation import prefers_html
from endpoint.routes.pages import home_extras, label_texts, last_update
from endpoint.routes.resources import select
from loaders import __version__
from loaders.catalog import NamedQuery
from loaders.errors import BadInputError
from loaders.settings import Settings

router = APIRouter(tags=["home"])

#: French names of INSEE's territory classes (the store holds no label for them).
IGEO_NAMES = {
    "Region": "Régions",
    "Departement": "Départements",
    "Commune": "Communes",
    "CommuneDeleguee": "Communes déléguées",
    "CommuneAssociee": "Communes associées",
    "ArrondissementMunicipal": "Arrondissements municipaux",
    "Intercommunalite": "Intercommunalités (EPCI, EPT)",
}
#: Their English names.
IGEO_NAMES_EN = {
    "Region": "Régions",
    "Departement": "Départements",
    "Commune": "Communes",
    "CommuneDeleguee": "Delegated communes",
    "CommuneAssociee": "Associated communes",
    "ArrondissementMunicipal": "Municipal arrondissements",
    "Intercommunalite": "Intercommunalities (EPCI, EPT)",
}
COUNTS = ("innovations", "schemes", "actors", "territories", "graphs", "triples")
LINKS = {
    "sparql": "/sparql",
    "queries": "/queries",
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
#: The folding search.rq applies to labels, done here to the search text.
FOLD = str.maketrans({"œ": "oe", "-": " ", "'": " ", "’": " "})


def fold(text: str) -> str:
    """Lower case, without accents, hyphens or apostrophes, spaces collapsed."""
    lowered = text.lower().translate(FOLD)
    plain = "".join(
        c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn"
    )
    return re.sub(r"\s+", " ", plain).strip()


def number(term: ld.Term | None) -> int:
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
                "href": ld.href_of(cls.value, settings.base_iri),
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
    data["last_update"] = last_update(engine)
    examples = [
        {
            "name": q.name,
            "summary": q.summary_in(getattr(request.state, "lang", DEFAULT)),
            "url": example_url(q),
            "tags": list(q.tags),
        }
        for q in request.app.state.catalog.values()
    ]
    if prefers_html(request.headers.get("accept")):
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


def skeleton(folded: str) -> str:
    """The folded text without vowels, c and spaces (search.rq's cheap first test)."""
    return re.sub(r"[aeiouyc ]", "", folded)


async def search_labels(engine: Any, settings: Settings, text: str) -> list[dict[str, str | None]]:
    folded = fold(text)
    rows = await select(
        engine, settings, "search", q=ox.Literal(folded), skeleton=ox.Literal(skeleton(folded))
    )
    out = []
    for row in rows:
        resource, label = row.get("resource"), row.get("label")
        if isinstance(resource, ox.NamedNode):
            out.append(
                {
                    "iri": resource.value,
                    "label": label.value if label is not None else resource.value,
                    "href": ld.href_of(resource.value, settings.base_iri),
                    "kind": kind_of(resource.value, settings.base_iri),
                }
            )
    return out


@router.get(
    "/search",
    summary="Search the labels of the graph's resources",
    description=(
        "Resources under the base whose label (rdfs:label, skos:prefLabel) contains `q`, "
        "ignoring case, accents, hyphens and apostrophes; exact and prefix matches first; "
        "at most 50. HTML for a browser (or `format=html`), JSON otherwise."
    ),
    responses=openapi.JSON_OR_PAGE,
)
async def search(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    q: str = Query(
        "",
        description="the text to look for (2 characters at least)",
        json_schema_extra={"maxLength": SEARCH_MAX},  # checked below, with its own message
    ),
    format: str | None = Query(
        None, description="json or html (default: by Accept)", json_schema_extra=openapi.PAGE_FORMAT
    ),
) -> Response:
    format = format or None  # empty: not given
    if format not in (None, "json", "html"):
        raise BadInputError(f"format {format!r} is unknown; use json or html")
    html = format == "html" or (format is None and prefers_html(request.headers.get("accept")))
    text = q.strip()
    if len(text) > SEARCH_MAX:
        raise BadInputError(f"the search text is longer than {SEARCH_MAX} characters")
    start = time.perf_counter()
    results: list[dict[str, str | None]] = []
    message = None
    if len(fold(text)) >= SEARCH_MIN:
        results = await search_labels(engine, settings, text)
    elif text:
        lang = getattr(request.state, "lang", DEFAULT)
        message = translate(lang, "search.short", n=SEARCH_MIN)
    elapsed = (time.perf_counter() - start) * 1000
    headers = {"Vary": "Accept", "Server-Timing": f"search;dur={elapsed:.1f}"}
    if html:
        response: Response = request.app.state.templates.TemplateResponse(
            request,
            "search.html",
            {"q": text, "results": results, "message": message},
            headers=headers,
        )
        return response
    return JSONResponse({"q": text, "results": results}, headers=headers)

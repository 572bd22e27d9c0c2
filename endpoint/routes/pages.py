"""Documentation and exploration pages: /ontology (and /def), /shapes, concept schemes, /network,
/map; and the language of every page (``install``).

Each page is built from the store by the queries of ``queries/internal/`` run by the engine's
workers, and kept for the store generation. The RDF of /ontology, /def, /shapes and
/concept/{scheme} is the linked-data representation (``endpoint/representation.py``): these
routes answer a browser with the documentation page and hand every other request on.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import i18n, jsonldcontext, openapi, representation
from endpoint.deps import EngineDep, SettingsDep, render
from endpoint.engine import QueryEngine
from endpoint.iris import RESOURCE_KEYS, href_of, split_suffix, valid_iri
from endpoint.lookup import Row, construct, label_texts, select, select_for
from endpoint.overview import CHARTS, concept_chart, map_document, map_places
from endpoint.pagecache import cached
from endpoint.pageresponse import actor_iri, page, wants_html, wants_json
from endpoint.pages.concepts import concepts_of, number
from endpoint.pages.examples import examples_of, turtle_example
from endpoint.pages.maps import filter_options, map_points_of
from endpoint.pages.network import network_of
from endpoint.pages.ontology import Ontology
from endpoint.pages.ontology import ontology_model as ontology_documentation
from endpoint.pages.shapes import Shape, ShapeReader, shape_paths
from endpoint.pages.terms import Ref, Terms
from endpoint.representation import NEGOTIATION
from loaders.errors import UnknownResourceError
from loaders.settings import Settings

router = APIRouter(tags=["pages"])
METHODS = ["GET", "HEAD"]


def install(app: FastAPI) -> APIRouter:
    """Languages for every page (templates, middleware); the pages' routes."""
    i18n.install(app.state.templates.env)
    app.add_middleware(i18n.LanguageMiddleware)
    return router


# ----------------------------------------------------------------------------- helpers


# ----------------------------------------------------------------------------- /ontology


async def ontology_model(
    request: Request, engine: QueryEngine, settings: Settings
) -> dict[str, Any]:
    async def build() -> dict[str, Any]:
        triples, labels, schemes = await asyncio.gather(
            construct(engine, settings, "ontology-document"),
            label_texts(request, engine, settings),
            select(engine, settings, "concept-schemes"),
        )
        model = ontology_documentation(
            triples,
            f"{settings.base_iri}def",
            settings.base_iri,
            jsonldcontext.prefixes(settings),
            labels,
        )
        return {"ontology": model, "schemes": schemes_of(schemes, settings)}

    result: dict[str, Any] = await cached(request, engine, "ontology", build)
    return result


def schemes_of(rows: list[Row], settings: Settings) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        scheme = row.get("scheme")
        if not isinstance(scheme, ox.NamedNode):
            continue
        entry = found.setdefault(
            scheme.value,
            {
                "iri": scheme.value,
                "href": href_of(scheme.value, settings.base_iri),
                "labels": {},
                "definitions": {},
                "concepts": number(row.get("concepts")),
            },
        )
        label, definition = row.get("label"), row.get("definition")
        if isinstance(label, ox.Literal):
            entry["labels"].setdefault(label.language or "", label.value)
        if isinstance(definition, ox.Literal):
            entry["definitions"].setdefault(definition.language or "", definition.value)
    return sorted(found.values(), key=lambda s: s["iri"])


async def ontology_page(
    request: Request, engine: QueryEngine, settings: Settings, suffix: str | None, stem: str
) -> Response:
    if not wants_html(request, suffix):
        path = stem if suffix is None else f"{stem}.{suffix}"
        return await representation.resource(request, engine, settings, "", path, document=True)
    model = await ontology_model(request, engine, settings)
    ontology: Ontology = model["ontology"]
    context = {
        **model,
        "alternates": representation.alternates("/def", RESOURCE_KEYS),
        "diagram": ontology.diagram,
    }
    return page(request, engine, "ontology.html", context)


@router.api_route(
    "/ontology",
    methods=METHODS,
    summary="The ontology's documentation (HTML), or its RDF",
    description=(
        "Every class and property of the ontology with its labels, definitions, domain, range, "
        "super-terms and the vocabularies it reuses, and a diagram, for a browser (French, or "
        "English with `lang=en`); Turtle, JSON-LD, RDF/XML or N-Triples by Accept or suffix "
        "(the same as `/def`)."
    ),
    responses=openapi.RESOURCE,
)
async def ontology(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    return await ontology_page(request, engine, settings, None, "def")


@router.api_route("/ontology.{suffix}", methods=METHODS, include_in_schema=False)
async def ontology_as(
    suffix: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    if suffix != "html" and suffix not in RESOURCE_KEYS:
        raise UnknownResourceError(f"no format {suffix!r} for the ontology", format=suffix)
    return await ontology_page(request, engine, settings, suffix, "def")


@router.api_route(
    "/def",
    methods=METHODS,
    summary="The ontology, with all its terms (def#Term)",
    description=f"The ontology `{{base}}def` and every term `{{base}}def#Term`. {NEGOTIATION}",
    responses=openapi.RESOURCE,
)
async def definitions(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    return await ontology_page(request, engine, settings, None, "def")


@router.api_route("/def.{suffix}", methods=METHODS, include_in_schema=False)
async def definitions_as(
    suffix: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    if suffix != "html":
        return await representation.resource(
            request, engine, settings, "", f"def.{suffix}", document=True
        )
    return await ontology_page(request, engine, settings, suffix, "def")


# ----------------------------------------------------------------------------- /shapes


async def shape_examples(engine: QueryEngine, settings: Settings) -> list[Row]:
    """Rows (shape, focus, path, value, nested path, nested value) of one example resource for
    each shape: the focus chosen first, then its values, read apart for named and blank nodes."""
    foci = await select(engine, settings, "shape-examples")
    named: dict[str, list[ox.NamedNode]] = {}
    blank: list[str] = []
    for row in foci:
        shape, focus = row.get("shape"), row.get("focus")
        if not isinstance(shape, ox.NamedNode):
            continue
        if isinstance(focus, ox.NamedNode):
            named.setdefault(focus.value, []).append(shape)
        elif isinstance(focus, ox.BlankNode):
            blank.append(shape.value)
    values, blank_values = await asyncio.gather(
        select_for(engine, settings, "shape-example-values", "focus", named),
        select_for(engine, settings, "shape-blank-examples", "shape", blank, inside=True),
    )
    rows: list[Row] = []
    for row in values:
        focus = row.get("focus")
        if isinstance(focus, ox.NamedNode):
            rows += [{**row, "shape": shape} for shape in named.get(focus.value, [])]
    return rows + blank_values


async def shapes_model(request: Request, engine: QueryEngine, settings: Settings) -> list[Shape]:
    async def build() -> list[Shape]:
        triples, labels, examples = await asyncio.gather(
            construct(engine, settings, "shapes-document"),
            label_texts(request, engine, settings),
            shape_examples(engine, settings),
        )
        shapes_ns = f"{settings.base_iri}shapes#"
        prefixes = {"qpvkg-shapes": shapes_ns, **jsonldcontext.prefixes(settings)}
        terms = Terms(settings.base_iri, prefixes, labels)
        shapes = ShapeReader(triples, terms, shapes_ns).shapes()
        anchors = {s.iri: s.anchor for s in shapes}
        linker = Terms(settings.base_iri, prefixes, labels, anchors)
        for shape in shapes:  # links between shapes stay on the page
            rules = [*shape.constraints, *(c for r in shape.properties for c in r.constraints)]
            for constraint in rules:
                constraint.values = [
                    linker.ref(v.iri) if isinstance(v, Ref) and v.iri in anchors else v
                    for v in constraint.values
                ]
        by_shape = examples_of(examples)
        for shape in shapes:
            if shape.iri in by_shape:
                focus, values = by_shape[shape.iri]
                shape.example = turtle_example(focus, values, shape_paths(shape), prefixes)
                if isinstance(focus, ox.NamedNode):
                    shape.example_focus = terms.ref(focus.value)
        return shapes

    result: list[Shape] = await cached(request, engine, "shapes", build)
    return result


async def shapes_page(
    request: Request, engine: QueryEngine, settings: Settings, suffix: str | None
) -> Response:
    if not wants_html(request, suffix):
        path = "shapes" if suffix is None else f"shapes.{suffix}"
        return await representation.resource(request, engine, settings, "", path, document=True)
    shapes = await shapes_model(request, engine, settings)
    context = {
        "shapes": shapes,
        "node_shapes": [s for s in shapes if s.kind == "node"],
        "property_shapes": [s for s in shapes if s.kind == "property"],
        "alternates": representation.alternates("/shapes", RESOURCE_KEYS),
    }
    return page(request, engine, "shapes.html", context)


@router.api_route(
    "/shapes",
    methods=METHODS,
    summary="The SHACL shapes (shapes#Shape)",
    description=f"Every shape `{{base}}shapes#Name`. {NEGOTIATION}",
    responses=openapi.RESOURCE,
)
async def shapes(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    return await shapes_page(request, engine, settings, None)


@router.api_route("/shapes.{suffix}", methods=METHODS, include_in_schema=False)
async def shapes_as(
    suffix: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    if suffix != "html":
        return await representation.resource(
            request, engine, settings, "", f"shapes.{suffix}", document=True
        )
    return await shapes_page(request, engine, settings, suffix)


# ----------------------------------------------------------------------------- concept schemes


async def scheme_model(
    request: Request, engine: QueryEngine, settings: Settings, scheme: str
) -> dict[str, Any] | None:
    iri = f"{settings.base_iri}concept/{scheme}"
    ontology = await ontology_model(request, engine, settings)
    info = next((s for s in ontology["schemes"] if s["iri"] == iri), None)
    if info is None:
        return None

    async def build() -> dict[str, Any]:
        term = ox.NamedNode(iri)
        rows, usage = await asyncio.gather(
            select(engine, settings, "concept-scheme", scheme=term),
            select(engine, settings, "concept-scheme-usage", scheme=term),
        )
        concepts = concepts_of(rows, usage, settings.base_iri)
        top = max((c.innovations for c in concepts), default=0)
        return {"scheme": info, "concepts": concepts, "top": top}

    result: dict[str, Any] = await cached(request, engine, f"scheme {scheme}", build)
    return result


@router.api_route(
    "/concept/{scheme}",
    methods=METHODS,
    summary="A concept scheme (typology): its concepts and how many innovations use each",
    description=(
        "For a browser, the scheme's page: each concept with its labels, definition, and the "
        "number of innovations (and of all resources) that use it. Turtle, JSON-LD, RDF/XML or "
        "N-Triples of the scheme by Accept or suffix."
    ),
    responses=openapi.RESOURCE,
)
async def concept_scheme(
    scheme: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    stem, suffix = split_suffix(scheme, RESOURCE_KEYS)
    if wants_html(request, suffix) and valid_iri(f"{settings.base_iri}concept/{stem}"):
        model = await scheme_model(request, engine, settings, stem)
        if model is not None:
            context = {
                **model,
                "alternates": representation.alternates(f"/concept/{stem}", RESOURCE_KEYS),
            }
            return page(request, engine, "scheme.html", context)
    return await representation.resource(request, engine, settings, "concept/", scheme)


# ----------------------------------------------------------------------------- /network


async def network_model(
    request: Request, engine: QueryEngine, settings: Settings, iri: str
) -> dict[str, Any]:
    async def build() -> dict[str, Any]:
        rows, labels = await asyncio.gather(
            select(engine, settings, "actor-network", actor=ox.NamedNode(iri)),
            label_texts(request, engine, settings),
        )
        network = network_of(rows, iri, settings.base_iri, labels)
        return network

    result: dict[str, Any] = await cached(request, engine, f"network {iri}", build)
    return result


#: The actor /network offers when none is given (an organisation of the study's data).
NETWORK_EXAMPLE = "id/organisation/simplon-co"


@router.api_route(
    "/network",
    methods=METHODS,
    summary="An actor's network: its partnerships and the initiatives it takes part in",
    description=(
        "The actor's initiatives (with its role and the other actors' roles), the partnerships "
        "it is a member of and their members, the initiatives a partnership carries out, and "
        "organisational links. HTML for a browser (a graph and a table), JSON otherwise "
        "(`format=json`): `nodes` (id, label, kind, href) and `edges` (source, target, kind, "
        "role)."
    ),
    responses=openapi.JSON_OR_PAGE,
)
async def network(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    actor: str = Query(
        ...,
        description=(
            "the actor's IRI (or its path, /id/organisation/...); a browser without it gets "
            "the form to choose one"
        ),
        json_schema_extra={"pattern": openapi.IRI_OR_PATH},
    ),
    format: str | None = Query(
        None, description="json or html (default: by Accept)", json_schema_extra=openapi.PAGE_FORMAT
    ),
) -> Response:
    iri = actor_iri(actor, settings)
    model = await network_model(request, engine, settings, iri)
    if wants_json(request, format):
        return JSONResponse(model, headers={"Vary": "Accept"})
    lang = getattr(request.state, "lang", i18n.DEFAULT)
    context = {
        "network": model,
        "center": model["nodes"][0],
        "data_url": "/network?" + urlencode({"actor": iri, "format": "json", "lang": lang}),
        "lang_code": lang,
    }
    return page(request, engine, "network.html", context)


async def network_form(request: Request) -> Response | None:
    """/network without an actor, for a browser (FastAPI refuses the request before network();
    endpoint/errors.py calls this): the form, filled with an actor of the data; None when JSON
    is asked for (the 400 stands)."""
    if request.query_params.get("format") not in (None, "", "html"):
        return None
    example = request.app.state.settings.base_iri + NETWORK_EXAMPLE
    return render(request, "network-form.html", {"example": example}, headers={"Vary": "Accept"})


network.browser_form = network_form  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- /map


@router.api_route(
    "/map",
    methods=METHODS,
    summary="Innovations and connectors by commune (a map and a table)",
    description=(
        "The communes where innovations act and connectors act or are based, with their "
        "counts; with `actor`, the communes of that actor's initiatives. A commune is drawn "
        "on the map where the graph holds its GeoSPARQL point (today it holds none: the table "
        "lists them all). HTML for a browser, JSON otherwise (`format=json`)."
    ),
    responses=openapi.JSON_OR_PAGE,
)
async def map_view(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    actor: str | None = Query(
        None,
        description="an actor's IRI: only where it acts",
        json_schema_extra={"pattern": openapi.IRI_OR_PATH_OR_EMPTY},
    ),
    format: str | None = Query(
        None, description="json or html (default: by Accept)", json_schema_extra=openapi.PAGE_FORMAT
    ),
) -> Response:
    iri = actor_iri(actor, settings) if actor else None
    document = map_document(await map_places(request, engine, settings, iri))
    if wants_json(request, format):
        return JSONResponse(document, headers={"Vary": "Accept"})
    params = {"format": "json"} if iri is None else {"actor": iri, "format": "json"}
    context = {
        **document,
        **(await map_extras(request, engine, settings)),
        "actor": iri,
        "data_url": "/map?" + urlencode(params),
    }
    return page(request, engine, "map.html", context)


async def map_extras(request: Request, engine: QueryEngine, settings: Settings) -> dict[str, Any]:
    """What /map shows beside its places: the filters (the concepts of the innovation
    categories and impact areas) and the table of the innovations and connectors it draws."""

    async def build() -> dict[str, Any]:
        categories, impacts, points = await asyncio.gather(
            concept_chart(engine, settings, *CHARTS[0]),
            concept_chart(engine, settings, *CHARTS[1]),
            select(engine, settings, "geo-places"),
        )
        return {
            "filters": [
                {"name": "category", "concepts": filter_options(categories, settings.base_iri)},
                {"name": "impact", "concepts": filter_options(impacts, settings.base_iri)},
            ],
            "points": map_points_of(points, settings.base_iri),
        }

    result: dict[str, Any] = await cached(request, engine, "map extras", build)
    return result

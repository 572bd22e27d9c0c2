"""Named queries as an API: /queries lists them, /queries/{name} runs one, each in OpenAPI."""

from __future__ import annotations

import inspect
import json
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep, render
from endpoint.iris import href_of, local_href
from endpoint.jsonldcontext import prefixes, qname
from endpoint.negotiation import HTML, JSON, RESULTS, Format, negotiate
from endpoint.protocol import timeout_parameter
from endpoint.querying import answer_response, run_query
from endpoint.worker import term_spec
from loaders.errors import ParameterError, UnknownResourceError
from loaders.namedqueries import NamedQuery
from loaders.params import bind
from loaders.settings import Settings

#: a named query's answers: the results formats, and a page for a browser
QUERY_FORMATS: tuple[Format, ...] = (*RESULTS, HTML)
SUFFIXES = {f.key for f in QUERY_FORMATS}


def link_text(iri: str, base_iri: str, table: dict[str, str]) -> str:
    """What a result table shows of an IRI: its path on this server (id/commune/93066), its
    prefixed name (skos:Concept), or the IRI itself."""
    local = local_href(iri, base_iri)
    if local is not None:
        return local.lstrip("/") or iri
    return qname(iri, table)


def describe(query: NamedQuery, request: Request) -> dict[str, Any]:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "summary_en": query.summary_en,
        "description_en": query.description_en,
        "tags": list(query.tags),
        "form": query.form,
        "url": str(request.url_for(f"query-{query.name}")),
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "example": p.example,
                "description": p.description,
                "description_en": p.description_en,
                **({"scheme": p.scheme} if p.scheme else {}),
                **({"enum": list(p.enum)} if p.enum else {}),
                **({"pattern": p.pattern} if p.pattern else {}),
            }
            for p in query.params
        ],
        "sparql": query.sparql,
    }


async def execute_named(
    request: Request, query: NamedQuery, fmt: str | None, engine: Any, settings: Settings
) -> Response:
    grouped = given(request, query)
    accept = request.headers.get("accept")
    chosen = negotiate(accept, QUERY_FORMATS, given=fmt, what=f"query {query.name}")
    html = chosen is HTML
    if html and "lang" not in grouped and any(p.name == "lang" for p in query.params):
        # a query's `lang` chooses its labels' language: on a page, the page's own
        grouped["lang"] = [request.state.lang]
    if html and any(p.required and p.name not in grouped for p in query.params):
        # a browser gets the form, filled with the declared examples, not a bare 400
        return form_page(request, query, grouped, need=True)
    try:
        bindings = bind(
            query, {k: v if len(v) > 1 else v[0] for k, v in grouped.items()}, settings.base_iri
        )
    except ParameterError as error:
        if not html:
            raise
        return form_page(request, query, grouped, invalid=error)
    substitutions = tuple((var.value, term_spec(term)) for var, term in bindings.items())
    format_key = "json" if html else chosen.key
    timeout_s = timeout_parameter(request.query_params.getlist("timeout"))  # as /sparql
    answer, cached = await run_query(
        engine,
        settings,
        query.sparql,
        accept,
        substitutions=substitutions,
        format_key=format_key,
        timeout_s=timeout_s,
    )
    if not html:
        return answer_response(answer, cached)
    data = json.loads(answer.body)
    variables = data.get("head", {}).get("vars", [])
    rows = []
    table = prefixes(settings)
    for binding in data.get("results", {}).get("bindings", []):
        cells: list[dict[str, Any] | None] = []
        for var in variables:
            cell = binding.get(var)
            if cell is None:
                cells.append(None)
            else:
                iri = cell["value"] if cell["type"] == "uri" else None
                link = href_of(iri, settings.base_iri) if iri else None
                cells.append(
                    {
                        "value": cell["value"],
                        "type": cell["type"],
                        "link": link,
                        "datatype": cell.get("datatype"),
                        # an IRI shows as its path here or its prefixed name, not in full
                        "text": link_text(iri, settings.base_iri, table) if iri else None,
                    }
                )
        rows.append(cells)
    return render(
        request,
        "query.html",
        {
            "query": query,
            "variables": variables,
            "rows": rows,
            "truncated": answer.truncated,
            "values": {k: v[0] for k, v in grouped.items()},
            "downloads": {
                key: str(request.url.replace(path=f"/queries/{query.name}.{key}"))
                for key in ("json", "csv", "tsv")
            },
        },
        headers={"Vary": "Accept", "X-Result-Rows": str(answer.rows)},
    )


def given(request: Request, query: NamedQuery) -> dict[str, list[str]]:
    """The request's values of the query's parameters (and of unknown ones), by name."""
    grouped: dict[str, list[str]] = {}
    # `lang` chooses the page's language (endpoint/i18n.py), unless the query declares it
    reserved = {"format", "timeout"} | ({"lang"} - {p.name for p in query.params})
    for key, value in request.query_params.multi_items():
        if key not in reserved:
            grouped.setdefault(key, []).append(value)
    return grouped


def form_page(
    request: Request,
    query: NamedQuery,
    grouped: dict[str, list[str]],
    *,
    need: bool = False,
    invalid: ParameterError | None = None,
) -> Response:
    """The query's page with its form and no result: the parameters it needs (filled with their
    examples) or the one whose value does not fit, said in the page's language (400)."""
    values = {p.name: p.example or "" for p in query.params if p.required}
    values.update({k: v[0] for k, v in grouped.items()})
    return render(
        request,
        "query.html",
        {
            "query": query,
            "variables": [],
            "rows": [],
            "truncated": False,
            "values": values,
            "need": [p for p in query.params if p.required and p.name not in grouped]
            if need
            else [],
            "invalid": next((p for p in query.params if p.name == invalid.parameter), None)
            if invalid
            else None,
            "unknown": invalid.parameter
            if invalid and all(p.name != invalid.parameter for p in query.params)
            else None,
            "problem": invalid.message if invalid else "",
            "downloads": {},
        },
        status_code=400 if invalid else 200,
        headers={"Vary": "Accept"},
    )


def make_route(query: NamedQuery, base_iri: str) -> Any:
    """A route function whose signature declares the query's parameters (for OpenAPI)."""

    async def run_named(
        request: Request, engine: EngineDep, settings: SettingsDep, **_: Any
    ) -> Response:
        fmt = request.query_params.get("format") or None  # empty: not given
        return await execute_named(request, query, fmt, engine, settings)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("engine", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=EngineDep),
        inspect.Parameter(
            "settings", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=SettingsDep
        ),
    ]
    for p in query.params:
        description = p.description or p.name
        if p.type == "concept":
            description += f" (concept of the {p.scheme} scheme: its notation or IRI)"
        default = Query(
            ... if p.required else None,
            description=f"{description} [{p.type}]",
            examples=[p.example] if p.example else None,
            json_schema_extra=openapi.query_parameter(
                p.type,
                required=p.required,
                pattern=p.pattern,
                enum=p.enum,
                prefix=f"{base_iri}concept/{p.scheme}/",
            ),
        )
        parameters.append(
            inspect.Parameter(
                p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=str | None
            )
        )
    parameters.append(
        inspect.Parameter(
            "format",
            inspect.Parameter.KEYWORD_ONLY,
            default=Query(
                None,
                description="json, csv, tsv, xml or html (empty or absent: by Accept)",
                json_schema_extra={"enum": [*sorted(SUFFIXES), ""]},
            ),
            annotation=str | None,
        )
    )

    async def browser_form(request: Request) -> Response:
        """For a browser whose request misses a required parameter (FastAPI refuses it before
        run_named): the form, filled with the examples (endpoint/errors.py calls it)."""
        return form_page(request, query, given(request, query), need=True)

    run_named.browser_form = browser_form  # type: ignore[attr-defined]
    run_named.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run_named.__name__ = f"query_{query.name.replace('-', '_')}"
    return run_named


def build_router(catalog: dict[str, NamedQuery], base_iri: str) -> APIRouter:
    router = APIRouter(tags=["named queries"])

    @router.get(
        "/queries", summary="The catalogue of named queries", responses=openapi.QUERY_CATALOGUE
    )
    async def list_queries(request: Request) -> Response:
        items = [describe(q, request) for q in catalog.values()]
        if negotiate(request.headers.get("accept"), (JSON, HTML), fallback=JSON) is HTML:
            return render(request, "queries.html", {"queries": items}, headers={"Vary": "Accept"})
        return JSONResponse({"queries": items}, headers={"Vary": "Accept"})

    @router.get("/queries/{name}.{fmt}", include_in_schema=False)
    async def run_with_suffix(
        name: str, fmt: str, request: Request, engine: EngineDep, settings: SettingsDep
    ) -> Response:
        query = catalog.get(name)
        if query is None:
            raise UnknownResourceError(f"no named query {name!r}", query=name)
        return await execute_named(request, query, fmt, engine, settings)

    for query in catalog.values():
        router.add_api_route(
            f"/queries/{query.name}",
            make_route(query, base_iri),
            methods=["GET"],
            responses=openapi.NAMED_QUERY,
            # the query's own tags as an extension: an operation under several tags makes
            # Swagger UI stop drawing the page once there are many of them
            openapi_extra={"parameters": [openapi.TIMEOUT], "x-qpvkg-tags": list(query.tags)},
            name=f"query-{query.name}",
            summary=query.summary,
            description=(query.description + "\n\n" if query.description else "")
            + f"```sparql\n{query.sparql}\n```",
        )

    @router.get("/queries/{name}", include_in_schema=False)
    async def unknown_query(name: str) -> Response:
        raise UnknownResourceError(
            f"no named query {name!r}; known queries: {', '.join(sorted(catalog))}", query=name
        )

    return router

"""The OpenAPI description (/-/openapi.json): what each operation answers, from one table.

Routes declare ``responses=`` with one of the sets below, made from the media types of
``endpoint.negotiation`` and the one JSON error shape of ``endpoint.errors``; ``install``
makes the description say exactly that (not FastAPI's guesses: a 422 the app never sends,
``null`` for query parameters, which a URL cannot carry).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from endpoint.negotiation import BY_KEY, BY_NAME, FORMAT_PARAMETERS, HTML, RDF, RESULTS, Format
from loaders.contribution.payload import MEDIA_TYPES

ERROR_REF = {"$ref": "#/components/schemas/Error"}

#: The one JSON error shape (``endpoint.errors.error_body``).
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "details"],
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "code": {"type": "string", "examples": ["bad_parameter"]},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}

#: Every error status the server sends, and when.
ERRORS: dict[int, str] = {
    400: "Bad request: a parameter, the query or the body is invalid",
    401: "No valid partner token (Authorization: Bearer ...)",
    403: "The partner may not write this graph",
    404: "Nothing here",
    405: "Method not allowed here (a read replica refuses writes); Allow lists the methods",
    406: "None of the media types in Accept can be produced",
    409: "A concurrent write of the same graph",
    413: "The request body is larger than QPVKG_MAX_BODY_BYTES",
    415: "Unsupported Content-Type",
    416: "The Range cannot be satisfied",
    422: "The data does not conform to the SHACL shapes: the validation report",
    429: "Too many queries of this client at once: retry after Retry-After seconds",
    500: "Internal error (it has been logged)",
    502: "The external SPARQL store failed",
    503: "The query time limit was reached, or the service is not ready",
}
#: Error headers (``endpoint.errors.response_for``).
ERROR_HEADERS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": 'Bearer realm="qpvkg"'},
    405: {"Allow": "The methods of this path"},
    429: {"Retry-After": "Seconds to wait"},
    503: {"Retry-After": "Seconds to wait"},
}

TEXT: dict[str, Any] = {"type": "string"}
JSON_OBJECT: dict[str, Any] = {"type": "object"}
#: SPARQL 1.1 Query Results JSON: a SELECT's bindings or an ASK's boolean.
SPARQL_JSON: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
        "boolean": {"type": "boolean"},
    },
}
JSON_LD: dict[str, Any] = {"type": ["object", "array"]}
#: A GeoJSON FeatureCollection (RFC 7946), as the map layers answer it.
GEOJSON_COLLECTION: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}},
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "json": SPARQL_JSON,
    "jsonld": JSON_LD,
    "geojson": GEOJSON_COLLECTION,
}

PLAIN_TEXT = "text/plain"
JSON = "application/json"


def content(*formats: Format | str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``content`` of a response: formats of ``endpoint.negotiation`` (or their keys) and
    plain media types (``schema`` is that of the plain JSON ones)."""
    out: dict[str, Any] = {}
    for item in formats:
        if isinstance(item, Format):
            out[item.media_type] = {"schema": SCHEMAS.get(item.key, TEXT)}
        elif item in BY_KEY:
            out[BY_KEY[item].media_type] = {"schema": SCHEMAS.get(item, TEXT)}
        elif item == JSON or item.endswith("+json"):
            out[item] = {"schema": schema or JSON_OBJECT}
        else:
            out[item] = {"schema": TEXT}
    return out


def error(status: int) -> dict[str, Any]:
    """An error response: the JSON error shape, or the error page for a browser."""
    response: dict[str, Any] = {
        "description": ERRORS[status],
        "content": {JSON: {"schema": ERROR_REF}, HTML.media_type: {"schema": TEXT}},
    }
    if status in ERROR_HEADERS:
        response["headers"] = {
            name: {"description": text, "schema": TEXT}
            for name, text in ERROR_HEADERS[status].items()
        }
    return response


def answers(
    ok: dict[str, Any],
    *errors: int,
    status: int = 200,
    description: str = "OK",
    more: dict[int | str, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """An operation's responses: ``ok`` (a ``content``) under ``status``, the ``errors``
    (500 always), and ``more`` (304, 206...)."""
    out: dict[int | str, dict[str, Any]] = {status: {"description": description, "content": ok}}
    out.update(more or {})
    for code in sorted({*errors, 500}):
        out[code] = error(code)
    return out


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched the ETag)"}
}
#: What running a query on the engine may answer besides the result.
QUERYING = (400, 429, 502, 503)

SPARQL_GET = answers(
    content(*RESULTS, *RDF, HTML),
    *QUERYING,
    406,
    description="Query results (SELECT, ASK), a graph (CONSTRUCT, DESCRIBE), the service "
    "description (no query), or the query page (a browser)",
)
SPARQL_POST = answers(
    content(*RESULTS, *RDF), *QUERYING, 406, 413, 415, description="Query results or a graph"
)
NAMED_QUERY = answers(content(*RESULTS, HTML), *QUERYING, 406, description="The results")
QUERY_CATALOGUE = answers(content(JSON, HTML))
JSON_OR_PAGE = answers(content(JSON, HTML), *QUERYING)
LIST = answers(content(JSON, HTML, "text/csv"), *QUERYING, 406, description="A page of the list")
RESOURCE = answers(
    content(HTML, "ttl", "jsonld", "rdf", "nt"), *QUERYING, 404, 406, more=NOT_MODIFIED
)
GRAPH = answers(
    content(HTML, *RDF), *QUERYING, 404, 406, more=NOT_MODIFIED, description="The graph"
)
CONTEXT = answers(content("application/ld+json", schema=JSON_OBJECT), 404, more=NOT_MODIFIED)
#: The publication (dumps, VoID, catalogue) may not be made yet: 503.
DESCRIPTION = answers(
    content("ttl", "rdf", "jsonld", "nt", PLAIN_TEXT), 406, 503, more=NOT_MODIFIED
)  # a browser gets the Turtle as text/plain
CATALOG = answers(
    content("ttl", "rdf", "jsonld", "nt", HTML), 406, 503, more=NOT_MODIFIED
)  # a browser gets a page of the datasets
DUMP_LIST = answers(content(JSON, HTML), 503)
CHECKSUMS = answers(content(PLAIN_TEXT), 503)
DUMP = answers(
    content("application/gzip"),
    404,
    416,
    503,
    more={
        206: {"description": "Part of the dump (Range)", "content": content("application/gzip")},
        **NOT_MODIFIED,
    },
)
HEALTH = answers(content(JSON), more={503: {"description": "Not ready", "content": content(JSON)}})
VERSION = answers(content(JSON))
METRICS = answers(content(PLAIN_TEXT))
STORE_READ = answers(content(*RDF), 400, 404, 406, description="The graph's triples")
_WRITE_ERRORS = (400, 401, 403, 404, 405, 409, 413, 415, 503)
#: SHACL's report: in the JSON error shape, as JSON-LD, or as text (fr, en).
_INVALID = {
    **error(422),
    "content": {
        JSON: {"schema": ERROR_REF},
        "application/ld+json": {"schema": JSON_LD},
        PLAIN_TEXT: {"schema": TEXT},
    },
}
STORE_WRITE = answers(
    content(JSON),
    *_WRITE_ERRORS,
    description="Written: the new version",
    more={201: {"description": "Created: the first version", "content": content(JSON)}},
)
STORE_WRITE[422] = _INVALID
STORE_DELETE = answers(
    content(JSON), *(s for s in _WRITE_ERRORS if s not in (413, 415)), description="Withdrawn"
)
#: Writes need a partner's token (``loaders.partners``).
SECURITY_SCHEMES = {
    "partnerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A partner's token (qpvkg partner add): Authorization: Bearer qpvkg_...",
    }
}
TOKEN: dict[str, Any] = {"security": [{"partnerToken": []}]}
STORE_LOG = answers(content(JSON), 400, 404)
#: The body of a write: RDF (``loaders.contribution.payload``'s media types).
STORE_BODY: dict[str, Any] = {
    **TOKEN,
    "requestBody": {
        "required": True,
        "content": {media: {"schema": TEXT} for media in MEDIA_TYPES},
    },
}

# ------------------------------------------------------------------------ parameters

#: ``format`` of the pages that are also JSON (empty: not given).
PAGE_FORMAT: dict[str, Any] = {"enum": ["json", "html", ""]}

#: The short format names of the SPARQL protocol (``negotiation.BY_NAME``; media types are
#: understood too, and a name it does not know falls back to content negotiation).
SPARQL_FORMATS = tuple(sorted(name for name in BY_NAME if "/" not in name))
TIMEOUT: dict[str, Any] = {
    "name": "timeout",
    "in": "query",
    "required": False,
    "description": "Seconds: may lower the server's time limit",
    "schema": {"type": "number", "exclusiveMinimum": 0},
}


#: An IRI, or a path under the base (``/id/...``), of characters no IRI parser refuses.
_HOST = r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?"
_PATH = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*"
IRI = f"^{_HOST}/{_PATH}$"
IRI_OR_PATH = f"^(?:{_HOST})?/{_PATH}$"
#: The same, or empty (not given).
IRI_OR_PATH_OR_EMPTY = f"^$|{IRI_OR_PATH}"
#: A partner graph: ``{base}graph/partner/NAME/SLUG`` (``loaders.partners``).
PARTNER_GRAPH = (
    f"^{_HOST}/(?:[A-Za-z0-9._~-]+/)*"
    r"graph/partner/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?/[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$"
)

_GRAPHS: dict[str, Any] = {"type": "array", "items": {"type": "string", "pattern": IRI}}
SPARQL_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "A SPARQL 1.1 query (absent: the service description or the page)",
        "schema": {"type": "string", "minLength": 1},
        "examples": {"ask": {"value": "ASK { ?s ?p ?o }"}},
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": _GRAPHS,
        "explode": True,
    },
    {"name": "named-graph-uri", "in": "query", "required": False, "schema": _GRAPHS},
    *(
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"A format name ({', '.join(SPARQL_FORMATS)}) or a media type; "
            "one the server does not know falls back to content negotiation (Accept)",
            "schema": {"type": "string"},
        }
        for name in FORMAT_PARAMETERS
    ),
    TIMEOUT,
]
_FORM_FIELDS = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "minLength": 1},
        "default-graph-uri": _GRAPHS,
        "named-graph-uri": _GRAPHS,
        **{name: {"type": "string"} for name in FORMAT_PARAMETERS},
        "timeout": TIMEOUT["schema"],
    },
}
SPARQL_POST_EXTRA: dict[str, Any] = {
    "parameters": [p for p in SPARQL_PARAMETERS if p["name"] != "query"],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": _FORM_FIELDS},
            "application/sparql-query": {"schema": {"type": "string", "minLength": 1}},
        },
    },
}
SPARQL_GET_EXTRA: dict[str, Any] = {"parameters": SPARQL_PARAMETERS}

NOTATION = r"[A-Za-z0-9][A-Za-z0-9._-]*"


def query_parameter(
    kind: str,
    *,
    required: bool,
    pattern: str | None,
    enum: Iterable[str] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """The schema of a named query's parameter as ``loaders.params`` reads it (an empty value
    of an optional one is not given); ``prefix`` is a concept's scheme IRI."""
    empty = [] if required else [""]
    if enum:
        return {"enum": [*enum, *empty]}
    if pattern is None:
        pattern = {
            "iri": IRI[1:-1],
            "concept": f"{NOTATION}|{re.escape(prefix)}{_PATH}",
            "integer": r"[+-]?[0-9]+",
            "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
            "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
        }.get(kind)
    if pattern is None:
        return {} if empty else {"minLength": 1}
    return {"pattern": f"^(?:{pattern})$" + ("|^$" if empty else "")}


# ------------------------------------------------------------------------ the description


def _declared(route: RouteContext) -> dict[str, Any]:
    return {
        str(status): {"description": r.get("description", ""), **r}
        for status, r in route.responses.items()
    }


def _no_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without FastAPI's ``null`` alternative (absent is not given;
    a URL has no null)."""
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if "anyOf" in schema and len(options) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**options[0], **rest}
    return schema


def describe(app: FastAPI) -> dict[str, Any]:
    """The description of ``app``: FastAPI's, with each operation's responses exactly those
    its route declares and the parameters as the code reads them."""
    with warnings.catch_warnings():
        # a GET and HEAD route gets one id for both: made unique below
        warnings.filterwarnings("ignore", "Duplicate Operation ID")
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
    paths = document.get("paths", {})
    seen: set[str] = set()
    for item in paths.values():
        for method, operation in item.items():
            if operation.get("operationId") in seen:
                operation["operationId"] += f"_{method}"
            seen.add(operation.get("operationId"))
            if "tags" in operation:  # a router's tag and a route's same tag, listed once
                operation["tags"] = list(dict.fromkeys(operation["tags"]))
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        path = paths.get(route.path_format, {})
        for method in route.methods or ():
            operation = path.get(method.lower())
            if operation is None:
                continue
            if route.responses:
                operation["responses"] = _declared(route)
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    parameter["schema"] = _no_null(parameter["schema"])
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    return document


def install(app: FastAPI) -> None:
    """Serve ``describe(app)`` at the app's openapi_url (made once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

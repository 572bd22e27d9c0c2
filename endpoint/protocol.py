"""The SPARQL 1.1 Query Protocol's requests, read without a web framework (shared by the
/sparql route and its fast path)."""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import ClientDisconnect
from starlette.types import Receive

from endpoint.negotiation import BY_KEY, FORMAT_PARAMETERS, format_accept
from endpoint.worker import Answer, Job
from loaders.errors import (
    BadInputError,
    PayloadTooLargeError,
    QueryRefusedError,
    UnsupportedMediaTypeError,
)
from loaders.settings import Settings
from loaders.sparqltext import check_query, may_call_service

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


def decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"the {what} is not valid UTF-8 (byte {exc.start})") from None


def parse_form(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadInputError("a form value is not valid UTF-8 once percent-decoded") from None
    except ValueError as exc:
        raise BadInputError(f"the form body is malformed: {exc}") from None


def too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the request body is larger than {limit} bytes (QPVKG_MAX_BODY_BYTES)", limit=limit
    )


async def read_body(receive: Receive, limit: int, declared: str | None = None) -> bytes:
    """A request's body (the /sparql route and fast path, the Graph Store Protocol), refused
    with 413 past ``limit`` bytes, declared by Content-Length or streamed; ClientDisconnect
    if the client goes away before its end, so that a partial body is never acted on."""
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        body += message.get("body", b"")
        if len(body) > limit:
            raise too_large(limit)
        if not message.get("more_body", False):
            return bytes(body)


def url_parameters(query_string: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadInputError("a URL parameter is not valid UTF-8 once percent-decoded") from None


def check_content_type(raw_type: str) -> str:
    """The POST body's media type, refused unless the protocol reads it (415, or 400)."""
    content_type = raw_type.split(";")[0].strip().lower()
    charset = next(
        (
            p.split("=", 1)[1].strip().strip('"').lower()
            for p in raw_type.split(";")[1:]
            if p.strip().lower().startswith("charset=")
        ),
        "utf-8",
    )
    if charset not in ("utf-8", "utf8"):
        raise BadInputError(f"the body must be UTF-8 (charset {charset} is not accepted)")
    if content_type == UPDATE:
        raise QueryRefusedError(
            "SPARQL Update is not accepted at /sparql: the endpoint is read-only"
        )
    if content_type in (FORM, QUERY):
        return content_type
    if not content_type:
        raise UnsupportedMediaTypeError(
            f"a POST to /sparql needs a Content-Type: {FORM} or {QUERY}"
        )
    raise UnsupportedMediaTypeError(
        f"unsupported Content-Type {content_type!r} for /sparql: use {FORM} or {QUERY}"
    )


def body_parameters(
    content_type: str, body: bytes, url: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The protocol's parameters of a POST: the URL's and the body's."""
    if content_type == FORM:
        return url + parse_form(decode(body, "form body"))
    if any(k == "query" for k, _ in url):
        raise BadInputError("the query is given both in the body and in the URL")
    return [*url, ("query", decode(body, "query"))]


def iris(values: list[str], name: str) -> tuple[str, ...]:
    out = []
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise BadInputError(f"{name} {value!r} is not a valid IRI") from None
        out.append(value)
    return tuple(out)


def timeout_parameter(values: list[str]) -> float | None:
    """The ``timeout`` parameter's seconds (/sparql and named queries): a positive, finite
    number; None when absent."""
    if not values:
        return None
    if len(values) > 1:
        raise BadInputError("the timeout parameter is given several times")
    try:
        seconds = float(values[-1])
    except ValueError:
        raise BadInputError(f"timeout {values[-1]!r} is not a number of seconds") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise BadInputError(
            f"timeout must be a positive, finite number of seconds (not {values[-1]!r})"
        )
    return seconds


@dataclass(frozen=True)
class QueryCall:
    """A query request, checked and ready for the engine."""

    job: Job
    timeout_s: float | None


#: the thread that parses texts that may hold SERVICE: off the event loop, one at a time, and
#: apart from the default executor, so that slow parses delay only one another
_CHECKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="service-check")


async def check_text(text: str, settings: Settings) -> None:
    """The one check of a client's query text before it reaches a store (updates and
    SERVICE refused): when the text may hold SERVICE, it is parsed off the event loop."""
    if may_call_service(text):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(_CHECKER, check_query, text, settings.service_allow)
    else:
        check_query(text, settings.service_allow)


async def query_call(
    method: str,
    params: list[tuple[str, str]],
    accept: str | None,
    settings: Settings,
    base_iri: str,
) -> QueryCall | None:
    """The job a request asks for; None when it holds no query (GET without ``query``)."""
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise QueryRefusedError(
            "SPARQL Update is not accepted at /sparql: the endpoint is read-only"
        )
    # read (and refused if wrong) with or without a query; a format name that is not known
    # falls back to content negotiation (format_accept)
    timeout_s = timeout_parameter([v for k, v in params if k == "timeout"])
    defaults = iris([v for k, v in params if k == "default-graph-uri"], "default-graph-uri")
    named = iris([v for k, v in params if k == "named-graph-uri"], "named-graph-uri")
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise BadInputError(f"{len(queries)} query parameters were given: give exactly one")
    if not queries:
        if method == "POST":
            raise BadInputError(
                "no query: give the query parameter (form) or a application/sparql-query body"
            )
        return None
    text = queries[0]
    if not text.strip():
        raise BadInputError("the query is empty")
    await check_text(text, settings)
    job = Job(
        query=text,
        accept=format_accept([v for k, v in params if k in FORMAT_PARAMETERS], accept),
        max_rows=settings.max_rows,
        base_iri=base_iri,
        default_graphs=defaults if defaults or named else None,
        named_graphs=named if defaults or named else None,
    )
    return QueryCall(job, timeout_s)


def answer_headers(answer: Answer, cached: bool) -> dict[str, str]:
    """The response headers of a query answer."""
    fmt = BY_KEY[answer.format_key]
    headers = {
        "Content-Type": fmt.content_type,
        "Vary": "Accept",
        "X-Result-Rows": str(answer.rows),
        "Server-Timing": f"query;dur={answer.eval_ms:.1f}, "
        f"cache;desc={'hit' if cached else 'miss'}",
    }
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
    return headers

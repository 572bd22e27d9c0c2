"""A fast path for query requests to /sparql: plain ASGI, no routing or dependency injection.

Query requests are the hot path of the server (portals and dashboards repeat them), so
they are read and answered here with the same protocol code as the /sparql route
(endpoint.protocol). Everything else (the query page, the service description, the other
routes) goes on to the application.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlunsplit

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from endpoint.engine import QueryEngine
from endpoint.errors import response_for, unexpected_response
from endpoint.negotiation import prefers_html
from endpoint.protocol import (
    QueryCall,
    answer_headers,
    body_parameters,
    check_content_type,
    query_call,
    read_body,
    url_parameters,
)
from loaders.errors import QpvkgError
from loaders.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
MEMO_SIZE = 4096
#: set in the scope of a request whose client went away before its answer (none was sent)
DISCONNECTED = "qpvkg.disconnected"


def takes(scope: Scope) -> bool:
    """True for a query request to /sparql (a GET with a query that is not a browser's, or a
    POST): the query page, the service description and every other request go to the app."""
    if scope["type"] != "http" or scope["path"] != "/sparql":
        return False
    if scope["method"] == "POST":
        return True
    if scope["method"] != "GET" or b"query=" not in scope["query_string"]:
        return False
    accept = None
    for name, value in scope["headers"]:  # the last one, as the route reads it
        if name == b"accept":
            accept = value.decode("latin-1")
    return not prefers_html(accept)


class SparqlFastPath:
    """ASGI app answering the query requests :func:`takes` to /sparql directly. The app's
    access log and metrics, CORS and error mapping wrap it as they wrap the other routes
    (endpoint/app.py, endpoint/errors.py)."""

    def __init__(self, engine: QueryEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        # the checked call of each recent GET, by its raw request: a repeated request (the
        # common case of portals and dashboards) skips parsing and goes to the result cache;
        # kept only while that cache is on, which answers such requests
        self.calls: dict[tuple[bytes, str | None, str, str], QueryCall] | None = (
            {} if settings.cache_mb > 0 else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        accept = headers.get("accept")
        query_string = scope["query_string"].decode("latin-1")
        status, body, out = await self.answer(
            Incoming(scope, receive, headers, accept, query_string)
        )
        if status == 499:
            scope[DISCONNECTED] = True  # for the access log: nothing was sent
            return
        out["Content-Length"] = str(len(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in out.items()
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def answer(self, request: Incoming) -> tuple[int, bytes, dict[str, str]]:
        try:
            call = await self.checked_call(request)
            hit = self.engine.cached(call.job)
            if hit is not None:  # no worker, so no client to watch
                return 200, hit.body, answer_headers(hit, True)
            result = await run_unless_disconnected(
                self.engine.run(call.job, call.timeout_s, looked_up=True), request.receive
            )
            if result is None:
                return 499, b"", {}  # the client went away; its query was stopped
            answer, cached = result
            return 200, answer.body, answer_headers(answer, cached)
        except ClientDisconnect:
            return 499, b"", {}  # gone before its request's end
        except QpvkgError as exc:
            return parts(response_for(None, exc), Vary="Accept")
        except Exception:
            log.exception("unexpected error on %s /sparql", request.scope["method"])
            return parts(unexpected_response(None))

    async def checked_call(self, request: Incoming) -> QueryCall:
        """The checked query call of a request (its body read for a POST); a repeated GET's
        is remembered while the result cache is on."""
        scope, headers = request.scope, request.headers
        host = headers.get("host", "localhost")
        scheme = scope.get("scheme", "http")
        key = None
        if scope["method"] == "GET" and self.calls is not None:
            key = (scope["query_string"], request.accept, host, scheme)
            known = self.calls.get(key)
            if known is not None:
                return known
        params = url_parameters(request.query_string)
        if scope["method"] == "POST":
            content_type = check_content_type(headers.get("content-type", ""))
            declared = headers.get("content-length")
            limit = self.settings.max_body_bytes
            body = await read_body(request.receive, limit, declared)
            params = body_parameters(content_type, body, params)
        base = urlunsplit((scheme, host, scope["path"], "", ""))
        call = await query_call(scope["method"], params, request.accept, self.settings, base)
        if call is None:  # a POST without a query raises; a GET has one (checked upstream)
            raise AssertionError("unreachable")
        if key is not None and self.calls is not None:
            if len(self.calls) >= MEMO_SIZE:
                self.calls.clear()
            self.calls[key] = call
        return call


def parts(response: Response, **extra: str) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of an error response of endpoint/errors.py."""
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return response.status_code, bytes(response.body), {**headers, **extra}


@dataclass(frozen=True)
class Incoming:
    """What the fast path reads of a query request."""

    scope: Scope
    receive: Receive
    headers: dict[str, str]
    accept: str | None
    query_string: str


async def run_unless_disconnected(
    work: Awaitable[T], receive: Receive, after_s: float = 0.05
) -> T | None:
    """Await ``work``, cancelling it (and so stopping its query) if the client disconnects.

    Most queries are answered within milliseconds: the client is watched only once a query
    has run for ``after_s``."""
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    assert current is not None
    watch: asyncio.Task[None] | None = None
    gone = False

    async def watch_client() -> None:
        nonlocal gone
        await _disconnected(receive)
        gone = True
        current.cancel()

    def start_watch() -> None:
        nonlocal watch
        watch = loop.create_task(watch_client())

    handle = loop.call_later(after_s, start_watch)
    try:
        return await work
    except asyncio.CancelledError:
        if not gone:
            raise
        current.uncancel()
        return None
    finally:
        handle.cancel()
        if watch is not None:
            watch.cancel()


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return

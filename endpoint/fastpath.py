"""A fast path for query requests to /sparql: plain ASGI, no routing or dependency injection.

Query requests are the hot path of the server (portals and dashboards repeat them), so
they are read and answered here with the same protocol code as the /sparql route
(endpoint.protocol). Everything else (the query page, the service description, the other
routes) goes on to the application.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from endpoint.engine import QueryEngine
from endpoint.errors import error_body, status_of
from endpoint.negotiation import prefers_html
from endpoint.protocol import (
    QueryCall,
    answer_headers,
    body_parameters,
    check_content_type,
    query_call,
    too_large,
    url_parameters,
)
from loaders.errors import QpvkgError
from loaders.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
access_log = logging.getLogger("qpvkg.access")
MEMO_SIZE = 4096


class SparqlFastPath:
    """ASGI middleware answering GET/POST query requests to /sparql directly."""

    def __init__(
        self, app: ASGIApp, engine: QueryEngine, settings: Settings, metrics: dict[str, Any]
    ) -> None:
        self.app = app
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.any_origin = "*" in settings.cors_origins
        # the checked call of each recent GET, by its raw request: a repeated request (the
        # common case of portals and dashboards) skips parsing and goes to the result cache;
        # kept only while that cache is on, which answers such requests
        self.calls: dict[tuple[bytes, str | None, str, str], QueryCall] | None = (
            {} if settings.cache_mb > 0 else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        accept = headers.get("accept")
        query_string = scope["query_string"].decode("latin-1")
        if scope["method"] == "GET" and ("query=" not in query_string or prefers_html(accept)):
            await self.app(scope, receive, send)  # query page or service description
            return
        start = time.perf_counter()
        status, body, out = await self.answer(
            Incoming(scope, receive, headers, accept, query_string)
        )
        if status == 499:
            return
        origin = headers.get("origin")
        if origin is not None and (self.any_origin or origin in self.settings.cors_origins):
            out["Access-Control-Allow-Origin"] = "*" if self.any_origin else origin
            out["Access-Control-Expose-Headers"] = (
                "X-Result-Rows, X-Result-Truncated, Server-Timing"
            )
            if not self.any_origin:
                out["Vary"] = "Accept, Origin"
        elapsed = (time.perf_counter() - start) * 1000
        out["Server-Timing"] = (
            f"{out['Server-Timing']}, app;dur={elapsed:.1f}"
            if "Server-Timing" in out
            else f"app;dur={elapsed:.1f}"
        )
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
        key = (scope["method"], "/sparql", status)
        counts = self.metrics.setdefault("requests", {})
        counts[key] = counts.get(key, 0) + 1
        latency = self.metrics.setdefault("latency", [])
        latency.append(elapsed / 1000)
        if len(latency) > 20_000:
            del latency[:10_000]
        if access_log.isEnabledFor(logging.INFO):
            # the same JSON object as the other routes' lines (endpoint.app.AccessLog)
            access_log.info(
                f'{{"method": "{scope["method"]}", "path": "/sparql", "route": "/sparql", '
                f'"status": {status}, "ms": {round(elapsed, 2)}}}'
            )

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
        except QpvkgError as exc:
            status = status_of(exc)
            details = {k: v for k, v in exc.details.items() if k != "report"}
            out = {"Content-Type": "application/json", "Vary": "Accept"}
            if status in (429, 503):
                out["Retry-After"] = str(exc.details.get("retry_after_s", 1))
            return (
                status,
                json.dumps(error_body(status, exc.code, exc.message, details)).encode(),
                out,
            )
        except Exception:
            log.exception("unexpected error on %s /sparql", request.scope["method"])
            body = json.dumps(
                error_body(500, "internal_error", "internal server error (it has been logged)")
            ).encode()
            return 500, body, {"Content-Type": "application/json"}

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
            if declared and declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
            body = await read_body(request.receive, limit)
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


async def read_body(receive: Receive, limit: int) -> bytes:
    body = bytearray()
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if len(body) > limit:
            raise too_large(limit)
        if not message.get("more_body", False):
            break
    return bytes(body)

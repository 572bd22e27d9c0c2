"""The application factory: ``create_app(settings)`` builds the HTTP server over the store."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from endpoint import errors, fastpath, formats, openapi
from endpoint.assets import Assets
from endpoint.engine import CLIENT, ClientRequest, QueryEngine
from loaders import __version__
from loaders.namedqueries import load_named_queries
from loaders.settings import Settings

log = logging.getLogger(__name__)
access_log = logging.getLogger("qpvkg.access")
HERE = Path(__file__).parent


class AccessLog:
    """One structured log line per request (route, status, milliseconds) and Server-Timing."""

    def __init__(self, app: ASGIApp, metrics: dict[str, Any]) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                elapsed = (time.perf_counter() - start) * 1000
                headers = list(message.get("headers", []))
                timing = f"app;dur={elapsed:.1f}".encode()
                for i, (name, value) in enumerate(headers):
                    if name.lower() == b"server-timing":
                        headers[i] = (name, value + b", " + timing)
                        break
                else:
                    headers.append((b"server-timing", timing))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if scope.get(fastpath.DISCONNECTED):
                status = 499  # a query stopped because its client went away
            elapsed = (time.perf_counter() - start) * 1000
            route = scope.get("route")
            path = getattr(route, "path", None) or scope["path"]
            key = (scope["method"], path, status)
            counts = self.metrics.setdefault("requests", {})
            counts[key] = counts.get(key, 0) + 1
            hist = self.metrics.setdefault("latency", [])
            hist.append(elapsed / 1000)
            if len(hist) > 20_000:
                del hist[:10_000]
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    json.dumps(
                        {
                            "method": scope["method"],
                            "path": scope["path"],
                            "route": path,
                            "status": status,
                            "ms": round(elapsed, 2),
                        }
                    )
                )


#: The Content-Security-Policy of every HTML page: scripts, styles, images, fonts and
#: connections come from this server only (no inline script, no inline event handler, no
#: javascript: URL), no plugin, no framing, no <base> or form target elsewhere.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
).encode()
#: The query page's result table (YASR's column resizer) adds a <style> element of its own, which
#: it needs to hide its drag handles: there only, styles may also be inline (scripts never are).
CSP_QUERY_PAGE = CSP.replace(b"style-src 'self'", b"style-src 'self' 'unsafe-inline'")
#: The API documentation's stylesheet (Swagger UI's) draws its icons (a select's arrow, a
#: model's chevron, a checkbox's tick) as data: images: there only, images may also be data:
#: URLs, which hold no script and reach no host (scripts stay this server's files).
CSP_DOCS_PAGE = CSP.replace(b"img-src 'self'", b"img-src 'self' data:")
#: The pages whose policy differs from CSP, by path.
CSP_BY_PATH = {"/sparql": CSP_QUERY_PAGE, "/-/docs": CSP_DOCS_PAGE}


class ContentSecurityPolicy:
    """Adds the Content-Security-Policy header to every HTML response: the one place."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        policy = CSP_BY_PATH.get(scope["path"], CSP)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                ):
                    headers.append((b"content-security-policy", policy))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


class QpvkgApp(FastAPI):
    """FastAPI, with query requests to /sparql answered before its middleware stack."""

    fast_path: ASGIApp | None = None

    def build_middleware_stack(self) -> ASGIApp:
        # the policy wraps the whole stack, error handling included: the 500 page carries it
        return ContentSecurityPolicy(super().build_middleware_stack())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            CLIENT.set(ClientRequest(client[0]) if client else None)
        if self.fast_path is not None and fastpath.takes(scope):
            await self.fast_path(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    """The qpvkg HTTP application over the store of ``settings`` (nothing happens at import)."""
    engine = QueryEngine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.qpv_index_lock = asyncio.Lock()  # of this server's event loop
        await engine.start()
        app.state.publisher.request()  # dumps, VoID, catalogue, if the store is newer
        engine.on_switch.append(app.state.publisher.request)  # a replica's new generation
        # what exists now lives as long as the server: keep it out of the collector's scans
        # (long collections of the oldest generation were the slowest requests under load)
        gc.freeze()
        warming = None
        if settings.warm_pages:  # the pages' models, built before anyone asks
            from endpoint.warmup import warm

            warming = asyncio.create_task(warm(app, engine, settings))
        try:
            yield
        finally:
            if warming is not None:
                warming.cancel()
            gc.unfreeze()
            await app.state.publisher.stop()
            await engine.stop()

    app = QpvkgApp(
        title="qpvkg",
        version=__version__,
        description=(
            "Linked open data on innovation in France's quartiers prioritaires (QPV): "
            "SPARQL endpoint, named queries, linked-data pages."
        ),
        lifespan=lifespan,
        docs_url=None,  # /-/docs is a page of the site (endpoint/routes/system.py)
        redoc_url=None,
        openapi_url="/-/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.named_queries = load_named_queries(settings)
    app.state.metrics = {}
    # what is kept for a store generation, filled on first use: the pages' models and the
    # search's labels (endpoint/pagecache.py), the vocabulary's labels (endpoint/lookup.py),
    # the QPV contours' index (routes/location.py); the parsed shapes (routes/store.py)
    app.state.page_models = {}
    app.state.vocabulary_labels = None
    app.state.qpv_index = None
    app.state.qpv_index_lock = None
    app.state.validator = None
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, base_iri=settings.base_iri)
    formats.install(templates.env)  # |size, |date, |literal
    app.state.templates = templates

    errors.install(app)

    from endpoint.routes import publication, queries, sparql, store, system

    app.include_router(system.router)
    app.include_router(sparql.router)
    app.include_router(store.router)
    app.include_router(publication.router)
    app.state.publisher = publication.Publisher(engine, settings)
    app.include_router(queries.build_router(app.state.named_queries, settings.base_iri))

    from endpoint import jsonldcontext, listdefs
    from endpoint.routes import about, geo, home, lists, location, pages, resources
    from loaders.namedqueries import internal_query

    templates.env.globals.update(
        sparql_prefixes=jsonldcontext.prefixes(settings),
        sparql_start=internal_query(settings, "editor-start"),
        sparql_start_en=internal_query(settings, "editor-start-en"),
    )
    app.include_router(home.router)
    app.include_router(about.router)
    app.state.lists = listdefs.load_lists(settings)
    app.include_router(lists.build_router(app.state.lists))
    app.include_router(pages.install(app))  # before resources: /def, /shapes, /concept/x pages
    app.include_router(location.router)
    app.include_router(geo.router)
    app.include_router(resources.router)
    app.mount("/static", Assets(directory=str(HERE / "static")), name="static")
    openapi.install(app)

    cors: dict[str, Any] = {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
        "allow_headers": ["Accept", "Content-Type", "If-None-Match", "If-Modified-Since"],
        "expose_headers": ["X-Result-Rows", "X-Result-Truncated", "Server-Timing", "ETag"],
    }
    app.add_middleware(CORSMiddleware, **cors)
    # HTML, JSON, RDF, scripts and styles over 1 kB are sent gzip-compressed to clients that
    # accept it (the dumps, gzip files already, are not compressed again)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(AccessLog, metrics=app.state.metrics)
    # query requests to /sparql skip the framework's routing and dependencies (see QpvkgApp),
    # not its access log, metrics, CORS or error mapping
    if settings.fast_path:
        app.fast_path = AccessLog(
            CORSMiddleware(fastpath.SparqlFastPath(engine, settings), **cors),
            metrics=app.state.metrics,
        )
    return app

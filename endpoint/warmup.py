"""The pages whose first request builds a model from several queries (the home page, the
ontology, the shapes, each typology) are asked for once in the background when the server
starts (setting ``warm_pages``, on under ``qpvkg serve``), so that a person's first request is
answered from the model kept for the store generation, as every later one is."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pyoxigraph as ox
from starlette.types import ASGIApp, Message

from endpoint.engine import QueryEngine
from endpoint.iris import local_href
from endpoint.lookup import select
from loaders.settings import Settings

log = logging.getLogger(__name__)
PAGES = ("/", "/ontology", "/shapes")
START_DELAY_S = 2.0
PAUSE_S = 0.2


async def pages_to_warm(engine: QueryEngine, settings: Settings) -> list[str]:
    """The home page, the ontology, the shapes, and the page of each concept scheme."""
    rows = await select(engine, settings, "concept-schemes")
    schemes = sorted(
        {
            href
            for row in rows
            if isinstance(scheme := row.get("scheme"), ox.NamedNode)
            and (href := local_href(scheme.value, settings.base_iri))
        }
    )
    return [*PAGES, *schemes]


async def ask(app: ASGIApp, path: str) -> int:
    """One GET of a page, in the app itself (no socket, no client library): its status."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
        "client": ("127.0.0.1", 0),
        "server": ("localhost", 80),
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def warm(app: ASGIApp, engine: QueryEngine, settings: Settings) -> None:
    """Ask for each page once: its model is then kept for the store generation."""
    await asyncio.sleep(START_DELAY_S)  # the server answers its first requests first
    start = time.perf_counter()
    paths = await pages_to_warm(engine, settings)
    for path in paths:
        try:
            status = await ask(app, path)
        except Exception:
            log.exception("warming %s failed", path)
            continue
        if status != 200:
            log.warning("warming %s: %s", path, status)
        await asyncio.sleep(PAUSE_S)  # room for the requests that arrive meanwhile
    log.info("warmed %d pages in %.1f s", len(paths), time.perf_counter() - start)

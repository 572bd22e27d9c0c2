"""The pages whose first request builds a model from several queries (the home page, the
ontology, the shapes, each typology) are asked for once in the background when the server
starts (setting ``warm_pages``, on under ``qpvkg serve``), so that a person's first request is
answered from the model kept for the store generation, as every later one is."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pyoxigraph as ox
from starlette.types import ASGIApp

from endpoint import linkeddata as ld
from endpoint.engine import QueryEngine
from endpoint.routes.resources import select
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
            and (href := ld.local_href(scheme.value, settings.base_iri))
        }
    )
    return [*PAGES, *schemes]


async def warm(app: ASGIApp, engine: QueryEngine, settings: Settings) -> None:
    """Ask for each page once, in the app itself (no socket): its model is then kept."""
    await asyncio.sleep(START_DELAY_S)  # the server answers its first requests first
    start = time.perf_counter()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        paths = await pages_to_warm(engine, settings)
        for path in paths:
            try:
                response = await client.get(path, headers={"accept": "text/html"})
            except Exception:
                log.exception("warming %s failed", path)
                continue
            if response.status_code != 200:
                log.warning("warming %s: %s", path, response.status_code)
            await asyncio.sleep(PAUSE_S)  # room for the requests that arrive meanwhile
    log.info("warmed %d pages in %.1f s", len(paths), time.perf_counter() - start)

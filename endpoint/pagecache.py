"""The page models' cache: each built once for the store generation, a bounded number kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from endpoint.engine import QueryEngine

#: Page models kept per store generation.
CACHED = 512


async def cached(
    request: Request, engine: QueryEngine, key: str, build: Callable[[], Awaitable[Any]]
) -> Any:
    """A page's model, built once for the store generation (at most CACHED models are kept:
    /network and /map take any IRI)."""
    generation = engine.generation.id if engine.generation else ""
    cache: dict[tuple[str, str], Any] = request.app.state.page_models
    if (generation, key) not in cache:
        value = await build()
        for old in [k for k in cache if k[0] != generation]:
            del cache[old]
        if len(cache) >= CACHED:
            cache.clear()
        cache[(generation, key)] = value
    return cache[(generation, key)]

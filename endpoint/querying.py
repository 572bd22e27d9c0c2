"""A client's SPARQL query run through the engine (checked first), and its answer as a response."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from endpoint.engine import QueryEngine
from endpoint.protocol import answer_headers, check_text
from endpoint.worker import Answer, Job
from loaders.settings import Settings


def answer_response(answer: Answer, cached: bool, *, head: bool = False) -> Response:
    headers = answer_headers(answer, cached)
    media_type = headers.pop("Content-Type")
    return Response(b"" if head else answer.body, media_type=media_type, headers=headers)


async def run_query(
    engine: QueryEngine, settings: Settings, text: str, accept: str | None, **kwargs: Any
) -> tuple[Answer, bool]:
    await check_text(text, settings)
    timeout = kwargs.pop("timeout_s", None)
    job = Job(query=text, accept=accept, max_rows=settings.max_rows, **kwargs)
    return await engine.run(job, timeout)

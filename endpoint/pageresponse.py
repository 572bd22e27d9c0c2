"""What a page request asks for (HTML or JSON, an actor) and the page sent back: rendered with
the store generation's validators, 304 when the client's copy is current, empty for HEAD."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from endpoint.deps import render
from endpoint.engine import QueryEngine
from endpoint.iris import GRAPH_KEYS, resource_formats, valid_iri
from endpoint.negotiation import HTML, JSON, negotiate
from endpoint.representation import revalidated, validators
from loaders.errors import BadInputError
from loaders.settings import Settings


def page_headers(engine: QueryEngine) -> dict[str, str]:
    headers = validators(engine, HTML)
    headers["Vary"] = "Accept"
    return headers


def page(request: Request, engine: QueryEngine, name: str, context: dict[str, Any]) -> Response:
    headers = page_headers(engine)
    if (cached_response := revalidated(request, engine, headers)) is not None:
        return cached_response
    if request.method == "HEAD":
        return Response(b"", media_type=HTML.content_type, headers=headers)
    return render(request, name, context, headers=headers)


def wants_html(request: Request, suffix: str | None) -> bool:
    """A page (a suffix ``.html``, or a browser), rather than RDF (the suffix is checked)."""
    offered = resource_formats(GRAPH_KEYS)
    accept = request.headers.get("accept")
    return negotiate(accept, offered, given=suffix, fallback=offered[0]) is HTML


def wants_json(request: Request, format: str | None) -> bool:
    """JSON (``format=json``, or any client but a browser), rather than a page."""
    accept = request.headers.get("accept")
    return negotiate(accept, (JSON, HTML), given=format or None, fallback=JSON) is JSON


def actor_iri(value: str, settings: Settings) -> str:
    """An actor given by IRI or by local path (/id/organisation/x)."""
    iri = value.strip()
    if iri.startswith("/"):
        iri = settings.base_iri + iri[1:]
    if not valid_iri(iri) or not iri.startswith(("http://", "https://")):
        raise BadInputError(f"actor {value!r} is not an IRI")
    return iri


def last_update(engine: QueryEngine) -> str | None:
    generation = engine.generation
    if generation is None:
        return None
    return str(generation.last_modified.isoformat(timespec="seconds"))

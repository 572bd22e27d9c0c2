"""Dependencies of the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from endpoint.engine import QueryEngine
from loaders.errors import ServiceUnavailableError
from loaders.settings import Settings
from loaders.store import GraphStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> QueryEngine:
    engine: QueryEngine = request.app.state.engine
    return engine


def open_store(engine: QueryEngine) -> GraphStore:
    """The engine's store, for the routes that read or write it directly: 503 (a service not
    available yet, not a missing resource) while it is not open."""
    if engine.store is None:
        raise ServiceUnavailableError("the store is not open")
    return engine.store


def get_store(request: Request) -> GraphStore:
    return open_store(get_engine(request))


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


def render(
    request: Request,
    name: str,
    context: dict[str, object],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """An HTML page from a template of endpoint/templates/."""
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )
    return response

"""The pages a French public service publishes about itself: contact, legal notices
(mentions légales) and the accessibility statement (déclaration d'accessibilité, RGAA)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from endpoint.deps import SettingsDep, render
from loaders import __version__
from loaders.settings import Settings

router = APIRouter(tags=["about"])

#: The pages, by path: their template (the footer links each of them).
PAGES = {
    "/contact": "about-contact.html",
    "/mentions-legales": "about-legal.html",
    "/accessibilite": "about-accessibility.html",
}


def contact_of(settings: Settings) -> dict[str, Any]:
    """Who publishes the service and where to write, as the settings state them (nothing is
    made up: an empty setting is said to be empty)."""
    email = settings.contact_email.strip()
    url = settings.contact_url.strip()
    url = url if url.startswith(("https://", "http://")) else ""  # never a javascript: link
    return {
        "name": settings.contact_name.strip(),
        "email": email,
        "url": url,
        "any": bool(email or url),
    }


def page(request: Request, settings: Settings, path: str) -> Response:
    context: dict[str, object] = {"contact": contact_of(settings), "software_version": __version__}
    return render(request, PAGES[path], context)


@router.get("/contact", include_in_schema=False)
async def contact(request: Request, settings: SettingsDep) -> Response:
    return page(request, settings, "/contact")


@router.get("/mentions-legales", include_in_schema=False)
async def legal(request: Request, settings: SettingsDep) -> Response:
    return page(request, settings, "/mentions-legales")


@router.get("/accessibilite", include_in_schema=False)
async def accessibility(request: Request, settings: SettingsDep) -> Response:
    return page(request, settings, "/accessibilite")

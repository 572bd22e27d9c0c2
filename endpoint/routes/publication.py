"""What open-data portals harvest: the DCAT-AP catalogue, the VoID description, the dumps.

All of it is made by ``loaders.publication`` (after a build, and in the background after each
accepted contribution) and served here from files, at its final URLs, with no redirect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as UrlPath
from starlette.responses import (
    FileResponse,
    JSONResponse,
    MalformedRangeHeader,
    PlainTextResponse,
    RangeNotSatisfiable,
    Response,
)

from endpoint import openapi
from endpoint.catalogpage import ETALAB, catalogue_of
from endpoint.catalogpage import read as read_description
from endpoint.deps import SettingsDep, render
from endpoint.engine import QueryEngine
from endpoint.httpcache import http_date
from endpoint.i18n import DEFAULT
from endpoint.negotiation import BY_KEY, HTML, JSON, Format, negotiate
from loaders.errors import (
    RangeNotSatisfiableError,
    ServiceUnavailableError,
    UnknownResourceError,
)
from loaders.publication.descriptions import DESCRIPTION_FORMATS, public_url
from loaders.publication.dumps import DUMPS, PublicationCancelledError
from loaders.publication.publish import current, publish
from loaders.replica import ship_publication
from loaders.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["open data"])

DESCRIPTIONS: tuple[Format, ...] = tuple(BY_KEY[syntax.key] for syntax in DESCRIPTION_FORMATS)
DUMP_FILES = {name for name, *_ in DUMPS}


class Publisher:
    """Publishes again in the background when the data changes: one run at a time, and one
    more if a change arrived during it."""

    def __init__(self, engine: QueryEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.task: asyncio.Task[None] | None = None
        self.dirty = False
        self.stopping = threading.Event()  # read by the publishing thread between steps

    def request(self) -> None:
        if self.stopping.is_set():
            return
        if self.task is not None and not self.task.done():
            self.dirty = True
            return
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.dirty = False
            store = self.engine.store
            if store is None:
                return
            try:
                made = await asyncio.to_thread(
                    publish, store, self.settings, cancelled=self.stopping.is_set
                )
                if made is not None:
                    log.info("published generation %s in %.1f s", made.generation, made.seconds)
                # the writer ships its publication to its read replicas (if it has any)
                await asyncio.to_thread(ship_publication, self.settings)
            except PublicationCancelledError:
                log.info("publication dropped: the server is stopping")
                return
            except Exception:
                log.exception("publishing the dumps, VoID and catalogue failed")
            if not self.dirty or self.stopping.is_set():
                return

    async def stop(self) -> None:
        """Drop the publication under way (at its next step) and wait for its thread."""
        self.stopping.set()
        if self.task is not None:
            await self.task


def folder_of(settings: Settings) -> Path:
    folder = current(settings)
    if folder is None:
        raise ServiceUnavailableError(
            "the dumps, VoID and catalogue are being published; try again in a minute"
        )
    return folder


def manifest_of(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "publication.json").read_text(encoding="utf-8"))
    return data


def modified_at(manifest: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(manifest["modified"]).replace("Z", "+00:00"))


def description(request: Request, settings: Settings, name: str, key: str | None) -> Response:
    folder = folder_of(settings)
    accept = request.headers.get("accept")
    fmt = negotiate(accept, (*DESCRIPTIONS, HTML), given=key, what=f"the {name}")
    browser = fmt is HTML
    if browser and name == "catalog":  # a person: the datasets and their files, as a page
        return catalog_page(request, settings, folder)
    if browser:  # a person: the Turtle, shown as text rather than downloaded
        fmt = BY_KEY["ttl"]
    manifest = manifest_of(folder)
    etag = f'"{manifest["generation"]}-{fmt.key}{"-text" if browser else ""}"'
    headers = {"ETag": etag, "Vary": "Accept", "Last-Modified": http_date(modified_at(manifest))}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body = (folder / f"{name}.{fmt.key}").read_bytes()
    media = "text/plain; charset=utf-8" if browser else fmt.content_type
    return Response(body, media_type=media, headers=headers)


def catalog_page(request: Request, settings: Settings, folder: Path) -> Response:
    """The catalogue for a browser: its datasets and distributions, the RDF a click away."""
    manifest = manifest_of(folder)
    etag = f'"{manifest["generation"]}-catalog-html"'  # the language is added to it
    headers = {"ETag": etag, "Vary": "Accept", "Last-Modified": http_date(modified_at(manifest))}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    lang = getattr(request.state, "lang", DEFAULT)
    model = catalogue_of(
        read_description(folder, "catalog"),
        read_description(folder, "void"),
        lang,
        public_url(settings),
    )
    context = {"catalogue": model, "manifest": manifest, "etalab": ETALAB}
    return render(request, "catalog.html", context, headers=headers)


@router.get(
    "/catalog",
    summary="DCAT-AP 3 catalogue (Turtle, RDF/XML, JSON-LD, N-Triples; a page for browsers)",
    responses=openapi.CATALOG,
)
async def catalog(request: Request, settings: SettingsDep) -> Response:
    return description(request, settings, "catalog", None)


@router.get("/catalog.{suffix}", include_in_schema=False)
async def catalog_as(request: Request, settings: SettingsDep, suffix: str) -> Response:
    return description(request, settings, "catalog", _suffix(suffix))


@router.get(
    "/.well-known/void",
    summary="VoID description with statistics",
    responses=openapi.DESCRIPTION,
)
async def void(request: Request, settings: SettingsDep) -> Response:
    return description(request, settings, "void", None)


@router.get("/.well-known/void.{suffix}", include_in_schema=False)
async def void_as(request: Request, settings: SettingsDep, suffix: str) -> Response:
    return description(request, settings, "void", _suffix(suffix))


def _suffix(suffix: str) -> str:
    if suffix not in BY_KEY or BY_KEY[suffix] not in DESCRIPTIONS:
        raise UnknownResourceError(f"no such format: .{suffix} (use .ttl, .rdf, .jsonld or .nt)")
    return suffix


@router.get(
    "/dumps/",
    summary="The dumps: files, sizes, SHA-256 (JSON, or HTML for browsers)",
    responses=openapi.DUMP_LIST,
)
async def dumps(request: Request, settings: SettingsDep) -> Response:
    manifest = manifest_of(folder_of(settings))
    if negotiate(request.headers.get("accept"), (JSON, HTML), fallback=JSON) is HTML:
        base = str(request.base_url)
        return render(request, "dumps.html", {"manifest": manifest, "base": base})
    return JSONResponse(manifest)


@router.get(
    "/dumps/SHA256SUMS",
    summary="Checksums of the dumps, for sha256sum -c",
    responses=openapi.CHECKSUMS,
)
async def checksums(settings: SettingsDep) -> Response:
    manifest = manifest_of(folder_of(settings))
    lines = "".join(f"{d['sha256']}  {d['file']}\n" for d in manifest["dumps"])
    return PlainTextResponse(lines)


@router.get("/dumps/{name}", summary="One dump (gzip), with range requests", responses=openapi.DUMP)
async def dump(
    name: Annotated[str, UrlPath(json_schema_extra={"enum": sorted(DUMP_FILES)})],
    request: Request,
    settings: SettingsDep,
) -> Response:
    if name not in DUMP_FILES:
        raise UnknownResourceError(f"no dump {name}: see /dumps/")
    folder = folder_of(settings)
    manifest = manifest_of(folder)
    entry = next(d for d in manifest["dumps"] if d["file"] == name)
    path = folder / name
    response = FileResponse(
        path,
        media_type="application/gzip",
        filename=name,
        stat_result=path.stat(),
        headers={
            "ETag": f'"{entry["sha256"]}"',
            "Digest": f"sha-256={entry['sha256']}",
            "X-Content-Media-Type": entry["media_type"],
        },
    )
    check_range(request, response, path.stat().st_size)
    return response


def check_range(request: Request, response: FileResponse, size: int) -> None:
    """Refuse, in the JSON error shape, a Range the file response would answer in plain text
    (416 past the end, 400 malformed): both are 416 here, with Content-Range: bytes */size.
    The response's own reading of the header is used, so the two cannot disagree."""
    header = request.headers.get("range")
    if header is None:
        return
    if_range = request.headers.get("if-range")
    if if_range is not None and not response._should_use_range(if_range):
        return  # the whole file is sent
    try:
        response._parse_range_header(header, size)
    except (MalformedRangeHeader, RangeNotSatisfiable) as exc:
        reason = getattr(exc, "content", None) or "the range starts past the end of the file"
        raise RangeNotSatisfiableError(
            f"Range {header!r} cannot be served: {reason} (the file has {size} bytes)",
            size=size,
            range=header,
        ) from None

"""The project's JSON-LD context (``ontology/context/``): its file, its URL, its documents rebased
onto the server's base IRI; the prefix table read from it and the compact names it gives."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from loaders.namespaces import PREFIXES
from loaders.settings import DEFAULT_BASE_IRI, Settings
from loaders.sources import context_dir


@lru_cache(maxsize=8)
def context_file(directory: Path) -> Path | None:
    """The project's JSON-LD context: the highest version of ``ontology/context/v*.jsonld``."""
    files = sorted(
        directory.glob("v*.jsonld"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.stem)] or [0],
    )
    return files[-1] if files else None


def context_url(settings: Settings) -> str | None:
    path = context_file(context_dir(settings))
    return f"{settings.base_iri}context/{path.name}" if path else None


def context_document(settings: Settings, name: str) -> bytes | None:
    """A context file of ``ontology/context/``, rebased onto the server's base IRI."""
    if "/" in name or name.startswith("."):
        return None
    path = context_dir(settings) / name
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if settings.base_iri != DEFAULT_BASE_IRI:
        text = text.replace(DEFAULT_BASE_IRI, settings.base_iri)
    return text.encode("utf-8")


@lru_cache(maxsize=8)
def _prefixes(directory: Path, base_iri: str) -> tuple[tuple[str, str], ...]:
    table = dict(PREFIXES)  # the usual vocabularies, then the context's own prefixes
    table["qpvkg"] = f"{base_iri}def#"
    path = context_file(directory)
    if path is not None:
        try:
            ctx = json.loads(path.read_text(encoding="utf-8")).get("@context", {})
        except (OSError, ValueError):
            ctx = {}
        for name, value in ctx.items() if isinstance(ctx, dict) else ():
            iri = value.get("@id") if isinstance(value, dict) else value
            if not isinstance(iri, str) or name.startswith("@") or ":" in name:
                continue
            if iri.endswith(("#", "/")) and iri.startswith(("http://", "https://")):
                table.setdefault(name, iri.replace(DEFAULT_BASE_IRI, base_iri))
    # longest namespace first, so commune-deleguee: wins over commune: where both match
    return tuple(sorted(table.items(), key=lambda kv: -len(kv[1])))


def prefixes(settings: Settings) -> dict[str, str]:
    """Prefix -> namespace: the JSON-LD context's prefixes and the usual vocabularies."""
    return dict(_prefixes(context_dir(settings), settings.base_iri))


def qname(iri: str, table: Mapping[str, str]) -> str:
    for prefix, namespace in table.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if re.fullmatch(r"[\w.-]*[\w-]", local):
                return f"{prefix}:{local}"
    return iri

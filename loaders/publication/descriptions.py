"""What the VoID description and the DCAT catalogue share: their formats, the server's URL,
the writing of their files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from loaders.namespaces import CATALOGUE_PREFIXES
from loaders.rdfformats import JSONLD, NTRIPLES, RDFXML, TURTLE
from loaders.settings import Settings

#: The descriptions' formats (the files' suffix is the format's key).
DESCRIPTION_FORMATS = (TURTLE, RDFXML, JSONLD, NTRIPLES)


def public_url(settings: Settings) -> str:
    """Where the server answers (the base IRI when no public URL is set)."""
    return (settings.public_url or settings.base_iri).rstrip("/") + "/"


def write_descriptions(folder: Path, name: str, triples: Iterable[ox.Triple]) -> None:
    items = list(triples)
    for syntax in DESCRIPTION_FORMATS:
        data = ox.serialize(
            items,
            format=syntax.oxigraph,
            prefixes=CATALOGUE_PREFIXES if syntax != NTRIPLES else None,
        )
        (folder / f"{name}.{syntax.key}").write_bytes(data or b"")

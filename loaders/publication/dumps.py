"""The dumps: every named graph in N-Quads, the union in N-Triples, Turtle and JSON-LD,
gzip-compressed, with their SHA-256 and byte sizes."""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from loaders.namespaces import DUMP_PREFIXES
from loaders.rdfformats import JSONLD, NQUADS, NTRIPLES, TURTLE
from loaders.store import GraphStore

#: The dumps: file name, format (``loaders/rdfformats.py``), what it holds.
DUMPS = (
    ("qpvkg.nq.gz", NQUADS, "graphs"),
    ("qpvkg.nt.gz", NTRIPLES, "union"),
    ("qpvkg.ttl.gz", TURTLE, "union"),
    ("qpvkg.jsonld.gz", JSONLD, "union"),
)


@dataclass(frozen=True)
class Dump:
    file: str
    media_type: str
    file_type: str
    holds: str
    bytes: int
    sha256: str
    statements: int


class PublicationCancelledError(Exception):
    """A publication abandoned because the server is stopping (nothing of it is kept)."""


def write_dumps(
    store: GraphStore, folder: Path, cancelled: Callable[[], bool] = lambda: False
) -> list[Dump]:
    """The dumps, gzip-compressed, with their checksums (pyoxigraph's serialisers).

    The store is read once (a scan of an on-disk store is the slow part): into N-Quads,
    which are parsed back in memory for the union's formats."""
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_QUADS)
    quads = buffer.getvalue()
    del buffer
    union = list(dict.fromkeys(q.triple for q in ox.parse(quads, ox.RdfFormat.N_QUADS)))
    out = []
    for name, syntax, holds in DUMPS:
        fmt = syntax.oxigraph
        if cancelled():
            raise PublicationCancelledError
        if holds == "graphs":
            data, count = quads, quads.count(b"\n")
        else:
            data = ox.serialize(union, format=fmt, prefixes=_dump_prefixes(fmt)) or b""
            count = len(union)
        compressed = gzip.compress(data, compresslevel=5, mtime=0)
        (folder / name).write_bytes(compressed)
        digest = hashlib.sha256(compressed).hexdigest()
        media, file_type = syntax.media_type, syntax.eu_file_type
        out.append(Dump(name, media, file_type, holds, len(compressed), digest, count))
    return out


def _dump_prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    if fmt != ox.RdfFormat.TURTLE:
        return None
    return DUMP_PREFIXES

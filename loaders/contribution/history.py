"""The versions of a partner graph: their content, their records, their differences.

The content of each version is a gzip N-Triples file (``{store}-history/``); the store's
provenance (``loaders.contribution.provenance``) says which versions exist.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.contribution.provenance import registry_graph
from loaders.errors import UnknownResourceError
from loaders.files import write_atomic
from loaders.namedqueries import internal_query
from loaders.settings import Settings
from loaders.store import GraphStore


@dataclass(frozen=True)
class Version:
    graph: str
    version: int
    action: str
    partner: str
    when: str
    triples: int
    checksum: str
    added: int
    removed: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class History:
    """The content of every version of every partner graph, one gzip N-Triples file each.

    A version's file is written (and synced) before the store commits it; the store's
    provenance says which versions exist, so a file left by an interrupted write is ignored
    and overwritten by the next write."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> History:
        if settings.read_only:  # a replica reads the copy shipped with its generation
            from loaders.replica import history_root

            return cls(history_root(settings))
        return cls(settings.store_path.parent / f"{settings.store_path.name}-history")

    def folder(self, graph: str) -> Path:
        return self.root / hashlib.sha256(graph.encode("utf-8")).hexdigest()[:24]

    def write(self, graph: str, version: int, body: bytes) -> None:
        folder = self.folder(graph)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "graph.txt").write_text(graph + "\n", encoding="utf-8")
        compressed = gzip.compress(body, compresslevel=3, mtime=0)
        write_atomic(folder / f"v{version}.nt.gz", compressed)

    def read(self, graph: str, version: int) -> bytes:
        path = self.folder(graph) / f"v{version}.nt.gz"
        if not path.exists():
            raise UnknownResourceError(f"no content kept for version {version} of {graph}")
        return gzip.decompress(path.read_bytes())


def versions(store: GraphStore, settings: Settings, graph: str) -> list[Version]:
    """The recorded versions of a graph, oldest first."""
    rows = store.query(
        internal_query(settings, "graph-versions"),
        substitutions={
            ox.Variable("registry"): registry_graph(settings),
            ox.Variable("graph"): ox.NamedNode(graph),
        },
    )
    out = []
    for row in rows:  # type: ignore[union-attr]
        out.append(
            Version(
                graph=graph,
                version=int(row["n"].value),
                action=row["action"].value,
                partner=row["partner"].value,
                when=row["when"].value,
                triples=int(row["triples"].value),
                checksum=row["checksum"].value,
                added=int(row["added"].value),
                removed=int(row["removed"].value),
            )
        )
    return out


def diff(history: History, graph: str, older: int, newer: int) -> dict[str, list[str]]:
    """Triples added and removed between two versions, as N-Triples lines."""
    before = {line for line in history.read(graph, older).decode("utf-8").splitlines() if line}
    after = {line for line in history.read(graph, newer).decode("utf-8").splitlines() if line}
    return {"added": sorted(after - before), "removed": sorted(before - after)}

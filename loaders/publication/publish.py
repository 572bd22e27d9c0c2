"""The publishing run: a new publication of the store's current generation, the one being
served (``CURRENT``, replaced atomically), the older ones pruned."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from loaders import __version__
from loaders.files import write_atomic
from loaders.publication.dcat import catalog_triples
from loaders.publication.descriptions import write_descriptions
from loaders.publication.dumps import Dump, PublicationCancelledError, write_dumps
from loaders.publication.metadata import load_metadata
from loaders.publication.statistics import Statistics, statistics
from loaders.publication.void import void_triples
from loaders.settings import Settings
from loaders.store import GraphStore, generation


@dataclass
class Publication:
    folder: Path
    generation: str
    modified: str
    dumps: list[Dump]
    statistics: Statistics
    seconds: float = 0.0

    def manifest(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "modified": self.modified,
            "qpvkg": __version__,
            "dumps": [asdict(d) for d in self.dumps],
            "triples": self.statistics.triples,
            "graphs": len(self.statistics.graphs),
            "seconds": round(self.seconds, 2),
        }


def publish_root(settings: Settings) -> Path:
    if settings.read_only:  # a read replica serves the publications its writer ships
        return settings.path(settings.replica_dir) / "publish"
    return settings.store_path.parent / f"{settings.store_path.name}-publish"


def current(settings: Settings) -> Path | None:
    """The folder of the publication being served, if any."""
    root = publish_root(settings)
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = root / name
    return folder if (folder / "publication.json").is_file() else None


def current_generation(settings: Settings) -> str | None:
    folder = current(settings)
    if folder is None:
        return None
    manifest = json.loads((folder / "publication.json").read_text(encoding="utf-8"))
    return str(manifest.get("generation"))


def publish(
    store: GraphStore,
    settings: Settings,
    *,
    force: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> Publication | None:
    """Publish the store's current generation (None when it is already the current one).
    ``cancelled`` is asked between steps; when it says so, the publication is dropped."""
    if settings.read_only:  # a read replica serves its writer's publications
        return None
    start = time.perf_counter()
    gen = generation(store, settings)
    if not force and current_generation(settings) == gen.id:
        return None
    root = publish_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{gen.id}-{os.getpid()}-{time.time_ns()}"
    folder.mkdir()
    modified = gen.last_modified.astimezone(UTC).isoformat().replace("+00:00", "Z")
    try:
        dumps = write_dumps(store, folder, cancelled)
        if cancelled():
            raise PublicationCancelledError
        stats = statistics(store, settings)
        meta = load_metadata(settings)
        void = void_triples(settings, stats, dumps, modified, meta)
        catalog = catalog_triples(store, settings, dumps, stats, modified, meta)
        write_descriptions(folder, "void", void)
        write_descriptions(folder, "catalog", catalog)
        publication = Publication(folder, gen.id, modified, dumps, stats)
        publication.seconds = time.perf_counter() - start
        write_atomic(
            folder / "publication.json", json.dumps(publication.manifest(), indent=2).encode()
        )
        write_atomic(root / "CURRENT", folder.name.encode())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(root, keep={folder.name})
    return publication


def _prune(root: Path, keep: set[str]) -> None:
    """Drop publications older than the current and the previous one (a reader of the
    previous one may still be streaming a dump)."""
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in folders[2:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)

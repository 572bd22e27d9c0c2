"""Read replicas: the writer ships each store generation, replicas serve the newest one.

The writer (``qpvkg serve`` with ``QPVKG_REPLICA_DIR``) ships a generation when it starts
and after each accepted write:

    {replica_dir}/{generation}/store     a checkpoint of the store (RocksDB: hard links)
    {replica_dir}/{generation}/history   the content of every graph version (hard links)
    {replica_dir}/CURRENT                the name of the newest complete generation
    {replica_dir}/publish/               the writer's publications (dumps, VoID, catalogue),
                                         shipped once each is complete, with their CURRENT

A generation's folder is complete before ``CURRENT`` names it (``CURRENT`` is replaced
atomically), so a replica never opens half of one. A replica (``qpvkg serve --read-only``
with the same ``QPVKG_REPLICA_DIR``) opens ``CURRENT``'s store read-only and watches the
file: when it names a newer generation, the replica loads it and switches to it in one
step. Shipping to other machines is copying the generation's folder first and ``CURRENT``
last (``rsync``, see docs/scaling.md).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from loaders.errors import ServiceUnavailableError
from loaders.files import write_atomic
from loaders.publication.publish import current
from loaders.settings import Settings
from loaders.store import Generation, generation

#: generations kept in the shipping folder: a replica may still be loading the previous one
KEEP = 3


@dataclass(frozen=True)
class Shipped:
    """A generation a replica serves: its store, opened read-only."""

    name: str
    folder: Path
    store: ox.Store
    generation: Generation


def replica_root(settings: Settings) -> Path:
    return settings.path(settings.replica_dir)


def current_name(settings: Settings) -> str | None:
    """The newest complete generation shipped, if any."""
    try:
        name = (replica_root(settings) / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def history_root(settings: Settings) -> Path:
    """Where a replica reads the content of graph versions: the current generation's copy."""
    return replica_root(settings) / (current_name(settings) or "none") / "history"


def ship(store: ox.Store, settings: Settings, history: Path) -> str:
    """Ship the store's current generation and the version history; the generation's name.

    Nothing is done when that generation is already the current one."""
    root = replica_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    name = generation(store, settings).id
    folder = root / name
    if current_name(settings) == name and (folder / "store").is_dir():
        return name
    if not (folder / "store").is_dir():
        partial = root / f".{name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            store.flush()
            store.backup(str(partial / "store"))
            _link_tree(history, partial / "history")
            shutil.rmtree(folder, ignore_errors=True)
            partial.rename(folder)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    write_atomic(root / "CURRENT", name.encode())
    _prune(root, keep=name, marker="store")
    return name


def ship_publication(settings: Settings) -> None:
    """Ship the writer's current publication (hard links): replicas serve it as it is,
    rather than each publishing the same generation again. The writer calls it after each
    publication (``qpvkg build``, the server's publisher); nothing when it has no replicas."""
    if not settings.replica_dir:
        return
    folder = current(settings)
    if folder is None:
        return
    root = replica_root(settings) / "publish"
    root.mkdir(parents=True, exist_ok=True)
    target = root / folder.name
    if not target.is_dir():
        partial = root / f".{folder.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        try:
            _link_tree(folder, partial)
            partial.rename(target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    write_atomic(root / "CURRENT", folder.name.encode())
    _prune(root, keep=folder.name, marker="publication.json")


def open_current(settings: Settings) -> Shipped:
    """The newest shipped generation, opened read-only (a clear error when none is)."""
    root = replica_root(settings)
    name = current_name(settings)
    if name is None:
        raise ServiceUnavailableError(
            f"no generation shipped to {root} yet: start the writer with "
            f"QPVKG_REPLICA_DIR={root} first",
            replica_dir=str(root),
        )
    folder = root / name
    try:
        store = ox.Store.read_only(str(folder / "store"))
    except OSError as exc:
        raise ServiceUnavailableError(
            f"cannot open the shipped generation {name} in {root}: {exc}", replica_dir=str(root)
        ) from exc
    return Shipped(name, folder, store, generation(store, settings))


def _link_tree(source: Path, target: Path) -> None:
    """A copy of ``source`` made of hard links (copies across file systems). History files
    are never changed in place (they are replaced), so a link keeps the shipped content."""
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for path in source.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)


def _prune(root: Path, keep: str, marker: str) -> None:
    """Keep the newest KEEP folders holding ``marker`` (the current one always)."""
    folders = sorted(
        (p for p in root.iterdir() if (p / marker).exists() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)

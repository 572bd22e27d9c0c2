"""How the query engine reaches its store: one backend for each kind of store.

The engine (endpoint/engine.py) runs queries in workers forked from a zygote; what the zygote
reads, and what a committed write changes for it, depends on the store:

- ``EmbeddedBackend``: the store on disk (``QPVKG_STORE`` a folder). The workers read a
  backup of its current generation (the snapshot); a write is applied to the zygote's graph in
  memory, or a new snapshot is made for workers that read it on disk. A writer with read
  replicas ships each generation to them (``QPVKG_REPLICA_DIR``).
- ``RemoteBackend``: an external SPARQL store (``QPVKG_STORE`` a URL). The workers query it
  themselves: nothing to snapshot, and a write is visible to them once committed.
- ``ReplicaBackend``: a read replica (``QPVKG_READ_ONLY``). The workers read the newest
  generation its writer shipped; the engine switches to each newer one.

Adding a kind of store: a backend here, chosen by :func:`backend_for` from the settings.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.contribution.history import History
from loaders.errors import ServiceUnavailableError
from loaders.remote import RemoteStore
from loaders.replica import Shipped, current_name, open_current, ship
from loaders.settings import Settings
from loaders.store import Generation, GraphStore, generation

log = logging.getLogger(__name__)


class Backend:
    """The engine's store, of one kind: opened, made readable by the workers, told of each
    committed write."""

    #: the workers query the store themselves (its address is sent to the zygote)
    remote = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: GraphStore | None = None
        #: what the zygote loads (None for a remote store)
        self.snapshot: Path | None = None

    def open(self) -> Generation:
        """Open the store (again, after a stop) and make its current generation readable by
        the workers; the generation they read."""
        raise NotImplementedError

    def zygote_arguments(self, snapshot: Path | None) -> list[str]:
        """The command-line arguments of a zygote over ``snapshot`` (endpoint/zygote.py)."""
        assert snapshot is not None
        memory = ["--memory"] if self.settings.in_memory else []
        return ["--snapshot", str(snapshot), *memory]

    def refresh(self) -> None:
        """Before a new zygote replaces a broken one: what it reads made current."""

    def written(self, update: str) -> tuple[Generation, dict[str, Any] | None]:
        """After a committed write: the new generation, and the order that makes the zygote
        see it (None: the workers see it already)."""
        raise ServiceUnavailableError("this store takes no writes")

    def ship(self) -> None:
        """The writer of read replicas: ship the current generation to them."""

    def close(self) -> None:
        self.store = None


class EmbeddedBackend(Backend):
    """The store on disk; the workers read a backup of its current generation."""

    def open(self) -> Generation:
        path = self.settings.store_path
        if not path.is_dir() or not any(path.iterdir()):
            raise ServiceUnavailableError(f"no store at {path}: run `qpvkg build` first")
        if self.store is None:
            try:
                self.store = ox.Store(str(path))
            except OSError as exc:
                raise ServiceUnavailableError(f"cannot open the store at {path}: {exc}") from exc
        current = generation(self.store, self.settings)
        root = self.settings.snapshots_path
        root.mkdir(parents=True, exist_ok=True)
        snapshot = root / current.id
        if not snapshot.exists():
            partial = root / f"{current.id}.partial-{os.getpid()}"
            shutil.rmtree(partial, ignore_errors=True)
            self.store.backup(str(partial))
            partial.rename(snapshot)
        # keep the snapshot workers may still read (the previous one), drop older ones
        keep = {snapshot, self.snapshot}
        for old in root.iterdir():
            if old not in keep:
                shutil.rmtree(old, ignore_errors=True)
        self.snapshot = snapshot
        return current

    def refresh(self) -> None:
        self.open()

    def written(self, update: str) -> tuple[Generation, dict[str, Any] | None]:
        assert self.store is not None
        if self.settings.in_memory:  # the zygote applies the update to the graph it holds
            return generation(self.store, self.settings), {"order": "apply", "update": update}
        new_generation = self.open()  # workers on disk read a new snapshot
        return new_generation, {"order": "apply", "snapshot": str(self.snapshot)}

    def ship(self) -> None:
        if not self.settings.replica_dir:
            return
        assert isinstance(self.store, ox.Store)
        name = ship(self.store, self.settings, History.from_settings(self.settings).root)
        log.info("generation %s shipped to %s", name, self.settings.replica_dir)


class RemoteBackend(Backend):
    """An external SPARQL store, which the workers query themselves."""

    remote = True

    def open(self) -> Generation:
        if self.store is None:
            self.store = RemoteStore(self.settings.remote_config())
        return generation(self.store, self.settings)

    def zygote_arguments(self, snapshot: Path | None) -> list[str]:
        return ["--remote"]  # the store's address and credentials follow on the socket

    def written(self, update: str) -> tuple[Generation, dict[str, Any] | None]:
        assert self.store is not None
        return generation(self.store, self.settings), None


class ReplicaBackend(Backend):
    """A read replica: the newest generation its writer shipped, then each newer one."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.shipped: str | None = None  # the name of the shipped generation served

    def open(self) -> Generation:
        return self.adopt(open_current(self.settings))

    def newer(self) -> Shipped | None:
        """The newest generation shipped, if it is not the one served (opened beside it)."""
        name = current_name(self.settings)
        if name is None or name == self.shipped:
            return None
        return open_current(self.settings)

    def adopt(self, shipped: Shipped) -> Generation:
        """Serve ``shipped`` from now on (its zygote started by the engine)."""
        self.store, self.snapshot = shipped.store, shipped.folder / "store"
        self.shipped = shipped.name
        return shipped.generation


def backend_for(settings: Settings) -> Backend:
    """The backend of the store the settings name."""
    if settings.remote:
        return RemoteBackend(settings)
    if settings.read_only:
        return ReplicaBackend(settings)
    return EmbeddedBackend(settings)

"""Shipping generations to read replicas (loaders.replica), over small real stores."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import ServiceUnavailableError
from loaders.publication.publish import current, publish, publish_root
from loaders.replica import KEEP, current_name, open_current, ship, ship_publication
from loaders.settings import PROJECT_DIR, Settings
from loaders.store import generation

SPDX = "http://spdx.org/rdf/terms#checksumValue"


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        project_dir=PROJECT_DIR, store=str(tmp_path / "store"), replica_dir=str(tmp_path / "ship")
    )


def record_version(store: ox.Store, settings: Settings, n: int) -> None:
    """A change of generation: the build's provenance gains a checksum."""
    store.add(
        ox.Quad(
            ox.NamedNode(f"https://example.org/file/{n}"),
            ox.NamedNode(SPDX),
            ox.Literal(f"sum-{n}"),
            ox.NamedNode(settings.graph_iri("build")),
        )
    )


def test_a_shipped_generation_opens_read_only_with_its_history(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    store = ox.Store(str(tmp_path / "store"))
    record_version(store, settings, 1)
    history = tmp_path / "history"
    (history / "g1").mkdir(parents=True)
    (history / "g1" / "v1.nt.gz").write_bytes(b"first")
    name = ship(store, settings, history)
    assert current_name(settings) == name == generation(store, settings).id
    shipped = open_current(settings)
    assert shipped.name == name and shipped.generation.id == name
    assert len(shipped.store) == 1
    with pytest.raises(RuntimeError, match="read-write"):  # opened read-only
        shipped.store.add(ox.Quad(ox.NamedNode("a:b"), ox.NamedNode("a:c"), ox.NamedNode("a:d")))
    copy = shipped.folder / "history" / "g1" / "v1.nt.gz"
    assert copy.read_bytes() == b"first"
    assert copy.stat().st_ino == (history / "g1" / "v1.nt.gz").stat().st_ino  # a hard link


def test_shipping_again_changes_nothing_and_keeps_the_newest_generations(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    store = ox.Store(str(tmp_path / "store"))
    names = []
    for n in range(KEEP + 2):
        record_version(store, settings, n)
        names.append(ship(store, settings, tmp_path / "no-history"))
        assert ship(store, settings, tmp_path / "no-history") == names[-1]
    assert len(set(names)) == KEEP + 2
    kept = sorted(p.name for p in (tmp_path / "ship").iterdir() if p.is_dir())
    assert kept == sorted(names[-KEEP:])
    assert current_name(settings) == names[-1]
    assert len(open_current(settings).store) == KEEP + 2


def test_nothing_shipped_is_a_clear_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert current_name(settings) is None
    with pytest.raises(ServiceUnavailableError, match="QPVKG_REPLICA_DIR"):
        open_current(settings)


def test_the_writers_publication_is_shipped_beside_the_generations(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    root = publish_root(settings)
    (root / "pub-1").mkdir(parents=True)
    (root / "pub-1" / "publication.json").write_text("{}", encoding="utf-8")
    (root / "pub-1" / "qpvkg.nq.gz").write_bytes(b"dump")
    (root / "CURRENT").write_text("pub-1", encoding="utf-8")
    ship_publication(settings)
    ship_publication(settings)  # again: nothing to do
    store = ox.Store(str(tmp_path / "store"))
    for n in range(KEEP + 1):  # pruning generations leaves the publications alone
        record_version(store, settings, n)
        ship(store, settings, tmp_path / "no-history")
    replica = Settings(**{**settings.model_dump(), "read_only": True})
    assert current(replica) == tmp_path / "ship" / "publish" / "pub-1"
    assert (tmp_path / "ship" / "publish" / "pub-1" / "qpvkg.nq.gz").read_bytes() == b"dump"
    assert publish(store, replica) is None  # a replica never publishes

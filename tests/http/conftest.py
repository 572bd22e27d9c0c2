"""Fixtures for HTTP tests: the real app over a copy of the real store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.build import BuildReport
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import copy_store
from tests.listener import Listener
from tests.remote import external_copy
from tests.virtuoso import available, virtuoso_copy

#: a Virtuoso server (Debian's virtuoso-opensource), for the tests marked `ci`, when
#: QPVKG_TEST_VIRTUOSO=1 (`make test-virtuoso`): beside the rest of `make test-ci` on two
#: cores its load makes the other servers' tests time out, and two of its tests still fail
#: at times (docs/scaling.md)
VIRTUOSO = pytest.param(
    "virtuoso",
    marks=[
        pytest.mark.ci,
        pytest.mark.skipif(not available(), reason="Debian's virtuoso-opensource is not installed"),
        pytest.mark.skipif(
            os.environ.get("QPVKG_TEST_VIRTUOSO") != "1",
            reason="the HTTP suite over Virtuoso runs with QPVKG_TEST_VIRTUOSO=1 (make test-virtuoso)",
        ),
    ],
)

#: the store kinds the HTTP suites run over: embedded, an Oxigraph server, and Virtuoso
STORE_KINDS = ["embedded", "external", VIRTUOSO]

#: the kinds of the write suites whose run over an Oxigraph server is left to `make test-ci`
#: (README, "Quick start"): `make test` keeps over both kinds the writes, history, rollback
#: and durability (test_store.py, test_store_process.py, the partners' CLI)
KINDS_EXTERNAL_IN_CI = ["embedded", pytest.param("external", marks=pytest.mark.ci), VIRTUOSO]


@pytest.fixture(scope="session")
def served_store(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the session's built store (the server opens its store read-write)."""
    target = tmp_path_factory.mktemp("served") / "store"
    copy_store(settings.store_path, target)
    return target


class OwnStore:
    """A test module's own store, to write to or to strain: a copy of the served store
    (embedded), or an Oxigraph server loaded with the session's store (external)."""

    def __init__(self, served: Path, built: Path) -> None:
        self.served, self.built = served, built

    @contextmanager
    def settings(
        self, kind: str, folder: Path, *, server_timeout_s: int = 20, **options: Any
    ) -> Iterator[Settings]:
        if kind == "embedded":
            store = copy_store(self.served, folder / "store")
            yield Settings(project_dir=PROJECT_DIR, store=str(store), **options)
            return
        if kind == "virtuoso":
            with virtuoso_copy(self.built, folder, **options) as virtuoso:
                yield virtuoso
            return
        with external_copy(self.built, folder, timeout_s=server_timeout_s, **options) as external:
            yield external


def store_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a `qpvkg` process the store of these settings: its
    location, and for an external store every `QPVKG_STORE_*` setting that is not the
    default (Virtuoso's URLs, user, time-limit parameter...)."""
    env = {"QPVKG_STORE": settings.store}
    if settings.remote:
        defaults = Settings(project_dir=PROJECT_DIR)
        for name in Settings.model_fields:
            value = getattr(settings, name)
            if name.startswith("store_") and value != getattr(defaults, name):
                secret = getattr(value, "get_secret_value", None)
                env[f"QPVKG_{name.upper()}"] = str(secret() if secret else value)
    return env


@pytest.fixture(scope="session")
def own_store(served_store: Path, settings: Settings) -> OwnStore:
    return OwnStore(served_store, settings.store_path)


@pytest.fixture(scope="session")
def app_settings(served_store: Path) -> Settings:
    return Settings(project_dir=PROJECT_DIR, store=str(served_store), workers=2, query_timeout_s=10)


@pytest.fixture(scope="session")
def embedded_client(app_settings: Settings) -> Iterator[TestClient]:
    """The real app over the served store, one for the session: an embedded store is opened
    by one process at a time, so every module that reads it shares this app."""
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session", params=STORE_KINDS)
def client(
    request: pytest.FixtureRequest,
    app_settings: Settings,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    """The real app over the real data, its query engine started: over the embedded store,
    then over an Oxigraph server and a Virtuoso server holding the same quads (and the same
    publication)."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_client")
        return
    folder = tmp_path_factory.mktemp(request.param)
    copy = virtuoso_copy if request.param == "virtuoso" else external_copy
    with (
        # 30 s: an external server shares the two cores with the other test process's
        # servers (Virtuoso's writes), where a list of the 35,000 communes can pass 10 s
        copy(settings.store_path, folder, workers=2, query_timeout_s=30) as external,
        TestClient(create_app(external)) as test_client,
    ):
        yield test_client


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[Listener, Listener]]:
    """Two local TCP listeners that record connections: one allowed as a SERVICE endpoint,
    one not."""
    allowed, forbidden = Listener(), Listener()
    yield allowed, forbidden
    allowed.close()
    forbidden.close()

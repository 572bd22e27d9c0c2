"""Fixtures for HTTP tests: the real app over a copy of the real store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.build import BuildReport
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import copy_store
from tests.remote import OxigraphServer


@pytest.fixture(scope="session")
def served_store(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the session's built store (the server opens its store read-write)."""
    target = tmp_path_factory.mktemp("served") / "store"
    copy_store(settings.store_path, target)
    return target


@pytest.fixture(scope="session")
def app_settings(served_store: Path) -> Settings:
    return Settings(project_dir=PROJECT_DIR, store=str(served_store), workers=2, query_timeout_s=10)


@pytest.fixture(scope="session", params=["embedded", "external"])
def client(
    request: pytest.FixtureRequest,
    app_settings: Settings,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    """The real app over the real data, its query engine started: over the embedded store,
    then over an Oxigraph server holding the same quads (and the same publication)."""
    if request.param == "embedded":
        with TestClient(create_app(app_settings)) as test_client:
            yield test_client
        return
    folder = tmp_path_factory.mktemp("external")
    server = OxigraphServer(folder / "oxigraph")
    try:
        server.load_store(settings.store_path)
        published = settings.store_path.parent / f"{settings.store_path.name}-publish"
        shutil.copytree(published, folder / "state-publish")
        external = server.settings(folder / "state", workers=2, query_timeout_s=10)
        with TestClient(create_app(external)) as test_client:
            yield test_client
    finally:
        server.stop()

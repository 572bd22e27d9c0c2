"""Fixtures for HTTP tests: the real app over a copy of the real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.build import BuildReport
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import copy_store


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


@pytest.fixture(scope="session")
def client(app_settings: Settings) -> Iterator[TestClient]:
    """The real app over the real data, its query engine started."""
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client

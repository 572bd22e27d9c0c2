"""Shared fixtures: settings over a temporary store, the real store built from the repository."""

from __future__ import annotations

import os

# the command line's messages are read whole: no wrapping at 80 columns, whatever the length
# of a test's temporary paths (set before loaders.cli makes its consoles)
os.environ["COLUMNS"] = "400"

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loaders.build import BuildReport, build
from loaders.settings import PROJECT_DIR, Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures"


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a built store, with its publication (dumps, VoID, catalogue) if it has one,
    so that a server started over the copy has nothing to publish again."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("LOCK"))
    published = source.parent / f"{source.name}-publish"
    if published.is_dir():
        shutil.copytree(published, target.parent / f"{target.name}-publish")
    return target


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store") / "store"


@pytest.fixture(scope="session")
def settings(session_store: Path) -> Settings:
    """Settings over the repository, with the store in a temporary folder."""
    return Settings(project_dir=PROJECT_DIR, store=str(session_store))


@pytest.fixture(scope="session")
def built(settings: Settings) -> BuildReport:
    """The store built from the REAL ontology, shapes and data, with `qpvkg build`'s code."""
    return build(settings)


@dataclass
class Cli:
    """The `qpvkg` command line, run in-process with its environment."""

    runner: CliRunner
    env: dict[str, str]

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        from loaders.cli import app

        get_settings.cache_clear()
        try:
            result = self.runner.invoke(app, list(args), env={**self.env, **(env or {})})
        finally:
            get_settings.cache_clear()
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(settings: Settings, built: BuildReport) -> Iterator[Cli]:
    """The CLI over the session's built store."""
    yield Cli(CliRunner(), {"QPVKG_STORE": str(settings.store_path), "COLUMNS": "200"})


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Iterator[Cli]:
    """The CLI over an empty store folder of its own."""
    yield Cli(CliRunner(), {"QPVKG_STORE": str(tmp_path / "store"), "COLUMNS": "200"})


@pytest.fixture
def fixture_path() -> Callable[[str], Path]:
    def get(name: str) -> Path:
        path = FIXTURES / name
        assert path.exists(), path
        return path

    return get


@pytest.fixture
def project_copy(tmp_path: Path, project_dir: Path) -> Path:
    """A copy of the repository's sources, to break without touching the real one."""
    copy = tmp_path / "project"
    for folder in ("ontology", "shapes", "data", "queries", "publication"):
        shutil.copytree(project_dir / folder, copy / folder)
    return copy


@pytest.fixture
def store_copy(tmp_path: Path, settings: Settings, built: BuildReport) -> Path:
    """A copy of the session's built store (the same sources: a build over it loads nothing)."""
    return copy_store(settings.store_path, tmp_path / "store")

"""Shared fixtures: settings over a temporary store, the real store built from the repository."""

from __future__ import annotations

import os

# the command line's messages are read whole: no wrapping at 80 columns, whatever the length
# of a test's temporary paths (set before loaders.cli makes its consoles)
os.environ["COLUMNS"] = "400"

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from loaders.build import BuildReport, build
from loaders.settings import PROJECT_DIR, Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures"
BROWSER_TESTS = Path(__file__).parent / "browser"


#: The files whose read-only tests over an Oxigraph server (the `client` fixture's `external`
#: kind) run in `make test` too; over that kind the rest of the read-only suite runs in
#: `make test-ci`. The writes (their own module fixtures) run over both kinds in `make test`.
EXTERNAL_READS_IN_MAKE_TEST = {"test_remote_store.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests, and the read-only suite over an external store but for a
    representative part, are run by `make test-ci` (and `.ci/run`), not by `make test`."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.ci)
        callspec = getattr(item, "callspec", None)
        if (
            callspec is not None
            and callspec.params.get("client") == "external"
            and item.path.name not in EXTERNAL_READS_IN_MAKE_TEST
        ):
            item.add_marker(pytest.mark.ci)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    """`qpvkg serve --no-build` as a real process on a free port, once it is healthy: its
    base URL and the process (its output on a pipe)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "endpoint.cli", "serve", "--no-build", "--port", str(port), *args],
        # no page warming at start (QPVKG_WARM_PAGES): a test asks for the pages it needs
        env={**os.environ, "QPVKG_WARM_PAGES": "false", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, process)
    return base, process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a started `qpvkg serve` (terminate, then kill after 15 s)."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_healthy(base: str, process: subprocess.Popen[bytes], limit_s: float = 90) -> None:
    """Wait until a started `qpvkg serve` answers `/-/health`; fail with its output if it
    exits first, or after ``limit_s``."""
    deadline = time.time() + limit_s
    while True:
        try:
            if httpx.get(f"{base}/-/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the server exited with {process.returncode}: {output}")
        if time.time() > deadline:
            pytest.fail(f"the server did not become healthy in {limit_s:g} s")
        time.sleep(0.3)


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a built store, with its publication (dumps, VoID, catalogue) if it has one,
    so that a server started over the copy has nothing to publish again."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("LOCK"))
    published = source.parent / f"{source.name}-publish"
    if published.is_dir():
        shutil.copytree(published, target.parent / f"{target.name}-publish")
    return target


#: A label a spreadsheet would run as a formula (OWASP's CSV injection example).
FORMULA_LABEL = '=HYPERLINK("http://example.org/")'


def add_formula_label(store_path: Path) -> None:
    """Give Totem Mobi a second label that a spreadsheet would run, in the graph of its label."""
    store = ox.Store(str(store_path))
    totem = ox.NamedNode("https://w3id.org/qpvkg/id/innovation/totem-mobi")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = next(iter(store.quads_for_pattern(totem, label, None))).graph_name
    store.add(ox.Quad(totem, label, ox.Literal(FORMULA_LABEL), graph))
    store.flush()
    del store


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
        from endpoint.cli import app

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


#: The geography fixtures (tests/fixtures/geo/NAME.nt), each for the graph graph/reference/NAME.
GEO_FIXTURES = ("qpv-2024", "communes-centres", "contours-departements", "contours-regions")


def add_geo_fixtures(store_path: Path) -> list[str]:
    """Load the geography fixtures into a store copy, each into its reference graph when the
    store's own data has none (once the shipped snapshots are built, they are used instead):
    the names loaded."""
    store = ox.Store(str(store_path))
    loaded = []
    for name in GEO_FIXTURES:
        graph = ox.NamedNode(f"https://w3id.org/qpvkg/graph/reference/{name}")
        if next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None:
            continue
        store.load(
            path=str(FIXTURES / "geo" / f"{name}.nt"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=graph,
        )
        loaded.append(name)
    store.flush()
    del store
    return loaded

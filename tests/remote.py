"""An Oxigraph server (the `oxigraph` package from PyPI) started for the tests, as the
external SPARQL store qpvkg runs over when ``QPVKG_STORE`` is an http(s) URL."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import free_port


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1, its default graph the union of the named graphs, as
    qpvkg expects of an external store; a server-side time limit bounds abandoned queries."""

    def __init__(self, location: Path | None = None, timeout_s: int = 20) -> None:
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        assert binary, "the oxigraph server is a dev dependency: make test installs it"
        self.port = free_port()
        command = [binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        command += ["--timeout-s", str(timeout_s)]
        if location is not None:
            command += ["--location", str(location)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"oxigraph serve did not start: {self.process.stderr.read()!r}"  # type: ignore[union-attr]
                    ) from None
                time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, state: Path, **overrides: Any) -> Settings:
        """qpvkg's settings over this server, its local state under ``state``."""
        values: dict[str, Any] = {"workers": 1, "query_timeout_s": 10, **overrides}
        return Settings(project_dir=PROJECT_DIR, store=self.url, store_state=str(state), **values)

    def load_store(self, path: Path) -> int:
        """Copy every quad of an embedded store into the server; returns their number."""
        store = ox.Store.read_only(str(path))
        data = store.dump(format=ox.RdfFormat.N_QUADS)
        assert data is not None
        response = httpx.post(
            f"{self.url}/store",
            content=data,
            headers={"content-type": "application/n-quads"},
            timeout=120,
        )
        response.raise_for_status()
        return len(store)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def external_copy(
    store: Path, folder: Path, *, timeout_s: int = 20, **overrides: Any
) -> Iterator[Settings]:
    """qpvkg's settings over an Oxigraph server holding every quad of the embedded ``store``,
    with that store's publication copied into the local state (same generation, so current).

    The server opens a copy of the store's files: pyoxigraph and Oxigraph's server share
    one storage format (0.4 s, where loading the quads over HTTP takes 14 s)."""
    location = folder / "oxigraph"
    shutil.copytree(store, location, ignore=shutil.ignore_patterns("LOCK"))
    server = OxigraphServer(location, timeout_s=timeout_s)
    try:
        shutil.copytree(store.parent / f"{store.name}-publish", folder / "state-publish")
        yield server.settings(folder / "state", **overrides)
    finally:
        server.stop()

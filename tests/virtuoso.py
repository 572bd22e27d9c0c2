"""A Virtuoso server (Debian's ``virtuoso-opensource``) started for the tests, as the external
SPARQL store qpvkg runs over, configured by the recipe of ``deploy/virtuoso/``."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import free_port

RECIPE = PROJECT_DIR / "deploy" / "virtuoso"
USER, PASSWORD = "qpvkg", "qpvkg-secret"  # as deploy/virtuoso/setup.sql creates them


def available() -> bool:
    """True when Debian's package is installed (CI's `.ci/run` installs it)."""
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


class VirtuosoServer:
    """``virtuoso-t`` on 127.0.0.1 and free ports, its database in ``folder``, the user of
    ``deploy/virtuoso/setup.sql`` created."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = (RECIPE / "virtuoso.ini").read_text(encoding="utf-8")
        for key, value in {
            "@DIR@": str(folder),
            "@SQL_PORT@": str(self.sql_port),
            "@HTTP_PORT@": str(self.http_port),
        }.items():
            ini = ini.replace(key, value)
        (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.start()
        self.isql((RECIPE / "setup.sql").read_text(encoding="utf-8"))

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["virtuoso-t", "-f", "-c", str(self.folder / "virtuoso.ini")],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                response = httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=2)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso did not start: {log}")
            time.sleep(0.2)

    def isql(self, statements: str) -> str:
        """Run SQL statements as dba (the Debian package's default password, on loopback)."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=statements,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        if "*** Error" in done.stdout or "*** Error" in done.stderr:
            raise RuntimeError(f"isql: {done.stdout}{done.stderr}")
        return done.stdout

    def load(self, dump: Path) -> None:
        """Bulk-load an N-Quads file of the server's folder (Virtuoso's RDF loader), then
        checkpoint."""
        self.isql(
            f"ld_dir ('{dump.parent}', '{dump.name}', 'urn:qpvkg:unnamed');\n"
            "rdf_loader_run ();\ncheckpoint;\n"
        )
        errors = self.isql(
            "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
        )
        if "0 Rows" not in errors:
            raise RuntimeError(f"virtuoso's loader: {errors}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def settings(self, state: Path, **overrides: Any) -> Settings:
        """qpvkg's settings over this server: the recipe's, its local state under ``state``."""
        values: dict[str, Any] = {"workers": 1, "query_timeout_s": 10, **overrides}
        return Settings(
            project_dir=PROJECT_DIR,
            store=self.url,
            store_query_url=f"{self.url}/sparql",
            store_update_url=f"{self.url}/sparql-auth",
            store_gsp_url=f"{self.url}/sparql-graph-crud-auth",
            store_user=USER,
            store_password=PASSWORD,
            store_auth="digest",
            store_timeout_param="timeout",
            store_timeout_unit="ms",
            store_describe="client",
            store_geosparql="virtuoso",
            store_state=str(state),
            **values,
        )

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def virtuoso_server_copy(
    store: Path, folder: Path, **overrides: Any
) -> Iterator[tuple[VirtuosoServer, Settings]]:
    """A Virtuoso server holding every quad of the embedded ``store`` (bulk-loaded from
    N-Quads, as a deployment would load a dump), and qpvkg's settings over it, with that
    store's publication copied into the local state (same generation, so current)."""
    server = VirtuosoServer(folder / "virtuoso")
    try:
        if overrides.get("service_allow"):  # the recipe's grants for SERVICE endpoints
            server.isql((RECIPE / "service.sql").read_text(encoding="utf-8"))
        dump = server.folder / "qpvkg.nq"
        ox.Store.read_only(str(store)).dump(str(dump), ox.RdfFormat.N_QUADS)
        server.load(dump)
        shutil.copytree(store.parent / f"{store.name}-publish", folder / "state-publish")
        yield server, server.settings(folder / "state", **overrides)
    finally:
        server.stop()


@contextmanager
def virtuoso_copy(store: Path, folder: Path, **overrides: Any) -> Iterator[Settings]:
    """qpvkg's settings over a Virtuoso server holding every quad of the embedded ``store``."""
    with virtuoso_server_copy(store, folder, **overrides) as (_, settings):
        yield settings

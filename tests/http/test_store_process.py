"""Durability of partner writes in a real server process: SIGKILL during a write, restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR
from tests.conftest import free_port, wait_healthy
from tests.http.conftest import STORE_KINDS, OwnStore, store_env
from tests.http.test_server_process import running, zygotes

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"
GRAPH = "https://w3id.org/qpvkg/graph/partner/reseau-test/durable"


class Server:
    """`qpvkg serve` over a store of its own, that a test may kill and start again."""

    def __init__(
        self, store: Path | str, partners: Path, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.store = store
        self.args = args
        self.env = {
            **os.environ,
            "QPVKG_STORE": str(store),
            "QPVKG_PARTNERS_FILE": str(partners),
            "QPVKG_WORKERS": "2",
            **(env or {}),
        }
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "endpoint.cli", "serve", "--no-build"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *self.args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_healthy(self.base, self.process)

    def kill(self) -> None:
        assert self.process is not None
        started = zygotes(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for pid in running(started):  # its query processes go with it
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """A graceful stop (SIGTERM): the server stops its workers and zygote itself."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def peak_rss_kb(self) -> int:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
        )


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server over its own store, embedded (read on disk, for quicker restarts), then in
    an Oxigraph server, which outlives the killed qpvkg server."""
    folder = tmp_path_factory.mktemp("durable")
    partners = folder / "partners.json"
    with own_store.settings(request.param, folder) as settings:
        env = {"QPVKG_IN_MEMORY": "false", **store_env(settings)}
        server = Server(settings.store, partners, env=env)
        server.token = PartnerRegistry(partners).add("reseau-test")  # type: ignore[attr-defined]
        server.start()
        yield server
        if server.process is not None and server.process.poll() is None:
            server.kill()


def auth(server: Server) -> dict[str, str]:
    return {"authorization": f"Bearer {server.token}"}  # type: ignore[attr-defined]


def many_projects(n: int) -> bytes:
    """A valid contribution of n fictitious projects (9 triples each)."""
    one = (FIXTURES / "projet.nt").read_text(encoding="utf-8")
    lines = []
    for i in range(n):
        lines.append(one.replace("projet/2>", f"projet/lot-{i}>").replace("_:i ", f"_:i{i} "))
    return "".join(lines).encode("utf-8")


def state(server: Server) -> tuple[int, list[int]]:
    """(triples in the graph, versions recorded)."""
    graph = httpx.get(
        f"{server.base}/store", params={"graph": GRAPH}, headers={"accept": "application/n-triples"}
    )
    triples = graph.text.count("\n") if graph.status_code == 200 else 0
    history = httpx.get(f"{server.base}/store/history", params={"graph": GRAPH})
    versions = (
        [v["version"] for v in history.json()["versions"]] if history.status_code == 200 else []
    )
    return triples, versions


def kill_during_put(server: Server, payload: bytes, sent: int, delay: float) -> None:
    """Send a PUT of ``payload`` (its first ``sent`` bytes, all if -1), wait, SIGKILL the
    server, start it again."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        head = (
            f"PUT /store?graph={GRAPH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {server.token}\r\n"  # type: ignore[attr-defined]
            f"Content-Type: application/n-triples\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        sock.sendall(head.encode() + (payload if sent < 0 else payload[:sent]))
        time.sleep(delay)
        server.kill()
    server.start()


def test_a_write_killed_mid_upload_leaves_the_previous_version(server: Server) -> None:
    first = httpx.put(
        f"{server.base}/store",
        params={"graph": GRAPH},
        content=(FIXTURES / "projet.ttl").read_bytes(),
        headers={"content-type": "text/turtle", **auth(server)},
        timeout=60,
    )
    assert first.status_code == 201, first.text
    assert state(server) == (9, [1])
    payload = many_projects(200)
    kill_during_put(server, payload, len(payload) // 2, 0.3)
    assert state(server) == (9, [1])


def test_a_write_killed_while_processed_is_all_or_nothing(server: Server) -> None:
    old_triples, old_versions = state(server)
    # killed a second after the body is sent: while it is parsed, validated or committed
    kill_during_put(server, many_projects(1000), -1, 1.0)
    triples, versions = state(server)
    # the store opens cleanly and holds one whole version: the old one or the new one
    if versions == old_versions:
        assert triples == old_triples
    else:
        assert versions == [old_versions[0] + 1, *old_versions]
        assert triples == 1000 * 9


def test_an_accepted_write_survives_a_kill(server: Server) -> None:
    response = httpx.put(
        f"{server.base}/store",
        params={"graph": GRAPH},
        content=(FIXTURES / "projet.nt").read_bytes(),
        headers={"content-type": "application/n-triples", **auth(server)},
        timeout=60,
    )
    assert response.status_code in (200, 201), response.text
    version = response.json()["version"]
    server.kill()
    server.start()
    triples, versions = state(server)
    assert triples == 9 and versions[0] == version


def test_an_entity_bomb_costs_no_memory(server: Server) -> None:
    before = server.peak_rss_kb()
    response = httpx.put(
        f"{server.base}/store",
        params={"graph": GRAPH},
        content=(FIXTURES / "bomb.rdf").read_bytes(),
        headers={"content-type": "application/rdf+xml", **auth(server)},
        timeout=60,
    )
    assert response.status_code == 400
    assert server.peak_rss_kb() - before < 8 * 1024  # the peak grew by less than 8 MB
    assert httpx.get(f"{server.base}/-/health").status_code == 200

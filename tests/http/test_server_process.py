"""End to end: `qpvkg serve` as a real uvicorn process, queried over TCP, then stopped."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server
from tests.http.conftest import KINDS_EXTERNAL_IN_CI, OwnStore, store_env


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def zygotes(server_pid: int) -> list[int]:
    """The query zygotes a server process started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server_pid and "endpoint.zygote" in command_line(int(entry.name)):
            found.append(int(entry.name))
    return found


def running(pids: list[int]) -> list[int]:
    """Those of the zygotes still running (a zombie has no command line)."""
    return [pid for pid in pids if "endpoint.zygote" in command_line(pid)]


@pytest.fixture(scope="module", params=KINDS_EXTERNAL_IN_CI)
def server(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`qpvkg serve` over its own store: embedded, then in an Oxigraph server."""
    folder = tmp_path_factory.mktemp("process")
    with own_store.settings(request.param, folder, server_timeout_s=7) as settings:
        env = {**store_env(settings), "QPVKG_QUERY_TIMEOUT_S": "6", "QPVKG_WORKERS": "2"}
        base, process = start_server(env)
        yield base, process
        if process.poll() is None:
            process.kill()
            process.wait()


def test_query_over_tcp(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    response = httpx.get(
        f"{base}/sparql",
        params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/qpvkg/def#CaseStudy> }"
        },
        headers={"accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.text.split() == ["n", "17"]
    assert "server-timing" in response.headers


def test_slow_query_does_not_block_others(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, _ = server
    result: dict[str, int] = {}

    def slow() -> None:
        result["slow"] = httpx.get(
            f"{base}/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"},
            timeout=30,
        ).status_code

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    fast = [
        httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10).status_code
        for _ in range(10)
    ]
    assert "slow" not in result
    assert fast == [200] * 10
    thread.join()
    assert result["slow"] == 503
    health = httpx.get(f"{base}/-/health")
    assert health.status_code == 200


def restarts(base: str) -> float:
    text = httpx.get(f"{base}/-/metrics").text
    line = next(li for li in text.splitlines() if li.startswith("qpvkg_worker_restarts_total"))
    return float(line.split()[1])


def test_a_client_that_goes_away_frees_its_worker(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, _ = server
    before = restarts(base)
    with pytest.raises(httpx.TimeoutException):
        httpx.get(
            f"{base}/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"},
            timeout=0.5,
        )
    time.sleep(1.0)  # well before the server's own 6 s limit
    assert restarts(base) >= before + 1


def test_graceful_shutdown(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, process = server
    started = zygotes(process.pid)
    assert started, "the query zygote should be running"
    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "Application shutdown complete" in output, output
    time.sleep(0.5)
    assert running(started) == [], "the query processes should be gone"
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/-/health", timeout=1)

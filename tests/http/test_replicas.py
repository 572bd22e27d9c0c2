"""Read replicas on one machine: a writer ships each generation, two replicas serve it.

Three real `qpvkg serve` processes: the writer (QPVKG_REPLICA_DIR), a replica holding the
graph in memory and one reading it on disk (`--read-only --replica-dir`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loaders.partners import PartnerRegistry
from tests.conftest import copy_store
from tests.http.test_store_process import FIXTURES, Server

# real process pools and replica servers: run by `make test-ci`
pytestmark = pytest.mark.ci

GRAPH = "https://w3id.org/qpvkg/graph/partner/reseau-test/replicated"
PROJECT = "https://data.reseau-test.example/projet/2"
ASK_PROJECT = f"ASK {{ <{PROJECT}> ?p ?o }}"


class Cluster:
    def __init__(self, writer: Server, replicas: list[Server], token: str) -> None:
        self.writer = writer
        self.replicas = replicas
        self.token = token

    @property
    def servers(self) -> list[Server]:
        return [self.writer, *self.replicas]

    def put(self, server: Server, body: bytes, media: str) -> httpx.Response:
        return httpx.put(
            f"{server.base}/store",
            params={"graph": GRAPH},
            content=body,
            headers={"content-type": media, "authorization": f"Bearer {self.token}"},
            timeout=60,
        )


@pytest.fixture(scope="module")
def cluster(served_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("replicas")
    ship = folder / "ship"
    copy_store(served_store, folder / "writer")
    partners = folder / "partners.json"
    token = PartnerRegistry(partners).add("reseau-test")
    fast = {"QPVKG_REPLICA_POLL_S": "0.2"}
    writer = Server(
        folder / "writer",
        partners,
        env={"QPVKG_REPLICA_DIR": str(ship), "QPVKG_IN_MEMORY": "false"},
    )
    replicas = [
        Server(folder / name, partners, "--read-only", "--replica-dir", str(ship), env=env)
        for name, env in (
            ("replica-memory", fast),
            ("replica-disk", {**fast, "QPVKG_IN_MEMORY": "false"}),
        )
    ]
    started: list[Server] = []
    try:
        for server in (writer, *replicas):  # the writer ships before the replicas start
            server.start()
            started.append(server)
        yield Cluster(writer, replicas, token)
    finally:
        for server in started:
            server.stop()


def version(server: Server) -> dict[str, object]:
    response = httpx.get(f"{server.base}/-/version", timeout=10)
    assert response.status_code == 200
    result: dict[str, object] = response.json()
    return result


def ask(server: Server, query: str) -> tuple[int, bool | None]:
    response = httpx.get(
        f"{server.base}/sparql",
        params={"query": query},
        headers={"accept": "application/sparql-results+json"},
        timeout=30,
    )
    return response.status_code, response.json().get("boolean") if response.is_success else None


def wait_for_generation(cluster: Cluster, generation: object, limit_s: float = 90) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if all(version(r)["generation"] == generation for r in cluster.replicas):
            return
        time.sleep(0.2)
    seen = [version(r)["generation"] for r in cluster.replicas]
    pytest.fail(f"the replicas serve {seen}, not the writer's generation {generation}")


def test_the_replicas_serve_the_generation_the_writer_shipped(cluster: Cluster) -> None:
    versions = [version(s) for s in cluster.servers]
    assert [v["role"] for v in versions] == ["writer", "replica", "replica"]
    assert len({v["generation"] for v in versions}) == 1
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    counts = {
        httpx.get(f"{s.base}/sparql", params={"query": count}, headers={"accept": "text/csv"}).text
        for s in cluster.servers
    }
    assert len(counts) == 1, counts


def test_a_replica_refuses_writes_and_changes_nothing(cluster: Cluster) -> None:
    replica = cluster.replicas[0]
    before = version(replica)["generation"]
    response = cluster.put(replica, (FIXTURES / "projet.nt").read_bytes(), "application/n-triples")
    assert response.status_code == 405, response.text
    assert response.json()["error"]["code"] == "read_only_replica"
    assert "writer" in response.json()["error"]["message"]
    assert response.headers["allow"] == "GET, HEAD"
    assert version(replica)["generation"] == before
    assert ask(replica, ASK_PROJECT) == (200, False)


def test_a_write_reaches_every_replica_which_switches_in_one_step(cluster: Cluster) -> None:
    replica = cluster.replicas[0]
    seen: list[tuple[int, bool | None]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(ask(replica, ASK_PROJECT))
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        response = cluster.put(
            cluster.writer, (FIXTURES / "projet.nt").read_bytes(), "application/n-triples"
        )
        assert response.status_code == 201, response.text
        wait_for_generation(cluster, version(cluster.writer)["generation"])
        time.sleep(0.3)
    finally:
        stop.set()
        reader.join()
    for other in cluster.replicas:
        assert ask(other, ASK_PROJECT) == (200, True)
    # every read during the switch was answered, from the old generation and then the new
    assert {status for status, _ in seen} == {200}
    answers = [answer for _, answer in seen]
    assert answers[0] is False and answers[-1] is True
    first_new = answers.index(True)
    assert all(answers[first_new:]), "a read after the switch saw the old generation"


def test_a_replica_reads_the_history_shipped_with_its_generation(cluster: Cluster) -> None:
    """After the write above: the version list comes from the store, the versions' content
    (read by a diff) from the history shipped with the generation."""
    for replica in cluster.replicas:
        history = httpx.get(f"{replica.base}/store/history", params={"graph": GRAPH})
        assert [v["version"] for v in history.json()["versions"]] == [1]
        diff = httpx.get(f"{replica.base}/store/diff", params={"graph": GRAPH, "from": 1})
        assert diff.status_code == 200, diff.text
        assert diff.json() == {"graph": GRAPH, "from": 1, "to": 1, "added": [], "removed": []}


def test_the_replicas_serve_the_writers_publication(cluster: Cluster) -> None:
    """Dumps, VoID and catalogue: the writer publishes in the background and ships each
    publication; a replica serves it as it is and never publishes itself."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        bodies = [httpx.get(f"{s.base}/catalog.ttl", timeout=10) for s in cluster.servers]
        if all(b.status_code == 200 for b in bodies) and len({b.content for b in bodies}) == 1:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the catalogues differ: {[b.status_code for b in bodies]}")
    for replica in cluster.replicas:
        assert not replica.store.with_name(f"{replica.store.name}-publish").exists()
        dump = httpx.get(f"{replica.base}/dumps/qpvkg.nq.gz", timeout=30)
        assert dump.status_code == 200
        assert dump.content == httpx.get(f"{cluster.writer.base}/dumps/qpvkg.nq.gz").content

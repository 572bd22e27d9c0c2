"""Durability over Virtuoso: the server killed (SIGKILL) during a partner's write, then started
again on the same folder, holds one whole version of the graph, as over the other store kinds
(tests/http/test_store_process.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from loaders.build import BuildReport
from loaders.partners import PartnerRegistry
from loaders.settings import Settings
from tests.http.test_store_process import FIXTURES, GRAPH, Server, many_projects, state
from tests.virtuoso import VirtuosoServer, available, virtuoso_server_copy

pytestmark = [
    pytest.mark.ci,
    pytest.mark.skipif(
        not available(),
        reason="Debian's virtuoso-opensource is not installed (.ci/run installs it)",
    ),
]

#: the settings that give a `qpvkg serve` process its external store
REMOTE_FIELDS = (
    "store",
    "store_query_url",
    "store_update_url",
    "store_gsp_url",
    "store_user",
    "store_password",
    "store_auth",
    "store_timeout_param",
    "store_timeout_unit",
    "store_state",
)


def remote_env(settings: Settings) -> dict[str, str]:
    env = {f"QPVKG_{name.upper()}": str(getattr(settings, name)) for name in REMOTE_FIELDS}
    env["QPVKG_STORE_PASSWORD"] = settings.store_password.get_secret_value()
    return env


@pytest.fixture(scope="module")
def durable(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[VirtuosoServer, Server]]:
    """`qpvkg serve` over a Virtuoso server of its own, holding the session's graph (a write
    reads the graph's blank nodes back in one query, which takes Virtuoso seconds: the time
    limit is raised for a loaded machine)."""
    folder = tmp_path_factory.mktemp("virtuoso-durable")
    partners = folder / "partners.json"
    with virtuoso_server_copy(settings.store_path, folder) as (virtuoso, remote):
        server = Server(
            remote.store,
            partners,
            env={"QPVKG_IN_MEMORY": "false", "QPVKG_QUERY_TIMEOUT_S": "120", **remote_env(remote)},
        )
        server.token = PartnerRegistry(partners).add("reseau-test")  # type: ignore[attr-defined]
        server.start()
        try:
            yield virtuoso, server
        finally:
            server.stop()


def test_virtuoso_killed_during_a_write_keeps_one_whole_version(
    durable: tuple[VirtuosoServer, Server],
) -> None:
    virtuoso, server = durable
    first = httpx.put(
        f"{server.base}/store",
        params={"graph": GRAPH},
        content=(FIXTURES / "projet.nt").read_bytes(),
        headers={
            "content-type": "application/n-triples",
            "authorization": f"Bearer {server.token}",  # type: ignore[attr-defined]
        },
        timeout=120,
    )
    assert first.status_code == 201, first.text
    assert state(server) == (9, [1])
    payload = many_projects(1000)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        head = (
            f"PUT /store?graph={GRAPH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {server.token}\r\n"  # type: ignore[attr-defined]
            f"Content-Type: application/n-triples\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        sock.sendall(head.encode() + payload)
        # a write of 1,000 projects is parsed and validated by qpvkg, then sent to Virtuoso
        # as one update: the server is killed while it is on its way or being applied
        time.sleep(2.0)
        virtuoso.kill()
    virtuoso.start()
    triples, versions = state(server)
    if versions == [1]:
        assert triples == 9
    else:
        assert versions == [2, 1] and triples == 1000 * 9

"""How long a read replica takes to serve a write: a writer and two replicas of the repository.

Usage: python -m benchmarks.replica_lag [--writes 3] [--out benchmarks/results/replica-lag.json]

The writer serves a copy of the store `qpvkg build` makes (under var/bench/lag/), ships to a
folder there, and two replicas serve it: one holding the graph in memory (the default), one
reading it on disk (QPVKG_IN_MEMORY=false). A partner writes a small graph N times; for each
write, the command prints how long after the writer's answer each replica served the writer's
new generation (its /-/version), polled every 50 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import time
from pathlib import Path

import httpx

from benchmarks.http_load import WORK, Server, get
from loaders.build import build
from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.replica_lag")
PROJET = PROJECT_DIR / "tests" / "fixtures" / "contributions" / "projet.nt"


def generation(server: Server) -> str:
    status, body, _ = get(server, "/-/version", "application/json", timeout=10)
    return str(json.loads(body)["generation"]) if status == 200 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=3)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    folder = WORK / "lag"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = folder / "writer"
    report = build(Settings(project_dir=PROJECT_DIR, store=str(store)), None)
    log.info("store of %s triples", f"{report.total_triples:,}")
    partners = folder / "partners.json"
    token = PartnerRegistry(partners).add("reseau-bench")
    qpvkg = str(PROJECT_DIR / ".venv" / "bin" / "qpvkg")
    ship = str(folder / "ship")
    common = {"QPVKG_PARTNERS_FILE": str(partners), "QPVKG_WORKERS": "2"}
    writer = Server(
        "writer",
        [qpvkg, "serve", "--no-build", "--store", str(store), "--port", "{port}"],
        "/sparql",
        "repo",
        {**common, "QPVKG_REPLICA_DIR": ship, "QPVKG_IN_MEMORY": "false"},
    )
    replicas = {
        kind: Server(
            f"replica-{kind}",
            [qpvkg, "serve", "--read-only", "--replica-dir", ship, "--port", "{port}"],
            "/sparql",
            "repo",
            {
                **common,
                "QPVKG_STORE": str(folder / f"replica-{kind}"),
                "QPVKG_IN_MEMORY": "true" if kind == "memory" else "false",
                "QPVKG_REPLICA_POLL_S": "0.1",
            },
        )
        for kind in ("memory", "disk")
    }
    started: list[Server] = []
    lags: dict[str, list[float]] = {kind: [] for kind in replicas}
    try:
        for server in (writer, *replicas.values()):
            server.start(folder / "logs")
            started.append(server)
        for n in range(args.writes):
            response = httpx.put(
                f"{writer.base_url}/store",
                params={"graph": f"https://w3id.org/qpvkg/graph/partner/reseau-bench/lag-{n}"},
                content=PROJET.read_bytes(),
                headers={
                    "content-type": "application/n-triples",
                    "authorization": f"Bearer {token}",
                },
                timeout=120,
            )
            answered = time.monotonic()
            if response.status_code not in (200, 201):
                sys.exit(f"the write failed: {response.status_code} {response.text}")
            wanted = generation(writer)
            waiting = dict(replicas)
            while waiting and time.monotonic() - answered < 300:
                for kind, replica in list(waiting.items()):
                    if generation(replica) == wanted:
                        lags[kind].append(time.monotonic() - answered)
                        del waiting[kind]
                time.sleep(0.05)
            if waiting:
                sys.exit(f"no switch within 300 s: {sorted(waiting)}")
            log.info("write %d: %s", n + 1, {k: round(v[-1], 2) for k, v in lags.items()})
            time.sleep(2)
    finally:
        for server in reversed(started):
            server.stop()
    result = {
        "triples": report.total_triples,
        "writes": args.writes,
        "seconds_after_the_writers_answer": lags,
        "median": {k: round(statistics.median(v), 2) for k, v in lags.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "replica-lag.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""What hostile contributions cost a real server: peak memory and time of each refusal.

Usage: python -m benchmarks.bombs [--out benchmarks/results]

A `qpvkg serve` process over the store `qpvkg build` makes (under var/bench/bombs/) receives,
from one partner, each of: an RDF/XML entity bomb (one flat entity of 20,000 bytes whose name
has a colon, referenced 10,000 times: a 68 KB body that expands to a 200 MB literal), a 20 MB
literal in N-Triples, in RDF/XML and as a JSON-LD string, and JSON-LD nested 100,000 deep. For
each: the status and error code, the seconds to the answer, and the growth of the server
process's peak RSS over its RSS before the request (VmHWM from /proc/PID/status, reset
through /proc/PID/clear_refs before each); then whether the graph has a version (404: none).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path

import httpx

from benchmarks.http_load import WORK, Server
from loaders.build import build
from loaders.namespaces import RDFS_LABEL
from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.bombs")
GRAPH = "https://w3id.org/qpvkg/graph/partner/reseau-bench/bombe"
SUBJECT = "https://data.reseau-bench.example/projet/x"
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
RDFS = 'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'
LABEL = RDFS_LABEL
XML = "application/rdf+xml"


def bodies() -> list[tuple[str, bytes, str]]:
    """(name, body, media type) of each hostile contribution."""
    big = "x" * 20_000_000
    description = f'<rdf:RDF {RDF} {RDFS}><rdf:Description rdf:about="{SUBJECT}">'
    entity = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a:b "{"x" * 20_000}">]>\n'
        f"{description}<rdfs:label>{'&a:b;' * 10_000}</rdfs:label></rdf:Description></rdf:RDF>"
    )
    xml = f'<?xml version="1.0"?>{description}<rdfs:label xml:lang="fr">{big}</rdfs:label>'
    see = '"http://www.w3.org/2000/01/rdf-schema#seeAlso"'
    depth = 100_000
    deep = (
        f'{{"@id": "{SUBJECT}", {see}: '
        + f"{{{see}: " * (depth - 1)
        + '{"@id": "https://data.reseau-bench.example/fond"}'
        + "}" * depth
    )
    literal = f'<{SUBJECT}> <{LABEL}> "{big}"@fr .\n'
    string = json.dumps({"@id": SUBJECT, LABEL: big})
    return [
        ("entity bomb (RDF/XML)", entity.encode(), XML),
        ("20 MB literal (N-Triples)", literal.encode(), "application/n-triples"),
        ("20 MB literal (RDF/XML)", f"{xml}</rdf:Description></rdf:RDF>".encode(), XML),
        ("20 MB string (JSON-LD)", string.encode(), "application/ld+json"),
        ("JSON-LD 100,000 deep", deep.encode(), "application/ld+json"),
    ]


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    folder = WORK / "bombs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    store = folder / "store"
    report = build(Settings(project_dir=PROJECT_DIR, store=str(store)), None)
    log.info("store of %s triples", f"{report.total_triples:,}")
    partners = folder / "partners.json"
    token = PartnerRegistry(partners).add("reseau-bench")
    qpvkg = str(PROJECT_DIR / ".venv" / "bin" / "qpvkg")
    server = Server(
        "qpvkg",
        [qpvkg, "serve", "--no-build", "--store", str(store), "--port", "{port}"],
        "/sparql",
        "repo",
        {"QPVKG_PARTNERS_FILE": str(partners), "QPVKG_WORKERS": "2", "QPVKG_IN_MEMORY": "false"},
    )
    rows = []
    server.start(folder / "logs")
    try:
        assert server.process is not None
        pid = server.process.pid
        for name, body, media in bodies():
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak starts again from here
            rss_before, _ = memory_kb(pid)
            started = time.perf_counter()
            response = httpx.put(
                f"{server.base_url}/store",
                params={"graph": GRAPH},
                content=body,
                headers={"content-type": media, "authorization": f"Bearer {token}"},
                timeout=600,
            )
            seconds = time.perf_counter() - started
            _, peak_after = memory_kb(pid)
            error = response.json().get("error", {}) if response.status_code >= 400 else {}
            rows.append(
                {
                    "case": name,
                    "body_kb": len(body) // 1024,
                    "status": response.status_code,
                    "code": error.get("code", ""),
                    "seconds": round(seconds, 2),
                    "peak_rss_growth_mb": round((peak_after - rss_before) / 1024, 1),
                }
            )
            log.info("%s", rows[-1])
        history = httpx.get(f"{server.base_url}/store/history", params={"graph": GRAPH})
    finally:
        server.stop()
    result = {"triples": report.total_triples, "cases": rows, "versions": history.status_code}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bombs.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

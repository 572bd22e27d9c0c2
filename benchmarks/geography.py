"""What the QPV geography costs the build: time, store size and triples, with and without it.

Usage: python -m benchmarks.geography [--runs 3] [--out benchmarks/results/geography.json]

Two copies of the repository's sources (ontology, shapes, queries, publication, data) are built
with the `qpvkg build` code into empty stores, each --runs times (medians reported): one without
the geography snapshots (data/reference/qpv-2024, communes-centres, contours-departements,
contours-regions), one with them. Peer: pyoxigraph's own `Store.bulk_load` of the geography
snapshots alone into an empty store, the floor any loader of the added data pays.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from loaders.build import build
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.geography")

GEOGRAPHY = ("qpv-2024", "communes-centres", "contours-departements", "contours-regions")
FOLDERS = ("ontology", "shapes", "queries", "publication", "data")


def project_copy(root: Path, with_geography: bool) -> Path:
    """The repository's sources under ``root``, with or without the geography snapshots."""
    for name in FOLDERS:
        if (PROJECT_DIR / name).is_dir():
            shutil.copytree(PROJECT_DIR / name, root / name)
    if not with_geography:
        for name in GEOGRAPHY:
            (root / "data" / "reference" / f"{name}.nt.gz").unlink(missing_ok=True)
    return root


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def clean_build(project: Path, store: Path) -> tuple[float, int, int]:
    settings = Settings(project_dir=project, store=str(store))
    start = time.perf_counter()
    report = build(settings)
    seconds = time.perf_counter() - start
    return seconds, report.total_triples, size_of(store)


def peer_bulk_load(folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    store = ox.Store(str(folder / "peer"))
    for name in GEOGRAPHY:
        with gzip.open(PROJECT_DIR / "data" / "reference" / f"{name}.nt.gz", "rb") as handle:
            store.bulk_load(handle, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(f"urn:{name}"))  # type: ignore[arg-type]
    store.flush()
    store.optimize()
    elapsed = time.perf_counter() - start
    triples = len(store)
    del store
    return elapsed, triples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "geography.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(message)s")

    measured: dict[str, dict[str, list[float]]] = {}
    triples: dict[str, int] = {}
    for variant in ("without", "with"):
        times, sizes = [], []
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                project = project_copy(Path(tmp) / "project", variant == "with")
                seconds, total, size = clean_build(project, Path(tmp) / "store")
            times.append(seconds)
            sizes.append(float(size))
            triples[variant] = total
            log.info(
                "%s geography, run %d: %.1f s, %d triples, %d bytes",
                variant,
                i + 1,
                seconds,
                total,
                size,
            )
        measured[variant] = {"build_s": times, "store_bytes": sizes}
    peers = []
    peer_triples = 0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, peer_triples = peer_bulk_load(Path(tmp))
            peers.append(seconds)

    def median(variant: str, key: str) -> float:
        return statistics.median(measured[variant][key])

    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "runs": args.runs,
        "without_geography": {
            "triples": triples["without"],
            "build_s": {
                "median": median("without", "build_s"),
                "all": measured["without"]["build_s"],
            },
            "store_bytes": {
                "median": median("without", "store_bytes"),
                "all": measured["without"]["store_bytes"],
            },
        },
        "with_geography": {
            "triples": triples["with"],
            "build_s": {"median": median("with", "build_s"), "all": measured["with"]["build_s"]},
            "store_bytes": {
                "median": median("with", "store_bytes"),
                "all": measured["with"]["store_bytes"],
            },
        },
        "added_triples": triples["with"] - triples["without"],
        "peer_bulk_load_geography_s": {
            "median": statistics.median(peers),
            "all": peers,
            "triples": peer_triples,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log.info(
        "build %.1f s -> %.1f s, store %.0f MB -> %.0f MB, +%d triples; peer bulk_load %.1f s",
        median("without", "build_s"),
        median("with", "build_s"),
        median("without", "store_bytes") / 1e6,
        median("with", "store_bytes") / 1e6,
        result["added_triples"],
        statistics.median(peers),
    )


if __name__ == "__main__":
    main()

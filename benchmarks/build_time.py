"""Build time of the full graph (territories included), against a raw pyoxigraph bulk load.

Usage: python -m benchmarks.build_time [--runs 3] [--out benchmarks/results/build.json]

Measured, each the median of --runs runs on fresh folders:
- clean build: `qpvkg build` code into an empty store (parse, SHACL validation of the curated
  data, one graph per file, provenance);
- no-op rebuild: the same build again, every source unchanged;
- peer: pyoxigraph's own `Store.bulk_load` of the same quads (an N-Quads dump of the built
  store) into an empty store: the floor any loader of this data pays.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import platform
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from loaders.build import build
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.build_time")


def clean_build(folder: Path) -> tuple[float, float, int]:
    settings = Settings(project_dir=PROJECT_DIR, store=str(folder / "store"))
    start = time.perf_counter()
    report = build(settings)
    return time.perf_counter() - start, report.validation_seconds, report.total_triples


def noop_rebuild(folder: Path) -> float:
    settings = Settings(project_dir=PROJECT_DIR, store=str(folder / "store"))
    start = time.perf_counter()
    report = build(settings)
    assert not report.loaded, "a rebuild with unchanged sources reloaded graphs"
    return time.perf_counter() - start


def peer_bulk_load(dump: bytes, folder: Path) -> float:
    start = time.perf_counter()
    store = ox.Store(str(folder / "peer"))
    store.bulk_load(io.BytesIO(dump), ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    elapsed = time.perf_counter() - start
    del store
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "build.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(message)s")

    builds, validations, rebuilds, peers = [], [], [], []
    triples = 0
    dump = b""
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            seconds, validation, triples = clean_build(folder)
            builds.append(seconds)
            validations.append(validation)
            rebuilds.append(noop_rebuild(folder))
            if not dump:
                store = ox.Store.read_only(str(folder / "store"))
                buffer = io.BytesIO()
                store.dump(buffer, ox.RdfFormat.N_QUADS)
                dump = buffer.getvalue()
                del store
        with tempfile.TemporaryDirectory() as tmp:
            peers.append(peer_bulk_load(dump, Path(tmp)))
        log.info(
            "run %d: build %.1f s (validation %.1f s), rebuild %.2f s, peer %.1f s",
            i + 1,
            builds[-1],
            validations[-1],
            rebuilds[-1],
            peers[-1],
        )

    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
            "platform": platform.platform(),
        },
        "runs": args.runs,
        "triples": triples,
        "clean_build_s": {"median": statistics.median(builds), "all": builds},
        "validation_s": {"median": statistics.median(validations), "all": validations},
        "noop_rebuild_s": {"median": statistics.median(rebuilds), "all": rebuilds},
        "peer_bulk_load_s": {"median": statistics.median(peers), "all": peers},
        "ratio_build_to_peer": statistics.median(builds) / statistics.median(peers),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log.info(
        "median clean build %.1f s for %d triples (validation %.1f s); no-op rebuild %.2f s; "
        "pyoxigraph bulk_load peer %.1f s; ratio %.1f",
        result["clean_build_s"]["median"],
        triples,
        result["validation_s"]["median"],
        result["noop_rebuild_s"]["median"],
        result["peer_bulk_load_s"]["median"],
        result["ratio_build_to_peer"],
    )


if __name__ == "__main__":
    main()

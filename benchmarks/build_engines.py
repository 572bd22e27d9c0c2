"""The build and the publication over each store engine, in the same run.

Usage: python -m benchmarks.build_engines [--engines embedded,oxigraph,virtuoso] [--runs 1]
       [--out benchmarks/results/build-engines.json]

`qpvkg build` of the repository (ontology, shapes, the study, the official territories: every
graph parsed, validated and written with its provenance, then the dumps, VoID and catalogue
published), each time into an empty store: the embedded store (a folder), Oxigraph's server
and Virtuoso (each started on an empty database, as ``tests/remote.py`` and
``tests/virtuoso.py`` start them for the tests, with the recipe of ``deploy/virtuoso/``). The
figures are the medians of ``--runs`` runs: the whole build, its validation, and the
publication.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.build import build
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.build_engines")


@contextmanager
def embedded(folder: Path) -> Iterator[Settings]:
    yield Settings(project_dir=PROJECT_DIR, store=str(folder / "store"))


@contextmanager
def oxigraph(folder: Path) -> Iterator[Settings]:
    from tests.remote import OxigraphServer

    server = OxigraphServer(folder / "oxigraph", timeout_s=600)
    try:
        yield server.settings(folder / "state", query_timeout_s=600)
    finally:
        server.stop()


@contextmanager
def virtuoso(folder: Path) -> Iterator[Settings]:
    from tests.virtuoso import VirtuosoServer

    server = VirtuosoServer(folder / "virtuoso")
    try:
        yield server.settings(folder / "state", query_timeout_s=600)
    finally:
        server.stop()


ENGINES: dict[str, Callable[[Path], Any]] = {
    "embedded": embedded,
    "oxigraph": oxigraph,
    "virtuoso": virtuoso,
}


def one_build(engine: str) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix=f"qpvkg-build-{engine}-") as tmp,
        ENGINES[engine](Path(tmp)) as settings,
    ):
        start = time.perf_counter()
        report = build(settings)
        seconds = time.perf_counter() - start
    log.info(
        "%s: %.1f s (validation %.1f s, publication %.1f s), %s triples",
        engine,
        seconds,
        report.validation_seconds,
        report.publish_seconds,
        f"{report.total_triples:,}",
    )
    return {
        "seconds": seconds,
        "validation_s": report.validation_seconds,
        "publish_s": report.publish_seconds,
        "triples": report.total_triples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--engines", type=lambda s: s.split(","), default=list(ENGINES))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "build-engines.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    runs: dict[str, list[dict[str, float]]] = {e: [] for e in args.engines}
    for _ in range(args.runs):
        for engine in args.engines:  # alternated: the machine's load falls on each alike
            runs[engine].append(one_build(engine))
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "pyoxigraph": ox.__version__,
        "runs": args.runs,
        "engines": {
            engine: {
                key: statistics.median(r[key] for r in found)
                for key in ("seconds", "validation_s", "publish_s", "triples")
            }
            for engine, found in runs.items()
        },
    }
    base = result["engines"].get("embedded", {}).get("seconds")
    for figures in result["engines"].values():
        figures["against_embedded"] = round(figures["seconds"] / base, 2) if base else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        "| engine | build and publication, s | of which validation, s | publication, s | "
        "against the embedded store |",
        "|---|---|---|---|---|",
    ]
    for engine, f in result["engines"].items():
        lines.append(
            f"| {engine} | {f['seconds']:.1f} | {f['validation_s']:.1f} | {f['publish_s']:.1f} | "
            f"{f['against_embedded']} |"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Evaluation time of every named query (queries/*.rq) on the benchmark graphs.

Usage: python -m benchmarks.named_queries [--size 100k|1m|all] [--runs 3] [--limit 60]
       [--queries NAME,...] [--out-dir benchmarks/results] [--report]

The graphs are those of benchmarks/http_load.py, built the same way under var/bench/ (never in
data/): 1m, the whole repository with the official territories plus
`python -m benchmarks.synth --projects 14500` (about a million triples); 100k, the repository
without the territories it does not point to plus `python -m benchmarks.synth --projects 2000`.

Each query runs with its examples in two variants: `required` (only its required parameters,
each with its example: the broadest answer) and `examples` (every parameter with an example;
only for a query that has an optional one). A variant is evaluated --runs times in a child
process that holds the graph as the server's query workers do (in memory, or with --on-disk
the store on disk), every solution read; the medians of the wall-clock time and of the
process's CPU time (steadier on a shared machine) are kept. A run that has not finished after
--limit seconds is recorded as over the limit and the child killed (pyoxigraph cannot stop a
query): the query is too slow.

The medians go to benchmarks/results/queries-<size>.json (with --queries, the other queries'
figures already there are kept) and a markdown table to stdout; --report prints the table of
the saved results again, without measuring.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import platform
import queue
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.http_load import SIZES, compose, qpvkg_store, repository_dump, synth_file
from endpoint.worker import load_graph
from loaders.namedqueries import NamedQuery, load_named_queries
from loaders.params import bind
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.named_queries")

RESULTS = PROJECT_DIR / "benchmarks" / "results"


@dataclass(frozen=True)
class Variant:
    query: str
    name: str
    params: dict[str, str]


def variants(catalog: dict[str, NamedQuery], names: list[str] | None) -> list[Variant]:
    """The variants of each query: its required examples, then every example."""
    out = []
    for name, query in sorted(catalog.items()):
        if names and name not in names:
            continue
        required = {p.name: p.example for p in query.params if p.required and p.example}
        everything = {p.name: p.example for p in query.params if p.example}
        out.append(Variant(name, "required", required))
        if everything != required:
            out.append(Variant(name, "examples", everything))
    return out


def evaluate(store: ox.Store, query: NamedQuery, params: dict[str, str]) -> int:
    """Run the query to its last solution (or triple); the number of rows."""
    result = store.query(
        query.sparql, use_default_graph_as_union=True, substitutions=bind(query, params) or None
    )
    if isinstance(result, bool):
        return 1
    return sum(1 for _ in result)


def child(store_dir: str, memory: bool, jobs: Any, out: Any) -> None:
    """Load the graph as the query workers do, then evaluate each job (query, params, runs),
    sending (seconds, CPU seconds, rows) after each run."""
    catalog = load_named_queries(Settings(project_dir=PROJECT_DIR))
    store = load_graph(store_dir, memory)
    out.put(("ready", 0.0, 0))
    while (job := jobs.get()) is not None:
        name, params, runs = job
        for _ in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            rows = evaluate(store, catalog[name], params)
            out.put((time.perf_counter() - start, time.process_time() - cpu, rows))


class Evaluator:
    """A child process holding the graph; killed and started again after a run over the
    limit (a query cannot be stopped otherwise)."""

    def __init__(self, store_dir: Path, memory: bool) -> None:
        self.store_dir, self.memory = store_dir, memory
        self.context = mp.get_context("spawn")
        self.process: Any = None

    def start(self) -> None:
        self.jobs, self.out = self.context.Queue(), self.context.Queue()
        self.process = self.context.Process(
            target=child, args=(str(self.store_dir), self.memory, self.jobs, self.out)
        )
        self.process.start()
        self.out.get(timeout=600)  # loaded

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None

    def measure(self, variant: Variant, runs: int, limit_s: float) -> dict[str, Any]:
        """The median time of a variant, or that it went over the limit."""
        if self.process is None:
            self.start()
        self.jobs.put((variant.query, variant.params, runs))
        times: list[float] = []
        cpus: list[float] = []
        rows = 0
        for _ in range(runs):
            try:
                seconds, cpu, rows = self.out.get(timeout=limit_s)
            except queue.Empty:
                self.stop()
                return {"params": variant.params, "over_limit_s": limit_s}
            times.append(seconds)
            cpus.append(cpu)
        return {
            "params": variant.params,
            "rows": rows,
            "median_s": statistics.median(times),
            "median_cpu_s": statistics.median(cpus),
            "all_s": times,
        }


def store_for(size_name: str) -> tuple[Path, int]:
    size = SIZES[size_name]
    data, quads = compose(size, repository_dump(), synth_file(size.projects))
    return qpvkg_store(size, data), quads


def cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return ""
    if "over_limit_s" in entry:
        return f"> {entry['over_limit_s']:g} s"
    return f"{duration(entry['median_s'])} ({entry['rows']:,} rows)"


def duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"


def table(results: dict[str, dict[str, Any]]) -> str:
    """Queries and variants down; for each graph, the median time, CPU time and rows."""
    sizes = [s for s in SIZES if s in results]
    header = ["query", "parameters"]
    for s in sizes:
        header += [f"{s} time", f"{s} CPU", f"{s} rows"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    names = sorted({q for s in sizes for q in results[s]["queries"]})
    for name in names:
        for variant in ("required", "examples"):
            entries = [results[s]["queries"].get(name, {}).get(variant) for s in sizes]
            if not any(entries):
                continue
            params = next(e["params"] for e in entries if e)
            shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "none"
            cells = [f"`{name}`", shown]
            for entry in entries:
                if entry is None:
                    cells += ["", "", ""]
                elif "over_limit_s" in entry:
                    cells += [f"> {entry['over_limit_s']:g} s", "", ""]
                else:
                    cells += [
                        duration(entry["median_s"]),
                        duration(entry["median_cpu_s"]),
                        f"{entry['rows']:,}",
                    ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_results(out_dir: Path) -> dict[str, dict[str, Any]]:
    results = {}
    for s in SIZES:
        path = out_dir / f"queries-{s}.json"
        if path.exists():
            results[s] = json.loads(path.read_text(encoding="utf-8"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=[*SIZES, "all"], default="all")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--queries", default="", help="comma-separated names (default: all)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    parser.add_argument("--on-disk", action="store_true", help="query the store on disk")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(message)s")

    if not args.report:
        catalog = load_named_queries(Settings(project_dir=PROJECT_DIR))
        names = [n for n in args.queries.split(",") if n] or None
        for size_name in SIZES if args.size == "all" else [args.size]:
            store_dir, quads = store_for(size_name)
            measured: dict[str, dict[str, Any]] = {}
            evaluator = Evaluator(store_dir, not args.on_disk)
            try:
                for variant in variants(catalog, names):
                    entry = evaluator.measure(variant, args.runs, args.limit)
                    measured.setdefault(variant.query, {})[variant.name] = entry
                    log.info("%s %s %s: %s", size_name, variant.query, variant.name, cell(entry))
            finally:
                evaluator.stop()
            path = args.out_dir / f"queries-{size_name}.json"
            if names and path.exists():
                saved = json.loads(path.read_text(encoding="utf-8"))["queries"]
                measured = {**saved, **measured}
            result = {
                "machine": {
                    "python": platform.python_version(),
                    "pyoxigraph": ox.__version__,
                    "cpus": mp.cpu_count(),
                    "platform": platform.platform(),
                },
                "size": size_name,
                "quads": quads,
                "projects": SIZES[size_name].projects,
                "runs": args.runs,
                "limit_s": args.limit,
                "in_memory": not args.on_disk,
                "queries": dict(sorted(measured.items())),
            }
            args.out_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table(load_results(args.out_dir)) + "\n")


if __name__ == "__main__":
    main()

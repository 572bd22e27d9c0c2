"""Light queries while runaway queries run, and a mixed load held for a minute.

Usage: python -m benchmarks.runaways [--store var/store] [--light 60] [--runaways 1,4,16]
       [--load-seconds 60] [--concurrency 32] [--out benchmarks/results/runaways.json]

One `qpvkg serve --no-build` over the store (`qpvkg build` makes var/store: the repository's
data, about 420,000 triples), its settings at their defaults (QPVKG_WORKERS two per CPU,
QPVKG_WORKERS_MAX sixteen per CPU, QPVKG_CLIENT_QUERIES 4), the result cache off so that every
light query runs in a worker. In the same run:
- the latency (median, p99) of --light sequential light queries (an ASK, a point lookup by
  label, each one different) on the idle server;
- the same while 1, 4 and 16 runaway queries run (a three-way cartesian product with a 60 s
  limit, sent from as many clients as the per-client cap needs, X-Forwarded-For), measured once
  every runaway holds a worker; the runaways are then abandoned (their workers are killed);
- --load-seconds of mixed load at --concurrency: the light queries of the mix, and one
  runaway in a hundred requests (a 2 s limit); requests per second, latency and statuses.
Results go to benchmarks/results/runaways.json and a markdown table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from loaders.settings import PROJECT_DIR

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = (
    "ASK {{ ?s a <https://w3id.org/qpvkg/def#CaseStudy> FILTER(?s != <urn:x:{n}>) }}",
    "SELECT ?s WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
    'FILTER(?l != "{n}") }} LIMIT 5',
)
SENT = itertools.count()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(store: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {**os.environ, "QPVKG_STORE": str(store), "QPVKG_CACHE_MB": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "endpoint.cli", "serve", "--no-build", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/-/health", timeout=1).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def light_params() -> dict[str, str]:
    n = next(SENT)
    return {"query": LIGHT[n % len(LIGHT)].format(n=n)}


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def lights(client: httpx.AsyncClient, base: str, n: int) -> dict[str, Any]:
    latencies, statuses = [], []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get(f"{base}/sparql", params=light_params())
        latencies.append(time.perf_counter() - start)
        statuses.append(response.status_code)
    return {**summary(latencies), "ok": statuses.count(200)}


async def busy(client: httpx.AsyncClient, base: str) -> float:
    text = (await client.get(f"{base}/-/metrics")).text
    line = next(li for li in text.splitlines() if li.startswith("qpvkg_workers_busy "))
    return float(line.split()[1])


async def with_runaways(base: str, runaways: int, n: int, cap: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=120) as client:
        tasks = [
            asyncio.create_task(
                client.get(
                    f"{base}/sparql",
                    params={"query": RUNAWAY, "timeout": "60"},
                    headers={"x-forwarded-for": f"10.9.0.{i // cap}"},
                )
            )
            for i in range(runaways)
        ]
        for _ in range(600):
            if await busy(client, base) >= runaways:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(timeout=120) as light_client:
            result = await lights(light_client, base, n)
        result["runaways_pending"] = sum(not t.done() for t in tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for _ in range(600):  # their workers killed and replaced
            if await busy(client, base) == 0:
                break
            await asyncio.sleep(0.05)
    return result


async def mixed_load(base: str, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop = time.perf_counter() + seconds
    counter = itertools.count()

    async def user(i: int) -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while time.perf_counter() < stop:
                k = next(counter)
                runaway = k % 100 == 99
                params = {"query": RUNAWAY, "timeout": "2"} if runaway else light_params()
                start = time.perf_counter()
                response = await client.get(
                    f"{base}/sparql", params=params, headers={"x-forwarded-for": f"10.8.0.{i}"}
                )
                if not runaway:
                    latencies.append(time.perf_counter() - start)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - began
    total = sum(statuses.values())
    return {
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "light": summary(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=PROJECT_DIR / "var" / "store")
    parser.add_argument("--light", type=int, default=60, help="light queries per measure")
    parser.add_argument("--runaways", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "runaways.json"
    )
    args = parser.parse_args()
    counts = args.runaways or [1, 4, 16]
    base, process = start(args.store)
    try:
        text = httpx.get(f"{base}/-/version").json()
        cap = 4  # QPVKG_CLIENT_QUERIES's default
        result: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "workers": text["workers"],
            "idle": asyncio.run(_idle(base, args.light)),
            "runaways": {},
        }
        for n in counts:
            result["runaways"][str(n)] = asyncio.run(with_runaways(base, n, args.light, cap))
        result["idle_after"] = asyncio.run(_idle(base, args.light))
        if args.load_seconds > 0:
            result["mixed"] = asyncio.run(mixed_load(base, args.load_seconds, args.concurrency))
    finally:
        process.terminate()
        process.wait(30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(table(result) + "\n")


async def _idle(base: str, n: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60) as client:
        await lights(client, base, 10)  # warm-up
        return await lights(client, base, n)


def table(result: dict[str, Any]) -> str:
    lines = [
        "| light queries | median ms | p99 ms | max ms | answered |",
        "|---|---|---|---|---|",
    ]

    def row(name: str, m: dict[str, Any]) -> None:
        answered = f"{m['ok']}/{m['n']}"
        lines.append(f"| {name} | {m['median_ms']} | {m['p99_ms']} | {m['max_ms']} | {answered} |")

    row("idle server", result["idle"])
    for n, m in result["runaways"].items():
        pending = m["runaways_pending"]
        row(f"while {n} runaway{'s' if n != '1' else ''} run ({pending} still pending after)", m)
    row("idle server, after", result["idle_after"])
    if "mixed" in result:
        m = result["mixed"]
        light = m["light"]
        lines += [
            "",
            f"mixed load, {m['seconds']} s at c={m['concurrency']}: {m['requests_per_s']} req/s; "
            f"light queries median {light['median_ms']} ms, p99 {light['p99_ms']} ms; "
            f"statuses {m['statuses']}",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

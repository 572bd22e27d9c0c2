"""GET /qpv lookups at concurrency 8, cache off, on the 1,584 real QPV 2024 contours, against
a peer: the same lookup as a raw GeoSPARQL query (geof:sfWithin over every contour) sent to
the same server's /sparql.

Usage: python -m benchmarks.qpv_lookup [--store var/bench/qpv-store] [--requests 800]
       [--concurrency 8] [--out benchmarks/results/qpv-lookup.json]

The store is built by `qpvkg build` from the repository's data when absent. The server is a
real `qpvkg serve --no-build` process with `QPVKG_CACHE_MB=0` (no result cache). The points
(seed 2026): half are the points on surface of QPV drawn at random (inside a contour), half
are random points of metropolitan France's bounding box (mostly outside every contour, so
/qpv also looks for the nearest within 500 m). Each target first answers one warm-up
request (for /qpv, it builds the contours' index of the store generation), then every
point once, 8 requests in flight; the figures are the latency's median (p50), p95 and mean,
and the throughput. Both targets must agree on the QPV containing each point.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from loaders.settings import PROJECT_DIR

SEED = 2026
QPV_GRAPH = "https://w3id.org/qpvkg/graph/reference/qpv-2024"
CENTRES = f"""
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?wkt WHERE {{ GRAPH <{QPV_GRAPH}> {{ ?q geo:hasCentroid/geo:asWKT ?wkt }} }} ORDER BY ?wkt
"""
#: The peer: the QPV whose contour holds the point, by geof:sfWithin over every contour.
PEER = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX geof: <http://www.opengis.net/def/function/geosparql/>
PREFIX qpvkg: <https://w3id.org/qpvkg/def#>
SELECT ?code WHERE {{
  GRAPH <{graph}> {{ ?qpv qpvkg:qpvCode ?code ; geo:hasGeometry/geo:asWKT ?wkt }}
  FILTER (geof:sfWithin("POINT({lon} {lat})"^^geo:wktLiteral, ?wkt))
}}"""


def ensure_store(store: Path) -> None:
    if not store.exists():
        subprocess.run(
            [sys.executable, "-m", "loaders.cli", "build", "--store", str(store)], check=True
        )


def points(store: Path, n: int) -> list[tuple[float, float]]:
    rng = random.Random(SEED)
    held = ox.Store.read_only(str(store))
    centres = []
    for row in held.query(CENTRES):
        xy = row["wkt"].value.split("(", 1)[1].rstrip(")").split()
        centres.append((float(xy[0]), float(xy[1])))
    del held
    inside = rng.sample(centres, n // 2)
    box = [(rng.uniform(-5.0, 8.2), rng.uniform(42.4, 51.0)) for _ in range(n - n // 2)]
    mixed = inside + box
    rng.shuffle(mixed)
    return mixed


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    # no result cache; one client (the benchmark) may have all its requests in flight
    env = {
        **os.environ,
        "QPVKG_STORE": str(store),
        "QPVKG_CACHE_MB": "0",
        "QPVKG_CLIENT_QUERIES": "64",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "endpoint.cli", "serve", "--no-build", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait(base: str, limit_s: float = 120) -> None:
    deadline = time.time() + limit_s
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/-/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not start")


async def run(
    client: httpx.AsyncClient, requests: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], list[Any], float]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(requests)):
        queue.put_nowait(i)
    latencies = [0.0] * len(requests)
    answers: list[Any] = [None] * len(requests)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            response = await client.get(**requests[i])
            latencies[i] = (time.perf_counter() - start) * 1000
            response.raise_for_status()
            answers[i] = response.json()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, answers, time.perf_counter() - start


def summary(latencies: list[float], wall_s: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "throughput_rps": round(len(ordered) / wall_s, 1),
    }


async def measure(base: str, pts: list[tuple[float, float]], concurrency: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        qpv = [{"url": "/qpv", "params": {"lon": str(x), "lat": str(y)}} for x, y in pts]
        peer = [
            {
                "url": "/sparql",
                "params": {"query": PEER.format(graph=QPV_GRAPH, lon=x, lat=y)},
                "headers": {"accept": "application/sparql-results+json"},
            }
            for x, y in pts
        ]
        first = time.perf_counter()
        await client.get(**qpv[0])
        warm_qpv_ms = (time.perf_counter() - first) * 1000
        await client.get(**peer[0])
        lat_qpv, ans_qpv, wall_qpv = await run(client, qpv, concurrency)
        lat_peer, ans_peer, wall_peer = await run(client, peer, concurrency)
    agree = sum(
        1
        for a, b in zip(ans_qpv, ans_peer, strict=True)
        if {q["code"] for q in a["containing"]}
        == {r["code"]["value"] for r in b["results"]["bindings"]}
    )
    inside = sum(1 for a in ans_qpv if a["qpv"])
    nearest = sum(1 for a in ans_qpv if a["nearest"])
    return {
        "qpv": {**summary(lat_qpv, wall_qpv), "first_request_ms": round(warm_qpv_ms, 1)},
        "peer_sparql_sfwithin": summary(lat_peer, wall_peer),
        "points": {"inside": inside, "nearest_within_500m": nearest, "total": len(pts)},
        "agreement": f"{agree}/{len(pts)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(PROJECT_DIR / "var" / "bench" / "qpv-store"))
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--out", default=str(PROJECT_DIR / "benchmarks/results/qpv-lookup.json"))
    args = parser.parse_args()
    store = Path(args.store)
    ensure_store(store)
    pts = points(store, args.requests)
    server = start(store, args.port)
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait(base)
        result = asyncio.run(measure(base, pts, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "concurrency": args.concurrency,
        "cache": "off (QPVKG_CACHE_MB=0)",
        "cpu_count": os.cpu_count(),
        **result,
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

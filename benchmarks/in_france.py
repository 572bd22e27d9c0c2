"""The test "is this point in France" (loaders/infrance.py) over the shipped data: the time
to read the data once, and the latency of a lookup on random points, in and out of France.

Usage: python -m benchmarks.in_france [--points 20000] [--out benchmarks/results/in-france.json]

The points (seed 2026): half drawn in metropolitan France's bounding box (-5.3, 41.3, 9.7,
51.2: land, sea and the neighbours), a quarter in the boxes of the overseas départements and
collectivities, a quarter anywhere on Earth. Figures: the median (p50), p95 and mean of one
lookup, by verdict, and the share of points found in France.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from loaders.infrance import FranceIndex
from loaders.settings import PROJECT_DIR

SEED = 2026
METROPOLE = (-5.3, 41.3, 9.7, 51.2)
OVERSEAS = [
    (-63.2, 15.8, -60.9, 18.2),
    (-61.3, 14.3, -60.7, 15.0),
    (-54.7, 2.0, -51.5, 5.9),
    (55.1, -21.5, 56.0, -20.8),
    (44.9, -13.1, 45.4, -12.5),
    (-155.0, -28.0, -134.0, -7.0),
    (163.5, -23.0, 168.5, -19.0),
]


def draw(n: int) -> list[tuple[float, float]]:
    rng = random.Random(SEED)

    def within(box: tuple[float, float, float, float]) -> tuple[float, float]:
        return (rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]))

    points = [within(METROPOLE) for _ in range(n // 2)]
    points += [within(rng.choice(OVERSEAS)) for _ in range(n // 4)]
    points += [within((-180, -90, 180, 90)) for _ in range(n - len(points))]
    return points


def figures(seconds: list[float]) -> dict[str, float | int]:
    us = sorted(s * 1e6 for s in seconds)
    return {
        "n": len(us),
        "p50_us": round(statistics.median(us), 1),
        "p95_us": round(us[int(len(us) * 0.95)], 1),
        "mean_us": round(statistics.fmean(us), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/in-france.json"))
    args = parser.parse_args()
    start = time.perf_counter()
    index = FranceIndex.from_folder(PROJECT_DIR / "data" / "reference")
    read_s = time.perf_counter() - start
    timings: dict[bool, list[float]] = {True: [], False: []}
    for lon, lat in draw(args.points):
        start = time.perf_counter()
        verdict = index.contains(lon, lat)
        timings[verdict].append(time.perf_counter() - start)
    result = {
        "read_s": round(read_s, 3),
        "contours": len(index.contours),
        "centres": len(index.centre_lon),
        "in_france": figures(timings[True]),
        "outside": figures(timings[False]),
        "all": figures(timings[True] + timings[False]),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

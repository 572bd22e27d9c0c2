"""How long the map page (/map) takes to draw all 1,584 QPV contours in chromium.

Usage: python -m benchmarks.map_load [--runs 7] [--out benchmarks/results]

Serves a copy of the store `qpvkg build` makes from the repository (under var/bench/map/), then
loads /map in Debian's chromium (Playwright, headless, 1280x900) --runs times per variant, each
time in a new browser context (an empty cache), and measures the time from the navigation's start
to the map's `data-rendered` (the base map, every QPV contour and every point drawn: map.js sets
it on the frame after the last layer is added). Variants, measured in the same run, alternately:
`simplified` (what /map draws: /map/qpv, simplified by loaders/maplayers.py) and its peer `full`
(/map?geometry=full: the contours as the source gives them, /map/qpv?geometry=full). One load of
each variant first warms the server's caches (the layers are made once per store generation), so
the figures are the browser's: transfer, parsing and drawing. Prints and writes the medians.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from pathlib import Path
from typing import Any

from benchmarks.http_load import WORK, built_store, get, qpvkg_server
from loaders.settings import PROJECT_DIR

log = logging.getLogger("benchmarks.map_load")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VARIANTS = {"simplified": "/map", "full": "/map?geometry=full"}


def load(browser: Any, url: str) -> dict[str, float]:
    """One load of the page in a new context: ms until drawn, and the layers' bytes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        if "/map/qpv" in response.url:
            sizes["qpv"] = len(response.body())

    page.on("response", record)
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "() => { const el = document.getElementById('map-view');"
        " return el !== null && el.dataset.rendered !== undefined && el.dataset.rendered !== ''; }",
        timeout=120_000,
    )
    data = page.evaluate("() => Object.assign({}, document.getElementById('map-view').dataset)")
    context.close()
    if data["rendered"] == "error":
        raise RuntimeError(f"{url}: the map reported an error")
    return {"ms": float(data["drawnMs"]), "qpv": float(data["qpv"]), "bytes": sizes.get("qpv", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    from playwright.sync_api import sync_playwright

    folder = WORK / "map"
    server = qpvkg_server(built_store(folder, publish_too=False))
    server.start(folder / "logs")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    try:
        for path in ("/map/qpv", "/map/qpv?geometry=full", "/map/places", "/map/contours"):
            get(server, path, "application/geo+json")  # the layers made once, before measuring
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for path in VARIANTS.values():
                load(browser, server.base_url + path)  # warm-up, not counted
            for run in range(args.runs):
                for name, path in VARIANTS.items():
                    result = load(browser, server.base_url + path)
                    results[name].append(result)
                    log.info("run %d %s: %.0f ms", run + 1, name, result["ms"])
            browser.close()
    finally:
        server.stop()
    summary = {
        name: {
            "median_ms": statistics.median(r["ms"] for r in runs),
            "min_ms": min(r["ms"] for r in runs),
            "max_ms": max(r["ms"] for r in runs),
            "contours": int(runs[0]["qpv"]),
            "qpv_layer_bytes": int(runs[0]["bytes"]),
            "runs_ms": [r["ms"] for r in runs],
        }
        for name, runs in results.items()
    }
    out = {"runs": args.runs, "viewport": "1280x900", "variants": summary}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "map-load.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    for name, s in summary.items():
        sys.stdout.write(
            f"{name:11} median {s['median_ms']:6.0f} ms  (min {s['min_ms']:.0f}, max "
            f"{s['max_ms']:.0f})  {s['contours']} contours, QPV layer {s['qpv_layer_bytes']:,} B\n"
        )


if __name__ == "__main__":
    main()

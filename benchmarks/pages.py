"""How long each page of the site takes in chromium once the server is warm, in both languages.

Usage: python -m benchmarks.pages [--runs 5] [--out benchmarks/results]

Serves a copy of the store `qpvkg build` makes from the repository (under var/bench/pages/), finds
the pages a visitor reaches (the home page, the links of the menu, of the footer and of the home
page's questions, and every named query listed on /queries, as the walk of
tests/browser/test_walk.py does), asks each once in each language (the server's caches, as after a
while of use), then loads each --runs times in Debian's chromium (Playwright, headless, 1280x900),
each time in a new browser context (an empty browser cache: a first visit), and measures the time
from the navigation's start to the end of its `load` event (Navigation Timing), and the server's
own time for the HTML (the same request over HTTP, in Python). The peer, measured in the same run
and in the same way, is `/mentions-legales`: a page that runs no query, the floor of the server, the
templates and the browser. Prints and writes the medians, the ratio of each page to the peer, and
the pages over the 1 s budget (none is the aim).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from benchmarks.http_load import WORK, Server, built_store, get, qpvkg_server
from benchmarks.map_load import ARGS, CHROMIUM
from loaders.settings import PROJECT_DIR

log = logging.getLogger("benchmarks.pages")
PEER = "/mentions-legales"
BUDGET_MS = 1000.0
LANGS = ("fr", "en")
LINKS = re.compile(r'<a [^>]*href="(/[^"#]*)"')
#: the parts of the home page whose links a visitor follows: the menu, the questions, the footer
PARTS = re.compile(
    r'<header class="site".*?</header>|<section class="examples".*?</section>|'
    r'<footer class="site".*?</footer>',
    re.S,
)


def with_lang(path: str, lang: str) -> str:
    url = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(url.query) if k != "lang"] + [("lang", lang)]
    return f"{url.path}?{urlencode(query)}"


def pages(server: Server) -> list[str]:
    """The pages to measure, each once, without its language; the peer first."""
    html = get(server, "/", "text/html")[1].decode()
    found = ["/", PEER]
    for part in PARTS.findall(html):
        found += LINKS.findall(part)
    found += LINKS.findall(get(server, "/queries", "text/html")[1].decode())
    paths: dict[str, None] = {}
    for href in found:
        href = href.replace("&amp;", "&")
        url = urlsplit(href)
        if "." in url.path.rsplit("/", 1)[-1] or url.path.startswith(("/static/", "/-/")):
            continue  # a download or an asset, not a page (the API docs draw a vendored widget)
        query = [(k, v) for k, v in parse_qsl(url.query) if k != "lang"]
        paths[url.path + (f"?{urlencode(query)}" if query else "")] = None
    return list(paths)


def load(browser: Any, url: str, lang: str) -> float:
    """One load of the page in a new context: ms from the navigation's start to `load`'s end."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR" if lang == "fr" else "en-GB"
    )
    page = context.new_page()
    response = page.goto(url, wait_until="load", timeout=120_000)
    if response is None or response.status != 200:
        raise RuntimeError(f"{url}: status {response.status if response else None}")
    ms = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )
    context.close()
    return float(ms)


def server_ms(server: Server, path: str) -> float:
    start = time.perf_counter()
    status, _, _ = get(server, path, "text/html")
    if status != 200:
        raise RuntimeError(f"{path}: status {status}")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    from playwright.sync_api import sync_playwright

    folder = WORK / "pages"
    server = qpvkg_server(built_store(folder))  # published too: /dumps/ and /catalog
    server.start(folder / "logs")
    browser_ms: dict[str, list[float]] = {}
    html_ms: dict[str, list[float]] = {}
    try:
        paths = pages(server)
        log.info("%d pages, in %s", len(paths), " and ".join(LANGS))
        for path in paths:  # warm: each page asked once in each language
            for lang in LANGS:
                server_ms(server, with_lang(path, lang))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for path in paths:
                for lang in LANGS:
                    key = f"{lang} {path}"
                    url = server.base_url + with_lang(path, lang)
                    browser_ms[key] = [load(browser, url, lang) for _ in range(args.runs)]
                    html_ms[key] = [
                        server_ms(server, with_lang(path, lang)) for _ in range(args.runs)
                    ]
                    log.info("%s: %.0f ms", key, statistics.median(browser_ms[key]))
            browser.close()
    finally:
        server.stop()
    summary = {
        key: {
            "browser_median_ms": round(statistics.median(runs), 1),
            "browser_max_ms": round(max(runs), 1),
            "server_median_ms": round(statistics.median(html_ms[key]), 1),
        }
        for key, runs in browser_ms.items()
    }
    for lang in LANGS:
        peer = summary[f"{lang} {PEER}"]["browser_median_ms"]
        for key, s in summary.items():
            if key.startswith(f"{lang} "):
                s["ratio_to_peer"] = round(s["browser_median_ms"] / peer, 2)
    over = sorted(k for k, s in summary.items() if s["browser_median_ms"] > BUDGET_MS)
    medians = [s["browser_median_ms"] for s in summary.values()]
    out = {
        "runs": args.runs,
        "viewport": "1280x900",
        "peer": PEER,
        "budget_ms": BUDGET_MS,
        "pages": len(summary),
        "median_of_medians_ms": round(statistics.median(medians), 1),
        "slowest": max(summary, key=lambda k: summary[k]["browser_median_ms"]),
        "over_budget": over,
        "by_page": summary,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pages.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    for key, s in sorted(summary.items(), key=lambda kv: -kv[1]["browser_median_ms"]):
        sys.stdout.write(
            f"{s['browser_median_ms']:7.0f} ms  (server {s['server_median_ms']:5.0f} ms, "
            f"x{s['ratio_to_peer']:.2f} the peer)  {key}\n"
        )
    sys.stdout.write(
        f"{len(summary)} pages; median {out['median_of_medians_ms']:.0f} ms; "
        f"over {BUDGET_MS:.0f} ms: {', '.join(over) or 'none'}\n"
    )


if __name__ == "__main__":
    main()

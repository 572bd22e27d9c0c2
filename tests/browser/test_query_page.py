"""The query page in a real browser (Debian's chromium, driven by Playwright) against a real
uvicorn process: type a query, run it, read the table, and check nothing left for another host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from loaders.build import BuildReport
from loaders.settings import Settings
from tests.conftest import copy_store, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Playwright's wait_for_function is given functions ("() => ..."): a bare expression is run
# through eval in the page, which the pages' Content-Security-Policy refuses.
QUERY = (
    "PREFIX qpvkg: <https://w3id.org/qpvkg/def#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?innovation ?label WHERE { ?innovation a qpvkg:Innovation ; rdfs:label ?label .\n"
    'FILTER(STRSTARTS(?label, "Totem")) }'
)

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package (dev extra) is not installed"
)
if not CHROMIUM.exists():  # .ci/run installs it: apt-get install -y chromium
    pytest.skip(
        f"{CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def server(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`qpvkg serve` over a copy of the session's store (the server opens its store read-write)."""
    store = tmp_path_factory.mktemp("browser") / "store"
    copy_store(settings.store_path, store)
    base, process = start_server({"QPVKG_STORE": str(store), "QPVKG_WORKERS": "2"})
    try:
        yield base
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_type_a_query_run_it_and_read_the_table(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    hosts: set[str] = set()
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/sparql", wait_until="networkidle")
    editor = page.locator(".CodeMirror")
    editor.wait_for()
    # the editor highlights SPARQL: keywords get their own style
    assert page.locator(".CodeMirror .cm-keyword").count() > 0
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(QUERY)
    assert "Totem" in page.evaluate("window.qpvkg.yasqe.getValue()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#yasr table tbody tr", timeout=20_000)
    rows = page.locator("#yasr table tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("Totem Mobi" in text for text in texts), texts
    # an IRI under the base opens this server's page for it
    hrefs = page.eval_on_selector_all(
        "#yasr table a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert "/id/innovation/totem-mobi" in hrefs, hrefs
    # the download links follow the editor's query
    csv = page.get_attribute("#downloads a[data-format=csv]", "href")
    assert csv and csv.startswith("/sparql?") and "Totem" in httpx.URL(server + csv).params["query"]
    response = httpx.get(server + csv)
    assert response.headers["content-type"].startswith("text/csv") and "Totem Mobi" in response.text
    assert not errors, errors
    assert hosts <= LOCAL, f"requests left for other hosts: {hosts - LOCAL}"
    page.close()


def test_an_example_is_one_click_away(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or request.url))
    page.goto(f"{server}/sparql", wait_until="networkidle")
    page.locator(".CodeMirror").wait_for()
    button = page.locator("button.load-example[data-name=national-innovations]")
    button.click()
    page.wait_for_selector("#yasr table tbody tr", timeout=20_000)
    assert button.get_attribute("data-query") == page.evaluate("window.qpvkg.yasqe.getValue()")
    assert page.locator("#yasr table tbody tr").count() >= 1
    assert hosts <= LOCAL, f"requests left for other hosts: {hosts - LOCAL}"
    page.close()


def test_prefix_completion_offers_the_project_prefixes(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/sparql", wait_until="networkidle")
    editor = page.locator(".CodeMirror")
    editor.wait_for()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s a qpvkg:")
    # the prefix autocompleter declares a project prefix (not in YASGUI's own list) once typed
    page.wait_for_function(
        "() => window.qpvkg.yasqe.getValue().includes('PREFIX qpvkg: <https://w3id.org/qpvkg/def#>')",
        timeout=10_000,
    )
    page.close()

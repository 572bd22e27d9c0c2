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

from . import axe

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


def inside_editor(page: object) -> bool:
    return bool(
        page.evaluate(  # type: ignore[attr-defined]
            "() => document.activeElement === window.qpvkg.yasqe.getInputField()"
        )
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_keyboard_users_leave_the_editor_and_are_told_how(
    server: str, browser: object, lang: str
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/sparql?lang={lang}", wait_until="networkidle")
    page.locator(".CodeMirror").click()
    before = page.evaluate("() => window.qpvkg.yasqe.getValue()")
    page.keyboard.press("Tab")  # Tab alone indents: the focus stays
    assert inside_editor(page)
    assert page.evaluate("() => window.qpvkg.yasqe.getValue()") != before
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not inside_editor(page)
    # the next control is the editor's share button, named in the page's language
    label = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert label == {"fr": "Partager la requête", "en": "Share the query"}[lang]
    # Shift+Tab back into the editor, Escape then Shift+Tab out the other way
    page.keyboard.press("Shift+Tab")
    assert inside_editor(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert not inside_editor(page)
    # the way out is written on the page, and the editor's input is labelled and described by it
    sentence = page.locator("#editor-keys")
    assert sentence.is_visible()
    assert {"fr": "Échap puis Tab", "en": "Escape then Tab"}[lang] in sentence.inner_text()
    textarea = page.locator(".CodeMirror textarea")
    assert textarea.get_attribute("aria-describedby") == "editor-keys"
    assert textarea.get_attribute("aria-label")
    page.close()


#: A query that does not parse, with a long unbroken token: its error must wrap in its column.
BROKEN = "SELECT * WHERE { ?s ?p <" + "x" * 300 + "> ."


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [((1280, 900), "fr"), ((375, 667), "fr"), ((375, 667), "en")],
    ids=["desktop-fr", "phone-fr", "phone-en"],
)
def test_the_query_page_passes_axe_after_a_run_and_keeps_to_its_column(
    server: str, browser: object, viewport: tuple[int, int], lang: str
) -> None:
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    axe.install(context)
    page = context.new_page()
    page.goto(f"{server}/sparql?lang={lang}", wait_until="networkidle")
    assert axe.grave(axe.violations(page)) == []
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#yasr table tbody tr", timeout=20_000)
    # every control labelled, every colour readable, once the table and its controls are drawn
    assert axe.grave(axe.violations(page)) == []
    # the table's interface speaks the page's language
    header = page.locator("#yasr .yasr_header").text_content() or ""
    info = page.locator("#yasr .dt-info").inner_text()
    if lang == "fr":
        assert "Tableau" in header and "Vue simple" in header and "Lignes 1 à" in info, header
    else:
        assert "Simple view" in header and "Rows 1 to" in info and "Tableau" not in header, header
    assert (
        page.get_attribute("#yasr .tableFilter", "placeholder")
        == {
            "fr": "Filtrer les résultats",
            "en": "Filter the results",
        }[lang]
    )
    # the wide table scrolls in its column: the page itself is no wider than the screen
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # the run and share buttons cover no line of the query
    buttons = page.locator(".yasqe_buttons").bounding_box()
    assert buttons
    words = page.eval_on_selector_all(
        ".CodeMirror-line > span",
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return {x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height}; })",
    )
    by = buttons["y"] + page.evaluate("() => window.scrollY")
    assert words
    for box in words:
        overlap_x = (
            box["x"] < buttons["x"] + buttons["width"] and buttons["x"] < box["x"] + box["w"]
        )
        overlap_y = box["y"] < by + buttons["height"] and by < box["y"] + box["h"]
        assert not (overlap_x and overlap_y), (box, buttons)
    # an error says what failed in the page's language and stays in its column too
    page.evaluate(f"() => window.qpvkg.yasqe.setValue({BROKEN!r})")
    page.click(".yasqe_queryButton")
    error = page.locator("#yasr .query-error")
    error.wait_for(timeout=20_000)
    assert {"fr": "La requête a échoué (statut 400)", "en": "The query failed (status 400)"}[
        lang
    ] in error.inner_text()
    assert "does not parse" in error.locator("pre").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert axe.grave(axe.violations(page)) == []
    context.close()

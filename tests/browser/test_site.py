"""Every page of the site in a real browser (Debian's chromium, driven by Playwright) against a
real uvicorn process, in French and in English: the home page, the map, an actor's network, a
resource page, a concept scheme, the named queries and one of them, the query page (typing a query
with prefixes, classes and properties into the editor, then running it), the ontology, the
shapes, a search, the API documentation, the dumps, the catalogue and a missing page. Fails on any
request to a host other than the server's (recorded, then refused, so nothing leaves the
machine), on any console error and on any Content-Security-Policy violation. Screenshots of the
API documentation and of the query page after typing go to var/test-artefacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from .test_pages import SHOTS, shot
from .test_query_page import ARGS, CHROMIUM, LOCAL, server  # noqa: F401

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package (dev extra) is not installed"
)
if not CHROMIUM.exists():  # .ci/run installs it: apt-get install -y chromium
    pytest.skip(
        f"{CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)",
        allow_module_level=True,
    )

BASE = "https://w3id.org/qpvkg/"
#: Every kind of page: (path, what shows the page is drawn, or None).
PAGES = (
    ("/", "#home-map.leaflet-container"),
    ("/map", ".leaflet-container"),
    (f"/network?actor={BASE}id/organisation/simplon-co", "canvas"),
    ("/id/organisation/simplon-co", "#actor-network canvas"),
    ("/concept/impact-area", None),
    ("/queries", None),
    ("/queries/national-innovations", None),
    ("/ontology", "#ontology-diagram canvas"),
    ("/shapes", None),
    ("/search?q=Simplon", "ol.search-results a"),
    ("/-/docs", "#swagger-ui .opblock"),
    ("/dumps/", None),
    ("/catalog", None),
    ("/nothing-here", None),
)
#: Typed into the editor key by key, so that every autocompleter sees it: a declared prefix
#: (foaf), prefixes declared by completion (qpvkg, rdfs), a class after `a`, properties.
TYPED = (
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/>",
    "SELECT ?s ?label WHERE {",
    "  ?s a qpvkg:Innovation ; rdfs:label ?label .",
    "  OPTIONAL { ?s foaf:homepage ?page . ?page a foaf:Document ; dcterms:title ?t }",
    "} LIMIT 5",
)
#: Every security policy violation, recorded from the first script of each page.
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:  # noqa: F811
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Record:
    """What a browser context's pages did wrong: requests to other hosts (then refused), console
    errors, page errors, policy violations."""

    def __init__(self, context: object) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.path = ""
        context.add_init_script(RECORD)  # type: ignore[attr-defined]
        context.route("**/*", self.route)  # type: ignore[attr-defined]

    def route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if (urlparse(url).hostname or "") in LOCAL:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.outside.append(f"{self.path}: {url}")
            route.abort()  # type: ignore[attr-defined]

    def watch(self, page: object) -> None:
        page.on("console", self.console)  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: self.errors.append(f"{self.path}: {error}"))  # type: ignore[attr-defined]

    def console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        # the missing page's own status is reported as a failed load: that one is expected
        expected = self.path == "/nothing-here" and "status of 404" in text
        if message.type == "error" and not expected:  # type: ignore[attr-defined]
            self.errors.append(f"{self.path}: {text}")

    def collect(self, page: object) -> None:
        found = page.evaluate("() => window.__violations || []")  # type: ignore[attr-defined]
        self.violations += [f"{self.path}: {v}" for v in found]

    def check(self) -> None:
        assert not self.outside, f"requests for other hosts: {self.outside}"
        assert not self.violations, f"Content-Security-Policy violations: {self.violations}"
        assert not self.errors, f"console errors: {self.errors}"


def type_and_run(page: object) -> None:
    """Type the query into the editor, key by key, then run it and read the table."""
    editor = page.locator(".CodeMirror")  # type: ignore[attr-defined]
    editor.wait_for()
    editor.click()
    keyboard = page.keyboard  # type: ignore[attr-defined]
    keyboard.press("Control+A")
    keyboard.press("Delete")
    for line in TYPED:
        # the space closes a completion list, so that Enter starts a new line
        keyboard.type(line + " ", delay=15)
        keyboard.press("Enter")
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    value = page.evaluate("() => window.qpvkg.yasqe.getValue()")  # type: ignore[attr-defined]
    assert "PREFIX qpvkg: <https://w3id.org/qpvkg/def#>" in value, value
    assert "a qpvkg:Innovation" in value and "foaf:homepage" in value, value
    keyboard.press("Control+Enter")
    page.wait_for_selector("#yasr table tbody tr", timeout=20_000)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("locale", "lang"), [("fr-FR", "fr"), ("en-GB", "en")])
def test_every_page_loads_nothing_from_another_host(
    server: str,  # noqa: F811
    browser: object,
    locale: str,
    lang: str,
) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        locale=locale, viewport={"width": 1280, "height": 900}
    )
    record = Record(context)
    page = context.new_page()
    record.watch(page)
    for path, drawn in PAGES:
        record.path = path
        response = page.goto(f"{server}{path}", wait_until="networkidle")
        assert response is not None
        assert response.status == (404 if path == "/nothing-here" else 200), path
        assert not record.outside, f"requests for other hosts: {record.outside}"
        if path != "/catalog":  # Turtle, shown as text
            assert page.get_attribute("html", "lang") == lang, path
        if drawn:
            page.wait_for_selector(drawn, timeout=20_000)
        if path == "/-/docs":
            page.wait_for_load_state("networkidle")
            assert page.locator("#swagger-ui .opblock").count() > 10
            shot(page, f"docs-{lang}.png")
        record.collect(page)
    record.path = "/sparql"
    page.goto(f"{server}/sparql", wait_until="networkidle")
    type_and_run(page)
    shot(page, f"sparql-typed-{lang}.png")
    record.collect(page)
    context.close()
    record.check()
    assert (SHOTS / f"docs-{lang}.png").exists()

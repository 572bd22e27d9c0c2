"""The pages in a real browser (Debian's chromium, driven by Playwright) against a real uvicorn
process: from the home page, search for "Simplon", open the actor's page, see its network and its
map drawn, switch to English; on a phone-sized screen too. Fails on any console error or request
to another host, and saves screenshots under var/test-artefacts/screenshots/ (see
docs/screenshots.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from loaders.settings import PROJECT_DIR

from .test_query_page import ARGS, CHROMIUM, LOCAL, server  # noqa: F401

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package (dev extra) is not installed"
)
if not CHROMIUM.exists():  # .ci/run installs it: apt-get install -y chromium
    pytest.skip(
        f"{CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)",
        allow_module_level=True,
    )

SHOTS = PROJECT_DIR / "var" / "test-artefacts" / "screenshots"
ACTOR = "/id/organisation/simplon-co"


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:  # noqa: F811
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watch:
    """Console errors, page errors and the hosts a page sent requests to."""

    def __init__(self, page: object) -> None:
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", self.console)  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))  # type: ignore[attr-defined]
        page.on(  # type: ignore[attr-defined]
            "request", lambda request: self.hosts.add(urlparse(request.url).hostname or "")
        )

    def console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.errors.append(f"console: {message.text}")  # type: ignore[attr-defined]

    def check(self) -> None:
        assert not self.errors, self.errors
        assert self.hosts <= LOCAL, f"requests left for other hosts: {self.hosts - LOCAL}"


def shot(target: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    target.screenshot(path=str(path))  # type: ignore[attr-defined]
    assert path.stat().st_size > 5000, path
    return path


def test_search_open_an_actor_see_its_network_and_map_switch_language(
    server: str,  # noqa: F811
    browser: object,
) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    watch = Watch(page)

    # the home page, in French (the browser asks for French)
    page.goto(f"{server}/", wait_until="networkidle")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("h1").inner_text().startswith("L'innovation dans les quartiers")
    page.wait_for_selector("#home-map.leaflet-container")
    page.wait_for_function(
        "() => document.getElementById('home-map').dataset.rendered !== undefined"
    )
    assert page.locator("#chart-regions tbody tr").count() >= 5
    shot(page, "home.png")
    shot(page.locator(".map-section"), "map.png")

    # search for Simplon and open the organisation's page
    page.fill("#q", "Simplon")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=Simplon*")
    results = page.locator("ol.search-results a")
    assert results.count() >= 3
    page.click(f"ol.search-results a[href='{ACTOR}']")
    page.wait_for_url(f"**{ACTOR}")
    assert page.locator("h1").inner_text() == "Simplon.co"

    # its network (Cytoscape) and its map (Leaflet) render
    page.wait_for_function(
        "() => Number(document.getElementById('actor-network').dataset.rendered) >= 3",
        timeout=20_000,
    )
    assert page.locator("#actor-network canvas").count() >= 1
    links = page.locator("#actor-network-list li")
    assert links.count() >= 3
    assert "Formation Simplon Roubaix" in page.locator("#actor-network-list").inner_text()
    page.wait_for_function(
        "() => document.getElementById('actor-map').dataset.rendered !== undefined", timeout=20_000
    )
    assert page.locator("#actor-map.leaflet-container .leaflet-control-zoom").count() == 1
    shot(page, "resource.png")
    shot(page.locator(".actor-network"), "network.png")

    # the switch: the same page in English, and the choice is kept
    page.click("nav.languages a[data-lang=en]")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.locator("#network-title").inner_text() == "Network"
    page.wait_for_function(
        "() => Number(document.getElementById('actor-network').dataset.rendered) >= 3",
        timeout=20_000,
    )
    page.goto(f"{server}/ontology", wait_until="networkidle")
    assert page.get_attribute("html", "lang") == "en"
    page.wait_for_function(
        "() => Number(document.getElementById('ontology-diagram').dataset.rendered) > 10",
        timeout=20_000,
    )
    shot(page.locator("#diagram"), "ontology-diagram.png")
    watch.check()
    context.close()


def test_a_phone_keyboard_and_contrast_basics(server: str, browser: object) -> None:  # noqa: F811
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    watch = Watch(page)
    for path in ("/", ACTOR, "/ontology", "/shapes", "/concept/impact-area", "/sparql"):
        page.goto(f"{server}{path}", wait_until="networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
    page.goto(f"{server}/", wait_until="networkidle")
    # the first Tab reaches the skip link, which is then visible and leads to the content
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # focus is visible: the outline of a focused link is drawn
    page.focus("nav.languages a")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    # body text is dark on white
    color = page.evaluate("getComputedStyle(document.body).color")
    assert color == "rgb(29, 29, 31)", color
    shot(page, "home-phone.png")
    watch.check()
    context.close()

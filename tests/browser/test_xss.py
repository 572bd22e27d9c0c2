"""Stored script in a real browser (Debian's chromium, driven by Playwright) against a real
uvicorn process: a partner writes labels made of HTML, a commune placed on the map and
javascript: IRIs that the shapes accept (tests/fixtures/contributions/xss.ttl); on the home page,
/map, the resource pages and the network page, hovering the markers, opening their popups,
clicking the links and tapping the graph's nodes runs none of it, opens no dialog, and the
Content-Security-Policy blocks nothing the pages need. Screenshots of the home page and /map in
French and English go to var/test-artefacts/screenshots/ (see docs/screenshots.md)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from loaders.build import BuildReport
from loaders.partners import PartnerRegistry
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import copy_store, start_server, stop_server

from .test_pages import Watch, shot
from .test_query_page import ARGS, CHROMIUM

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package (dev extra) is not installed"
)
if not CHROMIUM.exists():  # .ci/run installs it: apt-get install -y chromium
    pytest.skip(
        f"{CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)",
        allow_module_level=True,
    )

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "contributions"
BASE = "https://w3id.org/qpvkg/"
GRAPH = f"{BASE}graph/partner/reseau-test/projets"
ACTOR = f"{BASE}id/partner/reseau-test/organisation/exemple-xss"
#: The texts of what the javascript: IRIs name: the relation's IRI, the actor's and the
#: commune's labels.
TRAPS = ("javascript:window.__xss=1", "Exemple : acteur javascript", "Exemple : lieu")
#: The link an element is in, if any.
LINK = "e => { const a = e.closest('a'); return a ? a.getAttribute('href') : null; }"
#: What the partner's graph names, for the query page.
QUERY = (
    "SELECT ?s ?label ?link WHERE { GRAPH <" + GRAPH + "> { ?s <http://www.w3.org/2000/01/"
    "rdf-schema#label> ?label OPTIONAL { ?s <http://purl.org/dc/terms/relation> ?link } } }"
)
#: Every security policy violation and dialog, recorded from the first script of each page.
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


@pytest.fixture(scope="module")
def partner_server(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """`qpvkg serve` over a copy of the session's store, with a partner account: its base URL
    and the partner's token."""
    folder = tmp_path_factory.mktemp("xss")
    store = copy_store(settings.store_path, folder / "store")
    partners = folder / "partners.json"
    token = PartnerRegistry.from_settings(
        Settings(project_dir=PROJECT_DIR, store=str(store), partners_file=str(partners))
    ).add("reseau-test")
    env = {"QPVKG_STORE": str(store), "QPVKG_WORKERS": "2", "QPVKG_PARTNERS_FILE": str(partners)}
    base, process = start_server(env)
    try:
        yield base, token
    finally:
        stop_server(process)


def write(server: tuple[str, str], name: str, graph: str = GRAPH) -> httpx.Response:
    base, token = server
    return httpx.put(
        f"{base}/store",
        params={"graph": graph},
        content=(FIXTURES / name).read_bytes(),
        headers={"content-type": "text/turtle", "authorization": f"Bearer {token}"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def written(partner_server: tuple[str, str]) -> str:
    response = write(partner_server, "xss.ttl")
    assert response.status_code == 201, response.text
    return partner_server[0]


@pytest.fixture(scope="module")
def browser(partner_server: tuple[str, str]) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_a_javascript_source_is_refused(partner_server: tuple[str, str]) -> None:
    response = write(partner_server, "xss-source.ttl", f"{BASE}graph/partner/reseau-test/sources")
    assert response.status_code == 422, response.text
    (result,) = response.json()["error"]["details"]["results"]
    assert result["path"] == "http://purl.org/dc/terms/source"
    assert result["value"] == "javascript:window.__xss=1"


class Page:
    """A page of the server, with what must never happen in it: script run by the data (the
    payloads set window.__xss), a dialog, a policy violation, a console error."""

    def __init__(self, context: object, base: str) -> None:
        self.page = context.new_page()  # type: ignore[attr-defined]
        self.base = base
        self.watch = Watch(self.page)
        self.dialogs: list[str] = []
        self.page.on("dialog", self.dismiss)

    def dismiss(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def open(self, path: str) -> object:
        self.page.goto(f"{self.base}{path}", wait_until="networkidle")
        return self.page

    def click_traps(self, sanitised: bool = False) -> int:
        """Click every element whose text is a payload or names a javascript: IRI (a link
        before the fix, text now), then check; how many there were."""
        clicked = 0
        for text in TRAPS:
            for element in self.page.locator("main").get_by_text(text).all():
                href = element.evaluate(LINK)
                if href is not None and href.startswith(("/", "http:", "https:")):
                    continue  # a page of this server or of the web: not a payload
                if element.is_visible():
                    # the element's own click (what follows a link), whatever covers it
                    element.dispatch_event("click")
                    clicked += 1
        self.check(sanitised)
        return clicked

    def check(self, sanitised: bool = False) -> None:
        """``sanitised``: YASR's sanitiser (DOMPurify) parses the payloads to clean them, and
        the policy reports the inline handlers it meets there; nothing else may be blocked."""
        self.page.wait_for_timeout(200)  # let a handler that would run, run
        assert self.page.evaluate("typeof window.__xss") == "undefined", "the data ran script"
        assert not self.dialogs, self.dialogs
        violations = self.page.evaluate("window.__violations")
        if sanitised:
            violations = [v for v in violations if not v.startswith("script-src-attr ")]
            errors = self.watch.errors
            errors[:] = [e for e in errors if "inline event handler" not in e]
        assert violations == []
        self.watch.check()


def hover_markers(view: Page, page: object, map_id: str) -> int:
    """Hover each marker of a map (its tooltip) and click it (its popup); how many show the
    partner's commune (at least one: a tooltip still fading may show it again; every tooltip
    and popup is checked: text only)."""
    page.wait_for_function(  # type: ignore[attr-defined]
        f"() => document.getElementById('{map_id}').dataset.rendered !== undefined", timeout=20_000
    )
    markers = page.locator(f"#{map_id} path.leaflet-interactive")  # type: ignore[attr-defined]
    partner = 0
    for i in range(markers.count()):
        # the marker's own event (another commune's circle may cover its centre)
        markers.nth(i).dispatch_event("mouseover")
        tooltips = page.locator(f"#{map_id} .leaflet-tooltip")  # type: ignore[attr-defined]
        tooltips.first.wait_for()  # the one of a marker left may still be fading out
        view.check()
        if not any("Exemple : lieu <img src=x" in t for t in tooltips.all_inner_texts()):
            continue  # another commune (each label shown as text)
        partner += 1
        markers.nth(i).dispatch_event("click")
        popup = page.locator(f"#{map_id} .leaflet-popup-content").filter(  # type: ignore[attr-defined]
            has_text="Exemple : lieu"
        )
        popup.first.wait_for()
        popup.first.get_by_text("Exemple : lieu").click()
    return partner


def partner_marker(page: object) -> object:
    """On /map, the partner's innovation's marker: the map zoomed in on the partner's commune
    until its cluster opens."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const d = document.getElementById('map-view').dataset.rendered;"
        " return d !== undefined && d !== ''; }",
        timeout=30_000,
    )
    page.evaluate(  # type: ignore[attr-defined]
        "() => { document.getElementById('map-view').qpvkgMap.setView([48.93, 2.36], 18, "
        "{animate: false}); }"
    )
    marker = page.locator(  # type: ignore[attr-defined]
        "#map-view .leaflet-marker-icon.place-innovation[title^='<script>']"
    )
    marker.wait_for()
    return marker


def test_payloads_stay_text_on_every_page(written: str, browser: object) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(RECORD)
    view = Page(context, written)

    # the home page: one marker is the partner's commune, with its label as text
    page = view.open("/")
    assert hover_markers(view, page, "home-map") >= 1
    view.check()
    page.locator("details.places-details summary").click()  # folded when the map places some
    assert view.click_traps() >= 1
    # /map: the partner's innovation at its commune, its label and its commune's as text
    page = view.open("/map")
    marker = partner_marker(page)
    marker.hover(force=True)  # type: ignore[attr-defined]
    tooltips = page.locator("#map-view .leaflet-tooltip")
    tooltips.first.wait_for()
    assert "<script>window.__xss=1</script>" in tooltips.all_inner_texts()
    marker.click(force=True)  # type: ignore[attr-defined]
    popup = page.locator("#map-view .leaflet-popup-content").filter(has_text="Exemple : lieu")
    popup.first.wait_for()
    assert "Exemple : lieu <img src=x" in popup.first.inner_text()
    view.check()
    assert view.click_traps() >= 1

    # the actor's page: its relation to a javascript: IRI, its network and its map
    page = view.open("/id/partner/reseau-test/organisation/exemple-xss")
    assert page.locator("h1").inner_text() == '<img src=x onerror="window.__xss=1">'
    page.wait_for_function(
        "() => Number(document.getElementById('actor-network').dataset.rendered) >= 3",
        timeout=20_000,
    )
    assert hover_markers(view, page, "actor-map") >= 1
    assert view.click_traps() >= 2  # the relation, the network list's javascript: actor

    # the innovation's page: its territory is a javascript: IRI
    page = view.open("/id/partner/reseau-test/innovation/exemple-xss")
    assert page.locator("h1").inner_text() == "<script>window.__xss=1</script>"
    assert view.click_traps() >= 2  # its territory and its javascript: actor

    # the network page: the list, the table and the graph's nodes (tapped as a click does)
    page = view.open(f"/network?actor={ACTOR}")
    page.wait_for_function(
        "() => Number(document.getElementById('network-view').dataset.rendered) >= 3",
        timeout=20_000,
    )
    assert view.click_traps() >= 2
    page.evaluate(
        "document.getElementById('network-view').qpvkgGraph.nodes()"
        ".filter(n => n.data('label') === 'Exemple : acteur javascript').emit('tap')"
    )
    view.check()
    assert page.url.startswith(f"{written}/network")  # the tap went nowhere

    # the query page: YASR's table of the partner's labels and links
    page = view.open("/sparql")
    page.locator(".CodeMirror").wait_for()
    page.evaluate(
        "query => { window.qpvkg.yasqe.setValue(query); window.qpvkg.yasqe.query(); }", QUERY
    )
    page.wait_for_selector("#yasr table tbody tr", timeout=20_000)
    assert page.locator("#yasr table tbody tr").count() >= 4
    assert page.locator("#yasr a[href^='javascript:' i], #yasr a[href^='data:' i]").count() == 0
    assert view.click_traps(sanitised=True) >= 2
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_and_map_look_right_under_the_policy(written: str, browser: object, lang: str) -> None:
    """The pages the policy applies to, drawn whole: screenshots to look at, no violation."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(RECORD)
    view = Page(context, written)
    page = view.open(f"/?lang={lang}")
    page.wait_for_function(
        "() => document.getElementById('home-map').dataset.rendered !== undefined"
    )
    assert page.locator("#chart-regions rect").count() >= 5  # the bars are drawn
    shot(page, f"home-{lang}.png")
    shot(page.locator(".map-section"), f"home-map-{lang}.png")
    page = view.open(f"/map?lang={lang}")
    partner_marker(page).hover(force=True)  # type: ignore[attr-defined]
    page.locator("#map-view .leaflet-tooltip").first.wait_for()
    shot(page, f"map-page-{lang}.png")  # the partner's label in the tooltip, as text
    view.check()
    context.close()

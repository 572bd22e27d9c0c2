"""The map and a QPV's page in a real browser (Debian's chromium, driven by Playwright) against
a real `qpvkg serve` over a copy of the store with the geography (the shipped snapshots, or the
fixtures of tests/fixtures/geo/ while the store has none): the base map, the QPV contours and the
innovations and connectors are drawn, the filter and the keyboard work, the page fits a phone;
no console error, no request to another host. Saves screenshots under
var/test-artefacts/screenshots/ (see docs/screenshots.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from loaders.build import BuildReport
from loaders.settings import Settings
from tests.conftest import add_geo_fixtures, copy_store, start_server, stop_server

from .test_pages import Watch, shot
from .test_query_page import ARGS, CHROMIUM

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package (dev extra) is not installed"
)

QPV = "/id/qpv/QN09355M"
DRAWN = "(id) => { const d = document.getElementById(id).dataset.rendered; return d !== undefined && d !== ''; }"


@pytest.fixture(scope="module")
def geo_server(
    built: BuildReport, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    store = copy_store(settings.store_path, tmp_path_factory.mktemp("map") / "store")
    add_geo_fixtures(store)
    base, process = start_server({"QPVKG_STORE": str(store), "QPVKG_WORKERS": "2"})
    try:
        yield base
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def chromium(geo_server: str) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(chromium: object, locale: str, width: int, height: int) -> tuple[Any, Any, Watch]:
    """A new browser context and page of that size, and what the page does watched."""
    phone = width < 500
    context = chromium.new_context(  # type: ignore[attr-defined]
        locale=locale,
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    return context, page, Watch(page)


def drawn(page: object, element: str) -> dict[str, str]:
    page.wait_for_function(DRAWN, arg=element, timeout=30_000)  # type: ignore[attr-defined]
    data: dict[str, str] = page.evaluate(  # type: ignore[attr-defined]
        "(id) => Object.assign({}, document.getElementById(id).dataset)", element
    )
    assert data["rendered"] != "error", data
    return data


def test_the_map_draws_contours_and_points_filters_and_answers_the_keyboard(
    geo_server: str, chromium: object
) -> None:
    context, page, watch = open_page(chromium, "fr-FR", 1280, 1000)
    page.goto(f"{geo_server}/map", wait_until="networkidle")
    data = drawn(page, "map-view")
    assert int(data["qpv"]) >= 6  # every QPV contour of the store is a Leaflet layer
    points = int(data["points"])
    assert points >= 5
    # contours and the base map are drawn on canvas; points are focusable markers (or clusters)
    assert page.locator("#map-view canvas").count() >= 1
    markers = page.locator("#map-view .leaflet-marker-icon")
    assert markers.count() >= 1
    # the legend, the filter, the tables
    assert page.locator("ul.map-legend li").count() == 5
    assert page.locator("table.map-points tbody tr").count() >= 5
    shot(page, "map-full.png")

    # the keyboard: a marker takes the focus, Enter opens what it is
    first = markers.first
    first.focus()
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)  # a cluster zooms in; a marker opens its popup
    # the filter: connectors only, then a category
    page.select_option("#map-view-filter select[name=kind]", "connector")
    page.wait_for_function(
        "(n) => document.getElementById('map-view').dataset.points !== '' && "
        "Number(document.getElementById('map-view').dataset.points) < n",
        arg=points,
    )
    page.select_option("#map-view-filter select[name=kind]", "all")
    page.select_option("#map-view-filter select[name=category]", "sociale")
    page.wait_for_function(
        "(n) => document.getElementById('map-view').dataset.points !== '' && "
        "Number(document.getElementById('map-view').dataset.points) < n",
        arg=points,
    )
    shot(page.locator(".map-block"), "map-filtered.png")
    watch.check()
    context.close()


def test_a_qpv_page_draws_its_contour_and_lists_what_is_in_it(
    geo_server: str, chromium: object
) -> None:
    context, page, watch = open_page(chromium, "fr-FR", 1280, 1000)
    page.goto(f"{geo_server}{QPV}", wait_until="networkidle")
    assert page.locator("h1").inner_text() == "Les Beaudottes Savigny"
    data = drawn(page, "resource-map")
    assert int(data["qpv"]) == 1  # its own contour
    assert int(data["points"]) >= 3  # its point and the centres of its two communes
    # the contour is an SVG path of the small map (drawn whole, as the source gives it)
    assert page.locator("#resource-map path.leaflet-interactive").count() >= 2
    assert page.locator("section.qpv-located").count() == 1
    assert page.locator("section.qpv-served").count() == 1
    shot(page, "qpv.png")
    # a commune's page: its centre and the contours of its QPV
    page.goto(f"{geo_server}/id/commune/93071", wait_until="networkidle")
    data = drawn(page, "resource-map")
    assert int(data["qpv"]) >= 2
    shot(page.locator("section.resource-map"), "commune-map.png")
    # an innovation's page: where it is drawn
    page.goto(f"{geo_server}/id/innovation/simplon-roubaix", wait_until="networkidle")
    data = drawn(page, "resource-map")
    assert int(data["points"]) >= 1
    watch.check()
    context.close()


def test_the_map_and_a_qpv_page_on_a_phone(geo_server: str, chromium: object) -> None:
    context, page, watch = open_page(chromium, "en-GB", 390, 844)
    for path, element, name in (
        ("/map", "map-view", "map-phone.png"),
        (QPV, "resource-map", "qpv-phone.png"),
    ):
        page.goto(f"{geo_server}{path}", wait_until="networkidle")
        drawn(page, element)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        box = page.locator(f"#{element}").bounding_box()
        assert box is not None and box["width"] <= 390
        shot(page, name)
    assert page.get_attribute("html", "lang") == "en"
    watch.check()
    context.close()

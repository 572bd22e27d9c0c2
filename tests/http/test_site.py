"""What every page's footer leads to, over the real app and data: the downloads, the catalogue
and the provenance for people, and the pages a French public service publishes (contact,
legal notices, accessibility statement), in French and English."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF
from starlette.testclient import TestClient

from endpoint import warmup
from endpoint.app import create_app
from endpoint.routes import about
from loaders.settings import Settings
from tests.http.conftest import OwnStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FOOTER_LINKS = (
    "/dumps/",
    "/catalog",
    "/graph/build",
    "/contact",
    "/mentions-legales",
    "/accessibilite",
)


@pytest.fixture(scope="module")
def site(embedded_client: TestClient) -> TestClient:
    """The app over the served store (shared: the store is opened by one app at a time)."""
    return embedded_client


@pytest.fixture(scope="module")
def contact_site(
    site: TestClient, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app over its own copy of the store, with the contact settings set."""
    folder = tmp_path_factory.mktemp("contact")
    contact = {
        "contact_name": "Agence de test",
        "contact_email": "ecrire@example.org",
        "contact_url": "https://tickets.example.org/qpvkg",
        "warm_pages": True,
    }
    with (
        own_store.settings("embedded", folder, workers=1, **contact) as settings,
        TestClient(create_app(settings)) as client,
    ):
        yield client


def page(client: TestClient, path: str, lang: str = "fr") -> str:
    response = client.get(path, headers={"accept": BROWSER, "accept-language": lang})
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html"), path
    return response.text


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def footer_of(markup: str) -> str:
    return markup.split('<footer class="site">', 1)[1].split("</footer>", 1)[0]


@pytest.mark.parametrize("path", ["/", "/queries", "/contact", "/id/innovation/totem-mobi"])
def test_every_page_s_footer_links_downloads_provenance_and_the_legal_pages(
    site: TestClient, path: str
) -> None:
    footer = footer_of(page(site, path))
    for href in FOOTER_LINKS:
        assert f'href="{href}"' in footer, (path, href)
    assert "Accessibilité : non conforme" in footer
    english = footer_of(page(site, path, "en"))
    assert "Legal notices" in english and "Accessibility: not compliant" in english


def test_every_footer_link_answers_a_page(site: TestClient) -> None:
    for href in FOOTER_LINKS:
        page(site, href)
        page(site, href, "en")


def test_the_accessibility_statement_says_the_service_is_not_audited(site: TestClient) -> None:
    french = text_of(page(site, "/accessibilite"))
    assert "Déclaration d'accessibilité" in french
    assert "non conforme avec le RGAA 4.1.2" in french
    assert "n'a pas encore été audité" in french
    assert "article 47 de la loi n° 2005-102" in french
    assert "Défenseur des droits" in french
    english = text_of(page(site, "/accessibilite", "en"))
    assert "Accessibility statement" in english and "not compliant with the RGAA" in english
    assert "non conforme" not in english


def test_without_contact_settings_nobody_is_made_up(site: TestClient) -> None:
    contact = text_of(page(site, "/contact"))
    assert "gestionnaire de tickets" in contact and "QPVKG_CONTACT_EMAIL" in contact
    assert "mailto:" not in page(site, "/contact")
    legal = text_of(page(site, "/mentions-legales"))
    assert "Non renseigné" in legal and "QPVKG_CONTACT_NAME" in legal
    assert "Licence Ouverte 2.0" in legal and "MIT" in legal
    statement = text_of(page(site, "/accessibilite"))
    assert "L'organisme qui publie ce service s'engage" in statement


def test_the_contact_settings_are_shown_where_set(contact_site: TestClient) -> None:
    contact = page(contact_site, "/contact")
    assert 'href="mailto:ecrire@example.org"' in contact
    assert 'href="https://tickets.example.org/qpvkg"' in contact
    assert "QPVKG_CONTACT_EMAIL" not in contact
    assert "Agence de test" in text_of(page(contact_site, "/mentions-legales"))
    statement = text_of(page(contact_site, "/accessibilite", "en"))
    assert "Agence de test is committed" in statement
    assert "ecrire@example.org" in statement


def test_a_contact_url_that_is_no_web_address_is_not_linked(app_settings: Settings) -> None:
    settings = app_settings.model_copy(update={"contact_url": "javascript:alert(1)"})
    assert about.contact_of(settings)["url"] == ""
    assert not about.contact_of(settings)["any"]


def test_the_catalogue_is_a_page_of_datasets_and_files_for_people(site: TestClient) -> None:
    markup = page(site, "/catalog")
    text = text_of(markup)
    manifest = site.get("/dumps/").json()
    for dump in manifest["dumps"]:
        assert f'href="/dumps/{dump["file"]}"' in markup
        assert dump["sha256"] in text
    nq = next(d for d in manifest["dumps"] if d["file"] == "qpvkg.nq.gz")
    assert (
        f"{nq['bytes'] / 1e6:.1f}".replace(".", ",") + " Mo" in text
    )  # 7,7 Mo (text_of makes the no-break space a space)
    assert "N-Quads" in text and "Licence Ouverte 2.0" in text
    for suffix in ("ttl", "rdf", "jsonld", "nt"):
        assert f'href="/catalog.{suffix}"' in markup
    graph = rdflib.Graph().parse(data=site.get("/catalog.ttl").text, format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert text_of(markup).count("Licence Ouverte 2.0") >= len(datasets)
    for dataset in datasets:
        for title in graph.objects(dataset, DCTERMS.title):
            if getattr(title, "language", None) == "fr":
                assert str(title) in text
    english = text_of(page(site, "/catalog", "en"))
    assert "Data catalogue" in english and "Open Licence 2.0" in english
    assert f"{nq['bytes'] / 1e6:.1f} MB" in english


def test_the_catalogue_s_rdf_answers_are_unchanged(site: TestClient) -> None:
    for accept, media in (
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("*/*", "text/turtle"),
    ):
        response = site.get("/catalog", headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media), accept
    assert (
        site.get("/catalog.ttl").content
        == site.get("/catalog", headers={"accept": "text/turtle"}).content
    )


def test_the_catalogue_page_revalidates_per_language(site: TestClient) -> None:
    first = site.get("/catalog", headers={"accept": BROWSER, "accept-language": "fr"})
    tag = first.headers["etag"]
    again = site.get(
        "/catalog", headers={"accept": BROWSER, "accept-language": "fr", "if-none-match": tag}
    )
    assert again.status_code == 304
    other = site.get(
        "/catalog", headers={"accept": BROWSER, "accept-language": "en", "if-none-match": tag}
    )
    assert other.status_code == 200 and "Data catalogue" in other.text


def test_the_provenance_page_shows_the_table_of_graphs(site: TestClient) -> None:
    markup = page(site, "/graph/build")
    table = markup.split('<table class="build-graphs">', 1)[1].split("</table>", 1)[0]
    cells = [text_of(row) for row in table.split("<tr>")[2:]]
    files = {
        row["file"]["value"]: row
        for row in site.get(
            "/sparql",
            params={
                "query": "PREFIX q: <https://w3id.org/qpvkg/def#> "
                "PREFIX spdx: <http://spdx.org/rdf/terms#> "
                "PREFIX void: <http://rdfs.org/ns/void#> "
                "SELECT ?file ?sum ?n WHERE { GRAPH <https://w3id.org/qpvkg/graph/build> "
                "{ ?g q:sourceFile ?file ; void:triples ?n ; spdx:checksum/spdx:checksumValue ?sum } }",
                "format": "json",
            },
        ).json()["results"]["bindings"]
    }
    assert len(files) > 30 and len(cells) >= len(files)
    study = next(c for c in cells if "data/study/innovations.ttl" in c)
    expected = files["data/study/innovations.ttl"]
    assert expected["sum"]["value"] in study
    assert f"{int(expected['n']['value']):,}".replace(",", " ") in study
    assert re.search(r"\b\d[\d ]* ms\b", study), study  # the loading time
    assert all(any(f in c for c in cells) for f in files)
    assert "calculé" in text_of(table)  # the derived graph has no file
    english = text_of(page(site, "/graph/build", "en"))
    assert "The graphs of the build" in english and "source file" in english


def test_every_dataset_of_the_catalogue_states_its_licence(site: TestClient) -> None:
    """CKAN (ckanext-dcat) and DCAT-AP read a dataset's licence on the dataset itself, as well
    as on its distributions; the licence is named too, so a portal can match it by title."""
    graph = rdflib.Graph().parse(data=site.get("/catalog.ttl").text, format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) >= 4
    for dataset in datasets:
        licences = set(graph.objects(dataset, DCTERMS.license))
        assert licences, dataset
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert set(graph.objects(distribution, DCTERMS.license)) <= licences | {None}
            assert set(graph.objects(distribution, DCTERMS.license)), distribution
    etalab = rdflib.URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    assert str(graph.value(etalab, DCTERMS.title)) == "Licence Ouverte / Open Licence version 2.0"


def sparql_value(client: TestClient, query: str) -> str:
    response = client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    value: str = response.json()["results"]["bindings"][0]["n"]["value"]
    return value


def test_numbers_and_booleans_are_shown_for_people(site: TestClient) -> None:
    population = int(
        sparql_value(
            site,
            "SELECT ?n WHERE { <https://w3id.org/qpvkg/id/commune/93066> "
            "<https://w3id.org/qpvkg/def#population> ?n }",
        )
    )
    assert population > 1000
    french = page(site, "/id/commune/93066")
    assert f'<data class="literal" value="{population}"' in french
    assert f"{population:,}".replace(",", "\u202f") in french
    assert "xsd:integer" not in text_of(french).replace("(xsd:integer)", "")
    assert f"{population:,}" in page(site, "/id/commune/93066", "en")
    quartier = text_of(page(site, "/id/quartier/beaudottes-sevran"))
    assert "oui" in quartier and "xsd:boolean" not in quartier and " true " not in quartier
    assert " yes " in text_of(page(site, "/id/quartier/beaudottes-sevran", "en"))


def test_a_concept_s_incoming_links_leave_out_the_shapes_workings(site: TestClient) -> None:
    markup = page(site, "/concept/stage/maturation")
    incoming = markup.split('<section class="incoming">', 1)[1].split("</article>", 1)[0]
    assert "sh:in" not in incoming and "rdf:first" not in incoming
    assert "shapes#" not in incoming
    assert "skos:related" in incoming or "soutient" in incoming  # the real links stay


def test_the_network_title_elides_de_in_french(site: TestClient) -> None:
    actor = "https://w3id.org/qpvkg/id/organisation/adive"
    french = page(site, f"/network?actor={actor}")
    assert "Réseau d'Adive" in html.unescape(french) and "Réseau de Adive" not in french
    assert "Network of Adive" in page(site, f"/network?actor={actor}", "en")


def test_named_query_tables_show_short_links_and_formatted_numbers(site: TestClient) -> None:
    markup = page(site, "/queries/actors-by-type")
    table = markup.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    assert '<div class="table-scroll">' in markup
    texts = re.findall(r"<a [^>]*>([^<]*)</a>", table)
    assert texts and not any(t.startswith("https://w3id.org/") for t in texts)


def test_large_responses_are_compressed_and_assets_cached(site: TestClient) -> None:
    gzip_only = {"accept-encoding": "gzip"}
    script = site.get("/static/vendor/yasgui/yasgui.min.js", headers=gzip_only)
    assert script.headers["content-encoding"] == "gzip"
    assert "public, max-age=" in script.headers["cache-control"]
    own = site.get("/static/qpvkg.css", headers=gzip_only)
    assert own.headers["cache-control"] == "no-cache"
    home = site.get("/", headers={**gzip_only, "accept": BROWSER})
    assert home.headers["content-encoding"] == "gzip" and "qpvkg" in home.text
    listing = site.get("/queries", headers={**gzip_only, "accept": "application/json"})
    assert listing.headers["content-encoding"] == "gzip"
    dump = site.get("/dumps/qpvkg.nq.gz", headers=gzip_only)  # gzip already: sent as it is
    assert "content-encoding" not in dump.headers
    part = site.get("/dumps/qpvkg.nq.gz", headers={**gzip_only, "range": "bytes=0-9"})
    assert part.status_code == 206 and len(part.content) == 10


def test_each_chart_says_how_many_items_it_covers(site: TestClient) -> None:
    markup = page(site, "/")
    covers = re.findall(r'<figcaption class="chart-covers">([^<]*)</figcaption>', markup)
    assert covers and all("innovations" in c for c in covers)
    assert "Le graphe tient" in covers[0]


def test_the_pages_models_are_built_at_start_when_asked(contact_site: TestClient) -> None:
    """With warm_pages (on under qpvkg serve), the server asks for its slow pages itself at
    start: their models are kept before anyone's first request."""
    state = contact_site.app.state  # type: ignore[attr-defined]

    def kept() -> set[str]:
        return {key for _, key in list(getattr(state, "page_models", {}))}

    deadline = time.monotonic() + 120
    while "home" not in kept():  # the first page asked for (the others follow it)
        assert time.monotonic() < deadline, kept()
        time.sleep(0.2)
    engine, settings = state.engine, state.settings  # and each typology's page is asked for
    paths = contact_site.portal.call(warmup.pages_to_warm, engine, settings)  # type: ignore[union-attr]
    assert "/concept/stage" in paths and "/shapes" in paths

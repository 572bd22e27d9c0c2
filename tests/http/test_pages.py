"""The documentation and exploration pages over the real app and data: the home page's counts and
charts, /ontology, /shapes, concept schemes, /network, /map, and French or English everywhere."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from endpoint import i18n, overview
from endpoint.app import create_app
from endpoint.pages import maps as pm
from loaders.settings import Settings

BASE = "https://w3id.org/qpvkg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIXES = (
    "PREFIX qpvkg: <https://w3id.org/qpvkg/def#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    "PREFIX sh: <http://www.w3.org/ns/shacl#> "
    "PREFIX igeo: <http://rdf.insee.fr/def/geo#> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> "
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
TEMPLATES = Path(__file__).parents[2] / "endpoint" / "templates"


def rows(client: TestClient, query: str) -> list[dict[str, dict[str, str]]]:
    response = client.get("/sparql", params={"query": PREFIXES + query, "format": "json"})
    assert response.status_code == 200, response.text
    bindings: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return bindings


def count(client: TestClient, pattern: str) -> int:
    return int(
        rows(client, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")[0]["n"]["value"]
    )


def page(client: TestClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={"accept": BROWSER, **headers})
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def text_of(markup: str) -> str:
    """The page's text: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(autouse=True)
def no_language_cookie(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts without the language cookie that ?lang= sets, and leaves none."""
    if "client" not in request.fixturenames:
        yield
        return
    client: TestClient = request.getfixturevalue("client")
    client.cookies.clear()
    yield
    client.cookies.clear()


# ----------------------------------------------------------------------------- home


def test_home_counts_are_the_graph_counts(client: TestClient) -> None:
    index = client.get("/", headers={"accept": "application/json"}).json()
    counts = index["counts"]
    assert counts["innovations"] == count(client, "?x a qpvkg:Innovation")
    assert counts["actors"] == count(client, "?c rdfs:subClassOf* qpvkg:Actor . ?x a ?c")
    assert counts["partnerships"] == count(client, "?x a qpvkg:Partnership") > 0
    assert counts["organisations"] == count(client, "?x a qpvkg:Organisation")
    assert counts["people"] == count(client, "?x a qpvkg:Person")
    assert counts["qpv"] == count(client, "?x a qpvkg:QuartierPrioritaire")
    assert counts["schemes"] == count(client, "?c rdfs:subClassOf* qpvkg:SupportScheme . ?x a ?c")
    partners = count(
        client,
        f"GRAPH <{BASE}graph/contributions> {{ ?g dcat:hasCurrentVersion ?v ; "
        "prov:wasAttributedTo ?x }",
    )
    assert counts["partners"] == partners
    generation = client.app.state.engine.generation  # type: ignore[attr-defined]
    assert index["last_update"] == generation.last_modified.isoformat(timespec="seconds")
    markup = page(client, "/")
    for key, word in (("partnerships", "partenariats"), ("schemes", "dispositifs d'appui")):
        assert f"<strong>{counts[key]}</strong> {word}" in html.unescape(markup), key
    assert f'datetime="{index["last_update"]}"' in markup


def test_home_charts_count_innovations(client: TestClient) -> None:
    markup = page(client, "/")
    regions = rows(
        client,
        "SELECT ?label (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a qpvkg:Innovation ; "
        "qpvkg:territory ?t . ?t qpvkg:within* ?r . ?r a igeo:Region ; rdfs:label ?label } "
        "GROUP BY ?label",
    )
    assert regions
    chart = html.unescape(markup.split('id="chart-regions"', 1)[1].split("</figure>", 1)[0])
    for row in regions:
        label, n = row["label"]["value"], row["n"]["value"]
        assert re.search(
            rf">{re.escape(label)}</a></th>\s*<td><span class=\"bar\">.*?</svg>"
            rf"<span class=\"bar-value\">{n}<",
            chart,
        ), label
    impacts = rows(
        client,
        "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a qpvkg:Innovation ; qpvkg:impactArea ?c } "
        "GROUP BY ?c",
    )
    chart = markup.split('id="chart-impacts"', 1)[1].split("</figure>", 1)[0]
    for row in impacts:
        href = "/" + row["c"]["value"][len(BASE) :]
        assert re.search(
            rf'href="{href}">[^<]+</a></th>\s*<td><span class="bar">.*?</svg>'
            rf'<span class="bar-value">{row["n"]["value"]}<',
            chart,
        ), href
    assert 'id="chart-categories"' in markup
    assert '<div class="map" id="home-map"' in markup


# ----------------------------------------------------------------------------- /ontology


def test_every_class_and_property_of_the_ontology_is_documented(client: TestClient) -> None:
    terms = rows(
        client,
        "SELECT ?t ?fr ?en WHERE { VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty } "
        "?t a ?k ; rdfs:label ?fr , ?en . FILTER(LANG(?fr) = 'fr' && LANG(?en) = 'en') "
        f'FILTER(STRSTARTS(STR(?t), "{BASE}def#")) }}',
    )
    assert len(terms) > 60
    for lang in ("fr", "en"):
        markup = page(client, f"/ontology?lang={lang}")
        for row in terms:
            anchor = row["t"]["value"].split("#", 1)[1]
            section = re.search(
                rf'<section class="part term" id="{anchor}">(.*?)</section>', markup, re.S
            )
            assert section, anchor
            body = html.unescape(section.group(1))
            assert row["fr"]["value"] in body and row["en"]["value"] in body, anchor
    assert 'id="diagram"' in markup and "cytoscape.min.js" in markup
    diagram = json.loads(
        re.search(r'id="ontology-diagram-data">(.*?)</script>', markup, re.S).group(1)  # type: ignore[union-attr]
    )
    classes = count(client, f'?x a owl:Class FILTER(STRSTARTS(STR(?x), "{BASE}def#"))')
    assert len(diagram["nodes"]) == classes and diagram["edges"]


def test_the_ontology_page_names_domains_ranges_and_reused_vocabularies(
    client: TestClient,
) -> None:
    markup = page(client, "/ontology")
    actor = re.search(r'<section class="part term" id="actor">(.*?)</section>', markup, re.S)
    assert actor
    # its range: an actor, or an official commune when the municipality acts
    assert 'href="#Involvement"' in actor.group(1) and 'href="#Participant"' in actor.group(1)
    assert "prov:agent" in actor.group(1)  # its super-property, from PROV-O
    vocabularies = markup.split('id="vocabularies"', 1)[1]
    for prefix in ("prov:", "org:", "skos:", "igeo:", "geo:", "cpsv:"):
        assert f"<code>{prefix}</code>" in vocabularies, prefix


def test_the_ontology_rdf_is_still_served_by_accept(client: TestClient) -> None:
    for path in ("/ontology", "/def"):
        response = client.get(path, headers={"accept": "text/turtle"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        subjects = {q.subject for q in ox.parse(response.content, ox.RdfFormat.TURTLE)}
        assert ox.NamedNode(f"{BASE}def#Innovation") in subjects
    assert client.get("/ontology.jsonld").headers["content-type"].startswith("application/ld+json")
    assert "Termes (" in page(client, "/def")  # /def in a browser is the documentation
    assert 'id="Innovation"' in page(client, "/def.html")


# ----------------------------------------------------------------------------- /shapes


def test_every_shape_is_on_the_shapes_page_with_its_messages(client: TestClient) -> None:
    shapes = rows(
        client,
        "SELECT DISTINCT ?s WHERE { { ?s a sh:NodeShape } UNION { ?s a sh:PropertyShape } "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}shapes#")) }}',
    )
    messages = rows(
        client,
        "SELECT DISTINCT ?m WHERE { ?s sh:message ?m . "
        "?s (^sh:property)* ?shape . "
        f'FILTER(isIRI(?shape) && STRSTARTS(STR(?shape), "{BASE}shapes#")) }}',
    )
    markup = page(client, "/shapes")
    anchors = set(re.findall(r'<section class="part" id="([^"]+)"', markup))
    assert {row["s"]["value"].split("#", 1)[1] for row in shapes} <= anchors
    text = text_of(markup)
    languages = set()
    for row in messages:
        assert re.sub(r"\s+", " ", row["m"]["value"]) in text, row["m"]["value"]
        languages.add(row["m"]["xml:lang"])
    assert languages == {"fr", "en"} and len(messages) > 100


def test_a_shape_shows_what_it_requires_and_an_example(client: TestClient) -> None:
    markup = page(client, "/shapes")
    innovation = markup.split('id="InnovationShape"', 1)[1].split('<section class="part"', 1)[0]
    assert "qpvkg:involvement" in innovation and "au moins" in innovation
    example = re.search(r'<pre class="example"[^>]*><code>(.*?)</code>', innovation, re.S)
    assert example
    turtle = html.unescape(example.group(1))
    assert "a qpvkg:Innovation" in turtle and "qpvkg:involvement [" in turtle
    involvement = markup.split('id="InvolvementShape"', 1)[1].split('<section class="part"', 1)[0]
    assert "qpvkg:actor" in html.unescape(involvement)
    for shape, value in [  # shapes of blank nodes: their example is one node, with its values
        ("InvolvementShape", "qpvkg:actor"),
        ("FigureShape", "qpvkg:indicator"),
        ("StatementShape", "rdf:subject"),
        ("PeriodOfTimeShape", "dcat:startDate"),
    ]:
        part = markup.split(f'id="{shape}"', 1)[1].split('<section class="part"', 1)[0]
        example = re.search(r'<pre class="example"[^>]*><code>(.*?)</code>', part, re.S)
        assert example, shape
        turtle = html.unescape(example.group(1))
        assert turtle.count(f"{value} ") == 1, (shape, turtle)
    english = page(client, "/shapes?lang=en")
    assert "What it requires" in english and "Example of valid data" in english


def test_the_shapes_rdf_is_still_served(client: TestClient) -> None:
    response = client.get("/shapes", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    assert client.get("/shapes.nt").status_code == 200


# ----------------------------------------------------------------------------- concept schemes


@pytest.mark.parametrize("scheme", ["impact-area", "innovation-category", "role", "stage"])
def test_a_concept_scheme_page_counts_the_innovations_of_each_concept(
    client: TestClient, scheme: str
) -> None:
    expected = rows(
        client,
        "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { "
        f"?c skos:inScheme <{BASE}concept/{scheme}> . "
        "OPTIONAL { ?i a qpvkg:Innovation . { ?i ?p ?c } UNION { ?i ?p ?b . ?b ?q ?c FILTER(isBlank(?b)) } } "
        "} GROUP BY ?c",
    )
    markup = page(client, f"/concept/{scheme}")
    assert expected
    for row in expected:
        href = "/" + row["c"]["value"][len(BASE) :]
        cell = re.search(
            rf'<a href="{href}">.*?<td class="count"><span class="bar">.*?</svg>'
            r'<span class="bar-value">(\d+)<',
            markup,
            re.S,
        )
        assert cell and cell.group(1) == row["n"]["value"], href
    assert client.get(f"/concept/{scheme}", headers={"accept": "text/turtle"}).status_code == 200
    assert client.get(f"/concept/{scheme}.ttl").headers["content-type"].startswith("text/turtle")


def test_an_unknown_scheme_is_404(client: TestClient) -> None:
    assert client.get("/concept/nope", headers={"accept": BROWSER}).status_code == 404


# ----------------------------------------------------------------------------- network and map


def test_an_actors_network(client: TestClient) -> None:
    actor = f"{BASE}id/organisation/simplon-co"
    network = client.get("/network", params={"actor": actor, "format": "json"}).json()
    ids = {n["id"] for n in network["nodes"]}
    assert {actor, f"{BASE}id/innovation/simplon-co", f"{BASE}id/innovation/simplon-roubaix"} <= ids
    assert network["nodes"][0]["id"] == actor and network["nodes"][0]["center"]
    roles = {(e["source"], e["target"], e["role"].rsplit("/", 1)[-1]) for e in network["edges"]}
    assert (actor, f"{BASE}id/innovation/simplon-co", "porteur") in roles
    involvements = count(client, f"?x qpvkg:involvement/qpvkg:actor <{actor}>")
    assert len({e["target"] for e in network["edges"] if e["source"] == actor}) == involvements
    markup = page(client, f"/network?actor={actor}")
    assert "Formation Simplon Roubaix" in markup and "porteur" in markup.lower()
    resource = page(client, "/id/organisation/simplon-co")
    assert 'class="graph network" id="actor-network"' in resource
    assert 'class="map" id="actor-map"' in resource
    partnership = client.get(
        "/network", params={"actor": "/id/partnership/r3", "format": "json"}
    ).json()
    assert any(e["kind"] == "membership" for e in partnership["edges"])
    assert client.get("/network", params={"actor": "not an iri"}).status_code == 400


def test_the_map_lists_communes_with_their_counts(client: TestClient) -> None:
    document = client.get("/map", params={"format": "json"}).json()
    places = {p["code"]: p for p in document["places"]}
    marseille = count(
        client,
        f"?x a qpvkg:Innovation ; qpvkg:territory ?t . "
        f"?t (qpvkg:within|qpvkg:commune)? <{BASE}id/commune/13055>",
    )
    assert places["13055"]["innovations"] == marseille > 0
    # every commune has its official centre (data/reference/communes-centres.nt.gz)
    assert document["placed"] == len(places) and document["unplaced"] == 0
    markup = page(client, "/map")
    assert 'href="/id/commune/13055">Marseille</a>' in markup
    assert "tile.openstreetmap.org" not in markup  # no base map from another host


def test_the_map_of_one_actor_and_of_what_is_no_actor(client: TestClient) -> None:
    adive = client.get("/map", params={"actor": "/id/organisation/adive", "format": "json"})
    assert adive.status_code == 200 and adive.json()["places"], adive.text
    # the base IRI and an unknown actor act nowhere: no places, found without walking the
    # paths from territories to communes (schemathesis timed out on HEAD /map?actor=/)
    for actor in ("/", "/id/organisation/no-such-actor"):
        document = client.get("/map", params={"actor": actor, "format": "json"}).json()
        assert document == {"places": [], "placed": 0, "unplaced": 0}, actor
    assert client.head("/map", params={"actor": "/"}).status_code == 200


# ----------------------------------------------------------------------------- languages


def test_french_first_english_by_accept_language_or_switch(client: TestClient) -> None:
    french = page(client, "/")
    assert '<html lang="fr">' in french and "Ce que le graphe contient" in french
    english = page(client, "/", **{"accept-language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en">' in english and "What the graph holds" in english
    assert "Ce que le graphe contient" in page(client, "/", **{"accept-language": "de, fr;q=0.8"})
    switched = client.get("/?lang=en", headers={"accept": BROWSER})
    assert "What the graph holds" in switched.text
    assert "lang=en" in switched.headers["set-cookie"]
    # the cookie keeps the choice, over Accept-Language
    kept = client.get("/ontology", headers={"accept": BROWSER, "cookie": "lang=en"})
    assert '<html lang="en">' in kept.text and "Object properties" in kept.text
    back = client.get("/ontology?lang=fr", headers={"accept": BROWSER, "cookie": "lang=en"})
    assert "Propriétés d'objet" in html.unescape(back.text)


def test_every_page_has_the_switch_and_a_skip_link(client: TestClient) -> None:
    for path in (
        "/",
        "/sparql",
        "/queries",
        "/queries/national-innovations",
        "/search?q=totem",
        "/ontology",
        "/shapes",
        "/concept/stage",
        "/id/innovation/totem-mobi",
        "/graph/build",
        "/map",
        f"/network?actor={BASE}id/organisation/simplon-co",
    ):
        for lang, other in (("fr", "English"), ("en", "Français")):
            markup = client.get(path, params={"lang": lang}, headers={"accept": BROWSER}).text
            assert f'<html lang="{lang}">' in markup, (path, lang)
            assert 'class="skip-link" href="#main"' in markup and 'id="main"' in markup, path
            assert f">{other}</a>" in markup, (path, lang)


def test_error_pages_speak_the_readers_language(client: TestClient) -> None:
    missing = client.get("/nothing-here", headers={"accept": BROWSER, "accept-language": "en"})
    assert missing.status_code == 404
    assert '<html lang="en">' in missing.text and "not found" in missing.text
    french = client.get("/nothing-here", headers={"accept": BROWSER})
    assert '<html lang="fr">' in french.text and "introuvable" in french.text
    short = client.get("/search", params={"q": "a", "format": "html", "lang": "en"})
    assert "Type at least 2 characters" in short.text
    client.cookies.clear()


#: Every kind of HTML page, an error page included (path, status).
HTML_PAGES = (
    ("/", 200),
    ("/map", 200),
    (f"/network?actor={BASE}id/organisation/simplon-co", 200),
    ("/id/organisation/simplon-co", 200),
    ("/concept/impact-area", 200),
    ("/queries", 200),
    ("/queries/national-innovations", 200),
    ("/sparql", 200),
    ("/ontology", 200),
    ("/shapes", 200),
    ("/search?q=Simplon", 200),
    ("/-/docs", 200),
    ("/nothing-here", 404),
)
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


@pytest.mark.parametrize(("path", "status"), HTML_PAGES, ids=[p for p, _ in HTML_PAGES])
def test_every_html_page_sends_the_content_security_policy(
    client: TestClient, path: str, status: int
) -> None:
    """The server itself only, and nothing in the page that the policy would block: no inline
    script (JSON data blocks aside), no inline event handler, no inline style."""
    response = client.get(path, headers={"accept": BROWSER})
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    expected = dict(CSP)
    if path == "/sparql":  # YASR's column resizer adds a <style> element
        expected["style-src"] = "'self' 'unsafe-inline'"
    if path == "/-/docs":  # Swagger UI's stylesheet draws its icons as data: images
        expected["img-src"] = "'self' data:"
    assert directives(response.headers["content-security-policy"]) == expected
    markup = response.text
    for script in re.findall(r"<script\b([^>]*)>", markup):
        assert "src=" in script or 'type="application/json"' in script, (path, script)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", markup), path
    assert not re.search(r"<[^>]+\sstyle\s*=", markup), path
    assert "<style" not in markup, path


def test_the_500_page_sends_the_content_security_policy(app_settings: Settings) -> None:
    """The page of an unexpected error, answered by the outermost error handler, too."""
    app = create_app(app_settings)

    @app.get("/-/test-failure", include_in_schema=False)
    def failure() -> None:
        raise RuntimeError("an unexpected failure")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/-/test-failure", headers={"accept": BROWSER})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert directives(response.headers["content-security-policy"]) == CSP


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
        ("/id/organisation/simplon-co", "text/turtle"),
        ("/id/organisation/simplon-co.jsonld", "*/*"),
        ("/map?format=json", "*/*"),
        ("/queries/national-innovations?format=csv", "*/*"),
        ("/static/map.js", "*/*"),
        ("/-/health", "*/*"),
        ("/nothing-here", "application/json"),
    ],
)
def test_other_responses_carry_no_content_security_policy(
    client: TestClient, path: str, accept: str
) -> None:
    response = client.get(path, headers={"accept": accept})
    assert not response.headers["content-type"].startswith("text/html"), path
    assert "content-security-policy" not in response.headers, path


def test_html_validators_name_their_language(client: TestClient) -> None:
    french = client.get("/id/innovation/totem-mobi", headers={"accept": BROWSER})
    english = client.get(
        "/id/innovation/totem-mobi", headers={"accept": BROWSER, "accept-language": "en"}
    )
    assert french.headers["etag"] != english.headers["etag"]
    assert french.headers["etag"].endswith('-fr"')
    assert french.headers["cache-control"] == "no-cache"
    assert french.headers["content-language"] == "fr"
    # the French copy is current for a French reader, not for an English one
    again = client.get(
        "/id/innovation/totem-mobi",
        headers={"accept": BROWSER, "if-none-match": french.headers["etag"]},
    )
    assert again.status_code == 304
    other = client.get(
        "/id/innovation/totem-mobi",
        headers={
            "accept": BROWSER,
            "accept-language": "en",
            "if-none-match": french.headers["etag"],
        },
    )
    assert other.status_code == 200 and '<html lang="en">' in other.text
    turtle = client.get("/id/innovation/totem-mobi.ttl")
    revalidated = client.get(
        "/id/innovation/totem-mobi.ttl", headers={"if-none-match": turtle.headers["etag"]}
    )
    assert revalidated.status_code == 304  # RDF validators are untouched


def test_the_catalogues_hold_every_message_the_templates_use() -> None:
    french, english = i18n.catalogue("fr"), i18n.catalogue("en")
    assert set(french) == set(english)
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(
            re.findall(r"""\bt\(["']([\w.]+)["']\s*[,)]""", template.read_text(encoding="utf-8"))
        )
    assert used and not used - set(french), sorted(used - set(french))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,en;q=0.5,fr;q=0.4", "en"),
        ("de", None),
        ("*", "fr"),
        ("en;q=0, fr;q=0.1", "fr"),
    ],
)
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected
    assert i18n.choose(None, None, header) == (expected or "fr")
    assert i18n.choose("en", "fr", header) == "en" and i18n.choose(None, "en", header) == "en"


def test_a_commune_with_a_geosparql_point_is_placed() -> None:
    """The map's path for positions the graph does not hold yet: a WKT point (longitude first)."""
    assert pm.point_of("POINT(2.3522 48.8566)") == (48.8566, 2.3522)
    crs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT (5.37 43.30)"
    assert pm.point_of(crs) == (43.30, 5.37)
    assert pm.point_of("POLYGON((0 0, 1 1, 1 0, 0 0))") is None and pm.point_of(None) is None
    wkt = ox.Literal(
        "POINT(5.37 43.30)",
        datatype=ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral"),
    )
    places = pm.places_of(
        [
            {
                "commune": ox.NamedNode(f"{BASE}id/commune/13055"),
                "label": ox.Literal("Marseille"),
                "wkt": wkt,
                "innovations": ox.Literal("5", datatype=ox.NamedNode(XSD_INTEGER)),
            },
            {"commune": ox.NamedNode(f"{BASE}id/commune/59512"), "label": ox.Literal("Roubaix")},
        ],
        BASE,
    )
    assert [(p["lat"], p["lon"], p["innovations"]) for p in places] == [
        (43.30, 5.37, 5),
        (None, None, 0),
    ]
    assert overview.map_document(places)["placed"] == 1


# ----------------------------------------------------------------------------- evidence


def test_a_resource_page_tells_the_study_from_the_editorial_readings(client: TestClient) -> None:
    """Adive: its scale is the study's (its heading says national), its impact area and axis
    are editorial readings; each value carries its mark, and the page has the legend."""
    markup = page(client, "/id/innovation/adive")
    study = re.findall(r'<span class="basis basis-study" title="([^"]*)">', markup)
    assert "Adive (national)" in [html.unescape(q) for q in study]
    assert markup.count('class="basis basis-editorial"') >= 3  # two readings and the legend
    assert 'href="/graph/editorial/readings"' in markup
    assert "Fondement des classements" in text_of(markup)
    english = page(client, "/id/innovation/adive?lang=en")
    assert "Basis of the classifications" in text_of(english)
    assert "editorial reading" in text_of(english)


def test_a_page_without_classifications_has_no_legend(client: TestClient) -> None:
    assert "basis-legend" not in page(client, "/id/person/akim-oural")

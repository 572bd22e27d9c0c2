"""The lists to browse (/lists, /lists/{name}): paging, sorting, facets with their counts, JSON
and CSV, bad parameters, both languages, and the home page's counts that lead to them; over the
real app and data, on both store kinds."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.folding import fold

BASE = "https://w3id.org/qpvkg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = {"accept": "application/json"}
LISTS = {"innovations", "organisations", "people", "schemes", "partnerships", "territories", "qpv"}


def count(client: TestClient, pattern: str) -> int:
    query = (
        "PREFIX qpvkg: <https://w3id.org/qpvkg/def#> "
        "PREFIX igeo: <http://rdf.insee.fr/def/geo#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    )
    rows = client.get("/sparql", params={"query": query, "format": "json"}).json()
    return int(rows["results"]["bindings"][0]["n"]["value"])


def listing(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params, headers=JSON)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_index_names_every_list(client: TestClient) -> None:
    entries = {e["name"]: e for e in listing(client, "/lists")["lists"]}
    assert set(entries) >= LISTS | {"concepts"}
    assert entries["innovations"]["class"] == f"{BASE}def#Innovation"
    innovations = listing(client, entries["innovations"]["url"])
    assert innovations["total"] == count(client, "?x a qpvkg:Innovation") > 20
    assert listing(client, "/lists/organisations")["total"] == count(
        client, "?x a qpvkg:Organisation"
    )
    assert listing(client, "/lists/qpv")["total"] == count(client, "?x a qpvkg:QuartierPrioritaire")
    assert listing(client, "/lists/concepts")["total"] == count(client, "?x a skos:Concept")
    html = client.get("/lists", headers={"accept": BROWSER, "accept-language": "en"}).text
    assert '<a href="/lists/schemes">Support schemes</a>' in html


def test_communes_are_paged(client: TestClient) -> None:
    communes = count(client, "?x a igeo:Commune")
    first = listing(client, "/lists/territories", type="Commune")
    assert first["total"] == communes > 30000
    assert first["pages"] == -(-communes // 50) and len(first["rows"]) == 50
    second = listing(client, "/lists/territories", type="Commune", page=2)
    assert {r["iri"] for r in first["rows"]}.isdisjoint(r["iri"] for r in second["rows"])
    last = listing(client, "/lists/territories", type="Commune", page=first["pages"])
    assert len(last["rows"]) == communes - 50 * (first["pages"] - 1)
    assert all(
        r["type"]
        == [{"label": "commune", "iri": "http://rdf.insee.fr/def/geo#Commune", "href": None}]
        for r in last["rows"]
    )
    folded = [fold(r["label"]) for r in first["rows"]]
    assert folded == sorted(folded) and folded[0].startswith("a")
    html = client.get(
        "/lists/territories", params={"type": "Commune", "page": 2}, headers={"accept": BROWSER}
    ).text
    assert 'rel="prev" href="/lists/territories?type=Commune&amp;page=1"' in html
    assert 'rel="next" href="/lists/territories?type=Commune&amp;page=3"' in html
    assert f"Page 2 sur {first['pages']}" in html


def test_a_list_sorts_by_a_column_either_way(client: TestClient) -> None:
    down = listing(client, "/lists/territories", type="Commune", sort="-population")["rows"]
    populations = [int(r["population"][0]["label"]) for r in down]
    assert populations == sorted(populations, reverse=True)
    assert down[0]["href"] == "/id/commune/75056"  # Paris
    up = listing(client, "/lists/territories", type="Departement", sort="code")["rows"]
    codes = [r["code"][0]["label"] for r in up]
    assert codes[:2] == ["01", "02"] and codes.index("09") < codes.index("10")
    last = listing(client, "/lists/territories", type="Departement", sort="-code")["rows"]
    assert int(last[0]["code"][0]["label"]) > 970  # numbers by value: the overseas last


def test_a_facet_filters_and_counts(client: TestClient) -> None:
    seine = listing(client, "/lists/territories", type="Commune", departement="departement/93")
    expected = count(
        client,
        "?x a igeo:Commune ; qpvkg:within <https://w3id.org/qpvkg/id/departement/93>",
    )
    assert seine["total"] == expected == 39
    assert seine["filters"] == {"type": ["Commune"], "departement": ["departement/93"]}
    assert {r["departement"][0]["label"] for r in seine["rows"]} == {"Seine-Saint-Denis"}
    (facet,) = seine["facets"]["departement"]
    assert facet["count"] == expected and facet["selected"] is True
    assert facet["href"] == "/lists/territories?type=Commune"  # the filter taken off
    # the counts of a facet are those of the graph
    innovations = listing(client, "/lists/innovations")
    for value in innovations["facets"]["impact"]:
        n = count(client, f"?x a qpvkg:Innovation ; qpvkg:impactArea <{value['iri']}>")
        assert value["count"] == n, value
        filtered = listing(client, "/lists/innovations", impact=value["key"])
        assert filtered["total"] == n
    assert innovations["facets"]["impact"], "the innovations have impact areas"


def test_a_list_as_csv_and_json(client: TestClient) -> None:
    by_suffix = client.get("/lists/innovations.csv")
    assert by_suffix.status_code == 200
    assert by_suffix.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_suffix.text)))
    assert len(rows) == count(client, "?x a qpvkg:Innovation")
    assert {"iri", "label", "category", "category_iri", "territory"} <= set(rows[0])
    totem = next(r for r in rows if r["iri"] == f"{BASE}id/innovation/totem-mobi")
    assert totem["label"] == "Totem Mobi" and "Marseille" in totem["territory"]
    assert client.get("/lists/innovations", params={"format": "csv"}).text == by_suffix.text
    negotiated = client.get("/lists/innovations", headers={"accept": "text/csv"})
    assert negotiated.text == by_suffix.text
    # the CSV has every resource the filters keep, not one page
    aisne = client.get("/lists/territories.csv", params={"departement": "departement/02"})
    aisne_rows = list(csv.DictReader(io.StringIO(aisne.text)))
    assert len(aisne_rows) > 700 and {r["departement"] for r in aisne_rows} == {"Aisne"}
    as_json = client.get("/lists/organisations.json").json()
    assert as_json == client.get("/lists/organisations", params={"format": "json"}).json()
    assert as_json["total"] == count(client, "?x a qpvkg:Organisation")
    assert as_json["formats"]["csv"] == "/lists/organisations.csv"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"sort": "colour"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "deux"}, "page"),
        ({"page": "999"}, "page"),  # past the last page
        ({"category": "inconnue"}, "category"),  # not a value of the facet
        ({"colour": "red"}, "colour"),  # not a parameter of the list
    ],
)
def test_bad_parameters_get_a_400(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/lists/innovations", params=params, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_parameter" and error["details"]["parameter"] == parameter
    page = client.get("/lists/innovations", params=params, headers={"accept": BROWSER})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "<h1>400" in page.text


def test_an_unknown_list_is_a_404(client: TestClient) -> None:
    assert client.get("/lists/unicorns", headers=JSON).status_code == 404
    assert client.get("/lists/unicorns.csv", headers=JSON).status_code == 404
    response = client.get("/lists/innovations.pdf", headers=JSON)
    assert response.status_code == 400


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_a_list_page_in_french_and_in_english(client: TestClient) -> None:
    french = client.get(
        "/lists/innovations", headers={"accept": BROWSER, "accept-language": "fr"}
    ).text
    english = client.get(
        "/lists/innovations", headers={"accept": BROWSER, "accept-language": "en"}
    ).text
    assert "Catégorie d'innovation" in text_of(french) and "Filtres" in french
    assert "Innovation category" in text_of(english) and "Filters" in english
    assert "Catégorie" not in text_of(english)
    assert '<a href="/id/innovation/totem-mobi">Totem Mobi</a>' in french
    assert '<a href="/lists/innovations.csv">CSV</a>' in french


def test_the_home_page_counts_lead_to_the_lists(client: TestClient) -> None:
    html = client.get("/", headers={"accept": BROWSER}).text
    for name in ("innovations", "organisations", "partnerships", "territories", "schemes"):
        assert f'href="/lists/{name}"' in html, name
    assert 'href="/lists/territories?type=Commune"' in html  # Communes stays on the site
    assert "rdf.insee.fr" not in html
    index = client.get("/", headers=JSON).json()
    kinds = {k["class"]: k["href"] for k in index["actors"] + index["territories"]}
    assert kinds[f"{BASE}def#Organisation"] == "/lists/organisations"
    for href in kinds.values():
        assert client.get(href, headers=JSON).status_code == 200, href


def test_each_count_of_the_home_page_is_the_total_of_the_list_it_links(
    client: TestClient,
) -> None:
    html = client.get("/", headers={"accept": BROWSER}).text
    shown = {
        name: int(re.sub(r"\D", "", number))
        for name, number in re.findall(r'<a href="/lists/([a-z]+)"><strong>([^<]+)</strong>', html)
    }
    assert set(shown) >= LISTS, shown
    for name, number in shown.items():
        assert listing(client, f"/lists/{name}")["total"] == number, name

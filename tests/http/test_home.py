"""The home page, its JSON index and the label search, over the real app and data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.folding import fold

BASE = "https://w3id.org/qpvkg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def count(client: TestClient, pattern: str) -> int:
    query = (
        "PREFIX qpvkg: <https://w3id.org/qpvkg/def#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    )
    rows = client.get("/sparql", params={"query": query, "format": "json"}).json()
    return int(rows["results"]["bindings"][0]["n"]["value"])


def test_home_page(client: TestClient) -> None:
    response = client.get("/", headers={"accept": BROWSER})
    assert response.status_code == 200
    html = response.text
    innovations = count(client, "?x a qpvkg:Innovation")
    assert innovations > 20
    assert f"<strong>{innovations}</strong> innovations" in html
    organisations = count(client, "?x a qpvkg:Organisation")
    assert f"<strong>{organisations}</strong> organisations" in html
    for href in ("/sparql", "/queries", "/def", "/-/docs", "/search"):
        assert f'href="{href}"' in html or f'action="{href}"' in html, href
    for name in client.app.state.named_queries:  # type: ignore[attr-defined]
        # a query with a required parameter is linked with its example (tests/http/test_dead_ends.py)
        assert f'href="/queries/{name}"' in html or f'href="/queries/{name}?' in html, name
    assert '<form class="search" method="get" action="/search"' in html


def test_home_json_index(client: TestClient) -> None:
    response = client.get("/", headers={"accept": "application/json"})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]
    index = response.json()
    assert index["counts"]["innovations"] == count(client, "?x a qpvkg:Innovation")
    territories = count(client, "?c rdfs:subClassOf* qpvkg:Territory . ?x a ?c")
    # the official territories, without the QPV and the study's neighbourhoods
    official = territories - index["counts"]["qpv"] - count(client, "?x a qpvkg:Quartier")
    assert index["counts"]["territories"] == official > 30000
    assert sum(k["count"] for k in index["territories"]) >= territories
    assert index["links"]["sparql"] == "/sparql"
    assert {e["name"] for e in index["examples"]} == set(client.app.state.named_queries)  # type: ignore[attr-defined]
    for example in index[
        "examples"
    ]:  # each links to its named query (400: a parameter is required)
        status = client.get(example["url"], headers={"accept": "application/json"}).status_code
        assert status in (200, 400), example["url"]


def search_page(client: TestClient, q: str, page: int = 1, lang: str = "fr") -> dict[str, Any]:
    """One page of the search's JSON (the language by Accept-Language: no cookie is set)."""
    response = client.get(
        "/search",
        params={"q": q, "page": page},
        headers={"accept": "application/json", "accept-language": lang},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def search(client: TestClient, q: str, lang: str = "fr") -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = search_page(client, q, lang=lang)["results"]
    return results


def test_search_finds_by_label(client: TestClient) -> None:
    results = search(client, "totem")
    assert results[0]["label"] == "Totem Mobi"
    assert {r["href"] for r in results} >= {
        "/id/innovation/totem-mobi",
        "/id/organisation/totem-mobi",
    }
    assert all(r["iri"].startswith(BASE) for r in results)
    assert all(r["href"] == "/" + r["iri"][len(BASE) :] for r in results)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("MARSEILLE", "Marseille"),  # case
        ("saint etienne", "Saint-Étienne"),  # accents and hyphens
        ("Saint-Étienne", "Saint-Étienne"),
        ("l'ile saint denis", "L'Île-Saint-Denis"),  # apostrophe, circumflex
        ("citeslab", "CitésLab"),
    ],
)
def test_search_ignores_case_accents_and_hyphens(client: TestClient, q: str, expected: str) -> None:
    results = search(client, q)
    assert results, q
    assert results[0]["label"] == expected, [r["label"] for r in results[:5]]


def test_search_ranks_exact_then_prefix(client: TestClient) -> None:
    labels = [r["label"] for r in search(client, "sevran")]
    assert labels[0] == "Sevran"
    folded = [fold(label) for label in labels]
    starts = [f.startswith("sevran") for f in folded]
    assert starts == sorted(starts, reverse=True), labels


def test_search_limits(client: TestClient) -> None:
    assert len(search(client, "saint")) == 50
    assert search(client, "zzzzqqq") == []
    short = client.get("/search", params={"q": "a"}, headers={"accept": "application/json"})
    assert short.json()["results"] == []
    too_long = client.get(
        "/search", params={"q": "x" * 500}, headers={"accept": "application/json"}
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "bad_input"


def test_search_page(client: TestClient) -> None:
    html = client.get(
        "/search", params={"q": "Seine-Saint-Denis"}, headers={"accept": BROWSER}
    ).text
    assert re.search(r'<a href="/id/departement/93">Seine-Saint-Denis</a>', html)
    assert "Aucun résultat" in client.get("/search", params={"q": "zzzzqqq", "format": "html"}).text
    assert (
        "au moins 2 caractères" in client.get("/search", params={"q": "a", "format": "html"}).text
    )


def test_fold_gives_what_the_search_compares() -> None:
    assert fold("  Saint-Étienne ") == "saint etienne"
    assert fold("L'Île-Saint-Denis") == "l ile saint denis"
    assert fold("Cœuvres-et-Valsery") == "coeuvres et valsery"
    assert "2e arr" in fold("Marseille 2e Arrondissement")


def test_search_tells_homonyms_apart_by_their_departement(client: TestClient) -> None:
    results = {r["href"]: r for r in search(client, "Saint-Denis")}
    reunion, seine = results["/id/commune/97411"], results["/id/commune/93066"]
    assert reunion["label"] == seine["label"] == "Saint-Denis"
    assert reunion["kind"] == seine["kind"] == "commune"
    assert reunion["departement"] == {
        "iri": f"{BASE}id/departement/974",
        "label": "La Réunion",
        "code": "974",
    }
    assert seine["departement"]["code"] == "93" and seine["code"] == "93066"
    html = client.get("/search", params={"q": "Saint-Denis", "format": "html"}).text
    for href, place in (
        ("/id/commune/93066", "Seine-Saint-Denis (93)"),
        ("/id/commune/97411", "La Réunion (974)"),
    ):
        assert re.search(
            rf'<a href="{href}">Saint-Denis</a> <span class="kind">commune</span> '
            rf'<span class="place">{re.escape(place)}</span>',
            html,
        ), place


@pytest.mark.parametrize(
    ("q", "href"),
    [
        ("93071", "/id/commune/93071"),  # a commune's INSEE code
        ("QN09355M", "/id/qpv/QN09355M"),  # a QPV code, in any case
        ("qn09355m", "/id/qpv/QN09355M"),
        ("929939411", "/id/commune/93066"),  # a commune's SIREN
        ("200054781", "/id/epci/200054781"),  # an EPCI's SIREN
        ("974", "/id/departement/974"),  # a département's code
    ],
)
def test_search_finds_official_codes(client: TestClient, q: str, href: str) -> None:
    results = search(client, q)
    assert results and results[0]["href"] == href, [r["href"] for r in results[:5]]
    assert results[0]["match"] == "code"


def test_search_shows_types_as_labels_in_the_page_language(client: TestClient) -> None:
    kinds = {r["href"]: r["kind"] for r in search(client, "totem")}
    assert kinds["/id/innovation/totem-mobi"] == "Innovation"
    assert kinds["/id/case-study/totem-mobi"] == "Étude de cas"
    english = {r["href"]: r["kind"] for r in search(client, "totem", lang="en")}
    assert english["/id/case-study/totem-mobi"] == "Case study"
    qpv = search(client, "QN09355M", lang="en")[0]
    assert qpv["kind"] == "Priority neighbourhood (QPV)"
    stage = {r["href"]: r["kind"] for r in search(client, "maturation", lang="en")}
    assert stage["/concept/stage/maturation"] == "concept (Stages of the innovation process)"
    # no slug of an IRI (case-study, neighbourhood-link...) stands for a type
    for q in ("saint", "totem", "beaudottes", "quartier"):
        for r in search(client, q):
            assert "-" not in r["kind"] and r["kind"] not in ("id", "qpv", "case"), r


def test_search_pages_past_the_first_50(client: TestClient) -> None:
    first = search_page(client, "saint")
    assert (first["page"], first["page_size"], first["pages"]) == (1, 50, 20)
    assert first["total"] == 1000 and first["truncated"] is True
    seen = [r["iri"] for r in first["results"]]
    for page in (2, 20):
        body = search_page(client, "saint", page)
        assert body["page"] == page and len(body["results"]) == 50
        seen += [r["iri"] for r in body["results"]]
    assert len(set(seen)) == len(seen) == 150  # pages do not overlap
    small = search_page(client, "Saint-Denis")
    assert small["truncated"] is False and small["pages"] == 2
    assert len(search_page(client, "Saint-Denis", 2)["results"]) == small["total"] - 50
    html = client.get("/search", params={"q": "saint", "page": 2}, headers={"accept": BROWSER}).text
    assert '<ol class="search-results" start="51">' in html
    assert 'rel="prev" href="/search?q=saint&amp;page=1"' in html
    assert 'rel="next" href="/search?q=saint&amp;page=3"' in html


@pytest.mark.parametrize("page", ["0", "21", "-1", "deux", "1.5"])
def test_search_refuses_a_page_out_of_range(client: TestClient, page: str) -> None:
    response = client.get(
        "/search", params={"q": "saint", "page": page}, headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_parameter" and "page" in error["message"]


def test_search_ranks_exact_then_prefix_then_contains(client: TestClient) -> None:
    matches = [
        r["match"] for page in (1, 2) for r in search_page(client, "Saint-Denis", page)["results"]
    ]
    order = ["exact", "prefix", "contains"]
    assert matches[0] == "exact" and "contains" in matches
    assert [order.index(m) for m in matches] == sorted(order.index(m) for m in matches)
    assert search(client, "93071")[0]["match"] == "code"

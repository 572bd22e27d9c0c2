"""No dead ends for a browser: a named query or a view that needs a parameter shows its form,
filled with an example of the data, and a sentence in the page's language; a value that does not
fit gives a 400 page saying what to fix; each question of the home page opens on an answer."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from endpoint.i18n import translate
from endpoint.routes.pages import NETWORK_EXAMPLE
from loaders.settings import Settings
from tests.http.test_pages import no_language_cookie  # noqa: F401  (?lang= sets a cookie)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/qpvkg/"
#: The sentence of a page whose parameter is missing, by language.
NEED = {"fr": "Cette question a besoin d'une valeur pour", "en": "This question needs a value for"}


def needing(app_settings: Settings) -> dict[str, dict[str, str]]:
    """Each named query with required parameters: their declared examples."""
    catalog = create_app(app_settings).state.named_queries
    return {
        q.name: {p.name: str(p.example) for p in q.params if p.required}
        for q in catalog.values()
        if any(p.required for p in q.params)
    }


def text(body: str) -> str:
    return html.unescape(body)


def test_the_queries_of_the_issue_need_a_parameter(app_settings: Settings) -> None:
    found = needing(app_settings)
    for name in ("neighbourhoods-of-commune", "partnership-network", "person-path"):
        assert name in found and all(found[name].values()), found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_named_query_missing_its_parameter_shows_its_form_with_an_example(
    client: TestClient, app_settings: Settings, lang: str
) -> None:
    for name, examples in needing(app_settings).items():
        response = client.get(
            f"/queries/{name}", params={"lang": lang}, headers={"Accept": BROWSER}
        )
        assert response.status_code == 200, (name, response.text[:300])
        body = text(response.text)
        assert NEED[lang] in body, name
        assert f'<html lang="{lang}">' in body
        for param, example in examples.items():
            assert f'name="{param}" value="{example}"' in body, (name, param)
        # the form, sent as it is filled, answers with at least one row
        answer = client.get(f"/queries/{name}", params={**examples, "format": "json"})
        assert answer.status_code == 200, (name, answer.text[:300])
        assert answer.json()["results"]["bindings"], f"{name}: its example gives no answer"


def test_a_client_of_the_api_still_gets_a_400_in_the_json_shape(
    client: TestClient, app_settings: Settings
) -> None:
    for name in needing(app_settings):
        response = client.get(f"/queries/{name}", headers={"Accept": "application/json"})
        assert response.status_code == 400, name
        assert response.json()["error"]["code"] == "bad_parameter"
    response = client.get("/network", params={"format": "json"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["problems"][0]["parameter"] == "actor"
    # format=json asks for the data, not the form, even from a browser
    response = client.get("/network", params={"format": "json"}, headers={"Accept": BROWSER})
    assert response.status_code == 400 and 'name="actor"' not in response.text


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "La valeur donnée pour « codeCommune » ne convient pas"),
        ("en", "The value given for “codeCommune” does not fit"),
    ],
)
def test_a_value_that_does_not_fit_gives_a_400_page_saying_what_to_fix(
    client: TestClient, lang: str, sentence: str
) -> None:
    response = client.get(
        "/queries/neighbourhoods-of-commune",
        params={"codeCommune": "abc", "lang": lang},
        headers={"Accept": BROWSER},
    )
    assert response.status_code == 400
    body = text(response.text)
    assert sentence in body and "93071" in body
    assert 'name="codeCommune" value="abc"' in body  # the form keeps what was typed


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [("fr", "choisissez-en un"), ("en", "choose one")],
)
def test_the_network_without_an_actor_offers_one_of_the_data(
    client: TestClient, lang: str, sentence: str
) -> None:
    response = client.get("/network", params={"lang": lang}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    body = text(response.text)
    assert sentence in body
    assert f'name="actor" value="{BASE}{NETWORK_EXAMPLE}"' in body
    drawn = client.get("/network", params={"actor": BASE + NETWORK_EXAMPLE, "format": "json"})
    assert drawn.status_code == 200 and len(drawn.json()["edges"]) > 0


@pytest.mark.parametrize(
    ("lang", "hint", "unknown"),
    [
        ("fr", "La demande n'a pas la forme attendue", "n'est pas un paramètre de cette question"),
        ("en", "The request is not in the expected form", "is not a parameter of this question"),
    ],
)
def test_a_400_page_says_what_to_fix_in_the_page_language(
    client: TestClient, lang: str, hint: str, unknown: str
) -> None:
    response = client.get(
        "/network", params={"actor": "not an iri", "lang": lang}, headers={"Accept": BROWSER}
    )
    assert response.status_code == 400
    assert hint in text(response.text)
    response = client.get(
        "/queries/national-innovations",
        params={"colour": "blue", "lang": lang},
        headers={"Accept": BROWSER},
    )
    assert response.status_code == 400
    assert unknown in text(response.text) and "colour" in text(response.text)


def home_questions(client: TestClient, lang: str = "fr") -> list[str]:
    """The links of the home page's questions (at least ten)."""
    home = client.get("/", params={"lang": lang}, headers={"Accept": BROWSER})
    section = re.search(r'<section class="examples".*?</section>', home.text, re.S)
    assert section
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', section.group(0))]
    assert len(links) >= 10, links
    return links


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_question_of_the_home_page_opens_on_an_answer(client: TestClient, lang: str) -> None:
    for link in home_questions(client, lang):
        url = urlsplit(link)
        page = client.get(link, headers={"Accept": BROWSER})
        assert page.status_code == 200, link
        assert NEED[lang] not in text(page.text), f"{link} asks for a parameter"
        params = dict(parse_qsl(url.query))
        answer = client.get(url.path, params={**params, "format": "json"})
        assert answer.status_code == 200, link
        assert answer.json()["results"]["bindings"], f"{link}: no answer"


def test_english_pages_give_the_queries_in_english(client: TestClient) -> None:
    for path in ("/", "/queries", "/sparql", "/queries/figures"):
        body = text(client.get(path, params={"lang": "en"}, headers={"Accept": BROWSER}).text)
        assert "Figures reported by the sources" in body, path
        assert "Chiffres rapportés par les sources" not in body, path
    body = text(client.get("/sparql", params={"lang": "en"}, headers={"Accept": BROWSER}).text)
    assert "# Innovations and their territory" in body
    body = text(client.get("/sparql", params={"lang": "fr"}, headers={"Accept": BROWSER}).text)
    assert "# Les innovations et leur territoire" in body
    body = text(
        client.get(
            "/queries/neighbourhoods-of-commune", params={"lang": "en"}, headers={"Accept": BROWSER}
        ).text
    )
    assert "Insee code of the commune" in body and "Code Insee de la commune" not in body


def test_a_query_gives_the_labels_of_concepts_in_the_language_asked_for(
    client: TestClient,
) -> None:
    def labels(params: dict[str, str], headers: dict[str, str] | None = None) -> set[tuple]:
        client.cookies.clear()
        answer = client.get("/queries/actors-by-type.json", params=params, headers=headers)
        assert answer.status_code == 200
        bindings = answer.json()["results"]["bindings"]
        assert bindings and all(b["lang"]["value"] == params.get("lang", "fr") for b in bindings)
        return {(b["valeurLabel"]["value"], b["valeurLabel"]["xml:lang"]) for b in bindings}

    french, english = labels({}), labels({"lang": "en"})
    assert {lang for _, lang in french} == {"fr"} and {lang for _, lang in english} == {"en"}
    assert len(french) == len(english) and ("Fondation", "fr") in french
    assert ("Foundation", "en") in english
    assert labels({"lang": "fr"}) == french
    # an API client's answer does not change with its Accept-Language: French unless asked
    assert labels({}, {"Accept-Language": "en"}) == french
    # a page is in its reader's language, and so are the labels of its table
    client.cookies.clear()
    page = text(
        client.get(
            "/queries/actors-by-type", headers={"Accept": BROWSER, "Accept-Language": "en"}
        ).text
    )
    assert all(f">{label}<" in page for label, _ in english - french)
    client.cookies.clear()
    answer = client.get("/queries/actors-by-type.json", params={"lang": "en"}).json()
    others = {v["value"] for b in answer["results"]["bindings"] for k, v in b.items()}
    others |= {n for b in answer["results"]["bindings"] for n in b["liste"]["value"].split(" ; ")}
    assert not [
        label for label, _ in french - english if f">{label}<" in page and label not in others
    ]
    client.cookies.clear()
    page = text(client.get("/queries/actors-by-type", headers={"Accept": BROWSER}).text)
    assert all(f">{label}<" in page for label, _ in french - english)
    bad = client.get("/queries/actors-by-type.json", params={"lang": "de"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_parameter"


def test_every_column_of_a_query_has_a_caption_in_both_languages(client: TestClient) -> None:
    """A result table's heads say what a column holds in the page's language; the variable's
    name, that of the CSV and JSON downloads, stays beneath as code."""
    catalog = client.app.state.named_queries  # type: ignore[attr-defined]
    columns = set()  # the variables each SELECT projects, read by the engine (over no data)
    for query in catalog.values():
        result = ox.Store().query(query.sparql)
        if isinstance(result, ox.QuerySolutions):
            columns |= {v.value for v in result.variables}
    assert len(columns) > 50
    for lang in ("fr", "en"):
        missing = [c for c in sorted(columns) if translate(lang, f"column.{c}") == f"column.{c}"]
        assert not missing, (lang, missing)
    for lang, caption in (("fr", "Nom de la valeur"), ("en", "Value's name")):
        client.cookies.clear()
        page = client.get(
            "/queries/actors-by-type", headers={"Accept": BROWSER, "Accept-Language": lang}
        ).text
        heads = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', page, re.S)]
        assert f'{caption} <code class="variable">valeurLabel</code>' in heads, heads
    assert translate("fr", "column.territoire") != translate("en", "column.territoire")

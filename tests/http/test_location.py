"""Where things are: contributions with coordinates placed in their QPV 2024 (and withdrawn
with them), the shapes that refuse bad points, GET /qpv, and GeoSPARQL through /sparql."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders.partners import PartnerRegistry
from tests.http.conftest import STORE_KINDS, OwnStore

BASE = "https://w3id.org/qpvkg/"
CONTEXT = f"{BASE}context/v2.jsonld"
GRAPH = f"{BASE}graph/partner/reseau-test/lieux"
DERIVED = f"{BASE}graph/derived/qpv-location"
THING = f"{BASE}id/partner/reseau-test/atelier-beaudottes"
BEAUDOTTES = f"{BASE}id/qpv/QN09355M"


@pytest.fixture(scope="module", params=STORE_KINDS)
def setup(
    request: pytest.FixtureRequest, own_store: OwnStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    """The app over its own copy of the store (embedded, an Oxigraph server, Virtuoso), with
    a partner that may write: the placement's GeoSPARQL query runs in the store."""
    folder = tmp_path_factory.mktemp("location")
    options: dict[str, Any] = {"workers": 2, "cache_mb": 0}
    with own_store.settings(
        request.param, folder, partners_file=str(folder / "partners.json"), **options
    ) as settings:
        token = PartnerRegistry.from_settings(settings).add("reseau-test")
        with TestClient(create_app(settings)) as client:
            yield client, token


@pytest.fixture
def client(setup: tuple[TestClient, str]) -> TestClient:
    return setup[0]


def organisation(**place: Any) -> dict[str, Any]:
    """An organisation of the partner, located as ``place`` says (context v2 terms)."""
    return {
        "@context": CONTEXT,
        "id": THING,
        "type": "Organisation",
        "libelle": "Atelier des Beaudottes",
        "typeActeur": "association-quartier",
        "source": "https://example.org/fiche/atelier",
        **place,
    }


def put(setup: tuple[TestClient, str], document: dict[str, Any]) -> Any:
    client, token = setup
    return client.put(
        "/store",
        params={"graph": GRAPH},
        content=json.dumps(document).encode(),
        headers={"content-type": "application/ld+json", "authorization": f"Bearer {token}"},
    )


def ask(client: TestClient, pattern: str) -> bool:
    response = client.get("/sparql", params={"query": f"ASK {{ {pattern} }}"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def placed(client: TestClient) -> bool:
    return ask(client, f"GRAPH <{DERIVED}> {{ <{THING}> <{BASE}def#locatedInQpv> <{BEAUDOTTES}> }}")


# ----------------------------------------------------------------------------- placements


def test_a_point_is_placed_in_its_qpv_and_withdrawn_with_its_graph(
    setup: tuple[TestClient, str],
) -> None:
    client, token = setup
    response = put(
        setup, organisation(implanteA="commune/93071", longitude=2.517996, latitude=48.94585)
    )
    assert response.status_code in (200, 201, 204), response.text
    assert placed(client)
    provenance = (
        f"GRAPH <{DERIVED}> {{ ?p a <{BASE}def#QpvPlacement> ; <{BASE}def#placedThing> <{THING}> ;"
        f" <http://www.w3.org/ns/prov#wasDerivedFrom> <{GRAPH}> ;"
        f" <http://www.w3.org/ns/prov#used> <{BASE}graph/reference/qpv-2024> ;"
        f" <{BASE}def#contourVersion> ?version ; <{BASE}def#placementRule> ?rule }}"
    )
    assert ask(client, provenance)

    # a WKT point somewhere else: the placement follows the graph's new content
    moved = organisation(geometrie={"wkt": "POINT(2.3522 48.8566)"})
    assert put(setup, moved).status_code in (200, 201, 204)
    assert not placed(client)

    assert put(setup, organisation(geometrie={"wkt": "POINT(2.517996 48.94585)"})).status_code < 300
    assert placed(client)
    deleted = client.delete(
        "/store", params={"graph": GRAPH}, headers={"authorization": f"Bearer {token}"}
    )
    assert deleted.status_code in (200, 204), deleted.text
    assert not placed(client)
    assert not ask(client, f"GRAPH <{DERIVED}> {{ ?p <{BASE}def#placedThing> <{THING}> }}")


@pytest.mark.parametrize(
    ("place", "says"),
    [
        ({"longitude": 13.405, "latitude": 52.52}, "The point is not in France"),
        (
            {"implanteA": "commune/93071", "longitude": 3.0573, "latitude": 50.6292},
            "The point is far from a commune given",
        ),
        ({"geometrie": {"wkt": "POINT(48.94585 2.517996)"}}, "The point is not in France"),
        ({"longitude": 2.517996}, "Coordinates come in pairs"),
        ({"longitude": -4.5, "latitude": 45.5}, "The point is not in France: it is more than 2 km"),
        ({"geometrie": {"wkt": "POINT(7.4474 46.948)"}}, "The point is not in France"),
    ],
    ids=["berlin", "lille-for-sevran", "latitude-first", "no-latitude", "biscay", "bern"],
)
def test_a_bad_point_is_refused_and_nothing_is_written(
    setup: tuple[TestClient, str], place: dict[str, Any], says: str
) -> None:
    client, _ = setup
    response = put(setup, organisation(**place))
    assert response.status_code == 422, response.text
    messages = [r["message_en"] for r in response.json()["error"]["details"]["results"]]
    assert any(says in m for m in messages), messages
    assert not ask(client, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}")
    assert not ask(client, f"GRAPH <{DERIVED}> {{ ?p <{BASE}def#placedThing> <{THING}> }}")


def test_a_placed_thing_is_on_its_qpv_page_once_by_its_point(
    setup: tuple[TestClient, str],
) -> None:
    """Placed by its point (and in Sevran, a commune of the QPV), the organisation is listed
    once on the QPV's page, at its best level, with no commune beside it."""
    client, token = setup
    place = organisation(implanteA="commune/93071", longitude=2.517996, latitude=48.94585)
    assert put(setup, place).status_code in (200, 201, 204)
    html = client.get("/id/qpv/QN09355M", headers={"accept": "text/html"}).text
    section = html.split('<section class="qpv-located"', 1)[1].split("</section>", 1)[0]
    rows = [r for r in section.split("<tr>") if "/id/partner/reseau-test/atelier-beaudottes" in r]
    assert len(rows) == 1, section
    assert "placé par ses coordonnées" in rows[0]
    assert "/id/commune/" not in rows[0]
    deleted = client.delete(
        "/store", params={"graph": GRAPH}, headers={"authorization": f"Bearer {token}"}
    )
    assert deleted.status_code in (200, 204), deleted.text


@pytest.mark.parametrize(
    "place",
    [
        {"longitude": -4.853, "latitude": 48.038},  # Île de Sein, 8 km out at sea
        {"geometrie": {"wkt": "POINT(5.3698 43.2951)"}},  # the Vieux-Port of Marseille
        {"longitude": -149.5665, "latitude": -17.535},  # Papeete: no département contour
    ],
    ids=["ile-de-sein", "vieux-port", "papeete"],
)
def test_a_point_in_france_is_accepted_and_the_mark_never_stored(
    setup: tuple[TestClient, str], place: dict[str, Any]
) -> None:
    client, token = setup
    response = put(setup, organisation(**place))
    assert response.status_code in (200, 201, 204), response.text
    assert ask(client, f"GRAPH <{GRAPH}> {{ <{THING}> ?p ?o }}")
    assert not ask(client, "?s <https://w3id.org/qpvkg/shapes#pointOutsideFrance> ?o")
    deleted = client.delete(
        "/store", params={"graph": GRAPH}, headers={"authorization": f"Bearer {token}"}
    )
    assert deleted.status_code in (200, 204), deleted.text


def test_a_partner_cannot_give_the_validators_mark(setup: tuple[TestClient, str]) -> None:
    """The mark of a point outside France is the validator's own: given, it is refused."""
    client, _ = setup
    mark = {"https://w3id.org/qpvkg/shapes#pointOutsideFrance": "POINT(2.35 48.85)"}
    response = put(setup, organisation(longitude=2.3522, latitude=48.8566, **mark))
    assert response.status_code == 403, response.text
    assert "pointOutsideFrance, which qpvkg computes itself" in " ".join(
        response.json()["error"]["details"]["triples"]
    )
    assert not ask(client, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}")


def test_a_partner_cannot_state_a_placement_itself(setup: tuple[TestClient, str]) -> None:
    """qpvkg:locatedInQpv is computed from the point; stated by a partner it is refused."""
    client, _ = setup
    response = put(setup, organisation(situeDansQPV={"id": BEAUDOTTES}))
    assert response.status_code == 403, response.text
    assert "which qpvkg computes itself" in " ".join(response.json()["error"]["details"]["triples"])
    assert not ask(client, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}")
    assert not placed(client)


# ----------------------------------------------------------------------------- GET /qpv


def test_qpv_of_a_point_inside(client: TestClient) -> None:
    response = client.get("/qpv", params={"lon": "2.517996", "lat": "48.94585"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["qpv"]["code"] == "QN09355M"
    assert document["qpv"]["label"] == "Les Beaudottes Savigny"
    assert document["nearest"] is None


def test_qpv_of_a_point_outside_gives_the_nearest_within_500_m(client: TestClient) -> None:
    document = client.get("/qpv", params={"lon": "2.5311", "lat": "48.9378"}).json()
    assert document["qpv"] is None
    assert document["nearest"]["code"] == "QN09355M"
    assert 0 < document["nearest"]["distance_m"] <= 500


def test_qpv_of_a_point_far_from_any(client: TestClient) -> None:
    document = client.get("/qpv", params={"lon": "-1.0", "lat": "46.0"}).json()
    assert document["qpv"] is None and document["nearest"] is None


def test_qpv_page_for_a_browser(client: TestClient) -> None:
    response = client.get(
        "/qpv", params={"lon": "2.517996", "lat": "48.94585"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Les Beaudottes Savigny" in response.text and "/id/qpv/QN09355M" in response.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"lat": "48.9"}, "lon"),
        ({"lon": "2.5"}, "lat"),
        ({"lon": "deux", "lat": "48.9"}, "lon"),
        ({"lon": "2.5", "lat": "48,9"}, "lat"),
        ({"lon": "181", "lat": "48.9"}, "lon"),
        ({"lon": "2.5", "lat": "-90.5"}, "lat"),
        ({"lon": "NaN", "lat": "48.9"}, "lon"),
        ({"lon": "2.5", "lat": "inf"}, "lat"),
    ],
)
def test_qpv_bad_input_is_a_400_naming_the_parameter(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/qpv", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "bad_input"
    assert error["details"]["parameter"] == parameter
    assert parameter in error["message"]


# ----------------------------------------------------------------------------- GeoSPARQL


def test_geosparql_sf_within_through_sparql(client: TestClient) -> None:
    query = """
        PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        PREFIX geof: <http://www.opengis.net/def/function/geosparql/>
        SELECT ?qpv WHERE {
          ?qpv geo:hasGeometry/geo:asWKT ?wkt .
          FILTER (geof:sfWithin("POINT(2.517996 48.94585)"^^geo:wktLiteral, ?wkt))
        }"""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    # the QPV, and the département and région whose contours hold the point too
    assert sorted(r["qpv"]["value"] for r in rows) == [
        f"{BASE}id/departement/93",
        BEAUDOTTES,
        f"{BASE}id/region/11",
    ]

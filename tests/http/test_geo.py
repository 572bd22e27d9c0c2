"""The map's GeoJSON layers (/map/contours, /map/qpv, /map/places, /map/around) over the real
app and a copy of the real store with the geography fixtures (tests/fixtures/geo/) where the
store has no geography of its own: the layers, their content types, bad parameters as 400 in the
JSON error shape, the simplified layer kept in a file beside the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from endpoint.app import create_app
from loaders import maplayers
from loaders.settings import PROJECT_DIR, Settings
from tests.conftest import add_geo_fixtures, copy_store

GEOJSON = {"Accept": "application/geo+json"}


@pytest.fixture(scope="module")
def geo_store(served_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = copy_store(served_store, tmp_path_factory.mktemp("geo") / "store")
    add_geo_fixtures(store)
    return store


@pytest.fixture(scope="module")
def geo(geo_store: Path) -> Iterator[TestClient]:
    settings = Settings(project_dir=PROJECT_DIR, store=str(geo_store), workers=2)
    with TestClient(create_app(settings)) as client:
        yield client


def kinds(document: dict[str, object]) -> set[str]:
    features = document["features"]
    assert isinstance(features, list)
    return {f["properties"]["kind"] for f in features}


def test_base_map_contours_of_departements_and_regions(geo: TestClient) -> None:
    for level, code in (("departement", "93"), ("region", "11")):
        response = geo.get("/map/contours", params={"level": level}, headers=GEOJSON)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/geo+json"
        body = response.json()
        assert body["type"] == "FeatureCollection"
        codes = {f["properties"]["code"] for f in body["features"]}
        assert code in codes
        shapes = {f["geometry"]["type"] for f in body["features"]}
        assert shapes <= {"Polygon", "MultiPolygon"}


def test_plain_json_is_offered_and_other_types_are_not_acceptable(geo: TestClient) -> None:
    # a client asking for JSON gets GeoJSON, which is JSON, under its canonical type
    plain = geo.get("/map/contours", headers={"Accept": "application/json"})
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/geo+json"
    assert geo.get("/map/contours").headers["content-type"] == "application/geo+json"
    refused = geo.get("/map/qpv", headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"


def test_qpv_layer_simplified_and_full(geo: TestClient, geo_store: Path) -> None:
    simple = geo.get("/map/qpv", headers=GEOJSON).json()
    full = geo.get("/map/qpv", params={"geometry": "full"}, headers=GEOJSON).json()
    assert simple["simplified"] is True and simple["tolerance"] == maplayers.TOLERANCE
    assert full["simplified"] is False
    codes = {f["properties"]["code"] for f in simple["features"]}
    assert {"QN09355M", "QN05981M"} <= codes
    assert codes == {f["properties"]["code"] for f in full["features"]}

    def points(document: dict[str, object]) -> int:
        return len(str(document["features"]).split("],"))

    assert points(simple) < points(full)
    # the simplified layer is kept beside the store, under the contours' version
    files = list(geo_store.parent.glob(f"{geo_store.name}-map/qpv-2024-*.geojson"))
    assert [f.name for f in files] == [f"qpv-2024-{simple['version']}.geojson"]


def test_places_kinds_and_filters(geo: TestClient) -> None:
    everything = geo.get("/map/places", headers=GEOJSON).json()
    assert kinds(everything) == {"innovation", "connector"}
    assert all(f["geometry"]["type"] == "Point" for f in everything["features"])
    connectors = geo.get("/map/places", params={"kind": "connector"}).json()
    assert kinds(connectors) == {"connector"}
    social = geo.get("/map/places", params={"category": "sociale"}).json()
    assert social["features"]
    assert all(
        "https://w3id.org/qpvkg/concept/innovation-category/sociale"
        in f["properties"]["categories"]
        for f in social["features"]
    )
    assert len(social["features"]) < len(everything["features"])


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/map/contours", {"level": "commune"}, "level"),
        ("/map/qpv", {"geometry": "tiles"}, "geometry"),
        ("/map/places", {"kind": "person"}, "kind"),
        ("/map/places", {"category": "no-such-category"}, "category"),
        ("/map/places", {"impact": "sociale"}, "impact"),
        ("/map/around", {"iri": "not an iri"}, "iri"),
        ("/map/around", {}, "iri"),
    ],
)
def test_bad_parameters_are_400_in_the_json_error_shape(
    geo: TestClient, path: str, params: dict[str, str], parameter: str
) -> None:
    response = geo.get(path, params=params, headers=GEOJSON)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "bad_parameter"
    named = error["details"].get("parameter") or error["details"]["problems"][0]["parameter"]
    assert named == parameter


def test_around_a_qpv_a_commune_and_an_innovation(geo: TestClient) -> None:
    qpv = geo.get("/map/around", params={"iri": "/id/qpv/QN09355M"}).json()
    assert kinds(qpv) == {"contour", "centre", "commune"}
    contour = next(f for f in qpv["features"] if f["properties"]["kind"] == "contour")
    assert contour["geometry"]["type"] == "MultiPolygon"
    commune = geo.get("/map/around", params={"iri": "/id/commune/93071"}).json()
    assert {"centre", "qpv"} <= kinds(commune)
    innovation = geo.get("/map/around", params={"iri": "/id/innovation/simplon-roubaix"}).json()
    assert kinds(innovation) == {"innovation"}
    nothing = geo.get("/map/around", params={"iri": "/id/innovation/no-such-thing"}).json()
    assert nothing["features"] == []


def test_layers_revalidate_with_the_store_generation(geo: TestClient) -> None:
    first = geo.get("/map/qpv", headers=GEOJSON)
    again = geo.get("/map/qpv", headers={**GEOJSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    head = geo.head("/map/places", headers=GEOJSON)
    assert head.status_code == 200 and head.content == b""


def test_layers_are_in_the_openapi_once(geo: TestClient) -> None:
    paths = geo.get("/-/openapi.json").json()["paths"]
    for path in ("/map/contours", "/map/qpv", "/map/places", "/map/around"):
        assert path in paths
        assert "application/geo+json" in paths[path]["get"]["responses"]["200"]["content"]

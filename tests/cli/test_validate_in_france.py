"""``qpvkg validate`` tells a point in France from one outside it, by the shipped département
contours and commune centres (loaders/infrance.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any as Cli

import pytest

ORGANISATION = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
<https://w3id.org/qpvkg/id/organisation/atelier-point> a <https://w3id.org/qpvkg/def#Organisation> ;
    rdfs:label "Atelier"@fr ;
    dcterms:source <https://example.org/fiche/atelier> ;
    {place} .
"""
#: (longitude, latitude): places in France, by the contours or the commune centres
IN_FRANCE = {
    "ile-de-sein": (-4.853, 48.038),
    "vieux-port-de-marseille": (5.3698, 43.2951),
    "papeete": (-149.5665, -17.535),
}
OUTSIDE = {"golfe-de-gascogne": (-4.5, 45.5), "berne": (7.4474, 46.948)}


def located(tmp_path: Path, name: str, lon: float, lat: float, wkt: bool) -> str:
    place = (
        f'geo:hasGeometry [ geo:asWKT "POINT({lon} {lat})"^^geo:wktLiteral ]'
        if wkt
        else f"wgs84:long {lon} ; wgs84:lat {lat}"
    )
    path = tmp_path / f"{name}.ttl"
    path.write_text(ORGANISATION.format(place=place), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("wkt", [False, True], ids=["coordinates", "wkt"])
@pytest.mark.parametrize("name", sorted(IN_FRANCE))
def test_a_point_in_france_conforms(cli: Cli, tmp_path: Path, name: str, wkt: bool) -> None:
    result = cli("validate", located(tmp_path, name, *IN_FRANCE[name], wkt=wkt))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


@pytest.mark.parametrize("wkt", [False, True], ids=["coordinates", "wkt"])
@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_a_point_outside_france_is_refused_with_a_clear_message(
    cli: Cli, tmp_path: Path, name: str, wkt: bool
) -> None:
    lon, lat = OUTSIDE[name]
    result = cli("validate", "--format", "json", located(tmp_path, name, lon, lat, wkt=wkt))
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    (outside,) = [r for r in report["results"] if r["shape"].endswith("LocatedInFranceShape")]
    assert outside["focus"] == "https://w3id.org/qpvkg/id/organisation/atelier-point"
    assert outside["value"] == f"POINT({lon} {lat})"
    assert outside["message_fr"].startswith("Le point n'est pas en France : il est à plus de 2 km")
    assert outside["message_en"].startswith("The point is not in France: it is more than 2 km")
    assert report["violations"] == 1, report

"""The `qpvkg import` commands (territories, qpv, communes-centres, contours) through the real
command line."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Any as Cli

import pyoxigraph as ox
import pytest
import shapely

from loaders.settings import PROJECT_DIR

FIXTURES = Path(__file__).parent.parent / "fixtures"
TERRITORIES = FIXTURES / "territories"
QPV = FIXTURES / "qpv"
BASE = "https://w3id.org/qpvkg/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder (the repository's ontology and shapes, an empty data/)."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT_DIR / "ontology", root / "ontology")
    shutil.copytree(PROJECT_DIR / "shapes", root / "shapes")
    (root / "data" / "reference").mkdir(parents=True)
    return root


@pytest.fixture
def run(fresh_cli: Cli, project: Path) -> Cli:
    """The CLI with QPVKG_PROJECT_DIR on the temporary project."""
    fresh_cli.env["QPVKG_PROJECT_DIR"] = str(project)
    return fresh_cli


def written(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "data" / "reference").iterdir())


def triples(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress(path.read_bytes()), ox.RdfFormat.N_TRIPLES)
    return store


# ----------------------------------------------------------------------------- territories


def test_import_territories(run: Cli, project: Path) -> None:
    result = run("import", "territories", str(TERRITORIES))
    assert result.exit_code == 0, result.output
    assert "17 communes" in result.stdout
    assert "territories-2026.nt.gz" in result.stdout
    output = project / "data" / "reference" / "territories-2026.nt.gz"
    store = triples(output)
    commune = ox.NamedNode(f"{BASE}id/commune/93066")
    assert ox.NamedNode(f"{BASE}id/epci/200057867") in {
        q.object for q in store.quads_for_pattern(commune, ox.NamedNode(f"{BASE}def#within"), None)
    }
    first = output.read_bytes()
    again = run("import", "territories", str(TERRITORIES))
    assert again.exit_code == 0, again.output
    assert output.read_bytes() == first


def test_import_territories_millesime_and_out(run: Cli, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "t.nt.gz"
    result = run(
        "import", "territories", str(TERRITORIES), "--millesime", "2027", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert written(project) == []
    assert f"{BASE}id/dataset/cog-2027".encode() in gzip.decompress(out.read_bytes())


def test_import_territories_missing_folder(run: Cli, project: Path, tmp_path: Path) -> None:
    result = run("import", "territories", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert "no such folder" in result.stderr
    assert written(project) == []


def test_import_territories_missing_file(run: Cli, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "decoupage"
    shutil.copytree(TERRITORIES, folder)
    (folder / "communes.json").unlink()
    result = run("import", "territories", str(folder))
    assert result.exit_code == 2
    assert "communes.json" in result.stderr
    assert written(project) == []


def test_import_territories_malformed_json(run: Cli, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "decoupage"
    shutil.copytree(TERRITORIES, folder)
    (folder / "regions.json").write_text('[{"code": "11", "nom": "Île-de-France",', "utf-8")
    result = run("import", "territories", str(folder))
    assert result.exit_code == 2
    assert "regions.json" in result.stderr
    assert "invalid JSON" in result.stderr
    assert written(project) == []


def test_import_territories_record_without_code(run: Cli, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "decoupage"
    shutil.copytree(TERRITORIES, folder)
    text = (folder / "ept.json").read_text("utf-8").replace('"code": "200057867",', "", 1)
    (folder / "ept.json").write_text(text, "utf-8")
    result = run("import", "territories", str(folder))
    assert result.exit_code == 2
    assert "ept.json: record 1 has no code" in result.stderr
    assert written(project) == []


def test_import_territories_refused_by_the_shapes(run: Cli, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "decoupage"
    shutil.copytree(TERRITORIES, folder)
    text = (
        (folder / "communes.json").read_text("utf-8").replace('"zone": "metro"', '"zone": "x"', 1)
    )
    (folder / "communes.json").write_text(text, "utf-8")
    result = run("import", "territories", str(folder))
    assert result.exit_code == 1
    assert "do not conform" in result.stderr
    assert written(project) == []


# ----------------------------------------------------------------------------- qpv


@pytest.fixture
def with_territories(run: Cli, project: Path) -> Cli:
    result = run("import", "territories", str(TERRITORIES))
    assert result.exit_code == 0, result.output
    return run


def test_import_qpv(with_territories: Cli, project: Path) -> None:
    result = with_territories("import", "qpv", str(QPV / "qpv-2024.geojson"))
    assert result.exit_code == 0, result.output
    assert "4 QPV" in result.stdout
    store = triples(project / "data" / "reference" / "qpv-2024.nt.gz")
    links = {
        q.object.value  # type: ignore[union-attr]
        for q in store.quads_for_pattern(
            ox.NamedNode(f"{BASE}id/qpv/QN09391A"), ox.NamedNode(f"{BASE}def#commune"), None
        )
    }
    assert links == {f"{BASE}id/commune/93001", f"{BASE}id/commune/93027"}


def test_import_qpv_2015_reports_what_does_not_resolve(
    with_territories: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "q.nt.gz"
    result = with_territories("import", "qpv", str(QPV / "qpv-2015.geojson"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "QPV 2015" in result.stdout
    assert "Commune fictive" in result.stdout
    assert out.exists()


def test_import_qpv_missing_file(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    result = with_territories("import", "qpv", str(tmp_path / "absent.csv"))
    assert result.exit_code == 2
    assert "absent.csv: no such file" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_malformed_geojson(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    result = with_territories("import", "qpv", str(path))
    assert result.exit_code == 2
    assert "cut.geojson" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_nested_too_deep(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}")
    result = with_territories("import", "qpv", str(path))
    assert result.exit_code == 2, result.output
    assert "deep.geojson" in result.stderr and "nested deeper than 64" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_malformed_csv(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text("code_qp;lib_qp;insee_com\nQN09391A;Quartier fictif A\n", "utf-8")
    result = with_territories("import", "qpv", str(path))
    assert result.exit_code == 2
    assert "cut.csv: line 2" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_wrong_code_format(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("code_qp;lib_qp;insee_com\nQN9391A;Quartier fictif A;93001\n", "utf-8")
    result = with_territories("import", "qpv", str(path))
    assert result.exit_code == 2
    assert "codes.csv, line 2" in result.stderr
    assert "QN9391A" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_unknown_commune(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    path = tmp_path / "unknown.csv"
    path.write_text("code_qp;lib_qp;insee_com\nQN09391A;Quartier fictif A;93001,98765\n", "utf-8")
    result = with_territories("import", "qpv", str(path))
    assert result.exit_code == 2
    assert "98765" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_bad_geography_option(with_territories: Cli, project: Path) -> None:
    result = with_territories("import", "qpv", str(QPV / "qpv-2024.geojson"), "--geography", "2018")
    assert result.exit_code == 2
    assert "--geography must be 2015, 2024 or auto" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_without_territories(run: Cli, project: Path) -> None:
    result = run("import", "qpv", str(QPV / "qpv-2024.csv"))
    assert result.exit_code == 2
    assert "qpvkg import territories" in result.stderr
    assert written(project) == []


# ----------------------------------------------------------------------------- qpv 2024 geometry


def refused(result: Any, project: Path, *messages: str) -> None:
    """The command failed on its input (exit code 2), said why, and wrote nothing."""
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in result.stderr, result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


GEO = "http://www.opengis.net/ont/geosparql#"
SF = "http://www.opengis.net/ont/sf#"
CENTRES = FIXTURES / "communes-centres" / "communes-centres.csv"
CONTOURS = FIXTURES / "contours"


def objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    }


def wkt(store: ox.Store, geometry: str) -> str:
    (value,) = objects(store, geometry, f"{GEO}asWKT")
    return value


def test_import_qpv_merged_json(with_territories: Cli, project: Path) -> None:
    path = QPV / "qpv-2024-merged.json.gz"
    result = with_territories("import", "qpv", str(path), "--source-url", "https://example.org/q")
    assert result.exit_code == 0, result.output
    assert "6 QPV" in result.stdout
    assert "6 contours" in result.stdout and "6 points on surface" in result.stdout
    assert "1 contours not valid for GEOS" in result.stdout
    assert "93059 is no longer a current commune" in result.stdout
    store = triples(project / "data" / "reference" / "qpv-2024.nt.gz")
    qpv = f"{BASE}id/qpv/QN06932M"
    assert objects(store, qpv, f"{BASE}def#commune") == {
        f"{BASE}id/commune/69123",
        f"{BASE}id/commune/69259",
    }
    contour, centre = f"{qpv}/contour", f"{qpv}/centre"
    assert objects(store, qpv, f"{GEO}hasGeometry") == {contour}
    assert objects(store, qpv, f"{GEO}hasCentroid") == {centre}
    assert f"{SF}MultiPolygon" in objects(store, contour, f"{RDF}type")
    assert wkt(store, contour).startswith("MULTIPOLYGON(((4.8")
    point = wkt(store, centre)
    assert point.startswith("POINT(4.8") and "computed by qpvkg" in " ".join(
        objects(store, centre, f"{BASE}def#pointMethod")
    )
    # The point is inside the contour it was computed from.
    assert shapely.from_wkt(wkt(store, contour)).contains(shapely.from_wkt(point))
    assert objects(store, qpv, f"{BASE}def#legalBasis") == {
        "décret n° 2023-1314 du 28 décembre 2023"
    }
    assert objects(store, f"{BASE}id/qpv/QN97103M", f"{BASE}def#legalBasis") == {
        "décret n° 2023-1312"
    }
    # A commune code that is now a delegated commune links to its current commune.
    assert objects(store, f"{BASE}id/qpv/QN09336I", f"{BASE}def#commune") == {
        f"{BASE}id/commune/93066"
    }
    # No arrondissement is guessed for Paris: the file gives the commune only.
    assert not objects(store, f"{BASE}id/qpv/QN07505I", f"{BASE}def#arrondissement")
    dataset = f"{BASE}id/dataset/qpv-2024"
    assert objects(store, dataset, "http://purl.org/dc/terms/source") == {"https://example.org/q"}
    assert objects(store, dataset, "http://purl.org/dc/terms/license")


def test_import_qpv_anct_geojson_joins_the_features_of_a_qpv(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "anct.nt.gz"
    result = with_territories(
        "import", "qpv", str(QPV / "qpv-2024-anct.geojson"), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "3 QPV" in result.stdout and "3 contours" in result.stdout
    store = triples(out)
    qpv = f"{BASE}id/qpv/QN06932M"
    assert len(objects(store, qpv, f"{BASE}def#commune")) == 2
    assert len(objects(store, qpv, f"{GEO}hasGeometry")) == 1
    # The two features' identical contours are one part, not two.
    assert len(shapely.from_wkt(wkt(store, f"{qpv}/contour")).geoms) == 1


def test_import_qpv_the_same_bytes_each_time(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "1.nt.gz", tmp_path / "2.nt.gz"
    for out in (first, second):
        result = with_territories(
            "import", "qpv", str(QPV / "qpv-2024-merged.json.gz"), "--out", str(out)
        )
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()


def test_import_qpv_arrondissement_from_the_source_field(
    with_territories: Cli, project: Path
) -> None:
    result = with_territories("import", "qpv", str(QPV / "qpv-2024.geojson"))
    assert result.exit_code == 0, result.output
    store = triples(project / "data" / "reference" / "qpv-2024.nt.gz")
    qpv = f"{BASE}id/qpv/QN07591C"
    assert objects(store, qpv, f"{BASE}def#arrondissement") == {
        f"{BASE}id/arrondissement-municipal/75120"
    }
    assert objects(store, qpv, f"{BASE}def#commune") == {f"{BASE}id/commune/75056"}


def merged_fixture(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = json.loads(gzip.decompress((QPV / "qpv-2024-merged.json.gz").read_bytes()))
    change(data)
    path = tmp_path / "changed.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["qpvs"][0].update(code="QN6932M"), "QN6932M"),
        (lambda d: d["qpvs"][0].update(insee=["69123", "69999"]), "69999"),
        (lambda d: d["qpvs"][0].update(g=[[[[4.8, 45.7], [4.9, 45.7]]]]), "at least 4 positions"),
        (
            lambda d: d["qpvs"][0].update(
                g=[[[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.7, 45.7]]]]
            ),
            "not closed",
        ),
        (lambda d: d["qpvs"][0].update(g=[[[[481.0, 45.7]] * 4]]), "out of range"),
        (lambda d: d["qpvs"][0].update(g=[[[["4.8", "45.7"]] * 4]]), "is not a position"),
    ],
    ids=[
        "code-format",
        "unknown-commune",
        "short-ring",
        "open-ring",
        "out-of-range",
        "not-numbers",
    ],
)
def test_import_qpv_merged_bad_input(
    with_territories: Cli,
    project: Path,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    result = with_territories("import", "qpv", str(merged_fixture(tmp_path, change)))
    refused(result, project, message, "changed.json.gz")


def test_import_qpv_geometry_of_another_type(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    data = json.loads((QPV / "qpv-2024-anct.geojson").read_text("utf-8"))
    data["features"][0]["geometry"] = {"type": "Point", "coordinates": [4.8, 45.7]}
    path = tmp_path / "point.geojson"
    path.write_text(json.dumps(data), "utf-8")
    result = with_territories("import", "qpv", str(path))
    refused(result, project, "point.geojson, feature 1", "'Point'")


def test_import_qpv_malformed_merged_json(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(b'{"meta": {}, "qpvs": [{"code": "QN06932M"'))
    result = with_territories("import", "qpv", str(path))
    refused(result, project, "cut.json.gz: invalid JSON")


# ----------------------------------------------------------------------------- centres


def test_import_communes_centres(with_territories: Cli, project: Path) -> None:
    result = with_territories("import", "communes-centres", str(CENTRES))
    assert result.exit_code == 0, result.output
    assert "8 communes, 2 municipal arrondissements" in result.stdout
    # The extract holds 17 current communes: the 9 without a centre are reported.
    assert "9 current commune(s) without a centre" in result.stdout
    path = project / "data" / "reference" / "communes-centres.nt.gz"
    store = triples(path)
    commune = f"{BASE}id/commune/93066"
    assert objects(store, commune, f"{GEO}hasCentroid") == {f"{commune}/centre"}
    assert wkt(store, f"{commune}/centre") == "POINT(2.3657 48.9378)"
    assert not objects(store, f"{commune}/centre", f"{BASE}def#pointMethod")  # given, not computed
    arrondissement = f"{BASE}id/arrondissement-municipal/75101"
    assert objects(store, arrondissement, f"{GEO}hasCentroid") == {f"{arrondissement}/centre"}
    # Only the snapshot's triples are written, not the communes' description.
    assert not objects(store, commune, f"{RDFS}label")
    first = path.read_bytes()
    assert with_territories("import", "communes-centres", str(CENTRES)).exit_code == 0
    assert path.read_bytes() == first


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("9306,93,2.3,48.9,Nulle part", "'9306' is not an INSEE code"),
        ("93999,93,2.3,48.9,Nulle part", "93999"),
        ("93059,93,2.3,48.9,Pierrefitte-sur-Seine", "93059"),
        ("93008,93,2.3,est,Bobigny", "latitude 'est' is not a number"),
        ("93008,93,2.3,98.1,Bobigny", "out of range"),
        ("93008,93,2.3", "3 fields where the header has 5"),
        ("93066,93,2.3,48.9,Saint-Denis", "commune 93066 is already given"),
    ],
    ids=["code-format", "unknown", "delegated", "not-a-number", "out-of-range", "short", "twice"],
)
def test_import_communes_centres_bad_input(
    with_territories: Cli, project: Path, tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "centres.csv"
    path.write_text(CENTRES.read_text("utf-8") + line + "\n", "utf-8")
    result = with_territories("import", "communes-centres", str(path))
    refused(result, project, message, "centres.csv")


def test_import_communes_centres_without_the_columns(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "centres.csv"
    path.write_text("code;x;y\n93066;2.3;48.9\n", "utf-8")
    result = with_territories("import", "communes-centres", str(path))
    refused(result, project, "no insee, lon, lat column")


# ----------------------------------------------------------------------------- contours


def test_import_contours(with_territories: Cli, project: Path) -> None:
    result = with_territories("import", "contours", str(CONTOURS), "--level", "departement")
    assert result.exit_code == 0, result.output
    assert "2 départements contours" in result.stdout
    store = triples(project / "data" / "reference" / "contours-departements.nt.gz")
    departement = f"{BASE}id/departement/93"
    assert objects(store, departement, f"{GEO}hasGeometry") == {f"{departement}/contour"}
    assert wkt(store, f"{departement}/contour").startswith("MULTIPOLYGON(((")
    result = with_territories(
        "import", "contours", str(CONTOURS / "regions.geojson"), "--level", "region"
    )
    assert result.exit_code == 0, result.output
    store = triples(project / "data" / "reference" / "contours-regions.nt.gz")
    assert objects(store, f"{BASE}id/region/11", f"{GEO}hasGeometry") == {
        f"{BASE}id/region/11/contour"
    }
    assert "contours-regions.nt.gz" in written(project)


def contours_fixture(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = json.loads((CONTOURS / "departements.geojson").read_text("utf-8"))
    change(data)
    path = tmp_path / "deps.geojson"
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["features"][0]["properties"].update(insee_dep="94"),
            "94 (deps.geojson, feature 1)",
        ),
        (lambda d: d["features"][0]["properties"].pop("insee_dep"), "no insee_dep field"),
        (lambda d: d["features"][0].update(geometry=None), "no geometry object"),
        (lambda d: d.update(type="Feature"), "not a GeoJSON FeatureCollection"),
        (lambda d: d["features"].append(d["features"][0]), "departement 75 is already given"),
    ],
    ids=["unknown", "no-code", "no-geometry", "not-a-collection", "twice"],
)
def test_import_contours_bad_input(
    with_territories: Cli,
    project: Path,
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    result = with_territories("import", "contours", str(contours_fixture(tmp_path, change)))
    refused(result, project, message)


def test_import_contours_malformed_geojson(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cut.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feat', "utf-8")
    result = with_territories("import", "contours", str(path), "--level", "region")
    refused(result, project, "cut.geojson: invalid JSON")


def test_import_contours_bad_level(with_territories: Cli, project: Path) -> None:
    result = with_territories("import", "contours", str(CONTOURS), "--level", "commune")
    refused(result, project)

"""`qpvkg import territories`, `qpv` and `qpv-2015` through the real command line."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any as Cli

import pyoxigraph as ox
import pytest

from loaders.settings import PROJECT_DIR

FIXTURES = Path(__file__).parent.parent / "fixtures"
TERRITORIES = FIXTURES / "territories"
QPV = FIXTURES / "qpv"
BASE = "https://w3id.org/qpvkg/"


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


# ----------------------------------------------------------------------------- qpv-2015

QPV_2015 = FIXTURES / "qpv-2015"
Q = f"{BASE}def#"


def annexes(tmp_path: Path, old: str = "", new: str = "", file: str = "1750") -> Path:
    """The fixture annexes in a temporary folder, one text of one annex replaced."""
    folder = tmp_path / "annexes"
    shutil.copytree(QPV_2015, folder)
    path = folder / f"decret-2014-{file}-annexe.md"
    path.chmod(0o644)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return folder


def objects(store: ox.Store, code: str, prop: str) -> set[str]:
    subject = ox.NamedNode(f"{BASE}id/qpv/{code}")
    return {q.object.value for q in store.quads_for_pattern(subject, ox.NamedNode(prop), None)}


def test_import_qpv_2015(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    result = with_territories("import", "qpv-2015", str(QPV_2015))
    assert result.exit_code == 0, result.output
    assert "6 QPV, 5 QPV in metropolitan France, 1 QPV overseas" in result.stdout
    assert "0 unresolved commune names" in result.stdout
    output = project / "data" / "reference" / "qpv-2015.nt.gz"
    store = triples(output)
    assert objects(store, "QP069035", f"{Q}commune") == {
        f"{BASE}id/commune/69123",
        f"{BASE}id/commune/69259",
    }
    assert objects(store, "QP069035", f"{Q}arrondissement") == {
        f"{BASE}id/arrondissement-municipal/69388"
    }
    # "Pierrefitte-sur-Seine" is a delegated commune of Saint-Denis in the COG 2026.
    assert objects(store, "QP093043", f"{Q}commune") == {f"{BASE}id/commune/93066"}
    assert "'Pierrefitte-sur-Seine' is the delegated commune 93059 of 93066" in result.stdout
    assert objects(store, "QP971001", f"{Q}legalBasis") == {
        "décret n° 2014-1751 du 30 décembre 2014"
    }
    assert objects(store, "QP013042", f"{Q}qpvGeography") == {f"{BASE}concept/qpv-geography/2015"}
    assert objects(store, "QP013042", "http://purl.org/dc/terms/source") == {
        f"{BASE}id/dataset/qpv-2015"
    }
    assert not objects(store, "QP013042", "http://www.opengis.net/ont/geosparql#hasGeometry")
    again = tmp_path / "again.nt.gz"
    result = with_territories("import", "qpv-2015", str(QPV_2015), "--out", str(again))
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == output.read_bytes()


def test_import_qpv_2015_unknown_commune(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    folder = annexes(tmp_path, "Les Abymes", "Commune fictive", file="1751")
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "QP971001" in result.stderr and "'Commune fictive'" in result.stderr
    assert "nothing written" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_keeps_unresolved_names(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    folder = annexes(tmp_path, "Les Abymes", "Commune fictive", file="1751")
    result = with_territories("import", "qpv-2015", str(folder), "--keep-unresolved")
    assert result.exit_code == 0, result.output
    assert "1 unresolved commune names" in result.stdout
    assert "QP971001 (Boissard-Morne Flory): 'Commune fictive' matches no commune" in (
        " ".join(result.stdout.split())
    )
    store = triples(project / "data" / "reference" / "qpv-2015.nt.gz")
    assert objects(store, "QP971001", f"{Q}unresolvedCommuneName") == {"Commune fictive"}
    assert not objects(store, "QP971001", f"{Q}commune")


def test_import_qpv_2015_tolerates_slips(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    folder = annexes(
        tmp_path, "Lyon 8e arrondissement, Vénissieux", "Lyon8ee Arrondissement,VENISSIEUX,"
    )
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 0, result.output
    store = triples(project / "data" / "reference" / "qpv-2015.nt.gz")
    assert objects(store, "QP069035", f"{Q}arrondissement") == {
        f"{BASE}id/arrondissement-municipal/69388"
    }
    assert f"{BASE}id/commune/69259" in objects(store, "QP069035", f"{Q}commune")


def test_import_qpv_2015_wrong_code_format(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    folder = annexes(tmp_path, "QP075019", "QP75019")
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "decret-2014-1750-annexe.md, line" in result.stderr
    assert "'QP75019' is not in the 2015 format" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_malformed_table(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    row = "Les Portes du 20e<br/>\n</td>\n"
    folder = annexes(tmp_path, row, "")
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "a row has 3 cells where the table has 4" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_no_table(with_territories: Cli, project: Path, tmp_path: Path) -> None:
    folder = annexes(tmp_path, "<table>", "")
    folder.joinpath("decret-2014-1750-annexe.md").write_text("# Article\n\nno table\n", "utf-8")
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "expected one HTML table of QPV" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_missing_folder(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    result = with_territories("import", "qpv-2015", str(tmp_path / "absent"))
    assert result.exit_code == 2
    assert "absent: no such folder" in result.stderr
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_code_given_twice(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    folder = annexes(tmp_path, "QP093043", "QP093028")
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "QPV QP093028 is listed twice" in " ".join(result.stderr.split())
    assert written(project) == ["territories-2026.nt.gz"]


def test_import_qpv_2015_departement_disagrees_with_the_code(
    with_territories: Cli, project: Path, tmp_path: Path
) -> None:
    row = 'QP093043<br/>\n</td>\n<td align="left" valign="middle">                     93<br/>'
    folder = annexes(tmp_path, row, row.replace("93<br/>", "95<br/>"))
    result = with_territories("import", "qpv-2015", str(folder))
    assert result.exit_code == 2, result.output
    assert "QPV QP093043 is given in département '95', its code says 93" in " ".join(
        result.stderr.split()
    )
    assert written(project) == ["territories-2026.nt.gz"]

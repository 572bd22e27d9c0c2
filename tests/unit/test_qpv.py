"""The QPV import: links to communes, file variants, geography detection and bad input."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import BadInputError, SourceSyntaxError, UnreadableSourceError
from loaders.qpv import code_departement, import_qpv, normal_name, read_rows
from loaders.settings import PROJECT_DIR, Settings
from loaders.territories import ImportReport, import_territories

FIXTURES = Path(__file__).parent.parent / "fixtures"
QPV = FIXTURES / "qpv"
BASE = "https://w3id.org/qpvkg/"
DEF = f"{BASE}def#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
COMMUNE = ox.NamedNode(f"{DEF}commune")
WITHIN = ox.NamedNode(f"{DEF}within")
HEADER_2024 = "code_qp;lib_qp;insee_reg;lib_reg;insee_dep;lib_dep;insee_com;lib_com;siren_epci"


def iri(path: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}{path}")


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress(path.read_bytes()), ox.RdfFormat.N_TRIPLES)
    return store


def values(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode | str) -> set[str]:
    p = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(predicate)
    return {q.object.value for q in store.quads_for_pattern(subject, p, None)}  # type: ignore[union-attr]


def communes(store: ox.Store, code: str) -> set[str]:
    return {v.rsplit("/", 1)[-1] for v in values(store, iri(f"id/qpv/{code}"), COMMUNE)}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A project with the extract of the official territories imported into data/reference/."""
    root = tmp_path_factory.mktemp("qpv") / "project"
    shutil.copytree(PROJECT_DIR / "ontology", root / "ontology")
    shutil.copytree(PROJECT_DIR / "shapes", root / "shapes")
    (root / "data" / "reference").mkdir(parents=True)
    settings = Settings(project_dir=root, store=str(root / "store"))
    import_territories(settings, FIXTURES / "territories")
    return settings


@pytest.fixture(scope="module")
def geojson_2024(project: Settings) -> tuple[ImportReport, ox.Store]:
    report = import_qpv(project, QPV / "qpv-2024.geojson")
    return report, load(report.output)


def write_csv(tmp_path: Path, *lines: str, name: str = "qpv.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- 2024


def test_geojson_2024(project: Settings, geojson_2024: tuple[ImportReport, ox.Store]) -> None:
    report, store = geojson_2024
    assert report.output == project.data_dir / "reference" / "qpv-2024.nt.gz"
    assert report.count("QPV") == 4
    assert report.count("links to communes") == 5
    qpv = iri("id/qpv/QN09391A")
    assert values(store, qpv, RDF_TYPE) == {f"{DEF}QuartierPrioritaire"}
    assert values(store, qpv, "http://www.w3.org/2000/01/rdf-schema#label") == {"Quartier fictif A"}
    assert values(store, qpv, f"{DEF}qpvCode") == {"QN09391A"}
    assert values(store, qpv, f"{DEF}qpvGeography") == {f"{BASE}concept/qpv-geography/2024"}
    # A QPV spanning two communes links to both.
    assert communes(store, "QN09391A") == {"93001", "93027"}
    assert values(store, qpv, WITHIN) == {
        f"{BASE}id/departement/93",
        f"{BASE}id/region/11",
        f"{BASE}id/epci/200057867",
    }


def test_a_municipal_arrondissement_gives_its_commune(
    geojson_2024: tuple[ImportReport, ox.Store],
) -> None:
    _, store = geojson_2024
    # insee_com 75120 (Paris 20e arrondissement) lies in the commune of Paris.
    assert communes(store, "QN07591C") == {"75056"}


def test_dataset_describes_the_file(geojson_2024: tuple[ImportReport, ox.Store]) -> None:
    _, store = geojson_2024
    dataset = iri("id/dataset/qpv-2024")
    digest = hashlib.sha256((QPV / "qpv-2024.geojson").read_bytes()).hexdigest()
    assert values(store, dataset, RDF_TYPE) == {"http://www.w3.org/ns/dcat#Dataset"}
    assert any(digest in d for d in values(store, dataset, "http://purl.org/dc/terms/description"))
    checksum = ox.NamedNode(f"{dataset.value}#checksum")
    assert values(store, checksum, "http://spdx.org/rdf/terms#checksumValue") == {digest}
    distribution = ox.NamedNode(f"{dataset.value}#file")
    assert values(store, distribution, "http://purl.org/dc/terms/title") == {"qpv-2024.geojson"}
    sourced = {
        q.subject
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://purl.org/dc/terms/source"), dataset
        )
    }
    assert sourced == {iri(f"id/qpv/{c}") for c in ("QN09391A", "QN09392B", "QN07591C", "QN06991D")}


def test_csv_2024_with_semicolons_bom_and_multi_commune_fields(
    project: Settings, tmp_path: Path
) -> None:
    report = import_qpv(project, QPV / "qpv-2024.csv", output=tmp_path / "q.nt.gz")
    store = load(report.output)
    assert report.count("QPV") == 3
    assert communes(store, "QN09391A") == {"93001", "93027"}  # "93001,93027"
    assert communes(store, "QN09393E") == {"93066", "93070"}  # "93066;93070"
    assert communes(store, "QN01391F") == {"13055"}
    assert f"{BASE}id/epci/200054807" in values(store, iri("id/qpv/QN01391F"), WITHIN)


def test_csv_comma_separated_gives_the_same_qpv(project: Settings, tmp_path: Path) -> None:
    text = (QPV / "qpv-2024.csv").read_text(encoding="utf-8-sig")
    rows = [line.split(";") for line in text.replace('"93066;93070"', "93066|93070").splitlines()]
    rows = [[cell.replace("93066|93070", "93066;93070") for cell in row] for row in rows]
    comma = tmp_path / "comma.csv"
    comma.write_text(
        "\n".join(",".join(f'"{c}"' if ("," in c or ";" in c) else c for c in r) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    one = load(import_qpv(project, QPV / "qpv-2024.csv", output=tmp_path / "a.nt.gz").output)
    two = load(import_qpv(project, comma, output=tmp_path / "b.nt.gz").output)

    def qpv_triples(store: ox.Store) -> set[str]:
        return {str(q) for q in store if "/id/qpv/" in q.subject.value}

    assert qpv_triples(one) == qpv_triples(two)
    assert len(qpv_triples(one)) > 20


def test_reimport_is_byte_identical(project: Settings, tmp_path: Path) -> None:
    a = import_qpv(project, QPV / "qpv-2024.geojson", output=tmp_path / "a.nt.gz")
    b = import_qpv(project, QPV / "qpv-2024.geojson", output=tmp_path / "b.nt.gz")
    assert a.output.read_bytes() == b.output.read_bytes()


def test_unknown_epci_is_reported_not_linked(project: Settings, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER_2024,
        "QN09394G;Quartier fictif G;11;Île-de-France;93;Seine-Saint-Denis;93048;Montreuil;200099999",
    )
    report = import_qpv(project, path, output=tmp_path / "q.nt.gz")
    store = load(report.output)
    assert values(store, iri("id/qpv/QN09394G"), WITHIN) == {
        f"{BASE}id/departement/93",
        f"{BASE}id/region/11",
    }
    assert any("unknown EPCI '200099999'" in w for w in report.warnings)


# ----------------------------------------------------------------------------- 2015


def test_2015_names_and_codes(project: Settings, tmp_path: Path) -> None:
    report = import_qpv(project, QPV / "qpv-2015.geojson", output=tmp_path / "q.nt.gz")
    store = load(report.output)
    assert report.what == "QPV 2015"
    assert communes(store, "QP093901") == {"93066"}  # "Saint-Denis": the current commune only
    assert communes(store, "QP093902") == {"93001", "93027"}  # "Aubervilliers, La Courneuve"
    assert communes(store, "QP069901") == {"69266"}  # by code
    assert communes(store, "QP013901") == {"13055"}  # "Marseille; Commune fictive"
    assert values(store, iri("id/qpv/QP093901"), f"{DEF}qpvGeography") == {
        f"{BASE}concept/qpv-geography/2015"
    }
    # Without insee_dep / siren_epci, inclusions are those common to all its communes.
    assert values(store, iri("id/qpv/QP093901"), WITHIN) == {
        f"{BASE}id/departement/93",
        f"{BASE}id/region/11",
        f"{BASE}id/epci/200054781",
        f"{BASE}id/epci/200057867",
    }
    # What does not resolve is reported, never guessed.
    assert any("'Commune fictive'" in w for w in report.warnings)
    # Pierrefitte-sur-Seine is now a delegated commune: no current commune, QPV not imported.
    assert any("QP093903 not imported" in w for w in report.warnings)
    assert not list(store.quads_for_pattern(iri("id/qpv/QP093903"), None, None))
    assert report.count("QPV") == 4
    assert report.count("QPV not imported") == 1


def test_2015_csv_variant_with_uppercase_fields(project: Settings, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "CODE_QP,NOM_QP,COMMUNE_QP",
        'QP093904,Quartier fictif 2015 F,"St-Ouen-sur-Seine, 93008"',
    )
    store = load(import_qpv(project, path, geography="2015", output=tmp_path / "q.nt.gz").output)
    assert communes(store, "QP093904") == {"93070", "93008"}


# ----------------------------------------------------------------------------- bad input


def test_missing_file(project: Settings, tmp_path: Path) -> None:
    with pytest.raises(UnreadableSourceError, match="no such file"):
        import_qpv(project, tmp_path / "absent.geojson", output=tmp_path / "q.nt.gz")


def test_malformed_geojson_names_the_file(project: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text((QPV / "qpv-2024.geojson").read_text(encoding="utf-8")[:300], encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match=r"broken\.geojson: invalid JSON at line"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    assert not (tmp_path / "q.nt.gz").exists()


def test_json_that_is_not_a_feature_collection(project: Settings, tmp_path: Path) -> None:
    path = tmp_path / "list.geojson"
    path.write_text('[{"code_qp": "QN09391A"}]', encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match="not a GeoJSON FeatureCollection"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")


def test_malformed_csv_names_the_file_and_line(project: Settings, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER_2024,
        "QN09391A;Quartier fictif A;11;Île-de-France;93;Seine-Saint-Denis;93001;Aubervilliers;200057867",
        "QN09392B;Quartier fictif B;11",
    )
    with pytest.raises(SourceSyntaxError, match=r"qpv\.csv: line 3 has 3 fields"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    bad_quote = write_csv(
        tmp_path, "code_qp,lib_qp", 'QN09391A,"Quartier "fictif" A', name="q2.csv"
    )
    with pytest.raises(SourceSyntaxError, match=r"q2\.csv: invalid CSV"):
        import_qpv(project, bad_quote, output=tmp_path / "q.nt.gz")
    assert not (tmp_path / "q.nt.gz").exists()


def test_not_utf8(project: Settings, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("code_qp;lib_qp\nQN09391A;Quartier fictif é\n".encode("latin-1"))
    with pytest.raises(SourceSyntaxError, match=r"latin1\.csv: not UTF-8"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")


@pytest.mark.parametrize("code", ["QN9391A", "QN09391", "QP93012", "qn09391a", "QN093912A"])
def test_wrong_code_format_names_the_line(project: Settings, tmp_path: Path, code: str) -> None:
    path = write_csv(
        tmp_path,
        HEADER_2024,
        "QN09391A;Quartier fictif A;11;Île-de-France;93;Seine-Saint-Denis;93001;Aubervilliers;",
        f"{code};Quartier fictif B;11;Île-de-France;93;Seine-Saint-Denis;93027;La Courneuve;",
    )
    with pytest.raises(BadInputError, match=rf"qpv\.csv, line 3: QPV code '{code}'"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    assert not (tmp_path / "q.nt.gz").exists()


def test_geography_option_is_checked_against_the_codes(project: Settings, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"qpv-2024\.geojson, feature 1: QPV code 'QN09391A'"):
        import_qpv(project, QPV / "qpv-2024.geojson", geography="2015", output=tmp_path / "q.nt.gz")
    with pytest.raises(BadInputError, match="--geography must be"):
        import_qpv(project, QPV / "qpv-2024.geojson", geography="2019", output=tmp_path / "q.nt.gz")


def test_mixed_geographies(project: Settings, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "code_qp;lib_qp;insee_com",
        "QN09391A;Quartier fictif A;93001",
        "QP093901;Quartier fictif 2015 A;93066",
    )
    with pytest.raises(BadInputError, match="codes of both geographies"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")


def test_unknown_communes_are_listed(project: Settings, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER_2024,
        "QN09391A;Quartier fictif A;11;Île-de-France;93;Seine-Saint-Denis;93001,99999;X;",
        "QN09392B;Quartier fictif B;11;Île-de-France;93;Seine-Saint-Denis;93005;Aulnay;",
    )
    with pytest.raises(BadInputError) as caught:
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    message = caught.value.message
    assert "2 commune code(s) not in the official territories" in message
    assert "99999 (qpv.csv, line 2)" in message
    assert "93005 (qpv.csv, line 3)" in message  # a real commune, absent from the extract
    assert not (tmp_path / "q.nt.gz").exists()


def test_empty_commune_field_in_2024(project: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code_qp;lib_qp;insee_com", "QN09391A;Quartier fictif A;")
    with pytest.raises(BadInputError, match="QN09391A has no commune"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")


def test_missing_code_field_and_name(project: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code;lib_qp;insee_com", "QN09391A;Quartier fictif A;93001")
    with pytest.raises(BadInputError, match="no code_qp field"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    path = write_csv(tmp_path, "code_qp;lib_qp;insee_com", "QN09391A;;93001")
    with pytest.raises(BadInputError, match="QN09391A has no name"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")


def test_no_commune_field_or_no_commune_at_all(project: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "code_qp;lib_qp;lib_com", "QN09391A;Quartier fictif A;Aubervilliers")
    with pytest.raises(BadInputError, match=r"qpv\.csv, line 2: no commune field"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    path = write_csv(
        tmp_path, "CODE_QP;NOM_QP;COMMUNE_QP", "QP093905;Quartier fictif;Ville fictive"
    )
    with pytest.raises(BadInputError, match="no QPV could be linked"):
        import_qpv(project, path, output=tmp_path / "q.nt.gz")
    assert not (tmp_path / "q.nt.gz").exists()


def test_no_reference_territories(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    shutil.copytree(PROJECT_DIR / "ontology", root / "ontology")
    settings = Settings(project_dir=root)
    with pytest.raises(BadInputError, match="run `qpvkg import territories` first"):
        import_qpv(settings, QPV / "qpv-2024.geojson", output=tmp_path / "q.nt.gz")


# ----------------------------------------------------------------------------- helpers


def test_read_rows_variants(tmp_path: Path) -> None:
    rows = read_rows(QPV / "qpv-2024.csv")
    assert rows[0].fields["code_qp"] == "QN09391A"  # the byte-order mark is not in the name
    assert rows[1].fields["insee_com"] == "93066;93070"
    assert rows[1].where == "qpv-2024.csv, line 3"
    features = read_rows(QPV / "qpv-2015.geojson")
    assert features[0].fields["code_qp"] == "QP093901"  # field names are case-insensitive


def test_normal_name_and_code_departement() -> None:
    assert normal_name("L'Île-Saint-Denis") == normal_name("l ile saint denis")
    assert normal_name("St-Ouen-sur-Seine") == normal_name("Saint-Ouen-sur-Seine")
    assert normal_name("Saint-Denis") != normal_name("Saint-Ouen-sur-Seine")
    assert code_departement("QP093012") == "93"
    assert code_departement("QN07501M") == "75"
    assert code_departement("QP02A001") == "2A"
    assert code_departement("QN97101A") == "971"

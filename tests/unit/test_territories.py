"""The official territories import: triples, determinism, validation gate and bad input."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.errors import (
    BadInputError,
    SourceSyntaxError,
    UnreadableSourceError,
    ValidationFailedError,
)
from loaders.settings import PROJECT_DIR, Settings
from loaders.territories import ImportReport, Triples, import_territories, validate_quads

FIXTURE = Path(__file__).parent.parent / "fixtures" / "territories"
BASE = "https://w3id.org/qpvkg/"
IGEO = "http://rdf.insee.fr/def/geo#"
DEF = f"{BASE}def#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
WITHIN = ox.NamedNode(f"{DEF}within")
SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


def iri(path: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}{path}")


def make_project(root: Path) -> Settings:
    """A project folder with the repository's ontology and shapes and an empty data/."""
    shutil.copytree(PROJECT_DIR / "ontology", root / "ontology")
    shutil.copytree(PROJECT_DIR / "shapes", root / "shapes")
    (root / "data" / "reference").mkdir(parents=True)
    return Settings(project_dir=root, store=str(root / "store"))


def load(path: Path) -> ox.Store:
    store = ox.Store()
    with gzip.open(path, "rb") as handle:
        store.load(handle.read(), ox.RdfFormat.N_TRIPLES)
    return store


def objects(store: ox.Store, subject: ox.NamedNode, predicate: str | ox.NamedNode) -> set[str]:
    p = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(predicate)
    return {q.object.value for q in store.quads_for_pattern(subject, p, None)}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_project(tmp_path_factory.mktemp("territories") / "project")


@pytest.fixture(scope="module")
def imported(project: Settings) -> tuple[ImportReport, ox.Store]:
    report = import_territories(project, FIXTURE)
    return report, load(report.output)


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "decoupage"
    shutil.copytree(FIXTURE, folder)
    return folder


def edit(folder: Path, name: str, change: object) -> None:
    path = folder / f"{name}.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)  # type: ignore[operator]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


# ----------------------------------------------------------------------------- content


def test_counts_and_default_output(
    project: Settings, imported: tuple[ImportReport, ox.Store]
) -> None:
    report, store = imported
    assert report.output == project.data_dir / "reference" / "territories-2026.nt.gz"
    assert dict(report.counts) == {
        "régions": 5,
        "départements": 7,
        "communes": 17,
        "communes déléguées": 3,
        "communes associées": 1,
        "arrondissements municipaux": 6,
        "EPCI": 5,
        "EPT": 1,
    }
    assert report.triples == len(store)
    for cls, n in [
        ("Region", 5),
        ("Departement", 7),
        ("Commune", 17),
        ("CommuneDeleguee", 3),
        ("CommuneAssociee", 1),
        ("ArrondissementMunicipal", 6),
        ("Intercommunalite", 6),
    ]:
        assert len(list(store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(IGEO + cls)))) == n
    assert "territories 2026" in report.summary()
    assert "17 communes" in report.summary()


def test_current_and_delegated_communes_sharing_a_code_stay_apart(
    imported: tuple[ImportReport, ox.Store],
) -> None:
    _, store = imported
    current, delegated = iri("id/commune/93066"), iri("id/commune-deleguee/93066")
    assert objects(store, current, RDF_TYPE) == {IGEO + "Commune"}
    assert objects(store, delegated, RDF_TYPE) == {IGEO + "CommuneDeleguee"}
    assert objects(store, current, IGEO + "codeINSEE") == {"93066"}
    assert objects(store, delegated, IGEO + "codeINSEE") == {"93066"}
    assert objects(store, current, DEF + "siren") == {"929939411"}
    assert objects(store, delegated, DEF + "siren") == set()
    assert objects(store, current, DEF + "postalCode") == {"93200", "93210", "93380"}
    # The delegated communes lie within their current commune, département and région.
    assert objects(store, delegated, WITHIN) == {
        f"{BASE}id/commune/93066",
        f"{BASE}id/departement/93",
        f"{BASE}id/region/11",
    }
    assert f"{BASE}id/commune/93066" in objects(store, iri("id/commune-deleguee/93059"), WITHIN)


def test_commune_within_its_epci_ept_departement_and_region(
    imported: tuple[ImportReport, ox.Store],
) -> None:
    _, store = imported
    assert objects(store, iri("id/commune/93066"), WITHIN) == {
        f"{BASE}id/departement/93",
        f"{BASE}id/region/11",
        f"{BASE}id/epci/200054781",  # Métropole du Grand Paris
        f"{BASE}id/epci/200057867",  # Plaine Commune (EPT)
    }
    assert objects(store, iri("id/departement/93"), WITHIN) == {f"{BASE}id/region/11"}
    population = next(
        store.quads_for_pattern(iri("id/commune/93066"), ox.NamedNode(DEF + "population"), None)
    ).object
    assert isinstance(population, ox.Literal)
    assert population.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def test_arrondissements_municipaux(imported: tuple[ImportReport, ox.Store]) -> None:
    _, store = imported
    for code, commune, dep in [
        ("75120", "75056", "75"),
        ("13213", "13055", "13"),
        ("69381", "69123", "69"),
    ]:
        node = iri(f"id/arrondissement-municipal/{code}")
        assert objects(store, node, RDF_TYPE) == {IGEO + "ArrondissementMunicipal"}
        assert f"{BASE}id/commune/{commune}" in objects(store, node, WITHIN)
        assert f"{BASE}id/departement/{dep}" in objects(store, node, WITHIN)
        assert objects(store, node, DEF + "postalCode")
        assert objects(store, node, DEF + "population")
    assert objects(store, iri("id/commune-associee/01120"), WITHIN) >= {f"{BASE}id/commune/01262"}


def test_chef_lieu_only_when_the_commune_is_in_the_files(
    imported: tuple[ImportReport, ox.Store],
) -> None:
    _, store = imported
    chef_lieu = IGEO + "chefLieu"
    assert objects(store, iri("id/region/11"), chef_lieu) == {f"{BASE}id/commune/75056"}
    assert objects(store, iri("id/departement/93"), chef_lieu) == {f"{BASE}id/commune/93008"}
    # Guadeloupe's chef-lieu, Basse-Terre (97105), is not in the extract: no link is made up.
    assert objects(store, iri("id/region/01"), chef_lieu) == set()
    assert objects(store, iri("id/region/01"), DEF + "zone") == {"drom"}


def test_commune_without_siren_or_epci(imported: tuple[ImportReport, ox.Store]) -> None:
    _, store = imported
    node = iri("id/commune/97502")
    assert objects(store, node, DEF + "siren") == set()
    assert objects(store, node, DEF + "zone") == {"com"}
    assert objects(store, node, WITHIN) == {f"{BASE}id/departement/975", f"{BASE}id/region/975"}


def test_epci_and_ept(imported: tuple[ImportReport, ox.Store]) -> None:
    _, store = imported
    lyon = iri("id/epci/200046977")
    assert objects(store, lyon, DEF + "epciType") == {f"{BASE}concept/epci-type/MET69"}
    assert objects(store, lyon, DEF + "siren") == {"200046977"}
    assert objects(store, lyon, "http://www.w3.org/2000/01/rdf-schema#label") == {
        "Métropole de Lyon"
    }
    ept = iri("id/epci/200057867")
    assert objects(store, ept, DEF + "epciType") == {f"{BASE}concept/epci-type/EPT"}
    members = {q.subject.value for q in store.quads_for_pattern(None, WITHIN, ept)}  # type: ignore[union-attr]
    assert members == {f"{BASE}id/commune/{c}" for c in ("93001", "93027", "93066", "93070")}


def test_dataset_and_sources(imported: tuple[ImportReport, ox.Store]) -> None:
    _, store = imported
    dataset = iri("id/dataset/cog-2026")
    assert objects(store, dataset, RDF_TYPE) == {"http://www.w3.org/ns/dcat#Dataset"}
    assert objects(store, dataset, "http://purl.org/dc/terms/license") == {
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    }
    titles = {
        (q.object.value, q.object.language)  # type: ignore[union-attr]
        for q in store.quads_for_pattern(
            dataset, ox.NamedNode("http://purl.org/dc/terms/title"), None
        )
    }
    assert ("Code officiel géographique 2026 (découpage administratif)", "fr") in titles
    assert {lang for _, lang in titles} == {"fr", "en"}
    assert objects(store, dataset, "http://www.w3.org/2002/07/owl#versionInfo") == {"2026"}
    assert objects(store, dataset, "http://rdfs.org/ns/void#triples") == {str(len(store))}
    typed = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, None)} - {dataset}
    sourced = {q.subject for q in store.quads_for_pattern(None, SOURCE, dataset)}
    assert typed == sourced


def test_output_is_sorted_without_blank_nodes(imported: tuple[ImportReport, ox.Store]) -> None:
    report, _ = imported
    raw = gzip.decompress(report.output.read_bytes())
    lines = raw.splitlines()
    assert lines == sorted(set(lines))
    assert not any(line.startswith(b"_:") or b" _:" in line for line in lines)


def test_reimport_is_byte_identical(project: Settings, tmp_path: Path) -> None:
    first = import_territories(project, FIXTURE, output=tmp_path / "a.nt.gz")
    second = import_territories(project, FIXTURE, output=tmp_path / "b.nt.gz")
    assert first.output.read_bytes() == second.output.read_bytes()
    # gzip header: no timestamp, no file name.
    assert first.output.read_bytes()[4:8] == b"\x00\x00\x00\x00"


def test_newer_millesime(project: Settings, tmp_path: Path) -> None:
    settings = make_project(tmp_path / "p")
    report = import_territories(settings, FIXTURE, millesime="2027")
    assert report.output.name == "territories-2027.nt.gz"
    store = load(report.output)
    assert objects(
        store, iri("id/dataset/cog-2027"), "http://www.w3.org/2002/07/owl#versionInfo"
    ) == {"2027"}
    with pytest.raises(BadInputError, match="millésime"):
        import_territories(settings, FIXTURE, millesime="26")


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    settings = make_project(tmp_path / "p").model_copy(
        update={"base_iri": "https://example.org/kg/"}
    )
    report = import_territories(settings, FIXTURE, output=tmp_path / "t.nt.gz")
    store = load(report.output)
    node = ox.NamedNode("https://example.org/kg/id/commune/93066")
    assert objects(store, node, "https://example.org/kg/def#within")


# ----------------------------------------------------------------------------- validation


def test_a_shape_violation_is_refused_and_nothing_written(
    project: Settings, tmp_path: Path
) -> None:
    folder = copy_fixture(tmp_path)

    def break_siren(records: list[dict[str, object]]) -> None:
        for r in records:
            if r["code"] == "93001" and r["type"] == "commune-actuelle":
                r["siren"] = "219300018"  # last digit changed: fails the Luhn check

    edit(folder, "communes", break_siren)
    out = tmp_path / "out.nt.gz"
    with pytest.raises(ValidationFailedError) as caught:
        import_territories(project, folder, output=out)
    assert {r["focus"] for r in caught.value.results} == {f"{BASE}id/commune/93001"}
    assert not out.exists()
    assert list(tmp_path.glob(".out.nt.gz*")) == []


def test_chunked_validation_agrees_with_a_single_run(
    project: Settings, imported: tuple[ImportReport, ox.Store]
) -> None:
    _, store = imported
    quads = [ox.Quad(q.subject, q.predicate, q.object) for q in store]
    whole = validate_quads(project, quads, _Progress())
    chunked = validate_quads(project, quads, progress := _Progress(), chunk_triples=60, workers=1)
    assert whole.conforms and chunked.conforms
    assert progress.steps > 3  # it did run in chunks

    # A violation is found in chunks too, and reported once.
    broken = [
        q for q in quads if not (q.subject == iri("id/commune/93048") and q.predicate == SOURCE)
    ]
    found = validate_quads(project, broken, _Progress(), chunk_triples=60, workers=2)
    assert not found.conforms
    assert [r.focus for r in found.violations] == [f"{BASE}id/commune/93048"]


def test_chunked_validation_counts_the_results_its_report_leaves_out(
    project: Settings, imported: tuple[ImportReport, ox.Store]
) -> None:
    """With QPVKG_MAX_REPORT_RESULTS at 1, the merged report of the chunks lists one result
    and counts the three violations, those a chunk found but did not list included."""
    _, store = imported
    faulty = {iri(f"id/commune/{code}") for code in ("93001", "93048", "93066")}
    broken = [
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store
        if not (q.subject in faulty and q.predicate == SOURCE)
    ]
    settings = project.model_copy(update={"max_report_results": 1})
    found = validate_quads(settings, broken, _Progress(), chunk_triples=60, workers=1)
    assert not found.conforms
    assert found.summary() == {"total": 3, "violations": 3, "listed": 1, "truncated": True}
    with pytest.raises(ValidationFailedError, match="3 violations") as caught:
        found.raise_for_violations("the territories")
    assert caught.value.counts["total"] == 3


class _Progress:
    def __init__(self) -> None:
        self.steps = 0

    def step(self, description: str, total: int | None = None) -> None:
        self.steps = total or 0

    def advance(self, amount: int = 1) -> None:
        pass


def test_triples_helper_uses_the_base(project: Settings) -> None:
    g = Triples(project)
    assert g.iri("id/region/11").value == f"{BASE}id/region/11"
    assert g.term("within").value == f"{DEF}within"


# ----------------------------------------------------------------------------- bad input


def test_missing_folder(project: Settings, tmp_path: Path) -> None:
    with pytest.raises(UnreadableSourceError, match="no such folder"):
        import_territories(project, tmp_path / "absent", output=tmp_path / "out.nt.gz")
    assert not (tmp_path / "out.nt.gz").exists()


def test_missing_file_is_named(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    (folder / "epci.json").unlink()
    with pytest.raises(UnreadableSourceError, match=r"missing epci\.json"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")
    assert not (tmp_path / "out.nt.gz").exists()


def test_malformed_json_is_named(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    text = (folder / "departements.json").read_text(encoding="utf-8")
    (folder / "departements.json").write_text(text[:-20], encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match=r"departements\.json: invalid JSON at line"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")
    assert not (tmp_path / "out.nt.gz").exists()


def test_not_an_array(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    (folder / "regions.json").write_text('{"code": "11"}', encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match=r"regions\.json: expected a JSON array"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")


def test_record_without_code(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    edit(folder, "communes", lambda records: records[3].pop("code"))
    with pytest.raises(BadInputError, match=r"communes\.json: record 4 has no code"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")
    assert not (tmp_path / "out.nt.gz").exists()


def test_record_without_name(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    edit(folder, "epci", lambda records: records[0].pop("nom"))
    with pytest.raises(BadInputError, match=r"epci\.json: record 1 \(code \d{9}\) has no 'nom'"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")


def test_reference_to_a_missing_departement(project: Settings, tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    edit(folder, "departements", lambda records: records.pop())  # 975 goes
    with pytest.raises(BadInputError, match=r"refers to departement 975"):
        import_territories(project, folder, output=tmp_path / "out.nt.gz")
    assert not (tmp_path / "out.nt.gz").exists()


def test_an_existing_output_is_kept_on_error(project: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out.nt.gz"
    out.write_bytes(b"previous")
    folder = copy_fixture(tmp_path)
    (folder / "communes.json").write_text("[", encoding="utf-8")
    with pytest.raises(SourceSyntaxError, match=r"communes\.json"):
        import_territories(project, folder, output=out)
    assert out.read_bytes() == b"previous"


# ----------------------------------------------------------------------------- shipped data


def test_the_shipped_2026_territories() -> None:
    """data/reference/territories-2026.nt.gz holds the whole official COG 2026."""
    store = load(PROJECT_DIR / "data" / "reference" / "territories-2026.nt.gz")

    def count(cls: str) -> int:
        return len(list(store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(IGEO + cls))))

    assert count("Region") == 26
    assert count("Departement") == 109
    assert count("Commune") == 34_969
    assert count("CommuneDeleguee") == 2_105
    assert count("CommuneAssociee") == 471
    assert count("ArrondissementMunicipal") == 45
    assert count("Intercommunalite") == 1_255 + 11
    epci_type = ox.NamedNode(DEF + "epciType")
    ept = ox.NamedNode(f"{BASE}concept/epci-type/EPT")
    assert len(list(store.quads_for_pattern(None, epci_type, ept))) == 11
    # 98 current communes belong to no EPCI.
    communes = {
        q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(IGEO + "Commune"))
    }
    epci = {
        q.subject
        for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(IGEO + "Intercommunalite"))
    }
    in_epci = {
        q.subject
        for q in store.quads_for_pattern(None, WITHIN, None)
        if q.object in epci and q.subject in communes
    }
    assert len(communes - in_epci) == 98

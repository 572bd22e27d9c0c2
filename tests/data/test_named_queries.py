"""Every named query meets the expectation its #+ header declares, over the real store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from loaders.build import BuildReport
from loaders.namedqueries import NamedQuery, load_named_queries
from loaders.params import bind
from loaders.settings import PROJECT_DIR, Settings
from loaders.store import open_read

CATALOG = load_named_queries(Settings(project_dir=PROJECT_DIR))


def run(
    settings: Settings, query: NamedQuery, params: dict[str, str]
) -> tuple[list[str], list[dict[str, str]]]:
    with open_read(settings) as store:
        result = store.query(
            query.sparql, use_default_graph_as_union=True, substitutions=bind(query, params) or None
        )
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        rows = [{n: row[n].value for n in names if row[n] is not None} for row in result]  # type: ignore[union-attr]
    return names, rows


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_query_meets_its_expectation(name: str, settings: Settings, built: BuildReport) -> None:
    query = CATALOG[name]
    params = {p.name: p.example for p in query.params if p.required and p.example}
    names, rows = run(settings, query, params)
    expect = query.expect
    if expect.min_rows is not None:
        assert len(rows) >= expect.min_rows, f"{name}: {len(rows)} rows"
    if expect.max_rows is not None:
        assert len(rows) <= expect.max_rows
    for column in expect.columns:
        assert column in names, f"{name}: no column {column}"


@pytest.mark.parametrize("name", sorted(n for n, q in CATALOG.items() if q.params))
def test_query_examples_filter(name: str, settings: Settings, built: BuildReport) -> None:
    """Each parameter's example is accepted and gives no more rows than the unfiltered query."""
    query = CATALOG[name]
    required = {p.name: p.example for p in query.params if p.required and p.example}
    _, base_rows = run(settings, query, required)
    for p in query.params:
        if p.example is None or p.required:
            continue
        _, rows = run(settings, query, {**required, p.name: p.example})
        assert len(rows) <= len(base_rows)
        assert rows, f"{name}: example {p.name}={p.example} gives no rows"


def test_department_filter_narrows(settings: Settings, built: BuildReport) -> None:
    query = CATALOG["innovations-by-territory"]
    _, all_rows = run(settings, query, {})
    _, rows = run(settings, query, {"codeDepartement": "93"})
    assert 0 < len(rows) < len(all_rows)
    assert {r["departementLabel"] for r in rows} == {"Seine-Saint-Denis"}
    _, none = run(settings, query, {"codeDepartement": "48"})
    assert none == []


def test_connectors_serve_communes(settings: Settings, built: BuildReport) -> None:
    _, rows = run(settings, CATALOG["connectors-by-territory"], {})
    connectors = {r["connecteurLabel"] for r in rows}
    assert "Adive" in connectors
    assert any(r.get("communeLabel") == "Paris" for r in rows)


def test_partnership_network_two_hops(settings: Settings, built: BuildReport) -> None:
    query = CATALOG["partnership-network"]
    _, rows = run(
        settings, query, {"acteur": "https://w3id.org/qpvkg/id/organisation/labo-societal"}
    )
    by_distance = {(r["voisinLabel"], r["distance"]) for r in rows}
    assert ("Airbus Helicopters", "1") in by_distance
    assert ("École Centrale Marseille", "1") in by_distance


def test_territories_without_connector(settings: Settings, built: BuildReport) -> None:
    """Paris has innovations and a connector (Adive); Marseille's five innovations have none."""
    _, rows = run(settings, CATALOG["territories-without-connector"], {})
    counts = {r["territoireLabel"]: int(r["innovations"]) for r in rows}
    assert "Paris" not in counts
    assert counts["Marseille"] == 5
    assert counts["Quartiers Nord de Marseille"] == 1


BASIS = "https://w3id.org/qpvkg/concept/basis/"
BASIS_COLUMNS = {
    "actors-by-type": ("fondement", "valeur"),
    "initiatives-by-audience": ("fondement", "public"),
    "initiatives-by-axis": ("fondement", "initiative"),
    "innovations-by-category-and-impact": ("fondement", "valeur"),
    "innovations-by-characteristic": ("fondement", "caracteristique"),
    "large-companies-and-foundations": ("fondement", "nature"),
    "national-innovations": ("fondement", "echelle"),
    "support-schemes-by-stage": ("fondement", "etape"),
    "support-schemes": ("echelleFondement", "echelleLabel"),
}


@pytest.mark.parametrize("name", sorted(BASIS_COLUMNS))
def test_classifications_say_their_basis(name: str, settings: Settings, built: BuildReport) -> None:
    """Each classification a named query returns says whether the study states it or an editor
    reads it."""
    column, classification = BASIS_COLUMNS[name]
    _, rows = run(settings, CATALOG[name], {})
    classified = [r for r in rows if r.get(classification)]
    assert classified
    assert {r.get(column) for r in classified} <= {BASIS + "study", BASIS + "editorial"}


def test_impact_areas_are_editorial_readings(settings: Settings, built: BuildReport) -> None:
    """The study's impact diagram lost its layout in the text: no impact area is the study's."""
    _, rows = run(settings, CATALOG["innovations-by-category-and-impact"], {})
    areas = {r["fondement"] for r in rows if r["typologie"] == "domaine d'impact"}
    assert areas == {BASIS + "editorial"}
    categories = {r["fondement"] for r in rows if r["typologie"] == "catégorie d'innovation"}
    assert categories == {BASIS + "study"}


def test_the_study_s_diagnosis_and_recommendations(settings: Settings, built: BuildReport) -> None:
    """A researcher's question: what does the study diagnose and recommend, in its own words,
    and which initiatives and actors does it cite as examples?"""
    _, rows = run(settings, CATALOG["study-analysis"], {})
    entries = {r["entree"].rsplit("/id/", 1)[-1] for r in rows if "/id/" in r["entree"]}
    parts = {
        (r["partieDe"].rsplit("/", 1)[-1], r["entree"].rsplit("/", 1)[-1])
        for r in rows
        if r.get("partieDe")
    }
    examples = {
        (r["entree"].rsplit("/", 1)[-1], r["sujet"].rsplit("/id/", 1)[-1])
        for r in rows
        if r.get("sujet")
    }
    # the three traditional ways of the support actors, which the text illustrates with no example
    assert {
        ("fonctionnements-traditionnels", "entree-par-dispositifs"),
        ("fonctionnements-traditionnels", "innovation-assimilee-creation-activite"),
        ("fonctionnements-traditionnels", "coordination-accompagnement"),
    } <= parts
    assert not {e for e, _ in examples} & {
        "entree-par-dispositifs",
        "innovation-assimilee-creation-activite",
        "coordination-accompagnement",
    }
    # "micro" innovations anchored in the QPV against technological schemes weakly tied to them
    assert {
        ("demultiplication-impacts", "innovations-micro"),
        ("demultiplication-impacts", "dispositifs-technologiques"),
    } <= parts
    assert {
        ("innovations-micro", "organisation/adive"),
        ("innovations-micro", "scheme/banlieue-connect"),
        ("dispositifs-technologiques", "innovation/plaine-image"),
        ("dispositifs-technologiques", "innovation/euratechnologies"),
        ("dispositifs-technologiques", "innovation/labo-societal"),
    } <= examples
    # the CGET's roadmap: its partners, its four actions and the role of the AFE
    roadmap = {s for e, s in examples if e == "feuille-de-route-cget"}
    assert roadmap == {
        "organisation/cget",
        "organisation/agence-france-entrepreneur",
        "organisation/caisse-des-depots",
        "organisation/bpifrance",
        "scheme/pia",
    }
    actions = {e for p, e in parts if p == "feuille-de-route-cget"}
    assert actions == {
        "echanges-acteurs",
        "communaute-base-projets",
        "ami-experimentations",
        "mecenat-interentreprises",
        "role-agence-france-entrepreneur",
    }
    assert ("mecenat-interentreprises", "scheme/mecenat-competences-interentreprises") in examples
    # the four movements to initiate or amplify
    movements = {
        r["entree"].rsplit("/", 1)[-1] for r in rows if "/concept/movement/" in r["entree"]
    }
    assert movements == {
        "croisement-approches",
        "territorialisation-politiques-innovation",
        "accessibilite-lieux",
        "maillage-territorial",
    }
    assert "finding/evolutions-recentes" in entries
    assert all(r.get("citation") for r in rows)


def test_the_study_s_analysis_of_one_example(settings: Settings, built: BuildReport) -> None:
    """What the analysis says of the Adive: the micro innovations' finding, nothing else."""
    _, rows = run(
        settings,
        CATALOG["study-analysis"],
        {"exemple": "https://w3id.org/qpvkg/id/organisation/adive"},
    )
    assert {r["entree"].rsplit("/", 1)[-1] for r in rows} == {"innovations-micro"}
    assert any("l’Adive qui relie entrepreneurs des quartiers" in r["citation"] for r in rows)


def test_the_study_s_evidence_coverage(settings: Settings, built: BuildReport) -> None:
    """The editors' report: every resource of the study quotes its passage, every involvement
    but the editorial readings too; the one membership whose role the text does not state is
    the only gap; every study statement quotes the text."""
    _, rows = run(settings, CATALOG["study-evidence-coverage"], {})
    by_type = {r["type"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]: r for r in rows}
    for name, row in by_type.items():
        total, quoted, read = (int(row[k]) for k in ("total", "avecCitation", "lectures"))
        if name == "Membership":
            assert total - quoted == 1, row
        elif name == "editorial":
            assert quoted == 0 and total > 0, row
        else:
            assert quoted + read == total > 0, row
    assert int(by_type["Involvement"]["lectures"]) > 0
    assert {"CaseStudy", "Organisation", "Innovation", "Involvement", "study"} <= set(by_type)

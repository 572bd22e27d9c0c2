"""The shipped 2015 QPV list (data/reference/qpv-2015.nt.gz): what it holds, what it says of its
source, the unresolved commune names listed in data/reference/SOURCE.md, and its re-import."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.qpv2015 import import_qpv_2015, name_key
from loaders.settings import PROJECT_DIR, Settings

SNAPSHOT = PROJECT_DIR / "data" / "reference" / "qpv-2015.nt.gz"
SOURCES = PROJECT_DIR / "data" / "sources" / "reference" / "qpv-2015"
SOURCE_URL = (
    "https://github.com/etalab/lois-non-codifiees-et-reglements-francais/tree/"
    "b7b055e7737aa0506a8682b5fa3ea47044dcc85b/decret/2015"
)
BASE = "https://w3id.org/qpvkg/"
Q = f"{BASE}def#"
PREFIXES = f"""PREFIX qpvkg: <{Q}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX void: <http://rdfs.org/ns/void#>
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress(SNAPSHOT.read_bytes()), ox.RdfFormat.N_TRIPLES)
    return store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple("" if r[n] is None else r[n].value for n in names) for r in result]


def test_every_qpv_of_both_annexes(store: ox.Store) -> None:
    codes = [
        c
        for (c,) in rows(
            store, "SELECT ?c WHERE { ?q a qpvkg:QuartierPrioritaire ; qpvkg:qpvCode ?c }"
        )
    ]
    assert len(codes) == 1_511
    overseas = [c for c in codes if c[2:4] in ("97", "98")]
    assert len(codes) - len(overseas) == 1_294
    assert len(overseas) == 217
    by_departement: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        by_departement[code[2:5]].append(int(code[5:]))
    for departement, numbers in by_departement.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), departement
    query = "SELECT ?l (COUNT(?q) AS ?n) WHERE { ?q qpvkg:legalBasis ?l } GROUP BY ?l"
    legal = {text: n for text, n in rows(store, query)}
    assert legal == {
        "décret n° 2014-1750 du 30 décembre 2014": "1294",
        "décret n° 2014-1751 du 30 décembre 2014": "217",
    }
    geography = rows(store, "SELECT DISTINCT ?g WHERE { ?q qpvkg:qpvGeography ?g }")
    assert geography == [(f"{BASE}concept/qpv-geography/2015",)]


def test_no_contour_and_no_point_is_made_up(store: ox.Store) -> None:
    assert not rows(
        store, "SELECT ?q WHERE { { ?q geo:hasGeometry ?g } UNION { ?q geo:hasCentroid ?g } }"
    )


def test_the_study_neighbourhoods_are_in_the_list(store: ox.Store) -> None:
    found = rows(
        store,
        """SELECT ?code ?label ?commune WHERE { ?q qpvkg:qpvCode ?code ; rdfs:label ?label ;
             qpvkg:commune ?commune FILTER(?code IN ("QP093054", "QP059073")) }""",
    )
    assert set(found) == {
        ("QP059073", "Secteur Ouest", f"{BASE}id/commune/59350"),
        ("QP093054", "Les Beaudottes", f"{BASE}id/commune/93071"),  # Sevran
        ("QP093054", "Les Beaudottes", f"{BASE}id/commune/93005"),  # Aulnay-sous-Bois
    }
    # Paris, Lyon and Marseille by arrondissement, with their commune.
    arrondissements = rows(
        store,
        'SELECT ?c WHERE { ?q qpvkg:qpvCode "QP013032" ; qpvkg:arrondissement ?a ; qpvkg:commune ?c }',
    )
    assert set(arrondissements) == {(f"{BASE}id/commune/13055",)}
    assert len(rows(store, "SELECT ?a WHERE { ?q qpvkg:arrondissement ?a }")) == 83


def documented_unresolved() -> list[tuple[str, str]]:
    """The (QPV, commune name) pairs of the table in data/reference/SOURCE.md."""
    text = (PROJECT_DIR / "data" / "reference" / "SOURCE.md").read_text("utf-8")
    section = text.split("## `qpv-2015.nt.gz`", 1)[1]
    return re.findall(r"^\| `(QP[0-9A-B]{6})` \| [^|]+ \| `([^`]+)` \|", section, re.MULTILINE)


def test_unresolved_names_are_the_documented_ones(store: ox.Store) -> None:
    kept = rows(
        store,
        "SELECT ?c ?n WHERE { ?q qpvkg:qpvCode ?c ; qpvkg:unresolvedCommuneName ?n } ORDER BY ?c ?n",
    )
    assert len(kept) == 34
    assert sorted(documented_unresolved()) == kept
    alone = rows(
        store,
        """SELECT ?q WHERE { ?q a qpvkg:QuartierPrioritaire
             FILTER NOT EXISTS { ?q qpvkg:commune ?c } }""",
    )
    assert len(alone) == 29


def test_the_dataset_says_where_the_list_comes_from(store: ox.Store) -> None:
    dataset = f"<{BASE}id/dataset/qpv-2015>"
    assert rows(store, f"SELECT ?l WHERE {{ {dataset} dcterms:license ?l }}") == [
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence",)
    ]
    assert rows(store, f"SELECT ?s WHERE {{ {dataset} dcterms:source ?s }}") == [(SOURCE_URL,)]
    sums = {
        title: value
        for title, value in rows(
            store,
            f"""SELECT ?t ?v WHERE {{ {dataset} dcat:distribution ?d . ?d dcterms:title ?t ;
                 spdx:checksum/spdx:checksumValue ?v }}""",
        )
    }
    assert sums == {
        name: hashlib.sha256((SOURCES / name).read_bytes()).hexdigest()
        for name in ("decret-2014-1750-annexe.md", "decret-2014-1751-annexe.md")
    }
    ((triples,),) = rows(store, f"SELECT ?n WHERE {{ {dataset} void:triples ?n }}")
    assert int(triples) == len(store)
    ((comment,),) = rows(store, f"SELECT ?c WHERE {{ {dataset} rdfs:comment ?c }}")
    assert "QPV: 1,511; QPV in metropolitan France: 1,294; QPV overseas: 217" in comment
    assert "unresolved commune names: 34" in comment


def test_the_source_files_are_the_checksummed_ones() -> None:
    text = (SOURCES / "SOURCE.md").read_text("utf-8")
    found = re.findall(r"^- ([0-9a-f]{64})  (\S+)$", text, re.M)
    listed = {name: digest for digest, name in found}
    assert listed == {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SOURCES.glob("decret-*")
    }


def test_re_importing_gives_the_same_bytes(tmp_path: Path) -> None:
    settings = Settings(project_dir=PROJECT_DIR, store=str(tmp_path / "store"))
    out = tmp_path / "qpv-2015.nt.gz"
    report = import_qpv_2015(
        settings, SOURCES, keep_unresolved=True, output=out, source_url=SOURCE_URL
    )
    assert out.read_bytes() == SNAPSHOT.read_bytes()
    assert report.count("unresolved commune names") == 34
    assert sum(w.startswith("unresolved: ") for w in report.warnings) == 34


@pytest.mark.parametrize(
    ("written", "cog"),
    [
        ("Lyon7e arrondissement", "Lyon 7e Arrondissement"),
        ("Marseille 12ee arrondissement", "Marseille 12e Arrondissement"),
        ("Marseille 1er arrondissement", "Marseille 1er Arrondissement"),
        ("VENISSIEUX", "Vénissieux"),
        ("St Denis", "Saint-Denis"),
        ("Vandœuvre-lès-Nancy", "Vandoeuvre-lès-Nancy"),
        ("Mesnil (Le)", "Le Mesnil"),
        ("M'tsamboro", "Mtsamboro"),
    ],
)
def test_name_normalisation(written: str, cog: str) -> None:
    assert name_key(written) == name_key(cog)

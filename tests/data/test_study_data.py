"""The study's curated data: sourced, complete, and faithful to the study's text."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders.settings import Settings

STUDY = ox.NamedNode("https://w3id.org/qpvkg/id/study/cget-innovation-qpv")
Q = "https://w3id.org/qpvkg/def#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def normalise(text: str) -> str:
    """The text as a reader sees it: lines joined, hyphenation undone, one space; nothing else
    (case and typography, the study's ’ and « », are kept, so that a quote is exact)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def study_store(settings: Settings) -> ox.Store:
    store = ox.Store()
    for path in sorted((settings.data_dir / "study").glob("*.ttl")):
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def source_text(settings: Settings) -> str:
    path: Path = settings.data_dir / "sources" / "cget-innovation-qpv.txt"
    return normalise(path.read_text(encoding="utf-8"))


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query("PREFIX qpvkg: <https://w3id.org/qpvkg/def#>\n" + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]  # type: ignore[union-attr]


def test_every_quote_is_verbatim_in_the_study(study_store: ox.Store, source_text: str) -> None:
    quotes = select(study_store, "SELECT ?s ?q WHERE { ?s qpvkg:quote ?q }")
    assert len(quotes) > 30
    missing = [q["q"] for q in quotes if normalise(q["q"]) not in source_text]
    assert missing == []


def test_the_verbatim_check_can_fail(source_text: str) -> None:
    assert normalise("Totem Mobi est une start-up lyonnaise") not in source_text


def test_the_verbatim_check_keeps_the_study_typography(source_text: str) -> None:
    """A quote that swaps the study's ’ for ' or changes its case is not verbatim."""
    assert normalise("L’Adive, Agence pour la diversité entrepreneuriale") in source_text
    assert normalise("L'Adive, Agence pour la diversité entrepreneuriale") not in source_text
    assert normalise("l’adive, agence pour la diversité entrepreneuriale") not in source_text


def test_every_described_resource_has_a_source(study_store: ox.Store) -> None:
    rows = select(
        study_store,
        """SELECT ?s WHERE {
             ?s a ?c . FILTER(STRSTARTS(STR(?s), "https://w3id.org/qpvkg/id/") || isBlank(?s))
             FILTER(?c NOT IN (qpvkg:Involvement, <http://www.w3.org/ns/org#Membership>,
                               <http://purl.org/dc/terms/PeriodOfTime>))
             FILTER NOT EXISTS { ?s <http://purl.org/dc/terms/source> ?src } }""",
    )
    assert rows == []


CASE_STUDIES = [
    "Totem Mobi",
    "Impact Partenaires",
    "Jobs et Cité",
    "Labo Sociétal",
    "Novaedia",
    "Adive",
    "Business Open Space",
    "La Maison pour Rebondir",
    "Agence Nouvelle Cour",
    "Coursive Boutaric",
    "Wimoov",
    "Réseau de Réemploi des 2 Rives",
    "StudiObjet",
    "Dynamique Emploi dans les Quartiers",
    "Plaine Image, Shiness",
    "Simplon.co",
    "Crèche « Les Lucioles »",
]
EXPERIENCES = [
    "CitésLab",
    "Cystaim",
    "Banlieue et Connect",
    "Fabrique à entreprendre",
    "Euratechnologies",
    "Ryad Boulanouar",
]


def test_all_case_studies_and_experiences(study_store: ox.Store) -> None:
    cases = [
        r["l"]
        for r in select(
            study_store,
            "SELECT ?l WHERE { ?c a qpvkg:CaseStudy ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        )
    ]
    experiences = [
        r["l"]
        for r in select(
            study_store,
            "SELECT ?l WHERE { ?c a qpvkg:CitedExperience ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        )
    ]
    assert len(cases) == 17 and len(experiences) == 6
    for name in CASE_STUDIES:
        assert any(name in c for c in cases), name
    for name in EXPERIENCES:
        assert any(name in e for e in experiences), name


@pytest.mark.parametrize(
    ("subject", "indicator", "value"),
    [
        ("scheme/citeslab", "personnes-accompagnees", 43000),
        ("scheme/citeslab", "quartiers-couverts", 550),
        ("scheme/citeslab", "chefs-de-projet", 71),
        ("innovation/compte-nickel", "clients", 390000),
        ("innovation/euratechnologies", "entreprises-ecosysteme", 265),
        ("innovation/euratechnologies", "entreprises-hebergees", 150),
        ("innovation/euratechnologies", "projets-incubes-par-an", 100),
        ("innovation/euratechnologies", "startups-accelerees-par-an", 60),
        ("innovation/euratechnologies", "evenements-par-an", 500),
        ("study/cget-innovation-qpv", "acteurs-interviewes", 60),
        ("study/cget-innovation-qpv", "experiences-base-projets", 100),
        ("study/cget-innovation-qpv", "etudes-de-cas", 17),
        ("study/cget-innovation-qpv", "videos", 6),
    ],
)
def test_the_study_figures_are_data(
    study_store: ox.Store, subject: str, indicator: str, value: int
) -> None:
    rows = select(
        study_store,
        f"""SELECT ?v WHERE {{
              <https://w3id.org/qpvkg/id/{subject}> qpvkg:figure ?f .
              ?f qpvkg:indicator <https://w3id.org/qpvkg/concept/indicator/{indicator}> ;
                 <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v }}""",
    )
    assert [int(r["v"]) for r in rows] == [value]


def test_the_study_resource(study_store: ox.Store) -> None:
    rows = select(
        study_store,
        """SELECT ?publisher ?start WHERE {
             <https://w3id.org/qpvkg/id/study/cget-innovation-qpv> a qpvkg:Study ;
               <http://purl.org/dc/terms/publisher> ?publisher ;
               <http://purl.org/dc/terms/temporal>/<http://www.w3.org/ns/dcat#startDate> ?start }""",
    )
    assert rows == [
        {"publisher": "https://w3id.org/qpvkg/id/organisation/cget", "start": "2015-09"}
    ]


def test_every_orientation_axis_cited_has_an_example(study_store: ox.Store) -> None:
    rows = select(
        study_store,
        """SELECT DISTINCT ?axe WHERE { ?x qpvkg:illustratesAxis ?axe }""",
    )
    axes = {r["axe"].rsplit("/", 1)[-1] for r in rows}
    # the text cites no initiative in the terms of axes 2, 3 and 5 (Adive and its programmes
    # on axis 3 are an editorial reading, data/editorial/readings.ttl)
    assert axes == {"axe-1", "axe-4", "axe-6", "axe-7", "axe-8"}


def test_municipalities_that_act_are_the_official_communes(study_store: ox.Store) -> None:
    """No SIREN is typed by hand: Sevran and Roubaix act as the official commune resources of
    the reference data (which carry their SIREN), not as organisations copied from them."""
    assert select(study_store, "SELECT ?s WHERE { ?s qpvkg:siren ?siren }") == []
    assert (
        select(
            study_store,
            "SELECT ?s WHERE { ?s qpvkg:authorityOf ?c ; a qpvkg:Organisation ; "
            "qpvkg:legalStatus ?x FILTER(CONTAINS(STR(?s), 'siren-')) }",
        )
        == []
    )
    actors = {
        (r["i"].rsplit("/", 1)[-1], r["a"].rsplit("/id/", 1)[-1])
        for r in select(
            study_store,
            "SELECT ?i ?a WHERE { { ?i qpvkg:involvement/qpvkg:actor ?a } UNION "
            "{ ?i qpvkg:membership/<http://www.w3.org/ns/org#member> ?a } "
            "FILTER(STRSTARTS(STR(?a), 'https://w3id.org/qpvkg/id/commune/')) }",
        )
    }
    assert actors == {
        ("business-open-space", "commune/93071"),
        ("simplon-roubaix", "commune/59512"),
    }


BASIS = "https://w3id.org/qpvkg/concept/basis/"
STATEMENTS = """SELECT ?st ?s ?p ?o ?basis WHERE {
    ?st a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
        <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o ;
        qpvkg:basis ?basis }"""


@pytest.fixture(scope="module")
def readings_store(settings: Settings) -> ox.Store:
    store = ox.Store()
    store.load(path=settings.data_dir / "editorial" / "readings.ttl", format=ox.RdfFormat.TURTLE)
    return store


def holds(store: ox.Store, row: dict[str, str]) -> bool:
    s, p, o = (ox.NamedNode(row[k]) for k in ("s", "p", "o"))
    return any(True for _ in store.quads_for_pattern(s, p, o))


def check_statements(store: ox.Store, basis: str, at_least: int) -> None:
    """The store's statements are all of one basis, and each names a triple the store holds."""
    rows = select(store, STATEMENTS)
    assert len(rows) >= at_least
    assert {r["basis"] for r in rows} == {BASIS + basis}
    dangling = select(
        store,
        STATEMENTS.replace(
            "qpvkg:basis ?basis }", "qpvkg:basis ?basis FILTER NOT EXISTS { ?s ?p ?o } }"
        ),
    )
    assert dangling == []


def test_the_study_data_states_only_what_the_study_says(study_store: ox.Store) -> None:
    """Every statement of data/study/ is of basis study, quotes the text and names one of its
    triples; editorial readings live in data/editorial/ only."""
    check_statements(study_store, "study", 150)
    unquoted = select(
        study_store,
        "SELECT ?st WHERE { ?st qpvkg:basis ?b FILTER NOT EXISTS { ?st qpvkg:quote ?q } }",
    )
    assert unquoted == []


def test_the_editorial_readings_say_who_and_why(readings_store: ox.Store) -> None:
    check_statements(readings_store, "editorial", 50)
    why = select(
        readings_store,
        """SELECT ?st WHERE { ?st qpvkg:basis ?b
             FILTER NOT EXISTS { ?st <http://www.w3.org/ns/prov#wasGeneratedBy> ?a .
                                 ?a <http://www.w3.org/2000/01/rdf-schema#comment> ?c ;
                                    <http://www.w3.org/ns/prov#wasAssociatedWith> ?agent .
                                 ?agent <http://www.w3.org/2000/01/rdf-schema#label> ?who } }""",
    )
    assert why == []


ID = "https://w3id.org/qpvkg/id/"
C = "https://w3id.org/qpvkg/concept/"

#: Classifications and links the study's text does not make: editorial readings, not the study's.
READINGS = [
    ("innovation/compte-nickel", "deploymentScale", C + "scale/national"),
    ("innovation/euratechnologies", "supportsStage", C + "stage/maturation"),
    ("innovation/euratechnologies", "supportsStage", C + "stage/developpement"),
    ("scheme/citeslab", "supportsStage", C + "stage/maturation"),
    ("innovation/adive", "illustratesAxis", C + "orientation/axe-3"),
    ("scheme/qualifions-nos-quartiers", "illustratesAxis", C + "orientation/axe-3"),
    ("scheme/crearif-developpement", "illustratesAxis", C + "orientation/axe-3"),
    ("innovation/coursive-boutaric", "illustratesAxis", C + "orientation/axe-7"),
    ("innovation/labo-societal", "illustratesAxis", C + "orientation/axe-7"),
    ("innovation/plaine-image", "illustratesAxis", C + "orientation/axe-7"),
    ("innovation/euratechnologies", "illustratesAxis", C + "orientation/axe-7"),
    ("scheme/banlieue-connect", "illustratesAxis", C + "orientation/axe-4"),
    ("innovation/dynamique-emploi-quartiers", "supportedBy", ID + "scheme/politique-ptce"),
    ("organisation/fondation-suez-environnement", "foundationOf", ID + "organisation/groupe-suez"),
    ("organisation/cget", "actorType", C + "actor-type/organisme-public"),
    ("organisation/groupe-suez", "actorType", C + "actor-type/grande-entreprise"),
    ("organisation/avise", "actorType", C + "actor-type/reseau-accompagnement"),
]


@pytest.mark.parametrize(("subject", "prop", "value"), READINGS)
def test_what_the_text_does_not_say_is_an_editorial_reading(
    study_store: ox.Store, readings_store: ox.Store, subject: str, prop: str, value: str
) -> None:
    triple = {"s": ID + subject, "p": Q + prop, "o": value}
    assert not holds(study_store, triple)
    assert holds(readings_store, triple)


@pytest.mark.parametrize(
    ("subject", "actor"),
    [
        ("innovation/maison-pour-rebondir", "organisation/groupe-suez"),
        ("scheme/politique-ptce", "partnership/dynamique-emploi-quartiers"),
        ("scheme/base-projets-nationale", "organisation/cget"),
        ("scheme/ami-cget-innovations-qpv", "organisation/cget"),
    ],
)
def test_involvements_the_text_does_not_state_are_readings(
    study_store: ox.Store, readings_store: ox.Store, subject: str, actor: str
) -> None:
    query = f"ASK {{ <{ID}{subject}> qpvkg:involvement/qpvkg:actor <{ID}{actor}> }}"
    assert not study_store.query("PREFIX qpvkg: <" + Q + ">\n" + query)
    assert readings_store.query("PREFIX qpvkg: <" + Q + ">\n" + query)


def test_impact_areas_are_never_the_study_s(study_store: ox.Store) -> None:
    assert select(study_store, "SELECT ?s WHERE { ?s qpvkg:impactArea ?a }") == []


def test_the_territory_is_the_text_s(study_store: ox.Store) -> None:
    """Shiness is in Tourcoing (the diagram puts Plaine Image and Enigami there), not Roubaix
    (its case heading); Cystaim, a national initiative, has no territory (its head office is
    not one)."""
    territories = select(
        study_store, f"SELECT ?t WHERE {{ <{ID}innovation/shiness> qpvkg:territory ?t }}"
    )
    assert [r["t"] for r in territories] == [ID + "commune/59599"]
    assert (
        select(study_store, f"SELECT ?t WHERE {{ <{ID}innovation/cystaim> qpvkg:territory ?t }}")
        == []
    )


def test_other_names_are_the_text_s(study_store: ox.Store, source_text: str) -> None:
    """Every other name (skos:altLabel) is written in the study's text, as it writes it (case
    and apostrophe aside); "Nickel" alone and "AFE" are not names the text gives."""
    folded = source_text.replace("\u2019", "'").lower()
    names = select(
        study_store, "SELECT ?s ?n WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?n }"
    )
    assert [
        r for r in names if normalise(r["n"]).replace("\u2019", "'").lower() not in folded
    ] == []
    assert not {"Nickel", "AFE"} & {r["n"] for r in names}
    assert {"s": ID + "organisation/enigami", "n": "Engami"} in names


def test_a_description_that_corrects_the_text_says_so(study_store: ox.Store) -> None:
    """Novaedia: the text writes "société collaborative d'intérêt collective" for a Scic."""
    rows = select(
        study_store,
        f"SELECT ?d WHERE {{ <{ID}organisation/novaedia> <http://purl.org/dc/terms/description> ?d }}",
    )
    assert "l'étude écrit « société collaborative d'intérêt collective »" in rows[0]["d"]


def test_the_categories_are_the_study_s_six_and_territorial(settings: Settings) -> None:
    """The chart's "Innovation de procédé/d'organisation" names the organisational category."""
    store = ox.Store()
    store.load(
        path=settings.ontology_dir / "concepts" / "innovation-category.ttl",
        format=ox.RdfFormat.TURTLE,
    )
    notations = {
        r["n"]
        for r in select(
            store, "SELECT ?n WHERE { ?c <http://www.w3.org/2004/02/skos/core#notation> ?n }"
        )
    }
    assert notations == {
        "organisationnelle",
        "marketing-commerciale",
        "modele-affaires",
        "technologique",
        "produit-service-usage",
        "sociale",
        "territoriale",
    }
    alt = select(
        store,
        'SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#altLabel> "Innovation de procédé/d\'organisation"@fr }',
    )
    assert [r["c"] for r in alt] == [C + "innovation-category/organisationnelle"]


def test_the_printed_impact_definition_is_not_assigned_by_guess(settings: Settings) -> None:
    store = ox.Store()
    store.load(
        path=settings.ontology_dir / "concepts" / "impact-area.ttl", format=ox.RdfFormat.TURTLE
    )
    printed = (
        "Consolidation des modèles économiques et d'appui au développement d'entreprises existantes"
    )
    definitions = select(
        store, "SELECT ?c ?d WHERE { ?c <http://www.w3.org/2004/02/skos/core#definition> ?d }"
    )
    assert [r for r in definitions if printed in r["d"]] == []
    notes = select(
        store,
        "SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#scopeNote> ?n FILTER(LANG(?n) = 'fr') }",
    )
    assert {r["c"].rsplit("/", 1)[-1] for r in notes} == {
        "developpement-filieres",
        "developpement-entreprises",
    }


def test_every_case_study_quotes_the_study(study_store: ox.Store) -> None:
    rows = select(
        study_store,
        "SELECT ?c WHERE { ?c a qpvkg:CaseStudy FILTER NOT EXISTS { ?c qpvkg:quote ?q } }",
    )
    assert rows == []


def test_every_stated_date_carries_its_passage(study_store: ox.Store) -> None:
    """A founding or launch date, or the date of a step of a path, has a study statement that
    quotes the passage giving it (figures carry theirs directly)."""
    rows = select(
        study_store,
        """SELECT ?s ?p ?d WHERE {
             VALUES ?p { qpvkg:foundingDate qpvkg:launchDate <http://purl.org/dc/terms/date> }
             ?s ?p ?d FILTER(isIRI(?s))
             FILTER NOT EXISTS {
               ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ;
                   <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
                   <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?d ;
                   qpvkg:quote ?q } }""",
    )
    assert rows == []


def test_the_study_s_analysis_is_found_by_a_researcher_s_query(
    study_store: ox.Store, settings: Settings, source_text: str
) -> None:
    """Who innovates, and how: the study's typology of innovators and its configurations, with
    the initiatives it cites as examples; the Oslo definition on its document; the Compte
    Nickel lessons on its entry; orientation 4's core sentence, verbatim."""
    store = ox.Store()
    for name in ("innovator-type", "innovation-configuration", "orientation"):
        store.load(
            path=settings.ontology_dir / "concepts" / f"{name}.ttl", format=ox.RdfFormat.TURTLE
        )
    examples = select(
        store,
        """SELECT ?notation ?example WHERE {
             ?c <http://www.w3.org/2004/02/skos/core#inScheme>
                  <https://w3id.org/qpvkg/concept/innovation-configuration> ;
                <http://www.w3.org/2004/02/skos/core#notation> ?notation ;
                <http://www.w3.org/2004/02/skos/core#example> ?example }""",
    )
    assert {(r["notation"], r["example"].rsplit("/id/", 1)[-1]) for r in examples} == {
        ("individuelle", "organisation/totem-mobi"),
        ("individuelle", "organisation/agence-nouvelle-cour"),
        ("collective-formelle", "organisation/novaedia"),
        ("collective-informelle", "partnership/r3"),
    }
    types = select(
        store,
        """SELECT ?n WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme>
             <https://w3id.org/qpvkg/concept/innovator-type> ;
             <http://www.w3.org/2004/02/skos/core#notation> ?n }""",
    )
    assert len(types) == 6
    note = select(
        store,
        """SELECT ?n WHERE { <https://w3id.org/qpvkg/concept/orientation/orientation-4>
             <http://www.w3.org/2004/02/skos/core#scopeNote> ?n FILTER(LANG(?n) = "fr") }""",
    )
    assert normalise(note[0]["n"]) in source_text
    oslo = select(
        study_store, f"SELECT ?q WHERE {{ <{ID}document/manuel-oslo-2005> qpvkg:quote ?q }}"
    )
    assert oslo and oslo[0]["q"].startswith("La mise en œuvre d’un produit")
    lessons = select(
        study_store, f"SELECT ?q WHERE {{ <{ID}experience/compte-nickel> qpvkg:quote ?q }}"
    )
    assert lessons and "innovation frugale" in lessons[0]["q"]


def test_the_movements_are_the_study_s_words(settings: Settings, source_text: str) -> None:
    """The four movements to initiate or amplify: each French definition is the study's bullet,
    verbatim; the scheme's scope note is the sentence that introduces them."""
    store = ox.Store()
    store.load(path=settings.ontology_dir / "concepts" / "movement.ttl", format=ox.RdfFormat.TURTLE)
    rows = select(
        store,
        """SELECT ?c ?d WHERE {
             { ?c <http://www.w3.org/2004/02/skos/core#inScheme>
                    <https://w3id.org/qpvkg/concept/movement> ;
                  <http://www.w3.org/2004/02/skos/core#definition> ?d }
             UNION { ?c <http://www.w3.org/2004/02/skos/core#scopeNote> ?d }
             FILTER(LANG(?d) = "fr") }""",
    )
    assert len(rows) == 5
    assert [r for r in rows if normalise(r["d"]) not in source_text] == []


def test_the_analysis_quotes_its_passages(study_store: ox.Store) -> None:
    """Every finding and recommendation of the study is quoted, and an entry of the analysis
    names an example only with a passage (checked verbatim above) that the example occurs in."""
    unquoted = select(
        study_store,
        """SELECT ?e WHERE { VALUES ?c { qpvkg:Finding qpvkg:Recommendation } ?e a ?c
             FILTER NOT EXISTS { ?e qpvkg:quote ?q } }""",
    )
    assert unquoted == []
    entries = select(
        study_store,
        "SELECT ?e WHERE { VALUES ?c { qpvkg:Finding qpvkg:Recommendation } ?e a ?c }",
    )
    assert len(entries) >= 17


#: Memberships whose role the text does not state stay out of the study's graph: R3's in its
#: démarche ("réunissant des bailleurs sociaux, des associations et des entreprises" does not
#: say what the association R3 is in it) is an editorial reading (data/editorial/readings.ttl).
UNSTATED_MEMBERSHIPS: set[tuple[str, str]] = set()


def test_every_role_carries_its_passage(study_store: ox.Store) -> None:
    """Each involvement (an actor's role in an initiative) quotes the passage that states it;
    so does each membership of the study's graph."""
    unquoted = select(
        study_store,
        """SELECT ?s ?a WHERE { ?s qpvkg:involvement ?i . ?i qpvkg:actor ?a
             FILTER NOT EXISTS { ?i qpvkg:quote ?q } }""",
    )
    assert unquoted == []
    memberships = {
        (r["s"].rsplit("/id/", 1)[-1], r["a"].rsplit("/id/", 1)[-1])
        for r in select(
            study_store,
            """SELECT ?s ?a WHERE { ?s qpvkg:membership ?m .
                 ?m <http://www.w3.org/ns/org#member> ?a FILTER NOT EXISTS { ?m qpvkg:quote ?q } }""",
        )
    }
    assert memberships == UNSTATED_MEMBERSHIPS


def test_every_described_resource_quotes_the_study(study_store: ox.Store) -> None:
    """Each organisation, person, partnership, innovation, scheme, study entry, path step,
    document and neighbourhood of the study carries the passage that presents it."""
    rows = select(
        study_store,
        """SELECT ?s WHERE {
             VALUES ?c { qpvkg:Organisation qpvkg:Person qpvkg:Partnership qpvkg:Innovation
                         qpvkg:SupportScheme qpvkg:PublicSupportScheme qpvkg:CaseStudy
                         qpvkg:CitedExperience qpvkg:Finding qpvkg:Recommendation qpvkg:PathStep
                         qpvkg:Quartier <http://purl.org/dc/terms/BibliographicResource> }
             ?s a ?c FILTER NOT EXISTS { ?s qpvkg:quote ?q } }""",
    )
    assert rows == []


def test_every_period_carries_its_passage(study_store: ox.Store) -> None:
    """A period (dcterms:temporal) is stated where its holder quotes the passage giving it."""
    rows = select(
        study_store,
        """SELECT ?s WHERE { ?s <http://purl.org/dc/terms/temporal> ?t
             FILTER NOT EXISTS { ?s qpvkg:quote ?q } }""",
    )
    assert rows == []


def fold(text: str) -> str:
    """For comparing names: apostrophes and guillemets aside, one space, lower case."""
    text = text.replace("\u2019", "'").replace("«", "").replace("»", "")
    return re.sub(r"\s+", " ", text).strip().lower()


#: Where a description departs from the text (a name it corrects, two names it takes for one),
#: it says so.
DEPARTURES = [
    ("organisation/novaedia", "l'étude écrit « société collaborative d'intérêt collective »"),
    ("organisation/bge", "le texte ne dit pas que les deux noms désignent le même réseau"),
    ("organisation/labo-societal", "sans dire qu'il s'agit du Labo Sociétal : qpvkg les identifie"),
    ("innovation/labo-societal", "sans dire qu'il s'agit du Labo Sociétal : qpvkg les identifie"),
    ("innovation/business-open-space", "le texte ne dit pas qu'il s'agit du Business Open Space"),
    ("scheme/citeslab", "elle l'y écrit « Cité-Labs »"),
    ("scheme/pia", "L'étude écrit « Programme des Investissement d'Avenir »"),
    ("organisation/cystaim", "l'étude écrit « Villiers Le Bel »"),
    ("organisation/cci", "l'étude écrit « CCI »"),
    ("organisation/ocde", "l'étude écrit « OCDE »"),
]


def description(store: ox.Store, subject: str) -> str:
    rows = select(
        store, f"SELECT ?d WHERE {{ <{ID}{subject}> <http://purl.org/dc/terms/description> ?d }}"
    )
    assert len(rows) == 1, subject
    return rows[0]["d"]


@pytest.mark.parametrize(("subject", "says"), DEPARTURES)
def test_a_description_that_departs_from_the_text_says_where(
    study_store: ox.Store, subject: str, says: str
) -> None:
    assert says in description(study_store, subject)


@pytest.mark.parametrize(
    ("subject", "word"),
    [
        ("organisation/insa-rennes", "École d'ingénieurs"),
        ("organisation/sncf", "Entreprise"),
        ("organisation/renault", "Entreprise"),
        ("organisation/airbus-helicopters", "Entreprise"),
        # the IEPC opened the network of crèches; the text does not call the institute a network
        ("organisation/iepc", "Réseau de crèches"),
    ],
)
def test_a_description_adds_no_type_the_text_does_not_give(
    study_store: ox.Store, subject: str, word: str
) -> None:
    """The text calls INSA Rennes no engineering school, SNCF, Renault and Airbus Helicopters
    no company: their descriptions do not either."""
    assert word not in description(study_store, subject)


def test_what_a_description_quotes_is_the_text_s(study_store: ox.Store, source_text: str) -> None:
    """Words a description puts in « » (a term of the study, the text's spelling of a name)
    are written in the text."""
    text = fold(source_text)
    rows = select(
        study_store, "SELECT ?s ?d WHERE { ?s <http://purl.org/dc/terms/description> ?d }"
    )
    quoted = [
        (r["s"], words)
        for r in rows
        for words in re.findall(r"«\s*([^»]+?)\s*»", r["d"])
        if fold(words) not in text
    ]
    assert quoted == []
    assert len([1 for r in rows for _ in re.findall("«", r["d"])]) > 30


def test_a_name_the_text_does_not_write_is_said_to_be_qpvkg_s(
    study_store: ox.Store, source_text: str
) -> None:
    """The label of an organisation, a person or an existing scheme is the text's name, or its
    description says how the text writes it (OCDE, CCI, the PIA...). Proposed schemes, which the
    text does not name, are named by qpvkg."""
    text = fold(source_text)
    rows = select(
        study_store,
        """SELECT ?s ?l ?d WHERE {
             VALUES ?c { qpvkg:Organisation qpvkg:Person qpvkg:SupportScheme qpvkg:PublicSupportScheme }
             ?s a ?c ; <http://www.w3.org/2000/01/rdf-schema#label> ?l ;
                <http://purl.org/dc/terms/description> ?d
             FILTER NOT EXISTS { ?s qpvkg:status <https://w3id.org/qpvkg/concept/status/propose> } }""",
    )
    assert len(rows) > 50
    assert [
        (r["s"], r["l"])
        for r in rows
        if fold(r["l"]) not in text and "l'étude écrit" not in r["d"].lower()
    ] == []

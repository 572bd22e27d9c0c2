"""Synthetic partner data for benchmarks: innovations, actors, partnerships, schemes, figures.

The data follows the ontology and the patterns of data/README.md, so that it stands for what
partners contribute: innovations with the involvements of their actors (n-ary, with roles),
categories, impact areas, stages, scales, sectors, audiences, real territories (communes of the
official reference data, drawn in proportion to a power of their population, so that large
towns dominate as they do among the QPV), support schemes, partnerships with memberships, and
figures. Everything is drawn from a seeded generator: the same seed and size give the same
bytes.

Synthetic resources can never be mistaken for real data: their keys start with ``synth-``
(``id/innovation/synth-000123``), every one carries ``dcterms:source {base}id/dataset/synth``,
the dataset says what it is, and nothing is ever written into ``data/``. No identifier that
could belong to someone real is invented (no SIREN, no web address).
"""

from __future__ import annotations

import gzip
import logging
import random
import sys
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from loaders.errors import BadInputError
from loaders.namespaces import DCAT, DCT, IGEO, ORG, OWL, RDF, RDFS, SKOS, XSD, select
from loaders.rdfformats import DATASET_FORMATS
from loaders.settings import Settings
from loaders.sources import parse_file, rdf_format

log = logging.getLogger(__name__)

LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"

#: Output formats, by file suffix (``.gz`` compresses any of them).
GRAPH_FORMATS = DATASET_FORMATS
WRITABLE = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)

#: How many of each kind of resource per project (innovation), and the smallest counts.
ORGANISATIONS_PER_PROJECT = 0.6
PROJECTS_PER_PARTNERSHIP = 8
PROJECTS_PER_SCHEME = 40

#: Communes are drawn with a weight of population ** POPULATION_EXPONENT among those of at
#: least MIN_POPULATION inhabitants: the QPV are in towns, most of them in large ones.
POPULATION_EXPONENT = 1.2
MIN_POPULATION = 5_000

#: Roles of the actors of an innovation beside its carrier, with their weights.
ROLE_WEIGHTS = {
    "partenaire": 30,
    "connecteur": 20,
    "financeur": 15,
    "accompagnateur": 10,
    "hebergeur": 7,
    "incubateur": 6,
    "mecene": 4,
    "acheteur": 4,
    "formateur": 4,
}
MEMBERSHIP_ROLES = ("membre", "partenaire", "financeur", "membre")
FIGURE_INDICATORS = (
    "beneficiaires",
    "personnes-accompagnees",
    "clients",
    "entreprises-partenaires",
    "structures-membres",
    "projets-incubes-par-an",
    "evenements-par-an",
)
FIGURE_KINDS = ("exact", "exact", "approximative", "minimum", "cible")
SCHEME_SUPPORTERS = ("organisme-public", "collectivite-territoriale", "fondation", "banque")

# Words that labels and descriptions are made of (French, like the curated data).
INNOVATION_KINDS = (
    "Atelier",
    "Fabrique",
    "Laboratoire",
    "Coopérative",
    "Réseau",
    "Plateforme",
    "Incubateur",
    "Tiers-lieu",
    "Programme",
    "Collectif",
    "École",
    "Maison",
    "Pôle",
    "Chantier",
    "Garage",
    "Café",
    "Ferme urbaine",
    "Conciergerie",
    "Accélérateur",
    "Agence",
)
INNOVATION_THEMES = (
    "numérique",
    "solidaire",
    "du réemploi",
    "de la mobilité",
    "de l'emploi",
    "des métiers du bâtiment",
    "culinaire",
    "de la petite enfance",
    "du code",
    "de la création d'entreprise",
    "des savoir-faire",
    "de la réparation",
    "textile",
    "de l'alimentation durable",
    "du sport et de l'insertion",
    "des talents",
    "de l'entrepreneuriat au féminin",
    "de la transition écologique",
    "du jeu vidéo",
    "des achats responsables",
)
QUALIFIERS = (
    "",
    "partagé",
    "des quartiers",
    "citoyen",
    "itinérant",
    "de proximité",
    "inclusif",
    "coopératif",
)
ORGANISATION_PREFIXES = {
    "entreprise": "Société",
    "start-up": "Start-up",
    "grande-entreprise": "Groupe",
    "tpe": "Entreprise",
    "banque": "Banque",
    "fonds-investissement": "Fonds",
    "organisme-public": "Agence",
    "collectivite-territoriale": "Communauté",
    "incubateur-accelerateur": "Incubateur",
    "lieu-hebergement": "Pépinière",
    "etablissement-enseignement-recherche": "Institut",
    "reseau-accompagnement": "Réseau",
    "tete-de-reseau": "Fédération",
    "bailleur-social": "Habitat",
    "structure-insertion": "Régie de quartier",
    "chambre-consulaire": "Chambre",
    "maison-emploi": "Maison de l'emploi",
    "association-quartier": "Association",
    "ptce": "Pôle",
    "cluster": "Cluster",
}
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "ti",
    "no",
    "va",
    "sé",
    "lu",
    "ne",
    "do",
    "ri",
    "ma",
    "zé",
    "bo",
    "li",
    "ta",
    "vo",
    "ké",
    "na",
    "pi",
    "ro",
    "su",
    "fé",
)
VERBS = (
    "accompagne",
    "forme",
    "relie",
    "finance",
    "héberge",
    "mobilise",
    "outille",
    "fait se rencontrer",
)
AUDIENCES = (
    "les habitants des quartiers prioritaires",
    "les jeunes sans diplôme",
    "les porteurs de projets",
    "les demandeuses et demandeurs d'emploi",
    "les entreprises du territoire",
    "les associations de quartier",
    "les parents",
    "les créateurs d'entreprise",
)
PURPOSES = (
    "vers l'emploi durable",
    "dans la création de leur activité",
    "autour d'une filière locale",
    "avec les grands donneurs d'ordre",
    "grâce à des outils numériques",
    "par des chantiers de réemploi",
    "avec des financeurs solidaires",
    "dans leur recherche de formation",
)


@dataclass(frozen=True)
class Commune:
    """A commune of the reference data that synthetic resources may point to."""

    iri: str
    label: str
    population: int
    region: str | None


@dataclass(frozen=True)
class SynthReport:
    """What ``python -m benchmarks.synth`` wrote."""

    output: Path
    graph: str | None
    seed: int
    projects: int
    organisations: int
    partnerships: int
    schemes: int
    quads: int
    seconds: float

    def summary(self) -> str:
        where = f" into graph {self.graph}" if self.graph else ""
        return (
            f"wrote {self.quads:,} triples to {self.output}{where}: {self.projects:,} innovations, "
            f"{self.organisations:,} organisations, {self.partnerships:,} partnerships, "
            f"{self.schemes:,} support schemes (seed {self.seed}, {self.seconds:.1f} s)"
        )


def counts(projects: int) -> tuple[int, int, int]:
    """Organisations, partnerships and support schemes for a number of projects."""
    organisations = max(10, round(projects * ORGANISATIONS_PER_PROJECT))
    partnerships = max(2, projects // PROJECTS_PER_PARTNERSHIP)
    schemes = max(3, projects // PROJECTS_PER_SCHEME)
    return organisations, partnerships, schemes


def text(term: object) -> str:
    """The IRI, lexical form or blank node id of a term ("" for a quoted triple)."""
    value = getattr(term, "value", "")
    return value if isinstance(value, str) else ""


def reference_file(settings: Settings) -> Path:
    """The newest official territories file of data/reference/."""
    files = sorted((settings.data_dir / "reference").glob("territories-*.nt.gz"))
    if not files:
        raise BadInputError(
            f"no territories file in {settings.data_dir / 'reference'}: "
            "run `qpvkg import territories` first"
        )
    return files[-1]


def load_communes(settings: Settings, path: Path | None = None) -> list[Commune]:
    """Current communes of the reference data with their population and région."""
    path = path or reference_file(settings)
    base = settings.base_iri
    commune_type = f"{IGEO}Commune"
    region_prefix = f"{base}id/region/"
    communes: set[str] = set()
    labels: dict[str, str] = {}
    populations: dict[str, int] = {}
    regions: dict[str, str] = {}
    for q in parse_file(path, settings):
        s, p, o = text(q.subject), q.predicate.value, q.object
        if p == f"{RDF}type" and text(o) == commune_type:
            communes.add(s)
        elif p == f"{RDFS}label" and isinstance(o, ox.Literal):
            labels[s] = o.value
        elif p == f"{settings.def_ns}population" and isinstance(o, ox.Literal):
            populations[s] = int(o.value)
        elif p == f"{settings.def_ns}within" and text(o).startswith(region_prefix):
            regions[s] = text(o)
    out = [
        Commune(iri, labels[iri], populations[iri], regions.get(iri))
        for iri in sorted(communes)
        if iri in labels and populations.get(iri, 0) >= MIN_POPULATION
    ]
    if not out:
        raise BadInputError(f"{path}: no commune of {MIN_POPULATION} inhabitants or more")
    return out


def load_concepts(settings: Settings) -> dict[str, dict[str, str]]:
    """The concepts of each SKOS scheme of ontology/concepts/: scheme -> notation -> IRI."""
    in_scheme = f"{SKOS}inScheme"
    notation = f"{SKOS}notation"
    prefix = f"{settings.base_iri}concept/"
    schemes: dict[str, dict[str, str]] = {}
    for path in sorted((settings.ontology_dir / "concepts").glob("*.ttl")):
        quads = parse_file(path, settings)
        notations = {
            text(q.subject): text(q.object) for q in quads if q.predicate.value == notation
        }
        for q in quads:
            if q.predicate.value == in_scheme and text(q.object).startswith(prefix):
                scheme = text(q.object)[len(prefix) :]
                concept = text(q.subject)
                key = notations.get(concept, concept.rsplit("/", 1)[-1])
                schemes.setdefault(scheme, {})[key] = concept
    return schemes


class Generator:
    """Draws the synthetic graph; one instance per output."""

    def __init__(
        self,
        settings: Settings,
        projects: int,
        seed: int,
        communes: Sequence[Commune],
        concepts: dict[str, dict[str, str]],
    ) -> None:
        self.base = settings.base_iri
        self.def_ns = settings.def_ns
        self.projects = projects
        self.seed = seed
        self.rng = random.Random(seed)
        self.communes = list(communes)
        self.cumulative = list(accumulate(c.population**POPULATION_EXPONENT for c in communes))
        self.concepts = concepts
        self.organisations, self.partnerships, self.schemes = counts(projects)
        self.source = ox.NamedNode(f"{self.base}id/dataset/synth")
        self.blank_count = 0
        self.labels: set[tuple[str, str]] = set()
        self.org_types: list[str] = []
        self.org_communes: list[Commune] = []
        self._node_cache: dict[str, ox.NamedNode] = {}

    # ------------------------------------------------------------------ terms

    def node(self, iri: str) -> ox.NamedNode:
        cached = self._node_cache.get(iri)
        if cached is None:
            cached = self._node_cache[iri] = ox.NamedNode(iri)
        return cached

    def term(self, name: str) -> ox.NamedNode:
        return self.node(f"{self.def_ns}{name}")

    def concept(self, scheme: str, notation: str) -> ox.NamedNode:
        try:
            return self.node(self.concepts[scheme][notation])
        except KeyError:
            raise BadInputError(
                f"concept {notation!r} of scheme {scheme!r} is not in ontology/concepts/"
            ) from None

    def any_concept(self, scheme: str) -> ox.NamedNode:
        values = sorted(self.concepts.get(scheme, {}).values())
        if not values:
            raise BadInputError(f"no concept scheme {scheme!r} in ontology/concepts/")
        return self.node(self.rng.choice(values))

    def some_concepts(self, scheme: str, low: int, high: int) -> list[ox.NamedNode]:
        values = sorted(self.concepts.get(scheme, {}).values())
        k = min(len(values), self.rng.randint(low, high))
        return [self.node(v) for v in self.rng.sample(values, k)]

    def instance(self, kind: str, index: int) -> ox.NamedNode:
        return self.node(f"{self.base}id/{kind}/synth-{index:06d}")

    def blank(self) -> ox.BlankNode:
        self.blank_count += 1
        return ox.BlankNode(f"synth{self.seed}x{self.blank_count}")

    def commune(self) -> Commune:
        x = self.rng.random() * self.cumulative[-1]
        return self.communes[min(bisect_left(self.cumulative, x), len(self.communes) - 1)]

    def unique_label(self, kind: str, label: str) -> str:
        candidate, n = label, 1
        while (kind, candidate.lower()) in self.labels:
            n += 1
            candidate = f"{label} ({n})"
        self.labels.add((kind, candidate.lower()))
        return candidate

    def skewed(self, count: int, power: float = 1.6) -> int:
        """An index in [0, count), the first ones more often (a few hubs, many small actors)."""
        return min(count - 1, int(count * self.rng.random() ** power))

    # ------------------------------------------------------------------ resources

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the synthetic graph, in a fixed order."""
        yield from self.dataset()
        for i in range(1, self.organisations + 1):
            yield from self.organisation(i)
        for i in range(1, self.schemes + 1):
            yield from self.scheme(i)
        for i in range(1, self.partnerships + 1):
            yield from self.partnership(i)
        for i in range(1, self.projects + 1):
            yield from self.innovation(i)

    def dataset(self) -> Iterator[ox.Triple]:
        s = self.source
        yield ox.Triple(s, self.node(f"{RDF}type"), self.node(f"{DCAT}Dataset"))
        yield ox.Triple(
            s,
            self.node(f"{DCT}title"),
            ox.Literal("Données synthétiques de mesure de qpvkg", language="fr"),
        )
        yield ox.Triple(
            s, self.node(f"{DCT}title"), ox.Literal("qpvkg synthetic benchmark data", language="en")
        )
        yield ox.Triple(
            s,
            self.node(f"{DCT}description"),
            ox.Literal(
                "Données inventées par `python -m benchmarks.synth` "
                f"(graine {self.seed}, {self.projects} innovations) pour mesurer les "
                "performances : aucune ne décrit une initiative, un acteur ou un chiffre réels. "
                "Seuls les territoires sont réels.",
                language="fr",
            ),
        )
        yield ox.Triple(
            s,
            self.node(f"{DCT}description"),
            ox.Literal(
                "Data made up by `python -m benchmarks.synth` "
                f"(seed {self.seed}, {self.projects} innovations) to measure performance: "
                "none of it describes a real initiative, actor or figure. "
                "Only the territories are real.",
                language="en",
            ),
        )
        yield ox.Triple(s, self.node(f"{DCT}license"), self.node(LICENCE))
        yield ox.Triple(s, self.node(f"{OWL}versionInfo"), ox.Literal(f"seed {self.seed}"))

    def common(self, s: ox.NamedNode, cls: str, kind: str, label: str) -> Iterator[ox.Triple]:
        yield ox.Triple(s, self.node(f"{RDF}type"), self.term(cls))
        yield ox.Triple(
            s, self.node(f"{RDFS}label"), ox.Literal(self.unique_label(kind, label), language="fr")
        )
        yield ox.Triple(s, self.node(f"{DCT}source"), self.source)

    def name(self) -> str:
        n = self.rng.randint(2, 3)
        return "".join(self.rng.choice(SYLLABLES) for _ in range(n)).capitalize()

    def year(self, low: int, high: int) -> ox.Literal:
        return ox.Literal(str(self.rng.randint(low, high)), datatype=self.node(f"{XSD}gYear"))

    def organisation(self, i: int) -> Iterator[ox.Triple]:
        rng = self.rng
        s = self.instance("organisation", i)
        actor_type = rng.choice(sorted(ORGANISATION_PREFIXES))
        place = self.commune()
        self.org_types.append(actor_type)
        self.org_communes.append(place)
        label = f"{ORGANISATION_PREFIXES[actor_type]} {self.name()} {place.label}"
        yield from self.common(s, "Organisation", "organisation", label)
        yield ox.Triple(s, self.term("actorType"), self.concept("actor-type", actor_type))
        yield ox.Triple(s, self.term("basedIn"), self.node(place.iri))
        if rng.random() < 0.7:
            yield ox.Triple(s, self.term("legalStatus"), self.any_concept("legal-status"))
        if rng.random() < 0.5:
            yield ox.Triple(s, self.term("sector"), self.any_concept("sector"))
        if rng.random() < 0.6:
            yield ox.Triple(s, self.term("foundingDate"), self.year(1975, 2025))
        if rng.random() < 0.3:
            yield ox.Triple(s, self.term("inPriorityNeighbourhood"), ox.Literal(True))
        if rng.random() < 0.4:
            text = (
                f"Structure implantée à {place.label} qui {rng.choice(VERBS)} "
                f"{rng.choice(AUDIENCES)} {rng.choice(PURPOSES)}."
            )
            yield ox.Triple(s, self.node(f"{DCT}description"), ox.Literal(text, language="fr"))

    def involvement(
        self, s: ox.NamedNode, actor: ox.NamedNode, role: str, link: str = "involvement"
    ) -> Iterator[ox.Triple]:
        b = self.blank()
        yield ox.Triple(s, self.term(link), b)
        yield ox.Triple(b, self.node(f"{RDF}type"), self.term("Involvement"))
        yield ox.Triple(b, self.term("actor"), actor)
        yield ox.Triple(b, self.term("role"), self.concept("role", role))

    def scheme(self, i: int) -> Iterator[ox.Triple]:
        rng = self.rng
        s = self.instance("scheme", i)
        public = rng.random() < 0.6
        theme = rng.choice(INNOVATION_THEMES)
        kind = rng.choice(("Appel à projets", "Programme", "Prix", "Fonds", "Label"))
        label = f"{kind} « {rng.choice(INNOVATION_KINDS)} {theme} » {rng.randint(2008, 2026)}"
        yield from self.common(
            s, "PublicSupportScheme" if public else "SupportScheme", "scheme", label
        )
        place = self.commune()
        scale = rng.choice(("national", "regional", "regional", "local"))
        yield ox.Triple(s, self.term("deploymentScale"), self.concept("scale", scale))
        if scale == "regional" and place.region:
            yield ox.Triple(s, self.term("territory"), self.node(place.region))
        elif scale == "local":
            yield ox.Triple(s, self.term("territory"), self.node(place.iri))
        for stage in self.some_concepts("stage", 1, 2):
            yield ox.Triple(s, self.term("supportsStage"), stage)
        yield ox.Triple(s, self.term("impactArea"), self.any_concept("impact-area"))
        yield ox.Triple(s, self.term("launchDate"), self.year(2005, 2026))
        supporters = [
            i for i, t in enumerate(self.org_types[:500]) if t in SCHEME_SUPPORTERS
        ] or list(range(len(self.org_types)))
        carrier = self.instance("organisation", rng.choice(supporters) + 1)
        yield from self.involvement(s, carrier, "porteur")
        if rng.random() < 0.5:
            other = self.instance("organisation", self.skewed(self.organisations) + 1)
            yield from self.involvement(s, other, rng.choice(("operateur", "financeur")))
        text = (
            f"Dispositif qui {rng.choice(('soutient', 'finance', 'accompagne'))} "
            f"{rng.choice(AUDIENCES)} {rng.choice(PURPOSES)}."
        )
        yield ox.Triple(s, self.node(f"{DCT}description"), ox.Literal(text, language="fr"))

    def partnership(self, i: int) -> Iterator[ox.Triple]:
        rng = self.rng
        s = self.instance("partnership", i)
        coordinator = rng.randrange(self.organisations)
        place = self.org_communes[coordinator]
        label = f"Partenariat {rng.choice(INNOVATION_THEMES)} {rng.choice(QUALIFIERS)}".strip()
        yield from self.common(s, "Partnership", "partnership", f"{label} de {place.label}")
        members = {coordinator}
        for _ in range(rng.randint(1, 5)):
            members.add(self.skewed(self.organisations))
        for n, member in enumerate(sorted(members, key=lambda m: m != coordinator)):
            b = self.blank()
            role = "coordinateur" if n == 0 else rng.choice(MEMBERSHIP_ROLES)
            yield ox.Triple(s, self.term("membership"), b)
            yield ox.Triple(b, self.node(f"{RDF}type"), self.node(f"{ORG}Membership"))
            yield ox.Triple(b, self.node(f"{ORG}member"), self.instance("organisation", member + 1))
            yield ox.Triple(b, self.node(f"{ORG}role"), self.concept("role", role))
        if rng.random() < 0.6:
            yield ox.Triple(s, self.term("territory"), self.node(place.iri))
        if rng.random() < 0.3:
            yield ox.Triple(s, self.term("involvesActorType"), self.any_concept("actor-type"))

    def innovation(self, i: int) -> Iterator[ox.Triple]:
        rng = self.rng
        s = self.instance("innovation", i)
        place = self.commune()
        kind, theme = rng.choice(INNOVATION_KINDS), rng.choice(INNOVATION_THEMES)
        qualifier = rng.choice(QUALIFIERS)
        label = " ".join(w for w in (kind, theme, qualifier) if w) + f" de {place.label}"
        yield from self.common(s, "Innovation", "innovation", label)
        text = (
            f"{kind} qui {rng.choice(VERBS)} {rng.choice(AUDIENCES)} de {place.label} "
            f"{rng.choice(PURPOSES)}."
        )
        yield ox.Triple(s, self.node(f"{DCT}description"), ox.Literal(text, language="fr"))
        for category in self.some_concepts("innovation-category", 1, 3):
            yield ox.Triple(s, self.term("category"), category)
        if rng.random() < 0.1:
            yield ox.Triple(
                s, self.term("characteristic"), self.any_concept("innovation-characteristic")
            )
        for area in self.some_concepts("impact-area", 1, 2):
            yield ox.Triple(s, self.term("impactArea"), area)
        if rng.random() < 0.6:
            yield ox.Triple(s, self.term("stage"), self.any_concept("stage"))
        if rng.random() < 0.5:
            yield ox.Triple(s, self.term("deploymentScale"), self.any_concept("scale"))
        if rng.random() < 0.2:
            yield ox.Triple(s, self.term("potentialScale"), self.concept("scale", "national"))
        for sector in self.some_concepts("sector", 1, 2):
            yield ox.Triple(s, self.term("sector"), sector)
        for audience in self.some_concepts("audience", 1, 2):
            yield ox.Triple(s, self.term("audience"), audience)
        if rng.random() < 0.2:
            yield ox.Triple(s, self.term("status"), self.any_concept("status"))
        territories = {place.iri}
        if rng.random() < 0.3:
            territories.add(self.commune().iri)
        for territory in sorted(territories):
            yield ox.Triple(s, self.term("territory"), self.node(territory))
        if rng.random() < 0.4:
            yield ox.Triple(s, self.term("inPriorityNeighbourhood"), ox.Literal(True))
        yield ox.Triple(s, self.term("launchDate"), self.year(2005, 2026))
        if rng.random() < 0.45:
            scheme = self.instance("scheme", self.skewed(self.schemes, 1.3) + 1)
            yield ox.Triple(s, self.term("supportedBy"), scheme)
        if rng.random() < 0.2:
            partnership = self.instance("partnership", rng.randrange(self.partnerships) + 1)
            yield ox.Triple(s, self.term("carriedOutBy"), partnership)
        carrier = rng.randrange(self.organisations)
        yield from self.involvement(s, self.instance("organisation", carrier + 1), "porteur")
        roles, weights = zip(*ROLE_WEIGHTS.items(), strict=True)
        for role in rng.choices(roles, weights, k=rng.choice((0, 1, 1, 2, 2, 3, 4))):
            actor = self.skewed(self.organisations)
            yield from self.involvement(s, self.instance("organisation", actor + 1), role)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            yield from self.figure(s)

    def figure(self, s: ox.NamedNode) -> Iterator[ox.Triple]:
        rng = self.rng
        b = self.blank()
        yield ox.Triple(s, self.term("figure"), b)
        yield ox.Triple(b, self.node(f"{RDF}type"), self.term("Figure"))
        yield ox.Triple(
            b, self.term("indicator"), self.concept("indicator", rng.choice(FIGURE_INDICATORS))
        )
        value = int(10 ** rng.uniform(0.5, 4))
        yield ox.Triple(b, self.node(f"{RDF}value"), ox.Literal(value))
        yield ox.Triple(
            b, self.term("valueKind"), self.concept("value-kind", rng.choice(FIGURE_KINDS))
        )
        yield ox.Triple(b, self.node(f"{DCT}date"), self.year(2010, 2026))
        yield ox.Triple(b, self.node(f"{DCT}source"), self.source)


def synth_quads(
    settings: Settings, projects: int, seed: int = 1, communes: Sequence[Commune] | None = None
) -> Iterator[ox.Quad]:
    """The synthetic graph's quads, in the graph ``{base}graph/synth``."""
    if projects < 1:
        raise BadInputError("the number of projects must be at least 1")
    generator = Generator(
        settings,
        projects,
        seed,
        communes if communes is not None else load_communes(settings),
        load_concepts(settings),
    )
    graph = ox.NamedNode(settings.graph_iri("synth"))
    for t in generator.triples():
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


PREFIXES = select("rdf", "rdfs", "xsd", "dcterms", "dcat", "org", "owl")


def write_synth(
    settings: Settings,
    projects: int,
    output: Path,
    *,
    seed: int = 1,
    communes: Sequence[Commune] | None = None,
) -> SynthReport:
    """Write the synthetic graph to ``output`` (N-Quads, TriG, Turtle or N-Triples; .gz)."""
    start = time.perf_counter()
    fmt = rdf_format(output)
    if fmt not in WRITABLE:
        raise BadInputError(
            f"{output}: write synthetic data as .nq, .trig, .ttl or .nt (optionally .gz)",
            path=str(output),
        )
    data_dir = settings.data_dir.resolve()
    target = output.resolve()
    if target == data_dir or data_dir in target.parents:
        raise BadInputError(
            f"{output}: synthetic data is never written into {settings.data_dir} "
            "(it would be built into the graph as if it were real)",
            path=str(output),
        )
    quads = synth_quads(settings, projects, seed, communes)
    count = 0

    def counted(items: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        nonlocal count
        for q in items:
            count += 1
            yield q

    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".tmp")
    prefixes = dict(PREFIXES, qpvkg=settings.def_ns)
    with ExitStack() as stack:
        handle: IO[bytes] = stack.enter_context(partial.open("wb"))
        if output.name.lower().endswith(".gz"):  # no name, no time: the same bytes each time
            compressed = gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0)
            stack.callback(compressed.close)
            handle = cast(IO[bytes], compressed)
        if fmt in GRAPH_FORMATS:
            ox.serialize(
                counted(quads),
                handle,
                fmt,
                prefixes=prefixes if fmt == ox.RdfFormat.TRIG else None,
            )
        else:
            ox.serialize(
                (q.triple for q in counted(quads)),
                handle,
                fmt,
                prefixes=prefixes if fmt == ox.RdfFormat.TURTLE else None,
            )
    partial.replace(output)
    organisations, partnerships, schemes = counts(projects)
    report = SynthReport(
        output=output,
        graph=settings.graph_iri("synth") if fmt in GRAPH_FORMATS else None,
        seed=seed,
        projects=projects,
        organisations=organisations,
        partnerships=partnerships,
        schemes=schemes,
        quads=count,
        seconds=time.perf_counter() - start,
    )
    log.info("%s", report.summary())
    return report


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m benchmarks.synth OUT [--projects N] [--seed S]``: write synthetic data."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth",
        description="Realistic synthetic data for benchmarks (never into data/), in graph "
        "{base}graph/synth.",
    )
    parser.add_argument(
        "output", type=Path, help="file to write: .nq, .trig, .ttl or .nt (.gz compresses)"
    )
    parser.add_argument(
        "--projects", type=int, default=1000, help="number of innovations to make up"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the generator (same seed, same file)"
    )
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    try:
        report = write_synth(Settings(), args.projects, args.output, seed=args.seed)
    except BadInputError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        raise SystemExit(2) from None
    sys.stdout.write(report.summary() + "\n")


if __name__ == "__main__":
    main()

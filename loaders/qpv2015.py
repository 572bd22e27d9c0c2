"""Import of the 2015 QPV list from the annex tables of décrets n° 2014-1750 and 2014-1751."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox

from loaders.errors import BadInputError, SourceSyntaxError
from loaders.namespaces import DCAT, DCT, IANA_MEDIA, IGEO
from loaders.progress import Progress
from loaders.qpv import (
    CODE_FORMATS,
    Reference,
    code_departement,
    describe_checksum,
    load_reference,
    write_snapshot,
)
from loaders.references import RDF_TYPE, RDFS_LABEL
from loaders.settings import Settings
from loaders.snapshots import describe_counts
from loaders.sources import decode_utf8, file_checksum, read_file_bytes
from loaders.territories import LICENCE_OUVERTE, ImportReport, quiet_progress
from loaders.triples import Triples

log = logging.getLogger(__name__)

GEOGRAPHY = "2015"
ANNEX_GLOB = "decret-*-annexe.md"
#: The title line of a decree's README: "# Décret n° 2014-1750 du 30 décembre 2014 fixant ...".
DECREE_TITLE = re.compile(r"^#\s*D[ée]cret (n°\s*\d{4}-\d+ du \d{1,2}(?:er)? \S+ \d{4})")
DEPARTEMENT = re.compile(r"^(?:[0-9]{1,3}|2[AB])$")
#: Kinds of COG territory a 2015 commune name may designate, in the order they are tried.
KINDS = ("Commune", "ArrondissementMunicipal", "CommuneDeleguee", "CommuneAssociee")
ORDINAL = re.compile(r"^([0-9]+)(?:er|re|e+|eme|ieme)$")
ARTICLE_AFTER = re.compile(r"^(.*?)\s*\((le|la|les|l')\)$", re.IGNORECASE)
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


# ----------------------------------------------------------------------------- names


def name_key(name: str) -> str:
    """A commune name for matching (the rule data/reference/SOURCE.md documents).

    An article given after the name moves before it ("Mesnil (Le)" -> "Le Mesnil"); the
    ligatures œ and æ become oe and ae; accents go; case folds; apostrophes go ("M'tsamboro"
    -> "mtsamboro"); every other run of characters that is not a letter or a digit (hyphen,
    space, comma, period) is one space; a number
    glued to a word is split from it ("Lyon7e" -> "lyon 7e"); ordinals become "Ne" ("1er",
    "12ee", "3eme" -> "1e", "12e", "3e"); "St", "Ste" become "saint", "sainte".
    """
    text = " ".join(name.split())
    moved = ARTICLE_AFTER.match(text)
    if moved:
        text = f"{moved.group(2)} {moved.group(1)}"
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"(?<=[a-z])(?=[0-9])", " ", text)
    words = []
    for word in text.split():
        ordinal = ORDINAL.match(word)
        words.append(f"{ordinal.group(1)}e" if ordinal else ABBREVIATIONS.get(word, word))
    return " ".join(words)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AnnexRow:
    """One row of an annex table: the QPV code, département, name and commune names."""

    where: str
    code: str
    departement: str
    name: str
    communes: tuple[str, ...]


@dataclass(frozen=True)
class Annex:
    """One decree's annex: the file, the decree as its title cites it, and its rows."""

    path: Path
    decree: str
    rows: tuple[AnnexRow, ...]


class _TableParser(HTMLParser):
    """The rows of the HTML tables of a Markdown file, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._line = 0
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self._row, self._line = [], self.getpos()[0]
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th") and self._row is not None:
            self._row.append("")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._line, self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_annex(path: Path) -> Annex:
    """An annex table: header, then rows of code, département, name, communes (names
    separated by commas). A malformed table or a code not in the 2015 format is an error."""
    text = decode_utf8(read_file_bytes(path), path)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    if parser.tables != 1 or len(parser.rows) < 2:
        raise SourceSyntaxError(
            f"{path}: expected one HTML table of QPV (a header row and one row per QPV), "
            f"found {parser.tables} table(s) and {len(parser.rows)} row(s)",
            path=str(path),
        )
    _, header = parser.rows[0]
    if len(header) != 4 or "CODE" not in header[0].upper():
        raise SourceSyntaxError(
            f"{path}: the table's first row is not the header (code, département, quartier, "
            f"communes): {header}",
            path=str(path),
        )
    rows: list[AnnexRow] = []
    seen: dict[str, str] = {}
    for line, cells in parser.rows[1:]:
        where = f"{path.name}, line {line}"
        if len(cells) != 4:
            raise SourceSyntaxError(
                f"{where}: a row has {len(cells)} cells where the table has 4 (code, "
                "département, quartier, communes)",
                path=str(path),
                line=line,
            )
        code, departement, name, communes = cells
        if not CODE_FORMATS[GEOGRAPHY].match(code):
            raise BadInputError(
                f"{where}: QPV code {code!r} is not in the 2015 format (QP + the département "
                "on 3 characters + 3 digits, e.g. QP093012)",
                path=str(path),
            )
        if code in seen:
            raise BadInputError(f"{where}: QPV {code} is listed twice ({seen[code]})")
        seen[code] = where
        if not DEPARTEMENT.match(departement):
            raise BadInputError(
                f"{where}: QPV {code}: {departement!r} is not a département code", path=str(path)
            )
        if departement.zfill(2) != code_departement(code):
            raise BadInputError(
                f"{where}: QPV {code} is given in département {departement!r}, its code says "
                f"{code_departement(code)}",
                path=str(path),
            )
        names = tuple(n.strip() for n in communes.split(",") if n.strip())
        if not name or not names:
            raise BadInputError(f"{where}: QPV {code} has no name or no commune", path=str(path))
        rows.append(AnnexRow(where, code, code_departement(code), name, names))
    return Annex(path=path, decree=decree_of(path), rows=tuple(rows))


def decree_of(annex: Path) -> str:
    """The decree an annex belongs to, as the title of its README cites it."""
    readme = annex.with_name(annex.name.replace("-annexe.md", "-README.md"))
    if not readme.is_file():
        raise BadInputError(
            f"{annex}: no {readme.name} beside it (the decree's title, for the legal basis)",
            path=str(annex),
        )
    first = decode_utf8(read_file_bytes(readme), readme).lstrip().splitlines()[0]
    found = DECREE_TITLE.match(first)
    if not found:
        raise BadInputError(
            f"{readme}: the first line does not give the decree (« # Décret n° AAAA-N du ... »)",
            path=str(readme),
        )
    return f"décret {' '.join(found.group(1).split())}"


def read_annexes(directory: Path) -> list[Annex]:
    if not directory.is_dir():
        raise BadInputError(f"{directory}: no such folder", path=str(directory))
    paths = sorted(directory.glob(ANNEX_GLOB))
    if not paths:
        raise BadInputError(
            f"{directory}: no decree annex ({ANNEX_GLOB}) in the folder", path=str(directory)
        )
    annexes = [read_annex(p) for p in paths]
    where: dict[str, str] = {}
    for annex in annexes:
        for row in annex.rows:
            if row.code in where:
                raise BadInputError(f"{row.where}: QPV {row.code} is also in {where[row.code]}")
            where[row.code] = row.where
    return annexes


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Place:
    """A COG territory a commune name designates: its kind, code and current commune."""

    kind: str
    code: str
    iri: ox.NamedNode
    commune: str  # code of the current commune it is (or is part of)
    departement: str


@dataclass
class Names:
    """The COG's communes, arrondissements and delegated or associated communes, by
    normalised name and département, and the région of each département."""

    places: dict[str, dict[str, dict[str, list[Place]]]] = field(default_factory=dict)
    region_of: dict[str, str] = field(default_factory=dict)

    def find(self, departement: str, name: str) -> tuple[Place | None, str]:
        """The place a name designates in a département (else, a current commune of that
        name alone in the other départements of its région), or None and why not."""
        key = name_key(name)
        by_departement = self.places.get(key, {})
        by_kind = by_departement.get(departement, {})
        for kind in KINDS:
            found = by_kind.get(kind, [])
            if len(found) == 1:
                return found[0], ""
            if len(found) > 1:
                codes = ", ".join(sorted(p.code for p in found))
                return None, f"names several territories ({codes}) of département {departement}"
        region = self.region_of.get(departement)
        near = [
            place
            for other, kinds in sorted(by_departement.items())
            if other != departement and region and self.region_of.get(other) == region
            for place in kinds.get("Commune", [])
        ]
        if len(near) == 1:
            return near[0], ""
        if len(near) > 1:
            codes = ", ".join(sorted(p.code for p in near))
            return None, (
                f"matches no territory of département {departement} and several communes "
                f"of its région ({codes})"
            )
        return None, (
            f"matches no commune, municipal arrondissement or delegated commune of "
            f"département {departement}, nor a commune of its région (normalised: {key!r})"
        )


def index_names(ref: Reference) -> Names:
    """Every territory of a kind in KINDS, by normalised label and département."""
    types: dict[ox.NamedNode, str] = {}
    codes: dict[ox.NamedNode, str] = {}
    for q in ref.store.quads_for_pattern(None, RDF_TYPE, None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            kind = q.object.value.removeprefix(IGEO)
            if kind in KINDS:
                types[q.subject] = kind
    for q in ref.store.quads_for_pattern(None, ox.NamedNode(f"{IGEO}codeINSEE"), None, None):
        subject, value = q.subject, q.object
        if isinstance(subject, ox.NamedNode) and subject in types and isinstance(value, ox.Literal):
            codes[subject] = value.value
    departement_of = {iri: code for code, iri in ref.departements.items()}
    region_code = {iri: code for code, iri in ref.regions.items()}
    commune_of = {iri: code for code, iri in ref.communes.items()}
    names = Names()
    for code, departement in ref.departements.items():
        regions = [region_code[p] for p in ref.within.get(departement, set()) if p in region_code]
        if len(regions) == 1:
            names.region_of[code] = regions[0]
    for q in ref.store.quads_for_pattern(None, RDFS_LABEL, None, None):
        node, label = q.subject, q.object
        if not isinstance(node, ox.NamedNode) or node not in types:
            continue
        iri = node
        if not isinstance(label, ox.Literal):
            continue
        parents = ref.within.get(iri, set())
        departements = [departement_of[p] for p in parents if p in departement_of]
        if types[iri] == "Commune":
            current = commune_of.get(iri)
        else:
            owners = [commune_of[p] for p in parents if p in commune_of]
            current = owners[0] if len(owners) == 1 else None
        if current is None or len(departements) != 1:
            continue
        place = Place(types[iri], codes[iri], iri, current, departements[0])
        by_kind = names.places.setdefault(name_key(label.value), {}).setdefault(departements[0], {})
        by_kind.setdefault(types[iri], []).append(place)
    return names


# ----------------------------------------------------------------------------- import


@dataclass
class _Qpv:
    row: AnnexRow
    decree: str
    communes: set[str] = field(default_factory=set)
    arrondissements: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)


def import_qpv_2015(
    settings: Settings,
    directory: Path,
    *,
    keep_unresolved: bool = False,
    output: Path | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the 2015 list from the decrees' annex tables (``decret-*-annexe.md``) of a folder.

    Each commune name is matched to the COG of data/reference/territories-*, within the QPV's
    département, by ``name_key``: a current commune, else a municipal arrondissement (linked
    with its commune), else a delegated or associated commune (linked to the current commune
    it belongs to). A name that matches nothing, or several, is an error naming it, unless
    ``keep_unresolved``: it is then kept as ``qpvkg:unresolvedCommuneName``, with no link,
    and reported. The output is validated before it is written; the same input gives the
    same bytes.
    """
    progress = quiet_progress(progress)
    start = time.perf_counter()
    progress.step(f"Reading the annexes of {directory}", total=None)
    annexes = read_annexes(directory)
    target = output or settings.data_dir / "reference" / f"qpv-{GEOGRAPHY}.nt.gz"
    progress.step("Loading the official territories", total=None)
    ref = load_reference(settings)
    names = index_names(ref)

    rows = [(annex, row) for annex in annexes for row in annex.rows]
    progress.step("Matching the communes by name", total=len(rows))
    qpvs: list[_Qpv] = []
    problems: list[str] = []
    notes: list[str] = []
    for annex, row in rows:
        if row.departement not in ref.departements:
            raise BadInputError(
                f"{row.where}: QPV {row.code}: département {row.departement} is not in the "
                f"official territories ({', '.join(ref.files)})",
                path=str(annex.path),
            )
        qpv = _Qpv(row=row, decree=annex.decree)
        for name in row.communes:
            place, why = names.find(row.departement, name)
            if place is None:
                problems.append(f"{row.where}: QPV {row.code} ({row.name}): {name!r} {why}")
                qpv.unresolved.append(name)
                continue
            qpv.communes.add(place.commune)
            if place.departement != row.departement:
                notes.append(
                    f"{row.where}: QPV {row.code}: {name!r} is not in département "
                    f"{row.departement}; the only commune of that name in its région is "
                    f"{place.code} (département {place.departement}); linked to {place.code}"
                )
            elif place.kind == "ArrondissementMunicipal":
                qpv.arrondissements.add(place.code)
            elif place.kind != "Commune":
                notes.append(
                    f"{row.where}: QPV {row.code}: {name!r} is the "
                    f"{'delegated' if place.kind == 'CommuneDeleguee' else 'associated'} "
                    f"commune {place.code} of {place.commune} in {', '.join(ref.files)}; "
                    f"linked to {place.commune}"
                )
        qpvs.append(qpv)
        progress.advance()
    if problems and not keep_unresolved:
        raise BadInputError(
            f"{directory}: {len(problems)} commune name(s) match no territory of "
            f"{', '.join(ref.files)} (nothing written; --keep-unresolved keeps them as "
            "qpvkg:unresolvedCommuneName):\n" + "\n".join(f"  - {p}" for p in problems),
            path=str(directory),
        )

    graph = Triples(settings)
    dataset = _describe_dataset(graph, annexes, source_url)
    for qpv in sorted(qpvs, key=lambda q: q.row.code):
        _describe_qpv(graph, ref, qpv, dataset)
    delegated = sum(1 for n in notes if "delegated" in n or "associated" in n)
    elsewhere = len(notes) - delegated
    overseas = sum(1 for q in qpvs if q.row.departement.startswith(("97", "98")))
    counts = (
        ("QPV", len(qpvs)),
        ("QPV in metropolitan France", len(qpvs) - overseas),
        ("QPV overseas", overseas),
        ("links to communes", sum(len(q.communes) for q in qpvs)),
        ("links to municipal arrondissements", sum(len(q.arrondissements) for q in qpvs)),
        ("commune names matched to a delegated or associated commune", delegated),
        ("commune names matched in another département of the région", elsewhere),
        ("unresolved commune names", sum(len(q.unresolved) for q in qpvs)),
        ("QPV without a resolved commune", sum(1 for q in qpvs if not q.communes)),
    )
    describe_counts(graph, dataset, counts)
    warnings = [*(f"unresolved: {p}" for p in problems), *notes]
    for w in warnings:
        log.warning("%s", w)
    return write_snapshot(
        settings,
        graph,
        ref,
        target,
        what=f"QPV {GEOGRAPHY}",
        counts=counts,
        warnings=warnings,
        start=start,
        progress=progress,
        source=directory,
    )


def _describe_qpv(g: Triples, ref: Reference, qpv: _Qpv, dataset: ox.NamedNode) -> None:
    row = qpv.row
    iri = g.iri(f"id/qpv/{row.code}")
    g.add(iri, RDF_TYPE, g.term("QuartierPrioritaire"))
    g.label(iri, row.name)
    g.text(iri, g.term("qpvCode"), row.code)
    g.add(iri, g.term("qpvGeography"), g.iri(f"concept/qpv-geography/{GEOGRAPHY}"))
    g.add(iri, ox.NamedNode(f"{DCT}source"), dataset)
    g.add(iri, g.term("legalBasis"), ox.Literal(qpv.decree, language="fr"))
    g.add(iri, g.term("within"), ref.departements[row.departement])
    for code in sorted(qpv.communes):
        g.add(iri, g.term("commune"), ref.communes[code])
    for code in sorted(qpv.arrondissements):
        g.add(iri, g.term("arrondissement"), g.iri(f"id/arrondissement-municipal/{code}"))
    for name in qpv.unresolved:
        g.text(iri, g.term("unresolvedCommuneName"), name)


def _describe_dataset(g: Triples, annexes: list[Annex], source_url: str | None) -> ox.NamedNode:
    """The dataset: the decrees' annexes, each a distribution with its SHA-256."""
    dataset = g.iri(f"id/dataset/qpv-{GEOGRAPHY}")
    title = ox.NamedNode(f"{DCT}title")
    description = ox.NamedNode(f"{DCT}description")
    decrees = " et ".join(a.decree for a in annexes)
    g.add(dataset, RDF_TYPE, ox.NamedNode(f"{DCAT}Dataset"))
    g.add(
        dataset,
        title,
        ox.Literal(
            "Quartiers prioritaires de la politique de la ville (géographie 2015)", language="fr"
        ),
    )
    g.add(
        dataset, title, ox.Literal("Priority neighbourhoods (QPV), 2015 geography", language="en")
    )
    g.add(
        dataset,
        description,
        ox.Literal(
            f"Liste des quartiers prioritaires en vigueur du 1er janvier 2015 au 31 décembre "
            f"2023, importée des annexes des {decrees} : code, nom, département et communes, "
            "chaque commune reconnue par son nom dans le Code officiel géographique (noms non "
            "reconnus gardés tels quels). Aucun contour.",
            language="fr",
        ),
    )
    g.add(
        dataset,
        description,
        ox.Literal(
            "List of the priority neighbourhoods in force from 1 January 2015 to 31 December "
            f"2023, imported from the annexes of the {decrees.replace(' et ', ' and ')}: code, "
            "name, département and communes, each commune recognised by its name in the Code "
            "officiel géographique (names not recognised kept as given). No contours.",
            language="en",
        ),
    )
    g.add(dataset, ox.NamedNode(f"{DCT}license"), LICENCE_OUVERTE)
    if source_url:
        g.add(dataset, ox.NamedNode(f"{DCT}source"), ox.NamedNode(source_url))
    markdown = ox.NamedNode(IANA_MEDIA + "text/markdown")
    for annex in annexes:
        stem = annex.path.name.removesuffix(".md")
        distribution = ox.NamedNode(f"{dataset.value}#{stem}")
        checksum = ox.NamedNode(f"{dataset.value}#{stem}-checksum")
        g.add(dataset, ox.NamedNode(f"{DCAT}distribution"), distribution)
        g.add(distribution, RDF_TYPE, ox.NamedNode(f"{DCAT}Distribution"))
        g.text(distribution, title, annex.path.name)
        g.add(
            distribution,
            ox.NamedNode(f"{DCT}description"),
            ox.Literal(f"Annexe du {annex.decree} (tableau HTML en Markdown)", language="fr"),
        )
        g.add(distribution, ox.NamedNode(f"{DCAT}mediaType"), markdown)
        describe_checksum(g, distribution, checksum, file_checksum(annex.path))
    return dataset

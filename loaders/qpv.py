"""Import of the official list of quartiers prioritaires (ANCT GeoJSON, merged JSON or CSV)."""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders import geometry as geo
from loaders.errors import BadInputError, SourceSyntaxError
from loaders.limits import load_json
from loaders.namespaces import DCT, GEO, IGEO, SF, SPDX
from loaders.progress import Progress
from loaders.references import RDF_TYPE, RDFS_LABEL, load_reference_store
from loaders.settings import Settings
from loaders.snapshots import (
    describe_counts,
    describe_file,
    describe_texts,
    report,
    validate_and_write,
)
from loaders.sources import decode_utf8, discover, open_bytes
from loaders.territories import ImportReport, quiet_progress
from loaders.triples import Triples

log = logging.getLogger(__name__)

GEO_WKT = ox.NamedNode(f"{GEO}wktLiteral")

GEOGRAPHIES = ("2015", "2024")

#: Official code formats: 2015 ``QP`` + département (3 characters) + 3 digits,
#: 2024 ``QN`` + département (3 characters) + 2 digits + a letter.
CODE_FORMATS: dict[str, re.Pattern[str]] = {
    "2015": re.compile(r"^QP[0-9]{2}[0-9AB][0-9]{3}$"),
    "2024": re.compile(r"^QN[0-9]{2}[0-9AB][0-9]{2}[A-Z]$"),
}
CODE_EXAMPLES = {"2015": "QP093012", "2024": "QN07501M"}

#: Field names (lower case) of the known file variants.
CODE_FIELDS = ("code_qp",)
NAME_FIELDS = ("lib_qp", "nom_qp")
COMMUNE_CODE_FIELDS = ("insee_com",)
COMMUNE_FIELDS_2015 = ("commune_qp",)
DEPARTEMENT_FIELDS = ("insee_dep",)
REGION_FIELDS = ("insee_reg",)
EPCI_FIELDS = ("siren_epci",)

#: The decree that sets the 2024 list, by where the QPV is (as the ANCT source cites them):
#: metropolitan France, and overseas (départements and collectivities 97x, 98x).
LEGAL_BASIS_2024 = {
    "metro": "décret n° 2023-1314 du 28 décembre 2023",
    "outre-mer": "décret n° 2023-1312",
}

COMMUNE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
SEPARATORS = re.compile(r"[,;]")


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Row:
    """One QPV record of the file: where it is (line or feature) and its fields."""

    where: str
    fields: dict[str, str]
    geometry: Any = None

    def get(self, names: Iterable[str]) -> str:
        for name in names:
            value = self.fields.get(name, "").strip()
            if value:
                return value
        return ""

    def has(self, names: Iterable[str]) -> bool:
        return any(name in self.fields for name in names)


def read_rows(path: Path) -> list[Row]:
    """The records of an ANCT list: GeoJSON (properties and geometry), the merged JSON of
    one record per QPV (gzip allowed) or CSV (comma or semicolon)."""
    raw = open_bytes(path)
    text = decode_utf8(raw, path)
    suffix = _suffix(path)
    if suffix in {".geojson", ".json"} or (suffix != ".csv" and text.lstrip().startswith("{")):
        rows = _geojson_rows(path, text)
    else:
        rows = csv_rows(path, text)
    if not rows:
        raise BadInputError(f"{path}: no QPV records", path=str(path))
    return rows


def _geojson_rows(path: Path, text: str) -> list[Row]:
    data = load_json(text, str(path))  # bounded: nesting, token sizes
    if isinstance(data, dict) and "qpvs" in data and "type" not in data:
        return _merged_rows(path, data)
    rows = []
    for properties, geometry, where in geo.features_of(data, path):
        fields = {
            str(k).strip().lower(): _scalar(v) for k, v in properties.items() if v is not None
        }
        rows.append(Row(where=where, fields=fields, geometry=geometry))
    return rows


def _merged_rows(path: Path, data: dict[str, Any]) -> list[Row]:
    """The merged JSON: ``{"meta": {...}, "qpvs": [{"code", "label", "insee", "g"}]}``, one
    record per QPV, ``g`` its contour as MultiPolygon coordinates."""
    records = data["qpvs"]
    if not isinstance(records, list):
        raise SourceSyntaxError(f"{path}: 'qpvs' is not a list of QPV records", path=str(path))
    rows = []
    for index, record in enumerate(records, start=1):
        where = f"{path.name}, record {index}"
        if not isinstance(record, dict):
            raise SourceSyntaxError(f"{where} is not an object", path=str(path))
        insee = record.get("insee", [])
        if not isinstance(insee, list):
            raise SourceSyntaxError(f"{where}: 'insee' is not a list of codes", path=str(path))
        fields = {
            "code_qp": _scalar(record.get("code", "")),
            "lib_qp": _scalar(record.get("label", "")),
        }
        fields["insee_com"] = ";".join(_scalar(c) for c in insee)
        contour = record.get("g")
        geometry = None if contour is None else {"type": "MultiPolygon", "coordinates": contour}
        rows.append(Row(where=where, fields=fields, geometry=geometry))
    return rows


def _suffix(path: Path) -> str:
    """The file's type suffix, under a .gz one (qpv.json.gz -> .json)."""
    name = path.name.lower().removesuffix(".gz")
    return Path(name).suffix


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(_scalar(v) for v in value)
    return str(value)


def csv_rows(path: Path, text: str) -> list[Row]:
    """The records of a CSV file (separator guessed from the header), field names lower case."""
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    if not header:
        raise SourceSyntaxError(f"{path}: empty file", path=str(path))
    delimiter = max((";", ",", "\t"), key=header.count)
    if header.count(delimiter) == 0:
        raise SourceSyntaxError(
            f"{path}: the first line is not a CSV header (no ';' or ',' separator)",
            path=str(path),
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    names: list[str] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if not names:
                names = [n.strip().lower() for n in record]
                continue
            if len(record) != len(names):
                raise SourceSyntaxError(
                    f"{path}: line {reader.line_num} has {len(record)} fields where the "
                    f"header has {len(names)}",
                    path=str(path),
                    line=reader.line_num,
                )
            rows.append(
                Row(
                    where=f"{path.name}, line {reader.line_num}",
                    fields=dict(zip(names, record, strict=True)),
                )
            )
    except csv.Error as exc:
        raise SourceSyntaxError(
            f"{path}: invalid CSV at line {reader.line_num}: {exc}",
            path=str(path),
            line=reader.line_num,
        ) from exc
    return rows


# ----------------------------------------------------------------------------- reference


def normal_name(name: str) -> str:
    """A commune name for matching: no accents, case, punctuation or 'St' abbreviation."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_name.casefold()).split()
    expand = {"st": "saint", "ste": "sainte"}
    return " ".join(expand.get(w, w) for w in words)


@dataclass
class Reference:
    """The official territories of data/reference/, indexed for the QPV import."""

    store: ox.Store
    communes: dict[str, ox.NamedNode] = field(default_factory=dict)
    arrondissements: dict[str, str] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    departements: dict[str, ox.NamedNode] = field(default_factory=dict)
    regions: dict[str, ox.NamedNode] = field(default_factory=dict)
    epci: dict[str, ox.NamedNode] = field(default_factory=dict)
    within: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    names: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    files: tuple[str, ...] = ()


def load_reference(settings: Settings) -> Reference:
    """Every data/reference/territories-*.nt.gz, in memory, indexed by code and name."""
    sources = [
        s
        for s in discover(settings)
        if s.is_reference and s.key.startswith("reference/territories-")
    ]
    if not sources:
        folder = settings.data_dir / "reference"
        raise BadInputError(
            f"no official territories in {folder} (territories-*.nt.gz): "
            "run `qpvkg import territories` first",
            path=str(folder),
        )
    start = time.perf_counter()
    store = load_reference_store(sources, settings)
    ref = Reference(store=store, files=tuple(s.path.name for s in sources))
    ns = settings.def_ns
    types: dict[ox.NamedNode, str] = {}
    codes: dict[ox.NamedNode, str] = {}
    for q in store.quads_for_pattern(None, RDF_TYPE, None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            types[q.subject] = q.object.value.removeprefix(IGEO)
    for q in store.quads_for_pattern(None, ox.NamedNode(f"{IGEO}codeINSEE"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
            codes[q.subject] = q.object.value
    within = ox.NamedNode(f"{ns}within")
    for q in store.quads_for_pattern(None, within, None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            ref.within.setdefault(q.subject, set()).add(q.object)
    for iri, code in codes.items():
        kind = types.get(iri)
        if kind == "Commune":
            ref.communes[code] = iri
        elif kind == "Departement":
            ref.departements[code] = iri
        elif kind == "Region":
            ref.regions[code] = iri
    arrondissements = {
        iri: code for iri, code in codes.items() if types.get(iri) == "ArrondissementMunicipal"
    }
    by_iri = {iri: code for code, iri in ref.communes.items()}
    for iri, code in arrondissements.items():
        parents = [by_iri[p] for p in ref.within.get(iri, ()) if p in by_iri]
        if len(parents) == 1:
            ref.arrondissements[code] = parents[0]
    # Delegated and associated communes: the current commune a former commune now belongs to.
    for iri, code in codes.items():
        if types.get(iri) in ("CommuneDeleguee", "CommuneAssociee") and code not in ref.communes:
            parents = [by_iri[p] for p in ref.within.get(iri, ()) if p in by_iri]
            if len(parents) == 1:
                ref.merged[code] = parents[0]
    for q in store.quads_for_pattern(None, ox.NamedNode(f"{ns}siren"), None, None):
        subject, value = q.subject, q.object
        if (
            isinstance(subject, ox.NamedNode)
            and isinstance(value, ox.Literal)
            and types.get(subject) == "Intercommunalite"
        ):
            ref.epci[value.value] = subject
    departement_of = {iri: code for code, iri in ref.departements.items()}
    for q in store.quads_for_pattern(None, RDFS_LABEL, None, None):
        named, label = q.subject, q.object
        if isinstance(named, ox.NamedNode) and isinstance(label, ox.Literal) and named in by_iri:
            for parent in ref.within.get(named, ()):
                if parent in departement_of:
                    ref.names.setdefault(normal_name(label.value), {}).setdefault(
                        departement_of[parent], set()
                    ).add(by_iri[named])
    log.info(
        "reference territories (%s): %d communes, %d EPCI (%.0f ms)",
        ", ".join(ref.files),
        len(ref.communes),
        len(ref.epci),
        (time.perf_counter() - start) * 1000,
    )
    return ref


# ----------------------------------------------------------------------------- import


@dataclass
class _Qpv:
    code: str
    name: str
    where: str
    communes: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    epci: list[str] = field(default_factory=list)
    arrondissements: list[str] = field(default_factory=list)
    polygons: list[geo.PolygonRings] = field(default_factory=list)
    by_code: bool = False


def _split(value: str) -> list[str]:
    return [v.strip() for v in SEPARATORS.split(value) if v.strip()]


def code_departement(code: str) -> str:
    """The département of a QPV code: its 3 characters after QP/QN, e.g. 093 -> 93, 971."""
    part = code[2:5]
    return part[1:] if part.startswith("0") else part


def detect_geography(rows: list[tuple[Row, str]], geography: str, path: Path) -> str:
    """The geography of the codes: checked against the option, or decided from them."""
    wanted = GEOGRAPHIES if geography == "auto" else (geography,)
    found: dict[str, str] = {}
    for row, code in rows:
        matches = [g for g in wanted if CODE_FORMATS[g].match(code)]
        if not matches:
            expected = " or ".join(f"{CODE_EXAMPLES[g]} ({g})" for g in wanted)
            raise BadInputError(
                f"{row.where}: QPV code {code!r} is not in the official format "
                f"(expected a code like {expected})",
                path=str(path),
            )
        found.setdefault(matches[0], row.where)
    if len(found) > 1:
        raise BadInputError(
            f"{path}: codes of both geographies (2015 at {found['2015']}, 2024 at "
            f"{found['2024']}); import each list on its own",
            path=str(path),
        )
    return next(iter(found))


def import_qpv(
    settings: Settings,
    file: Path,
    *,
    geography: str = "auto",
    output: Path | None = None,
    source_url: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an ANCT list of QPV (2015 or 2024 geography) as gzip N-Triples.

    The contour each record carries (GeoJSON geometry, or ``g`` of the merged JSON) becomes
    a GeoSPARQL geometry as given (the parts of a QPV's features joined, not repaired), with
    a point on surface computed from it and marked as computed. ``source_url`` is where the
    file comes from (the dataset's ``dcterms:source``).

    Each QPV links to its communes, which must exist in data/reference/territories-*;
    an unknown commune code is an error naming it (2015 lists, whose communes are
    given by name or by a code that may predate a merger, link only what resolves
    unambiguously and report the rest). The output is validated before it is written.
    """
    progress = quiet_progress(progress)
    start = time.perf_counter()
    if geography not in (*GEOGRAPHIES, "auto"):
        raise BadInputError(f"--geography must be 2015, 2024 or auto, got {geography!r}")
    progress.step(f"Reading {file.name}", total=None)
    rows = read_rows(file)
    coded: list[tuple[Row, str]] = []
    for row in rows:
        if not row.has(CODE_FIELDS):
            raise BadInputError(
                f"{row.where}: no code_qp field (fields: {', '.join(sorted(row.fields))})",
                path=str(file),
            )
        code = row.get(CODE_FIELDS)
        if not code:
            raise BadInputError(f"{row.where}: empty QPV code", path=str(file))
        coded.append((row, code))
    geography = detect_geography(coded, geography, file)
    target = output or settings.data_dir / "reference" / f"qpv-{geography}.nt.gz"
    progress.step("Loading the official territories", total=None)
    ref = load_reference(settings)

    progress.step("Linking QPV to their communes", total=len(coded))
    qpvs: dict[str, _Qpv] = {}
    unknown: list[str] = []
    warnings: list[str] = []
    for row, code in coded:
        name = row.get(NAME_FIELDS)
        if not name:
            raise BadInputError(f"{row.where}: QPV {code} has no name (lib_qp)", path=str(file))
        qpv = qpvs.get(code)
        if qpv is None:
            qpv = qpvs[code] = _Qpv(code=code, name=name, where=row.where)
        elif qpv.name != name:
            raise BadInputError(
                f"{row.where}: QPV {code} is named {name!r} here and {qpv.name!r} at {qpv.where}",
                path=str(file),
            )
        if not row.has((*COMMUNE_CODE_FIELDS, *COMMUNE_FIELDS_2015)):
            raise BadInputError(
                f"{row.where}: no commune field (insee_com, or COMMUNE_QP in 2015 lists)",
                path=str(file),
            )
        if row.has(COMMUNE_CODE_FIELDS):
            qpv.by_code = True
            for token in _split(row.get(COMMUNE_CODE_FIELDS)):
                commune = _commune_by_code(ref, token)
                if commune is None and token in ref.merged:
                    commune = ref.merged[token]
                    warnings.append(
                        f"{row.where}: QPV {code}: commune {token} is no longer a current "
                        f"commune ({', '.join(ref.files)}: a delegated or associated commune "
                        f"of {commune}); linked to {commune}"
                    )
                if commune is None:
                    unknown.append(f"{token} ({row.where})")
                else:
                    qpv.communes.append(commune)
                    if token in ref.arrondissements:
                        qpv.arrondissements.append(token)
        else:
            for token in _split(row.get(COMMUNE_FIELDS_2015)):
                commune, problem = _commune_by_name_or_code(ref, token, code)
                if commune is None:
                    warnings.append(f"{row.where}: QPV {code}: commune {token!r} {problem}")
                else:
                    qpv.communes.append(commune)
        qpv.departements.extend(_split(row.get(DEPARTEMENT_FIELDS)))
        qpv.regions.extend(_split(row.get(REGION_FIELDS)))
        qpv.epci.extend(_split(row.get(EPCI_FIELDS)))
        if row.geometry is not None:
            try:
                qpv.polygons.extend(geo.polygons_of(row.geometry, f"{row.where}: QPV {code}"))
            except SourceSyntaxError as exc:
                raise SourceSyntaxError(str(exc), path=str(file)) from None
        progress.advance()
    if unknown:
        raise BadInputError(
            f"{file}: {len(unknown)} commune code(s) not in the official territories "
            f"({', '.join(ref.files)}): {'; '.join(unknown)}",
            path=str(file),
        )
    linked = {code: q for code, q in qpvs.items() if q.communes}
    for qpv in qpvs.values():
        if qpv.communes:
            continue
        if qpv.by_code:
            raise BadInputError(
                f"{qpv.where}: QPV {qpv.code} has no commune (insee_com is empty)",
                path=str(file),
            )
        warnings.append(f"{qpv.where}: QPV {qpv.code} not imported: none of its communes resolves")
    if not linked:
        raise BadInputError(
            f"{file}: no QPV could be linked to a commune of the official territories "
            f"({'; '.join(warnings)})",
            path=str(file),
        )

    graph = Triples(settings)
    dataset = _describe_dataset(graph, file, geography, source_url)
    links = 0
    shapes = _Geometries()
    for qpv in sorted(linked.values(), key=lambda q: q.code):
        links += _describe_qpv(graph, ref, qpv, geography, dataset, warnings)
        shapes.add(graph, qpv, dataset)
    counts = (
        ("QPV", len(linked)),
        ("links to communes", links),
        (
            "links to municipal arrondissements",
            sum(len(set(q.arrondissements)) for q in linked.values()),
        ),
        ("contours", shapes.contours),
        ("contours not valid for GEOS (kept as given)", shapes.invalid),
        ("points on surface", shapes.points),
        ("QPV not imported", len(qpvs) - len(linked)),
    )
    describe_counts(graph, dataset, counts)
    return write_snapshot(
        settings,
        graph,
        ref,
        target,
        what=f"QPV {geography}",
        counts=counts,
        warnings=warnings,
        start=start,
        progress=progress,
        source=file,
    )


def write_snapshot(
    settings: Settings,
    graph: Triples,
    ref: Reference,
    target: Path,
    *,
    what: str,
    counts: tuple[tuple[str, int], ...],
    warnings: list[str],
    start: float,
    progress: Progress,
    source: Path,
) -> ImportReport:
    """Validate an import's triples against the shapes (what they reference resolved in
    the official territories), then write them as a sorted gzip N-Triples snapshot."""
    quads = list(dict.fromkeys(graph.quads))
    triples, validation_seconds = validate_and_write(
        settings, quads, ref.store, target, progress, what=f"{what} imported from {source}"
    )
    return report(what, target, triples, counts, start, validation_seconds, warnings)


def _commune_by_code(ref: Reference, code: str) -> str | None:
    """The current commune of a code; a municipal arrondissement gives its commune."""
    if code in ref.communes:
        return code
    return ref.arrondissements.get(code)


def _commune_by_name_or_code(ref: Reference, token: str, qpv_code: str) -> tuple[str | None, str]:
    """A 2015 commune given by code or by name (within the QPV's département)."""
    if COMMUNE_CODE.match(token):
        commune = _commune_by_code(ref, token)
        return (commune, "") if commune else (None, "is not a current commune code")
    by_departement = ref.names.get(normal_name(token), {})
    candidates = by_departement.get(code_departement(qpv_code), set())
    if len(candidates) == 1:
        return next(iter(candidates)), ""
    if len(candidates) > 1:
        return None, f"is ambiguous ({', '.join(sorted(candidates))}); not linked"
    return None, f"matches no commune of département {code_departement(qpv_code)}; not linked"


def _describe_qpv(
    g: Triples,
    ref: Reference,
    qpv: _Qpv,
    geography: str,
    dataset: ox.NamedNode,
    warnings: list[str],
) -> int:
    """Add one QPV's triples; return its number of communes."""
    iri = g.iri(f"id/qpv/{qpv.code}")
    within = g.term("within")
    g.add(iri, RDF_TYPE, g.term("QuartierPrioritaire"))
    g.label(iri, qpv.name)
    g.text(iri, g.term("qpvCode"), qpv.code)
    g.add(iri, g.term("qpvGeography"), g.iri(f"concept/qpv-geography/{geography}"))
    g.add(iri, ox.NamedNode(f"{DCT}source"), dataset)
    communes = sorted(set(qpv.communes))
    for code in communes:
        g.add(iri, g.term("commune"), ref.communes[code])
    for code in sorted(set(qpv.arrondissements)):
        g.add(iri, g.term("arrondissement"), g.iri(f"id/arrondissement-municipal/{code}"))
    if geography == "2024":
        g.add(iri, g.term("legalBasis"), ox.Literal(legal_basis_2024(qpv.code), language="fr"))
    # Inclusions: those the file gives (when known), else those common to all its communes.
    common: set[ox.NamedNode] | None = None
    for code in communes:
        parents = ref.within.get(ref.communes[code], set())
        common = set(parents) if common is None else common & parents
    for values, index, kind in (
        (qpv.departements, ref.departements, "département"),
        (qpv.regions, ref.regions, "région"),
        (qpv.epci, ref.epci, "EPCI"),
    ):
        given = sorted(set(values))
        if given:
            for value in given:
                key = _departement_key(value) if kind == "département" else value
                if key in index:
                    g.add(iri, within, index[key])
                else:
                    warnings.append(f"{qpv.where}: QPV {qpv.code}: unknown {kind} {value!r}")
        else:
            for parent in sorted(common or (), key=str):
                if parent in index.values():
                    g.add(iri, within, parent)
    return len(communes)


def legal_basis_2024(code: str) -> str:
    """The decree of a 2024 QPV, from the département in its code: 97x and 98x are overseas."""
    overseas = code_departement(code).startswith(("97", "98"))
    return LEGAL_BASIS_2024["outre-mer" if overseas else "metro"]


@dataclass
class _Geometries:
    """Contours and points on surface of the QPV, as they are described."""

    contours: int = 0
    points: int = 0
    invalid: int = 0
    invalid_codes: list[str] = field(default_factory=list)

    def add(self, g: Triples, qpv: _Qpv, dataset: ox.NamedNode) -> None:
        if not qpv.polygons:
            return
        polygons = geo.distinct_polygons(qpv.polygons)
        iri = g.iri(f"id/qpv/{qpv.code}")
        contour = g.iri(f"id/qpv/{qpv.code}/contour")
        describe_geometry(g, iri, contour, "MultiPolygon", geo.multipolygon_wkt(polygons), dataset)
        self.contours += 1
        if not geo.is_valid(polygons):
            self.invalid += 1
            self.invalid_codes.append(qpv.code)
        lon, lat = geo.point_on_surface(polygons)
        centre = g.iri(f"id/qpv/{qpv.code}/centre")
        describe_geometry(g, iri, centre, "Point", geo.point_wkt(lon, lat), dataset, computed=True)
        self.points += 1


def describe_geometry(
    g: Triples,
    feature: ox.NamedNode,
    node: ox.NamedNode,
    kind: str,
    wkt: str,
    dataset: ox.NamedNode,
    *,
    computed: bool = False,
) -> None:
    """A GeoSPARQL geometry of a feature: its contour (geo:hasGeometry) or, for a Point, its
    centre (geo:hasCentroid); ``computed`` marks a point qpvkg computed (qpvkg:pointMethod)."""
    link = "hasCentroid" if kind == "Point" else "hasGeometry"
    g.add(feature, ox.NamedNode(f"{GEO}{link}"), node)
    g.add(node, RDF_TYPE, ox.NamedNode(f"{GEO}Geometry"))
    g.add(node, RDF_TYPE, ox.NamedNode(f"{SF}{kind}"))
    g.add(node, ox.NamedNode(f"{GEO}asWKT"), ox.Literal(wkt, datatype=GEO_WKT))
    g.add(node, ox.NamedNode(f"{DCT}source"), dataset)
    if computed:
        for lang, text in geo.POINT_METHOD.items():
            g.add(node, g.term("pointMethod"), ox.Literal(text, language=lang))


def _departement_key(value: str) -> str:
    """A département code as the reference writes it (075 -> 75, 02A -> 2A, 971 -> 971)."""
    return value[1:] if len(value) == 3 and value.startswith("0") else value


def _describe_dataset(
    g: Triples, file: Path, geography: str, source_url: str | None
) -> ox.NamedNode:
    """The dataset the QPV come from: the imported file, its name and SHA-256."""
    dataset = g.iri(f"id/dataset/qpv-{geography}")
    suffix = _suffix(file)
    media = (
        "application/json"
        if suffix == ".json"
        else "application/geo+json"
        if _is_geojson(file)
        else "text/csv"
    )
    digest = describe_file(g, dataset, file, media, source_url=source_url)
    describe_texts(
        g,
        dataset,
        {
            "fr": f"Quartiers prioritaires de la politique de la ville (géographie {geography})",
            "en": f"Priority neighbourhoods (QPV), {geography} geography",
        },
        {
            "fr": f"Liste des quartiers prioritaires importée du fichier {file.name} "
            f"(SHA-256 {digest}), chaque quartier relié à ses communes.",
            "en": f"List of priority neighbourhoods imported from the file {file.name} "
            f"(SHA-256 {digest}), each neighbourhood linked to its communes.",
        },
    )
    if geography == "2024":
        g.add(
            dataset,
            ox.NamedNode(f"{DCT}bibliographicCitation"),
            ox.Literal(
                "Source : ANCT, quartiers prioritaires de la politique de la ville, "
                "génération 2024",
                language="fr",
            ),
        )
    return dataset


def describe_checksum(
    g: Triples, distribution: ox.NamedNode, checksum: ox.NamedNode, digest: str
) -> None:
    """The SHA-256 of a distribution's file (spdx:checksum)."""
    g.add(distribution, ox.NamedNode(f"{SPDX}checksum"), checksum)
    g.add(checksum, RDF_TYPE, ox.NamedNode(f"{SPDX}Checksum"))
    g.add(
        checksum,
        ox.NamedNode(f"{SPDX}algorithm"),
        ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256"),
    )
    g.text(checksum, ox.NamedNode(f"{SPDX}checksumValue"), digest)


def _is_geojson(file: Path) -> bool:
    suffix = _suffix(file)
    if suffix in {".geojson", ".json"}:
        return True
    if suffix == ".csv":
        return False
    with file.open("rb") as handle:
        return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")

"""Import of the official territories (INSEE's Code officiel géographique) into data/reference/."""

from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loaders.errors import BadInputError, SourceSyntaxError, UnreadableSourceError
from loaders.limits import load_json
from loaders.namespaces import DCAT, DCT, IGEO, OWL, VOID, XSD
from loaders.progress import Progress
from loaders.references import RDF_TYPE, RDFS_LABEL
from loaders.settings import Settings
from loaders.sources import decode_utf8, read_file_bytes, serialize_ntriples
from loaders.triples import Triples
from loaders.validate import ValidationReport, ValidationResult, Validator

log = logging.getLogger(__name__)


XSD_INTEGER = ox.NamedNode(f"{XSD}integer")
LICENCE_OUVERTE = ox.NamedNode("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
PACKAGE_PAGE = ox.NamedNode("https://www.npmjs.com/package/@etalab/decoupage-administratif")

#: The JSON files of @etalab/decoupage-administratif the import reads (arrondissements.json,
#: the départements' arrondissements, is not used).
FILES = ("regions", "departements", "communes", "epci", "ept")

#: Commune types of the package: the IRI segment and the INSEE class of each.
COMMUNE_TYPES: dict[str, tuple[str, str]] = {
    "commune-actuelle": ("commune", "Commune"),
    "commune-deleguee": ("commune-deleguee", "CommuneDeleguee"),
    "commune-associee": ("commune-associee", "CommuneAssociee"),
    "arrondissement-municipal": ("arrondissement-municipal", "ArrondissementMunicipal"),
}

#: Codes become IRI segments: letters and digits only.
CODE = re.compile(r"^[0-9A-Za-z]+$")

#: Above this many triples, validation runs in chunks (see validate_quads).
CHUNK_TRIPLES = 10_000


# ----------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote: the file, its triple count, what it holds, and how long it took."""

    what: str
    output: Path
    triples: int
    counts: tuple[tuple[str, int], ...]
    seconds: float
    validation_seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def count(self, name: str) -> int:
        """The count recorded under ``name`` (0 when absent)."""
        return dict(self.counts).get(name, 0)

    def summary(self) -> str:
        """A few lines for the command line."""
        held = ", ".join(f"{n:,} {name}" for name, n in self.counts)
        lines = [
            f"{self.what}: wrote {self.output} ({self.triples:,} triples: {held}) "
            f"in {self.seconds:.1f} s, of which validation {self.validation_seconds:.1f} s"
        ]
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s):")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)


class _Quiet:
    """Progress that only logs (when no progress bar is drawn)."""

    def step(self, description: str, total: int | None = None) -> None:
        log.debug("%s", description)

    def advance(self, amount: int = 1) -> None:
        pass


def quiet_progress(progress: Progress | None) -> Progress:
    return progress if progress is not None else _Quiet()


# ----------------------------------------------------------------------------- triples


def ntriples_lines(quads: Iterable[ox.Quad]) -> list[bytes]:
    """The triples as sorted, distinct N-Triples lines (a deterministic file)."""
    data = serialize_ntriples(quads)
    return sorted({line for line in data.split(b"\n") if line.strip()})


def write_gzip_atomically(lines: Sequence[bytes], output: Path) -> None:
    """Write the lines as a gzip file (mtime 0: same input, same bytes) via a temp file."""
    payload = gzip.compress(b"".join(line + b"\n" for line in lines), compresslevel=9, mtime=0)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        tmp.chmod(0o644)
        tmp.replace(output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------- validation


def validate_quads(
    settings: Settings,
    quads: Sequence[ox.Quad],
    progress: Progress,
    *,
    context: Sequence[ox.Quad] = (),
    chunk_triples: int = CHUNK_TRIPLES,
    workers: int | None = None,
) -> ValidationReport:
    """Validate the quads against the project's shapes, in chunks when they are many.

    A large import is validated in chunks of whole resources (in IRI order, which
    keeps the communes of a département together), over worker processes. Each chunk
    carries the type and label of the resources its nodes point to, so class checks
    resolve (see _chunk); the chunks' results are merged. ``context`` adds facts about
    resources the quads point to but do not describe (e.g. the communes of a QPV);
    the ontology's description of the concepts the quads point to (an EPCI type's
    scheme) is added too. The workers are spawned, so a script that imports through
    this function guards its entry point with ``if __name__ == "__main__":``.
    """
    chunks = list(_chunks(quads, context, chunk_triples))
    progress.step("Validating against the shapes", total=len(chunks))
    if len(chunks) == 1:
        report = Validator.from_settings(settings).validate(quads, context)
        progress.advance()
        return report
    n = min(workers or min(2, os.cpu_count() or 1), len(chunks))
    reports: list[ValidationReport] = []
    if n <= 1:
        validator = Validator.from_settings(settings)
        for chunk in chunks:
            reports.append(validator.validate(_parse_nt(chunk[0]), _parse_nt(chunk[1])))
            progress.advance()
    else:
        with ProcessPoolExecutor(
            max_workers=n,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings,),
        ) as pool:
            futures = [pool.submit(_validate_in_worker, chunk) for chunk in chunks]
            for future in as_completed(futures):
                reports.append(future.result())
                progress.advance()
    return _merge(reports, settings.max_report_results)


def _chunks(
    quads: Sequence[ox.Quad], context: Sequence[ox.Quad], chunk_triples: int
) -> Iterator[tuple[bytes, bytes]]:
    """N-Triples chunks of whole resources, each with what they point to (as context)."""
    if len(quads) + len(context) <= chunk_triples:
        yield serialize_ntriples(quads), serialize_ntriples(context)
        return
    by_subject: dict[Any, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        by_subject[q.subject].append(q)
    described = set(by_subject)
    for q in context:
        if q.subject not in described:
            by_subject[q.subject].append(q)
    batch: list[Any] = []
    size = 0
    for subject in sorted(described, key=str):
        batch.append(subject)
        size += len(by_subject[subject])
        if size >= chunk_triples:
            yield _chunk(batch, by_subject, described)
            batch, size = [], 0
    if batch:
        yield _chunk(batch, by_subject, described)


def _chunk(
    subjects: list[Any], by_subject: dict[Any, list[ox.Quad]], described: set[Any]
) -> tuple[bytes, bytes]:
    """The subjects' triples, and what they point to, as the context of their validation.

    A resource of the import that a chunk points to comes with its type and label
    only: it is validated in its own chunk and serves here to resolve class checks (the
    validator checks the data's subjects, not its context's). A resource of the context (a
    commune a QPV lies in, an ontology concept) comes whole.
    """
    own = set(subjects)
    quads = [q for s in subjects for q in by_subject[s]]
    pointed = {
        q.object
        for q in quads
        if isinstance(q.object, ox.NamedNode) and q.object not in own and q.object in by_subject
    }
    around = [
        q
        for s in sorted(pointed, key=str)
        for q in by_subject[s]
        if s not in described or q.predicate in (RDF_TYPE, RDFS_LABEL)
    ]
    return serialize_ntriples(quads), serialize_ntriples(around)


def _parse_nt(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, ox.RdfFormat.N_TRIPLES))


_WORKER: dict[str, Validator] = {}


def _start_worker(settings: Settings) -> None:
    """Load the shapes once per worker."""
    _WORKER["validator"] = Validator.from_settings(settings)


def _validate_in_worker(chunk: tuple[bytes, bytes]) -> ValidationReport:
    return _WORKER["validator"].validate(_parse_nt(chunk[0]), _parse_nt(chunk[1]))


def _merge(reports: Sequence[ValidationReport], limit: int) -> ValidationReport:
    """One report from the chunks' reports (results seen in several chunks kept once): the
    first ``limit`` listed, all counted, those a chunk found but did not list too."""
    seen: dict[tuple[str | None, ...], ValidationResult] = {}
    for report in reports:
        for r in report.results:
            seen.setdefault(tuple(r.as_dict().values()), r)
    results = tuple(sorted(seen.values(), key=lambda r: (r.severity != "Violation", r.focus)))
    unlisted = sum(r.result_count - len(r.results) for r in reports)
    unlisted_violations = sum(r.violation_count - len(r.violations) for r in reports)
    texts = [r.text for r in reports if not r.conforms]
    return ValidationReport(
        conforms=all(r.conforms for r in reports),
        results=results[:limit],
        text="\n".join(texts) if texts else (reports[0].text if reports else ""),
        total=len(results) + unlisted,
        total_violations=sum(1 for r in results if r.severity == "Violation") + unlisted_violations,
    )


# ----------------------------------------------------------------------------- reading


def read_json_records(path: Path) -> list[dict[str, Any]]:
    """A JSON array of objects, or a domain error naming the file."""
    raw = read_file_bytes(path)
    text = decode_utf8(raw, path)
    data = load_json(text, str(path))  # bounded: nesting, token sizes
    if not isinstance(data, list):
        raise SourceSyntaxError(
            f"{path}: expected a JSON array of records, found {type(data).__name__}",
            path=str(path),
        )
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise SourceSyntaxError(
                f"{path}: record {index} is not a JSON object", path=str(path), record=index
            )
    return data


class _Record:
    """Typed access to one JSON record, with errors naming the file and the record."""

    def __init__(self, path: Path, index: int, data: dict[str, Any]) -> None:
        self.path = path
        self.index = index
        self.data = data
        code = data.get("code")
        self.code = code if isinstance(code, str) else ""
        if not self.code.strip():
            raise self.error("has no code")
        if not CODE.match(self.code):
            raise self.error(f"has an invalid code {self.code!r} (letters and digits only)")

    def error(self, what: str) -> BadInputError:
        where = f"record {self.index}" + (f" (code {self.code})" if self.code else "")
        return BadInputError(
            f"{self.path.name}: {where} {what} (in {self.path})",
            path=str(self.path),
            record=self.index,
        )

    def text(self, key: str) -> str:
        value = self.optional_text(key)
        if value is None:
            raise self.error(f"has no {key!r}")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"has an invalid {key!r}: {value!r}")
        return value

    def code_of(self, key: str) -> str:
        value = self.text(key)
        if not CODE.match(value):
            raise self.error(f"has an invalid {key!r}: {value!r}")
        return value

    def optional_code(self, key: str) -> str | None:
        return self.code_of(key) if self.optional_text(key) is not None else None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(f"has an invalid {key!r}: {value!r}")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(f"has an invalid {key!r}: {value!r}")
        return list(value)

    def objects(self, key: str) -> list[dict[str, Any]]:
        value = self.data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"has no list of {key!r}")
        return list(value)


def _records(path: Path) -> list[_Record]:
    return [_Record(path, i, r) for i, r in enumerate(read_json_records(path), start=1)]


# ----------------------------------------------------------------------------- import


@dataclass
class _Territories:
    """The records of the five files, checked, by kind."""

    regions: list[_Record]
    departements: list[_Record]
    communes: list[_Record]
    epci: list[_Record]
    ept: list[_Record]


def read_territories(directory: Path, progress: Progress) -> _Territories:
    """Read and check the package's JSON files from ``directory``."""
    if not directory.exists():
        raise UnreadableSourceError(f"{directory}: no such folder", path=str(directory))
    if not directory.is_dir():
        raise UnreadableSourceError(
            f"{directory}: not a folder (expected the JSON files of "
            "@etalab/decoupage-administratif)",
            path=str(directory),
        )
    missing = [f"{name}.json" for name in FILES if not (directory / f"{name}.json").is_file()]
    if missing:
        raise UnreadableSourceError(
            f"{directory}: missing {', '.join(missing)} (expected the JSON files of "
            "@etalab/decoupage-administratif)",
            path=str(directory),
        )
    progress.step("Reading the JSON files", total=len(FILES))
    read: dict[str, list[_Record]] = {}
    for name in FILES:
        start = time.perf_counter()
        read[name] = _records(directory / f"{name}.json")
        log.info(
            "read %s.json: %d records (%.0f ms)",
            name,
            len(read[name]),
            (time.perf_counter() - start) * 1000,
        )
        progress.advance()
    territories = _Territories(**read)
    _check_unique(territories)
    return territories


def _check_unique(t: _Territories) -> None:
    for records, key in (
        (t.regions, lambda r: r.code),
        (t.departements, lambda r: r.code),
        (t.communes, lambda r: (r.data.get("type"), r.code)),
        ([*t.epci, *t.ept], lambda r: r.code),
    ):
        seen: set[Any] = set()
        for r in records:
            k = key(r)
            if k in seen:
                raise r.error("repeats a code already given")
            seen.add(k)


def import_territories(
    settings: Settings,
    directory: Path,
    *,
    millesime: str = "2026",
    output: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the JSON files of @etalab/decoupage-administratif as gzip N-Triples.

    Régions, départements, communes (current, delegated, associated, municipal
    arrondissements), EPCI and EPT become INSEE-typed resources under the base IRI,
    each with ``dcterms:source`` the COG dataset of the millésime. The output is
    sorted and gzip'd with mtime 0, so the same input gives the same bytes. It is
    validated against the shapes before it is written; on any error nothing is written.
    """
    progress = quiet_progress(progress)
    start = time.perf_counter()
    if not re.fullmatch(r"[0-9]{4}", millesime):
        raise BadInputError(f"millésime must be a year (4 digits), got {millesime!r}")
    target = output or settings.data_dir / "reference" / f"territories-{millesime}.nt.gz"
    territories = read_territories(directory, progress)
    graph = Triples(settings)
    counts, warnings = _describe(graph, territories, millesime, progress)
    dataset = graph.iri(f"id/dataset/cog-{millesime}")
    triples = len(set(graph.quads)) + 1
    graph.integer(dataset, ox.NamedNode(f"{VOID}triples"), triples)
    quads = list(dict.fromkeys(graph.quads))

    t0 = time.perf_counter()
    report = validate_quads(settings, quads, progress)
    validation_seconds = time.perf_counter() - t0
    log.info("validated %d triples in %.1f s", len(quads), validation_seconds)
    report.raise_for_violations(f"the territories imported from {directory} do not conform")

    progress.step(f"Writing {target.name}", total=None)
    lines = ntriples_lines(quads)
    write_gzip_atomically(lines, target)
    seconds = time.perf_counter() - start
    log.info("wrote %s: %d triples (%.1f s)", target, len(lines), seconds)
    return ImportReport(
        what=f"territories {millesime}",
        output=target,
        triples=len(lines),
        counts=tuple(counts.items()),
        seconds=seconds,
        validation_seconds=validation_seconds,
        warnings=tuple(warnings),
    )


def _describe(
    g: Triples, t: _Territories, millesime: str, progress: Progress
) -> tuple[dict[str, int], list[str]]:
    """Add every territory's triples; return the counts and the warnings."""
    total = len(t.regions) + len(t.departements) + len(t.communes) + len(t.epci) + len(t.ept)
    progress.step("Describing the territories", total=total)
    dataset = _describe_dataset(g, millesime)
    source = ox.NamedNode(f"{DCT}source")
    zone, within = g.term("zone"), g.term("within")
    code_insee = ox.NamedNode(f"{IGEO}codeINSEE")
    chef_lieu = ox.NamedNode(f"{IGEO}chefLieu")
    warnings: list[str] = []

    current = {r.code for r in t.communes if r.data.get("type") == "commune-actuelle"}
    region_codes = {r.code for r in t.regions}
    departement_codes = {r.code for r in t.departements}

    def territory(iri: ox.NamedNode, cls: str, r: _Record) -> None:
        g.add(iri, RDF_TYPE, ox.NamedNode(f"{IGEO}{cls}"))
        g.label(iri, r.text("nom"))
        g.add(iri, source, dataset)

    def insee(iri: ox.NamedNode, r: _Record) -> None:
        g.text(iri, code_insee, r.code)
        if (z := r.optional_text("zone")) is not None:
            g.text(iri, zone, z)

    def capital(iri: ox.NamedNode, r: _Record) -> None:
        code = r.optional_code("chefLieu")
        if code is not None and code in current:
            g.add(iri, chef_lieu, g.iri(f"id/commune/{code}"))

    def parent(r: _Record, key: str, known: set[str], kind: str) -> ox.NamedNode:
        code = r.code_of(key)
        if code not in known:
            raise r.error(f"refers to {kind} {code}, which the files do not hold")
        return g.iri(f"id/{kind}/{code}")

    for r in t.regions:
        iri = g.iri(f"id/region/{r.code}")
        territory(iri, "Region", r)
        insee(iri, r)
        capital(iri, r)
        progress.advance()

    for r in t.departements:
        iri = g.iri(f"id/departement/{r.code}")
        territory(iri, "Departement", r)
        insee(iri, r)
        g.add(iri, within, parent(r, "region", region_codes, "region"))
        capital(iri, r)
        progress.advance()

    counts: dict[str, int] = {"régions": len(t.regions), "départements": len(t.departements)}
    counts.update({kind: 0 for kind in COMMUNE_TYPES})
    skipped: dict[str, int] = defaultdict(int)
    for r in t.communes:
        kind = r.text("type")
        if kind not in COMMUNE_TYPES:
            skipped[kind] += 1
            progress.advance()
            continue
        counts[kind] += 1
        segment, cls = COMMUNE_TYPES[kind]
        iri = g.iri(f"id/{segment}/{r.code}")
        territory(iri, cls, r)
        insee(iri, r)
        if (siren := r.optional_code("siren")) is not None:
            g.text(iri, g.term("siren"), siren)
        if (population := r.integer("population")) is not None:
            g.integer(iri, g.term("population"), population)
        for postal in r.texts("codesPostaux"):
            g.text(iri, g.term("postalCode"), postal)
        if kind != "commune-actuelle":
            key = "commune" if kind == "arrondissement-municipal" else "chefLieu"
            g.add(iri, within, parent(r, key, current, "commune"))
        g.add(iri, within, parent(r, "departement", departement_codes, "departement"))
        g.add(iri, within, parent(r, "region", region_codes, "region"))
        progress.advance()
    for kind, n in sorted(skipped.items()):
        warnings.append(f"communes.json: {n} record(s) of unknown type {kind!r} skipped")

    counts["EPCI"] = len(t.epci)
    counts["EPT"] = len(t.ept)
    for r in [*t.epci, *t.ept]:
        iri = g.iri(f"id/epci/{r.code}")
        territory(iri, "Intercommunalite", r)
        g.text(iri, g.term("siren"), r.code)
        g.add(iri, g.term("epciType"), g.iri(f"concept/epci-type/{r.code_of('type')}"))
        if (population := r.integer("populationMunicipale")) is not None:
            g.integer(iri, g.term("population"), population)
        unknown = []
        for member in r.objects("membres"):
            code = member.get("code")
            if not isinstance(code, str) or not CODE.match(code):
                raise r.error(f"has a member without a valid code: {member!r}")
            if code in current:
                g.add(g.iri(f"id/commune/{code}"), within, iri)
            else:
                unknown.append(code)
        if unknown:
            warnings.append(
                f"EPCI {r.code}: member(s) {', '.join(unknown)} not among the current communes"
            )
        progress.advance()
    counts = {
        "régions": counts["régions"],
        "départements": counts["départements"],
        "communes": counts["commune-actuelle"],
        "communes déléguées": counts["commune-deleguee"],
        "communes associées": counts["commune-associee"],
        "arrondissements municipaux": counts["arrondissement-municipal"],
        "EPCI": counts["EPCI"],
        "EPT": counts["EPT"],
    }
    return counts, warnings


def _describe_dataset(g: Triples, millesime: str) -> ox.NamedNode:
    dataset = g.iri(f"id/dataset/cog-{millesime}")
    title = ox.NamedNode(f"{DCT}title")
    description = ox.NamedNode(f"{DCT}description")
    g.add(dataset, RDF_TYPE, ox.NamedNode(f"{DCAT}Dataset"))
    g.add(
        dataset,
        title,
        ox.Literal(
            f"Code officiel géographique {millesime} (découpage administratif)", language="fr"
        ),
    )
    g.add(
        dataset,
        title,
        ox.Literal(
            f"Official geographic code {millesime} (administrative divisions)", language="en"
        ),
    )
    g.add(
        dataset,
        description,
        ox.Literal(
            f"Régions, départements, communes (actuelles, déléguées, associées, arrondissements "
            f"municipaux), EPCI et EPT du Code officiel géographique {millesime} de l'Insee, "
            "tels que les publie le paquet @etalab/decoupage-administratif.",
            language="fr",
        ),
    )
    g.add(
        dataset,
        description,
        ox.Literal(
            f"Regions, départements, communes (current, delegated, associated, municipal "
            f"arrondissements), EPCI and EPT of INSEE's Code officiel géographique {millesime}, "
            "as published by the @etalab/decoupage-administratif package.",
            language="en",
        ),
    )
    g.add(dataset, ox.NamedNode(f"{DCT}license"), LICENCE_OUVERTE)
    g.add(dataset, ox.NamedNode(f"{DCAT}landingPage"), PACKAGE_PAGE)
    g.text(dataset, ox.NamedNode(f"{OWL}versionInfo"), millesime)
    return dataset

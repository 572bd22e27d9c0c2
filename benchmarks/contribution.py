"""Partner contributions: parse, SHACL and commit of ~1k, 10k and 100k triples, and SHACL engines.

Usage: python -m benchmarks.contribution [--sizes 1k,10k,100k] [--repeats N]
       [--engines pyshacl-turbo,pyrudof,pyrudof-core] [--skip-features] [--skip-memory]
       [--only-features] [--report] [--out benchmarks/results/contribution.json]
       python -m benchmarks.contribution --refusals 2k,20k,200k [--engines pyshacl-turbo,pyshacl]

`--refusals` only times `contribute()` refusing a write of 2,000, 20,000 or 200,000 blank
organisations that carry a type and a name only, on an empty store: 422 with the report, or
413 before SHACL runs over `QPVKG_MAX_CONTRIBUTION_SUBJECTS` (set it higher to time SHACL's
refusal of 200,000).

The contributions (built under var/bench/contrib/, never in data/):
`python -m benchmarks.synth` data
(`benchmarks/synth.py`, seed 2026: innovations, organisations, involvements, partnerships,
support schemes, figures; their territories are real communes, their classifications real
concepts) of 25, 250 and 2,500 innovations, without the dataset's `owl:versionInfo` (a
contribution may not use OWL terms). Each exists in two variants: `valid`, and `invalid`,
where one described resource in a hundred (at least one of each kind) carries a fault:
an innovation whose only label is English, an unknown territory, a category that is a
concept of another scheme, an involvement whose role is a sector, a launch date that is a
plain string (sh:or of datatypes), an organisation's SIREN with a wrong check digit (the
SPARQL-based constraint component). Each fault gives one violation.

Each variant is written as a JSON-LD document that references the project context
`https://w3id.org/qpvkg/context/v1.jsonld`: the triples are turned into expanded JSON-LD
and compacted with pyld against whatever `ontology/context/v1.jsonld` holds at run time
(the document is cached under var/bench/contrib/, keyed on the context and the triples).

The steps, each the median of --repeats runs (default 5 for 1k and 10k, 3 for 100k):
- parse: pyoxigraph's JSON-LD parser (the context URL replaced by the local file's
  content) and pyld's `to_rdf` with the project's local document loader
  (`loaders.sources.parse_bytes`); both are checked against the generated triples (same
  count, same triples without blank nodes, same triples with blank nodes masked);
- shacl: the validation context from the store built by `qpvkg build`
  (var/bench/contrib-store: types and labels of the referenced IRIs,
  `loaders.build.context_from`) and pySHACL through `loaders.validate.Validator` (the
  reference). The peers validate the same data graph (contribution, context, the
  ontology's triples about the concepts used, and the RDFS/OWL axioms pySHACL mixes in
  from the ontology) against the same shapes (shapes/*.ttl), in a subprocess of the
  benchmark peers' virtualenv (var/bench/peers-venv, never the project's) that runs
  benchmarks/shacl_peer_worker.py: pyshacl-turbo
  (SHACL-AF on) and pyrudof; `pyrudof-core` is pyrudof given the shapes with their
  SPARQL-based targets (`qpvkg-shapes:DescribedInstances`) rewritten as `sh:targetClass`,
  to tell missing target support from missing constraint support. Every engine's
  (focus, path, severity) results are compared with pySHACL's (blank focus nodes compared
  as blank), and the differences printed. The project's own engine, pyshacl-turbo through
  `Validator` (compiled shapes, the data handed over as an in-memory pyoxigraph store), is
  measured and compared the same way, in process;
- commit: `store.update("DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }")` on a
  fresh copy of the store (accepted contributions only);
- end to end: `loaders.contribution.write.contribute(..., mode="put")` on a fresh copy of the store
  (parse, authorisation, SHACL, history, commit with provenance; its own `timings`), with
  a Validator loaded once as a server keeps it, once with each engine (pySHACL, and
  pyshacl-turbo, the default);
- memory: the peak RSS growth of each step (VmHWM - VmRSS from /proc/self/status, the peak
  reset through /proc/self/clear_refs before the step), in a fresh process per step and
  size, so that it counts native (Rust) allocations too.

The engines' support of the shapes' constructs is measured on the shapes' own test
fixtures (tests/fixtures/shapes/{valid,invalid}): an engine supports a construct when it
gives pySHACL's results on every fixture exercising it.
"""

from __future__ import annotations

import argparse
import collections
import gc
import hashlib
import inspect
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.synth import load_communes, synth_quads
from loaders.build import build, context_from, referenced_iris
from loaders.namespaces import OWL, RDF_TYPE, RDFS_LABEL, SH, XSD
from loaders.ownership import partner_id_prefix
from loaders.settings import PROJECT_DIR, Settings
from loaders.sources import local_context_loader, parse_bytes, parse_file, serialize_ntriples
from loaders.validate import (
    ValidationReport,
    Validator,
    shapes_quads,
)

log = logging.getLogger("benchmarks.contribution")

WORK = PROJECT_DIR / "var" / "bench"
CONTRIB = WORK / "contrib"
STORE = WORK / "contrib-store"
PEERS = WORK / "peers-venv"
#: Runs in the peers' virtualenv (stdlib and the engine only): validates each case of a job.
WORKER = Path(__file__).parent / "shacl_peer_worker.py"
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "shapes"
CONTEXT_URL = "https://w3id.org/qpvkg/context/v1.jsonld"
SEED = 2026
PARTNER = "bench"
#: Innovations per size (about 40 triples each, with their actors, schemes, partnerships).
SIZES = {"1k": 25, "10k": 250, "100k": 2500}
VARIANTS = ("valid", "invalid")
ENGINES = ("pyshacl-turbo", "pyrudof", "pyrudof-core")
PEER_PACKAGES = {"pyshacl-turbo": "pyshacl-turbo", "pyrudof": "pyrudof", "pyrudof-core": "pyrudof"}
NAMES = {
    "pyshacl": "pySHACL",
    "pyshacl-turbo": "pyshacl-turbo",
    "pyrudof": "pyrudof",
    "pyrudof-core": "pyrudof, core targets",
}
#: Bump when the way documents are made changes (invalidates the cached JSON-LD).
DOC_VERSION = 1

SHAPES_NS = "https://w3id.org/qpvkg/shapes#"
SPARQL_TARGET_TYPES = {
    f"{SHAPES_NS}DescribedInstances",
    f"{SHAPES_NS}SourcedInstances",
    f"{SHAPES_NS}WrongCheckDigitInstances",
}

#: The faults of the invalid variant, in turn: what each breaks.
FAULTS = (
    "only an English label (sh:qualifiedMinCount)",
    "unknown territory (sh:class)",
    "category from another scheme (sh:node, sh:in)",
    "involvement role from another scheme (blank node, sh:node, sh:in)",
    "launch date as a plain string (sh:or)",
    "SIREN with a wrong check digit (SPARQL constraint component)",
)

# ----------------------------------------------------------------------------- helpers


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(values: list[float]) -> dict[str, Any]:
    return {"median": median(values), "all": [round(v, 5) for v in values]}


def proc_status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, KiB."""
    text = Path("/proc/self/status").read_text(encoding="ascii")
    out = {}
    for key in ("VmRSS", "VmHWM"):
        match = re.search(rf"{key}:\s+(\d+)", text)
        out[key] = int(match.group(1)) if match else 0
    return out


def reset_peak() -> None:
    """Reset the peak RSS (VmHWM) to the current RSS (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def is_blank(value: str | None) -> bool:
    """A blank node as the engines print it: `_:x`, or rdflib's bare id (no colon)."""
    if not value:
        return False
    return value.startswith("_:") or ":" not in value


def result_key(focus: str | None, path: str | None, severity: str | None) -> tuple[str, str, str]:
    """(focus, path, severity) with blank nodes masked: engines name them differently."""
    f = "_:" if is_blank(focus) else (focus or "")
    p = "" if not path else ("_:" if is_blank(path) else path)
    s = (severity or "Violation").rsplit("#", 1)[-1]
    return f, p, s


def run_command(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    shown = [arg if len(arg) < 80 else arg[:20].strip() + "..." for arg in command]
    log.info("$ %s", " ".join(shown))
    return subprocess.run(command, check=False, text=True, capture_output=True, **kwargs)


def settings_for(store: Path) -> Settings:
    return Settings(project_dir=PROJECT_DIR, store=str(store))


# ----------------------------------------------------------------------------- contributions


@dataclass
class Contribution:
    """One contribution: its triples, its JSON-LD document, the faults it carries."""

    size: str
    variant: str
    triples: list[ox.Triple]
    document: bytes
    document_path: Path
    ntriples_path: Path
    faults: list[dict[str, str]] = field(default_factory=list)

    @property
    def quads(self) -> list[ox.Quad]:
        return [ox.Quad(t.subject, t.predicate, t.object) for t in self.triples]

    @property
    def graph(self) -> str:
        return settings_for(STORE).graph_iri(f"partner/{PARTNER}/synth-{self.size}-{self.variant}")


def synthetic_triples(settings: Settings, projects: int, communes: Any) -> list[ox.Triple]:
    """The synthetic graph's triples, less the OWL ones (a contribution may use no OWL term),
    its resources moved into the partner's space (a partner describes only what it mints:
    ``{base}id/innovation/synth-000001`` becomes ``{base}id/partner/bench/innovation/...``)."""
    minted = f"{settings.base_iri}id/"
    space = partner_id_prefix(settings, PARTNER)

    def own(term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value.startswith(minted):
            rest = term.value[len(minted) :]
            if "/synth-" in rest or rest == "dataset/synth":
                return ox.NamedNode(space + rest)
        return term

    triples = [
        ox.Triple(own(q.subject), q.predicate, own(q.object))
        for q in synth_quads(settings, projects, SEED, communes)
    ]
    return list(dict.fromkeys(t for t in triples if not t.predicate.value.startswith(OWL)))


def inject_faults(
    triples: list[ox.Triple], settings: Settings
) -> tuple[list[ox.Triple], list[dict[str, str]]]:
    """One fault per hundred described resources (at least one of each kind), spread out."""
    ns, base = settings.def_ns, settings.base_iri

    def of_type(cls: str) -> list[ox.NamedNode]:
        found = {
            t.subject
            for t in triples
            if t.predicate.value == RDF_TYPE
            and isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.NamedNode)
            and t.object.value == f"{ns}{cls}"
        }
        return sorted(found, key=lambda n: n.value)

    innovations, organisations = of_type("Innovation"), of_type("Organisation")
    described = len({t.subject for t in triples if isinstance(t.subject, ox.NamedNode)})
    count = max(len(FAULTS), round(described / 100))
    out = list(triples)
    by_subject: dict[object, list[int]] = collections.defaultdict(list)
    for i, t in enumerate(out):
        by_subject[t.subject].append(i)

    def first(subject: object, predicate: str) -> int:
        return next(i for i in by_subject[subject] if out[i].predicate.value == predicate)

    faults: list[dict[str, str]] = []
    for j in range(count):
        kind = j % len(FAULTS)
        if kind == 5:
            org = organisations[(j * len(organisations)) // count]
            out.append(ox.Triple(org, ox.NamedNode(f"{ns}siren"), ox.Literal("123456789")))
            faults.append({"fault": FAULTS[kind], "focus": org.value, "path": f"{ns}siren"})
            continue
        innovation = innovations[(j * len(innovations)) // count]
        focus: str = innovation.value
        if kind == 0:
            i = first(innovation, RDFS_LABEL)
            label = out[i].object
            assert isinstance(label, ox.Literal)
            out[i] = ox.Triple(innovation, out[i].predicate, ox.Literal(label.value, language="en"))
            path = RDFS_LABEL
        elif kind == 1:
            i = first(innovation, f"{ns}territory")
            out[i] = ox.Triple(
                innovation, out[i].predicate, ox.NamedNode(f"{base}id/commune/00000")
            )
            path = f"{ns}territory"
        elif kind == 2:
            i = first(innovation, f"{ns}category")
            wrong = ox.NamedNode(f"{base}concept/stage/maturation")
            out[i] = ox.Triple(innovation, out[i].predicate, wrong)
            path = f"{ns}category"
        elif kind == 3:
            involvement = out[first(innovation, f"{ns}involvement")].object
            i = first(involvement, f"{ns}role")
            wrong = ox.NamedNode(f"{base}concept/sector/mobilite")
            out[i] = ox.Triple(involvement, out[i].predicate, wrong)  # type: ignore[arg-type]
            focus, path = "_:", f"{ns}role"
        else:
            i = first(innovation, f"{ns}launchDate")
            date = out[i].object
            assert isinstance(date, ox.Literal)
            out[i] = ox.Triple(innovation, out[i].predicate, ox.Literal(date.value))
            path = f"{ns}launchDate"
        faults.append({"fault": FAULTS[kind], "focus": focus, "path": path})
    return out, faults


def term_id(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"unexpected term {term!r}")


def expanded_jsonld(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """Expanded, flattened JSON-LD of the triples (what pyld's from_rdf makes, in linear time:
    from_rdf takes 35 s on 10k triples)."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        subject = term_id(t.subject)
        node = nodes.setdefault(subject, {"@id": subject})
        o = t.object
        if t.predicate.value == RDF_TYPE and not isinstance(o, ox.Literal):
            node.setdefault("@type", []).append(term_id(o))
            continue
        value: dict[str, Any]
        if isinstance(o, ox.Literal):
            value = {"@value": o.value}
            if o.language:
                value["@language"] = o.language
            elif o.datatype.value != f"{XSD}string":
                value["@type"] = o.datatype.value
        else:
            value = {"@id": term_id(o)}
        node.setdefault(t.predicate.value, []).append(value)
    return list(nodes.values())


def jsonld_document(triples: list[ox.Triple], settings: Settings, name: str) -> tuple[bytes, Path]:
    """The triples as a JSON-LD document compacted against the repository's context file
    (cached: the key is the context's bytes and the triples')."""
    from pyld import jsonld

    context_file = settings.ontology_dir / "context" / "v1.jsonld"
    digest = hashlib.sha256()
    digest.update(f"v{DOC_VERSION}\n".encode())
    digest.update(context_file.read_bytes())
    digest.update(serialize_ntriples(ox.Quad(t.subject, t.predicate, t.object) for t in triples))
    path = CONTRIB / f"{name}-{digest.hexdigest()[:16]}.jsonld"
    if path.exists():
        return path.read_bytes(), path
    start = time.perf_counter()
    compacted = jsonld.compact(
        expanded_jsonld(triples), CONTEXT_URL, {"documentLoader": local_context_loader(settings)}
    )
    if compacted.get("@context") != CONTEXT_URL:
        raise SystemExit(f"pyld did not keep the context URL: {compacted.get('@context')!r}")
    document = json.dumps(compacted, ensure_ascii=False, indent=0).encode("utf-8")
    for old in CONTRIB.glob(f"{name}-*.jsonld"):
        old.unlink()
    path.write_bytes(document)
    log.info("%s: compacted with pyld in %.1f s", path.name, time.perf_counter() - start)
    return document, path


def make_contributions(settings: Settings, sizes: Sequence[str]) -> list[Contribution]:
    CONTRIB.mkdir(parents=True, exist_ok=True)
    communes = load_communes(settings)
    out = []
    for size in sizes:
        valid = synthetic_triples(settings, SIZES[size], communes)
        invalid, faults = inject_faults(valid, settings)
        for variant, triples in (("valid", valid), ("invalid", invalid)):
            name = f"{size}-{variant}"
            document, path = jsonld_document(triples, settings, name)
            nt = CONTRIB / f"{name}.nt"
            quads = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            nt.write_bytes(serialize_ntriples(quads))
            out.append(
                Contribution(
                    size, variant, triples, document, path, nt, faults if variant != "valid" else []
                )
            )
            log.info("%s: %s triples, %s bytes of JSON-LD", name, len(triples), len(document))
    return out


# ----------------------------------------------------------------------------- parse


def parse_pyoxigraph(document: bytes, settings: Settings) -> list[ox.Triple]:
    """pyoxigraph's JSON-LD parser, the project context URL replaced by the file's content."""
    data = json.loads(document)
    if data.get("@context") == CONTEXT_URL:
        context_file = settings.ontology_dir / "context" / "v1.jsonld"
        data["@context"] = json.loads(context_file.read_text(encoding="utf-8"))["@context"]
    quads = ox.parse(
        json.dumps(data).encode("utf-8"),
        ox.RdfFormat.JSON_LD,
        base_iri=f"{settings.base_iri}id/",
        rename_blank_nodes=True,
    )
    return [q.triple for q in quads]


def parse_pyld(document: bytes, settings: Settings) -> list[ox.Triple]:
    """pyld's to_rdf with the project's local document loader (loaders.sources)."""
    quads = parse_bytes(
        document,
        ox.RdfFormat.JSON_LD,
        name="contribution",
        base_iri=settings.base_iri,
        context_loader=local_context_loader(settings),
    )
    return [q.triple for q in quads]


def masked(t: ox.Triple) -> tuple[str, str, str]:
    def text(term: object) -> str:
        return "_:" if isinstance(term, ox.BlankNode) else str(term)

    return text(t.subject), str(t.predicate), text(t.object)


def same_graph(parsed: Sequence[ox.Triple], source: Sequence[ox.Triple]) -> dict[str, Any]:
    """Same number of triples, same triples without blank nodes, same triples with their
    blank nodes masked (a necessary condition of isomorphism, cheap on 100k triples)."""

    def ground(ts: Iterable[ox.Triple]) -> set[ox.Triple]:
        return {
            t
            for t in ts
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
        }

    parsed_set, source_set = set(parsed), set(source)
    out = {
        "triples": len(parsed_set),
        "same_count": len(parsed_set) == len(source_set),
        "same_ground_triples": ground(parsed_set) == ground(source_set),
        "same_masked_triples": collections.Counter(map(masked, parsed_set))
        == collections.Counter(map(masked, source_set)),
    }
    out["conforms"] = all(
        out[k] for k in ("same_count", "same_ground_triples", "same_masked_triples")
    )
    return out


def measure_parse(c: Contribution, settings: Settings, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, parse in (("pyoxigraph", parse_pyoxigraph), ("pyld", parse_pyld)):
        times, parsed = [], []
        for _ in range(repeats):
            gc.collect()
            start = time.perf_counter()
            parsed = parse(c.document, settings)
            times.append(time.perf_counter() - start)
        out[name] = {**timed(times), "check": same_graph(parsed, c.triples)}
        log.info(
            "%s-%s parse %s: %.3f s, %s",
            c.size,
            c.variant,
            name,
            out[name]["median"],
            "same graph" if out[name]["check"]["conforms"] else f"DIFFERS {out[name]['check']}",
        )
    return out


# ----------------------------------------------------------------------------- SHACL


def reference_results(report: ValidationReport) -> list[list[str | None]]:
    return [[r.focus, r.path, r.severity, r.constraint, r.shape, r.value] for r in report.results]


def validation_context(store: ox.Store, quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    return context_from(store, referenced_iris(quads))


def measure_reference(
    c: Contribution, validator: Validator, store: ox.Store, repeats: int
) -> dict[str, Any]:
    """pySHACL through loaders.validate.Validator: context lookup, then validation."""
    quads = c.quads
    contexts, validations = [], []
    report: ValidationReport | None = None
    context: list[ox.Quad] = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        context = validation_context(store, quads)
        middle = time.perf_counter()
        report = validator.validate(quads, context)
        validations.append(time.perf_counter() - middle)
        contexts.append(middle - start)
    assert report is not None
    results = reference_results(report)
    violations = [r for r in results if r[2] == "Violation"]
    expected = collections.Counter(result_key(f["focus"], f["path"], "Violation") for f in c.faults)
    found = collections.Counter(result_key(r[0], r[1], r[2]) for r in violations)
    out: dict[str, Any] = {
        "context_s": timed(contexts),
        "context_triples": len(context),
        "validate_s": timed(validations),
        "conforms": report.conforms,
        "results": results,
        "violations": len(violations),
        "faults_found": found == expected,
        "faults_missing": sorted(map(list, (expected - found).elements())),
        "unexpected": sorted(map(list, (found - expected).elements())),
    }
    log.info(
        "%s-%s %s: context %.3f s (%d triples), validate %.3f s, %d results, %d violations (%s)",
        c.size,
        c.variant,
        validator.engine,
        out["context_s"]["median"],
        len(context),
        out["validate_s"]["median"],
        len(results),
        len(violations),
        "the injected faults exactly" if out["faults_found"] else "NOT the injected faults",
    )
    return out


def engine_input(
    validator: Validator, quads: Sequence[ox.Quad], context: Sequence[ox.Quad]
) -> bytes:
    """The data graph the engines validate (`Validator.data_graph`), as N-Triples."""
    return serialize_ntriples(validator.data_graph(quads, context))


def core_target_shapes(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The shapes with `sh:target [ a qpvkg-shapes:DescribedInstances ; qpvkg-shapes:class C ]`
    as `sh:targetClass C`, and the two other SPARQL-based targets (official territories)
    dropped: for engines without SHACL-AF targets. Same results on data whose instances of
    those classes are all described (true of the synthetic contributions)."""
    kinds = {
        str(q.subject): q.object.value
        for q in quads
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode)
    }
    classes = {str(q.subject): q.object for q in quads if q.predicate.value == f"{SHAPES_NS}class"}
    out = []
    for q in quads:
        kind = kinds.get(str(q.object), "")
        if q.predicate.value == f"{SH}target" and kind in SPARQL_TARGET_TYPES:
            if kind == f"{SHAPES_NS}DescribedInstances":
                target = classes[str(q.object)]
                out.append(ox.Quad(q.subject, ox.NamedNode(f"{SH}targetClass"), target))
            continue
        out.append(q)
    return out


def ensure_peers(engines: Sequence[str]) -> dict[str, str]:
    """The peers' virtualenv with the engines' packages; package -> version, or an error."""
    packages = sorted({PEER_PACKAGES[e] for e in engines})
    python = PEERS / "bin" / "python"
    if not python.exists():
        made = run_command([sys.executable, "-m", "venv", str(PEERS)])
        if made.returncode:
            return {
                p: f"not installed: venv failed: {made.stderr.strip()[-300:]}" for p in packages
            }
    versions = peer_versions()
    missing = [p for p in packages if p not in versions]
    if missing:
        done = run_command([str(PEERS / "bin" / "pip"), "install", "--quiet", *missing])
        if done.returncode:
            log.warning("pip install %s failed: %s", missing, done.stderr.strip()[-500:])
        versions = peer_versions()
        for p in missing:
            if p not in versions:
                versions[p] = f"not installed: {done.stderr.strip()[-300:]}"
    return {p: versions[p] for p in packages}


def peer_versions() -> dict[str, str]:
    listed = run_command([str(PEERS / "bin" / "pip"), "list", "--format", "json"])
    if listed.returncode:
        return {}
    return {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}


def run_peer(engine: str, shapes: Path, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the engine on the cases in a subprocess of the peers' virtualenv."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=CONTRIB, delete=False) as job:
        json.dump({"engine": engine, "shapes": str(shapes), "cases": cases}, job)
    try:
        command = [str(PEERS / "bin" / "python"), str(WORKER), job.name]
        done = run_command(command, timeout=7200)
    finally:
        Path(job.name).unlink()
    if done.returncode:
        error = done.stderr.strip()[-1000:]
        log.warning("%s failed: %s", engine, error)
        return {"engine": engine, "error": error, "cases": {}}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def compare(
    reference: Sequence[Sequence[str | None]], other: Sequence[Sequence[Any]]
) -> dict[str, Any]:
    """Compare (focus, path, severity) multisets; the differences, both ways."""
    ref = collections.Counter(result_key(r[0], r[1], r[2]) for r in reference)
    got = collections.Counter(result_key(r[0], r[1], r[2]) for r in other)
    return {
        "same": ref == got,
        "only_reference": [list(k) for k in sorted((ref - got).elements())],
        "only_engine": [list(k) for k in sorted((got - ref).elements())],
    }


# ----------------------------------------------------------------------------- commit


def copy_store(folder: Path) -> Path:
    target = folder / "store"
    shutil.copytree(STORE, target)
    return target


def measure_commit(c: Contribution, repeats: int) -> dict[str, Any]:
    """DROP SILENT GRAPH + INSERT DATA in one update, on a fresh copy of the store each time
    (the N-Triples serialisation of the update is timed with it)."""
    times = []
    for _ in range(repeats):
        folder = Path(tempfile.mkdtemp(prefix="commit-", dir=WORK))
        try:
            store = ox.Store(str(copy_store(folder)))
            gc.collect()
            start = time.perf_counter()
            body = serialize_ntriples(c.quads).decode("utf-8")
            store.update(
                f"DROP SILENT GRAPH <{c.graph}> ;\nINSERT DATA {{ GRAPH <{c.graph}> {{\n{body}}} }}"
            )
            times.append(time.perf_counter() - start)
            written = sum(
                1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(c.graph))
            )
            if written != len(set(c.triples)):
                log.warning("commit wrote %d quads for %d triples", written, len(c.triples))
            del store
            gc.collect()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    out = timed(times)
    log.info("%s-%s commit: %.3f s", c.size, c.variant, out["median"])
    return out


def contribute_function() -> tuple[Callable[..., Any] | None, Any, str]:
    """loaders.contribution.write.contribute and the History class, if they exist yet."""
    try:
        from loaders.contribution import history
        from loaders.contribution import write as module
    except ImportError as exc:
        return None, None, f"loaders.contribution cannot be imported: {exc}"
    function = getattr(module, "contribute", None)
    if function is None:
        return None, None, "loaders.contribution.write has no function contribute"
    needed = {"partner", "graph", "data", "media_type", "mode", "timings"}
    params = set(inspect.signature(function).parameters)
    if not needed <= params:
        return None, None, f"contribute() lacks the parameters {sorted(needed - params)}"
    return function, getattr(history, "History", None), ""


def measure_contribute(
    c: Contribution, validator: Validator, repeats: int, function: Callable[..., Any], history: Any
) -> dict[str, Any]:
    """The whole write through loaders.contribution.write.contribute, on a fresh store copy
    each time."""
    from loaders.errors import QpvkgError, ValidationFailedError

    params = set(inspect.signature(function).parameters)
    totals: list[float] = []
    steps: dict[str, list[float]] = collections.defaultdict(list)
    outcome, violations, error = "", 0, None
    for _ in range(repeats):
        folder = Path(tempfile.mkdtemp(prefix="contribute-", dir=WORK))
        try:
            settings = settings_for(copy_store(folder))
            store = ox.Store(str(settings.store_path))
            timings: dict[str, float] = {}
            extra: dict[str, Any] = {}
            if "validator" in params:
                extra["validator"] = validator
            if "history" in params and history is not None:
                extra["history"] = history(folder / "history")
            gc.collect()
            start = time.perf_counter()
            try:
                function(
                    store,
                    settings,
                    partner=PARTNER,
                    graph=c.graph,
                    data=c.document,
                    media_type="application/ld+json",
                    mode="put",
                    timings=timings,
                    **extra,
                )
                outcome = "accepted"
            except ValidationFailedError as exc:
                outcome = "rejected"
                violations = sum(1 for r in exc.results if r.get("severity") == "Violation")
            except QpvkgError as exc:
                outcome, error = "error", f"{type(exc).__name__}: {exc.message}"
            total = time.perf_counter() - start
            totals.append(total)
            for key in ("parse", "shacl", "commit"):
                if key in timings:
                    steps[key].append(timings[key])
            if outcome == "rejected" and "shacl" not in timings and "parse" in timings:
                steps["shacl"].append(total - timings["parse"])  # refused before it was recorded
            del store
            gc.collect()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if error:
            break
    out: dict[str, Any] = {
        "outcome": outcome,
        "violations": violations,
        "error": error,
        "total_s": timed(totals),
        **{f"{k}_s": timed(v) for k, v in steps.items()},
    }
    log.info(
        "%s-%s contribute() with %s: %s in %.3f s (%s)%s",
        c.size,
        c.variant,
        validator.engine,
        outcome,
        out["total_s"]["median"],
        ", ".join(f"{k} {median(v):.3f}" for k, v in steps.items()),
        f" {error}" if error else "",
    )
    return out


# ----------------------------------------------------------------------------- refusals

#: blank organisations per size of ``--refusals`` (each gives 2 violations: no IRI, no source)
REFUSAL_SIZES = {"2k": 2_000, "20k": 20_000, "200k": 200_000}


def bare_organisations(n: int, settings: Settings) -> bytes:
    """``n`` blank organisations with a type and a name only, in Turtle: what a partner's
    faulty script would send (a name each: the write's canonical form merges blank nodes
    that say the same thing)."""
    label = RDFS_LABEL
    return "\n".join(
        f'_:b{i} a <{settings.def_ns}Organisation> ; <{label}> "O{i}"@fr .' for i in range(n)
    ).encode()


def measure_refusals(sizes: Sequence[str], engine: str) -> dict[str, Any]:
    """How long ``contribute()`` takes to refuse a write of bare blank organisations (422),
    on an empty store, with a Validator loaded once; the steps, the results found and
    listed."""
    from loaders.contribution.history import History
    from loaders.contribution.write import contribute
    from loaders.errors import PayloadTooLargeError, ValidationFailedError

    out: dict[str, Any] = {}
    WORK.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/bench yet
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="refusal-", dir=WORK))
        try:
            settings = settings_for(folder / "store")
            validator = Validator.from_settings(settings, engine)
            store = ox.Store(str(settings.store_path))
            body = bare_organisations(REFUSAL_SIZES[size], settings)
            timings: dict[str, float] = {}
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            listed, counts = 0, {}
            try:
                contribute(
                    store,
                    settings,
                    partner=PARTNER,
                    graph=settings.graph_iri(f"partner/{PARTNER}/bare"),
                    data=body,
                    media_type="text/turtle",
                    mode="put",
                    timings=timings,
                    validator=validator,
                    history=History(folder / "history"),
                )
                outcome = "accepted"
            except ValidationFailedError as exc:
                outcome, listed = "refused", len(exc.results)
                counts = dict(getattr(exc, "counts", {}))
            except PayloadTooLargeError as exc:  # refused before SHACL runs
                outcome, counts = exc.code, dict(exc.details)
            total, cpu = time.perf_counter() - start, time.process_time() - cpu
            out[size] = {
                "nodes": REFUSAL_SIZES[size],
                "outcome": outcome,
                "listed": listed,
                **counts,
                "total_s": round(total, 3),
                "cpu_s": round(cpu, 3),  # steadier than the wall clock on a shared machine
                **{f"{k}_s": round(v, 3) for k, v in timings.items()},
            }
            log.info("refusal %s (%s): %s", size, engine, out[size])
            del store
            gc.collect()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return out


# ----------------------------------------------------------------------------- memory


def probe(step: str, document: Path, ntriples: Path) -> dict[str, Any]:
    """In a fresh process: the peak RSS growth of one step (VmHWM - VmRSS, KiB)."""
    settings = settings_for(STORE)
    validator: Validator | None = None
    store: ox.Store | None = None
    data = document.read_bytes()
    quads = list(ox.parse(ntriples.read_bytes(), ox.RdfFormat.N_TRIPLES))
    action: Callable[[], object]
    folder: Path | None = None
    if step == "parse-pyoxigraph":
        action = lambda: parse_pyoxigraph(data, settings)  # noqa: E731
    elif step == "parse-pyld":
        action = lambda: parse_pyld(data, settings)  # noqa: E731
    elif step in ("shacl-pyshacl", "shacl-turbo"):
        engine = "pyshacl" if step == "shacl-pyshacl" else "pyshacl-turbo"
        validator = Validator.from_settings(settings, engine)
        store = ox.Store.read_only(str(STORE))
        v, s = validator, store
        action = lambda: v.validate(quads, validation_context(s, quads))  # noqa: E731
    elif step == "commit":
        folder = Path(tempfile.mkdtemp(prefix="probe-", dir=WORK))
        store = ox.Store(str(copy_store(folder)))
        graph = settings.graph_iri(f"partner/{PARTNER}/probe")
        s = store

        def action() -> object:
            body = serialize_ntriples(quads).decode("utf-8")
            s.update(
                f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"
            )
            return None

    else:
        raise SystemExit(f"unknown step {step}")
    try:
        gc.collect()
        reset_peak()
        before = proc_status()["VmRSS"]
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
        after = proc_status()
        return {"rss_growth_kib": after["VmHWM"] - before, "baseline_kib": before, "s": seconds}
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def measure_memory(c: Contribution) -> dict[str, Any]:
    out: dict[str, Any] = {}
    steps = ["parse-pyoxigraph", "parse-pyld", "shacl-pyshacl", "shacl-turbo"]
    for step in steps + (["commit"] if c.variant == "valid" else []):
        command = [
            sys.executable,
            "-m",
            "benchmarks.contribution",
            "--probe",
            step,
            "--probe-document",
            str(c.document_path),
            "--probe-ntriples",
            str(c.ntriples_path),
        ]
        done = run_command(command, cwd=PROJECT_DIR, timeout=3600)
        if done.returncode:
            out[step] = {"error": done.stderr.strip()[-500:]}
        else:
            out[step] = json.loads(done.stdout.strip().splitlines()[-1])
        log.info("%s-%s memory %s: %s", c.size, c.variant, step, out[step])
    return out


# ----------------------------------------------------------------------------- features


def fixture_shape(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*shape:\s*(\S+)", line)
        if match:
            return match.group(1)
    return ""


def measure_features(
    settings: Settings,
    validator: Validator,
    engines: Sequence[str],
    shapes: dict[str, Path],
) -> dict[str, Any]:
    """Each engine against pySHACL on the shapes' own fixtures, grouped by construct."""
    from rdflib import Namespace, URIRef

    references = ox.Store()
    references.bulk_extend(parse_file(FIXTURES / "context.ttl", settings))
    sh = Namespace(SH)
    sparql_targets = {
        str(s)
        for s, t in validator.shapes.subject_objects(sh.target)
        if any(str(k) in SPARQL_TARGET_TYPES for k in validator.shapes.objects(t, URIRef(RDF_TYPE)))
    }
    folder = CONTRIB / "fixtures"
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES.glob("valid/*.ttl")) + sorted(FIXTURES.glob("invalid/*.ttl")):
        name = f"{path.parent.name}/{path.stem}"
        quads = parse_file(path, settings)
        context = validation_context(references, quads)
        report = validator.validate(quads, context)
        data = folder / f"{path.parent.name}-{path.stem}.nt"
        data.write_bytes(engine_input(validator, quads, context))
        features = set()
        if path.parent.name == "valid":
            features.add("valid examples (no violation)")
        else:
            shape = f"{SHAPES_NS}{fixture_shape(path)}"
            target = "SPARQL-based target (SHACL-AF)" if shape in sparql_targets else "core target"
            features.add(f"target: {target}")
            for r in report.results:
                features.add(
                    (r.constraint or "?").replace(SH, "sh:").replace(SHAPES_NS, "qpvkg-shapes:")
                )
        cases[name] = {
            "data": data,
            "results": reference_results(report),
            "features": sorted(features),
        }
    log.info("features: %d fixtures validated with pySHACL", len(cases))
    out: dict[str, Any] = {"fixtures": {}, "engines": {}}
    for name, case in cases.items():
        out["fixtures"][name] = {"features": case["features"], "reference": case["results"]}
    # pyrudof-core validates other shapes (rewritten targets, exact only on data without
    # reference stubs of the targeted classes): not comparable on the fixtures.
    for engine in [e for e in engines if e != "pyrudof-core"]:
        job = [{"name": n, "data": str(c["data"]), "repeats": 1} for n, c in cases.items()]
        ran = run_peer(engine, shapes[engine], job)
        agree: dict[str, bool] = {}
        errors: dict[str, str] = {}
        differences: dict[str, dict[str, Any]] = {}
        for name, case in cases.items():
            got = ran.get("cases", {}).get(name)
            if not got or got.get("error"):
                agree[name] = False
                errors[name] = (got or {}).get("error") or ran.get("error", "no result")
                continue
            diff = compare(case["results"], got["results"])
            agree[name] = diff["same"]
            if not diff["same"]:
                differences[name] = {k: diff[k] for k in ("only_reference", "only_engine")}
        out["engines"][engine] = {"agree": agree, "errors": errors, "differences": differences}
        log.info("features %s: %d/%d fixtures as pySHACL", engine, sum(agree.values()), len(agree))
    shutil.rmtree(folder, ignore_errors=True)
    return out


# ----------------------------------------------------------------------------- main run


def write_shapes(settings: Settings, engines: Sequence[str]) -> dict[str, Path]:
    """The shapes graph each engine reads, as N-Triples."""
    CONTRIB.mkdir(parents=True, exist_ok=True)
    shapes: dict[str, Path] = {}
    shapes_all = shapes_quads(settings)
    for engine in engines:
        chosen = core_target_shapes(shapes_all) if engine == "pyrudof-core" else shapes_all
        shapes[engine] = CONTRIB / f"shapes-{engine}.nt"
        shapes[engine].write_bytes(serialize_ntriples(chosen))
    return shapes


def features_only(args: argparse.Namespace) -> dict[str, Any]:
    """Measure the fixture matrix again into the saved results."""
    result: dict[str, Any] = json.loads(args.out.read_text(encoding="utf-8"))
    settings = settings_for(STORE)
    validator = Validator.from_settings(settings, "pyshacl")  # the reference
    engines = result["engines"]
    ensure_peers(engines)
    shapes = write_shapes(settings, engines)
    result["features"] = measure_features(settings, validator, engines, shapes)
    return result


def measure(args: argparse.Namespace) -> dict[str, Any]:
    settings = settings_for(STORE)
    log.info("store %s: qpvkg build (a no-op when current)", STORE)
    report = build(settings)
    store = ox.Store.read_only(str(STORE))
    store_triples = len(store)
    contributions = make_contributions(settings, args.sizes)

    start = time.perf_counter()
    validator = Validator.from_settings(settings, "pyshacl")
    validator_load = time.perf_counter() - start
    start = time.perf_counter()
    turbo = validator.with_engine("pyshacl-turbo")  # the project's default engine
    turbo_load = time.perf_counter() - start
    shapes = write_shapes(settings, args.engines)
    peer_status = ensure_peers(args.engines) if args.engines else {}
    engines = [e for e in args.engines if not peer_status[PEER_PACKAGES[e]].startswith("not")]
    function, history, missing = contribute_function()

    result: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "versions": {
            "pyoxigraph": ox.__version__,
            "pyshacl": _version("pyshacl"),
            "pyshacl-turbo (project)": _version("pyshacl-turbo"),
            "pyld": _version("PyLD"),
            "rdflib": _version("rdflib"),
            **peer_status,
        },
        "seed": SEED,
        "store": {"path": str(STORE.relative_to(PROJECT_DIR)), "triples": store_triples},
        "store_build_s": report.seconds,
        "store_graphs_loaded": len(report.loaded),
        "validator_load_s": validator_load,
        "turbo_compile_s": turbo_load,
        "faults": list(FAULTS),
        "engines": engines,
        "contribute": {"available": function is not None, "note": missing},
        "cases": {},
    }
    inputs: dict[str, Path] = {}
    for c in contributions:
        repeats = args.repeats or (3 if c.size == "100k" else 5)
        case: dict[str, Any] = {
            "size": c.size,
            "variant": c.variant,
            "repeats": repeats,
            "triples": len(c.triples),
            "document_bytes": len(c.document),
            "faults": c.faults,
        }
        case["parse"] = measure_parse(c, settings, repeats)
        case["pyshacl"] = measure_reference(c, validator, store, repeats)
        case["turbo"] = measure_reference(c, turbo, store, repeats)
        case["turbo"].update(compare(case["pyshacl"]["results"], case["turbo"]["results"]))
        quads = c.quads
        preps, data = [], b""
        for _ in range(repeats):
            begin = time.perf_counter()
            data = engine_input(validator, quads, validation_context(store, quads))
            preps.append(time.perf_counter() - begin)
        case["engine_input_s"] = timed(preps)  # context lookup + N-Triples of the data graph
        case["engine_input_triples"] = data.count(b"\n")
        inputs[f"{c.size}-{c.variant}"] = CONTRIB / f"input-{c.size}-{c.variant}.nt"
        inputs[f"{c.size}-{c.variant}"].write_bytes(data)
        case["commit"] = measure_commit(c, repeats) if c.variant == "valid" else None
        if function is not None:
            case["contribute"] = measure_contribute(c, validator, repeats, function, history)
            case["contribute_turbo"] = measure_contribute(c, turbo, repeats, function, history)
        if not args.skip_memory:
            case["memory"] = measure_memory(c)
        case["engines"] = {}
        result["cases"][f"{c.size}-{c.variant}"] = case

    for engine in engines:
        jobs = [
            {
                "name": name,
                "data": str(path),
                "repeats": result["cases"][name]["repeats"],
                "memory": True,
            }
            for name, path in inputs.items()
        ]
        ran: dict[str, Any] = {"cases": {}}
        for job in jobs:  # one process per case: a clean baseline for the memory growth
            one = run_peer(engine, shapes[engine], [job])
            ran["version"], ran["setup_s"] = one.get("version"), one.get("setup_s")
            ran["cases"].update(one.get("cases", {}))
            if one.get("error"):
                ran["cases"][job["name"]] = {"error": one["error"], "times": [], "results": []}
        for name, case in result["cases"].items():
            got = ran["cases"].get(name, {"error": "not run", "times": [], "results": []})
            diff = compare(case["pyshacl"]["results"], got.get("results") or [])
            case["engines"][engine] = {
                "validate_s": timed(got.get("times") or []),
                "setup_s": ran.get("setup_s"),
                "conforms": got.get("conforms"),
                "results": len(got.get("results") or []),
                "violations": sum(
                    1
                    for r in got.get("results") or []
                    if result_key(r[0], r[1], r[2])[2] == "Violation"
                ),
                "rss_growth_kib": got.get("rss_growth_kib"),
                "error": got.get("error"),
                **diff,
            }
            log.info(
                "%s %s: %.3f s, %d results, %s",
                name,
                engine,
                case["engines"][engine]["validate_s"]["median"],
                case["engines"][engine]["results"],
                "same as pySHACL" if diff["same"] else "DIFFERENT from pySHACL",
            )
    for path in inputs.values():
        path.unlink(missing_ok=True)
    if not args.skip_features:
        result["features"] = measure_features(settings, validator, engines, shapes)
    del store
    return result


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


# ----------------------------------------------------------------------------- reporting


def cell(seconds: float | None, digits: int = 3) -> str:
    if seconds is None or seconds != seconds:  # None or NaN
        return "n/a"
    return f"{seconds:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b or a != a or b != b:
        return "n/a"
    return f"{a / b:.2f}"


def totals(case: dict[str, Any]) -> dict[str, float | None]:
    """Accept/reject time along the reference path, and with each engine instead of pySHACL
    (sums of the medians of the steps)."""
    parse = case["parse"]["pyoxigraph"]["median"]
    commit = case["commit"]["median"] if case.get("commit") else 0.0
    ref = case["pyshacl"]
    out: dict[str, float | None] = {
        "pyshacl": parse + ref["context_s"]["median"] + ref["validate_s"]["median"] + commit
    }
    for engine, e in case["engines"].items():
        v = e["validate_s"]["median"]
        out[engine] = None if v != v else parse + case["engine_input_s"]["median"] + v + commit
    return out


def faithful(result: dict[str, Any]) -> list[str]:
    """The engines that gave pySHACL's results on every contribution (valid and invalid)."""
    return [
        e
        for e in result["engines"]
        if all(
            c["engines"][e]["same"] and not c["engines"][e]["error"]
            for c in result["cases"].values()
        )
    ]


def markdown(result: dict[str, Any]) -> str:
    cases = result["cases"]
    engines = result["engines"]
    lines = [
        "### Contributions",
        "",
        "| contribution | triples | JSON-LD bytes | context triples | faults injected |",
        "|---|---|---|---|---|",
    ]
    for name, c in cases.items():
        lines.append(
            f"| {name} | {c['triples']:,} | {c['document_bytes']:,} | "
            f"{c['pyshacl']['context_triples']:,} | {len(c['faults'])} |"
        )
    lines += [
        "",
        "### Parse (JSON-LD to triples), seconds, median",
        "",
        "| contribution | pyoxigraph | pyld | pyld / pyoxigraph "
        "| same graph as generated (pyoxigraph, pyld) |",
        "|---|---|---|---|---|",
    ]
    for name, c in cases.items():
        ox_, ld = c["parse"]["pyoxigraph"], c["parse"]["pyld"]
        same = ", ".join("yes" if p["check"]["conforms"] else "NO" for p in (ox_, ld))
        lines.append(
            f"| {name} | {cell(ox_['median'])} | {cell(ld['median'])} | "
            f"{ratio(ld['median'], ox_['median'])} | {same} |"
        )
    head = "| contribution | results (violations) | pySHACL | " + " | ".join(
        NAMES[e] for e in engines
    )
    head += "".join(f" | pySHACL / {NAMES[e]}" for e in engines) + " |"
    lines += [
        "",
        "### SHACL validation, seconds, median (the same data graph and shapes for each engine)",
        "",
        head,
        "|" + "---|" * (3 + 2 * len(engines)),
    ]
    for name, c in cases.items():
        ref = c["pyshacl"]
        cells = [
            name,
            f"{len(ref['results'])} ({ref['violations']})",
            cell(ref["validate_s"]["median"]),
        ]
        for e in engines:
            got = c["engines"][e]
            mark = "" if got["same"] else f" ≠ ({got['results']} results)"
            cells.append(cell(got["validate_s"]["median"]) + mark)
        for e in engines:
            cells.append(
                ratio(ref["validate_s"]["median"], c["engines"][e]["validate_s"]["median"])
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "≠: not the results of pySHACL (differences below). pySHACL's time is "
        "`Validator.validate` (data graph building, ontology mix-in, validation, report); "
        "an engine's is its parse of the N-Triples data graph, validation and report.",
        "",
        "### Steps of a contribution (pyoxigraph, pySHACL, commit), seconds, median",
        "",
        "| contribution | parse | validation context | SHACL | commit | total | outcome |"
        + "".join(f" total with {NAMES[e]} |" for e in faithful(result)),
        "|" + "---|" * (7 + len(faithful(result))),
    ]
    for name, c in cases.items():
        ref = c["pyshacl"]
        tot = totals(c)
        outcome = "accepted" if ref["conforms"] else f"rejected ({ref['violations']} violations)"
        cells = [
            name,
            cell(c["parse"]["pyoxigraph"]["median"]),
            cell(ref["context_s"]["median"]),
            cell(ref["validate_s"]["median"]),
            cell(c["commit"]["median"]) if c.get("commit") else "(none)",
            cell(tot["pyshacl"]),
            outcome,
        ]
        cells += [cell(tot.get(e)) for e in faithful(result)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Total: the sum of the step medians. With an engine (only those that gave pySHACL's "
        "results on every contribution): the parse, the context and the N-Triples data graph, "
        "the engine, the commit.",
    ]
    if any("turbo" in c for c in cases.values()):
        lines += [
            "",
            "### The two engines of `loaders.validate.Validator`, seconds, median",
            "",
            "| contribution | results (violations) | pySHACL | pyshacl-turbo | "
            "pySHACL / pyshacl-turbo | same results |",
            "|---|---|---|---|---|---|",
        ]
        for name, c in cases.items():
            ref, t = c["pyshacl"], c.get("turbo")
            if not t:
                continue
            lines.append(
                f"| {name} | {len(ref['results'])} ({ref['violations']}) | "
                f"{cell(ref['validate_s']['median'])} | {cell(t['validate_s']['median'])} | "
                f"{ratio(ref['validate_s']['median'], t['validate_s']['median'])} | "
                f"{'yes' if t['same'] else 'NO'} |"
            )
    if any("contribute" in c for c in cases.values()):
        lines += [
            "",
            "### End to end through `loaders.contribution.write.contribute` (mode put), "
            "seconds, median",
            "",
            "| contribution | engine | parse | SHACL | commit | total (wall) | outcome |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, c in cases.items():
            for key, engine in (("contribute", "pySHACL"), ("contribute_turbo", "pyshacl-turbo")):
                k = c.get(key)
                if not k:
                    continue
                outcome = k["outcome"] + (
                    f" ({k['violations']} violations)" if k["violations"] else ""
                )
                if k.get("error"):
                    outcome += f": {k['error']}"
                lines.append(
                    f"| {name} | {engine} | {cell(k.get('parse_s', {}).get('median'))} | "
                    f"{cell(k.get('shacl_s', {}).get('median'))} | "
                    f"{cell(k.get('commit_s', {}).get('median'))} | "
                    f"{cell(k['total_s']['median'])} | {outcome} |"
                )
    else:
        lines += [
            "",
            "End to end through loaders.contribution.write: not measured "
            f"({result['contribute']['note']}).",
        ]
    if any("memory" in c for c in cases.values()):
        head = "| contribution | triples | parse pyoxigraph | parse pyld | SHACL pySHACL"
        head += " | SHACL pyshacl-turbo (qpvkg) | commit"
        head += "".join(f" | SHACL {NAMES[e]}" for e in engines) + " |"
        lines += [
            "",
            "### Peak RSS growth of each step, MiB (a fresh process per step)",
            "",
            head,
            "|" + "---|" * (7 + len(engines)),
        ]
        for name, c in cases.items():
            m = c.get("memory", {})
            cells = [name, f"{c['triples']:,}"]
            for step in (
                "parse-pyoxigraph",
                "parse-pyld",
                "shacl-pyshacl",
                "shacl-turbo",
                "commit",
            ):
                kib = m.get(step, {}).get("rss_growth_kib")
                if step == "commit" and c["variant"] != "valid":
                    cells.append("(none)")
                    continue
                cells.append("n/a" if kib is None else f"{kib / 1024:,.1f}")
            for e in engines:
                kib = c["engines"][e].get("rss_growth_kib")
                cells.append("n/a" if kib is None else f"{kib / 1024:,.1f}")
            lines.append("| " + " | ".join(cells) + " |")
    differences = []
    for name, c in cases.items():
        for e in engines:
            got = c["engines"][e]
            if got.get("error"):
                differences.append(f"- {name}, {NAMES[e]}: error {got['error']}")
            if not got["same"]:
                only_ref = collections.Counter(tuple(k) for k in got["only_reference"])
                only_eng = collections.Counter(tuple(k) for k in got["only_engine"])
                differences.append(
                    f"- {name}, {NAMES[e]}: {sum(only_ref.values())} result(s) of pySHACL missing, "
                    f"{sum(only_eng.values())} extra"
                )
                for k, n in list(only_ref.items())[:5]:
                    differences.append(f"  - missing {n}x {k}")
                for k, n in list(only_eng.items())[:5]:
                    differences.append(f"  - extra {n}x {k}")
    lines += ["", "### Differences from pySHACL", ""] + (differences or ["None."])
    lines += feature_tables(result)
    lines += [
        "",
        "### Target: a 10k-triple contribution accepted or rejected in under 2 s (median)",
        "",
    ]
    lines += [f"- {line}" for line in target_lines(result)]
    return "\n".join(lines) + "\n"


def feature_tables(result: dict[str, Any]) -> list[str]:
    """Which constructs of the shapes each engine handles as pySHACL does, on the fixtures."""
    features = result.get("features")
    if not features:
        return []
    fe = list(features["engines"])
    fixtures = features["fixtures"]

    def table(title: str, names: Sequence[str]) -> list[str]:
        by_feature: dict[str, list[str]] = collections.defaultdict(list)
        for name in names:
            for feature in fixtures[name]["features"]:
                by_feature[feature].append(name)
        lines = [
            "",
            title,
            "",
            "| construct | fixtures | " + " | ".join(NAMES[e] for e in fe) + " |",
            "|" + "---|" * (2 + len(fe)),
        ]
        for feature in sorted(by_feature, key=lambda f: (not f.startswith(("target", "valid")), f)):
            group = by_feature[feature]
            cells = [feature, str(len(group))]
            for e in fe:
                agree = features["engines"][e]["agree"]
                cells.append(f"{sum(agree.get(n, False) for n in group)}/{len(group)}")
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    core = [n for n, f in fixtures.items() if "target: core target" in f["features"]]
    lines = table(
        "### Constructs of the shapes: fixtures where the engine gives pySHACL's results",
        list(fixtures),
    )
    lines += table("Fixtures whose shape has a core target only:", core)
    lines += ["", "Fixtures where an engine differs from pySHACL:", ""]
    for e in fe:
        diffs = features["engines"][e].get("differences", {})
        errors = features["engines"][e].get("errors", {})
        if len(diffs) + len(errors) > 12:
            lines.append(f"- {NAMES[e]}: {len(diffs) + len(errors)} fixtures (not listed)")
            continue
        for name, d in diffs.items():
            lines.append(
                f"- {NAMES[e]}, {name}: missing {[tuple(k) for k in d['only_reference']]}, "
                f"extra {[tuple(k) for k in d['only_engine']]}"
            )
        for name, error in errors.items():
            lines.append(f"- {NAMES[e]}, {name}: {error}")
    return lines


def target_lines(result: dict[str, Any]) -> list[str]:
    out = []
    for variant in VARIANTS:
        c = result["cases"].get(f"10k-{variant}")
        if not c:
            continue
        tot = totals(c)
        verb = "accepted" if variant == "valid" else "rejected"
        out.append(
            f"10k {variant}, {verb} with pySHACL: {cell(tot['pyshacl'], 2)} s "
            "(sum of step medians): " + ("met" if (tot["pyshacl"] or 99) < 2 else "not met")
        )
        for key, engine in (("contribute", "pySHACL"), ("contribute_turbo", "pyshacl-turbo")):
            if c.get(key):
                k = c[key]["total_s"]["median"]
                out.append(
                    f"10k {variant} through contribute() with {engine} ({c[key]['outcome']}): "
                    f"{cell(k, 2)} s: " + ("met" if k < 2 else "not met")
                )
        matching = [e for e in faithful(result) if tot.get(e)]
        if matching:
            fastest = min(matching, key=lambda e: tot[e] or 99)
            out.append(
                f"10k {variant} with the fastest engine giving pySHACL's results everywhere "
                f"({NAMES[fastest]}): "
                f"{cell(tot[fastest], 2)} s (estimated: parse, context and data graph, engine, "
                "commit): " + ("met" if (tot[fastest] or 99) < 2 else "not met")
            )
    return out


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=lambda s: s.split(","), default=list(SIZES), help="1k,10k,100k"
    )
    parser.add_argument(
        "--repeats", type=int, default=0, help="runs per step (default 5; 3 for 100k)"
    )
    parser.add_argument(
        "--engines", type=lambda s: [e for e in s.split(",") if e], default=list(ENGINES)
    )
    parser.add_argument("--skip-features", action="store_true", help="no fixture matrix")
    parser.add_argument("--skip-memory", action="store_true", help="no memory probes")
    parser.add_argument(
        "--only-features", action="store_true", help="measure the fixture matrix again only"
    )
    parser.add_argument("--report", action="store_true", help="print the saved tables only")
    parser.add_argument(
        "--out", type=Path, default=PROJECT_DIR / "benchmarks" / "results" / "contribution.json"
    )
    parser.add_argument(
        "--refusals",
        help="only time the refusal of bare blank organisations: sizes among 2k,20k,200k",
    )
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--probe-document", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-ntriples", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("loaders").setLevel("WARNING")

    if args.probe:
        found = probe(args.probe, args.probe_document, args.probe_ntriples)
        sys.stdout.write(json.dumps(found) + "\n")
        return
    if args.refusals:
        engines = [e for e in args.engines if e in ("pyshacl-turbo", "pyshacl")] or [
            "pyshacl-turbo"
        ]
        found = {e: measure_refusals(args.refusals.split(","), e) for e in engines}
        sys.stdout.write(json.dumps(found, indent=1) + "\n")
        return
    if args.report:
        result = json.loads(args.out.read_text(encoding="utf-8"))
        result["targets"] = target_lines(result)
        args.out.write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        sys.stdout.write(markdown(result))
        return
    unknown = [s for s in args.sizes if s not in SIZES] + [
        e for e in args.engines if e not in ENGINES
    ]
    if unknown:
        parser.error(f"unknown size or engine: {', '.join(unknown)}")
    result = features_only(args) if args.only_features else measure(args)
    result["targets"] = target_lines(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(markdown(result))


if __name__ == "__main__":
    main()

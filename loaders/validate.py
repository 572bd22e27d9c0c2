"""SHACL validation of RDF against the project's shapes, with pySHACL."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from loaders.errors import ValidationFailedError
from loaders.infrance import OUTSIDE_FRANCE, outside_france
from loaders.namespaces import XSD
from loaders.references import RDF_TYPE
from loaders.settings import Settings
from loaders.sources import discover, parse_file, serialize_ntriples

log = logging.getLogger(__name__)

#: The mark the validator puts on every subject of the data under check, so that the shapes'
#: targets (``qpvkg-shapes:DescribedInstances``...) check each node of the data whatever it
#: carries, and leave alone the references its context brings. Internal to a validation: the
#: same IRI under any ``QPVKG_BASE_IRI`` (the shapes' SPARQL texts name it in full), and
#: never taken from the data (a triple using it is dropped before the marks are added).
UNDER_CHECK = ox.NamedNode("https://w3id.org/qpvkg/shapes#underCheck")
UNDER_CHECK_FLAG = ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean"))
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with its messages in French and English."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message_fr: str
    message_en: str
    shape: str | None
    constraint: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "path": self.path,
            "value": self.value,
            "message_fr": self.message_fr,
            "message_en": self.message_en,
            "shape": self.shape,
            "constraint": self.constraint,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conforms unless a result has severity Violation."""

    conforms: bool
    results: tuple[ValidationResult, ...] = field(default_factory=tuple)
    text: str = ""
    #: results found, listed or not, and how many of them are violations (``None``: the
    #: report lists them all); a report lists at most ``QPVKG_MAX_REPORT_RESULTS``
    total: int | None = None
    total_violations: int | None = None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def result_count(self) -> int:
        """How many results the validation found (the report may list fewer)."""
        return len(self.results) if self.total is None else self.total

    @property
    def violation_count(self) -> int:
        """How many violations the validation found (the report may list fewer)."""
        return len(self.violations) if self.total_violations is None else self.total_violations

    @property
    def truncated(self) -> bool:
        """Whether the report lists only the first of its results."""
        return self.result_count > len(self.results)

    def summary(self) -> dict[str, int | bool]:
        """The counts a refusal gives beside the listed results."""
        return {
            "total": self.result_count,
            "violations": self.violation_count,
            "listed": len(self.results),
            "truncated": self.truncated,
        }

    def raise_for_violations(self, what: str) -> None:
        if not self.conforms:
            n = self.violation_count
            raise ValidationFailedError(
                f"{what}: {n} violation{'s' if n != 1 else ''} of the shapes",
                report=self.text,
                results=[r.as_dict() for r in self.results],
                **self.summary(),
            )


def rdflib_graph(quads: Iterable[ox.Quad]) -> Graph:
    """An rdflib graph holding the quads' triples."""
    graph = Graph()
    data = serialize_ntriples(quads)
    if data:
        graph.parse(data=data, format="nt")
    return graph


def source_files(settings: Settings, kind: str) -> list[Path]:
    return [s.path for s in discover(settings) if s.kind == kind]


def shapes_quads(settings: Settings) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in source_files(settings, "shapes"):
        quads.extend(parse_file(path, settings))
    return quads


def ontology_quads(settings: Settings) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in source_files(settings, "ontology"):
        quads.extend(parse_file(path, settings))
    return quads


def ontology_context(ontology: Sequence[ox.Quad], quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The ontology's triples about the IRIs the quads point to (e.g. SKOS concepts).

    pySHACL mixes only the RDFS/OWL part of the ontology into the data graph, so the
    description of the concepts the data uses is added to the data itself."""
    described = {q.subject for q in quads}
    pointed = {
        q.object for q in quads if isinstance(q.object, ox.NamedNode) and q.predicate != RDF_TYPE
    } - described
    return [ox.Quad(q.subject, q.predicate, q.object) for q in ontology if q.subject in pointed]


_PREPARED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}


@contextmanager
def prepared_sparql() -> Iterator[None]:
    """Parse each SPARQL text of the shapes once instead of once per focus node.

    pySHACL runs a SPARQL-based constraint (the SIREN Luhn check) once per focus
    node, and rdflib parses the query text at each run: about half a second for that
    query, hours over the communes. rdflib's prepared queries are made to be run
    many times with different bindings, so the parsed query is cached by its text, for the
    life of the process (the shapes' texts are few: parsing them cost 0.5 s per validation).
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache = _PREPARED

    def query(
        self: Any,
        text: Any,
        initBindings: Any = None,  # noqa: N803 - rdflib's parameter names
        initNs: Any = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Any:
        if isinstance(text, str):
            key = (text, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = processor.prepareQuery(text, initNs, base)
            text = cache[key]
        return original(self, text, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


ENGINES = ("pyshacl-turbo", "pyshacl")


@dataclass
class Validator:
    """Shapes and ontology loaded once, reused for many validations.

    Two engines give the same results on the project's shapes (the tests check it on every
    fixture): pySHACL, the reference, and pyshacl-turbo, which compiles the shapes once and
    validates in native code, about ten times faster (docs/performance.md). Both validate the
    same triples: the quads, their context, the ontology's triples about what they point to,
    and the RDFS/OWL axioms pySHACL mixes in from the ontology (rdflib, under pySHACL, writes a
    typed literal of non-canonical form in its canonical form; Oxigraph keeps it as given)."""

    settings: Settings
    shapes: Graph
    ontology: Graph
    ontology_quads: list[ox.Quad]
    engine: str = "pyshacl"
    compiled: Any = None  # pyshacl-turbo's compiled shapes

    @classmethod
    def from_settings(cls, settings: Settings, engine: str | None = None) -> Validator:
        ontology = ontology_quads(settings)
        validator = cls(
            settings=settings,
            shapes=rdflib_graph(shapes_quads(settings)),
            ontology=rdflib_graph(ontology),
            ontology_quads=ontology,
        )
        return validator.with_engine(engine or settings.shacl_engine)

    def with_engine(self, engine: str) -> Validator:
        """The same shapes and ontology (the same nodes), validated by another engine."""
        if engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
        if engine == self.engine and (engine == "pyshacl" or self.compiled is not None):
            return self
        other = Validator(self.settings, self.shapes, self.ontology, self.ontology_quads, engine)
        if engine == "pyshacl-turbo":
            other.compile()
        return other

    def compile(self) -> None:
        """Compile the shapes for pyshacl-turbo."""
        from pyshacl_turbo import compile_shapes

        self.compiled = compile_shapes(self.shapes, advanced=True)  # type: ignore[no-untyped-call]

    @cached_property
    def axioms(self) -> list[ox.Quad]:
        """The RDFS/OWL axioms pySHACL mixes from the ontology into the data graph."""
        from pyshacl.rdfutil.inoculate import inoculate

        mixed = inoculate(cast(Any, Graph()), self.ontology)
        text = mixed.serialize(format="nt", encoding="utf-8")
        return list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))

    def data_graph(
        self, quads: Sequence[ox.Quad], context: Iterable[ox.Quad] = ()
    ) -> list[ox.Quad]:
        """What an engine validates, in the default graph: the quads, their context, the
        marks of the quads' subjects (``UNDER_CHECK``) and of their points outside France
        (``loaders.infrance``), the ontology's triples about what they point to, and the
        axioms pySHACL mixes in."""
        quads = unmarked(quads)
        extra = ontology_context(self.ontology_quads, quads)
        marks = [*under_check(quads), *outside_france(self.settings, quads)]
        return [
            ox.Quad(q.subject, q.predicate, q.object)
            for q in [*quads, *unmarked(context), *marks, *extra, *self.axioms]
        ]

    def validate(
        self,
        quads: Sequence[ox.Quad],
        context: Iterable[ox.Quad] = (),
        limit: int | None = None,
    ) -> ValidationReport:
        """Validate the quads' triples; ``context`` adds facts (e.g. referenced territories).

        Every subject of the quads is checked against the shapes of its classes, whatever it
        carries (a bare ``<x> a qpvkg:Innovation`` too); the context's resources are not.
        The report lists the first ``limit`` results (default ``QPVKG_MAX_REPORT_RESULTS``)
        in the stable order of ``_sort_key``, and counts them all."""
        start = time.perf_counter()
        limit = self.settings.max_report_results if limit is None else limit
        if self.engine == "pyshacl-turbo":
            conforms, report, text, size = self._turbo(quads, context)
            report_nt: str | bytes = report
        else:
            quads = unmarked(quads)
            context = [
                *unmarked(context),
                *under_check(quads),
                *outside_france(self.settings, quads),
                *ontology_context(self.ontology_quads, quads),
            ]
            conforms, results_graph, text, size = self._pyshacl(quads, context)
            report_nt = results_graph.serialize(format="nt", encoding="utf-8")
        blank_nodes = self.compiled._blank_nodes if self.engine == "pyshacl-turbo" else None
        keys = sorted(
            _result_keys(report_nt, blank_nodes), key=lambda key: _key_order(key, self.shapes)
        )
        results = tuple(_result(key, self.shapes) for key in keys[:limit])
        violations = sum(1 for key in keys if key.severity == "Violation")
        log.info(
            "validated %d triples with %s: %d results (%.0f ms)",
            size,
            self.engine,
            len(keys),
            (time.perf_counter() - start) * 1000,
        )
        return ValidationReport(
            conforms=bool(conforms),
            results=results,
            text=str(text),
            total=len(keys),
            total_violations=violations,
        )

    def _turbo(
        self, quads: Sequence[ox.Quad], context: Iterable[ox.Quad]
    ) -> tuple[bool, str, str, int]:
        # An in-memory store goes to the engine as a native snapshot (no rdflib graph), and
        # the engine's report, N-Triples, is read by Oxigraph: pyshacl-turbo's public
        # ``validate`` would turn it into an rdflib graph first (about 2 ms a result).
        # ``_native.validate`` is private: its 13 arguments are those pyshacl-turbo 0.6.5's
        # ``CompiledShapes.validate`` passes (pinned <0.7 in pyproject.toml; the tests of
        # tests/http/test_validation_report.py fail if they change).
        from pyshacl_turbo.rdf import input_graph

        graph = self.data_graph(quads, context)
        data = ox.Store()
        data.bulk_extend(graph)
        source = input_graph(data, None, direct=True)  # type: ignore[no-untyped-call]
        conforms, report, text, _, _ = self.compiled._native.validate(
            source.source,
            source.format,
            source.base,
            False,  # iterate_rules
            100,  # max_rule_iterations
            15,  # max_validation_depth
            False,  # include_data
            True,  # allow_infos
            True,  # allow_warnings
            False,  # abort_on_first
            [],  # focus_nodes
            [],  # use_shapes
            [(p, str(ns)) for p, ns in source.namespaces.items()],
        )
        return conforms, report, text, len(graph) - len(self.axioms)

    def _pyshacl(
        self, quads: Sequence[ox.Quad], context: Sequence[ox.Quad]
    ) -> tuple[bool, Graph, str, int]:
        from pyshacl import validate

        data = rdflib_graph([*quads, *context])
        size = len(data)
        with prepared_sparql():
            conforms, results_graph, text = validate(
                data,
                shacl_graph=self.shapes,
                ont_graph=self.ontology,
                inference="none",
                abort_on_first=False,
                allow_infos=True,
                allow_warnings=True,
                advanced=True,
                meta_shacl=False,
                inplace=True,  # `data` is this call's own: the ontology is mixed into it
            )
        # pySHACL leaves reference cycles that hold its frames, and through them our callers'
        # frames and whatever they hold (an open store keeps its lock until freed): collect now.
        gc.collect()
        return conforms, results_graph, text, size


MARKS = frozenset((UNDER_CHECK, OUTSIDE_FRANCE))


def unmarked(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads without any triple that would pass for one of the validator's marks."""
    return [q for q in quads if q.predicate not in MARKS]


def under_check(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """One mark per subject of the data under check (see ``UNDER_CHECK``)."""
    subjects = dict.fromkeys(q.subject for q in quads)
    return [ox.Quad(s, UNDER_CHECK, UNDER_CHECK_FLAG) for s in subjects]


@dataclass(frozen=True)
class _ResultKey:
    """A result as the engine's report gives it: its terms, its messages read on demand."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    shape: str | None
    constraint: str | None
    shape_node: ox.NamedNode | ox.BlankNode | None
    messages: tuple[ox.Literal, ...]


def _result_keys(
    report: str | bytes, blank_nodes: dict[str, Any] | None = None
) -> list[_ResultKey]:
    """The top-level results of an engine's report (N-Triples), read by Oxigraph: only the
    result nodes' own triples become Python objects (nested sh:detail results carry
    pySHACL's generic text and are left out). ``blank_nodes`` maps the engine's labels of
    the shapes' blank nodes to the shapes graph's own."""
    nodes_of = blank_nodes or {}

    def rename(term: Any) -> Any:
        if isinstance(term, ox.BlankNode) and term.value in nodes_of:
            return ox.BlankNode(str(nodes_of[term.value]))
        return term

    def _term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        return term.value if not isinstance(term, ox.Triple) else str(term)

    wanted: dict[str, dict[Any, Any]] = {
        str(p): {}
        for p in (
            SH.resultSeverity,
            SH.focusNode,
            SH.resultPath,
            SH.value,
            SH.sourceShape,
            SH.sourceConstraintComponent,
        )
    }
    result_iri, message_iri = str(SH.result), str(SH.resultMessage)
    nodes: list[Any] = []
    messages: dict[Any, list[ox.Literal]] = {}
    # the labels are kept: they name the shapes' blank nodes (a store would rename them)
    for t in ox.parse(report or b"", format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False):
        predicate = t.predicate.value
        if predicate == result_iri:
            nodes.append(t.object)
        elif predicate == message_iri:
            if isinstance(t.object, ox.Literal):
                messages.setdefault(t.subject, []).append(t.object)
        elif predicate in wanted:
            wanted[predicate][t.subject] = rename(t.object)
    severity, focus, path, value, shape, constraint = wanted.values()

    def text(values: dict[Any, Any], node: Any) -> str | None:
        term = values.get(node)
        return None if term is None else _term_text(term)

    return [
        _ResultKey(
            severity=(text(severity, node) or str(SH.Violation)).rsplit("#", 1)[-1],
            focus=text(focus, node) or "",
            path=text(path, node),
            value=text(value, node),
            shape=text(shape, node),
            constraint=text(constraint, node),
            shape_node=shape.get(node),
            messages=tuple(messages.get(node, ())),
        )
        for node in nodes
    ]


def _message(key: _ResultKey, lang: str, shapes: Graph | None) -> str:
    messages: list[tuple[str, str | None]] = [(m.value, m.language) for m in key.messages]
    if (
        shapes is not None
        and key.shape_node is not None
        and not any(language == lang for _, language in messages)
    ):
        # a shape's sh:message values are its results' messages (SHACL); an engine that drops
        # the language tags of a SPARQL-based component's messages gets them from the shape
        node = key.shape_node
        shape = URIRef(node.value) if isinstance(node, ox.NamedNode) else BNode(node.value)
        messages += [
            (str(m), m.language)
            for m in shapes.objects(shape, SH.message)
            if isinstance(m, Literal) and m.language == lang
        ]
    for text, language in messages:
        if language == lang:
            return text
    for text, language in messages:
        if language is None:
            return text
    return messages[0][0] if messages else ""


def _result(key: _ResultKey, shapes: Graph | None) -> ValidationResult:
    return ValidationResult(
        severity=key.severity,
        focus=key.focus,
        path=key.path,
        value=key.value,
        message_fr=_message(key, "fr", shapes),
        message_en=_message(key, "en", shapes),
        shape=key.shape,
        constraint=key.constraint,
    )


def _key_order(key: _ResultKey, shapes: Graph | None) -> tuple[int, str, str, str, str, str, str]:
    """Severity, focus node and path first; the other fields settle ties, so that a report
    lists its results in the same order whatever the engine and the run (blank nodes aside:
    pySHACL labels them anew at each run)."""
    return (
        SEVERITY_ORDER.get(key.severity, 9),
        key.focus,
        key.path or "",
        key.constraint or "",
        key.value or "",
        key.shape or "",
        _message(key, "en", shapes),
    )


def readable_report(
    results: Sequence[dict[str, Any]], lang: str, counts: dict[str, Any] | None = None
) -> str:
    """A SHACL report as text a person reads: one line per result, naming the node, the
    path, the value and what to do (the shape's message), in French or English. With
    ``counts`` (``ValidationReport.summary``), a cut list says how many results it shows."""
    fr = lang == "fr"
    lines = []
    counts = counts or {}
    violations = counts.get("violations")
    if violations is None:
        violations = sum(1 for r in results if r.get("severity") == "Violation")
    lines.append(
        (
            f"{violations} violation(s) des formes SHACL :"
            if fr
            else f"{violations} SHACL violation(s):"
        )
        if violations
        else ("Conforme aux formes SHACL." if fr else "Conforms to the SHACL shapes.")
    )
    for r in results:
        message = r.get("message_fr" if fr else "message_en") or r.get("message_en") or ""
        where = f"<{r.get('focus')}>"
        if r.get("path"):
            where += f" {'chemin' if fr else 'path'} <{r['path']}>"
        if r.get("value"):
            where += f" {'valeur' if fr else 'value'} {r['value']}"
        lines.append(
            f"- [{r.get('severity')}] {where} : {message}"
            if fr
            else f"- [{r.get('severity')}] {where}: {message}"
        )
    if counts.get("truncated"):
        lines.append(truncation_note(len(results), int(counts.get("total", 0)), lang))
    return "\n".join(lines)


def truncation_note(listed: int, total: int, lang: str) -> str:
    """The line that ends a cut report (``QPVKG_MAX_REPORT_RESULTS``)."""
    if lang == "fr":
        return (
            f"({listed} premiers résultats sur {total} : corrigez-les, ou envoyez les "
            "données en plusieurs écritures, pour voir les suivants.)"
        )
    return (
        f"(the first {listed} of {total} results: fix them, or send the data in several "
        "writes, to see the next ones.)"
    )


def report_jsonld(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A SHACL validation report (sh:ValidationReport) as JSON-LD."""
    sh = str(SH)

    def iri(value: Any) -> dict[str, str] | None:
        return {"@id": str(value)} if value else None

    items = []
    for r in results:
        item: dict[str, Any] = {
            "@type": "sh:ValidationResult",
            "sh:resultSeverity": {"@id": f"sh:{r.get('severity')}"},
            "sh:focusNode": iri(r.get("focus")),
            "sh:resultMessage": [
                {"@value": r[key], "@language": lang}
                for key, lang in (("message_fr", "fr"), ("message_en", "en"))
                if r.get(key)
            ],
        }
        if r.get("path"):
            item["sh:resultPath"] = iri(r["path"])
        if r.get("value") is not None:
            item["sh:value"] = r["value"]
        if r.get("shape"):
            item["sh:sourceShape"] = iri(r["shape"])
        if r.get("constraint"):
            item["sh:sourceConstraintComponent"] = iri(r["constraint"])
        items.append({k: v for k, v in item.items() if v is not None})
    return {
        "@context": {"sh": sh},
        "@type": "sh:ValidationReport",
        "sh:conforms": not any(r.get("severity") == "Violation" for r in results),
        "sh:result": items,
    }

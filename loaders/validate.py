"""SHACL validation of RDF against the project's shapes, with pySHACL."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from loaders.errors import ValidationFailedError
from loaders.settings import Settings
from loaders.sources import discover, parse_file, serialize_ntriples

log = logging.getLogger(__name__)

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

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    def raise_for_violations(self, what: str) -> None:
        if not self.conforms:
            n = len(self.violations)
            raise ValidationFailedError(
                f"{what}: {n} violation{'s' if n != 1 else ''} of the shapes",
                report=self.text,
                results=[r.as_dict() for r in self.results],
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


@dataclass
class Validator:
    """Shapes and ontology loaded once, reused for many validations."""

    settings: Settings
    shapes: Graph
    ontology: Graph

    @classmethod
    def from_settings(cls, settings: Settings) -> Validator:
        return cls(
            settings=settings,
            shapes=rdflib_graph(shapes_quads(settings)),
            ontology=rdflib_graph(ontology_quads(settings)),
        )

    def validate(
        self, quads: Sequence[ox.Quad], context: Iterable[ox.Quad] = ()
    ) -> ValidationReport:
        """Validate the quads' triples; ``context`` adds facts (e.g. referenced territories)."""
        from pyshacl import validate

        start = time.perf_counter()
        data = rdflib_graph([*quads, *context])
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
        )
        results = tuple(sorted(_results(results_graph), key=_sort_key))
        # pySHACL leaves reference cycles that hold its frames, and through them our callers'
        # frames and whatever they hold (an open store keeps its lock until freed): collect now.
        gc.collect()
        log.info(
            "validated %d triples: %d results (%.0f ms)",
            len(data),
            len(results),
            (time.perf_counter() - start) * 1000,
        )
        return ValidationReport(conforms=bool(conforms), results=results, text=str(text))


def _sort_key(r: ValidationResult) -> tuple[int, str, str]:
    return (SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path or "")


def _text(graph: Graph, node: object, prop: URIRef) -> str | None:
    value = graph.value(node, prop)  # type: ignore[call-overload]
    return None if value is None else str(value)


def _message(graph: Graph, node: object, lang: str) -> str:
    messages = list(graph.objects(node, SH.resultMessage))  # type: ignore[arg-type]
    for m in messages:
        if isinstance(m, Literal) and m.language == lang:
            return str(m)
    for m in messages:
        if isinstance(m, Literal) and m.language is None:
            return str(m)
    return str(messages[0]) if messages else ""


def _results(graph: Graph) -> Iterable[ValidationResult]:
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        severity = _text(graph, node, SH.resultSeverity) or str(SH.Violation)
        yield ValidationResult(
            severity=severity.rsplit("#", 1)[-1],
            focus=_text(graph, node, SH.focusNode) or "",
            path=_text(graph, node, SH.resultPath),
            value=_text(graph, node, SH.value),
            message_fr=_message(graph, node, "fr"),
            message_en=_message(graph, node, "en"),
            shape=_text(graph, node, SH.sourceShape),
            constraint=_text(graph, node, SH.sourceConstraintComponent),
        )

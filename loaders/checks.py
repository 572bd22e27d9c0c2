"""Checks over files and the store: SHACL validation of files and the quality-check queries."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from loaders.namedqueries import NamedQuery, load_quality_checks
from loaders.ownership import check_ownership
from loaders.partners import PartnerRegistry, check_name
from loaders.progress import Progress
from loaders.references import context_from, load_reference_store, referenced_iris
from loaders.settings import Settings
from loaders.sources import discover, parse_file
from loaders.store import GraphStore, open_read, term_text
from loaders.validate import ValidationReport, Validator

log = logging.getLogger(__name__)


_REPOSITORY_STORES: dict[tuple[str, str], ox.Store] = {}


def repository_store(settings: Settings) -> ox.Store:
    """An in-memory store of every source of the repository, to resolve references
    (built once per process and project)."""
    key = (str(settings.project_dir), settings.base_iri)
    if key not in _REPOSITORY_STORES:
        _REPOSITORY_STORES[key] = _repository_store(settings)
    return _REPOSITORY_STORES[key]


def _repository_store(settings: Settings) -> ox.Store:
    sources = discover(settings)
    store = load_reference_store([s for s in sources if s.is_reference], settings)
    for source in sources:
        if not source.is_reference:
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object) for q in parse_file(source.path, settings)
            )
    return store


def validate_files(
    settings: Settings, files: Sequence[Path], progress: Progress, partner: str | None = None
) -> ValidationReport:
    """Validate files together; references to resources of the repository resolve against it.
    With ``partner``, the files are also held to what that partner may describe (403 rule of
    ``loaders.ownership``, with the namespaces of the partners file, if there is one)."""
    progress.step("Parsing", total=len(files))
    quads: list[ox.Quad] = []
    for path in files:
        quads.extend(parse_file(path, settings))
        progress.advance()
    if partner is not None:
        namespaces = PartnerRegistry.from_settings(settings).namespaces()
        check_ownership([q.triple for q in quads], settings, check_name(partner), namespaces)
    progress.step("Resolving references against the repository's data", total=None)
    context = context_from(repository_store(settings), referenced_iris(quads))
    progress.step("Validating against the shapes", total=None)
    return Validator.from_settings(settings).validate(quads, context)


def run_quality_checks(settings: Settings) -> dict[str, list[dict[str, str]]]:
    """Each quality check's rows over the built store (an empty list means it passes)."""
    checks = load_quality_checks(settings)
    with open_read(settings) as store:
        return {name: check_rows(store, check) for name, check in checks.items()}


def check_rows(store: GraphStore, check: NamedQuery) -> list[dict[str, str]]:
    """The rows one quality check returns over the union of the store's graphs."""
    solutions = store.query(check.sparql, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: term_text(row[n]) for n in names if row[n] is not None} for row in solutions]

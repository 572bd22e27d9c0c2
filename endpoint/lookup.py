"""Running the internal queries (``queries/internal/``) through the engine's workers and reading
their rows: SELECT rows and CONSTRUCT triples, variables bound as RDF terms or resources named in
a VALUES block; the vocabulary's labels, kept for the store generation."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from fastapi import Request

from endpoint.engine import QueryEngine
from endpoint.labels import LABEL_PROPERTIES, Labels, labels_from
from endpoint.pages.terms import Texts
from endpoint.sparqlterms import Term, solutions, triples_of, values_inside, values_list
from endpoint.worker import Job, TermSpec, term_spec
from loaders.namedqueries import internal_query
from loaders.settings import Settings

log = logging.getLogger(__name__)


Row = dict[str, Term | None]


_TEXTS: dict[tuple[Path, str, str], str] = {}


def query_text(settings: Settings, name: str) -> str:
    """An internal query (``queries/internal/NAME.rq``), read once."""
    key = (settings.queries_dir, settings.base_iri, name)
    text = _TEXTS.get(key)
    if text is None:
        text = _TEXTS[key] = internal_query(settings, name)
    return text


def substitutions(**terms: Term) -> tuple[tuple[str, TermSpec], ...]:
    return tuple((name, term_spec(term)) for name, term in terms.items())


def internal_job(settings: Settings, query: str, format_key: str, **terms: Term) -> Job:
    """A job of the server's own: its query text, the variables bound to ``terms``, read in
    ``format_key`` (json for rows, nt for triples), within the row cap."""
    return Job(
        query=query,
        accept=None,
        substitutions=substitutions(**terms),
        max_rows=settings.max_rows,
        format_key=format_key,
    )


async def select(engine: QueryEngine, settings: Settings, name: str, **terms: Term) -> list[Row]:
    """Rows of an internal SELECT query, its variables bound to ``terms``."""
    answer, _ = await engine.run(
        internal_job(settings, query_text(settings, name), "json", **terms)
    )
    return solutions(answer.body)


async def select_for(
    engine: QueryEngine,
    settings: Settings,
    name: str,
    variable: str,
    iris: Iterable[str],
    *,
    inside: bool = False,
) -> list[Row]:
    """Rows of an internal SELECT query about the resources ``iris`` (IRIs the store returned),
    named in a VALUES block appended to the query or, ``inside``, put in its placeholder
    ``VALUES ?variable { UNDEF }``."""
    names = list(iris)
    if not names:
        return []
    text = query_text(settings, name)
    if inside:
        text = values_inside(text, variable, names)
    else:
        text += values_list(variable, names)
    answer, _ = await engine.run(internal_job(settings, text, "json"))
    return solutions(answer.body)


async def construct(
    engine: QueryEngine, settings: Settings, name: str, **terms: Term
) -> list[ox.Triple]:
    """Triples of an internal CONSTRUCT or DESCRIBE query, its variables bound to ``terms``."""
    answer, _ = await engine.run(internal_job(settings, query_text(settings, name), "nt", **terms))
    if answer.truncated:
        log.warning("%s: the description was cut at %d triples", name, answer.rows)
    return triples_of(answer.body)


async def vocabulary_labels(request: Request, engine: QueryEngine, settings: Settings) -> Labels:
    """Labels of the ontology's terms and of the concepts, kept for the store generation."""
    generation = engine.generation.id if engine.generation else ""
    cached = request.app.state.vocabulary_labels
    if cached is not None and cached[0] == generation:
        labels: Labels = cached[1]
        return labels
    labels = labels_from(await select(engine, settings, "vocabulary-labels"))
    request.app.state.vocabulary_labels = (generation, labels)
    return labels


def texts_by_iri(labels: Labels) -> dict[str, Texts]:
    out: dict[str, Texts] = {}
    for iri, props in labels.values.items():
        texts: Texts = {}
        for prop in LABEL_PROPERTIES:
            for literal in props.get(prop, []):
                texts.setdefault(literal.language or "", literal.value)
        out[iri] = texts
    return out


async def label_texts(
    request: Request, engine: QueryEngine, settings: Settings
) -> dict[str, Texts]:
    return texts_by_iri(await vocabulary_labels(request, engine, settings))

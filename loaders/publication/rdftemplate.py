"""Descriptions written as templates: a Jinja2 template of Turtle (``publication/*.ttl.j2``),
rendered with the run's values written as RDF terms in N-Triples syntax (the filters
``iri`` and ``literal``, so that escaping is pyoxigraph's), then parsed into triples in the
order the template states them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from loaders.namespaces import XSD
from loaders.settings import Settings


def iri(value: object) -> str:
    """``value`` as an IRI, e.g. ``<http://example.org/>``."""
    return str(ox.NamedNode(str(value)))


def literal(value: object, datatype: str | None = None, language: str | None = None) -> str:
    """``value`` as a literal: plain, of the XSD datatype ``datatype`` (``"integer"``,
    ``"dateTime"``...) or in ``language``."""
    if datatype:
        return str(ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}{datatype}")))
    if language:
        return str(ox.Literal(str(value), language=language))
    return str(ox.Literal(str(value)))


@cache
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Turtle, its terms written by the filters
        keep_trailing_newline=True,
    )
    env.filters["iri"] = iri
    env.filters["literal"] = literal
    return env


def template_folder(settings: Settings) -> Path:
    return settings.project_dir / "publication"


def render_triples(settings: Settings, name: str, /, **context: Any) -> list[ox.Triple]:
    """The triples of the template ``publication/<name>``, in the order it states them."""
    text = _environment(template_folder(settings)).get_template(name).render(**context)
    return [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]

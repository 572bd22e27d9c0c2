"""The VoID description: the dataset, its partitions, one subset per graph, linksets; its
statements are those of the template ``publication/void.ttl.j2``."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.publication.descriptions import public_url
from loaders.publication.dumps import Dump
from loaders.publication.metadata import CatalogMetadata
from loaders.publication.rdftemplate import render_triples
from loaders.publication.statistics import Statistics
from loaders.settings import Settings

#: The template of the description, under ``publication/``.
VOID_TEMPLATE = "void.ttl.j2"


def void_iri(settings: Settings) -> str:
    return f"{settings.base_iri}.well-known/void#qpvkg"


def void_triples(
    settings: Settings, stats: Statistics, dumps: list[Dump], modified: str, meta: CatalogMetadata
) -> list[ox.Triple]:
    """The VoID description: the dataset, its partitions, one subset per graph, linksets."""
    return render_triples(
        settings,
        VOID_TEMPLATE,
        ds=void_iri(settings),
        url=public_url(settings),
        settings=settings,
        stats=stats,
        dumps=dumps,
        modified=modified,
        meta=meta,
    )

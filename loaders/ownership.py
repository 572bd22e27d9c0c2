"""Whose resources a partner may describe: the ones it mints; about the others, links only.

A partner mints IRIs in its own spaces:

- ``{base}id/partner/{name}/...``, its space in the graph's namespace (beside its graphs,
  ``{base}graph/partner/{name}/...``);
- the namespaces the operator registered for it (``qpvkg partner add NAME --namespace IRI``,
  e.g. its own domain ``https://data.reseau-exemple.fr/``), which no other partner may use.

Blank nodes are always the document's own. Every other resource is someone else's: the graph's
curated resources and official territories (any other IRI under ``{base}``), another partner's
spaces. About those, a partner states links only (its innovation is in a curated commune, a
note): never the properties that describe a resource (its type, labels, descriptions, source,
identifiers, dates, geometry), listed in ``queries/internal/description-properties.rq``. An IRI
outside ``{base}`` and outside every registered namespace may be described by any partner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox

from loaders.errors import ForbiddenError
from loaders.namedqueries import internal_query
from loaders.settings import Settings

#: Refused resources listed in an error's details, at most.
SHOWN = 20


def partner_id_prefix(settings: Settings, partner: str) -> str:
    """The partner's IRI space in the graph's namespace: ``{base}id/partner/{name}/``."""
    return f"{settings.base_iri}id/partner/{partner}/"


@lru_cache(maxsize=8)
def _description_properties(text: str) -> frozenset[str]:
    rows = ox.Store().query(text)
    assert isinstance(rows, ox.QuerySolutions)
    return frozenset(row["property"].value for row in rows)


def description_properties(settings: Settings) -> frozenset[str]:
    """The properties a partner states only about its own resources (read from the file)."""
    text = internal_query(settings, "description-properties")
    return _description_properties(text)


def owner_of(iri: str, settings: Settings, namespaces: Mapping[str, Sequence[str]]) -> str | None:
    """The partner whose space holds the IRI; ``""`` for the project's own resources (any
    other IRI under the base); None for an IRI nobody claims."""
    space = f"{settings.base_iri}id/partner/"
    if iri.startswith(space):
        name = iri[len(space) :].split("/", 1)[0]
        return name if "/" in iri[len(space) :] else ""
    for partner, prefixes in namespaces.items():
        if iri.startswith(tuple(prefixes)):
            return partner
    return "" if iri.startswith(settings.base_iri) else None


def check_ownership(
    triples: Iterable[ox.Triple],
    settings: Settings,
    partner: str,
    namespaces: Mapping[str, Sequence[str]],
) -> None:
    """403 when the triples describe a resource the partner did not mint; the error's
    details list each such resource, its owner and the properties refused."""
    described = description_properties(settings)
    refused: dict[str, set[str]] = {}
    owners: dict[str, str] = {}
    for t in triples:
        s = t.subject
        if not isinstance(s, ox.NamedNode) or t.predicate.value not in described:
            continue
        if s.value not in owners:
            owner = owner_of(s.value, settings, namespaces)
            owners[s.value] = partner if owner is None else owner
        if owners[s.value] != partner:
            refused.setdefault(s.value, set()).add(t.predicate.value)
    if not refused:
        return
    resources = [
        {
            "subject": subject,
            "owner": f"partner {owners[subject]}" if owners[subject] else "the project",
            "properties": sorted(props),
        }
        for subject, props in sorted(refused.items())
    ]
    allowed = [partner_id_prefix(settings, partner), *namespaces.get(partner, ())]
    more = f" (the first {SHOWN} listed)" if len(resources) > SHOWN else ""
    raise ForbiddenError(
        f"partner {partner!r} may describe only the resources it mints (IRIs under "
        f"{', '.join(allowed)}, or blank nodes) and may only link to the others: "
        f"{len(resources)} resource(s) of someone else described{more}; "
        "keep the links (your resource's territory, actor...), drop the other properties",
        resources=resources[:SHOWN],
        refused=len(resources),
        allowed=allowed,
    )

"""An actor's network: the nodes and edges of the graph view and its table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from endpoint.iris import href_of
from endpoint.pages.terms import Row, Texts, local_name
from endpoint.sparqlterms import Term

NODE_KINDS = {
    "Innovation": "innovation",
    "SupportScheme": "scheme",
    "PublicSupportScheme": "scheme",
    "Partnership": "partnership",
    "Organisation": "organisation",
    "Person": "person",
}


def network_of(
    rows: Iterable[Row], actor: str, base_iri: str, role_labels: Mapping[str, Texts]
) -> dict[str, Any]:
    """Nodes and edges of an actor's network, for the graph view and its table."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def node(term: Term | None, label: Term | None, cls: Term | None) -> str | None:
        if not isinstance(term, ox.NamedNode):
            return None
        entry = nodes.setdefault(
            term.value,
            {
                "id": term.value,
                "href": href_of(term.value, base_iri),
                "label": term.value,
                "kind": "other",
                "center": term.value == actor,
            },
        )
        if label is not None:
            entry["label"] = label.value
        if isinstance(cls, ox.NamedNode):
            kind = NODE_KINDS.get(local_name(cls.value))
            if kind and (entry["kind"] == "other" or kind != "organisation"):
                entry["kind"] = kind
        return term.value

    for row in rows:
        source = node(row.get("from"), row.get("fromLabel"), row.get("fromType"))
        target = node(row.get("to"), row.get("toLabel"), row.get("toType"))
        if source is None or target is None or source == target:
            continue
        kind = row.get("kind")
        role = row.get("role")
        role_iri = role.value if isinstance(role, ox.NamedNode) else ""
        key = (source, target, kind.value if kind is not None else "", role_iri)
        edges[key] = {
            "source": source,
            "target": target,
            "kind": key[2],
            "role": role_iri,
            "roleLabels": dict(role_labels.get(role_iri, {})) if role_iri else {},
        }
    if actor not in nodes:
        nodes[actor] = {
            "id": actor,
            "href": href_of(actor, base_iri),
            "label": actor,
            "kind": "other",
            "center": True,
        }
    ordered = sorted(nodes.values(), key=lambda n: (not n["center"], n["kind"], n["label"].lower()))
    return {
        "actor": actor,
        "nodes": ordered,
        "edges": sorted(edges.values(), key=lambda e: (e["kind"], e["target"], e["source"])),
    }

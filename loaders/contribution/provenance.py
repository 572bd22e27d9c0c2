"""What the store records of each version of a partner graph (PROV-O, DCAT 3 versions),
in the contributions' registry graph."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.namespaces import DCAT, DCTERMS, PROV, RDF, RDFS, SPDX, VOID, XSD
from loaders.settings import Settings


def registry_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("contributions"))


def partner_iri(settings: Settings, partner: str) -> str:
    return f"{settings.base_iri}id/partner/{partner}"


def provenance_triples(
    settings: Settings,
    graph: str,
    version: int,
    action: str,
    partner: str,
    when: str,
    triples: int,
    checksum: str,
    added: int,
    removed: int,
    live: bool,
) -> list[ox.Triple]:
    """The graph's current description and the record of this version (PROV-O, DCAT 3)."""
    g = ox.NamedNode(graph)
    v = ox.NamedNode(f"{graph}#v{version}")
    c = ox.NamedNode(f"{graph}#v{version}-checksum")
    agent = ox.NamedNode(partner_iri(settings, partner))
    ns = settings.def_ns

    def lit(value: str | int, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))

    out = [
        ox.Triple(agent, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Agent")),
        ox.Triple(agent, ox.NamedNode(f"{RDFS}label"), ox.Literal(partner)),
        ox.Triple(v, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Entity")),
        ox.Triple(v, ox.NamedNode(f"{DCAT}isVersionOf"), g),
        ox.Triple(v, ox.NamedNode(f"{PROV}specializationOf"), g),
        ox.Triple(v, ox.NamedNode(f"{DCAT}version"), lit(version, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}writeAction"), ox.Literal(action)),
        ox.Triple(v, ox.NamedNode(f"{PROV}wasAttributedTo"), agent),
        ox.Triple(v, ox.NamedNode(f"{PROV}generatedAtTime"), lit(when, f"{XSD}dateTime")),
        ox.Triple(v, ox.NamedNode(f"{VOID}triples"), lit(triples, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}triplesAdded"), lit(added, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{ns}triplesRemoved"), lit(removed, f"{XSD}integer")),
        ox.Triple(v, ox.NamedNode(f"{SPDX}checksum"), c),
        ox.Triple(
            c, ox.NamedNode(f"{SPDX}algorithm"), ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256")
        ),
        ox.Triple(c, ox.NamedNode(f"{SPDX}checksumValue"), ox.Literal(checksum)),
    ]
    if version > 1:
        previous = ox.NamedNode(f"{graph}#v{version - 1}")
        out.append(ox.Triple(v, ox.NamedNode(f"{PROV}wasRevisionOf"), previous))
        out.append(ox.Triple(v, ox.NamedNode(f"{DCAT}previousVersion"), previous))
    if live:
        out += [
            ox.Triple(g, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{VOID}Dataset")),
            ox.Triple(g, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Entity")),
            ox.Triple(g, ox.NamedNode(f"{PROV}wasAttributedTo"), agent),
            ox.Triple(g, ox.NamedNode(f"{DCAT}hasCurrentVersion"), v),
            ox.Triple(g, ox.NamedNode(f"{DCTERMS}modified"), lit(when, f"{XSD}dateTime")),
            ox.Triple(g, ox.NamedNode(f"{VOID}triples"), lit(triples, f"{XSD}integer")),
        ]
    return out

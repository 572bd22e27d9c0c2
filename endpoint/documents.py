"""RDF documents of the store's resources: Turtle, RDF/XML, N-Triples with the prefixes they use,
JSON-LD compacted with the project's context (contexts read locally), a named graph's dump as
N-Quads or TriG."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from endpoint.jsonldcontext import context_document, context_url
from loaders.rdfformats import RDF_BY_KEY
from loaders.settings import Settings
from loaders.sources import local_context_loader


def used_prefixes(triples: Iterable[ox.Triple], table: Mapping[str, str]) -> dict[str, str]:
    """The prefixes a Turtle or RDF/XML document needs (the others are left out)."""
    iris: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {prefix: ns for prefix, ns in table.items() if any(i.startswith(ns) for i in iris)}


def serialize(triples: Sequence[ox.Triple], key: str, table: Mapping[str, str]) -> bytes:
    """Triples in one of pyoxigraph's formats, with the prefixes they use."""
    syntax = RDF_BY_KEY[key]
    out = io.BytesIO()
    prefixes = used_prefixes(triples, table) if syntax.prefixed else None
    ox.serialize(triples, out, syntax.oxigraph, prefixes=prefixes)
    return out.getvalue()


def embed_blank_nodes(nodes: list[dict[str, Any]], roots: Sequence[str]) -> list[dict[str, Any]]:
    """Expanded JSON-LD nodes with each blank node referenced once put inside its referrer
    (an involvement inside its innovation), the roots first."""
    by_id = {node["@id"]: node for node in nodes if "@id" in node}
    references: Counter[str] = Counter()
    for node in nodes:
        for key, values in node.items():
            if key.startswith("@") or not isinstance(values, list):
                continue
            for v in values:
                if isinstance(v, dict) and set(v) == {"@id"} and v["@id"].startswith("_:"):
                    references[v["@id"]] += 1
    inline = {i for i, n in references.items() if n == 1 and i in by_id}

    def expand(node: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@id" and node[key] in inline:
                continue
            if key.startswith("@") or not isinstance(values, list):
                out[key] = values
                continue
            items = []
            for v in values:
                ref = v.get("@id") if isinstance(v, dict) and set(v) == {"@id"} else None
                if ref in inline and ref not in seen:
                    items.append(expand(by_id[ref], seen | {ref}))
                else:
                    items.append(v)
            out[key] = items
        return out

    order = {iri: i for i, iri in enumerate(roots)}
    top = [n for n in nodes if n.get("@id") not in inline]
    top.sort(key=lambda n: (order.get(n.get("@id", ""), len(order)), n.get("@id", "")))
    return [expand(n, frozenset({n.get("@id", "")})) for n in top]


def jsonld_document(
    triples: Sequence[ox.Triple], roots: Sequence[str], settings: Settings
) -> bytes:
    """JSON-LD compacted with the project's context (pyld, contexts read locally)."""
    from pyld import jsonld

    nquads = serialize(triples, "nt", {}).decode("utf-8")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    nodes = embed_blank_nodes(expanded, roots)
    url = context_url(settings)
    if url is None:
        document: Any = nodes
    else:
        document = jsonld.compact(nodes, url, {"documentLoader": document_loader(settings)})
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def document_loader(settings: Settings) -> Any:
    """pyld's loader: the project's contexts (rebased onto the server's base), nothing remote."""
    fallback = local_context_loader(settings)
    prefix = f"{settings.base_iri}context/"

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url.startswith(prefix):
            body = context_document(settings, url[len(prefix) :])
            if body is not None:
                return {
                    "contentType": "application/ld+json",
                    "contextUrl": None,
                    "documentUrl": url,
                    "document": json.loads(body),
                }
        result: dict[str, Any] = fallback(url, options)
        return result

    return loader


def ntriples_to_dataset(body: bytes, graph: str, key: str) -> bytes:
    """N-Triples as N-Quads or TriG in the named graph ``graph``, by rewriting the lines: an
    N-Triples line ends with " .\n" and a literal never holds a raw newline, so this is exact
    (and fast on a graph of 400,000 triples)."""
    name = str(ox.NamedNode(graph)).encode("utf-8")
    if key == "nq":
        return body.replace(b" .\n", b" " + name + b" .\n")
    return name + b" {\n" + body + b"}\n"

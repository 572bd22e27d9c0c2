"""A resource of the store and its representations: what the store holds about an IRI (its
description, the links to it, the evidence of its classifications), given as an HTML page or in
an RDF format chosen by suffix or ``Accept``, with validators from the store generation."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from starlette.responses import Response

from endpoint.description import Describer, Node, Value
from endpoint.documents import jsonld_document, serialize
from endpoint.engine import QueryEngine
from endpoint.httpcache import etag, http_date, not_modified
from endpoint.iris import (
    FORMAT_NAMES,
    RESOURCE_KEYS,
    local_href,
    resource_formats,
    split_suffix,
    valid_iri,
)
from endpoint.jsonldcontext import prefixes
from endpoint.labels import Labels, best_label, labels_from
from endpoint.lookup import Row, construct, query_text, select, vocabulary_labels
from endpoint.negotiation import BY_KEY, HTML, Format, negotiate
from endpoint.pages.maps import qpv_model
from endpoint.sparqlterms import Term, with_iris
from loaders import __version__
from loaders.errors import UnknownResourceError
from loaders.namespaces import RDF_TYPE
from loaders.settings import Settings

#: Incoming links shown per property on a page; groups of incoming links shown.
INCOMING_SHOWN = 50
INCOMING_GROUPS = 20


@dataclass
class Count:
    via: str | None
    prop: str
    count: int


@dataclass(frozen=True)
class Evidence:
    """What one classification of the resource rests on: the study (with its words) or an
    editorial reading."""

    basis: str
    quote: str | None = None


def evidence_from(rows: list[Row], base_iri: str) -> dict[tuple[str, str], Evidence]:
    """Each (property, value) of the resource that a statement names, with its basis."""
    prefix = f"{base_iri}concept/basis/"
    found: dict[tuple[str, str], Evidence] = {}
    for row in rows:
        prop, value, basis = row.get("property"), row.get("value"), row.get("basis")
        if not isinstance(prop, ox.NamedNode) or not isinstance(basis, ox.NamedNode):
            continue
        if value is None or not basis.value.startswith(prefix):
            continue
        quote = row.get("quote")
        key = (prop.value, value.value)
        if key not in found or found[key].quote is None:
            found[key] = Evidence(
                basis=basis.value[len(prefix) :],
                quote=quote.value if isinstance(quote, ox.Literal) else None,
            )
    return found


@dataclass
class Description:
    """What the store holds about one IRI."""

    iri: str
    triples: list[ox.Triple]
    graphs: list[str]
    labels: Labels
    counts: list[Count]
    evidence: dict[tuple[str, str], Evidence] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return bool(self.triples or self.counts)


async def describe(
    request: Request, engine: QueryEngine, settings: Settings, iri: str, *, document: bool
) -> Description:
    node = ox.NamedNode(iri)
    triples, counts, graphs, labels, vocabulary, evidence = await asyncio.gather(
        construct(
            engine, settings, "document-describe" if document else "resource-describe", iri=node
        ),
        select(engine, settings, "resource-incoming-counts", iri=node),
        select(engine, settings, "document-graphs" if document else "resource-graphs", iri=node),
        select(engine, settings, "resource-labels", iri=node),
        vocabulary_labels(request, engine, settings),
        select(engine, settings, "resource-evidence", iri=node),
    )
    merged = Labels()
    merged.merge(vocabulary)
    merged.merge(labels_from(labels))
    return Description(
        iri=iri,
        triples=triples,
        graphs=[g.value for row in graphs if isinstance(g := row.get("graph"), ox.NamedNode)],
        labels=merged,
        counts=[
            Count(
                via=via.value if isinstance(via := row.get("via"), ox.NamedNode) else None,
                prop=prop.value,
                count=int(n.value) if isinstance(n := row.get("count"), ox.Literal) else 0,
            )
            for row in counts
            if isinstance(prop := row.get("property"), ox.NamedNode)
        ],
        evidence=evidence_from(evidence, settings.base_iri),
    )


#: Links a page does not list among the incoming ones: SHACL's workings (a shape's sh:in list
#: naming a concept, its sh:class, sh:hasValue...) and RDF lists' cells; /shapes shows them.
INTERNAL_LINKS = (
    "http://www.w3.org/ns/shacl#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#first",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest",
)


def shown_elsewhere(count: Count) -> bool:
    return any(
        iri is not None and iri.startswith(INTERNAL_LINKS) for iri in (count.prop, count.via)
    )


@dataclass
class IncomingItem:
    value: Value
    role: str | None = None


@dataclass
class Incoming:
    """The resources that link to the page's resource through one property."""

    via: Value | None
    prop: Value
    count: int
    items: list[IncomingItem] = field(default_factory=list)
    listing: str = ""

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))


async def incoming(
    engine: QueryEngine, settings: Settings, description: Description, describer: Describer
) -> list[Incoming]:
    """The first links of each incoming group (counted by one query, listed by one per group)."""
    node = ox.NamedNode(description.iri)
    groups = [c for c in description.counts if not shown_elsewhere(c)][:INCOMING_GROUPS]
    queries = [
        select(engine, settings, "resource-incoming", iri=node, property=ox.NamedNode(c.prop))
        if c.via is None
        else select(
            engine,
            settings,
            "resource-incoming-qualified",
            iri=node,
            via=ox.NamedNode(c.via),
            property=ox.NamedNode(c.prop),
        )
        for c in groups
    ]
    out = []
    for group, rows in zip(groups, await asyncio.gather(*queries), strict=True):
        by_source: dict[str, tuple[list[Term], list[Term]]] = {}
        for row in rows:
            source = row.get("source")
            if not isinstance(source, ox.NamedNode):
                continue
            labels, roles = by_source.setdefault(source.value, ([], []))
            if (label := row.get("label")) is not None:
                labels.append(label)
            if (role := row.get("roleLabel") or row.get("role")) is not None:
                roles.append(role)
        items = []
        for source_iri, (labels, roles) in by_source.items():
            value = describer.iri_value(source_iri)
            if name := best_label(labels):
                value.text = name
            role_text = best_label(roles)
            role_iri = next((r.value for r in roles if isinstance(r, ox.NamedNode)), None)
            if role_text is None and role_iri is not None:
                role_text = describer.iri_value(role_iri).text
            items.append(IncomingItem(value, role_text))
        items.sort(key=lambda i: i.value.text.lower())
        listing_terms = {"resource": description.iri, "property": group.prop}
        name = "incoming-listing"
        if group.via is not None:
            listing_terms["via"] = group.via
            name = "incoming-qualified-listing"
        query = with_iris(query_text(settings, name), **listing_terms)
        out.append(
            Incoming(
                via=describer.iri_value(group.via) if group.via else None,
                prop=describer.iri_value(group.prop),
                count=group.count,
                items=items,
                listing="/sparql?" + urlencode({"query": query}),
            )
        )
    return out


def pick_format(request: Request, suffix: str | None, keys: tuple[str, ...]) -> Format:
    """The representation: the suffix's, else HTML for a browser, else by Accept."""
    offered = resource_formats(keys)
    return negotiate(request.headers.get("accept"), offered, given=suffix, what="this resource")


def validators(engine: QueryEngine, fmt: Format) -> dict[str, str]:
    generation = engine.generation
    if generation is None:
        return {}
    return {
        "ETag": etag(generation.id, __version__, fmt.key),
        "Last-Modified": http_date(generation.last_modified),
    }


def headers_for(
    request: Request, engine: QueryEngine, fmt: Format, suffix: str | None, stem_path: str
) -> dict[str, str]:
    headers = validators(engine, fmt)
    if suffix is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{stem_path}.{fmt.key}"
    return headers


def revalidated(request: Request, engine: QueryEngine, headers: dict[str, str]) -> Response | None:
    """304 Not Modified when the client's copy is current."""
    if "ETag" not in headers or engine.generation is None:
        return None
    if not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        headers["ETag"],
        engine.generation.last_modified,
    ):
        keep = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified", "Vary")}
        return Response(status_code=304, headers=keep)
    return None


def rdf_response(body: bytes, fmt: Format, headers: dict[str, str], head: bool) -> Response:
    return Response(b"" if head else body, media_type=fmt.content_type, headers=headers)


def alternates(stem_path: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {
            "href": f"{stem_path}.{key}",
            "type": BY_KEY[key].media_type,
            "name": FORMAT_NAMES[key],
            "key": key,
        }
        for key in keys
    ]


async def rdf_body(
    description: Description, fmt: Format, settings: Settings, engine: QueryEngine
) -> bytes:
    """The resource's description, the labels of what it links to, in an RDF format; a resource
    only referred to is described by the first links to it."""
    triples = list(description.triples)
    subjects = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    if not triples:
        node = ox.NamedNode(description.iri)
        for group in description.counts[:INCOMING_GROUPS]:
            if group.via is None:
                prop = ox.NamedNode(group.prop)
                rows = await select(engine, settings, "resource-incoming", iri=node, property=prop)
                triples.extend(
                    ox.Triple(s, prop, node)
                    for row in rows
                    if isinstance(s := row.get("source"), ox.NamedNode)
                )
    linked = {
        t.object.value
        for t in triples
        if isinstance(t.object, ox.NamedNode) and t.object.value not in subjects
    }
    linked |= {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)} - subjects
    everything = list(dict.fromkeys([*triples, *description.labels.triples(sorted(linked))]))
    if fmt.key == "jsonld":
        roots = [description.iri, *sorted(s for s in subjects if s != description.iri)]
        return await asyncio.to_thread(jsonld_document, everything, roots, settings)
    return serialize(everything, fmt.key, prefixes(settings))


def title_of(node: Node, iri: str, base_iri: str) -> str:
    if node.label:
        return node.label
    return (local_href(iri, base_iri) or iri).lstrip("/") or iri


async def html_page(
    request: Request,
    engine: QueryEngine,
    settings: Settings,
    description: Description,
    stem_path: str,
    keys: tuple[str, ...],
    headers: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> Response:
    if request.method == "HEAD":
        return Response(b"", media_type=HTML.content_type, headers=headers)
    describer = Describer(description.triples, description.labels, settings)
    main = describer.node(description.iri)
    parts = [
        describer.node(s, anchor=s[len(description.iri) + 1 :])
        for s in describer.subjects()
        if s.startswith(description.iri + "#")
    ]
    parts.sort(key=lambda n: ([t.text for t in n.types], (n.label or n.iri).lower()))
    groups = await incoming(engine, settings, description, describer)
    context = {
        "iri": description.iri,
        "title": title_of(main, description.iri, settings.base_iri),
        "parts_title": "Termes" if extra is None else "Ressources liées",
        "node": main,
        "parts": parts,
        "incoming": groups,
        "graphs": [describer.iri_value(g) for g in description.graphs],
        "alternates": alternates(stem_path, keys),
        "html_href": f"{stem_path}.html",
        "evidence": {f"{p} {v}": e for (p, v), e in description.evidence.items()},
        **(extra or {}),
    }
    response: Response = request.app.state.templates.TemplateResponse(
        request, "resource.html", context, headers=headers
    )
    return response


#: The classes whose pages have a small map (what /map/around draws for them).
MAPPED = ("http://rdf.insee.fr/def/geo#Commune", "def#Innovation", "def#QuartierPrioritaire")


def types_of(description: Description) -> set[str]:
    return {
        t.object.value
        for t in description.triples
        if isinstance(t.subject, ox.NamedNode)
        and t.subject.value == description.iri
        and t.predicate.value == RDF_TYPE
        and isinstance(t.object, ox.NamedNode)
    }


async def page_extras(
    engine: QueryEngine, settings: Settings, description: Description
) -> dict[str, Any] | None:
    """What a page shows beyond the description: a small map for a commune, an innovation or
    a QPV; for a QPV, what is located in it and who serves it."""
    types = types_of(description)
    mapped = {c if c.startswith("http") else settings.base_iri + c for c in MAPPED}
    if not types & mapped:
        return None
    extra: dict[str, Any] = {"small_map": True}
    if f"{settings.def_ns}QuartierPrioritaire" in types:
        node = ox.NamedNode(description.iri)
        located, served = await asyncio.gather(
            select(engine, settings, "qpv-located", qpv=node),
            select(engine, settings, "qpv-served", qpv=node),
        )
        extra["qpv"] = qpv_model(located, served, settings.base_iri)
    return extra


async def resource(
    request: Request,
    engine: QueryEngine,
    settings: Settings,
    prefix: str,
    path: str,
    *,
    document: bool = False,
) -> Response:
    """The page or RDF of ``{base}{prefix}{path}``; a format suffix may end ``path``."""
    start = time.perf_counter()
    stem, suffix = split_suffix(path, RESOURCE_KEYS)
    candidates = [(stem, suffix)]
    if suffix is not None:
        candidates.append((path, None))  # a key that happens to end like a format
    for candidate, candidate_suffix in candidates:
        iri = f"{settings.base_iri}{prefix}{candidate}"
        if not valid_iri(iri):
            continue
        fmt = pick_format(request, candidate_suffix, RESOURCE_KEYS)
        stem_path = f"/{prefix}{candidate}"
        headers = headers_for(request, engine, fmt, candidate_suffix, stem_path)
        if (cached := revalidated(request, engine, headers)) is not None:
            return cached
        description = await describe(request, engine, settings, iri, document=document)
        if not description.known:
            continue
        headers["Server-Timing"] = f"describe;dur={(time.perf_counter() - start) * 1000:.1f}"
        if fmt is HTML:
            extra = await page_extras(engine, settings, description)
            return await html_page(
                request, engine, settings, description, stem_path, RESOURCE_KEYS, headers, extra
            )
        body = await rdf_body(description, fmt, settings, engine)
        return rdf_response(body, fmt, headers, request.method == "HEAD")
    raise UnknownResourceError(
        f"the graph holds nothing about <{settings.base_iri}{prefix}{stem}>",
        iri=f"{settings.base_iri}{prefix}{stem}",
    )


NEGOTIATION = (
    "HTML for a browser; Turtle, JSON-LD (compacted with the project's context), RDF/XML or "
    "N-Triples by Accept or by a .ttl, .jsonld, .rdf, .nt or .html suffix. 404 for an IRI the "
    "graph does not hold; ETag and Last-Modified from the store generation (304 on revalidation)."
)

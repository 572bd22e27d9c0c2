"""IRIs and the paths that name them: the local page of an IRI under the base, the link a page
makes to it, a path's format suffix and the formats a resource is offered in."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from endpoint.negotiation import BY_KEY, HTML, Format
from loaders.rdfformats import RDF_SYNTAXES

#: RDF representations of a resource, by file suffix; HTML is offered too.
RESOURCE_KEYS = ("ttl", "jsonld", "rdf", "nt")

#: A named graph's dump is offered in the dataset formats as well.
GRAPH_KEYS = (*RESOURCE_KEYS, "nq", "trig")

#: The formats' names for people.
FORMAT_NAMES = {"html": "HTML", **{s.key: s.label for s in RDF_SYNTAXES}}


def split_suffix(path: str, keys: Sequence[str]) -> tuple[str, str | None]:
    """(path without a format suffix, the suffix): only ``html`` or one of ``keys`` is a suffix,
    so ``organisation/simplon.co`` keeps its dot."""
    stem, dot, suffix = path.rpartition(".")
    if dot and stem and not stem.endswith("/") and (suffix == "html" or suffix in keys):
        return stem, suffix
    return path, None


def resource_formats(keys: Sequence[str] = RESOURCE_KEYS) -> tuple[Format, ...]:
    """The formats offered by content negotiation: RDF first (``*/*`` gets Turtle), then HTML."""
    return (*(BY_KEY[k] for k in keys), HTML)


def local_href(iri: str, base_iri: str) -> str | None:
    """The local page of an IRI under the base (the server answers every host), or None."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return None


#: The only schemes a page links to: any other IRI (javascript:, data:, vbscript:...) is shown
#: as text, never as a link, whatever the data says.
WEB_SCHEMES = ("http", "https")


def href_of(iri: str, base_iri: str) -> str | None:
    """The link a page makes to an IRI: its local page under the base, the IRI itself when it
    is a web (http, https) IRI, else None, and the page shows the IRI as text. The one rule for
    links in the templates (the pages' scripts apply the same one, ``links.js``)."""
    local = local_href(iri, base_iri)
    if local is not None:
        return local
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.strip().lower() in WEB_SCHEMES else None


def valid_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True

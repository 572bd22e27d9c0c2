"""Links to the terms and resources a page names, and the readers of triples and rows the
page models share: texts by language, objects by subject and predicate, IRIs, compact names.

Pure functions, as all of ``endpoint/pages/``: ``endpoint/routes/pages.py`` runs the queries
(``queries/internal/``) through the engine and hands their results here. Texts in several
languages are kept as ``{language: text}`` maps; the templates pick the page's language
(``endpoint/i18n.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from endpoint import jsonldcontext
from endpoint.i18n import term_name
from endpoint.iris import href_of, local_href
from endpoint.sparqlterms import Term

Row = Mapping[str, Term | None]

Texts = dict[str, str]


@dataclass
class Ref:
    """A link to a term or a resource: its text, where it goes, its compact name."""

    iri: str
    text: str
    href: str | None
    qname: str
    local: bool = True
    labels: Texts = field(default_factory=dict)


def texts_of(literals: Iterable[Term]) -> Texts:
    """{language: text} of literals (the first one of each language)."""
    out: Texts = {}
    for term in literals:
        if isinstance(term, ox.Literal):
            out.setdefault(term.language or "", term.value)
    return out


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


class Terms:
    """Makes links to IRIs: a term of the page gets its anchor, a resource under the base its
    local page, anything else its own IRI, each named by its label or compact name."""

    def __init__(
        self,
        base_iri: str,
        prefixes: Mapping[str, str],
        labels: Mapping[str, Texts],
        anchors: Mapping[str, str] | None = None,
    ) -> None:
        self.base = base_iri
        self.prefixes = prefixes
        self.labels = labels
        self.anchors = anchors or {}

    def ref(self, iri: str) -> Ref:
        qname = jsonldcontext.qname(iri, self.prefixes)
        labels = dict(self.labels.get(iri, {}))
        name = term_name(iri)
        if not labels and name is not None:
            labels = {"fr": name}
        anchor = self.anchors.get(iri)
        local = local_href(iri, self.base)
        href = f"#{anchor}" if anchor else href_of(iri, self.base)
        return Ref(
            iri=iri,
            text=qname,
            href=href,
            qname=qname,
            local=anchor is not None or local is not None,
            labels=labels,
        )


def by_subject(triples: Iterable[ox.Triple]) -> dict[str, dict[str, list[Term]]]:
    """subject IRI or blank node id -> predicate IRI -> objects."""
    out: dict[str, dict[str, list[Term]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode) and isinstance(
            t.object, ox.NamedNode | ox.BlankNode | ox.Literal
        ):
            key = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
            out.setdefault(key, {}).setdefault(t.predicate.value, []).append(t.object)
    return out


def iris(values: Iterable[Term]) -> list[str]:
    return sorted({v.value for v in values if isinstance(v, ox.NamedNode)})


def first_text(values: Iterable[Term]) -> str | None:
    for v in values:
        return v.value
    return None

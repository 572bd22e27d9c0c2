"""The one builder of triples: the imports' reference data and their DCAT snapshots are
written with it (the publication's VoID and DCAT-AP descriptions are templates,
``loaders.publication.rdftemplate``)."""

from __future__ import annotations

import pyoxigraph as ox

from loaders.namespaces import RDFS_LABEL, XSD
from loaders.settings import Settings

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal
#: a predicate, as a node or as its IRI
Predicate = ox.NamedNode | str
_LABEL = ox.NamedNode(RDFS_LABEL)
_INTEGER = ox.NamedNode(f"{XSD}integer")


class Triples:
    """Triples of the default graph under construction, with the project's IRIs at hand.

    ``quads`` holds them in the order they were added (duplicates included), ``triples``
    gives them as triples."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings.base_iri
        self.ns = settings.def_ns
        self.quads: list[ox.Quad] = []

    @property
    def triples(self) -> list[ox.Triple]:
        return [q.triple for q in self.quads]

    # ------------------------------------------------------------------------- terms

    def iri(self, path: str) -> ox.NamedNode:
        """An IRI under the base, e.g. ``id/commune/93066``."""
        return ox.NamedNode(f"{self.base}{path}")

    def term(self, name: str) -> ox.NamedNode:
        """A term of the qpvkg ontology."""
        return ox.NamedNode(f"{self.ns}{name}")

    # ------------------------------------------------------------------------- statements

    def add(self, subject: Subject, predicate: Predicate, obj: Object) -> None:
        if isinstance(predicate, str):
            predicate = ox.NamedNode(predicate)
        self.quads.append(ox.Quad(subject, predicate, obj))

    def link(self, subject: Subject, predicate: Predicate, iri: str) -> None:
        """A statement whose value is the resource ``iri``."""
        self.add(subject, predicate, ox.NamedNode(iri))

    def text(
        self, subject: Subject, predicate: Predicate, value: str, lang: str | None = None
    ) -> None:
        self.add(
            subject, predicate, ox.Literal(value, language=lang) if lang else ox.Literal(value)
        )

    def texts(
        self, subject: Subject, predicate: Predicate, values: dict[str, str], **fmt: str
    ) -> None:
        """One text per language (``values``: language -> text, formatted with ``fmt``)."""
        for lang, value in values.items():
            self.text(subject, predicate, value.format(**fmt) if fmt else value, lang)

    def typed(self, subject: Subject, predicate: Predicate, value: object, datatype: str) -> None:
        """A literal of the XSD datatype ``datatype`` (``"integer"``, ``"dateTime"``...)."""
        literal = ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}{datatype}"))
        self.add(subject, predicate, literal)

    def integer(self, subject: Subject, predicate: Predicate, value: int) -> None:
        self.add(subject, predicate, ox.Literal(str(value), datatype=_INTEGER))

    def label(self, subject: Subject, value: str, language: str = "fr") -> None:
        self.add(subject, _LABEL, ox.Literal(value, language=language))

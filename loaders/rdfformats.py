"""The serialisation formats the code reads and writes: one table of RDF formats, one of
SPARQL results formats, each with its pyoxigraph format, media types and file suffixes.

Who reads them: ``loaders/sources.py`` (a source file's format by its suffix),
``loaders/contribution/payload.py`` (the formats a partner may send, by Content-Type or suffix),
``loaders/publication/`` (the dumps and the descriptions), ``loaders/queries.py`` (the command
line's outputs), and the endpoint: ``endpoint/negotiation.py`` makes its negotiable formats
of these (and decides, from the Accept header and the format parameters, which one a request
gets), ``endpoint/results.py`` and ``endpoint/documents.py`` write with their pyoxigraph
format. Which of them a given operation offers, and in which order, stays with the operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    """A serialisation of RDF graphs or datasets."""

    key: str  # short name, and the suffix of the files the server writes ("ttl")
    label: str  # its name for people ("Turtle")
    oxigraph: ox.RdfFormat
    media_types: tuple[str, ...]  # the canonical type first, then other names of the format
    suffixes: tuple[str, ...]  # file suffixes of the format, the usual one first
    eu_file_type: str  # its code in the EU file-type authority table (DCAT-AP dct:format)
    #: wider media types a client may ask it by (a graph's JSON is JSON-LD); several formats
    #: share them, so they name none on their own
    generic: tuple[str, ...] = ()
    prefixed: bool = False  # written with prefixes (Turtle, TriG, RDF/XML)
    graphs: bool = False  # holds named graphs (N-Quads, TriG)

    @property
    def media_type(self) -> str:
        return self.media_types[0]


@dataclass(frozen=True)
class ResultsSyntax:
    """A serialisation of SPARQL SELECT and ASK results."""

    key: str
    label: str
    oxigraph: ox.QueryResultsFormat
    media_types: tuple[str, ...]
    generic: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.media_types[0]


TURTLE = RdfSyntax(
    "ttl",
    "Turtle",
    ox.RdfFormat.TURTLE,
    ("text/turtle", "application/x-turtle"),
    (".ttl",),
    "RDF_TURTLE",
    prefixed=True,
)
NTRIPLES = RdfSyntax(
    "nt",
    "N-Triples",
    ox.RdfFormat.N_TRIPLES,
    ("application/n-triples",),
    (".nt",),
    "RDF_N_TRIPLES",
    generic=("text/plain",),
)
NQUADS = RdfSyntax(
    "nq",
    "N-Quads",
    ox.RdfFormat.N_QUADS,
    ("application/n-quads",),
    (".nq",),
    "RDF_N_QUADS",
    graphs=True,
)
TRIG = RdfSyntax(
    "trig",
    "TriG",
    ox.RdfFormat.TRIG,
    ("application/trig",),
    (".trig",),
    "RDF_TRIG",
    prefixed=True,
    graphs=True,
)
JSONLD = RdfSyntax(
    "jsonld",
    "JSON-LD",
    ox.RdfFormat.JSON_LD,
    ("application/ld+json",),
    (".jsonld", ".json"),
    "JSON_LD",
    generic=("application/json",),
)
RDFXML = RdfSyntax(
    "rdf",
    "RDF/XML",
    ox.RdfFormat.RDF_XML,
    ("application/rdf+xml",),
    (".rdf", ".owl", ".xml"),
    "RDF_XML",
    generic=("application/xml", "text/xml"),
    prefixed=True,
)
#: The RDF formats, line-based and Turtle-like first.
RDF_SYNTAXES = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
RDF_BY_KEY = {s.key: s for s in RDF_SYNTAXES}
#: pyoxigraph's formats that hold named graphs.
DATASET_FORMATS = tuple(s.oxigraph for s in RDF_SYNTAXES if s.graphs)

RESULTS_JSON = ResultsSyntax(
    "json",
    "SPARQL JSON",
    ox.QueryResultsFormat.JSON,
    ("application/sparql-results+json",),
    generic=("application/json",),
)
RESULTS_XML = ResultsSyntax(
    "xml",
    "SPARQL XML",
    ox.QueryResultsFormat.XML,
    ("application/sparql-results+xml",),
    generic=("application/xml", "text/xml"),
)
RESULTS_CSV = ResultsSyntax("csv", "CSV", ox.QueryResultsFormat.CSV, ("text/csv",))
RESULTS_TSV = ResultsSyntax("tsv", "TSV", ox.QueryResultsFormat.TSV, ("text/tab-separated-values",))
#: The SPARQL results formats.
RESULT_SYNTAXES = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
RESULTS_BY_KEY = {s.key: s for s in RESULT_SYNTAXES}

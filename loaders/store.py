"""Opening the on-disk store for reading, and turning RDF terms into display text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

import pyoxigraph as ox

from loaders.errors import BadInputError, RemoteStoreError
from loaders.namespaces import PROV
from loaders.remote import RemoteStore
from loaders.settings import Settings

#: What the code reads and writes through: the embedded store, or an external SPARQL server.
GraphStore: TypeAlias = ox.Store | RemoteStore


def graph_size(store: GraphStore, graph: ox.NamedNode) -> int:
    """How many triples a graph holds (over an external store, counted by the server)."""
    if isinstance(store, RemoteStore):
        return store.graph_size(graph)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


@contextmanager
def open_remote(settings: Settings) -> Iterator[RemoteStore]:
    """The external store of ``QPVKG_STORE=http(s)://...``, checked to answer a query."""
    store = RemoteStore(settings.remote_config())
    try:
        try:
            store.query("ASK { ?s ?p ?o }")
        except SyntaxError as exc:
            raise RemoteStoreError(
                f"the external store at {store.config.query_url} refused a plain ASK query: {exc}",
                store=store.config.query_url,
            ) from None
        yield store
    finally:
        store.close()


@contextmanager
def open_read(settings: Settings) -> Iterator[GraphStore]:
    """Open the built store read-only; a clear error if it has not been built."""
    if settings.remote:
        with open_remote(settings) as remote:
            yield remote
        return
    path = settings.store_path
    if not path.is_dir() or not any(path.iterdir()):
        raise BadInputError(f"no store at {path}: run `qpvkg build` first", path=str(path))
    try:
        store = ox.Store.read_only(str(path))
    except OSError as exc:
        raise BadInputError(
            f"cannot open the store at {path}: {exc} (is another process using it?)", path=str(path)
        ) from exc
    try:
        yield store
    finally:
        del store


def term_text(term: object) -> str:
    """Plain text of an RDF term: the IRI, the literal's lexical form, or _:id."""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


@dataclass(frozen=True)
class Generation:
    """What the store holds, as one value: changes whenever any graph changes."""

    id: str
    last_modified: datetime


def generation(store: GraphStore, settings: Settings) -> Generation:
    """The store's generation, from the provenance that ``qpvkg build`` records."""
    checksum = ox.NamedNode("http://spdx.org/rdf/terms#checksumValue")
    generated = ox.NamedNode(f"{PROV}generatedAtTime")
    parts: list[str] = []
    times: list[str] = []
    # the build's graphs, and every version of the partner graphs
    for key in ("build", "contributions"):
        g = ox.NamedNode(settings.graph_iri(key))
        parts += [
            f"{q.subject} {q.object}" for q in store.quads_for_pattern(None, checksum, None, g)
        ]
        times += [
            q.object.value
            for q in store.quads_for_pattern(None, generated, None, g)
            if isinstance(q.object, ox.Literal)
        ]
    parts.sort()
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]
    latest = max(times, default="1970-01-01T00:00:00Z").replace("Z", "+00:00")
    return Generation(digest, datetime.fromisoformat(latest))

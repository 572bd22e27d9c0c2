"""Opening the on-disk store for reading, and turning RDF terms into display text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from loaders.errors import BadInputError
from loaders.settings import Settings


@contextmanager
def open_read(settings: Settings) -> Iterator[ox.Store]:
    """Open the built store read-only; a clear error if it has not been built."""
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

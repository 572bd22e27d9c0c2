"""One write at a time per graph, and the count of the validations running in this process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from loaders.errors import ConflictError

_locks_guard = threading.Lock()
_graph_locks: dict[str, threading.Lock] = {}
_validating = 0  # validations running in this process, guarded by _locks_guard


def validations_running() -> int:
    """The writes of this process whose SHACL validation is running now (the
    ``qpvkg_writes_validating`` gauge): a long one shows here while others commit."""
    return _validating


@contextmanager
def validation_running() -> Iterator[None]:
    global _validating
    with _locks_guard:
        _validating += 1
    try:
        yield
    finally:
        with _locks_guard:
            _validating -= 1


@contextmanager
def graph_lock(graph: str) -> Iterator[None]:
    """One write at a time per graph: a second one is refused with 409, never interleaved."""
    with _locks_guard:
        lock = _graph_locks.setdefault(graph, threading.Lock())
    if not lock.acquire(blocking=False):
        raise ConflictError(
            f"another write to {graph} is in progress: retry when it is done", graph=graph
        )
    try:
        yield
    finally:
        lock.release()

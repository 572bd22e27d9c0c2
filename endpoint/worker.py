"""Query workers: a zygote process holds the graph and forks one worker per slot.

The zygote is started with a fresh interpreter. It opens a
read-only snapshot of the store, copies it into memory (or keeps it on disk), then waits
for orders on its control socket: each ``fork`` makes a worker that shares the graph's
memory with the zygote (copy on write) and talks to the server over a socket of its own,
whose file descriptor the zygote hands to the server. A worker that runs too long or grows
too large is killed by the server; the zygote forks a replacement in milliseconds.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import signal
import socket
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from endpoint.negotiation import BOOLEAN, BY_KEY, RDF, RESULTS, Format, choose
from endpoint.results import serialize_boolean, serialize_solutions, serialize_triples
from loaders.errors import BadInputError, NotAcceptableError, QpvkgError
from loaders.remote import RemoteConfig, RemoteStore
from loaders.store import GraphStore

HEADER = struct.Struct("!I")
MEMORY_EXIT = 71


# ----------------------------------------------------------------------------- messages


#: An RDF term as a job carries it to a worker (plain values, cheap to pickle):
#: (kind: iri, bnode or literal; value; datatype IRI; language tag).
TermSpec = tuple[str, str, str | None, str | None]
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def term_spec(term: Term | ox.Triple) -> TermSpec:
    """The spec of a term bound to a query's variable (a triple cannot be bound)."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    raise BadInputError("a parameter cannot be a triple")


def term(spec: TermSpec) -> Term:
    """The term of a spec (:func:`term_spec`), in the worker."""
    kind, value, datatype, language = spec
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


@dataclass(frozen=True)
class Job:
    """One query for a worker."""

    query: str
    accept: str | None
    default_graphs: tuple[str, ...] | None = None  # None: the union of all graphs
    named_graphs: tuple[str, ...] | None = None
    substitutions: tuple[tuple[str, TermSpec], ...] = ()  # variable name, the term bound
    max_rows: int = 100_000
    base_iri: str | None = None
    forms: tuple[str, ...] = ()  # if set, the query must be of one of these forms
    format_key: str | None = None  # a format chosen by the caller (a file suffix)


@dataclass(frozen=True)
class Answer:
    """A worker's reply: a serialised result, or an error."""

    ok: bool
    form: str = ""
    format_key: str = ""
    body: bytes = b""
    rows: int = 0
    truncated: bool = False
    eval_ms: float = 0.0
    error: str = ""  # a loaders.errors class name
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def encode_answer(answer: Answer) -> bytes:
    """A reply frame: a successful answer as one text line and its body (pickling the
    dataclass cost more than the rest of a point lookup's trip), an error pickled."""
    if not answer.ok:
        return b"E" + pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    head = f"{answer.form}\t{answer.format_key}\t{answer.rows}\t{int(answer.truncated)}"
    return b"O" + f"{head}\t{answer.eval_ms!r}\n".encode() + answer.body


def decode_answer(frame: bytes) -> Answer:
    if frame[:1] == b"E":
        answer: Answer = pickle.loads(frame[1:])
        return answer
    end = frame.index(b"\n")
    form, format_key, rows, truncated, eval_ms = frame[1:end].decode().split("\t")
    return Answer(
        True,
        form=form,
        format_key=format_key,
        body=frame[end + 1 :],
        rows=int(rows),
        truncated=truncated == "1",
        eval_ms=float(eval_ms),
    )


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def recv_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        part = sock.recv(n - len(chunks))
        if not part:
            return None
        chunks += part
    return bytes(chunks)


def recv_frame(sock: socket.socket) -> bytes | None:
    head = recv_exact(sock, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    return recv_exact(sock, size)


# ----------------------------------------------------------------------------- running a job


def dataset_arguments(job: Job) -> dict[str, Any]:
    """pyoxigraph's dataset arguments for the protocol's default-graph-uri / named-graph-uri."""
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": True}
    args: dict[str, Any] = {
        "default_graph": [ox.NamedNode(g) for g in (job.default_graphs or ())] or ox.DefaultGraph()
    }
    args["named_graphs"] = [ox.NamedNode(g) for g in (job.named_graphs or ())]
    return args


def run_job(store: GraphStore, job: Job) -> Answer:
    """Evaluate and serialise one query with pyoxigraph."""
    start = time.perf_counter()
    try:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): term(spec) for name, spec in job.substitutions
        }
        try:
            result = store.query(
                job.query,
                base_iri=job.base_iri,
                substitutions=substitutions or None,
                **dataset_arguments(job),
            )
        except SyntaxError as exc:
            return Answer(
                False, error="QuerySyntaxError", message=f"the query does not parse: {exc}"
            )
        except (RuntimeError, ValueError) as exc:
            return Answer(False, error="BadInputError", message=str(exc))
        offered: tuple[Format, ...]
        if isinstance(result, ox.QuerySolutions):
            form, offered = "SELECT", RESULTS
        elif isinstance(result, ox.QueryBoolean):
            form, offered = "ASK", BOOLEAN
        else:
            form, offered = "CONSTRUCT", RDF
        if job.forms and form not in job.forms:
            return Answer(
                False,
                error="QueryRefusedError",
                message=f"a {form} query is not allowed here (expected {', '.join(job.forms)})",
            )
        if job.format_key:
            fmt = BY_KEY.get(job.format_key)
            if fmt is None or fmt not in offered:
                raise NotAcceptableError(
                    f"a {form} result cannot be written as {job.format_key}",
                    available=[f.key for f in offered],
                )
        else:
            fmt = choose(job.accept, offered, what=f"a {form} query result")
        try:
            if isinstance(result, ox.QuerySolutions):
                body, rows, truncated = serialize_solutions(result, fmt.key, job.max_rows)
            elif isinstance(result, ox.QueryBoolean):
                body, rows, truncated = serialize_boolean(result, fmt.key), 1, False
            else:
                body, rows, truncated = serialize_triples(result, fmt.key, job.max_rows)
        except SyntaxError as exc:  # results read lazily from an external store's answer
            return Answer(
                False,
                error="RemoteStoreError",
                message=f"the external store's answer does not parse: {exc}",
            )
        except OSError as exc:  # a SERVICE call (or the external store) failed mid-way
            return Answer(
                False,
                error="RemoteStoreError",
                message=f"a remote endpoint failed while the results were read: {exc}",
            )
        except (RuntimeError, ValueError) as exc:  # an evaluation error met while reading
            return Answer(
                False, error="BadInputError", message=f"the query failed while running: {exc}"
            )
        return Answer(
            True,
            form=form,
            format_key=fmt.key,
            body=body,
            rows=rows,
            truncated=truncated,
            eval_ms=(time.perf_counter() - start) * 1000,
        )
    except QpvkgError as exc:
        return Answer(False, error=type(exc).__name__, message=exc.message, details=exc.details)
    except OSError as exc:
        return Answer(False, error="BadInputError", message=f"the query failed: {exc}")


# ----------------------------------------------------------------------------- worker loop


def worker_loop(sock: socket.socket, store: GraphStore) -> None:
    """Serve jobs from the server until the socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    send_frame(sock, pickle.dumps({"pid": os.getpid()}))
    while True:
        frame = recv_frame(sock)
        if frame is None:
            os._exit(0)
        job: Job = pickle.loads(frame)
        try:
            answer = run_job(store, job)
        except Exception as exc:  # a failed query is the query's error: the worker goes on
            answer = Answer(False, error="BadInputError", message=f"the query failed: {exc}")
        send_frame(sock, encode_answer(answer))


# ----------------------------------------------------------------------------- zygote


def load_graph(snapshot: str, memory: bool) -> ox.Store:
    """The graph the workers query: an in-memory copy of the snapshot, or the snapshot."""
    disk = ox.Store.read_only(snapshot)
    if not memory:
        return disk
    buffer = io.BytesIO()
    disk.dump(buffer, ox.RdfFormat.N_QUADS)
    del disk
    store = ox.Store()
    store.load(buffer.getvalue(), ox.RdfFormat.N_QUADS)
    return store


def zygote(
    control: socket.socket, snapshot: str, memory: bool, remote: RemoteConfig | None = None
) -> None:
    """Hold the graph; fork a worker for each ``fork`` order received on ``control``."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = load_graph(snapshot, memory) if memory else None
    send_frame(
        control,
        pickle.dumps({"ready": True, "pid": os.getpid(), "triples": len(store) if store else None}),
    )
    while True:
        frame = recv_frame(control)
        if frame is None:
            os._exit(0)
        order = pickle.loads(frame)
        if order.get("order") == "fork":
            server_end, worker_end = socket.socketpair()
            pid = os.fork()
            if pid == 0:  # the worker
                control.close()
                server_end.close()
                graph: GraphStore
                if remote is not None:  # its own HTTP connections, opened after the fork
                    graph = RemoteStore(remote)
                elif store is not None:
                    graph = store
                else:
                    graph = ox.Store.read_only(snapshot)
                try:
                    worker_loop(worker_end, graph)
                finally:
                    os._exit(0)
            worker_end.close()
            socket.send_fds(control, [pickle.dumps({"pid": pid})], [server_end.fileno()])
            server_end.close()
        elif order.get("order") == "apply":
            # a committed write: apply it to the graph new workers are forked from
            try:
                if store is not None:
                    store.update(order["update"])
                else:
                    snapshot = order["snapshot"]
                reply: dict[str, Any] = {"ok": True}
            except Exception as exc:  # reported to the server, which restarts the zygote
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            send_frame(control, pickle.dumps(reply))
        elif order.get("order") == "exit":
            os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description="qpvkg query zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--snapshot", default="")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--remote", action="store_true", help="query an external store")
    args = parser.parse_args()
    control = socket.socket(fileno=args.control_fd)
    try:
        remote: RemoteConfig | None = None
        if args.remote:
            frame = recv_frame(control)
            if frame is None:
                os._exit(0)
            remote = pickle.loads(frame)
        zygote(control, args.snapshot, args.memory, remote)
    except Exception as exc:  # report why the zygote could not start, then exit
        sys.stderr.write(f"qpvkg zygote: {exc}\n")
        os._exit(1)

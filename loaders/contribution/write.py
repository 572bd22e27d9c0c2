"""The write of a partner graph: authorise, validate, commit atomically.

Each accepted write:

1. parses and checks the body (``loaders.contribution.payload``), names its blank nodes
   canonically (``loaders.canonical``);
2. checks the partner may write the graph (``{base}graph/partner/{name}/...``) and that the
   triples describe only resources the partner mints, linking to the others
   (``loaders.ownership``);
3. validates the resulting graph with SHACL, together with the ontology and what the store
   holds about the resources it points to (so an unknown territory or concept is caught);
4. writes the version's content to the history folder (``loaders.contribution.history``),
   then commits the graph and its provenance (``loaders.contribution.provenance``) in one
   ``Store.update`` transaction: a write is wholly visible or not at all, also when the
   process is killed during it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import pyoxigraph as ox

from loaders.canonical import canonical_triples
from loaders.contribution.history import History, versions
from loaders.contribution.locks import graph_lock, validation_running
from loaders.contribution.payload import (
    check_instance_data,
    check_subject_count,
    parse_contribution,
)
from loaders.contribution.provenance import provenance_triples, registry_graph
from loaders.errors import (
    BadInputError,
    EmptyContributionError,
    UnknownResourceError,
    ValidationFailedError,
)
from loaders.location import located_points, placement_triples, placement_update
from loaders.ownership import check_ownership
from loaders.partners import PartnerRegistry, check_graph, partner_graph_prefix
from loaders.references import context_from, referenced_iris
from loaders.remote import RemoteStore
from loaders.settings import Settings
from loaders.store import GraphStore
from loaders.validate import ValidationReport, Validator

Mode = Literal["put", "post", "delete", "rollback"]

#: blank nodes followed from a described resource, over an external store (the curated data
#: nests them two deep: an involvement, then its period)
REMOTE_BNODE_DEPTH = 4


@dataclass
class WriteResult:
    """What a write did; ``timings`` holds seconds per step (parse, shacl, commit)."""

    graph: str
    partner: str
    action: str
    version: int
    triples: int
    checksum: str
    added: int
    removed: int
    created: bool
    when: str
    warnings: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    update: str = field(default="", repr=False)  # the committed SPARQL update (for replicas)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("update")
        data["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        return data


_write_lock = threading.Lock()  # commits, one at a time per process
_commits = 0  # commits of this process: a validation made while one landed is made again
VALIDATION_ATTEMPTS = 3  # validations outside the write lock before one under it


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def checksum_of(body: bytes) -> str:
    """SHA-256 of the sorted N-Triples lines; blank nodes carry their canonical labels
    (``loaders.canonical``), so the same content always has the same checksum."""
    lines = sorted(line for line in body.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def current_triples(store: GraphStore, graph: str) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def validation_context(
    store: GraphStore, graph: str, triples: Sequence[ox.Triple]
) -> list[ox.Quad]:
    """What the store holds, outside the graph, that the validation needs: the other
    graphs' triples about the resources the triples describe (the union the endpoint serves
    is what must conform), and the types and labels of every resource either points to."""
    g = ox.NamedNode(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    described = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    about: list[ox.Quad] = []
    if isinstance(store, RemoteStore):  # blank nodes are followed within each request
        about = store.subjects_quads(described, bnode_depth=REMOTE_BNODE_DEPTH, exclude_graph=g)
    else:
        pending: list[tuple[ox.NamedNode | ox.BlankNode, Any]] = [(s, None) for s in described]
        seen: set[ox.BlankNode] = set()
        while pending:  # concise bounded descriptions: blank nodes are followed
            subject, in_graph = pending.pop()
            for q in store.quads_for_pattern(subject, None, None, in_graph):
                if q.graph_name == g:
                    continue
                about.append(ox.Quad(q.subject, q.predicate, q.object))
                if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                    seen.add(q.object)
                    pending.append((q.object, q.graph_name))
    return context_from(store, referenced_iris([*quads, *about])) + about


def validate_graph(
    validator: Validator, store: GraphStore, graph: str, triples: Sequence[ox.Triple]
) -> ValidationReport:
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    return validator.validate(quads, validation_context(store, graph, triples))


def contribute(
    store: GraphStore,
    settings: Settings,
    *,
    partner: str,
    graph: str,
    data: bytes | None,
    media_type: str | None,
    mode: Mode,
    validator: Validator | Callable[[], Validator] | None = None,
    timings: dict[str, float] | None = None,
    history: History | None = None,
    rollback_to: int | None = None,
) -> WriteResult:
    """Write a partner graph (``put`` replaces, ``post`` adds, ``delete`` withdraws,
    ``rollback`` makes version ``rollback_to`` current again). Raises the domain error of a
    refused write; then nothing is written."""
    timings = timings if timings is not None else {}
    check_graph(settings, partner, graph)
    history = history or History.from_settings(settings)
    global _commits
    # one write at a time per graph; the global lock is held for the commit only, so that a
    # long validation of one partner's graph does not hold back the others' writes
    with graph_lock(graph), ExitStack() as commit_lock:
        start = time.perf_counter()
        previous = versions(store, settings, graph)
        existing = canonical_triples(current_triples(store, graph), strict=False)
        if mode == "rollback":
            if rollback_to is None or not any(v.version == rollback_to for v in previous):
                raise UnknownResourceError(
                    f"{graph} has no version {rollback_to}", graph=graph, version=rollback_to
                )
            data, media_type = history.read(graph, rollback_to), "application/n-triples"
        if mode == "delete":
            if not existing and not (previous and previous[-1].action != "delete"):
                raise UnknownResourceError(f"no graph {graph}", graph=graph)
            new: list[ox.Triple] = []
        else:
            if data is None or media_type is None:
                raise BadInputError("a body is required")
            new = parse_contribution(data, media_type, settings)
            check_subject_count(new, settings)  # as sent: before naming its blank nodes
            if not new and mode != "rollback":
                raise EmptyContributionError(
                    "the body holds no triple: nothing was written (DELETE withdraws a graph)"
                )
            new = canonical_triples(new, strict=mode != "rollback")
            check_instance_data(new, settings, partner_graph_prefix(settings, partner))
            namespaces = PartnerRegistry.from_settings(settings).namespaces()
            check_ownership(new, settings, partner, namespaces)
        if mode == "post":
            present = set(existing)
            additions = [t for t in new if t not in present]
            result = existing + additions
        else:
            additions = new
            result = new
        check_subject_count(result, settings)
        timings["parse"] = time.perf_counter() - start

        def conform() -> list[dict[str, Any]]:
            """The warnings of the graph's validation against what the store holds now."""
            if not result:
                return []
            # made only now: a refused body never pays for parsing the shapes
            shapes = validator() if callable(validator) else validator
            with validation_running():
                report = validate_graph(
                    shapes or Validator.from_settings(settings), store, graph, result
                )
            if not report.conforms:
                n = report.violation_count
                raise ValidationFailedError(
                    f"the graph would not conform to the shapes: {n} violation"
                    f"{'s' if n != 1 else ''}; nothing was written",
                    report=report.text,
                    results=[r.as_dict() for r in report.results],
                    **report.summary(),
                )
            return [r.as_dict() for r in report.results if r.severity != "Violation"]

        start = time.perf_counter()
        for _ in range(VALIDATION_ATTEMPTS):  # the other graphs' writes go on meanwhile
            seen = _commits
            warnings = conform()
            if _commits == seen:
                break
        commit_lock.enter_context(_write_lock)  # held to the end of the write: its commit
        if _commits != seen:  # another graph's write landed since: validate against it
            warnings = conform()
        timings["shacl"] = time.perf_counter() - start

        start = time.perf_counter()
        body = ntriples(result)
        digest = checksum_of(body)
        version = (previous[-1].version if previous else 0) + 1
        when = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        action = mode
        removed = len(set(existing) - set(result))
        added = len(set(result) - set(existing))
        history.write(graph, version, body)
        prov = provenance_triples(
            settings,
            graph,
            version,
            action,
            partner,
            when,
            len(result),
            digest,
            added,
            removed,
            live=mode != "delete",
        )
        update = update_text(settings, graph, mode, additions, prov)
        # the placements of the graph's points in their QPV, replaced in the same transaction
        source = ox.NamedNode(graph)
        placements = placement_triples(store, settings, source, located_points(result), when)
        update += " ;\n" + placement_update(settings, source, placements)
        try:
            store.update(update)
        except (SyntaxError, OSError, ValueError) as exc:
            raise BadInputError(f"the write could not be committed: {exc}") from None
        _commits += 1
        timings["commit"] = time.perf_counter() - start
        return WriteResult(
            graph=graph,
            partner=partner,
            action=action,
            version=version,
            triples=len(result),
            checksum=digest,
            added=added,
            removed=removed,
            created=not existing and mode != "delete",
            when=when,
            warnings=warnings,
            timings=dict(timings),
            update=update,
        )


#: triples in one INSERT operation of a write: Virtuoso's parser runs out of room on a
#: template of some thousands of triples (SP030, "memory exhausted"); the operations of one
#: request are still one transaction
INSERT_CHUNK = 1000


def insert_chunks(triples: Sequence[ox.Triple], size: int = INSERT_CHUNK) -> list[list[ox.Triple]]:
    """The triples in groups of about ``size``, in order, those that share a blank node in one
    group whatever its size: a blank node's label names it within one operation only."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        nodes = [n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)]
        if len(nodes) == 2:
            parent[root(nodes[0])] = root(nodes[1])
    groups: dict[object, list[ox.Triple]] = {}
    for i, triple in enumerate(triples):
        node = next(
            (n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)), None
        )
        groups.setdefault(root(node) if node is not None else i, []).append(triple)
    chunks: list[list[ox.Triple]] = []
    for group in groups.values():
        if chunks and len(chunks[-1]) + len(group) <= size:
            chunks[-1].extend(group)
        else:
            chunks.append(list(group))
    return chunks


def update_text(
    settings: Settings,
    graph: str,
    mode: Mode,
    additions: Sequence[ox.Triple],
    prov: Sequence[ox.Triple],
) -> str:
    """One SPARQL update, hence one transaction: the graph's content and its provenance.

    Code, not a file of queries/internal/: the update carries the data itself (the graph's
    triples and their provenance, as N-Triples), its operations depend on the mode (a PUT
    drops the graph first) and on the data (INSERT ... WHERE {} when it holds blank nodes),
    and it is joined to the placements' update in one transaction, where Oxigraph takes no
    PREFIX after the first operation. The graph's IRI is one ``check_graph`` accepted (the
    partner's prefix and a slug of safe characters); the triples are written by pyoxigraph."""
    registry = registry_graph(settings).value
    parts = [
        f"DELETE WHERE {{ GRAPH <{registry}> {{ <{graph}> ?p ?o }} }}",
    ]
    if mode in ("put", "delete", "rollback"):
        parts.insert(0, f"DROP SILENT GRAPH <{graph}>")
    for target, triples in ((graph, additions), (registry, prov)):
        for chunk in insert_chunks(triples):
            inserts = f"GRAPH <{target}> {{\n{ntriples(chunk).decode('utf-8')}}}"
            if any(
                isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                for t in chunk
            ):
                # the same as INSERT DATA, which some servers (Virtuoso) refuse with blank nodes
                parts.append(f"INSERT {{\n{inserts}\n}} WHERE {{}}")
            else:
                parts.append(f"INSERT DATA {{\n{inserts}\n}}")
    return " ;\n".join(parts)

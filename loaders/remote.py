"""An external SPARQL store over HTTP, behind the same methods as ``pyoxigraph.Store``.

The build, the contributions, the publication and the query workers use a store through
the few ``pyoxigraph.Store`` methods below. ``RemoteStore`` offers them over the SPARQL 1.1
protocols, so that the same code runs over Oxigraph's server, Apache Jena Fuseki, GraphDB,
Virtuoso or QLever:

- queries: the SPARQL 1.1 Query Protocol (a ``POST`` of ``application/sparql-query``); the
  results are parsed by pyoxigraph into the objects an embedded store returns;
- writes: SPARQL 1.1 Update, one request per write, which the servers run atomically;
- loads and graph reads: the SPARQL 1.1 Graph Store Protocol (``?graph=IRI``).

The server must answer the default graph as the union of the named graphs, as the embedded
store is queried (Oxigraph: ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph``;
GraphDB, Virtuoso and QLever do so by default). qpvkg's dataset is the graphs whose names
start with its base IRI: the graphs a server keeps for itself (Virtuoso's system graphs)
are left out of counts, graph lists and dumps.

What servers do differently, and how the client evens it out (docs/scaling.md):

- queries are sent as an HTML form (``query=``), which every server reads (Virtuoso does
  not read an ``application/sparql-query`` body), asking for SPARQL results for SELECT and
  ASK and for N-Triples for CONSTRUCT and DESCRIBE (Virtuoso answers what is asked first);
- Virtuoso writes blank nodes as ``nodeID://b1`` in JSON results, booleans as ``1`` and
  ``0``, geometries with its own datatype ``virtrdf:Geometry``, and the old
  ``typed-literal`` type: the answers are read back into RDF terms as the other servers give
  them (the geometries' coordinates are Virtuoso's, in single precision);
- Virtuoso answers a query its time limit stopped with what it found so far, as a ``200``
  with the header ``X-SQL-State: S1TAT``: that is a timeout, not an answer;
- Virtuoso 7.2 has GeoSPARQL's functions under its own names (``bif:st_contains``), for a
  shape containing a point only: with ``QPVKG_STORE_GEOSPARQL=virtuoso`` the client writes
  ``geof:sfWithin``, ``sfContains`` and ``sfIntersects`` so;
- Virtuoso refuses blank nodes in ``INSERT DATA``: an insertion with blank nodes is sent as
  ``INSERT { ... } WHERE {}``, which means the same.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from loaders.errors import QueryTimeoutError, RemoteStoreError
from loaders.namespaces import GEO, VIRTRDF, XSD
from loaders.sparqltext import (
    Describe,
    describe_parts,
    geosparql_as_virtuoso,
    query_form,
    with_values,
)

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)
#: what is asked for a CONSTRUCT or a DESCRIBE (a server may answer what is asked first)
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/sparql-results+json;q=0.5"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: time allowed to load or read a whole graph or the dataset (a query has QPVKG_QUERY_TIMEOUT_S)
BULK_TIMEOUT_S = 600.0
#: what Oxigraph's server (0.5) writes in a 200 answer whose query its own limit stopped
CANCELLED = b"The SPARQL operation has been cancelled"
#: the SQL state with which Virtuoso answers a query stopped at its limit (partial results)
PARTIAL = "S1TAT"
XSD_BOOLEAN = f"{XSD}boolean"
WKT_LITERAL = f"{GEO}wktLiteral"
VIRTUOSO_GEOMETRY = f"{VIRTRDF}Geometry"
VIRTUOSO_BNODE = "nodeID://"
#: what makes a JSON answer need reading back (nothing else is touched)
_QUIRKS = (VIRTUOSO_BNODE.encode(), VIRTUOSO_GEOMETRY.encode(), XSD_BOOLEAN.encode())
_UNSAFE_LABEL = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class RemoteConfig:
    """Where the external store answers, and how to reach it (picklable, for the workers)."""

    query_url: str
    update_url: str
    store_url: str
    user: str = ""
    password: str = field(default="", repr=False)
    auth: str = "basic"  # or "digest" (Virtuoso's authenticated endpoints)
    token: str = field(default="", repr=False)  # a bearer token (QLever's access token)
    timeout_s: float = 30.0
    timeout_param: str = ""  # the server's own time-limit parameter, if it has one
    timeout_unit: str = "s"  # its unit: "s" or "ms" (Virtuoso)
    graphs_base: str = ""  # qpvkg's graphs are those whose names start with it
    describe: str = "server"  # or "client": DESCRIBE answered by the client (Virtuoso)
    geosparql: str = "standard"  # or "virtuoso": GeoSPARQL's functions as Virtuoso's

    @property
    def label(self) -> str:
        return self.query_url


def sparql_term(term: object) -> str:
    """A term in SPARQL syntax, for a query text (pyoxigraph writes it escaped)."""
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be bound in a query sent to an external store")
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise ValueError(f"cannot bind {term!r} in a query sent to an external store")


def _even_term(term: dict[str, Any]) -> None:
    """One JSON result term as the SPARQL 1.1 format writes it (in place)."""
    kind = term.get("type")
    if kind == "typed-literal":
        term["type"] = "literal"
    if kind == "bnode" and str(term.get("value", "")).startswith(VIRTUOSO_BNODE):
        term["value"] = _UNSAFE_LABEL.sub("_", term["value"][len(VIRTUOSO_BNODE) :])
    datatype = term.get("datatype")
    if datatype == XSD_BOOLEAN and term.get("value") in ("1", "0"):
        term["value"] = "true" if term["value"] == "1" else "false"
    elif datatype == VIRTUOSO_GEOMETRY:
        term["datatype"] = WKT_LITERAL


def _even_json(content: bytes) -> bytes:
    """SPARQL JSON results, Virtuoso's read back as the other servers write them."""
    if not any(quirk in content for quirk in _QUIRKS):
        return content
    data = json.loads(content)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            _even_term(term)
    return json.dumps(data).encode("utf-8")


class RemoteStore:
    """The ``pyoxigraph.Store`` methods qpvkg uses, over an external SPARQL server."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        auth: httpx.Auth | None = None
        if config.user:
            scheme = httpx.DigestAuth if config.auth == "digest" else httpx.BasicAuth
            auth = scheme(config.user, config.password)
        headers = {"user-agent": "qpvkg"}
        if config.token:
            headers["authorization"] = f"Bearer {config.token}"
        self._client = httpx.Client(auth=auth, headers=headers)

    def close(self) -> None:
        self._client.close()

    @property
    def _ours(self) -> str:
        """A filter that keeps qpvkg's graphs (``?g``), not those a server keeps for itself."""
        if not self.config.graphs_base:
            return ""
        return f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.config.graphs_base)}))"

    # ------------------------------------------------------------------ HTTP

    def _send(self, method: str, url: str, *, bulk: bool = False, **kwargs: Any) -> httpx.Response:
        """One request; ``bulk`` ones (loading or reading whole graphs) get more time."""
        limit = max(BULK_TIMEOUT_S, self.config.timeout_s) if bulk else self.config.timeout_s
        try:
            response = self._client.request(
                method, url, timeout=httpx.Timeout(limit + 5, connect=10), **kwargs
            )
        except httpx.TimeoutException:
            raise QueryTimeoutError(
                f"the external store did not answer within {limit:g} s", limit_s=limit
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise RemoteStoreError(
                f"the external store at {url} cannot be reached: {exc}", store=url
            ) from None
        if response.status_code == 400:
            raise SyntaxError(response.text.strip()[:2000] or "refused by the external store")
        if response.status_code == 404 and method in ("GET", "DELETE"):
            return response
        if response.status_code >= 400:
            raise RemoteStoreError(
                f"the external store answered {response.status_code}: "
                f"{response.text.strip()[:500]}",
                store=url,
                status=response.status_code,
            )
        return response

    # ------------------------------------------------------------------ queries

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
        substitutions: dict[ox.Variable, Term] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]:
        """Run a query on the server; the same result objects as ``Store.query``."""
        if prefixes:
            declared = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())
            query = declared + query
        if substitutions:
            query = with_values(query, {v.value: sparql_term(t) for v, t in substitutions.items()})
        if base_iri:
            query = f"BASE <{base_iri}>\n{query}"
        if self.config.geosparql == "virtuoso":
            query = geosparql_as_virtuoso(query)
        if self.config.describe == "client" and query_form(query) == "DESCRIBE":
            parts = describe_parts(query)
            if parts is not None:
                dataset = {
                    "use_default_graph_as_union": use_default_graph_as_union,
                    "default_graph": default_graph,
                    "named_graphs": named_graphs,
                }
                return iter(self._describe(parts, dataset))
        params: list[tuple[str, str]] = []
        if not use_default_graph_as_union:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            params += [
                ("default-graph-uri", g.value) for g in graphs if isinstance(g, ox.NamedNode)
            ]
            params += [("named-graph-uri", g.value) for g in named_graphs or ()]
        if self.config.timeout_param:
            limit = self.config.timeout_s * (1000 if self.config.timeout_unit == "ms" else 1)
            params.append((self.config.timeout_param, f"{limit:g}"))
        graph_form = query_form(query) in ("CONSTRUCT", "DESCRIBE")
        response = self._send(
            "POST",
            self.config.query_url,
            content=urlencode([("query", query), *params]).encode("ascii"),
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "accept": GRAPH_ACCEPT if graph_form else RESULTS_ACCEPT,
            },
        )
        if CANCELLED in response.content[-200:] or response.headers.get("x-sql-state") == PARTIAL:
            raise QueryTimeoutError(
                "the external store stopped the query at its own time limit; set that limit "
                "above QPVKG_QUERY_TIMEOUT_S",
                limit_s=self.config.timeout_s,
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        results = ox.QueryResultsFormat.from_media_type(media)
        if results == ox.QueryResultsFormat.JSON:
            return ox.parse_query_results(_even_json(response.content), results)
        if results is not None:
            return ox.parse_query_results(response.content, results)
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is None:
            raise RemoteStoreError(
                f"the external store answered in {media or 'an unnamed format'}, "
                "which is neither SPARQL results nor RDF",
                store=self.config.query_url,
            )
        content = response.content.replace(VIRTUOSO_GEOMETRY.encode(), WKT_LITERAL.encode())
        return (quad.triple for quad in ox.parse(content, rdf))  # read as far as the row cap

    def _describe(self, parts: Describe, dataset: dict[str, Any]) -> list[ox.Triple]:
        """A DESCRIBE answered as the embedded store answers it, for a server whose own
        DESCRIBE differs (Virtuoso's takes one graph and adds the triples pointing to the
        resource): every triple of each resource over the dataset, and of each blank node
        they lead to, level by level. A blank node is named in the next request by the IRI
        the server gives it (Virtuoso's ``nodeID://``)."""
        roots: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri) for iri in parts.iris]
        if parts.select is not None:
            rows = self.query(parts.select, **dataset)
            assert isinstance(rows, ox.QuerySolutions)
            names = [v.value for v in rows.variables]
            for row in rows:
                roots += [
                    value
                    for name in names
                    if isinstance(value := row[name], ox.NamedNode | ox.BlankNode)
                ]
        out: dict[ox.Triple, None] = {}
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        frontier = list(dict.fromkeys(roots))
        while frontier:
            seen.update(frontier)
            found: dict[ox.BlankNode, None] = {}
            for start in range(0, len(frontier), 200):
                chunk = frontier[start : start + 200]
                result = self.query(self._about(chunk), **dataset)
                assert isinstance(result, ox.QuerySolutions)
                for row in result:
                    key, p, o = row["k"], row["p"], row["o"]
                    assert isinstance(key, ox.Literal)
                    out[ox.Triple(chunk[int(key.value)], p, o)] = None
                    if isinstance(o, ox.BlankNode) and o not in seen:
                        found[o] = None
            frontier = list(found)
        return list(out)

    @staticmethod
    def _about(nodes: list[ox.NamedNode | ox.BlankNode]) -> str:
        """A query of the triples of ``nodes``, each row keyed by its node's position: a blank
        node is written as the IRI the server gave it, in a triple pattern of its own
        (Virtuoso reads ``<nodeID://...>`` there, not in a VALUES block)."""
        branches = [
            f"{{ {f'<{VIRTUOSO_BNODE}{n.value}>' if isinstance(n, ox.BlankNode) else n} ?p ?o . "
            f"BIND({i} AS ?k) }}"
            for i, n in enumerate(nodes)
        ]
        return f"SELECT ?k ?p ?o WHERE {{ {' UNION '.join(branches)} }}"

    def quads_for_pattern(
        self,
        subject: Any,
        predicate: Any,
        object: Any,
        graph_name: Any = None,
    ) -> Iterator[ox.Quad]:
        bound = {
            name: term
            for name, term in (("s", subject), ("p", predicate), ("o", object), ("g", graph_name))
            if term is not None and not isinstance(term, ox.DefaultGraph)
        }
        if isinstance(graph_name, ox.DefaultGraph):
            text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        else:
            text = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours} }}"
        result = self.query(
            with_values(text, {k: sparql_term(v) for k, v in bound.items()}),
            use_default_graph_as_union=not isinstance(graph_name, ox.DefaultGraph),
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            g = row["g"] if not isinstance(graph_name, ox.DefaultGraph) else ox.DefaultGraph()
            yield ox.Quad(row["s"], row["p"], row["o"], g)

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)

    def __len__(self) -> int:
        result = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours} }}",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            return int(row["n"].value)
        return 0

    def graph_size(self, graph: ox.NamedNode) -> int:
        """The number of triples in one graph, counted by the server."""
        text = with_values(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": sparql_term(graph)}
        )
        result = self.query(text, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        return next((int(row["n"].value) for row in result), 0)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        result = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours} }}",
            use_default_graph_as_union=True,
        )
        assert isinstance(result, ox.QuerySolutions)
        return iter([row["g"] for row in result if isinstance(row["g"], ox.NamedNode)])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        result = self.query(
            with_values("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": sparql_term(graph)}),
            use_default_graph_as_union=True,
        )
        return bool(result)

    def subjects_quads(
        self,
        subjects: Iterable[ox.NamedNode],
        predicates: Iterable[ox.NamedNode] | None = None,
        *,
        bnode_depth: int = 0,
        exclude_graph: ox.NamedNode | None = None,
    ) -> list[ox.Quad]:
        """The triples about many resources in a few requests (one query per 200 IRIs).

        With ``bnode_depth``, blank nodes they point to are followed that many levels, in
        the same query: a blank node is only known within one response, so it cannot be
        asked about in a later one. The quads are in the default graph, the blank nodes
        fresh."""
        subjects = sorted(set(subjects), key=lambda n: n.value)
        values_p = f"VALUES ?p {{ {' '.join(str(p) for p in predicates)} }} " if predicates else ""
        keep = f"FILTER(?g != {exclude_graph})" if exclude_graph is not None else ""
        out: list[ox.Quad] = []
        for start in range(0, len(subjects), 200):
            roots = " ".join(str(s) for s in subjects[start : start + 200])
            # each branch binds its own roots: a group is evaluated before what surrounds it
            branches = [f"{{ VALUES ?s {{ {roots} }} {values_p}?s ?p ?o }}"]
            for depth in range(1, bnode_depth + 1):
                chain = " ".join(
                    f"{'?root' if i == 0 else f'?b{i}'} ?q{i} "
                    f"{'?s' if i == depth - 1 else f'?b{i + 1}'} ."
                    for i in range(depth)
                )
                blank = " ".join(f"FILTER(isBLANK(?b{i}))" for i in range(1, depth))
                branches.append(
                    f"{{ VALUES ?root {{ {roots} }} {chain} FILTER(isBLANK(?s)) {blank} "
                    f"{values_p}?s ?p ?o }}"
                )
            text = f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ {' UNION '.join(branches)} }} {keep} }}"
            result = self.query(text, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions)
            out += [ox.Quad(row["s"], row["p"], row["o"]) for row in result]
        return out

    # ------------------------------------------------------------------ writes

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """One SPARQL Update request: the server applies all of it or none of it."""
        if base_iri:
            update = f"BASE <{base_iri}>\n{update}"
        if self.config.geosparql == "virtuoso":
            update = geosparql_as_virtuoso(update)
        self._send(  # a write of whole graphs: the queries' time limit is for reads
            "POST",
            self.config.update_url,
            bulk=True,
            content=update.encode("utf-8"),
            headers={"content-type": "application/sparql-update; charset=utf-8"},
        )

    def _post_graph(self, graph: ox.NamedNode | ox.DefaultGraph, triples: bytes) -> None:
        params = {"graph": graph.value} if isinstance(graph, ox.NamedNode) else {"default": ""}
        self._send(
            "POST",
            self.config.store_url,
            bulk=True,
            params=params,
            content=triples,
            headers={"content-type": "application/n-triples"},
        )

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, one Graph Store Protocol POST per graph."""
        by_graph: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]] = defaultdict(list)
        for q in quads:
            by_graph[q.graph_name].append(q.triple)  # type: ignore[index]
        for graph, triples in by_graph.items():
            out = io.BytesIO()
            ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
            self._post_graph(graph, out.getvalue())

    bulk_extend = extend

    def load(
        self,
        input: bytes | str | IO[bytes] | IO[str] | None = None,
        format: ox.RdfFormat | None = None,
        *,
        path: str | Path | None = None,
        base_iri: str | None = None,
        to_graph: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> None:
        """Load a document; triples into ``to_graph`` (sent as they are when they are
        N-Triples), quads into their graphs."""
        if path is not None:
            data: bytes | str | IO[bytes] | IO[str] = Path(path).read_bytes()
        else:
            assert input is not None
            data = input
        if not isinstance(data, (bytes, str)):
            data = data.read()
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if to_graph is not None and format == ox.RdfFormat.N_TRIPLES:
            self._post_graph(to_graph, raw)
            return
        quads = ox.parse(raw, format, base_iri=base_iri, without_named_graphs=False)
        if to_graph is not None:
            self.extend(ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in quads)
        else:
            self.extend(quads)

    bulk_load = load

    def remove(self, quad: ox.Quad) -> None:
        triple = f"{quad.subject} {quad.predicate} {quad.object}"
        if isinstance(quad.graph_name, ox.NamedNode):
            self.update(f"DELETE DATA {{ GRAPH {quad.graph_name} {{ {triple} }} }}")
        else:
            self.update(f"DELETE DATA {{ {triple} }}")

    def remove_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def clear(self) -> None:
        self.update("DROP SILENT ALL")

    def flush(self) -> None:
        """Nothing to do: the server persists its own writes."""

    def optimize(self) -> None:
        """Nothing to do: the server keeps its own indexes."""

    # ------------------------------------------------------------------ reads

    def read_graph(self, graph: ox.NamedNode) -> list[ox.Triple]:
        """One graph's triples through the Graph Store Protocol (empty if it does not exist)."""
        response = self._send(
            "GET",
            self.config.store_url,
            bulk=True,
            params={"graph": graph.value},
            headers={"accept": "application/n-triples"},
        )
        if response.status_code == 404:
            return []
        return [q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]

    def dump(
        self,
        output: IO[bytes] | str | Path,
        format: ox.RdfFormat,
        *,
        from_graph: ox.NamedNode | None = None,
    ) -> None:
        """Write a graph, or the whole dataset as quads: in one request where the server
        serves its dataset through the Graph Store URL (Oxigraph, Fuseki, RDF4J), else
        graph by graph."""
        out = io.BytesIO()
        if from_graph is not None:
            ox.serialize(self.read_graph(from_graph), out, format)
        else:
            whole = self._read_dataset()
            if whole is not None and format == ox.RdfFormat.N_QUADS:
                out.write(whole)
            elif whole is not None:
                ox.serialize(ox.parse(whole, ox.RdfFormat.N_QUADS), out, format)
            else:
                quads = [
                    ox.Quad(t.subject, t.predicate, t.object, g)
                    for g in sorted(self.named_graphs(), key=lambda n: n.value)
                    for t in self.read_graph(g)
                ]
                ox.serialize(quads, out, format)
        if isinstance(output, (str, Path)):
            Path(output).write_bytes(out.getvalue())
        else:
            output.write(out.getvalue())

    def _read_dataset(self) -> bytes | None:
        """Every quad as N-Quads from the Graph Store URL, or None if the server does not
        serve its whole dataset there."""
        try:
            response = self._send(
                "GET", self.config.store_url, bulk=True, headers={"accept": "application/n-quads"}
            )
        except (SyntaxError, RemoteStoreError):
            return None
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if response.status_code != 200 or media != "application/n-quads":
            return None
        return response.content

    def backup(self, target: str) -> None:
        raise RemoteStoreError(
            "an external store is backed up by its own server, not by qpvkg",
            store=self.config.store_url,
        )

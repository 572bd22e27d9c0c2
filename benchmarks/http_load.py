"""HTTP load on the SPARQL endpoint, against Oxigraph's own server and rdflib-endpoint.

Usage: python -m benchmarks.http_load [--size 100k|1m|all] [--duration 4] [--repeats 3]
       [--concurrency 1,8,32] [--servers qpvkg,qpvkg-nocache,oxigraph,rdflib-endpoint]
       [--queries NAME,...] [--profile] [--report] [--out-dir benchmarks/results] [--tag=-x]

`--servers qpvkg-remote,qpvkg-remote-nocache` adds qpvkg over Oxigraph's server as its
external store (QPVKG_STORE=http://...), with the ratio to the embedded store; `make
bench-remote` measures the two store kinds side by side (results in http-1m-remote.json).

The graphs (built under var/bench/, never in data/):
- 1m: the whole repository as `qpvkg build` makes it (ontology, shapes, study data, official
  territories: about 420,000 triples) plus `python -m benchmarks.synth --projects 14500`
  (about 580,000);
- 100k: the repository without the official territories, plus the régions, départements and
  communes that the data points to (their triples from the territories graph), plus
  `python -m benchmarks.synth --projects 2000`: the same shapes of data, a tenth of the size.

The query mix is benchmarks/queries/*.rq: two point queries (a lookup and a CONSTRUCT of one
innovation, the IRI changing at each request) and four heavy ones (connectors per commune,
innovations by category and région, a two-hop network of an actor, a CONTAINS scan of labels).

The servers, one at a time, each warmed up first:
- qpvkg: `qpvkg serve --no-build` over a store of the graph, QPVKG_WORKERS at its default (two
  per CPU), the per-client cap off (QPVKG_CLIENT_QUERIES=0: the driver stands for many
  clients), its result cache on (QPVKG_CACHE_MB=64) and off (QPVKG_CACHE_MB=0);
- Oxigraph's own server (`oxigraph serve-read-only --union-default-graph`), from the PyPI
  package `oxigraph` of the same version as the project's pyoxigraph;
- rdflib-endpoint over the same N-Quads (it takes about 2.5 minutes to load the 1m graph). Its
  queries of more than a second are timed one request at a time, and one that has not
  answered after --slow-limit seconds (default 120) is recorded as over that limit, and the
  server started again (a running query blocks its event loop).
The peers go into their own virtualenv (var/bench/peers-venv), not into the project's.

The load driver is `wrk` (Debian package, installed with apt-get when missing) with
benchmarks/wrk/vary.lua, which takes each request from a file of paths. For each query and
concurrency (1, 8, 32) it reports requests per second, p50 and p99 latency; the medians of
--repeats runs go to benchmarks/results/http-<size>.json and a markdown table to stdout.

--profile samples qpvkg (cache off, then on) with py-spy while wrk runs at concurrency 8, and
times sequential requests with their Server-Timing header: where the time of a request goes
(HTTP layer, framework, IPC to the workers, query evaluation and serialisation).
--report prints the tables of the saved results again, without measuring.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import logging
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from benchmarks.synth import load_communes, write_synth
from loaders.build import build
from loaders.settings import PROJECT_DIR, Settings

log = logging.getLogger("benchmarks.http_load")

HERE = Path(__file__).parent
QUERIES_DIR = HERE / "queries"
LUA = HERE / "wrk" / "vary.lua"
HAPROXY = HERE / "haproxy" / "replicas.cfg"
WORK = PROJECT_DIR / "var" / "bench"
PEERS = WORK / "peers-venv"
SEED = 2026
BASE = "https://w3id.org/qpvkg/"
ACCEPT = {
    "SELECT": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples",
}


@dataclass(frozen=True)
class Size:
    name: str
    projects: int
    all_territories: bool


SIZES = {"100k": Size("100k", 2000, False), "1m": Size("1m", 14500, True)}


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix: its text, whether it is a point or a heavy query, what varies."""

    name: str
    summary: str
    kind: str
    form: str
    text: str
    vary: str | None = None
    words: tuple[str, ...] = ()


def load_queries() -> list[BenchQuery]:
    queries = []
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = yaml.safe_load(
            "\n".join(line[3:] for line in text.splitlines() if line.startswith("#+ "))
        )
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
        form = "CONSTRUCT" if "CONSTRUCT" in body else "SELECT"
        queries.append(
            BenchQuery(
                name=path.stem,
                summary=header["summary"],
                kind=header["kind"],
                form=form,
                text=body.strip() + "\n",
                vary=header.get("vary"),
                words=tuple(header.get("words", ())),
            )
        )
    order = ["point-lookup", "construct-resource"]
    return sorted(queries, key=lambda q: (q.kind != "point", q.name not in order, q.name))


# ----------------------------------------------------------------------------- tools


def run_command(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    log.info("$ %s", " ".join(command))
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing."""
    return ensure_debian_tool("wrk")


def ensure_debian_tool(name: str) -> str:
    """A tool of the same name as its Debian package (wrk, haproxy), installed if missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit(f"{name} is missing: apt-get install -y {name}")
    run_command(["apt-get", "update", "-qq"])
    run_command(["apt-get", "install", "-y", "-qq", name])
    return (
        shutil.which(name)
        or shutil.which(name, path="/usr/sbin")
        or sys.exit(f"{name} did not install")
    )


def ensure_peers() -> Path:
    """A virtualenv with Oxigraph's server, rdflib-endpoint and py-spy (not the project's)."""
    wanted = ["oxigraph", "rdflib-endpoint", "py-spy"]
    binaries = [PEERS / "bin" / name for name in ("oxigraph", "rdflib-endpoint", "py-spy")]
    if not all(b.exists() for b in binaries):
        if not (PEERS / "bin" / "python").exists():
            run_command([sys.executable, "-m", "venv", str(PEERS)])
        specs = [f"oxigraph=={ox.__version__}", *wanted[1:]]
        run_command([str(PEERS / "bin" / "pip"), "install", "--quiet", *specs])
    return PEERS / "bin"


def peer_versions(bin_dir: Path) -> dict[str, str]:
    out = run_command([str(bin_dir / "pip"), "list", "--format", "json"]).stdout
    names = {"oxigraph", "rdflib", "rdflib-endpoint", "uvicorn", "py-spy"}
    return {p["name"]: p["version"] for p in json.loads(out) if p["name"].lower() in names}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----------------------------------------------------------------------------- data


def repository_dump() -> Path:
    """The repository's graph as `qpvkg build` makes it, as N-Quads (rebuilt when stale)."""
    settings = Settings(project_dir=PROJECT_DIR, store=str(WORK / "repo-store"))
    report = build(settings)
    path = WORK / "repo.nq"
    if report.loaded or report.removed or not path.exists():
        store = ox.Store.read_only(str(settings.store_path))
        with path.open("wb") as handle:
            store.dump(handle, ox.RdfFormat.N_QUADS)
        del store
    return path


def synth_file(projects: int) -> Path:
    path = WORK / f"synth-{projects}-seed{SEED}.nq"
    if not path.exists():
        settings = Settings(project_dir=PROJECT_DIR)
        write_synth(settings, projects, path, seed=SEED, communes=load_communes(settings))
    return path


def compose(size: Size, repo: Path, synth: Path) -> tuple[Path, int]:
    """The graph of a size as one N-Quads file, and its number of quads."""
    folder = WORK / size.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "data.nq"
    stamp = folder / "data.json"
    key = {
        "repo": repo.stat().st_mtime_ns,
        "synth": synth.name,
        "all_territories": size.all_territories,
    }
    if path.exists() and stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key:
            return path, int(saved["quads"])
    territories = f"<{BASE}graph/reference/"
    with path.open("wb") as out:
        if size.all_territories:
            out.write(repo.read_bytes())
        else:
            lines = repo.read_bytes().splitlines(keepends=True)
            kept = [line for line in lines if territories.encode() not in line]
            out.writelines(kept)
            refs = referenced_territories(kept + synth.read_bytes().splitlines())
            out.writelines(
                line
                for line in lines
                if territories.encode() in line and kept_territory(line.split(b" ", 1)[0], refs)
            )
        out.write(synth.read_bytes())
    quads = sum(1 for _ in path.open("rb"))
    stamp.write_text(json.dumps({"key": key, "quads": quads}))
    return path, quads


def referenced_territories(lines: list[bytes]) -> set[bytes]:
    """The communes the data refers to, and the reference dataset (as N-Quads terms)."""
    commune = f"<{BASE}id/commune/".encode()
    refs = {f"<{BASE}id/dataset/cog-2026>".encode()}
    for line in lines:
        parts = line.split(b" ", 3)
        if len(parts) > 2 and parts[2].startswith(commune):
            refs.add(parts[2])
    return refs


def kept_territory(subject: bytes, refs: set[bytes]) -> bool:
    """Whether a subject of the territories graph goes into the 100k graph."""
    regions = (f"<{BASE}id/region/".encode(), f"<{BASE}id/departement/".encode())
    return subject in refs or subject.startswith(regions)


def qpvkg_store(size: Size, data: Path) -> Path:
    store_dir = WORK / size.name / "qpvkg-store"
    done = store_dir / ".loaded"
    if done.exists() and done.read_text() == str(data.stat().st_mtime_ns):
        return store_dir
    shutil.rmtree(store_dir, ignore_errors=True)
    shutil.rmtree(store_dir.parent / "qpvkg-store-snapshots", ignore_errors=True)
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    done.write_text(str(data.stat().st_mtime_ns))
    return store_dir


def oxigraph_store(size: Size, data: Path, bin_dir: Path) -> Path:
    store_dir = WORK / size.name / "oxigraph-store"
    done = WORK / size.name / "oxigraph-store.loaded"
    if done.exists() and done.read_text() == str(data.stat().st_mtime_ns):
        return store_dir
    shutil.rmtree(store_dir, ignore_errors=True)
    run_command(
        [str(bin_dir / "oxigraph"), "load", "--location", str(store_dir), "--file", str(data)]
    )
    done.write_text(str(data.stat().st_mtime_ns))
    return store_dir


# ----------------------------------------------------------------------------- requests


def variants(query: BenchQuery, projects: int) -> list[str]:
    """The texts of the query sent in turn (one if nothing varies)."""
    rng = random.Random(SEED)
    if query.vary == "innovation":
        picks = rng.sample(range(1, projects + 1), min(1000, projects))
        values = [f"<{BASE}id/innovation/synth-{i:06d}>" for i in picks]
    elif query.vary == "actor":
        organisations = round(projects * 0.6)
        picks = rng.sample(range(1, organisations + 1), min(300, organisations))
        values = [f"<{BASE}id/organisation/synth-{i:06d}>" for i in picks]
    elif query.vary == "word":
        values = [json.dumps(w, ensure_ascii=False) for w in query.words]
    else:
        return [query.text]
    token = f"${query.vary}"
    return [query.text.replace(token, value) for value in values]


def paths_file(folder: Path, query: BenchQuery, projects: int, route: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{route.strip('/') or 'root'}-{query.name}.txt"
    lines = [f"{route}?{urllib.parse.urlencode({'query': t})}" for t in variants(query, projects)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A SPARQL server run for the measurement, in a process group of its own."""

    name: str
    command: list[str]
    route: str
    graph: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    store: Server | None = None  # an external store started first (qpvkg over HTTP)
    backends: list[Server] = field(default_factory=list)  # behind a load balancer

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout_s: float = 900) -> float:
        log_dir.mkdir(parents=True, exist_ok=True)
        if self.store is not None:
            self.store.start(log_dir, timeout_s)
        for backend in self.backends:  # the writer first: it ships what the replicas serve
            backend.start(log_dir, timeout_s)
        store_port = str(self.store.port) if self.store else ""
        command = [
            c.replace("{port}", str(self.port)).replace("{store_port}", store_port)
            for c in self.command
        ]
        env = {k: v.replace("{store_port}", store_port) for k, v in self.env.items()}
        log.info("starting %s: %s", self.name, " ".join(command))
        handle = (log_dir / f"{self.name}.log").open("wb")
        start = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,
            cwd=PROJECT_DIR,
        )
        probe = f"{self.route}?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        while time.perf_counter() - start < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            with contextlib.suppress(OSError):
                status, _, _ = get(self, probe, "application/sparql-results+json", timeout=60)
                if status == 200:
                    return time.perf_counter() - start
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout_s} s")

    def stop(self) -> None:
        if self.store is not None:
            self.store.stop()
        for backend in reversed(self.backends):
            backend.stop()
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # workers left in the group
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


@dataclass
class VirtuosoStore(Server):
    """Virtuoso (Debian's ``virtuoso-opensource``, as ``deploy/virtuoso/`` configures it) on a
    fresh database, the graph bulk-loaded from N-Quads with its RDF loader: measured at its own
    ``/sparql``, or started first as the external store of qpvkg."""

    quads: Path = Path()
    database: Any = None  # tests.virtuoso.VirtuosoServer
    load_s: float = 0.0

    def start(self, log_dir: Path, timeout_s: float = 900) -> float:
        from tests.virtuoso import VirtuosoServer

        start = time.perf_counter()
        folder = log_dir / f"{self.name}-db"
        shutil.rmtree(folder, ignore_errors=True)
        self.database = VirtuosoServer(folder)
        dump = folder / "graph.nq"
        os.link(self.quads, dump)
        self.database.load(dump)
        dump.unlink()
        self.port = self.database.http_port
        self.load_s = time.perf_counter() - start
        log.info("%s: %s loaded in %.1f s", self.name, self.quads.name, self.load_s)
        return self.load_s

    def stop(self) -> None:
        if self.database is not None:
            self.database.stop()
            self.database = None


def virtuoso_env(env: dict[str, str], stores: dict[str, Path], cache_mb: str) -> dict[str, str]:
    """qpvkg over the Virtuoso of {store_port}, as docs/scaling.md's recipe sets it."""
    from tests.virtuoso import PASSWORD, USER

    url = "http://127.0.0.1:{store_port}"
    return {
        **env,
        "QPVKG_STORE": url,
        "QPVKG_STORE_QUERY_URL": f"{url}/sparql",
        "QPVKG_STORE_UPDATE_URL": f"{url}/sparql-auth",
        "QPVKG_STORE_GSP_URL": f"{url}/sparql-graph-crud-auth",
        "QPVKG_STORE_USER": USER,
        "QPVKG_STORE_PASSWORD": PASSWORD,
        "QPVKG_STORE_AUTH": "digest",
        "QPVKG_STORE_TIMEOUT_PARAM": "timeout",
        "QPVKG_STORE_TIMEOUT_UNIT": "ms",
        "QPVKG_STORE_DESCRIBE": "client",
        # the embedded store's publication (same generation): nothing is published again
        "QPVKG_STORE_STATE": str(stores["qpvkg"]),
        "QPVKG_CACHE_MB": cache_mb,
    }


def built_store(folder: Path, *, publish_too: bool = True) -> Path:
    """A store `qpvkg build` makes from the repository, in ``folder`` (emptied first)."""
    shutil.rmtree(folder, ignore_errors=True)
    store = folder / "store"
    report = build(
        Settings(project_dir=PROJECT_DIR, store=str(store)), None, publish_too=publish_too
    )
    log.info("store of %s triples", f"{report.total_triples:,}")
    return store


def qpvkg_server(store: Path, env: dict[str, str] | None = None) -> Server:
    """`qpvkg serve --no-build` over ``store`` on a free port, two workers unless ``env`` says."""
    qpvkg = str(PROJECT_DIR / ".venv" / "bin" / "qpvkg")
    return Server(
        "qpvkg",
        [qpvkg, "serve", "--no-build", "--store", str(store), "--port", "{port}"],
        "/sparql",
        "repo",
        {"QPVKG_WORKERS": "2", **(env or {})},
    )


def get(
    server: Server, path: str, accept: str, timeout: float = 120
) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def rows_of(body: bytes, form: str) -> int:
    if form == "CONSTRUCT":
        return sum(1 for line in body.splitlines() if line.strip())
    return len(json.loads(body)["results"]["bindings"])


def cache_counts(server: Server) -> tuple[int, int] | None:
    if not server.name.startswith("qpvkg"):
        return None
    with contextlib.suppress(OSError, ValueError):
        status, body, _ = get(server, "/-/metrics", "text/plain", timeout=10)
        if status == 200:
            values = {}
            for line in body.decode().splitlines():
                if line.startswith(("qpvkg_cache_hits_total", "qpvkg_cache_misses_total")):
                    name, value = line.split()
                    values[name] = int(float(value))
            return values["qpvkg_cache_hits_total"], values["qpvkg_cache_misses_total"]
    return None


def run_wrk(
    wrk: str,
    server: Server,
    paths: Path,
    accept: str,
    concurrency: int,
    duration: float,
    timeout: float,
) -> dict[str, Any]:
    """One wrk run; requests per second and latency percentiles in milliseconds."""
    threads = min(concurrency, 2)
    command = [
        wrk,
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        f"{timeout:g}s",
        "-H",
        f"Accept: {accept}",
        "-s",
        str(LUA),
        server.base_url,
        "--",
        str(paths),
    ]
    before = cache_counts(server)
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    after = cache_counts(server)
    line = next(x for x in reversed(output.splitlines()) if x.startswith("{"))
    raw = json.loads(line)
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    ok = max(0, raw["requests"] - raw["errors"]["status"])
    result = {
        "rps": ok / seconds if seconds else 0.0,
        "requests": raw["requests"],
        "errors": errors,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "mean_ms": raw["latency_us"]["mean"] / 1000,
    }
    if before and after:
        hits, misses = after[0] - before[0], after[1] - before[1]
        result["cache_hit_rate"] = hits / (hits + misses) if hits + misses else None
    return result


# ----------------------------------------------------------------------------- measuring


def servers_for(
    size: Size, names: list[str], bin_dir: Path, stores: dict[str, Path], data: dict[str, Path]
) -> list[Server]:
    qpvkg = [str(PROJECT_DIR / ".venv" / "bin" / "qpvkg")]
    env = {
        "QPVKG_WORKERS": str(2 * (os.cpu_count() or 1)),
        "QPVKG_STORE": str(stores["qpvkg"]),
        # the load driver is one client making many concurrent requests, as many users would:
        # the per-client cap would refuse most of them (429)
        "QPVKG_CLIENT_QUERIES": "0",
        # the pages' models are not built at start: over an external store that takes a
        # minute of its queries (80 s over Virtuoso), which would run beside the measurement
        "QPVKG_WARM_PAGES": "false",
    }
    serve = [*qpvkg, "serve", "--no-build", "--store", str(stores["qpvkg"]), "--port", "{port}"]
    out = []
    for name in names:
        if name == "qpvkg":
            out.append(Server(name, serve, "/sparql", size.name, {**env, "QPVKG_CACHE_MB": "64"}))
        elif name == "qpvkg-nocache":
            out.append(Server(name, serve, "/sparql", size.name, {**env, "QPVKG_CACHE_MB": "0"}))
        elif name in ("qpvkg-routed", "qpvkg-routed-nocache"):
            # the same server without its fast path: query requests through the /sparql route
            cache = "0" if name.endswith("nocache") else "64"
            routed = {**env, "QPVKG_CACHE_MB": cache, "QPVKG_FAST_PATH": "false"}
            out.append(Server(name, serve, "/sparql", size.name, routed))
        elif name == "oxigraph":
            out.append(Server(name, oxigraph_serve(bin_dir, stores), "/query", size.name))
        elif name in ("qpvkg-remote", "qpvkg-remote-nocache"):
            # qpvkg over Oxigraph's server as its external store: the same graph, and the
            # embedded store's publication (same generation), so nothing is published again
            remote = {
                **env,
                "QPVKG_STORE": "http://127.0.0.1:{store_port}",
                "QPVKG_STORE_STATE": str(stores["qpvkg"]),
                "QPVKG_CACHE_MB": "0" if name.endswith("nocache") else "64",
            }
            command = [*qpvkg, "serve", "--no-build", "--port", "{port}"]
            store = Server("oxigraph-store", oxigraph_serve(bin_dir, stores), "/query", size.name)
            out.append(Server(name, command, "/sparql", size.name, remote, store=store))
        elif name == "virtuoso":
            out.append(VirtuosoStore(name, [], "/sparql", size.name, quads=data[size.name]))
        elif name in ("qpvkg-virtuoso", "qpvkg-virtuoso-nocache"):
            cache = "0" if name.endswith("nocache") else "64"
            store = VirtuosoStore("virtuoso-store", [], "/sparql", size.name, quads=data[size.name])
            command = [*qpvkg, "serve", "--no-build", "--port", "{port}"]
            out.append(
                Server(
                    name,
                    command,
                    "/sparql",
                    size.name,
                    virtuoso_env(env, stores, cache),
                    store=store,
                )
            )
        elif name.startswith("qpvkg-replicas-"):
            out.append(replicas_behind_haproxy(name, size, qpvkg, env, stores))
        elif name == "rdflib-endpoint":
            command = [
                str(bin_dir / "rdflib-endpoint"),
                "serve",
                str(data[size.name]),
                "--host",
                "127.0.0.1",
                "--port",
                "{port}",
            ]
            out.append(Server(name, command, "/", size.name))  # its command serves at /
    return out


def replicas_behind_haproxy(
    name: str, size: Size, qpvkg: list[str], env: dict[str, str], stores: dict[str, Path]
) -> Server:
    """`qpvkg-replicas-N[-nocache]`: N read replicas of the writer's shipped generation,
    behind HAProxy (reads to the replicas, /store writes to the writer), as in
    docs/scaling.md. The writer runs too, idle."""
    count = int(name.split("-")[2])
    cache = "0" if name.endswith("nocache") else "64"
    folder = WORK / size.name / "replicas"
    ship = folder / "ship"
    writer = Server(
        "qpvkg-writer",
        [*qpvkg, "serve", "--no-build", "--store", str(stores["qpvkg"]), "--port", "{port}"],
        "/sparql",
        size.name,
        {**env, "QPVKG_REPLICA_DIR": str(ship), "QPVKG_WORKERS": "1"},
    )
    replicas = [
        Server(
            f"qpvkg-replica-{i}",
            [
                *qpvkg,
                "serve",
                "--read-only",
                "--replica-dir",
                str(ship),
                "--store",
                str(folder / f"replica-{i}"),
                "--port",
                "{port}",
            ],
            "/sparql",
            size.name,
            {**env, "QPVKG_STORE": str(folder / f"replica-{i}"), "QPVKG_CACHE_MB": cache},
        )
        for i in range(count)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"{name}.cfg"  # its own ports
    command = [ensure_debian_tool("haproxy"), "-f", str(config), "-db"]
    balancer = Server(name, command, "/sparql", size.name, backends=[writer, *replicas])
    config.write_text(haproxy_config(balancer.port, writer, replicas), encoding="utf-8")
    return balancer


def haproxy_config(port: int, writer: Server, replicas: list[Server]) -> str:
    """The load balancer of docs/scaling.md: reads to the replicas, writes to the writer
    (benchmarks/haproxy/replicas.cfg, its ports filled in)."""
    servers = "\n".join(
        f"    server replica{i} 127.0.0.1:{r.port} check" for i, r in enumerate(replicas)
    )
    template = string.Template(HAPROXY.read_text(encoding="utf-8"))
    return template.substitute(port=port, servers=servers, writer_port=writer.port)


def oxigraph_serve(bin_dir: Path, stores: dict[str, Path]) -> list[str]:
    return [
        str(bin_dir / "oxigraph"),
        "serve-read-only",
        "--location",
        str(stores["oxigraph"]),
        "--bind",
        "127.0.0.1:{port}",
        "--union-default-graph",
    ]


def measure_server(
    server: Server,
    queries: list[BenchQuery],
    args: argparse.Namespace,
    wrk: str,
    projects: dict[str, int],
    folder: Path,
) -> dict[str, Any]:
    """Start a server, check its answers, warm it up, run every query at every concurrency."""
    try:
        startup = server.start(folder / "logs")
    except BaseException:
        server.stop()  # and the external store started for it
        raise
    log.info("%s answers after %.1f s", server.name, startup)
    for backend in server.backends:  # a replica's first publication runs in the background
        drain(backend)
    slow = server.name == "rdflib-endpoint"
    duration = max(args.duration, 10) if slow else args.duration
    timeout = 60 if slow else 30
    result: dict[str, Any] = {"graph": server.graph, "startup_s": startup, "queries": {}}
    try:
        files = {
            q.name: paths_file(folder / "paths", q, projects[server.graph], server.route)
            for q in queries
        }
        for q in queries:
            first = files[q.name].read_text(encoding="utf-8").splitlines()[0]
            start = time.perf_counter()
            try:
                status, body, _ = get(
                    server, first, ACCEPT[q.form], timeout=args.slow_limit if slow else 300
                )
            except TimeoutError:
                if not slow:
                    raise
                log.info("%s %s: no answer within %g s", server.name, q.name, args.slow_limit)
                result["queries"][q.name] = {
                    "check": {"status": None, "over_s": args.slow_limit},
                    "runs": {"1": [over_limit(args.slow_limit)]},
                }
                server.stop()  # the query still runs and blocks the server: start it again
                server.start(folder / "logs")
                continue
            elapsed = time.perf_counter() - start
            rows = rows_of(body, q.form) if status == 200 else None
            result["queries"][q.name] = {
                "check": {"status": status, "rows": rows, "first_ms": elapsed * 1000},
                "runs": {},
            }
            log.info(
                "%s %s: %s, %s rows, %.0f ms", server.name, q.name, status, rows, elapsed * 1e3
            )
            if not (slow and elapsed > 1):
                run_wrk(wrk, server, files[q.name], ACCEPT[q.form], 8, args.warmup, timeout)
                drain(server)
        for repeat in range(args.repeats):
            for q in queries:
                for c in args.concurrency:
                    if "over_s" in result["queries"][q.name]["check"]:
                        continue
                    first_ms = result["queries"][q.name]["check"]["first_ms"]
                    if slow and first_ms > 1000:
                        # a query of more than a second blocks rdflib-endpoint's event loop: wrk
                        # would leave a queue of requests that delays the next runs; it is
                        # timed one request after the other, once (the check if over 10 s)
                        if c == 1 and repeat == 0:
                            m = (
                                sequential(server, files[q.name], ACCEPT[q.form], 3)
                                if first_ms < 10_000
                                else single(first_ms)
                            )
                            result["queries"][q.name]["runs"].setdefault("1", []).append(m)
                        continue
                    m = run_wrk(wrk, server, files[q.name], ACCEPT[q.form], c, duration, timeout)
                    drain(server)
                    result["queries"][q.name]["runs"].setdefault(str(c), []).append(m)
                    log.info(
                        "%s run %d %s c=%d: %.1f req/s, p50 %.1f ms, p99 %.1f ms%s",
                        server.name,
                        repeat + 1,
                        q.name,
                        c,
                        m["rps"],
                        m["p50_ms"],
                        m["p99_ms"],
                        f", {m['errors']} errors" if m["errors"] else "",
                    )
    finally:
        server.stop()
    for entry in result["queries"].values():
        entry["median"] = {
            c: {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50_ms", "p99_ms")}
            | {"errors": sum(r["errors"] for r in runs)}
            | ({"sequential": True} if any(r.get("sequential") for r in runs) else {})
            | ({"over_s": runs[0]["over_s"]} if any("over_s" in r for r in runs) else {})
            | cache_rate(runs)
            for c, runs in entry["runs"].items()
        }
    return result


def sequential(server: Server, paths: Path, accept: str, n: int) -> dict[str, Any]:
    """n requests one after the other (for queries too slow for wrk on a one-loop server)."""
    lines = paths.read_text(encoding="utf-8").splitlines()
    times = []
    for i in range(n):
        start = time.perf_counter()
        status, _, _ = get(server, lines[i % len(lines)], accept, timeout=600)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    return {
        "rps": 1000 / median,
        "requests": n,
        "errors": 0 if status == 200 else n,
        "p50_ms": median,
        "p99_ms": max(times),
        "mean_ms": statistics.mean(times),
        "sequential": True,
    }


def single(milliseconds: float) -> dict[str, Any]:
    return {
        "rps": 1000 / milliseconds,
        "requests": 1,
        "errors": 0,
        "p50_ms": milliseconds,
        "p99_ms": milliseconds,
        "mean_ms": milliseconds,
        "sequential": True,
    }


def over_limit(seconds: float) -> dict[str, Any]:
    """A query that gave no answer within ``seconds``: its rate is at most 1/seconds."""
    return {**single(seconds * 1000), "over_s": seconds}


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drain(server: Server, limit_s: float = 300) -> None:
    """Wait until the server's process is idle: requests wrk gave up on may still run."""
    if server.process is None:
        return
    pid, start = server.process.pid, time.perf_counter()
    while time.perf_counter() - start < limit_s:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.05:
            return
    log.warning("%s still busy %.0f s after a run", server.name, limit_s)


def cache_rate(runs: list[dict[str, Any]]) -> dict[str, float]:
    rates = [r["cache_hit_rate"] for r in runs if r.get("cache_hit_rate") is not None]
    return {"cache_hit_rate": statistics.median(rates)} if rates else {}


# ----------------------------------------------------------------------------- profile


CATEGORIES = (
    # (category, substrings of a frame), tried from the innermost frame outwards
    ("IPC to workers (pickle, sockets, engine)", ("pickle", "endpoint/engine.py", "streams.py")),
    ("access log and metrics (logging, json)", ("logging/", "json/", "endpoint/app.py")),
    (
        "fast path and protocol code",
        ("endpoint/fastpath.py", "endpoint/protocol.py", "endpoint/routes/", "loaders/sparqltext"),
    ),
    ("content negotiation", ("endpoint/negotiation.py",)),
    ("FastAPI / Starlette / pydantic", ("fastapi/", "starlette/", "pydantic", "anyio/")),
    ("HTTP layer (uvicorn, httptools, h11)", ("uvicorn/", "httptools", "h11/")),
    ("event loop (asyncio, uvloop)", ("asyncio/", "uvloop")),
)
IDLE = "waiting for a job (idle)"
WORKER_CATEGORIES = (
    (IDLE, ("recv_frame", "recv_exact")),
    ("worker: evaluate and serialise (endpoint/results.py)", ("endpoint/results.py",)),
    ("worker: parse and plan (store.query in run_job)", ("run_job",)),
    # the lines of worker_loop itself unpickle the job and pickle the answer (native code)
    ("worker: IPC (pickle, socket)", ("pickle", "send_frame", "worker_loop")),
)


def classify(frames: list[str], worker: bool) -> str:
    rules = WORKER_CATEGORIES if worker else CATEGORIES
    for frame in reversed(frames):
        for category, needles in rules:
            if any(n in frame for n in needles):
                return category
    return "worker: other" if worker else "other"


def py_spy_profile(bin_dir: Path, pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    command = [
        str(bin_dir / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--subprocesses",
        "--nonblocking",
        "--rate",
        "200",
        "--duration",
        str(int(seconds)),
        "--format",
        "raw",
        "--output",
        str(out),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise_profile(path: Path, server_pid: int) -> dict[str, float]:
    """Share of the busy samples of each category (server process and workers)."""
    totals: collections.Counter[str] = collections.Counter()
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        # py-spy names the chain of processes first: the server, then the zygote and a worker
        processes = [f for f in frames if f.startswith("process ")]
        worker = len(processes) > 1 or (
            bool(processes) and not processes[0].startswith(f"process {server_pid}:")
        )
        category = classify(frames, worker)
        if category != IDLE:  # py-spy cannot always tell a blocking recv from work
            totals[category] += int(count)
    whole = sum(totals.values()) or 1
    return {k: round(v / whole, 3) for k, v in totals.most_common()}


def server_timing(headers: dict[str, str]) -> dict[str, float]:
    out = {}
    for part in headers.get("server-timing", headers.get("Server-Timing", "")).split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            out[name] = float(rest[4:])
    return out


def timing_breakdown(server: Server, query: BenchQuery, projects: int, n: int) -> dict[str, float]:
    """Median milliseconds of sequential requests: total, in the app, in the worker."""
    texts = variants(query, projects)
    totals, apps, queries = [], [], []
    start_all = time.perf_counter()
    for i in range(n):
        if i >= 5 and time.perf_counter() - start_all > 10:
            break
        path = f"{server.route}?{urllib.parse.urlencode({'query': texts[i % len(texts)]})}"
        start = time.perf_counter()
        status, _, headers = get(server, path, ACCEPT[query.form])
        totals.append((time.perf_counter() - start) * 1000)
        timing = server_timing({k.lower(): v for k, v in headers.items()})
        apps.append(timing.get("app", 0.0))
        queries.append(timing.get("query", 0.0))
        if status != 200:
            raise RuntimeError(f"{query.name}: status {status}")
    total, app, worker = (statistics.median(x) for x in (totals, apps, queries))
    return {
        "requests": len(totals),
        "client_total_ms": round(total, 2),
        "outside_app_ms": round(total - app, 2),
        "app_minus_worker_ms": round(app - worker, 2),
        "worker_eval_serialise_ms": round(worker, 2),
    }


def profile_qpvkg(
    size: Size,
    queries: list[BenchQuery],
    args: argparse.Namespace,
    wrk: str,
    bin_dir: Path,
    stores: dict[str, Path],
    data: dict[str, Path],
    projects: dict[str, int],
    folder: Path,
) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for name in ("qpvkg-nocache", "qpvkg"):
        (server,) = servers_for(size, [name], bin_dir, stores, data)
        server.start(folder / "logs")
        assert server.process is not None
        try:
            entry: dict[str, Any] = {"timing_c1": {}, "py_spy_c8": {}}
            for q in queries:
                timing_breakdown(server, q, projects[size.name], 20)  # warm up
                entry["timing_c1"][q.name] = timing_breakdown(server, q, projects[size.name], 200)
                log.info("%s %s: %s", name, q.name, entry["timing_c1"][q.name])
            for q in [q for q in queries if q.name in ("point-lookup", "categories-by-region")]:
                paths = paths_file(folder / "paths", q, projects[size.name], server.route)
                raw = folder / f"py-spy-{name}-{q.name}.txt"
                spy = py_spy_profile(bin_dir, server.process.pid, args.profile_seconds, raw)
                time.sleep(1)
                m = run_wrk(wrk, server, paths, ACCEPT[q.form], 8, args.profile_seconds - 2, 30)
                spy.wait(timeout=args.profile_seconds + 30)
                entry["py_spy_c8"][q.name] = {
                    "rps_while_sampled": round(m["rps"], 1),
                    "shares": summarise_profile(raw, server.process.pid),
                }
                log.info("%s %s py-spy: %s", name, q.name, entry["py_spy_c8"][q.name])
            profile[name] = entry
        finally:
            server.stop()
    return profile


# ----------------------------------------------------------------------------- reporting


NAMES = {
    "qpvkg": "qpvkg",
    "qpvkg-nocache": "qpvkg, no cache",
    "qpvkg-routed": "qpvkg without its fast path",
    "qpvkg-routed-nocache": "qpvkg without its fast path, no cache",
    "qpvkg-remote": "qpvkg over Oxigraph server",
    "qpvkg-remote-nocache": "qpvkg over Oxigraph server, no cache",
    "qpvkg-replicas-1": "1 replica behind HAProxy",
    "qpvkg-replicas-2": "2 replicas behind HAProxy",
    "qpvkg-replicas-1-nocache": "1 replica behind HAProxy, no cache",
    "qpvkg-replicas-2-nocache": "2 replicas behind HAProxy, no cache",
    "oxigraph": "Oxigraph server",
    "virtuoso": "Virtuoso",
    "qpvkg-virtuoso": "qpvkg over Virtuoso",
    "qpvkg-virtuoso-nocache": "qpvkg over Virtuoso, no cache",
    "rdflib-endpoint": "rdflib-endpoint",
}
#: the overhead of the external-store path: each remote variant against the embedded one
REMOTE_PAIRS = (
    ("qpvkg-remote", "qpvkg"),
    ("qpvkg-remote-nocache", "qpvkg-nocache"),
    ("qpvkg-virtuoso", "qpvkg"),
    ("qpvkg-virtuoso-nocache", "qpvkg-nocache"),
    ("qpvkg-virtuoso-nocache", "virtuoso"),  # the qpvkg path against Virtuoso's own /sparql
)
#: the fast path: the server with it against the same server without it
FAST_PATH_PAIRS = (("qpvkg", "qpvkg-routed"), ("qpvkg-nocache", "qpvkg-routed-nocache"))
#: read replicas: two against one, behind the same load balancer
REPLICA_PAIRS = (
    ("qpvkg-replicas-2", "qpvkg-replicas-1"),
    ("qpvkg-replicas-2-nocache", "qpvkg-replicas-1-nocache"),
)


def rate_cell(rps: float | None, median: dict[str, Any] | None) -> str:
    if rps is None or median is None:
        return "n/a"
    if rps == 0:
        return "0 (none done)"
    if median.get("over_s"):
        return f"< {rps:,.3f} (over {median['over_s']:g} s)"
    return f"{rps:,.1f}" + (" (seq.)" if median.get("sequential") else "")


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def markdown(result: dict[str, Any]) -> str:
    servers = result["servers"]
    order = [s for s in NAMES if s in servers]
    lines = [
        f"### {result['size']} graph: {result['quads'][result['size']]:,} triples "
        f"(medians of {result['repeats']} runs of {result['duration_s']:g} s)",
        "",
    ]
    if "rdflib-endpoint" in servers and servers["rdflib-endpoint"]["graph"] != result["size"]:
        lines += [
            f"rdflib-endpoint serves the {servers['rdflib-endpoint']['graph']} graph "
            f"({result['quads'][servers['rdflib-endpoint']['graph']]:,} triples).",
            "",
        ]
    head = "| query | c | " + " | ".join(f"{NAMES[s]} req/s" for s in order)
    peers = [p for p in ("oxigraph", "rdflib-endpoint") if p in servers]
    ours = [s for s in ("qpvkg", "qpvkg-nocache") if s in servers]
    ratios = [(o, p) for o in ours for p in peers]
    pairs = (*REMOTE_PAIRS, *FAST_PATH_PAIRS, *REPLICA_PAIRS)
    ratios += [(r, e) for r, e in pairs if r in servers and e in servers]
    head += "".join(f" | {NAMES[o]} / {NAMES[p]}" for o, p in ratios) + " |"
    lines += [head, "|" + "---|" * (2 + len(order) + len(ratios))]
    for q in result["queries"]:
        for c in result["concurrency"]:
            cells = [q, str(c)]
            rps = {}
            for s in order:
                median = servers[s]["queries"].get(q, {}).get("median", {}).get(str(c))
                rps[s] = median["rps"] if median else None
                cells.append(rate_cell(rps[s], median))
            cells += [ratio(rps[o], rps[p]) for o, p in ratios]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Latency, milliseconds (p50 / p99):", ""]
    lines += [
        "| query | c | " + " | ".join(NAMES[s] for s in order) + " |",
        "|" + "---|" * (2 + len(order)),
    ]
    for q in result["queries"]:
        for c in result["concurrency"]:
            cells = [q, str(c)]
            for s in order:
                median = servers[s]["queries"].get(q, {}).get("median", {}).get(str(c))
                cells.append(
                    f"{median['p50_ms']:,.1f} / {median['p99_ms']:,.1f}"
                    if median and median["rps"]
                    else "n/a"
                )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def targets(result: dict[str, Any]) -> list[str]:
    """The comparison against the targets, at concurrency 8 (measured, never assumed)."""
    servers = result["servers"]
    out: list[str] = []
    if "oxigraph" not in servers:
        return out
    for ours in ("qpvkg", "qpvkg-nocache"):
        if ours not in servers:
            continue
        for q, kind in result["kinds"].items():
            mine = servers[ours]["queries"].get(q, {}).get("median", {}).get("8")
            peer = servers["oxigraph"]["queries"].get(q, {}).get("median", {}).get("8")
            if not mine or not peer:
                continue
            need = 0.5 if kind == "point" else 0.9
            if not peer["rps"]:
                verdict = "met" if mine["rps"] else "not met"
                line = (
                    f"- {NAMES[ours]}, {q} ({kind}): {mine['rps']:,.1f} req/s, p99 "
                    f"{mine['p99_ms']:,.0f} ms; Oxigraph's server completed no request in the run"
                )
            else:
                r = mine["rps"] / peer["rps"]
                p99 = mine["p99_ms"] / peer["p99_ms"] if peer["p99_ms"] else float("inf")
                verdict = "met" if r >= need and p99 <= 2 else "not met"
                line = (
                    f"- {NAMES[ours]}, {q} ({kind}): {r:.2f}x Oxigraph's throughput "
                    f"(target {need}x), p99 {p99:.2f}x (target <= 2x)"
                )
            rdf = servers.get("rdflib-endpoint", {}).get("queries", {}).get(q, {})
            rdf_median = rdf.get("median", {}).get("8")
            if rdf_median and rdf_median["rps"]:
                rr = mine["rps"] / rdf_median["rps"]
                graph = servers["rdflib-endpoint"]["graph"]
                on = "" if graph == result["size"] else f" on the {graph} graph"
                line += f", {rr:.0f}x rdflib-endpoint{on} (target >= 50x"
                if peer["rps"]:
                    line += f"; Oxigraph's server: {peer['rps'] / rdf_median['rps']:.0f}x"
                line += ")"
                verdict = verdict if rr >= 50 else "not met"
            out.append(f"{line}: {verdict}")
    return out


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=[*SIZES, "all"], default="all")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per query")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32]
    )
    parser.add_argument(
        "--servers",
        type=lambda s: s.split(","),
        default=["qpvkg", "qpvkg-nocache", "oxigraph", "rdflib-endpoint"],
    )
    parser.add_argument("--queries", type=lambda s: s.split(","), default=None)
    parser.add_argument(
        "--tag", default="", help="suffix of the result file (http-<size><tag>.json)"
    )
    parser.add_argument("--profile", action="store_true", help="profile qpvkg instead")
    parser.add_argument(
        "--report", action="store_true", help="print the tables of the saved results only"
    )
    parser.add_argument("--profile-seconds", type=float, default=12.0)
    parser.add_argument(
        "--slow-limit",
        type=float,
        default=120.0,
        help="seconds rdflib-endpoint gets to answer a query once before it is marked as over",
    )
    parser.add_argument("--out-dir", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    logging.getLogger("loaders").setLevel("WARNING")

    if args.report:
        for name in [*SIZES] if args.size == "all" else [args.size]:
            saved = json.loads(
                (args.out_dir / f"http-{name}{args.tag}.json").read_text(encoding="utf-8")
            )
            for server in saved["servers"].values():
                for entry in server["queries"].values():
                    for c, runs in entry["runs"].items():
                        if any(r.get("sequential") for r in runs):
                            entry["median"][c]["sequential"] = True
            saved["targets_c8"] = targets(saved)
            path = args.out_dir / f"http-{name}{args.tag}.json"
            path.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
            sys.stdout.write(markdown(saved) + "\n" + "\n".join(saved["targets_c8"]) + "\n\n")
        return
    wrk = ensure_wrk()
    bin_dir = ensure_peers()
    WORK.mkdir(parents=True, exist_ok=True)
    queries = [q for q in load_queries() if not args.queries or q.name in args.queries]
    sizes = list(SIZES.values()) if args.size == "all" else [SIZES[args.size]]

    repo = repository_dump()
    data, quads, projects = {}, {}, {}
    needed = {s.name for s in sizes}
    for name in sorted(needed):
        size = SIZES[name]
        data[name], quads[name] = compose(size, repo, synth_file(size.projects))
        projects[name] = size.projects
        log.info("%s graph: %s quads in %s", name, f"{quads[name]:,}", data[name])

    for size in sizes:
        folder = WORK / size.name
        stores = {"qpvkg": qpvkg_store(size, data[size.name])}
        if {"oxigraph", "qpvkg-remote", "qpvkg-remote-nocache"} & set(args.servers):
            stores["oxigraph"] = oxigraph_store(size, data[size.name], bin_dir)
        if args.profile:
            result: dict[str, Any] = {
                "size": size.name,
                "quads": quads,
                "profile": profile_qpvkg(
                    size, queries, args, wrk, bin_dir, stores, data, projects, folder
                ),
            }
            out = args.out_dir / f"http-profile-{size.name}.json"
            args.out_dir.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
            sys.stdout.write(json.dumps(result["profile"], indent=2) + "\n")
            continue
        result = {
            "size": size.name,
            "quads": {k: v for k, v in quads.items()},
            "projects": projects,
            "seed": SEED,
            "duration_s": args.duration,
            "repeats": args.repeats,
            "concurrency": args.concurrency,
            "queries": [q.name for q in queries],
            "kinds": {q.name: q.kind for q in queries},
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "versions": {"pyoxigraph": ox.__version__, **peer_versions(bin_dir)},
            "servers": {},
        }
        for server in servers_for(size, args.servers, bin_dir, stores, data):
            result["servers"][server.name] = measure_server(
                server, queries, args, wrk, projects, folder
            )
        result["targets_c8"] = targets(result)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        out = args.out_dir / f"http-{size.name}{args.tag}.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        sys.stdout.write(markdown(result) + "\n" + "\n".join(result["targets_c8"]) + "\n\n")
        log.info("results in %s", out)


if __name__ == "__main__":
    main()

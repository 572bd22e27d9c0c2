"""The query engine: a pool of worker processes with hard time and memory limits.

pyoxigraph has no timeout and no cancellation, and a single ``next()`` can run for a whole
query, so queries never run in the server process. The server opens the store, writes a
read-only checkpoint of it (``Store.backup``: hard links, milliseconds) and starts a zygote
process that loads the checkpoint (into memory by default) and forks the workers. A query
past its time limit or its memory limit has its worker killed, its CPU and memory freed,
and a new worker forked; every other request goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import pickle
import socket
import subprocess
import sys
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from endpoint.backends import ReplicaBackend, backend_for
from endpoint.worker import HEADER, Answer, Job, decode_answer, recv_frame, send_frame
from loaders import errors
from loaders.errors import (
    QpvkgError,
    QueryLimitError,
    QueryMemoryError,
    QueryTimeoutError,
    ServiceUnavailableError,
    TooManyQueriesError,
)
from loaders.replica import Shipped
from loaders.settings import Settings
from loaders.store import Generation, GraphStore

log = logging.getLogger(__name__)
PAGE = os.sysconf("SC_PAGE_SIZE")
POLL_S = 0.02
NICE_AFTER_S = 1.0  # a query running longer yields the CPU to the others (nice 10)
SUPERVISE_S = 0.2  # how often the pool looks for a dead zygote and tops its workers up


@dataclass
class ClientRequest:
    """The request being served, for the per-client cap: who sends it (its address, after
    the proxy headers uvicorn trusts) and how many of its queries run (a page runs several
    at once: the cap counts requests, not queries)."""

    client: str
    queries: int = 0


CLIENT: contextvars.ContextVar[ClientRequest | None] = contextvars.ContextVar(
    "qpvkg_client", default=None
)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (0 if it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Metrics:
    """Counters the /-/metrics page exposes."""

    queries: int = 0
    errors: int = 0
    timeouts: int = 0
    memory_kills: int = 0
    worker_restarts: int = 0
    zygote_restarts: int = 0
    refused: int = 0  # over the per-client cap of concurrent queries (429)
    cache_hits: int = 0
    cache_misses: int = 0
    busy: int = 0
    query_seconds: list[float] = field(default_factory=list)


class WorkerConnection(asyncio.Protocol):
    """The server's end of a worker's socket: length-prefixed frames, one request at a time.

    A plain protocol rather than streams: a frame costs one callback and one future."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.frames: deque[bytes] = deque()
        self.waiter: asyncio.Future[bytes | None] | None = None
        self.closed = False
        self.on_lost: Callable[[], None] | None = None  # the pool's: a worker died

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            end = HEADER.size + size
            if len(self.buffer) < end:
                break
            self.frames.append(bytes(self.buffer[HEADER.size : end]))
            del self.buffer[:end]
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        if self.on_lost is not None:
            self.on_lost()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.frames:
            self.waiter = None
            waiter.set_result(self.frames.popleft())
        elif self.closed:
            self.waiter = None
            waiter.set_result(None)

    def next_frame(self) -> asyncio.Future[bytes | None]:
        """The next frame the worker sends (None once its socket is closed)."""
        waiter: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self.waiter = waiter
        self._wake()
        return waiter

    def send(self, payload: bytes) -> None:
        assert self.transport is not None
        self.transport.write(HEADER.pack(len(payload)) + payload)


@dataclass
class Worker:
    pid: int
    connection: WorkerConnection
    epoch: int = 0  # the write count of the graph it was forked with
    niced: bool = False  # lowered in priority by a long query: not reused after it

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, 9)
        if self.connection.transport is not None:
            self.connection.transport.close()


class IdleWorkers:
    """Idle workers, and the queries waiting for one, first come first served.

    A waiting query costs one future and one timer (asyncio.wait_for over a queue made a
    task per waiting query)."""

    def __init__(self) -> None:
        self.workers: deque[Worker] = deque()
        self.waiters: deque[asyncio.Future[Worker | None]] = deque()

    def put_nowait(self, worker: Worker) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():  # not timed out or cancelled
                waiter.set_result(worker)
                return
        self.workers.append(worker)

    def take_nowait(self) -> Worker | None:
        return self.workers.popleft() if self.workers else None

    async def take(self, deadline: float) -> Worker | None:
        """The next idle worker, or None at ``deadline`` (loop time)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Worker | None] = loop.create_future()
        self.waiters.append(waiter)
        handle = loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # cancelled once a worker was handed over: give it to the next query
            if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                self.put_nowait(waiter.result())  # type: ignore[arg-type]
            raise
        finally:
            handle.cancel()


def _expire(waiter: asyncio.Future[Worker | None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ResultCache:
    """Answers of recent queries, keyed on the store generation and the request."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[Hashable, Answer] = OrderedDict()

    def get(self, key: Hashable) -> Answer | None:
        answer = self.items.get(key)
        if answer is not None:
            self.items.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        size = len(answer.body)
        if self.max_bytes <= 0 or size > self.max_bytes // 8:
            return
        if key in self.items:
            return
        self.items[key] = answer
        self.size += size
        while self.size > self.max_bytes and self.items:
            _, old = self.items.popitem(last=False)
            self.size -= len(old.body)

    def clear(self) -> None:
        self.items.clear()
        self.size = 0


class QueryEngine:
    """Runs queries in forked workers over a read-only snapshot of the store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.cache = ResultCache(settings.cache_mb * 1024 * 1024)
        self.generation: Generation | None = None
        #: the store, of its kind: on disk, external, or a replica's (endpoint/backends.py)
        self.backend = backend_for(settings)
        self._zygote: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._control_lock = asyncio.Lock()
        self._idle = IdleWorkers()
        self._workers: dict[int, Worker] = {}
        self._stopping = False
        self._background: set[asyncio.Task[Any]] = set()
        self._epoch = 0  # bumped by each committed write the workers must see
        self._writes = 0  # bumped by each committed write, whatever the store
        self._watch: asyncio.Task[None] | None = None
        self._ship_lock = asyncio.Lock()
        self.on_switch: list[Callable[[], None]] = []  # called once a replica switched
        self._starting = 0  # workers being forked
        self._zygote_broken = False  # a fork order failed: the zygote must be replaced
        self._healing = False  # a dead zygote is being replaced
        self._supervisor: asyncio.Task[None] | None = None
        self._per_client: dict[str, int] = {}  # queries running or waiting, by client

    # ------------------------------------------------------------------ lifecycle

    @property
    def store(self) -> GraphStore | None:
        """The store the routes read and write directly (None until the engine starts)."""
        return self.backend.store

    async def start(self) -> None:
        self.generation = await asyncio.to_thread(self.backend.open)
        await asyncio.to_thread(self._start_zygote)
        for _ in range(self.settings.workers):
            await self._add_worker()
        self._supervisor = asyncio.create_task(self._supervise())
        if isinstance(self.backend, ReplicaBackend):
            self._watch = asyncio.create_task(self._watch_shipping(self.backend))
        elif self.settings.replica_dir:
            async with self._ship_lock:
                await asyncio.to_thread(self._ship)
        log.info(
            "query engine ready: %d workers, graph %s, generation %s",
            self.settings.workers,
            "in memory" if self.settings.in_memory else "on disk",
            self.generation.id if self.generation else "?",
        )

    def _ship(self) -> None:
        """The writer of read replicas: ship the store's generation to them."""
        self.backend.ship()

    async def _watch_shipping(self, replica: ReplicaBackend) -> None:
        """A replica: switch to each newer generation the writer ships."""
        while True:
            await asyncio.sleep(self.settings.replica_poll_s)
            try:
                shipped = await asyncio.to_thread(replica.newer)
                if shipped is not None:
                    await self._switch(replica, shipped)
            except Exception:  # the current generation goes on being served
                log.exception(
                    "could not switch to the generation shipped to %s", self.settings.replica_dir
                )

    async def _switch(self, replica: ReplicaBackend, shipped: Shipped) -> None:
        """Load the newest shipped generation beside the one served, then serve it in one
        step: a new epoch, so that no worker of the previous generation answers again."""
        async with self._control_lock:
            old_zygote, old_control = self._zygote, self._control
            snapshot = shipped.folder / "store"
            self._zygote, self._control = await asyncio.to_thread(self._spawn_zygote, snapshot)
            self._new_epoch(replica.adopt(shipped))
        log.info("now serving the shipped generation %s", shipped.name)
        for callback in self.on_switch:
            callback()
        if old_control is not None:
            old_control.close()  # the old zygote exits; its busy workers end with their query
        if old_zygote is not None:
            await asyncio.to_thread(old_zygote.wait)

    def _start_zygote(self) -> None:
        self._zygote, self._control = self._spawn_zygote(self.backend.snapshot)

    def _spawn_zygote(self, snapshot: Path | None) -> tuple[subprocess.Popen[bytes], socket.socket]:
        """A zygote over ``snapshot`` (or the external store), once it holds the graph."""
        remote = self.backend.remote
        server_end, zygote_end = socket.socketpair()
        command = [
            sys.executable,
            "-m",
            "endpoint.zygote",
            "--control-fd",
            str(zygote_end.fileno()),
        ]
        command += self.backend.zygote_arguments(snapshot)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH", "")]
            ),
        }
        zygote = subprocess.Popen(command, pass_fds=[zygote_end.fileno()], env=env)
        zygote_end.close()
        if remote:
            send_frame(server_end, pickle.dumps(self.settings.remote_config()))
        hello = recv_frame(server_end)
        if hello is None:
            server_end.close()
            code = zygote.wait(timeout=10)
            raise ServiceUnavailableError(f"the query zygote failed to start (exit {code})")
        info = pickle.loads(hello)
        log.info("zygote %s ready (%s triples in memory)", info.get("pid"), info.get("triples"))
        return zygote, server_end

    def _fork(self) -> tuple[int, socket.socket]:
        assert self._control is not None
        send_frame(self._control, pickle.dumps({"order": "fork"}))
        message, fds, _flags, _addr = socket.recv_fds(self._control, 4096, 1)
        if not fds:
            raise ServiceUnavailableError("the query zygote did not fork a worker")
        info = pickle.loads(message)
        return int(info["pid"]), socket.socket(fileno=fds[0])

    async def _add_worker(self, *, counted: bool = False) -> None:
        if not counted:
            self._starting += 1
        try:
            async with self._control_lock:
                # under the lock that also guards a write's apply and its epoch bump, so the
                # label is exact: the worker sees the writes up to this epoch, and no later one
                epoch = self._epoch
                try:
                    pid, sock = await asyncio.to_thread(self._fork)
                except (OSError, EOFError, pickle.UnpicklingError, ServiceUnavailableError):
                    self._zygote_broken = True  # the supervisor replaces it
                    raise ServiceUnavailableError("the query zygote did not fork") from None
            sock.setblocking(False)
            loop = asyncio.get_running_loop()
            _, connection = await loop.create_unix_connection(WorkerConnection, sock=sock)
            hello = await connection.next_frame()
            if hello is None:
                raise ServiceUnavailableError("a new query worker died at once")
            worker = Worker(pid, connection, epoch)
            connection.on_lost = lambda: self._lost(worker)
            self._workers[pid] = worker
        finally:
            self._starting -= 1
        if self._stopping:
            worker.kill()
            return
        self._idle.put_nowait(worker)

    def _spawn_worker(self) -> None:
        """Fork a worker in the background (a failure is logged; the supervisor retries)."""
        self._starting += 1
        task = asyncio.create_task(self._add_worker(counted=True))
        self._background.add(task)
        task.add_done_callback(self._started)

    def _started(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a query worker could not be started: %s", task.exception())

    def _refill(self) -> None:
        """Fork workers up to the configured number (extra ones are forked on demand)."""
        if self._stopping or self._healing or self._zygote_broken:
            return
        for _ in range(self.settings.workers - len(self._workers) - self._starting):
            self._spawn_worker()

    def _grow(self) -> None:
        """Every worker is busy and a query waits: fork an extra one, up to workers_max."""
        if self._stopping or self._healing or self._zygote_broken:
            return
        total = len(self._workers) + self._starting
        if total < self.settings.workers_max and self._starting <= len(self._idle.waiters):
            self._spawn_worker()

    def _lost(self, worker: Worker) -> None:
        """A worker's socket closed: if it was idle, it died (a query's worker is seen by
        its query); it goes out of the pool and another one is forked."""
        if self._stopping or self._workers.get(worker.pid) is not worker:
            return
        try:
            self._idle.workers.remove(worker)
        except ValueError:
            return
        log.warning("query worker %d died while idle: replacing it", worker.pid)
        self._replace(worker)

    async def _supervise(self) -> None:
        """Replace a dead zygote; keep the configured number of workers."""
        while not self._stopping:
            await asyncio.sleep(SUPERVISE_S)
            try:
                dead = self._zygote is not None and self._zygote.poll() is not None
                if dead or self._zygote_broken:
                    await self._heal_zygote(dead)
                if len(self._workers) + self._starting < self.settings.workers:
                    self._spawn_worker()
            except Exception:  # the pool goes on with the workers it has; retried next time
                log.exception("the query pool could not heal")

    async def _heal_zygote(self, dead: bool) -> None:
        code = self._zygote.poll() if self._zygote is not None else None
        log.error(
            "the query zygote %s (%s): starting another one",
            "died" if dead else "stopped forking",
            f"exit {code}" if code is not None else "still running",
        )
        self._healing = True
        try:
            await self._restart_zygote()
            self._zygote_broken = False
            self.metrics.zygote_restarts += 1
            self.metrics.worker_restarts += 1
        finally:
            self._healing = False

    def _release(self, worker: Worker) -> None:
        if worker.epoch != self._epoch or worker.niced:  # forked before a write it does
            self._retire(worker)  # not see, or lowered in priority (never raised again)
        elif (
            not self._idle.waiters
            and len(self._workers) > self.settings.workers
            and len(self._idle.workers) >= self.settings.workers
        ):  # an extra worker no query needs any more
            worker.kill()
            self._workers.pop(worker.pid, None)
        else:
            self._idle.put_nowait(worker)

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        self._workers.pop(worker.pid, None)
        self._refill()

    async def publish_write(self, update: str) -> None:
        """Make a committed write visible to queries: the zygote's graph updated, then in
        one step a new generation (so the result cache and the validators of the pages
        change), an empty cache and a new epoch, so that no worker forked before the write
        serves a query after it (idle ones are forked again now, busy ones when their
        query ends, ones still starting when they are first taken)."""
        new_generation, order = await asyncio.to_thread(self.backend.written, update)
        if order is None:  # the workers already query the written store
            self._new_generation(new_generation)
            return
        async with self._control_lock:
            reply = await asyncio.to_thread(self._order, order)
            if reply.get("ok"):
                self._new_epoch(new_generation)
        if not reply.get("ok"):
            log.error("the query zygote could not apply a write (%s): restarting it", reply)
            await self._restart_zygote()
            self._new_epoch(new_generation)
        if self.settings.replica_dir:
            async with self._ship_lock:  # one shipping at a time, in the order of the writes
                await asyncio.to_thread(self._ship)

    def _new_generation(self, new_generation: Generation) -> None:
        """What a write changes for the readers: the generation, an empty result cache,
        and the count that keeps answers begun before the write out of the cache."""
        self.generation = new_generation
        self.cache.clear()
        self._writes += 1

    def _new_epoch(self, new_generation: Generation) -> None:
        self._new_generation(new_generation)
        self._epoch += 1
        stale: list[Worker] = []
        while self._idle.workers:
            stale.append(self._idle.workers.popleft())
        for worker in stale:
            self._retire(worker)

    def _order(self, order: dict[str, Any]) -> dict[str, Any]:
        assert self._control is not None
        send_frame(self._control, pickle.dumps(order))
        frame = recv_frame(self._control)
        if frame is None:
            return {"ok": False, "error": "the zygote closed its control socket"}
        reply: dict[str, Any] = pickle.loads(frame)
        return reply

    async def _restart_zygote(self) -> None:
        async with self._control_lock:
            if self._control is not None:
                self._control.close()
            if self._zygote is not None:
                self._zygote.kill()
                await asyncio.to_thread(self._zygote.wait)
            await asyncio.to_thread(self.backend.refresh)  # a replica's is the shipped one
            await asyncio.to_thread(self._start_zygote)

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        if self._workers.pop(worker.pid, None) is not None:
            self.metrics.worker_restarts += 1
        self._refill()

    async def stop(self) -> None:
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        for worker in list(self._workers.values()):
            worker.kill()
        self._workers.clear()
        if self._control is not None:
            with contextlib.suppress(OSError):
                send_frame(self._control, pickle.dumps({"order": "exit"}))
            self._control.close()
            self._control = None
        if self._zygote is not None:
            try:
                await asyncio.to_thread(self._zygote.wait, 5)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
            self._zygote = None
        self.backend.close()

    @property
    def ready(self) -> bool:
        """Some workers answer queries."""
        return bool(self._workers) and not self._stopping

    @property
    def state(self) -> str:
        """``ok``; ``degraded`` while a dead worker or zygote is replaced (queries are still
        answered); ``unavailable`` without any worker."""
        if not self.ready:
            return "unavailable"
        zygote_up = self._zygote is not None and self._zygote.poll() is None
        if self._healing or self._zygote_broken or not zygote_up:
            return "degraded"
        if len(self._workers) < self.settings.workers:
            return "degraded"
        return "ok"

    # ------------------------------------------------------------------ queries

    def cache_key(self, job: Job) -> tuple[str, Job]:
        """A job is a frozen dataclass: it hashes and compares by value."""
        return (self.generation.id if self.generation else "", job)

    def cached(self, job: Job) -> Answer | None:
        """The cached answer of a job, if any (counted as a hit); a miss is counted by run()."""
        answer = self.cache.get(self.cache_key(job))
        if answer is not None:
            self.metrics.cache_hits += 1
        return answer

    async def run(
        self, job: Job, timeout_s: float | None = None, *, looked_up: bool = False
    ) -> tuple[Answer, bool]:
        """Run a job; (answer, from_cache). Raises the domain error of a failed query.
        ``looked_up``: the caller already found the job missing from the cache (cached())."""
        limit = self.settings.query_timeout_s
        timeout = min(limit, timeout_s) if timeout_s else limit
        key = self.cache_key(job)
        if not looked_up:
            cached = self.cached(job)
            if cached is not None:
                return cached, True
        self.metrics.cache_misses += 1
        writes = self._writes
        request = CLIENT.get() if self.settings.client_queries else None
        if request is not None:
            self._admit(request)
        try:
            answer = await self._run(job, timeout)
        finally:
            if request is not None:
                self._leave(request)
        self.metrics.queries += 1
        self.metrics.query_seconds.append(answer.eval_ms / 1000)
        if len(self.metrics.query_seconds) > 10_000:
            del self.metrics.query_seconds[:5_000]
        if not answer.ok:
            self.metrics.errors += 1
            if answer.error == "QueryTimeoutError":  # stopped by an external store's own limit
                self.metrics.timeouts += 1
            raise _domain_error(answer)
        if self._writes == writes:  # a write landed meanwhile: the answer may predate it
            self.cache.put(key, answer)
        return answer, False

    def _admit(self, request: ClientRequest) -> None:
        """Count a query of a request; 429 if its client has too many requests querying."""
        if request.queries == 0:  # the request's first query running
            cap = self.settings.client_queries
            running = self._per_client.get(request.client, 0)
            if running >= cap:
                self.metrics.refused += 1
                raise TooManyQueriesError(
                    f"this client already has {running} requests with queries running or "
                    "waiting, its limit (QPVKG_CLIENT_QUERIES): wait for one to end, then "
                    "try again",
                    limit=cap,
                    retry_after_s=1,
                )
            self._per_client[request.client] = running + 1
        request.queries += 1

    def _leave(self, request: ClientRequest) -> None:
        request.queries -= 1
        if request.queries == 0:
            left = self._per_client.pop(request.client, 1) - 1
            if left > 0:
                self._per_client[request.client] = left

    async def _take(self, deadline: float, timeout: float) -> Worker:
        """A live idle worker of the current epoch; an extra one is forked when all are busy."""
        while True:
            worker = self._idle.take_nowait()
            if worker is None:
                self._grow()
                worker = await self._idle.take(deadline)
            if worker is None:
                self.metrics.timeouts += 1
                raise QueryTimeoutError(
                    f"the query waited {timeout:g} s for a free worker and was not run "
                    "(the server is busy); try again",
                    limit_s=timeout,
                )
            if worker.connection.closed:  # died while idle, not yet seen
                self._replace(worker)
            elif worker.epoch != self._epoch:
                self._retire(worker)  # forked before a write it does not see
            else:
                return worker

    async def _run(self, job: Job, timeout: float) -> Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            worker = await self._take(deadline, timeout)
            try:
                worker.connection.send(payload)
                break
            except (RuntimeError, OSError):  # its socket closed just now: the job was not sent
                self._replace(worker)
        self.metrics.busy += 1
        release = True
        reply = worker.connection.next_frame()
        watch = _Watch(self, worker, reply, deadline, timeout)
        try:
            watch.schedule(loop)
            try:
                frame = await reply
            except QueryLimitError:
                release = False
                self._replace(worker)
                raise
            if frame is None:
                release = False
                self._replace(worker)
                raise ServiceUnavailableError("the query's worker stopped unexpectedly; try again")
            return decode_answer(frame)
        except asyncio.CancelledError:
            # the client went away: stop the query rather than let it run on
            if release:
                release = False
                self._replace(worker)
            raise
        finally:
            watch.cancel()
            self.metrics.busy -= 1
            if release:
                self._release(worker)


class _Watch:
    """Polls a running query's worker: past its deadline or its memory cap, the reply
    fails with the limit's error (and the worker is then replaced). Most queries are done
    before the first poll, which reads the baseline memory."""

    def __init__(
        self,
        engine: QueryEngine,
        worker: Worker,
        reply: asyncio.Future[bytes | None],
        deadline: float,
        timeout: float,
    ) -> None:
        self.engine = engine
        self.worker = worker
        self.reply = reply
        self.deadline = deadline
        self.timeout = timeout
        self.baseline = 0
        self.handle: asyncio.TimerHandle | None = None
        self.nice_at = deadline - timeout + NICE_AFTER_S

    def schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        delay = max(0.0, min(POLL_S, self.deadline - loop.time()))
        self.handle = loop.call_later(delay, self.poll, loop)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def poll(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.reply.done():
            return
        settings = self.engine.settings
        metrics = self.engine.metrics
        if not self.baseline:
            self.baseline = rss_bytes(self.worker.pid)
        elif rss_bytes(self.worker.pid) - self.baseline > settings.query_memory_mb * 1024 * 1024:
            metrics.memory_kills += 1
            self.reply.set_exception(
                QueryMemoryError(
                    "the query was stopped: it used more than "
                    f"{settings.query_memory_mb} MB of memory (QPVKG_QUERY_MEMORY_MB); "
                    "narrow it, add LIMIT, avoid cartesian products",
                    limit_mb=settings.query_memory_mb,
                )
            )
            return
        if not self.worker.niced and loop.time() >= self.nice_at:
            # a long query: the light ones, and the server, go first on the CPU
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.worker.pid, 10)
            self.worker.niced = True
        if loop.time() >= self.deadline:
            metrics.timeouts += 1
            self.reply.set_exception(
                QueryTimeoutError(
                    f"the query was stopped after {self.timeout:g} s, its time limit "
                    f"(QPVKG_QUERY_TIMEOUT_S is {settings.query_timeout_s:g} s; "
                    "a request may ask for less with the timeout parameter); "
                    "narrow it or add LIMIT",
                    limit_s=self.timeout,
                )
            )
            return
        self.schedule(loop)


def _domain_error(answer: Answer) -> QpvkgError:
    cls = getattr(errors, answer.error, None)
    if not (isinstance(cls, type) and issubclass(cls, QpvkgError)):
        cls = errors.BadInputError
    error = cls.__new__(cls)
    QpvkgError.__init__(error, answer.message, **answer.details)
    return error

"""System pages under /-/: liveness, build information, metrics, the API documentation."""

from __future__ import annotations

import asyncio
import platform

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from endpoint import openapi
from endpoint.deps import EngineDep, SettingsDep, render
from loaders import __version__
from loaders.contribution.locks import validations_running
from loaders.errors import QpvkgError

router = APIRouter(prefix="/-", tags=["system"])
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@router.get(
    "/health",
    summary="Liveness: 200 when query workers are up (`degraded` while a dead one is "
    "replaced), 503 without any (or when an external store does not answer)",
    responses=openapi.HEALTH,
)
async def health(engine: EngineDep, settings: SettingsDep) -> Response:
    ok = engine.ready
    body: dict[str, object] = {"status": engine.state}
    body["workers"] = len(engine._workers)
    if settings.remote and engine.store is not None:
        try:
            await asyncio.to_thread(engine.store.query, "ASK {}")
            body["store"] = "ok"
        except (QpvkgError, SyntaxError) as exc:
            ok = False
            body |= {"status": "unavailable", "store": str(exc)}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> Response:
    """The API documentation: the vendored Swagger UI over /-/openapi.json (static/docs.js)."""
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/version", summary="Versions and the store generation", responses=openapi.VERSION)
async def version(engine: EngineDep, settings: SettingsDep) -> dict[str, object]:
    generation = engine.generation
    return {
        "qpvkg": __version__,
        "pyoxigraph": getattr(ox, "__version__", "unknown"),
        "python": platform.python_version(),
        "base_iri": settings.base_iri,
        "generation": generation.id if generation else None,
        "last_modified": generation.last_modified.isoformat() if generation else None,
        "graph_in_memory": settings.in_memory and not settings.remote,
        "store": settings.remote_config().query_url if settings.remote else "embedded",
        "workers": settings.workers,
        # read replicas: a replica serves the generations its writer ships
        "role": "replica" if settings.read_only else "writer" if settings.replica_dir else "single",
    }


def _histogram(name: str, help_text: str, values: list[float]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for bound in BUCKETS:
        lines.append(f'{name}_bucket{{le="{bound}"}} {sum(1 for v in values if v <= bound)}')
    lines.append(f'{name}_bucket{{le="+Inf"}} {len(values)}')
    lines.append(f"{name}_sum {sum(values):.6f}")
    lines.append(f"{name}_count {len(values)}")
    return lines


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
    responses=openapi.METRICS,
)
async def metrics(request: Request, engine: EngineDep) -> Response:
    m = engine.metrics
    http = request.app.state.metrics
    lines = [
        "# HELP qpvkg_http_requests_total HTTP requests by method, route and status.",
        "# TYPE qpvkg_http_requests_total counter",
    ]
    for (method, route, status), count in sorted(http.get("requests", {}).items()):
        lines.append(
            f'qpvkg_http_requests_total{{method="{method}",route="{route}",'
            f'status="{status}"}} {count}'
        )
    lines += _histogram(
        "qpvkg_http_request_duration_seconds",
        "HTTP request latency (recent requests).",
        http.get("latency", []),
    )
    lines += _histogram(
        "qpvkg_query_duration_seconds",
        "Query evaluation time in the workers (recent queries).",
        m.query_seconds,
    )
    for name, value, help_text in (
        ("qpvkg_queries_total", m.queries, "Queries run by the workers."),
        (
            "qpvkg_query_errors_total",
            m.errors,
            "Queries that failed (syntax, refused, not acceptable).",
        ),
        ("qpvkg_query_timeouts_total", m.timeouts, "Queries stopped at their time limit."),
        (
            "qpvkg_query_memory_kills_total",
            m.memory_kills,
            "Queries stopped at their memory limit.",
        ),
        (
            "qpvkg_worker_restarts_total",
            m.worker_restarts,
            "Query workers (and zygotes) replaced: stopped at a limit, or found dead.",
        ),
        ("qpvkg_zygote_restarts_total", m.zygote_restarts, "Query zygotes found dead, replaced."),
        (
            "qpvkg_queries_refused_total",
            m.refused,
            "Queries refused (429): their client had too many running or waiting.",
        ),
        ("qpvkg_cache_hits_total", m.cache_hits, "Queries answered from the result cache."),
        ("qpvkg_cache_misses_total", m.cache_misses, "Queries not in the result cache."),
    ):
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter", f"{name} {value}"]
    lines += [
        "# HELP qpvkg_workers_busy Workers running a query.",
        "# TYPE qpvkg_workers_busy gauge",
        f"qpvkg_workers_busy {m.busy}",
        "# HELP qpvkg_workers Query worker processes (extra ones included).",
        "# TYPE qpvkg_workers gauge",
        f"qpvkg_workers {len(engine._workers)}",
    ]
    lines += [
        "# HELP qpvkg_writes_validating Partner writes whose SHACL validation is running "
        "(outside the commit lock: writes to other graphs commit meanwhile).",
        "# TYPE qpvkg_writes_validating gauge",
        f"qpvkg_writes_validating {validations_running()}",
        "# HELP qpvkg_cache_bytes Bytes held by the result cache.",
        "# TYPE qpvkg_cache_bytes gauge",
        f"qpvkg_cache_bytes {engine.cache.size}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

"""The ``qpvkg`` command line, with ``serve``: the offline core's commands (``loaders/cli.py``)
and the HTTP server's. The console script's entry point: the core never imports the endpoint."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from loaders.cli import STORE_HELP, app, main, out, progress_bar, run, settings_for
from loaders.settings import get_settings

__all__ = ["app", "main"]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    build_first: Annotated[
        bool, typer.Option("--build/--no-build", help="Build or refresh the store first.")
    ] = True,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Serve as a read replica of the generations a writer ships to --replica-dir "
            "(QPVKG_REPLICA_DIR): no build, writes refused with 405.",
        ),
    ] = False,
    replica_dir: Annotated[
        str | None,
        typer.Option(
            help="Folder of the shipped generations (QPVKG_REPLICA_DIR): a writer ships there, "
            "a replica reads there."
        ),
    ] = None,
    warm: Annotated[
        bool | None,
        typer.Option(
            "--warm/--no-warm",
            help="Build the documentation pages' models in the background at start "
            "(default: on, unless QPVKG_WARM_PAGES says otherwise).",
        ),
    ] = None,
) -> None:
    """Build the store if absent or stale, then serve it over HTTP."""
    import uvicorn

    from loaders.build import build as do_build

    if warm is None:  # on under serve, unless the environment set it
        env = get_settings()
        warm = env.warm_pages if "warm_pages" in env.model_fields_set else True
    settings = settings_for(
        store, read_only=read_only or None, replica_dir=replica_dir, warm_pages=warm
    )

    def action() -> None:
        if settings.read_only:  # a clear error now rather than a failed startup
            from loaders.replica import open_current

            open_current(settings)
        if build_first and not settings.read_only:
            with progress_bar() as progress:
                report = do_build(settings, progress)
            out.print(
                f"store {report.store}: {report.total_triples:,} triples ({report.seconds:.1f} s)"
            )
        from endpoint.app import create_app
        from endpoint.server import uvicorn_options

        logging.getLogger().setLevel(settings.log_level.upper())
        # records without caller, thread or process details: the access log writes one per
        # request (the logging HOWTO's "Optimization" settings)
        logging._srcfile = None
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
        access = logging.getLogger("qpvkg.access")  # one JSON object per request, on stderr
        access.handlers = [logging.StreamHandler(sys.stderr)]
        access.propagate = False
        role = (
            f", a read replica of {settings.replica_dir}"
            if settings.read_only
            else f", shipping to {settings.replica_dir}"
            if settings.replica_dir
            else ""
        )
        out.print(f"serving on http://{host}:{port}  (SPARQL at http://{host}:{port}/sparql{role})")
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level=settings.log_level.lower(),
            access_log=False,
            timeout_graceful_shutdown=10,
            server_header=False,
            **uvicorn_options(settings),
        )

    run(action)


if __name__ == "__main__":  # pragma: no cover
    main()

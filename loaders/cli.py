"""The ``qpvkg`` command line: build, validate, check, query, import and export (``serve``, the
HTTP server, is added by ``endpoint/cli.py``, the console script's entry point)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from loaders import __version__
from loaders.errors import (
    BadInputError,
    QpvkgError,
    QualityCheckError,
    ValidationFailedError,
)
from loaders.settings import Settings, get_settings

log = logging.getLogger(__name__)

app = typer.Typer(
    name="qpvkg",
    help="Knowledge graph of innovation in France's quartiers prioritaires (QPV).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Import official reference data into data/reference/.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
partner_app = typer.Typer(
    help="Partner accounts: who may write which graphs (tokens kept as hashes only).",
    no_args_is_help=True,
)
app.add_typer(partner_app, name="partner")

out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
T = TypeVar("T")


# ----------------------------------------------------------------------------- plumbing


class RichProgress:
    """Progress reporting for long steps, drawn on stderr with rich."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def step(self, description: str, total: int | None = None) -> None:
        self.finish()
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        """Mark the current step done (an open-ended step shows as 1/1)."""
        if self._task is not None:
            task = next(t for t in self._progress.tasks if t.id == self._task)
            done = task.total if task.total else 1
            self._progress.update(self._task, completed=done, total=done)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[RichProgress]:
    columns = (
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False, disable=not enabled) as progress:
        reporter = RichProgress(progress)
        yield reporter
        reporter.finish()


def run_import(call: Callable[[RichProgress], Any]) -> None:
    """Run an import with a progress bar, then print its report's summary."""

    def action() -> None:
        with progress_bar() as progress:
            report = call(progress)
        out.print(report.summary(), soft_wrap=True)

    run(action)


#: The --source-url option of the imports: the dataset's dcterms:source.
SourceUrl = Annotated[
    str | None,
    typer.Option("--source-url", help="Where the file was published (dcterms:source)."),
]

STORE_HELP = "Store folder, or http(s) URL of an external SPARQL store (default QPVKG_STORE)."


def settings_for(store: str | None = None, **overrides: Any) -> Settings:
    """The environment's settings, with the command's options over them."""
    settings = get_settings()
    changes = {k: v for k, v in {"store": store, **overrides}.items() if v is not None}
    if changes:  # validated like the environment
        settings = Settings(**{**settings.model_dump(), **changes})
    return settings


def report_violations(exc: ValidationFailedError) -> None:
    table = Table(title="SHACL report", show_lines=False, expand=True)
    for col in ("severity", "focus", "path", "message"):
        table.add_column(col, overflow="fold")
    for r in exc.results:
        table.add_row(
            str(r["severity"]),
            str(r["focus"]),
            str(r["path"] or ""),
            str(r["message_fr"] or r["message_en"]),
        )
    err.print(table)
    if exc.counts.get("truncated"):
        from loaders.validate import truncation_note

        err.print(truncation_note(len(exc.results), int(exc.counts["total"]), "en"))


def run(action: Callable[[], T]) -> T:
    """Run a command body; map domain errors to messages and exit codes.

    The error's traceback is dropped once reported: its frames would keep what the command
    opened (a store and its lock) alive for as long as the error is kept."""
    try:
        return action()
    except ValidationFailedError as exc:
        exc.__traceback__ = None
        report_violations(exc)
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(EXIT_FAILED) from None
    except QualityCheckError as exc:
        exc.__traceback__ = None
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(EXIT_FAILED) from None
    except QpvkgError as exc:
        exc.__traceback__ = None
        err.print("[red]error:[/red] ", end="")
        err.print(exc.message, markup=False, highlight=False)
        for resource in exc.details.get("resources", ()):  # refused by loaders.ownership
            err.print(
                f"  {resource['subject']} ({resource['owner']}): "
                + ", ".join(resource["properties"]),
                markup=False,
                highlight=False,
            )
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.callback()
def main_callback(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step.")] = False,
) -> None:
    """Knowledge graph of innovation in France's quartiers prioritaires (QPV)."""
    level = "DEBUG" if verbose else get_settings().log_level
    logging.basicConfig(
        level=level if verbose else "WARNING",
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )


# ----------------------------------------------------------------------------- build


@app.command()
def build(
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    force: Annotated[bool, typer.Option(help="Reload every graph even if unchanged.")] = False,
    publish: Annotated[
        bool, typer.Option(help="Then write the dumps, VoID and DCAT catalogue (/dumps, /catalog).")
    ] = True,
) -> None:
    """Build or refresh the store from ontology/, shapes/ and data/ (refuses invalid data)."""
    from loaders.build import build as do_build

    settings = settings_for(store)

    def action() -> None:
        with progress_bar() as progress:
            report = do_build(settings, progress, force=force, publish_too=publish)
        for load in report.loaded:
            err.print(
                f"  loaded {load.key}: {load.triples:,} triples ({load.milliseconds:,.0f} ms)"
            )
        if report.removed:
            err.print(f"  removed {len(report.removed)} graph(s) whose source is gone")
        warnings = [
            r
            for r in (report.validation.results if report.validation else ())
            if r.severity != "Violation"
        ]
        if warnings:
            err.print(f"  {len(warnings)} warning(s) from the shapes (see qpvkg validate)")
        out.print(
            f"store {report.store}: {report.total_triples:,} triples; "
            f"{len(report.loaded)} graph(s) loaded, {len(report.unchanged)} unchanged "
            f"in {report.seconds:.1f} s"
            + (f" (published in {report.publish_seconds:.1f} s)" if report.published else "")
        )

    run(action)


# ----------------------------------------------------------------------------- validate


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Turtle, N-Triples, JSON-LD or TriG files.")],
    fmt: Annotated[str, typer.Option("--format", help="Report format: text or json.")] = "text",
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner",
            help="Also check the files describe only resources this partner mints "
            "(as a write does: exit 2 otherwise).",
        ),
    ] = None,
) -> None:
    """SHACL report for files: exit 0 conforms, 1 violations, 2 bad input or not allowed."""
    from loaders.checks import validate_files
    from loaders.validate import truncation_note

    settings = get_settings()
    if fmt not in {"text", "json"}:
        err.print("[red]error:[/red] --format must be text or json")
        raise typer.Exit(EXIT_BAD_INPUT)

    def action() -> None:
        with progress_bar(enabled=fmt == "text") as progress:
            report = validate_files(settings, files, progress, partner)
        if fmt == "json":
            out.print_json(
                json.dumps(
                    {
                        "conforms": report.conforms,
                        **report.summary(),
                        "results": [r.as_dict() for r in report.results],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for r in report.results:
                style = {"Violation": "red", "Warning": "yellow"}.get(r.severity, "cyan")
                out.print(f"[{style}]{r.severity}[/{style}] {r.focus}", highlight=False)
                if r.path:
                    out.print(f"  path: {r.path}", highlight=False)
                if r.value:
                    out.print(f"  value: {r.value}", highlight=False)
                out.print(f"  fr: {r.message_fr}", highlight=False)
                out.print(f"  en: {r.message_en}", highlight=False)
            if report.truncated:
                out.print(truncation_note(len(report.results), report.result_count, "en"))
            verdict = "conforms" if report.conforms else f"{report.violation_count} violation(s)"
            out.print(f"{', '.join(str(f) for f in files)}: {verdict}")
        if not report.conforms:
            raise typer.Exit(EXIT_FAILED)

    run(action)


# ----------------------------------------------------------------------------- qc


@app.command()
def qc(
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
) -> None:
    """Run the quality checks (queries/qc/*-violation.rq); exit 1 if any returns rows."""
    from loaders.checks import run_quality_checks

    settings = settings_for(store)

    def action() -> None:
        results = run_quality_checks(settings)
        failed = 0
        for name, rows in results.items():
            if rows:
                failed += 1
                out.print(f"[red]FAIL[/red] {name}: {len(rows)} row(s)")
                for row in rows[:20]:
                    out.print(
                        "   " + "  ".join(f"{k}={v}" for k, v in row.items()), highlight=False
                    )
            else:
                out.print(f"[green]ok[/green]   {name}")
        if failed:
            raise QualityCheckError(f"{failed} quality check(s) returned rows")

    run(action)


# ----------------------------------------------------------------------------- query


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="Name of a query in queries/.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A .rq file to run.")] = None,
    sparql: Annotated[
        str | None, typer.Option("--sparql", "-q", help="SPARQL text to run.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter NAME=VALUE.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, tsv, json; ttl or nt for graphs.")
    ] = "table",
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
) -> None:
    """Run a named query, a .rq file or SPARQL text against the store."""
    from loaders.queries import execute, parse_params, render

    settings = settings_for(store)

    def action() -> None:
        if list_queries:
            from loaders.namedqueries import load_named_queries

            table = Table("name", "summary", "parameters")
            for q in load_named_queries(settings).values():
                table.add_row(
                    q.name,
                    q.summary,
                    ", ".join(p.name + ("*" if p.required else "") for p in q.params),
                )
            out.print(table)
            return
        given = [x for x in (name, file, sparql) if x is not None]
        if len(given) != 1:
            raise BadInputError(
                "give exactly one of NAME, --file or --sparql (see qpvkg query --list)"
            )
        with execute(
            settings, name=name, file=file, sparql=sparql, params=parse_params(param or [])
        ) as result:
            render(result, fmt, out)

    run(action)


# ----------------------------------------------------------------------------- export


@app.command()
def export(
    output: Annotated[Path, typer.Argument(help="File to write (.gz compresses).")],
    fmt: Annotated[str, typer.Option("--format", help="nq, nt, ttl, trig or jsonld.")] = "nq",
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    dumps: Annotated[
        bool, typer.Option("--dumps", help="Write the dumps /dumps/ serves into the folder OUTPUT.")
    ] = False,
) -> None:
    """Dump the store (N-Quads keeps the named graphs; nt, ttl, jsonld merge them).

    With --dumps, OUTPUT is a folder that receives the files /dumps/ serves (N-Quads,
    N-Triples, Turtle, JSON-LD, gzip) and their SHA256SUMS."""
    from loaders.queries import export_store

    settings = settings_for(store)
    if dumps:
        run(lambda: _export_dumps(settings, output))
        return
    run(lambda: out.print(f"wrote {export_store(settings, output, fmt):,} quads to {output}"))


def _export_dumps(settings: Settings, folder: Path) -> None:
    from loaders.publication.dumps import write_dumps
    from loaders.store import open_read

    folder.mkdir(parents=True, exist_ok=True)
    with open_read(settings) as opened:
        written = write_dumps(opened, folder)
    sums = "".join(f"{d.sha256}  {d.file}\n" for d in written)
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for d in written:
        out.print(f"{d.file}: {d.statements:,} statements, {d.bytes:,} bytes, sha256 {d.sha256}")


# ----------------------------------------------------------------------------- import


@import_app.command("territories")
def import_territories(
    directory: Annotated[
        Path, typer.Argument(help="Folder of @etalab/decoupage-administratif JSON files.")
    ],
    millesime: Annotated[
        str, typer.Option(help="Year of the Code officiel géographique.")
    ] = "2026",
    output: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output file (default data/reference/territories-MILLESIME.nt.gz)."
        ),
    ] = None,
) -> None:
    """Official régions, départements, communes and EPCI into data/reference/."""
    from loaders.territories import import_territories as do_import

    settings = get_settings()
    run_import(
        lambda progress: do_import(
            settings, directory, millesime=millesime, output=output, progress=progress
        )
    )


@import_app.command("qpv")
def import_qpv(
    file: Annotated[
        Path,
        typer.Argument(
            help="ANCT list of QPV: GeoJSON (one feature per QPV and commune), the merged JSON "
            "of one record per QPV (.json or .json.gz) or CSV (2015 or 2024 fields)."
        ),
    ],
    geography: Annotated[str, typer.Option(help="2015, 2024 or auto (from the codes).")] = "auto",
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default data/reference/qpv-GEOGRAPHY.nt.gz)."),
    ] = None,
    source_url: SourceUrl = None,
) -> None:
    """The official list of QPV, with communes and contours, into data/reference/."""
    from loaders.qpv import import_qpv as do_import

    settings = get_settings()
    run_import(
        lambda progress: do_import(
            settings,
            file,
            geography=geography,
            output=output,
            source_url=source_url,
            progress=progress,
        )
    )


@import_app.command("communes-centres")
def import_communes_centres(
    file: Annotated[
        Path, typer.Argument(help="CSV of commune centres: insee,dept,lon,lat,name (WGS84).")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default data/reference/communes-centres.nt.gz)."),
    ] = None,
    source_url: SourceUrl = None,
) -> None:
    """The centre of each commune and municipal arrondissement into data/reference/."""
    from loaders.centres import import_centres

    settings = get_settings()
    run_import(
        lambda progress: import_centres(
            settings, file, output=output, source_url=source_url, progress=progress
        )
    )


@import_app.command("contours")
def import_contours(
    path: Annotated[
        Path,
        typer.Argument(
            help="GeoJSON of ANCT contours, or the folder holding departements.geojson and "
            "regions.geojson."
        ),
    ],
    level: Annotated[str, typer.Option(help="departement or region.")] = "departement",
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default data/reference/contours-LEVELs.nt.gz)."),
    ] = None,
    source_url: SourceUrl = None,
) -> None:
    """The contours of the départements or the régions into data/reference/."""
    from loaders.contours import import_contours as do_import

    settings = get_settings()
    file = path / f"{level}s.geojson" if path.is_dir() else path
    run_import(
        lambda progress: do_import(
            settings, file, level=level, output=output, source_url=source_url, progress=progress
        )
    )


@import_app.command("qpv-2015")
def import_qpv_2015(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of the decrees' annexes (decret-*-annexe.md, HTML tables in Markdown) "
            "and their decret-*-README.md (the decree's title)."
        ),
    ],
    keep_unresolved: Annotated[
        bool,
        typer.Option(
            "--keep-unresolved",
            help="Keep commune names that match no territory as qpvkg:unresolvedCommuneName "
            "(listed) instead of refusing the list.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default data/reference/qpv-2015.nt.gz)."),
    ] = None,
    source_url: Annotated[
        str | None,
        typer.Option("--source-url", help="Where the annexes were published (dcterms:source)."),
    ] = None,
) -> None:
    """The 2015 QPV list of décrets n° 2014-1750 and 2014-1751, communes matched by name."""
    from loaders.qpv2015 import import_qpv_2015 as do_import

    settings = get_settings()
    run_import(
        lambda progress: do_import(
            settings,
            directory,
            keep_unresolved=keep_unresolved,
            output=output,
            source_url=source_url,
            progress=progress,
        )
    )


# ----------------------------------------------------------------------------- partners


@partner_app.command("add")
def partner_add(
    name: Annotated[str, typer.Argument(help="Lowercase letters, digits, hyphens.")],
    namespace: Annotated[
        list[str] | None,
        typer.Option(
            "--namespace",
            help="An IRI space of the partner's own (its domain, ending in / or #): only it "
            "may describe the resources there. Repeatable.",
        ),
    ] = None,
) -> None:
    """Create a partner and print its bearer token, once: it is stored only as a hash."""
    from loaders.ownership import partner_id_prefix
    from loaders.partners import PartnerRegistry, partner_graph_prefix

    settings = get_settings()
    registry = PartnerRegistry.from_settings(settings)
    token = run(lambda: registry.add(name, namespace or (), base_iri=settings.base_iri))
    spaces = ", ".join([partner_id_prefix(settings, name), *registry.load()[name].namespaces])
    err.print(
        f"partner [bold]{name}[/bold] may write the graphs under "
        f"{partner_graph_prefix(settings, name)} and describe the resources under {spaces}\n"
        "its token follows; it is shown only this once (the partners file keeps its hash):",
        highlight=False,
    )
    out.print(token, markup=False, highlight=False, soft_wrap=True)


@partner_app.command("namespace")
def partner_namespace(
    name: Annotated[str, typer.Argument()],
    namespace: Annotated[str, typer.Argument(help="An IRI ending in / or #.")],
) -> None:
    """Register an IRI space (the partner's domain) where only this partner describes."""
    from loaders.partners import PartnerRegistry

    settings = get_settings()
    registry = PartnerRegistry.from_settings(settings)
    partner = run(lambda: registry.add_namespace(name, namespace, base_iri=settings.base_iri))
    err.print(f"partner {partner.name}: {', '.join(partner.namespaces)}", highlight=False)


@partner_app.command("list")
def partner_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """List the partners (names, creation, revocation; never tokens)."""
    from loaders.partners import PartnerRegistry

    partners = run(lambda: PartnerRegistry.from_settings(get_settings()).list())
    if as_json:
        rows = [{k: v for k, v in p.as_dict().items() if k != "token_sha256"} for p in partners]
        out.print_json(json.dumps(rows))
        return
    table = Table(title="Partners")
    for col in ("name", "created", "revoked", "namespaces"):
        table.add_column(col)
    for p in partners:
        table.add_row(p.name, p.created, p.revoked or "", " ".join(p.namespaces))
    out.print(table)


@partner_app.command("revoke")
def partner_revoke(name: Annotated[str, typer.Argument()]) -> None:
    """Revoke a partner's token at once (its graphs stay; `partner add` issues a new token)."""
    from loaders.partners import PartnerRegistry

    partner = run(lambda: PartnerRegistry.from_settings(get_settings()).revoke(name))
    err.print(f"partner {partner.name} revoked at {partner.revoked}")


@app.command()
def contribute(
    file: Annotated[Path, typer.Argument(help="JSON-LD, Turtle, N-Triples or RDF/XML.")],
    partner: Annotated[str, typer.Option("--partner", help="The partner writing.")],
    graph: Annotated[
        str | None,
        typer.Option(help="Graph IRI; default {base}graph/partner/NAME/FILE-STEM."),
    ] = None,
    add: Annotated[
        bool, typer.Option("--add", help="Add to the graph (POST) instead of replacing it (PUT).")
    ] = False,
    media_type: Annotated[
        str | None, typer.Option("--type", help="Media type; default from the file suffix.")
    ] = None,
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
) -> None:
    """Write a partner graph: the same validated, atomic write as PUT/POST /store.

    Exit 0 written, 1 refused by the shapes (report shown), 2 bad input or not allowed.
    The store must not be open in a server (use the HTTP API then)."""
    from loaders.build import open_store
    from loaders.contribution.payload import media_type_for
    from loaders.contribution.write import contribute as write
    from loaders.partners import PartnerRegistry, partner_graph_prefix
    from loaders.sources import read_file_bytes
    from loaders.store import open_remote

    settings = settings_for(store)

    def action() -> dict[str, Any]:
        PartnerRegistry.from_settings(settings).get(partner)
        target = graph or f"{partner_graph_prefix(settings, partner)}{file.stem.lower()}"
        data = read_file_bytes(file)
        media = media_type_for(media_type, file.name)
        if not settings.remote and not settings.store_path.is_dir():
            raise BadInputError(f"no store at {settings.store_path}: run `qpvkg build` first")
        opened_store = open_remote(settings) if settings.remote else open_store(settings.store_path)
        with opened_store as opened:
            result = write(
                opened,
                settings,
                partner=partner,
                graph=target,
                data=data,
                media_type=media,
                mode="post" if add else "put",
            )
        return result.as_dict()

    result = run(action)
    out.print_json(json.dumps(result))


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"qpvkg {__version__}")


def main() -> None:
    """Console-script entry point."""
    from pydantic import ValidationError

    try:
        app(prog_name="qpvkg")
    except ValidationError as exc:  # a QPVKG_* variable or an option that is not valid
        for problem in exc.errors():
            loc = problem["loc"]  # empty for a rule across settings (named in its message)
            name = "QPVKG_" + "_".join(str(part) for part in loc).upper() if loc else "settings"
            err.print(f"[red]error:[/red] {name}: ", end="")
            err.print(problem["msg"], markup=False, highlight=False)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":  # pragma: no cover
    main()

"""The qpvkg command line, run as users run it, including bad input for every command."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any as Cli

import pyoxigraph as ox
import pytest

from loaders.settings import PROJECT_DIR
from tests.conftest import FORMULA_LABEL, add_formula_label

VALID = """@prefix qpvkg: <https://w3id.org/qpvkg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/qpvkg/id/innovation/exemple> a qpvkg:Innovation ;
    rdfs:label "Exemple"@fr ;
    dcterms:description "Une innovation d'exemple."@fr ;
    qpvkg:territory <https://w3id.org/qpvkg/id/commune/93066> ;
    qpvkg:involvement [ a qpvkg:Involvement ; qpvkg:actor <https://w3id.org/qpvkg/id/organisation/adive> ;
                        qpvkg:role <https://w3id.org/qpvkg/concept/role/porteur> ] ;
    dcterms:source <https://example.org/source> .
"""
NO_LABEL = VALID.replace('rdfs:label "Exemple"@fr ;', "")


def console_script() -> str:
    """The installed `qpvkg` command of this virtualenv."""
    script = shutil.which("qpvkg", path=str(Path(sys.executable).parent))
    assert script
    return script


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ validate


def test_validate_conforming_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", str(write(tmp_path, "ok.ttl", VALID)))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


def test_validate_reports_violations_with_exit_1(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", str(write(tmp_path, "bad.ttl", NO_LABEL)))
    assert result.exit_code == 1, result.output
    assert "Violation" in result.stdout
    assert "innovation/exemple" in result.stdout


def test_validate_json_report(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", "--format", "json", str(write(tmp_path, "bad.ttl", NO_LABEL)))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["results"] and all(r["message_fr"] and r["message_en"] for r in report["results"])


def blank_organisations(n: int) -> str:
    """Blank organisations with a name only: each misses its IRI and its source."""
    return "\n".join(
        f"_:b{i} a <https://w3id.org/qpvkg/def#Organisation> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "O{i}"@fr .'
        for i in range(n)
    )


def test_validate_lists_the_first_results_and_counts_them_all(cli: Cli, tmp_path: Path) -> None:
    """Over QPVKG_MAX_REPORT_RESULTS, the text and the JSON list the first results, the
    total and say the list is cut, as a refused write does."""
    path = str(write(tmp_path, "many.ttl", blank_organisations(40)))
    env = {"QPVKG_MAX_REPORT_RESULTS": "10"}
    result = cli("validate", "--format", "json", path, env=env)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert len(report["results"]) == report["listed"] == 10
    assert report["total"] == report["violations"] == 80
    assert report["truncated"] is True and report["conforms"] is False
    text = cli("validate", path, env=env)
    assert text.exit_code == 1, text.output
    assert text.stdout.count("Violation") == 10
    assert "the first 10 of 80 results" in text.stdout
    assert "80 violation(s)" in text.stdout
    whole = json.loads(cli("validate", "--format", "json", path).stdout)
    assert len(whole["results"]) == whole["total"] == 80 and whole["truncated"] is False


def test_validate_jsonld(cli: Cli, tmp_path: Path) -> None:
    doc = {
        "@context": "https://w3id.org/qpvkg/context/v1.jsonld",
        "id": "innovation:exemple-jsonld",
        "type": "Innovation",
        "libelle": "Exemple JSON-LD",
        "territoire": "commune/93066",
        "implication": [{"type": "Implication", "acteur": "organisation/adive", "role": "porteur"}],
        "source": "https://example.org/source",
    }
    result = cli("validate", str(write(tmp_path, "ok.jsonld", json.dumps(doc))))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.ttl", "<a> <b> .", "broken.ttl"),
        ("broken.jsonld", '{"@context": {"@vocab": 5}, "x": 1}', "invalid JSON-LD"),
        ("broken.json.jsonld", '{"label": ', "invalid JSON"),
        ("notes.txt", "hello", "unknown RDF file type"),
    ],
)
def test_validate_bad_input_exits_2(
    cli: Cli, tmp_path: Path, name: str, text: str, message: str
) -> None:
    result = cli("validate", str(write(tmp_path, name, text)))
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_validate_unreadable_path_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path / "absent.ttl"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


# ------------------------------------------------------------------ query


def test_query_named_table(cli: Cli) -> None:
    result = cli("query", "study-entries")
    assert result.exit_code == 0, result.output
    assert "Totem Mobi" in result.stdout


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_formats(cli: Cli, fmt: str) -> None:
    result = cli("query", "innovations-by-territory", "-p", "codeDepartement=93", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Seine-Saint-Denis" in result.stdout
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["head"]["vars"][0] == "innovation"
        assert data["results"]["bindings"]
    if fmt == "csv":
        assert result.stdout.splitlines()[0].startswith("innovation,innovationLabel")


def test_query_csv_defuses_formulas_as_the_http_answers_do(cli: Cli, store_copy: Path) -> None:
    """A label that a spreadsheet would run, in the data: `--format csv` prefixes it with
    `'` (a number stays as it is); TSV and JSON keep the value."""
    formula = FORMULA_LABEL
    add_formula_label(store_copy)
    env = {"QPVKG_STORE": str(store_copy)}
    result = cli("query", "innovations-by-territory", "--format", "csv", env=env)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    cells = {cell for row in rows for cell in row}
    assert "'" + formula in cells and formula not in cells
    values = cli(
        "query",
        "--sparql",
        'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("-2" "@x") } }',
        "--format",
        "csv",
        env=env,
    )
    assert list(csv.reader(io.StringIO(values.stdout, newline=""))) == [["a", "b"], ["-2", "'@x"]]
    as_json = cli("query", "innovations-by-territory", "--format", "json", env=env)
    assert formula in {
        b["innovationLabel"]["value"] for b in json.loads(as_json.stdout)["results"]["bindings"]
    }


def test_query_sparql_and_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("query", "--sparql", "ASK { ?s a <https://w3id.org/qpvkg/def#Innovation> }")
    assert result.exit_code == 0 and "true" in result.stdout
    path = write(
        tmp_path,
        "count.rq",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/qpvkg/def#CaseStudy> }",
    )
    result = cli("query", "--file", str(path), "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "17"


def test_query_construct_as_turtle(cli: Cli) -> None:
    result = cli(
        "query",
        "--sparql",
        "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/qpvkg/id/innovation/totem-mobi> AS ?s) ?s ?p ?o }",
        "--format",
        "ttl",
    )
    assert result.exit_code == 0, result.output
    triples = list(ox.parse(result.stdout.encode(), ox.RdfFormat.TURTLE))
    assert len(triples) > 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-query"], "no named query 'no-such-query'"),
        (["person-path"], "missing required parameter personne"),
        (["person-path", "-p", "personne=not an iri"], "parameter personne"),
        (["study-entries", "-p", "colour=red"], "unknown parameter 'colour'"),
        (["study-entries", "-p", "novalue"], "is not NAME=VALUE"),
        (["study-entries", "--format", "pdf"], "unknown format 'pdf'"),
        (["--sparql", "SELEKT * WHERE {}"], "does not parse"),
        ([], "give exactly one of NAME, --file or --sparql"),
        (["--file", "/no/such/file.rq"], "no such query file"),
    ],
)
def test_query_bad_input_exits_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli("query", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_query_without_store_exits_2(fresh_cli: Cli) -> None:
    result = fresh_cli("query", "study-entries")
    assert result.exit_code == 2
    assert "qpvkg build" in result.stderr


def test_query_list(cli: Cli) -> None:
    result = cli("query", "--list")
    assert result.exit_code == 0
    assert "connectors-by-territory" in result.stdout


# ------------------------------------------------------------------ qc, export


def test_qc_passes_on_the_data(cli: Cli) -> None:
    result = cli("qc")
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.stdout


def test_export_nquads_keeps_graphs(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "dump.nq.gz"
    result = cli("export", str(out), "--format", "nq")
    assert result.exit_code == 0, result.output
    import gzip

    graphs = {
        q.graph_name.value
        for q in ox.parse(gzip.decompress(out.read_bytes()), ox.RdfFormat.N_QUADS)
        if isinstance(q.graph_name, ox.NamedNode)
    }
    assert "https://w3id.org/qpvkg/graph/study/innovations" in graphs
    assert "https://w3id.org/qpvkg/graph/build" in graphs


def test_export_bad_format(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", str(tmp_path / "x"), "--format", "docx")
    assert result.exit_code == 2
    assert "unknown export format" in result.stderr


# ------------------------------------------------------------------ build


def test_build_refuses_invalid_data_and_changes_nothing(
    cli: Cli, project_copy: Path, store_copy: Path
) -> None:
    env = {"QPVKG_PROJECT_DIR": str(project_copy), "QPVKG_STORE": str(store_copy)}
    first = cli("build", "--no-publish", env=env)
    assert first.exit_code == 0, first.output
    store = ox.Store.read_only(str(store_copy))
    before = len(store)
    del store
    write(project_copy / "data" / "study", "broken-innovation.ttl", NO_LABEL)
    result = cli("build", "--no-publish", env=env)
    assert result.exit_code == 1, result.output
    assert "does not conform" in result.stderr
    assert "innovation/exemple" in result.stderr
    store = ox.Store.read_only(str(store_copy))
    assert len(store) == before
    assert ox.NamedNode("https://w3id.org/qpvkg/graph/study/broken-innovation") not in set(
        store.named_graphs()
    )


def test_build_refuses_malformed_turtle_with_exit_2(
    cli: Cli, project_copy: Path, tmp_path: Path
) -> None:
    write(project_copy / "data" / "study", "broken.ttl", "@prefix x: <https://e.org/> .\nx:a x:b")
    result = cli(
        "build", env={"QPVKG_PROJECT_DIR": str(project_copy), "QPVKG_STORE": str(tmp_path / "s")}
    )
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr


# ------------------------------------------------------------------ external store


@pytest.mark.parametrize(
    "args",
    [
        ("build",),
        ("query", "study-entries"),
        ("export", "out.nq"),
        ("contribute", "x.ttl", "--partner", "reseau"),
    ],
)
def test_an_unreachable_external_store_exits_2(
    fresh_cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "x.ttl").write_text("<a:b> <a:c> <a:d> .\n", encoding="utf-8")
    env = {
        "QPVKG_STORE": "http://127.0.0.1:9",
        "QPVKG_STORE_STATE": str(tmp_path / "state"),
        "QPVKG_PARTNERS_FILE": str(tmp_path / "partners.json"),
    }
    if args[0] == "contribute":
        assert fresh_cli("partner", "add", "reseau", env=env).exit_code == 0
        args = ("contribute", str(tmp_path / "x.ttl"), *args[2:])
    if args[0] == "export":
        args = ("export", str(tmp_path / "out.nq"))
    result = fresh_cli(*args, env=env)
    assert result.exit_code == 2, result.output
    assert "external store at http://127.0.0.1:9/query cannot be reached" in result.stderr
    assert not (tmp_path / "out.nq").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["query", "study-entries"], {"QPVKG_WORKERS": "abc"}, "QPVKG_WORKERS: Input should be"),
        (
            ["query", "study-entries", "--store", "http://127.0.0.1:{port}"],
            {},
            "QPVKG_STORE: Value error, 'http://127.0.0.1:{port}' has an invalid port",
        ),
        (["build"], {"QPVKG_STORE": "ftp://example.org/x"}, "is not an http(s) URL with a host"),
        (["serve", "--read-only"], {}, "read_only needs replica_dir"),
        (
            ["validate", "data/study"],
            {"QPVKG_SHACL_ENGINE": "jena"},
            "QPVKG_SHACL_ENGINE: Input should be 'pyshacl-turbo' or 'pyshacl'",
        ),
        (
            ["query", "study-entries"],
            {"QPVKG_STORE_DESCRIBE": "sometimes"},
            "QPVKG_STORE_DESCRIBE: Input should be 'server' or 'client'",
        ),
        (
            ["query", "study-entries"],
            {"QPVKG_STORE_GEOSPARQL": "bif"},
            "QPVKG_STORE_GEOSPARQL: Input should be 'standard' or 'virtuoso'",
        ),
        (
            ["query", "study-entries"],
            {"QPVKG_FAST_PATH": "maybe"},
            "QPVKG_FAST_PATH: Input should be",
        ),
        (
            ["serve", "--replica-dir", "ship"],
            {"QPVKG_STORE": "http://127.0.0.1:7878"},
            "replica_dir is for the embedded store",
        ),
    ],
)
def test_an_invalid_setting_exits_2_naming_it(
    args: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    """The console script itself (settings are read before any command runs)."""
    script = console_script()
    result = subprocess.run(
        [script, *args],
        env={**os.environ, "QPVKG_PARTNERS_FILE": str(tmp_path / "p.json"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_a_replica_with_nothing_shipped_exits_2_saying_so(tmp_path: Path) -> None:
    script = console_script()
    ship = tmp_path / "ship"
    result = subprocess.run(
        [script, "serve", "--read-only", "--replica-dir", str(ship), "--port", "9"],
        env={**os.environ, "QPVKG_STORE": str(tmp_path / "replica")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    message = " ".join(result.stderr.split())
    assert f"no generation shipped to {ship} yet" in message
    assert "QPVKG_REPLICA_DIR" in message
    assert "Traceback" not in result.stderr


def test_validate_gives_the_same_report_with_either_engine(tmp_path: Path) -> None:
    """`qpvkg validate` under QPVKG_SHACL_ENGINE=pyshacl (the reference) and pyshacl-turbo, on
    the constraints pyshacl-turbo needed rewritten for (the Luhn target, the zone)."""
    script = console_script()
    invalid = PROJECT_DIR / "tests" / "fixtures" / "shapes" / "invalid"
    files = [
        str(invalid / f) for f in ("siren-luhn.ttl", "commune-siren-luhn.ttl", "zone-value.ttl")
    ]
    reports = {}
    for engine in ("pyshacl", "pyshacl-turbo"):
        result = subprocess.run(
            [script, "validate", "--format", "json", *files],
            env={**os.environ, "QPVKG_SHACL_ENGINE": engine, "QPVKG_STORE": str(tmp_path / "s")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 1, result.stderr
        reports[engine] = json.loads(result.stdout)
    constraints = {r["constraint"].rsplit("#", 1)[-1] for r in reports["pyshacl"]["results"]}
    assert {"LuhnConstraintComponent", "PatternConstraintComponent"} <= constraints
    assert reports["pyshacl-turbo"] == reports["pyshacl"]

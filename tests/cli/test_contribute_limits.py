"""The limits on what partners send hold on the command line too: `contribute` and `validate`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any as Cli

import pyoxigraph as ox
import pytest

from loaders.settings import Settings
from loaders.store import open_read
from tests.cli.test_partners_cli import FIXTURES, env, store_settings  # noqa: F401

CONTEXT = "https://w3id.org/qpvkg/context/v1.jsonld"
SUBJECT = "https://data.reseau-test.example/projet/x"


def flat_entities() -> str:
    """RDF/XML with a flat entity whose name has a colon, referenced many times."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a:b "' + "x" * 1000 + '">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        f'<rdf:Description rdf:about="{SUBJECT}"><rdfs:label>'
        + "&a:b;" * 100
        + "</rdfs:label></rdf:Description></rdf:RDF>"
    )


def big_literal() -> str:
    return f'<{SUBJECT}> <http://www.w3.org/2000/01/rdf-schema#label> "{"x" * 2000}"@fr .\n'


def null_context() -> str:
    document = json.loads((FIXTURES / "projet.jsonld").read_text(encoding="utf-8"))
    document["@context"] = [CONTEXT, None, {"libelle": "http://example.org/autre"}]
    return json.dumps(document)


def bad_language() -> str:
    document = json.loads((FIXTURES / "projet.jsonld").read_text(encoding="utf-8"))
    document["rdfs:label"] = {"@value": "Exemple", "@language": "<script>"}
    return json.dumps(document)


CASES = [
    ("entities.rdf", flat_entities, "entity"),
    ("big.nt", big_literal, "QPVKG_MAX_LITERAL_BYTES"),
    ("null.jsonld", null_context, "null @context"),
    ("deep.jsonld", lambda: "[" * 5000 + "]" * 5000, "nested deeper than 64"),
    ("scalar.jsonld", lambda: "42", "not a JSON-LD document"),
    ("lang.jsonld", bad_language, "'<script>' is not a well-formed BCP 47 language tag"),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_contribute_refuses_what_the_server_refuses(
    cli: Cli,
    env: dict[str, str],  # noqa: F811
    store_settings: Settings,  # noqa: F811
    tmp_path: Path,
    name: str,
    text: Callable[[], str],
    message: str,
) -> None:
    limits = {**env, "QPVKG_MAX_LITERAL_BYTES": "1000"}
    assert cli("partner", "add", "reseau-test", env=limits).exit_code == 0
    path = tmp_path / name
    path.write_text(text(), encoding="utf-8")
    result = cli("contribute", str(path), "--partner", "reseau-test", env=limits)
    assert result.exit_code == 2, result.output
    assert message in result.output
    graph = f"https://w3id.org/qpvkg/graph/partner/reseau-test/{path.stem}"
    with open_read(store_settings) as store:
        assert not list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_validate_refuses_what_the_server_refuses(
    cli: Cli, tmp_path: Path, name: str, text: Callable[[], str], message: str
) -> None:
    path = tmp_path / name
    path.write_text(text(), encoding="utf-8")
    result = cli("validate", str(path), env={"QPVKG_MAX_LITERAL_BYTES": "1000"})
    assert result.exit_code == 2, result.output
    assert message in result.output

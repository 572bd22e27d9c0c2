"""The README documents every setting and every command; the folders have their READMEs."""

from __future__ import annotations

from pathlib import Path

import typer.main

from endpoint.cli import app
from loaders.settings import PROJECT_DIR, Settings

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"QPVKG_{name.upper()}" in README, name


def test_every_command_is_documented() -> None:
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            for sub in command.commands:  # type: ignore[attr-defined]
                assert f"qpvkg {name} {sub}" in README, f"{name} {sub}"
        elif name != "version":
            assert f"qpvkg {name}" in README, name


def test_quick_start_is_the_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    assert block.split() == ["make", "serve", "make", "test"]


def test_folders_have_readmes() -> None:
    for folder in ("ontology", "shapes", "data", "queries"):
        assert (Path(PROJECT_DIR) / folder / "README.md").is_file(), folder


def test_every_format_name_is_in_the_sparql_docs() -> None:
    """docs/sparql.md lists every name a format parameter may give (endpoint.negotiation)."""
    from endpoint.negotiation import BY_NAME

    text = (PROJECT_DIR / "docs" / "sparql.md").read_text()
    table = text.split("## Result formats", 1)[1].split("\n## ", 1)[0]
    missing = [n for n in BY_NAME if n not in ("html", "text/html", "application/xhtml+xml")]
    missing = [n for n in missing if f"`{n}`" not in table]
    assert not missing, f"format names missing from docs/sparql.md: {missing}"

"""The offline core (`loaders/`) never imports the HTTP shell (`endpoint/`), not even inside a
function: the command line's `serve` lives in `endpoint/cli.py` (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from loaders.settings import PROJECT_DIR


def imported(path: Path) -> set[str]:
    """The modules a Python file imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_core_never_imports_the_endpoint() -> None:
    files = sorted((Path(PROJECT_DIR) / "loaders").rglob("*.py"))
    assert len(files) > 20
    found = {
        f"{path.name}: {name}"
        for path in files
        for name in imported(path)
        if name == "endpoint" or name.startswith("endpoint.")
    }
    assert not found, sorted(found)


def test_serve_is_a_command_of_the_one_cli() -> None:
    import typer

    from endpoint.cli import app

    commands = typer.main.get_group(app).commands
    assert {"serve", "build", "query", "import", "partner"} <= set(commands)

"""The application's structure: each URL registered once, route modules that share helpers (in
endpoint/) rather than import one another (loaders/ independent of endpoint/: test_layers.py)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from fastapi.routing import iter_route_contexts

from endpoint.app import create_app
from loaders.settings import PROJECT_DIR, Settings

ROUTES = PROJECT_DIR / "endpoint" / "routes"


def imported(path: Path, package: str) -> set[str]:
    """The modules a file imports (``from x import y`` gives ``x`` and ``x.y``), relative
    imports resolved against ``package``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_each_method_and_path_is_registered_once(tmp_path: Path) -> None:
    app = create_app(Settings(project_dir=PROJECT_DIR, store=str(tmp_path / "store")))
    registered = Counter(
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
    )
    assert registered, "no route found"
    twice = sorted(key for key, count in registered.items() if count > 1)
    assert twice == [], twice


def test_route_modules_do_not_import_one_another() -> None:
    modules = {f"endpoint.routes.{p.stem}" for p in ROUTES.glob("*.py") if p.stem != "__init__"}
    found = {}
    for path in sorted(ROUTES.glob("*.py")):
        others = {
            name
            for name in imported(path, "endpoint.routes")
            if name in modules or name == "endpoint.routes"
        } - {f"endpoint.routes.{path.stem}"}
        if others:
            found[path.name] = sorted(others)
    assert found == {}, found

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


def runtime_imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """The project's modules a file imports when it runs, inside functions too (not those
    imported for type checking only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If)
        and isinstance(block.test, ast.Name)
        and block.test.id == "TYPE_CHECKING"
        for statement in block.body
        for node in ast.walk(statement)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names |= imported_by(node, package)
    return names & modules


def imported_by(node: ast.Import | ast.ImportFrom, package: str) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parent, base] if base else parent)
    return {base, *(f"{base}.{alias.name}" for alias in node.names)}


def test_no_import_circles() -> None:
    """No module of loaders/ or endpoint/ imports, however indirectly, one that imports it."""
    files = {
        ".".join(p.relative_to(PROJECT_DIR).with_suffix("").parts).removesuffix(".__init__"): p
        for package in ("loaders", "endpoint")
        for p in (PROJECT_DIR / package).rglob("*.py")
    }
    modules = set(files)
    graph = {
        name: runtime_imports(path, name.rpartition(".")[0] or name, modules) - {name}
        for name, path in files.items()
    }
    assert len(graph) > 60 and graph["loaders.build"], "the imports were not read"

    def reaches(start: str, target: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                if nxt == target:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    circles = sorted(
        f"{a} -> {b}" for a, targets in graph.items() for b in targets if reaches(b, a)
    )
    assert circles == [], circles

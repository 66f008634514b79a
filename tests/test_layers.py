"""The package's layers: sources → analysis → notebook → publish; a lower layer never imports a higher one,
and no two modules import each other (directly or around a circle), at the top of a file or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import paths

PACKAGE = paths.PROJECT_ROOT / "src" / "helpers"
LAYERS: tuple[str, ...] = ("sources", "analysis", "notebook", "publish")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every helpers module and the helpers modules it imports (anywhere in the file)."""
    modules = {_module(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                targets |= {n for n in names if n in modules} or {node.module}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_no_lower_layer_imports_a_higher_one() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if _layer(module) is not None and _layer(target) is not None and _layer(target) > _layer(module)
    ]
    assert upward == []


def test_no_import_circle() -> None:
    graph = _imports()
    circles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                circles.append([*trail[trail.index(target) :], target])
            elif target > trail[0]:  # each circle once, from its smallest module
                visit(target, [*trail, target])

    for start in sorted(graph):
        visit(start, [start])
    assert [" → ".join(circle) for circle in circles if circle[0] == min(circle)] == []

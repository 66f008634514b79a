"""Code works by indicator and theme on any report: no module of the analysis names one report's figure ids,
areas or report ids (what is special to a report is data beside it)."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest

from helpers import paths

PACKAGE = paths.PROJECT_ROOT / "src" / "helpers"
#: The layers whose code must name no figure of a report, and no area.
GENERIC = ("analysis", "notebook")


def _figure_ids() -> set[str]:
    """Every figure id of every report, less the indicator codes (the general vocabulary)."""
    ids: set[str] = set()
    for path in paths.REPORTS_DATA_DIR.glob("*/figures.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            ids |= {row["figure_id"] for row in csv.DictReader(handle)}
    with (paths.INDICATORS_DIR / "indicators.csv").open(encoding="utf-8") as handle:
        ids -= {row["code"] for row in csv.DictReader(handle)}
    return ids


def _literals(path: Path) -> set[str]:
    """The module's string literals, docstrings left out (their examples name real figures, as examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def _modules(*layers: str) -> list[Path]:
    return sorted(path for layer in layers for path in (PACKAGE / layer).glob("*.py"))


@pytest.mark.parametrize("path", _modules(*GENERIC), ids=lambda p: p.name)
def test_no_module_names_a_figure_id(path: Path) -> None:
    assert sorted(_literals(path) & _figure_ids()) == []


@pytest.mark.parametrize("path", _modules(*GENERIC), ids=lambda p: p.name)
def test_no_module_names_an_area_or_a_report(path: Path) -> None:
    names = {"jinshui", "zhengzhou", "henan", "china", "金水区", "郑州市", "河南省", "Jinshui", "Zhengzhou", "Henan"}
    reports = {p.name for p in paths.REPORTS_DATA_DIR.iterdir() if p.is_dir()}
    found = {text for text in _literals(path) if any(name in text for name in names | reports)}
    assert sorted(found) == []

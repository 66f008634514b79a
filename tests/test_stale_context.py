"""A start that fails leaves nothing to draw from: every helper given an earlier context refuses with one line.

In JupyterLab the ``ctx`` of a previous run stays in the kernel's namespace when ``report.start`` raises; the
cells after it (queued by Run All, or stepped through) must not show that run's tables under new parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from helpers import paths
from helpers.notebook import report
from helpers.notebook.params import ParameterError

REFUSAL = "parameters not valid: fix the parameters cell and run again / 参数无效：请修改参数单元格后重新运行"
GOOD = ("data/reports/jinshui-2020", "data/reference", "census_2020_incl_zhengdong")


def _start(lang: str, output: Path) -> report.Context:
    return report.start(*GOOD, lang, str(output), top_n=10, comparison="both")


def _helpers(ctx: report.Context, results: dict[str, float | None]) -> dict[str, Callable[[], Any]]:
    """A table, a chart, a sentence, the key findings and the results writer, as the notebooks call them."""
    return {
        "figures_table": lambda: report.figures_table(ctx, "economy"),
        "metrics_table": lambda: report.metrics_table(ctx, "economy"),
        "comparisons": lambda: report.comparisons(ctx, "economy"),
        "findings_table": lambda: report.findings_table(ctx, "economy"),
        "plot_theme_levels": lambda: report.plot_theme_levels(ctx, "economy", unit="yuan", top_n=10),
        "plot_metric_intervals": lambda: report.plot_metric_intervals(ctx, "economy"),
        "plot_per_capita": lambda: report.plot_per_capita(ctx),
        "metric_sentence": lambda: report.metric_sentence(ctx, "gdp_share_of_zhengzhou"),
        "figure_sentence": lambda: report.figure_sentence(ctx, "gdp"),
        "key_findings": lambda: report.key_findings(ctx, "economy"),
        "theme_results": lambda: report.theme_results(ctx, "economy"),
        "results_path": lambda: report.results_path(ctx, "02_economy"),
        "write_results": lambda: report.write_results(ctx, "02_economy", results),
    }


def test_after_a_failed_start_every_helper_refuses_the_earlier_context(tmp_path: Path) -> None:
    ctx = _start("en", tmp_path)
    results = report.theme_results(ctx, "economy")
    for name, helper in _helpers(ctx, results).items():
        assert helper() is not None, name  # all of them answer while the context is current (and write)
    plt.close("all")
    written = tmp_path / "results" / "02_economy.json"
    before, stat = written.read_bytes(), written.stat()

    with pytest.raises(ParameterError, match=r"parameter 'lang' = 'fr' is not allowed; allowed: 'en', 'zh'"):
        _start("fr", tmp_path)
    assert not report.is_current(ctx)
    for name, helper in _helpers(ctx, results).items():
        with pytest.raises(report.StaleContextError) as refused:
            helper()
        # One line in both languages, shown alone in a notebook (as a bad parameter is).
        assert str(refused.value) == REFUSAL, name
        assert refused.value._render_traceback_() == [f"StaleContextError: {REFUSAL}"], name
    with pytest.raises(report.StaleContextError):
        _ = ctx.lang  # the data itself, read directly as a notebook cell may
    # Nothing was drawn, and the results file is the one the valid run wrote, byte for byte, never rewritten.
    assert plt.get_fignums() == []
    assert written.read_bytes() == before
    assert (written.stat().st_ino, written.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert sorted(p.name for p in written.parent.iterdir()) == ["02_economy.json"]

    # A fresh good start in the same process answers again; the earlier context stays refused.
    fresh = _start("zh", tmp_path)
    assert report.is_current(fresh) and fresh.lang == "zh"
    assert "15.0%" in report.metric_sentence(fresh, "gdp_share_of_zhengzhou")
    with pytest.raises(report.StaleContextError):
        report.figures_table(ctx, "economy")


def test_a_later_start_makes_an_earlier_context_stale_even_when_it_succeeds(tmp_path: Path) -> None:
    first = _start("en", tmp_path)
    second = _start("en", tmp_path)
    assert report.figures_table(second, "economy").shape == (16, 5)
    with pytest.raises(report.StaleContextError):
        report.figures_table(first, "economy")
    # Whatever a cell computes meanwhile, the context of the latest start stays current.
    for _ in range(3):
        report.metrics_table(second, "economy")
    assert report.is_current(second)


@pytest.mark.notebooks
def test_a_kernel_shows_the_refusal_alone_when_a_cell_runs_after_a_failed_start(tmp_path: Path) -> None:
    """A real kernel, cells run one by one as Shift-Enter does: the refusal is one line, not a traceback."""
    output = tmp_path / "lab-output"
    cells = [
        "from helpers.notebook import report",
        f"ctx = report.start({GOOD[0]!r}, {GOOD[1]!r}, {GOOD[2]!r}, 'en', {str(output)!r})",
        "report.write_results(ctx, '02_economy', report.theme_results(ctx, 'economy'))",
        f"ctx = report.start({GOOD[0]!r}, {GOOD[1]!r}, {GOOD[2]!r}, 'fr', {str(output)!r})",
        "report.show(report.figures_table(ctx, 'economy'))",
        "report.plot_theme_levels(ctx, 'economy', unit='yuan')",
        "report.write_results(ctx, '02_economy', {'figure.gdp': 1.0})",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True, resources={
        "metadata": {"path": str(paths.PROJECT_ROOT)}}).execute()  # fmt: skip
    outputs = [cell.outputs for cell in notebook.cells]
    assert "results written to" in outputs[2][0]["data"]["text/markdown"]
    written = (output / "results" / "02_economy.json").read_bytes()
    [bad] = outputs[3]
    assert bad["ename"] == "ParameterError" and "parameter 'lang' = 'fr' is not allowed" in bad["evalue"]
    for stale in outputs[4:]:
        [refusal] = stale  # the error alone: no table, no chart, no note
        assert refusal["output_type"] == "error" and refusal["ename"] == "StaleContextError"
        assert refusal["traceback"] == [f"StaleContextError: {REFUSAL}"]
    assert (output / "results" / "02_economy.json").read_bytes() == written

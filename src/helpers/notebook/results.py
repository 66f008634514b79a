"""The results file of a notebook: its parameters and key values (metric id -> value), for machines."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.notebook.context import Context, _metric_rows
from helpers.notebook.labels import (
    SEVERITY_LABELS,
)
from helpers.sources.intervals import Estimate


def _json_number(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def theme_results(ctx: Context, theme: str) -> dict[str, float | None]:
    """The theme's key results: every figure's value and every metric under the chosen basis."""
    results: dict[str, float | None] = {}
    for row in ctx.figures[ctx.figures["theme"] == theme].itertuples(index=False):
        results[f"figure.{row.figure_id}"] = _json_number(row.value)
    for row in _metric_rows(ctx, theme).itertuples(index=False):
        results[row.metric_id] = _json_number(row.value)
    return results


def estimate_of(ctx: Context, metric_id: str) -> Estimate:
    """A metric (under the chosen basis when it has one) as an Estimate."""
    rows = _metric_rows(ctx)
    row = rows[rows["metric_id"] == metric_id].iloc[0]
    return Estimate(row["value"], row["low"], row["high"])


def write_results(ctx: Context, stem: str, results: dict[str, float | None]) -> Any:
    """Write ``<output_dir>/results/<stem>.json`` with the parameters and the results.

    Returns a short Markdown note with a link to the file: in a batch run (``JINSHUI_BATCH`` set by the
    runner's kernels) relative to the published page, which sits in the output folder (the runner writes into
    a staging folder first, whose name means nothing to a reader); in JupyterLab relative to the notebook.
    """
    from IPython.display import Markdown

    path = results_path(ctx, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": stem, "parameters": ctx.params.as_dict(), "results": results}
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    temporary.replace(path)
    if os.environ.get("JINSHUI_BATCH"):
        href = label = f"results/{path.name}"
    else:
        href = Path(os.path.relpath(path, Path.cwd())).as_posix()
        label = Path(os.path.relpath(path, paths.PROJECT_ROOT)).as_posix()
    count = len(results)
    if ctx.lang == "zh":
        return Markdown(f"已将{count}项结果写入 [{label}]({href})。")
    return Markdown(f"{count} results written to [{label}]({href}).")


def results_path(ctx: Context, stem: str) -> Path:
    """Where a notebook's results file goes: ``results/<stem>.json``, ``results/<stem>.zh.json`` in Chinese."""
    suffix = "" if ctx.lang == "en" else f".{ctx.lang}"
    return ctx.params.output_dir / "results" / f"{stem}{suffix}.json"


def severity_counts(ctx: Context) -> dict[str, int]:
    """How many findings of each severity."""
    counts = ctx.findings["severity"].value_counts()
    return {severity: int(counts.get(severity, 0)) for severity in SEVERITY_LABELS}


def overview_results(ctx: Context) -> dict[str, float | None]:
    """The overview's key results: GDP shares and per-capita values under the chosen basis, and headlines.

    GDP as a share of each parent's total, budget revenue of the nearest parent's, GDP per capita of the report
    and of its parents (those the analysis has; a per-capita value on a basis the report lacks is null).
    """
    from helpers.notebook.tables import headline_figures

    rows = _metric_rows(ctx)
    values = dict(zip(rows["metric_id"], rows["value"], strict=True))
    parents = ctx.subject.parent_ids
    wanted = [
        *(f"gdp_share_of_{p}" for p in parents),
        *(f"budget_revenue_share_of_{p}" for p in parents[:1]),
        "gdp_per_capita",
        *(f"{p}_gdp_per_capita" for p in parents),
    ]
    results: dict[str, float | None] = {m: _json_number(values[m]) for m in wanted if m in values}
    if ctx.bases and "gdp_per_capita" not in results:
        results["gdp_per_capita"] = None
    for figure_id in headline_figures(ctx):
        results[f"figure.{figure_id}"] = _json_number(ctx.figures.set_index("figure_id").at[figure_id, "value"])
    results["population"] = ctx.basis.estimate.value if ctx.basis is not None else None
    return results


def audit_results(ctx: Context) -> dict[str, float | None]:
    """The audit notebook's results: finding counts by severity and the number of missing metrics."""
    results: dict[str, float | None] = {f"findings.{k}": float(v) for k, v in severity_counts(ctx).items()}
    results["metrics.missing"] = float((ctx.metrics["status"] == "missing").sum())
    results["metrics.scope_mismatch"] = float((ctx.metrics["status"] == "scope_mismatch").sum())
    return results

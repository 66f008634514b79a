"""What every table, chart and sentence of a report starts from: the parameters and the four tables, loaded once."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers.analysis.metrics import Inputs
from helpers.analysis.tables import load_analysis
from helpers.notebook.crosslevel import comparison_entity
from helpers.notebook.params import NotebookParameters
from helpers.notebook.plotting import set_style
from helpers.sources.reference import (
    PopulationBasis,
    Reference,
    population_bases,
)

#: Per-capita metrics shown side by side for Jinshui, Zhengzhou and Henan in the overview.
PER_CAPITA_STEMS: tuple[str, ...] = ("gdp_per_capita", "budget_revenue_per_capita", "market_entities_per_1000")


@dataclass
class Context:
    """Everything a notebook shows, loaded and validated once from its parameters."""

    params: NotebookParameters
    figures: pd.DataFrame
    reference: Reference
    metrics: pd.DataFrame
    findings: pd.DataFrame
    bases: dict[str, PopulationBasis]
    estimates: Inputs

    @property
    def lang(self) -> str:
        """The report language."""
        return self.params.lang

    @property
    def basis(self) -> PopulationBasis:
        """The chosen population basis."""
        return self.bases[self.params.population_basis]


def load_context(params: NotebookParameters) -> Context:
    """Load and validate the figures and reference named by the parameters; compute metrics and the audit.

    The four tables are cached on the content of their input files (a batch computes them once per worker).
    """
    analysis = load_analysis(params.report_dir, params.reference_dir)
    figures, reference, metrics, findings = analysis.figures, analysis.reference, analysis.metrics, analysis.findings
    set_style(params.lang)
    # Report tables show whole quotes and notes, not the first 50 characters.
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)
    return Context(
        params, figures, reference, metrics, findings, population_bases(reference), Inputs(figures, reference)
    )


def _wrap(label: str, lang: str) -> str:
    """A long axis label on several lines, so that the chart keeps its width."""
    return textwrap.fill(label, 24 if lang == "zh" else 44)


def _indicator(row: Any, lang: str) -> str:
    return row.indicator_zh if lang == "zh" else row.indicator_en


def _metric_rows(ctx: Context, theme: str | None = None) -> pd.DataFrame:
    """Metrics of a theme (all when None) under the chosen basis (and the basis-free ones)."""
    rows = ctx.metrics[ctx.metrics["population_basis"].isin(["", ctx.params.population_basis])]
    return rows if theme is None else rows[rows["theme"] == theme]


def _is_cross_level(rows: pd.DataFrame) -> pd.Series:
    """Rows that set Jinshui against a parent: shares, differences, location quotients, population shares.

    They have their own section, with both quotes.
    """
    ids = rows["metric_id"]
    return ids.map(comparison_entity).notna() | ids.str.startswith(("location_quotient_", "population_share_of_"))


def findings_frame(ctx: Context, theme: str) -> pd.DataFrame:
    """The audit findings that name a figure of the theme."""
    ids = set(ctx.figures.loc[ctx.figures["theme"] == theme, "figure_id"])
    named = ctx.findings["figure_ids"].fillna("").str.split(";").apply(lambda f: bool(ids & set(f)))
    return ctx.findings[named]

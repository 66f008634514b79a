"""What every table, chart and sentence of a report starts from: the parameters and the four tables, loaded once.

A context answers only while it belongs to the latest ``report.start`` of its kernel. In JupyterLab the ``ctx``
of an earlier run stays in the namespace when a start fails (a bad value in the parameters cell), and cells
run after it (queued by Run All, or stepped through) would draw that run's tables under the new parameters.
So every start first makes all earlier contexts stale, and a stale context refuses every read of its data:
each helper fails with one line, :class:`StaleContextError`, before it draws or writes anything.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from helpers.analysis.indicators import Observation, Vocabulary
from helpers.analysis.subject import Subject
from helpers.analysis.tables import load_analysis
from helpers.analysis.terms import Inputs
from helpers.bilingual import Bilingual
from helpers.notebook.crosslevel import comparison_entity
from helpers.notebook.params import MessageOnlyError, NotebookParameters
from helpers.notebook.plotting import set_style
from helpers.sources.population import PopulationBasis
from helpers.sources.reference import Reference
from helpers.sources.registry import ReportSource

#: What a helper given a stale context says, on one line in both languages.
STALE_CONTEXT = Bilingual(
    "parameters not valid: fix the parameters cell and run again", "参数无效：请修改参数单元格后重新运行"
)


class StaleContextError(MessageOnlyError, RuntimeError):
    """A context from a start that failed, or that a later start replaced: its data answer other parameters."""

    def __init__(self) -> None:
        """The one bilingual line, shown alone in a notebook (as a bad parameter is)."""
        super().__init__(f"{STALE_CONTEXT.en} / {STALE_CONTEXT.zh}")


#: The latest start of this process: a new object at each, so that no earlier context can hold it (an old one
#: stays stale even when the helpers are imported afresh, as warm batch kernels do between notebooks).
_latest_start: object = object()


def new_start() -> None:
    """Make every context made so far stale; ``report.start`` calls it before it validates anything."""
    global _latest_start
    _latest_start = object()


def is_current(ctx: Context) -> bool:
    """Whether the context belongs to the latest start (reading it does not raise)."""
    return object.__getattribute__(ctx, "_start") is _latest_start


@dataclass
class Context:
    """Everything a notebook shows, loaded and validated once from its parameters.

    ``_start`` is the start it was made under. Every public field and property is read through
    ``__getattribute__``, which refuses once that start is no longer the latest: one check for every helper.
    """

    params: NotebookParameters
    figures: pd.DataFrame
    reference: Reference
    metrics: pd.DataFrame
    findings: pd.DataFrame
    bases: dict[str, PopulationBasis]
    estimates: Inputs
    report: ReportSource
    subject: Subject
    observations: list[Observation]
    vocabulary: Vocabulary
    _start: object = field(default_factory=lambda: _latest_start, repr=False, compare=False)

    def __getattribute__(self, name: str) -> Any:
        """Any public attribute; :class:`StaleContextError` when the context is not of the latest start."""
        if not name.startswith("_") and not is_current(self):
            raise StaleContextError
        return object.__getattribute__(self, name)

    @property
    def lang(self) -> str:
        """The report language."""
        return self.params.lang

    @property
    def basis(self) -> PopulationBasis | None:
        """The chosen population basis; None when the report has no population on it."""
        return self.bases.get(self.params.population_basis)


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
        params,
        figures,
        reference,
        metrics,
        findings,
        analysis.bases,
        Inputs(figures, reference),
        analysis.report,
        analysis.subject,
        analysis.observations,
        analysis.vocabulary,
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


def _is_cross_level(rows: pd.DataFrame, parents: tuple[str, ...]) -> pd.Series:
    """Rows that set the report against a parent: shares, differences, location quotients, population shares.

    They have their own section, with both quotes.
    """
    ids = rows["metric_id"]
    compares = ids.map(lambda m: comparison_entity(m, parents)).notna()
    return compares | ids.str.startswith(("location_quotient_", "population_share_of_"))


def findings_frame(ctx: Context, theme: str) -> pd.DataFrame:
    """The audit findings that name a figure of the theme."""
    ids = set(ctx.figures.loc[ctx.figures["theme"] == theme, "figure_id"])
    named = ctx.findings["figure_ids"].fillna("").str.split(";").apply(lambda f: bool(ids & set(f)))
    return ctx.findings[named]

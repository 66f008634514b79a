"""One row of the 2020 cross-section per report: its year's levels and growth, its parent's, the gap and shares.

The values come from the report's analysis (:mod:`helpers.analysis.tables`): the observation of the year the
comparisons use, each with its quote, and the comparisons' own rows (a gap in percentage points, a share of the
parent's and of the nation's total, with their status). Nothing is computed twice, so the cross-section says
what the report's pages say. Beside a computed gap, the gap the report itself states right after the same
figure (:mod:`helpers.analysis.stated_gaps`) and whether the two agree within rounding. ``corpus_figures`` is
the tidy table of the values behind it (the stated gaps are not among them: a gap is no indicator of
``data/indicators/indicators.csv``).
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.analysis.comparisons import Comparator
from helpers.analysis.indicators import Observation
from helpers.analysis.stated_gaps import agreement, figure_span, stated_gap_to
from helpers.analysis.tables import Analysis
from helpers.sources.entities import Entity

#: The indicators of the cross-section: (level, growth) pairs, then growth or flows without a pair.
LEVEL_INDICATORS: tuple[str, ...] = ("gdp", "budget_revenue", "retail_sales", "foreign_trade")
GROWTH_ONLY: tuple[str, ...] = ("fixed_asset_investment_growth", "per_capita_disposable_income_growth")
FLOW_ONLY: tuple[str, ...] = ("new_urban_jobs",)
#: The columns of ``cross_section.csv`` before the per-indicator ones.
KEY_COLUMNS: tuple[str, ...] = (
    "source_path", "report_id", "entity_zh", "entity_en", "level", "parent", "parent_en", "parent_level", "status"
)  # fmt: skip
FIGURE_COLUMNS: tuple[str, ...] = (
    "source_path",
    "report_id",
    "indicator",
    "value",
    "unit",
    "qualifier",
    "quote",
    "status",
    "reason",
)


def _growth_codes() -> tuple[str, ...]:
    return (*(f"{code}_growth" for code in LEVEL_INDICATORS), *GROWTH_ONLY)


def cross_section_indicators() -> tuple[str, ...]:
    """Every indicator the cross-section shows, levels before growth rates."""
    return (*LEVEL_INDICATORS, *FLOW_ONLY, *_growth_codes())


def _metric(metrics: pd.DataFrame, metric_id: str) -> tuple[float, str]:
    """(value, status) of one derived metric of the report; NaN and "" where the report has none."""
    value, _, _, status = _metric_interval(metrics, metric_id)
    return value, status


def _metric_interval(metrics: pd.DataFrame, metric_id: str) -> tuple[float, float, float, str]:
    """(value, low, high, status) of one derived metric of the report; NaNs and "" where the report has none."""
    rows = metrics.loc[(metrics["metric_id"] == metric_id) & (metrics["population_basis"].fillna("") == "")]
    if rows.empty:
        return math.nan, math.nan, math.nan, ""
    row = rows.iloc[0]
    return float(row["value"]), float(row["low"]), float(row["high"]), str(row["status"])


def _stated_gap(analysis: Analysis, own: Observation | None, parent: Entity, gap_id: str) -> dict[str, object]:
    """The gap to ``parent`` the report states right after the row's growth figure, and whether it agrees.

    Read from the report's text after the figure the row uses (its quote ends at the rate, so the text goes
    on from there), never from elsewhere in the report; the quote runs from the figure's to the gap's end.
    """
    stated, quote = None, ""
    if own is not None and own.source == analysis.report.report_id:
        figures = analysis.figures.set_index("figure_id")
        if own.item_id in figures.index:
            figure, text = figures.loc[own.item_id], analysis.report.text
            span = figure_span(text, own.quote, str(figure["value_as_printed"]), str(figure["unit_as_printed"]))
            stated = stated_gap_to(text, span, parent) if span else None
            quote = text[text.find(own.quote) : stated.end] if stated else ""
    return {
        "stated_gap_pp": stated.value if stated else math.nan,
        "stated_gap_quote": quote,
        "stated_gap_agrees": agreement(stated, *_metric_interval(analysis.metrics, gap_id)),
    }


def cross_section_row(analysis: Analysis, source_path: str) -> dict[str, object]:
    """The report's row: per indicator its value and quote, the parent's value, the gap or the shares."""
    subject = analysis.subject
    comparator = Comparator(analysis.observations, subject)
    parent = subject.parents[0] if subject.parents else None
    nation = next((p for p in subject.parents if p.level == "nation"), None)
    row: dict[str, object] = {
        "source_path": source_path,
        "report_id": analysis.report.report_id,
        "entity_zh": subject.entity.name_zh,
        "entity_en": subject.entity.name_en,
        "level": subject.entity.level,
        "parent": parent.name_zh if parent else "",
        "parent_en": parent.name_en if parent else "",
        "parent_level": parent.level if parent else "",
        "status": "ok",
    }
    for code in cross_section_indicators():
        own = comparator.pick(code, subject.entity_id)
        row[code] = own.estimate.value if own else math.nan
        row[f"{code}_quote"] = own.quote if own else ""
        if parent is None:
            continue
        theirs = comparator.pick(code, parent.entity_id)
        row[f"{code}_parent"] = theirs.estimate.value if theirs else math.nan
        if code.endswith("_growth"):
            gap_id = f"{code}_gap_vs_{parent.entity_id}"
            row[f"{code}_gap_pp"], row[f"{code}_gap_status"] = _metric(analysis.metrics, gap_id)
            row.update({f"{code}_{k}": v for k, v in _stated_gap(analysis, own, parent, gap_id).items()})
        else:
            row[f"{code}_share_of_parent"], row[f"{code}_share_status"] = _metric(
                analysis.metrics, f"{code}_share_of_{parent.entity_id}"
            )
            if nation is not None and nation is not parent:
                row[f"{code}_share_of_nation"], row[f"{code}_share_of_nation_status"] = _metric(
                    analysis.metrics, f"{code}_share_of_{nation.entity_id}"
                )
    return row


def corpus_figures(analysis: Analysis, source_path: str) -> pd.DataFrame:
    """The values behind the report's row (``used``) and the numbers kept out of it (``excluded``, with why).

    One ``used`` row per indicator: the value the cross-section shows. A drafted second value of an
    indicator and every quantity the draft kept out (a target, several years, part of the year, another area)
    is ``excluded`` with its reason.
    """
    report, subject = analysis.report, analysis.subject
    comparator = Comparator(analysis.observations, subject)
    rows: list[dict[str, object]] = []
    base = {"source_path": source_path, "report_id": report.report_id}
    used = set()
    for code in cross_section_indicators():
        own = comparator.pick(code, subject.entity_id)
        if own is None:
            continue
        used.add(own.item_id)
        rows.append(
            {**base, "indicator": code, "value": own.estimate.value, "unit": own.unit, "qualifier": own.qualifier,
             "quote": own.quote, "status": "used", "reason": ""}
        )  # fmt: skip
    figures = analysis.figures
    wanted = set(cross_section_indicators())
    for figure in figures.itertuples(index=False):
        code = str(figure.figure_id).rsplit("_", 1)[0] if str(figure.figure_id)[-1].isdigit() else figure.figure_id
        if code in wanted and figure.figure_id not in used and report.meta.curation == "draft":
            rows.append(
                {**base, "indicator": code, "value": float(figure.value), "unit": figure.unit,
                 "qualifier": figure.qualifier, "quote": figure.quote, "status": "excluded",
                 "reason": "another value of the indicator is printed first: the first is used"}
            )  # fmt: skip
    for excluded in report.excluded().itertuples(index=False):
        code, _, reason = str(excluded.reason).partition(": ")
        if code in wanted:
            rows.append(
                {**base, "indicator": code, "value": math.nan, "unit": "", "qualifier": "",
                 "quote": excluded.quote, "status": "excluded", "reason": f"{excluded.category}: {reason}"}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))

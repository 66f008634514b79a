"""Audit rules that check the report's internal claims and produce findings; the run of every rule.

The rules on the report's own figures (shares, growth rates, parts and totals, stated shares and gaps) are
here; those on the comparisons with other reports (scopes, sources, dates, population bases) are in
:mod:`helpers.analysis.audit_comparisons`.

Each rule reads the figures table, the derived metrics and the reference, and returns findings with a
severity: ``error`` (a claim that cannot be true as printed), ``warning`` (a claim to treat with care: out of
plausible bounds, or compared across different scopes), ``info`` (a check that passed, or a caveat every
reader should know). Rules stay quiet when there is nothing to say.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from helpers.analysis.audit_comparisons import (
    rule_lower_bound_inputs,
    rule_missing_comparators,
    rule_one_sided_comparators,
    rule_population_scope,
    rule_scope_mismatch,
    rule_two_sources_agree,
    rule_undated_comparator,
)
from helpers.analysis.audit_support import (
    FINDING_COLUMNS,
    SEVERITIES,
    Finding,
    finding,
    indicator_names,
    percent_text,
    points_text,
    report_checks,
    with_interval,
)
from helpers.analysis.audit_support import (
    RULE_NAME_COLUMNS as RULE_NAME_COLUMNS,
)
from helpers.analysis.audit_support import (
    RULE_NAMES as RULE_NAMES,  # the rules' names in both languages, read with the rules
)
from helpers.analysis.audit_support import (
    with_rule_names as with_rule_names,
)
from helpers.analysis.terms import Inputs, fig
from helpers.sources.reference import Reference
from helpers.sources.registry import ReportSource

#: Year-on-year growth rates outside this range (percent) are flagged for a second look.
PLAUSIBLE_GROWTH_PERCENT: tuple[float, float] = (-50.0, 100.0)


def rule_share_out_of_range(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A share of a larger total must lie in (0, 100]; otherwise the part exceeds its whole."""
    del reference
    found = []
    levels = figures.set_index("figure_id")["value"]
    for row in figures[figures["kind"] == "share"].itertuples(index=False):
        if 0 < row.value <= 100:
            continue
        part = levels.get(row.base_figure_id, math.nan)
        implied = part / (row.value / 100) if row.value else math.inf
        found.append(
            finding(
                "share_out_of_range",
                row.figure_id,
                "error",
                [row.figure_id, row.base_figure_id],
                f"{row.indicator_en} is printed as {row.value:g}% ({row.quote}); a part cannot be more than its whole. "
                f"Read as a share it implies a city total of {implied:.1f}, fewer than the district's own {part:g}. "
                "The percentage may be a growth rate or a misprint; it is not used as a share.",
                f"{row.indicator_zh}原文写作{row.value:g}%（“{row.quote}”），部分不可能大于整体。若按比重理解，推算的全市总数为"
                f"{implied:.1f}，少于本区自身的{part:g}。该百分比或为增长率，或为笔误，不作比重使用。",
            )
        )
    return found


def rule_stated_share_vs_comparator(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A share or a gap the report states must agree, within rounding, with the one computed from sources.

    The report's claims name the metric that computes the same thing (``stated_share``: its share of a
    parent's total; ``stated_gap``: its growth rate minus the parent's, in percentage points).
    """
    found = []
    inputs = Inputs(figures, reference)
    for check in report_checks(figures, report, "stated_share", "stated_gap"):
        figure_id, share = check.item.ident, check.check == "stated_share"
        stated = inputs.get(check.item)
        rows = metrics[(metrics["metric_id"] == check.against[0]) & (metrics["population_basis"] == "")]
        if rows.empty or rows["status"].iloc[0] == "missing":
            continue
        row = rows.iloc[0]
        overlap = stated.low <= row["high"] and row["low"] <= stated.high
        severity = "info" if overlap else "warning"
        verdict_en = "consistent within rounding" if overlap else "not consistent, even allowing for rounding"
        verdict_zh = "在舍入误差内一致" if overlap else "即使考虑舍入误差也不一致"
        show = percent_text if share else points_text
        values = [show(v) for v in (stated.value, stated.low, stated.high, row["value"], row["low"], row["high"])]
        what_en = "share" if share else "gap (percentage points)"
        source_en = "the share computed from the sourced total" if share else "the gap computed from the printed rates"
        source_zh = "按有出处的总量计算的比重" if share else "按双方所载增速计算的差距"
        found.append(
            finding(
                "stated_share_vs_comparator" if share else "stated_gap_vs_computed",
                figure_id,
                severity,
                [figure_id],
                f"The report's {what_en} {values[0]} [{values[1]}, {values[2]}] and {source_en} "
                f"({row['formula']}) {values[3]} [{values[4]}, {values[5]}] are {verdict_en}.",
                f"报告所称{'比重' if share else '增速差'}{values[0]}"
                f"{'' if share else '个百分点'}与{source_zh}{values[3]}{'' if share else '个百分点'}{verdict_zh}。",
            )
        )
    return found


def _figures_out_of_range(
    figures: pd.DataFrame, kind: str, bounds: tuple[float, float], rule: str, severity: str, en: str, zh: str
) -> list[Finding]:
    """One finding per figure of ``kind`` whose value lies outside ``bounds``.

    ``en`` and ``zh`` are message templates over ``name``, ``value``, ``low`` and ``high``.
    """
    low, high = bounds
    rows = figures[(figures["kind"] == kind) & ~figures["value"].between(low, high)]
    return [
        finding(
            rule,
            row.figure_id,
            severity,
            [row.figure_id],
            en.format(name=row.indicator_en, value=row.value, low=low, high=high),
            zh.format(name=row.indicator_zh, value=row.value, low=low, high=high),
        )
        for row in rows.itertuples(index=False)
    ]


def rule_growth_out_of_bounds(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Growth rates outside the plausible range deserve a second look."""
    del metrics, reference
    return _figures_out_of_range(
        figures,
        "growth_rate",
        PLAUSIBLE_GROWTH_PERCENT,
        "growth_out_of_bounds",
        "warning",
        "{name}: {value:g}% is outside the plausible range [{low:g}%, {high:g}%].",
        "{name}：{value:g}%超出合理区间[{low:g}%，{high:g}%]。",
    )


def rule_rate_out_of_range(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A completion or reduction rate in percent lies in [0, 100]."""
    del metrics, reference
    return _figures_out_of_range(
        figures,
        "rate",
        (0.0, 100.0),
        "rate_out_of_range",
        "error",
        "{name}: a rate of {value:g}% is impossible.",
        "{name}：{value:g}%的比率不可能成立。",
    )


def rule_component_exceeds_total(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A part cannot be larger than its total, even at the extremes of both intervals."""
    del metrics
    inputs = Inputs(figures, reference)
    names = indicator_names(figures)
    found = []
    for check in report_checks(figures, report, "part_of"):
        part_term, whole_term = check.item, check.terms[0]
        part, whole = inputs.get(part_term), inputs.get(whole_term)
        ids = [t.ident for t in (part_term, whole_term) if t.source == "fig"]
        (part_en, part_zh), (whole_en, whole_zh) = (
            names.get(t.ident, (t.ident, t.ident)) for t in (part_term, whole_term)
        )
        share = (part / whole).scale(100).value
        if part.high <= whole.low:
            found.append(
                finding(
                    "component_within_total",
                    part_term.ident,
                    "info",
                    ids,
                    f"Checked: {part_en}, {with_interval(part, 'en')}, is within its total, {whole_en}, "
                    f"{with_interval(whole, 'en')}: {share:.1f}% of it.",
                    f"已核对：{part_zh}{with_interval(part, 'zh')}，不超过其总量{whole_zh}"
                    f"{with_interval(whole, 'zh')}，占{share:.1f}%。",
                )
            )
        elif part.low > whole.high:
            found.append(
                finding(
                    "component_exceeds_total",
                    part_term.ident,
                    "error",
                    ids,
                    f"{part_en}, {with_interval(part, 'en')}, is larger than its total, {whole_en}, "
                    f"{with_interval(whole, 'en')}.",
                    f"{part_zh}{with_interval(part, 'zh')}，大于其总量{whole_zh}{with_interval(whole, 'zh')}。",
                )
            )
    return found


def rule_parts_sum_to_total(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Parts printed beside their total must sum to it within rounding; the total is never added to them."""
    del metrics
    inputs = Inputs(figures, reference)
    found = []
    for check in report_checks(figures, report, "sum_of"):
        total_id, part_ids = check.item.ident, check.against
        total = inputs.get(fig(total_id))
        parts = [inputs.get(fig(p)) for p in part_ids]
        summed = parts[0]
        for part in parts[1:]:
            summed = summed + part
        agree = summed.low <= total.high and total.low <= summed.high
        labels = indicator_names(figures)
        names_en = " + ".join(labels[p][0] for p in part_ids)
        names_zh = "、".join(labels[p][1] for p in part_ids)
        total_en, total_zh = labels[total_id]
        found.append(
            finding(
                "parts_sum_to_total" if agree else "parts_do_not_sum_to_total",
                total_id,
                "info" if agree else "warning",
                [total_id, *part_ids],
                f"{names_en} = {with_interval(summed, 'en')} against {total_en}, {with_interval(total, 'en')}: "
                + ("the parts make up the total; never add the total to them." if agree else "they do not agree."),
                f"{names_zh}合计{with_interval(summed, 'zh')}，与{total_zh}{with_interval(total, 'zh')}"
                + ("相符：分项构成总数，不可再与总数相加。" if agree else "不符。"),
            )
        )
    return found


RULES: tuple[Callable[..., list[Finding]], ...] = (
    rule_share_out_of_range,
    rule_stated_share_vs_comparator,
    rule_growth_out_of_bounds,
    rule_rate_out_of_range,
    rule_component_exceeds_total,
    rule_parts_sum_to_total,
    rule_scope_mismatch,
    rule_two_sources_agree,
    rule_population_scope,
    rule_lower_bound_inputs,
    rule_one_sided_comparators,
    rule_undated_comparator,
    rule_missing_comparators,
)


def run_audit(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> pd.DataFrame:
    """Run every rule; return the findings, most severe first."""
    rows = [finding for rule in RULES for finding in rule(figures, metrics, reference, report=report)]
    table = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    return table.sort_values("severity", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)

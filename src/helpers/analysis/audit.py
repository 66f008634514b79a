"""Audit rules that check the report's internal claims and produce findings.

Each rule reads the figures table, the derived metrics and the reference, and returns findings with a
severity: ``error`` (a claim that cannot be true as printed), ``warning`` (a claim to treat with care: out of
plausible bounds, or compared across different scopes), ``info`` (a check that passed, or a caveat every
reader should know). Rules stay quiet when there is nothing to say.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pandas as pd

from helpers.analysis.audit_support import (
    FINDING_COLUMNS,
    RULE_NAMES,
    SEVERITIES,
    Finding,
    area_observations,
    audited_report,
    indicator_names,
    percent_text,
    points_text,
    report_checks,
    report_figure_ids,
    value_text,
    with_interval,
)
from helpers.analysis.audit_support import (
    RULE_NAME_COLUMNS as RULE_NAME_COLUMNS,
)
from helpers.analysis.audit_support import (
    with_rule_names as with_rule_names,
)
from helpers.analysis.indicators import Observation, load_vocabulary
from helpers.analysis.terms import Inputs, fig
from helpers.sources.reference import Reference, population_bases
from helpers.sources.registry import ReportSource

#: Year-on-year growth rates outside this range (percent) are flagged for a second look.
PLAUSIBLE_GROWTH_PERCENT: tuple[float, float] = (-50.0, 100.0)


def _finding(rule: str, key: str, severity: str, figure_ids: list[str], en: str, zh: str) -> Finding:
    if rule not in RULE_NAMES:
        raise KeyError(f"audit rule {rule!r} has no name in RULE_NAMES (English and Chinese)")
    return {
        "finding_id": f"{rule}__{key}",
        "rule": rule,
        "severity": severity,
        "figure_ids": ";".join(figure_ids),
        "message_en": en,
        "message_zh": zh,
    }


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
            _finding(
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
            _finding(
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
        _finding(
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
                _finding(
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
                _finding(
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
            _finding(
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


def rule_scope_mismatch(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Every metric that compares different scopes is flagged once (not once per population basis), with why."""
    figure_ids = set(figures["figure_id"])
    # Rows mismatched only by a population basis of another scope are covered once by population_scope.
    bases = population_bases(reference, report)
    other_scope = [basis_id for basis_id, basis in bases.items() if not basis.matches_report_scope]
    rows = metrics[(metrics["status"] == "scope_mismatch") & ~metrics["population_basis"].isin(other_scope)]
    rows = rows.drop_duplicates("metric_id")
    return [
        _finding(
            "scope_mismatch",
            row.metric_id,
            "warning",
            report_figure_ids(row.inputs, figure_ids, report),
            f"{row.label_en} = {value_text(row.value, row.unit)} compares different scopes; {row.note}.",
            f"{row.label_zh}为{value_text(row.value, row.unit)}：比较口径不同，仅供参考；{row.note_zh}。",
        )
        for row in rows.itertuples(index=False)
    ]


def rule_two_sources_agree(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A value of the year stated by two sources (a report and a reference table) must agree within rounding."""
    del metrics
    names = load_vocabulary().indicators
    found_all, subject = area_observations(figures, reference, report)
    groups: dict[tuple[str, str], list[Observation]] = {}
    for observation in found_all:
        if observation.year == subject.year and observation.section == "review":
            groups.setdefault((observation.indicator, observation.entity), []).append(observation)
    findings = []
    for (indicator, entity), group in sorted(groups.items()):
        for first, second in itertools.combinations(group, 2):
            a, b = first.estimate, second.estimate
            agree = a.low <= b.high and b.low <= a.high
            findings.append(
                _finding(
                    "two_sources_agree" if agree else "two_sources_disagree",
                    f"{entity}_{indicator}__{first.qualified_id}__{second.qualified_id}",
                    "info" if agree else "error",
                    report_figure_ids(f"{first.qualified_id};{second.qualified_id}", set(figures["figure_id"]), report),
                    f"{subject.names(entity)[0]}, {names[indicator].name_en}: {first.qualified_id} gives "
                    f"{with_interval(a, 'en')}, {second.qualified_id} gives {with_interval(b, 'en')}: "
                    + ("they agree within rounding." if agree else "they disagree."),
                    f"{subject.names(entity)[1]}{names[indicator].name_zh}：{first.qualified_id}为"
                    f"{with_interval(a, 'zh')}，{second.qualified_id}为{with_interval(b, 'zh')}，"
                    + ("两者的区间重叠，在舍入误差内一致。" if agree else "两者不一致。"),
                )
            )
    return findings


def rule_missing_comparators(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Metrics that cannot be computed because a comparator has no cited source."""
    del figures, reference
    rows = metrics[metrics["status"] == "missing"]
    return [
        _finding(
            "missing_comparator",
            f"{row.metric_id}__{row.population_basis or 'all'}",
            "info",
            [],
            f"{row.label_en}"
            + (f" ({row.population_basis})" if row.population_basis else "")
            + f" is not computed: {row.note}.",
            f"{row.label_zh}"
            + (f"（{row.population_basis}）" if row.population_basis else "")
            + f"未计算：{row.note_zh}。",
        )
        for row in rows.itertuples(index=False)
    ]


def rule_lower_bound_inputs(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Figures printed as floors or ceilings, and how many derived metrics inherit that one-sidedness."""
    del reference
    found = []
    for row in figures[figures["qualifier"].isin(["at_least", "at_most"])].itertuples(index=False):
        names = {row.figure_id, f"{audited_report(report).report_id}:{row.figure_id}"}
        users = metrics[metrics["inputs"].str.split(";").apply(lambda ids, n=names: bool(n & set(ids)))]
        if users.empty:
            continue
        bound_en = "a floor" if row.qualifier == "at_least" else "a ceiling"
        bound_zh = "下限" if row.qualifier == "at_least" else "上限"
        found.append(
            _finding(
                "one_sided_input",
                row.figure_id,
                "info",
                [row.figure_id],
                f"{row.indicator_en} is printed as {bound_en} ({row.quote}); {len(users)} derived metric rows use it, "
                "and their intervals extend one way by the convention in data/README.md.",
                f"{row.indicator_zh}为{bound_zh}（“{row.quote}”）；{len(users)}行派生指标使用该数，其区间按约定单向延伸。",
            )
        )
    return found


def rule_one_sided_comparators(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """Comparators printed as floors or ceilings (a parent's 超过5万亿), and the derived rows that use them.

    The district's own one-sided figures are ``one_sided_input``; a floor on the other side of a share or
    a gap widens the interval just as much, and is easier to miss.
    """
    found = []
    names = load_vocabulary().indicators
    used_ids = metrics["inputs"].str.split(";")
    found_all, subject = area_observations(figures, reference, report)
    for observation in found_all:
        if observation.entity == subject.entity_id or observation.qualifier not in ("at_least", "at_most"):
            continue
        users = metrics[used_ids.apply(lambda ids, i=observation.qualified_id: i in ids)]
        if users.empty:
            continue
        name_en, name_zh = subject.names(observation.entity)
        indicator = names[observation.indicator]
        floor = observation.qualifier == "at_least"
        bound_zh = "下限" if floor else "上限"
        found.append(
            _finding(
                "one_sided_comparator",
                observation.qualified_id.replace(":", "__"),
                "info",
                [],
                f"{name_en}'s {indicator.name_en} ({observation.qualified_id}) is printed as "
                f"{'a floor' if floor else 'a ceiling'} («{observation.quote}»); {len(users)} derived metric rows "
                "use it, and their intervals extend one way by the convention in data/README.md.",
                f"{name_zh}{indicator.name_zh}（{observation.qualified_id}）原文为{bound_zh}"
                f"（“{observation.quote}”）；"
                f"{len(users)}行派生指标使用该数，其区间按约定单向延伸。",
            )
        )
    return found


def rule_undated_comparator(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A parent's value of no stated year (a threshold crossed in a five-year review) is not the year's level.

    It is never compared; the finding says which comparison it would have filled and that it stays empty.
    """
    del metrics
    found_all, subject = area_observations(figures, reference, report)
    district = {o.indicator for o in found_all if o.entity == subject.entity_id and o.year == subject.year}
    names = load_vocabulary().indicators
    found = []
    for observation in found_all:
        if (
            observation.entity == subject.entity_id
            or observation.year is not None
            or observation.indicator not in district
        ):
            continue
        indicator = names[observation.indicator]
        name_en, name_zh = subject.names(observation.entity)
        found.append(
            _finding(
                "undated_comparator",
                observation.qualified_id.replace(":", "__"),
                "warning",
                report_figure_ids(
                    ";".join(
                        o.qualified_id
                        for o in found_all
                        if o.entity == subject.entity_id and o.indicator == observation.indicator
                    ),
                    set(figures["figure_id"]),
                    report,
                ),
                f"{name_en}'s figure for {indicator.name_en}, «{observation.quote}» "
                f"({observation.qualified_id}), states no year ({observation.note}): it is not used as the "
                f"{subject.year} level, and the comparison it would fill stays missing.",
                f"{name_zh}关于{indicator.name_zh}的“{observation.quote}”（{observation.qualified_id}）未注明年份"
                f"（{observation.note_zh}）：不作为{subject.year}年数使用，相应的比较仍缺数据。",
            )
        )
    return found


def rule_population_scope(
    figures: pd.DataFrame, metrics: pd.DataFrame, reference: Reference, *, report: ReportSource | None = None
) -> list[Finding]:
    """A population basis of another scope than the report's figures, against the first basis of the same scope.

    Once per such basis (its rows are not flagged one by one): how far per-capita values move between the two.
    """
    del figures, metrics
    bases = list(population_bases(reference, report).values())
    same = next((basis for basis in bases if basis.matches_report_scope), None)
    found = []
    for basis in bases:
        if basis.matches_report_scope or same is None:
            continue
        ratio = basis.estimate.value / same.estimate.value
        wide, narrow = f"{basis.estimate.value:,.0f}", f"{same.estimate.value:,.0f}"
        found.append(
            _finding(
                "population_scope",
                basis.basis_id,
                "warning",
                [],
                f"{basis.label_en}: {wide} people, against {same.label_en}: {narrow}. "
                f"{basis.mismatch.en[:1].upper()}{basis.mismatch.en[1:]}. "
                f"Per-capita values differ by a factor of {ratio:.2f} between the two bases.",
                f"{basis.label_zh}为{wide}人，{same.label_zh}为{narrow}人。{basis.mismatch.zh}。"
                f"按后者计算的人均值为按前者计算的{ratio:.2f}倍。",
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

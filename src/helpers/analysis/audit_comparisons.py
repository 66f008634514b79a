"""Audit rules on the comparisons with other reports.

Scopes that differ, two sources of one value, parents' figures that are missing, one-sided or undated, and
population bases of different scope.

Each rule has the signature of :mod:`helpers.analysis.audit`'s and returns findings (see there).
"""

from __future__ import annotations

import itertools

import pandas as pd

from helpers.analysis.audit_support import (
    Finding,
    area_observations,
    audited_report,
    finding,
    report_figure_ids,
    value_text,
    with_interval,
)
from helpers.analysis.indicators import Observation, load_vocabulary
from helpers.sources.reference import Reference, population_bases
from helpers.sources.registry import ReportSource


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
        finding(
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
                finding(
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
        finding(
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
            finding(
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
            finding(
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
            finding(
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
            finding(
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

"""What the audit rules share: finding columns, rule names, the wording of numbers and each rule's inputs.

A rule reads its report's claims, its observations and its parents' here. The rules themselves, each
emitting findings of named rules, are in :mod:`helpers.analysis.audit`.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.indicators import Observation, load_vocabulary, observations
from helpers.analysis.recipes import Check, read_checks
from helpers.analysis.subject import Subject, subject_of
from helpers.sources.intervals import Estimate
from helpers.sources.reference import Reference
from helpers.sources.registry import ReportSource, comparison_corpus, subject_report

FINDING_COLUMNS: tuple[str, ...] = (
    "finding_id",
    "rule",
    "severity",
    "figure_ids",
    "message_en",
    "message_zh",
)
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: Every rule id a finding can carry, with its name in English and Chinese: pages show the name, exports keep
#: the id beside it (``helpers.notebook.labels.RULE_LABELS`` is this table). A finding of an unnamed rule is refused.
RULE_NAMES: dict[str, tuple[str, str]] = {
    "share_out_of_range": ("Impossible share", "不可能成立的比重"),
    "stated_share_vs_comparator": ("Stated share against a sourced total", "报告比重与有出处总量的核对"),
    "stated_gap_vs_computed": ("Stated gap against the computed gap", "报告所称增速差与计算值的核对"),
    "growth_out_of_bounds": ("Implausible growth rate", "增长率超出合理区间"),
    "rate_out_of_range": ("Impossible rate", "不可能成立的比率"),
    "component_within_total": ("Part within its total", "分项不超过总量"),
    "component_exceeds_total": ("Part larger than its total", "分项大于总量"),
    "parts_sum_to_total": ("Parts add up to their total", "分项合计与总数相符"),
    "parts_do_not_sum_to_total": ("Parts do not add up to their total", "分项合计与总数不符"),
    "scope_mismatch": ("Different scopes compared", "比较口径不一致"),
    "two_sources_agree": ("Two sources agree", "两个来源一致"),
    "two_sources_disagree": ("Two sources disagree", "两个来源不一致"),
    "population_scope": ("Population basis of another scope", "人口口径与报告数据不一致"),
    "one_sided_input": ("Figure printed as a floor or ceiling", "以下限或上限表述的数据"),
    "one_sided_comparator": ("Comparator printed as a floor or ceiling", "以下限或上限表述的对比数据"),
    "undated_comparator": ("Comparator of no stated year", "未注明年份的对比数据"),
    "missing_comparator": ("Comparator without a source", "缺少有出处的对比数据"),
}
#: The columns :func:`with_rule_names` adds after ``rule`` in the exports.
RULE_NAME_COLUMNS: tuple[str, str] = ("rule_name_en", "rule_name_zh")

Finding = dict[str, str]


def percent_text(value: float) -> str:
    """A percent with two decimals: 3.33%."""
    return f"{value:.2f}%"


def report_checks(figures: pd.DataFrame, report: ReportSource | None, *kinds: str) -> list[Check]:
    """The report's claims of the given kinds (``checks.csv`` beside it), checked against the figures given."""
    return [
        c for c in read_checks((report or subject_report()).checks_path, set(figures["figure_id"])) if c.check in kinds
    ]


def points_text(value: float) -> str:
    """Percentage points, signed: +1.70."""
    return f"{value:+.2f}"


def audited_report(report: ReportSource | None) -> ReportSource:
    """The report audited (default: the project's)."""
    return report or subject_report()


def report_figure_ids(inputs: str, figure_ids: set[str], report: ReportSource | None) -> list[str]:
    """The report's figure ids among a metric's inputs (``gdp`` or ``jinshui-2020:gdp``), not comparators."""
    ids = [i.removeprefix(f"{audited_report(report).report_id}:") for i in inputs.split(";")]
    return [i for i in ids if i in figure_ids]


def amount_text(value: float, lang: str) -> str:
    """A number as a reader of the language writes it: 1230亿 or 123 billion; small numbers as they are."""
    size = abs(value)
    steps = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, " billion"), (1e6, " million"))
    for step, name in steps:
        if size >= step:
            return f"{value / step:.4g}{name}"
    return f"{value:,.0f}" if value == round(value) else f"{value:.4g}"


def with_interval(estimate: Estimate, lang: str) -> str:
    """A value with its interval, both as the language writes them: 5万亿（5万亿–6万亿）."""
    value, low, high = (amount_text(v, lang) for v in estimate.as_tuple())
    if low == high:
        return value
    return f"{value}（{low}–{high}）" if lang == "zh" else f"{value} ({low}–{high})"


def indicator_names(figures: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each figure's indicator name in English and Chinese, by figure id."""
    return {row.figure_id: (row.indicator_en, row.indicator_zh) for row in figures.itertuples(index=False)}


def value_text(value: float, unit: str) -> str:
    """A metric value for a message: a percent with two decimals, anything else with four significant digits."""
    return percent_text(value) if unit == "percent" else f"{value:.4g}"


def area_observations(
    figures: pd.DataFrame, reference: Reference, report: ReportSource | None
) -> tuple[list[Observation], Subject]:
    """Every mapped figure of the report, its parents and the reference rows (the report's figures as given)."""
    report = audited_report(report)
    corpus = comparison_corpus(report)
    subject = subject_of(report, reference, corpus)
    found = observations(load_vocabulary(), corpus, reference, overrides={report.report_id: figures})
    areas = {subject.entity_id, *subject.parent_ids}
    return [o for o in found if o.entity in areas], subject


def with_rule_names(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings with each rule's English and Chinese name after its id, for exports read by people and code."""
    named = findings.copy()
    position = named.columns.get_loc("rule") + 1
    for offset, column in enumerate(RULE_NAME_COLUMNS):
        named.insert(position + offset, column, named["rule"].map(lambda r, i=offset: RULE_NAMES[r][i]))
    return named


def finding(rule: str, key: str, severity: str, figure_ids: list[str], en: str, zh: str) -> Finding:
    """One finding of ``rule`` (which must have its names in RULE_NAMES), keyed by ``key``."""
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

"""Key findings: the three to five sentences a report opens with, each built from computed values.

Every sentence states a number the analysis computed (never one typed here) and links to the section of
the page that supports it (the anchors ``concentration``, ``comparisons``, ``per-capita`` and ``audit`` that
the notebooks' headings carry). Text that comes from data is escaped as Markdown. The areas named are the
report's and its parents' (``helpers.analysis.subject``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.analysis.subject import Subject
from helpers.bilingual import split_label
from helpers.notebook.crosslevel import comparison_entity
from helpers.notebook.labels import format_estimate, pick

_LINK = {"en": " [→ {label}](#{anchor})", "zh": " [→ {label}](#{anchor})"}
_SECTION = {
    "concentration": ("where the area is concentrated", "集聚程度"),
    "comparisons": ("the comparisons", "比较"),
    "per-capita": ("per capita", "人均值"),
    "audit": ("the audit", "核查"),
    "themes": ("the themes", "主题"),
}


def _link(anchor: str, lang: str) -> str:
    return _LINK[lang].format(label=pick(_SECTION[anchor], lang), anchor=anchor)


def _label(row: Any, lang: str) -> str:
    return split_label(str(row.label_zh if lang == "zh" else row.label_en))[0]


def _nearest_with(metrics: pd.DataFrame, subject: Subject, prefix: str = "", suffix: str = "") -> str | None:
    """The nearest parent some ok metric ``<prefix>…<parent><suffix>`` names (the city before the province)."""
    ids = metrics.loc[(metrics["status"] == "ok") & ~metrics["metric_id"].str.startswith("population_"), "metric_id"]
    for parent in subject.parent_ids:
        if (ids.str.startswith(prefix) & ids.str.endswith(f"{parent}{suffix}")).any():
            return parent
    return None


def largest_share(metrics: pd.DataFrame, lang: str, theme: str | None, escape: Any, subject: Subject) -> str:
    """The largest comparable share of the nearest parent's total (of the theme, when given)."""
    parent = _nearest_with(metrics[metrics["metric_id"].str.contains("_share_of_")], subject)
    if parent is None:
        return ""
    rows = metrics[
        metrics["metric_id"].str.endswith(f"_share_of_{parent}")
        & ~metrics["metric_id"].str.startswith("population_")
        & (metrics["status"] == "ok")
    ]
    if theme is not None:
        rows = rows[rows["theme"] == theme]
    if rows.empty:
        return ""
    row = rows.loc[rows["low"].idxmax()]  # ranked by what is sure (a bound's central value is only an edge)
    value = format_estimate(row["value"], row["low"], row["high"], "percent", lang)
    name = escape(_label(row, lang))
    (ours_en, ours_zh), (theirs_en, theirs_zh) = subject.entity.names, subject.names(parent)
    if lang == "zh":
        return f"{ours_zh}占{theirs_zh}比重最高的可比指标是{name}：{value}。" + _link("comparisons", lang)
    return f"{ours_en}'s largest comparable share of a {theirs_en} total is {name}: {value}." + _link(
        "comparisons", lang
    )


def per_capita_position(metrics: pd.DataFrame, lang: str, basis: str, basis_name: str, subject: Subject) -> str:
    """GDP per resident against the parents', with the range across the bases of the report's scope."""
    parts = []
    for parent in subject.parent_ids:
        rows = metrics[
            (metrics["metric_id"] == f"gdp_per_capita_relative_to_{parent}") & (metrics["population_basis"] == basis)
        ]
        if rows.empty:
            continue
        row = rows.iloc[0]
        spread = f"{row['basis_low']:.2f}–{row['basis_high']:.2f}" if pd.notna(row["basis_low"]) else ""
        parts.append((parent, row["value"], spread, row["status"]))
    if not parts:
        return ""
    ours_en, ours_zh = subject.entity.names
    if lang == "zh":
        said = "、".join(f"{pick(subject.names(p), lang)}的{v:.2f}倍" for p, v, _, _ in parts)
        spread = parts[0][2]
        caveat = "（该口径与报告数据范围不一致）" if parts[0][3] == "scope_mismatch" else ""
        extra = f"；在口径一致的人口基数下为{spread}倍" if spread else ""
        return f"按“{basis_name}”计，{ours_zh}人均地区生产总值为{said}{caveat}{extra}。" + _link("per-capita", lang)
    said = " and ".join(f"{v:.2f} times {pick(subject.names(p), lang)}'s" for p, v, _, _ in parts)
    spread = parts[0][2]
    nearest = pick(subject.names(parts[0][0]), lang)
    caveat = " (this basis does not match the report's scope)" if parts[0][3] == "scope_mismatch" else ""
    extra = f"; {spread} times {nearest}'s across the population bases that match the report's scope" if spread else ""
    return f"{ours_en}'s GDP per resident is {said} on the {basis_name} basis{caveat}{extra}." + _link(
        "per-capita", lang
    )


def concentration(metrics: pd.DataFrame, lang: str, basis: str, escape: Any, subject: Subject) -> str:
    """Where the area holds most more than its share of the people (the highest comparable quotient)."""
    quotients = metrics[
        metrics["metric_id"].str.startswith("location_quotient_") & (metrics["population_basis"] == basis)
    ]
    parent = _nearest_with(quotients, subject, "location_quotient_")
    if parent is None:
        return ""
    rows = quotients[quotients["metric_id"].str.endswith(f"_{parent}") & (quotients["status"] == "ok")]
    row = rows.loc[rows["value"].idxmax()]
    name = escape(_label(row, lang))
    (ours_en, ours_zh), (theirs_en, theirs_zh) = subject.entity.names, subject.names(parent)
    if lang == "zh":
        return (
            f"相对人口占比，{ours_zh}最集中的是{name}（占{theirs_zh}比重与人口占比之比为{row['value']:.2f}）。"
            + _link("concentration", lang)
        )
    return (
        f"Relative to its share of the people, {ours_en} is most concentrated in {name} (a location quotient of "
        f"{row['value']:.2f} against {theirs_en})." + _link("concentration", lang)
    )


def audit_summary(findings: pd.DataFrame, lang: str, escape: Any, anchor: str = "audit") -> str:
    """How many errors and warnings the audit raised, and the first error in words."""
    errors = findings[findings["severity"] == "error"]
    warnings = int((findings["severity"] == "warning").sum())
    if lang == "zh":
        first = f"例如：{escape(errors.iloc[0]['message_zh'])}" if not errors.empty else ""
        return f"核查发现{len(errors)}项错误、{warnings}项需注意的问题。{first}" + _link(anchor, lang)
    first = f" First: {escape(errors.iloc[0]['message_en'])}" if not errors.empty else ""
    noun = "error" if len(errors) == 1 else "errors"
    return f"The audit raises {len(errors)} {noun} and {warnings} warnings.{first}" + _link(anchor, lang)


def comparison_count(metrics: pd.DataFrame, lang: str, theme: str, subject: Subject) -> str:
    """How many comparisons the theme has with its parents, and how many compare different scopes.

    None is a finding too: the theme's figures have no counterpart in the parents' reports.
    """
    parents = subject.parent_ids
    rows = metrics[
        metrics["metric_id"].map(lambda m: comparison_entity(m, parents)).notna() & (metrics["theme"] == theme)
    ]
    rows = rows[rows["status"] != "missing"].drop_duplicates("metric_id")
    if rows.empty:
        if not parents:
            return ""
        if lang == "zh":
            names = "、".join(pick(subject.names(p), lang) for p in parents)
            return f"本主题的数据在{names}的报告中均无对应指标，故不与上级地区比较。" + _link("comparisons", lang)
        names = ", ".join(f"{pick(subject.names(p), lang)}'s" for p in parents)
        return (
            f"No figure of this theme has a counterpart in the reports of its higher levels ({names}), so none is "
            "compared with a higher level." + _link("comparisons", lang)
        )
    mismatched = int((rows["status"] == "scope_mismatch").sum())
    if lang == "zh":
        return f"本主题与上级地区的比较共{len(rows)}项，其中{mismatched}项口径不一致。" + _link("comparisons", lang)
    return f"This theme has {len(rows)} comparisons with higher levels; {mismatched} compare different scopes." + _link(
        "comparisons", lang
    )

"""Key findings: the three to five sentences a report opens with, each built from computed values.

Every sentence states a number the analysis computed (never one typed here) and links to the section of
the page that supports it (the anchors ``concentration``, ``comparisons``, ``per-capita`` and ``audit`` that
the notebooks' headings carry). Text that comes from data is escaped as Markdown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from helpers.bilingual import split_label
from helpers.notebook.crosslevel import comparison_entity
from helpers.notebook.labels import ENTITY_LABELS, format_estimate, pick

PARENT_NAMES = ENTITY_LABELS
_LINK = {"en": " [→ {label}](#{anchor})", "zh": " [→ {label}](#{anchor})"}
_SECTION = {
    "concentration": ("where Jinshui is concentrated", "集聚程度"),
    "comparisons": ("the comparisons", "比较"),
    "per-capita": ("per capita", "人均值"),
    "audit": ("the audit", "核查"),
    "themes": ("the themes", "主题"),
}


def _link(anchor: str, lang: str) -> str:
    return _LINK[lang].format(label=pick(_SECTION[anchor], lang), anchor=anchor)


def _label(row: Any, lang: str) -> str:
    return split_label(str(row.label_zh if lang == "zh" else row.label_en))[0]


def largest_share(metrics: pd.DataFrame, lang: str, theme: str | None, escape: Any) -> str:
    """The largest comparable share of Zhengzhou's total (of the theme, when given)."""
    rows = metrics[
        metrics["metric_id"].str.endswith("_share_of_zhengzhou")
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
    if lang == "zh":
        return f"金水区占郑州市比重最高的可比指标是{name}：{value}。" + _link("comparisons", lang)
    return f"Jinshui's largest comparable share of a Zhengzhou total is {name}: {value}." + _link("comparisons", lang)


def per_capita_position(metrics: pd.DataFrame, lang: str, basis: str, basis_name: str) -> str:
    """GDP per resident against the city's and the province's, with the range across the defensible bases."""
    parts = []
    for parent in ("zhengzhou", "henan"):
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
    if lang == "zh":
        text = "、".join(f"{pick(PARENT_NAMES[p], lang)}的{v:.2f}倍" for p, v, _, _ in parts)
        spread = parts[0][2]
        caveat = "（该口径与报告数据范围不一致）" if parts[0][3] == "scope_mismatch" else ""
        extra = f"；在口径一致的人口基数下为{spread}倍" if spread else ""
        return f"按“{basis_name}”计，金水区人均地区生产总值为{text}{caveat}{extra}。" + _link("per-capita", lang)
    text = " and ".join(f"{v:.2f} times {pick(PARENT_NAMES[p], lang)}'s" for p, v, _, _ in parts)
    spread = parts[0][2]
    caveat = " (this basis does not match the report's scope)" if parts[0][3] == "scope_mismatch" else ""
    extra = f"; {spread} times the city's across the population bases that match the report's scope" if spread else ""
    return f"GDP per resident is {text} on the {basis_name} basis{caveat}{extra}." + _link("per-capita", lang)


def concentration(metrics: pd.DataFrame, lang: str, basis: str, escape: Any) -> str:
    """Where the district holds most more than its share of the people (the highest comparable quotient)."""
    rows = metrics[
        metrics["metric_id"].str.startswith("location_quotient_")
        & metrics["metric_id"].str.endswith("_zhengzhou")
        & (metrics["population_basis"] == basis)
        & (metrics["status"] == "ok")
    ]
    if rows.empty:
        return ""
    row = rows.loc[rows["value"].idxmax()]
    name = escape(_label(row, lang))
    if lang == "zh":
        return f"相对人口占比，金水区最集中的是{name}（占郑州市比重与人口占比之比为{row['value']:.2f}）。" + _link(
            "concentration", lang
        )
    return (
        f"Relative to its share of the people, Jinshui is most concentrated in {name} (a location quotient of "
        f"{row['value']:.2f} against Zhengzhou)." + _link("concentration", lang)
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


def comparison_count(metrics: pd.DataFrame, lang: str, theme: str) -> str:
    """How many comparisons the theme has with its parents, and how many compare different scopes.

    None is a finding too: the theme's figures have no counterpart in the parents' reports.
    """
    rows = metrics[metrics["metric_id"].map(comparison_entity).notna() & (metrics["theme"] == theme)]
    rows = rows[rows["status"] != "missing"].drop_duplicates("metric_id")
    if rows.empty:
        if lang == "zh":
            return "本主题的数据在郑州市、河南省和全国的报告中均无对应指标，故不与上级地区比较。" + _link(
                "comparisons", lang
            )
        return (
            "No figure of this theme has a counterpart in Zhengzhou's, Henan's or China's reports, so none is "
            "compared with a higher level." + _link("comparisons", lang)
        )
    mismatched = int((rows["status"] == "scope_mismatch").sum())
    if lang == "zh":
        return f"本主题与上级地区的比较共{len(rows)}项，其中{mismatched}项口径不一致。" + _link("comparisons", lang)
    return f"This theme has {len(rows)} comparisons with higher levels; {mismatched} compare different scopes." + _link(
        "comparisons", lang
    )

"""The report beside its parents in the notebooks: comparison tables, the shares chart and the growth chart.

Every comparison row names its source report and quote on both sides (the ``evidence`` column of the
derived-metrics table). The shares chart shows the report's share of each parent's total across indicators
against its share of the parent's population: a bar past the population line is where the area is
concentrated (a location quotient above 1). The growth chart sets the report's growth rates beside its
parents' rates of the same indicators. The parents are the subject's (city, province, nation, as the report's
division code finds them): nothing here names an area.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.analysis.indicators import REFERENCE_SOURCE, Observation, Vocabulary
from helpers.analysis.subject import Subject
from helpers.bilingual import split_label
from helpers.notebook.labels import STATUS_LABELS, format_estimate, pick, text
from helpers.notebook.plotting import LEVEL_COLOURS, finish

#: Metric ids that compare the report with another area, and the area they name.
COMPARISON = re.compile(r"_(?:share_of|difference_vs|gap_vs|relative_to)_([a-z][a-z0-9]*)$")


def comparison_entity(metric_id: str, parents: tuple[str, ...]) -> str | None:
    """The parent a metric compares the report with, or None for any other metric."""
    match = COMPARISON.search(metric_id)
    return match.group(1) if match and match.group(1) in parents else None


def comparison_rows(
    metrics: pd.DataFrame, basis: str, parents: tuple[str, ...], theme: str | None = None, parent: str = "both"
) -> pd.DataFrame:
    """Comparison metrics (under ``basis`` and the basis-free ones), of one theme and one parent if asked."""
    rows = metrics[metrics["population_basis"].isin(["", basis])]
    entities = rows["metric_id"].map(lambda m: comparison_entity(m, parents))
    keep = entities.notna() & (entities == parent if parent != "both" else True)
    if theme is not None:
        keep &= rows["theme"] == theme
    return rows[keep]


_EVIDENCE = re.compile(r"^(?P<id>\S+) \((?P<source>.*)\): «(?P<quote>.*)»$", re.S)


def _sources(evidence: str, lang: str) -> str:
    """The evidence column for a reader, one source per line: ``«quote» (source)``, “原文”（出处） in Chinese."""
    lines = []
    for part in filter(None, evidence.split(" | ")):
        match = _EVIDENCE.match(part)
        if not match:
            lines.append(part)
        elif lang == "zh":
            lines.append(f"“{match['quote']}”（{match['source']}）")
        else:
            lines.append(f"«{match['quote']}» ({match['source']})")
    return "\n".join(lines)


def comparison_table(
    metrics: pd.DataFrame, basis: str, lang: str, theme: str | None, parent: str, parents: tuple[str, ...]
) -> pd.DataFrame:
    """Comparisons with value, interval and status, localized; missing rows excluded."""
    return _per_metric(comparison_rows(metrics, basis, parents, theme, parent), lang, _value_cells)


def comparison_details(
    metrics: pd.DataFrame, basis: str, lang: str, theme: str | None, parent: str, parents: tuple[str, ...]
) -> pd.DataFrame:
    """What the compact comparison table leaves out: both sources with their quotes, and the note."""
    return _per_metric(comparison_rows(metrics, basis, parents, theme, parent), lang, _source_cells)


def _value_cells(row: Any, lang: str) -> dict[str, str]:
    """The compact table's cells of a comparison: its value with the interval, and its status."""
    return {
        text("value_interval", lang): format_estimate(row.value, row.low, row.high, row.unit, lang),
        text("status", lang): pick(STATUS_LABELS[row.status], lang),
    }


def _source_cells(row: Any, lang: str) -> dict[str, str]:
    """The details' cells of a comparison: both sources with their quotes, and the note."""
    return {
        text("sources", lang): _sources(row.evidence, lang),
        text("note", lang): row.note_zh if lang == "zh" else row.note,
    }


def _per_metric(rows: pd.DataFrame, lang: str, cells: Callable[[Any, str], dict[str, str]]) -> pd.DataFrame:
    """The comparisons a source fills (missing rows left out), one line each: the metric's label, then ``cells``."""
    rows = rows[rows["status"] != "missing"]
    return pd.DataFrame(
        [
            {text("metric", lang): row.label_zh if lang == "zh" else row.label_en, **cells(row, lang)}
            for row in rows.itertuples(index=False)
        ]
    )


def missing_comparisons(metrics: pd.DataFrame, lang: str, parents: tuple[str, ...], theme: str | None = None) -> str:
    """One short line naming the comparisons that no source can fill, or an empty string."""
    rows = comparison_rows(metrics, "", parents, theme)
    rows = rows[rows["status"] == "missing"]
    if rows.empty:
        return ""
    labels = ("、" if lang == "zh" else ", ").join(
        row.label_zh if lang == "zh" else row.label_en for row in rows.itertuples(index=False)
    )
    return text("missing_comparisons", lang, labels=labels)


def shares_frame(metrics: pd.DataFrame, basis: str, parents: tuple[str, ...], theme: str | None = None) -> pd.DataFrame:
    """The report's shares of its parents' totals, one row per indicator and parent.

    Each row carries the population share under ``basis`` of the same parent.
    """
    rows = comparison_rows(metrics, basis, parents, theme)
    is_share = rows["metric_id"].str.contains("_share_of_") & ~rows["metric_id"].str.startswith("population_")
    rows = rows[is_share & (rows["status"] != "missing")]
    is_population = metrics["metric_id"].str.startswith("population_share_of_")
    population = metrics[is_population & (metrics["population_basis"] == basis)]
    by_parent = {row.metric_id.removeprefix("population_share_of_"): row for row in population.itertuples(index=False)}
    frame = rows.assign(
        parent=rows["metric_id"].map(lambda m: comparison_entity(m, parents)),
        indicator=[m.rsplit("_share_of_", 1)[0] for m in rows["metric_id"]],
    )
    frame["population_share"] = frame["parent"].map(lambda p: by_parent[p].value if p in by_parent else np.nan)
    frame["population_status"] = frame["parent"].map(lambda p: by_parent[p].status if p in by_parent else "missing")
    return frame


def _minor_percent(value: float, limits: tuple[float, float]) -> str:
    """A minor tick label of a log percent axis: 2 and 5 times a power of ten, on a short axis only."""
    low, high = limits
    if low <= 0 or high / low >= 100:
        return ""
    label = f"{value:.1g}"
    return f"{value:g}%" if label[0] in "25" else ""


def _colour(subject: Subject, entity_id: str) -> str:
    entity = subject.entities.get(entity_id)
    return LEVEL_COLOURS.get(entity.level if entity else "", "#777777")


def plot_shares_vs_population(
    metrics: pd.DataFrame, basis: str, lang: str, subject: Subject, theme: str | None = None
) -> Figure | None:
    """The report's share of each parent's total by indicator, against its share of the parent's population.

    Bars with the interval as whiskers (a differing scope hatched); dashed lines: the population shares. A
    log scale, since the shares span orders of magnitude. None when there is no share to show.
    """
    frame = shares_frame(metrics, basis, subject.parent_ids, theme)
    if frame.empty:
        return None
    present = [p for p in subject.parent_ids if p in set(frame["parent"])]
    # Comparable shares are ranked (largest at the top); a share across scopes is never ranked against them:
    # those sit below, apart.
    mismatched = set(frame.loc[frame["status"] == "scope_mismatch", "indicator"])
    rank = frame[~frame["indicator"].isin(mismatched)].groupby("indicator")["value"].max().sort_values()
    order = sorted(mismatched) + rank.index.tolist()
    labels = {}
    for row in frame.itertuples(index=False):
        label = row.label_zh if lang == "zh" else row.label_en
        labels[row.indicator] = textwrap.fill(split_label(label)[0], 18 if lang == "zh" else 34)
    # Room for the title and the two-row legend above the bars, however few they are.
    _, ax = plt.subplots(figsize=(8.5, max(3.2, 0.42 * len(order) * max(1.0, len(present) / 2) + 2.0)))
    height = 0.8 / len(present)
    for index, parent in enumerate(present):
        offset = (index - (len(present) - 1) / 2) * height
        part = frame[frame["parent"] == parent].set_index("indicator").reindex(order)
        positions = np.arange(len(order)) + offset
        shown = part["value"].notna().to_numpy()
        hatches = ["///" if status == "scope_mismatch" else "" for status in part["status"].fillna("")]
        bars = ax.barh(
            positions[shown],
            part["value"].to_numpy()[shown],
            height=height,
            color=_colour(subject, parent),
            edgecolor="white",
            label=pick(subject.names(parent), lang),
        )
        for bar, hatch in zip(bars, [h for h, p in zip(hatches, shown, strict=True) if p], strict=True):
            bar.set_hatch(hatch)
        low, high, value = (part[c].to_numpy()[shown] for c in ("low", "high", "value"))
        ax.errorbar(value, positions[shown], xerr=[value - low, high - value], fmt="none", ecolor="#333333", lw=1)
        population = frame.loc[frame["parent"] == parent, "population_share"]
        if population.notna().any():
            ax.axvline(population.iloc[0], color=_colour(subject, parent), ls="--", lw=1.5)
    ax.set_yticks(np.arange(len(order)), [labels[i] for i in order])
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    # Minor ticks as plain percentages too (matplotlib's default writes 2×10⁰ in mathtext, which a reader
    # does not expect next to "10%", and which takes a third of the chart's time to typeset): 2% and 5%
    # steps, only when the axis spans less than two decades.
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: _minor_percent(v, ax.get_xlim())))
    name = pick(subject.entity.names, lang)
    ax.set_xlabel(text("share_axis", lang, name=name))
    lines = frame["population_share"].notna().any()
    title = text("shares_title" if lines else "shares_title_alone", lang, name=name)
    ax.figure.suptitle(title, x=0.02, ha="left", fontsize="large")
    # One plain patch per parent: a bar container's own handle takes the look of its first bar, hatched or not.
    handles: list[object] = [Patch(facecolor=_colour(subject, p), edgecolor="white") for p in present]
    names = [pick(subject.names(p), lang) for p in present]
    if lines:
        handles.append(plt.Line2D([0], [0], color="#555555", ls="--", lw=1.5))
        names.append(text("population_line", lang, name=name))
    if mismatched:
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="///"))
        names.append(pick(STATUS_LABELS["scope_mismatch"], lang))
    # Above the bars, under the title: below them it covered the axis label on short charts.
    ax.legend(handles, names, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize="small", frameon=False)
    return finish(ax)


def _year_growth(found: list[Observation], vocabulary: Vocabulary, subject: Subject) -> list[Observation]:
    """The growth rates the reports print for the subject's year in their review (reference rows left out)."""
    return [
        o
        for o in found
        if vocabulary.indicators[o.indicator].measure == "growth"
        and o.year == subject.year
        and o.section == "review"
        and o.source != REFERENCE_SOURCE
    ]


def growth_frame(
    found: list[Observation], vocabulary: Vocabulary, subject: Subject, themes: dict[str, str], theme: str | None
) -> pd.DataFrame:
    """Growth rates of the year, the report's and its parents', for the indicators the report prints a rate of.

    One row per indicator and area (reports' own figures, not reference rows); ``theme`` keeps the indicators
    whose figure in the report belongs to it.
    """
    growth = _year_growth(found, vocabulary, subject)
    ours = {o.indicator: o for o in growth if o.entity == subject.entity_id}
    if theme is not None:
        ours = {code: o for code, o in ours.items() if themes.get(o.item_id) == theme}
    areas = (subject.entity_id, *subject.parent_ids)
    rows = [
        {
            "indicator": o.indicator,
            "entity": o.entity,
            "value": o.estimate.value,
            "low": o.estimate.low,
            "high": o.estimate.high,
        }
        for o in growth
        if o.indicator in ours and o.entity in areas
    ]
    frame = pd.DataFrame(rows, columns=["indicator", "entity", "value", "low", "high"])
    return frame.drop_duplicates(["indicator", "entity"])


def plot_growth_vs_parents(
    found: list[Observation],
    vocabulary: Vocabulary,
    subject: Subject,
    themes: dict[str, str],
    lang: str,
    theme: str | None = None,
    top_n: int = 10,
) -> Figure | None:
    """The report's growth rates beside its parents' rates of the same indicators, with rounding intervals.

    None when the report prints no growth rate of the theme that a parent prints too.
    """
    frame = growth_frame(found, vocabulary, subject, themes, theme)
    shared = frame.groupby("indicator")["entity"].nunique()
    codes = [code for code in dict.fromkeys(frame["indicator"]) if shared.get(code, 0) > 1][:top_n]
    if not codes:
        return None
    areas = [a for a in (subject.entity_id, *subject.parent_ids) if a in set(frame["entity"])]
    _, ax = plt.subplots(figsize=(8.5, max(3.2, 0.45 * len(codes) * max(1.0, len(areas) / 2) + 2.0)))
    height = 0.8 / len(areas)
    for index, area in enumerate(areas):
        part = frame[frame["entity"] == area].set_index("indicator").reindex(codes)
        positions = np.arange(len(codes)) + (index - (len(areas) - 1) / 2) * height
        shown = part["value"].notna().to_numpy()
        value, low, high = (part[c].to_numpy()[shown] for c in ("value", "low", "high"))
        ax.barh(
            positions[shown],
            value,
            height=height,
            color=_colour(subject, area),
            edgecolor="white",
            label=pick(subject.names(area), lang),
        )
        ax.errorbar(value, positions[shown], xerr=[value - low, high - value], fmt="none", ecolor="#333333", lw=1)
    names = {
        code: textwrap.fill(pick((vocabulary.indicators[code].name_en, vocabulary.indicators[code].name_zh), lang), 30)
        for code in codes
    }
    ax.set_yticks(np.arange(len(codes)), [names[c] for c in codes])
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", lw=0.8)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    ax.set_xlabel(text("growth_axis", lang))
    name = pick(subject.entity.names, lang)
    ax.figure.suptitle(text("growth_title", lang, name=name), x=0.02, ha="left", fontsize="large")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=4, fontsize="small", frameon=False)
    return finish(ax)


def growth_side_by_side(found: list[Observation], vocabulary: Vocabulary, subject: Subject, lang: str) -> pd.DataFrame:
    """Growth rates printed for the year by the report and each parent, one row per indicator."""
    growth = _year_growth(found, vocabulary, subject)
    if not growth:
        return pd.DataFrame()
    table = pd.DataFrame([{"indicator": o.indicator, "entity": o.entity, "value": o.estimate.value} for o in growth])
    table = table.pivot_table(index="indicator", columns="entity", values="value", aggfunc="first")
    columns = [e for e in (subject.entity_id, *subject.parent_ids) if e in table.columns]
    table = table[columns].rename(columns={e: pick(subject.names(e), lang) for e in columns})
    table.index = [
        vocabulary.indicators[code].name_zh if lang == "zh" else vocabulary.indicators[code].name_en
        for code in table.index
    ]
    table = table.map(lambda v: "—" if pd.isna(v) else f"{v:+.1f}%")
    table.index.name = text("indicator", lang)
    return table.reset_index()


def location_quotients(metrics: pd.DataFrame, basis: str, lang: str, subject: Subject) -> pd.DataFrame:
    """Location quotients against each parent under ``basis``: one row per indicator, highest first."""
    rows = metrics[metrics["metric_id"].str.startswith("location_quotient_") & (metrics["population_basis"] == basis)]
    records: dict[str, dict[str, str]] = {}
    order: dict[str, float] = {}
    for row in rows.itertuples(index=False):
        code, parent = row.metric_id.removeprefix("location_quotient_").rsplit("_", 1)
        label = split_label(row.label_zh if lang == "zh" else row.label_en)[0]
        record = records.setdefault(code, {text("indicator", lang): label})
        status = pick(STATUS_LABELS[row.status], lang)
        flag = "" if row.status == "ok" else (f"（{status}）" if lang == "zh" else f" ({status})")
        record[pick(subject.names(parent), lang)] = f"{row.value:.2f}{flag}"
        if row.status == "ok":
            order[code] = max(order.get(code, 0.0), row.value)
    ranked = sorted(records, key=lambda code: (code not in order, -order.get(code, 0.0)))
    return pd.DataFrame([records[code] for code in ranked]).fillna("—")

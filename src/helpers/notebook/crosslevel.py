"""Jinshui next to Zhengzhou, Henan and China in the notebooks: comparison tables and the shares chart.

Every comparison row names its source report and quote on both sides (the ``evidence`` column of the
derived-metrics table). The overview's chart shows Jinshui's share of Zhengzhou's and Henan's totals across
indicators against its share of their population: a bar past the population line is where the district
is concentrated (a location quotient above 1).
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.bilingual import split_label
from helpers.notebook.labels import ENTITY_LABELS, STATUS_LABELS, format_estimate, pick, text
from helpers.notebook.plotting import AREA_COLOURS, finish

#: Metric ids that compare Jinshui with a parent, and the parent they name.
COMPARISON = re.compile(r"_(?:share_of|difference_vs|gap_vs|relative_to)_(zhengzhou|henan|china)$")
PARENT_LABELS = ENTITY_LABELS  # Zhengzhou, Henan, China (and Jinshui) in both languages


def comparison_entity(metric_id: str) -> str | None:
    """The parent a metric compares Jinshui with, or None for any other metric."""
    match = COMPARISON.search(metric_id)
    return match.group(1) if match else None


def comparison_rows(metrics: pd.DataFrame, basis: str, theme: str | None = None, parent: str = "both") -> pd.DataFrame:
    """Comparison metrics (under ``basis`` and the basis-free ones), of one theme and one parent if asked."""
    rows = metrics[metrics["population_basis"].isin(["", basis])]
    entities = rows["metric_id"].map(comparison_entity)
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


def comparison_table(metrics: pd.DataFrame, basis: str, lang: str, theme: str | None, parent: str) -> pd.DataFrame:
    """Comparisons with value, interval, status, note and both sources, localized; missing rows excluded."""
    rows = comparison_rows(metrics, basis, theme, parent)
    rows = rows[rows["status"] != "missing"]
    return pd.DataFrame(
        [
            {
                text("metric", lang): row.label_zh if lang == "zh" else row.label_en,
                text("value_interval", lang): format_estimate(row.value, row.low, row.high, row.unit, lang),
                text("status", lang): pick(STATUS_LABELS[row.status], lang),
            }
            for row in rows.itertuples(index=False)
        ]
    )


def comparison_details(metrics: pd.DataFrame, basis: str, lang: str, theme: str | None, parent: str) -> pd.DataFrame:
    """What the compact comparison table leaves out: both sources with their quotes, and the note."""
    rows = comparison_rows(metrics, basis, theme, parent)
    rows = rows[rows["status"] != "missing"]
    return pd.DataFrame(
        [
            {
                text("metric", lang): row.label_zh if lang == "zh" else row.label_en,
                text("sources", lang): _sources(row.evidence, lang),
                text("note", lang): row.note_zh if lang == "zh" else row.note,
            }
            for row in rows.itertuples(index=False)
        ]
    )


def missing_comparisons(metrics: pd.DataFrame, lang: str, theme: str | None = None) -> str:
    """One short line naming the comparisons that no source can fill, or an empty string."""
    rows = comparison_rows(metrics, "", theme)
    rows = rows[rows["status"] == "missing"]
    if rows.empty:
        return ""
    labels = ("、" if lang == "zh" else ", ").join(
        row.label_zh if lang == "zh" else row.label_en for row in rows.itertuples(index=False)
    )
    return text("missing_comparisons", lang, labels=labels)


def shares_frame(metrics: pd.DataFrame, basis: str, theme: str | None = None) -> pd.DataFrame:
    """Jinshui's shares of Zhengzhou's and Henan's totals, one row per indicator and parent.

    Each row carries the population share under ``basis`` of the same parent.
    """
    rows = comparison_rows(metrics, basis, theme)
    is_share = rows["metric_id"].str.contains("_share_of_") & ~rows["metric_id"].str.startswith("population_")
    rows = rows[is_share & (rows["status"] != "missing")]
    rows = rows[rows["metric_id"].map(comparison_entity).isin(["zhengzhou", "henan"])]
    is_population = metrics["metric_id"].str.startswith("population_share_of_")
    population = metrics[is_population & (metrics["population_basis"] == basis)]
    by_parent = {row.metric_id.removeprefix("population_share_of_"): row for row in population.itertuples(index=False)}
    frame = rows.assign(
        parent=rows["metric_id"].map(comparison_entity),
        indicator=rows["metric_id"].str.replace(r"_share_of_(zhengzhou|henan)$", "", regex=True),
    )
    frame["population_share"] = frame["parent"].map(lambda p: by_parent[p].value if p in by_parent else np.nan)
    frame["population_status"] = frame["parent"].map(lambda p: by_parent[p].status if p in by_parent else "missing")
    return frame


def _minor_percent(value: float, limits: tuple[float, float]) -> str:
    """A minor tick label of a log percent axis: 2 and 5 times a power of ten, on a short axis only."""
    low, high = limits
    if low <= 0 or high / low >= 100:
        return ""
    text = f"{value:.1g}"
    return f"{value:g}%" if text[0] in "25" else ""


def plot_shares_vs_population(metrics: pd.DataFrame, basis: str, lang: str, theme: str | None = None) -> Figure | None:
    """Jinshui's share of each parent's total by indicator, against its share of the parent's population.

    Bars with the interval as whiskers (a differing scope hatched); dashed lines: the population shares. A
    log scale, since the shares span three orders of magnitude.
    """
    frame = shares_frame(metrics, basis, theme)
    if frame.empty:
        return None
    # Comparable shares are ranked (largest at the top); a share across scopes is never ranked against them:
    # those sit below, apart.
    mismatched = set(frame.loc[frame["status"] == "scope_mismatch", "indicator"])
    rank = frame[~frame["indicator"].isin(mismatched)].groupby("indicator")["value"].max().sort_values()
    order = sorted(mismatched) + rank.index.tolist()
    labels = {}
    for row in frame.itertuples(index=False):
        label = row.label_zh if lang == "zh" else row.label_en
        labels[row.indicator] = textwrap.fill(split_label(label)[0], 18 if lang == "zh" else 34)
    _, ax = plt.subplots(figsize=(8.5, 0.42 * len(order) + 1.6))
    height = 0.38
    for offset, parent in ((-height / 2, "zhengzhou"), (height / 2, "henan")):
        part = frame[frame["parent"] == parent].set_index("indicator").reindex(order)
        positions = np.arange(len(order)) + offset
        present = part["value"].notna().to_numpy()
        hatches = ["///" if status == "scope_mismatch" else "" for status in part["status"].fillna("")]
        bars = ax.barh(
            positions[present],
            part["value"].to_numpy()[present],
            height=height,
            color=AREA_COLOURS[parent],
            edgecolor="white",
            label=pick(PARENT_LABELS[parent], lang),
        )
        for bar, hatch in zip(bars, [h for h, p in zip(hatches, present, strict=True) if p], strict=True):
            bar.set_hatch(hatch)
        low, high, value = (part[c].to_numpy()[present] for c in ("low", "high", "value"))
        ax.errorbar(value, positions[present], xerr=[value - low, high - value], fmt="none", ecolor="#333333", lw=1)
        population = frame.loc[frame["parent"] == parent, "population_share"]
        if population.notna().any():
            ax.axvline(population.iloc[0], color=AREA_COLOURS[parent], ls="--", lw=1.5)
    ax.set_yticks(np.arange(len(order)), [labels[i] for i in order])
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}%"))
    # Minor ticks as plain percentages too (matplotlib's default writes 2×10⁰ in mathtext, which a reader
    # does not expect next to "10%", and which takes a third of the chart's time to typeset): 2% and 5%
    # steps, only when the axis spans less than two decades.
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: _minor_percent(v, ax.get_xlim())))
    ax.set_xlabel(text("share_axis", lang))
    ax.figure.suptitle(text("shares_title", lang), x=0.02, ha="left", fontsize="large")
    handles, names = ax.get_legend_handles_labels()
    handles += [
        plt.Line2D([0], [0], color="#555555", ls="--", lw=1.5),
        Patch(facecolor="white", edgecolor="#555555", hatch="///"),
    ]
    names += [text("population_line", lang), pick(STATUS_LABELS["scope_mismatch"], lang)]
    # Above the bars, under the title: below them it covered the axis label on short charts.
    ax.legend(handles, names, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize="small", frameon=False)
    return finish(ax)


def growth_side_by_side(ctx: Any) -> pd.DataFrame:
    """Growth rates printed for 2020 by each level (district, city, province, nation), one row per indicator."""
    from helpers.analysis.indicators import load_vocabulary, observations, observations_frame
    from helpers.sources.registry import all_reports

    vocabulary = load_vocabulary()
    found = observations_frame(observations(vocabulary, all_reports(), ctx.reference))
    growth = found[(found["indicator"].map(lambda c: vocabulary.indicators[c].measure) == "growth")]
    growth = growth[
        (growth["year"] == 2020) & (growth["section"] == "review") & ~growth["id"].str.startswith("reference:")
    ]
    lang = ctx.lang
    table = growth.pivot_table(index="indicator", columns="entity", values="value", aggfunc="first")
    columns = [e for e in ("jinshui", "zhengzhou", "henan", "china") if e in table.columns]
    names = {e: pick(label, lang) for e, label in ENTITY_LABELS.items()}
    table = table[columns].rename(columns=names)
    table.index = [
        vocabulary.indicators[code].name_zh if lang == "zh" else vocabulary.indicators[code].name_en
        for code in table.index
    ]
    table = table.map(lambda v: "—" if pd.isna(v) else f"{v:+.1f}%")
    table.index.name = text("indicator", lang)
    return table.reset_index()


def location_quotients(metrics: pd.DataFrame, basis: str, lang: str) -> pd.DataFrame:
    """Location quotients against Zhengzhou and Henan under ``basis``: one row per indicator, highest first."""
    rows = metrics[metrics["metric_id"].str.startswith("location_quotient_") & (metrics["population_basis"] == basis)]
    records: dict[str, dict[str, str]] = {}
    order: dict[str, float] = {}
    for row in rows.itertuples(index=False):
        code, parent = row.metric_id.removeprefix("location_quotient_").rsplit("_", 1)
        label = split_label(row.label_zh if lang == "zh" else row.label_en)[0]
        record = records.setdefault(code, {text("indicator", lang): label})
        status = pick(STATUS_LABELS[row.status], lang)
        flag = "" if row.status == "ok" else (f"（{status}）" if lang == "zh" else f" ({status})")
        record[pick(PARENT_LABELS[parent], lang)] = f"{row.value:.2f}{flag}"
        if row.status == "ok":
            order[code] = max(order.get(code, 0.0), row.value)
    ranked = sorted(records, key=lambda code: (code not in order, -order.get(code, 0.0)))
    return pd.DataFrame([records[code] for code in ranked]).fillna("—")

"""The report's charts: each answers its section's question, in the palette shared by every chart."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from helpers.notebook import crosslevel
from helpers.notebook.context import Context, _indicator, _is_cross_level, _metric_rows, _wrap, findings_frame
from helpers.notebook.labels import (
    QUALIFIER_SIGNS,
    SEVERITY_LABELS,
    basis_short,
    format_number,
    pick,
    text,
    theme_label,
    unit_name,
)
from helpers.notebook.plotting import LEVEL_COLOURS, SEVERITY_COLOURS, bar_chart, finish, interval_chart
from helpers.notebook.tables import per_capita_frame
from helpers.sources.figures import THEMES


def plot_theme_levels(ctx: Context, theme: str, unit: str, top_n: int = 10) -> Figure | None:
    """The theme's largest levels in one unit, as bars (None when the theme has no level in that unit).

    Bars of figures printed as bounds carry ≥ or ≤ in their label.
    """
    lang = ctx.lang
    figures = ctx.figures
    rows = figures[(figures["theme"] == theme) & (figures["kind"] == "level") & (figures["unit"] == unit)]
    rows = rows.nlargest(top_n, "value")
    if rows.empty:
        return None
    data = _bar_data(rows, lang)
    ax = bar_chart(
        data,
        "indicator",
        "value",
        unit=unit,
        lang=lang,
        label_column="label",
        title=theme_label(theme, lang)
        + ("：" if lang == "zh" else ": ")
        + text("largest_figures", lang, unit=unit_name(unit, lang)),
        value_label=unit_name(unit, lang),
    )
    return finish(ax)


def plot_theme_rates(ctx: Context, theme: str) -> Figure | None:
    """The rates the report states under the theme (办结率, 审查率: percentages of a whole), as bars out of 100%.

    What a theme has no parent figure for can still be shown beside its own scale; growth rates are not rates
    of a whole and stay in the growth chart. None when the theme states no such rate.
    """
    lang = ctx.lang
    figures = ctx.figures
    rows = figures[
        (figures["theme"] == theme) & (figures["unit"] == "percent") & figures["kind"].isin(("level", "share", "rate"))
    ]
    if rows.empty:
        return None
    data = _bar_data(rows, lang, suffix="%")
    title = theme_label(theme, lang) + ("：" if lang == "zh" else ": ") + text("stated_rates", lang)
    ax = bar_chart(
        data, "indicator", "value", unit="percent", lang=lang, label_column="label", title=title,
        value_label=unit_name("percent", lang),
    )  # fmt: skip
    ax.set_xlim(0, max(100.0, float(data["value"].max())) * 1.12)
    return finish(ax)


def _bar_data(rows: pd.DataFrame, lang: str, suffix: str = "") -> pd.DataFrame:
    """Figures as bars: the wrapped indicator name, the value, and its label (≥ or ≤ for a bound, then ``suffix``)."""
    records = list(rows.itertuples(index=False))
    return pd.DataFrame(
        {
            "indicator": [_wrap(_indicator(r, lang), lang) for r in records],
            "value": [r.value for r in records],
            "label": [
                QUALIFIER_SIGNS[r.qualifier] + format_number(r.value, lang, compact=True) + suffix for r in records
            ],
        }
    )


def plot_metric_intervals(ctx: Context, theme: str | None = None, unit: str = "percent") -> Figure | None:
    """The theme's computed metrics in one unit, each with its interval (None when there are none)."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    rows = rows[(rows["unit"] == unit) & (rows["status"] != "missing") & ~_is_cross_level(rows, ctx.subject.parent_ids)]
    if rows.empty:
        return None
    labels = rows["label_zh" if lang == "zh" else "label_en"]
    data = rows.assign(label=[_wrap(label, lang) for label in labels])
    ax = interval_chart(
        data, "label", unit=unit, lang=lang, title=text("metric_intervals", lang), value_label=unit_name(unit, lang)
    )
    return finish(ax)


def plot_per_capita(ctx: Context, stem: str = "gdp_per_capita") -> Figure | None:
    """The report and its parents under every population basis, with intervals; missing ones are named.

    None when the report has no such per-capita value (no population basis, or no figure of the indicator).
    """
    lang = ctx.lang
    frame = per_capita_frame(ctx, stem)
    if frame.empty:
        return None
    label = frame["label_zh" if lang == "zh" else "label_en"].iloc[0]
    unit = frame["unit"].iloc[0]
    frame = frame.assign(basis_label=[basis_short(ctx.bases, b, lang) for b in frame["basis"]])
    present = frame.dropna(subset=["value"])
    subject = ctx.subject
    areas = [e for e in (subject.entity_id, *subject.parent_ids) if e in set(frame["entity"])]
    entities = [pick(subject.names(e), lang) for e in areas]
    levels = {e: subject.entities[e].level if e in subject.entities else "" for e in areas}
    palette = {pick(subject.names(e), lang): LEVEL_COLOURS.get(levels[e], "#777777") for e in areas}
    ax = bar_chart(
        present,
        "basis_label",
        "value",
        hue="entity_label",
        hue_order=entities,
        palette=palette,
        order=[basis_short(ctx.bases, b, lang) for b in ctx.bases],
        unit=unit,
        lang=lang,
        interval=("low", "high"),
        title=text("per_capita_chart", lang, label=label),
        value_label=unit_name(unit, lang),
    )
    ax.legend(title=text("entity", lang), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    missing = frame[frame["value"].isna()]
    if not missing.empty:
        lines = [
            f"{r.entity_label}（{r.basis_label}）：{text('missing', lang)}"
            if lang == "zh"
            else f"{r.entity_label} ({r.basis_label}): {text('missing', lang)}"
            for r in missing.itertuples(index=False)
        ]
        ax.text(
            0.0,
            -0.25,
            ("；" if lang == "zh" else "; ").join(lines),
            transform=ax.transAxes,
            fontsize=8,
            color="0.3",
            va="top",
        )
    return finish(ax)


def plot_shares_vs_population(ctx: Context, theme: str | None = None) -> Figure | None:
    """The report's shares of its parents' totals against its population share (of a theme, if given).

    None when the theme has no share of a parent's total.
    """
    return crosslevel.plot_shares_vs_population(ctx.metrics, ctx.params.population_basis, ctx.lang, ctx.subject, theme)


def plot_growth(ctx: Context, theme: str | None = None) -> Figure | None:
    """The report's growth rates of the theme beside its parents' rates of the same indicators.

    None when the report prints no growth rate that a parent prints too.
    """
    themes = dict(zip(ctx.figures["figure_id"], ctx.figures["theme"], strict=True))
    top_n = int(ctx.params.extras.get("top_n", 10))
    return crosslevel.plot_growth_vs_parents(
        ctx.observations, ctx.vocabulary, ctx.subject, themes, ctx.lang, theme, top_n
    )


def plot_findings(ctx: Context) -> Figure | None:
    """The audit at a glance: findings by theme and severity (errors and warnings; notes left out)."""
    import matplotlib.pyplot as plt

    lang = ctx.lang
    rows = []
    for theme in THEMES:
        found = findings_frame(ctx, theme)
        for severity in ("error", "warning"):
            rows.append(
                (theme_label(theme, lang), pick(SEVERITY_LABELS[severity], lang), (found["severity"] == severity).sum())
            )
    frame = pd.DataFrame(rows, columns=["theme", "severity", "count"])
    if frame["count"].sum() == 0:
        return None
    order = [r[0] for r in rows[::2]]
    table = frame.pivot_table(index="theme", columns="severity", values="count", aggfunc="sum").reindex(order)
    colours = {pick(SEVERITY_LABELS[s], lang): colour for s, colour in SEVERITY_COLOURS.items()}
    ax = table[list(colours)].plot.barh(stacked=True, color=list(colours.values()), figsize=(7.5, 3.6))
    ax.invert_yaxis()
    ax.set_xlabel(text("findings", lang))
    ax.set_ylabel("")
    ax.set_title(text("findings_chart", lang))
    ax.legend(title="", loc="lower right")
    plt.close(ax.figure)
    return finish(ax)

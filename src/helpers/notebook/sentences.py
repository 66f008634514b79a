"""Sentences built from computed values: key findings, figures and metrics in words; data text escaped."""

from __future__ import annotations

from typing import Any

from helpers.notebook.context import Context, _metric_rows, findings_frame
from helpers.notebook.labels import (
    QUALIFIER_LABELS,
    basis_short,
    escape_markdown,
    format_estimate,
    format_value,
    metric_measure,
    pick,
    text,
    theme_label,
)
from helpers.notebook.tables import findings_table
from helpers.sources.numbers import measure_word


def metric_sentence(ctx: Context, metric_id: str) -> str:
    """One sentence stating a metric (under the chosen basis if it has one) with its interval or its gap."""
    lang = ctx.lang
    rows = _metric_rows(ctx)
    row = rows[rows["metric_id"] == metric_id].iloc[0]
    label = row["label_zh"] if lang == "zh" else row["label_en"]
    if row["status"] == "missing":
        return (
            f"{label}：{text('missing', lang)}（{row['note_zh']}）。"
            if lang == "zh"
            else f"{label}: missing ({row['note']})."
        )
    measure = metric_measure(ctx.figures, row["inputs"], ctx.report.report_id)
    value = format_estimate(row["value"], row["low"], row["high"], row["unit"], lang, measure)
    caveat = ("（口径不一致）" if lang == "zh" else " (scopes differ)") if row["status"] == "scope_mismatch" else ""
    if lang == "zh":
        return f"{label}为{value}{caveat}。"
    return f"{label}: {value}{caveat}."


def figure_sentence(ctx: Context, figure_id: str) -> str:
    """One sentence stating a figure as the report prints it and as normalized."""
    lang = ctx.lang
    row = ctx.figures.set_index("figure_id").loc[figure_id]
    name = row["indicator_zh"] if lang == "zh" else row["indicator_en"]
    value = format_value(row["value"], row["unit"], lang, measure=measure_word(row["unit_as_printed"]))
    qualifier = pick(QUALIFIER_LABELS[row["qualifier"]], lang)
    if lang == "zh":
        return f"{name}：{value}（{qualifier}，原文“{row['quote']}”）。"
    return f"{name}: {value} ({qualifier}; the report: “{row['quote']}”)."


def bullet_list(sentences: list[str]) -> str:
    """Markdown bullets; the sentences hold text from data, so they are escaped."""
    return "\n".join(f"- {escape_markdown(s)}" for s in sentences)


def theme_summary(ctx: Context, theme: str) -> str:
    """A computed paragraph: how many figures, how many are bounds, what the audit says about the theme."""
    lang = ctx.lang
    rows = ctx.figures[ctx.figures["theme"] == theme]
    bounds = int(rows["qualifier"].isin(["at_least", "at_most"]).sum())
    problems = findings_table(ctx, theme, include_info=False)
    metrics = _metric_rows(ctx, theme)
    computed, missing = int((metrics["status"] != "missing").sum()), int((metrics["status"] == "missing").sum())
    if lang == "zh":
        return (
            f"报告在“{theme_label(theme, lang)}”主题下列出{len(rows)}项数据，其中{bounds}项为上下限表述。"
            f"本笔记本计算了{computed}项派生指标，{missing}项因缺少有出处的对比数据未计算；"
            f"核查发现{len(problems)}项需要注意的问题。"
        )
    return (
        f"The report states {len(rows)} figures under {theme_label(theme, lang)}, of which {bounds} "
        f"{'is a bound' if bounds == 1 else 'are bounds'} rather than an exact value. This notebook computes "
        f"{computed} derived metrics; {missing} cannot be computed for lack of a sourced comparator. "
        f"Errors and warnings raised by the audit here: {len(problems)}."
    )


def key_findings(ctx: Context, theme: str | None = None) -> Any:
    """Three to five computed sentences the report opens with, each linking to the section behind it."""
    from IPython.display import Markdown

    from helpers.notebook import findings as key

    metrics, lang, basis, subject = _metric_rows(ctx), ctx.lang, ctx.params.population_basis, ctx.subject
    if theme is None:
        sentences = [
            key.largest_share(metrics, lang, None, escape_markdown, subject),
            key.concentration(metrics, lang, basis, escape_markdown, subject),
            key.per_capita_position(metrics, lang, basis, basis_short(ctx.bases, basis, lang), subject),
            key.audit_summary(ctx.findings, lang, escape_markdown, anchor="themes"),
        ]
    elif not (ctx.figures["theme"] == theme).any():
        sentences = []  # nothing under the theme: its note (report.theme_note) says so, in one line
    else:
        themed = findings_frame(ctx, theme)
        sentences = [
            escape_markdown(theme_summary(ctx, theme)),
            key.largest_share(metrics, lang, theme, escape_markdown, subject),
            key.comparison_count(metrics, lang, theme, subject),
            key.audit_summary(themed, lang, escape_markdown),
        ]
    return Markdown("\n".join(f"- {sentence}" for sentence in sentences if sentence))


#: How many figures and derived metrics the key numbers of a theme state, at most.
KEY_FIGURES, KEY_METRICS = 6, 4


def key_numbers(ctx: Context, theme: str) -> Any:
    """The theme's key numbers in words (nothing when the report states none under the theme).

    Its figures of comparable indicators (its other figures when it has none), then its own derived metrics
    and its shares of the nearest parent's totals.
    """
    from IPython.display import Markdown

    from helpers.notebook.crosslevel import comparison_entity

    rows = ctx.figures[(ctx.figures["theme"] == theme) & (ctx.figures["section"] == "review")]
    if rows.empty:  # the theme's note (report.theme_note) says so, once
        return Markdown("")
    mapped = {o.item_id for o in ctx.observations if o.source == ctx.report.report_id}
    figures = [f for f in rows["figure_id"] if f in mapped] or list(rows["figure_id"])
    metrics = _metric_rows(ctx, theme)
    metrics = metrics[metrics["status"].isin(["ok", "derived"])]
    parents = ctx.subject.parent_ids
    entity = metrics["metric_id"].map(lambda m: comparison_entity(m, parents))
    own = metrics[entity.isna() & ~metrics["metric_id"].str.startswith(("location_quotient_", "population_"))]
    nearest = next((p for p in parents if (entity == p).any()), None)
    shares = metrics[(entity == nearest) & metrics["metric_id"].str.contains("_share_of_")] if nearest else own[:0]
    sentences = [figure_sentence(ctx, f) for f in figures[:KEY_FIGURES]]
    sentences += [metric_sentence(ctx, m) for m in [*own["metric_id"][:KEY_METRICS], *shares["metric_id"][:3]]]
    return Markdown(bullet_list(list(dict.fromkeys(sentences))))


def headline_sentences(ctx: Context) -> Any:
    """The overview's headline metrics in words (those the analysis has).

    GDP as a share of each parent's, budget revenue as a share of the nearest parent's, GDP per capita of the
    report and its parents.
    """
    from IPython.display import Markdown

    ids = list(_metric_rows(ctx)["metric_id"])
    parents = ctx.subject.parent_ids
    wanted = [
        *(f"gdp_share_of_{p}" for p in parents),
        *(f"budget_revenue_share_of_{p}" for p in parents[:1]),
        "gdp_per_capita",
        *(f"{p}_gdp_per_capita" for p in parents),
    ]
    return Markdown(bullet_list([metric_sentence(ctx, m) for m in wanted if m in ids]))

"""The report's tables: compact on the page (value with a short interval, status), details folded below."""

from __future__ import annotations

import hashlib
import html
from typing import Any

import pandas as pd

from helpers.analysis.terms import fig
from helpers.bilingual import split_label
from helpers.notebook import crosslevel
from helpers.notebook.context import Context, _indicator, _is_cross_level, _metric_rows
from helpers.notebook.crosslevel import comparison_table, missing_comparisons
from helpers.notebook.labels import (
    QUALIFIER_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    basis_short,
    escape_markdown,
    format_estimate,
    format_interval,
    format_value,
    metric_measure,
    pick,
    rule_name,
    text,
    theme_label,
)
from helpers.notebook.params import HEADLINE_INDICATORS, NOTEBOOK_STEMS
from helpers.sources.figures import THEMES
from helpers.sources.numbers import measure_word


def figures_table(ctx: Context, theme: str | None = None, figure_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    """Figures of a theme (or the given ids, in that order): indicator, as printed, value, interval, quote."""
    lang = ctx.lang
    rows = []
    selected = (
        ctx.figures.set_index("figure_id", drop=False).loc[list(figure_ids)]
        if figure_ids
        else ctx.figures[ctx.figures["theme"] == theme]
    )
    for row in selected.itertuples(index=False):
        estimate = ctx.estimates.get(fig(row.figure_id))
        rows.append(
            {
                text("indicator", lang): _indicator(row, lang),
                text("as_printed", lang): f"{row.prefix_as_printed}{row.value_as_printed}{row.unit_as_printed}",
                text("value_interval", lang): format_estimate(
                    row.value, estimate.low, estimate.high, row.unit, lang, measure_word(row.unit_as_printed)
                ),
                text("qualifier", lang): pick(QUALIFIER_LABELS[row.qualifier], lang),
                text("quote", lang): row.quote,
            }
        )
    return pd.DataFrame(rows)


def metrics_table(ctx: Context, theme: str | None = None, *, comparators_only: bool = False) -> pd.DataFrame:
    """Derived metrics with value, interval, formula, status and note, localized."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    compares = _is_cross_level(rows, ctx.subject.parent_ids)
    rows = rows[compares] if comparators_only else rows[~compares]
    return pd.DataFrame(
        [
            {
                text("metric", lang): row.label_zh if lang == "zh" else row.label_en,
                text("value_interval", lang): format_estimate(
                    row.value,
                    row.low,
                    row.high,
                    row.unit,
                    lang,
                    metric_measure(ctx.figures, row.inputs, ctx.report.report_id),
                ),
                text("status", lang): pick(STATUS_LABELS[row.status], lang),
            }
            for row in rows.itertuples(index=False)
        ]
    )


def metrics_details(ctx: Context, theme: str | None = None) -> pd.DataFrame:
    """What the compact metrics table leaves out: formula, inputs and note of each metric."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    rows = rows[~_is_cross_level(rows, ctx.subject.parent_ids)]
    return pd.DataFrame(
        [
            {
                text("metric", lang): row.label_zh if lang == "zh" else row.label_en,
                text("formula", lang): row.formula,
                text("inputs", lang): row.inputs.replace(";", "; "),
                text("note", lang): row.note_zh if lang == "zh" else row.note,
            }
            for row in rows.itertuples(index=False)
        ]
    )


def metrics_notes(ctx: Context, theme: str | None = None) -> Any:
    """Formulas, inputs and notes of the theme's metrics, folded below the compact table."""
    return details(metrics_details(ctx, theme), text("details_metrics", ctx.lang))


def show(table: pd.DataFrame) -> Any:
    """A compact table for the page: no index column, text left-aligned, numbers and values right-aligned.

    An empty table is one line saying so.
    """
    from IPython.display import HTML, Markdown

    if table.empty:
        return Markdown(f"*{text('none', 'en')} / {text('none', 'zh')}*")
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c]) or c in _RIGHT_ALIGNED]
    text_columns = [c for c in table.columns if c not in numeric]
    # A Styler does not escape cells by default (pandas' to_html does): text from data is text, never HTML.
    styled = table.style.format(escape="html").hide(axis="index")
    if text_columns:
        styled = styled.set_properties(subset=text_columns, **{"text-align": "left"})
    if numeric:
        styled = styled.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    header = [{"selector": "th", "props": [("text-align", "left")]}]
    # Element ids from the table's content, not pandas' random uuid: the same table gives the same page, run
    # after run (the executed notebooks of a warm and a fresh kernel compare equal).
    styled = styled.set_uuid(hashlib.sha256(table.to_json(force_ascii=False).encode()).hexdigest()[:10])
    # class "dataframe": the page's script makes such tables searchable and sortable, as pandas' own tables.
    styled = styled.set_table_styles(header).set_table_attributes('class="dataframe"')
    # As HTML: a Styler's plain-text form is its memory address, which made every run's notebook differ.
    return HTML(styled.to_html())


_RIGHT_ALIGNED = {
    text(key, lang) for key in ("value", "value_interval", "interval", "as_printed") for lang in ("en", "zh")
}


def details(table: pd.DataFrame, summary: str) -> Any:
    """A long table folded into a ``<details>`` block: nothing is lost, the reader is not buried."""
    from IPython.display import HTML

    if table.empty:
        return HTML("")
    body = table.to_html(index=False, escape=True, border=0)
    return HTML(f"<details><summary>{html.escape(summary)}</summary>{body}</details>")


def findings_table(ctx: Context, theme: str | None = None, *, include_info: bool = True) -> pd.DataFrame:
    """Audit findings, most severe first; for a theme, those that name one of its figures."""
    lang = ctx.lang
    findings = ctx.findings
    if theme is not None:
        ids = set(ctx.figures.loc[ctx.figures["theme"] == theme, "figure_id"])
        findings = findings[findings["figure_ids"].fillna("").str.split(";").apply(lambda f: bool(ids & set(f)))]
    if not include_info:
        findings = findings[findings["severity"] != "info"]
    return pd.DataFrame(
        [
            {
                text("severity", lang): pick(SEVERITY_LABELS[row.severity], lang),
                text("finding", lang): row.message_zh if lang == "zh" else row.message_en,
                text("rule", lang): rule_name(row.rule, lang),
            }
            for row in findings.itertuples(index=False)
        ]
    )


def headline_figures(ctx: Context) -> tuple[str, ...]:
    """The report's figures of the headline indicators (GDP, budget revenue …), in the indicators' order."""
    own = {
        o.indicator: o.item_id
        for o in ctx.observations
        if o.source == ctx.report.report_id and o.year == ctx.subject.year and o.section == "review"
    }
    return tuple(own[code] for code in HEADLINE_INDICATORS if code in own)


def headline_table(ctx: Context) -> pd.DataFrame:
    """The overview's headline figures, with their qualifier and interval."""
    figure_ids = headline_figures(ctx)
    return figures_table(ctx, figure_ids=figure_ids) if figure_ids else pd.DataFrame()


def bases_table(ctx: Context) -> pd.DataFrame:
    """The population bases side by side, with their values and caveats."""
    lang = ctx.lang
    return pd.DataFrame(
        [
            {
                text("basis", lang): f"{basis.label_zh}（`{basis.basis_id}`）"
                if lang == "zh"
                else f"{basis.label_en} (`{basis.basis_id}`)",
                text("population", lang): format_value(basis.estimate.value, "persons", lang),
                text("interval", lang): format_interval(basis.estimate.low, basis.estimate.high, "persons", lang),
                text("formula", lang): basis.formula,
                text("caveat", lang): basis.caveat_zh if lang == "zh" else basis.caveat_en,
            }
            for basis in ctx.bases.values()
        ]
    )


def per_capita_frame(ctx: Context, stem: str) -> pd.DataFrame:
    """One per-capita metric for the report and its parents under every basis (long format)."""
    rows = []
    subject = ctx.subject
    for basis_id in ctx.bases:
        for entity in (subject.entity_id, *subject.parent_ids):
            own = entity == subject.entity_id
            metric_id = stem if own else f"{entity}_{stem}"
            # The parents' values are on their own population, one row for every basis.
            row_basis = basis_id if own else ""
            match = ctx.metrics[
                (ctx.metrics["metric_id"] == metric_id) & (ctx.metrics["population_basis"] == row_basis)
            ]
            if match.empty:
                continue
            row = match.iloc[0]
            rows.append(
                {
                    "basis": basis_id,
                    "entity": entity,
                    "entity_label": pick(subject.names(entity), ctx.lang),
                    "value": row["value"],
                    "low": row["low"],
                    "high": row["high"],
                    "unit": row["unit"],
                    "status": row["status"],
                    "note": row["note_zh" if ctx.lang == "zh" else "note"],
                    "label_en": row["label_en"],
                    "label_zh": row["label_zh"],
                }
            )
    return pd.DataFrame(rows)


def per_capita_stems(ctx: Context) -> list[str]:
    """The report's per-capita metrics that a parent has too (all of them when no parent has any)."""
    own = ctx.metrics.loc[ctx.metrics["population_basis"] != "", "metric_id"]
    stems = [e.metric for e in ctx.vocabulary.per_capita if e.metric in set(own)]
    ids = set(ctx.metrics["metric_id"])
    shared = [stem for stem in stems if any(f"{p}_{stem}" in ids for p in ctx.subject.parent_ids)]
    return shared or stems


def per_capita_table(ctx: Context) -> pd.DataFrame:
    """Per-capita metrics: rows metric × area, one column per population basis; missing says so."""
    lang = ctx.lang
    rows = []
    for stem in per_capita_stems(ctx):
        frame = per_capita_frame(ctx, stem)
        for entity, group in frame.groupby("entity", sort=False):
            subject, said = split_label(group["label_zh" if lang == "zh" else "label_en"].iloc[0])
            label = said or subject
            row = {text("metric", lang): label, text("entity", lang): pick(ctx.subject.names(entity), lang)}
            for item in group.itertuples(index=False):
                row[item.basis] = format_value(item.value, item.unit, lang)
            rows.append(row)
    return pd.DataFrame(rows)


def themes_table(ctx: Context) -> pd.DataFrame:
    """A table of themes: figures, derived metrics and findings per theme, and the notebook to read."""
    lang = ctx.lang
    rows = []
    for theme in THEMES:
        figure_ids = set(ctx.figures.loc[ctx.figures["theme"] == theme, "figure_id"])
        flagged = (
            ctx.findings["figure_ids"].fillna("").str.split(";").apply(lambda f, ids=figure_ids: bool(ids & set(f)))
        )
        rows.append(
            {
                text("theme", lang): theme_label(theme, lang),
                text("figures", lang): len(figure_ids),
                text("metrics", lang): int((_metric_rows(ctx, theme)["status"] != "missing").sum()),
                text("findings", lang): int((flagged & (ctx.findings["severity"] != "info")).sum()),
                text("notebook", lang): f"{NOTEBOOK_STEMS[theme]}.ipynb",
            }
        )
    return pd.DataFrame(rows)


def missing_table(ctx: Context) -> pd.DataFrame:
    """Comparators the report's analysis needs but that have no cited source, with the reason."""
    lang = ctx.lang
    return pd.DataFrame(
        [
            {
                text("entity", lang): pick(ctx.subject.names(ctx.reference.entity_id(row.entity)), lang),
                text("indicator", lang): row.indicator,
                text("metric", lang): row.needed_for_zh if lang == "zh" else row.needed_for,
                text("reason", lang): row.reason_zh if lang == "zh" else row.reason,
            }
            for row in ctx.reference.missing.itertuples(index=False)
            if row.needed_by == ctx.report.report_id
        ]
    )


#: The interval rules: (qualifier, whether the example is a fraction, the rule in English and in Chinese).
INTERVAL_CONVENTIONS: tuple[tuple[str, bool, str, str], ...] = (
    (
        "exact",
        False,
        "± half a unit of the last printed digit; whole counts printed in full are exact",
        "按最后一位有效数字的半个单位上下浮动；完整印出的整数计数为确数",
    ),
    (
        "at_least",
        False,
        "from the printed number up to the next step of its last non-zero digit (a convention)",
        "自印出数值起，至其最后一位非零数字的下一档（约定）",
    ),
    ("at_most", False, "from zero up to the printed number", "自零至印出数值"),
    ("approx", False, "± 10 % of the printed number", "印出数值上下浮动10%"),
    ("exact", True, "a fraction: the denominator rounded to a whole number", "分数：分母按整数舍入"),
)


def _example(figures: pd.DataFrame, qualifier: str, fraction: bool) -> Any:
    """The report's first figure printed with ``qualifier`` (a fraction, or a number with a unit), or None."""
    rows = figures[(figures["qualifier"] == qualifier) & (figures["section"] == "review")]
    is_fraction = rows["value_as_printed"].str.contains("/", regex=False)
    rows = rows[is_fraction] if fraction else rows[~is_fraction & (rows["unit_as_printed"] != "")]
    return next(rows.itertuples(index=False), None)


def interval_conventions_table(ctx: Context) -> pd.DataFrame:
    """The interval rules, each with an example from the report's own figures (a rule it never uses has none)."""
    lang = ctx.lang
    rows = []
    for qualifier, fraction, rule_en, rule_zh in INTERVAL_CONVENTIONS:
        example = _example(ctx.figures, qualifier, fraction)
        if example is None:
            continue
        estimate = ctx.estimates.get(fig(example.figure_id))
        rows.append(
            {
                text("qualifier", lang): pick(QUALIFIER_LABELS[qualifier], lang),
                text("convention", lang): rule_zh if lang == "zh" else rule_en,
                text(
                    "example", lang
                ): f"{example.prefix_as_printed}{example.value_as_printed}{example.unit_as_printed}",
                text("interval", lang): format_interval(estimate.low, estimate.high, example.unit, lang),
            }
        )
    return pd.DataFrame(rows)


def location_quotients(ctx: Context) -> pd.DataFrame:
    """Location quotients (share of the total over share of the population) under the chosen basis."""
    return crosslevel.location_quotients(ctx.metrics, ctx.params.population_basis, ctx.lang, ctx.subject)


def growth_side_by_side(ctx: Context) -> pd.DataFrame:
    """The year's growth rates as each level prints them: the report's, then its parents'."""
    return crosslevel.growth_side_by_side(ctx.observations, ctx.vocabulary, ctx.subject, ctx.lang)


def comparisons(ctx: Context, theme: str | None) -> pd.DataFrame | Any:
    """The theme's comparisons with the report's parents, or a visible note when there are none.

    Each names its sources and quotes on both sides; the ``comparison`` parameter narrows them to one parent.
    """
    parent = ctx.params.extras.get("comparison", "both")
    table = comparison_table(ctx.metrics, ctx.params.population_basis, ctx.lang, theme, parent, ctx.subject.parent_ids)
    if table.empty:
        from IPython.display import Markdown

        return Markdown(f"*{text('no_comparator', ctx.lang)}*")
    return show(table)


def comparison_sources(ctx: Context, theme: str | None) -> Any:
    """Both quotes and the note of every comparison, folded away below the compact table."""
    parent = ctx.params.extras.get("comparison", "both")
    folded = crosslevel.comparison_details(
        ctx.metrics, ctx.params.population_basis, ctx.lang, theme, parent, ctx.subject.parent_ids
    )
    return details(folded, text("details_comparisons", ctx.lang))


def missing_note(ctx: Context, theme: str | None = None) -> Any:
    """One short note naming the comparisons that no source can fill (empty when there are none)."""
    from IPython.display import Markdown

    note = missing_comparisons(ctx.metrics, ctx.lang, ctx.subject.parent_ids, theme)
    return Markdown(f"*{escape_markdown(note)}*" if note else "")


def report_line(ctx: Context) -> Any:
    """The report the page is of, in bold: its area and the year it reviews."""
    from IPython.display import Markdown

    meta, subject = ctx.report.meta, ctx.subject
    entity = subject.full_name_zh if ctx.lang == "zh" else meta.entity_en
    return Markdown(f"**{escape_markdown(text('report_line', ctx.lang, entity=entity, year=str(subject.year)))}**")


def theme_note(ctx: Context, theme: str) -> Any:
    """One line when the report states nothing under the theme (the page still renders), else nothing."""
    from IPython.display import Markdown

    if (ctx.figures["theme"] == theme).any():
        return Markdown("")
    return Markdown(f"*{escape_markdown(text('theme_empty', ctx.lang, theme=theme_label(theme, ctx.lang)))}*")


def population_note(ctx: Context) -> Any:
    """Why the report's population bases differ (its population.toml), and a line when the chosen one is absent."""
    from IPython.display import Markdown

    from helpers.sources.reference import population_note as read_note

    lang = ctx.lang
    lines = [escape_markdown(read_note(ctx.report).pick(lang))]
    if not ctx.bases:
        lines.append(f"*{escape_markdown(text('no_population_at_all', lang))}*")
    elif ctx.basis is None:
        bases = ("、" if lang == "zh" else ", ").join(basis_short(ctx.bases, b, lang) for b in ctx.bases)
        line = text("no_population", lang, basis=ctx.params.population_basis, bases=bases)
        lines.append(f"*{escape_markdown(line)}*")
    return Markdown("\n\n".join(line for line in lines if line))

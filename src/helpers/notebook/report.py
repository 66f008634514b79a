"""What the notebooks call: load everything once, then tables, charts, sentences and results per theme.

A notebook reads like a report because the work happens here: every table is localized, every sentence
that states a number is built from computed values, and every run leaves a machine-readable results file.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from helpers import paths
from helpers.analysis.intervals import Estimate
from helpers.analysis.metrics import Inputs, fig
from helpers.analysis.tables import load_analysis
from helpers.notebook import crosslevel
from helpers.notebook.crosslevel import comparison_entity, comparison_table, missing_comparisons
from helpers.notebook.labels import (
    BASIS_SHORT,
    ENTITY_LABELS,
    QUALIFIER_LABELS,
    QUALIFIER_SIGNS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    format_estimate,
    format_interval,
    format_number,
    format_value,
    pick,
    text,
    theme_label,
    unit_name,
)
from helpers.notebook.params import HEADLINE_FIGURES, NOTEBOOK_STEMS, NotebookParameters
from helpers.notebook.plotting import AREA_COLOURS, SEVERITY_COLOURS, bar_chart, finish, interval_chart, set_style
from helpers.sources.figures import THEMES
from helpers.sources.reference import (
    ENTITY_IDS,
    POPULATION_BASES,
    PopulationBasis,
    Reference,
    population_bases,
)

#: Per-capita metrics shown side by side for Jinshui, Zhengzhou and Henan in the overview.
PER_CAPITA_STEMS: tuple[str, ...] = ("gdp_per_capita", "budget_revenue_per_capita", "market_entities_per_1000")


@dataclass
class Context:
    """Everything a notebook shows, loaded and validated once from its parameters."""

    params: NotebookParameters
    figures: pd.DataFrame
    reference: Reference
    metrics: pd.DataFrame
    findings: pd.DataFrame
    bases: dict[str, PopulationBasis]
    estimates: Inputs

    @property
    def lang(self) -> str:
        """The report language."""
        return self.params.lang

    @property
    def basis(self) -> PopulationBasis:
        """The chosen population basis."""
        return self.bases[self.params.population_basis]


def load_context(params: NotebookParameters) -> Context:
    """Load and validate the figures and reference named by the parameters; compute metrics and the audit.

    The four tables are cached on the content of their input files (a batch computes them once per worker).
    """
    analysis = load_analysis(params.report_dir, params.reference_dir)
    figures, reference, metrics, findings = analysis.figures, analysis.reference, analysis.metrics, analysis.findings
    set_style(params.lang)
    # Report tables show whole quotes and notes, not the first 50 characters.
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)
    return Context(
        params, figures, reference, metrics, findings, population_bases(reference), Inputs(figures, reference)
    )


# --- tables -------------------------------------------------------------------------------------------


def _wrap(label: str, lang: str) -> str:
    """A long axis label on several lines, so that the chart keeps its width."""
    return textwrap.fill(label, 24 if lang == "zh" else 44)


def _indicator(row: Any, lang: str) -> str:
    return row.indicator_zh if lang == "zh" else row.indicator_en


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
                text("value_interval", lang): format_estimate(row.value, estimate.low, estimate.high, row.unit, lang),
                text("qualifier", lang): pick(QUALIFIER_LABELS[row.qualifier], lang),
                text("quote", lang): row.quote,
            }
        )
    return pd.DataFrame(rows)


def _metric_rows(ctx: Context, theme: str | None = None) -> pd.DataFrame:
    """Metrics of a theme (all when None) under the chosen basis (and the basis-free ones)."""
    rows = ctx.metrics[ctx.metrics["population_basis"].isin(["", ctx.params.population_basis])]
    return rows if theme is None else rows[rows["theme"] == theme]


def _is_cross_level(rows: pd.DataFrame) -> pd.Series:
    """Rows that set Jinshui against a parent: shares, differences, location quotients, population shares.

    They have their own section, with both quotes.
    """
    ids = rows["metric_id"]
    return ids.map(comparison_entity).notna() | ids.str.startswith(("location_quotient_", "population_share_of_"))


def metrics_table(ctx: Context, theme: str | None = None, *, comparators_only: bool = False) -> pd.DataFrame:
    """Derived metrics with value, interval, formula, status and note, localized."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    compares = _is_cross_level(rows)
    rows = rows[compares] if comparators_only else rows[~compares]
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


def metrics_details(ctx: Context, theme: str | None = None) -> pd.DataFrame:
    """What the compact metrics table leaves out: formula, inputs and note of each metric."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    rows = rows[~_is_cross_level(rows)]
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

    An empty table is returned as it is (pandas shows it as such).
    """
    if table.empty:
        return table
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
    from IPython.display import HTML

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
                text("rule", lang): row.rule,
            }
            for row in findings.itertuples(index=False)
        ]
    )


def headline_table(ctx: Context) -> pd.DataFrame:
    """The overview's headline figures, with their qualifier and interval."""
    return figures_table(ctx, figure_ids=HEADLINE_FIGURES)


def bases_table(ctx: Context) -> pd.DataFrame:
    """The population bases side by side, with their values and caveats."""
    lang = ctx.lang
    return pd.DataFrame(
        [
            {
                text("basis", lang): f"{basis.label_zh if lang == 'zh' else basis.label_en} (`{basis.basis_id}`)",
                text("population", lang): format_value(basis.estimate.value, "persons", lang),
                text("interval", lang): format_interval(basis.estimate.low, basis.estimate.high, "persons", lang),
                text("formula", lang): basis.formula,
                text("caveat", lang): basis.caveat_zh if lang == "zh" else basis.caveat_en,
            }
            for basis in ctx.bases.values()
        ]
    )


def per_capita_frame(ctx: Context, stem: str) -> pd.DataFrame:
    """One per-capita metric for Jinshui, Zhengzhou and Henan under every basis (long format)."""
    rows = []
    for basis_id in POPULATION_BASES:
        for entity in ("jinshui", "zhengzhou", "henan"):
            metric_id = stem if entity == "jinshui" else f"{entity}_{stem}"
            # The parents' values are on their own census population, one row for every basis.
            row_basis = basis_id if entity == "jinshui" else ""
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
                    "entity_label": pick(ENTITY_LABELS[entity], ctx.lang),
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


def per_capita_table(ctx: Context) -> pd.DataFrame:
    """Per-capita metrics: rows metric × area, one column per population basis; missing says so."""
    lang = ctx.lang
    rows = []
    for stem in PER_CAPITA_STEMS:
        frame = per_capita_frame(ctx, stem)
        for entity, group in frame.groupby("entity", sort=False):
            label = group["label_zh" if lang == "zh" else "label_en"].iloc[0].split(":")[-1].split(": ")[-1]
            row = {text("metric", lang): label, text("entity", lang): pick(ENTITY_LABELS[entity], lang)}
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
    """Comparators the analysis needs but that have no cited source, with the reason."""
    lang = ctx.lang
    return pd.DataFrame(
        [
            {
                text("entity", lang): pick(ENTITY_LABELS[ENTITY_IDS[row.entity]], lang),
                text("indicator", lang): row.indicator,
                text("metric", lang): row.needed_for_zh if lang == "zh" else row.needed_for,
                text("reason", lang): row.reason_zh if lang == "zh" else row.reason,
            }
            for row in ctx.reference.missing.itertuples(index=False)
        ]
    )


INTERVAL_CONVENTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    # qualifier, convention en, convention zh, example as printed, example figure
    (
        "exact",
        "± half a unit of the last printed digit; whole counts printed in full are exact",
        "按最后一位有效数字的半个单位上下浮动;完整印出的整数计数为确数",
        "979.4亿元",
        "retail_sales",
    ),
    (
        "at_least",
        "from the printed number up to the next step of its last non-zero digit (a convention)",
        "自印出数值起,至其最后一位非零数字的下一档(约定)",
        "突破1800亿元",
        "gdp",
    ),
    (
        "at_most",
        "down one such step from the printed number",
        "自印出数值向下一档",
        "最高可降40%",
        "logistics_cost_cut_max",
    ),
    (
        "exact",
        "a fraction: the denominator rounded to a whole number",
        "分数:分母按整数舍入",
        "1/30",
        "market_entities_share_of_henan",
    ),
)


def interval_conventions_table(ctx: Context) -> pd.DataFrame:
    """The interval rules, each with an example computed from the figures table."""
    lang = ctx.lang
    units = ctx.figures.set_index("figure_id")["unit"]
    rows = []
    for qualifier, rule_en, rule_zh, printed, figure_id in INTERVAL_CONVENTIONS:
        estimate = ctx.estimates.get(fig(figure_id))
        rows.append(
            {
                text("qualifier", lang): pick(QUALIFIER_LABELS[qualifier], lang),
                text("convention", lang): rule_zh if lang == "zh" else rule_en,
                text("example", lang): printed,
                text("interval", lang): format_interval(estimate.low, estimate.high, units[figure_id], lang),
            }
        )
    return pd.DataFrame(rows)


# --- charts -------------------------------------------------------------------------------------------


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
    records = list(rows.itertuples(index=False))
    data = pd.DataFrame(
        {
            "indicator": [_wrap(_indicator(r, lang), lang) for r in records],
            "value": [r.value for r in records],
            "label": [QUALIFIER_SIGNS[r.qualifier] + format_number(r.value, lang, compact=True) for r in records],
        }
    )
    ax = bar_chart(
        data,
        "indicator",
        "value",
        unit=unit,
        lang=lang,
        label_column="label",
        title=f"{theme_label(theme, lang)}: " + text("largest_figures", lang, unit=unit_name(unit, lang)),
        value_label=unit_name(unit, lang),
    )
    return finish(ax)


def plot_metric_intervals(ctx: Context, theme: str | None = None, unit: str = "percent") -> Figure | None:
    """The theme's computed metrics in one unit, each with its interval (None when there are none)."""
    lang = ctx.lang
    rows = _metric_rows(ctx, theme)
    rows = rows[(rows["unit"] == unit) & (rows["status"] != "missing") & ~_is_cross_level(rows)]
    if rows.empty:
        return None
    labels = rows["label_zh" if lang == "zh" else "label_en"]
    data = rows.assign(label=[_wrap(label, lang) for label in labels])
    ax = interval_chart(
        data, "label", unit=unit, lang=lang, title=text("metric_intervals", lang), value_label=unit_name(unit, lang)
    )
    return finish(ax)


def plot_per_capita(ctx: Context, stem: str = "gdp_per_capita") -> Figure:
    """Jinshui, Zhengzhou and Henan under every population basis, with intervals; missing ones are named."""
    lang = ctx.lang
    frame = per_capita_frame(ctx, stem)
    label = frame["label_zh" if lang == "zh" else "label_en"].iloc[0]
    unit = frame["unit"].iloc[0]
    frame = frame.assign(basis_label=[pick(BASIS_SHORT[b], lang) for b in frame["basis"]])
    present = frame.dropna(subset=["value"])
    entities = [pick(ENTITY_LABELS[e], lang) for e in ENTITY_LABELS if e in set(frame["entity"])]
    palette = {pick(ENTITY_LABELS[e], lang): colour for e, colour in AREA_COLOURS.items()}
    ax = bar_chart(
        present,
        "basis_label",
        "value",
        hue="entity_label",
        hue_order=entities,
        palette=palette,
        order=[pick(BASIS_SHORT[b], lang) for b in POPULATION_BASES],
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
            f"{r.entity_label} ({r.basis_label}): {text('missing', lang)}" for r in missing.itertuples(index=False)
        ]
        ax.text(0.0, -0.25, "; ".join(lines), transform=ax.transAxes, fontsize=8, color="0.3", va="top")
    return finish(ax)


# --- sentences -----------------------------------------------------------------------------------------


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
    value = format_estimate(row["value"], row["low"], row["high"], row["unit"], lang)
    caveat = ("（口径不一致）" if lang == "zh" else " (scopes differ)") if row["status"] == "scope_mismatch" else ""
    if lang == "zh":
        return f"{label}为{value}{caveat}。"
    return f"{label}: {value}{caveat}."


def figure_sentence(ctx: Context, figure_id: str) -> str:
    """One sentence stating a figure as the report prints it and as normalized."""
    lang = ctx.lang
    row = ctx.figures.set_index("figure_id").loc[figure_id]
    name = row["indicator_zh"] if lang == "zh" else row["indicator_en"]
    value = format_value(row["value"], row["unit"], lang)
    qualifier = pick(QUALIFIER_LABELS[row["qualifier"]], lang)
    if lang == "zh":
        return f"{name}：{value}（{qualifier}，原文“{row['quote']}”）。"
    return f"{name}: {value} ({qualifier}; the report: “{row['quote']}”)."


#: Characters Markdown (and its math extension) gives a meaning: each is shown as itself when escaped.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~$])")


def escape_markdown(text_from_data: str) -> str:
    """Text from data, made safe to show as Markdown: data is text, never markup.

    HTML is escaped (``<script>`` shows as text) and so is Markdown syntax: ``[link](javascript:…)`` shows
    as those characters instead of becoming a live link; emphasis, headings and math stay literal too.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text_from_data, quote=False))


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


# --- results ------------------------------------------------------------------------------------------


def _json_number(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def theme_results(ctx: Context, theme: str) -> dict[str, float | None]:
    """The theme's key results: every figure's value and every metric under the chosen basis."""
    results: dict[str, float | None] = {}
    for row in ctx.figures[ctx.figures["theme"] == theme].itertuples(index=False):
        results[f"figure.{row.figure_id}"] = _json_number(row.value)
    for row in _metric_rows(ctx, theme).itertuples(index=False):
        results[row.metric_id] = _json_number(row.value)
    return results


def estimate_of(ctx: Context, metric_id: str) -> Estimate:
    """A metric (under the chosen basis when it has one) as an Estimate."""
    rows = _metric_rows(ctx)
    row = rows[rows["metric_id"] == metric_id].iloc[0]
    return Estimate(row["value"], row["low"], row["high"])


def write_results(ctx: Context, stem: str, results: dict[str, float | None]) -> Any:
    """Write ``<output_dir>/results/<stem>.json`` with the parameters and the results.

    Returns a short Markdown note with a link to the file: in a batch run (``JINSHUI_BATCH`` set by the
    runner's kernels) relative to the published page, which sits in the output folder (the runner writes into
    a staging folder first, whose name means nothing to a reader); in JupyterLab relative to the notebook.
    """
    from IPython.display import Markdown

    path = results_path(ctx, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"notebook": stem, "parameters": ctx.params.as_dict(), "results": results}
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    temporary.replace(path)
    if os.environ.get("JINSHUI_BATCH"):
        href = label = f"results/{path.name}"
    else:
        href = Path(os.path.relpath(path, Path.cwd())).as_posix()
        label = Path(os.path.relpath(path, paths.PROJECT_ROOT)).as_posix()
    count = len(results)
    if ctx.lang == "zh":
        return Markdown(f"已将{count}项结果写入 [{label}]({href})。")
    return Markdown(f"{count} results written to [{label}]({href}).")


def results_path(ctx: Context, stem: str) -> Path:
    """Where a notebook's results file goes: ``results/<stem>.json``, ``results/<stem>.zh.json`` in Chinese."""
    suffix = "" if ctx.lang == "en" else f".{ctx.lang}"
    return ctx.params.output_dir / "results" / f"{stem}{suffix}.json"


# --- notebook entry points ----------------------------------------------------------------------------


def start(
    report_dir: object,
    reference_dir: object,
    population_basis: object,
    lang: object,
    output_dir: object,
    **extras: object,
) -> Context:
    """Validate the notebook's parameters (one error listing every bad one), then load everything."""
    from helpers.notebook.params import validate_parameters

    return load_context(validate_parameters(report_dir, reference_dir, population_basis, lang, output_dir, **extras))


def location_quotients(ctx: Context) -> pd.DataFrame:
    """Location quotients (share of the total over share of the population) under the chosen basis."""
    return crosslevel.location_quotients(ctx.metrics, ctx.params.population_basis, ctx.lang)


def key_findings(ctx: Context, theme: str | None = None) -> Any:
    """Three to five computed sentences the report opens with, each linking to the section behind it."""
    from IPython.display import Markdown

    from helpers.notebook import findings as key

    metrics, lang, basis = _metric_rows(ctx), ctx.lang, ctx.params.population_basis
    if theme is None:
        sentences = [
            key.largest_share(metrics, lang, None, escape_markdown),
            key.concentration(metrics, lang, basis, escape_markdown),
            key.per_capita_position(metrics, lang, basis),
            key.audit_summary(ctx.findings, lang, escape_markdown, anchor="themes"),
        ]
    else:
        themed = findings_frame(ctx, theme)
        sentences = [
            escape_markdown(theme_summary(ctx, theme)),
            key.largest_share(metrics, lang, theme, escape_markdown),
            key.comparison_count(metrics, lang, theme),
            key.audit_summary(themed, lang, escape_markdown),
        ]
    return Markdown("\n".join(f"- {sentence}" for sentence in sentences if sentence))


def findings_frame(ctx: Context, theme: str) -> pd.DataFrame:
    """The audit findings that name a figure of the theme."""
    ids = set(ctx.figures.loc[ctx.figures["theme"] == theme, "figure_id"])
    named = ctx.findings["figure_ids"].fillna("").str.split(";").apply(lambda f: bool(ids & set(f)))
    return ctx.findings[named]


def growth_side_by_side(ctx: Context) -> pd.DataFrame:
    """2020 growth rates as each level prints them: district, city, province, nation."""
    return crosslevel.growth_side_by_side(ctx)


def comparisons(ctx: Context, theme: str | None) -> pd.DataFrame | Any:
    """The theme's comparisons with Zhengzhou, Henan and China, or a visible note when there are none.

    Each names its sources and quotes on both sides; the ``comparison`` parameter narrows them to one parent.
    """
    parent = ctx.params.extras.get("comparison", "both")
    table = comparison_table(ctx.metrics, ctx.params.population_basis, ctx.lang, theme, parent)
    if table.empty:
        from IPython.display import Markdown

        return Markdown(f"*{text('no_comparator', ctx.lang)}*")
    return show(table)


def comparison_sources(ctx: Context, theme: str | None) -> Any:
    """Both quotes and the note of every comparison, folded away below the compact table."""
    parent = ctx.params.extras.get("comparison", "both")
    folded = crosslevel.comparison_details(ctx.metrics, ctx.params.population_basis, ctx.lang, theme, parent)
    return details(folded, text("details_comparisons", ctx.lang))


def missing_note(ctx: Context, theme: str | None = None) -> Any:
    """One short note naming the comparisons that no source can fill (empty when there are none)."""
    from IPython.display import Markdown

    note = missing_comparisons(ctx.metrics, ctx.lang, theme)
    return Markdown(f"*{escape_markdown(note)}*" if note else "")


def plot_shares_vs_population(ctx: Context, theme: str | None = None) -> Figure | None:
    """Jinshui's shares of Zhengzhou's and Henan's totals against its population share (of a theme, if given).

    None when the theme has no share of a parent's total.
    """
    return crosslevel.plot_shares_vs_population(ctx.metrics, ctx.params.population_basis, ctx.lang, theme)


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


def severity_counts(ctx: Context) -> dict[str, int]:
    """How many findings of each severity."""
    counts = ctx.findings["severity"].value_counts()
    return {severity: int(counts.get(severity, 0)) for severity in SEVERITY_LABELS}


def overview_results(ctx: Context) -> dict[str, float | None]:
    """The overview's key results: GDP shares and per-capita values under the chosen basis, and headlines."""
    results: dict[str, float | None] = {}
    for metric_id in (
        "gdp_share_of_zhengzhou",
        "gdp_share_of_henan",
        "budget_revenue_share_of_zhengzhou",
        "gdp_per_capita",
        "zhengzhou_gdp_per_capita",
        "henan_gdp_per_capita",
    ):
        row = _metric_rows(ctx)
        results[metric_id] = _json_number(row.loc[row["metric_id"] == metric_id, "value"].iloc[0])
    for figure_id in HEADLINE_FIGURES:
        results[f"figure.{figure_id}"] = _json_number(ctx.figures.set_index("figure_id").at[figure_id, "value"])
    results["population"] = ctx.basis.estimate.value
    return results


def audit_results(ctx: Context) -> dict[str, float | None]:
    """The audit notebook's results: finding counts by severity and the number of missing metrics."""
    results: dict[str, float | None] = {f"findings.{k}": float(v) for k, v in severity_counts(ctx).items()}
    results["metrics.missing"] = float((ctx.metrics["status"] == "missing").sum())
    results["metrics.scope_mismatch"] = float((ctx.metrics["status"] == "scope_mismatch").sum())
    return results

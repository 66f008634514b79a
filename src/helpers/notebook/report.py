"""What the notebooks call: load everything once, then tables, charts, sentences and results per theme.

A notebook reads like a report because the work happens in the modules behind this one: ``context`` (the
parameters and the four tables, loaded once), ``tables`` (every table localized and compact), ``charts``,
``sentences`` (every sentence that states a number is built from computed values) and ``results`` (the
machine-readable file every run leaves). This module gathers them under one name, ``report``.
"""

from __future__ import annotations

from helpers.notebook.charts import (
    plot_findings,
    plot_growth,
    plot_metric_intervals,
    plot_per_capita,
    plot_shares_vs_population,
    plot_theme_levels,
    plot_theme_rates,
)
from helpers.notebook.context import (
    Context,
    StaleContextError,
    findings_frame,
    is_current,
    load_context,
    new_start,
)
from helpers.notebook.labels import escape_markdown
from helpers.notebook.params import HEADLINE_INDICATORS, NOTEBOOK_STEMS
from helpers.notebook.results import (
    audit_results,
    estimate_of,
    overview_results,
    results_path,
    severity_counts,
    theme_results,
    write_results,
)
from helpers.notebook.sentences import (
    bullet_list,
    figure_sentence,
    headline_sentences,
    key_findings,
    key_numbers,
    metric_sentence,
    theme_summary,
)
from helpers.notebook.tables import (
    INTERVAL_CONVENTIONS,
    bases_table,
    comparison_sources,
    comparisons,
    details,
    figures_table,
    findings_table,
    growth_side_by_side,
    headline_table,
    interval_conventions_table,
    location_quotients,
    metrics_details,
    metrics_notes,
    metrics_table,
    missing_note,
    missing_table,
    per_capita_frame,
    per_capita_table,
    population_note,
    report_line,
    show,
    theme_note,
    themes_table,
)

__all__ = [
    "HEADLINE_INDICATORS",
    "INTERVAL_CONVENTIONS",
    "NOTEBOOK_STEMS",
    "Context",
    "StaleContextError",
    "audit_results",
    "bases_table",
    "bullet_list",
    "comparison_sources",
    "comparisons",
    "details",
    "escape_markdown",
    "estimate_of",
    "figure_sentence",
    "figures_table",
    "findings_frame",
    "findings_table",
    "growth_side_by_side",
    "headline_sentences",
    "headline_table",
    "interval_conventions_table",
    "is_current",
    "key_findings",
    "key_numbers",
    "load_context",
    "location_quotients",
    "metric_sentence",
    "metrics_details",
    "metrics_notes",
    "metrics_table",
    "missing_note",
    "missing_table",
    "overview_results",
    "per_capita_frame",
    "per_capita_table",
    "plot_findings",
    "plot_growth",
    "plot_metric_intervals",
    "plot_per_capita",
    "plot_shares_vs_population",
    "plot_theme_levels",
    "plot_theme_rates",
    "population_note",
    "report_line",
    "results_path",
    "severity_counts",
    "show",
    "start",
    "theme_note",
    "theme_results",
    "theme_summary",
    "themes_table",
    "write_results",
]


def start(
    report_dir: object,
    reference_dir: object,
    population_basis: object,
    lang: object,
    output_dir: object,
    **extras: object,
) -> Context:
    """Make every earlier context stale, validate the parameters (one error listing every bad one), load everything.

    Stale first, before validation: a start that fails must leave nothing to draw from, although the ``ctx`` of
    the previous run is still in the kernel's namespace (every helper given it refuses; see ``context``).
    """
    from helpers.notebook.params import validate_parameters

    new_start()
    return load_context(validate_parameters(report_dir, reference_dir, population_basis, lang, output_dir, **extras))

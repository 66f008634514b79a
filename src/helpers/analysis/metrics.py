"""Derived metrics of a report: every recipe over its indicators and its parents', each with its interval.

The generic recipes, the same for every report: shares of each parent's total, growth gaps and differences
(``helpers.analysis.comparisons``), previous-year levels implied by a rate (``helpers.analysis.previous``),
per-capita values, population shares and location quotients on every population basis
(``helpers.analysis.percapita``). What one report needs beyond them is its recipe table (``metrics.csv``,
``helpers.analysis.recipes``). ``build_derived_metrics()`` makes the whole table from ``data/`` in one call.
Every row says how it was computed (``formula``), from what (``inputs``: figure and comparator ids) and, for
per-capita values, on which population basis. A metric whose comparator has no cited source is a row with
status ``missing`` and no value, never an estimate. ``python -m helpers.analysis.metrics OUTPUT_DIR`` writes
the table and the audit findings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from helpers.analysis.audit import run_audit, with_rule_names
from helpers.analysis.comparisons import cross_level_rows
from helpers.analysis.indicators import Vocabulary, load_vocabulary, observations
from helpers.analysis.percapita import (
    parent_per_capita_rows,
    per_capita_specs,
    population_rows,
    with_basis_ranges,
    with_relative_per_capita,
)
from helpers.analysis.previous import implied_previous_rows
from helpers.analysis.recipes import evaluate, read_recipes
from helpers.analysis.rows import METRIC_COLUMNS as METRIC_COLUMNS
from helpers.analysis.rows import STATUSES as STATUSES
from helpers.analysis.subject import corpus_with, subject_of
from helpers.analysis.terms import Inputs as Inputs
from helpers.analysis.terms import fig as fig  # the terms callers looked for here before analysis.terms
from helpers.analysis.terms import metric_value as metric_value  # the tables' reader, where callers look for it
from helpers.sources.figures import THEMES, FiguresValidationError
from helpers.sources.reference import Reference, load_reference, population_bases
from helpers.sources.registry import ReportFolderError, ReportSource, comparison_corpus, subject_report


def build_derived_metrics(
    figures: pd.DataFrame | None = None,
    reference: Reference | None = None,
    corpus: list[ReportSource] | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    report: ReportSource | None = None,
) -> pd.DataFrame:
    """Build the derived-metrics table of ``report`` (default: the project's): its own metrics, then its parents.

    ``figures`` replaces the report's figures table (for what-ifs); ``corpus`` is the reports joined on the
    indicator vocabulary (default: the report's parents, ``comparison_corpus``).
    """
    report = report or subject_report()
    figures = report.figures() if figures is None else figures
    reference = load_reference() if reference is None else reference
    corpus = corpus_with(report, comparison_corpus(report) if corpus is None else corpus)
    vocabulary = load_vocabulary() if vocabulary is None else vocabulary
    subject = subject_of(report, reference, corpus)
    inputs = Inputs(figures, reference)
    bases = population_bases(reference, report)
    themes = dict(zip(figures["figure_id"], figures["theme"], strict=True))
    found = observations(vocabulary, corpus, reference, overrides={report.report_id: figures})
    cross, comparator = cross_level_rows(vocabulary, found, themes, subject)
    rows = [evaluate(spec, inputs, bases, "") for spec in read_recipes(report.recipes_path, set(themes), THEMES)]
    rows += [row.as_dict() for row in implied_previous_rows(vocabulary, comparator, themes, parents=False)]
    for basis_id, basis in bases.items():
        specs = per_capita_specs(vocabulary, comparator, themes, basis)
        rows += [evaluate(spec, inputs, bases, basis_id) for spec in specs]
    parents = list(parent_per_capita_rows(comparator, vocabulary, themes))
    cross += [*implied_previous_rows(vocabulary, comparator, themes, parents=True), *(p.row for p in parents)]
    shares = [r for r in cross if any(r.metric_id.endswith(f"_share_of_{p}") for p in subject.parent_ids)]
    cross += population_rows(comparator, bases, shares)
    rows += [row.as_dict() for row in cross]
    table = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    table = with_relative_per_capita(table, parents, comparator, vocabulary)
    table = with_basis_ranges(table, [b for b, basis in bases.items() if basis.matches_report_scope])
    duplicated = table.duplicated(["metric_id", "population_basis"])
    if duplicated.any():
        raise ValueError(f"duplicate metric rows: {table.loc[duplicated, 'metric_id'].tolist()}")
    return table


def write_outputs(output_dir: Path) -> tuple[Path, Path]:
    """Write derived_metrics.csv and audit_findings.csv (UTF-8) into ``output_dir``, creating it."""
    figures = subject_report().figures()
    reference = load_reference()
    metrics = build_derived_metrics(figures, reference)
    findings = run_audit(figures, metrics, reference)
    output_dir.mkdir(parents=True, exist_ok=True)
    metrics_path, findings_path = output_dir / "derived_metrics.csv", output_dir / "audit_findings.csv"
    metrics.to_csv(metrics_path, index=False, encoding="utf-8")
    with_rule_names(findings).to_csv(findings_path, index=False, encoding="utf-8")
    return metrics_path, findings_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.analysis.metrics OUTPUT_DIR``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.analysis.metrics", description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder to write derived_metrics.csv and audit_findings.csv")
    args = parser.parse_args(argv)
    try:
        written = write_outputs(args.output_dir)
    except (FiguresValidationError, ReportFolderError) as error:
        print(f"error: invalid data: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write to {args.output_dir}: {error.strerror or error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

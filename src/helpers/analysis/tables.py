"""The analysis of a report in one call: its validated figures, the reference, the derived metrics and the audit.

Notebooks, the exports and the tests need the same four tables, which take about 0.3 s to compute. They are
cached on the content of every file they are computed from (:mod:`helpers.sources.cache`): a batch computes
them once per worker, and an edited file is read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.analysis.audit import run_audit
from helpers.analysis.indicators import Observation, Vocabulary, load_vocabulary, observations
from helpers.analysis.metrics import build_derived_metrics
from helpers.analysis.subject import Subject, subject_of
from helpers.sources.cache import cached
from helpers.sources.population import PopulationBasis
from helpers.sources.reference import Reference, load_reference, population_bases
from helpers.sources.registry import ReportSource, analysis_inputs, comparison_corpus, load_report


@dataclass(frozen=True)
class Analysis:
    """The four tables every report shows, with the report they are of and its population bases."""

    figures: pd.DataFrame
    reference: Reference
    metrics: pd.DataFrame
    findings: pd.DataFrame
    report: ReportSource
    bases: dict[str, PopulationBasis]
    #: The area the report speaks for, its year and its parents.
    subject: Subject
    #: Every mapped value of the report and its parents (what the growth chart sets side by side).
    observations: list[Observation]
    vocabulary: Vocabulary


def _compute(report_dir: Path, reference_dir: Path) -> Analysis:
    report = load_report(report_dir)
    figures = report.figures()
    reference = load_reference(reference_dir)
    metrics = build_derived_metrics(figures, reference, report=report)
    findings = run_audit(figures, metrics, reference, report=report)
    corpus = comparison_corpus(report)
    subject = subject_of(report, reference, corpus)
    vocabulary = load_vocabulary()
    found = observations(vocabulary, corpus, reference, {report.report_id: figures})
    areas = {subject.entity_id, *subject.parent_ids}
    return Analysis(
        figures,
        reference,
        metrics,
        findings,
        report,
        population_bases(reference, report),
        subject,
        [o for o in found if o.entity in areas],
        vocabulary,
    )


def load_analysis(report_dir: Path, reference_dir: Path) -> Analysis:
    """Figures, reference, metrics and findings of ``report_dir``; computed once per content of its inputs."""
    inputs = analysis_inputs(report_dir, reference_dir).values()
    # The report analysed is part of the key: every report of the corpus reads the same files, its own among them.
    kind = f"analysis of {report_dir.resolve()} with {reference_dir.resolve()}"
    return cached(kind, inputs, lambda: _compute(report_dir, reference_dir))

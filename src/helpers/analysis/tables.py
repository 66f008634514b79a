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
from helpers.analysis.metrics import build_derived_metrics
from helpers.sources.cache import cached
from helpers.sources.reference import Reference, load_reference
from helpers.sources.registry import analysis_inputs, load_report


@dataclass(frozen=True)
class Analysis:
    """The four tables every report shows."""

    figures: pd.DataFrame
    reference: Reference
    metrics: pd.DataFrame
    findings: pd.DataFrame


def _compute(report_dir: Path, reference_dir: Path) -> Analysis:
    figures = load_report(report_dir).figures()
    reference = load_reference(reference_dir)
    metrics = build_derived_metrics(figures, reference)
    return Analysis(figures, reference, metrics, run_audit(figures, metrics, reference))


def load_analysis(report_dir: Path, reference_dir: Path) -> Analysis:
    """Figures, reference, metrics and findings of ``report_dir``; computed once per content of its inputs."""
    inputs = analysis_inputs(report_dir, reference_dir).values()
    return cached("analysis", inputs, lambda: _compute(report_dir, reference_dir))

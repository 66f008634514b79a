"""One row of the derived-metrics table, as every recipe builds it, and the table's columns and statuses."""

from __future__ import annotations

import math
from dataclasses import dataclass

from helpers.analysis.indicators import Observation
from helpers.bilingual import Bilingual
from helpers.sources.intervals import Estimate

METRIC_COLUMNS: tuple[str, ...] = (
    "metric_id",
    "theme",
    "label_en",
    "label_zh",
    "value",
    "low",
    "high",
    "unit",
    "formula",
    "inputs",
    "population_basis",
    "status",
    "note",
    "note_zh",
    "evidence",
    "basis_low",
    "basis_high",
)
STATUSES: tuple[str, ...] = ("ok", "derived", "scope_mismatch", "implausible", "missing")


@dataclass(frozen=True)
class Row:
    """One row of the derived-metrics table (see ``helpers.analysis.metrics.METRIC_COLUMNS``)."""

    metric_id: str
    theme: str
    label_en: str
    label_zh: str
    estimate: Estimate | None
    unit: str
    formula: str
    inputs: tuple[str, ...]
    status: str
    note: Bilingual
    population_basis: str = ""
    evidence: str = ""

    def as_dict(self) -> dict[str, object]:
        """The row as the table holds it (NaN where there is no value)."""
        value, low, high = self.estimate.as_tuple() if self.estimate else (math.nan, math.nan, math.nan)
        return {
            "metric_id": self.metric_id,
            "theme": self.theme,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "value": value,
            "low": low,
            "high": high,
            "unit": self.unit,
            "formula": self.formula,
            "inputs": ";".join(self.inputs),
            "population_basis": self.population_basis,
            "status": self.status,
            "note": self.note.en,
            "note_zh": self.note.zh,
            "evidence": self.evidence,
        }


def evidence_of(*found: Observation) -> str:
    """Where each side was printed: source and verbatim quote."""
    return " | ".join(f"{o.qualified_id} ({o.source_label}): «{o.quote}»" for o in found)

"""Metric recipes: a formula over terms with its labels and unit, and the per-report recipe table.

What a report states that no generic recipe covers (a structure ratio inside the area, a total implied by a
share the report prints) is a row of ``metrics.csv`` beside the report: ``metric_id, recipe, theme, label_en,
label_zh, unit, left, right, status, note, note_zh``, where ``left`` and ``right`` are figure ids of the report
or ``reference:<comparator id>``. The recipes (``percent_of``, ``ratio``, ``total_from_share``,
``previous_from_growth``, ``difference``) are the same for every report; nothing here names a figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from helpers.analysis.terms import Inputs, Term, cmp, fig
from helpers.bilingual import NONE, Bilingual, join_notes
from helpers.sources.figures import FiguresValidationError, read_csv_as_text
from helpers.sources.intervals import Estimate
from helpers.sources.population import PopulationBasis
from helpers.sources.reference import MissingComparatorError

RECIPE_COLUMNS: tuple[str, ...] = (
    "metric_id",
    "recipe",
    "theme",
    "label_en",
    "label_zh",
    "unit",
    "left",
    "right",
    "status",
    "note",
    "note_zh",
)
#: Statuses a recipe row may set by hand (a scope its terms do not share); the others are computed.
SET_STATUSES: tuple[str, ...] = ("ok", "scope_mismatch")
REFERENCE_PREFIX = "reference:"


@dataclass(frozen=True)
class MetricSpec:
    """How to compute one metric: a formula over terms, with its labels and unit."""

    metric_id: str
    theme: str
    label_en: str
    label_zh: str
    unit: str
    terms: tuple[Term, ...]
    compute: Callable[..., Estimate]
    formula: str
    status: str = "ok"
    note: Bilingual = NONE
    #: Returns a reason when the computed value cannot be true (the row's status becomes ``implausible``).
    check: Callable[[Estimate, list[Estimate]], Bilingual] | None = None


def ratio(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    part: Term,
    whole: Term,
    *,
    percent: bool = True,
    status: str = "ok",
    note: Bilingual = NONE,
) -> MetricSpec:
    """Part / whole (× 100 for a percent)."""
    factor = 100.0 if percent else 1.0
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        "percent" if percent else "ratio",
        (part, whole),
        lambda a, b: (a / b).scale(factor),
        f"{part} / {whole}" + (" × 100" if percent else ""),
        status,
        note,
    )


def _total_at_least_part(result: Estimate, values: list[Estimate]) -> Bilingual:
    """A total implied by a share cannot be smaller than the part it contains."""
    if result.high < values[0].low:
        return Bilingual(
            "implausible: the implied total is smaller than the part it contains, so the printed share cannot be true",
            "不合理：推算出的总量小于其所含部分，原文所载比重不可能成立",
        )
    return NONE


#: The recipes of two terms whose value is in the row's own unit: how each computes from (left, right), its
#: formula, and the check of its result (or None). Each is also a function of its name below.
_IN_UNIT: dict[str, tuple[Callable[..., Estimate], str, Callable[[Estimate, list[Estimate]], Bilingual] | None]] = {
    "previous_from_growth": (lambda v, g: v / (g.scale(0.01) + 1.0), "{left} / (1 + {right} / 100)", None),
    "total_from_share": (lambda p, s: p / s.scale(0.01), "{left} / ({right} / 100)", _total_at_least_part),
    "difference": (lambda a, b: a - b, "{left} − {right}", None),
}


def recipe_in_unit(
    recipe: str,
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    left: Term,
    right: Term,
    unit: str,
    note: Bilingual = NONE,
    status: str = "ok",
) -> MetricSpec:
    """The spec of a recipe of two terms in ``unit``: ``previous_from_growth``, ``total_from_share``, ``difference``."""
    compute, formula, check = _IN_UNIT[recipe]
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        unit,
        (left, right),
        compute,
        formula.format(left=left, right=right),
        status,
        note,
        check=check,
    )


#: The previous-year level implied by a level and its growth rate: level / (1 + g/100).
previous_from_growth = partial(recipe_in_unit, "previous_from_growth")
#: The comparator total implied by a part and the share it is said to be: part / (share / 100).
total_from_share = partial(recipe_in_unit, "total_from_share")
#: Left − right, for levels in the same unit (also the previous-year level implied by a change).
difference = partial(recipe_in_unit, "difference")


def term(text: str) -> Term:
    """A term as a recipe table writes it: a figure id, or ``reference:<comparator id>``."""
    return cmp(text.removeprefix(REFERENCE_PREFIX)) if text.startswith(REFERENCE_PREFIX) else fig(text)


def _from_row(row: dict[str, str]) -> MetricSpec:
    """One recipe row as a spec (its recipe and unit already checked)."""
    left, right, note = term(row["left"]), term(row["right"]), Bilingual(row["note"], row["note_zh"])
    labels = (row["metric_id"], row["theme"], row["label_en"], row["label_zh"])
    status = row["status"] or "ok"
    if row["recipe"] in ("percent_of", "ratio"):
        return ratio(*labels, left, right, percent=row["recipe"] == "percent_of", status=status, note=note)
    return recipe_in_unit(row["recipe"], *labels, left, right, row["unit"], note, status)


RECIPES: tuple[str, ...] = ("percent_of", "ratio", "total_from_share", "previous_from_growth", "difference")


def read_recipes(path: Path, figure_ids: set[str], themes: tuple[str, ...]) -> list[MetricSpec]:
    """A report's ``metrics.csv`` as specs (none without the file); every bad cell is named at once."""
    if not path.is_file():
        return []
    table = read_csv_as_text(path)
    absent = [c for c in RECIPE_COLUMNS if c not in table.columns]
    if absent:
        raise FiguresValidationError(str(path), [f"missing columns {absent}"])
    problems: list[str] = []
    for line, row in enumerate(table.to_dict("records"), 2):
        if row["recipe"] not in RECIPES:
            problems.append(f"line {line}: recipe {row['recipe']!r} is not one of {', '.join(RECIPES)}")
        if row["theme"] not in themes:
            problems.append(f"line {line}: theme {row['theme']!r} is not one of {', '.join(themes)}")
        expected = {"percent_of": "percent", "ratio": "ratio"}.get(row["recipe"])
        if (expected and row["unit"] != expected) or not row["unit"]:
            problems.append(f"line {line}: unit {row['unit']!r} does not fit recipe {row['recipe']!r}")
        if row["status"] not in ("", *SET_STATUSES):
            problems.append(f"line {line}: status {row['status']!r} is not one of {', '.join(SET_STATUSES)}")
        for side in ("left", "right"):
            if not row[side].startswith(REFERENCE_PREFIX) and row[side] not in figure_ids:
                problems.append(f"line {line}: {side} {row[side]!r} is no figure of the report")
        if bool(row["note"]) != bool(row["note_zh"]):
            problems.append(f"line {line}: note and note_zh must both be given or both empty")
    duplicated = table["metric_id"][table["metric_id"].duplicated()].tolist()
    problems += [f"metric_id {m!r} is defined twice" for m in duplicated]
    if problems:
        raise FiguresValidationError(str(path), problems)
    return [_from_row(row) for row in table.to_dict("records")]


def evaluate(spec: MetricSpec, inputs: Inputs, bases: dict[str, PopulationBasis], basis_id: str) -> dict:
    """One row of the table; a missing comparator gives a row with status missing and the reason."""
    row = {
        "metric_id": spec.metric_id,
        "theme": spec.theme,
        "label_en": spec.label_en,
        "label_zh": spec.label_zh,
        "unit": spec.unit,
        "formula": spec.formula,
        "population_basis": basis_id,
        "inputs": ";".join(_input_ids(spec, bases)),
        "status": spec.status,
        "note": spec.note.en,
        "note_zh": spec.note.zh,
    }
    try:
        values = [bases[t.ident].estimate if t.source == "pop" else inputs.get(t) for t in spec.terms]
    except MissingComparatorError as missing:
        reason = Bilingual(
            f"missing comparator {missing.comparator_id}: {missing.reasons.en}",
            f"缺少对比数据 {missing.comparator_id}：{missing.reasons.zh}",
        )
        note = join_notes(reason, spec.note)
        return {
            **row,
            "value": math.nan,
            "low": math.nan,
            "high": math.nan,
            "status": "missing",
            "note": note.en,
            "note_zh": note.zh,
        }
    result = spec.compute(*values)
    problem = spec.check(result, values) if spec.check else ""
    if problem:
        note = join_notes(problem, spec.note)
        row["status"], row["note"], row["note_zh"] = "implausible", note.en, note.zh
    return {**row, "value": result.value, "low": result.low, "high": result.high}


def _input_ids(spec: MetricSpec, bases: dict[str, PopulationBasis]) -> list[str]:
    """The figure and comparator ids a metric reads (a population basis expands to its own inputs)."""
    ids: list[str] = []
    for item in spec.terms:
        ids.extend(bases[item.ident].inputs if item.source == "pop" else [item.ident])
    return ids


CHECK_COLUMNS: tuple[str, ...] = ("check", "item", "against")
#: What a claim of the report is checked against: its total (``part_of``), its parts (``sum_of``, ``;``-separated),
#: the computed metric that says the same (``stated_share``, ``stated_gap``: a metric id).
CHECKS: tuple[str, ...] = ("part_of", "sum_of", "stated_share", "stated_gap")


@dataclass(frozen=True)
class Check:
    """A claim of the report for the audit: its kind, the item (a term) and what it is checked against."""

    check: str
    item: Term
    against: tuple[str, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms it is checked against (for ``part_of`` and ``sum_of``)."""
        return tuple(term(text) for text in self.against)


def read_checks(path: Path, figure_ids: set[str]) -> list[Check]:
    """A report's ``checks.csv`` (none without the file); every bad cell is named at once."""
    if not path.is_file():
        return []
    table = read_csv_as_text(path)
    absent = [c for c in CHECK_COLUMNS if c not in table.columns]
    if absent:
        raise FiguresValidationError(str(path), [f"missing columns {absent}"])
    problems: list[str] = []
    checks: list[Check] = []
    for line, row in enumerate(table.to_dict("records"), 2):
        against = tuple(filter(None, row["against"].split(";")))
        if row["check"] not in CHECKS:
            problems.append(f"line {line}: check {row['check']!r} is not one of {', '.join(CHECKS)}")
        named = [row["item"], *(against if row["check"] in ("part_of", "sum_of") else ())]
        problems += [
            f"line {line}: {text!r} is no figure of the report"
            for text in named
            if not text.startswith(REFERENCE_PREFIX) and text not in figure_ids
        ]
        if not against:
            problems.append(f"line {line}: 'against' is empty")
        checks.append(Check(row["check"], term(row["item"]), against))
    if problems:
        raise FiguresValidationError(str(path), problems)
    return checks

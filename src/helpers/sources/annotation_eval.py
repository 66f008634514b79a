"""Measure the annotator against hand-labelled mentions (``data/annotation_gold/labels.csv``).

Independent of the test suite: ``python -m helpers.sources.annotation_eval`` prints four accuracies, per
report and overall, and the disagreements with ``--errors``. A gold mention the annotator did not find (no
annotation starting at the same offset) counts as wrong on every measure it enters.

A second, held-out check reads the Jinshui figures and excluded tables, curated by hand before the annotator
existed, as labels (every figure a quantity, every excluded number a name; all of it review). Their
conventions differ in one place: the curated table keeps a cut (最高可降40%) as a positive rate.

- name decision: ``is_quantity`` right, over all gold mentions;
- value: among gold quantities, the value equal within 1e-6 (relative);
- qualifier: among gold quantities, the qualifier equal;
- section: among gold quantities, ``plan`` vs ``review`` (and ``other``) equal.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import pandas as pd

from helpers import paths
from helpers.sources.annotate import annotate_text
from helpers.sources.figures import claimed_positions
from helpers.sources.registry import get_report

GOLD_CSV = "labels.csv"
#: The targets the annotator must meet (issue: name decision 90%, value 90%, qualifier 85%, section 85%).
TARGETS: dict[str, float] = {"name_decision": 0.90, "value": 0.90, "qualifier": 0.85, "section": 0.85}


@dataclass(frozen=True)
class Score:
    """Right and total for one measure."""

    right: int
    total: int

    @property
    def accuracy(self) -> float:
        """Right / total (1.0 for an empty measure)."""
        return self.right / self.total if self.total else 1.0


def load_gold() -> pd.DataFrame:
    """The hand-labelled mentions, typed."""
    gold = pd.read_csv(paths.ANNOTATION_GOLD_DIR / GOLD_CSV, dtype=str, keep_default_na=False, encoding="utf-8")
    gold["start"] = gold["start"].astype(int)
    gold["is_quantity"] = gold["is_quantity"].eq("true")
    return gold


def gold_from_curated(report_id: str = "jinshui-2020") -> pd.DataFrame:
    """Labels in the gold format from a report's curated figures and excluded tables."""
    report = get_report(report_id)
    text, origin = report.text, report.mapped.origin
    rows = []
    for row in report.figures().itertuples():
        for position in claimed_positions(text, row.quote, row.value_as_printed):
            rows.append((origin[position], row.value_as_printed, True, f"{row.value!r}", row.qualifier, row.section))
    for row in report.excluded().itertuples():
        for position in claimed_positions(text, row.quote, row.token):
            rows.append((origin[position], row.token, False, "", "", "review"))
    frame = pd.DataFrame(rows, columns=["start", "token", "is_quantity", "value", "qualifier", "section"])
    return frame.assign(report=report_id, note="curated table").sort_values("start", ignore_index=True)


def _same_value(gold: str, found: object) -> bool:
    if not gold or found is None or (isinstance(found, float) and math.isnan(found)):
        return False
    return math.isclose(float(gold), float(found), rel_tol=1e-6, abs_tol=1e-9)


def compare(gold: pd.DataFrame) -> pd.DataFrame:
    """One row per gold mention with the annotator's reading beside it and a flag per measure."""
    frames = []
    for report_id, labels in gold.groupby("report", sort=True):
        report = get_report(str(report_id))
        found = annotate_text(report.mapped, year=report.meta.year_reviewed)
        found = found.rename(columns={c: f"{c}_found" for c in found.columns if c != "start"})
        merged = labels.merge(found, on="start", how="left")
        merged["found"] = merged["token_found"].notna()
        frames.append(merged)
    result = pd.concat(frames, ignore_index=True)
    found_quantity = result["is_quantity_found"].map(lambda v: v is True or v == True)  # noqa: E712 (NaN when not found)
    result["name_ok"] = result["found"] & (result["is_quantity"] == found_quantity.astype(bool))
    quantity = result["is_quantity"]
    pairs = zip(result["value"], result["value_found"], result["found"], strict=True)
    same = [bool(found) and _same_value(gold, value) for gold, value, found in pairs]
    result["value_ok"] = quantity & pd.Series(same, index=result.index, dtype=bool)
    result["qualifier_ok"] = quantity & result["found"] & (result["qualifier"] == result["qualifier_found"])
    result["section_ok"] = result["found"] & (result["section"] == result["section_found"])
    return result


def scores(result: pd.DataFrame) -> dict[str, Score]:
    """The four measures over a comparison frame."""
    quantities = result[result["is_quantity"]]
    return {
        "name_decision": Score(int(result["name_ok"].sum()), len(result)),
        "value": Score(int(quantities["value_ok"].sum()), len(quantities)),
        "qualifier": Score(int(quantities["qualifier_ok"].sum()), len(quantities)),
        "section": Score(int(quantities["section_ok"].sum()), len(quantities)),
    }


def render(result: pd.DataFrame) -> str:
    """A Markdown table: one row per report and overall, a column per measure (accuracy, right/total)."""
    lines = [
        "| report | mentions | name decision | value | qualifier | section |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups = [*result.groupby("report", sort=True), ("all", result)]
    for name, part in groups:
        measured = scores(part)
        cells = [f"{s.accuracy:.1%} ({s.right}/{s.total})" for s in measured.values()]
        lines.append(f"| {name} | {len(part)} | " + " | ".join(cells) + " |")
    overall = scores(result)
    verdict = ", ".join(
        f"{name} {'met' if overall[name].accuracy >= target else 'MISSED'} (target {target:.0%})"
        for name, target in TARGETS.items()
    )
    return "\n".join([*lines, "", f"Targets: {verdict}."])


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table; with ``--errors``, every disagreement. Exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m helpers.sources.annotation_eval", description=main.__doc__)
    parser.add_argument("--errors", action="store_true", help="list every mention where the annotator disagrees")
    args = parser.parse_args(argv)
    result = compare(load_gold())
    print(render(result))
    held_out = scores(compare(gold_from_curated()))
    cells = ", ".join(f"{name} {score.accuracy:.1%} ({score.right}/{score.total})" for name, score in held_out.items())
    print(f"\nJinshui's curated tables (made before the annotator, which was then adjusted on them once): {cells}.")
    if args.errors:
        columns = [
            "report",
            "start",
            "token",
            "is_quantity",
            "is_quantity_found",
            "reason_found",
            "value",
            "value_found",
        ]
        columns += ["qualifier", "qualifier_found", "section", "section_found", "note"]
        quantity_ok = result["value_ok"] & result["qualifier_ok"] & result["section_ok"]
        wrong = result[~(result["name_ok"] & (~result["is_quantity"] | quantity_ok))]
        with pd.option_context("display.max_rows", None, "display.width", 250, "display.max_colwidth", 40):
            print(wrong[columns].to_string(index=False))
    overall = scores(result)
    return 0 if all(overall[k].accuracy >= t for k, t in TARGETS.items()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

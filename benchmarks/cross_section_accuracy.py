"""The corpus run's cross-section against the hand labels: GDP and budget revenue, level and growth.

Reads ``DIR/data/corpus_figures.csv`` of a finished ``gov-report corpus run --output DIR`` (its ``used`` rows
are the values the cross-section shows) and the three hand-labelled samples of ``data/annotation_gold/``
(51 reports, labelled without the program's output), and classes every (report, indicator) pair as the
recognizer benchmark does: correct, wrong value, missed, false figure.

Usage: .venv/bin/python benchmarks/cross_section_accuracy.py DIR
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gold_labels import CLASSES, classify

ROOT = Path(__file__).resolve().parent.parent
GOLD = [ROOT / "data" / "annotation_gold" / name for name in
        ("corpus_sample.csv", "corpus_sample_heldout.csv", "corpus_sample_test.csv")]  # fmt: skip
INDICATORS = ("gdp", "gdp_growth", "budget_revenue", "budget_revenue_growth")


def main() -> None:
    """Print a Markdown table per indicator and every error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    used: dict[tuple[str, str], float] = {}
    with (args.output / "data" / "corpus_figures.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["status"] == "used":
                used[(row["source_path"], row["indicator"])] = float(row["value"])
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    errors = []
    reports = set()
    for path in GOLD:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["indicator"] not in INDICATORS:
                    continue
                reports.add(row["source_path"])
                found = used.get((row["source_path"], row["indicator"]))
                outcome = classify(row["status"], row["value"], found)
                counts[row["indicator"]][outcome] += 1
                if outcome != "correct":
                    errors.append(f"- {row['source_path']} {row['indicator']}: {outcome} (gold {row['value'] or '—'}, "
                                  f"shown {found})")  # fmt: skip
    print(f"{len(reports)} reports\n\n| indicator | " + " | ".join(CLASSES) + " | accuracy |")
    print("| --- |" + " ---: |" * (len(CLASSES) + 1))
    total: Counter[str] = Counter()
    for indicator in INDICATORS:
        counter = counts[indicator]
        total.update(counter)
        cells = " | ".join(str(counter[c]) for c in CLASSES)
        print(f"| {indicator} | {cells} | {counter['correct'] / max(sum(counter.values()), 1):.1%} |")
    cells = " | ".join(str(total[c]) for c in CLASSES)
    print(f"| **all** | {cells} | **{total['correct'] / max(sum(total.values()), 1):.1%}** |\n")
    print("\n".join(errors))


if __name__ == "__main__":
    main()

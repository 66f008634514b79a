"""The drafted figures of `jinshui-report add` against hand labels: is the year's level and growth right?

The gold sample (data/annotation_gold/corpus_sample.csv: 16 corpus reports, 13 indicators each, labelled by hand
without the program's output) says per report and indicator what the text states for 2020, or that it states
nothing. Each report is added into a temporary folder; its drafted figures.csv is read and every (report,
indicator) pair is classed:

- correct: stated, and drafted with the same value (base units, within 0.5% for rounding of 亿 / 万), or not
  stated and not drafted;
- wrong value: stated and drafted with another value (a five-year total or a target taken for the year's level);
- missed: stated, not drafted;
- false figure: not stated, but drafted (the dangerous kind: a number that does not exist).

Usage: .venv/bin/python benchmarks/recognizer_accuracy.py CORPUS_DIR [--gold LABELS.csv]
(CORPUS_DIR: the folder holding MANIFEST.csv's paths). corpus_sample.csv is the sample the rules were tuned on;
corpus_sample_heldout.csv (20 other reports) was labelled while the rules were changed and scored once they stood.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gold_labels import CLASSES, classify

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data" / "annotation_gold" / "corpus_sample.csv"
#: Gold indicator names → the vocabulary's codes (data/indicators/indicators.csv).
CODES = {
    "trade": "foreign_trade",
    "trade_growth": "foreign_trade_growth",
    "disposable_income": "per_capita_disposable_income",
    "disposable_income_urban": "urban_per_capita_disposable_income",
    "disposable_income_growth": "per_capita_disposable_income_growth",
}


#: The corpus's committed corrections of inferred metadata (a text whose opening names no place): the same flags
#: the corpus table was made with.
OVERRIDES = ROOT / "data" / "corpus" / "overrides.csv"


def _flags(source_path: str) -> list[str]:
    """``--entity`` / ``--level`` where overrides.csv corrects this text's inferred metadata."""
    with OVERRIDES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source_path"] == source_path:
                return [f for key in ("entity", "level") if row[key] for f in (f"--{key}", row[key])]
    return []


def drafted(text: Path, reports: Path, source_path: str) -> dict[str, float]:
    """Add one text into ``reports`` and return its drafted figures: indicator code → value in base units."""
    before = set(reports.iterdir())
    command = [str(Path(sys.executable).with_name("jinshui-report")), "add", str(text), "--reports-dir", str(reports)]
    result = subprocess.run([*command, *_flags(source_path)], capture_output=True, text=True, check=False)
    added = set(reports.iterdir()) - before
    if result.returncode != 0 or len(added) != 1:
        print(f"{text}: add failed: {result.stderr.strip()}", file=sys.stderr)
        return {}
    with (added.pop() / "figures.csv").open(encoding="utf-8") as handle:
        return {row["figure_id"]: float(row["value"]) for row in csv.DictReader(handle)}


def main() -> None:
    """Add every gold report, class every gold row, print a Markdown table per indicator and the total."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--gold", type=Path, default=GOLD, help=f"hand labels (default: {GOLD.relative_to(ROOT)})")
    args = parser.parse_args()
    with args.gold.open(encoding="utf-8") as handle:
        gold = list(csv.DictReader(handle))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    examples: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        figures = {
            path: drafted(args.corpus / path, Path(folder), path)
            for path in dict.fromkeys(r["source_path"] for r in gold)
        }
    for row in gold:
        code = CODES.get(row["indicator"], row["indicator"])
        found = figures[row["source_path"]].get(code)
        outcome = classify(row["status"], row["value"], found)
        counts[row["indicator"]][outcome] += 1
        if outcome != "correct":
            examples.append(
                f"- {row['source_path']} {row['indicator']}: {outcome} (gold {row['value'] or '—'}, drafted {found})"
            )
    print("| indicator | " + " | ".join(CLASSES) + " | accuracy |")
    print("| --- |" + " ---: |" * (len(CLASSES) + 1))
    total: Counter[str] = Counter()
    for indicator, counter in counts.items():
        total.update(counter)
        cells = " | ".join(str(counter[c]) for c in CLASSES)
        print(f"| {indicator} | {cells} | {counter['correct'] / sum(counter.values()):.0%} |")
    cells = " | ".join(str(total[c]) for c in CLASSES)
    print(f"| **all** | {cells} | **{total['correct'] / sum(total.values()):.1%}** |")
    print("\n" + "\n".join(examples))


if __name__ == "__main__":
    main()

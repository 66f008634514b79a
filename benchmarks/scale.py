"""How the batch's time grows with the number of notebooks and with --jobs.

Copies of the collection (8 notebooks, both languages: 16 pages per copy) go into a temporary folder, each
copy's notebooks renamed (``c2_02_economy``) and writing its own results file; ``jinshui-report run --force
--notebooks FOLDER`` then runs them with ``--jobs`` 1 and 2. A warm-up run first, so that every measured run
finds the same disk caches. Per run: wall seconds, seconds per page, peak memory of the process tree.

Usage: .venv/bin/python benchmarks/scale.py [--counts 8 16 32] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run_benchmark import BIN, ROOT, measure

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def make_collection(folder: Path, count: int) -> None:
    """``count`` notebooks: the collection, then renamed copies of it."""
    folder.mkdir(parents=True)
    for index in range(count):
        source = NOTEBOOKS[index % len(NOTEBOOKS)]
        copy = index // len(NOTEBOOKS)
        stem = source.stem if copy == 0 else f"c{copy + 1}_{source.stem}"
        text = source.read_text(encoding="utf-8")
        text = text.replace(f'report.write_results(ctx, \\"{source.stem}\\"', f'report.write_results(ctx, \\"{stem}\\"')
        (folder / f"{stem}.ipynb").write_text(text, encoding="utf-8")


def main() -> None:
    """Print a Markdown table: notebooks, pages, jobs, wall, seconds per page, peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        warm = base / "warm"
        make_collection(warm, len(NOTEBOOKS))
        measure(
            [[str(BIN / "jinshui-report"), "run", "--force", "--notebooks", str(warm), "--output", str(base / "w")]]
        )
        for count in args.counts:
            folder = base / f"n{count}"
            make_collection(folder, count)
            for jobs in args.jobs:
                output = base / f"out-{count}-{jobs}"
                command = [str(BIN / "jinshui-report"), "run", "--force", "--notebooks", str(folder),
                           "--output", str(output), "--jobs", str(jobs)]  # fmt: skip
                result = measure([command])
                pages = len(json.loads((output / "manifest.json").read_text(encoding="utf-8"))["notebooks"])
                rows.append((count, pages, jobs, result["wall_s"], result["peak_mib"]))
                print(count, jobs, result, file=sys.stderr)
    print(f"{os.cpu_count()} CPUs\n")
    print("| notebooks | pages | --jobs | wall (s) | s per page | peak memory (MiB) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, pages, jobs, wall, peak in rows:
        print(f"| {count} | {pages} | {jobs} | {wall:.1f} | {wall / pages:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()

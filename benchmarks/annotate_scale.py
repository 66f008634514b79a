"""How ``jinshui-report annotate``'s time grows with the length of the text (issue 19).

A report text is repeated (paragraphs apart) to 0.5, 1 and 2 MB of UTF-8 and written to a temporary file.
For each size: ``annotate_file`` in this process (median of ``--repeat`` runs, wall and CPU seconds, the
clause cache emptied before each), the clause of every mention found by this code's ``clause_at`` and by
the naive one it replaced (the same spans, the same run; the results are checked equal), and the command
line as a user runs it (``jinshui-report annotate FILE -o OUT.csv``: a new process, imports included).
``--before COMMIT`` also runs the command line of that commit's code on the same files (its ``src/``
exported with ``git archive``), stopped after ``--before-timeout`` seconds.

Usage: .venv/bin/python benchmarks/annotate_scale.py [--sizes 0.5 1 2] [--repeat 3] [--text PATH ...]
       [--before COMMIT] [--before-timeout 300]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from helpers.sources import text as text_module
from helpers.sources.annotate import annotate_file
from helpers.sources.extract import extract_mentions
from helpers.sources.text import CLAUSE_DELIMITERS, normalize, read_text_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEXTS = [
    ROOT / "data/reports/jinshui-2020/jinshui-2020-government-work-report.txt",
    ROOT / "data/reports/china-2020-communique/china-2020-statistical-communique.md",
]


def naive_clause_at(text: str, start: int, end: int) -> str:
    """``clause_at`` before issue 19: two scans of the text per delimiter, for every mention."""
    left = max(text.rfind(d, 0, start) for d in CLAUSE_DELIMITERS) + 1
    right_candidates = [i for i in (text.find(d, end) for d in CLAUSE_DELIMITERS) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right].strip()


def repeated(source: Path, megabytes: float, target: Path) -> None:
    """Write ``source`` repeated, paragraphs apart, to at least ``megabytes`` MB of UTF-8."""
    raw = read_text_file(source)
    copies = max(1, -(-int(megabytes * 1_000_000) // len(raw.encode("utf-8"))))
    target.write_text("\n\n".join([raw] * copies), encoding="utf-8")


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_command(command: list[str], timeout: float, env: dict[str, str] | None = None) -> float | None:
    """Wall seconds of a command that must succeed; None when it was stopped at ``timeout``."""
    start = time.perf_counter()
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def export_source(commit: str, folder: Path) -> Path:
    """The ``src/`` folder of ``commit``, exported into ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def measure(path: Path, repeat: int, before: Path | None, before_timeout: float) -> dict[str, float | None]:
    """Every figure of one size of one text."""
    runs = []
    for _ in range(repeat):
        text_module._clause_delimiter_positions.cache_clear()
        runs.append(timed(lambda: annotate_file(path)))
    text = normalize(read_text_file(path)).text
    spans = [(m.start, m.end) for m in extract_mentions(text)]
    text_module._clause_delimiter_positions.cache_clear()
    fast: list[str] = []
    naive: list[str] = []
    clause_new = timed(lambda: fast.extend(text_module.clause_at(text, s, e) for s, e in spans))[1]
    clause_naive = timed(lambda: naive.extend(naive_clause_at(text, s, e) for s, e in spans))[1]
    assert fast == naive, f"{path}: the clauses differ"
    out = path.with_suffix(".csv")
    cli = timed_command([str(BIN / "jinshui-report"), "annotate", str(path), "-o", str(out)], timeout=3600)
    figures: dict[str, float | None] = {
        "mb": path.stat().st_size / 1e6,
        "mentions": len(spans),
        "wall": statistics.median(w for w, _ in runs),
        "cpu": statistics.median(c for _, c in runs),
        "clause_new": clause_new,
        "clause_naive": clause_naive,
        "cli": cli,
        "before": None,
    }
    if before is not None:
        env = {**os.environ, "PYTHONPATH": str(before), "JINSHUI_ROOT": str(ROOT)}
        command = [sys.executable, "-m", "helpers.publish.cli", "annotate", str(path), "-o", str(out)]
        figures["before"] = timed_command(command, before_timeout, env) or float("inf")
    return figures


def _seconds(value: float | None) -> str:
    """Seconds (two decimals below 1 s, else one); '–' when not measured, 'stopped' at the timeout."""
    if value is None:
        return "–"
    return "stopped" if value == float("inf") else f"{value:.2f}" if value < 1 else f"{value:.1f}"


def main() -> None:
    """Print a Markdown table per text: size, mentions, times, and the growth against the smallest size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1, 2], help="MB of UTF-8")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", type=Path, action="append", help="a report text to repeat (default: two reports)")
    parser.add_argument("--before", help="also run the command line of this commit's code (e.g. main~1)")
    parser.add_argument("--before-timeout", type=float, default=300)
    args = parser.parse_args()
    print(f"CPU time of this process (annotate, clause_at); wall time of the command lines; {os.cpu_count()} CPUs.")
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        before = export_source(args.before, base / "before") if args.before else None
        for source in args.text or TEXTS:
            print(f"\n{source.name}\n")
            print("| MB | mentions | annotate wall (s) | annotate CPU (s) | CPU × smallest | clause_at (s) "
                  "| naive clause_at (s) | command line (s) | before (s) |")  # fmt: skip
            print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            smallest: float | None = None
            for size in args.sizes:
                path = base / f"{source.stem}-{size}MB{source.suffix}"
                repeated(source, size, path)
                row = measure(path, args.repeat, before, args.before_timeout)
                cpu = row["cpu"] or 0.0
                smallest = smallest or cpu
                cells = [
                    f"{row['mb']:.2f}",
                    f"{row['mentions']:.0f}",
                    *(_seconds(row[key]) for key in ("wall", "cpu")),
                    f"{cpu / smallest:.1f}x",
                    *(_seconds(row[key]) for key in ("clause_new", "clause_naive", "cli", "before")),
                ]
                print("| " + " | ".join(cells) + " |", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()

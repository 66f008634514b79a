"""The corpus run's scale curve, the naive way beside it, and a cluster started with the ``dask`` CLI.

For each count N (10, 40, 160, all): ``gov-report corpus run`` on N reports spread evenly over
``data/corpus/reports.csv`` (their parents drafted beside them), cold (an empty drafts cache, a new output),
default notebooks (the overview in both languages), ``--jobs`` workers. Measured: wall seconds, seconds per
report, CPU seconds of all child processes, peak resident memory of the whole process tree (client, scheduler,
nannies, workers, kernels), and the run's own step times from its manifest.

The naive way, on the first count only: for each report, ``gov-report add`` into a folder, then for each
language the ``papermill`` command line (a new kernel per page) and ``jupyter nbconvert --to html``, one after
the other, as a user without the corpus run would script it. It drafts and makes the same pages, without the
cross-section.

``--scheduler-check``: a scheduler and two workers started with ``dask scheduler`` / ``dask worker``, the same
selection run on them with ``--scheduler`` and in this process with ``--jobs 1``; the tables must be equal.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmark import BIN, ROOT, measure

REPORTS_CSV = ROOT / "data" / "corpus" / "reports.csv"


def spread(count: int | None) -> list[str]:
    """Report ids of ``count`` reports spread evenly over the table (all of them for None)."""
    ids = list(pd.read_csv(REPORTS_CSV, dtype=str)["report_id"])
    if count is None or count >= len(ids):
        return ids
    step = len(ids) / count
    return [ids[int(n * step)] for n in range(count)]


def corpus_command(ids: list[str], output: Path, cache: Path, jobs: int, scheduler: str | None = None) -> list[str]:
    """The command line of a corpus run on ``ids``."""
    command = [str(BIN / "gov-report"), "corpus", "run", "--output", str(output), "--cache", str(cache)]
    command += ["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)]
    for report_id in ids:
        command += ["--select", report_id]
    return command


def naive_commands(ids: list[str], scratch: Path) -> list[list[str]]:
    """add, then papermill and nbconvert per language, for each report, as separate commands."""
    rows = pd.read_csv(REPORTS_CSV, dtype=str, keep_default_na=False).set_index("report_id")
    commands = []
    for report_id in ids:
        row = rows.loc[report_id]
        folder = scratch / "naive" / "data"
        text = ROOT / "data" / "corpus" / "lawtext-gov" / row["source_path"]
        if (ROOT / "data" / "reports" / report_id).is_dir():  # a reviewed report: used as it is, as the run does
            folder = ROOT / "data" / "reports"
        else:
            commands.append(
            [str(BIN / "gov-report"), "add", str(text), "--reports-dir", str(folder), "--id", report_id,
             "--level", row["level"], "--division-code", row["division_code"], "--year-reviewed", row["year_reviewed"],
             "--entity", row["entity_zh"]]
            )  # fmt: skip
        for lang in ("en", "zh"):
            executed = scratch / "naive" / "pages" / report_id / f"00_overview.{lang}.ipynb"
            executed.parent.mkdir(parents=True, exist_ok=True)
            commands.append(
                [str(BIN / "papermill"), str(ROOT / "notebooks" / "00_overview.ipynb"), str(executed),
                 "-p", "report_dir", str(folder / report_id), "-p", "lang", lang, "-p", "output_dir",
                 str(executed.parent), "--no-progress-bar", "--cwd", str(ROOT)]
            )  # fmt: skip
            commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return commands


def run_curve(counts: list[int | None], jobs: int, scratch: Path) -> list[dict[str, object]]:
    """One cold corpus run per count; a row of figures each."""
    rows = []
    for count in counts:
        ids = spread(count)
        output, cache = scratch / f"out-{len(ids)}", scratch / f"cache-{len(ids)}"
        figures = measure([corpus_command(ids, output, cache, jobs)])
        manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
        reports = manifest["reports"]
        ok = sum(r["status"] == "ok" for r in reports.values())
        pages = [p for r in reports.values() for p in r["pages"].values()]
        rows.append(
            {
                "reports": len(ids),
                "ok": ok,
                "wall_s": figures["wall_s"],
                "s_per_report": figures["wall_s"] / len(ids),
                "cpu_s": figures["cpu_s"],
                "peak_mib": figures["peak_mib"],
                "steps": manifest.get("seconds", {}),
                "page_execute_s": statistics.median(p["phases"].get("execute", 0.0) for p in pages) if pages else 0,
                "page_export_s": statistics.median(p["phases"].get("export", 0.0) for p in pages) if pages else 0,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def scheduler_check(scratch: Path, count: int) -> dict[str, object]:
    """The same reports on a ``dask scheduler`` with two ``dask worker`` processes and in this process."""
    ids = spread(count)
    cache = scratch / "cache-cli"
    address_file = scratch / "scheduler.json"
    processes = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--scheduler-file", str(address_file), "--port", "0",
             "--dashboard-address", ":0"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    ]  # fmt: skip
    try:
        for _ in range(300):
            if address_file.exists():
                break
            time.sleep(0.1)
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1"],
                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                )
            )  # fmt: skip
        time.sleep(5)
        cluster = measure([corpus_command(ids, scratch / "cli", cache, 2, scheduler=address)])
        local = measure([corpus_command(ids, scratch / "local", cache, 1)])
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    equal = {
        name: (scratch / "cli" / "data" / name).read_bytes() == (scratch / "local" / "data" / name).read_bytes()
        for name in ("cross_section.csv", "corpus_figures.csv")
    }
    return {"reports": len(ids), "cluster_wall_s": cluster["wall_s"], "local_wall_s": local["wall_s"], "equal": equal}


def main() -> None:
    """Print the scale curve, the naive way's figures and the scheduler check as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", nargs="+", default=["10", "40", "160", "all"])
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--naive", action="store_true", help="also the naive way on the first count")
    parser.add_argument("--scheduler-check", type=int, default=0, metavar="N", help="reports on a dask CLI cluster")
    parser.add_argument("--keep", type=Path, help="an empty folder for the outputs, kept (default: a temporary one)")
    args = parser.parse_args()
    counts = [None if c == "all" else int(c) for c in args.counts]
    with tempfile.TemporaryDirectory(prefix="corpus-scale-") as folder:
        scratch = args.keep or Path(folder)
        scratch.mkdir(parents=True, exist_ok=True)
        if args.scheduler_check:
            print(json.dumps({"scheduler_check": scheduler_check(scratch, args.scheduler_check)}), flush=True)
        if args.naive:
            ids = spread(counts[0])
            naive = measure(naive_commands(ids, scratch))
            print(json.dumps({"naive": {"reports": len(ids), **naive, "s_per_report": naive["wall_s"] / len(ids)}}))
        run_curve(counts, args.jobs, scratch)


if __name__ == "__main__":
    main()

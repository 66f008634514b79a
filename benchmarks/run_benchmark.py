"""Benchmark the batch runner against the naive way, in the same run, on the same notebooks.

Naive: for each notebook, the ``papermill`` command line, then ``jupyter nbconvert --to html``, one after the
other. Batch: ``jinshui-report run --force`` (parallel workers, one warm kernel each, HTML in-process). Both
write every notebook's executed copy and HTML. Measured per command: wall time, CPU time of all child
processes (user + system, kernels included), and peak memory: the largest sum of resident memory over the
whole process tree, sampled every 0.1 s.

Usage: .venv/bin/python benchmarks/run_benchmark.py [--repeat N] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        rss[int(entry.name)] = int(statm[1]) * PAGE
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def measure(commands: list[list[str]]) -> dict[str, float]:
    """Run commands one after another; return wall seconds, child CPU seconds and peak tree memory (MiB).

    A command that fails stops the benchmark, with the end of its stderr.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = 0
    start = time.perf_counter()
    for command in commands:
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
            done = threading.Event()

            def sample(pid: int = process.pid, finished: threading.Event = done) -> None:
                nonlocal peak
                while not finished.is_set():
                    peak = max(peak, _tree_rss(pid))
                    time.sleep(0.1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            code = process.wait()
            done.set()
            sampler.join()
            if code != 0:
                errors.seek(0)
                tail = errors.read().decode(errors="replace")[-3000:]
                raise SystemExit(f"command failed ({code}): {' '.join(command)}\n{tail}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "peak_mib": peak / 2**20}


def naive_commands(output: Path) -> list[list[str]]:
    """papermill then nbconvert, per notebook and language (the batch publishes both), as command lines."""
    commands = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for lang in ("en", "zh"):
            executed = output / f"{notebook.stem}{'' if lang == 'en' else '.' + lang}.ipynb"
            commands.append(
                [str(BIN / "papermill"), str(notebook), str(executed), "-p", "output_dir", str(output),
                 "-p", "lang", lang, "--no-progress-bar"]
            )  # fmt: skip
            commands.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return commands


def main() -> None:
    """Run both ways ``--repeat`` times, alternating; print a Markdown table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"naive": [], "batch": [], "batch_1_job": []}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.repeat):
            for name in results:
                output = Path(scratch) / f"{name}-{round_}"
                if name == "naive":
                    output.mkdir()
                    commands = naive_commands(output)
                else:
                    jobs = "1" if name == "batch_1_job" else str(args.jobs)
                    commands = [
                        [str(BIN / "jinshui-report"), "run", "--force", "--output", str(output), "--jobs", jobs]
                    ]
                results[name].append(measure(commands))
                shutil.rmtree(output, ignore_errors=True)
                print(name, results[name][-1], file=sys.stderr)
    naive_wall = statistics.median(r["wall_s"] for r in results["naive"])
    print(f"{os.cpu_count()} CPUs, {args.repeat} round(s), medians\n")
    print("| way | wall (s) | CPU (s) | peak memory (MiB) | speed-up (wall) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, runs in results.items():
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        peak = statistics.median(r["peak_mib"] for r in runs)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {naive_wall / wall:.1f}x |")


if __name__ == "__main__":
    main()

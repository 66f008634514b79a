"""Fresh clone → first report: how long the README's ``make report`` takes on a new machine, uv against pip.

Each way gets a fresh ``git clone`` of the committed project and an empty HOME (no pip, uv, matplotlib, IPython
or Jupyter cache), then runs, timed one after the other in that clone:

1. ``make setup`` — the virtual environment and the pinned packages (uv: the one on PATH or bootstrapped into
   ``.venv-tools/``; pip: ``INSTALLER=pip``, the way before uv);
2. ``make report`` — the first report, cold (nothing compiled or cached yet but the helpers' bytecode);
3. ``make report`` again after removing ``reports/`` — the same run warm, so that 2 − 3 is what a cold run costs;
4. ``make lint`` — what ``make test`` adds to the set-up before its first test.

Fresh clone → first report is 1 + 2. Packages come from the registry (PyPI here), so the figures include the
downloads. Usage: python3 benchmarks/setup_benchmark.py [--ways uv pip] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("setup", "first report", "warm report", "lint")


def _environment(home: Path) -> dict[str, str]:
    """The caller's environment with an empty HOME and no cache or config folder pointing elsewhere."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("XDG_", "PIP_", "UV_", "MPL", "JUPYTER", "IPYTHON", "VIRTUAL_ENV", "PYTHONDONTWRITE"))
    }
    env["HOME"] = str(home)
    return env


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds one command takes; it must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def measure(way: str, workspace: Path) -> dict[str, float]:
    """The four steps for one way of installing, in a fresh clone with an empty HOME."""
    clone, home = workspace / f"clone-{way}", workspace / f"home-{way}"
    home.mkdir()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = _environment(home)
    installer = [] if way == "uv" else ["INSTALLER=pip"]
    seconds = {"setup": _timed(["make", "setup", *installer], clone, env)}
    seconds["first report"] = _timed(["make", "report"], clone, env)
    shutil.rmtree(clone / "reports")
    seconds["warm report"] = _timed(["make", "report"], clone, env)
    seconds["lint"] = _timed(["make", "lint"], clone, env)
    return seconds


def main() -> None:
    """Measure each way and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ways", nargs="+", choices=("uv", "pip"), default=["uv", "pip"])
    parser.add_argument("--keep", action="store_true", help="keep the clones (printed) for a look")
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="setup-benchmark-"))
    try:
        results = {way: measure(way, workspace) for way in args.ways}
    finally:
        if args.keep:
            print(f"clones kept in {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    print("| way | " + " | ".join(f"{step} (s)" for step in STEPS) + " | fresh clone → first report (s) |")
    print("| --- |" + " ---: |" * (len(STEPS) + 1))
    for way, seconds in results.items():
        cells = " | ".join(f"{seconds[step]:.1f}" for step in STEPS)
        print(f"| {way} | {cells} | {seconds['setup'] + seconds['first report']:.1f} |")


if __name__ == "__main__":
    main()

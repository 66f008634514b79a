"""Where a batch run's time goes, per page: from the run's manifest and its executed notebooks.

The worker records per page the seconds of each phase (execute, reset, export; and, with the first page of
each worker, the start of its kernel, which runs while the runner checks the inputs); papermill records each
cell's duration in the executed notebook. The total is the page's own time plus its kernel's start. Cells
are grouped as the report reads: parameters and validation with data loading (the cell calling
``report.start``), each chart (a cell calling ``report.plot_…``), and the rest (tables and sentences).

Usage: .venv/bin/jinshui-report run --force --output /tmp/profiled
       .venv/bin/python benchmarks/profile_run.py /tmp/profiled
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat


def cell_groups(notebook: Path) -> dict[str, float]:
    """Seconds of the notebook's cells: load (up to ``report.start``), each chart, the other cells."""
    groups = {"load": 0.0, "charts": 0.0, "other cells": 0.0, "chart count": 0.0}
    loading = True  # the parameters, the injected parameters, and the cell that validates and loads
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        seconds = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
        if loading:
            groups["load"] += seconds
            loading = "report.start(" not in cell.source
        elif "report.plot_" in cell.source:
            groups["charts"] += seconds
            groups["chart count"] += 1
        else:
            groups["other cells"] += seconds
    return groups


def main() -> None:
    """Print a Markdown table, one row per page, and the totals."""
    output = Path(sys.argv[1])
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    columns = ["kernel start", "load", "charts", "other cells", "reset", "export", "total"]
    print("| page | " + " | ".join(columns) + " | charts |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " | ---: |")
    totals = dict.fromkeys(columns, 0.0)
    for key, entry in manifest["notebooks"].items():
        phases = entry.get("phases", {})
        cells = cell_groups(output / f"{key}.ipynb")
        row = {
            "kernel start": phases.get("kernel start", 0.0),
            "load": cells["load"],
            "charts": cells["charts"],
            "other cells": cells["other cells"],
            "reset": phases.get("reset", 0.0),
            "export": phases.get("export", 0.0),
            "total": entry["seconds"] + phases.get("kernel start", 0.0),
        }
        for name in columns:
            totals[name] += row[name]
        print(f"| {key} | " + " | ".join(f"{row[c]:.2f}" for c in columns) + f" | {int(cells['chart count'])} |")
    print("| **sum** | " + " | ".join(f"**{totals[c]:.1f}**" for c in columns) + " | |")
    print(f"\nRun: {manifest['run']['seconds']:.1f} s with {manifest['run']['jobs']} workers.")


if __name__ == "__main__":
    main()

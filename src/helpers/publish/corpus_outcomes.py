"""What a corpus run knows of each report: its metadata, its outcome, and what the previous run published.

A report's row and figures are kept beside its pages as JSON (``cross_section.json``: a number stays a number and
an empty text stays empty, where a CSV read back would not), and its fingerprints in the manifest; a report
whose fingerprints are unchanged is taken from there by the next run (:class:`Previous`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.analysis.cross_section import FIGURE_COLUMNS
from helpers.publish.corpus_pages import PageResult, PageTask


@dataclass(frozen=True)
class Item:
    """One text of the corpus to analyse, with its committed metadata."""

    source_path: str
    report_id: str
    level: str
    division_code: str
    parent_code: str
    year_reviewed: int
    entity_zh: str


@dataclass
class Outcome:
    """What became of one report: its row, figures and pages, or the reason it failed."""

    source_path: str
    report_id: str
    status: str
    seconds: float
    error: str = ""
    row: dict[str, object] = field(default_factory=dict)
    figures: pd.DataFrame | None = None
    pages: list[PageResult] = field(default_factory=list)
    fingerprint: str = ""
    reused: bool = False


#: Each report's row and figures as it published them, exactly (JSON keeps a number a number and an empty
#: text empty, where the CSV would not): what the next run takes when the report did not change.
ROW_FILE = "cross_section.json"


def write_row(folder: Path, outcome: Outcome) -> None:
    """Keep a report's row and figures beside its pages."""
    figures = outcome.figures if outcome.figures is not None else pd.DataFrame(columns=list(FIGURE_COLUMNS))
    payload = {"row": outcome.row, "figures": figures.to_dict("records")}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ROW_FILE).write_text(json.dumps(payload, ensure_ascii=False, default=str), encoding="utf-8")


def read_row(path: Path) -> tuple[dict[str, object], pd.DataFrame]:
    """A report's row and figures as :func:`write_row` kept them."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    return dict(payload["row"]), pd.DataFrame(payload["figures"], columns=list(FIGURE_COLUMNS))


def manifest_entry(outcome: Outcome) -> dict[str, object]:
    """A report's entry in ``manifest.json``: its status, seconds, error, fingerprint and pages."""
    return {
        "source_path": outcome.source_path,
        "status": outcome.status,
        "seconds": round(outcome.seconds, 3),
        "error": outcome.error,
        "reused": outcome.reused,
        "fingerprint": outcome.fingerprint,
        "pages": {
            p.key: {
                "status": p.status,
                "seconds": round(p.seconds, 3),
                "error": p.error,
                "fingerprint": p.fingerprint,
                "phases": p.phases,
            }
            for p in outcome.pages
        },
    }


@dataclass
class Previous:
    """The previous run's output: what a report had (fingerprints, rows, figures, pages), to take unchanged."""

    output: Path
    reports: dict[str, dict]

    @classmethod
    def none(cls, output: Path) -> Previous:
        """Nothing to take (``--force``, or no previous output)."""
        return cls(output, {})

    @classmethod
    def read(cls, output: Path) -> Previous:
        """The previous output's manifest; nothing when it is missing or unreadable."""
        try:
            manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls.none(output)
        return cls(output, dict(manifest.get("reports", {})))

    def reuse(self, item: Item, report_print: str, pages: Sequence[PageTask], staging: Path) -> Outcome | None:
        """The report as the previous run published it, its pages copied into ``staging``; None if anything changed."""
        entry = self.reports.get(item.report_id)
        if not entry or entry.get("status") != "ok" or entry.get("fingerprint") != report_print:
            return None
        old_pages = entry.get("pages", {})
        if set(old_pages) != {p.key for p in pages}:
            return None
        folder = self.output / "reports" / item.report_id
        files = [folder / f"{p.key}{suffix}" for p in pages for suffix in (".html", ".ipynb")]
        if any(old_pages[p.key].get("fingerprint") != p.fingerprint for p in pages) or not all(
            f.is_file() for f in [*files, folder / ROW_FILE]
        ):
            return None
        try:
            row, figures = read_row(folder / ROW_FILE)
        except (OSError, ValueError, KeyError):
            return None
        # A copy, not links: the old output is removed once the new one is in place (its results go along).
        shutil.copytree(folder, staging / "reports" / item.report_id)
        results = [
            PageResult(k, v["status"], v["seconds"], v["error"], v["fingerprint"], phases=v.get("phases", {}))
            for k, v in old_pages.items()
        ]
        return Outcome(
            item.source_path, item.report_id, "ok", 0.0, "", row, figures, results,
            report_print, reused=True,
        )  # fmt: skip

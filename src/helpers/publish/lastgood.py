"""A notebook that fails never destroys its last good page: it is kept, marked stale, beside the failure's log.

A run re-executes every stale notebook into the staging copy of the reports. When one fails (a label no font
can draw, a kernel that dies, a bug), the error page would replace the page the previous run published. That
page is still right for the inputs it names, so it is put back byte for byte; the failed run's executed
notebook and error page are kept beside it as ``<page>.failed.ipynb`` and ``<page>.failed.html``, and the
manifest marks the entry ``stale`` with the failure. The index shows the card as stale, with the error and a
link to the log; the next run executes the notebook again (a stale entry is never current).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from helpers.publish.collection import Outcome
from helpers.publish.manifest import file_digest, published_files

#: The status of a manifest entry whose page is the last good one, kept after its notebook failed.
STALE = "stale"


def failure_files(stem: str) -> tuple[str, str]:
    """Where the failed run's error page and executed notebook are kept beside a kept page."""
    return (f"{stem}.failed.html", f"{stem}.failed.ipynb")


def _intact(output: Path, entry: dict[str, Any], stem: str) -> bool:
    """The previous run's page and notebook are there, byte for byte what it recorded."""
    files = entry.get("files", {})
    page, executed = published_files(stem)[:2]
    if not files.get(page) or not files.get(executed):
        return False
    return all(file_digest(output / name) == digest for name, digest in files.items() if digest is not None)


def keep_last_good(
    staging: Path, output: Path, previous: dict[str, Any], outcomes: dict[str, Outcome], started: str
) -> dict[str, dict[str, Any]]:
    """Put back the last good page of every failed notebook that had one; return their manifest entries.

    ``previous`` is the manifest's ``notebooks`` of the published reports. An entry that was ``ok`` (or
    already ``stale``: an older good page kept before) and whose files are intact is restored into
    ``staging``; the failure's files move aside. A notebook that succeeds drops the failure files of an
    earlier run.
    """
    kept: dict[str, dict[str, Any]] = {}
    for stem, outcome in outcomes.items():
        if outcome.status != "failed":
            for name in failure_files(stem):
                (staging / name).unlink(missing_ok=True)
            continue
        entry = previous.get(stem)
        if not entry or entry.get("status") not in ("ok", STALE) or not _intact(output, entry, stem):
            continue
        for name, aside in zip(published_files(stem)[:2], failure_files(stem), strict=True):
            if (staging / name).exists():
                (staging / name).replace(staging / aside)
        (staging / published_files(stem)[2]).unlink(missing_ok=True)
        for name, digest in entry.get("files", {}).items():
            if digest is not None:
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(output / name, staging / name)
        page, log = failure_files(stem)
        failure = {"error": outcome.error, "seconds": outcome.seconds, "run": started, "page": page, "log": log}
        kept[stem] = {**entry, "status": STALE, "failure": failure}
    return kept

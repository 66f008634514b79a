"""The manifest of a reports folder, and what it says of freshness.

A notebook is current when its inputs (the fingerprint) and its published files are unchanged since the
run that recorded them, and that run was ``ok``; the exports and index pages likewise. A damaged manifest
is read as empty, so that everything runs again and the manifest heals.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from helpers.publish.collection import Job

MANIFEST = "manifest.json"


def published_files(stem: str) -> tuple[str, ...]:
    """The page, the executed notebook and the results file of one page key (``02_economy.zh``)."""
    return (f"{stem}.html", f"{stem}.ipynb", f"results/{stem}.json")


def file_digest(path: Path) -> str | None:
    """sha256 of a file, or None where it cannot be read (absent, a folder …)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_manifest(output: Path) -> dict[str, Any]:
    """The manifest of ``output``; empty where it is missing or damaged (and a damaged entry is dropped)."""
    try:
        manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"notebooks": {}}
    if not isinstance(manifest, dict) or not isinstance(manifest.get("notebooks"), dict):
        return {"notebooks": {}}
    # A damaged entry is dropped: its notebook then runs again and the entry heals.
    entries = {
        k: v for k, v in manifest["notebooks"].items() if isinstance(v, dict) and isinstance(v.get("files", {}), dict)
    }
    run = manifest.get("run") if isinstance(manifest.get("run"), dict) else {}
    return {"notebooks": entries, "run": run}


def is_current(output: Path, manifest: dict[str, Any], job: Job) -> bool:
    """Same inputs, last run ok, and every published file byte for byte what that run wrote."""
    entry = manifest.get("notebooks", {}).get(job.stem)
    if not entry or entry.get("fingerprint") != job.fingerprint or entry.get("status") != "ok":
        return False
    recorded = entry.get("files", {})
    page, executed = published_files(job.stem)[:2]
    if recorded.get(page) is None or recorded.get(executed) is None:
        return False
    # Each file must be what that run wrote; a results file it did not write must still be absent.
    return all(file_digest(output / name) == recorded.get(name, "?") for name in published_files(job.stem))


def exports_intact(output: Path, manifest: dict[str, Any]) -> bool:
    """The data exports and index pages are what the last run wrote (else they alone are rebuilt)."""
    recorded = manifest.get("run", {}).get("exports", {})
    return (
        isinstance(recorded, dict)
        and bool(recorded)
        and all(file_digest(output / name) == digest for name, digest in recorded.items())
    )

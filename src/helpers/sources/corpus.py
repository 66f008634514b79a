"""The 2020 corpus as data of the project: 302 texts under ``data/corpus/``, their manifest and their metadata.

The texts are byte-for-byte copies (``MANIFEST.csv``: path, bytes, sha256 …) of the public repository
lawtext/gov (provenance in ``data/corpus/README.md``). Their metadata — entity, level, division code, parent code,
year reviewed — is read from each text by ``add``'s inference (:mod:`helpers.sources.infer`), with the few
corrections a reader made kept as data (``overrides.csv``), and committed as ``reports.csv``, so that a run
reads a reviewed table instead of inferring again. ``python -m helpers.sources.corpus`` rewrites it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.sources.divisions import DivisionTable, load_divisions
from helpers.sources.infer import Overrides, infer_metadata
from helpers.sources.text import normalize, read_text_file

CORPUS_DIR = paths.DATA_DIR / "corpus"
#: The folder the manifest's paths are relative to (the repository's name, as in the source).
TEXTS_DIR = CORPUS_DIR / "lawtext-gov"
MANIFEST_CSV = CORPUS_DIR / "MANIFEST.csv"
OVERRIDES_CSV = CORPUS_DIR / "overrides.csv"
REPORTS_CSV = CORPUS_DIR / "reports.csv"
#: The columns of reports.csv, one row per text of the manifest.
REPORT_COLUMNS = (
    "source_path",
    "report_id",
    "kind",
    "entity_zh",
    "entity_en",
    "level",
    "division_code",
    "parent_code",
    "year_reviewed",
    "year_of_report",
    "entity_evidence",
    "year_evidence",
)


def read_manifest(path: Path = MANIFEST_CSV) -> list[dict[str, str]]:
    """The manifest's rows (path, bytes, sha256, title, crlf, lines)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def verify_corpus(folder: Path = TEXTS_DIR, manifest: Path = MANIFEST_CSV) -> list[str]:
    """Every text present with the manifest's size and sha256; one problem per text that is not (none: ok)."""
    problems = []
    for row in read_manifest(manifest):
        path = folder / row["path"]
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(f"{row['path']}: {error.strerror or error}")
            continue
        if len(data) != int(row["bytes"]) or hashlib.sha256(data).hexdigest() != row["sha256"]:
            problems.append(f"{row['path']}: not the manifest's bytes (sha256 {row['sha256'][:12]}…)")
    return problems


def _overrides(path: Path = OVERRIDES_CSV) -> dict[str, Overrides]:
    """The corrections a reader made (source_path → flags, as ``add`` takes them)."""
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {
        row.source_path: Overrides(entity=row.entity or None, level=row.level or None)
        for row in frame.itertuples(index=False)
    }


def infer_reports(folder: Path = TEXTS_DIR, table: DivisionTable | None = None) -> pd.DataFrame:
    """Read every text's metadata (``add``'s inference, corrected by overrides.csv); one row per text."""
    table = table or load_divisions()
    corrections = _overrides()
    rows, taken = [], set()
    for entry in read_manifest():
        raw = read_text_file(folder / entry["path"])
        inferred = infer_metadata(raw, normalize(raw), corrections.get(entry["path"], Overrides()), table)
        if inferred.problems:
            raise ValueError(f"{entry['path']}: {'; '.join(inferred.problems)} (add a row to {OVERRIDES_CSV.name})")
        # Two places may share an English name (福州 and 抚州): the second takes its first free alternative.
        report_id = next(i for i in (inferred.report_id, *inferred.alternative_ids) if i not in taken)
        taken.add(report_id)
        rows.append(
            {
                "source_path": entry["path"],
                "report_id": report_id,
                "kind": inferred.kind,
                "entity_zh": inferred.entity_zh,
                "entity_en": inferred.entity_en,
                "level": inferred.level,
                "division_code": inferred.division_code,
                "parent_code": inferred.parent_codes[0] if inferred.parent_codes else "",
                "year_reviewed": inferred.year_reviewed,
                "year_of_report": inferred.year_of_report,
                "entity_evidence": inferred.evidence.get("entity", ""),
                "year_evidence": inferred.evidence.get("year_reviewed", ""),
            }
        )
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def load_reports(path: Path = REPORTS_CSV) -> pd.DataFrame:
    """The committed metadata table (codes as text)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    """Check the texts against the manifest and rewrite reports.csv from them."""
    parser = argparse.ArgumentParser(description="verify data/corpus and rewrite its reports.csv")
    parser.parse_args(argv)
    problems = verify_corpus()
    if problems:
        print("\n".join(problems))
        return 1
    frame = infer_reports()
    frame.to_csv(REPORTS_CSV, index=False, encoding="utf-8", lineterminator="\n")
    print(f"{REPORTS_CSV}: {len(frame)} reports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

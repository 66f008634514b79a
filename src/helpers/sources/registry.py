"""The corpus: one folder per report under ``data/reports/``, and the one place that knows their files.

A report folder holds the text byte for byte as received, ``report.toml`` (who published it, the year it
reviews, where it came from), the curated ``figures.csv``, ``figures_excluded.csv`` and the generated
``annotations.csv`` (every numeric mention, as the annotator reads it). Nothing else in the project names
a report's file: code asks the registry for a :class:`ReportSource`. A folder with a file missing or with
invalid metadata is rejected with one :class:`ReportFolderError` that says what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.sources.cache import cached
from helpers.sources.figures import load_excluded, load_figures
from helpers.sources.text import MappedText, file_sha256, normalized_file, read_text_file

METADATA_FILE = "report.toml"
FIGURES_FILE = "figures.csv"
EXCLUDED_FILE = "figures_excluded.csv"
ANNOTATIONS_FILE = "annotations.csv"
#: Optional: the population bases of the report's per-capita values (``helpers.sources.population``).
POPULATION_FILE = "population.toml"
#: Optional: the report's own metric recipes, for what no generic recipe covers (``helpers.analysis.recipes``).
RECIPES_FILE = "metrics.csv"
#: Optional: the report's claims the audit checks (a part within its total, parts that sum to a total …).
CHECKS_FILE = "checks.csv"
#: The report this project analyses; the others are its comparators.
SUBJECT_REPORT_ID = "jinshui-2020"
LEVELS: tuple[str, ...] = ("district", "county", "city", "province", "nation")
#: ``reviewed``: every row checked by hand against the text; ``draft``: written by ``jinshui-report add``.
CURATIONS: tuple[str, ...] = ("draft", "reviewed")
NATION_CODE = "100000"
#: The first digits a division code of each level keeps (GB/T 2260: 41 Henan, 4101 Zhengzhou, 410105 Jinshui).
_CODE_SHAPES: dict[str, re.Pattern[str]] = {
    "district": re.compile(r"^\d{4}(?!00)\d\d$"),
    "county": re.compile(r"^\d{4}(?!00)\d\d$"),
    "city": re.compile(r"^\d\d(?!00)\d\d00$"),
    "province": re.compile(r"^\d\d0000$"),
    "nation": re.compile(r"^100000$"),
}
#: The levels a parent of each level may have, nearest first (a municipality's district has a province above it).
_PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    "district": ("city", "province"),
    "county": ("city", "province"),
    "city": ("province",),
    "province": ("nation",),
}


def code_fits_level(code: str, level: str) -> bool:
    """Whether a division code has the shape of the level's codes (410105 a district, 410100 a city …)."""
    return level in _CODE_SHAPES and bool(_CODE_SHAPES[level].match(code))


class ReportFolderError(ValueError):
    """A report folder that is incomplete or whose metadata is invalid; the message is one line."""


@dataclass(frozen=True)
class ReportMetadata:
    """What ``report.toml`` says about a report (every field required; empty text where not printed)."""

    report_id: str
    title: str
    entity_zh: str
    entity_en: str
    level: str
    division_code: str
    #: The codes of the divisions above, nearest first, ending with the nation's (empty for the nation).
    parent_codes: tuple[str, ...]
    year_reviewed: int
    published: str
    published_as_printed: str
    text_file: str
    text_sha256: str
    source_url: str
    source_repository: str
    source_commit: str
    source_path: str
    licence: str
    join_page_breaks: bool
    #: ``reviewed`` or ``draft`` (added by ``jinshui-report add``, not yet checked by hand).
    curation: str
    note: str


_REQUIRED_TEXT = ("report_id", "title", "entity_zh", "entity_en", "level", "division_code", "text_file", "licence")


def _parse_metadata(folder: Path) -> ReportMetadata:
    """Read and check ``report.toml``; every problem is collected into one line."""
    path = folder / METADATA_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ReportFolderError(f"{path}: not valid TOML ({error})") from None
    expected = {f.name: f.type for f in fields(ReportMetadata)}
    problems = [f"missing key {k!r}" for k in expected if k not in raw]
    problems += [f"unknown key {k!r}" for k in raw if k not in expected]
    if not problems:
        problems += _value_problems(raw, folder)
    if problems:
        raise ReportFolderError(f"{path}: " + "; ".join(problems))
    return ReportMetadata(**{**raw, "parent_codes": tuple(raw["parent_codes"])})


def _value_problems(raw: dict[str, object], folder: Path) -> list[str]:
    """Type and value checks of a complete metadata mapping."""
    problems = [f"{k!r} must be a non-empty string" for k in _REQUIRED_TEXT if not (isinstance(raw[k], str) and raw[k])]
    problems += [
        f"{k!r} must be a string"
        for k in ("published", "published_as_printed", "source_url", "source_repository", "source_commit", "note")
        if not isinstance(raw[k], str)
    ]
    if isinstance(raw["text_file"], str) and (
        Path(raw["text_file"]).name != raw["text_file"] or raw["text_file"] in (".", "..")
    ):
        problems.append(f"'text_file' must name a file in the report folder, not {raw['text_file']!r}")
    if raw["report_id"] != folder.name:
        problems.append(f"'report_id' is {raw['report_id']!r} but the folder is {folder.name!r}")
    if raw["level"] not in LEVELS:
        problems.append(f"'level' is {raw['level']!r}; allowed: {', '.join(LEVELS)}")
    elif not code_fits_level(str(raw["division_code"]), str(raw["level"])):
        problems.append(f"'division_code' {raw['division_code']!r} is not the code of a {raw['level']}")
    year = raw["year_reviewed"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100:
        problems.append(f"'year_reviewed' must be a year, not {year!r}")
    if raw["published"] and not re.match(r"^\d{4}-\d\d-\d\d$", str(raw["published"])):
        problems.append(f"'published' must be YYYY-MM-DD or empty, not {raw['published']!r}")
    if not re.match(r"^[0-9a-f]{64}$", str(raw["text_sha256"])):
        problems.append("'text_sha256' must be 64 lowercase hex digits")
    if raw["source_commit"] and not re.match(r"^[0-9a-f]{40}$", str(raw["source_commit"])):
        problems.append("'source_commit' must be a 40-digit git commit or empty")
    if not isinstance(raw["join_page_breaks"], bool):
        problems.append("'join_page_breaks' must be true or false")
    if raw["curation"] not in CURATIONS:
        problems.append(f"'curation' is {raw['curation']!r}; allowed: {', '.join(CURATIONS)}")
    problems += parent_code_problems(str(raw["level"]), str(raw["division_code"]), raw["parent_codes"])
    return problems


def _level_of_code(code: str) -> str:
    """The highest level whose shape a code fits (410100 -> city), or empty."""
    for level in ("nation", "province", "city", "district"):
        if _CODE_SHAPES[level].match(code):
            return level
    return ""


def parent_code_problems(level: str, code: str, parents: object) -> list[str]:
    """Check ``parent_codes``: a list of the codes above ``code``, nearest first, each containing the one below."""
    if not isinstance(parents, list | tuple) or not all(isinstance(p, str) for p in parents):
        return ["'parent_codes' must be a list of division codes"]
    if level not in _PARENT_LEVELS:
        return [] if level != "nation" or not parents else ["'parent_codes' of the nation must be empty"]
    if not parents or parents[-1] != NATION_CODE:
        return [f"'parent_codes' must end with the nation's code {NATION_CODE!r}, not {list(parents)!r}"]
    problems = []
    below_level, below = level, code
    for parent in parents[:-1]:
        parent_level = _level_of_code(parent)
        if parent_level not in _PARENT_LEVELS.get(below_level, ()):
            problems.append(f"'parent_codes': {parent!r} cannot stand above the {below_level} {below!r}")
            break
        keep = 4 if parent_level == "city" else 2
        if parent[:keep] != below[:keep]:
            problems.append(f"'parent_codes': {parent!r} is not above {below!r} (their first {keep} digits differ)")
            break
        below_level, below = parent_level, parent
    else:
        if below_level != "province":
            problems.append(f"'parent_codes' must reach a province before the nation; it stops at {below!r}")
    return problems


@dataclass(frozen=True)
class ReportSource:
    """One report of the corpus: its metadata, its files and its texts (loaded on first use)."""

    folder: Path
    meta: ReportMetadata

    @property
    def report_id(self) -> str:
        """The folder name, e.g. ``zhengzhou-2021``."""
        return self.meta.report_id

    @property
    def text_path(self) -> Path:
        """The text as received."""
        return self.folder / self.meta.text_file

    @property
    def figures_path(self) -> Path:
        """The curated figures table."""
        return self.folder / FIGURES_FILE

    @property
    def excluded_path(self) -> Path:
        """Numbers of the text that are names, not quantities."""
        return self.folder / EXCLUDED_FILE

    @property
    def annotations_path(self) -> Path:
        """The generated annotator output (every numeric mention)."""
        return self.folder / ANNOTATIONS_FILE

    @property
    def population_path(self) -> Path:
        """The report's population bases (optional: a report without it has no per-capita value)."""
        return self.folder / POPULATION_FILE

    @property
    def recipes_path(self) -> Path:
        """The report's own metric recipes (optional)."""
        return self.folder / RECIPES_FILE

    @property
    def checks_path(self) -> Path:
        """The report's claims for the audit (optional)."""
        return self.folder / CHECKS_FILE

    def optional_files(self) -> dict[str, Path]:
        """The files an analysis reads when the folder has them, by role."""
        found = {"population": self.population_path, "recipes": self.recipes_path, "checks": self.checks_path}
        return {role: path for role, path in found.items() if path.is_file()}

    def files(self) -> dict[str, Path]:
        """Every file of the folder that an analysis reads, by role."""
        return {
            "metadata": self.folder / METADATA_FILE,
            "text": self.text_path,
            "figures": self.figures_path,
            "excluded": self.excluded_path,
        }

    def raw_text(self) -> str:
        """The text as Python reads the file in text mode (universal newlines)."""
        return read_text_file(self.text_path)

    @cached_property
    def mapped(self) -> MappedText:
        """The normalized text with the offset of each character in :meth:`raw_text`."""
        return normalized_file(self.text_path, join_page_breaks=self.meta.join_page_breaks)

    @property
    def text(self) -> str:
        """The normalized text: the one every quote refers to."""
        return self.mapped.text

    def figures(self) -> pd.DataFrame:
        """The figures table, validated against this report's text (cached on the content of both)."""
        inputs = (self.figures_path, self.text_path, self.folder / METADATA_FILE)
        return cached(
            "figures", inputs, lambda: load_figures(self.figures_path, self.text, year=self.meta.year_reviewed)
        )

    def excluded(self) -> pd.DataFrame:
        """The excluded-numbers table, checked against this report's text."""
        return load_excluded(self.excluded_path, self.text)


def load_report(folder: Path, *, check_hash: bool = True) -> ReportSource:
    """Open one report folder; raise :class:`ReportFolderError` if a file is missing or metadata is invalid."""
    if not folder.is_dir():
        raise ReportFolderError(f"{folder}: no such report folder")
    if not (folder / METADATA_FILE).is_file():
        raise ReportFolderError(f"{folder}: incomplete report folder, {METADATA_FILE} is missing")
    meta = _parse_metadata(folder)
    report = ReportSource(folder, meta)
    missing = [path.name for path in report.files().values() if not path.is_file()]
    if missing:
        raise ReportFolderError(f"{folder}: incomplete report folder, missing {', '.join(missing)}")
    if check_hash and file_sha256(report.text_path) != meta.text_sha256:
        raise ReportFolderError(
            f"{report.text_path}: sha256 differs from text_sha256 in {METADATA_FILE}: the text must stay as received"
        )
    return report


def report_ids(corpus_dir: Path | None = None) -> list[str]:
    """The ids of the report folders in the corpus, sorted."""
    folder = corpus_dir or paths.REPORTS_DATA_DIR
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def get_report(report_id: str, corpus_dir: Path | None = None) -> ReportSource:
    """One report by id; an unknown id names the ones there are."""
    folder = (corpus_dir or paths.REPORTS_DATA_DIR) / report_id
    if not folder.is_dir():
        known = ", ".join(report_ids(corpus_dir))
        raise ReportFolderError(f"no report {report_id!r} in {folder.parent}; reports: {known}")
    return load_report(folder)


def all_reports(corpus_dir: Path | None = None) -> list[ReportSource]:
    """Every report of the corpus, validated."""
    return [get_report(report_id, corpus_dir) for report_id in report_ids(corpus_dir)]


def comparison_corpus(report: ReportSource, folders: list[Path] | None = None) -> list[ReportSource]:
    """The reports an analysis of ``report`` reads: the report first, then those of its parents' division codes.

    Parents are looked for in the project's ``data/reports/`` and in the folder that holds ``report`` (where
    ``jinshui-report add --reports-dir`` put it and its province), the same year reviewed; a folder that is no
    valid report is passed over, as it cannot be a parent.
    """
    wanted = set(report.meta.parent_codes)
    if folders is None:
        folders = list(dict.fromkeys([paths.REPORTS_DATA_DIR.resolve(), report.folder.resolve().parent]))
    found, seen = [report], {report.report_id, report.folder.resolve()}
    for folder in folders:
        for child, meta in _folder_index(folder):
            if child.resolve() in seen:
                continue
            parent = meta.division_code in wanted and meta.year_reviewed == report.meta.year_reviewed
            if parent and meta.report_id not in seen:
                found.append(load_report(child))
                seen |= {meta.report_id, child.resolve()}
    return found


def _folder_index(folder: Path) -> list[tuple[Path, ReportMetadata]]:
    """The valid report folders of ``folder`` with their metadata; read again when a report.toml changes."""
    children = sorted(c for c in folder.iterdir() if not c.name.startswith(".")) if folder.is_dir() else []
    stamps = []
    for child in children:
        try:
            stat = (child / METADATA_FILE).stat()
        except OSError:
            continue
        stamps.append((child, stat.st_mtime_ns, stat.st_size))
    return _read_index(tuple(stamps))


@lru_cache(maxsize=64)
def _read_index(stamps: tuple[tuple[Path, int, int], ...]) -> list[tuple[Path, ReportMetadata]]:
    """Each folder's metadata, read once per (folder, mtime, size) of its report.toml.

    Every step of an analysis looks for the report's parents, and a corpus folder holds 300 reports.
    """
    found = []
    for child, _, _ in stamps:
        try:
            found.append((child, _parse_metadata(child)))
        except ReportFolderError:
            continue
    return found


def subject_report() -> ReportSource:
    """The district report this project analyses."""
    return get_report(SUBJECT_REPORT_ID)


def analysis_inputs(report_dir: Path, reference_dir: Path) -> dict[str, Path]:
    """Every file an analysis of ``report_dir`` reads, by name.

    The report's own files, its parents' reports (:func:`comparison_corpus`), the indicator vocabulary and
    the reference tables.
    """
    report = load_report(report_dir, check_hash=False)
    files = {f"report/{role}": path for role, path in {**report.files(), **report.optional_files()}.items()}
    for other in comparison_corpus(report)[1:]:
        for path in sorted(other.folder.iterdir()):
            if path.is_file() and path.name != ANNOTATIONS_FILE:
                files[f"corpus/{other.report_id}/{path.name}"] = path
    files.update({f"indicators/{p.name}": p for p in sorted(paths.INDICATORS_DIR.glob("*.csv"))})
    files.update({f"reference/{p.name}": p for p in sorted(reference_dir.glob("*.csv"))})
    return files


def main(argv: list[str] | None = None) -> int:
    """Validate every report folder and its tables; print a line per report. Exit 1 if any is invalid."""
    import argparse
    import sys

    from helpers.sources.figures import FiguresValidationError, account_for_mentions

    parser = argparse.ArgumentParser(prog="python -m helpers.sources.registry", description=main.__doc__)
    parser.add_argument("report_ids", nargs="*", help="reports to check (default: all)")
    args = parser.parse_args(argv)
    failed = False
    try:
        ids = args.report_ids or report_ids()
    except OSError as error:
        print(f"error: cannot list the reports: {error}", file=sys.stderr)
        return 2
    for report_id in ids:
        try:
            report = get_report(report_id)
            figures, excluded = report.figures(), report.excluded()
        except (ReportFolderError, FiguresValidationError) as error:
            print(f"{report_id}: {error}", file=sys.stderr)
            failed = True
            continue
        if report_id == SUBJECT_REPORT_ID:  # the fully curated report: every mention is a row of one table
            unaccounted, double_counted = account_for_mentions(report.text, figures, excluded)
            for line in unaccounted + double_counted:
                print(f"{report_id}: coverage: {line}", file=sys.stderr)
            failed = failed or bool(unaccounted or double_counted)
        counts = f"{len(figures)} figures, {len(excluded)} excluded numbers"
        print(f"{report_id}: {report.meta.level}, {report.meta.curation}, {counts}, valid")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

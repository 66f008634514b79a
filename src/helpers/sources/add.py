"""``jinshui-report add``: a report text into the corpus in one step, with everything a reviewer starts from.

The text is copied byte for byte into ``<reports>/<id>/`` with a ``report.toml`` read from the text
(:mod:`helpers.sources.infer`; ``curation = "draft"``), its ``annotations.csv`` (the annotator) and a drafted
``figures.csv`` and ``figures_excluded.csv`` (:mod:`helpers.sources.draft`). The folder is built next to its
place and moved there only once the registry has loaded it and validated both tables, so a failure leaves
the corpus as it was. A text already in the corpus (same sha256) changes nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from helpers.sources.annotate import annotate_text, write_annotations
from helpers.sources.divisions import DivisionTable, load_divisions
from helpers.sources.draft import Draft, Place, Vocabulary, draft_figures
from helpers.sources.figures import FiguresValidationError
from helpers.sources.infer import Inferred, Overrides, infer_metadata
from helpers.sources.registry import (
    ANNOTATIONS_FILE,
    EXCLUDED_FILE,
    FIGURES_FILE,
    METADATA_FILE,
    ReportFolderError,
    code_fits_level,
    load_report,
    parent_code_problems,
)
from helpers.sources.text import TextEncodingError, file_sha256, normalize, read_text_file

LICENCE = (
    "Chinese administrative documents of state organs (government work reports, statistical communiqués) are "
    "outside copyright: Copyright Law of the PRC, art. 5."
)
_REPORT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TEXT_NAMES = {"government work report": "government-work-report", "statistical communique": "statistical-communique"}


class AddError(ValueError):
    """What stops a text from being added: one line per problem, each naming the flag that fixes it."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems; the message is the first."""
        self.problems = problems
        super().__init__(problems[0] if problems else "cannot add the text")


@dataclass
class AddResult:
    """What ``add`` did: ``added`` or ``unchanged`` (the text was there already), and the lines to print."""

    status: str
    report_id: str
    folder: Path
    lines: list[str] = field(default_factory=list)
    inferred: Inferred | None = None
    draft: Draft | None = None


def _already_added(reports_dir: Path, sha256: str) -> str | None:
    """The id of the report whose text has this sha256, if any (folders that cannot be read are skipped)."""
    if not reports_dir.is_dir():
        return None
    for metadata in sorted(reports_dir.glob(f"*/{METADATA_FILE}")):
        try:
            raw = tomllib.loads(metadata.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if raw.get("text_sha256") == sha256:
            return str(raw.get("report_id") or metadata.parent.name)
    return None


def _toml(value: object) -> str:
    """A TOML value: JSON's strings and lists of strings are valid TOML; booleans and integers as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _metadata_text(inferred: Inferred, text_file: str, sha256: str, source_name: str) -> str:
    """``report.toml`` of a drafted report, each reading commented with where it was read."""
    evidence = inferred.evidence
    note = (
        f"Drafted by jinshui-report add from {source_name}: every value was read from the text (the comments say "
        "where) and every figure mapped by the alias table; check them against the text, then set curation to "
        '"reviewed".'
    )
    entries: list[tuple[str, object, str]] = [
        ("report_id", inferred.report_id, ""),
        ("title", inferred.title, "The title as printed (front matter or first line)."),
        ("entity_zh", inferred.entity_zh, f"Read from: {evidence.get('entity', 'the text')}."),
        ("entity_en", inferred.entity_en, ""),
        ("level", inferred.level, evidence.get("level", "")),
        ("division_code", inferred.division_code, "data/reference/divisions/divisions.csv"),
        ("parent_codes", list(inferred.parent_codes), "The divisions above, nearest first."),
        ("year_reviewed", inferred.year_reviewed, f"Read from: {evidence.get('year_reviewed', 'the text')}."),
        ("published", inferred.published, "The dateline's date; empty where the text prints none."),
        ("published_as_printed", inferred.published_as_printed, ""),
        ("text_file", text_file, ""),
        ("text_sha256", sha256, ""),
        ("source_url", inferred.source_url, "From the text's front matter, where it has one."),
        ("source_repository", "", ""),
        ("source_commit", "", ""),
        ("source_path", "", ""),
        ("licence", LICENCE if inferred.kind in _TEXT_NAMES else f"Not known: check it. {LICENCE}", ""),
        ("join_page_breaks", False, ""),
        ("curation", "draft", "Written by jinshui-report add: not yet checked by hand."),
        ("note", note, ""),
    ]
    lines = ["# Metadata of one report of the corpus (helpers.sources.registry checks every key)."]
    for key, value, comment in entries:
        if comment:
            lines.append(f"# {comment}")
        lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _check(inferred: Inferred, reports_dir: Path) -> list[str]:
    """Problems of the readings taken together: an id that is taken or not a folder name, a level that misfits."""
    problems = []
    if (reports_dir / inferred.report_id).exists():
        free = [i for i in inferred.alternative_ids if not (reports_dir / i).exists()]
        inferred.report_id = free[0] if free else inferred.report_id
    if not _REPORT_ID.match(inferred.report_id):
        problems.append(f"{inferred.report_id!r} cannot name a folder: give --id (lowercase letters, digits, -)")
    elif (reports_dir / inferred.report_id).exists():
        problems.append(f"{reports_dir / inferred.report_id} already holds another text: give another --id")
    if not code_fits_level(inferred.division_code, inferred.level):
        problems.append(
            f"{inferred.division_code} is not the code of a {inferred.level}: give another --level or --division-code"
        )
    else:
        problems += [
            f"{p}: give --division-code"
            for p in parent_code_problems(inferred.level, inferred.division_code, list(inferred.parent_codes))
        ]
    return problems


def _summary(
    result: AddResult, inferred: Inferred, draft: Draft, table: DivisionTable, mentions: tuple[int, int]
) -> None:
    """The lines the command prints: one per thing inferred or written."""
    parents = ", ".join(f"{c} {table.by_code[c].name}" for c in inferred.parent_codes) or "none (the nation)"
    figures = ", ".join(f"{fid} ({measure}) {expression}" for fid, measure, expression in draft.placed)
    kept = ", ".join(f"{n} {category}" for category, n in sorted(draft.categories.items()))
    result.lines = [
        f"added {result.report_id}: {result.folder} (curation draft)",
        f"entity: {inferred.entity_zh} ({inferred.entity_en}), read from {inferred.evidence.get('entity', '')}",
        f"level: {inferred.level}; division code {inferred.division_code}; parents {parents}",
        f"year reviewed: {inferred.year_reviewed}, read from {inferred.evidence.get('year_reviewed', '')}",
        f"published: {inferred.published or 'not printed'}"
        + (f" ({inferred.published_as_printed})" if inferred.published_as_printed else ""),
        f"{ANNOTATIONS_FILE}: {mentions[0]} numeric mentions, {mentions[1]} quantities",
        f"{FIGURES_FILE}: {len(draft.figures)} figures of {inferred.year_reviewed}"
        + (f": {figures}" if figures else ""),
        f"{EXCLUDED_FILE}: {len(draft.excluded)} quantities kept out of the analysis" + (f" ({kept})" if kept else ""),
        f"not placed: {draft.unplaced} quantities name no indicator of data/indicators/aliases.csv "
        f"(in {ANNOTATIONS_FILE} only); {draft.repeated} repeat a figure",
    ]
    if "level" in inferred.evidence:
        result.lines.insert(3, f"note: {inferred.entity_zh} is {inferred.evidence['level']}")


def add_report(
    text_file: Path,
    reports_dir: Path,
    overrides: Overrides | None = None,
    *,
    table: DivisionTable | None = None,
    vocabulary: Vocabulary | None = None,
) -> AddResult:
    """Add ``text_file`` to ``reports_dir`` (see the module docstring); raise :class:`AddError` and write nothing."""
    overrides = overrides or Overrides()
    if not text_file.is_file():
        raise AddError([f"no such file: {text_file}"])
    sha256 = file_sha256(text_file)
    existing = _already_added(reports_dir, sha256)
    if existing:
        line = f"{text_file} is already the text of {existing} (sha256 {sha256[:12]}…); nothing changed"
        return AddResult("unchanged", existing, reports_dir / existing, [line])
    try:
        raw = read_text_file(text_file)
    except TextEncodingError as error:
        raise AddError([str(error)]) from None
    mapped = normalize(raw)
    table = table or load_divisions()
    inferred = infer_metadata(raw, mapped, overrides, table)
    if inferred.problems:
        raise AddError(inferred.problems)
    problems = _check(inferred, reports_dir)
    if problems:
        raise AddError(problems)
    assert inferred.year_reviewed is not None  # no problems: the year was read or given
    annotations = annotate_text(mapped, year=inferred.year_reviewed)
    place = Place(inferred.entity_zh, table.get(inferred.division_code), table)
    draft = draft_figures(mapped, annotations, year=inferred.year_reviewed, place=place, vocabulary=vocabulary)
    suffix = text_file.suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", text_file.suffix) else ".txt"
    name = f"{inferred.report_id}-{_TEXT_NAMES.get(inferred.kind, 'report')}{suffix}"
    source_name = "/".join(text_file.resolve().parts[-3:])
    reports_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".add-{inferred.report_id}-", dir=reports_dir))
    try:
        folder = staging / inferred.report_id
        folder.mkdir()
        shutil.copyfile(text_file, folder / name)
        (folder / METADATA_FILE).write_text(_metadata_text(inferred, name, sha256, source_name), encoding="utf-8")
        write_annotations(annotations, folder / ANNOTATIONS_FILE)
        draft.figures.to_csv(folder / FIGURES_FILE, index=False, lineterminator="\n")
        draft.excluded.to_csv(folder / EXCLUDED_FILE, index=False, lineterminator="\n")
        try:
            report = load_report(folder)
            report.figures()
            report.excluded()
        except (ReportFolderError, FiguresValidationError) as error:
            said = " ".join(str(error).splitlines()[:2])
            raise AddError([f"the drafted folder does not validate ({said}): nothing was added"]) from None
        target = reports_dir / inferred.report_id
        folder.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = AddResult("added", inferred.report_id, target, inferred=inferred, draft=draft)
    _summary(result, inferred, draft, table, (len(annotations), int(annotations["is_quantity"].sum())))
    return result

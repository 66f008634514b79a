"""``gov-report corpus run``: the 2020 cross-section of the corpus, on Dask.

Each selected text of ``data/corpus/`` (``reports.csv``: entity, level, division code, parents, all reviewed
once) is drafted by ``add`` into a cache keyed by the draft's code and vocabulary, where a text already
drafted (same sha256) is not drafted again; its parents are drafted beside it, so a city compares with its
province. The four reviewed reports of ``data/reports/`` are used as they are. Then each report is analysed as
its pages analyse it, and its row of the cross-section and its figures are gathered (a report that fails is one
failed row with its reason). Both steps are Dask tasks: a LocalCluster sized to the machine by default, an
existing cluster with ``--scheduler tcp://host:port``, or, with ``--jobs 1``, the same functions in this
process (the local executor). The outputs are written into a staging folder beside ``--output`` and put in its
place whole, so a failed run leaves the previous one as it was.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.analysis.cross_section import FIGURE_COLUMNS, KEY_COLUMNS, corpus_figures, cross_section_row
from helpers.analysis.tables import load_analysis
from helpers.publish.collection import data_hashes, helpers_digest, notebook_paths, package_versions, select_stems
from helpers.publish.corpus_outcomes import Item, Outcome, Previous, manifest_entry, write_row
from helpers.publish.corpus_page import write_pages
from helpers.publish.corpus_pages import (
    DEFAULT_NOTEBOOKS,
    PageTask,
    WarmKernel,
    execute_pages,
    page_tasks,
    read_notebooks,
    run_folder,
    stop_leftover_kernels,
)
from helpers.publish.executor import Executor
from helpers.sources.add import add_report
from helpers.sources.corpus import REPORTS_CSV, TEXTS_DIR
from helpers.sources.infer import Overrides
from helpers.sources.registry import METADATA_FILE, report_ids
from helpers.sources.text import file_sha256

#: Drafts are kept here between runs, in a folder named after what they are made by.
CACHE_DIR = paths.PROJECT_ROOT / ".cache" / "corpus"
DEFAULT_OUTPUT = paths.REPORTS_DIR / "corpus"
_PACKAGE = Path(__file__).resolve().parent.parent


def corpus_items(table: Path = REPORTS_CSV) -> list[Item]:
    """Every text of ``reports.csv`` that reviews a year (all but the texts the table marks otherwise)."""
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    return [
        Item(r.source_path, r.report_id, r.level, r.division_code, r.parent_code, int(r.year_reviewed), r.entity_zh)
        for r in frame.itertuples(index=False)
    ]


def select(items: Sequence[Item], patterns: Sequence[str]) -> list[Item]:
    """The items whose source path or report id matches one of the shell patterns (all, when none is given)."""
    if not patterns:
        return list(items)
    return [i for i in items if any(fnmatch.fnmatchcase(n, p) for p in patterns for n in (i.source_path, i.report_id))]


def with_parents(chosen: Sequence[Item], items: Sequence[Item]) -> list[Item]:
    """The items to draft: the chosen ones and every parent of theirs the corpus holds (a city's province)."""
    by_code: dict[str, Item] = {}
    for item in items:
        if item.level != "nation" or item.report_id.endswith("communique"):
            by_code.setdefault(item.division_code, item)
    needed = {i.source_path: i for i in chosen}
    for item in chosen:
        code = item.parent_code
        while code and code in by_code:
            parent = by_code[code]
            needed.setdefault(parent.source_path, parent)
            code = parent.parent_code
    return list(needed.values())


def drafts_dir(cache: Path = CACHE_DIR) -> Path:
    """The cache folder of drafts made by the present code and vocabulary."""
    digest = hashlib.sha256()
    # Every module of the sources layer: drafting reaches most of them (add, the draft's rules, annotate,
    # sections, numbers, divisions, figures …); a list of some went stale when draft.py was split in four.
    for path in sorted((_PACKAGE / "sources").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for path in sorted(paths.INDICATORS_DIR.glob("*.csv")):
        digest.update(path.read_bytes())
    return cache / f"drafts-{digest.hexdigest()[:16]}"


def reviewed_folders() -> dict[str, Path]:
    """The reviewed reports of ``data/reports/`` by the sha256 of their text."""
    found = {}
    for report_id in report_ids():
        folder = paths.REPORTS_DATA_DIR / report_id
        meta = (folder / METADATA_FILE).read_text(encoding="utf-8")
        for line in meta.splitlines():
            if line.startswith("text_sha256"):
                found[line.split("=", 1)[1].strip().strip('"')] = folder
    return found


def draft_task(item: Item, texts_dir: str, folder: str) -> str:
    """Draft one text into ``folder`` (nothing when it holds that text already); the report folder's path."""
    text = Path(texts_dir) / item.source_path
    reviewed = reviewed_folders().get(file_sha256(text))
    if reviewed is not None:
        return str(reviewed)
    overrides = Overrides(item.report_id, item.level, item.division_code, item.year_reviewed, item.entity_zh)
    result = add_report(text, Path(folder), overrides)
    return str(result.folder)


def report_task(item: Item, report_dir: str, analyse: bool, pages: list[PageTask]) -> Outcome:
    """The report's row of the cross-section and its figures (when ``analyse``), then its pages.

    A failure is an outcome with its reason: the analysis's, or the first failed page's.
    """
    start = time.perf_counter()
    row: dict[str, object] = {}
    figures = None
    if analyse:
        try:
            analysis = load_analysis(Path(report_dir), paths.REFERENCE_DIR)
            row = cross_section_row(analysis, item.source_path)
            figures = corpus_figures(analysis, item.source_path)
        except Exception as error:  # one report's failure is its row, the others go on
            reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]
            return Outcome(item.source_path, item.report_id, "failed", time.perf_counter() - start, reason)
    executed = execute_pages(pages) if pages else []
    failed = next((p for p in executed if p.status != "ok"), None)
    status, error = ("failed", f"page {failed.key}: {failed.error}"[:300]) if failed else ("ok", "")
    return Outcome(item.source_path, item.report_id, status, time.perf_counter() - start, error, row, figures, executed)


@dataclass
class CorpusResult:
    """What a corpus run wrote and how each report fared."""

    output: Path
    outcomes: list[Outcome]
    seconds: float
    #: Wall seconds of the run's steps: start (the cluster and its kernels), draft, plan, reports, publish.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        """The reports that failed."""
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def reused(self) -> list[Outcome]:
        """The reports taken whole from the previous output (nothing they depend on changed)."""
        return [o for o in self.outcomes if o.reused]


def run_corpus(
    output: Path = DEFAULT_OUTPUT,
    patterns: Sequence[str] = (),
    *,
    notebooks: Sequence[str] = DEFAULT_NOTEBOOKS,
    jobs: int | None = None,
    scheduler: str | None = None,
    texts_dir: Path = TEXTS_DIR,
    cache: Path = CACHE_DIR,
    progress: bool = True,
    include_subject: bool = True,
    force: bool = False,
) -> CorpusResult:
    """Draft, analyse and publish the cross-section of the selected reports and their pages (module docstring).

    A report whose inputs did not change since the previous run into ``output`` (same fingerprints) is taken
    from it, rows, figures and pages, unless ``force``.
    """
    start = time.perf_counter()
    items = corpus_items()
    chosen = select(items, patterns)
    if not chosen:
        raise ValueError(f"no report of {REPORTS_CSV.name} matches {list(patterns)}")
    available = notebook_paths()
    stems = select_stems(list(notebooks), available) if notebooks else []
    output = output.resolve()
    previous = Previous.read(output) if not force else Previous.none(output)
    folder = drafts_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    run_dir = run_folder(output)
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    plugin = WarmKernel(str(run_dir)) if stems else None
    phases: dict[str, float] = {}
    mark = time.perf_counter()
    executor = Executor(jobs if jobs is not None else (os.cpu_count() or 1), scheduler, plugin)
    phases["start"], mark = time.perf_counter() - mark, time.perf_counter()
    try:
        to_draft = with_parents(chosen, items)
        drafted = executor.map(draft_task, ((i, str(texts_dir), str(folder)) for i in to_draft), "draft", progress)
        phases["draft"], mark = time.perf_counter() - mark, time.perf_counter()
        where = dict(zip((i.source_path for i in to_draft), drafted, strict=True))
        outcomes: list[Outcome] = []
        planned: list[tuple[Item, str]] = []
        for item in chosen:
            if isinstance(where[item.source_path], Exception):
                reason = f"draft failed: {where[item.source_path]}"[:300]
                outcomes.append(Outcome(item.source_path, item.report_id, "failed", 0.0, reason))
            else:
                planned.append((item, str(where[item.source_path])))
        if include_subject:
            subject = paths.REPORTS_DATA_DIR / "jinshui-2020"
            planned.append((Item("", "jinshui-2020", "district", "410105", "410100", 2020, "金水区"), str(subject)))
        (staging / "reports").mkdir(parents=True)
        code = helpers_digest()
        notebooks_read = read_notebooks(stems, available)
        tasks, reused = [], []
        for item, report_dir in planned:
            report_print = report_fingerprint(Path(report_dir), code)
            pages = page_tasks(item.report_id, Path(report_dir), notebooks_read, report_print)
            kept = previous.reuse(item, report_print, pages, staging)
            if kept is not None:
                reused.append(kept)
            else:
                tasks.append((item, report_dir, True, pages, report_print))
        phases["plan"], mark = time.perf_counter() - mark, time.perf_counter()
        results = executor.map(
            _report_task_with_print, tasks, "reports", progress, consume=lambda r: _write_pages(r, staging),
            kernels=bool(stems),
        )  # fmt: skip
        phases["reports"], mark = time.perf_counter() - mark, time.perf_counter()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        executor.close()
        stop_leftover_kernels(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
    for (item, *_), result in zip(tasks, results, strict=True):
        if isinstance(result, Exception):
            result = Outcome(item.source_path, item.report_id, "failed", 0.0, f"{type(result).__name__}: {result}")
        outcomes.append(result)
    outcomes += reused
    order = {i.source_path: n for n, i in enumerate(chosen)}
    outcomes.sort(key=lambda o: order.get(o.source_path, len(order)))
    phases["stop"], mark = time.perf_counter() - mark, time.perf_counter()
    publish(staging, output, outcomes, stems, phases)
    phases["publish"] = time.perf_counter() - mark
    return CorpusResult(output, outcomes, time.perf_counter() - start, phases)


def _report_task_with_print(
    item: Item, report_dir: str, analyse: bool, pages: list[PageTask], report_print: str
) -> Outcome:
    """:func:`report_task`, its outcome marked with the report's fingerprint (what the next run compares)."""
    outcome = report_task(item, report_dir, analyse, pages)
    outcome.fingerprint = report_print
    return outcome


def _write_pages(result: object, staging: Path) -> object:
    """Write a report's pages into the staging folder as they arrive; the outcome keeps no bytes."""
    if isinstance(result, Outcome):
        folder = staging / "reports" / result.report_id
        for page in result.pages:
            for name, data in page.files.items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            page.files = {}
    return result


def report_fingerprint(report_dir: Path, code: str) -> str:
    """A hash of what a report's row depends on: its data and its parents', the helpers' code, the packages."""
    payload = {
        "data": data_hashes({"report_dir": str(report_dir), "reference_dir": str(paths.REFERENCE_DIR)}),
        "helpers": code,
        "packages": package_versions(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def tables(outcomes: Sequence[Outcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cross-section (one row per report, a failed one with its reason) and the tidy figures."""
    rows = []
    for outcome in outcomes:
        base = {"source_path": outcome.source_path, "report_id": outcome.report_id}
        rows.append({**base, **outcome.row, "status": outcome.status, "error": outcome.error})
    section = pd.DataFrame(rows)
    front = [c for c in (*KEY_COLUMNS, "error") if c in section.columns]
    section = section[front + [c for c in section.columns if c not in front]]
    frames = [o.figures for o in outcomes if o.figures is not None and not o.figures.empty]
    figures = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(FIGURE_COLUMNS))
    return section, figures


def publish(
    staging: Path, output: Path, outcomes: Sequence[Outcome], stems: Sequence[str], phases: dict[str, float]
) -> None:
    """Write the tables, pages and manifest into the staging folder, then put it in the place of the old one."""
    try:
        (staging / "data").mkdir(parents=True, exist_ok=True)
        for outcome in outcomes:
            if outcome.status == "ok" and outcome.row:
                write_row(staging / "reports" / outcome.report_id, outcome)
        section, figures = tables(outcomes)
        section.to_csv(staging / "data" / "cross_section.csv", index=False, encoding="utf-8")
        figures.to_csv(staging / "data" / "corpus_figures.csv", index=False, encoding="utf-8")
        with pd.ExcelWriter(staging / "data" / "cross_section.xlsx", engine="openpyxl") as writer:
            section.to_excel(writer, sheet_name="cross_section", index=False)
            figures.to_excel(writer, sheet_name="corpus_figures", index=False)
        manifest = {
            "notebooks": list(stems),
            "seconds": {name: round(seconds, 3) for name, seconds in phases.items()},
            "reports": {o.report_id: manifest_entry(o) for o in outcomes},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        write_pages(staging, section, figures, stems[0] if stems else None)
        old = output.parent / f".{output.name}.old-{os.getpid()}"
        if output.exists():
            output.rename(old)
        staging.rename(output)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_missing(value: object) -> bool:
    """Whether a cell of the cross-section holds no value."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""

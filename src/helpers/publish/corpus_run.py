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
import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from helpers import paths
from helpers.analysis.cross_section import FIGURE_COLUMNS, KEY_COLUMNS, corpus_figures, cross_section_row
from helpers.analysis.tables import load_analysis
from helpers.publish.corpus_page import write_pages
from helpers.sources.add import AddError, add_report
from helpers.sources.corpus import REPORTS_CSV, TEXTS_DIR
from helpers.sources.infer import Overrides
from helpers.sources.registry import METADATA_FILE, report_ids
from helpers.sources.text import file_sha256

#: Drafts are kept here between runs, in a folder named after what they are made by.
CACHE_DIR = paths.PROJECT_ROOT / ".cache" / "corpus"
DEFAULT_OUTPUT = paths.REPORTS_DIR / "corpus"
_PACKAGE = Path(__file__).resolve().parent.parent
#: What a draft is made by: a change to any of these makes every draft anew.
_DRAFT_INPUTS = ("sources/add.py", "sources/draft.py", "sources/annotate.py", "sources/infer.py",
                 "sources/sections.py", "sources/numbers.py", "sources/extract.py", "sources/text.py")  # fmt: skip


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
    """What became of one report: its row and figures, or the reason it failed."""

    source_path: str
    report_id: str
    status: str
    seconds: float
    error: str = ""
    row: dict[str, object] = field(default_factory=dict)
    figures: pd.DataFrame | None = None


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
    for name in _DRAFT_INPUTS:
        digest.update((_PACKAGE / name).read_bytes())
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


def analyse_task(item: Item, report_dir: str) -> Outcome:
    """The report's row of the cross-section and its figures; a failure is an outcome with its reason."""
    start = time.perf_counter()
    try:
        analysis = load_analysis(Path(report_dir), paths.REFERENCE_DIR)
        row = cross_section_row(analysis, item.source_path)
        figures = corpus_figures(analysis, item.source_path)
    except Exception as error:  # one report's failure is its row, the others go on
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]
        return Outcome(item.source_path, item.report_id, "failed", time.perf_counter() - start, reason)
    return Outcome(item.source_path, item.report_id, "ok", time.perf_counter() - start, row=row, figures=figures)


class Executor:
    """Runs a function over items: on Dask (a LocalCluster, or the cluster at ``scheduler``), or in this process."""

    def __init__(self, jobs: int, scheduler: str | None = None) -> None:
        """``jobs`` workers of one thread each (a LocalCluster); 1 without a scheduler: in this process."""
        self.client = None
        self.cluster = None
        if scheduler or jobs > 1:
            from distributed import Client, LocalCluster

            if scheduler:
                self.client = Client(scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0",
                    silence_logs=logging.ERROR, memory_limit=0,
                )  # fmt: skip
                self.client = Client(self.cluster)

    def map(self, function: Callable[..., object], items: Iterable[tuple], label: str, progress: bool) -> list:
        """``function(*args)`` for every argument tuple, in order; a progress bar on stderr."""
        arguments = list(items)
        bar = tqdm(total=len(arguments), desc=label, unit="report", disable=not progress, leave=False)
        try:
            if self.client is None:
                results = []
                for args in arguments:
                    results.append(_safely(function, *args))
                    bar.update()
                return results
            from distributed import as_completed

            futures = [self.client.submit(_safely, function, *args, pure=False) for args in arguments]
            for _ in as_completed(futures):
                bar.update()
            return self.client.gather(futures)
        finally:
            bar.close()

    def close(self) -> None:
        """Stop the client and the cluster this executor started (never an existing cluster)."""
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _safely(function: Callable[..., object], *args: object) -> object:
    """The function's result, or the exception it raised (one report's failure fails only that report)."""
    try:
        return function(*args)
    except (AddError, OSError, ValueError) as error:
        return error


@dataclass
class CorpusResult:
    """What a corpus run wrote and how each report fared."""

    output: Path
    outcomes: list[Outcome]
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        """The reports that failed."""
        return [o for o in self.outcomes if o.status != "ok"]


def run_corpus(
    output: Path = DEFAULT_OUTPUT,
    patterns: Sequence[str] = (),
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    texts_dir: Path = TEXTS_DIR,
    cache: Path = CACHE_DIR,
    progress: bool = True,
    include_subject: bool = True,
) -> CorpusResult:
    """Draft, analyse and publish the cross-section of the selected reports (see the module docstring)."""
    start = time.perf_counter()
    items = corpus_items()
    chosen = select(items, patterns)
    if not chosen:
        raise ValueError(f"no report of {REPORTS_CSV.name} matches {list(patterns)}")
    folder = drafts_dir(cache)
    folder.mkdir(parents=True, exist_ok=True)
    executor = Executor(jobs if jobs is not None else (os.cpu_count() or 1), scheduler)
    try:
        to_draft = with_parents(chosen, items)
        drafted = executor.map(draft_task, ((i, str(texts_dir), str(folder)) for i in to_draft), "draft", progress)
        where = dict(zip((i.source_path for i in to_draft), drafted, strict=True))
        analysed: list[Item] = []
        outcomes: list[Outcome] = []
        for item in chosen:
            if isinstance(where[item.source_path], Exception):
                reason = f"draft failed: {where[item.source_path]}"[:300]
                outcomes.append(Outcome(item.source_path, item.report_id, "failed", 0.0, reason))
            else:
                analysed.append(item)
        tasks = [(i, where[i.source_path]) for i in analysed]
        if include_subject:
            subject = paths.REPORTS_DATA_DIR / "jinshui-2020"
            tasks.append((Item("", "jinshui-2020", "district", "410105", "410100", 2020, "金水区"), str(subject)))
        results = executor.map(analyse_task, tasks, "analyse", progress)
    finally:
        executor.close()
    for (item, _), result in zip(tasks, results, strict=True):
        if isinstance(result, Exception):
            result = Outcome(item.source_path, item.report_id, "failed", 0.0, f"{type(result).__name__}: {result}")
        outcomes.append(result)
    order = {i.source_path: n for n, i in enumerate(chosen)}
    outcomes.sort(key=lambda o: order.get(o.source_path, len(order)))
    publish(output, outcomes)
    return CorpusResult(output, outcomes, time.perf_counter() - start)


def tables(outcomes: Sequence[Outcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cross-section (one row per report, a failed one with its reason) and the tidy figures."""
    rows = []
    for outcome in outcomes:
        if outcome.status == "ok":
            rows.append(outcome.row)
        else:
            rows.append({"source_path": outcome.source_path, "report_id": outcome.report_id, "status": "failed",
                         "error": outcome.error})  # fmt: skip
    section = pd.DataFrame(rows)
    front = [c for c in (*KEY_COLUMNS, "error") if c in section.columns]
    section = section[front + [c for c in section.columns if c not in front]]
    frames = [o.figures for o in outcomes if o.figures is not None and not o.figures.empty]
    figures = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(FIGURE_COLUMNS))
    return section, figures


def publish(output: Path, outcomes: Sequence[Outcome]) -> None:
    """Write every output into a staging folder beside ``output``, then put it in the place of the old one."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / "data").mkdir(parents=True)
        section, figures = tables(outcomes)
        section.to_csv(staging / "data" / "cross_section.csv", index=False, encoding="utf-8")
        figures.to_csv(staging / "data" / "corpus_figures.csv", index=False, encoding="utf-8")
        with pd.ExcelWriter(staging / "data" / "cross_section.xlsx", engine="openpyxl") as writer:
            section.to_excel(writer, sheet_name="cross_section", index=False)
            figures.to_excel(writer, sheet_name="corpus_figures", index=False)
        manifest = {
            "reports": {
                o.report_id: {
                    "source_path": o.source_path,
                    "status": o.status,
                    "seconds": round(o.seconds, 3),
                    "error": o.error,
                }
                for o in outcomes
            }
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        write_pages(staging, section, figures)
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

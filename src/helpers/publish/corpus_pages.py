"""The pages of each report of a corpus run: the chosen notebooks, both languages, executed in warm kernels.

A worker plugin (:class:`WarmKernel`) gives each Dask worker one Jupyter kernel, started and warmed when the
worker joins and kept between tasks as the batch's own workers keep theirs (:mod:`helpers.publish.worker`: the
namespace cleared after each notebook, the kernel replaced after a failure); the in-process executor uses the
same plugin. The kernel shares the worker's cache folder, so the analysis a worker has just computed for a
report's row is read by the report's notebooks, not computed again. A page is executed into a folder of the
worker's own and travels back to the client as bytes: the workers need no path of the client's.

A page's fingerprint covers what the batch's does (notebook, parameters, the report's data and its parents',
the helpers' code, the packages), so a page whose inputs did not change is taken from the previous output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from helpers.notebook.params import LANGS
from helpers.publish import worker as kernel_worker
from helpers.publish.collection import Job, declared_parameters, notebook_title, page_key, page_metadata
from helpers.publish.html import page_name
from helpers.publish.staging import kill_recorded
from helpers.sources.cache import CACHE_DIR_ENV

#: Per-cell time limit of a corpus page (seconds): a drafted report's overview takes a second or two.
CELL_TIMEOUT = 120
#: The notebooks a corpus run executes for each report unless ``--notebooks`` says otherwise.
DEFAULT_NOTEBOOKS: tuple[str, ...] = ("00_overview",)


@dataclass(frozen=True)
class PageTask:
    """One page of one report: a notebook in one language with its parameters and fingerprint."""

    report_id: str
    stem: str
    lang: str
    path: str
    parameters: dict[str, Any]
    fingerprint: str

    @property
    def key(self) -> str:
        """The page's key and file stem: 00_overview, 00_overview.zh."""
        return page_key(self.stem, self.lang)


@dataclass
class PageResult:
    """What became of one page; its files (the page and the executed notebook) as bytes, until written."""

    key: str
    status: str
    seconds: float
    error: str
    fingerprint: str
    files: dict[str, bytes] = field(default_factory=dict)
    #: Seconds per phase in the worker; "kernel start" only on the first page of a kernel (warm after that).
    phases: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Notebook:
    """A notebook of the run, read once: its path, its declared defaults, the sha256 of its bytes."""

    stem: str
    path: Path
    defaults: dict[str, Any]
    digest: str


def read_notebooks(stems: list[str], available: dict[str, Path]) -> list[Notebook]:
    """The chosen notebooks, each read and hashed once for the whole corpus (not once per report)."""
    return [
        Notebook(stem, available[stem], declared_parameters(available[stem]),
                 hashlib.sha256(available[stem].read_bytes()).hexdigest())
        for stem in stems
    ]  # fmt: skip


def page_tasks(report_id: str, report_dir: Path, notebooks: list[Notebook], report_print: str) -> list[PageTask]:
    """The pages of one report: each chosen notebook in each language, its declared defaults otherwise kept.

    A page's fingerprint is the report's (its data and its parents', the helpers' code, the packages: what the
    batch's fingerprint covers) with the notebook and its parameters.
    """
    tasks = []
    for notebook in notebooks:
        for lang in LANGS:
            parameters = {**notebook.defaults, "report_dir": str(report_dir), "lang": lang}
            parameters.pop("output_dir", None)
            payload = {"report": report_print, "notebook": notebook.digest, "parameters": parameters}
            page_print = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
            tasks.append(PageTask(report_id, notebook.stem, lang, str(notebook.path), parameters, page_print))
    return tasks


def execute_pages(tasks: list[PageTask]) -> list[PageResult]:
    """Execute a report's pages in this worker's warm kernel; each page's files come back as bytes."""
    results = []
    for task in tasks:
        folder = Path(tempfile.mkdtemp(prefix=f"page-{task.report_id}-"))
        try:
            started = time.strftime("%Y-%m-%d %H:%M:%S %z")
            metadata = page_metadata({**task.parameters, "output_dir": str(folder)}, started)
            twin = next(page_name(task.stem, lang) for lang in LANGS if lang != task.lang)
            job = Job(
                task.key, Path(task.path), task.parameters, task.fingerprint,
                notebook_title(Path(task.path), task.lang), twin,
            )  # fmt: skip
            outcome = kernel_worker.execute_one(job, str(folder), False, metadata, CELL_TIMEOUT)
            files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
            results.append(
                PageResult(
                    task.key, outcome.status, outcome.seconds, outcome.error, task.fingerprint, files, outcome.phases
                )
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return results


class WarmKernel(WorkerPlugin):
    """One warm Jupyter kernel per worker, for its pages; stopped when the worker or the run ends.

    ``run_dir`` is the run's folder of the client: each worker keeps its kernel's files and process ids in a
    folder of its own there (the client stops any kernel left running at the end), and the cache folder the
    worker and its kernel share. Where the worker cannot write there (another machine), a folder of its own.
    """

    name = "gov-report-warm-kernel"

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self._previous_cache: str | None = None

    def setup(self, worker: object = None) -> None:
        """Give the worker its kernel manager and the cache folder its kernel shares."""
        try:
            Path(self.run_dir).mkdir(parents=True, exist_ok=True)
            folder = tempfile.mkdtemp(prefix="worker-", dir=self.run_dir)
        except OSError:
            folder = tempfile.mkdtemp(prefix="gov-report-worker-")
        cache = Path(folder) / "cache"
        cache.mkdir()
        self._previous_cache = os.environ.get(CACHE_DIR_ENV)
        os.environ[CACHE_DIR_ENV] = str(cache)  # the kernel starts with this environment, so reads this cache
        # The first page starts the kernel, on the thread that runs the pages (see prepare_kernel).
        kernel_worker.prepare_kernel(folder, start=False)

    def teardown(self, worker: object = None) -> None:
        """Stop the kernel and give the worker's environment back."""
        kernel_worker.stop_kernel()
        if self._previous_cache is None:
            os.environ.pop(CACHE_DIR_ENV, None)
        else:
            os.environ[CACHE_DIR_ENV] = self._previous_cache


def stop_leftover_kernels(run_dir: Path) -> None:
    """Kill any kernel or worker process the run's workers recorded and did not stop (a worker that died)."""
    for folder in run_dir.glob("worker-*"):
        with contextlib.suppress(OSError):
            kill_recorded(folder)


def run_folder(output: Path) -> Path:
    """The client's folder for this run, beside the output (removed at the end of the run)."""
    return output.parent / f".{output.name}.run-{os.getpid()}"

"""The batch runner behind ``jinshui-report run``: the notebook collection in parallel, HTML reports and exports.

``run`` validates everything first (themes, ``-p`` overrides against each notebook's own parameters, every
data file the notebooks will read, the output folder), then executes the stale notebooks with papermill in
parallel worker processes, each keeping one warm kernel (:mod:`helpers.publish.worker`). The run is built in
a staging folder and swapped in at the end (:mod:`helpers.publish.staging`): a failure or a kill at any step
leaves the previous reports byte for byte as they were, and no worker or kernel outlives the run.
Notebooks whose inputs and published files are unchanged are not re-run unless ``--force``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.publish.collection import (
    Job,
    Outcome,
    build_parameters,
    data_files,
    data_hashes,
    fingerprint,
    languages_of,
    notebook_paths,
    notebook_title,
    package_versions,
    page_key,
    page_metadata,
    select_stems,
)
from helpers.publish.html import index_page, page_name, write_error_page
from helpers.publish.lastgood import keep_last_good
from helpers.publish.manifest import (
    MANIFEST,
    exports_intact,
    file_digest,
    is_current,
    published_files,
    read_manifest,
)
from helpers.publish.preflight import check_inputs
from helpers.publish.staging import (
    InterruptedAfterPublishing,
    UsageError,
    atomic_write_text,
    check_not_precious,
    check_output,
    checkpoint,
    describe_os_error,
    kill_recorded,
    output_lock,
    recover,
    signals_deferred,
    stage,
    swap,
    sweep_stale_run_dirs,
)
from helpers.publish.worker import execute_one, in_flight, start_worker, worker_ready
from helpers.sources.cache import CACHE_DIR_ENV, FROZEN_INPUTS_ENV, changed_inputs, freeze_inputs

#: Per-cell time limit when --timeout is not given (seconds).
DEFAULT_CELL_TIMEOUT = 600
RUN_DIR_PREFIX = "jinshui-run-"
WORKER_DIED = (
    "its worker process died while it ran, and again when it ran alone (killed from inside the notebook, or out of "
    "memory)"
)
#: Notebook names become page names and links: plain characters only, never the index's or manifest's name.
_PAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
RESERVED_NAMES = frozenset({"index", "manifest"})


class RunError(Exception):
    """The run could not finish (a full disk, a file system that refuses the swap); previous reports intact."""


def _fix_results_paths(staging: Path, output: Path, stems: list[str]) -> None:
    """Results files name the folder they live in, not the staging folder they were written to."""
    for stem in stems:
        path = staging / "results" / f"{stem}.json"
        if path.exists():
            payload = json.loads(path.read_text(encoding="utf-8"))
            payload["parameters"]["output_dir"] = str(output)
            atomic_write_text(path, json.dumps(payload, ensure_ascii=False, indent=2))


def worker_count(requested: int | None, stale: int) -> tuple[int, str]:
    """How many workers help: never more than the CPUs or the notebooks to run; a note when capped."""
    cpus = os.cpu_count() or 1
    wanted = requested or cpus
    workers = max(1, min(wanted, cpus, stale))
    note = ""
    if requested and requested > cpus:
        note = f"--jobs {requested}: using {workers} worker(s); more workers than the {cpus} CPU(s) would not help"
    return workers, note


# --- the run -----------------------------------------------------------------------------------------------


def run(
    output: Path,
    themes: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int | None = None,
    force: bool = False,
    show_code: bool = False,
    notebooks_dir: Path | None = None,
    progress: bool = True,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    notes: list[str] | None = None,
) -> list[Outcome]:
    """Validate, execute what is stale, export, and publish atomically; return one outcome per notebook.

    ``notes`` collects one-line remarks for the reader (a capped --jobs, text the XLSX could not hold).
    """
    if not str(output).strip():
        raise UsageError("--output is empty; give a folder for the reports")
    output = output.resolve()
    notes = notes if notes is not None else []
    folder = notebooks_dir or paths.NOTEBOOKS_DIR
    if not folder.is_dir():
        raise UsageError(f"--notebooks {folder} is not a folder")
    check_not_precious(
        output,
        {
            "the project": paths.PROJECT_ROOT,
            "the notebooks": folder,
            "the data": paths.DATA_DIR,
            "the source code": Path(__file__).parents[1],
        },
    )
    available = notebook_paths(folder)
    if not available:
        raise UsageError(f"no notebooks in {folder}")
    bad_names = [stem for stem in available if not _PAGE_NAME.match(stem) or stem in RESERVED_NAMES]
    if bad_names:
        raise UsageError(
            f"notebook names {', '.join(bad_names)} are not allowed: use letters, digits, _ and -, and not "
            f"{', '.join(sorted(RESERVED_NAMES))} (the pages and the index are named after them)"
        )
    stems = select_stems(themes, available)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs} is not allowed; allowed: a whole number of 1 or more")
    if timeout < 1:
        raise UsageError(f"--timeout {timeout} is not allowed; allowed: a whole number of seconds, 1 or more")
    check_output(output)
    parameters = build_parameters(stems, available, overrides or {}, output)
    languages = languages_of(overrides or {})
    with output_lock(output):
        return _run_locked(
            output, stems, languages, available, parameters, jobs, force, show_code, progress, timeout, notes
        )


def _run_locked(
    output: Path,
    stems: list[str],
    languages: list[str],
    available: dict[str, Path],
    parameters: dict[str, dict[str, Any]],
    jobs: int | None,
    force: bool,
    show_code: bool,
    progress: bool,
    timeout: int,
    notes: list[str],
) -> list[Outcome]:
    recover(output)
    sweep_stale_run_dirs(RUN_DIR_PREFIX)
    manifest = read_manifest(output)
    planned = _plan(stems, languages, available, parameters, show_code)
    stale = [job for job in planned if force or not is_current(output, manifest, job)]
    if not stale:
        _check_all_inputs(parameters)
        if exports_intact(output, manifest):
            return [
                Outcome(j.stem, "up to date", 0.0, str(output / f"{j.stem}.html"), "", j.fingerprint, j.title)
                for j in planned
            ]
    workers, note = worker_count(jobs, len(stale))
    if note:
        notes.append(note)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    run_start = time.perf_counter()
    run_dir = Path(tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-"))
    staging: Path | None = None
    # The run's processes share the analysis tables through this private folder (helpers.sources.cache).
    previous_cache_dir = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(run_dir / "cache")
    # Every process of the run keys the analysis on the inputs as they were at its start (written below,
    # before any notebook runs): a file saved during the run changes none of its pages.
    previous_frozen = os.environ.get(FROZEN_INPUTS_ENV)
    os.environ[FROZEN_INPUTS_ENV] = str(run_dir / "inputs.json")
    frozen: dict[str, str] = {}
    try:
        with _workers(workers if stale else 0, run_dir) as running:
            # The workers start their kernels (about a second each) while this process checks the inputs.
            if stale:
                _check_all_inputs(parameters)
                frozen = freeze_inputs(
                    {path for p in parameters.values() for path in data_files(p).values()}, run_dir / "inputs.json"
                )
                _share_analysis(list(parameters.values()))
            checkpoint("stage")
            staging = stage(output)
            for job in stale:
                for name in published_files(job.stem):
                    (staging / name).unlink(missing_ok=True)
            checkpoint("notebooks")
            ordered = longest_first(stale, manifest)
            shared = {**parameters[stems[0]], "lang": languages[0]}
            from helpers.publish.exports import publish_index, write_data_exports

            data_folder = staging / "data"

            def write_exports() -> None:
                checkpoint("exports")
                notes.extend(write_data_exports(data_folder, shared))

            outcomes = {}
            if running is not None:
                # The data files need no notebook: this process writes them while the workers run the notebooks.
                outcomes = _execute(
                    running, ordered, staging, show_code, started, progress, timeout, meanwhile=write_exports
                )
                running.stop()  # the notebooks are done: the workers stop while the index is written
            else:
                write_exports()
            everything_failed = len(outcomes) == len(planned) and all(o.status == "failed" for o in outcomes.values())
            if everything_failed and output.exists():
                # Every notebook of the collection failing points at the environment (no kernel can start, a full
                # disk), not at the notebooks: the previous reports stay as they were. A notebook that fails among
                # others that ran or were up to date is published as failed, its last good page kept.
                first = next(iter(outcomes.values()))
                raise RunError(
                    f"every notebook failed ({len(outcomes)} of {len(planned)}; first: {first.stem}: {first.error}); "
                    "the previous reports are unchanged"
                )
            _fix_results_paths(staging, output, [j.stem for j in stale])
            # A failed notebook's last good page is put back, marked stale, its failure kept beside it.
            kept = keep_last_good(staging, output, manifest.get("notebooks", {}), outcomes, started)
            entries = dict(manifest.get("notebooks", {}))
            for job in planned:  # a notebook not re-run keeps its entry: status ok, its files' digests
                if job.stem in kept:
                    entries[job.stem] = kept[job.stem]
                    notes.append(
                        f"{job.stem} failed; its last good page is kept, marked stale in the index "
                        f"(the failed run: {output / kept[job.stem]['failure']['log']})"
                    )
                elif job.stem in outcomes:
                    outcome = outcomes[job.stem]
                    files = {name: file_digest(staging / name) for name in published_files(job.stem)}
                    entries[job.stem] = {**asdict(outcome), "files": files}
            new_manifest = {
                "notebooks": entries,
                "run": {
                    "started": started,
                    "seconds": time.perf_counter() - run_start,
                    "jobs": workers,
                    "packages": package_versions(),
                    "data": data_hashes(shared),
                    "exports": {},
                },
            }
            for lang in languages:
                twin = index_page("zh" if lang == "en" else "en") if len(languages) > 1 else ""
                publish_index(staging, new_manifest, {**shared, "lang": lang}, available, twin)
            if "en" not in languages:  # the folder always opens at index.html
                shutil.copyfile(staging / index_page(languages[0]), staging / "index.html")
            indexes = sorted({"index.html", *(index_page(lang) for lang in languages)})
            exports = [f"data/{p.name}" for p in sorted((staging / "data").iterdir())] + indexes
            new_manifest["run"]["exports"] = {name: file_digest(staging / name) for name in exports}
            atomic_write_text(staging / MANIFEST, json.dumps(new_manifest, ensure_ascii=False, indent=2))
            for name in changed_inputs(frozen):
                notes.append(
                    f"{name} changed during the run: every page and export of this run uses the version it read "
                    f"at its start (sha256 {frozen[name][:12]}…); run again to publish the new one"
                )
            checkpoint("swap")
            with signals_deferred() as interrupted:
                swap(staging, output)
                staging = None
            if interrupted:  # the new set is live and whole: say so, rather than that nothing changed
                raise InterruptedAfterPublishing(output)
    except OSError as error:
        raise RunError(f"{describe_os_error(error)}; the previous reports are unchanged") from None
    finally:
        for name, value in ((CACHE_DIR_ENV, previous_cache_dir), (FROZEN_INPUTS_ENV, previous_frozen)):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        kill_recorded(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    final = read_manifest(output)["notebooks"]
    results = []
    for job in planned:
        if job.stem in outcomes:
            outcome = outcomes[job.stem]
        else:
            entry = final.get(job.stem, {})
            outcome = Outcome(job.stem, "up to date", float(entry.get("seconds", 0.0)), "", "", job.fingerprint,
                              job.title, entry.get("parameters", {}))  # fmt: skip
        results.append(Outcome(**{**asdict(outcome), "output": str(output / f"{job.stem}.html")}))
    return results


def _plan(
    stems: list[str],
    languages: list[str],
    available: dict[str, Path],
    parameters: dict[str, dict[str, Any]],
    show_code: bool,
) -> list[Job]:
    """One job per notebook and language; each page links to its twin when the run publishes both."""
    planned = []
    for stem in stems:
        for lang in languages:
            params = {**parameters[stem], "lang": lang}
            others = [other for other in languages if other != lang]
            twin = page_name(stem, others[0]) if others else ""
            planned.append(
                Job(
                    page_key(stem, lang),
                    available[stem],
                    params,
                    fingerprint(available[stem], params, show_code),
                    notebook_title(available[stem], lang),
                    twin,
                )
            )
    return planned


def longest_first(jobs: list[Job], manifest: dict[str, Any]) -> list[Job]:
    """Jobs in the order that ends a parallel run soonest: the longest first, so that no long one starts last.

    A notebook's length is its time in the previous run (the manifest); one never timed goes first (it may
    be long), and among those the larger file first.
    """
    timed = {stem: float(entry.get("seconds", 0.0)) for stem, entry in manifest.get("notebooks", {}).items()}
    return sorted(
        jobs, key=lambda job: (job.stem not in timed, timed.get(job.stem, 0.0), job.path.stat().st_size), reverse=True
    )


def _share_analysis(parameter_sets: list[dict[str, Any]]) -> None:
    """Compute the analysis tables while the workers start their kernels, for the kernels to read (once).

    The workers are already forked (this process's memory is not theirs); the tables go to the run's cache
    folder. A problem is left to the notebooks, which report it with their own error.
    """
    from helpers.analysis.tables import load_analysis
    from helpers.notebook.params import resolve

    for folders in dict.fromkeys((p["report_dir"], p["reference_dir"]) for p in parameter_sets):
        with contextlib.suppress(Exception):
            load_analysis(resolve(folders[0]), resolve(folders[1]))


def _check_all_inputs(parameters: dict[str, dict[str, Any]]) -> None:
    """Every problem with the data the notebooks read, as one UsageError (one line each) before any runs.

    The data a notebook reads is named by two of its parameters: each pair of folders is checked once.
    """
    problems: list[str] = []
    for report_dir, reference_dir in dict.fromkeys((p["report_dir"], p["reference_dir"]) for p in parameters.values()):
        found = check_inputs({"report_dir": report_dir, "reference_dir": reference_dir})
        problems += [p for p in found if p not in problems]
    if problems:
        raise UsageError("\n".join(problems))


class _Workers:
    """A run's worker processes, stopped once, in the background, by one thread.

    ``ProcessPoolExecutor.shutdown`` is not safe to call twice at the same time: both calls close the pool's
    result pipe, and the second close fails ("Bad file descriptor") or, worse, closes a file descriptor the
    process has meanwhile reused. So every way of stopping goes through ``stop``, which starts at most one.
    """

    def __init__(self, count: int, run_dir: Path) -> None:
        self.count, self.run_dir = count, run_dir
        self.pool = _new_pool(count, run_dir)
        self._stopping: threading.Thread | None = None

    def renew(self, count: int) -> None:
        """A new pool of ``count`` workers in place of the current one (broken, or of another size).

        What the old pool recorded (its workers, and their kernels, which outlive a killed worker for a
        moment) is killed first: every process recorded so far is the old pool's.
        """
        self.pool.shutdown(wait=True, cancel_futures=True)
        kill_recorded(self.run_dir)
        self.pool = _new_pool(count, self.run_dir)

    def stop(self, cancel_pending: bool = False) -> threading.Thread:
        """Start stopping the workers (their kernels shut down), unless already started; do not wait.

        Called once their notebooks are done, it lets them stop while this process writes the index.
        """
        if self._stopping is None:
            self._stopping = threading.Thread(
                target=self.pool.shutdown, kwargs={"cancel_futures": cancel_pending}, name="stop-workers", daemon=True
            )
            self._stopping.start()
        return self._stopping

    def wait(self, timeout: float | None = None) -> None:
        """Return once the workers have stopped, or after ``timeout`` seconds."""
        self.stop().join(timeout)


def _new_pool(count: int, run_dir: Path) -> ProcessPoolExecutor:
    """``count`` forked worker processes, each preparing its kernel as it starts."""
    return ProcessPoolExecutor(
        max_workers=count, mp_context=multiprocessing.get_context("fork"), initializer=start_worker,
        initargs=(str(run_dir),),
    )  # fmt: skip


@contextlib.contextmanager
def _workers(count: int, run_dir: Path) -> Iterator[_Workers | None]:
    """``count`` worker processes (None for none), each starting its kernel as soon as it is forked.

    A kernel takes about a second to start, on one CPU; started here, before the inputs are checked, it uses
    the CPU that this process leaves idle meanwhile. Leaving normally waits for the workers, which stop their
    kernels; leaving by an exception (bad input, Ctrl-C, a failed export, every notebook failed) kills workers
    and kernels first.
    """
    if count == 0:
        yield None
        return
    workers = _Workers(count, run_dir)
    try:
        workers.pool.submit(
            worker_ready
        )  # the first task forks every worker (the fork context starts them all at once)
        yield workers
    except BaseException:
        kill_recorded(run_dir)  # workers and kernels first, so that the pool does not wait for them
        # The pool's own thread must be done before the interpreter exits: Python 3.11's exit handler may
        # otherwise write to the pipe that thread is closing ("Exception ignored … Bad file descriptor" on
        # stderr, seen once under load after a bad input). With the workers killed it ends at once. If the
        # workers were already stopping, this waits for that same stop (see _Workers).
        workers.stop(cancel_pending=True)
        workers.wait(timeout=10)
        raise
    workers.wait()


def _execute(
    running: _Workers,
    ordered: list[Job],
    staging: Path,
    show_code: bool,
    started: str,
    progress: bool,
    timeout: int,
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, Outcome]:
    """Run the stale notebooks on the workers, in the order given (longest first: see longest_first).

    ``meanwhile`` runs in this process once every notebook is handed out, before their results are awaited.
    A worker that dies (killed from outside, out of memory, or by its notebook) breaks the whole pool and every
    notebook not yet finished with it. Those that had not begun go to a new pool; each that was running is run
    again alone, on a pool of one worker: if its worker dies again, that notebook is the cause and fails, the
    others are not blamed for it.
    """
    from tqdm import tqdm

    outcomes: dict[str, Outcome] = {}
    bar = tqdm(total=len(ordered), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    pending, suspects = list(ordered), []
    first_round, size, broken_pool = True, running.count, False
    while pending or suspects:
        wanted = 1 if suspects else running.count
        if broken_pool or wanted != size:
            running.renew(wanted)
            size, broken_pool = wanted, False
        alone = bool(suspects)
        round_jobs = [suspects.pop(0)] if alone else pending
        futures = {
            running.pool.submit(
                execute_one, job, str(staging), show_code, page_metadata(job.parameters, started), timeout
            ): job
            for job in round_jobs
        }
        if first_round:
            meanwhile()  # if it raises, leaving _workers kills the workers and cancels what they had not begun
            first_round = False
        broken: list[Job] = []
        for future in as_completed(futures):
            job = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.append(job)
                continue
            outcomes[outcome.stem] = outcome
            bar.set_postfix_str(f"{outcome.stem} {outcome.status}")
            bar.update()
        broken_pool = bool(broken)
        flying = in_flight(running.run_dir)
        if not alone:
            suspects = [job for job in broken if job.stem in flying]
            pending = [job for job in broken if job.stem not in flying]
        elif broken:  # it ran alone and its worker died again: it is the cause
            outcomes[broken[0].stem] = _worker_died(broken[0], staging)
            bar.set_postfix_str(f"{broken[0].stem} failed")
            bar.update()
    bar.close()
    return outcomes


def _worker_died(job: Job, staging: Path) -> Outcome:
    """The outcome, and the error page, of a notebook whose worker died under it twice."""
    write_error_page(staging / f"{job.stem}.html", job.title, WORKER_DIED, job.parameters.get("lang", "en"))
    return Outcome(job.stem, "failed", 0.0, f"{job.stem}.html", WORKER_DIED, job.fingerprint, job.title)

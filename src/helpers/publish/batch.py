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
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.notebook.params import echo, resolve, unusable_path
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
    select_stems,
)
from helpers.publish.html import index_page, page_name
from helpers.publish.lastgood import keep_last_good
from helpers.publish.manifest import (
    MANIFEST,
    exports_intact,
    file_digest,
    is_current,
    published_files,
    read_manifest,
)
from helpers.publish.pool import execute, workers_for
from helpers.publish.preflight import check_inputs
from helpers.publish.runenv import run_environment
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
from helpers.sources.cache import changed_inputs, freeze_inputs

#: Per-cell time limit when --timeout is not given (seconds).
DEFAULT_CELL_TIMEOUT = 600
RUN_DIR_PREFIX = "jinshui-run-"
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
    try:
        output = output.resolve()
        output.exists()  # a name over the limit fails here, not half-way through the run
    except (OSError, RuntimeError) as error:
        raise UsageError(f"--output {echo(str(output))} cannot be used: {unusable_path(error)}") from None
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
    for values in parameters.values():  # the input folders a run must never write into or replace
        check_not_precious(
            output,
            {
                "the report folder (report_dir)": resolve(values["report_dir"]),
                "the reference folder (reference_dir)": resolve(values["reference_dir"]),
            },
        )
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
    # The run's processes share the analysis tables through a private folder, and key them on the inputs as
    # they were at its start (frozen below, before any notebook runs): a file saved during the run changes none
    # of its pages. Where HOME cannot be written, IPython and matplotlib get folders of the run (runenv).
    frozen: dict[str, str] = {}
    try:
        with run_environment(run_dir), workers_for(workers if stale else 0, run_dir) as running:
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
                outcomes = execute(
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

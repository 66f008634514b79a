"""The batch runner behind ``jinshui-report run``: the notebook collection in parallel, HTML reports and exports.

``run`` validates everything first (themes, ``-p`` overrides against each notebook's own
parameters, the output folder), then executes the notebooks with papermill in parallel worker processes. Each
worker keeps one warm Jupyter kernel and resets its namespace between notebooks, so the cost of starting a
kernel and importing pandas, seaborn and pandera is paid once per worker instead of once per notebook. The
run is staged in a sibling folder and swapped in at the end: a killed run leaves the previous reports as they
were. Notebooks whose inputs (notebook, parameters, data, helpers code, package versions) are unchanged are
not re-run unless ``--force``.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.notebook.params import EXTRA_PARAMETERS, SHARED_PARAMETERS, ParameterError, validate_parameters
from helpers.notebook.report import NOTEBOOK_STEMS

PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "pandera", "papermill", "nbconvert", "ipykernel", "mplfonts")
MANIFEST = "manifest.json"
RESERVED = {"output_dir": "use --output"}
KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 600


class UsageError(Exception):
    """Bad input found before any work starts; the message is one line."""


@dataclass(frozen=True)
class Job:
    """One notebook to execute, with its full parameters and the fingerprint of its inputs."""

    stem: str
    path: Path
    parameters: dict[str, Any]
    fingerprint: str
    title: str


@dataclass
class Outcome:
    """What happened to one notebook in this run."""

    stem: str
    status: str  # ok | failed | up to date
    seconds: float
    output: str
    error: str = ""
    fingerprint: str = ""
    title: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


# --- notebooks and their parameters --------------------------------------------------------------------


def notebook_paths(notebooks_dir: Path | None = None) -> dict[str, Path]:
    """The collection: stem -> path, in order."""
    folder = notebooks_dir or paths.NOTEBOOKS_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def declared_parameters(path: Path) -> dict[str, Any]:
    """A notebook's parameters and their literal defaults, read from its ``parameters`` cell.

    The cell holds plain ``name = literal`` lines (the papermill convention); anything else is an error.
    """
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise UsageError(f"{path.name} has {len(cells)} cells tagged 'parameters'; it needs exactly one")
    found: dict[str, Any] = {}
    for statement in ast.parse(cells[0].source).body:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            raise UsageError(f"{path.name}: the parameters cell may only assign literals to names")
        try:
            found[statement.targets[0].id] = ast.literal_eval(statement.value)
        except ValueError:
            raise UsageError(f"{path.name}: parameter {statement.targets[0].id!r} has no literal default") from None
    return found


def notebook_title(path: Path) -> str:
    """The first heading of the notebook."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return path.stem


def parse_value(text: str) -> Any:
    """A ``-p`` value: an int, a float, True/False, or else the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def select_stems(themes: list[str] | None, available: dict[str, Path]) -> list[str]:
    """Stems for ``--theme`` names (a theme such as economy, or a stem such as 02_economy)."""
    if not themes:
        return list(available)
    stems = []
    for theme in themes:
        stem = NOTEBOOK_STEMS.get(theme, theme)
        if stem not in available:
            allowed = ", ".join([*NOTEBOOK_STEMS, *available])
            raise UsageError(f"unknown theme {theme!r}; allowed: {allowed}")
        stems.append(stem)
    return list(dict.fromkeys(stems))


def check_output(output: Path) -> None:
    """The output folder must be a folder we can create or write."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} exists and is not a folder")
    ancestor = output
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output} is not writable (no write permission in {ancestor})")
    if output.exists() and not os.access(output, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output} is not writable")


def build_parameters(
    stems: list[str], available: dict[str, Path], overrides: dict[str, Any], output: Path
) -> dict[str, dict[str, Any]]:
    """Each notebook's parameters: its defaults, then the overrides it declares; all validated now."""
    declared = {stem: declared_parameters(available[stem]) for stem in stems}
    for name in overrides:
        if name in RESERVED:
            raise UsageError(f"parameter {name!r} cannot be set with -p; {RESERVED[name]}")
        if not any(name in params for params in declared.values()):
            known = sorted({n for params in declared.values() for n in params} - set(RESERVED))
            raise UsageError(f"unknown parameter {name!r} for the selected notebooks; known: {', '.join(known)}")
    result = {}
    for stem in stems:
        params = {**declared[stem], **{k: v for k, v in overrides.items() if k in declared[stem]}}
        params["output_dir"] = str(output)
        try:
            validate_parameters(**params)
        except ParameterError as error:
            raise UsageError("; ".join(error.problems)) from None
        result[stem] = params
    return result


# --- fingerprints and metadata ---------------------------------------------------------------------------


def _hash_files(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.name).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the output."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def data_files(parameters: dict[str, Any]) -> dict[str, Path]:
    """The data a notebook reads: the report folder's files (text, metadata, tables) and the reference tables."""
    from helpers.notebook.params import resolve
    from helpers.sources.registry import load_report

    reference = resolve(parameters["reference_dir"])
    report = load_report(resolve(parameters["report_dir"]), check_hash=False)
    files = {f"report/{role}": path for role, path in report.files().items()}
    files.update({f"reference/{p.name}": p for p in sorted(reference.glob("*.csv"))})
    return files


def data_hashes(parameters: dict[str, Any]) -> dict[str, str]:
    """sha256 of each data file, for the run header."""
    return {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in data_files(parameters).items()}


def fingerprint(path: Path, parameters: dict[str, Any], show_code: bool) -> str:
    """A hash of everything a notebook's output depends on."""
    helpers_dir = Path(__file__).parents[1]
    code_files = [p for p in helpers_dir.rglob("*") if p.is_file() and p.suffix in {".py", ".j2", ".json"}]
    payload = {
        "notebook": hashlib.sha256(path.read_bytes()).hexdigest(),
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "data": data_hashes(parameters),
        "helpers": _hash_files(code_files),
        "packages": package_versions(),
        "show_code": show_code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def page_metadata(parameters: dict[str, Any], started: str) -> list[tuple[str, str]]:
    """The header rows of a report page: parameters, data hashes, package versions, time."""
    rows = [("run started (UTC)", started)]
    rows += [(f"parameter {k}", repr(v)) for k, v in parameters.items() if k != "output_dir"]
    rows += [(f"sha256 {k}", v) for k, v in data_hashes(parameters).items()]
    rows += [(f"version {k}", v) for k, v in package_versions().items()]
    return rows


# --- the worker: one warm kernel per process -------------------------------------------------------------

_KERNEL: Any = None


def _start_worker() -> None:
    """Create this worker's kernel manager; its kernel starts with the first notebook."""
    global _KERNEL
    from jupyter_client.manager import KernelManager

    _KERNEL = KernelManager(
        kernel_name=KERNEL_NAME, transport="ipc", ip=str(Path(tempfile.mkdtemp(prefix="jinshui-kernel-")) / "k")
    )
    multiprocessing.util.Finalize(None, _stop_kernel, exitpriority=10)


def _stop_kernel() -> None:
    if _KERNEL is not None and _KERNEL.has_kernel:
        _KERNEL.shutdown_kernel(now=True)


def _reset_kernel() -> None:
    """Clear the namespace between notebooks; restart a kernel that died."""
    if not _KERNEL.has_kernel:
        return
    if not _KERNEL.is_alive():
        _KERNEL.restart_kernel(now=True)
        return
    client = _KERNEL.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive("get_ipython().reset(new_session=True, aggressive=False)", timeout=60)
    finally:
        client.stop_channels()


def execute_one(job: Job, staging: str, show_code: bool, metadata: list[tuple[str, str]]) -> Outcome:
    """Execute one notebook into ``staging`` and export its HTML; failures are reported, not raised."""
    import papermill as pm

    from helpers.publish.html import export_notebook_html

    folder = Path(staging)
    executed, page = folder / f"{job.stem}.ipynb", folder / f"{job.stem}.html"
    started = time.perf_counter()
    status, error = "ok", ""
    try:
        pm.execute_notebook(
            str(job.path),
            str(executed),
            parameters={**job.parameters, "output_dir": staging},
            kernel_name=KERNEL_NAME,
            km=_KERNEL,
            progress_bar=False,
            log_output=False,
            execution_timeout=CELL_TIMEOUT_SECONDS,
            cwd=str(paths.PROJECT_ROOT),
        )
    except pm.PapermillExecutionError as failure:
        status, error = "failed", f"{failure.ename}: {failure.evalue}".splitlines()[0][:300]
    except Exception as failure:
        status, error = "failed", f"{type(failure).__name__}: {failure}".splitlines()[0][:300]
    finally:
        try:
            _reset_kernel()
        except Exception:
            _KERNEL.shutdown_kernel(now=True)
    if executed.exists():
        export_notebook_html(executed, page, metadata, show_code=show_code)
    else:
        page.write_text(_error_page(job, error), encoding="utf-8")
    return Outcome(
        job.stem,
        status,
        time.perf_counter() - started,
        page.name,
        error,
        job.fingerprint,
        job.title,
        {k: v for k, v in job.parameters.items() if k != "output_dir"},
    )


def _error_page(job: Job, error: str) -> str:
    import html

    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(job.title)}</title></head>"
        f"<body><p><a href='index.html'>&larr; All reports</a></p><h1>{html.escape(job.title)}</h1>"
        f"<p class='jinshui-error'>This notebook did not run: {html.escape(error)}</p></body></html>"
    )


# --- the run ---------------------------------------------------------------------------------------------


def _read_manifest(output: Path) -> dict[str, Any]:
    try:
        return json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"notebooks": {}}


def _recover(output: Path) -> None:
    """Clean up after a killed run: restore the previous reports, remove the staging folder.

    A run killed between its two final renames leaves the previous reports as ``.NAME.old-*``; they are put
    back. Two runs into the same output folder at once are not supported.
    """
    if not output.exists():
        leftovers = sorted(output.parent.glob(f".{output.name}.old-*"))
        if leftovers:
            leftovers[-1].rename(output)
    for leftover in output.parent.glob(f".{output.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _is_current(output: Path, manifest: dict[str, Any], job: Job) -> bool:
    entry = manifest.get("notebooks", {}).get(job.stem)
    return bool(
        entry
        and entry.get("fingerprint") == job.fingerprint
        and entry.get("status") == "ok"
        and (output / f"{job.stem}.html").exists()
        and (output / f"{job.stem}.ipynb").exists()
    )


def _stage(output: Path) -> Path:
    """A sibling folder holding a copy (hard links where possible) of the current reports."""
    staging = output.parent / f".{output.name}.staging-{uuid.uuid4().hex[:8]}"
    if output.exists():
        try:
            shutil.copytree(output, staging, copy_function=os.link)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(output, staging)
    else:
        staging.mkdir(parents=True)
    return staging


def _swap(staging: Path, output: Path) -> None:
    """Replace the output folder by the staged one (two renames; recovered on the next run if cut)."""
    old = output.parent / f".{output.name}.old-{uuid.uuid4().hex[:8]}"
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)


def _fix_results_paths(staging: Path, output: Path, stems: list[str]) -> None:
    """Results files name the folder they live in, not the staging folder they were written to."""
    for stem in stems:
        path = staging / "results" / f"{stem}.json"
        if path.exists():
            payload = json.loads(path.read_text(encoding="utf-8"))
            payload["parameters"]["output_dir"] = str(output)
            path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def run(
    output: Path,
    themes: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int | None = None,
    force: bool = False,
    show_code: bool = False,
    notebooks_dir: Path | None = None,
    progress: bool = True,
) -> list[Outcome]:
    """Validate, execute what is stale, export, and publish atomically; return one outcome per notebook."""
    from tqdm import tqdm

    from helpers.publish.exports import publish_index, write_data_exports

    output = output.resolve()
    available = notebook_paths(notebooks_dir)
    if not available:
        raise UsageError(f"no notebooks in {notebooks_dir or paths.NOTEBOOKS_DIR}")
    stems = select_stems(themes, available)
    check_output(output)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs} is not allowed; allowed: a whole number of 1 or more")
    parameters = build_parameters(stems, available, overrides or {}, output)

    _recover(output)
    manifest = _read_manifest(output)
    planned = [
        Job(
            stem,
            available[stem],
            parameters[stem],
            fingerprint(available[stem], parameters[stem], show_code),
            notebook_title(available[stem]),
        )
        for stem in stems
    ]
    stale = [job for job in planned if force or not _is_current(output, manifest, job)]
    if not stale:
        return [
            Outcome(j.stem, "up to date", 0.0, str(output / f"{j.stem}.html"), "", j.fingerprint, j.title)
            for j in planned
        ]

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    run_start = time.perf_counter()
    staging = _stage(output)
    try:
        for job in stale:
            for leftover in (
                staging / f"{job.stem}.ipynb",
                staging / f"{job.stem}.html",
                staging / "results" / f"{job.stem}.json",
            ):
                leftover.unlink(missing_ok=True)
        workers = min(jobs or os.cpu_count() or 1, len(stale))
        outcomes: dict[str, Outcome] = {}
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
            futures = {
                pool.submit(execute_one, job, str(staging), show_code, page_metadata(job.parameters, started)): job
                for job in stale
            }
            bar = tqdm(total=len(futures), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.stem] = outcome
                bar.set_postfix_str(f"{outcome.stem} {outcome.status}")
                bar.update()
            bar.close()
        _fix_results_paths(staging, output, [j.stem for j in stale])
        for job in planned:
            if job.stem not in outcomes:
                entry = manifest["notebooks"][job.stem]
                outcomes[job.stem] = Outcome(
                    job.stem,
                    "up to date",
                    entry.get("seconds", 0.0),
                    f"{job.stem}.html",
                    "",
                    job.fingerprint,
                    job.title,
                    entry.get("parameters", {}),
                )
        shared = parameters[stems[0]]
        write_data_exports(staging / "data", shared)
        entries = {**manifest.get("notebooks", {}), **{o.stem: asdict(o) for o in outcomes.values()}}
        new_manifest = {
            "notebooks": entries,
            "run": {
                "started": started,
                "seconds": time.perf_counter() - run_start,
                "jobs": workers,
                "packages": package_versions(),
                "data": data_hashes(shared),
            },
        }
        (staging / MANIFEST).write_text(json.dumps(new_manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        publish_index(staging, new_manifest, shared, available)
        _swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [Outcome(**{**asdict(outcomes[j.stem]), "output": str(output / f"{j.stem}.html")}) for j in planned]


# --- command line ----------------------------------------------------------------------------------------


def summary_table(outcomes: list[Outcome]) -> str:
    """A plain-text table: notebook, status, seconds, output."""
    rows = [("notebook", "status", "seconds", "output")]
    rows += [(o.stem, o.status, f"{o.seconds:.1f}", o.output) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failed = [o for o in outcomes if o.status == "failed"]
    lines += [f"failed: {o.stem}: {o.error}" for o in failed]
    return "\n".join(lines)


def list_notebooks(notebooks_dir: Path | None = None) -> str:
    """The notebooks with their parameters, defaults and allowed values."""
    lines = []
    for stem, path in notebook_paths(notebooks_dir).items():
        lines.append(f"{stem}: {notebook_title(path)}")
        for name, default in declared_parameters(path).items():
            spec = EXTRA_PARAMETERS.get(name)
            allowed = spec.allowed_text() if spec else SHARED_PARAMETERS.get(name, "")
            lines.append(f"    {name} = {default!r}    ({allowed})")
    return "\n".join(lines)

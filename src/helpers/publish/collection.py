"""The notebook collection: what notebooks there are, their parameters, and the fingerprint of their inputs.

A notebook's ``parameters`` cell holds plain ``name = literal`` lines (papermill's convention); overrides are
checked against what each notebook declares. The fingerprint hashes everything a notebook's output depends
on (notebook, parameters, data files, helpers code, package versions), so that an unchanged notebook is not
re-run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import platform
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.notebook.params import (
    EXTRA_PARAMETERS,
    LANGS,
    NOTEBOOK_STEMS,
    SHARED_PARAMETERS,
    ParameterError,
    echo,
    validate_parameters,
)
from helpers.publish.html import PAGE_LABELS, run_metadata
from helpers.publish.staging import UsageError

PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "pandera",
    "papermill",
    "nbconvert",
    "ipykernel",
    "noto-cjk-sans-otc",
)
RESERVED = {"output_dir": "use --output"}


@dataclass(frozen=True)
class Job:
    """One notebook to execute, with its full parameters and the fingerprint of its inputs."""

    stem: str  # the page key: 02_economy (English), 02_economy.zh (Chinese)
    path: Path
    parameters: dict[str, Any]
    fingerprint: str
    title: str
    twin: str = ""  # the page of the same notebook in the other language, when this run publishes it


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
    #: Seconds per phase in the worker: kernel start (first notebook of a kernel), execute, reset, export.
    phases: dict[str, float] = field(default_factory=dict)


def notebook_paths(notebooks_dir: Path | None = None) -> dict[str, Path]:
    """The collection: stem -> path, in order."""
    folder = notebooks_dir or paths.NOTEBOOKS_DIR
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def declared_parameters(path: Path) -> dict[str, Any]:
    """A notebook's parameters and their literal defaults, read from its ``parameters`` cell.

    The cell holds plain ``name = literal`` lines (the papermill convention); anything else is an error.
    """
    notebook = read_notebook(path)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise UsageError(f"{path.name} has {len(cells)} cells tagged 'parameters'; it needs exactly one")
    found: dict[str, Any] = {}
    try:
        body = ast.parse(cells[0].source).body
    except SyntaxError as error:
        raise UsageError(f"{path.name}: the parameters cell is not valid Python (line {error.lineno})") from None
    for statement in body:
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
    missing = [name for name in SHARED_PARAMETERS if name not in found]
    if missing:
        raise UsageError(f"{path.name}: the parameters cell lacks the shared parameters {', '.join(missing)}")
    return found


def read_notebook(path: Path) -> Any:
    """Read a notebook; a file that is not a valid notebook is one line naming it."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
        _ = [(cell.cell_type, cell.source, cell.get("metadata", {})) for cell in notebook.cells]
        return notebook
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a notebook (not valid UTF-8)") from None
    except OSError as error:  # a folder named .ipynb, a dangling link, no permission
        raise UsageError(f"{path}: cannot be read ({error.strerror or error})") from None
    except Exception as error:  # nbformat raises many kinds for a file that is JSON but not a notebook
        reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise UsageError(f"{path}: not a valid notebook ({reason})") from None


def notebook_title(path: Path, lang: str | None = None) -> str:
    """The notebook's title in ``lang`` (its first heading tagged ``lang-en`` / ``lang-zh``).

    Without a language: every language's title, joined ("Economy · 经济发展"); an untagged first heading
    serves every language.
    """
    titles: dict[str, str] = {}
    for cell in read_notebook(path).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            tags = [t.removeprefix("lang-") for t in cell.metadata.get("tags", []) if t.startswith("lang-")]
            for code in tags or ["*"]:
                titles.setdefault(code, cell.source.splitlines()[0][2:].strip())
    if lang is not None:
        return titles.get(lang) or titles.get("*") or path.stem
    return " · ".join(dict.fromkeys(titles.values())) or path.stem


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
            raise UsageError(f"unknown theme {echo(theme)}; allowed: {allowed}")
        stems.append(stem)
    return list(dict.fromkeys(stems))


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


def page_key(stem: str, lang: str) -> str:
    """The key of a notebook's page in one language (also its file names): 02_economy, 02_economy.zh."""
    return stem if lang == "en" else f"{stem}.{lang}"


def languages_of(overrides: dict[str, Any]) -> list[str]:
    """The languages a run publishes: both, unless ``-p lang`` narrows it to one."""
    return [overrides["lang"]] if "lang" in overrides else list(LANGS)


def _hash_files(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.name).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the output."""
    return dict(_package_versions())


@lru_cache(maxsize=1)
def _package_versions() -> dict[str, str]:
    """Read once per process: the metadata lookups took 0.4 s of a run's main process (33 calls)."""
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
    from helpers.sources.registry import analysis_inputs

    return analysis_inputs(resolve(parameters["report_dir"]), resolve(parameters["reference_dir"]))


def data_hashes(parameters: dict[str, Any]) -> dict[str, str]:
    """sha256 of each data file, for the run header."""
    from helpers.sources.cache import input_digest

    # In a batch, the digests of the files as the run read them at its start (what its pages show).
    return {name: input_digest(path) for name, path in data_files(parameters).items()}


def helpers_digest() -> str:
    """A hash of the helpers' code and templates: what every page, row and export is computed by."""
    helpers_dir = Path(__file__).parents[1]
    return _hash_files([p for p in helpers_dir.rglob("*") if p.is_file() and p.suffix in {".py", ".j2", ".json"}])


def fingerprint(path: Path, parameters: dict[str, Any], show_code: bool) -> str:
    """A hash of everything a notebook's output depends on."""
    payload = {
        "notebook": hashlib.sha256(path.read_bytes()).hexdigest(),
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "data": data_hashes(parameters),
        "helpers": helpers_digest(),
        "packages": package_versions(),
        "show_code": show_code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def page_metadata(parameters: dict[str, Any], started: str) -> list[tuple[str, str]]:
    """The header rows of a report page: parameters, data hashes, package versions, time."""
    lang = parameters.get("lang", "en")
    rows = run_metadata(lang, started, parameters)
    rows += [(f"sha256 {k}", v) for k, v in data_hashes(parameters).items()]
    rows += [(f"{PAGE_LABELS[lang]['version']} {k}", v) for k, v in package_versions().items()]
    return rows


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

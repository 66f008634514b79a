"""Notebook parameters: one validator shared by every notebook and by the batch runner.

Each notebook's ``parameters`` cell holds literal defaults; the next cell passes them all here. A bad value
stops the notebook in its first cells with one message that names every bad parameter, its value and what
is allowed. Relative paths are resolved against the project root, never the working directory.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.sources.entities import load_entities
from helpers.sources.population import read_population_file
from helpers.sources.reference import known_bases
from helpers.sources.registry import ReportFolderError, ReportSource, load_report

#: The indicators the overview leads with, as the report prints them (indicator codes of indicators.csv).
HEADLINE_INDICATORS: tuple[str, ...] = (
    "gdp",
    "budget_revenue",
    "retail_sales",
    "market_entities",
    "new_market_entities",
    "livelihood_spending",
    "new_urban_jobs",
)
#: The notebook of each theme (here, not in report: the command line needs it without importing the charts).
NOTEBOOK_STEMS: dict[str, str] = {
    "overview": "00_overview",
    "epidemic": "01_epidemic",
    "economy": "02_economy",
    "reform_innovation": "03_reform_innovation",
    "urban_renewal": "04_urban_renewal",
    "livelihood": "05_livelihood",
    "governance": "06_governance",
    "audit": "07_data_audit",
}

LANGS: tuple[str, ...] = ("en", "zh")


@dataclass(frozen=True)
class ParameterSpec:
    """What a theme-specific parameter accepts: a type and either a set of values or an integer range."""

    kind: type
    allowed: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def allowed_text(self) -> str:
        """The allowed values in words, for error messages and ``jinshui-report list``."""
        if self.allowed:
            return ", ".join(repr(v) for v in self.allowed)
        if self.minimum is not None or self.maximum is not None:
            return f"an integer from {self.minimum} to {self.maximum}"
        return f"a {self.kind.__name__}"


#: Parameters some notebooks add to the shared five.
EXTRA_PARAMETERS: dict[str, ParameterSpec] = {
    "top_n": ParameterSpec(int, minimum=1, maximum=50, description="how many figures a chart shows"),
    "comparison": ParameterSpec(
        str,
        allowed=("both", *(e.entity_id for e in load_entities().values() if e.level in ("city", "province", "nation"))),
        description="which comparators the comparison shows: all the report's higher levels, or one of them",
    ),
    "show_info_findings": ParameterSpec(bool, allowed=(True, False), description="list info-level findings too"),
}
SHARED_PARAMETERS: dict[str, str] = {
    "report_dir": "a report folder (report.toml, the text, figures.csv), relative to the project root or absolute",
    "reference_dir": "a path to the folder of reference tables",
    "population_basis": "a basis of the report's population.toml, or of another report's (then its page says the "
    "report has no population on it)",
    "lang": ", ".join(repr(lang) for lang in LANGS),
    "output_dir": "a path to a folder (created if missing); interactive runs default to lab-output/",
}


class MessageOnlyError(Exception):
    """An error a notebook shows as its message alone: the reader fixes a cell, not the helpers' code."""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows this error in a notebook: the message alone, not a traceback through helpers."""
        name = type(self).__name__
        return [f"{name}: {line}" if i == 0 else line for i, line in enumerate(str(self).splitlines())]


class ParameterError(MessageOnlyError, ValueError):
    """Bad notebook parameters; ``problems`` has one line per bad parameter."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems and build one message listing them all."""
        self.problems = problems
        super().__init__("invalid parameters:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class NotebookParameters:
    """Validated parameters, paths resolved."""

    report_dir: Path
    reference_dir: Path
    population_basis: str
    lang: str
    output_dir: Path
    extras: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as JSON-ready values (paths as strings)."""
        return {
            "report_dir": str(self.report_dir),
            "reference_dir": str(self.reference_dir),
            "population_basis": self.population_basis,
            "lang": self.lang,
            "output_dir": str(self.output_dir),
            **self.extras,
        }


def resolve(path_text: str | Path) -> Path:
    """A path relative to the project root (absolute paths are kept)."""
    path = Path(path_text).expanduser()
    return path if path.is_absolute() else paths.PROJECT_ROOT / path


#: A value echoed in a message is cut to this many characters (a pasted 6,000-character name is not repeated).
ECHO_LIMIT = 80


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters with its full length said: for messages that name a value."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(str(value)):,} characters)"


def _bad(name: str, value: object, allowed: str, why: str = "") -> str:
    reason = f" ({why})" if why else ""
    return f"parameter {name!r} = {echo(value)} is not allowed{reason}; allowed: {allowed}"


def unusable_path(error: OSError | RuntimeError) -> str:
    """Why a path cannot even be looked at: a name over the system's limit, or a loop of symbolic links."""
    if isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP:
        return "a loop of symbolic links"
    return (error.strerror or str(error)).lower()


def _check_path(name: str, value: object, must_be: str, problems: list[str]) -> Path | None:
    """A path parameter: a non-empty string naming an existing file or folder (or a folder to create)."""
    if not isinstance(value, str | Path) or not str(value):
        problems.append(_bad(name, value, SHARED_PARAMETERS[name], "not a path"))
        return None
    try:
        path = resolve(value)
        path.exists()  # a name too long, a loop: OSError or RuntimeError here rather than in a later check
    except (OSError, RuntimeError) as error:
        problems.append(_bad(name, value, SHARED_PARAMETERS[name], f"cannot be used: {unusable_path(error)}"))
        return None
    if must_be == "file" and not path.is_file():
        problems.append(_bad(name, value, SHARED_PARAMETERS[name], f"no file at {path}"))
    elif must_be == "dir" and not path.is_dir():
        problems.append(_bad(name, value, SHARED_PARAMETERS[name], f"no folder at {path}"))
    elif must_be == "output" and path.exists() and not path.is_dir():
        problems.append(_bad(name, value, SHARED_PARAMETERS[name], f"{path} exists and is not a folder"))
    return path


def _check_extra(name: str, value: object, problems: list[str]) -> None:
    spec = EXTRA_PARAMETERS.get(name)
    if spec is None:
        known = ", ".join([*SHARED_PARAMETERS, *EXTRA_PARAMETERS])
        problems.append(f"unknown parameter {name!r}; known parameters: {known}")
        return
    type_ok = isinstance(value, spec.kind) and not (spec.kind is int and isinstance(value, bool))
    if not type_ok:
        problems.append(_bad(name, value, spec.allowed_text(), f"expected a {spec.kind.__name__}"))
    elif (
        (spec.allowed and value not in spec.allowed)
        or (spec.minimum is not None and value < spec.minimum)
        or (spec.maximum is not None and value > spec.maximum)
    ):
        problems.append(_bad(name, value, spec.allowed_text()))


def _allowed_bases(report: ReportSource | None) -> tuple[str, ...]:
    """The population bases a run may name: the report's own first, then those other reports define."""
    own: tuple[str, ...] = ()
    if report is not None:
        try:
            own = tuple(spec.basis_id for spec in read_population_file(report.population_path).bases)
        except ValueError:  # an invalid population.toml: the run's data check says what is wrong with it
            own = ()
    try:
        others = known_bases()
    except ValueError:  # a broken report elsewhere in the corpus: its own check names it
        others = ()
    return tuple(dict.fromkeys((*own, *others)))


def validate_parameters(
    report_dir: object,
    reference_dir: object,
    population_basis: object,
    lang: object,
    output_dir: object,
    **extras: object,
) -> NotebookParameters:
    """Check every parameter; return them resolved, or raise :class:`ParameterError` listing every problem."""
    problems: list[str] = []
    report = _check_path("report_dir", report_dir, "dir", problems)
    source: ReportSource | None = None
    if report is not None and report.is_dir():
        try:
            source = load_report(report)
        except ReportFolderError as error:
            problems.append(_bad("report_dir", report_dir, SHARED_PARAMETERS["report_dir"], str(error)))
    reference = _check_path("reference_dir", reference_dir, "dir", problems)
    output = _check_path("output_dir", output_dir, "output", problems)
    bases = _allowed_bases(source)
    if population_basis not in bases:
        problems.append(_bad("population_basis", population_basis, ", ".join(repr(b) for b in bases)))
    if lang not in LANGS:
        problems.append(_bad("lang", lang, SHARED_PARAMETERS["lang"]))
    for name, value in extras.items():
        _check_extra(name, value, problems)
    if problems:
        raise ParameterError(problems)
    return NotebookParameters(
        Path(str(report)), Path(str(reference)), str(population_basis), str(lang), Path(str(output)), dict(extras)
    )

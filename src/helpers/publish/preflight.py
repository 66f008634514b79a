"""Check every input a run will read, before any notebook runs, and report every problem at once.

The runner checks them while its workers start their kernels (a second of CPU this check leaves idle), and
stops the workers and kernels at once when a problem is found.

A bad data file would otherwise let every notebook start, fail, and then crash the export step with a raw
traceback. Here the report folder (metadata, text, figures and excluded tables), the reference tables, the
indicator vocabulary and the comparators that divide are each loaded once per distinct parameter set; each
problem becomes one line naming the file, the line or row, the column and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from helpers.analysis.indicators import load_vocabulary, observations
from helpers.analysis.recipes import read_checks, read_recipes
from helpers.notebook.params import resolve
from helpers.sources.figures import THEMES, FiguresValidationError
from helpers.sources.reference import load_reference, population_bases
from helpers.sources.registry import ReportFolderError, comparison_corpus, load_report
from helpers.sources.text import TextEncodingError


def _csv_problem(error: Exception, path: Path | None) -> str:
    """A pandas or decoding error while reading a CSV, as one line naming the file."""
    where = str(path) if path else "a data file"
    if isinstance(error, UnicodeDecodeError):
        return f"{where}: not valid UTF-8 (byte {error.start}); data files must be UTF-8"
    if isinstance(error, pd.errors.EmptyDataError):
        return f"{where}: empty file (no header, no rows)"
    if isinstance(error, pd.errors.ParserError):
        return f"{where}: malformed CSV ({str(error).splitlines()[0]})"
    return f"{where}: {error}"


def check_inputs(parameters: dict[str, Any]) -> list[str]:
    """Problems with the data one notebook's parameters point to; an empty list when all is well."""
    problems: list[str] = []
    report_dir = resolve(parameters["report_dir"])
    reference_dir = resolve(parameters["reference_dir"])
    report = figures = reference = None
    try:
        report = load_report(report_dir)
        figures = report.figures()
        report.excluded()
        if figures.empty:
            problems.append(f"{report.figures_path}: no rows (a header alone)")
    except (ReportFolderError, FiguresValidationError, TextEncodingError) as error:
        problems.append(str(error).replace("\n", " "))
    except (UnicodeDecodeError, pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        problems.append(_csv_problem(error, report.figures_path if report else report_dir))
    except OSError as error:
        problems.append(f"{error.filename or report_dir}: cannot be read ({error.strerror or error})")
    except Exception as error:  # anything else a broken folder raises is still one line, never a traceback
        problems.append(f"{report_dir}: cannot be loaded ({type(error).__name__}: {str(error)[:200]})")
    try:
        reference = load_reference(reference_dir)
    except FiguresValidationError as error:
        problems.append(str(error).replace("\n", " "))
    except FileNotFoundError as error:
        problems.append(f"{reference_dir}: missing reference table {Path(str(error.filename)).name}")
    except (UnicodeDecodeError, pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        problems.append(_csv_problem(error, reference_dir))
    except OSError as error:
        problems.append(f"{error.filename or reference_dir}: cannot be read ({error.strerror or error})")
    except Exception as error:
        problems.append(f"{reference_dir}: cannot be loaded ({type(error).__name__}: {str(error)[:200]})")
    if reference is not None:
        problems += _divisor_problems(reference, reference_dir)
    if reference is not None and report is not None:
        try:
            population_bases(reference, report)
        except FiguresValidationError as error:
            problems.append(str(error).replace("\n", " "))
    if figures is not None and report is not None:
        for read in (lambda: read_recipes(report.recipes_path, set(figures["figure_id"]), THEMES),
                     lambda: read_checks(report.checks_path, set(figures["figure_id"]))):  # fmt: skip
            try:
                read()
            except FiguresValidationError as error:
                problems.append(str(error).replace("\n", " "))
    if figures is not None and reference is not None and report is not None:
        try:
            found = observations(load_vocabulary(), comparison_corpus(report), reference, {report.report_id: figures})
        except (FiguresValidationError, ReportFolderError) as error:
            problems.append(str(error).replace("\n", " "))
        else:
            problems += [
                f"{o.qualified_id}: a {o.indicator} of {o.estimate.value:g} cannot divide (zero or negative)"
                for o in found
                if o.estimate.low <= 0 and o.indicator in ("gdp", "resident_population", "budget_revenue")
            ]
    return problems


def _divisor_problems(reference: Any, folder: Path) -> list[str]:
    """Comparators used as divisors (totals, populations) must be positive."""
    frame = reference.comparators
    bad = frame[frame["value_base"].astype(float) <= 0]
    return [
        f"{folder / 'comparators_2020.csv'}: comparator {row.comparator_id} is {row.value}, a total cannot be "
        "zero or negative (it divides shares and per-capita values)"
        for row in bad.itertuples(index=False)
    ]

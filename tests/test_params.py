"""The shared parameter validator: clear messages that name the parameter, its value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import paths
from helpers.notebook.params import ParameterError, validate_parameters

GOOD = {
    "report_dir": "data/reports/jinshui-2020",
    "reference_dir": "data/reference",
    "population_basis": "resident_2019",
    "lang": "en",
    "output_dir": "reports",
}


def _error(**overrides: object) -> str:
    with pytest.raises(ParameterError) as info:
        validate_parameters(**{**GOOD, **overrides})
    return str(info.value)


def test_defaults_resolve_against_the_project_root() -> None:
    params = validate_parameters(**GOOD)
    assert params.report_dir == paths.REPORTS_DATA_DIR / "jinshui-2020"
    assert params.output_dir == paths.PROJECT_ROOT / "reports"


def test_unknown_language() -> None:
    assert "parameter 'lang' = 'fr' is not allowed; allowed: 'en', 'zh'" in _error(lang="fr")


def test_unknown_basis() -> None:
    message = _error(population_basis="census")
    assert "parameter 'population_basis' = 'census'" in message
    assert "'resident_2019', 'census_2020_incl_zhengdong', 'census_2020_scope_adjusted'" in message


def test_missing_file() -> None:
    message = _error(report_dir="data/reports/nope")
    assert "parameter 'report_dir' = 'data/reports/nope'" in message
    assert "no folder at" in message


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "exists and is not a folder" in _error(output_dir=str(blocker))


def test_wrong_type_and_range_of_extras() -> None:
    assert "parameter 'top_n' = '10' is not allowed (expected a int)" in _error(top_n="10")
    assert "parameter 'top_n' = 0 is not allowed; allowed: an integer from 1 to 50" in _error(top_n=0)
    assert "parameter 'comparison' = 'beijing'" in _error(comparison="beijing")
    assert "unknown parameter 'colour'" in _error(colour="red")


def test_every_problem_is_listed() -> None:
    error = None
    try:
        validate_parameters(**{**GOOD, "lang": "fr", "population_basis": 3, "reference_dir": "nowhere"})
    except ParameterError as raised:
        error = raised
    assert error is not None
    assert len(error.problems) == 3
    assert [p.split("'")[1] for p in error.problems] == ["reference_dir", "population_basis", "lang"]

"""Every message of the runner is one true line (issue 19, "raw tracebacks" and "smaller"): bad paths, long
values, broken population tables, a read-only home, an output folder that is an input folder.

Each case fails with a traceback, a silent acceptance or a wrong word on the code before the fix.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from collections_helper import write_notebook
from test_runner_failures import _assert_clear_error, _cli

from helpers import paths

pytestmark = pytest.mark.xdist_group("batch")
CENSUS = "census2020_zhengzhou_counties.csv"


@pytest.fixture
def one_page(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    write_notebook(folder, "a_page", 'print("fine")')
    return folder


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, target)
    return target


def _run(one_page: Path, output: Path, *extra: str, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    return _cli("run", "--notebooks", str(one_page), "--output", str(output), "-p", "lang", "en", *extra, env=env)


def test_an_output_through_a_symlink_loop_is_one_line(one_page: Path, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = _run(one_page, tmp_path / "a" / "out")
    _assert_clear_error(result, 2, "cannot be used: a loop of symbolic links")


def test_a_path_over_the_name_limit_is_one_line_for_output_and_parameters(one_page: Path, tmp_path: Path) -> None:
    long = str(tmp_path / ("x" * 300))  # one name of 300 bytes; Linux allows 255
    _assert_clear_error(_run(one_page, Path(long)), 2, "--output", "cannot be used: file name too long")
    result = _run(one_page, tmp_path / "out", "-p", "report_dir", long)
    _assert_clear_error(result, 2, "parameter 'report_dir'", "cannot be used: file name too long")
    assert "x" * 100 not in result.stderr  # the value is echoed cut, with its length
    assert f"({len(long):,} characters)" in result.stderr


def test_a_long_theme_name_is_not_echoed_in_full(one_page: Path, tmp_path: Path) -> None:
    theme = "economy" * 900  # 6,300 characters
    result = _cli("run", "--theme", theme, "--output", str(tmp_path / "out"))
    _assert_clear_error(result, 2, "unknown theme", "(6,300 characters)")
    assert len(result.stderr) < 1_000


def _edit_census(reference: Path, county: str, population: str) -> int:
    """Set ``county``'s population in the census table; return its line number (the header is line 1)."""
    path = reference / CENSUS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        cells = line.split(",")
        if cells[3] == county:
            cells[4] = population
            lines[number - 1] = ",".join(cells)
            path.write_text("".join(lines), encoding="utf-8")
            return number
    raise AssertionError(county)


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ("lots", "column 'population': 'lots' is not a number"),
        ("-2145588", "column 'population': -2145588 is negative"),
    ],
)
def test_a_bad_census_row_names_file_line_and_what_is_wrong(
    population: str, message: str, one_page: Path, reference_copy: Path, tmp_path: Path
) -> None:
    line = _edit_census(reference_copy, "中原区", population)  # 中原区 is no comparator's row: only the check sees it
    result = _run(one_page, tmp_path / "out", "-p", "reference_dir", str(reference_copy))
    _assert_clear_error(result, 2, CENSUS, f"line {line} (中原区), {message}")


def test_a_census_row_that_disagrees_names_both_tables(one_page: Path, reference_copy: Path, tmp_path: Path) -> None:
    # comparators_2020.csv states Zhengzhou's census population 12,600,574; the census row says one more.
    line = _edit_census(reference_copy, "郑州市", "12600575")
    result = _run(one_page, tmp_path / "out", "-p", "reference_dir", str(reference_copy))
    _assert_clear_error(
        result, 2,
        f"{CENSUS} line {line} (郑州市): 12,600,575 persons disagrees with comparators_2020.csv's "
        "zhengzhou_census_population (12,600,574)",
    )  # fmt: skip


def test_a_home_that_cannot_be_written_prints_no_warnings(one_page: Path, tmp_path: Path) -> None:
    home = tmp_path / "home-is-a-file"  # not a folder: nothing can be made in it, even by root
    home.write_text("", encoding="utf-8")
    # Empty, as if unset (the test's own environment may name folders of its own).
    result = _run(one_page, tmp_path / "out", env={"HOME": str(home), "IPYTHONDIR": "", "MPLCONFIGDIR": ""})
    assert result.returncode == 0, result.stderr
    assert "not a writable location" not in result.stderr
    assert "Matplotlib created a temporary" not in result.stderr
    assert "Warning" not in result.stderr


def test_an_output_equal_to_or_above_a_report_folder_outside_the_project_is_refused(
    one_page: Path, report_copy: Path, tmp_path: Path
) -> None:
    before = sorted(p.name for p in report_copy.iterdir())
    for output in (report_copy, report_copy.parent, report_copy / "reports"):
        result = _run(one_page, output, "-p", "report_dir", str(report_copy))
        _assert_clear_error(result, 2, "the report folder (report_dir)")
    assert sorted(p.name for p in report_copy.iterdir()) == before

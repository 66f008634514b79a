"""Population bases are data beside each report (population.toml), read by code that names no area."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.sources.figures import FiguresValidationError
from helpers.sources.population import read_population_file
from helpers.sources.reference import load_reference, population_bases
from helpers.sources.registry import get_report, load_report


def test_jinshuis_bases_come_from_its_file() -> None:
    bases = population_bases(load_reference(), get_report("jinshui-2020"))
    assert list(bases) == ["resident_2019", "census_2020_incl_zhengdong", "census_2020_scope_adjusted"]
    adjusted = bases["census_2020_scope_adjusted"]
    # 2,145,588 × 133.3万 / (133.3万 + 74.1万) = 1,379,011 people
    assert adjusted.estimate.value == pytest.approx(2_145_588 * 133.3 / (133.3 + 74.1))
    assert adjusted.formula == (
        "jinshui_census_population_incl_zhengdong × jinshui_resident_population_2019 / "
        "(jinshui_resident_population_2019 + zhengdong_resident_population_2019)"
    )
    assert [b for b, basis in bases.items() if not basis.matches_report_scope] == ["census_2020_incl_zhengdong"]
    assert "Zhengdong" in bases["census_2020_incl_zhengdong"].mismatch.en


def _copy(tmp_path: Path, report_id: str) -> Path:
    target = tmp_path / report_id
    shutil.copytree(get_report(report_id).folder, target)
    return target


def test_a_report_without_the_file_has_no_basis(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "jinshui-2020")
    (folder / "population.toml").unlink()
    assert population_bases(load_reference(), load_report(folder)) == {}


def test_every_problem_of_the_file_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "jinshui-2020")
    path = folder / "population.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('mismatch_en = "scope mismatch', 'mismatch_xx = "scope mismatch', 1)
    text = text.replace('scale_by = "jinshui_resident_population_2019"\n', "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FiguresValidationError) as error:
        read_population_file(path)
    message = str(error.value)
    assert "basis 2: unknown key 'mismatch_xx'" in message
    assert "basis 2: a basis of another scope says why" in message
    assert "basis 3: 'scale_by' and 'scale_over' go together" in message


def test_a_basis_on_an_unsourced_comparator_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "jinshui-2020")
    path = folder / "population.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'population = "jinshui_resident_population_2019"', 'population = "jinshui_resident_population_2018"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(FiguresValidationError, match="no sourced comparator 'jinshui_resident_population_2018'"):
        population_bases(load_reference(), load_report(folder))

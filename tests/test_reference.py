"""Comparators and population bases: provenance, validation, the scope question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import paths
from helpers.sources.figures import FiguresValidationError
from helpers.sources.reference import (
    MissingComparatorError,
    load_comparators,
    load_reference,
    population_bases,
    read_comparators_csv,
)

SHARED_REFERENCE = paths.PROJECT_ROOT.parent / "shared" / "reference"


def test_reference_tables_are_copied_unchanged() -> None:
    if not SHARED_REFERENCE.is_dir():
        return  # a clone without ../shared
    for source in SHARED_REFERENCE.glob("*.csv"):
        assert (paths.REFERENCE_DIR / source.name).read_bytes() == source.read_bytes(), source.name


def test_every_comparator_has_a_source_and_a_quote() -> None:
    frame = load_reference().comparators
    assert (frame["source"].str.len() > 0).all()
    assert (frame["quote"].str.len() > 0).all()
    assert frame["comparator_id"].is_unique


def test_quoted_commas_are_read_as_part_of_the_field() -> None:
    # The file is standard CSV: a quote holding an ASCII comma is quoted.
    frame = read_comparators_csv(paths.REFERENCE_DIR / "comparators_2020.csv")
    quotes = frame.set_index(["entity", "indicator"])["quote"]
    assert quotes[("郑州市", "gdp_growth")] == "初步核算,全市生产总值比上年增长3%"
    assert quotes[("河南省", "good_air_days")] == "全省环境空气质量优良天数245天(不含济源),占比达67.0%"


def test_a_row_with_an_unquoted_comma_is_an_error_naming_file_line_and_count(tmp_path: Path) -> None:
    source = (paths.REFERENCE_DIR / "comparators_2020.csv").read_text(encoding="utf-8")
    lines = source.splitlines()
    # Line 3 is Zhengzhou's gdp_growth; unquoting its last field splits it at the comma: 9 fields, not 8.
    assert lines[2].endswith('"初步核算,全市生产总值比上年增长3%"')
    lines[2] = lines[2].replace('"初步核算,全市生产总值比上年增长3%"', "初步核算,全市生产总值比上年增长3%")
    broken = tmp_path / "comparators_2020.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FiguresValidationError) as info:
        read_comparators_csv(broken)
    assert str(broken) in str(info.value)
    assert "line 3: 9 fields, expected 8" in str(info.value)


def test_values_in_base_units() -> None:
    reference = load_reference()
    assert reference.comparator("zhengzhou_gdp").estimate.value == 12003e8  # 12003亿元
    assert reference.comparator("henan_market_entities").estimate.value == 781e4  # 781万户
    assert reference.comparator("jinshui_resident_population_2019").estimate.value == 1_333_000  # 133.3万人
    # "突破1万家" is a floor: [10000, 20000)
    smes = reference.comparator("henan_tech_based_smes_lower_bound").estimate
    assert (smes.low, smes.high) == (10_000, 20_000)


def test_missing_comparator_carries_its_reason() -> None:
    with pytest.raises(MissingComparatorError, match="no 2020 level") as info:
        load_reference().comparator("henan_retail_sales")
    assert info.value.comparator_id == "henan_retail_sales"


def test_population_bases() -> None:
    bases = population_bases(load_reference())
    assert set(bases) == {"resident_2019", "census_2020_incl_zhengdong", "census_2020_scope_adjusted"}
    assert bases["resident_2019"].estimate.value == 1_333_000
    assert bases["census_2020_incl_zhengdong"].estimate.value == 2_145_588
    # 2,145,588 x 133.3 / (133.3 + 74.1) = 2,145,588 x 0.642719… = 1,379,011.0
    assert bases["census_2020_scope_adjusted"].estimate.value == pytest.approx(1_379_011.0, abs=0.5)
    for basis in bases.values():
        assert basis.caveat_en and basis.caveat_zh


def _copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    return folder


def test_a_comparator_without_source_is_rejected(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "comparators_2020.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = "郑州市,gdp,12003,亿元,2020,,,2020年国内生产总值完成12003亿元"  # source emptied
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FiguresValidationError, match=r"line 2, column 'source'"):
        load_comparators(path)


def test_a_comparator_with_a_bad_unit_is_rejected(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "comparators_2020.csv"
    text = path.read_text(encoding="utf-8").replace("郑州市,gdp,12003,亿元", "郑州市,gdp,12003,美元")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FiguresValidationError, match=r"column 'unit'.*美元"):
        load_comparators(path)


def test_tables_that_disagree_are_rejected(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "zhengzhou_2019_resident_population_by_district.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("金水区,Jinshui District,133.3", "金水区,Jinshui District,140.0"),
        encoding="utf-8",
    )
    with pytest.raises(FiguresValidationError, match="jinshui_resident_population_2019"):
        load_reference(folder)

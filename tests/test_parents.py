"""The same recipes for every report against its parents, found by division code: values worked out by hand
from the reports' texts (quotes in the comments) and the reference tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.analysis import audit
from helpers.analysis.metrics import build_derived_metrics, metric_value
from helpers.analysis.subject import subject_of
from helpers.sources.entities import parent_codes
from helpers.sources.reference import load_reference
from helpers.sources.registry import get_report, load_report


@pytest.fixture(scope="module")
def zhengzhou() -> pd.DataFrame:
    report = get_report("zhengzhou-2021")
    return build_derived_metrics(report.figures(), load_reference(), report=report)


@pytest.fixture(scope="module")
def henan() -> pd.DataFrame:
    report = get_report("henan-2021")
    return build_derived_metrics(report.figures(), load_reference(), report=report)


def test_parents_are_found_by_division_code() -> None:
    assert parent_codes("410105", "district") == ["410100", "410000", "100000"]
    assert parent_codes("410100", "city") == ["410000", "100000"]
    assert parent_codes("410000", "province") == ["100000"]
    assert parent_codes("100000", "nation") == []
    reference = load_reference()
    found = {
        r: subject_of(get_report(r), reference).parent_ids for r in ("jinshui-2020", "zhengzhou-2021", "henan-2021")
    }
    assert found == {
        "jinshui-2020": ("zhengzhou", "henan", "china"),
        "zhengzhou-2021": ("henan", "china"),
        "henan-2021": ("china",),
    }


ZHENGZHOU = {
    # 2020年全市生产总值完成12003亿元 / 河南 54997.07亿元 (yearbook) = 21.825%
    "gdp_share_of_henan": 12003 / 54997.07 * 100,
    # 12003亿元 / 1015986亿元 (communiqué) = 1.1814%
    "gdp_share_of_china": 12003 / 1015986 * 100,
    # 全市生产总值比上年增长3% − 河南 增长1.3% = 1.7 points
    "gdp_growth_gap_vs_henan": 3 - 1.3,
    # 3% − 全国 国内生产总值比上年增长2.3% = 0.7 points
    "gdp_growth_gap_vs_china": 3 - 2.3,
    # 进出口 4946.4亿元 / 河南 6654.8亿元 = 74.33%
    "foreign_trade_share_of_henan": 4946.4 / 6654.8 * 100,
    # 新增城镇就业14万人 / 河南 122.6万人 = 11.42%
    "new_urban_jobs_share_of_henan": 14 / 122.6 * 100,
    # 地方财政一般公共预算收入1259.2亿元 / (1 + 一般公共预算收入增长3% / 100) = 1222.52亿元
    "implied_2019_budget_revenue": 1259.2e8 / 1.03,
    # 优良天数230天 − 比上年增加53天 = 177 days
    "implied_2019_good_air_days": 230 - 53,
}


@pytest.mark.parametrize("metric_id", sorted(ZHENGZHOU))
def test_zhengzhou_against_its_parents(zhengzhou: pd.DataFrame, metric_id: str) -> None:
    assert metric_value(zhengzhou, metric_id) == pytest.approx(ZHENGZHOU[metric_id], rel=1e-9)


def test_a_growth_gap_is_in_percentage_points_with_both_quotes(zhengzhou: pd.DataFrame) -> None:
    row = zhengzhou.set_index("metric_id").loc["gdp_growth_gap_vs_henan"]
    assert row["unit"] == "percentage_points" and row["status"] == "ok"
    assert row["inputs"] == "zhengzhou-2021:gdp_growth;henan-2021:gdp_growth"
    # 3% is [2.5, 3.5] (a whole percent), 1.3% is [1.25, 1.35]: the gap is [1.15, 2.25]
    assert (row["low"], row["high"]) == pytest.approx((2.5 - 1.35, 3.5 - 1.25))
    assert "Zhengzhou minus Henan" in row["label_en"] and "郑州市减河南省" in row["label_zh"]


def test_zhengzhou_per_capita_and_location_quotient(zhengzhou: pd.DataFrame) -> None:
    # 12003亿元 / 12,600,574 (census 410100) = 95,258 yuan per person
    assert metric_value(zhengzhou, "gdp_per_capita", "census_2020") == pytest.approx(12003e8 / 12_600_574)
    # 12003亿元 / 1035.2万 (year-end 2019 sample estimate) = 115,949 yuan per person
    assert metric_value(zhengzhou, "gdp_per_capita", "resident_2019") == pytest.approx(12003e8 / 10_352_000)
    # (12003 / 54997.07) / (12,600,574 / 99,365,519) = 21.825% / 12.681% = 1.7211
    quotient = (12003 / 54997.07) / (12_600_574 / 99_365_519)
    assert metric_value(zhengzhou, "location_quotient_gdp_henan", "census_2020") == pytest.approx(quotient)
    # 95,258 / (54997.07亿 / 99,365,519 = 55,348) = 1.7211, the same quotient by construction
    assert metric_value(zhengzhou, "gdp_per_capita_relative_to_henan", "census_2020") == pytest.approx(quotient)


HENAN = {
    # 河南 54997.07亿元 (yearbook; exact beats 超过5万亿元) / 1015986亿元 = 5.413%
    "gdp_share_of_china": 54997.07 / 1015986 * 100,
    # 增长1.3% − 全国 2.3% = −1.0 point
    "gdp_growth_gap_vs_china": 1.3 - 2.3,
    # 市场主体达到781万户 / 全国 1.4亿户 = 5.579%
    "market_entities_share_of_china": 781 / 14000 * 100,
    # 781万户 / (1 + 增长11.9% / 100) = 697.94万户
    "implied_2019_market_entities": 781e4 / 1.119,
    # 新增城镇就业122.6万人 / 全国 1186万人 = 10.34%
    "new_urban_jobs_share_of_china": 122.6 / 1186 * 100,
}


@pytest.mark.parametrize("metric_id", sorted(HENAN))
def test_henan_against_the_nation(henan: pd.DataFrame, metric_id: str) -> None:
    assert metric_value(henan, metric_id) == pytest.approx(HENAN[metric_id], rel=1e-9)


def test_henan_per_capita_on_its_census(henan: pd.DataFrame) -> None:
    # 54997.07亿元 / 99,365,519 = 55,348 yuan per person; no 2019 population of Henan has a source
    assert metric_value(henan, "gdp_per_capita", "census_2020") == pytest.approx(54997.07e8 / 99_365_519)
    assert set(henan["population_basis"]) == {"", "census_2020"}
    # No parent of a province has a population here: no location quotient is made up.
    assert not henan["metric_id"].str.startswith("location_quotient_").any()


def test_no_row_of_another_report_names_jinshui(zhengzhou: pd.DataFrame, henan: pd.DataFrame) -> None:
    for table in (zhengzhou, henan):
        text = " ".join(table[["label_en", "label_zh", "note", "note_zh"]].astype(str).to_numpy().ravel())
        assert "Jinshui" not in text and "金水区" not in text


def _with_stated_gap(tmp_path: Path, printed: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zhengzhou's report with a stated gap («高于全省…个百分点», crafted: the text prints none) and its check."""
    folder = tmp_path / "zhengzhou-2021"
    shutil.copytree(get_report("zhengzhou-2021").folder, folder)
    (folder / "checks.csv").write_text(
        "check,item,against\nstated_gap,gdp_growth_above_province,gdp_growth_gap_vs_henan\n", encoding="utf-8"
    )
    report = load_report(folder)
    figures = report.figures()
    stated = figures[figures["figure_id"] == "gdp_growth"].assign(
        figure_id="gdp_growth_above_province",
        value_as_printed=printed,
        unit_as_printed="个百分点",
        prefix_as_printed="",
        value=float(printed),
        unit="percentage_points",
        kind="change",
    )
    figures = pd.concat([figures, stated], ignore_index=True)
    reference = load_reference()
    metrics = build_derived_metrics(figures, reference, report=report)
    return audit.run_audit(figures, metrics, reference, report=report), metrics


def test_a_stated_gap_is_checked_against_the_computed_gap(tmp_path: Path) -> None:
    # Stated 0.9 points [0.85, 0.95] against the computed 3% − 1.3% = 1.7 [1.15, 2.25]: they do not overlap.
    findings, _ = _with_stated_gap(tmp_path, "0.9")
    row = findings.set_index("finding_id").loc["stated_gap_vs_computed__gdp_growth_above_province"]
    assert row["severity"] == "warning" and "not consistent" in row["message_en"]
    assert "+0.90" in row["message_en"] and "+1.70" in row["message_en"] and "个百分点" in row["message_zh"]


def test_a_stated_gap_within_rounding_passes(tmp_path: Path) -> None:
    # Stated 1.7 points [1.65, 1.75] lies within [1.15, 2.25].
    findings, _ = _with_stated_gap(tmp_path / "b", "1.7")
    row = findings.set_index("finding_id").loc["stated_gap_vs_computed__gdp_growth_above_province"]
    assert row["severity"] == "info" and "consistent within rounding" in row["message_en"]

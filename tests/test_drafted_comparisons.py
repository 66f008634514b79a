"""Drafted reports take part in the comparisons: four corpus texts added with ``add``, set against their parents.

Guangdong (a province), Guangzhou (a major city), Zhuhai (a prefecture city) and the State Council's report (the
nation; a text with no front matter) are added into one folder; each is analysed as the notebooks analyse it.
Every expected value is computed by hand from the sentences quoted in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import paths
from helpers.analysis.tables import Analysis, load_analysis
from helpers.sources.add import add_report

CORPUS = paths.PROJECT_ROOT / "data" / "corpus" / "lawtext-gov"
TEXTS = {
    "guangdong-2021": "政府工作报告-省自治区/广东省/2021.md",
    "guangzhou-2021": "政府工作报告-主要城市/广州市/2021.md",
    "zhuhai-2021": "政府工作报告-其他地市/珠海市/2021.md",
    "china-2021": "政府工作报告-国务院/2021.md",
}


@pytest.fixture(scope="module")
def analyses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Analysis]:
    """Each report added with ``add`` into one folder, then analysed."""
    folder = tmp_path_factory.mktemp("reports")
    for report_id, path in TEXTS.items():
        assert add_report(CORPUS / path, folder).report_id == report_id
    return {report_id: load_analysis(folder / report_id, paths.REFERENCE_DIR) for report_id in TEXTS}


def _row(analysis: Analysis, metric_id: str) -> pd.Series:
    rows = analysis.metrics.loc[analysis.metrics["metric_id"] == metric_id]
    assert len(rows) == 1, sorted(analysis.metrics["metric_id"])
    return rows.iloc[0]


def test_parents_are_found_by_division_code_among_the_added_reports(analyses: dict[str, Analysis]) -> None:
    # 440400 珠海市 → 440000 广东省 → 100000; the province is the drafted Guangdong beside it.
    assert analyses["zhuhai-2021"].subject.parent_ids == ("guangdong", "china")
    assert analyses["guangzhou-2021"].subject.parent_ids == ("guangdong", "china")
    assert analyses["guangdong-2021"].subject.parent_ids == ("china",)
    assert analyses["china-2021"].subject.parent_ids == ()


def test_a_prefecture_city_against_its_province(analyses: dict[str, Analysis]) -> None:
    zhuhai = analyses["zhuhai-2021"]
    # «一般公共预算收入…379亿元» / Guangdong «一般公共预算收入12922亿元» = 0.029330 → 2.9330%.
    share = _row(zhuhai, "budget_revenue_share_of_guangdong")
    assert share["value"] == pytest.approx(379 / 12922 * 100)
    assert share["status"] == "ok"
    assert "not yet reviewed by hand" in share["note"] and "尚未人工核对" in share["note_zh"]
    # «全市地区生产总值增长3%» − Guangdong «地区生产总值…增长2.3%» = 0.7 percentage points.
    gap = _row(zhuhai, "gdp_growth_gap_vs_guangdong")
    assert (gap["value"], gap["unit"]) == (pytest.approx(0.7), "percentage_points")
    # «固定资产投资总额增长13.1%» − «固定资产投资增长7.2%» = 5.9 points.
    assert _row(zhuhai, "fixed_asset_investment_growth_gap_vs_guangdong")["value"] == pytest.approx(5.9)
    # «城镇新增就业3.8万人» / «城镇新增就业134万人» = 2.8358%.
    assert _row(zhuhai, "new_urban_jobs_share_of_guangdong")["value"] == pytest.approx(3.8 / 134 * 100)


def test_a_major_city_against_its_province(analyses: dict[str, Analysis]) -> None:
    guangzhou = analyses["guangzhou-2021"]
    # «地区生产总值…增长2.7%» − 2.3% = 0.4 points.
    assert _row(guangzhou, "gdp_growth_gap_vs_guangdong")["value"] == pytest.approx(0.4)
    # «新增城镇就业29.5万人» / 134万人 = 22.015%; a stock with a stock: «高新技术企业…1.2万家» / «5.3万家» = 22.64%.
    assert _row(guangzhou, "new_urban_jobs_share_of_guangdong")["value"] == pytest.approx(29.5 / 134 * 100)
    assert _row(guangzhou, "high_tech_enterprises_share_of_guangdong")["value"] == pytest.approx(1.2 / 5.3 * 100)


def test_a_province_against_the_nation(analyses: dict[str, Analysis]) -> None:
    guangdong = analyses["guangdong-2021"]
    # Guangdong's 2.3% − the communiqué's «全年国内生产总值…比上年增长2.3%» = 0.0 points.
    assert _row(guangdong, "gdp_growth_gap_vs_china")["value"] == pytest.approx(0.0)
    # 134万人 / the communiqué's «全年城镇新增就业1186万人» = 11.299%.
    assert _row(guangdong, "new_urban_jobs_share_of_china")["value"] == pytest.approx(134 / 1186 * 100)
    # A province's local revenue against the nation's, central share included: a scope mismatch, never ok.
    mismatch = _row(guangdong, "budget_revenue_share_of_china")
    assert mismatch["status"] == "scope_mismatch"
    assert mismatch["value"] == pytest.approx(12922 / 182895 * 100)


def test_the_nation_has_no_parent_and_its_draft_agrees_with_the_communique(analyses: dict[str, Analysis]) -> None:
    china = analyses["china-2021"]
    assert not china.metrics["metric_id"].str.contains("_share_of_|_gap_vs_").any()
    # The State Council's «国内生产总值增长2.3%» is the communiqué's 2.3%.
    figures = china.figures.set_index("figure_id")
    assert float(figures.loc["gdp_growth", "value"]) == 2.3


def test_shares_only_ever_divide_one_indicator_by_itself(analyses: dict[str, Analysis]) -> None:
    # A stock never shared against a flow: the two inputs of every share name the same indicator.
    vocabulary = next(iter(analyses.values())).vocabulary
    for analysis in analyses.values():
        indicator_of = {o.qualified_id: o.indicator for o in analysis.observations}
        shares = analysis.metrics[analysis.metrics["metric_id"].str.contains("_share_of_")]
        for row in shares.itertuples():
            inputs = [indicator_of.get(i, i) for i in row.inputs.split(";") if i in indicator_of]
            assert len(set(inputs)) <= 1, (row.metric_id, row.inputs)
            if inputs:
                assert vocabulary.indicators[inputs[0]].measure in ("flow", "stock"), row.metric_id


def test_a_target_or_a_five_year_figure_is_never_the_years_value(analyses: dict[str, Analysis]) -> None:
    guangdong, zhuhai = analyses["guangdong-2021"], analyses["zhuhai-2021"]
    # Guangdong's 2021 target «地区生产总值增长6%以上» and Zhuhai's five-year «年均增长7.4%» are kept out …
    excluded = guangdong.report.excluded()
    assert ((excluded["token"] == "6") & (excluded["category"] == "target")).any()
    zhuhai_excluded = zhuhai.report.excluded()
    assert ((zhuhai_excluded["token"] == "7.4") & (zhuhai_excluded["category"] == "multi_year")).any()
    # … so the gap is 3.0 − 2.3 = 0.7, not 3.0 − 6 or 7.4 − 2.3; and no observation carries either value.
    values = {(o.entity, o.indicator): o.estimate.value for o in zhuhai.observations}
    assert values[("guangdong", "gdp_growth")] == 2.3
    assert values[("zhuhai", "gdp_growth")] == 3.0

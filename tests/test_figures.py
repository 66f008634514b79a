"""The figures table: schema, quotes, parsing, full coverage of the text, hand checks and bad input."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from helpers import paths
from helpers.sources import figures, registry


def test_table_is_valid_and_typed(figures_table: pd.DataFrame) -> None:
    assert figures_table["value"].dtype == "float64"
    assert figures_table["figure_id"].is_unique
    assert set(figures_table["theme"]) == set(figures.THEMES)


def test_every_quote_is_verbatim_and_unique(figures_table: pd.DataFrame, report: str) -> None:
    for row in figures_table.itertuples():
        assert report.count(row.quote) == 1, row.figure_id
        assert row.value_as_printed in row.quote, row.figure_id


def test_every_number_is_accounted_for(figures_table: pd.DataFrame, excluded_table: pd.DataFrame, report: str) -> None:
    unaccounted, double_counted = figures.account_for_mentions(report, figures_table, excluded_table)
    assert unaccounted == []
    assert double_counted == []


def test_coverage_detects_a_dropped_row(figures_table: pd.DataFrame, excluded_table: pd.DataFrame, report: str) -> None:
    unaccounted, _ = figures.account_for_mentions(
        report, figures_table[figures_table["figure_id"] != "retail_sales"], excluded_table
    )
    assert unaccounted == ["'979.4' at 670 in '实现地方一般公共预算收入122亿元、社会消费品零售总额979.4亿元'"]


def test_coverage_detects_a_double_count(
    figures_table: pd.DataFrame, excluded_table: pd.DataFrame, report: str
) -> None:
    extra = pd.DataFrame(
        [
            {
                "token": "979.4",
                "context": "",
                "quote": "社会消费品零售总额979.4亿元",
                "category": "word",
                "reason": "x",
            }
        ]
    )
    _, problems = figures.account_for_mentions(report, figures_table, pd.concat([excluded_table, extra]))
    assert any("counted twice" in p and "979.4" in p for p in problems)


# Spot checks: each value worked out by hand from its quote.
SPOT_CHECKS = {
    # figure_id: (value, unit, qualifier, kind)
    "gdp": (180_000_000_000, "yuan", "at_least", "level"),  # 突破1800亿元: 1800 x 10^8 = 1.8e11, a floor
    "general_budget_revenue": (12_200_000_000, "yuan", "exact", "level"),  # 122 x 10^8
    "retail_sales": (97_940_000_000, "yuan", "exact", "level"),  # 979.4 x 10^8
    "prevention_control_personnel": (
        48_000,
        "persons",
        "at_least",
        "level",
    ),  # 4.8万余名 = 4.8 x 10^4, more than
    "screening_person_times": (3_284_000, "person_times", "exact", "level"),  # 328.4 x 10^4
    "market_entities_share_of_henan": (100 / 30, "percent", "exact", "share"),  # 1/30 = 3.333…%
    "new_market_entities_growth": (18.6, "percent", "exact", "growth_rate"),
    "level1_response_start_date": (20200125, "date", "exact", "date"),  # 大年初一 2020 = 25 Jan 2020
    "service_hall_area": (10_000, "m2", "at_least", "level"),  # 万余平方米 = over 1 x 10^4 m2
    "continents_covered": (5, "count", "exact", "level"),  # 五大洲
    "buildings_tax_over_100m": (13, "count", "exact", "level"),  # 超 qualifies 亿元, so 13 is exact
    "signed_projects_over_100m": (24, "count", "exact", "level"),  # 以上 qualifies 亿元
    "model_road_sections": (395, "count", "exact", "level"),  # 以上 qualifies the grade 优秀
    "approval_time_cut": (50, "percent", "at_least", "rate"),  # 50%以上
    "logistics_cost_cut_max": (40, "percent", "at_most", "rate"),  # 最高可降40%
    "consumption_vouchers": (20_000_000, "yuan", "exact", "level"),  # 2000 x 10^4
    "resettlement_units_contracted": (11_700, "count", "exact", "level"),  # 1.17 x 10^4
    "new_green_space": (1_330_000, "m2", "exact", "level"),  # 133 x 10^4
    "startup_guarantee_loans": (216_000_000, "yuan", "exact", "level"),  # 2.16 x 10^8
    "good_air_days_change": (57, "days", "exact", "change"),  # 增加57天
    "overseas_warehouse_area": (300_000, "m2", "at_least", "level"),  # 突破30万平方米 = 30 x 10^4
    "zero_employment_households": (0, "count", "exact", "level"),  # 动态为零
}


@pytest.mark.parametrize("figure_id", sorted(SPOT_CHECKS))
def test_spot_checks_by_hand(figures_table: pd.DataFrame, figure_id: str) -> None:
    value, unit, qualifier, kind = SPOT_CHECKS[figure_id]
    row = figures_table.set_index("figure_id").loc[figure_id]
    assert math.isclose(row["value"], value, rel_tol=1e-12, abs_tol=1e-12)
    assert (row["unit"], row["qualifier"], row["kind"]) == (unit, qualifier, kind)


def test_bases_of_growth_change_and_share(figures_table: pd.DataFrame) -> None:
    bases = figures_table.set_index("figure_id")["base_figure_id"]
    assert bases["new_market_entities_growth"] == "new_market_entities"
    assert bases["livelihood_spending_growth"] == "livelihood_spending"
    assert bases["good_air_days_change"] == "good_air_days"
    assert bases["rd_institutions_share_of_city"] == "rd_institutions"
    assert bases["innovation_incubators_share_of_city"] == "innovation_incubators"


# --- bad input: each names the row and the problem -------------------------------------------------


def _problems(frame: pd.DataFrame) -> str:
    with pytest.raises(figures.FiguresValidationError) as info:
        figures.validate_figures(frame, registry.subject_report().text, year=2020)
    return str(info.value)


def test_missing_column(raw_figures: pd.DataFrame) -> None:
    message = _problems(raw_figures.drop(columns=["quote", "unit"]))
    assert "missing column 'quote'" in message
    assert "missing column 'unit'" in message


def test_non_numeric_value(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "gdp", "value"] = "about 1800"
    message = _problems(raw_figures)
    assert "(gdp), column 'value'" in message
    assert "about 1800" in message


def test_unknown_unit(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "retail_sales", "unit"] = "dollars"
    message = _problems(raw_figures)
    assert "(retail_sales), column 'unit'" in message
    assert "dollars" in message


def test_duplicate_id(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "retail_sales", "figure_id"] = "gdp"
    message = _problems(raw_figures)
    assert "column 'figure_id'" in message
    assert re.search(r"line 2[45] \(gdp\)", message)  # both rows named by their CSV lines


def test_quote_not_in_text(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "gdp", "quote"] = "全年地区生产总值突破1900亿元"
    message = _problems(raw_figures)
    assert "(gdp), column 'quote'" in message
    assert "is not in the normalized text" in message


def test_dangling_base_figure_id(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "good_air_days_change", "base_figure_id"] = "bad_air_days"
    message = _problems(raw_figures)
    assert "(good_air_days_change), column 'base_figure_id': 'bad_air_days' is not a figure_id" in message


def test_value_that_disagrees_with_the_printed_text(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "retail_sales", "value"] = "9794000000"  # a 10x slip
    assert "(retail_sales), column 'value': 9794000000" in _problems(raw_figures)


def test_negative_level(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "museums_built", "value"] = "-3"
    assert "a level must not be negative" in _problems(raw_figures)


def test_every_problem_is_listed_at_once(raw_figures: pd.DataFrame) -> None:
    raw_figures.loc[raw_figures["figure_id"] == "gdp", "theme"] = "sports"
    raw_figures.loc[raw_figures["figure_id"] == "retail_sales", "qualifier"] = "roughly"
    message = _problems(raw_figures)
    assert "(gdp), column 'theme'" in message
    assert "(retail_sales), column 'qualifier'" in message
    assert message.splitlines()[0].endswith("2 problem(s)")


def test_excluded_table_rejects_a_bad_quote(tmp_path: pytest.TempPathFactory) -> None:
    subject = registry.subject_report()
    bad = figures.read_csv_as_text(subject.excluded_path)
    bad.loc[0, "quote"] = "不在文中"
    target = tmp_path / "excluded.csv"
    bad.to_csv(target, index=False)
    with pytest.raises(figures.FiguresValidationError, match=r"line 2 \(两\), column 'quote'"):
        figures.load_excluded(target, subject.text)


def test_data_dictionary_documents_every_column() -> None:
    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for column in [*figures.FIGURE_COLUMNS, *figures.EXCLUDED_COLUMNS]:
        assert f"| `{column}` |" in readme, column

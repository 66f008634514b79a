"""The draft's rules on the shapes that corpus reports print, each on a short text modelled on a real one.

Every value below is read off the text by hand; the report each shape comes from is named in the test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.sources.annotate import annotate_text
from helpers.sources.divisions import load_divisions
from helpers.sources.draft import Draft, Place, draft_figures
from helpers.sources.text import normalize


@pytest.fixture(scope="module")
def draft_of():
    """Draft a text as the report of a prefecture city reviewing 2020 (许昌市, 411000)."""
    table = load_divisions()
    place = Place("许昌市", table.get("411000"), table)

    def draft(text: str) -> Draft:
        mapped = normalize(text)
        return draft_figures(mapped, annotate_text(mapped, year=2020), year=2020, place=place)

    return draft


def _value(draft: Draft, figure_id: str) -> float:
    row = draft.figures.loc[draft.figures["figure_id"] == figure_id, "value"]
    assert len(row) == 1, draft.figures[["figure_id", "value", "quote"]]
    return float(row.iloc[0])


def _excluded(draft: Draft, token: str) -> pd.Series:
    row = draft.excluded.loc[draft.excluded["token"] == token]
    assert len(row) == 1, draft.excluded
    return row.iloc[0]


FIVE_YEARS = "一、“十三五”时期工作回顾\n\n"
YEAR = "一、2020年工作回顾\n\n"


def test_the_level_reached_in_the_five_year_review_is_the_years(draft_of) -> None:
    # Gansu: «地区生产总值由“十二五”末的6557亿元增加到9017亿元»: 9017亿元 = 9.017e11 yuan is 2020's, 6557 the start.
    draft = draft_of(FIVE_YEARS + "五年来，地区生产总值由“十二五”末的6557亿元增加到9017亿元。\n")
    assert _value(draft, "gdp") == 9017e8
    assert _excluded(draft, "6557")["category"] == "multi_year"


def test_a_level_dated_2020_after_a_five_year_average(draft_of) -> None:
    # Guangxi: «地区生产总值年均增长6.1%，2020年达到2.22万亿元»: the average is five years', 2.22e12 yuan is 2020's.
    draft = draft_of(FIVE_YEARS + "五年来，地区生产总值年均增长6.1%，2020年达到2.22万亿元。\n")
    assert _value(draft, "gdp") == 2.22e12
    assert "gdp_growth" not in set(draft.figures["figure_id"])
    assert _excluded(draft, "6.1")["category"] == "multi_year"


def test_a_five_year_total_of_new_units_is_not_the_years(draft_of) -> None:
    # Changzhi: an item «（六）…。» inside the five-year review keeps its frame: 24.1万人 is five years' new jobs.
    draft = draft_of(FIVE_YEARS + "（六）民生福祉不断提升。全市城镇新增就业24.1万人。\n")
    assert "new_urban_jobs" not in set(draft.figures["figure_id"])
    assert _excluded(draft, "24.1")["category"] == "multi_year"


def test_urban_and_rural_income_printed_as_a_pair(draft_of) -> None:
    # Gansu: «城乡居民人均可支配收入分别达到33822元和10344元»: urban first, rural second.
    draft = draft_of(YEAR + "城乡居民人均可支配收入分别达到33822元和10344元。\n")
    assert _value(draft, "urban_per_capita_disposable_income") == 33822
    assert _value(draft, "rural_per_capita_disposable_income") == 10344
    # Wenzhou: «分别从44026元、21235元提高到63481元、32428元»: the values started from are not the year's.
    draft = draft_of(FIVE_YEARS + "五年来，城乡居民收入分别从44026元、21235元提高到63481元、32428元。\n")
    assert _value(draft, "urban_per_capita_disposable_income") == 63481
    assert _value(draft, "rural_per_capita_disposable_income") == 32428
    assert {_excluded(draft, t)["category"] for t in ("44026", "21235")} == {"multi_year"}


def test_the_first_of_a_list_of_names_takes_the_first_number(draft_of) -> None:
    # Xining: «地方一般公共预算收入、支出分别增长31.2%和0.3%»: 31.2% is revenue's, 0.3% spending's (not drafted).
    draft = draft_of(YEAR + "地方一般公共预算收入、支出分别增长31.2%和0.3%。\n")
    assert _value(draft, "budget_revenue_growth") == 31.2
    assert len(draft.figures) == 1


def test_a_review_opened_by_a_greeting_is_the_years(draft_of) -> None:
    # Zhuhai: «各位代表，过去一年，…地区生产总值增长3%» after the five-year review: 3% is 2020's growth.
    text = FIVE_YEARS + "五年来，地区生产总值年均增长7.4%。\n\n各位代表，过去一年，全市地区生产总值增长3%。\n"
    draft = draft_of(text)
    assert _value(draft, "gdp_growth") == 3
    assert _excluded(draft, "7.4")["category"] == "multi_year"


def test_a_target_met_is_not_a_target_set(draft_of) -> None:
    # Beijing: «均好于调整后的年度预期目标；城镇新增就业26.1万人»: 26.1万人 = 261,000 persons, 2020's.
    draft = draft_of(YEAR + "一般公共预算收入下降5.7%，均好于调整后的年度预期目标；城镇新增就业26.1万人。\n")
    assert _value(draft, "new_urban_jobs") == 261_000
    # …and a paragraph that sets targets still excludes: «今年主要预期目标是：…城镇新增就业10万人».
    draft = draft_of(YEAR + "今年主要预期目标是：地区生产总值增长6%以上，城镇新增就业10万人。\n")
    assert draft.figures.empty
    assert _excluded(draft, "10")["category"] == "target"


def test_an_exact_value_above_a_floor_is_taken(draft_of) -> None:
    # Baoshan: «生产总值跃上千亿元台阶，从“十二五”末的552亿元增至1052.6亿元»: 1052.6亿元 = 1.0526e11 yuan.
    draft = draft_of(FIVE_YEARS + "五年来，生产总值跃上千亿元台阶，从“十二五”末的552亿元增至1052.6亿元。\n")
    assert _value(draft, "gdp") == pytest.approx(1052.6e8)
    assert _value(draft, "gdp_2") == 1000e8


def test_a_comparison_with_the_last_plan_period_is_several_years(draft_of) -> None:
    # Gansu: «一般公共预算收入比“十二五”增长40.2%» compares two five-year periods.
    draft = draft_of(YEAR + "一般公共预算收入比“十二五”增长40.2%。\n")
    assert draft.figures.empty
    assert _excluded(draft, "40.2")["category"] == "multi_year"


def test_a_heading_that_closes_the_plan_period_opens_the_review(draft_of) -> None:
    # Xining: «一、“十三五”规划圆满收官，西宁站在新发展起点» opens the review of 2020, not the plan.
    draft = draft_of("一、“十三五”规划圆满收官，许昌站在新发展起点\n\n过去一年，全市地区生产总值增长1.8%。\n")
    assert _value(draft, "gdp_growth") == 1.8


def test_growth_from_a_level_five_years_back_is_the_period_s(draft_of) -> None:
    # Naqu (那曲市): «全市地区生产总值由2015年的94.9亿元增加到170亿元，增长79.1%»: 170亿元 = 1.7e10 yuan is 2020's
    # level; 79.1% is the growth since 2015 (170 / 94.9 − 1 = 79.1%), not 2020's, and 94.9 is 2015's.
    draft = draft_of(YEAR + "全市地区生产总值由2015年的94.9亿元增加到170亿元，增长79.1%。\n")
    assert _value(draft, "gdp") == 170e8
    assert "gdp_growth" not in set(draft.figures["figure_id"])
    assert _excluded(draft, "79.1")["category"] == "multi_year"
    # From the year before, the growth is the year's: «由2019年的160亿元增加到170亿元，增长6.25%».
    draft = draft_of(YEAR + "全市地区生产总值由2019年的160亿元增加到170亿元，增长6.25%。\n")
    assert _value(draft, "gdp_growth") == 6.25

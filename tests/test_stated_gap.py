"""The gap a report states right after a growth rate: read from verbatim sentences of the corpus, checked by hand.

Each sentence is quoted from its file under data/corpus/lawtext-gov/ (named in the comment); the expected
value, its sign and its rounding interval are worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.analysis.stated_gaps import (
    StatedGap,
    agreement,
    area_words,
    figure_span,
    stated_gap_to,
    stated_gaps,
)
from helpers.notebook.labels import agreement_label
from helpers.publish.corpus_page import gaps_by_province
from helpers.publish.corpus_run import run_corpus
from helpers.sources.entities import Entity
from helpers.sources.intervals import Estimate

GANSU = Entity("gansu", "Gansu Province", "甘肃省", "province", "620000")
HEBEI = Entity("hebei", "Hebei Province", "河北省", "province", "130000")
SICHUAN = Entity("sichuan", "Sichuan Province", "四川省", "province", "510000")
GUANGXI = Entity("guangxi", "Guangxi Autonomous Region", "广西壮族自治区", "province", "450000")
CHINA = Entity("china", "China", "全国", "nation", "100000")


def _after(sentence: str, figure: str) -> list[StatedGap]:
    """The gaps stated right after the (only) ``figure`` of ``sentence``, as printed: "4.4%"."""
    start = sentence.index(figure)
    assert sentence.count(figure) == 1
    return stated_gaps(sentence, start, start + len(figure))


def _read(gaps: list[StatedGap]) -> list[tuple[str, float, float, float]]:
    """(area, value, low, high) of each gap, rounded off the float noise of the bounds."""
    return [(g.area, *(round(v, 9) for v in g.estimate.as_tuple())) for g in gaps]


# 政府工作报告-其他地市/定西市/2021.md
DINGXI = "全年实现生产总值441.36亿元、比上年增长4.4%，高于全省0.5个百分点，居全省第4位；"


def test_higher_than_the_province() -> None:
    # 高于 → +0.5; "0.5" is printed to one decimal: ±0.05 → [0.45, 0.55]. The rank clause after it is no gap.
    (gap,) = _after(DINGXI, "4.4%")
    assert (gap.area, gap.quote) == ("全省", "高于全省0.5个百分点")
    assert (gap.value, gap.estimate.low, gap.estimate.high) == pytest.approx((0.5, 0.45, 0.55))
    assert stated_gap_to(DINGXI, (DINGXI.index("4.4%"), DINGXI.index("4.4%") + 4), GANSU) == gap


def test_lower_than_the_province_after_a_figure() -> None:
    # 政府工作报告-其他地市/枣庄市/2021.md: 低于 → −0.3, interval −[0.25, 0.35] = [−0.35, −0.25].
    sentence = "科技创新能力还不能完全适应高质量发展要求，全社会研发支出占GDP比重仅为1.8%、低于全省0.3个百分点。"
    assert _read(_after(sentence, "1.8%")) == [("全省", -0.3, -0.35, -0.25)]


def test_higher_than_the_nation_and_lower_than_the_province() -> None:
    # 政府工作报告-其他地市/巴中市/2021.md: the gaps follow the rate's name, not a figure (the row, which reads
    # after its figure, never takes them); read from there: 全国 +0.2 [0.15, 0.25], 全省 −1.3 [−1.35, −1.25],
    # and the retail sales clause that follows has its own figure: it ends the gaps.
    sentence = "地区生产总值增速高于全国0.2个百分点、低于全省1.3个百分点，社会消费品零售总额同比下降5%。"
    end = sentence.index("高于")
    gaps = stated_gaps(sentence, end, end)
    assert _read(gaps) == [("全国", 0.2, 0.15, 0.25), ("全省", -1.3, -1.35, -1.25)]
    assert stated_gap_to(sentence, (end, end), SICHUAN).value == pytest.approx(-1.3)


def test_a_five_year_average_states_no_gap_of_the_year() -> None:
    # 政府工作报告-其他地市/驻马店市/2021.md: 7.3% is the average of 2016–2020 (年均), its gap likewise.
    sentence = "2020年生产总值达2859亿元，年均增长7.3%，高于全省1个百分点"
    assert _after(sentence, "7.3%") == []


def test_a_gap_to_the_nation_is_not_the_gap_to_the_province() -> None:
    # 政府工作报告-主要城市/石家庄市/2021.md: a city of Hebei; 全国平均水平 +1.6 is read, but it is no gap to Hebei.
    sentence = "2020年，全市生产总值达到5935.1亿元，同比增长3.9%，高于全国平均水平1.6个百分点；"
    span = (sentence.index("3.9%"), sentence.index("3.9%") + 4)
    assert _read(stated_gaps(sentence, *span)) == [("全国", 1.6, 1.55, 1.65)]
    assert stated_gap_to(sentence, span, HEBEI) is None
    assert stated_gap_to(sentence, span, CHINA).value == pytest.approx(1.6)


def test_a_smaller_fall_is_a_positive_gap() -> None:
    # 政府工作报告-省自治区/浙江省/2021.md: −2.6% and a fall 1.3 points smaller than the nation's → +1.3.
    sentence = "社会消费品零售总额26630亿元，比上年下降2.6%，比全国平均降幅少1.3个百分点。"
    assert _read(_after(sentence, "2.6%")) == [("全国", 1.3, 1.25, 1.35)]
    # 政府工作报告-其他地市/泸州市/2021.md: 降幅低于全省0.6 → the fall is smaller: +0.6 (after the level here).
    sentence = "实现社会消费品零售总额1013.8亿元，降幅低于全省0.6个百分点。"
    assert _read(_after(sentence, "1013.8亿元")) == [("全省", 0.6, 0.55, 0.65)]


def test_two_areas_at_once() -> None:
    # 政府工作报告-其他地市/凉山彝族自治州/2021.md: 分别 … 1.6和0.1 → 全国 +1.6, 全省 +0.1 in that order.
    sentence = "实现地区生产总值1733.15亿元，增长3.9%，增幅分别比全国、全省高1.6和0.1个百分点"
    assert _read(_after(sentence, "3.9%")) == [("全国", 1.6, 1.55, 1.65), ("全省", 0.1, 0.05, 0.15)]
    # 政府工作报告-其他地市/清远市/2021.md: 均高1.5 → the same 1.5 to each.
    sentence = "全年地区生产总值1777.2亿元，增长3.8%，增幅比全国、全省均高1.5个百分点。"
    assert [(g.area, g.value) for g in _after(sentence, "3.8%")] == [("全国", 1.5), ("全省", 1.5)]


def test_a_gap_of_several_figures_or_of_the_next_figure_is_not_this_figures() -> None:
    # 政府工作报告-其他地市/北海市/2021.md: investment +12.7 to the autonomous region (全区); the two sub-figures
    # «分别高于全区42.2个百分点和52.6个百分点» are the gaps of two figures together: neither takes one.
    sentence = (
        "一批重大项目落地建设，713个项目工地塔吊林立、热火朝天，固定资产投资增长16.9%，高于全区12.7个百分点、"
        "排全区第一，其中5000万元及以上项目投资增长58.7%、工业项目投资增长60.3%，"
        "分别高于全区42.2个百分点和52.6个百分点、均排全区第一。"
    )
    assert _read(_after(sentence, "16.9%")) == [("全区", 12.7, 12.65, 12.75)]
    assert _after(sentence, "58.7%") == [] and _after(sentence, "60.3%") == []
    # 政府工作报告-省自治区/四川省/2021.md: the level 4.86万亿元 is followed by a rank, then by the growth and
    # its gap: the gap is the growth's (+1.5 to the nation), not the level's.
    sentence = "实现地区生产总值4.86万亿元、居全国第六位，增长3.8%、比全国高1.5个百分点，地方一般公共预算收入4258亿元"
    assert _after(sentence, "4.86万亿元") == []
    assert _read(_after(sentence, "3.8%")) == [("全国", 1.5, 1.45, 1.55)]


def test_the_parent_is_named_as_reports_name_it() -> None:
    assert area_words(GANSU) == ("全省",)
    assert area_words(GUANGXI) == ("全区",)
    assert area_words(CHINA) == ("全国",)


def test_the_figure_is_found_by_its_mention_not_by_a_substring() -> None:
    # "4.4" is also inside "441.36": the span is the mention of 4.4 with its unit, at the quote's end.
    text = "２０２０年……" + DINGXI
    quote = "全年实现生产总值441.36亿元、比上年增长4.4%"
    start, end = figure_span(text, quote, "4.4", "%")
    assert text[start:end] == "4.4%" and text[end] == "，"
    assert figure_span(text, "不在原文中", "4.4", "%") is None


def test_dingxi_agrees_with_gansu_within_rounding() -> None:
    # Dingxi «比上年增长4.4%» is [4.35, 4.45]; Gansu (政府工作报告-省自治区/甘肃省/2021.md)
    # «全省地区生产总值增长3.9%，增幅居全国第4位» is [3.85, 3.95]. Gap 4.4 − 3.9 = 0.5, interval
    # [4.35 − 3.95, 4.45 − 3.85] = [0.40, 0.60]. Stated «高于全省0.5个百分点»: [0.45, 0.55], inside it: agrees.
    dingxi, gansu = Estimate(4.4, 4.35, 4.45), Estimate(3.9, 3.85, 3.95)
    computed = dingxi - gansu
    assert (computed.low, computed.high) == pytest.approx((0.40, 0.60))
    (stated,) = _after(DINGXI, "4.4%")
    assert agreement(stated, *computed.as_tuple(), "ok") == "agrees"
    # Had Gansu printed 3.7% ([3.65, 3.75]): gap [0.60, 0.80], apart from [0.45, 0.55]: disagrees.
    assert agreement(stated, 0.7, 0.60, 0.80, "ok") == "disagrees"
    # Bounds that touch agree, whatever the float's last bit: a growth of 1.4% ([1.35, 1.45]) against a
    # comparator of 1.0 exactly is at most 1.45 − 1.0 = 0.44999999999999996 in floats, and 0.45 is where the
    # stated 0.5 begins.
    high = 1.45 - 1.0
    assert high < 0.45
    assert agreement(stated, 0.4, 0.35, high, "ok") == "agrees"
    # A comparison across scopes keeps its status beside the verdict; nothing stated or computed: "".
    assert agreement(stated, *computed.as_tuple(), "scope_mismatch") == "agrees (scope_mismatch)"
    assert agreement(None, *computed.as_tuple(), "ok") == ""
    assert agreement(stated, math.nan, math.nan, math.nan, "") == ""


def test_the_agreement_reads_in_both_languages() -> None:
    assert agreement_label("agrees", "en") == "agrees"
    assert agreement_label("disagrees (scope_mismatch)", "en") == "disagrees (scope mismatch)"
    assert agreement_label("agrees (scope_mismatch)", "zh") == "一致（口径不一致）"
    assert agreement_label("", "zh") == ""


def test_gaps_by_province_are_grouped_and_sorted() -> None:
    section = pd.DataFrame(
        {
            "level": ["city", "city", "city", "province", "city"],
            "entity_zh": ["定西市", "天水市", "清远市", "宁夏回族自治区", "兰州市"],
            "parent": ["甘肃省", "甘肃省", "广东省", "全国", "全国"],
            "parent_en": ["Gansu Province", "Gansu Province", "Guangdong Province", "China", "China"],
            "parent_level": ["province", "province", "province", "nation", "nation"],
            "gdp_growth_gap_pp": [0.5, 1.3, 1.5, 1.6, 4.7],
            "gdp_growth_gap_status": ["ok", "ok", "scope_mismatch", "ok", "ok"],
            "gdp_growth_stated_gap_agrees": ["agrees", "", "agrees (scope_mismatch)", "agrees", ""],
        }
    ).astype({"parent": "string", "entity_zh": "string"})  # pandas 3's string dtype, as read from a CSV
    frame = gaps_by_province(section)
    # Guangdong's median 1.5 above Gansu's (0.5 + 1.3) / 2 = 0.9; the province row is no city, and the city
    # compared with the nation (lanzhou-2022: no Gansu report of 2021 in the corpus) has no gap to its province.
    assert list(frame["parent"]) == ["广东省", "甘肃省", "甘肃省"]
    assert list(frame["rank"]) == [0, 1, 1]
    assert list(frame["agreement"]) == ["agrees", "agrees", "none"]
    assert list(frame["plain"]) == [False, True, True]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dingxi and Qingyuan (cities: their provinces are drafted beside them) and Ningxia (a province)."""
    base = tmp_path_factory.mktemp("stated")
    result = run_corpus(
        base / "out", ("dingxi-2021", "qingyuan-2021", "ningxia-2021"), jobs=1, cache=base / "cache",
        progress=False, include_subject=False,
    )  # fmt: skip
    assert not result.failed
    return result.output


def test_the_cross_section_shows_the_stated_gaps(run: Path) -> None:
    section = pd.read_csv(run / "data" / "cross_section.csv", dtype=str, keep_default_na=False).set_index("report_id")
    dingxi, qingyuan, ningxia = (section.loc[r] for r in ("dingxi-2021", "qingyuan-2021", "ningxia-2021"))
    # Dingxi: GDP +0.5 to Gansu, agrees (above); retail sales «下降0.5%，高于全省1.3个百分点» against Gansu's
    # −1.8: −0.5 − (−1.8) = 1.3; budget revenue «增长4.1%，居全省第7位» states no gap: "".
    assert float(dingxi["gdp_growth_stated_gap_pp"]) == 0.5
    assert dingxi["gdp_growth_stated_gap_quote"] == "全年实现生产总值441.36亿元、比上年增长4.4%，高于全省0.5个百分点"
    assert dingxi["gdp_growth_stated_gap_agrees"] == "agrees"
    assert float(dingxi["retail_sales_growth_stated_gap_pp"]) == 1.3
    assert (
        dingxi["budget_revenue_growth_stated_gap_pp"] == "" and dingxi["budget_revenue_growth_stated_gap_agrees"] == ""
    )
    # Qingyuan «增幅比全国、全省均高1.5个百分点»: the province's is taken (3.8 − Guangdong's 2.3 = 1.5).
    assert float(qingyuan["gdp_growth_stated_gap_pp"]) == 1.5 and qingyuan["gdp_growth_stated_gap_agrees"] == "agrees"
    # Ningxia, a province: «增长3.9%，高于全国1.6个百分点» against the nation's 2.3%: 1.6.
    assert ningxia["parent"] == "全国" and float(ningxia["gdp_growth_stated_gap_pp"]) == 1.6
    assert ningxia["gdp_growth_stated_gap_agrees"] == "agrees"


def test_the_pages_show_the_stated_gap_and_the_gaps_chart(run: Path) -> None:
    english = (run / "index.html").read_text(encoding="utf-8")
    chinese = (run / "index.zh.html").read_text(encoding="utf-8")
    assert (
        'title="全年实现生产总值441.36亿元、比上年增长4.4%，高于全省0.5个百分点">0.5 <span class="agree">agrees'
        in english
    )
    assert '0.5 <span class="agree">一致</span>' in chinese
    assert "GDP growth %: stated gap, pp" in english
    assert "地区生产总值增速（%）：报告所称差（百分点）" in chinese  # full-width colon and brackets
    for page in (english, chinese):
        assert len(re.findall(r'src="data:image/png;base64,', page)) == 2  # both charts

"""Number formatting in both languages: 亿元 and 万 in Chinese, billion yuan and thousand in English."""

from __future__ import annotations

import math
import re

import pytest

from helpers.notebook.labels import THEME_LABELS, format_estimate, format_interval, format_number, format_value


@pytest.mark.parametrize(
    ("value", "unit", "en", "zh"),
    [
        (1800e8, "yuan", "180 billion yuan", "1,800亿元"),
        (979.4e8, "yuan", "97.94 billion yuan", "979.4亿元"),
        (2000e4, "yuan", "20 million yuan", "2,000万元"),
        (48_000, "persons", "48 thousand people", "4.8万人"),
        (1_967.03, "count", "1,967", "1,967"),
        (18.6, "percent", "18.6%", "18.6%"),
        (3.2729, "percent", "3.27%", "3.27%"),
        (20200125, "date", "2020-01-25", "2020年1月25日"),
        (92.4, "km", "92.4 km", "92.4公里"),
        (math.nan, "yuan", "missing", "缺失"),
    ],
)
def test_format_value(value: float, unit: str, en: str, zh: str) -> None:
    assert format_value(value, unit, "en") == en
    assert format_value(value, unit, "zh") == zh


def test_interval_bounds_keep_their_digits() -> None:
    # 979.4亿 rounds within [979.35亿, 979.45亿]; four significant digits would print both as 979.4.
    assert format_interval(979.35e8, 979.45e8, "yuan", "zh") == "[979.35亿元，979.45亿元]"
    assert format_interval(214, 214, "count", "en") == "214"


def test_compact_ticks() -> None:
    assert format_number(135_000, "en", compact=True) == "135k"
    assert format_number(1.8e11, "en", compact=True) == "180bn"
    assert format_number(135_000, "zh", compact=True) == "13.5万"


def test_every_theme_has_both_languages() -> None:
    assert all(en and zh and en != zh for en, zh in THEME_LABELS.values())


def _base_value(rendered: str) -> float:
    """A number written as the page writes it back in base units: 1,225亿 / 122.5bn / 13.5万 / 135k."""
    scales = {"亿": 1e8, "万": 1e4, "bn": 1e9, "M": 1e6, "k": 1e3}
    number, scale = re.fullmatch(r"([\d.,]+)(亿|万|bn|M|k)?", rendered).groups()
    return float(number.replace(",", "")) * scales.get(scale or "", 1)


@pytest.mark.parametrize(
    ("value", "low", "high", "unit"),
    [
        (1230e8, 1225e8, 1235e8, "yuan"),  # 1230亿元, an exact whole number with a magnitude: ±5亿
        (979.4e8, 979.35e8, 979.45e8, "yuan"),  # 979.4亿元
        (135_034, 134_950, 142_600, "yuan_per_person"),
        (44e4, 43.5e4, 44.5e4, "persons"),  # 44万
        (6255e4, 6254.5e4, 6255.5e4, "yuan"),  # 6255万元
    ],
)
def test_an_interval_is_rounded_alike_in_both_languages(value: float, low: float, high: float, unit: str) -> None:
    # Once «1,230亿（1,225亿–1,235亿）» read «123bn (122bn–124bn)» in English: the English bounds were rounded to three
    # digits, the Chinese ones to four. Both now round the same base value to the same digits.
    pattern = {"en": r"^(\S+) \((\S+)–(\S+)\)", "zh": r"^(\S+?)（(\S+?)–(\S+?)）"}
    read = {}
    for lang in ("en", "zh"):
        match = re.match(pattern[lang], format_estimate(value, low, high, unit, lang))
        assert match, format_estimate(value, low, high, unit, lang)
        read[lang] = [_base_value(part) for part in match.groups()]
    assert read["en"] == pytest.approx(read["zh"], rel=1e-12)
    assert read["zh"][1] == pytest.approx(low, rel=0.01) and read["zh"][2] == pytest.approx(high, rel=0.01)


def test_1230_yi_reads_the_same_in_both_languages() -> None:
    assert format_estimate(1230e8, 1225e8, 1235e8, "yuan", "zh") == "1,230亿（1,225亿–1,235亿）元"
    assert format_estimate(1230e8, 1225e8, 1235e8, "yuan", "en") == "123bn (122.5bn–123.5bn) yuan"


def test_a_chinese_count_keeps_its_measure_word() -> None:
    from helpers.sources.numbers import measure_word

    # 市场主体总量达到26万户: 26万户, never 26万; English counts carry no measure word.
    assert [measure_word(u) for u in ("万户", "万余名", "家", "多家", "个以上", "亿元", "%", "万", "")] == [
        "户",
        "名",
        "家",
        "家",
        "个",
        "元",
        "",
        "",
        "",
    ]
    assert format_value(260_000, "count", "zh", measure="户") == "26万户"
    assert format_value(260_000, "count", "en", measure="户") == "260 thousand"
    assert format_estimate(260_000, 255_000, 265_000, "count", "zh", "户") == "26万户"

"""Number formatting in both languages: 亿元 and 万 in Chinese, billion yuan and thousand in English."""

from __future__ import annotations

import math

import pytest

from helpers.notebook.labels import THEME_LABELS, format_interval, format_number, format_value


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
    assert format_interval(979.35e8, 979.45e8, "yuan", "zh") == "[979.35亿元, 979.45亿元]"
    assert format_interval(214, 214, "count", "en") == "214"


def test_compact_ticks() -> None:
    assert format_number(135_000, "en", compact=True) == "135k"
    assert format_number(1.8e11, "en", compact=True) == "180bn"
    assert format_number(135_000, "zh", compact=True) == "13.5万"


def test_every_theme_has_both_languages() -> None:
    assert all(en and zh and en != zh for en, zh in THEME_LABELS.values())

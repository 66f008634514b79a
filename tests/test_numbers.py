"""The numbers parser on every form the report uses, and on malformed input."""

from __future__ import annotations

import math

import pytest

from helpers.sources.numbers import NumberParseError, Quantity, parse_chinese_integer, parse_quantity


@pytest.mark.parametrize(
    ("value_text", "unit_text", "prefix", "expected"),
    [
        ("4.8", "万余名", "", Quantity(48_000, "persons", "at_least")),  # 4.8 x 10^4, 余 = more than
        ("1800", "亿元", "突破", Quantity(180_000_000_000, "yuan", "at_least")),  # 1800 x 10^8
        ("2000", "万元", "", Quantity(20_000_000, "yuan", "exact")),  # 2000 x 10^4
        ("18.6", "%", "", Quantity(18.6, "percent", "exact")),
        ("50", "%以上", "", Quantity(50, "percent", "at_least")),
        ("万", "余平方米", "", Quantity(10_000, "m2", "at_least")),  # 万 alone = 一万
        ("1.17", "万套", "", Quantity(11_700, "count", "exact")),  # 1.17 x 10^4
        ("328.4", "万人次", "", Quantity(3_284_000, "person_times", "exact")),
        ("92.4", "公里", "", Quantity(92.4, "km", "exact")),
        ("23", "天", "", Quantity(23, "days", "exact")),
        ("三", "分钟", "", Quantity(3, "minutes", "exact")),
        ("五", "大洲", "", Quantity(5, "count", "exact")),
        ("40", "%", "最高可", Quantity(40, "percent", "at_most")),
        ("7300", "余名", "", Quantity(7300, "persons", "at_least")),
        ("44", "万", "", Quantity(440_000, None, "exact")),  # no unit word printed
        ("零", "", "", Quantity(0, None, "exact")),
        ("6255", "万元", "", Quantity(62_550_000, "yuan", "exact")),
    ],
)
def test_printed_forms(value_text: str, unit_text: str, prefix: str, expected: Quantity) -> None:
    parsed = parse_quantity(value_text, unit_text, prefix)
    assert parsed.unit == expected.unit
    assert parsed.qualifier == expected.qualifier
    assert math.isclose(parsed.value, expected.value, rel_tol=1e-12)


def test_binary_noise_is_removed() -> None:
    # 4.8 * 10000 is 47999.999999999993 in floating point; the table stores 48000 exactly.
    assert parse_quantity("4.8", "万余名").value == 48000.0


def test_fraction_is_a_share_in_percent() -> None:
    parsed = parse_quantity("1/30", "")
    assert parsed.unit == "percent"
    assert math.isclose(parsed.value, 100 / 30)  # 1/30 = 3.333…%


def test_lunar_new_year_day_is_a_date() -> None:
    # 大年初一 of 2020 fell on 25 January 2020; 初三 is two days later.
    assert parse_quantity("大年初一", "", year=2020) == Quantity(20200125, "date", "exact")
    assert parse_quantity("大年初三", "", year=2020).value == 20200127


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一", 1),
        ("两", 2),
        ("零", 0),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("一百二十", 120),
        ("万", 10_000),
        ("三万五千", 35_000),
        ("千亿", 100_000_000_000),
    ],
)
def test_chinese_integers(text: str, expected: int) -> None:
    assert parse_chinese_integer(text) == expected


@pytest.mark.parametrize(
    ("value_text", "unit_text", "prefix", "message"),
    [
        ("", "亿元", "", "empty number"),
        ("abc", "个", "", "not a Chinese numeral: 'abc'"),
        ("4.8.1", "万", "", "not a Chinese numeral"),
        ("12", "光年", "", "unknown unit '光年'"),
        ("12", "个", "大约是", "unknown qualifying prefix '大约是'"),
        ("1/0", "", "", "zero denominator"),
        ("1/3", "个", "", "fraction is a share"),
        ("5", "万%", "", "magnitude cannot scale a percentage"),
        ("40", "%以上", "最高可", "contradictory qualifiers"),
        ("大年初一", "", "", None),  # valid, checked below with an unknown year
    ],
)
def test_malformed_input_is_an_error_never_zero(value_text: str, unit_text: str, prefix: str, message: str) -> None:
    if message is None:
        with pytest.raises(NumberParseError, match="no Spring Festival date for 1999"):
            parse_quantity(value_text, unit_text, prefix, year=1999)
        return
    with pytest.raises(NumberParseError, match=message):
        parse_quantity(value_text, unit_text, prefix)


def test_error_names_the_input() -> None:
    with pytest.raises(NumberParseError) as info:
        parse_quantity("12", "光年")
    assert "12光年" in str(info.value)

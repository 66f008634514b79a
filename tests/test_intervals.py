"""Rounding intervals of printed numbers and interval arithmetic."""

from __future__ import annotations

import pytest

from helpers.sources.intervals import Estimate, printed_estimate


@pytest.mark.parametrize(
    ("printed", "low", "high"),
    [
        (("979.4", "亿元"), 979.35e8, 979.45e8),  # half of 0.1亿 either side
        (("1230", "亿元"), 1225e8, 1235e8),  # trailing zero and a magnitude: rounded to 10亿, half of it either side
        (("2000", "万元"), 1500e4, 2500e4),  # rounded to its last non-zero digit (1000万), not to the zeros
        (("8.4", "%", "下降"), -8.45, -8.35),  # a fall: the printed interval, negated
        (("1800", "亿元", "突破"), 1800e8, 1900e8),  # floor; capped at the next hundred (last non-zero digit)
        (("4.8", "万余名"), 48_000, 49_000),  # 余: from 4.8万 up to 4.9万
        (("7300", "余名"), 7300, 7400),  # 余: up to the next hundred
        (("万", "余平方米"), 10_000, 20_000),  # 万余: one to two 万
        (("50", "%以上"), 50, 60),  # 以上: up to the next ten
        (("40", "%", "最高可"), 0, 40),  # 最高可: a maximum says nothing of how far below it the value is
        (("18.6", "%"), 18.55, 18.65),
        (("44", "万"), 435_000, 445_000),  # a magnitude: rounded to 1万
        (("214", "个"), 214, 214),  # a whole count printed in full is exact
        (("零", ""), 0, 0),
        (("大年初一", ""), 20200125, 20200125),
    ],
)
def test_printed_intervals(printed: tuple[str, ...], low: float, high: float) -> None:
    estimate = printed_estimate(*printed)
    assert estimate.low == pytest.approx(low)
    assert estimate.high == pytest.approx(high)
    assert estimate.low <= estimate.value <= estimate.high


def test_fraction_interval_rounds_the_denominator() -> None:
    # 1/30 with the denominator anywhere in [29.5, 30.5]: [100/30.5, 100/29.5] = [3.2787%, 3.3898%]
    estimate = printed_estimate("1/30", "")
    assert estimate.low == pytest.approx(3.278689, rel=1e-6)
    assert estimate.high == pytest.approx(3.389831, rel=1e-6)


def test_arithmetic_takes_the_extremes() -> None:
    a, b = Estimate(10, 9, 11), Estimate(2, 1, 4)
    assert (a + b).as_tuple() == (12, 10, 15)
    assert (a - b).as_tuple() == (8, 5, 10)  # 9 - 4 and 11 - 1
    assert (a * b).as_tuple() == (20, 9, 44)
    assert (a / b).as_tuple() == (5, 2.25, 11)  # 9 / 4 and 11 / 1
    assert a.scale(100).as_tuple() == (1000, 900, 1100)


def test_division_by_an_interval_containing_zero_is_an_error() -> None:
    with pytest.raises(ZeroDivisionError, match="contains zero"):
        _ = Estimate(1, 1, 1) / Estimate(0, -1, 1)


def test_an_interval_must_contain_its_value() -> None:
    with pytest.raises(ValueError, match="does not contain"):
        Estimate(5, 6, 7)

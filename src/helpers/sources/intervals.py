"""Rounding intervals of printed numbers, and interval arithmetic for everything derived from them.

Conventions (documented in data/README.md and shown in the data-audit notebook):

- ``exact``: the printed number is rounded to its last printed digit, so the true value lies within half a
  unit of that digit (979.4 -> [979.35, 979.45]). A whole number printed with trailing zeros and a magnitude
  is rounded to its last non-zero digit, not to the zero (1230亿 -> [1225亿, 1235亿]; 2000万 -> [1500万,
  2500万]). A whole count printed in full with no magnitude (214 projects, 7 sites, 23 days) is not rounded:
  its interval has no width.
- ``at_least`` (突破, 超, 余, 以上): from the printed number up to the next step of its last non-zero digit,
  the step at which the report would have used a rounder number (突破1800 -> [1800, 1900); 4.8万余 ->
  [4.8万, 4.9万); 50%以上 -> [50, 60)). The cap is a convention, not a fact; the narrative says so.
- ``at_most`` (最高可, 以下, 不超过): a maximum says nothing of how far below it the value lies: [0, printed]
  for a non-negative quantity (最高可降40% -> [0, 40]).
- ``approx`` (约, 近, 左右): ±10 %.
- A fall (下降8.4%) is negative; its bounds are those of the printed number, negated.
- A fraction ``a/b`` is read as ``a`` over ``b`` rounded to a whole number: 1/30 -> [1/30.5, 1/29.5].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from helpers.sources.numbers import DIRECTION_WORDS, MAGNITUDES, parse_chinese_integer, parse_quantity

#: Units whose whole numbers, printed in full, are exact counts rather than rounded measurements.
COUNTED_UNITS: frozenset[str] = frozenset({"count", "persons", "person_times", "days", "minutes", "date"})
APPROX_RELATIVE_WIDTH = 0.10


@dataclass(frozen=True)
class Estimate:
    """A central value with the interval [low, high] it is known to lie in."""

    value: float
    low: float
    high: float

    def __post_init__(self) -> None:
        """Reject an interval that does not contain its central value."""
        if not (self.low <= self.value <= self.high) and not any(map(math.isnan, self.as_tuple())):
            raise ValueError(f"interval [{self.low}, {self.high}] does not contain {self.value}")

    @classmethod
    def exact(cls, value: float) -> Estimate:
        """A number known without error (a constant such as 1000 or 100)."""
        return cls(value, value, value)

    def as_tuple(self) -> tuple[float, float, float]:
        """Return (value, low, high)."""
        return (self.value, self.low, self.high)

    def __add__(self, other: Estimate | float) -> Estimate:
        """Sum: bounds add."""
        other = _as_estimate(other)
        return Estimate(self.value + other.value, self.low + other.low, self.high + other.high)

    def __sub__(self, other: Estimate | float) -> Estimate:
        """Difference: the low bound takes the other's high bound."""
        other = _as_estimate(other)
        return Estimate(self.value - other.value, self.low - other.high, self.high - other.low)

    def __mul__(self, other: Estimate | float) -> Estimate:
        """Product: the extremes are among the products of the bounds."""
        other = _as_estimate(other)
        corners = [a * b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Estimate(self.value * other.value, min(corners), max(corners))

    def __truediv__(self, other: Estimate | float) -> Estimate:
        """Quotient; an interval divisor that contains zero is an error, not an infinity."""
        other = _as_estimate(other)
        if other.low <= 0 <= other.high:
            raise ZeroDivisionError(f"divisor interval [{other.low}, {other.high}] contains zero")
        corners = [a / b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Estimate(self.value / other.value, min(corners), max(corners))

    def scale(self, factor: float) -> Estimate:
        """Multiply by a positive constant (unit conversion, per-1,000, percent)."""
        return self * Estimate.exact(factor)


def _as_estimate(value: Estimate | float) -> Estimate:
    """Promote a plain number to an exact estimate."""
    return value if isinstance(value, Estimate) else Estimate.exact(float(value))


def _last_digit_place(number_text: str) -> Decimal:
    """Place value of the last printed digit: '979.4' -> 0.1, '1800' -> 1."""
    decimal = Decimal(number_text)
    return Decimal(1).scaleb(decimal.as_tuple().exponent)


def _last_nonzero_place(number_text: str) -> Decimal:
    """Place value of the last non-zero digit: '1800' -> 100, '4.8' -> 0.1, '30' -> 10."""
    decimal = Decimal(number_text).normalize()
    return Decimal(1).scaleb(decimal.as_tuple().exponent)


def _fall_word(prefix: str) -> str:
    """The direction word that makes a printed number negative (下降 in 下降约)."""
    return next(word for word in sorted(DIRECTION_WORDS, key=len, reverse=True) if prefix.startswith(word))


def printed_estimate(value_text: str, unit_text: str = "", prefix: str = "", *, year: int = 2020) -> Estimate:
    """The interval implied by a printed number under the conventions of this module, in base units."""
    quantity = parse_quantity(value_text, unit_text, prefix, year=year, other_units=True)
    if quantity.value < 0:  # a fall: the interval of the printed magnitude, negated
        magnitude = printed_estimate(value_text, unit_text, prefix.replace(_fall_word(prefix), "", 1), year=year)
        return Estimate(-magnitude.value, -magnitude.high, -magnitude.low)
    value = quantity.value
    if "/" in value_text:
        numerator, denominator = (int(part) for part in value_text.split("/"))
        return Estimate(value, 100 * numerator / (denominator + 0.5), 100 * numerator / (denominator - 0.5))
    if quantity.unit == "date" or value == 0:
        return Estimate.exact(value)

    digits = value_text
    if not digits.replace(".", "").isdigit():  # a Chinese numeral: a whole number
        digits = str(parse_chinese_integer(value_text))
    multiplier = value / float(Decimal(digits)) if float(Decimal(digits)) else 1.0
    magnitude_printed = unit_text[:1] in MAGNITUDES or any(ch in MAGNITUDES for ch in value_text)

    if quantity.qualifier == "at_least":
        step = float(_last_nonzero_place(digits)) * multiplier
        return Estimate(value, value, value + step)
    if quantity.qualifier == "at_most":
        return Estimate(value, 0.0, value)
    if quantity.qualifier == "approx":
        return Estimate(value, value * (1 - APPROX_RELATIVE_WIDTH), value * (1 + APPROX_RELATIVE_WIDTH))
    whole_count = "." not in digits and not magnitude_printed and quantity.unit in COUNTED_UNITS
    if whole_count:
        return Estimate.exact(value)
    place = _last_nonzero_place(digits) if magnitude_printed and "." not in digits else _last_digit_place(digits)
    half = float(place) * multiplier / 2
    return Estimate(value, value - half, value + half)


def clip_percent(estimate: Estimate) -> Estimate:
    """A share or rate cannot leave [0, 100]: 100% printed is [99.5, 100], not [99.5, 100.5]."""
    low, high = max(0.0, estimate.low), min(100.0, estimate.high)
    if math.isnan(estimate.value) or low > high:
        return estimate
    return Estimate(min(max(estimate.value, low), high), low, high)


def figure_estimate(row: Any, *, year: int = 2020) -> Estimate:
    """The interval of one row of a figures table; a printed share or rate stays within [0, 100]."""
    estimate = printed_estimate(row.value_as_printed, row.unit_as_printed, row.prefix_as_printed, year=year)
    return clip_percent(estimate) if row.unit == "percent" and row.kind in ("share", "rate") else estimate

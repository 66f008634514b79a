"""Parse Chinese numeric expressions as the report writes them into (value in base units, unit, qualifier).

Forms handled (all seen in the 2020 report): ``4.8`` + ``万余名``, ``1800`` + ``亿元``, ``2000`` + ``万元``,
``1/30``, ``18.6`` + ``%``, ``50`` + ``%以上``, ``万`` + ``余平方米``, ``1.17`` + ``万套``, Chinese numerals
(一 … 十, 两, 零, 百, 千, 万, 亿) and a lunar-calendar day such as ``大年初一``. A prefix printed before the
number (``突破``, ``超``, ``最高可``) qualifies it too. Anything else raises :class:`NumberParseError`;
nothing is ever silently read as zero.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Qualifier = Literal["exact", "at_least", "at_most", "approx"]
QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "at_most", "approx")
UNITS: tuple[str, ...] = (
    "yuan",
    "usd",
    "persons",
    "person_times",
    "count",
    "m2",
    "km",
    "km2",
    "mu",
    "hectare",
    "tonnes",
    "kwh",
    "teu",
    "flights",
    "years",
    "months",
    "days",
    "hours",
    "minutes",
    "percent",
    "percentage_points",
    "date",
    "other",
)

#: Multipliers printed between the number and its unit.
MAGNITUDES: dict[str, int] = {
    "万亿": 1_000_000_000_000,
    "千万": 10_000_000,
    "百万": 1_000_000,
    "百": 100,
    "千": 1_000,
    "万": 10_000,
    "亿": 100_000_000,
}

#: Unit words (longest first when matching) and the base unit they normalize to.
UNIT_WORDS: dict[str, str] = {
    "个百分点": "percentage_points",
    "百分点": "percentage_points",
    "人次": "person_times",
    "平方公里": "km2",
    "平方千米": "km2",
    "平方米": "m2",
    "公里": "km",
    "千米": "km",
    "公顷": "hectare",
    "千瓦时": "kwh",
    "标箱": "teu",
    "架次": "flights",
    "小时": "hours",
    "分钟": "minutes",
    "个月": "months",
    "个工作日": "days",
    "工作日": "days",
    "大洲": "count",
    "美元": "usd",
    "天": "days",
    "年": "years",
    "岁": "years",
    "元": "yuan",
    "%": "percent",
    "％": "percent",
    "亩": "mu",
    "吨": "tonnes",
    "名": "persons",
    "人": "persons",
    **dict.fromkeys("个家所条幢套处台辆户项件只款笔座间批次位", "count"),
    # Printed units outside the base units: kept as ``other`` with the word printed.
    **dict.fromkeys(("千伏", "千瓦", "千克", "公斤", "斤", "立方米", "微克/立方米", "米", "倍", "℃"), "other"),
}
#: Unit words longest first, so that 个百分点 wins over 个 and 平方公里 over 公里.
UNIT_WORDS_LONGEST_FIRST: tuple[str, ...] = tuple(sorted(UNIT_WORDS, key=len, reverse=True))

#: Words printed before a number, and the qualifier they give it.
PREFIX_QUALIFIERS: dict[str, Qualifier] = {
    "突破": "at_least",
    "超": "at_least",
    "超过": "at_least",
    "逾": "at_least",
    "最高可": "at_most",
    "最高": "at_most",
    "最多": "at_most",
    "不超过": "at_most",
    "不少于": "at_least",
    "约": "approx",
    "近": "approx",
    "接近": "approx",
}
#: Words of change printed before a number: a fall makes the value negative.
DIRECTION_WORDS: dict[str, int] = {
    **dict.fromkeys(("下降", "减少", "降低", "回落", "下跌", "少增", "收窄", "缩小", "降"), -1),
    **dict.fromkeys(("增长", "增加", "提高", "上升", "上涨", "多增", "增", "提升"), 1),
}
#: Words inside or after the unit ("4.8万余名", "50%以上"), and the qualifier they give.
INFIX_QUALIFIERS: dict[str, Qualifier] = {"余": "at_least", "多": "at_least"}
SUFFIX_QUALIFIERS: dict[str, Qualifier] = {
    "以上": "at_least",
    "以下": "at_most",
    "以内": "at_most",
    "左右": "approx",
}

CHINESE_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1_000}
CHINESE_LARGE_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join([*CHINESE_DIGITS, *CHINESE_SMALL_UNITS, *CHINESE_LARGE_UNITS])

#: Spring Festival (大年初一) by year: calendar facts needed to date "大年初一" in a report of that year.
SPRING_FESTIVAL: dict[int, dt.date] = {
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
}
_LUNAR_NEW_YEAR_DAY = re.compile(r"^大年初([一二三四五六七八九十])$")
_ARABIC = re.compile(r"^-?[0-9０-９]+(?:\.[0-9０-９]+)?$")
_FRACTION = re.compile(r"^([0-9０-９]+)/([0-9０-９]+)$")


class NumberParseError(ValueError):
    """A numeric expression that cannot be read; the message names the input and the reason."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: ``value`` in ``unit`` (``None`` when the text names no unit) and its qualifier."""

    value: float
    unit: str | None
    qualifier: Qualifier


def parse_chinese_integer(text: str) -> int:
    """Read a Chinese numeral (``五``, ``十三``, ``两``, ``一百二十``, ``万`` = 10,000) as an integer."""
    if not text or any(ch not in CHINESE_NUMERAL_CHARS for ch in text):
        raise NumberParseError(f"not a Chinese numeral: {text!r}")
    total = section = digit = 0
    digit_seen = False
    for ch in text:
        if ch in CHINESE_DIGITS:
            digit, digit_seen = CHINESE_DIGITS[ch], True
        elif ch in CHINESE_SMALL_UNITS:
            section += (digit if digit_seen else 1) * CHINESE_SMALL_UNITS[ch]
            digit, digit_seen = 0, False
        else:
            section += digit
            total += (section or 1) * CHINESE_LARGE_UNITS[ch]
            section = digit = 0
            digit_seen = False
    return total + section + digit


def _read_number(text: str) -> tuple[float, bool]:
    """Return (number, is_fraction) for Arabic, fraction or Chinese-numeral text."""
    if _ARABIC.match(text):
        return float(text), False
    fraction = _FRACTION.match(text)
    if fraction:
        numerator, denominator = int(fraction[1]), int(fraction[2])
        if denominator == 0:
            raise NumberParseError(f"fraction with a zero denominator: {text!r}")
        return numerator / denominator, True
    return float(parse_chinese_integer(text)), False


def _combine(found: list[Qualifier], context: str) -> Qualifier:
    """Merge the qualifiers found in one expression; contradictory ones are an error."""
    distinct = set(found)
    if len(distinct) > 1:
        raise NumberParseError(f"contradictory qualifiers {sorted(distinct)} in {context!r}")
    return found[0] if found else "exact"


def parse_date(value_text: str, year: int) -> Quantity:
    """Read ``大年初N`` (the Nth day of the lunar new year) in ``year`` as a YYYYMMDD number."""
    match = _LUNAR_NEW_YEAR_DAY.match(value_text)
    if not match:
        raise NumberParseError(f"not a date this parser knows: {value_text!r}")
    if year not in SPRING_FESTIVAL:
        raise NumberParseError(
            f"no Spring Festival date for {year} (known: {sorted(SPRING_FESTIVAL)}) to date {value_text!r}"
        )
    day = SPRING_FESTIVAL[year] + dt.timedelta(days=parse_chinese_integer(match[1]) - 1)
    return Quantity(float(day.strftime("%Y%m%d")), "date", "exact")


def parse_quantity(
    value_text: str, unit_text: str = "", prefix: str = "", *, year: int = 2020, other_units: bool = False
) -> Quantity:
    """Parse a printed number with its printed unit (and the words printed before it, if any).

    ``unit_text`` is read as ``[余|多][magnitude][余|多][unit word][以上|以下|左右]``; a fraction with no unit is a
    share and becomes a percent (``1/30`` -> 3.333…). ``prefix`` is a direction word (``下降`` makes the value
    negative, ``增长`` keeps it) followed by a qualifying word (``突破``, ``最高可``), either optional.
    ``year`` dates lunar-calendar days. With ``other_units``, an unknown unit word gives unit ``other``
    instead of an error.
    """
    value_text, unit_text, prefix = value_text.strip(), unit_text.strip(), prefix.strip()
    context = f"{prefix}{value_text}{unit_text}"
    if not value_text:
        raise NumberParseError(f"empty number in {context!r}")
    if _LUNAR_NEW_YEAR_DAY.match(value_text):
        if unit_text or prefix:
            raise NumberParseError(f"a date takes no unit or prefix: {context!r}")
        return parse_date(value_text, year)

    qualifiers: list[Qualifier] = []
    sign, prefix = split_direction(prefix)
    if prefix:
        if prefix not in PREFIX_QUALIFIERS:
            raise NumberParseError(f"unknown qualifying prefix {prefix!r} in {context!r}")
        qualifiers.append(PREFIX_QUALIFIERS[prefix])

    number, is_fraction = _read_number(value_text)
    rest = unit_text
    if rest[:1] in INFIX_QUALIFIERS:  # 100余万: the qualifier may stand before the magnitude
        qualifiers.append(INFIX_QUALIFIERS[rest[0]])
        rest = rest[1:]
    multiplier, rest = split_magnitude(rest)
    if rest[:1] in INFIX_QUALIFIERS:
        qualifiers.append(INFIX_QUALIFIERS[rest[0]])
        rest = rest[1:]
    for suffix, qualifier in SUFFIX_QUALIFIERS.items():
        if rest.endswith(suffix):
            qualifiers.append(qualifier)
            rest = rest[: -len(suffix)]
            break

    unit: str | None
    if rest == "":
        unit = "percent" if is_fraction else None
    elif rest in UNIT_WORDS:
        unit = UNIT_WORDS[rest]
    elif other_units:
        unit = "other"
    else:
        raise NumberParseError(f"unknown unit {rest!r} in {context!r} (known: {', '.join(UNIT_WORDS)})")
    if is_fraction and unit not in (None, "percent"):
        raise NumberParseError(f"a fraction is a share and takes no unit: {context!r}")
    if unit in ("percent", "percentage_points") and multiplier != 1:
        raise NumberParseError(f"a magnitude cannot scale a percentage: {context!r}")

    value = sign * (number * 100 if is_fraction else number * multiplier)
    return Quantity(_tidy(value), unit, _combine(qualifiers, context))


def split_direction(prefix: str) -> tuple[int, str]:
    """Split a leading direction word off a prefix: (-1 for a fall, else 1; the rest)."""
    for word in sorted(DIRECTION_WORDS, key=len, reverse=True):
        if prefix.startswith(word):
            return DIRECTION_WORDS[word], prefix[len(word) :]
    return 1, prefix


def split_magnitude(text: str) -> tuple[int, str]:
    """Split a leading magnitude (万亿 before 万) off ``text``: (multiplier, the rest)."""
    for word in sorted(MAGNITUDES, key=len, reverse=True):
        if text.startswith(word):
            return MAGNITUDES[word], text[len(word) :]
    return 1, text


def _tidy(value: float) -> float:
    """Remove binary noise from decimal scaling (4.8 * 10000 = 47999.999… -> 48000.0)."""
    rounded = round(value, 6)
    return float(rounded) if abs(rounded - value) <= 1e-12 * max(1.0, abs(value)) else value


#: What may stand between a number and its measure word, or after it: magnitudes and qualifying words.
_BEFORE_MEASURE = re.compile(r"^(?:万|亿|千|百|十|余|多)+")
_AFTER_MEASURE = re.compile(r"(?:以上|以下|左右|余|多)$")


def measure_word(unit_as_printed: str) -> str:
    """The measure word of a printed count (万户 -> 户, 万余名 -> 名, 家 -> 家), or "" where there is none.

    Chinese counts carry a measure word (26万户, not 26万); a figure shown again in Chinese keeps it.
    """
    rest = _AFTER_MEASURE.sub("", _BEFORE_MEASURE.sub("", unit_as_printed))
    return rest if re.fullmatch(r"[\u4e00-\u9fff]{1,2}", rest) and rest not in MAGNITUDES else ""

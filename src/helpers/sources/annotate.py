"""The annotator: read every numeric mention of any report text into a draft row of a figures table.

For each mention found by :func:`helpers.sources.extract.extract_mentions` in the normalized text, it reads
the whole printed expression (direction and qualifying words before the number, magnitude, unit and
qualifier after it), decides whether the number is a quantity or a name/label (a year, a date, a plan or
slogan name, list numbering, an ordinal, a line or product name, a threshold, a footnote mark), and reads
the value in base units, the unit, the qualifier, the kind and the part of the report (review of the year,
plan, other). Offsets are given in the text as Python reads the file in text mode. Rules are deliberately
plain and local (a few characters either side, the heading above); their accuracy is measured on
hand-labelled mentions (``python -m helpers.sources.annotation_eval``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from helpers.sources.extract import Mention, extract_mentions
from helpers.sources.numbers import (
    CHINESE_DIGITS,
    DIRECTION_WORDS,
    INFIX_QUALIFIERS,
    MAGNITUDES,
    PREFIX_QUALIFIERS,
    SUFFIX_QUALIFIERS,
    UNIT_WORDS,
    UNIT_WORDS_LONGEST_FIRST,
    NumberParseError,
    Qualifier,
    parse_chinese_integer,
    parse_date,
    split_magnitude,
)
from helpers.sources.registry import ReportSource, all_reports
from helpers.sources.sections import section_of_lines
from helpers.sources.text import MappedText, clause_at, front_matter, normalize, read_text_file

ANNOTATION_COLUMNS: tuple[str, ...] = (
    "start",
    "end",
    "token",
    "expression",
    "is_quantity",
    "reason",
    "value",
    "unit",
    "unit_as_printed",
    "qualifier",
    "kind",
    "section",
    "quote",
)

#: Counters and other unit words that only ever follow a number; with the base units' words they make a
#: Chinese numeral a quantity (三年, 两个) rather than part of a name (六稳, 五区一群).
_EXTRA_COUNTERS = "张头棵株支枚部场册种类份例起宗栋轮单周列"
_QUALIFIER_PREFIXES = sorted(PREFIX_QUALIFIERS, key=len, reverse=True)
_DIRECTIONS = sorted(DIRECTION_WORDS, key=len, reverse=True)
_LONGEST_MAGNITUDE = max(map(len, MAGNITUDES))
#: Characters that end a clause: what follows 以上 in a quantity (50%以上。), unlike a threshold (亿元以上项目).
_CLAUSE_END = set(",，。；;：:！？、）)”\n|")
#: Words in which a numeral character means no number (一般, 统一, 进一步 …).
_LEXICAL_WORD_LIST = """
    一些 统一 一流 进一步 一体化 一般 万众 千方百计 一起 唯一 之一 一直 一切 不一 一系列
    同一 一定 万物 零售 一线 一手 一方面 第一时间 一道 一致 一站式 一网通办 一网统管 一件事
    一码通 逐一 一举 一律 一旦 一度 一心 一贯 千家万户 一揽子 一把手 万无一失 一以贯之
    一张蓝图 一盘棋 一起来 十分 百姓 老百姓 千里 万里 一同 一再 一面 专一 一番 一向 一刻
    一味 一环 三农 这一年 零星 零距离 零部件 零件 零工 一大批 一批 一级 一体 一带 一致性
    万象 一域 二者 两者 一是一
"""
LEXICAL_WORDS: tuple[str, ...] = tuple(_LEXICAL_WORD_LIST.split())
_NAME_SUFFIXES = ("号线", "号", "期工程", "路", "街", "环", "周年", "季度", "产业", "方阵", "梯队", "届", "次会议")
_ORDINAL_NAME_NEXT = "届次批期轮条款章季部个产方梯"
#: Plan names (十三五, 十四五 …) and other numbered names the reports use as words.
_PLAN_NAME = re.compile(r"^十[一二三四五六七八九]五$")


@dataclass
class Annotation:
    """One numeric mention read as a draft figures row (offsets in the text as read)."""

    start: int
    end: int
    token: str
    expression: str
    is_quantity: bool
    reason: str
    value: float | None
    unit: str
    unit_as_printed: str
    qualifier: str
    kind: str
    section: str
    quote: str


@dataclass
class _Expression:
    """The printed expression around a number: what stands before and after it."""

    prefix: str
    sign: int
    qualifier_words: list[Qualifier]
    multiplier: int
    unit: str
    unit_as_printed: str
    after: str  # the characters right after the expression


#: 约 a few characters before the number, with no number or punctuation between (not 节约, 制约, 签约 …).
_DISTANT_ABOUT = re.compile(r"(?<![节制集签预契公邀履大])约(?![束定谈])[^0-9０-９，。；、,]{1,6}$")


def _read_prefix(text: str, start: int) -> tuple[str, int, list[Qualifier]]:
    """Direction and qualifying words printed right before the number (下降约, 突破, 比上年增长)."""
    position, prefix = start, ""
    qualifiers: list[Qualifier] = []
    sign = 1
    if position > 0 and text[position - 1] in "-−－":
        return text[position - 1], -1, qualifiers
    ceiling = re.search(r"最高(?:可)?(?:给予|奖励|补助|补贴|资助|支持)$", text[max(0, position - 6) : position])
    if ceiling:
        return ceiling.group(), sign, ["at_most"]
    if re.search(r"(?:约|大约|近)[占为有达]$", text[max(0, position - 3) : position]):
        verb_at = position - 1
        qualifiers.append("approx")
        return text[verb_at - (2 if text[verb_at - 2 : verb_at] == "大约" else 1) : position], sign, qualifiers
    for word in _QUALIFIER_PREFIXES:
        if text.endswith(word, 0, position):
            if word == "近" and re.match(r"[0-9一二三四五六七八九十两]+年", text[start : start + 4]):
                break  # 近5年: the last five years, not "nearly"
            qualifiers.append(PREFIX_QUALIFIERS[word])
            position -= len(word)
            prefix = word
            break
    for word in _DIRECTIONS:
        if text.endswith(word, 0, position):
            sign = DIRECTION_WORDS[word]
            prefix = word + prefix
            position -= len(word)
            break
    if (not qualifiers and sign != 1) or (prefix and not qualifiers):
        for word in _QUALIFIER_PREFIXES:  # 最高可降40%: the qualifier may stand before the direction word
            if text.endswith(word, 0, position):
                qualifiers.append(PREFIX_QUALIFIERS[word])
                prefix = word + prefix
                break
    if not qualifiers and _DISTANT_ABOUT.search(text[max(0, start - 8) : start]):
        qualifiers.append("approx")  # 约占全球1/7: 约 governs the number a few characters on
    return prefix, sign, qualifiers


def _read_unit(text: str, position: int) -> tuple[str, str]:
    """The unit word at ``position`` (longest first): (base unit, printed word); empty if none."""
    for word in UNIT_WORDS_LONGEST_FIRST:
        if text.startswith(word, position):
            return UNIT_WORDS[word], word
    if position < len(text) and text[position] in _EXTRA_COUNTERS:
        return "count", text[position]
    return "", ""


def _read_expression(text: str, mention: Mention) -> _Expression:
    """Read prefix, magnitude, qualifier words and unit around one mention."""
    prefix, sign, qualifiers = _read_prefix(text, mention.start)
    position = mention.end
    multiplier = 1
    unit, unit_word = _read_unit(text, position)
    if not unit:
        if text[position : position + 1] in INFIX_QUALIFIERS:
            qualifiers.append(INFIX_QUALIFIERS[text[position]])
            position += 1
        # Only the few characters a magnitude word can take: a slice of the rest of the text, for each
        # mention, made annotating quadratic in the text's length.
        window = text[position : position + _LONGEST_MAGNITUDE]
        multiplier, rest = split_magnitude(window)
        position += len(window) - len(rest)
        if text[position : position + 1] in INFIX_QUALIFIERS:
            qualifiers.append(INFIX_QUALIFIERS[text[position]])
            position += 1
        unit, unit_word = _read_unit(text, position)
    position += len(unit_word)
    for suffix in ("及以上", "及以下", *SUFFIX_QUALIFIERS):
        if text.startswith(suffix, position):
            qualifiers.append(SUFFIX_QUALIFIERS[suffix.removeprefix("及")])
            position += len(suffix)
            break
    if position == mention.end + len(unit_word) and text[position : position + 1] in INFIX_QUALIFIERS:
        qualifiers.append(INFIX_QUALIFIERS[text[position]])  # 20多个 is read above; 300多 alone here
        position += 1
    printed = text[mention.end : position]
    return _Expression(prefix, sign, qualifiers, multiplier, unit, printed, text[position : position + 6])


def _share_distributive_prefix(
    text: str, previous: tuple[Mention, _Expression], mention: Mention, expression: _Expression
) -> None:
    """分别下降11.9%和13.5%, 分别突破7万亿元、6万亿元: the later numbers of a list take the first one's words."""
    earlier, earlier_expression = previous
    if expression.prefix or not earlier_expression.prefix or earlier.clause != mention.clause:
        return
    between = text[earlier.end + len(earlier_expression.unit_as_printed) : mention.start]
    if between in ("和", "、", "及", "与", "，", ",") and "分别" in text[max(0, earlier.start - 12) : earlier.start]:
        expression.prefix = earlier_expression.prefix
        expression.sign = earlier_expression.sign
        expression.qualifier_words = [*earlier_expression.qualifier_words, *expression.qualifier_words]


def _number(token: str) -> float:
    """The number a token states (Arabic, full-width, fraction as a percent, or Chinese numerals)."""
    if _is_digit_sequence(token):
        return float("".join(str(CHINESE_DIGITS[ch]) for ch in token))
    if all(ch in MAGNITUDES for ch in token):
        return float(math.prod(MAGNITUDES[ch] for ch in token))
    ascii_token = token.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if "/" in ascii_token:
        numerator, denominator = ascii_token.split("/")
        return 100 * float(numerator) / float(denominator)
    if re.fullmatch(r"[0-9.]+", ascii_token):
        return float(ascii_token)
    return float(parse_chinese_integer(token))


def _is_whole_number(token: str) -> bool:
    """Digits only (ASCII or full-width), no decimal point or fraction."""
    return token.isdigit()


def _is_cjk(char: str) -> bool:
    """A Chinese character (not punctuation, not a digit)."""
    return bool(char) and "\u3400" <= char <= "\u9fff"


def _is_digit_sequence(token: str) -> bool:
    """二〇二一: Chinese digits written one by one, as in a year."""
    return len(token) >= 3 and all(ch in CHINESE_DIGITS for ch in token)


def _name_reason(text: str, mention: Mention, expression: _Expression) -> str:
    """Why the mention is a name or label rather than a quantity; empty when it is a quantity."""
    token, start, end = mention.token, mention.start, mention.end
    before, after = text[max(0, start - 6) : start], text[end : end + 6]
    if mention.numeral_system == "date":
        return ""
    if before.endswith("[") and after.startswith("]"):
        return "footnote mark"
    for word in LEXICAL_WORDS:
        offset = text.find(word, max(0, start - len(word) + 1), end + len(word))
        if offset != -1 and offset <= start and end <= offset + len(word):
            return f"word ({word})"
    if (before[-1:].isascii() and before[-1:].isalpha()) or (after[:1].isascii() and after[:1].isalpha()):
        return "name with letters (5G, PM2.5, K1)"
    if _PLAN_NAME.match(token):
        return "plan name"
    if _is_whole_number(token) or _is_digit_sequence(token):
        number = _number(token)
        # A year stands before 年, a dash or a verb of time; a number before another word is a count (2100列).
        unit_free = not expression.unit and not _is_cjk(after[:1])
        as_label = after[:1] in "年—-－~～至到、是" or after[:2] == "年度" or unit_free
        if 1949 <= number <= 2100 and as_label and not after.startswith("年来"):
            return "year"
    if after[:1] == "月" and not before.endswith("个") and _number(token) <= 12:
        return "date (month)"
    if after[:1] in "日号" and re.search(r"月$", before):
        return "date (day)"
    if before.endswith(("表", "图", "附表")) and mention.numeral_system == "arabic":
        return "table or figure number"
    if token == "一" and before.endswith("的") and after.startswith("年") and not after.startswith("年来"):
        return "word (the year itself: 极不平凡的一年)"
    if before.endswith("〔") or (before.endswith("[") and after[:1] == "]"):
        return "document number"
    if after.startswith(("号线", "号")):
        return "line or document number"
    if _is_whole_number(token) and len(token) == 5 and "热线" in text[max(0, start - 4) : end + 12]:
        return "hotline number"
    if after.startswith(("国道", "省道", "县道")):
        return "road name"
    if mention.numeral_system == "chinese" and (after[:1] == "届" or re.match(r"次(会议|全会|全体会议)", after)):
        return "ordinal in a name"  # 区十七届人大四次会议: the short form, without 第
    if before.endswith("第"):
        if after[:1] in "位名" or after[:1] in "，。、；" or (after.startswith("方阵") is False and after[:1] == "大"):
            return ""
        if after[:1] in _ORDINAL_NAME_NEXT or after.startswith(_NAME_SUFFIXES):
            return "ordinal in a name"
    if re.match(r"^[（(]$", before[-1:]) and after[:1] in "）)":
        return "list numbering"
    if (before == "" or before[-1:] == "\n") and after[:1] in "、.．":
        return "list numbering"
    if after[:1] == "是" and mention.numeral_system == "chinese" and before[-1:] in "\n，。；：":
        return "list numbering"
    if after.startswith(("周年", "期")):
        return "anniversary or phase name"
    if expression.after.startswith("级") or after[:1] == "级":
        return "threshold (万吨级, 百亿级)"
    if expression.after.startswith("强") or after[:1] == "强":
        return "name or slogan (20强, 五强: a group, not a count)"
    if before.endswith("每") or re.match(r"^[万亿]?元(生产总值|GDP|地区生产总值)", token[-1:] + after):
        return "denominator of a rate"
    bound_word = expression.unit_as_printed.endswith(("以上", "以下"))
    # 100亿元以上的企业 names a category; 90%以上的事项 states a share (unless it is a growth: 增长10%以上的).
    share_of_what = expression.unit == "percent" and not re.search(r"(增长|增速|下降)$", before)
    closes = expression.after[:1] in _CLAUSE_END or expression.after.startswith("左右")
    if bound_word and not closes and not share_of_what:
        return "threshold (以上/以下 a category)"
    if before.endswith("超") and all(ch in MAGNITUDES for ch in token):
        return "threshold (超亿元)"
    if token == "零":
        return ""  # 零新增, 全清零: a count of zero (零售 and other words are caught above)
    if re.match(r"年(行动|计划|规划|攻坚)", after) and mention.numeral_system == "chinese":
        return "name of a plan (三年行动)"
    if _in_short_quotation(text, start, end):
        return "slogan or programme name in quotation marks"
    if mention.numeral_system == "chinese" and not expression.unit and not token.startswith("第"):
        if token in ("万亿", "百亿", "千亿", "百万", "千万") and "元" in after[:2]:
            return ""
        if not (before.endswith(("第", "全国", "全省", "全市", "前")) and after[:1] in "位名，。"):
            return "name or slogan (a numeral with no unit)"
    return ""


def _in_short_quotation(text: str, start: int, end: int) -> bool:
    """Whether the number stands inside short quotation marks (“六稳”, “125”计划)."""
    left = text.rfind("“", max(0, start - 8), start)
    if left == -1 or "”" in text[left:start]:
        return False
    right = text.find("”", end, end + 8)
    return right != -1 and "“" not in text[end:right]


def _kind(text: str, mention: Mention, unit: str, reason: str, sign_word: str) -> str:
    """What sort of quantity: growth_rate, change, share, rate, duration, rank, date or level."""
    if reason:
        return ""
    before = text[max(0, mention.start - 12) : mention.start]
    clause = clause_at(text, mention.start, mention.end)
    if mention.numeral_system == "date":
        return "date"
    if before.endswith("第") or (re.search(r"(全国|全省|全市|居)第?$", before) and not unit):
        return "rank"
    if unit == "percentage_points":
        return "change"
    if unit == "percent":
        if sign_word or re.search(r"(增长|下降|增速|同比|比上年|回落|提高|降低)[^，。；]{0,8}$", before):
            return "growth_rate"
        if re.search(r"(占|比重|占比|份额)", clause[: clause.find(mention.token) if mention.token in clause else 0]):
            return "share"
        return "rate"
    if sign_word in ("增加", "减少", "多增", "少增"):
        return "change"
    if unit in ("years", "months", "days", "hours", "minutes"):
        return "duration"
    return "level"


def annotate_text(mapped: MappedText, *, year: int | None = None) -> pd.DataFrame:
    """Annotate every mention of a normalized text; offsets refer to the text it was normalized from."""
    text = mapped.text
    sections = section_of_lines(text, year)
    newlines = [match.start() for match in re.finditer("\n", text)]  # a mention's line: newlines before it
    rows: list[Annotation] = []
    previous: tuple[Mention, _Expression] | None = None
    for mention in extract_mentions(text):
        expression = _read_expression(text, mention)
        if previous is not None:
            _share_distributive_prefix(text, previous, mention, expression)
        previous = (mention, expression)
        reason = _name_reason(text, mention, expression)
        value, qualifier, unit = _value(mention, expression, reason, year)
        sign_word = expression.prefix.rstrip("".join(PREFIX_QUALIFIERS))
        start, end = mapped.source_span(mention.start, mention.end)
        rows.append(
            Annotation(
                start=start,
                end=end,
                token=mention.token,
                expression=expression.prefix + mention.token + expression.unit_as_printed,
                is_quantity=not reason,
                reason=reason,
                value=value,
                unit=unit,
                unit_as_printed=expression.unit_as_printed,
                qualifier=qualifier,
                kind=_kind(text, mention, unit, reason, sign_word if expression.sign else ""),
                section=sections[bisect_left(newlines, mention.start)],
                quote=mention.clause,
            )
        )
    _apply_table_headers(text, mapped, rows)
    # vars, not dataclasses.asdict: the fields are plain values, and asdict deep-copies every one of them.
    return pd.DataFrame([vars(row) for row in rows], columns=list(ANNOTATION_COLUMNS))


def _value(mention: Mention, expression: _Expression, reason: str, year: int | None) -> tuple[float | None, str, str]:
    """(value in base units, qualifier, unit) of a quantity; (None, "", "") for a name."""
    if reason:
        return None, "", ""
    if mention.numeral_system == "date":
        try:
            return parse_date(mention.token, year or 0).value, "exact", "date"
        except NumberParseError:
            return None, "exact", "date"
    try:
        number = _number(mention.token)
    except NumberParseError:
        return None, "", ""
    unit = expression.unit or ("percent" if "/" in mention.token else "")
    multiplier = 1 if unit in ("percent", "percentage_points") else expression.multiplier
    qualifiers = expression.qualifier_words
    # 约…60%以上: a one-sided bound says more than "about"; otherwise the word nearest the number wins.
    bounded = [q for q in qualifiers if q != "approx"]
    qualifier = bounded[-1] if bounded else (qualifiers[0] if qualifiers else "exact")
    value = expression.sign * number * multiplier
    return float(round(value, 10)), qualifier, unit or ("other" if expression.unit_as_printed else "")


_TABLE_UNIT = re.compile(r"[（(]([^）)]+)[）)]")


def _apply_table_headers(text: str, mapped: MappedText, rows: list[Annotation]) -> None:
    """In Markdown tables, read a cell's unit from its column header (比上年增长（%）) or a 单位 column."""
    if not rows or "|" not in text:
        return
    # Each table cell finds its mentions by offset in one dictionary, not by a search of every row.
    by_start: dict[int, list[Annotation]] = {}
    for row in rows:
        by_start.setdefault(row.start, []).append(row)
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    header: list[str] = []
    for index, line in enumerate(lines):
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = cells
            continue
        _annotate_row(by_start, mapped, offsets[index], line, cells, header)


def _annotate_row(
    by_start: dict[int, list[Annotation]],
    mapped: MappedText,
    line_start: int,
    line: str,
    cells: list[str],
    header: list[str],
) -> None:
    """Set unit, value and kind of the numbers in one table row from the header of their column."""
    unit_column = header.index("单位") if "单位" in header else -1
    position = line_start
    for column, raw_cell in enumerate(line.strip("|").split("|")):
        cell_start = position + (1 if line.startswith("|") else 0)
        position = cell_start + len(raw_cell)
        cell = raw_cell.strip()
        if column == unit_column:  # 万吨, 亿元: a unit, not a number of its own
            sources = {mapped.origin[i] for i in range(cell_start, min(position, len(mapped.origin)))}
            for source in sources:
                for row in by_start.get(source, ()):
                    row.is_quantity, row.reason, row.value = False, "unit column of a table", None
                    row.unit = row.qualifier = row.kind = ""
            continue
        if column >= len(header) or not re.fullmatch(r"-?[0-9.]+", cell):
            continue
        token_start = cell_start + raw_cell.index(cell) + (1 if cell.startswith("-") else 0)
        matches = by_start.get(mapped.origin[token_start])
        if not matches:
            continue
        name = header[column]
        printed = _TABLE_UNIT.search(name)
        unit_text = printed.group(1) if printed else (cells[unit_column] if 0 <= unit_column < len(cells) else "")
        multiplier, rest = split_magnitude(unit_text)
        unit = "percent" if unit_text in ("%", "％") else UNIT_WORDS.get(rest, "other" if unit_text else "")
        number = float(cell)
        row = matches[0]
        row.is_quantity = True
        row.reason = ""
        row.unit = unit
        row.unit_as_printed = unit_text
        row.value = number if unit in ("percent", "percentage_points") else number * multiplier
        row.qualifier = "exact"
        row.kind = "growth_rate" if re.search("增长|增速", name) else "level"


#: The first year a report can review: the People's Republic's first.
FIRST_YEAR = 1949


def allowed_years() -> range:
    """The years a report can review: 1949 to next year (this year's report may be dated early next year)."""
    return range(FIRST_YEAR, dt.date.today().year + 2)


class EmptyTextError(ValueError):
    """A report file with no text to annotate (empty, or only front matter or markup); the message says which."""


def _why_no_text(raw: str) -> str:
    """What a file whose normalized text is empty holds instead."""
    if not raw.strip(" \t\r\n\u3000\xa0\ufeff"):
        return "the file is empty"
    if front_matter(raw):
        return "only YAML front matter, no text after it"
    return "only markup (images, rules, emphasis marks), no words"


def annotate_file(
    path: Path, *, encoding: str = "utf-8", year: int | None = None, join_page_breaks: bool = False
) -> pd.DataFrame:
    """Annotate a report file; offsets refer to ``open(path, encoding=encoding).read()``.

    A file with no text (empty, only front matter or markup) raises :class:`EmptyTextError`.
    """
    raw = read_text_file(path, encoding)
    mapped = normalize(raw, join_page_breaks=join_page_breaks)
    if not mapped.text.strip():
        raise EmptyTextError(f"{path}: {_why_no_text(raw)}; annotate needs a report's text")
    return annotate_text(mapped, year=year)


def annotate_report(report: ReportSource) -> pd.DataFrame:
    """Annotate one report of the corpus with its own metadata (year reviewed, page-break joining)."""
    return annotate_text(report.mapped, year=report.meta.year_reviewed)


def _plain_number(value: object) -> str:
    """A value as a plain decimal with at most 10 significant digits (180000000000, 14.2857142857), or empty."""
    if value is None or pd.isna(value):
        return ""
    return np.format_float_positional(float(f"{float(value):.10g}"), trim="-")


def annotations_csv(frame: pd.DataFrame) -> str:
    """Annotations as CSV text with stable formatting (values in ``%.10g``, booleans as true/false)."""
    out = frame.copy()
    out["value"] = out["value"].map(_plain_number)
    out["is_quantity"] = out["is_quantity"].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n")


def _new_file_mode() -> int:
    """The mode a new file gets under the current umask (0644 under the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_annotations(frame: pd.DataFrame, target: Path | TextIO) -> None:
    """Write annotations as UTF-8 CSV to a path or to an open text stream.

    A path is written atomically: a temporary file of its own beside it, renamed over it once complete, and
    removed if anything (Ctrl-C too) stops it first; the old file stays byte for byte until the rename.
    """
    content = annotations_csv(frame)
    if not isinstance(target, Path):
        target.write(content)
        return
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            os.fchmod(stream.fileno(), _new_file_mode())  # mkstemp makes 0600; the CSV is for readers, as before
            stream.write(content)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_corpus_annotations(corpus_dir: Path | None = None) -> list[Path]:
    """Regenerate ``annotations.csv`` of every report of the corpus; return the paths written."""
    written = []
    for report in all_reports(corpus_dir):
        write_annotations(annotate_report(report), report.annotations_path)
        written.append(report.annotations_path)
    return written

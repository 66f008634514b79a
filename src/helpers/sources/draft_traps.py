"""The draft's traps: a placed quantity that is not the year's value, and why (a target, several years, a part).

A number the draft (:mod:`helpers.sources.draft`) has placed goes to ``figures_excluded.csv`` instead of
``figures.csv`` when its words say it is a target or plan (``target``), a five-year total or average, a
cumulative figure or an earlier year's (``multi_year``), a part of the year (``partial_period``), or a figure of
another area than the report's (``other_area``: a district of a city, a development zone, the province in a city's
report). The frame a line stands in (the review of the year, or a five-year review) comes from the report's
headings and openings. Kept apart from the reading of subjects (:mod:`helpers.sources.draft_subject`): these
rules date and locate a figure, they do not name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.sources.divisions import Division, DivisionTable
from helpers.sources.draft_subject import LEVEL_CHARS, Subject, clause_start, prefix_of, sentence_start
from helpers.sources.draft_vocabulary import IndicatorInfo

#: Words of a level reached (达到, 突破, 迈上): the value is the one the year ends with.
_LEVEL_REACHED = re.compile(r"达|突破|超过|跃升|升至|(?:增加|提高|增长|提升|上升|扩大)[到至]|增至|迈上|跃上|跨上|首破")
#: Words of a target: in the paragraph before the number (今年…主要预期目标为：A；B；C) or in its sentence (力争).
_TARGET_CUE = re.compile(r"预期目标|预期为|目标是|目标为|今年|明年")
_SENTENCE_TARGET_CUE = re.compile(r"(?<!全)力争|争取(?:到|实现|达到)|确保(?!了)")
_PARTIAL_CUE = re.compile(
    r"上半年|下半年|前三季度|第?[一二三四1-4]季度|(?<![0-9])(?:1|一)\s*[—\-－~～至到]\s*(?:[1-9]|1[01]|[二三四五六七八九十]|十一)\s*月"
    r"|截至(?:[1-9]|1[01]|[一二三四五六七八九十]|十一)月|(?<![0-9])(?:[1-9]|1[01])月(?:末|底|份)"
)
#: Words of several years: in the clauses from the subject to the number (年均, 累计), or in the sentence.
#: 全年累计 is the sum of the year itself; 比“十二五”增长 compares two five-year periods.
_LOCAL_MULTI_YEAR_CUE = re.compile(r"年均|(?<!全年)累计|[比较]“?十[一二三]五”?(?!末)")
_MULTI_YEAR_CUE = re.compile(r"五年|十[一二三]五|以来|(?:19|20)\d\d\s*[—\-－~～至到]\s*(?:(?:19|20)\d\d)年|期间|时期")
#: 从 or 由 before a value, with no 到 or 至 after it: the value at the start of a period (由“十二五”末的6557亿元).
_START_OF_PERIOD = re.compile(r"[从由][^到至达]*$")
#: A line that opens a five-year review, and one that opens the review of the year.
_FIVE_YEAR_OPENING = re.compile(
    r"^(?:——)?(?:这五年|五年来|过去五年|五年间|“?十三五”?(?:时期|期间|以来)|这是[^。，]{0,24}的五年)"
)
_YEAR_OPENING = re.compile(
    r"^(?:——)?(?:各位代表[！!，,：:]\s*)?(?:刚刚过去的|过去的)?(?:(?:19|20)\d\d年|一年来|过去一年|去年|这一年)"
)
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(f"^(?:[{_NUMERALS}]+、|（[{_NUMERALS}]+）|第[{_NUMERALS}]+(?:部分|章))")
#: A heading of a part of the report (一、 第二部分), not of an item within one (（一）): it sets the frame anew.
_PART_HEADING = re.compile(f"^(?:[{_NUMERALS}]+、|第[{_NUMERALS}]+(?:部分|章))")
#: Words of a part of the territory (a zone, the central city): its figure is not the entity's.
_SUB_AREA_WORDS = re.compile(
    r"中心城区|主城区|城区|市区|新区|开发区|高新区|经开区|港区|示范区|自贸区|试验区|综保区|保税区|片区|园区|县域"
)


@dataclass(frozen=True)
class Place:
    """Who the report speaks for: its division (when known), its name and the divisions whose figures are its own."""

    name: str
    division: Division | None
    table: DivisionTable

    def own_char(self) -> str:
        """The last character of its name (市 of 许昌市): 全市 and 我市 are the entity itself."""
        return "国" if self.division is not None and self.division.level == "nation" else self.name[-1:]

    def other_area(self, prefix: str) -> str:
        """The name of another area a subject's prefix names (郑州航空港区, 全省 in a city's report), or empty."""
        for match in re.finditer(f"[全本我]([{LEVEL_CHARS}])", prefix):
            if match.group(1) != self.own_char():
                return match.group()
        stripped = prefix.replace(self.name, "")
        if self.division is not None:
            for short in self.division.short_name.split("/"):
                stripped = stripped.replace(short, "") if len(short) >= 2 else stripped
        found = _SUB_AREA_WORDS.search(stripped)
        if found:  # 山南新区完成: the name up to the word of a zone
            return re.split(r"[，、,：:（(“]", stripped[: found.end()])[-1]
        for division in self.table:
            if division.name in stripped and len(division.name) >= 2:
                return division.name
        if self.division is not None:
            nearby = [*self.table.children(self.division.code), *self.table.ancestors(self.division.code)[:1]]
            for division in nearby:
                for short in division.short_name.split("/"):
                    if len(short) >= 2 and short in stripped:
                        return short
        return ""


def line_frames(lines: list[str]) -> list[str]:
    """For each line: ``year`` (the review of the year) or ``multi`` (a five-year review), from the openings."""
    frames = []
    current = "year"
    for line in lines:
        # （六）民生福祉不断提升。…: an item that opens a paragraph is no heading, and keeps the frame it stands in.
        heading = "。" not in line and (bool(_HEADING.match(line)) or (len(line) <= 40 and "，" not in line))
        dated = re.search(r"(?:19|20)\d\d年", line)
        if heading and ("十三五" in line or "五年" in line):
            current = "year" if dated else "multi"
        elif heading and (_PART_HEADING.match(line) or dated):
            current = "year"
        elif _FIVE_YEAR_OPENING.match(line):
            current = "multi"
        elif _YEAR_OPENING.match(line):
            current = "year"
        frames.append(current)
    return frames


#: 均好于调整后的年度预期目标, 主要预期目标较好完成: a target the year met is said in its review, not set.
_TARGET_MET = re.compile(r"(?:好于|完成|实现|超过|高于|达到)[^，。；]{0,10}$")
_TARGET_MET_AFTER = re.compile(r"^[^，。；]{0,4}(?:较好|顺利|全面|圆满|超额)?(?:完成|实现)")


def _paragraph_target(paragraph: str) -> re.Match[str] | None:
    """The first word of a target in the paragraph before a number that sets one (not one the year met)."""
    for cue in _TARGET_CUE.finditer(paragraph):
        met = _TARGET_MET.search(paragraph[: cue.start()]) or _TARGET_MET_AFTER.search(paragraph[cue.end() :])
        if not met:
            return cue
    return None


def trap(
    text: str,
    row: pd.Series,
    position: int,
    subject: Subject,
    indicator: IndicatorInfo,
    frame: str,
    year: int,
    place: Place,
) -> tuple[str, str]:
    """(category, reason) when a placed quantity is not the year's value; ("", "") when it is."""
    before = text[sentence_start(text, position) : position]
    paragraph = text[text.rfind("\n", 0, position) + 1 : position]
    local = text[clause_start(text, subject.start) : position]
    future = [int(y) for y in re.findall(r"((?:19|20)\d\d)年", before) if int(y) > year]
    target = _paragraph_target(paragraph) or _SENTENCE_TARGET_CUE.search(before)
    if row["section"] == "plan" or future or target:
        said = f"{future[0]}年" if future else (target.group() if target else "the plan part of the report")
        return "target", f"a target or plan ({said}), not the value of {year}"
    # 上半年地区生产总值下降0.8%，预计下半年增长8%以上，全年增长4%左右: the cue of a part, unless 全年 says otherwise.
    own_clause = text[clause_start(text, position) : position]
    partial = None if "全年" in own_clause else _PARTIAL_CUE.search(local)
    if partial:
        return "partial_period", f"a part of the year ({partial.group()}), not the whole of {year}"
    if _START_OF_PERIOD.search(subject.between):
        return "multi_year", "the value at the start of a period (从…到…), not the value of the year"
    # 年均增长7.1%、达到1.77万亿元: a cue of several years governs the words up to its own number, not past it.
    local_tail = re.split(r"[0-9０-９]", local)[-1]
    # 五年来…地区生产总值从2.5万亿元提升至3.6万亿元, 2020年达到2.22万亿元: the level reached is the year's (not
    # for new units: 五年来城镇新增就业达到62万人 adds up five years).
    reached = row["kind"] == "level" and not indicator.code.startswith("new_")
    reached = reached and bool(_LEVEL_REACHED.search(subject.between + prefix_of(row)) or f"{year}年" in own_clause)
    multi = _LOCAL_MULTI_YEAR_CUE.search(local_tail) or (None if reached else _MULTI_YEAR_CUE.search(before))
    if multi:
        return "multi_year", f"a figure of several years ({multi.group()}), not the value of {year}"
    # A level is dated by a year of its own clause only (比2010年翻一番，人均地区生产总值突破1.5万美元: 2020's level).
    dated = before if row["kind"] in ("growth_rate", "change") else own_clause
    growth = row["kind"] in ("growth_rate", "change")
    for match in re.finditer(r"([比较是与从由])?((?:19|20)\d\d)年(?!以来)", dated):
        earlier, word = int(match.group(2)), match.group(1)
        # 由2015年的94.9亿元增加到170亿元，增长79.1%: the level reached is the year's, the growth the period's.
        if word in ("从", "由") and growth and earlier < year - 1:
            return "multi_year", f"a change since {earlier} ({word}{earlier}年…), not the change of {year}"
        if re.search("到|至|达", dated[match.end() :]):
            continue  # 从2015年的25404元增加到37202元, 较2015年净增330户、达586户: the value reached is the year's
        if word in ("比", "较") and earlier < year - 1:
            return "multi_year", f"a change since {earlier} (比{earlier}年), not the change of {year}"
        if word not in ("比", "较", "是", "与") and earlier < year:
            return "multi_year", f"a figure of {earlier}, not of {year}"
    explicit_year = re.search(f"{year}年(?!以来)", before)
    in_five_years = frame == "multi" and not explicit_year and indicator.measure in ("growth", "flow")
    if in_five_years and not _LEVEL_REACHED.search(subject.between + prefix_of(row)):
        return "multi_year", f"printed in the five-year review: a total or average of five years, not of {year}"
    other = place.other_area(subject.prefix)
    if other:
        return "other_area", f"a figure of {other}, not of {place.name}"
    return "", ""

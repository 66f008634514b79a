"""Which part of a report each line belongs to: ``review`` of the year, ``plan`` (targets, plans) or ``other``.

Government work reports review the past year (and the five-year plan period just ended), then set goals
for the new plan period and the targets and work of the coming year; statistical communiqués only review.
The part is read from the top-level headings (``一、2020年工作回顾``, ``二、“十四五”时期的目标``, ``三、2021
年工作``), and a sentence inside the review that sets a target (预期目标, 力争, 到2025年, 今年) is a plan. Lines
before the body (title, dateline, greeting) and the closing address are ``other``.
"""

from __future__ import annotations

import re
from collections import Counter

#: A top-level heading: 一、…, 第一部分, 第一章.
_TOP_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+(?:部分|章))")
_REVIEW_WORDS = ("回顾", "过去", "成就", "总结", "一年来", "五年来")
_PLAN_WORDS = ("目标", "任务", "安排", "建议", "今年", "明年", "远景", "展望", "规划", "重点工作", "部署")
#: Sentence cues of a target or plan inside a review.
_PLAN_CUES = re.compile(
    r"预期目标|力争|确保.{0,20}(?:达到|增长)|今年|明年|计划|将(?:要|会)?(?:建成|达到|实现|新建)|目标"
)
_YEAR = re.compile(r"((?:19|20)\d\d)年")


def infer_year(text: str) -> int | None:
    """The year a text reviews: the year named in a review heading, else the most frequent year printed."""
    for line in text.split("\n"):
        if _TOP_HEADING.match(line) and any(w in line for w in _REVIEW_WORDS):
            found = _YEAR.search(line)
            if found:
                return int(found.group(1))
    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


#: The five-year plan that ends with a year: its name in a heading (“十三五”规划圆满收官) opens that year's review.
_PLAN_ENDING: dict[int, str] = {2010: "十一五", 2015: "十二五", 2020: "十三五", 2025: "十四五"}
_PLAN_NAMES: tuple[str, ...] = ("十一五", "十二五", "十三五", "十四五", "十五五")


def _heading_part(line: str, year: int | None) -> str:
    """The part a top-level heading opens."""
    years = [int(y) for y in _YEAR.findall(line)]
    if any(w in line for w in _REVIEW_WORDS) or (year is not None and year in years and "十四五" not in line):
        return "review"
    ended = _PLAN_ENDING.get(year or 0)
    if ended and ended in line and not any(name in line for name in _PLAN_NAMES if name != ended):
        return "review"
    if any(w in line for w in _PLAN_WORDS) or (year is not None and any(y > year for y in years)) or "十四五" in line:
        return "plan"
    return "review"


def _sentence_is_plan(line: str, year: int | None) -> bool:
    """A review line whose sentences set targets (all of them): 预期目标, 力争, 今年, 到2025年."""
    sentences = [s for s in re.split(r"[。；]", line) if s.strip()]
    if not sentences:
        return False
    future = re.compile(r"到((?:19|20)\d\d)年")
    for sentence in sentences:
        found = [int(y) for y in future.findall(sentence)]
        if not (_PLAN_CUES.search(sentence) or (year is not None and any(y > year for y in found))):
            return False
    return True


def section_of_lines(text: str, year: int | None = None) -> list[str]:
    """The part of the report of each line of a normalized text (one entry per line)."""
    year = year if year is not None else infer_year(text)
    lines = text.split("\n")
    # A speech opens with a greeting (各位代表): what stands before its first heading is not its body.
    speech = any(line.startswith("各位代表") for line in lines[:20])
    parts: list[str] = []
    current = "other"
    body_started = False
    for line in lines:
        if _TOP_HEADING.match(line):
            current = _heading_part(line, year)
            body_started = True
        elif line.startswith("各位代表") and body_started and current == "plan":
            current = "other"
        elif not body_started and not speech and re.search(r"[。！？]", line):
            current, body_started = "review", True
        part = current
        if current == "review" and _sentence_is_plan(line, year):
            part = "plan"
        parts.append(part)
    return parts

"""The gap a report states right after a growth rate (增长4.4%，高于全省0.5个百分点), and whether it agrees.

Reports often follow the year's growth with its gap to a higher level: «增长4.4%，高于全省0.5个百分点»,
«增速高于全国0.2个百分点、低于全省1.3个百分点», «增幅分别比全国、全省高1.6和0.1个百分点». Only the clauses
that follow the figure are read, up to the end of its sentence: a clause with another number (the next
figure, «其中…») ends them, a clause without one (a rank, «居全省第4位») is passed over. A figure of several
years (年均增长7.3%，高于全省1个百分点) states a gap of the average, not of the year: nothing is taken.

Signs: 高于, 快于, 高出, 比…高 are positive; 低于, 慢于, 比…低 negative; said of a fall (降幅低于全省0.6个
百分点: the fall is smaller) the sign turns. The stated value's interval is that of the printed number
(:func:`helpers.sources.intervals.printed_estimate`: "0.5" is [0.45, 0.55], "1" is [0.5, 1.5]); it agrees
with a computed gap when the two intervals overlap, as the audit's ``stated_gap_vs_computed`` rule has it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from helpers.sources.entities import Entity
from helpers.sources.extract import extract_mentions
from helpers.sources.intervals import Estimate, printed_estimate

_AREA = r"全国|全省|全自治区|全区|全市"
_AREAS = rf"(?P<areas>(?:{_AREA})(?:、(?:{_AREA}))?)"
_AFTER_AREA = r"(?:平均水平|平均增速|平均增幅|平均降幅|同期水平|平均|水平|增速|增幅|降幅)?"
_LEAD = r"(?P<lead>(?:经济增速|增速|增幅|降幅)?(?:分别|均)?)"
_NUMBERS = r"(?P<first>\d+(?:\.\d+)?)个?(?:[和、](?P<second>\d+(?:\.\d+)?)个?)?百分点"
#: 高于全省0.5个百分点, 分别高出全国、全省1和2个百分点.
_VERB_FIRST = re.compile(rf"{_LEAD}(?P<verb>高于|快于|高出|低于|慢于){_AREAS}{_AFTER_AREA}(?:分别|均)?{_NUMBERS}")
#: 比全省高5.4个百分点, 比全国、全省均高1.5个百分点, 比全国平均降幅少1.3个百分点.
_AREA_FIRST = re.compile(rf"{_LEAD}比{_AREAS}{_AFTER_AREA}(?:分别|均)?(?P<verb>高出|高|快|多|低|慢|少){_NUMBERS}")
_PLUS = frozenset({"高于", "快于", "高出", "高", "快", "多"})
#: Words of the figure's own clause that make it a figure of several years.
_MULTI_YEAR = re.compile(r"年均|累计|五年|十三五|十二五|时期|期间|以来")
_SENTENCE_END = "。；;！？!?\n"
_SEPARATORS = "，、,："
_RANK = re.compile(r"第[0-9一二三四五六七八九十]+(?:位|名)?")
#: Bounds that touch (0.45 against 0.45) must not fall apart by a float's last bit (0.4499999999999993).
_NOISE = 1e-9
#: Clauses passed over between a figure and its gap (ranks and the like), at most.
_MAX_SKIPPED = 2


@dataclass(frozen=True)
class StatedGap:
    """A gap in percentage points a report states to an area (全省, 全国 …), signed, with its interval."""

    area: str
    estimate: Estimate
    #: The gap's clause as printed, and where it lies in the text it was read from.
    quote: str
    start: int
    end: int

    @property
    def value(self) -> float:
        """The stated gap, signed: positive where the report's growth is the higher."""
        return self.estimate.value


def _gaps_at(text: str, position: int, stop: int) -> tuple[list[StatedGap], int] | None:
    """The gaps of the gap clause that begins at ``position`` and where it ends; None if none begins there."""
    match = _VERB_FIRST.match(text, position, stop) or _AREA_FIRST.match(text, position, stop)
    if match is None:
        return None
    areas = ["全区" if a == "全自治区" else a for a in match["areas"].split("、")]
    numbers = [n for n in (match["first"], match["second"]) if n]
    if len(numbers) > len(areas) or (len(areas) == 1 and "分别" in match[0]):
        return [], match.end()  # several figures' gaps (分别高于全省1和2个百分点): none is this figure's alone
    sign = 1 if match["verb"] in _PLUS else -1
    if "降幅" in text[match.start() : match.start("first")]:
        sign = -sign  # the fall is smaller: the growth is the higher
    gaps = []
    for area, number in zip(areas, numbers * len(areas) if len(numbers) == 1 else numbers, strict=True):
        printed = printed_estimate(number, "个百分点")
        estimate = printed if sign > 0 else Estimate(-printed.value, -printed.high, -printed.low)
        gaps.append(StatedGap(area, estimate, match[0], match.start(), match.end()))
    return gaps, match.end()


def _own_clause(text: str, start: int) -> str:
    """The clause of the figure that begins at ``start``, up to the figure (比上年增长 in …亿元、比上年增长4.4%)."""
    begin = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END + _SEPARATORS) + 1
    return text[begin:start]


def stated_gaps(text: str, start: int, end: int) -> list[StatedGap]:
    """Every gap stated right after the figure printed at ``text[start:end]`` (its number and unit).

    Nothing for a figure of several years (年均, 累计, “十三五”时期 in its own clause).
    """
    if _MULTI_YEAR.search(_own_clause(text, start)):
        return []
    stop = min((i for i in (text.find(mark, end) for mark in _SENTENCE_END) if i >= 0), default=len(text))
    found: list[StatedGap] = []
    position, skipped = end, 0
    while position < stop:
        while position < stop and text[position] in _SEPARATORS:
            position += 1
        read = _gaps_at(text, position, stop)
        if read is not None:
            if not read[0]:
                break  # the gaps of several figures: what follows is theirs too
            found.extend(read[0])
            position = read[1]
            continue
        clause_end = min((i for i in (text.find(s, position, stop) for s in _SEPARATORS) if i >= 0), default=stop)
        clause = _RANK.sub("", text[position:clause_end])
        if skipped >= _MAX_SKIPPED or re.search(r"[0-9%％]|其中|分别", clause):
            break  # another figure: what follows is its own
        skipped += 1
        position = clause_end
    return found


def area_words(parent: Entity) -> tuple[str, ...]:
    """How a report names its parent in a gap: 全国 for the nation, 全区 for an autonomous region, 全省, 全市."""
    if parent.level == "nation":
        return ("全国",)
    for suffix, word in (("自治区", "全区"), ("省", "全省"), ("市", "全市")):
        if parent.name_zh.endswith(suffix):
            return (word,)
    return ()


def figure_span(text: str, quote: str, value_as_printed: str, unit_as_printed: str) -> tuple[int, int] | None:
    """Where the figure's number and unit lie in ``text``: the one mention of its number in its quote.

    The quote is looked up as the figures table places it (its first occurrence in the text).
    """
    base = text.find(quote) if quote else -1
    if base < 0:
        return None
    for mention in extract_mentions(quote):
        if mention.token == value_as_printed:
            end = base + mention.end
            return base + mention.start, end + len(unit_as_printed) * text.startswith(unit_as_printed, end)
    return None


def stated_gap_to(text: str, span: tuple[int, int], parent: Entity) -> StatedGap | None:
    """The gap to ``parent`` stated right after the figure at ``span``; None where none names the parent."""
    words = area_words(parent)
    return next((gap for gap in stated_gaps(text, *span) if gap.area in words), None)


def agreement(stated: StatedGap | None, value: float, low: float, high: float, status: str) -> str:
    """Whether the stated gap's interval overlaps the computed one [low, high]: "agrees" or "disagrees".

    "" where nothing is stated or nothing computed. A computed gap whose status is not ``ok`` (a scope
    mismatch, a derived comparator) keeps its status beside the verdict: "agrees (scope_mismatch)".
    """
    if stated is None or status in ("", "missing") or any(math.isnan(v) for v in (value, low, high)):
        return ""
    overlap = stated.estimate.low <= high + _NOISE and low <= stated.estimate.high + _NOISE
    verdict = "agrees" if overlap else "disagrees"
    return verdict if status == "ok" else f"{verdict} ({status})"

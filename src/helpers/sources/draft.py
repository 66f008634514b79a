"""Draft a report's figures table from its annotations: each quantity of the year reviewed, mapped to an indicator.

``jinshui-report add`` calls :func:`draft_figures` on the annotator's rows. A quantity is placed when an alias
of ``data/indicators/aliases.csv`` names what it measures: the alias stands before the number in its clause
(or, when the clause holds only a verb, 增长2.7%, in the clause before it), with nothing between them but
numbers, units and verbs (达到, 完成, 比上年增长 …), and the alias's kind fits the number's (a level, a growth
rate, a share) and its unit the indicator's. A stock alias with a word of new units (新增高新技术企业, 高新技术
企业新增) becomes its flow, ``new_<code>``; a flow with 总数/总量/实有 becomes its stock. A placed quantity then
goes to ``figures.csv`` as the year's value, unless it is a trap, which goes to ``figures_excluded.csv`` with
the reason: a target or plan (``target``), a five-year total or average, a cumulative figure or an earlier
year's (``multi_year``), a part of the year (``partial_period``), or a figure of another area than the
report's (``other_area``: a district of a city, a development zone, the province in a city's report).
Whatever cannot be placed stays in ``annotations.csv`` only. Rules are local and plain, as the annotator's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import paths
from helpers.sources.divisions import Division, DivisionTable
from helpers.sources.figures import EXCLUDED_COLUMNS, FIGURE_COLUMNS, read_csv_as_text
from helpers.sources.numbers import UNIT_WORDS_LONGEST_FIRST, NumberParseError, parse_quantity
from helpers.sources.text import CLAUSE_DELIMITERS, MappedText

ALIASES_CSV = "aliases.csv"
#: Names of two indicators printed as one pair (城乡居民人均可支配收入分别…): the first number is the first's.
PAIRS_CSV = "alias_pairs.csv"
#: Words after which the numbers of a pair begin (分别达到A和B, 分别从A、B提高到C、D: C and D are the year's).
_PAIR_START = re.compile(r"分别|到|至|达|为|跨上|增长|下降|提高|增加")
#: 、支出分别…: the alias is the first of a list of names whose values follow in the same order.
_LISTED = re.compile(r"^、([^，。；、0-9０-９]{1,12})(分别.*)$")
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
#: The annotator's kinds, grouped as an alias names them.
_KIND_GROUP: dict[str, str] = {
    "level": "level",
    "duration": "level",
    "growth_rate": "growth_rate",
    "share": "share",
    "rate": "share",
}
#: The measures of the indicators an alias of each kind may name.
_MEASURES_OF_GROUP: dict[str, tuple[str, ...]] = {
    "level": ("flow", "stock", "per_capita", "condition"),
    "growth_rate": ("growth",),
    "share": ("share",),
}
#: Units a value may have for an indicator of each unit (a parent's trade may be printed in US dollars).
_UNITS_OF_INDICATOR: dict[str, tuple[str, ...]] = {"yuan": ("yuan", "usd")}
#: Words that may stand between an alias and its number (verbs, time words, connectors), besides numbers and units.
_FILLER_WORD_LIST = """
    全年 年末 年底 去年 当年 上年 比上年 较上年 比去年 同比 比 较 分别 实现 完成 达到 达 为 是 突破 超过 超
    首次 首破 历史性 总量 总数 累计 新增 增长 下降 增速 增幅 提高 回落 增加到 提高到 增加 增至 升至 跃升至
    迈上 至 到 从 不到 和 及 与 约 近 逆势 稳定在 保持 总计 共计 合计 实有 新登记 新认定 净增 以上 左右 余 多
    的 年均 年 已 预计 全市 全省 全区 全县 全国 全州 全盟 全旗 本市 本省 我市 我省 我区 我县 我国 其中 继续
    稳步 力争 目标 预期 可 以 内 实际 名义 按可比价格计算 初步核算 上半年 下半年 前三季度 季度 月 月份 末 底
    期间 以来 五年 十三五 时期 全体 全社会 全口径 地方 财政 在册 培育 认定 国家 国家级 省级 市级
    由 十二五 增至 跃上 跨上 台阶 取得 总额 总值 逆势 增 提升 提升至 提升到 均 下同
"""
_FILLER_WORDS: tuple[str, ...] = tuple(sorted(set(_FILLER_WORD_LIST.split()), key=len, reverse=True))
_NUMBER = re.compile(r"[0-9０-９.．%％]+|[〇零一二三四五六七八九十百千万亿两]+")
_CJK_OR_LETTER = re.compile(r"[\u3400-\u9fffA-Za-z]")
_SENTENCE_END = "。；;！？!?\n"
#: Words of new units: a stock alias with one of them names the year's flow.
_FLOW_CUE = re.compile(r"新增|新登记|认定|培育|净增|新设立|新注册|新发展|增加(?!到|至)")
_STOCK_CUE = re.compile(r"总数|总量|实有|存量")
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
_LEVEL_CHARS = "省市区县州盟旗国"


@dataclass(frozen=True)
class Alias:
    """One Chinese name of an indicator, for one kind of number."""

    alias: str
    indicator: str
    kind: str
    theme: str
    subtheme: str
    note: str


@dataclass(frozen=True)
class IndicatorInfo:
    """What a draft needs of an indicator of ``indicators.csv``."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    measure: str


@dataclass(frozen=True)
class Vocabulary:
    """Aliases by (alias, kind) and the indicators they name."""

    aliases: dict[tuple[str, str], Alias]
    indicators: dict[str, IndicatorInfo]
    pattern: re.Pattern[str]
    #: (alias, kind) -> the aliases of the pair's first and second indicator, in that order.
    pairs: dict[tuple[str, str], tuple[Alias, Alias]] = field(default_factory=dict)

    @property
    def pair_names(self) -> set[str]:
        """The aliases that name a pair of indicators."""
        return {alias for alias, _ in self.pairs}


def load_draft_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Read ``indicators.csv`` and ``aliases.csv``; an alias of an unknown indicator or a misfit kind is an error."""
    folder = folder or paths.INDICATORS_DIR
    table = read_csv_as_text(folder / "indicators.csv")
    indicators = {
        row.code: IndicatorInfo(row.code, row.name_zh, row.name_en, row.unit, row.measure)
        for row in table.itertuples(index=False)
    }
    frame = read_csv_as_text(folder / ALIASES_CSV)
    problems = []
    aliases: dict[tuple[str, str], Alias] = {}
    for line, row in enumerate(frame.itertuples(index=False), 2):
        alias = Alias(row.alias, row.indicator, row.kind, row.theme, row.subtheme, row.note)
        indicator = indicators.get(alias.indicator)
        if indicator is None:
            problems.append(f"line {line}: unknown indicator {alias.indicator!r}")
        elif alias.kind not in _MEASURES_OF_GROUP:
            problems.append(f"line {line}: kind {alias.kind!r} not one of {tuple(_MEASURES_OF_GROUP)}")
        elif indicator.measure not in _MEASURES_OF_GROUP[alias.kind]:
            problems.append(f"line {line}: a {alias.kind} alias cannot name {alias.indicator} ({indicator.measure})")
        if (alias.alias, alias.kind) in aliases:
            problems.append(f"line {line}: {alias.alias} ({alias.kind}) twice")
        aliases[(alias.alias, alias.kind)] = alias
    if problems:
        raise ValueError(f"{folder / ALIASES_CSV}: " + "; ".join(problems))
    pairs = _load_pairs(folder, aliases, indicators)
    names = sorted({a for a, _ in aliases} | {a for a, _ in pairs}, key=len, reverse=True)
    return Vocabulary(aliases, indicators, re.compile("|".join(re.escape(n) for n in names)), pairs)


def _load_pairs(
    folder: Path, aliases: dict[tuple[str, str], Alias], indicators: dict[str, IndicatorInfo]
) -> dict[tuple[str, str], tuple[Alias, Alias]]:
    """``alias_pairs.csv``: each pair names two indicators of the alias's kind; theme from their own aliases."""
    themes = {a.indicator: (a.theme, a.subtheme) for a in aliases.values()}
    pairs: dict[tuple[str, str], tuple[Alias, Alias]] = {}
    problems = []
    for line, row in enumerate(read_csv_as_text(folder / PAIRS_CSV).itertuples(index=False), 2):
        codes = (row.first, row.second)
        allowed = _MEASURES_OF_GROUP.get(row.kind, ())
        unfit = [c for c in codes if c not in themes or indicators[c].measure not in allowed]
        if unfit:
            problems.append(f"line {line}: {unfit} not indicators with an alias that a {row.kind!r} may name")
            continue
        made = [Alias(row.alias, code, row.kind, *themes[code], row.note) for code in codes]
        pairs[(row.alias, row.kind)] = (made[0], made[1])
    if problems:
        raise ValueError(f"{folder / PAIRS_CSV}: " + "; ".join(problems))
    return pairs


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
        for match in re.finditer(f"[全本我]([{_LEVEL_CHARS}])", prefix):
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


@dataclass
class Draft:
    """The drafted tables and what happened to each quantity."""

    figures: pd.DataFrame
    excluded: pd.DataFrame
    #: figure_id -> (measure, expression as printed) for the command's summary.
    placed: list[tuple[str, str, str]] = field(default_factory=list)
    categories: Counter[str] = field(default_factory=Counter)
    unplaced: int = 0
    repeated: int = 0


def _plain(value: float) -> str:
    """A value as a plain decimal of at most 10 significant digits (as annotations.csv writes it)."""
    return np.format_float_positional(float(f"{value:.10g}"), trim="-")


def _is_filler(text: str) -> bool:
    """Whether ``text`` holds only numbers, units, verbs and connectors (nothing that names another subject)."""
    rest = _NUMBER.sub("", text)
    for word in (*_FILLER_WORDS, *UNIT_WORDS_LONGEST_FIRST):
        rest = rest.replace(word, "")
    return not _CJK_OR_LETTER.search(rest)


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins."""
    return max(text.rfind(d, 0, position) for d in CLAUSE_DELIMITERS) + 1


def _clause_end(text: str, position: int) -> int:
    """Where the clause holding ``position`` ends (its delimiter, or the end of the text)."""
    found = [i for i in (text.find(d, position) for d in CLAUSE_DELIMITERS) if i != -1]
    return min(found) if found else len(text)


def _sentence_start(text: str, position: int) -> int:
    """Where the sentence holding ``position`` begins."""
    return max(text.rfind(d, 0, position) for d in _SENTENCE_END) + 1


def unique_quote(text: str, start: int, end: int) -> str:
    """The shortest run of whole clauses around ``text[start:end]`` that occurs once in ``text``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left, right = _clause_start(text, start), _clause_end(text, end)
    widen_left = True
    while True:
        quote = text[left:right].strip()
        if text.count(quote) == 1:
            return quote
        can_left, can_right = left > line_start, right < line_end
        if not (can_left or can_right):
            can_left, can_right = left > 0, right < len(text)
            if not (can_left or can_right):
                return quote
        if (widen_left and can_left) or not can_right:
            left = _clause_start(text, left - 1)
        else:
            right = _clause_end(text, right + 1)
        widen_left = not widen_left


def _frames(lines: list[str]) -> list[str]:
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


@dataclass(frozen=True)
class _Subject:
    """The alias that names a number, where it stands, and the words before it in its clause."""

    alias: str
    start: int
    end: int
    prefix: str
    between: str
    #: For a pair's alias (城乡…分别): 0 for the first number of the pair, 1 for the second; -1 for one subject.
    pair_index: int = -1


def _find_subject(text: str, vocabulary: Vocabulary, expression_start: int) -> _Subject | None:
    """The alias naming the number whose expression starts at ``expression_start`` (see the module docstring)."""
    sentence_start = _sentence_start(text, expression_start)
    window_end, gap = expression_start, ""
    for _ in range(3):  # the number's own clause, then up to two clauses before it in the sentence
        start = _clause_start(text, window_end)
        matches = list(vocabulary.pattern.finditer(text, start, window_end))
        if matches:
            last = matches[-1]
            between = text[last.end() : window_end] + gap
            prefix = text[start : last.start()]
            if "分别" in between and _is_filler(between) and last.group() in vocabulary.pair_names:
                return _paired(last, prefix, between)
            listed = _LISTED.match(between)
            if listed and _is_filler(listed.group(2)):  # 一般公共预算收入、支出分别增长31.2%和0.3%: the first number
                first = _paired(last, prefix, listed.group(2))
                if first is not None and first.pair_index == 0:
                    return _Subject(last.group(), last.start(), last.end(), prefix, between)
                return None
            if "分别" in between or not _is_filler(between):
                return None  # 跨境电商交易额和外贸进出口分别达到91.6亿元、109亿元: a list to pair, not one subject
            return _Subject(last.group(), last.start(), last.end(), prefix, between)
        gap = text[start:window_end] + gap
        if start <= sentence_start or not _is_filler(gap):
            return None
        window_end = start - 1
    return None


def _paired(alias: re.Match[str], prefix: str, between: str) -> _Subject | None:
    """The subject of a pair's number: the first or second number after the last word that begins the pair."""
    starts = list(_PAIR_START.finditer(between))
    numbers = len(_DIGITS.findall(between[starts[-1].end() :])) if starts else 2
    if numbers > 1:
        return None
    return _Subject(alias.group(), alias.start(), alias.end(), prefix, between, numbers)


def _stands_alone(subject: _Subject) -> bool:
    """Whether the alias is the subject, not part of a longer name (海洋生产总值, 脱贫群众人均可支配收入)."""
    tail = subject.prefix.rstrip()
    for _ in range(3):
        word = next((w for w in _FILLER_WORDS if tail.endswith(w)), "")
        if not word:
            break
        tail = tail[: -len(word)]
    last = tail[-1:]
    return not _CJK_OR_LETTER.match(last) or last in _LEVEL_CHARS


def _lost_fall(text: str, expression_start: int, value: float) -> bool:
    """A fall printed apart from its number (下降 46.7%): the annotator read it as a rise, so the row is not placed."""
    before = text[max(0, expression_start - 6) : expression_start]
    return value > 0 and bool(re.search(r"(下降|减少|降低|回落|下跌)\s+$", before))


def _indicator_of(
    subject: _Subject, group: str, unit: str, vocabulary: Vocabulary
) -> tuple[Alias, IndicatorInfo] | None:
    """The alias row and indicator a subject names for a number of this kind and unit (stock/flow by its cues)."""
    if subject.pair_index >= 0:
        pair = vocabulary.pairs.get((subject.alias, group))
        alias = pair[subject.pair_index] if pair else None
    else:
        alias = vocabulary.aliases.get((subject.alias, group))
    if alias is None:
        return None
    indicator = vocabulary.indicators[alias.indicator]
    # 新增“四上”企业226家、高新技术企业229家: a word of new units anywhere before in the clause governs its list;
    # 较2015年净增330户、达586户: but not past a number (586 is the stock).
    last_verb = re.split(r"[0-9０-９]", subject.between)[-1]
    stock_cue = _STOCK_CUE.search(subject.between)
    flow_cue = _FLOW_CUE.search(subject.prefix + subject.between if last_verb == subject.between else last_verb)
    if indicator.measure == "stock" and flow_cue and not stock_cue and f"new_{indicator.code}" in vocabulary.indicators:
        indicator = vocabulary.indicators[f"new_{indicator.code}"]
    elif indicator.code.startswith("new_") and stock_cue:
        indicator = vocabulary.indicators.get(indicator.code[4:], indicator)
    if unit not in _UNITS_OF_INDICATOR.get(indicator.unit, (indicator.unit,)):
        return None
    return alias, indicator


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


def _trap(
    text: str,
    row: pd.Series,
    position: int,
    subject: _Subject,
    indicator: IndicatorInfo,
    frame: str,
    year: int,
    place: Place,
) -> tuple[str, str]:
    """(category, reason) when a placed quantity is not the year's value; ("", "") when it is."""
    before = text[_sentence_start(text, position) : position]
    paragraph = text[text.rfind("\n", 0, position) + 1 : position]
    local = text[_clause_start(text, subject.start) : position]
    future = [int(y) for y in re.findall(r"((?:19|20)\d\d)年", before) if int(y) > year]
    target = _paragraph_target(paragraph) or _SENTENCE_TARGET_CUE.search(before)
    if row["section"] == "plan" or future or target:
        said = f"{future[0]}年" if future else (target.group() if target else "the plan part of the report")
        return "target", f"a target or plan ({said}), not the value of {year}"
    # 上半年地区生产总值下降0.8%，预计下半年增长8%以上，全年增长4%左右: the cue of a part, unless 全年 says otherwise.
    own_clause = text[_clause_start(text, position) : position]
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
    reached = reached and bool(_LEVEL_REACHED.search(subject.between + _prefix_of(row)) or f"{year}年" in own_clause)
    multi = _LOCAL_MULTI_YEAR_CUE.search(local_tail) or (None if reached else _MULTI_YEAR_CUE.search(before))
    if multi:
        return "multi_year", f"a figure of several years ({multi.group()}), not the value of {year}"
    # A level is dated by a year of its own clause only (比2010年翻一番，人均地区生产总值突破1.5万美元: 2020's level).
    dated = before if row["kind"] in ("growth_rate", "change") else own_clause
    for match in re.finditer(r"([比较是与])?((?:19|20)\d\d)年(?!以来)", dated):
        earlier = int(match.group(2))
        if re.search("到|至|达", dated[match.end() :]):
            continue  # 从2015年的25404元增加到37202元, 较2015年净增330户、达586户: the value reached is the year's
        if match.group(1) in ("比", "较") and earlier < year - 1:
            return "multi_year", f"a change since {earlier} (比{earlier}年), not the change of {year}"
        if not match.group(1) and earlier < year:
            return "multi_year", f"a figure of {earlier}, not of {year}"
    explicit_year = re.search(f"{year}年(?!以来)", before)
    in_five_years = frame == "multi" and not explicit_year and indicator.measure in ("growth", "flow")
    if in_five_years and not _LEVEL_REACHED.search(subject.between + _prefix_of(row)):
        return "multi_year", f"printed in the five-year review: a total or average of five years, not of {year}"
    other = place.other_area(subject.prefix)
    if other:
        return "other_area", f"a figure of {other}, not of {place.name}"
    return "", ""


def _prefix_of(row: pd.Series) -> str:
    """The words printed before the number (下降, 突破): the expression less the token and its unit."""
    expression, token, unit = str(row["expression"]), str(row["token"]), str(row["unit_as_printed"])
    return expression[: len(expression) - len(token) - len(unit)]


def _reparses(row: pd.Series, year: int) -> bool:
    """Whether the figures validation will read the same value, unit and qualifier from the printed words."""
    try:
        other_units = row["unit"] == "other"
        parsed = parse_quantity(
            str(row["token"]), str(row["unit_as_printed"]), _prefix_of(row), year=year, other_units=other_units
        )
    except NumberParseError:
        return False
    same_unit = parsed.unit is None or parsed.unit == row["unit"]
    return same_unit and parsed.qualifier == row["qualifier"] and np.isclose(parsed.value, float(row["value"]))


def _exact_before_floor(figure_rows: list[dict[str, str]]) -> None:
    """Where an indicator's first value is a floor and a later one an exact value above it, take the exact one.

    跃上千亿元台阶，…增至1052.6亿元: the exact value becomes the figure and the floor (突破, a 台阶 crossed) its second.
    """
    first: dict[str, dict[str, str]] = {}
    for row in figure_rows:
        code = row["figure_id"].rsplit("_", 1)[0] if row["figure_id"][-1].isdigit() else row["figure_id"]
        main = first.setdefault(code, row)
        threshold = f"{main['value_as_printed']}{main['unit_as_printed']}台阶" in main["quote"]
        if main is row or not (main["qualifier"] == "at_least" or threshold) or row["qualifier"] != "exact":
            continue
        if float(row["value"]) >= float(main["value"]):
            main["figure_id"], row["figure_id"] = row["figure_id"], main["figure_id"]
            row["note"] += "; an exact value above the floor printed before it: taken as the year's"
            first[code] = row


def draft_figures(
    mapped: MappedText,
    annotations: pd.DataFrame,
    *,
    year: int,
    place: Place,
    vocabulary: Vocabulary | None = None,
) -> Draft:
    """Draft ``figures.csv`` and ``figures_excluded.csv`` from a report's annotations (see the module docstring)."""
    vocabulary = vocabulary or load_draft_vocabulary()
    text = mapped.text
    normalized_at: dict[int, int] = {}
    for index, origin in enumerate(mapped.origin):
        normalized_at.setdefault(origin, index)
    lines = text.split("\n")
    frames = _frames(lines)
    line_starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    figure_rows: list[dict[str, str]] = []
    excluded_rows: list[dict[str, str]] = []
    draft = Draft(pd.DataFrame(), pd.DataFrame())
    values_of: dict[str, set[float]] = {}
    for _, row in annotations.iterrows():
        group = _KIND_GROUP.get(str(row["kind"]))
        if not row["is_quantity"] or group is None or pd.isna(row["value"]):
            continue
        position = normalized_at.get(int(row["start"]))
        token = str(row["token"])
        if position is None or text[position : position + len(token)] != token:
            draft.unplaced += 1
            continue
        prefix = _prefix_of(row)
        subject = _find_subject(text, vocabulary, position - len(prefix))
        found = _indicator_of(subject, group, str(row["unit"]), vocabulary) if subject else None
        if subject is None or found is None or not _reparses(row, year):
            draft.unplaced += 1
            continue
        alias, indicator = found
        if not _stands_alone(subject) or _lost_fall(text, position - len(prefix), float(row["value"])):
            draft.unplaced += 1
            continue
        frame = frames[int(np.searchsorted(line_starts, position, side="right")) - 1]
        category, reason = _trap(text, row, position, subject, indicator, frame, year, place)
        end = position + len(token) + len(str(row["unit_as_printed"]))
        quote = unique_quote(text, subject.start if subject.start < position else position, end)
        if category:
            excluded_rows.append(
                {
                    "token": token,
                    "context": str(row["expression"]),
                    "quote": quote,
                    "category": category,
                    "reason": f"{indicator.code}: {reason}",
                }
            )
            draft.categories[category] += 1
            continue
        value = float(row["value"])
        if value in values_of.get(indicator.code, set()):
            draft.repeated += 1  # the same value printed again (in the summary and in the review): one row
            continue
        count = len(values_of.setdefault(indicator.code, set()))
        values_of[indicator.code].add(value)
        figure_id = indicator.code if count == 0 else f"{indicator.code}_{count + 1}"
        kind = "level" if str(row["kind"]) == "duration" else str(row["kind"])
        note = f"drafted by jinshui-report add: «{alias.alias}» read as {indicator.code} ({indicator.measure})"
        if count:
            note += f"; another value of {indicator.code} is printed before: check which is the year's"
        figure_rows.append(
            {
                "figure_id": figure_id,
                "theme": alias.theme,
                "subtheme": alias.subtheme,
                "indicator_zh": indicator.name_zh,
                "indicator_en": indicator.name_en,
                "prefix_as_printed": prefix,
                "value_as_printed": token,
                "unit_as_printed": str(row["unit_as_printed"]),
                "value": _plain(value),
                "unit": str(row["unit"]),
                "qualifier": str(row["qualifier"]),
                "kind": kind,
                "section": "review",
                "quote": quote,
                "base_figure_id": "",
                "note": note,
            }
        )
        draft.placed.append((figure_id, indicator.measure, str(row["expression"])))
    _exact_before_floor(figure_rows)
    ids = {r["figure_id"] for r in figure_rows}
    for figure in figure_rows:
        base = figure["figure_id"].removesuffix("_growth")
        if figure["kind"] == "growth_rate" and base != figure["figure_id"] and base in ids:
            figure["base_figure_id"] = base
    draft.figures = pd.DataFrame(figure_rows, columns=list(FIGURE_COLUMNS))
    draft.excluded = pd.DataFrame(excluded_rows, columns=list(EXCLUDED_COLUMNS))
    return draft

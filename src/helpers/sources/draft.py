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
"""
_FILLER_WORDS: tuple[str, ...] = tuple(sorted(set(_FILLER_WORD_LIST.split()), key=len, reverse=True))
_NUMBER = re.compile(r"[0-9０-９.．%％]+|[〇零一二三四五六七八九十百千万亿两]+")
_CJK_OR_LETTER = re.compile(r"[\u3400-\u9fffA-Za-z]")
_SENTENCE_END = "。；;！？!?\n"
#: Words of new units: a stock alias with one of them names the year's flow.
_FLOW_CUE = re.compile(r"新增|新登记|认定|培育|净增|新设立|新注册|新发展|增加(?!到|至)")
_STOCK_CUE = re.compile(r"总数|总量|实有|存量")
_LEVEL_REACHED = re.compile(r"达|突破|超过|跃升|升至|增加到|提高到|增至|迈上|首破")
#: Words of a target: in the paragraph before the number (今年…主要预期目标为：A；B；C) or in its sentence (力争).
_TARGET_CUE = re.compile(r"预期目标|预期为|目标是|目标为|今年|明年")
_SENTENCE_TARGET_CUE = re.compile(r"(?<!全)力争|争取(?:到|实现|达到)")
_PARTIAL_CUE = re.compile(
    r"上半年|下半年|前三季度|第?[一二三四1-4]季度|(?<![0-9])(?:1|一)\s*[—\-－~～至到]\s*(?:[1-9]|1[01]|[二三四五六七八九十]|十一)\s*月"
    r"|截至(?:[1-9]|1[01]|[一二三四五六七八九十]|十一)月|(?<![0-9])(?:[1-9]|1[01])月(?:末|底|份)"
)
#: Words of several years: in the clauses from the subject to the number (年均, 累计), or in the sentence.
_LOCAL_MULTI_YEAR_CUE = re.compile(r"年均|(?<!全年)累计")  # 全年累计: the sum of the year itself
_MULTI_YEAR_CUE = re.compile(r"五年|十三五|以来|(?:19|20)\d\d\s*[—\-－~～至到]\s*(?:(?:19|20)\d\d)年|期间|时期")
_START_OF_PERIOD = re.compile(r"从(?:不到|近|约|超过)?$")
#: A line that opens a five-year review, and one that opens the review of the year.
_FIVE_YEAR_OPENING = re.compile(r"^(?:——)?(?:这五年|五年来|过去五年|五年间|“?十三五”?(?:时期|期间|以来))")
_YEAR_OPENING = re.compile(r"^(?:——)?(?:刚刚过去的|过去的)?(?:(?:19|20)\d\d年|一年来|过去一年|去年|这一年)")
_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(f"^(?:[{_NUMERALS}]+、|（[{_NUMERALS}]+）|第[{_NUMERALS}]+(?:部分|章))")
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
    names = sorted({a for a, _ in aliases}, key=len, reverse=True)
    return Vocabulary(aliases, indicators, re.compile("|".join(re.escape(n) for n in names)))


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
        heading = bool(_HEADING.match(line)) or (len(line) <= 40 and "。" not in line and "，" not in line)
        if heading and ("十三五" in line or "五年" in line):
            current = "year" if re.search(r"(?:19|20)\d\d年", line) else "multi"
        elif heading and _HEADING.match(line):
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
            if "分别" in between or not _is_filler(between):
                return None  # 跨境电商交易额和外贸进出口分别达到91.6亿元、109亿元: a list to pair, not one subject
            return _Subject(last.group(), last.start(), last.end(), prefix, between)
        gap = text[start:window_end] + gap
        if start <= sentence_start or not _is_filler(gap):
            return None
        window_end = start - 1
    return None


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
    target = _TARGET_CUE.search(paragraph) or _SENTENCE_TARGET_CUE.search(before)
    if row["section"] == "plan" or future or target:
        said = f"{future[0]}年" if future else (target.group() if target else "the plan part of the report")
        return "target", f"a target or plan ({said}), not the value of {year}"
    # 上半年地区生产总值下降0.8%，预计下半年增长8%以上，全年增长4%左右: the cue of a part, unless 全年 says otherwise.
    own_clause = text[_clause_start(text, position) : position]
    partial = None if "全年" in own_clause else _PARTIAL_CUE.search(local)
    if partial:
        return "partial_period", f"a part of the year ({partial.group()}), not the whole of {year}"
    expression_start = position - len(_prefix_of(row))
    if _START_OF_PERIOD.search(text[max(0, expression_start - 6) : expression_start]):
        return "multi_year", "the value at the start of a period (从…到…), not the value of the year"
    multi = _LOCAL_MULTI_YEAR_CUE.search(local) or _MULTI_YEAR_CUE.search(before)
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
    ids = {r["figure_id"] for r in figure_rows}
    for figure in figure_rows:
        base = figure["figure_id"].removesuffix("_growth")
        if figure["kind"] == "growth_rate" and base != figure["figure_id"] and base in ids:
            figure["base_figure_id"] = base
    draft.figures = pd.DataFrame(figure_rows, columns=list(FIGURE_COLUMNS))
    draft.excluded = pd.DataFrame(excluded_rows, columns=list(EXCLUDED_COLUMNS))
    return draft

"""Which words of a report name a number: the clauses around it, the alias that is its subject, and its indicator.

The draft (:mod:`helpers.sources.draft`) places a quantity when an alias of the vocabulary
(:mod:`helpers.sources.draft_vocabulary`) stands before it in its clause, or, when the clause holds only a verb
(增长2.7%), in up to two clauses before it, with nothing between them but numbers, units and verbs (达到, 完成,
比上年增长 …). A pair's alias (城乡居民人均可支配收入分别…) gives its first number to the first indicator, its
second to the second; a stock alias with a word of new units (新增高新技术企业) names its flow ``new_<code>``, a
flow with 总数/总量/实有 its stock. Kept apart from the draft because these are the rules of reading a sentence,
shared by the traps (:mod:`helpers.sources.draft_traps`), which look at the same clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.sources.draft_vocabulary import UNITS_OF_INDICATOR, Alias, IndicatorInfo, Vocabulary
from helpers.sources.numbers import UNIT_WORDS_LONGEST_FIRST
from helpers.sources.text import CLAUSE_DELIMITERS

#: Words after which the numbers of a pair begin (分别达到A和B, 分别从A、B提高到C、D: C and D are the year's).
_PAIR_START = re.compile(r"分别|到|至|达|为|跨上|增长|下降|提高|增加")
#: 、支出分别…: the alias is the first of a list of names whose values follow in the same order.
_LISTED = re.compile(r"^、([^，。；、0-9０-９]{1,12})(分别.*)$")
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
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
#: The last characters of the names of levels (全市, 我省): the entity itself when its own, else another area.
LEVEL_CHARS = "省市区县州盟旗国"


def _is_filler(text: str) -> bool:
    """Whether ``text`` holds only numbers, units, verbs and connectors (nothing that names another subject)."""
    rest = _NUMBER.sub("", text)
    for word in (*_FILLER_WORDS, *UNIT_WORDS_LONGEST_FIRST):
        rest = rest.replace(word, "")
    return not _CJK_OR_LETTER.search(rest)


def clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` begins."""
    return max(text.rfind(d, 0, position) for d in CLAUSE_DELIMITERS) + 1


def _clause_end(text: str, position: int) -> int:
    """Where the clause holding ``position`` ends (its delimiter, or the end of the text)."""
    found = [i for i in (text.find(d, position) for d in CLAUSE_DELIMITERS) if i != -1]
    return min(found) if found else len(text)


def sentence_start(text: str, position: int) -> int:
    """Where the sentence holding ``position`` begins."""
    return max(text.rfind(d, 0, position) for d in _SENTENCE_END) + 1


def unique_quote(text: str, start: int, end: int) -> str:
    """The shortest run of whole clauses around ``text[start:end]`` that occurs once in ``text``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left, right = clause_start(text, start), _clause_end(text, end)
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
            left = clause_start(text, left - 1)
        else:
            right = _clause_end(text, right + 1)
        widen_left = not widen_left


@dataclass(frozen=True)
class Subject:
    """The alias that names a number, where it stands, and the words before it in its clause."""

    alias: str
    start: int
    end: int
    prefix: str
    between: str
    #: For a pair's alias (城乡…分别): 0 for the first number of the pair, 1 for the second; -1 for one subject.
    pair_index: int = -1


def find_subject(text: str, vocabulary: Vocabulary, expression_start: int) -> Subject | None:
    """The alias naming the number whose expression starts at ``expression_start`` (see the module docstring)."""
    sentence_begins = sentence_start(text, expression_start)
    window_end, gap = expression_start, ""
    for _ in range(3):  # the number's own clause, then up to two clauses before it in the sentence
        start = clause_start(text, window_end)
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
                    return Subject(last.group(), last.start(), last.end(), prefix, between)
                return None
            if "分别" in between or not _is_filler(between):
                return None  # 跨境电商交易额和外贸进出口分别达到91.6亿元、109亿元: a list to pair, not one subject
            return Subject(last.group(), last.start(), last.end(), prefix, between)
        gap = text[start:window_end] + gap
        if start <= sentence_begins or not _is_filler(gap):
            return None
        window_end = start - 1
    return None


def _paired(alias: re.Match[str], prefix: str, between: str) -> Subject | None:
    """The subject of a pair's number: the first or second number after the last word that begins the pair."""
    starts = list(_PAIR_START.finditer(between))
    numbers = len(_DIGITS.findall(between[starts[-1].end() :])) if starts else 2
    if numbers > 1:
        return None
    return Subject(alias.group(), alias.start(), alias.end(), prefix, between, numbers)


def stands_alone(subject: Subject) -> bool:
    """Whether the alias is the subject, not part of a longer name (海洋生产总值, 脱贫群众人均可支配收入)."""
    tail = subject.prefix.rstrip()
    for _ in range(3):
        word = next((w for w in _FILLER_WORDS if tail.endswith(w)), "")
        if not word:
            break
        tail = tail[: -len(word)]
    last = tail[-1:]
    return not _CJK_OR_LETTER.match(last) or last in LEVEL_CHARS


def indicator_of(subject: Subject, group: str, unit: str, vocabulary: Vocabulary) -> tuple[Alias, IndicatorInfo] | None:
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
    if unit not in UNITS_OF_INDICATOR.get(indicator.unit, (indicator.unit,)):
        return None
    return alias, indicator


def prefix_of(row: pd.Series) -> str:
    """The words printed before the number (下降, 突破): the expression less the token and its unit."""
    expression, token, unit = str(row["expression"]), str(row["token"]), str(row["unit_as_printed"])
    return expression[: len(expression) - len(token) - len(unit)]

"""Find every numeric mention in a report text, with its position and clause.

Works on any report text, so that a new report can be annotated: each mention is a candidate row of a
figures table or of an excluded table. Arabic numbers (ASCII or full-width digits, decimals, fractions),
runs of Chinese numerals and lunar-calendar days are mentions; a magnitude written right after an Arabic
number (``4.8万``, ``1200多万``) and the numeral that begins a unit word (``千`` of ``千米``, ``百`` of
``百分点``) belong to the number before them and are not mentions of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.sources.numbers import CHINESE_NUMERAL_CHARS
from helpers.sources.text import clause_at

#: A lunar-calendar day such as 大年初一 (matched before Chinese numerals, which it contains).
_LUNAR_DAY = r"大年初[一二三四五六七八九十]"
#: Arabic numbers, decimals and fractions (1/30), in ASCII or full-width digits.
_DIGITS = "[0-9０-９]"
_ARABIC = f"{_DIGITS}+(?:[.．]{_DIGITS}+)?(?:/{_DIGITS}+)?"
#: A run of Chinese numeral characters.
_CHINESE = f"[{CHINESE_NUMERAL_CHARS}]+"
_MENTION = re.compile(f"(?P<date>{_LUNAR_DAY})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE})")
#: Magnitudes that belong to a preceding Arabic number (4.8万, 1800亿, 1200多万) rather than standing alone.
_ATTACHED_MAGNITUDE = re.compile(r"[百千万亿]+")
#: Unit words that begin with a numeral character: after a number, that character is part of the unit.
_UNIT_WORDS_WITH_NUMERALS = ("百分点", "百分比", "千米", "千瓦", "千伏", "千克", "千帕")
#: What stands before such a unit word when it is one: a digit or the counter 个 (个百分点).
_BEFORE_UNIT_WORD = "个0123456789０１２３４５６７８９"


@dataclass(frozen=True)
class Mention:
    """One numeric mention: the token as printed, its span in the text, and the clause around it."""

    token: str
    start: int
    end: int
    numeral_system: str
    clause: str


def _unit_word_at(text: str, position: int) -> bool:
    """Whether a unit word that begins with a numeral character starts at ``position``."""
    return text.startswith(_UNIT_WORDS_WITH_NUMERALS, position)


def extract_mentions(text: str) -> list[Mention]:
    """Return every numeric mention in ``text``, in order of position."""
    mentions: list[Mention] = []
    previous_arabic_end = -1
    for match in _MENTION.finditer(text):
        system = match.lastgroup or ""
        start, end = match.span()
        token = match.group()
        if system == "chinese":
            after_number = start == previous_arabic_end or (
                start == previous_arabic_end + 1 and text[previous_arabic_end] in "余多"
            )
            if after_number and not _unit_word_at(text, start):
                attached = _ATTACHED_MAGNITUDE.match(token)
                if attached:
                    start += attached.end()
                    token = token[attached.end() :]
            if token and _unit_word_at(text, start) and start > 0 and text[start - 1] in _BEFORE_UNIT_WORD:
                token = ""  # 个百分点, 10千伏: the numeral begins the unit word
            if not token:
                continue
        if system == "arabic":
            previous_arabic_end = end
        mentions.append(Mention(token, start, end, system, clause_at(text, start, end)))
    return mentions


def mentions_frame(text: str) -> pd.DataFrame:
    """Return :func:`extract_mentions` as a DataFrame (columns: token, start, end, numeral_system, clause)."""
    rows = [vars(m) for m in extract_mentions(text)]
    return pd.DataFrame(rows, columns=["token", "start", "end", "numeral_system", "clause"])

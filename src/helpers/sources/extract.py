"""Find every numeric mention in a report text, with its position and clause.

Works on any report text (another year's or district's), so that a new report can be annotated: each
mention is a candidate row of the figures table or of the excluded table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helpers.sources.numbers import CHINESE_NUMERAL_CHARS
from helpers.sources.text import clause_at

#: A lunar-calendar day such as 大年初一 (matched before Chinese numerals, which it contains).
_LUNAR_DAY = r"大年初[一二三四五六七八九十]"
#: Arabic numbers, decimals and fractions (1/30).
_ARABIC = r"\d+(?:\.\d+)?(?:/\d+)?"
#: A run of Chinese numeral characters.
_CHINESE = f"[{CHINESE_NUMERAL_CHARS}]+"
_MENTION = re.compile(f"(?P<date>{_LUNAR_DAY})|(?P<arabic>{_ARABIC})|(?P<chinese>{_CHINESE})")
#: Magnitudes that belong to a preceding Arabic number (4.8万, 1800亿) rather than standing alone.
_ATTACHED_MAGNITUDE = re.compile(r"[百千万亿]+")


@dataclass(frozen=True)
class Mention:
    """One numeric mention: the token as printed, its span in the text, and the clause around it."""

    token: str
    start: int
    end: int
    numeral_system: str
    clause: str


def extract_mentions(text: str) -> list[Mention]:
    """Return every numeric mention in ``text``, in order of position.

    A magnitude written right after an Arabic number (``4.8万``) is part of that number's unit, not a
    separate Chinese-numeral mention.
    """
    mentions: list[Mention] = []
    previous_arabic_end = -1
    for match in _MENTION.finditer(text):
        system = match.lastgroup or ""
        start, end = match.span()
        token = match.group()
        if system == "chinese" and start == previous_arabic_end:
            attached = _ATTACHED_MAGNITUDE.match(token)
            if attached:
                start += attached.end()
                token = token[attached.end() :]
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

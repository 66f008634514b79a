"""The report text: read the immutable raw file and join its page-break artifacts.

The text was received with page breaks that split sentences (and sometimes words) across blank lines,
e.g. ``规`` / ``范提升`` and ``社会消费`` / ``品零售总额``. Quotes in ``data/figures.csv`` refer to the
normalized text returned by :func:`normalize_report_text`, in which those breaks are joined.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from helpers import paths

#: Punctuation that ends a paragraph; a body paragraph ending in anything else was cut by a page break.
_PARAGRAPH_END = tuple("。！？；：”」)")
#: Punctuation found in body sentences but never in the report's headings.
_SENTENCE_MARKS = re.compile(r"[,，。；、]")
#: Characters that bound a "natural clause" for quoting.
CLAUSE_DELIMITERS = ",，。；;！？\n"


@dataclass(frozen=True)
class PageBreakJoin:
    """One page-break artifact that was joined: the text before and after the break."""

    before: str
    after: str


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_raw_report(path: Path | None = None) -> str:
    """Return the raw report text exactly as stored in ``data/raw`` (UTF-8)."""
    return (path or paths.REPORT_TEXT).read_text(encoding="utf-8")


def _paragraphs(raw: str) -> list[str]:
    """Split on blank lines; strip the stray whitespace around each paragraph."""
    return [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]


def _is_cut_by_page_break(paragraph: str) -> bool:
    """A body paragraph (it has sentence punctuation) that does not end like a paragraph was cut."""
    return bool(_SENTENCE_MARKS.search(paragraph)) and not paragraph.endswith(_PARAGRAPH_END)


def find_page_break_joins(raw: str) -> list[PageBreakJoin]:
    """List the page-break artifacts in ``raw``: the tail before and head after each cut (10 chars each)."""
    paragraphs = _paragraphs(raw)
    return [
        PageBreakJoin(before=current[-10:], after=following[:10])
        for current, following in itertools.pairwise(paragraphs)
        if _is_cut_by_page_break(current)
    ]


def normalize_report_text(raw: str) -> str:
    """Join paragraphs cut by page breaks; paragraphs are separated by one newline, nothing else changes.

    Characters inside paragraphs (ASCII commas, quotes, spaces in headings) are kept as printed, so
    that every quote is a verbatim substring of what was received.
    """
    merged: list[str] = []
    carry = ""
    for paragraph in _paragraphs(raw):
        text = carry + paragraph
        if _is_cut_by_page_break(text):
            carry = text
            continue
        merged.append(text)
        carry = ""
    if carry:
        merged.append(carry)
    return "\n".join(merged)


@lru_cache(maxsize=4)
def report_text(path: Path | None = None) -> str:
    """Return the normalized report text (cached): the text all quotes refer to."""
    return normalize_report_text(read_raw_report(path))


def clause_at(text: str, start: int, end: int) -> str:
    """Return the natural clause around ``text[start:end]``: bounded by commas, full stops or newlines."""
    left = max(text.rfind(d, 0, start) for d in CLAUSE_DELIMITERS) + 1
    right_candidates = [i for i in (text.find(d, end) for d in CLAUSE_DELIMITERS) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right].strip()

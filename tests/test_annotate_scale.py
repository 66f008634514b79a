"""Annotating at scale (issue 19): each linear rewrite gives exactly what the quadratic code it replaced gave."""

from __future__ import annotations

import random

import pytest

from helpers.sources import registry
from helpers.sources import text as text_module
from helpers.sources.extract import extract_mentions
from helpers.sources.text import CLAUSE_DELIMITERS, MappedText, clause_at, normalize


def reference_clause_at(text: str, start: int, end: int) -> str:
    """The implementation before issue 19: two scans of the text per delimiter, for every mention."""
    left = max(text.rfind(d, 0, start) for d in CLAUSE_DELIMITERS) + 1
    right_candidates = [i for i in (text.find(d, end) for d in CLAUSE_DELIMITERS) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right].strip()


@pytest.mark.parametrize("report_id", registry.report_ids())
def test_every_mention_of_every_report_has_the_same_clause(report_id: str) -> None:
    report = registry.get_report(report_id)
    for text in (report.text, report.raw_text(), normalize(report.raw_text()).text):
        mentions = extract_mentions(text)
        assert mentions
        for mention in mentions:
            assert mention.clause == reference_clause_at(text, mention.start, mention.end), mention
        for start in range(0, len(text) + 1, 97):  # and spans that are not mentions: any offset, any length
            for end in (start, start + 1, start + 40):
                assert clause_at(text, start, end) == reference_clause_at(text, start, end), (start, end)


def test_random_texts_and_spans_have_the_same_clause() -> None:
    generator = random.Random(19)
    alphabet = [*CLAUSE_DELIMITERS, "、", "：", " ", "\u3000", "\t", "\r", "增", "长", "亿", "元", "1", "2", "."]
    for _ in range(3000):
        text = "".join(generator.choices(alphabet, k=generator.randrange(0, 60)))
        for _ in range(8):
            # Offsets outside the text, negative ones and an end before the start too: read as str.find does.
            start, end = generator.randrange(-70, 70), generator.randrange(-70, 70)
            if generator.random() < 0.7:
                start = generator.randrange(0, len(text) + 1)
                end = generator.randrange(start, len(text) + 1)
            assert clause_at(text, start, end) == reference_clause_at(text, start, end), (text, start, end)


def test_texts_of_the_same_length_do_not_share_their_delimiters() -> None:
    first, second = "增长1，下降2。", "增长1下降2，。"
    assert clause_at(first, 2, 3) == "增长1"
    assert clause_at(second, 2, 3) == "增长1下降2"
    assert clause_at(first, 6, 7) == "下降2"
    # An equal text built anew (another object) reads the same.
    assert clause_at("".join(["增长1，", "下降2。"]), 6, 7) == "下降2"


def reference_join_page_breaks(raw: str) -> MappedText:
    """normalize(raw, join_page_breaks=True) before issue 19: each cut paragraph joined again to the next."""
    text = text_module._tidy_lines(text_module._strip_markup(MappedText.identity(raw)))
    paragraphs = [text.slice(start, end) for start, end in text_module._paragraph_spans(text.text)]
    merged: list[MappedText] = []
    carry: MappedText | None = None
    for paragraph in paragraphs:
        current = MappedText.join([carry, paragraph]) if carry else paragraph
        if text_module._is_cut_by_page_break(current.text):
            carry = current
            continue
        merged.append(current)
        carry = None
    if carry:
        merged.append(carry)
    return MappedText.join(merged, "\n")


def test_page_breaks_are_joined_as_before() -> None:
    jinshui = registry.subject_report().raw_text()
    assert normalize(jinshui, join_page_breaks=True) == reference_join_page_breaks(jinshui)
    generator = random.Random(19)
    pieces = ["增长6.5%", "，", "。", "；", "”", "规", "范提升", "一、工作回顾", "  ", "\u3000\u3000", "**"]
    for _ in range(2000):
        paragraphs = ["".join(generator.choices(pieces, k=generator.randrange(0, 6))) for _ in range(8)]
        raw = "".join(p + generator.choice(["\n\n", "\n", "\n \n", "\r\n\r\n"]) for p in paragraphs)
        assert normalize(raw, join_page_breaks=True) == reference_join_page_breaks(raw), raw

"""The raw report is byte-for-byte the source, and normalization only joins page breaks."""

from __future__ import annotations

import re

from helpers import paths
from helpers.sources import text

SHARED_SOURCE = paths.PROJECT_ROOT.parent / "shared" / "source" / paths.REPORT_TEXT.name


def test_raw_text_hash_is_the_received_one() -> None:
    # shared/README.md prints the hash with one 'e' missing (63 hex digits); this is the 64-digit hash
    # of the file as received, checked against shared/source below when it is present.
    assert text.file_sha256(paths.REPORT_TEXT) == paths.REPORT_TEXT_SHA256


def test_raw_text_equals_shared_source_when_present() -> None:
    if not SHARED_SOURCE.is_file():
        return  # a clone without ../shared: the hash test above still pins the bytes
    assert paths.REPORT_TEXT.read_bytes() == SHARED_SOURCE.read_bytes()


def test_the_five_page_breaks_are_found() -> None:
    joins = text.find_page_break_joins(text.read_raw_report())
    assert [(j.before[-3:], j.after[:3]) for j in joins] == [
        ("点,规", "范提升"),
        ("会消费", "品零售"),
        ("黑臭水", "体、垃"),
        ("信息化", "教学实"),
        ("建作为", "“最大"),
    ]


def test_normalized_text_joins_split_words(report: str) -> None:
    for joined in (
        "规范提升34家发热门诊",
        "社会消费品零售总额979.4亿元",
        "黑臭水体",
        "信息化教学实验区",
        "作为“最大政绩”",
    ):
        assert joined in report


def test_normalization_only_removes_whitespace(report: str) -> None:
    raw = text.read_raw_report()

    def squash(value: str) -> str:
        return re.sub(r"\s+", "", value)

    assert squash(raw) == squash(report)
    # Each of the 5 page breaks turns two raw blocks into one paragraph.
    assert report.count("\n") + 1 == len(re.split(r"\n\s*\n", raw.strip())) - 5


def test_clause_is_bounded_by_punctuation(report: str) -> None:
    start = report.index("979.4")
    assert text.clause_at(report, start, start + 5) == "实现地方一般公共预算收入122亿元、社会消费品零售总额979.4亿元"

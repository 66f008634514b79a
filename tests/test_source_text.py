"""Report texts are kept byte for byte, and the Jinshui normalization only joins page breaks."""

from __future__ import annotations

import re

import pytest

from helpers import paths
from helpers.sources import registry, text

SHARED_SOURCE = paths.PROJECT_ROOT.parent / "shared" / "source"
#: sha256 of each text as received. shared/README.md prints Jinshui's hash with one 'e' missing (63 hex
#: digits); this is the 64-digit hash of the file as received, checked against shared/source when present.
RECEIVED_SHA256 = {
    "jinshui-2020": "39eacbf2ec3da1c3c4bb8e4a4463a5b16677e9539051832715066ff171b9a025",
    "zhengzhou-2021": "6366a43f1acf7aad4d5e7e59a475ace02048d80acc0f554e0db476c7f030edf8",
    "henan-2021": "7a8fa019627f7cfa67819b61616cbb56e86f861936bb2f83800b088538482030",
    "china-2020-communique": "415bcb57f9c567df818146e972a529c0a6a8173679d870a4561f3c62a1363102",
}


@pytest.mark.parametrize("report_id", sorted(RECEIVED_SHA256))
def test_text_hash_is_the_received_one(report_id: str) -> None:
    report = registry.get_report(report_id)
    assert text.file_sha256(report.text_path) == RECEIVED_SHA256[report_id] == report.meta.text_sha256


@pytest.mark.parametrize("report_id", sorted(RECEIVED_SHA256))
def test_text_equals_shared_source_when_present(report_id: str) -> None:
    report = registry.get_report(report_id)
    shared = SHARED_SOURCE / report.text_path.name
    if not shared.is_file():
        pytest.skip("no ../shared/source beside this clone; the hash test still pins the bytes")
    assert report.text_path.read_bytes() == shared.read_bytes()


def test_the_corpus_is_the_four_reports() -> None:
    assert registry.report_ids() == sorted(RECEIVED_SHA256)


def test_the_five_page_breaks_are_found() -> None:
    joins = text.find_page_break_joins(registry.subject_report().raw_text())
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
    raw = registry.subject_report().raw_text()

    def squash(value: str) -> str:
        return re.sub(r"\s+", "", value)

    assert squash(raw) == squash(report)
    # Each of the 5 page breaks turns two raw blocks into one paragraph.
    assert report.count("\n") + 1 == len(re.split(r"\n\s*\n", raw.strip())) - 5


def test_clause_is_bounded_by_punctuation(report: str) -> None:
    start = report.index("979.4")
    assert text.clause_at(report, start, start + 5) == "实现地方一般公共预算收入122亿元、社会消费品零售总额979.4亿元"


@pytest.mark.parametrize("report_id", sorted(RECEIVED_SHA256))
def test_every_normalized_character_maps_back_to_the_same_character(report_id: str) -> None:
    report = registry.get_report(report_id)
    raw, mapped = report.raw_text(), report.mapped
    assert len(mapped.origin) == len(mapped.text)
    for index, char in enumerate(mapped.text):
        if char != "\n":
            assert raw[mapped.origin[index]] == char, (report_id, index)

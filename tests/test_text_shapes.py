"""Every shape a report text arrives in normalizes to the same sentences, with offsets into the text as read."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.sources.annotate import annotate_file
from helpers.sources.text import TextEncodingError, front_matter, normalize, read_text_file

SENTENCES = ["政府工作报告", "一、2020年工作回顾", "全市生产总值增长6.5%，突破1800亿元。", "新增就业4.8万余人。"]
EXPECTED = "\n".join(SENTENCES)

SHAPES = {
    "plain": "\n\n".join(SENTENCES) + "\n",
    "yaml_markdown": "---\nsource: https://example.org/r\ntitle: 报告\n---\n\n**政府工作报告**\n\n"
    "## 一、2020年工作回顾\n\n全市生产总值增长6.5%，突破1800亿元。\n\n新增就业4.8万余人。[1]\n\n![](./chart.png)\n",
    "crlf": "\r\n\r\n".join(SENTENCES) + "\r\n",
    "space_lines": "  \n".join(f"{s}\n" for s in SENTENCES) + "\t \n",
    "one_line_fullwidth_indent": "".join(f"\u3000\u3000{s}" for s in SENTENCES),
    "letter_spaced_heading": "政 府 工 作 报 告\n\n" + "\n\n".join(SENTENCES[1:]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_normalizes_to_the_same_text(shape: str, tmp_path: Path) -> None:
    path = tmp_path / f"{shape}.txt"
    path.write_bytes(SHAPES[shape].encode("utf-8"))
    raw = read_text_file(path)
    normalized = normalize(raw).text
    # Markdown footnote marks are kept: they are characters of the text (the annotator calls them names).
    assert normalized.replace("[1]", "") == EXPECTED


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_annotations_of_every_shape_agree_and_point_into_the_file(shape: str, tmp_path: Path) -> None:
    path = tmp_path / f"{shape}.txt"
    path.write_bytes(SHAPES[shape].encode("utf-8"))
    frame = annotate_file(path)
    with path.open(encoding="utf-8") as handle:
        raw = handle.read()
    for row in frame.itertuples():
        assert raw[row.start : row.end] == row.token
    quantities = frame[frame["is_quantity"]]
    # 增长6.5%, 突破1800亿元, 4.8万余人; 2020 is a year; the footnote [1] is a mark.
    assert quantities["expression"].tolist() == ["增长6.5%", "突破1800亿元", "4.8万余人"]
    assert quantities["value"].tolist() == [6.5, 1800e8, 48000]
    assert quantities["section"].tolist() == ["review"] * 3


def test_front_matter_fields() -> None:
    assert front_matter(SHAPES["yaml_markdown"]) == {"source": "https://example.org/r", "title": "报告"}
    assert front_matter(SHAPES["plain"]) == {}


def test_a_gbk_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("全市生产总值增长6.5%".encode("gbk"))
    with pytest.raises(TextEncodingError, match=r"gbk\.txt: not valid utf-8 \(byte \d+: .*--encoding gbk"):
        read_text_file(path)
    assert read_text_file(path, "gbk") == "全市生产总值增长6.5%"


def test_an_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("一", encoding="utf-8")
    with pytest.raises(TextEncodingError, match="unknown encoding 'klingon'"):
        read_text_file(path, "klingon")


def test_page_break_joining_is_opt_in() -> None:
    raw = "收入122亿元、社会消费\n\n品零售总额979.4亿元，增长3%。\n\n（一）科学防控，成效显著\n\n全年无新增。"
    joined = normalize(raw, join_page_breaks=True).text.split("\n")
    assert joined[0] == "收入122亿元、社会消费品零售总额979.4亿元，增长3%。"
    # Without the option a heading that carries a comma is never glued to its paragraph.
    assert "（一）科学防控，成效显著" in normalize(raw).text.split("\n")

"""The extraction function finds Arabic, Chinese-numeral and date mentions with their clauses."""

from __future__ import annotations

from helpers.sources.extract import extract_mentions, mentions_frame


def test_mentions_on_a_small_text() -> None:
    sample = "全年新增就业3.46万人,建成五大洲办事处。大年初一启动,占全省的1/30"
    mentions = extract_mentions(sample)
    assert [(m.token, m.numeral_system) for m in mentions] == [
        ("3.46", "arabic"),
        ("五", "chinese"),
        ("大年初一", "date"),
        ("1/30", "arabic"),
    ]
    assert mentions[0].clause == "全年新增就业3.46万人"
    assert sample[mentions[1].start : mentions[1].end] == "五"


def test_magnitude_after_an_arabic_number_is_not_a_separate_mention() -> None:
    # 4.8万余名: 万 belongs to 4.8; 1800亿元 likewise. 万余平方米 standing alone is a mention.
    tokens = [m.token for m in extract_mentions("集结4.8万余名,突破1800亿元,万余平方米")]
    assert tokens == ["4.8", "1800", "万"]


def test_report_mentions_count(report: str) -> None:
    # 95 figures (one mention each) + 43 excluded mentions (39 rows; 六稳/六保 twice in two rows,
    # 三送一强/一联三帮 twice for 三 and for 一; 三分钟 moved from the figures to the excluded names) = 138.
    frame = mentions_frame(report)
    assert len(frame) == 138
    assert list(frame.columns) == ["token", "start", "end", "numeral_system", "clause"]
    assert frame["start"].is_monotonic_increasing

"""Notes in both languages are joined part by part, each language with its own separator."""

from __future__ import annotations

from helpers.bilingual import NONE, Bilingual, join_notes


def test_join_skips_empty_parts_in_each_language() -> None:
    joined = join_notes(Bilingual("a", "甲"), NONE, Bilingual("b", ""), Bilingual("", "乙"))
    assert joined == Bilingual("a; b", "甲；乙")


def test_pick_and_truth() -> None:
    note = Bilingual("nominal growth", "名义增速")
    assert note.pick("zh") == "名义增速" and note.pick("en") == "nominal growth"
    assert not NONE and note and Bilingual("", "只有中文")

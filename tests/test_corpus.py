"""The corpus is data of the project: its texts are the manifest's bytes, its metadata table is what the texts
say, every code a real division, every city under its province (issue 21, part 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.sources import corpus
from helpers.sources.divisions import load_divisions


@pytest.fixture(scope="module")
def reports() -> pd.DataFrame:
    return corpus.load_reports()


def test_every_text_is_the_manifest_s_bytes() -> None:
    assert len(corpus.read_manifest()) == 302
    assert corpus.verify_corpus() == []


def test_a_changed_byte_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "texts"
    shutil.copytree(corpus.TEXTS_DIR / "政府工作报告-国务院", copy / "政府工作报告-国务院")
    path = copy / "政府工作报告-国务院" / "2021.md"
    data = path.read_bytes()
    path.write_bytes(data[:-1] + (b"\n" if data[-1:] != b"\n" else b" "))  # one byte changed
    problems = corpus.verify_corpus(copy)
    assert "政府工作报告-国务院/2021.md: not the manifest's bytes" in " ".join(problems)
    assert len(problems) == 302  # the 301 other texts are not in the copy (301 problems) + the changed one


def test_the_committed_table_is_what_the_texts_say(reports: pd.DataFrame) -> None:
    assert corpus.infer_reports().astype(str).equals(reports.astype(str))


def test_every_code_resolves_and_every_city_sits_under_its_province(reports: pd.DataFrame) -> None:
    table = load_divisions()
    assert reports["report_id"].is_unique and len(reports) == 302
    for row in reports.itertuples(index=False):
        division = table.get(row.division_code)
        assert division is not None, row.source_path
        assert division.level == row.level or row.level == "province", row.source_path
        if row.level == "city":
            parent = table.get(row.parent_code)
            assert parent is not None and parent.level == "province", row.source_path
            assert row.division_code[:2] == row.parent_code[:2], row.source_path
        if row.level == "province":
            assert row.parent_code == "100000", row.source_path


@pytest.mark.parametrize(
    ("source_path", "entity", "level", "code", "parent"),
    [
        # Read by hand: «郑州市» 410100 under 河南省 410000; Henan 410000 under the nation; the State Council
        # speaks for the nation (100000); Jiangxi's title names no place (overrides.csv gives 江西省).
        ("政府工作报告-主要城市/郑州市/2021.md", "郑州市", "city", "410100", "410000"),
        ("政府工作报告-省自治区/河南省/2021.md", "河南省", "province", "410000", "100000"),
        ("政府工作报告-国务院/2021.md", "中华人民共和国", "nation", "100000", ""),
        ("政府工作报告-省自治区/江西省/2021.md", "江西省", "province", "360000", "100000"),
        ("政府工作报告-其他地市/许昌市/2021.md", "许昌市", "city", "411000", "410000"),
    ],
)
def test_hand_read_rows(
    reports: pd.DataFrame, source_path: str, entity: str, level: str, code: str, parent: str
) -> None:
    row = reports.set_index("source_path").loc[source_path]
    assert (row.entity_zh, row.level, row.division_code, row.parent_code) == (entity, level, code, parent)


def test_every_report_reviews_2020_but_one_that_says_2021(reports: pd.DataFrame) -> None:
    # The corpus's Lanzhou file was delivered on 2021年12月21日 and reviews 2021, not 2020.
    assert set(reports.loc[reports["year_reviewed"] != "2020", "source_path"]) == {
        "政府工作报告-主要城市/兰州市/2021.md"
    }

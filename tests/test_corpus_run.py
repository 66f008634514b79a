"""The corpus run: drafts and analyses on Dask equal the local executor's; a failed report is one failed row.

Three corpus texts (Guangdong, Zhuhai, Haikou) are selected; their parents (Hainan for Haikou) are drafted
beside them. Values are checked against the sentences quoted in the comments.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.publish.corpus_run import TEXTS_DIR, run_corpus

SELECT = ("政府工作报告-省自治区/广东省/*", "zhuhai-2021", "*/海口市/*")
pytestmark = pytest.mark.xdist_group("corpus_run")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same selection on the local executor and on a LocalCluster of two worker processes."""
    base = tmp_path_factory.mktemp("corpus")
    local = run_corpus(base / "local", SELECT, jobs=1, cache=base / "cache-local", progress=False)
    dask = run_corpus(base / "dask", SELECT, jobs=2, cache=base / "cache-dask", progress=False)
    assert not local.failed and not dask.failed
    return {"local": local.output, "dask": dask.output}


def _section(output: Path) -> pd.DataFrame:
    return pd.read_csv(output / "data" / "cross_section.csv", dtype=str, keep_default_na=False)


def test_dask_and_the_local_executor_publish_the_same_tables(runs: dict[str, Path]) -> None:
    for name in ("cross_section.csv", "corpus_figures.csv"):
        assert (runs["local"] / "data" / name).read_bytes() == (runs["dask"] / "data" / name).read_bytes()


def test_one_row_per_selected_report_and_the_district(runs: dict[str, Path]) -> None:
    section = _section(runs["dask"])
    # In the order of reports.csv (by source path: 主要城市, 其他地市, 省自治区), then the district.
    assert list(section["report_id"]) == ["haikou-2021", "zhuhai-2021", "guangdong-2021", "jinshui-2020"]
    assert set(section["status"]) == {"ok"}
    manifest = json.loads((runs["dask"] / "manifest.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    for page, name in (("index.html", "Haikou"), ("index.zh.html", "海口市")):
        assert name in (runs["dask"] / page).read_text(encoding="utf-8")


def test_values_shares_and_gaps_as_the_texts_print_them(runs: dict[str, Path]) -> None:
    section = _section(runs["dask"]).set_index("report_id")
    zhuhai, haikou = section.loc["zhuhai-2021"], section.loc["haikou-2021"]
    # Zhuhai «一般公共预算收入从270亿元增加到379亿元» / Guangdong «12922亿元» = 2.9330%.
    assert float(zhuhai["budget_revenue_share_of_parent"]) == pytest.approx(379 / 12922 * 100)
    # Zhuhai «全市地区生产总值增长3%» − Guangdong 2.3% = 0.7 points.
    assert float(zhuhai["gdp_growth_gap_pp"]) == pytest.approx(0.7)
    # Zhuhai prints no gap of its own after «增长3%»: nothing stated, nothing to agree with.
    assert zhuhai["gdp_growth_stated_gap_pp"] == zhuhai["gdp_growth_stated_gap_agrees"] == ""
    assert zhuhai["parent_en"] == "Guangdong Province"
    assert zhuhai["parent"] == "广东省" and haikou["parent"] == "海南省"
    # Haikou «全市实现地区生产总值1791.6亿元» = 1.7916e11 yuan, «增长5.3%».
    assert float(haikou["gdp"]) == pytest.approx(1791.6e8)
    assert float(haikou["gdp_growth"]) == 5.3
    assert "1791.6亿元" in haikou["gdp_quote"]
    figures = pd.read_csv(runs["dask"] / "data" / "corpus_figures.csv", dtype=str, keep_default_na=False)
    used = figures[(figures["report_id"] == "haikou-2021") & (figures["status"] == "used")]
    assert used["indicator"].is_unique
    assert set(figures["status"]) == {"used", "excluded"}


def test_a_report_that_fails_is_one_failed_row_and_the_others_publish(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    for path in ("政府工作报告-省自治区/广东省/2021.md", "政府工作报告-其他地市/珠海市/2021.md"):
        (texts / path).parent.mkdir(parents=True)
        shutil.copyfile(TEXTS_DIR / path, texts / path)
    (texts / "政府工作报告-主要城市/海口市").mkdir(parents=True)  # Haikou's text is missing
    result = run_corpus(
        tmp_path / "out", SELECT, jobs=1, texts_dir=texts, cache=tmp_path / "cache", progress=False,
        include_subject=False,
    )  # fmt: skip
    assert [(o.report_id, o.status) for o in result.outcomes] == [
        ("haikou-2021", "failed"),
        ("zhuhai-2021", "ok"),
        ("guangdong-2021", "ok"),
    ]
    assert "draft failed" in result.failed[0].error
    section = _section(tmp_path / "out")
    assert list(section["status"]) == ["failed", "ok", "ok"]

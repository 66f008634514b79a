"""The annotator on every printed form, each expectation written by hand from the sentence."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.publish import cli
from helpers.sources import registry
from helpers.sources.annotate import ANNOTATION_COLUMNS, annotate_report, annotate_text, annotations_csv
from helpers.sources.figures import claimed_positions
from helpers.sources.text import MappedText


def _read(sentence: str, year: int = 2020) -> pd.DataFrame:
    return annotate_text(MappedText.identity(sentence), year=year)


def _one(sentence: str, token: str, year: int = 2020) -> pd.Series:
    frame = _read(sentence, year)
    match = frame[frame["token"] == token]
    assert len(match) == 1, (sentence, token, frame["token"].tolist())
    return match.iloc[0]


# (sentence, token) -> (expression, value, unit, qualifier, kind), each read by hand.
QUANTITIES = {
    ("全市地区生产总值突破1800亿元。", "1800"): ("突破1800亿元", 1800e8, "yuan", "at_least", "level"),
    ("火速集结4.8万余名群防群控力量。", "4.8"): ("4.8万余名", 48_000, "persons", "at_least", "level"),
    ("全市生产总值比上年增长6.5%。", "6.5"): ("增长6.5%", 6.5, "percent", "exact", "growth_rate"),
    ("规上工业增加值下降8.4%。", "8.4"): ("下降8.4%", -8.4, "percent", "exact", "growth_rate"),
    ("压缩审批时限50%以上。", "50"): ("50%以上", 50, "percent", "at_least", "rate"),
    ("城镇化率提高2.3个百分点。", "2.3"): ("提高2.3个百分点", 2.3, "percentage_points", "exact", "change"),
    ("办理事项近1200项。", "1200"): ("近1200项", 1200, "count", "approx", "level"),
    ("占全省的1/30。", "1/30"): ("1/30", 100 / 30, "percent", "exact", "share"),
    ("进出口总值达到1.2万亿元。", "1.2"): ("1.2万亿元", 1.2e12, "yuan", "exact", "level"),
    ("实际利用外资45亿美元。", "45"): ("45亿美元", 45e8, "usd", "exact", "level"),
    ("新建高标准农田300万亩。", "300"): ("300万亩", 300e4, "mu", "exact", "level"),
    ("建成区面积达到600平方公里。", "600"): ("600平方公里", 600, "km2", "exact", "level"),
    ("集装箱吞吐量120万标箱。", "120"): ("120万标箱", 120e4, "teu", "exact", "level"),
    ("新增城镇就业14万人。", "14"): ("14万人", 140_000, "persons", "exact", "level"),
    ("城镇新增就业比上年少增166万人。", "166"): ("少增166万人", -1_660_000, "persons", "exact", "change"),
    ("全年增长３．５％左右。", "３．５"): ("增长３．５％左右", 3.5, "percent", "approx", "growth_rate"),
    ("用三年时间完成改造。", "三"): ("三年", 3, "years", "exact", "duration"),
    ("新建学校20多所。", "20"): ("20多所", 20, "count", "at_least", "level"),
    ("外贸物流成本最高可降40%。", "40"): ("最高可降40%", -40, "percent", "at_most", "growth_rate"),
    ("本地病例零新增。", "零"): ("零", 0, "", "exact", "level"),
    ("新建改造线路5000千米。", "5000"): ("5000千米", 5000, "km", "exact", "level"),
    ("智能手机产量约占全球1/7。", "1/7"): ("1/7", 100 / 7, "percent", "approx", "share"),
    ("90%以上的高频事项实现网上办理。", "90"): ("90%以上", 90, "percent", "at_least", "rate"),
    ("对新引进企业最高给予500万元奖励。", "500"): ("最高给予500万元", 500e4, "yuan", "at_most", "level"),
    ("开行中欧班列2100列。", "2100"): ("2100列", 2100, "count", "exact", "level"),
    ("审批时间压缩至0.5个工作日。", "0.5"): ("0.5个工作日", 0.5, "days", "exact", "duration"),
}


@pytest.mark.parametrize(("sentence", "token"), list(QUANTITIES))
def test_quantity_forms(sentence: str, token: str) -> None:
    expression, value, unit, qualifier, kind = QUANTITIES[(sentence, token)]
    row = _one(sentence, token)
    assert row["is_quantity"], row["reason"]
    assert row["expression"] == expression
    assert math.isclose(row["value"], value, rel_tol=1e-9)
    assert row["unit"] == unit
    assert row["qualifier"] == qualifier
    assert row["kind"] == kind


def test_a_distributive_word_applies_to_every_number_of_its_list() -> None:
    # 分别下降11.9%和13.5%: both fall; 分别突破7万亿元、6万亿元: both are floors.
    frame = _read("PM2.5、PM10年均浓度同比分别下降11.9%和13.5%。存贷款余额分别突破7万亿元、6万亿元。")
    values = dict(zip(frame["token"], zip(frame["value"], frame["qualifier"], strict=True), strict=False))
    assert values["11.9"] == (-11.9, "exact")
    assert values["13.5"] == (-13.5, "exact")
    assert values["7"] == (7e12, "at_least")
    assert values["6"] == (6e12, "at_least")


# (sentence, token) -> the start of the reason it is a name or label, not a quantity.
NAMES = {
    ("2020年是“十三五”规划收官之年。", "2020"): "year",
    ("2020年是“十三五”规划收官之年。", "十三五"): "plan name",
    ("二〇二一年一月三十日在大会上", "二〇二一"): "year",
    ("二〇二一年一月三十日在大会上", "一"): "date (month)",
    ("5月14日发布", "14"): "date (day)",
    ("在第十五届人民代表大会上", "十五"): "ordinal in a name",
    ("（一）科学有效防控疫情", "一"): "list numbering",
    ("一是扩大有效投资。", "一"): "list numbering",
    ("拨打12345热线。", "12345"): "hotline number",
    ("依据〔2022〕79号文件", "2022"): "year",
    ("依据〔2022〕79号文件", "79"): "line or document number",
    ("建成5G基站。", "5"): "name with letters",
    ("地铁3号线通车。", "3"): "line or document number",
    ("做好“六稳”工作。", "六"): "slogan or programme name in quotation marks",
    ("推进两化五强建设。", "五"): "name or slogan",
    ("引进100亿元以上项目。", "100"): "threshold",
    ("万元生产总值能耗下降3%。", "万"): "denominator of a rate",
    ("国内生产总值[3]1015986亿元", "3"): "footnote mark",
    ("社会消费品零售总额增长。", "零"): "word",
    ("这是极不平凡的一年。", "一"): "word",
    ("见表6。", "6"): "table or figure number",
    ("在区十七届人大四次会议上", "十七"): "ordinal in a name",
    ("在区十七届人大四次会议上", "四"): "ordinal in a name",
    ("开通12345政务服务便民热线。", "12345"): "hotline number",
    ("改造提升318国道。", "318"): "road name",
}


@pytest.mark.parametrize(("sentence", "token"), list(NAMES))
def test_names_and_labels(sentence: str, token: str) -> None:
    frame = _read(sentence)
    match = frame[frame["token"] == token]
    assert not match.empty, frame["token"].tolist()
    row = match.iloc[0]
    assert not row["is_quantity"]
    assert row["reason"].startswith(NAMES[(sentence, token)]), row["reason"]
    assert pd.isna(row["value"])


def test_years_as_durations_are_quantities() -> None:
    row = _one("五年来全市经济连续4年保持增长。", "4")
    assert row["is_quantity"]
    assert (row["value"], row["unit"]) == (4, "years")


def test_sections_follow_headings_and_target_sentences() -> None:
    text = "\n".join(
        [
            "政府工作报告",
            "各位代表：",
            "一、2020年工作回顾",
            "全市生产总值增长3%。",
            "二、2021年工作安排",
            "今年经济社会发展的主要预期目标是：生产总值增长7%左右。",
            "各位代表！全市1200多万人民满怀信心。",
        ]
    )
    frame = _read(text).set_index("token")
    assert frame.at["3", "section"] == "review"
    assert frame.at["7", "section"] == "plan"
    assert frame.at["1200", "section"] == "other"
    assert frame.at["2021", "section"] == "plan"


def test_a_target_inside_the_review_is_a_plan() -> None:
    text = "一、2020年工作回顾\n全市生产总值增长3%。\n预期目标：到2025年生产总值达到2万亿元。"
    frame = _read(text).set_index("token")
    assert frame.at["3", "section"] == "review"
    assert frame.at["2", "section"] == "plan"


def test_table_cells_take_unit_and_kind_from_their_header() -> None:
    text = "表2 主要工业产品产量\n| 产品名称 | 单位 | 产量 | 比上年增长（%） |\n| 纱 | 万吨 | 2618.3 | -7.4 |"
    frame = _read(text).set_index("token")
    assert frame.at["2618.3", "value"] == pytest.approx(2618.3e4)
    assert frame.at["2618.3", "unit"] == "tonnes"
    assert frame.at["7.4", "value"] == -7.4
    assert frame.at["7.4", "kind"] == "growth_rate"
    assert frame.at["2", "reason"] == "table or figure number"


def test_a_unit_column_holds_no_numbers_of_its_own() -> None:
    # 亿元 in a 单位 column is the unit of the row's numbers, not a quantity of 1e8 yuan.
    text = "| 指标 | 单位 | 数值 |\n| 收入 | 亿元 | 12.5 |"
    frame = _read(text).set_index("token")
    assert not frame.at["亿", "is_quantity"]
    assert frame.at["亿", "reason"] == "unit column of a table"
    assert frame.at["12.5", "value"] == pytest.approx(12.5e8)


def test_offsets_refer_to_the_text_as_read() -> None:
    # Front matter and Markdown bold are removed by normalization; offsets still point into the file's text.
    raw = "---\nsource: x\n---\n\n**一、2020年工作回顾**\n\n全市生产总值增长3%。\n"
    from helpers.sources.text import normalize

    frame = annotate_text(normalize(raw), year=2020)
    for row in frame.itertuples():
        assert raw[row.start : row.end] == row.token


@pytest.mark.parametrize("report_id", registry.report_ids())
def test_generated_annotations_are_current(report_id: str) -> None:
    # annotations.csv is generated (jinshui-report annotate --corpus); it must match the annotator's output.
    report = registry.get_report(report_id)
    stored = report.annotations_path.read_text(encoding="utf-8")
    assert stored == annotations_csv(annotate_report(report)), "run: jinshui-report annotate --corpus"


@pytest.mark.parametrize("report_id", registry.report_ids())
def test_annotations_cover_every_curated_figure(report_id: str) -> None:
    # Every figure of a curated table is a mention the annotator found: same token, same place in the file.
    report = registry.get_report(report_id)
    annotations = annotate_report(report).set_index("start")
    for row in report.figures().itertuples():
        positions = claimed_positions(report.text, row.quote, row.value_as_printed)
        assert positions, (row.figure_id, row.quote)
        start = report.mapped.origin[positions[0]]
        assert annotations.at[start, "token"] == row.value_as_printed, row.figure_id


def test_cli_writes_a_csv(tmp_path: Path) -> None:
    text = tmp_path / "report.md"
    text.write_text("---\ntitle: t\n---\n\n全市生产总值突破1800亿元。\r\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["annotate", str(text), "-o", str(out)]) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(ANNOTATION_COLUMNS)
    assert frame.loc[0, "expression"] == "突破1800亿元"
    assert frame.loc[0, "value"] == "180000000000"
    with text.open(encoding="utf-8") as handle:
        raw = handle.read()
    assert raw[int(frame.loc[0, "start"]) : int(frame.loc[0, "end"])] == "1800"


def test_cli_rejects_a_text_that_is_not_utf8(tmp_path: Path) -> None:
    text = tmp_path / "gbk.txt"
    text.write_bytes("全市生产总值增长3%。".encode("gbk"))
    result = subprocess.run(
        [sys.executable, "-m", "helpers.publish.cli", "annotate", str(text)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"jinshui-report: error: {text}: not valid utf-8")
    assert "Traceback" not in result.stderr
    # With the right encoding named, the same file reads correctly.
    ok = subprocess.run(
        [sys.executable, "-m", "helpers.publish.cli", "annotate", str(text), "--encoding", "gbk"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert ",3,增长3%," in ok.stdout


def test_cli_rejects_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["annotate", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err

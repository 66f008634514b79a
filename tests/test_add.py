"""``jinshui-report add``: texts of every shape and level into a fresh corpus folder, read as a person reads them.

Six texts: a province (Henan: front matter, the dateline only in a photo caption), a major city (Dongguan: a
five-year review first), two prefecture cities (Xuchang: a dateline in Chinese numerals; Huainan: a
half-year figure), the State Council (no front matter) and Jinshui (plain text, a district). Every expected
value below was read from the text by hand; the comment quotes where.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.publish import cli
from helpers.sources import divisions, registry
from helpers.sources.divisions import load_divisions
from helpers.sources.figures import read_csv_as_text
from helpers.sources.infer import Overrides, infer_metadata
from helpers.sources.text import normalize, read_text_file

CORPUS = paths.PROJECT_ROOT.parent / "shared" / "corpus" / "lawtext-gov"
JINSHUI_TEXT = registry.subject_report().text_path
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus")


@dataclass(frozen=True)
class Expected:
    """What a person reads in the text."""

    path: Path
    entity: str
    level: str
    code: str
    parents: tuple[str, ...]
    published: str


EXPECTED: dict[str, Expected] = {
    # <!-- 1月18日上午，省长尹弘在河南省第十三届人民代表大会第四次会议上作政府工作报告。… -->; 一、2020年工作回顾
    # 及“十三五”主要成就. The caption prints no year: no date. A report of 2021 (the year after the one reviewed).
    "henan-2021": Expected(
        CORPUS / "政府工作报告-省自治区/河南省/2021.md", "河南省", "province", "410000", ("100000",), ""
    ),
    # title: 2021年东莞市政府工作报告; ——2021年2月5日在东莞市第十六届人民代表大会第七次会议上; 东莞 has no districts.
    "dongguan-2021": Expected(
        CORPUS / "政府工作报告-主要城市/东莞市/2021.md", "东莞市", "city", "441900", ("440000", "100000"), "2021-02-05"
    ),
    # ——二〇二一年三月二十三日在许昌市第七届人民代表大会第七次会议上; 许昌市人民政府市长 史根治.
    "xuchang-2021": Expected(
        CORPUS / "政府工作报告-其他地市/许昌市/2021.md", "许昌市", "city", "411000", ("410000", "100000"), "2021-03-23"
    ),
    # ——2021年1月5日在淮南市第十六届人民代表大会第四次会议上 (Anhui, 340000).
    "huainan-2021": Expected(
        CORPUS / "政府工作报告-其他地市/淮南市/2021.md", "淮南市", "city", "340400", ("340000", "100000"), "2021-01-05"
    ),
    # 政府工作报告 / ——2021年3月5日在第十三届全国人民代表大会第四次会议上 / 国务院总理 李克强; no front matter.
    "china-2021": Expected(
        CORPUS / "政府工作报告-国务院/2021.md", "中华人民共和国", "nation", "100000", (), "2021-03-05"
    ),
    # 聚焦金水区两会·解读政府工作报告; 2020是“十三五”规划收官之年 (no date, no heading with a year).
    "jinshui-2021": Expected(JINSHUI_TEXT, "金水区", "district", "410105", ("410100", "410000", "100000"), ""),
}


@dataclass
class Run:
    """One command run: exit code and what it printed."""

    code: int
    out: str
    err: str


def _run(*args: str | Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["add", *map(str, args)])
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Run]]:
    """Every text added, without a flag, into one fresh corpus folder."""
    if not CORPUS.is_dir():
        pytest.skip("needs ../shared/corpus")
    folder = tmp_path_factory.mktemp("reports")
    return folder, {report_id: _run(e.path, "--reports-dir", folder) for report_id, e in EXPECTED.items()}


def _figures(corpus: tuple[Path, dict[str, Run]], report_id: str) -> pd.DataFrame:
    return registry.load_report(corpus[0] / report_id).figures().set_index("figure_id")


def _excluded(corpus: tuple[Path, dict[str, Run]], report_id: str) -> pd.DataFrame:
    return read_csv_as_text(corpus[0] / report_id / "figures_excluded.csv")


@needs_corpus
@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_metadata_is_inferred_without_flags(corpus: tuple[Path, dict[str, Run]], report_id: str) -> None:
    run = corpus[1][report_id]
    assert run.code == 0, run.err
    assert run.err == ""
    expected = EXPECTED[report_id]
    meta = registry.load_report(corpus[0] / report_id).meta  # validated by the registry: keys, shapes, sha256
    assert (meta.entity_zh, meta.level, meta.division_code) == (expected.entity, expected.level, expected.code)
    assert meta.parent_codes == expected.parents
    assert meta.year_reviewed == 2020  # every one of them reviews 2020 (the heading, the dateline, the opening)
    assert meta.published == expected.published
    assert meta.curation == "draft"
    assert meta.text_sha256 == hashlib.sha256(expected.path.read_bytes()).hexdigest()
    assert (corpus[0] / report_id / meta.text_file).read_bytes() == expected.path.read_bytes()
    table = load_divisions()
    assert tuple(d.code for d in table.ancestors(meta.division_code)) == meta.parent_codes  # the codes resolve


@needs_corpus
def test_what_the_command_prints(corpus: tuple[Path, dict[str, Run]]) -> None:
    lines = corpus[1]["xuchang-2021"].out.splitlines()
    assert lines[0].startswith("added xuchang-2021: ")
    assert "entity: 许昌市 (Xuchang), read from «许昌市政府工作报告»" in lines
    assert "level: city; division code 411000; parents 410000 河南省, 100000 中华人民共和国" in lines
    assert any(line.startswith("year reviewed: 2020, read from delivered on 二〇二一年三月二十三日") for line in lines)
    assert "published: 2021-03-23 (二〇二一年三月二十三日)" in lines
    jinshui = corpus[1]["jinshui-2021"].out
    assert "year reviewed: 2020, read from the opening «2020是“十三五”规划收官之年»" in jinshui
    title = "«聚焦金水区两会·解读政府工作报告»"
    assert f"entity: 金水区 (Jinshui District, Zhengzhou), read from the title {title}" in jinshui


@needs_corpus
def test_every_drafted_folder_passes_the_projects_validation(corpus: tuple[Path, dict[str, Run]]) -> None:
    reports = registry.all_reports(corpus[0])  # report.toml, text hash, figures schema and quotes, excluded table
    assert [r.report_id for r in reports] == sorted(EXPECTED)
    for report in reports:
        report.figures()
        report.excluded()
        annotations = pd.read_csv(report.annotations_path)
        assert len(annotations) > 50, report.report_id


@needs_corpus
def test_gdp_level_and_growth_of_2020(corpus: tuple[Path, dict[str, Run]]) -> None:
    xuchang = _figures(corpus, "xuchang-2021")
    # 全市生产总值达到3449.2亿元、增长2.7% (3449.2 x 1e8 yuan; 2.7 percent).
    assert xuchang.at["gdp", "value"] == pytest.approx(3449.2e8)
    assert xuchang.at["gdp", "quote"] == "全市生产总值达到3449.2亿元、增长2.7%"
    assert xuchang.at["gdp_growth", "value"] == pytest.approx(2.7)
    assert xuchang.at["gdp_growth", "base_figure_id"] == "gdp"
    # 全市地区生产总值达9650.2亿元 (the level of 2020, printed in the five-year review).
    assert _figures(corpus, "dongguan-2021").at["gdp", "value"] == pytest.approx(9650.2e8)
    # 初步核算，全省生产总值比上年增长1.3%.
    henan = _figures(corpus, "henan-2021")
    assert henan.at["gdp_growth", "value"] == pytest.approx(1.3)
    assert henan.at["gdp_growth", "quote"] == "全省生产总值比上年增长1.3%"
    # 全年国内生产总值增长2.3%; 城镇新增就业1186万人.
    china = _figures(corpus, "china-2021")
    assert china.at["gdp_growth", "value"] == pytest.approx(2.3)
    assert china.at["new_urban_jobs", "value"] == pytest.approx(1186e4)
    # 上半年地区生产总值下降0.8%，预计下半年增长8%以上，全年增长4%左右: the year's growth is the 4%.
    huainan = _figures(corpus, "huainan-2021")
    assert (huainan.at["gdp_growth", "value"], huainan.at["gdp_growth", "qualifier"]) == (4, "approx")
    # 全年地区生产总值突破1800亿元: a floor.
    jinshui = _figures(corpus, "jinshui-2021")
    assert (jinshui.at["gdp", "value"], jinshui.at["gdp", "qualifier"]) == (1800e8, "at_least")


@needs_corpus
def test_drafted_values_agree_with_the_hand_curated_tables(corpus: tuple[Path, dict[str, Run]]) -> None:
    # Jinshui's and Henan's tables were curated by hand before add existed: the same quantity, the same value.
    pairs = {
        "jinshui-2021": {
            "gdp": ("jinshui-2020", "gdp"),
            "new_market_entities": ("jinshui-2020", "new_market_entities"),
            "market_entities": ("jinshui-2020", "market_entities_total"),
            "new_high_tech_enterprises": ("jinshui-2020", "new_high_tech_enterprises"),
            "new_urban_jobs": ("jinshui-2020", "new_urban_jobs"),
            "good_air_days": ("jinshui-2020", "good_air_days"),
        },
        "henan-2021": {
            "gdp_growth": ("henan-2021", "gdp_growth"),
            "new_urban_jobs": ("henan-2021", "new_urban_jobs"),
            "market_entities": ("henan-2021", "market_entities"),
            "new_high_tech_enterprises": ("henan-2021", "new_high_tech_enterprises"),
        },
    }
    for drafted_id, figures in pairs.items():
        drafted = _figures(corpus, drafted_id)
        for figure_id, (curated_id, curated_figure) in figures.items():
            curated = registry.get_report(curated_id).figures().set_index("figure_id")
            assert drafted.at[figure_id, "value"] == curated.at[curated_figure, "value"], (drafted_id, figure_id)
            assert drafted.at[figure_id, "qualifier"] == curated.at[curated_figure, "qualifier"], figure_id


def _trap(excluded: pd.DataFrame, token: str, quote_part: str) -> pd.Series:
    rows = excluded[(excluded["token"] == token) & excluded["quote"].str.contains(quote_part, regex=False)]
    assert len(rows) == 1, (token, quote_part, excluded)
    return rows.iloc[0]


@needs_corpus
def test_a_2021_target_is_excluded_never_a_figure(corpus: tuple[Path, dict[str, Run]]) -> None:
    # 今年经济社会发展的主要预期目标是：生产总值增长7.5%以上 (Xuchang's target for 2021).
    row = _trap(_excluded(corpus, "xuchang-2021"), "7.5", "生产总值增长7.5%以上")
    assert row["category"] == "target"
    assert row["reason"] == "gdp_growth: a target or plan (今年), not the value of 2020"
    # 今年发展主要预期目标是：国内生产总值增长6%以上 (the State Council's).
    assert _trap(_excluded(corpus, "china-2021"), "6", "国内生产总值增长6%以上")["category"] == "target"
    for report_id in ("xuchang-2021", "china-2021"):
        assert not _figures(corpus, report_id)["quote"].str.contains("预期目标").any()


@needs_corpus
def test_a_five_year_average_and_total_are_excluded(corpus: tuple[Path, dict[str, Run]]) -> None:
    # 全市地区生产总值达9650.2亿元，年均增长6.5%: the average of 2016-2020, not the growth of 2020.
    row = _trap(_excluded(corpus, "dongguan-2021"), "6.5", "年均增长6.5%")
    assert (row["category"], row["reason"]) == (
        "multi_year",
        "gdp_growth: a figure of several years (年均), not the value of 2020",
    )
    assert "gdp_growth" not in _figures(corpus, "dongguan-2021").index
    # 生产总值是“十二五”末的1.4倍，年均增长7.2%; 一般公共预算收入累计完成804.9亿元 (Xuchang's five years).
    xuchang = _excluded(corpus, "xuchang-2021")
    assert _trap(xuchang, "7.2", "年均增长7.2%")["category"] == "multi_year"
    assert _trap(xuchang, "804.9", "累计完成804.9亿元")["reason"].startswith("budget_revenue: ")
    assert _figures(corpus, "xuchang-2021").at["budget_revenue", "value"] == pytest.approx(181.8e8)  # 2020's
    # 国内生产总值从不到70万亿元增加到超过100万亿元: the start of the period is no value of 2020.
    assert _trap(_excluded(corpus, "china-2021"), "70", "从不到70万亿元")["category"] == "multi_year"


@needs_corpus
def test_a_partial_period_and_another_area_are_excluded(corpus: tuple[Path, dict[str, Run]]) -> None:
    huainan = _excluded(corpus, "huainan-2021")
    # 上半年地区生产总值下降0.8%，预计下半年增长8%以上.
    row = _trap(huainan, "0.8", "上半年地区生产总值下降0.8%")
    assert (row["category"], row["reason"]) == (
        "partial_period",
        "gdp_growth: a part of the year (上半年), not the whole of 2020",
    )
    assert _trap(huainan, "8", "下半年增长8%以上")["category"] == "partial_period"
    # 山南新区完成固定资产投资166亿元: a new district's investment, not Huainan's.
    row = _trap(huainan, "166", "山南新区完成固定资产投资166亿元")
    assert row["category"] == "other_area"
    assert row["reason"] == "fixed_asset_investment: a figure of 山南新区, not of 淮南市"
    figures = _figures(corpus, "huainan-2021")
    assert set(figures.loc[figures.index.str.startswith("gdp"), "value"]) == {4}
    assert not figures["quote"].str.contains("山南新区").any()


@needs_corpus
def test_a_stock_is_never_labelled_as_a_flow(corpus: tuple[Path, dict[str, Run]]) -> None:
    jinshui = _figures(corpus, "jinshui-2021")
    # 市场主体总量达到26万户 is the stock; 新增市场主体4.2万户 the year's new registrations.
    assert jinshui.at["market_entities", "value"] == pytest.approx(26e4)
    assert "市场主体总量达到26万户" in jinshui.at["market_entities", "quote"]
    assert jinshui.at["new_market_entities", "value"] == pytest.approx(4.2e4)
    # 新增“四上”企业226家、科技型中小企业419家、高新技术企业229家: 新增 governs the whole list.
    assert jinshui.at["new_high_tech_enterprises", "value"] == 229
    assert "high_tech_enterprises" not in jinshui.index
    # 科技型中小企业达到442家 (a stock) and 新增高新技术企业69家 (a flow), Xuchang.
    xuchang = _figures(corpus, "xuchang-2021")
    assert xuchang.at["tech_smes", "value"] == 442
    assert xuchang.at["new_high_tech_enterprises", "value"] == 69
    # 市场主体达到781万户 (Henan's stock).
    assert _figures(corpus, "henan-2021").at["market_entities", "value"] == pytest.approx(781e4)
    measures = pd.read_csv(paths.INDICATORS_DIR / "indicators.csv").set_index("code")["measure"]
    for report_id in EXPECTED:
        for figure_id, row in _figures(corpus, report_id).iterrows():
            code = str(figure_id).rsplit("_", 1)[0] if str(figure_id)[-1].isdigit() else str(figure_id)
            new_units = any(word in row["quote"] for word in ("新增", "新登记", "新认定", "新培育", "净增"))
            if measures[code] == "stock":
                assert not new_units or "总" in row["quote"] or "达到" in row["quote"], (report_id, figure_id)
            if code.startswith("new_") and measures[code] == "flow":
                assert new_units, (report_id, figure_id)


@needs_corpus
def test_adding_the_same_text_again_changes_nothing(corpus: tuple[Path, dict[str, Run]]) -> None:
    folder = corpus[0]
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    run = _run(EXPECTED["xuchang-2021"].path, "--reports-dir", folder)
    assert run.code == 0
    assert run.out.strip().endswith("is already the text of xuchang-2021 (sha256 93e2acbd051b…); nothing changed")
    assert len(run.out.splitlines()) == 1
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


_UNKNOWN = """政府工作报告
——2021年1月20日在郑东新区第一届人民代表大会第三次会议上
各位代表：
一、2020年工作回顾
2020年，郑东新区生产总值达到1000亿元、增长5%。
"""


def test_an_uninferable_level_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    text = tmp_path / "zhengdong.md"
    text.write_text(_UNKNOWN, encoding="utf-8")
    reports = tmp_path / "reports"
    run = _run(text, "--reports-dir", reports)
    assert run.code == 2
    assert run.out == ""
    assert run.err.splitlines() == [
        "jinshui-report: error: cannot tell whose report this is (no division of the table named in the title, "
        "dateline or speaker's line): give --entity (a name such as 许昌市) or --division-code"
    ]
    run = _run(text, "--entity", "郑东新区", "--reports-dir", reports)
    assert run.code == 2
    lines = run.err.splitlines()
    assert (
        "jinshui-report: error: cannot infer the level of 郑东新区 (not in the division table): "
        "give --level (province, city, district, county, nation)"
    ) in lines
    assert all(line.startswith("jinshui-report: error: ") for line in lines)
    assert not reports.exists()  # nothing written


def test_flags_override_what_the_text_says(tmp_path: Path) -> None:
    text = tmp_path / "zhengdong.md"
    text.write_text(_UNKNOWN, encoding="utf-8")
    reports = tmp_path / "reports"
    run = _run(text, "--entity", "金水区", "--id", "jinshui-test", "--reports-dir", reports)
    assert run.code == 0, run.err
    meta = registry.load_report(reports / "jinshui-test").meta
    assert (meta.division_code, meta.level, meta.parent_codes) == ("410105", "district", ("410100", "410000", "100000"))
    assert meta.year_reviewed == 2020  # 一、2020年工作回顾 and the dateline 2021年1月20日
    # 郑东新区生产总值达到1000亿元: a zone's figure in a report of Jinshui, kept out.
    excluded = read_csv_as_text(reports / "jinshui-test" / "figures_excluded.csv")
    assert set(excluded["category"]) == {"other_area"}
    edited = tmp_path / "edited.md"  # another text (another sha256): not a repeat of the one added
    edited.write_text(_UNKNOWN + "\n", encoding="utf-8")
    run = _run(edited, "--division-code", "410105", "--level", "city", "--id", "x", "--reports-dir", reports)
    message = "410105 is not the code of a city: give another --level or --division-code"
    assert run.err == f"jinshui-report: error: {message}\n"
    run = _run(edited, "--division-code", "999999", "--reports-dir", reports)
    assert run.err.endswith("give a --division-code of the table\n")
    run = _run(edited, "--entity", "金水区", "--id", "jinshui-test", "--reports-dir", reports)
    assert run.err.endswith("jinshui-test already holds another text: give another --id\n")
    assert run.code == 2
    assert sorted(p.name for p in reports.iterdir()) == ["jinshui-test"]
    run = _run(edited, "--division-code", "410105", "--year-reviewed", "2019", "--id", "y", "--reports-dir", reports)
    assert run.code == 0, run.err
    assert registry.load_report(reports / "y").meta.year_reviewed == 2019
    assert "year reviewed: 2019, read from --year-reviewed" in run.out


def test_a_municipality_is_a_province_with_city_rank() -> None:
    path = CORPUS / "政府工作报告-主要城市/北京市/2021.md"
    if not path.is_file():
        pytest.skip("needs ../shared/corpus")
    # ——二〇二一年一月二十三日在北京市第十五届人民代表大会第四次会议上 / 北京市市长 陈吉宁.
    raw = read_text_file(path)
    inferred = infer_metadata(raw, normalize(raw), Overrides(), load_divisions())
    assert (inferred.entity_zh, inferred.level, inferred.division_code) == ("北京市", "province", "110000")
    assert inferred.parent_codes == ("100000",)
    assert (inferred.entity_en, inferred.report_id, inferred.year_reviewed) == ("Beijing", "beijing-2021", 2020)


def test_the_division_table() -> None:
    table = load_divisions()
    assert table.get("410105").name == "金水区"
    assert [d.code for d in table.ancestors("410105")] == ["410100", "410000", "100000"]
    # A municipality's district has the municipality above it; so has a county-level city a province runs.
    assert table.get("110105").parent_code == "110000"
    assert (table.get("419001").name, table.get("419001").parent_code) == ("济源市", "410000")
    assert table.get("100000").level == "nation"
    assert len({d.code for d in table}) == len(table) > 3000
    note = (divisions.DIVISIONS_DIR / divisions.PROVENANCE_FILE).read_text(encoding="utf-8")
    digest = hashlib.sha256((divisions.DIVISIONS_DIR / divisions.DIVISIONS_CSV).read_bytes()).hexdigest()
    assert f"sha256 `{digest}`" in note  # the note describes the file as it is
    assert "jionlp 1.5.31" in note
    assert "Apache License 2.0" in note


def _wheel() -> Path | None:
    named = os.environ.get("JIONLP_WHEEL")
    found = [Path(named)] if named else sorted(Path("/tmp/jio").glob("jionlp-1.5.31-*.whl"))
    return found[0] if found and found[0].is_file() else None


NO_WHEEL = "no jionlp wheel (python3 -m pip download jionlp==1.5.31 --no-deps -d /tmp/jio, or set JIONLP_WHEEL)"


@pytest.mark.skipif(_wheel() is None, reason=NO_WHEEL)
def test_the_table_is_regenerated_from_the_wheel_byte_for_byte(tmp_path: Path) -> None:
    wheel = _wheel()
    assert wheel is not None
    assert divisions.main(["--from-wheel", str(wheel), "--output", str(tmp_path)]) == 0
    for name in (divisions.DIVISIONS_CSV, divisions.PROVENANCE_FILE):
        assert (tmp_path / name).read_bytes() == (divisions.DIVISIONS_DIR / name).read_bytes(), name
    shutil.rmtree(tmp_path)


@needs_corpus
def test_two_places_of_one_english_name_get_two_ids(tmp_path: Path) -> None:
    # 福州市 (Fujian's capital) and 抚州市 (Jiangxi) are both Fuzhou: the second takes its province's name.
    fuzhou = _run(CORPUS / "政府工作报告-主要城市/福州市/2021.md", "--reports-dir", tmp_path)
    fuzhou_jiangxi = _run(CORPUS / "政府工作报告-其他地市/抚州市/2021.md", "--reports-dir", tmp_path)
    assert (fuzhou.code, fuzhou_jiangxi.code) == (0, 0), fuzhou_jiangxi.err
    assert registry.load_report(tmp_path / "fuzhou-2021").meta.division_code == "350100"
    assert registry.load_report(tmp_path / "fuzhou-jiangxi-2021").meta.division_code == "361000"

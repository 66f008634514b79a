"""The notebooks run on any report of the corpus: Zhengzhou's and Henan's run to completion, every page ok in
both languages, each naming its own area (never Jinshui's), as ``jinshui-report run -p report_dir …`` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers.notebook import report
from helpers.notebook.params import validate_parameters

#: Report id: (its area in English and in Chinese, a theme it has nothing under, or None).
REPORTS = {
    "zhengzhou-2021": ("Zhengzhou", "郑州市", None),
    "henan-2021": ("Henan", "河南省", "governance"),
}
#: What no page of another report may say: the project's own district, and what only its data speaks of.
JINSHUI_WORDS = ("金水", "Jinshui", "郑东", "Zhengdong")


@pytest.fixture(scope="module", params=sorted(REPORTS))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    from helpers.publish import batch

    output = tmp_path_factory.mktemp(request.param) / "reports"
    outcomes = batch.run(output, overrides={"report_dir": f"data/reports/{request.param}"}, progress=False, jobs=2)
    assert {o.status for o in outcomes} == {"ok"}, [(o.stem, o.status, o.error) for o in outcomes if o.status != "ok"]
    assert len(outcomes) == 2 * len(report.NOTEBOOK_STEMS)  # every notebook, in both languages
    return request.param, output


@pytest.mark.notebooks
@pytest.mark.xdist_group("notebooks")
def test_every_page_is_ok_in_both_languages_and_names_the_report(run: tuple[str, Path]) -> None:
    report_id, output = run
    name_en, name_zh, _ = REPORTS[report_id]
    for stem in report.NOTEBOOK_STEMS.values():
        for suffix, name in (("", name_en), (".zh", name_zh)):
            page = (output / f"{stem}{suffix}.html").read_text(encoding="utf-8")
            assert name in page, (stem, suffix)
            assert [w for w in JINSHUI_WORDS if w in page] == [], (stem, suffix)
            executed = json.dumps(
                [c.get("outputs", []) for c in json.loads((output / f"{stem}{suffix}.ipynb").read_text())["cells"]],
                ensure_ascii=False,
            )
            assert '"output_type": "error"' not in executed and '"name": "stderr"' not in executed, (stem, suffix)
    for index, title in (
        ("index.html", f"{name_en} 2020"),
        ("index.zh.html", f"{name_zh}政府工作报告（2020年工作回顾）"),
    ):
        soup = BeautifulSoup((output / index).read_text(encoding="utf-8"), "html.parser")
        assert soup.h1.get_text(strip=True) == title
        assert [w for w in JINSHUI_WORDS if w in soup.get_text()] == []
    assert (output / "data" / f"{report_id}.xlsx").is_file()


@pytest.mark.notebooks
@pytest.mark.xdist_group("notebooks")
def test_the_results_are_the_reports_own(run: tuple[str, Path]) -> None:
    report_id, output = run
    results = json.loads((output / "results" / "00_overview.json").read_text(encoding="utf-8"))
    assert results["parameters"]["report_dir"].endswith(report_id)
    if report_id == "zhengzhou-2021":
        # 2020年全市生产总值完成12003亿元 / 河南 54997.07亿元 (yearbook) = 21.825%
        assert results["results"]["gdp_share_of_henan"] == pytest.approx(12003 / 54997.07 * 100)
        # 12003亿元 / 1035.2万 (year-end 2019, the default basis) = 115,949 yuan per person
        assert results["results"]["gdp_per_capita"] == pytest.approx(12003e8 / 10_352_000)
    else:
        # 54997.07亿元 / 1015986亿元 = 5.413%; no 2019 population of Henan has a source: null, never a guess
        assert results["results"]["gdp_share_of_china"] == pytest.approx(54997.07 / 1015986 * 100)
        assert results["results"]["gdp_per_capita"] is None and results["results"]["population"] is None


@pytest.mark.notebooks
@pytest.mark.xdist_group("notebooks")
def test_a_theme_with_nothing_says_so_in_one_line(run: tuple[str, Path]) -> None:
    report_id, output = run
    empty = REPORTS[report_id][2]
    if empty is None:
        return
    stem = report.NOTEBOOK_STEMS[empty]
    for suffix, line in (
        ("", "The report states no figure under"),
        (".zh", "报告在“社会治理与政府效能”主题下没有列出数据"),
    ):
        page = (output / f"{stem}{suffix}.html").read_text(encoding="utf-8")
        assert page.count(line) == 1


@pytest.mark.parametrize("report_id", sorted(REPORTS))
def test_the_helpers_name_the_reports_area(report_id: str, tmp_path: Path) -> None:
    name_en, name_zh, _ = REPORTS[report_id]
    for lang, name in (("en", name_en), ("zh", name_zh)):
        ctx = report.load_context(
            validate_parameters(f"data/reports/{report_id}", "data/reference", "census_2020", lang, str(tmp_path))
        )
        findings = report.key_findings(ctx).data
        assert name in findings and not [w for w in JINSHUI_WORDS if w in findings]
        assert name in report.report_line(ctx).data

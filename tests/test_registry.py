"""The registry: four valid report folders, and a clear error for a broken one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.sources import divisions, registry
from helpers.sources.figures import FiguresValidationError

EXPECTED = {
    # report id: (level, division code, entity)
    "jinshui-2020": ("district", "410105", "金水区"),
    "zhengzhou-2021": ("city", "410100", "郑州市"),
    "henan-2021": ("province", "410000", "河南省"),
    "china-2020-communique": ("nation", "100000", "中华人民共和国"),
}


@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_metadata(report_id: str) -> None:
    meta = registry.get_report(report_id).meta
    assert (meta.level, meta.division_code, meta.entity_zh) == EXPECTED[report_id]
    assert meta.year_reviewed == 2020
    assert "art. 5" in meta.licence
    assert meta.curation == "reviewed"


@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_parent_codes_resolve_in_the_division_table(report_id: str) -> None:
    # 410105 金水区 -> 410100 郑州市 -> 410000 河南省 -> 100000: the table's own parent chain, nearest first.
    meta = registry.get_report(report_id).meta
    table = divisions.load_divisions()
    assert table.get(meta.division_code).name == meta.entity_zh
    assert meta.parent_codes == tuple(d.code for d in table.ancestors(meta.division_code))


@pytest.mark.parametrize("report_id", sorted(EXPECTED))
def test_every_figures_table_passes_the_same_checks(report_id: str) -> None:
    # Schema, quotes verbatim and unique in the normalized text, printed numbers that parse to the value.
    report = registry.get_report(report_id)
    table = report.figures()
    assert table["figure_id"].is_unique
    for row in table.itertuples():
        assert report.text.count(row.quote) == 1, row.figure_id
        assert row.value_as_printed in row.quote, row.figure_id


@pytest.mark.parametrize("report_id", ["zhengzhou-2021", "henan-2021", "china-2020-communique"])
def test_parent_tables_hold_2020_review_figures(report_id: str) -> None:
    table = registry.get_report(report_id).figures()
    review = table[table["section"] == "review"]
    assert {"gdp_growth", "new_urban_jobs"} <= set(review["figure_id"]), report_id
    assert (table.loc[table["section"] == "plan", "figure_id"].str.len() > 0).all()


def test_hand_checked_parent_figures() -> None:
    # Read by hand from the texts: Zhengzhou 进出口…完成4946.4亿元 (4946.4 x 1e8 yuan); Henan 城镇新增就业
    # 122.6万人 (122.6 x 1e4); the communique 全年国内生产总值1015986亿元 (1015986 x 1e8).
    def value(report_id: str, figure_id: str) -> float:
        table = registry.get_report(report_id).figures().set_index("figure_id")
        return float(table.at[figure_id, "value"])

    assert value("zhengzhou-2021", "imports_exports") == pytest.approx(4946.4e8)
    assert value("zhengzhou-2021", "new_urban_jobs") == pytest.approx(14e4)
    assert value("henan-2021", "new_urban_jobs") == pytest.approx(122.6e4)
    assert value("china-2020-communique", "gdp") == pytest.approx(1015986e8)


def _copy(tmp_path: Path, report_id: str = "zhengzhou-2021") -> Path:
    target = tmp_path / report_id
    shutil.copytree(registry.get_report(report_id).folder, target)
    return target


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "figures.csv").unlink()
    with pytest.raises(registry.ReportFolderError, match=r"incomplete report folder, missing figures\.csv$"):
        registry.load_report(folder)


def test_missing_metadata_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "report.toml").unlink()
    with pytest.raises(registry.ReportFolderError, match=r"report\.toml is missing"):
        registry.load_report(folder)


def test_invalid_metadata_lists_every_problem_on_one_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = folder / "report.toml"
    text = meta.read_text(encoding="utf-8")
    text = text.replace('level = "city"', 'level = "town"').replace("year_reviewed = 2020", 'year_reviewed = "2020"')
    meta.write_text(text, encoding="utf-8")
    with pytest.raises(registry.ReportFolderError) as info:
        registry.load_report(folder)
    message = str(info.value)
    assert "\n" not in message
    assert "'level' is 'town'; allowed: district, county, city, province, nation" in message
    assert "'year_reviewed' must be a year, not '2020'" in message


def test_a_division_code_must_fit_the_level(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = folder / "report.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"410100"', '"410105"'), encoding="utf-8")
    with pytest.raises(registry.ReportFolderError, match="'410105' is not the code of a city"):
        registry.load_report(folder)


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        ('["420000", "100000"]', "'420000' is not above '410100' (their first 2 digits differ)"),
        ('["410000"]', "must end with the nation's code '100000'"),
        ('["410105", "410000", "100000"]', "'410105' cannot stand above the city '410100'"),
        ('"410000"', "'parent_codes' must be a list of division codes"),
    ],
)
def test_parent_codes_must_chain_up_to_the_nation(tmp_path: Path, parents: str, message: str) -> None:
    folder = _copy(tmp_path)
    meta = folder / "report.toml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace('parent_codes = ["410000", "100000"]', f"parent_codes = {parents}"),
        encoding="utf-8",
    )
    with pytest.raises(registry.ReportFolderError, match=re.escape(message)):
        registry.load_report(folder)


def test_curation_is_draft_or_reviewed(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = folder / "report.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"reviewed"', '"final"'), encoding="utf-8")
    with pytest.raises(registry.ReportFolderError, match="'curation' is 'final'; allowed: draft, reviewed"):
        registry.load_report(folder)


def test_an_edited_text_is_rejected(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = folder / "zhengzhou-2021-government-work-report.md"
    text.write_bytes(text.read_bytes() + b"\n")
    with pytest.raises(registry.ReportFolderError, match="sha256 differs"):
        registry.load_report(folder)


def test_a_folder_named_unlike_its_id_is_rejected(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    renamed = folder.rename(tmp_path / "zhengzhou")
    with pytest.raises(registry.ReportFolderError, match="'report_id' is 'zhengzhou-2021' but the folder is"):
        registry.load_report(renamed)


def test_an_unknown_report_names_the_known_ones() -> None:
    with pytest.raises(registry.ReportFolderError, match="reports: china-2020-communique, henan-2021"):
        registry.get_report("beijing-2021")


def test_a_bad_figure_row_in_a_parent_table_is_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    figures = folder / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",4946.4,", ",4964.4,", 1), encoding="utf-8")
    with pytest.raises(FiguresValidationError, match="imports_exports"):
        registry.load_report(folder).figures()


def test_the_check_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert registry.main([]) == 0
    out = capsys.readouterr().out
    assert "zhengzhou-2021: city, reviewed, " in out
    assert out.count("valid") == 4


def test_the_text_file_must_be_in_the_folder(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    meta = folder / "report.toml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            'text_file = "zhengzhou-2021-government-work-report.md"', 'text_file = "../../etc/passwd"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(registry.ReportFolderError, match="'text_file' must name a file in the report folder"):
        registry.load_report(folder)

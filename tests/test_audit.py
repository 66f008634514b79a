"""Audit rules: each fires on a crafted bad input and stays quiet on a good one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.analysis import audit
from helpers.analysis.metrics import build_derived_metrics
from helpers.sources.reference import Reference, load_reference
from helpers.sources.registry import subject_report


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


@pytest.fixture
def figures() -> pd.DataFrame:
    return subject_report().figures().copy()


def _set(figures: pd.DataFrame, figure_id: str, value_as_printed: str, value: float) -> pd.DataFrame:
    figures.loc[figures["figure_id"] == figure_id, ["value_as_printed", "value"]] = [value_as_printed, value]
    return figures


def _findings(figures: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    return audit.run_audit(figures, build_derived_metrics(figures, reference), reference)


def test_real_report_findings(figures: pd.DataFrame, reference: Reference) -> None:
    findings = _findings(figures, reference).set_index("finding_id")
    # The incubators printed as 120% of the city total is the one impossible claim.
    errors = findings[findings["severity"] == "error"]
    assert list(errors.index) == ["share_out_of_range__innovation_incubators_share_of_city"]
    assert "51.7" in errors["message_en"].iloc[0]  # 62 / 1.20 = 51.67
    # 26万 / 781万 = 3.329% against 1/30 = 3.333%: consistent within rounding.
    market = findings.loc["stated_share_vs_comparator__market_entities_share_of_henan"]
    assert market["severity"] == "info"
    assert "consistent within rounding" in market["message_en"]
    # Modern services 1230 of GDP 1800: checked and within.
    assert findings.loc["component_within_total__modern_services_value_added", "severity"] == "info"
    scope = findings.loc["scope_mismatch__key_project_investment_share_of_zhengzhou"]
    assert scope["figure_ids"] == "key_projects_investment"  # the figure, not the comparator
    assert set(";".join(findings["figure_ids"].fillna("")).split(";")) - {""} <= set(figures["figure_id"])
    assert findings["message_zh"].str.len().gt(0).all()


def test_share_rule_quiet_on_a_valid_share(figures: pd.DataFrame, reference: Reference) -> None:
    figures = _set(figures, "innovation_incubators_share_of_city", "12", 12.0)
    assert audit.rule_share_out_of_range(figures, pd.DataFrame(), reference) == []


def test_stated_share_rule_fires_when_inconsistent(figures: pd.DataFrame, reference: Reference) -> None:
    # 1/20 = 5% against the computed 3.33%: no overlap even with rounding.
    figures = _set(figures, "market_entities_share_of_henan", "1/20", 5.0)
    found = audit.rule_stated_share_vs_comparator(figures, build_derived_metrics(figures, reference), reference)
    assert [f["severity"] for f in found] == ["warning"]
    assert "not consistent" in found[0]["message_en"]


def test_growth_rule(figures: pd.DataFrame, reference: Reference) -> None:
    assert audit.rule_growth_out_of_bounds(figures, pd.DataFrame(), reference) == []
    figures = _set(figures, "livelihood_spending_growth", "160", 160.0)
    found = audit.rule_growth_out_of_bounds(figures, pd.DataFrame(), reference)
    assert [f["figure_ids"] for f in found] == ["livelihood_spending_growth"]


def test_rate_rule(figures: pd.DataFrame, reference: Reference) -> None:
    assert audit.rule_rate_out_of_range(figures, pd.DataFrame(), reference) == []
    figures = _set(figures, "proposals_completion_rate", "110", 110.0)
    assert len(audit.rule_rate_out_of_range(figures, pd.DataFrame(), reference)) == 1


def test_component_rule_fires_when_part_exceeds_total(figures: pd.DataFrame, reference: Reference) -> None:
    quiet = audit.rule_component_exceeds_total(figures, pd.DataFrame(), reference)
    assert {f["severity"] for f in quiet} == {"info"}
    figures = _set(figures, "modern_services_value_added", "2300", 2300e8)  # 2300 > 1900, the cap of 突破1800
    found = audit.rule_component_exceeds_total(figures, pd.DataFrame(), reference)
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["finding_id"] for f in errors] == ["component_exceeds_total__modern_services_value_added"]


def test_component_rule_respects_the_interval(figures: pd.DataFrame, reference: Reference) -> None:
    # 1850亿 is more than the printed 1800 but within 突破1800 -> [1800, 1900): not provably wrong.
    figures = _set(figures, "modern_services_value_added", "1850", 1850e8)
    found = audit.rule_component_exceeds_total(figures, pd.DataFrame(), reference)
    assert not [f for f in found if f["severity"] == "error"]


def test_findings_are_sorted_by_severity(figures: pd.DataFrame, reference: Reference) -> None:
    order = _findings(figures, reference)["severity"].map({"error": 0, "warning": 1, "info": 2})
    assert order.is_monotonic_increasing


def test_two_sources_that_disagree_are_an_error(figures: pd.DataFrame, tmp_path: Path) -> None:
    # Zhengzhou's GDP is 12003亿元 in its own report and in the reference table; change the reference row
    # to 12100亿元 and the two no longer agree within rounding ([12002.5, 12003.5] against [12099.5, 12100.5]).
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    path = folder / "comparators_2020.csv"
    text = path.read_text(encoding="utf-8")
    assert "郑州市,gdp,12003,亿元" in text
    path.write_text(text.replace("郑州市,gdp,12003,亿元", "郑州市,gdp,12100,亿元"), encoding="utf-8")
    crafted = load_reference(folder)
    found = audit.rule_two_sources_agree(figures, pd.DataFrame(), crafted)
    errors = [f for f in found if f["severity"] == "error"]
    assert [f["finding_id"] for f in errors] == [
        "two_sources_disagree__zhengzhou_gdp__zhengzhou-2021:gdp__reference:zhengzhou_gdp"
    ]
    # With the table as received they agree.
    agreeing = audit.rule_two_sources_agree(figures, pd.DataFrame(), load_reference())
    assert {f["severity"] for f in agreeing} == {"info"}


def test_the_prevention_force_is_the_sum_of_its_three_parts(figures: pd.DataFrame, reference: Reference) -> None:
    # 7300余 [7300, 7400) + 3000余 [3000, 4000) (the next step of its last non-zero digit, the thousands)
    # + 3.8万 [37500, 38500] = [47800, 49900] against 4.8万余 [48000, 49000): they overlap, so the report's
    # 4.8万余 is the three rows together, not a fourth group.
    found = audit.rule_parts_sum_to_total(figures, pd.DataFrame(), reference)
    assert [(f["rule"], f["severity"]) for f in found] == [("parts_sum_to_total", "info")]
    assert "48,300 (47,800–49,900)" in found[0]["message_en"]
    assert "4.83万（4.78万–4.99万）" in found[0]["message_zh"]  # the same sum as a Chinese reader writes it
    figures = _set(figures, "community_workers_volunteers", "5", 50_000.0)  # 5万 [4.5万, 5.5万]: 55,300 at least
    found = audit.rule_parts_sum_to_total(figures, pd.DataFrame(), reference)
    assert [f["severity"] for f in found] == ["warning"]


def test_a_comparator_threshold_of_no_stated_year_is_reported(figures: pd.DataFrame, reference: Reference) -> None:
    # Zhengzhou's 成为全国第8个市场主体超百万省会城市 (five-year review, year not stated) is not its 2020 stock: the
    # audit says so, naming Jinshui's figure whose comparison stays missing.
    findings = _findings(figures, reference).set_index("finding_id")
    row = findings.loc["undated_comparator__zhengzhou-2021__market_entities"]
    assert row["severity"] == "warning"
    assert row["figure_ids"] == "market_entities_total"
    assert "超百万" in row["message_en"] and "not used as the 2020 level" in row["message_en"]
    assert "不作为2020年数使用" in row["message_zh"]


def test_a_comparator_floor_is_reported_with_the_rows_that_use_it(figures: pd.DataFrame, reference: Reference) -> None:
    # China's 全年新增减税降费超过2.5万亿元 is a floor on the other side of Jinshui's share of it: one row uses it
    # (tax_fee_relief_share_of_china); the district-only rule (one_sided_input) never looked at comparators.
    metrics = build_derived_metrics(figures, reference)
    findings = audit.run_audit(figures, metrics, reference).set_index("finding_id")
    row = findings.loc["one_sided_comparator__china-2020-communique__tax_fee_relief"]
    users = metrics["inputs"].str.split(";").apply(lambda ids: "china-2020-communique:tax_fee_relief" in ids)
    assert users.sum() == 1
    assert "1 derived metric rows use it" in row["message_en"] and "超过2.5万亿元" in row["message_zh"]
    # Henan's 省重点项目完成投资超过1万亿元: its share and one location quotient per basis (3) = 4 rows.
    assert (
        "4 derived metric rows"
        in findings.loc["one_sided_comparator__henan-2021__key_project_investment", "message_en"]
    )


def test_chinese_messages_set_chinese_punctuation(figures: pd.DataFrame, reference: Reference) -> None:
    # Outside the quoted source text («…», “…”), no ASCII , ; : ( ) ? touches a Chinese character.
    import re

    beside = re.compile(r"(?<=[\u4e00-\u9fff])\s?[,;:()?]|[,;:()?]\s?(?=[\u4e00-\u9fff])")
    quoted = re.compile(r"“[^”]*”|«[^»]*»")
    messages = _findings(figures, reference)["message_zh"]
    assert [m for m in messages if beside.search(quoted.sub("", m))] == []


def test_exports_keep_the_rule_id_beside_its_names(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from helpers.publish.exports import XLSX_NAME, write_data_exports

    write_data_exports(tmp_path, {"report_dir": "data/reports/jinshui-2020", "reference_dir": "data/reference"})
    table = pd.read_csv(tmp_path / "audit_findings.csv", encoding="utf-8")
    assert list(table.columns[1:4]) == ["rule", *audit.RULE_NAME_COLUMNS]
    for row in table.itertuples(index=False):
        assert (row.rule_name_en, row.rule_name_zh) == audit.RULE_NAMES[row.rule]
        assert row.finding_id.startswith(f"{row.rule}__")  # the id stays machine-readable
    sheet = load_workbook(tmp_path / XLSX_NAME, read_only=True)["audit_findings"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header[1:4] == ("rule", *audit.RULE_NAME_COLUMNS)

"""Derived metrics: hand-computed values, intervals, scope flags, missing comparators and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.analysis.metrics import METRIC_COLUMNS, build_derived_metrics, metric_value
from helpers.sources.reference import load_reference


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    return build_derived_metrics()


# Expected central values, worked out by hand from the quotes and comparators.
HAND_COMPUTED = {
    # metric_id, basis: value
    ("gdp_share_of_zhengzhou", ""): 1800 / 12003 * 100,  # 突破1800亿元 / 12003亿元 = 14.996%
    ("gdp_share_of_henan", ""): 1800 / 54997.07 * 100,  # = 3.273%
    ("budget_revenue_share_of_zhengzhou", ""): 122 / 1259.2 * 100,  # = 9.689%
    ("market_entities_share_of_henan_computed", ""): 26 / 781 * 100,  # 26万户 / 781万户 = 3.329%
    ("foreign_trade_share_of_henan", ""): 109 / 6654.8 * 100,  # = 1.638%
    ("key_projects_investment_share_of_zhengzhou", ""): 738.7 / 4651.8 * 100,  # = 15.88% (scopes differ)
    ("implied_zhengzhou_rd_institutions", ""): 358 / 0.182,  # = 1967.0
    ("implied_zhengzhou_innovation_incubators", ""): 62 / 1.20,  # = 51.7, fewer than 62
    ("implied_henan_market_entities", ""): 260_000 * 30,  # 26万 / (1/30) = 780万
    ("implied_2019_new_market_entities", ""): 42_000 / 1.186,  # 4.2万 / 1.186 = 35,413
    ("implied_2019_livelihood_spending", ""): 60.8e8 / 1.16,  # 60.8亿 / 1.16 = 52.41亿
    ("implied_2019_good_air_days", ""): 227 - 57,  # = 170
    ("good_air_days_vs_henan", ""): 227 - 245,  # = -18
    ("modern_services_share_of_gdp", ""): 1230 / 1800 * 100,  # = 68.33%
    ("tax_fee_relief_to_budget_revenue", ""): 41 / 122 * 100,  # = 33.61%
    ("new_market_entities_share_of_total", ""): 4.2 / 26 * 100,  # = 16.15%
    ("gdp_per_capita", "resident_2019"): 1800e8 / 1_333_000,  # = 135,034 yuan
    ("gdp_per_capita", "census_2020_incl_zhengdong"): 1800e8 / 2_145_588,  # = 83,893 yuan
    ("gdp_per_capita", "census_2020_scope_adjusted"): 1800e8 / (2_145_588 * 133.3 / 207.4),  # = 130,528 yuan
    ("zhengzhou_gdp_per_capita", "census_2020_incl_zhengdong"): 12003e8 / 12_600_574,  # = 95,258 yuan
    ("zhengzhou_gdp_per_capita", "resident_2019"): 12003e8 / 10_352_000,  # = 115,949 yuan
    ("henan_gdp_per_capita", "census_2020_incl_zhengdong"): 54997.07e8 / 99_365_519,  # = 55,348 yuan
    ("medical_workers_per_1000", "resident_2019"): 53_400 / 1_333_000 * 1000,  # = 40.06
    ("market_entities_per_1000", "resident_2019"): 260_000 / 1_333_000 * 1000,  # = 195.05
}


@pytest.mark.parametrize(("metric_id", "basis"), sorted(HAND_COMPUTED))
def test_hand_computed_values(metrics: pd.DataFrame, metric_id: str, basis: str) -> None:
    assert metric_value(metrics, metric_id, basis) == pytest.approx(HAND_COMPUTED[(metric_id, basis)], rel=1e-9)


def test_columns_and_unique_keys(metrics: pd.DataFrame) -> None:
    assert tuple(metrics.columns) == METRIC_COLUMNS
    assert not metrics.duplicated(["metric_id", "population_basis"]).any()
    assert (metrics["formula"].str.len() > 0).all()
    assert (metrics["inputs"].str.len() > 0).all()


def test_every_computed_value_lies_in_its_interval(metrics: pd.DataFrame) -> None:
    computed = metrics[metrics["status"] != "missing"]
    assert (computed["low"] <= computed["value"]).all()
    assert (computed["value"] <= computed["high"]).all()


def test_gdp_share_interval_follows_the_floor(metrics: pd.DataFrame) -> None:
    row = metrics.set_index("metric_id").loc["gdp_share_of_zhengzhou"]
    # low: 1800 / 12003.5 = 14.9956%; high: 1900 / 12002.5 = 15.8300% (the 突破 cap of 1900)
    assert row["low"] == pytest.approx(1800 / 12003.5 * 100)
    assert row["high"] == pytest.approx(1900 / 12002.5 * 100)


def test_implied_2019_interval(metrics: pd.DataFrame) -> None:
    row = metrics.set_index("metric_id").loc["implied_2019_new_market_entities"]
    # 4.2万 is [4.15万, 4.25万]; 18.6% is [18.55%, 18.65%]: [41500 / 1.1865, 42500 / 1.1855]
    assert row["low"] == pytest.approx(41_500 / 1.1865)
    assert row["high"] == pytest.approx(42_500 / 1.1855)


def test_scope_mismatch_is_flagged(metrics: pd.DataFrame) -> None:
    flagged = set(metrics.loc[metrics["status"] == "scope_mismatch", "metric_id"])
    assert flagged == {"key_projects_investment_share_of_zhengzhou", "new_tech_smes_share_of_henan_stock"}
    note = metrics.set_index("metric_id").loc["key_projects_investment_share_of_zhengzhou", "note"]
    assert "省市区重大项目" in note and "省市重点项目" in note


def test_missing_comparator_is_a_row_without_value(metrics: pd.DataFrame) -> None:
    row = metrics.set_index("metric_id").loc["retail_sales_share_of_henan"]
    assert row["status"] == "missing"
    assert pd.isna(row["value"])
    assert "henan_retail_sales" in row["note"]
    henan = metrics[(metrics["metric_id"] == "henan_gdp_per_capita") & (metrics["population_basis"] == "resident_2019")]
    assert henan["status"].item() == "missing"  # no sourced 2019 population of Henan


def test_removing_a_comparator_makes_its_metrics_missing(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    path = folder / "comparators_2020.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("河南省,gdp,")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    table = build_derived_metrics(reference=load_reference(folder))
    row = table.set_index("metric_id").loc["gdp_share_of_henan"]
    assert row["status"] == "missing"
    assert "henan_gdp" in row["note"]


def test_metrics_follow_the_figures(tmp_path: Path) -> None:
    from helpers.sources.registry import subject_report

    figures = subject_report().figures().copy()
    figures.loc[figures["figure_id"] == "gdp", ["value_as_printed", "value"]] = ["2000", 2000e8]
    table = build_derived_metrics(figures=figures)
    assert metric_value(table, "gdp_share_of_zhengzhou") == pytest.approx(2000 / 12003 * 100)


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helpers.analysis.metrics", *args], capture_output=True, text=True, env=env, check=False
    )


def test_cli_writes_both_tables(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder"
    result = _run_cli(str(target))
    assert result.returncode == 0, result.stderr
    metrics = pd.read_csv(target / "derived_metrics.csv", encoding="utf-8", keep_default_na=False)
    findings = pd.read_csv(target / "audit_findings.csv", encoding="utf-8")
    assert "gdp_share_of_zhengzhou" in set(metrics["metric_id"])
    assert "占郑州市" in metrics.set_index("metric_id").loc["gdp_share_of_zhengzhou", "label_zh"]
    assert (findings["severity"] == "error").sum() >= 1


def test_cli_bad_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = _run_cli(str(blocker / "out"))
    assert result.returncode == 2
    assert "cannot write to" in result.stderr


def test_cli_invalid_data(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(paths.DATA_DIR, root / "data")
    figures_csv = root / "data" / "reports" / "jinshui-2020" / "figures.csv"
    figures_csv.write_text(figures_csv.read_text(encoding="utf-8").replace(",979.4,", ",97.94,"), encoding="utf-8")
    env = {**os.environ, "JINSHUI_ROOT": str(root)}
    result = _run_cli(str(tmp_path / "out"), env=env)
    assert result.returncode == 2
    assert "invalid data" in result.stderr
    assert "(retail_sales)" in result.stderr
    assert not (tmp_path / "out" / "derived_metrics.csv").exists()

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


CENSUS_JINSHUI_SCOPE_ADJUSTED = 2_145_588 * 133.3 / (133.3 + 74.1)  # = 1,379,011 people

# Expected central values, worked out by hand from the quotes (reports) and the reference rows.
HAND_COMPUTED = {
    # metric_id, basis: value
    # Jinshui against Zhengzhou's, Henan's and China's own reports.
    ("gdp_share_of_zhengzhou", ""): 1800 / 12003 * 100,  # 突破1800亿元 / 12003亿元 (Zhengzhou report) = 14.996%
    ("gdp_share_of_henan", ""): 1800 / 54997.07 * 100,  # / 54997.07亿 (yearbook; exact beats 超过5万亿) = 3.273%
    ("gdp_share_of_china", ""): 1800 / 1015986 * 100,  # / 1015986亿元 (communiqué) = 0.1772%
    ("new_urban_jobs_share_of_zhengzhou", ""): 3.46 / 14 * 100,  # 3.46万 / 14万 = 24.71%
    ("new_urban_jobs_share_of_henan", ""): 3.46 / 122.6 * 100,  # 3.46万 / 122.6万 = 2.822%
    ("new_urban_jobs_share_of_china", ""): 3.46 / 1186 * 100,  # 3.46万 / 1186万 = 0.2917%
    ("foreign_trade_share_of_zhengzhou", ""): 109 / 4946.4 * 100,  # 109亿 / 4946.4亿 = 2.204%
    ("foreign_trade_share_of_henan", ""): 109 / 6654.8 * 100,  # 109亿 / 6654.8亿 = 1.638%
    ("foreign_trade_share_of_china", ""): 109 / 321557 * 100,  # 109亿 / 321557亿 = 0.0339%
    ("market_entities_share_of_henan", ""): 26 / 781 * 100,  # 26万户 / 781万户 = 3.329%
    ("new_market_entities_share_of_henan", ""): 4.2 / 136.9 * 100,  # 4.2万 / 136.9万 = 3.068%
    ("new_high_tech_enterprises_share_of_zhengzhou", ""): 229 / 870 * 100,  # = 26.32%
    ("new_high_tech_enterprises_share_of_henan", ""): 229 / 1542 * 100,  # = 14.85%
    ("retail_sales_share_of_china", ""): 979.4 / 391981 * 100,  # 979.4亿 / 391981亿 = 0.2499%
    ("tax_fee_relief_share_of_henan", ""): 41 / 800 * 100,  # 41亿 / 近800亿 = 5.125% (definitions differ)
    # 91.6亿元 / (133亿美元 × 6.8974元/美元, the communiqué's 2020 average rate) = 91.6 / 917.35 = 9.985%
    ("cross_border_ecommerce_turnover_share_of_zhengzhou", ""): 91.6 / (133 * 6.8974) * 100,
    ("budget_revenue_share_of_zhengzhou", ""): 122 / 1259.2 * 100,  # 122亿 / 1259.2亿 = 9.689% (levels differ)
    ("henan_budget_revenue_2020_derived", ""): 4041.6e8 * 1.028,  # 2019: 4041.6亿 × (1 + 2.8%) = 4154.76亿
    ("budget_revenue_share_of_henan", ""): 122 / (4041.6 * 1.028) * 100,  # 122亿 / 4154.76亿 = 2.936%
    ("good_air_days_difference_vs_zhengzhou", ""): 227 - 230,  # = -3 days
    ("good_air_days_change_difference_vs_henan", ""): 57 - 52,  # +57 days against +52 days = 5
    ("implied_2019_zhengzhou_foreign_trade", ""): 4946.4e8 / 1.197,  # 4946.4亿 / (1 + 19.7%) = 4132.3亿
    ("zhengzhou_gdp_per_capita", ""): 12003e8 / 12_600_574,  # census 2020 = 95,258 yuan
    ("henan_gdp_per_capita", ""): 54997.07e8 / 99_365_519,  # census 2020 = 55,348 yuan
    ("population_share_of_zhengzhou", "census_2020_scope_adjusted"): CENSUS_JINSHUI_SCOPE_ADJUSTED / 12_600_574 * 100,
    # LQ: (1800 / 12003) / (1,379,011 / 12,600,574) = 14.996% / 10.944% = 1.370
    ("location_quotient_gdp_zhengzhou", "census_2020_scope_adjusted"): (1800e8 / 12003e8)
    / (CENSUS_JINSHUI_SCOPE_ADJUSTED / 12_600_574),
    # (1800亿 / 1,333,000) / (12003亿 / 12,600,574) = 135,034 / 95,258 = 1.418
    ("gdp_per_capita_relative_to_zhengzhou", "resident_2019"): (1800e8 / 1_333_000) / (12003e8 / 12_600_574),
    # The district's own metrics.
    ("implied_zhengzhou_rd_institutions", ""): 358 / 0.182,  # = 1967.0
    ("implied_zhengzhou_innovation_incubators", ""): 62 / 1.20,  # = 51.7, fewer than 62
    ("implied_henan_market_entities", ""): 260_000 * 30,  # 26万 / (1/30) = 780万
    ("implied_2019_new_market_entities", ""): 42_000 / 1.186,  # 4.2万 / 1.186 = 35,413
    ("implied_2019_livelihood_spending", ""): 60.8e8 / 1.16,  # 60.8亿 / 1.16 = 52.41亿
    ("implied_2019_good_air_days", ""): 227 - 57,  # = 170
    ("modern_services_share_of_gdp", ""): 1230 / 1800 * 100,  # = 68.33%
    ("tax_fee_relief_to_budget_revenue", ""): 41 / 122 * 100,  # = 33.61%
    ("new_market_entities_share_of_total", ""): 4.2 / 26 * 100,  # = 16.15%
    ("gdp_per_capita", "resident_2019"): 1800e8 / 1_333_000,  # = 135,034 yuan
    ("gdp_per_capita", "census_2020_incl_zhengdong"): 1800e8 / 2_145_588,  # = 83,893 yuan
    ("gdp_per_capita", "census_2020_scope_adjusted"): 1800e8 / CENSUS_JINSHUI_SCOPE_ADJUSTED,  # = 130,528 yuan
    ("medical_workers_per_1000", "resident_2019"): 53_400 / 1_333_000 * 1000,  # = 40.06
    ("market_entities_per_1000", "resident_2019"): 260_000 / 1_333_000 * 1000,  # = 195.05
}


@pytest.mark.parametrize(("metric_id", "basis"), sorted(HAND_COMPUTED))
def test_hand_computed_values(metrics: pd.DataFrame, metric_id: str, basis: str) -> None:
    assert metric_value(metrics, metric_id, basis) == pytest.approx(HAND_COMPUTED[(metric_id, basis)], rel=1e-9)


def _row(metrics: pd.DataFrame, metric_id: str, basis: str = "") -> pd.Series:
    match = metrics[(metrics["metric_id"] == metric_id) & (metrics["population_basis"] == basis)]
    assert len(match) == 1, (metric_id, basis)
    return match.iloc[0]


def test_each_comparison_names_its_sources_and_quotes_on_both_sides(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "new_urban_jobs_share_of_henan")
    assert row["inputs"] == "jinshui-2020:new_urban_jobs;henan-2021:new_urban_jobs"
    jinshui, henan = row["evidence"].split(" | ")
    assert (
        jinshui.startswith("jinshui-2020:new_urban_jobs (聚焦金水区两会·解读政府工作报告): «") and "3.46万" in jinshui
    )
    assert henan.startswith("henan-2021:new_urban_jobs (") and "122.6万" in henan
    assert row["status"] == "ok"


def test_the_derived_comparator_and_its_interval(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "henan_budget_revenue_2020_derived")
    assert row["status"] == "derived"
    assert (
        row["inputs"]
        == "reference:henan_general_public_budget_revenue_2019;henan-2021:general_public_budget_revenue_growth"
    )
    # 4041.6亿 is [4041.55亿, 4041.65亿]; 2.8% is [2.75%, 2.85%]:
    assert row["low"] == pytest.approx(4041.55e8 * 1.0275)  # = 4152.69亿
    assert row["high"] == pytest.approx(4041.65e8 * 1.0285)  # = 4156.84亿
    # The share that uses it says so, and is also flagged for the different fiscal levels.
    share = _row(metrics, "budget_revenue_share_of_henan")
    assert share["status"] == "scope_mismatch"
    assert "derived" in share["note"]


SCOPE_MISMATCHES = {
    # metric_id: a word the note must contain
    "budget_revenue_share_of_zhengzhou": "district level",  # district retained revenue vs city-wide local revenue
    "key_project_investment_share_of_zhengzhou": "省市区重大项目",  # district's project list vs the city's
    "tax_fee_relief_to_budget_revenue": "every fiscal level",  # relief of all levels over local revenue
    "tax_fee_relief_share_of_zhengzhou": "deferrals",  # Zhengzhou's 减免缓税费 includes deferrals
    # 减免企业税费 (Jinshui) against 减税降费 (Henan, definition not printed) and 新增减税降费 (China, new relief only):
    # no text shows that the definitions match.
    "tax_fee_relief_share_of_henan": "unprinted definition",
    "tax_fee_relief_share_of_china": "new relief only",
    "livelihood_spending_share_of_henan": "all levels",  # district budget vs all levels in the province
    "old_communities_renovated_share_of_henan": "households",  # communities vs households
    # District-level revenue per head against city-wide revenue of all levels per head.
    "budget_revenue_per_capita_relative_to_zhengzhou": "district level only",
    # Read side by side with Jinshui's budget_revenue_to_gdp: the numerators are of different fiscal levels.
    "zhengzhou_budget_revenue_to_gdp": "every level in the city",
}


@pytest.mark.parametrize("metric_id", sorted(SCOPE_MISMATCHES))
def test_scope_rules_fire(metrics: pd.DataFrame, metric_id: str) -> None:
    rows = metrics[metrics["metric_id"] == metric_id]
    assert len(rows) >= 1
    for row in rows.itertuples(index=False):  # every population basis
        assert row.status == "scope_mismatch", row.population_basis
        assert SCOPE_MISMATCHES[metric_id] in row.note


def test_jinshuis_revenue_ratio_says_it_does_not_compare_with_zhengzhous(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "budget_revenue_to_gdp")
    assert row["value"] == pytest.approx(122 / 1800 * 100)  # 122亿 / 1800亿 = 6.78%, a ratio inside the district
    assert row["status"] == "ok" and "every level in the city" in row["note"] and "区本级" in row["note_zh"]


def test_no_ratio_to_a_parent_is_ok_when_the_share_of_the_same_pair_is_not(metrics: pd.DataFrame) -> None:
    # A location quotient and a relative per-capita value divide the same two quantities as the share does:
    # they can never be more comparable than it (the relative per-capita recipe once ignored the scopes).
    rank = {"ok": 0, "derived": 1, "scope_mismatch": 2, "implausible": 3, "missing": 4}
    shares = metrics[metrics["metric_id"].str.contains("_share_of_(?:zhengzhou|henan)$")].set_index("metric_id")
    stems = {
        "gdp": "gdp_per_capita",
        "budget_revenue": "budget_revenue_per_capita",
        "market_entities": "market_entities_per_1000",
        "new_urban_jobs": "new_urban_jobs_per_1000",
    }
    checked = 0
    for share_id, share in shares.iterrows():
        code, parent = share_id.rsplit("_share_of_", 1)
        related = metrics[
            (metrics["metric_id"] == f"location_quotient_{code}_{parent}")
            | (metrics["metric_id"] == f"{stems.get(code, '-')}_relative_to_{parent}")
        ]
        for row in related.itertuples(index=False):
            assert rank[row.status] >= rank[share["status"]], (row.metric_id, row.population_basis)
            checked += 1
    assert checked >= 60  # 3 bases × (LQs against both parents + relative per-capita rows)


def test_a_scope_declared_comparable_compares_with_its_caveat(metrics: pd.DataFrame) -> None:
    # Henan's 245 days exclude Jiyuan (不含济源): scopes.csv declares territory_excluding_jiyuan comparable with
    # territory, so the difference is ok, and its note carries the caveat in both languages.
    row = _row(metrics, "good_air_days_difference_vs_henan")
    assert row["value"] == 227 - 245  # = -18 days
    assert row["status"] == "ok"
    assert "Jiyuan" in row["note"] and "济源" in row["note_zh"]


def test_a_threshold_of_no_stated_year_is_never_the_years_level(metrics: pd.DataFrame) -> None:
    # Zhengzhou's only market-entity figure is 成为全国第8个市场主体超百万省会城市, crossed in an unstated year of the
    # five-year review: no share, location quotient or per-1,000 comparison is computed from it.
    row = _row(metrics, "market_entities_share_of_zhengzhou")
    assert row["status"] == "missing" and pd.isna(row["value"])
    assert "超百万" in row["evidence"] and "not the 2020 stock" in row["note"] and "并非2020年末存量" in row["note_zh"]
    for metric_id in (
        "location_quotient_market_entities_zhengzhou",
        "market_entities_per_1000_relative_to_zhengzhou",
        "zhengzhou_market_entities_per_1000",
    ):
        assert metric_id not in set(metrics["metric_id"])


def test_per_capita_on_the_census_unit_with_zhengdong_is_a_scope_mismatch(metrics: pd.DataFrame) -> None:
    wide = metrics[metrics["population_basis"] == "census_2020_incl_zhengdong"]
    assert set(wide["status"]) == {"scope_mismatch"}
    for basis in ("resident_2019", "census_2020_scope_adjusted"):
        assert _row(metrics, "gdp_per_capita", basis)["status"] == "ok"


def test_per_capita_range_across_defensible_bases(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "gdp_per_capita", "resident_2019")
    assert row["basis_low"] == pytest.approx(1800e8 / CENSUS_JINSHUI_SCOPE_ADJUSTED)  # 130,528
    assert row["basis_high"] == pytest.approx(1800e8 / 1_333_000)  # 135,034


def test_per_capita_notes_say_what_the_value_is(metrics: pd.DataFrame) -> None:
    assert "not residents' income" in _row(metrics, "gdp_per_capita", "resident_2019")["note"]
    assert "not income" in _row(metrics, "retail_sales_per_capita", "resident_2019")["note"]
    assert "workplace-based" in _row(metrics, "medical_workers_per_1000", "resident_2019")["note"]


def test_parent_rows_are_emitted_once(metrics: pd.DataFrame) -> None:
    for metric_id in ("zhengzhou_gdp_per_capita", "henan_gdp_per_capita", "gdp_share_of_zhengzhou"):
        assert (metrics["metric_id"] == metric_id).sum() == 1, metric_id


def test_an_impossible_implied_total_is_not_ok(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "implied_zhengzhou_innovation_incubators")
    assert row["status"] == "implausible"


def test_no_standard_indicator_is_invented(metrics: pd.DataFrame) -> None:
    # Livelihood spending over budget revenue is not a standard indicator (over expenditure is).
    assert "livelihood_spending_to_budget_revenue" not in set(metrics["metric_id"])


def test_no_missing_row_that_a_parent_report_could_fill(metrics: pd.DataFrame) -> None:
    missing = metrics[metrics["status"] == "missing"]
    # Zhengzhou's and Henan's reports print no 2020 retail sales, and Zhengzhou's no count of new market
    # entities; its market-entity stock is a threshold of no stated year (超百万). Every other core comparison is
    # filled; Zhengzhou's cross-border e-commerce, printed in US dollars, is converted at the printed rate.
    assert set(missing["metric_id"]) == {
        "retail_sales_share_of_zhengzhou",
        "retail_sales_share_of_henan",
        "new_market_entities_share_of_zhengzhou",
        "market_entities_share_of_zhengzhou",
    }


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


def test_removing_a_comparator_falls_back_to_the_other_source(tmp_path: Path) -> None:
    # Without the yearbook row, Henan's GDP comes from its own report: a floor (超过5万亿元).
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    path = folder / "comparators_2020.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("河南省,gdp,")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    vocabulary_folder = tmp_path / "indicators"
    shutil.copytree(paths.INDICATORS_DIR, vocabulary_folder)
    mapping = vocabulary_folder / "indicator_map.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines()
    mapping.write_text("\n".join(x for x in lines if not x.startswith("reference,henan_gdp,")) + "\n", encoding="utf-8")
    from helpers.analysis.indicators import load_vocabulary

    table = build_derived_metrics(reference=load_reference(folder), vocabulary=load_vocabulary(vocabulary_folder))
    row = table.set_index("metric_id").loc["gdp_share_of_henan"]
    assert row["value"] == pytest.approx(1800 / 50000 * 100)  # 1800亿 / 5万亿 = 3.6%
    assert row["inputs"] == "jinshui-2020:gdp;henan-2021:gdp"


def test_metrics_follow_the_figures() -> None:
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


def test_a_printed_rate_of_100_percent_stays_within_100() -> None:
    from helpers.sources.intervals import clip_percent, printed_estimate

    # 办结率100%, rounded to a whole percent: rounding alone allows [99.5, 100.5]; a rate cannot pass 100.
    assert clip_percent(printed_estimate("100", "%")).as_tuple() == (100, 99.5, 100)


def test_the_district_rates_are_clipped_too() -> None:
    from helpers.analysis.metrics import Inputs, fig
    from helpers.sources.registry import subject_report

    inputs = Inputs(subject_report().figures(), load_reference())
    # 人大代表建议、委员提案办结率100%: [99.5, 100], never above 100.
    assert inputs.get(fig("proposals_completion_rate")).as_tuple() == (100, 99.5, 100)


# --- both languages ---------------------------------------------------------------------------------------


def test_every_note_has_its_chinese_twin(metrics: pd.DataFrame) -> None:
    has_en, has_zh = metrics["note"] != "", metrics["note_zh"] != ""
    assert (has_en == has_zh).all(), metrics.loc[has_en != has_zh, "metric_id"].tolist()
    english = metrics["note_zh"].str.contains(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", regex=True)
    assert not english.any(), metrics.loc[english, "note_zh"].tolist()


def test_a_scope_mismatch_names_both_scopes_in_both_languages(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "budget_revenue_share_of_zhengzhou")
    # indicator_map.csv: jinshui-2020 budget revenue is district_level, Zhengzhou's local_all_levels_in_area;
    # scopes.csv names them.
    assert "Jinshui is district level only, Zhengzhou is local revenue of all levels in the area" in row["note"]
    assert "金水区为区本级，郑州市为辖区内地方各级合计" in row["note_zh"]


def test_the_per_capita_caveat_in_chinese(metrics: pd.DataFrame) -> None:
    row = _row(metrics, "gdp_per_capita", "resident_2019")
    assert "不是居民收入" in row["note_zh"] and "抽样估计数" in row["note_zh"]


def _vocabulary_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "indicators"
    shutil.copytree(paths.INDICATORS_DIR, folder)
    return folder


def test_a_scope_that_scopes_csv_does_not_define_is_an_error(tmp_path: Path) -> None:
    from helpers.analysis.indicators import load_vocabulary
    from helpers.sources.figures import FiguresValidationError

    folder = _vocabulary_copy(tmp_path)
    scopes = folder / "scopes.csv"
    lines = scopes.read_text(encoding="utf-8").splitlines()
    scopes.write_text("\n".join(x for x in lines if not x.startswith("households,")) + "\n", encoding="utf-8")
    with pytest.raises(FiguresValidationError, match=r"scope 'households' is not defined in scopes\.csv"):
        load_vocabulary(folder)


def test_a_note_without_its_chinese_twin_is_an_error(tmp_path: Path) -> None:
    from helpers.analysis.indicators import load_vocabulary
    from helpers.sources.figures import FiguresValidationError

    folder = _vocabulary_copy(tmp_path)
    mapping = folder / "indicator_map.csv"
    table = pd.read_csv(mapping, dtype=str, keep_default_na=False)
    table.loc[0, "note_zh"] = ""  # line 2: jinshui-2020 gdp, whose English note stays
    table.to_csv(mapping, index=False)
    with pytest.raises(FiguresValidationError, match=r"indicator_map\.csv line 2: note and note_zh must both be given"):
        load_vocabulary(folder)


def test_dollars_convert_at_the_printed_rate_and_say_so(metrics: pd.DataFrame) -> None:
    # Jinshui prints 跨境电商交易额91.6亿元 (yuan), Zhengzhou 跨境电商交易额133亿美元 (US dollars): 91.6 / 133
    # would read as a 68.9% share. The communiqué prints 全年人民币平均汇率为1美元兑6.8974元人民币, so Zhengzhou's
    # turnover is 133亿 × 6.8974 = 917.35亿元 and Jinshui's share 9.985%, a derived comparison that quotes the rate.
    row = _row(metrics, "cross_border_ecommerce_turnover_share_of_zhengzhou")
    assert row["status"] == "derived"
    assert row["inputs"] == (
        "jinshui-2020:cross_border_ecommerce_turnover;zhengzhou-2021:cross_border_ecommerce_turnover;"
        "china-2020-communique:usd_cny_average_rate"
    )
    assert "1美元兑6.8974元人民币" in row["evidence"] and "133亿美元" in row["evidence"]
    assert "US dollars" in row["note"] and "汇率" in row["note_zh"]
    # 91.6 is [91.55, 91.65]; 133 is [132.5, 133.5]; 6.8974 is [6.89735, 6.89745]:
    assert row["low"] == pytest.approx(91.55 / (133.5 * 6.89745) * 100)  # = 9.9423%
    assert row["high"] == pytest.approx(91.65 / (132.5 * 6.89735) * 100)  # = 10.0285%


def test_values_in_currencies_with_no_printed_rate_never_divide(tmp_path: Path) -> None:
    # Without the communiqué's rate, the share of yuan over dollars is missing, with why.
    from helpers.analysis.indicators import load_vocabulary

    folder = _vocabulary_copy(tmp_path)
    mapping = folder / "indicator_map.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines()
    mapping.write_text("\n".join(x for x in lines if ",usd_cny_average_rate," not in x) + "\n", encoding="utf-8")
    table = build_derived_metrics(vocabulary=load_vocabulary(folder))
    row = _row(table, "cross_border_ecommerce_turnover_share_of_zhengzhou")
    assert row["status"] == "missing" and pd.isna(row["value"])
    assert "US dollars" in row["note"] and "美元" in row["note_zh"] and "汇率" in row["note_zh"]
    quotients = table["metric_id"].str.startswith("location_quotient_cross_border_ecommerce_turnover")
    assert not quotients.any()


def test_a_comparable_scope_must_name_another_scope_and_its_caveat(tmp_path: Path) -> None:
    from helpers.analysis.indicators import load_vocabulary
    from helpers.sources.figures import FiguresValidationError

    folder = _vocabulary_copy(tmp_path)
    scopes = folder / "scopes.csv"
    text = scopes.read_text(encoding="utf-8").replace(
        "households,counted in households,按户计,,,", "households,counted in households,按户计,communities,,"
    )
    scopes.write_text(
        text.replace(
            "district_level,district level only,区本级,,,", "district_level,district level only,区本级,nowhere,,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(FiguresValidationError) as error:
        load_vocabulary(folder)
    assert "comparable_with needs comparable_note" in str(error.value)
    assert "comparable_with 'nowhere' is not another scope" in str(error.value)


def test_a_mapping_year_must_be_a_year_or_unknown(tmp_path: Path) -> None:
    from helpers.analysis.indicators import load_vocabulary
    from helpers.sources.figures import FiguresValidationError

    folder = _vocabulary_copy(tmp_path)
    mapping = folder / "indicator_map.csv"
    text = mapping.read_text(encoding="utf-8").replace(
        "jinshui-2020,gdp,gdp,territory,,", "jinshui-2020,gdp,gdp,territory,20,"
    )
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(FiguresValidationError, match=r"line 2: year '20' is not empty"):
        load_vocabulary(folder)


def test_a_ratio_above_100_percent_across_definitions_is_not_called_a_share(metrics: pd.DataFrame) -> None:
    # Jinshui's 358 R&D institutions of every kind against Henan's new-type R&D institutions: 351%, no part of it.
    row = _row(metrics, "rd_institutions_share_of_henan")
    assert row["value"] > 100 and row["status"] == "scope_mismatch"
    assert "比重" not in row["label_zh"] and "之比" in row["label_zh"] and "share" not in row["label_en"]
    assert "比重" in _row(metrics, "gdp_share_of_henan")["label_zh"]


def test_the_location_quotient_has_a_name_a_chinese_reader_reads_right(metrics: pd.DataFrame) -> None:
    # 区位商 names an industry index in Chinese statistics; here it is the share over the population share.
    labels = metrics.loc[metrics["metric_id"].str.startswith("location_quotient_"), "label_zh"]
    assert not labels.str.contains("区位商").any()
    assert labels.str.endswith("比重与人口占比之比").all()


def test_chinese_labels_and_notes_set_chinese_punctuation(metrics: pd.DataFrame) -> None:
    # An ASCII , ; : ( ) ? touching a Chinese character, outside the quotes of the evidence column.
    beside = r"(?<=[\u4e00-\u9fff])\s?[,;:()?]|[,;:()?]\s?(?=[\u4e00-\u9fff])"
    for column in ("label_zh", "note_zh"):
        offending = metrics.loc[metrics[column].str.contains(beside, regex=True), column]
        assert offending.tolist() == [], column

"""Notebook helpers: localized tables, computed sentences and results that match the metrics."""

from __future__ import annotations

import json

import pytest

from helpers.analysis.metrics import metric_value
from helpers.notebook import report
from helpers.notebook.params import validate_parameters


@pytest.fixture(scope="module", params=["en", "zh"])
def ctx(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> report.Context:
    output = tmp_path_factory.mktemp("out")
    params = validate_parameters(
        "data/reports/jinshui-2020", "data/reference", "census_2020_incl_zhengdong", request.param, str(output)
    )
    return report.load_context(params)


def test_figures_table_is_localized(ctx: report.Context) -> None:
    table = report.figures_table(ctx, "economy")
    assert len(table) == 16  # the economy theme has 16 rows in the Jinshui figures table
    header = "指标" if ctx.lang == "zh" else "Indicator"
    assert header in table.columns
    gdp = table.iloc[next(i for i, q in enumerate(table.iloc[:, -1]) if "突破1800" in q)]
    assert gdp.iloc[1] == "突破1800亿元"  # as printed


def test_sentences_state_computed_values(ctx: report.Context) -> None:
    sentence = report.metric_sentence(ctx, "gdp_share_of_zhengzhou")
    assert "15.0%" in sentence  # 1800 / 12003 = 14.996% -> 15.0%
    missing = report.metric_sentence(ctx, "retail_sales_share_of_henan")
    # No report or reference row prints it; the reason is in the page's language.
    expected = "未载有河南省2020年社会消费品零售总额" if ctx.lang == "zh" else "Henan's 2020 total retail sales"
    assert expected in missing


def test_overview_results_follow_the_basis(ctx: report.Context) -> None:
    results = report.overview_results(ctx)
    # census_2020_incl_zhengdong: 1800亿 / 2,145,588 = 83,893 yuan per person
    assert results["gdp_per_capita"] == pytest.approx(1800e8 / 2_145_588)
    assert results["gdp_share_of_zhengzhou"] == pytest.approx(metric_value(ctx.metrics, "gdp_share_of_zhengzhou"))
    assert results["population"] == 2_145_588


def test_write_results(ctx: report.Context) -> None:
    note = report.write_results(ctx, "02_economy", report.theme_results(ctx, "economy"))
    # Each language has its own results file, linked from the note.
    name = "02_economy.json" if ctx.lang == "en" else "02_economy.zh.json"
    assert f"results/{name})" in note.data
    payload = json.loads(report.results_path(ctx, "02_economy").read_text(encoding="utf-8"))
    assert payload["parameters"]["population_basis"] == "census_2020_incl_zhengdong"
    assert payload["results"]["figure.gdp"] == 1800e8
    assert payload["results"]["retail_sales_share_of_henan"] is None  # missing comparator: null, not a number


def test_theme_without_comparators_says_so(ctx: report.Context) -> None:
    shown = report.comparisons(ctx, "governance")
    expected = "没有有出处的对比数据" if ctx.lang == "zh" else "No sourced comparator"
    assert expected in shown.data


def test_summary_counts(ctx: report.Context) -> None:
    summary = report.theme_summary(ctx, "reform_innovation")
    # 23 figures in the theme; 4 printed as bounds (万余, 50%以上, 突破30万, 最高可40%)
    expected = (
        "列出23项数据，其中4项为上下限表述"
        if ctx.lang == "zh"
        else "23 figures under Reform and innovation, of which 4 are bounds"
    )
    assert expected in summary


def test_severity_counts(ctx: report.Context) -> None:
    counts = report.severity_counts(ctx)
    assert counts["error"] == 1  # the 120% incubator share
    assert sum(counts.values()) == len(ctx.findings)


def test_key_findings_state_computed_values_and_link_their_sections(ctx: report.Context) -> None:
    from helpers.notebook.labels import format_value

    text = report.key_findings(ctx).data
    lines = text.splitlines()
    assert 3 <= len(lines) <= 5
    assert all("](#" in line for line in lines)  # each sentence links the section behind it
    # The largest comparable share of a Zhengzhou total, ranked by its sure lower end, with its value.
    metrics = ctx.metrics
    shares = metrics[
        metrics["metric_id"].str.endswith("_share_of_zhengzhou")
        & ~metrics["metric_id"].str.startswith("population_")
        & (metrics["status"] == "ok")
    ]
    top = shares.loc[shares["low"].idxmax()]
    assert format_value(top["value"], "percent", ctx.lang) in lines[0]
    assert "(#comparisons)" in lines[0]
    # The audit line counts the errors (one: the 120% incubator share).
    assert ("核查发现1项错误" if ctx.lang == "zh" else "The audit raises 1 error") in text
    themed = report.key_findings(ctx, "economy").data
    assert "(#audit)" in themed and "(#comparisons)" in themed

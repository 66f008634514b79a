"""What one report needs beyond the generic recipes is data beside it (metrics.csv, checks.csv), never code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.analysis import audit
from helpers.analysis.metrics import build_derived_metrics, metric_value
from helpers.analysis.recipes import difference, previous_from_growth, recipe_in_unit, total_from_share
from helpers.analysis.terms import fig
from helpers.sources.figures import FiguresValidationError
from helpers.sources.intervals import Estimate
from helpers.sources.reference import load_reference
from helpers.sources.registry import get_report, load_report


def _copy(tmp_path: Path, report_id: str = "jinshui-2020") -> Path:
    target = tmp_path / report_id
    shutil.copytree(get_report(report_id).folder, target)
    return target


def test_jinshuis_own_metrics_come_from_its_recipe_table() -> None:
    table = build_derived_metrics()
    # metrics.csv: modern_services_value_added / gdp × 100 = 1230亿 / 1800亿 = 68.33%
    assert metric_value(table, "modern_services_share_of_gdp") == pytest.approx(1230 / 1800 * 100)
    # total_from_share: 358 / (18.2 / 100) = 1967.0 R&D institutions in Zhengzhou
    assert metric_value(table, "implied_zhengzhou_rd_institutions") == pytest.approx(358 / 0.182)


def test_without_the_tables_a_report_has_only_the_generic_recipes(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "metrics.csv").unlink()
    (folder / "checks.csv").unlink()
    report = load_report(folder)
    reference = load_reference()
    table = build_derived_metrics(report.figures(), reference, report=report)
    assert "modern_services_share_of_gdp" not in set(table["metric_id"])
    assert "gdp_share_of_zhengzhou" in set(table["metric_id"])  # generic: a share of the parent's total
    findings = audit.run_audit(report.figures(), table, reference, report=report)
    assert not findings["rule"].isin(["component_within_total", "parts_sum_to_total"]).any()


def test_every_bad_recipe_cell_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "metrics.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("retail_sales_to_gdp,percent_of,", "retail_sales_to_gdp,quotient,", 1)
    text = text.replace(",one_visit_items,service_items_in_hall,", ",one_visit_items,service_rooms,", 1)
    text = text.replace("large_signed_projects_share,percent_of,reform_innovation,", "x,percent_of,sports,", 1)
    path.write_text(text, encoding="utf-8")
    report = load_report(folder)
    with pytest.raises(FiguresValidationError) as error:
        build_derived_metrics(report.figures(), load_reference(), report=report)
    message = str(error.value)
    assert "recipe 'quotient' is not one of" in message
    assert "right 'service_rooms' is no figure of the report" in message
    assert "theme 'sports' is not one of" in message


def test_a_check_naming_no_figure_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "checks.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("part_of,one_visit_items,", "part_of,one_visit,"))
    report = load_report(folder)
    with pytest.raises(FiguresValidationError, match="'one_visit' is no figure of the report"):
        audit.rule_component_exceeds_total(report.figures(), build_derived_metrics(), load_reference(), report=report)


@pytest.mark.parametrize(
    ("recipe", "formula", "value", "checked"),
    [
        # 110 after a growth of 10%: 100 the year before
        ("previous_from_growth", "a / (1 + b / 100)", 100.0, False),
        # 110 said to be 10% of a total: 1100
        ("total_from_share", "a / (b / 100)", 1100.0, True),
        ("difference", "a − b", 100.0, False),
    ],
)
def test_each_recipe_in_the_rows_unit_writes_computes_and_checks_as_its_own(recipe, formula, value, checked) -> None:
    spec = recipe_in_unit(recipe, "m", "economy", "M", "M", fig("a"), fig("b"), "yuan")
    own = {"previous_from_growth": previous_from_growth, "total_from_share": total_from_share, "difference": difference}
    assert spec == own[recipe]("m", "economy", "M", "M", fig("a"), fig("b"), "yuan")
    assert (spec.unit, spec.terms, spec.formula, spec.status) == ("yuan", (fig("a"), fig("b")), formula, "ok")
    assert spec.compute(Estimate.exact(110.0), Estimate.exact(10.0)).value == pytest.approx(value)
    assert (spec.check is not None) == checked

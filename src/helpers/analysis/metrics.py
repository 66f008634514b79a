"""Derived metrics: shares, implied levels and totals, per-capita values and ratios, each with its interval.

Shares of city and province totals, implied previous-year levels and comparator totals, per-capita estimates
under every population basis, and structure ratios inside the district.

``build_derived_metrics()`` makes the whole table from ``data/`` in one call. Every row says how it was
computed (``formula``), from what (``inputs``: figure and comparator ids) and, for per-capita values, on which
population basis. A metric whose comparator has no cited source is a row with status ``missing`` and no
value, never an estimate. ``python -m helpers.analysis.metrics OUTPUT_DIR`` writes the table and the audit findings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from helpers.analysis.audit import run_audit, with_rule_names
from helpers.analysis.comparisons import (
    SUBJECT,
    Comparator,
    Row,
    comparison_status,
    cross_level_rows,
    evidence_of,
    implied_previous_rows,
    population_rows,
)
from helpers.analysis.indicators import (
    ENTITY_NAMES,
    Indicator,
    Observation,
    Vocabulary,
    load_vocabulary,
    observations,
)
from helpers.analysis.recipes import MetricSpec, evaluate, read_recipes
from helpers.analysis.terms import Inputs, Term, fig
from helpers.analysis.terms import metric_value as metric_value  # the tables' reader, where callers look for it
from helpers.bilingual import NONE, Bilingual, join_notes
from helpers.sources.figures import THEMES, FiguresValidationError
from helpers.sources.intervals import Estimate
from helpers.sources.population import PopulationBasis
from helpers.sources.reference import Reference, load_reference, population_bases
from helpers.sources.registry import ReportFolderError, ReportSource, all_reports, subject_report

METRIC_COLUMNS: tuple[str, ...] = (
    "metric_id",
    "theme",
    "label_en",
    "label_zh",
    "value",
    "low",
    "high",
    "unit",
    "formula",
    "inputs",
    "population_basis",
    "status",
    "note",
    "note_zh",
    "evidence",
    "basis_low",
    "basis_high",
)
STATUSES: tuple[str, ...] = ("ok", "derived", "scope_mismatch", "implausible", "missing")


#: Quantities shown per person or per 1,000 residents: (metric stem, figure, per 1,000?, labels, theme).
PER_CAPITA: tuple[tuple[str, str, bool, str, str, str], ...] = (
    ("gdp_per_capita", "gdp", False, "GDP per capita", "人均GDP", "economy"),
    (
        "budget_revenue_per_capita",
        "general_budget_revenue",
        False,
        "Budget revenue per capita",
        "人均一般公共预算收入",
        "economy",
    ),
    (
        "retail_sales_per_capita",
        "retail_sales",
        False,
        "Retail sales per capita",
        "人均社会消费品零售额",
        "economy",
    ),
    (
        "livelihood_spending_per_capita",
        "livelihood_spending",
        False,
        "Livelihood spending per capita",
        "人均民生支出",
        "livelihood",
    ),
    (
        "market_entities_per_1000",
        "market_entities_total",
        True,
        "Market entities per 1,000 residents",
        "每千人市场主体数",
        "economy",
    ),
    (
        "medical_workers_per_1000",
        "medical_workers",
        True,
        "Medical workers per 1,000 residents",
        "每千人医务工作者数",
        "epidemic",
    ),
    (
        "new_urban_jobs_per_1000",
        "new_urban_jobs",
        True,
        "New urban jobs per 1,000 residents",
        "每千人城镇新增就业",
        "livelihood",
    ),
)
#: What a per-capita value of each quantity means: output and counts by workplace are not residents' income.
PER_CAPITA_NOTES: dict[str, Bilingual] = {
    "gdp": Bilingual(
        "output produced in the district per resident, not residents' income",
        "按常住人口平均的辖区产出，不是居民收入",
    ),
    "retail_sales": Bilingual(
        "sales of units located in the district per resident (shoppers come from elsewhere), not income",
        "按常住人口平均的辖区内单位零售额（购物者也来自区外），不是收入",
    ),
    "medical_workers": Bilingual(
        "workplace-based: counts staff of every hospital in the district, including provincial and city "
        "hospitals that serve the whole province, not residents' access to care",
        "按单位所在地统计：包括辖区内服务全省的省、市级医院的全部人员，不代表居民的就医可及性",
    ),
}
#: Parents' per-capita values computed on their own census population, once: (stem, indicator, per 1,000?).
PARENT_PER_CAPITA: tuple[tuple[str, str, bool], ...] = (
    ("gdp_per_capita", "gdp", False),
    ("budget_revenue_per_capita", "budget_revenue", False),
    ("market_entities_per_1000", "market_entities", True),
    ("new_urban_jobs_per_1000", "new_urban_jobs", True),
)


def _per_capita_specs(basis: PopulationBasis) -> Iterator[MetricSpec]:
    """Jinshui's per-capita specs under one population basis (the parents' are computed once, elsewhere)."""
    population = Term("pop", basis.basis_id)
    mismatch = not basis.matches_report_scope
    for stem, figure_id, per_1000, label_en, label_zh, theme in PER_CAPITA:
        note = join_notes(basis.mismatch if mismatch else basis.caveats, PER_CAPITA_NOTES.get(figure_id, NONE))
        spec = _per_capita(stem, theme, label_en, label_zh, fig(figure_id), population, per_1000, note)
        yield replace(spec, status="scope_mismatch") if mismatch else spec


def _per_capita(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    quantity: Term,
    population: Term,
    per_1000: bool,
    note: Bilingual,
) -> MetricSpec:
    """Quantity / population (× 1,000 per thousand residents)."""
    factor = 1000.0 if per_1000 else 1.0
    unit = "per_1000_residents" if per_1000 else "yuan_per_person"
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        unit,
        (quantity, population),
        lambda q, p: (q / p).scale(factor),
        f"{quantity} / {population}" + (" × 1000" if per_1000 else ""),
        note=note,
    )


def build_derived_metrics(
    figures: pd.DataFrame | None = None,
    reference: Reference | None = None,
    corpus: list[ReportSource] | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    report: ReportSource | None = None,
) -> pd.DataFrame:
    """Build the derived-metrics table: the district's own metrics, then Jinshui against its parents.

    ``figures`` replaces Jinshui's figures table (for what-ifs); ``corpus`` is the reports joined on the
    indicator vocabulary (default: every report of ``data/reports``).
    """
    subject = report or subject_report()
    figures = subject.figures() if figures is None else figures
    reference = load_reference() if reference is None else reference
    corpus = all_reports() if corpus is None else corpus
    vocabulary = load_vocabulary() if vocabulary is None else vocabulary
    inputs = Inputs(figures, reference)
    bases = population_bases(reference, subject)
    recipes = read_recipes(subject.recipes_path, set(figures["figure_id"]), THEMES)
    rows = [evaluate(spec, inputs, bases, "") for spec in recipes]
    for basis_id, basis in bases.items():
        rows += [evaluate(spec, inputs, bases, basis_id) for spec in _per_capita_specs(basis)]
    found = observations(vocabulary, corpus, reference, overrides={subject.report_id: figures})
    themes = dict(zip(figures["figure_id"], figures["theme"], strict=True))
    cross, comparator = cross_level_rows(vocabulary, found, themes)
    parents = list(_parent_per_capita_rows(comparator, vocabulary))
    cross += [*implied_previous_rows(vocabulary, comparator), *(parent.row for parent in parents)]
    cross += population_rows(comparator, bases, [r for r in cross if r.metric_id.endswith(PARENT_SUFFIXES)])
    rows += [row.as_dict() for row in cross]
    table = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    table = _with_relative_per_capita(table, parents, comparator, vocabulary)
    table = _with_basis_ranges(table, [b for b, basis in bases.items() if basis.matches_report_scope])
    duplicated = table.duplicated(["metric_id", "population_basis"])
    if duplicated.any():
        raise ValueError(f"duplicate metric rows: {table.loc[duplicated, 'metric_id'].tolist()}")
    return table


PARENT_SUFFIXES: tuple[str, ...] = ("_share_of_zhengzhou", "_share_of_henan")


@dataclass(frozen=True)
class ParentPerCapita:
    """A parent's per-capita row, with the indicator and the observation of the quantity it divides."""

    row: Row
    indicator: Indicator
    quantity: Observation


def _parent_per_capita_rows(comparator: Comparator, vocabulary: Vocabulary) -> Iterator[ParentPerCapita]:
    """Zhengzhou's and Henan's per-capita values on their own census 2020 population: one row each."""
    for entity in ("zhengzhou", "henan"):
        population = comparator.pick("resident_population", entity)
        if population is None:
            continue
        for stem, indicator_code, per_1000 in PARENT_PER_CAPITA:
            quantity = comparator.pick(indicator_code, entity) or next(
                (o for o in comparator.all(indicator_code, entity) if o.source == "derived"), None
            )
            if quantity is None:
                continue
            indicator = vocabulary.indicators[indicator_code]
            label_en, label_zh = next((en, zh) for s, _, _, en, zh, _ in PER_CAPITA if s == stem)
            name_en, name_zh = ENTITY_NAMES[entity]
            factor = 1000.0 if per_1000 else 1.0
            derived = quantity.source == "derived"
            row = Row(
                f"{entity}_{stem}",
                "economy",
                f"{name_en}: {label_en}",
                f"{name_zh}：{label_zh}",
                (quantity.estimate / population.estimate).scale(factor),
                "per_1000_residents" if per_1000 else "yuan_per_person",
                f"{quantity.qualified_id} / {population.qualified_id}" + (" × 1000" if per_1000 else ""),
                (quantity.qualified_id, population.qualified_id),
                "derived" if derived else "ok",
                join_notes(
                    Bilingual(f"census 2020 population ({population.note})", f"七普人口（{population.note_zh}）"),
                    indicator.scope_notes,
                ),
                evidence=evidence_of(quantity, population) if not derived else evidence_of(population),
            )
            yield ParentPerCapita(row, indicator, quantity)


def _with_relative_per_capita(
    table: pd.DataFrame, parents: list[ParentPerCapita], comparator: Comparator, vocabulary: Vocabulary
) -> pd.DataFrame:
    """Jinshui's per-capita value over each parent's, per basis: where the district stands.

    The two quantities divided by their populations are compared like any other pair (their scopes, a
    derived side), and the population basis may add its own mismatch: the worse status wins.
    """
    extra = []
    for parent_per_capita in parents:
        parent = parent_per_capita.row
        entity, stem = parent.metric_id.split("_", 1)
        district = comparator.pick(parent_per_capita.indicator.code, SUBJECT)
        if district is None:
            continue
        pair_status, pair_note = comparison_status(
            district, parent_per_capita.quantity, parent_per_capita.indicator, vocabulary
        )
        for row in table[(table["metric_id"] == stem) & (table["population_basis"] != "")].itertuples():
            jinshui = Estimate(row.value, row.low, row.high)
            name_en, name_zh = ENTITY_NAMES[entity]
            status = max(row.status, pair_status, parent.status, key=STATUSES.index)
            extra.append(
                Row(
                    f"{stem}_relative_to_{entity}",
                    row.theme,
                    f"{row.label_en}: Jinshui relative to {name_en}",
                    f"{row.label_zh}：金水区相对{name_zh}",
                    jinshui / parent.estimate,
                    "ratio",
                    f"{stem}[{row.population_basis}] / {parent.metric_id}",
                    (*row.inputs.split(";"), *parent.inputs),
                    status,
                    join_notes(pair_note, Bilingual(row.note, row.note_zh), parent.note),
                    row.population_basis,
                    f"{evidence_of(district)} | {parent.evidence}",
                ).as_dict()
            )
    return pd.concat([table, pd.DataFrame(extra, columns=list(METRIC_COLUMNS))], ignore_index=True)


def _with_basis_ranges(table: pd.DataFrame, defensible: list[str]) -> pd.DataFrame:
    """For metrics computed per basis, the range of central values across the defensible bases."""
    table = table.copy()
    per_basis = table[table["population_basis"].isin(defensible)]
    ranges = per_basis.groupby("metric_id")["value"].agg(["min", "max"])
    has_basis = table["population_basis"] != ""
    table.loc[has_basis, "basis_low"] = table.loc[has_basis, "metric_id"].map(ranges["min"])
    table.loc[has_basis, "basis_high"] = table.loc[has_basis, "metric_id"].map(ranges["max"])
    return table


def write_outputs(output_dir: Path) -> tuple[Path, Path]:
    """Write derived_metrics.csv and audit_findings.csv (UTF-8) into ``output_dir``, creating it."""
    figures = subject_report().figures()
    reference = load_reference()
    metrics = build_derived_metrics(figures, reference)
    findings = run_audit(figures, metrics, reference)
    output_dir.mkdir(parents=True, exist_ok=True)
    metrics_path, findings_path = output_dir / "derived_metrics.csv", output_dir / "audit_findings.csv"
    metrics.to_csv(metrics_path, index=False, encoding="utf-8")
    with_rule_names(findings).to_csv(findings_path, index=False, encoding="utf-8")
    return metrics_path, findings_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.analysis.metrics OUTPUT_DIR``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.analysis.metrics", description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder to write derived_metrics.csv and audit_findings.csv")
    args = parser.parse_args(argv)
    try:
        written = write_outputs(args.output_dir)
    except (FiguresValidationError, ReportFolderError) as error:
        print(f"error: invalid data: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write to {args.output_dir}: {error.strerror or error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

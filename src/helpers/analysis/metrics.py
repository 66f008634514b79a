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
import math
import sys
from collections.abc import Callable, Iterator
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
from helpers.analysis.terms import Inputs, Term, cmp, fig
from helpers.analysis.terms import metric_value as metric_value  # the tables' reader, where callers look for it
from helpers.bilingual import NONE, Bilingual, join_notes
from helpers.sources.figures import FiguresValidationError
from helpers.sources.intervals import Estimate
from helpers.sources.population import PopulationBasis
from helpers.sources.reference import MissingComparatorError, Reference, load_reference, population_bases
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


@dataclass(frozen=True)
class MetricSpec:
    """How to compute one metric: a formula over terms, with its labels and unit."""

    metric_id: str
    theme: str
    label_en: str
    label_zh: str
    unit: str
    terms: tuple[Term, ...]
    compute: Callable[..., Estimate]
    formula: str
    status: str = "ok"
    note: Bilingual = NONE
    #: Returns a reason when the computed value cannot be true (the row's status becomes ``implausible``).
    check: Callable[[Estimate, list[Estimate]], Bilingual] | None = None


def ratio(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    part: Term,
    whole: Term,
    *,
    percent: bool = True,
    status: str = "ok",
    note: Bilingual = NONE,
) -> MetricSpec:
    """Part / whole (× 100 for a percent)."""
    factor = 100.0 if percent else 1.0
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        "percent" if percent else "ratio",
        (part, whole),
        lambda a, b: (a / b).scale(factor),
        f"{part} / {whole}" + (" × 100" if percent else ""),
        status,
        note,
    )


def previous_from_growth(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    level: Term,
    growth: Term,
    unit: str,
    note: Bilingual = NONE,
) -> MetricSpec:
    """The previous-year level implied by a level and its growth rate: level / (1 + g/100)."""
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        unit,
        (level, growth),
        lambda v, g: v / (g.scale(0.01) + 1.0),
        f"{level} / (1 + {growth} / 100)",
        note=note,
    )


def total_from_share(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    part: Term,
    share: Term,
    unit: str,
    note: Bilingual = NONE,
) -> MetricSpec:
    """The comparator total implied by a part and the share it is said to be: part / (share / 100)."""
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        unit,
        (part, share),
        lambda p, s: p / s.scale(0.01),
        f"{part} / ({share} / 100)",
        note=note,
        check=_total_at_least_part,
    )


def _total_at_least_part(result: Estimate, values: list[Estimate]) -> Bilingual:
    """A total implied by a share cannot be smaller than the part it contains."""
    if result.high < values[0].low:
        return Bilingual(
            "implausible: the implied total is smaller than the part it contains, so the printed share cannot be true",
            "不合理：推算出的总量小于其所含部分，原文所载比重不可能成立",
        )
    return NONE


def difference(
    metric_id: str,
    theme: str,
    label_en: str,
    label_zh: str,
    left: Term,
    right: Term,
    unit: str,
    note: Bilingual = NONE,
) -> MetricSpec:
    """Left − right, for levels in the same unit (also the previous-year level implied by a change)."""
    return MetricSpec(
        metric_id,
        theme,
        label_en,
        label_zh,
        unit,
        (left, right),
        lambda a, b: a - b,
        f"{left} − {right}",
        note=note,
    )


#: The note of the two revenue-to-GDP ratios that are read side by side: their numerators are not alike.
FISCAL_LEVELS_DIFFER = Bilingual(
    "not comparable with each other as they stand: Jinshui's revenue is the district level's own, after the "
    "shares of higher levels; Zhengzhou's is the local revenue of every level in the city (city, districts and "
    "counties), so the city's ratio is higher by construction",
    "两者不宜直接比较：金水区为扣除上级分享部分后的区本级收入，郑州市为全市（市、区、县）各级地方收入合计，"
    "故郑州市的比值天然偏高",
)

# --- the metrics ---------------------------------------------------------------------------------------

STATIC_METRICS: tuple[MetricSpec, ...] = (
    # Implied comparator totals from stated shares.
    total_from_share(
        "implied_zhengzhou_rd_institutions",
        "reform_innovation",
        "Zhengzhou's R&D institutions implied by the stated share",
        "由比重推算的郑州市研发机构总数",
        fig("rd_institutions"),
        fig("rd_institutions_share_of_city"),
        "count",
    ),
    total_from_share(
        "implied_zhengzhou_innovation_incubators",
        "reform_innovation",
        "Zhengzhou's incubators implied by the stated share",
        "由比重推算的郑州市双创载体总数",
        fig("innovation_incubators"),
        fig("innovation_incubators_share_of_city"),
        "count",
        note=Bilingual(
            "the total a stated share implies must be at least the part; the audit checks it",
            "由比重推算的总量不得小于部分本身；数据核查会检验这一点",
        ),
    ),
    total_from_share(
        "implied_henan_market_entities",
        "economy",
        "Henan's market entities implied by the stated 1/30",
        "由“占全省1/30”推算的全省市场主体总量",
        fig("market_entities_total"),
        fig("market_entities_share_of_henan"),
        "count",
        note=Bilingual(
            "compare with Henan's own printed total (henan-2021:market_entities)",
            "可与河南省报告自载的总量对照（henan-2021:market_entities）",
        ),
    ),
    # Implied previous-year levels.
    previous_from_growth(
        "implied_2019_new_market_entities",
        "economy",
        "New market entities in 2019 (implied)",
        "2019年新增市场主体（推算）",
        fig("new_market_entities"),
        fig("new_market_entities_growth"),
        "count",
    ),
    previous_from_growth(
        "implied_2019_livelihood_spending",
        "livelihood",
        "Livelihood spending in 2019 (implied)",
        "2019年民生支出（推算）",
        fig("livelihood_spending"),
        fig("livelihood_spending_growth"),
        "yuan",
    ),
    difference(
        "implied_2019_good_air_days",
        "urban_renewal",
        "Good-air days in 2019 (implied)",
        "2019年优良天数（推算）",
        fig("good_air_days"),
        fig("good_air_days_change"),
        "days",
    ),
    # Structure ratios inside the district.
    ratio(
        "modern_services_share_of_gdp",
        "economy",
        "Modern services value added as a share of GDP",
        "现代服务业增加值占GDP比重",
        fig("modern_services_value_added"),
        fig("gdp"),
        note=Bilingual(
            "GDP is a floor, so the printed ratio is a ceiling; Zhengzhou's tertiary share is 59% (broader)",
            "GDP为下限，故所得比值为上限；郑州市第三产业占比为59%（口径更宽）",
        ),
    ),
    ratio(
        "retail_sales_to_gdp",
        "economy",
        "Retail sales relative to GDP",
        "社会消费品零售总额与GDP之比",
        fig("retail_sales"),
        fig("gdp"),
    ),
    ratio(
        "budget_revenue_to_gdp",
        "economy",
        "Budget revenue relative to GDP",
        "一般公共预算收入与GDP之比",
        fig("general_budget_revenue"),
        fig("gdp"),
        note=FISCAL_LEVELS_DIFFER,
    ),
    ratio(
        "zhengzhou_budget_revenue_to_gdp",
        "economy",
        "Zhengzhou: budget revenue relative to GDP",
        "郑州市：一般公共预算收入与GDP之比",
        cmp("zhengzhou_general_public_budget_revenue"),
        cmp("zhengzhou_gdp"),
        status="scope_mismatch",
        note=FISCAL_LEVELS_DIFFER,
    ),
    ratio(
        "tax_fee_relief_to_budget_revenue",
        "economy",
        "Tax and fee relief relative to budget revenue",
        "减免税费与一般公共预算收入之比",
        fig("tax_fee_relief"),
        fig("general_budget_revenue"),
        status="scope_mismatch",
        note=Bilingual(
            "scope mismatch: relief covers taxes of every fiscal level, fees and social insurance premiums; "
            "the district's budget revenue is its own local share only",
            "口径不一致：减免涵盖各级财政的税收、收费和社保费，而区一般公共预算收入仅为区级留成部分",
        ),
    ),
    ratio(
        "new_market_entities_share_of_total",
        "economy",
        "New market entities as a share of all",
        "新增市场主体占市场主体总量比重",
        fig("new_market_entities"),
        fig("market_entities_total"),
    ),
    ratio(
        "key_projects_investment_to_gdp",
        "economy",
        "Major-project investment relative to GDP",
        "重大项目完成投资与GDP之比",
        fig("key_projects_investment"),
        fig("gdp"),
    ),
    ratio(
        "cross_border_ecommerce_to_foreign_trade",
        "reform_innovation",
        "Cross-border e-commerce turnover relative to foreign trade",
        "跨境电商交易额与外贸进出口之比",
        fig("cross_border_ecommerce_turnover"),
        fig("foreign_trade"),
        note=Bilingual(
            "different concepts: e-commerce turnover is not necessarily part of customs trade",
            "概念不同：跨境电商交易额未必包含在海关进出口额之内",
        ),
    ),
    ratio(
        "one_visit_items_share",
        "reform_innovation",
        "Share of hall items needing at most one visit",
        "“最多只跑一次”事项占入驻事项比重",
        fig("one_visit_items"),
        fig("service_items_in_hall"),
    ),
    ratio(
        "large_signed_projects_share",
        "reform_innovation",
        "Share of signed projects over 100 million yuan",
        "亿元以上项目占新签约项目比重",
        fig("signed_projects_over_100m"),
        fig("new_signed_projects"),
    ),
    ratio(
        "gdp_h1_share_of_year",
        "economy",
        "First-half GDP as a share of the full year",
        "上半年GDP占全年比重",
        cmp("jinshui_gdp_h1"),
        fig("gdp"),
        note=Bilingual(
            "first half from the Zhengzhou Statistics Bureau ranking; the full year is a floor",
            "上半年数取自郑州市统计局排名；全年数为下限",
        ),
    ),
)

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


def _evaluate(spec: MetricSpec, inputs: Inputs, bases: dict[str, PopulationBasis], basis_id: str) -> dict:
    """One row of the table; a missing comparator gives a row with status missing and the reason."""
    row = {
        "metric_id": spec.metric_id,
        "theme": spec.theme,
        "label_en": spec.label_en,
        "label_zh": spec.label_zh,
        "unit": spec.unit,
        "formula": spec.formula,
        "population_basis": basis_id,
        "inputs": ";".join(_input_ids(spec, bases)),
        "status": spec.status,
        "note": spec.note.en,
        "note_zh": spec.note.zh,
    }
    try:
        values = [bases[t.ident].estimate if t.source == "pop" else inputs.get(t) for t in spec.terms]
    except MissingComparatorError as missing:
        reason = Bilingual(
            f"missing comparator {missing.comparator_id}: {missing.reasons.en}",
            f"缺少对比数据 {missing.comparator_id}：{missing.reasons.zh}",
        )
        note = join_notes(reason, spec.note)
        return {
            **row,
            "value": math.nan,
            "low": math.nan,
            "high": math.nan,
            "status": "missing",
            "note": note.en,
            "note_zh": note.zh,
        }
    result = spec.compute(*values)
    problem = spec.check(result, values) if spec.check else ""
    if problem:
        note = join_notes(problem, spec.note)
        row["status"], row["note"], row["note_zh"] = "implausible", note.en, note.zh
    return {**row, "value": result.value, "low": result.low, "high": result.high}


def _input_ids(spec: MetricSpec, bases: dict[str, PopulationBasis]) -> list[str]:
    """The figure and comparator ids a metric reads (a population basis expands to its own inputs)."""
    ids: list[str] = []
    for term in spec.terms:
        ids.extend(bases[term.ident].inputs if term.source == "pop" else [term.ident])
    return ids


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
    rows = [_evaluate(spec, inputs, bases, "") for spec in STATIC_METRICS]
    for basis_id, basis in bases.items():
        rows += [_evaluate(spec, inputs, bases, basis_id) for spec in _per_capita_specs(basis)]
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

"""Per-capita values, population shares and location quotients, for a report and its parents.

The report's are computed on each of its population bases, its parents' on their own population.

``per_capita.csv`` names the indicators that have a per-capita metric (GDP per capita, market entities per
1,000 residents …) and those whose parents' values are set beside the report's. The report's values divide
by each basis of its ``population.toml``; a basis of another scope makes every row on it ``scope_mismatch``,
with the basis's note. A parent divides by its ``resident_population`` observation of the year. Nothing here
names an area.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pandas as pd

from helpers.analysis.comparisons import DERIVED, POPULATION, Comparator, comparison_status
from helpers.analysis.indicators import REFERENCE_SOURCE, Indicator, Observation, PerCapita, Vocabulary
from helpers.analysis.recipes import MetricSpec
from helpers.analysis.rows import METRIC_COLUMNS, STATUSES, Row, evidence_of
from helpers.analysis.terms import Term, cmp, fig
from helpers.bilingual import Bilingual, join_notes, split_label
from helpers.sources.intervals import Estimate
from helpers.sources.population import PopulationBasis


def _unit(per: int) -> str:
    return "per_1000_residents" if per == 1000 else "yuan_per_person"


def per_capita_specs(
    vocabulary: Vocabulary, comparator: Comparator, themes: dict[str, str], basis: PopulationBasis
) -> Iterator[MetricSpec]:
    """The report's per-capita specs under one population basis, one per indicator it prints."""
    subject = comparator.subject
    population = Term("pop", basis.basis_id)
    mismatch = not basis.matches_report_scope
    for entry in vocabulary.per_capita:
        quantity = comparator.pick(entry.indicator, subject.entity_id)
        if quantity is None or quantity.source == DERIVED:
            continue
        quantity_term = cmp(quantity.item_id) if quantity.source == REFERENCE_SOURCE else fig(quantity.item_id)
        note = join_notes(basis.mismatch if mismatch else basis.caveats, entry.note)
        factor = float(entry.per)
        spec = MetricSpec(
            entry.metric,
            themes.get(quantity.item_id, "economy"),
            entry.label.en,
            entry.label.zh,
            _unit(entry.per),
            (quantity_term, population),
            lambda q, p, factor=factor: (q / p).scale(factor),
            f"{quantity_term} / {population}" + (" × 1000" if entry.per == 1000 else ""),
            note=note,
        )
        yield replace(spec, status="scope_mismatch") if mismatch else spec


@dataclass(frozen=True)
class ParentPerCapita:
    """A parent's per-capita row, with the parent, the indicator and the observation of the quantity it divides."""

    row: Row
    entity: str
    stem: str
    indicator: Indicator
    quantity: Observation


def parent_per_capita_rows(
    comparator: Comparator, vocabulary: Vocabulary, themes: dict[str, str]
) -> Iterator[ParentPerCapita]:
    """Each parent's per-capita values on its own population of the year: one row each."""
    subject = comparator.subject
    for entity in subject.parent_ids:
        population = comparator.pick(POPULATION, entity)
        if population is None:
            continue
        for entry in vocabulary.per_capita:
            if not entry.compare_parents:
                continue
            quantity = comparator.pick(entry.indicator, entity) or next(
                (o for o in comparator.all(entry.indicator, entity) if o.source == DERIVED), None
            )
            if quantity is None:
                continue
            yield _parent_row(comparator, vocabulary, themes, entry, entity, quantity, population)


def _parent_row(
    comparator: Comparator,
    vocabulary: Vocabulary,
    themes: dict[str, str],
    entry: PerCapita,
    entity: str,
    quantity: Observation,
    population: Observation,
) -> ParentPerCapita:
    """One parent's per-capita row."""
    indicator = vocabulary.indicators[entry.indicator]
    name_en, name_zh = comparator.subject.names(entity)
    mine = comparator.pick(entry.indicator, comparator.subject.entity_id)
    derived = quantity.source == DERIVED
    per = " × 1000" if entry.per == 1000 else ""
    row = Row(
        f"{entity}_{entry.metric}",
        themes.get(mine.item_id, "economy") if mine is not None else "economy",
        f"{name_en}: {entry.label.en}",
        f"{name_zh}：{entry.label.zh}",
        (quantity.estimate / population.estimate).scale(float(entry.per)),
        _unit(entry.per),
        f"{quantity.qualified_id} / {population.qualified_id}{per}",
        (quantity.qualified_id, population.qualified_id),
        DERIVED if derived else "ok",
        join_notes(
            Bilingual(
                f"census {population.year} population ({population.note})",
                f"七普人口（{population.note_zh}）",
            ),
            indicator.scope_notes,
        ),
        evidence=evidence_of(quantity, population) if not derived else evidence_of(population),
    )
    return ParentPerCapita(row, entity, entry.metric, indicator, quantity)


def with_relative_per_capita(
    table: pd.DataFrame, parents: list[ParentPerCapita], comparator: Comparator, vocabulary: Vocabulary
) -> pd.DataFrame:
    """The report's per-capita value over each parent's, per basis: where the area stands.

    The two quantities divided by their populations are compared like any other pair (their scopes, a
    derived side), and the population basis may add its own mismatch: the worse status wins.
    """
    subject = comparator.subject
    ours_en, ours_zh = subject.entity.names
    extra = []
    for parent_per_capita in parents:
        parent, entity, stem = parent_per_capita.row, parent_per_capita.entity, parent_per_capita.stem
        district = comparator.pick(parent_per_capita.indicator.code, subject.entity_id)
        if district is None:
            continue
        pair_status, pair_note = comparison_status(
            district, parent_per_capita.quantity, parent_per_capita.indicator, vocabulary, subject
        )
        name_en, name_zh = subject.names(entity)
        for row in table[(table["metric_id"] == stem) & (table["population_basis"] != "")].itertuples():
            ours = Estimate(row.value, row.low, row.high)
            status = max(row.status, pair_status, parent.status, key=STATUSES.index)
            extra.append(
                Row(
                    f"{stem}_relative_to_{entity}",
                    row.theme,
                    f"{row.label_en}: {ours_en} relative to {name_en}",
                    f"{row.label_zh}：{ours_zh}相对{name_zh}",
                    ours / parent.estimate,
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


def population_rows(comparator: Comparator, bases: dict[str, PopulationBasis], share_rows: list[Row]) -> Iterator[Row]:
    """The report's share of each parent's population and the location quotients, per basis."""
    subject = comparator.subject
    ours_en, ours_zh = subject.entity.names
    for parent_id in subject.parent_ids:
        population = comparator.pick(POPULATION, parent_id)
        if population is None:
            continue
        name_en, name_zh = subject.names(parent_id)
        for basis_id, basis in bases.items():
            mismatch = not basis.matches_report_scope
            share = (basis.estimate / population.estimate).scale(100.0)
            basis_note = basis.mismatch if mismatch else basis.caveats
            yield Row(
                f"population_share_of_{parent_id}",
                "economy",
                f"Population: {ours_en} as a share of {name_en}'s",
                f"常住人口：{ours_zh}占{name_zh}比重",
                share,
                "percent",
                f"{basis_id} / {population.qualified_id} × 100",
                (*basis.inputs, population.qualified_id),
                "scope_mismatch" if mismatch else "ok",
                join_notes(basis_note, Bilingual(f"{name_en}: {population.note}", f"{name_zh}：{population.note_zh}")),
                basis_id,
                evidence_of(population),
            )
            for row in share_rows:
                if not row.metric_id.endswith(f"_share_of_{parent_id}") or row.estimate is None:
                    continue
                code = row.metric_id.removesuffix(f"_share_of_{parent_id}")
                yield Row(
                    f"location_quotient_{code}_{parent_id}",
                    row.theme,
                    f"{split_label(row.label_en)[0]}: location quotient against {name_en}",
                    f"{split_label(row.label_zh)[0]}：{ours_zh}占{name_zh}比重与人口占比之比",
                    row.estimate / share,
                    "ratio",
                    f"({row.formula.removesuffix(' × 100')}) / ({basis_id} / {population.qualified_id})",
                    (*row.inputs, *basis.inputs, population.qualified_id),
                    "scope_mismatch" if mismatch or row.status == "scope_mismatch" else row.status,
                    join_notes(basis.mismatch if mismatch else Bilingual(), row.note),
                    basis_id,
                    row.evidence,
                )


def with_basis_ranges(table: pd.DataFrame, defensible: list[str]) -> pd.DataFrame:
    """For metrics computed per basis, the range of central values across the defensible bases."""
    table = table.copy()
    per_basis = table[table["population_basis"].isin(defensible)]
    ranges = per_basis.groupby("metric_id")["value"].agg(["min", "max"])
    has_basis = table["population_basis"] != ""
    table.loc[has_basis, "basis_low"] = table.loc[has_basis, "metric_id"].map(ranges["min"])
    table.loc[has_basis, "basis_high"] = table.loc[has_basis, "metric_id"].map(ranges["max"])
    return table

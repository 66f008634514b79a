"""Jinshui against Zhengzhou, Henan and China, joined on the indicator vocabulary.

For each indicator the district report states for 2020: its share of each parent's total (flows and stocks),
the difference (days, conditions) or the gap in growth (percentage points), with intervals; a parent's 2020
level that no source prints is derived from a sourced 2019 level and a printed 2020 growth rate (status
``derived``), never silently; per-capita values of the parents on their own census population, once; Jinshui's
population share and the location quotient (share of the total over share of the population) per basis.
A comparison across scopes (fiscal level, project list, flow against stock, definitions) is
``scope_mismatch`` with both scopes named, never ``ok``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from helpers.analysis.indicators import ENTITY_NAMES, REFERENCE_SOURCE, Indicator, Observation, Vocabulary
from helpers.bilingual import Bilingual, join_notes, split_label
from helpers.sources.intervals import Estimate
from helpers.sources.population import PopulationBasis

SUBJECT = "jinshui"
PARENTS: tuple[str, ...] = ("zhengzhou", "henan", "china")
#: Parents whose totals a core indicator must be compared with (a missing one is a visible row).
EXPECTED_PARENTS: tuple[str, ...] = ("zhengzhou", "henan")
#: Units named in a note when two values cannot divide (the figures tables' unit codes).
UNIT_NAMES: dict[str, tuple[str, str]] = {"usd": ("US dollars", "美元"), "yuan": ("yuan", "人民币元")}
#: Indicators whose growth is nominal, so that a level over (1 + growth) is the previous year's level.
DERIVED = "derived"
#: The indicator whose observation converts US dollars into yuan: the year's average exchange rate.
EXCHANGE_RATE = "usd_cny_exchange_rate"
NOMINAL_GROWTH: dict[str, str] = {
    "budget_revenue": "budget_revenue_growth",
    "foreign_trade": "foreign_trade_growth",
    "retail_sales": "retail_sales_growth",
}


@dataclass(frozen=True)
class Row:
    """One row of the derived-metrics table (see ``helpers.analysis.metrics.METRIC_COLUMNS``)."""

    metric_id: str
    theme: str
    label_en: str
    label_zh: str
    estimate: Estimate | None
    unit: str
    formula: str
    inputs: tuple[str, ...]
    status: str
    note: Bilingual
    population_basis: str = ""
    evidence: str = ""

    def as_dict(self) -> dict[str, object]:
        """The row as the table holds it (NaN where there is no value)."""
        value, low, high = self.estimate.as_tuple() if self.estimate else (math.nan, math.nan, math.nan)
        return {
            "metric_id": self.metric_id,
            "theme": self.theme,
            "label_en": self.label_en,
            "label_zh": self.label_zh,
            "value": value,
            "low": low,
            "high": high,
            "unit": self.unit,
            "formula": self.formula,
            "inputs": ";".join(self.inputs),
            "population_basis": self.population_basis,
            "status": self.status,
            "note": self.note.en,
            "note_zh": self.note.zh,
            "evidence": self.evidence,
        }


def evidence_of(*found: Observation) -> str:
    """Where each side was printed: source and verbatim quote."""
    return " | ".join(f"{o.qualified_id} ({o.source_label}): «{o.quote}»" for o in found)


class Comparator:
    """Picks, for an indicator and an entity, the observation a comparison uses, and derives missing levels."""

    def __init__(self, found: list[Observation]) -> None:
        """Index observations by (indicator, entity)."""
        self.by_key: dict[tuple[str, str], list[Observation]] = {}
        for observation in found:
            self.by_key.setdefault((observation.indicator, observation.entity), []).append(observation)
        self.derived: list[Row] = []

    def all(self, indicator: str, entity: str) -> list[Observation]:
        """Every observation of one indicator for one entity."""
        return self.by_key.get((indicator, entity), [])

    def pick(self, indicator: str, entity: str) -> Observation | None:
        """The 2020 review value: exact before a bound, the entity's own report before the reference tables."""
        candidates = [o for o in self.all(indicator, entity) if o.year == 2020 and o.section == "review"]
        # An exact value before a bound, then the entity's own report before a secondary source.
        candidates.sort(key=lambda o: (o.qualifier != "exact", o.source == REFERENCE_SOURCE))
        return candidates[0] if candidates else None

    def derive_from_growth(self, indicator: Indicator, entity: str, growth_code: str) -> Observation | None:
        """A 2020 level from a sourced 2019 level and a printed 2020 growth rate (status ``derived``)."""
        previous = [o for o in self.all(indicator.code, entity) if o.year == 2019]
        growth = self.pick(growth_code, entity)
        if not previous or growth is None:
            return None
        level = previous[0].estimate * (growth.estimate.scale(0.01) + 1.0)
        metric_id = f"{entity}_{indicator.code}_2020_derived"
        name_en, name_zh = ENTITY_NAMES[entity]
        self.derived.append(
            Row(
                metric_id,
                "economy",
                f"{name_en}: {indicator.name_en}, 2020 (derived from 2019 and the 2020 growth)",
                f"{name_zh}：{indicator.name_zh}2020年（由2019年数与2020年增速推算）",
                level,
                indicator.unit,
                f"{previous[0].qualified_id} × (1 + {growth.qualified_id} / 100)",
                (previous[0].qualified_id, growth.qualified_id),
                "derived",
                Bilingual(
                    f"no source prints the 2020 level; derived from the 2019 level ({previous[0].note}) and the "
                    f"growth printed in {growth.source_label}",
                    f"无来源载有2020年数，由2019年数（{previous[0].note_zh}）与{growth.source_label}所载增速推算",
                ),
                evidence=evidence_of(previous[0], growth),
            )
        )
        return Observation(
            indicator.code,
            entity,
            "derived",
            metric_id,
            level,
            2020,
            "review",
            previous[0].scope,
            "derived",
            "",
            "derived",
        )


def comparison_status(
    district: Observation, parent: Observation, indicator: Indicator, vocabulary: Vocabulary
) -> tuple[str, Bilingual]:
    """Ok only when both scopes are the same (or declared comparable) and neither side is derived; else why.

    Every recipe that sets a value of the district against a parent's (shares, gaps, per-capita ratios)
    takes its status from here, so that no recipe can call two scopes comparable on its own.
    """
    notes = (district.notes, parent.notes)
    caveat = vocabulary.comparable(district.scope, parent.scope) if district.scope != parent.scope else None
    if caveat is not None:
        notes = (caveat, *notes)
    elif district.scope != parent.scope:
        (ours_en, ours_zh), (theirs_en, theirs_zh) = ENTITY_NAMES[district.entity], ENTITY_NAMES[parent.entity]
        ours, theirs = vocabulary.scopes[district.scope], vocabulary.scopes[parent.scope]
        reason = Bilingual(
            f"scope mismatch: {ours_en} is {ours.en}, {theirs_en} is {theirs.en}",
            f"口径不一致：{ours_zh}为{ours.zh}，{theirs_zh}为{theirs.zh}",
        )
        return "scope_mismatch", join_notes(reason, indicator.scope_notes, *notes)
    if parent.source == DERIVED:
        return DERIVED, join_notes(
            Bilingual("the comparator is derived, not printed", "对比数据为推算值，非原文所载"), *notes
        )
    return "ok", join_notes(*notes)


def cross_level_rows(
    vocabulary: Vocabulary, found: list[Observation], themes: dict[str, str]
) -> tuple[list[Row], Comparator]:
    """Shares, differences and growth gaps of Jinshui against each parent, and the derived comparators."""
    comparator = Comparator(found)
    rows: list[Row] = []
    for indicator in vocabulary.indicators.values():
        district = comparator.pick(indicator.code, SUBJECT)
        if district is None or indicator.measure in ("per_capita", "exchange_rate"):
            continue
        theme = themes.get(district.item_id, "economy")
        for parent_id in PARENTS:
            parent = comparator.pick(indicator.code, parent_id)
            growth_code = NOMINAL_GROWTH.get(indicator.code)
            if parent is None and growth_code:
                parent = comparator.derive_from_growth(indicator, parent_id, growth_code)
            if parent is None:
                if indicator.core and parent_id in EXPECTED_PARENTS and indicator.measure in ("flow", "stock"):
                    rows.append(_missing(indicator, parent_id, district, theme, comparator))
                continue
            if district.unit and parent.unit and district.unit != parent.unit:
                converted = _converted(parent, district.unit, comparator)
                if converted is None:
                    rows.append(_other_unit(indicator, district, parent, theme))
                    continue
                parent = converted
            rows.append(_compare(indicator, district, parent, theme, vocabulary))
    return [*comparator.derived, *rows], comparator


@dataclass(frozen=True)
class Converted:
    """A parent's value converted into the district's currency at a printed rate: both inputs quoted."""

    observation: Observation
    printed: Observation
    rate: Observation


def _converted(parent: Observation, unit: str, comparator: Comparator) -> Converted | None:
    """A US-dollar value in yuan at the year's average rate printed by a source, or None without one.

    A flow of the year converts at the year's average rate (China's communiqué prints it); a stock or a
    value of another year would need another rate, and no other pair of currencies has a printed rate here.
    """
    if (parent.unit, unit) != ("usd", "yuan") or parent.year is None:
        return None
    rates = [o for o in comparator.all(EXCHANGE_RATE, "china") if o.year == parent.year and o.section == "review"]
    if not rates:
        return None
    rate = rates[0]
    observation = replace(
        parent,
        estimate=parent.estimate * rate.estimate,
        unit=unit,
        item_id=f"{parent.item_id} × {rate.qualified_id}",
    )
    return Converted(observation, parent, rate)


def _other_unit(indicator: Indicator, district: Observation, parent: Observation, theme: str) -> Row:
    """A parent's value printed in another unit, with no printed rate to convert it: no share.

    The row is ``missing``, with the reason; a share of yuan over dollars is no share at all.
    """
    name_en, name_zh = ENTITY_NAMES[parent.entity]
    theirs, ours = (UNIT_NAMES.get(o.unit, (o.unit, o.unit)) for o in (parent, district))
    return Row(
        f"{indicator.code}_share_of_{parent.entity}",
        theme,
        f"{indicator.name_en}: Jinshui as a share of {name_en}'s",
        f"{indicator.name_zh}：金水区占{name_zh}比重",
        None,
        "percent",
        f"{district.qualified_id} / {parent.qualified_id} × 100",
        (district.qualified_id, parent.qualified_id),
        "missing",
        Bilingual(
            f"not computed: {name_en} prints it in {theirs[0]} ({parent.qualified_id}), Jinshui in {ours[0]}, "
            "and no source of this project prints the exchange rate of that year that would convert it",
            f"未计算：{name_zh}以{theirs[1]}计（{parent.qualified_id}），金水区以{ours[1]}计，"
            "本项目的来源均未载有该年可用于换算的汇率",
        ),
        evidence=evidence_of(district, parent),
    )


def _missing(indicator: Indicator, parent_id: str, district: Observation, theme: str, comparator: Comparator) -> Row:
    """A core comparison no source can fill; values of the parent that are not the year's level are named."""
    name_en, name_zh = ENTITY_NAMES[parent_id]
    reason = Bilingual(
        f"missing comparator: no report or reference table of this project prints {name_en}'s 2020 {indicator.name_en}",
        f"缺少对比数据：本项目的报告和参考表均未载有{name_zh}2020年{indicator.name_zh}",
    )
    unused = [o for o in comparator.all(indicator.code, parent_id) if o.year != 2020 or o.section != "review"]
    notes = [
        Bilingual(
            f"{o.qualified_id} («{o.quote}») is not used: {o.note or 'not the 2020 level'}",
            f"未采用{o.qualified_id}（“{o.quote}”）：{o.note_zh or '并非2020年数'}",
        )
        for o in unused
    ]
    return Row(
        f"{indicator.code}_share_of_{parent_id}",
        theme,
        f"{indicator.name_en}: Jinshui as a share of {name_en}'s",
        f"{indicator.name_zh}：金水区占{name_zh}比重",
        None,
        "percent",
        f"{district.qualified_id} / {parent_id}:{indicator.code} × 100",
        (district.qualified_id,),
        "missing",
        join_notes(reason, *notes),
        evidence=evidence_of(district, *unused),
    )


def _compare(
    indicator: Indicator,
    district: Observation,
    parent: Observation | Converted,
    theme: str,
    vocabulary: Vocabulary,
) -> Row:
    """The share (flows, stocks), difference (conditions) or growth gap (growth rates) of one pair.

    A parent's value converted into the district's currency is a ``derived`` comparison whose formula,
    inputs and evidence name the printed value and the printed rate.
    """
    converted = parent if isinstance(parent, Converted) else None
    parent = converted.observation if converted else parent
    status, note = comparison_status(district, parent, indicator, vocabulary)
    name_en, name_zh = ENTITY_NAMES[parent.entity]
    inputs: tuple[str, ...] = (district.qualified_id, parent.qualified_id)
    evidence = evidence_of(district, parent)
    parent_term = parent.qualified_id
    if converted:
        printed, rate = converted.printed, converted.rate
        inputs, evidence = (
            (district.qualified_id, printed.qualified_id, rate.qualified_id),
            evidence_of(district, printed, rate),
        )
        parent_term = f"({printed.qualified_id} × {rate.qualified_id})"
        conversion = Bilingual(
            f"{name_en}'s value, printed in US dollars, converted into yuan at the {printed.year} average rate "
            f"printed in {rate.source_label} ({rate.estimate.value:g} yuan per US dollar)",
            f"{name_zh}原文以美元计，按{rate.source_label}所载{printed.year}年平均汇率"
            f"（1美元兑{rate.estimate.value:g}元人民币）换算为人民币",
        )
        status = DERIVED if status == "ok" else status
        note = join_notes(conversion, note)
    if indicator.measure in ("flow", "stock"):
        share = (district.estimate / parent.estimate).scale(100.0)
        if share.value > 100 and status == "ok":
            larger = Bilingual("a part larger than its whole: one of the two is wrong", "部分大于整体：两者必有一误")
            status, note = "implausible", join_notes(larger, note)
        # Above 100% the district's value is no part of the parent's (definitions differ, or one is wrong):
        # the ratio is not called a share (比重).
        part = share.value <= 100
        return Row(
            f"{indicator.code}_share_of_{parent.entity}",
            theme,
            f"{indicator.name_en}: Jinshui as a share of {name_en}'s"
            if part
            else f"{indicator.name_en}: Jinshui's relative to {name_en}'s",
            f"{indicator.name_zh}：金水区占{name_zh}比重" if part else f"{indicator.name_zh}：金水区与{name_zh}之比",
            share,
            "percent",
            f"{district.qualified_id} / {parent_term} × 100",
            inputs,
            status,
            note,
            evidence=evidence,
        )
    is_growth = indicator.measure == "growth"
    return Row(
        f"{indicator.code}_{'gap' if is_growth else 'difference'}_vs_{parent.entity}",
        theme,
        f"{indicator.name_en}: Jinshui minus {name_en}" + (" (percentage points)" if is_growth else ""),
        f"{indicator.name_zh}：金水区减{name_zh}" + ("（百分点）" if is_growth else ""),
        district.estimate - parent.estimate,
        "percentage_points" if is_growth else indicator.unit,
        f"{district.qualified_id} − {parent_term}",
        inputs,
        status,
        note,
        evidence=evidence,
    )


def implied_previous_rows(vocabulary: Vocabulary, comparator: Comparator) -> Iterator[Row]:
    """A parent's 2019 level implied by its printed 2020 level and nominal growth: level / (1 + g/100)."""
    for code, growth_code in NOMINAL_GROWTH.items():
        indicator = vocabulary.indicators[code]
        for entity in PARENTS:
            level, growth = comparator.pick(code, entity), comparator.pick(growth_code, entity)
            if level is None or growth is None or level.source == REFERENCE_SOURCE:
                continue
            name_en, name_zh = ENTITY_NAMES[entity]
            yield Row(
                f"implied_2019_{entity}_{code}",
                "economy",
                f"{name_en}: {indicator.name_en}, 2019 (implied by the 2020 level and growth)",
                f"{name_zh}：{indicator.name_zh}2019年（由2020年数与增速推算）",
                level.estimate / (growth.estimate.scale(0.01) + 1.0),
                indicator.unit,
                f"{level.qualified_id} / (1 + {growth.qualified_id} / 100)",
                (level.qualified_id, growth.qualified_id),
                "ok",
                Bilingual("nominal growth", "名义增速"),
                evidence=evidence_of(level, growth),
            )


def population_rows(comparator: Comparator, bases: dict[str, PopulationBasis], share_rows: list[Row]) -> Iterator[Row]:
    """Jinshui's share of each parent's population and the location quotients, per basis."""
    for parent_id in ("zhengzhou", "henan"):
        population = comparator.pick("resident_population", parent_id)
        if population is None:
            continue
        name_en, name_zh = ENTITY_NAMES[parent_id]
        for basis_id, basis in bases.items():
            mismatch = not basis.matches_report_scope
            share = (basis.estimate / population.estimate).scale(100.0)
            status = "scope_mismatch" if mismatch else "ok"
            basis_note = basis.mismatch if mismatch else basis.caveats
            yield Row(
                f"population_share_of_{parent_id}",
                "economy",
                f"Population: Jinshui as a share of {name_en}'s",
                f"常住人口：金水区占{name_zh}比重",
                share,
                "percent",
                f"{basis_id} / {population.qualified_id} × 100",
                (*basis.inputs, population.qualified_id),
                status,
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
                    f"{split_label(row.label_zh)[0]}：金水区占{name_zh}比重与人口占比之比",
                    row.estimate / share,
                    "ratio",
                    f"({row.formula.removesuffix(' × 100')}) / ({basis_id} / {population.qualified_id})",
                    (*row.inputs, *basis.inputs, population.qualified_id),
                    "scope_mismatch" if mismatch or row.status == "scope_mismatch" else row.status,
                    join_notes(basis.mismatch if mismatch else Bilingual(), row.note),
                    basis_id,
                    row.evidence,
                )

"""A report against its parents (city, province, nation), joined on the indicator vocabulary.

For each indicator the report states for its year: its share of each parent's total (flows and stocks), the
difference (days, conditions) or the gap in growth (percentage points), with intervals; a parent's level that
no source prints is derived from a sourced level of the year before and a printed growth rate (status
``derived``), never silently. A comparison across scopes (fiscal level, project list, flow against stock,
definitions) is ``scope_mismatch`` with both scopes named, never ``ok``. The parents are the subject's
(``helpers.analysis.subject``): nothing here names an area.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from helpers.analysis.indicators import REFERENCE_SOURCE, Indicator, Observation, Vocabulary
from helpers.analysis.rows import Row, evidence_of
from helpers.analysis.subject import Subject
from helpers.bilingual import Bilingual, join_notes

#: Units named in a note when two values cannot divide (the figures tables' unit codes).
UNIT_NAMES: dict[str, tuple[str, str]] = {"usd": ("US dollars", "美元"), "yuan": ("yuan", "人民币元")}
DERIVED = "derived"
#: The indicator whose observation converts US dollars into yuan: the year's average exchange rate.
EXCHANGE_RATE = "usd_cny_exchange_rate"
#: The indicator of resident population: the denominator of shares of people, never compared as a total.
POPULATION = "resident_population"


class Comparator:
    """Picks, for an indicator and an entity, the observation a comparison uses, and derives missing levels."""

    def __init__(self, found: list[Observation], subject: Subject) -> None:
        """Index observations by (indicator, entity); values are picked for the subject's year."""
        self.subject = subject
        self.year = subject.year
        self.by_key: dict[tuple[str, str], list[Observation]] = {}
        for observation in found:
            self.by_key.setdefault((observation.indicator, observation.entity), []).append(observation)
        self.derived: list[Row] = []

    def all(self, indicator: str, entity: str) -> list[Observation]:
        """Every observation of one indicator for one entity."""
        return self.by_key.get((indicator, entity), [])

    def pick(self, indicator: str, entity: str) -> Observation | None:
        """The year's review value: exact before a bound, the entity's own report before the reference tables."""
        candidates = [o for o in self.all(indicator, entity) if o.year == self.year and o.section == "review"]
        # An exact value before a bound, then the entity's own report before a secondary source.
        candidates.sort(key=lambda o: (o.qualifier != "exact", o.source == REFERENCE_SOURCE))
        return candidates[0] if candidates else None

    def derive_from_growth(self, indicator: Indicator, entity: str, growth_code: str, theme: str) -> Observation | None:
        """A level of the year from a sourced level of the year before and a printed growth (status ``derived``)."""
        year, before = self.year, self.year - 1
        previous = [o for o in self.all(indicator.code, entity) if o.year == before]
        growth = self.pick(growth_code, entity)
        if not previous or growth is None:
            return None
        level = previous[0].estimate * (growth.estimate.scale(0.01) + 1.0)
        metric_id = f"{entity}_{indicator.code}_{year}_derived"
        name_en, name_zh = self.subject.names(entity)
        self.derived.append(
            Row(
                metric_id,
                theme,
                f"{name_en}: {indicator.name_en}, {year} (derived from {before} and the {year} growth)",
                f"{name_zh}：{indicator.name_zh}{year}年（由{before}年数与{year}年增速推算）",
                level,
                indicator.unit,
                f"{previous[0].qualified_id} × (1 + {growth.qualified_id} / 100)",
                (previous[0].qualified_id, growth.qualified_id),
                "derived",
                Bilingual(
                    f"no source prints the {year} level; derived from the {before} level ({previous[0].note}) and "
                    f"the growth printed in {growth.source_label}",
                    f"无来源载有{year}年数，由{before}年数（{previous[0].note_zh}）与{growth.source_label}所载增速推算",
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
            year,
            "review",
            previous[0].scope,
            "derived",
            "",
            "derived",
            level=previous[0].level,
        )


def comparison_status(
    district: Observation, parent: Observation, indicator: Indicator, vocabulary: Vocabulary, subject: Subject
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
        (ours_en, ours_zh), (theirs_en, theirs_zh) = subject.names(district.entity), subject.names(parent.entity)
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
    vocabulary: Vocabulary, found: list[Observation], themes: dict[str, str], subject: Subject
) -> tuple[list[Row], Comparator]:
    """Shares, differences and growth gaps of the subject against each parent, and the derived comparators."""
    comparator = Comparator(found, subject)
    growth_of = {rate.level: rate.rate for rate in vocabulary.rates if rate.recipe == "growth"}
    rows: list[Row] = []
    for indicator in vocabulary.indicators.values():
        district = comparator.pick(indicator.code, subject.entity_id)
        if district is None or indicator.measure in ("per_capita", "exchange_rate") or indicator.code == POPULATION:
            continue
        theme = themes.get(district.item_id, "economy")
        for parent_id in subject.parent_ids:
            parent = comparator.pick(indicator.code, parent_id)
            growth_code = growth_of.get(indicator.code)
            if parent is None and growth_code:
                parent = comparator.derive_from_growth(indicator, parent_id, growth_code, theme)
            if parent is None:
                if indicator.core and subject.expected(parent_id) and indicator.measure in ("flow", "stock"):
                    rows.append(_missing(indicator, parent_id, district, theme, comparator))
                continue
            if district.unit and parent.unit and district.unit != parent.unit:
                converted = _converted(parent, district.unit, comparator)
                if converted is None:
                    rows.append(_other_unit(indicator, district, parent, theme, subject))
                    continue
                parent = converted
            rows.append(_compare(indicator, district, parent, theme, vocabulary, subject))
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
    rates = [
        o
        for (code, _), found in comparator.by_key.items()
        if code == EXCHANGE_RATE
        for o in found
        if o.year == parent.year and o.section == "review"
    ]
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


def _other_unit(indicator: Indicator, district: Observation, parent: Observation, theme: str, subject: Subject) -> Row:
    """A parent's value printed in another unit, with no printed rate to convert it: no share.

    The row is ``missing``, with the reason; a share of yuan over dollars is no share at all.
    """
    name_en, name_zh = subject.names(parent.entity)
    ours_en, ours_zh = subject.entity.names
    theirs, ours = (UNIT_NAMES.get(o.unit, (o.unit, o.unit)) for o in (parent, district))
    return Row(
        f"{indicator.code}_share_of_{parent.entity}",
        theme,
        f"{indicator.name_en}: {ours_en} as a share of {name_en}'s",
        f"{indicator.name_zh}：{ours_zh}占{name_zh}比重",
        None,
        "percent",
        f"{district.qualified_id} / {parent.qualified_id} × 100",
        (district.qualified_id, parent.qualified_id),
        "missing",
        Bilingual(
            f"not computed: {name_en} prints it in {theirs[0]} ({parent.qualified_id}), {ours_en} in {ours[0]}, "
            "and no source of this project prints the exchange rate of that year that would convert it",
            f"未计算：{name_zh}以{theirs[1]}计（{parent.qualified_id}），{ours_zh}以{ours[1]}计，"
            "本项目的来源均未载有该年可用于换算的汇率",
        ),
        evidence=evidence_of(district, parent),
    )


def _missing(indicator: Indicator, parent_id: str, district: Observation, theme: str, comparator: Comparator) -> Row:
    """A core comparison no source can fill; values of the parent that are not the year's level are named."""
    subject, year = comparator.subject, comparator.year
    name_en, name_zh = subject.names(parent_id)
    ours_en, ours_zh = subject.entity.names
    reason = Bilingual(
        f"missing comparator: no report or reference table of this project prints {name_en}'s {year} "
        f"{indicator.name_en}",
        f"缺少对比数据：本项目的报告和参考表均未载有{name_zh}{year}年{indicator.name_zh}",
    )
    unused = [o for o in comparator.all(indicator.code, parent_id) if o.year != year or o.section != "review"]
    notes = [
        Bilingual(
            f"{o.qualified_id} («{o.quote}») is not used: {o.note or f'not the {year} level'}",
            f"未采用{o.qualified_id}（“{o.quote}”）：{o.note_zh or f'并非{year}年数'}",
        )
        for o in unused
    ]
    return Row(
        f"{indicator.code}_share_of_{parent_id}",
        theme,
        f"{indicator.name_en}: {ours_en} as a share of {name_en}'s",
        f"{indicator.name_zh}：{ours_zh}占{name_zh}比重",
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
    subject: Subject,
) -> Row:
    """The share (flows, stocks), difference (conditions) or growth gap (growth rates) of one pair.

    A parent's value converted into the district's currency is a ``derived`` comparison whose formula,
    inputs and evidence name the printed value and the printed rate.
    """
    converted = parent if isinstance(parent, Converted) else None
    parent = converted.observation if converted else parent
    status, note = comparison_status(district, parent, indicator, vocabulary, subject)
    name_en, name_zh = subject.names(parent.entity)
    ours_en, ours_zh = subject.entity.names
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
            f"{indicator.name_en}: {ours_en} as a share of {name_en}'s"
            if part
            else f"{indicator.name_en}: {ours_en}'s relative to {name_en}'s",
            f"{indicator.name_zh}：{ours_zh}占{name_zh}比重"
            if part
            else f"{indicator.name_zh}：{ours_zh}与{name_zh}之比",
            share,
            "percent",
            f"{district.qualified_id} / {parent_term} × 100",
            inputs,
            status,
            note,
            evidence=evidence,
        )
    is_growth = indicator.measure in ("growth", "share")  # both compare as a gap in percentage points
    return Row(
        f"{indicator.code}_{'gap' if is_growth else 'difference'}_vs_{parent.entity}",
        theme,
        f"{indicator.name_en}: {ours_en} minus {name_en}" + (" (percentage points)" if is_growth else ""),
        f"{indicator.name_zh}：{ours_zh}减{name_zh}" + ("（百分点）" if is_growth else ""),
        district.estimate - parent.estimate,
        "percentage_points" if is_growth else indicator.unit,
        f"{district.qualified_id} − {parent_term}",
        inputs,
        status,
        note,
        evidence=evidence,
    )

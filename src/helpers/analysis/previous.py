"""The previous year's level implied by a level and its rate, for the report and for each of its parents.

``previous_levels.csv`` says which rates imply it (nominal growth, the growth of a count, a change in days;
not real growth, which deflates): level / (1 + g / 100), or level − change. The report's own rows are
``implied_<year>_<indicator>``, a parent's ``implied_<year>_<parent>_<indicator>``; a parent's level taken from
a reference table (a secondary source) implies nothing here, its own report does.
"""

from __future__ import annotations

from collections.abc import Iterator

from helpers.analysis.comparisons import Comparator
from helpers.analysis.indicators import REFERENCE_SOURCE, Rate, Vocabulary
from helpers.analysis.rows import Row, evidence_of


def implied_previous_rows(
    vocabulary: Vocabulary, comparator: Comparator, themes: dict[str, str], *, parents: bool
) -> Iterator[Row]:
    """Every previous-year level a level and its rate imply: the report's own, or (``parents``) its parents'."""
    subject = comparator.subject
    for entity in subject.parent_ids if parents else (subject.entity_id,):
        for rate in vocabulary.rates:
            row = _implied(vocabulary, comparator, rate, entity, themes)
            if row is not None:
                yield row


def _implied(
    vocabulary: Vocabulary, comparator: Comparator, rate: Rate, entity: str, themes: dict[str, str]
) -> Row | None:
    """One implied level, or None when the entity's own report does not print both the level and its rate."""
    subject, year = comparator.subject, comparator.year
    level, change = comparator.pick(rate.level, entity), comparator.pick(rate.rate, entity)
    if level is None or change is None or level.source == REFERENCE_SOURCE:
        return None
    indicator = vocabulary.indicators[rate.level]
    own = entity == subject.entity_id
    mine = comparator.pick(rate.level, subject.entity_id)
    theme = themes.get(mine.item_id, "economy") if mine is not None else "economy"
    name_en, name_zh = subject.names(entity)
    growth = rate.recipe == "growth"
    estimate = level.estimate / (change.estimate.scale(0.01) + 1.0) if growth else level.estimate - change.estimate
    formula = (
        f"{level.qualified_id} / (1 + {change.qualified_id} / 100)"
        if growth
        else f"{level.qualified_id} − {change.qualified_id}"
    )
    by_en, by_zh = ("growth", "增速") if growth else ("change", "变化")
    return Row(
        f"implied_{year - 1}_{indicator.code}" if own else f"implied_{year - 1}_{entity}_{indicator.code}",
        theme,
        f"{name_en}: {indicator.name_en}, {year - 1} (implied by the {year} level and {by_en})",
        f"{name_zh}：{indicator.name_zh}{year - 1}年（由{year}年数与{by_zh}推算）",
        estimate,
        indicator.unit,
        formula,
        (level.qualified_id, change.qualified_id),
        "ok",
        rate.note,
        evidence=evidence_of(level, change),
    )

"""One indicator vocabulary for every report and reference table, and the observations it joins.

``data/indicators/indicators.csv`` names each comparable indicator once (code, Chinese and English names,
unit, measure: flow, stock, growth, condition or per capita, and what its scope depends on).
``data/indicators/indicator_map.csv`` maps figures of every report (``zhengzhou-2021:gdp``) and rows of the
reference tables (``reference:zhengzhou_gdp``) to a code, each with its scope (``territory``,
``district_level`` …) and a note. Comparisons are computed by joining observations on the code; two
observations compare cleanly only when their scopes are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import paths
from helpers.bilingual import Bilingual, join_notes
from helpers.sources.cache import cached
from helpers.sources.entities import Entity, entity_of_report
from helpers.sources.figures import FiguresValidationError, read_csv_as_text
from helpers.sources.intervals import Estimate, figure_estimate
from helpers.sources.reference import MissingComparatorError, Reference
from helpers.sources.registry import ReportSource

INDICATORS_CSV = "indicators.csv"
INDICATOR_MAP_CSV = "indicator_map.csv"
SCOPES_CSV = "scopes.csv"
PREVIOUS_LEVELS_CSV = "previous_levels.csv"
PER_CAPITA_CSV = "per_capita.csv"
#: The scope a drafted figure of an indicator takes at each level (what such a report prints as a rule).
DRAFT_SCOPES_CSV = "draft_scopes.csv"
#: Every comparison with a drafted figure says so.
DRAFT_NOTE = Bilingual(
    "drafted by gov-report add from the text, not yet reviewed by hand",
    "由 gov-report add 从原文起草，尚未人工核对",
)
#: How a rate and its level imply the previous year's level: level / (1 + g/100), or level − change.
RATE_RECIPES: tuple[str, ...] = ("growth", "change")
#: ``exchange_rate`` converts values between currencies (the year's average rate); it is never compared itself.
#: ``share``: a percentage of a whole (urbanization rate, R&D intensity), compared, like a growth, as a gap in points.
MEASURES: tuple[str, ...] = ("flow", "stock", "growth", "share", "condition", "per_capita", "exchange_rate")
#: The ``year`` of a mapping row whose figure states no year (a threshold crossed in a five-year review).
UNKNOWN_YEAR = "unknown"
REFERENCE_SOURCE = "reference"


@dataclass(frozen=True)
class Indicator:
    """One comparable indicator."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    measure: str
    core: bool
    scope_note: str
    scope_note_zh: str = ""

    @property
    def scope_notes(self) -> Bilingual:
        """What the indicator's scope depends on, in both languages."""
        return Bilingual(self.scope_note, self.scope_note_zh)


@dataclass(frozen=True)
class Observation:
    """One value of an indicator for one entity, with where it was printed and in what scope."""

    indicator: str
    entity: str
    source: str
    item_id: str
    estimate: Estimate
    #: The year the value is for; None where the source states none (never taken as the year's level).
    year: int | None
    section: str
    scope: str
    note: str
    quote: str
    source_label: str
    qualifier: str = "exact"
    note_zh: str = ""
    #: The unit of the value as the source prints it (yuan, usd, count …): values in different units never divide.
    unit: str = ""
    #: district, city, province, nation (or zone): the level of the area.
    level: str = ""

    @property
    def notes(self) -> Bilingual:
        """The mapping's note on this value, in both languages."""
        return Bilingual(self.note, self.note_zh)

    @property
    def qualified_id(self) -> str:
        """``zhengzhou-2021:gdp`` or ``reference:zhengzhou_gdp``: unique across the corpus."""
        return f"{self.source}:{self.item_id}"


@dataclass(frozen=True)
class Rate:
    """A rate (growth in percent, or a change) of a level indicator: with the level, the previous year's level."""

    rate: str
    level: str
    recipe: str
    note: Bilingual


@dataclass(frozen=True)
class PerCapita:
    """A per-capita metric of an indicator: its metric stem, per person or per 1,000, labels and caveat."""

    indicator: str
    metric: str
    per: int
    label: Bilingual
    compare_parents: bool
    note: Bilingual


@dataclass(frozen=True)
class Vocabulary:
    """The indicators and the map of figures and reference rows onto them."""

    indicators: dict[str, Indicator]
    mapping: pd.DataFrame
    #: Each scope key's name in both languages (``district_level`` -> district level only / 区本级).
    scopes: dict[str, Bilingual]
    #: Pairs of different scopes that still compare, with the caveat a comparison of them carries (both orders).
    comparable_scopes: dict[tuple[str, str], Bilingual] = field(default_factory=dict)
    #: Rates that, with their level, imply the previous year's level (real growth is not one of them).
    rates: tuple[Rate, ...] = ()
    #: The per-capita metrics an indicator has, for any report with a population.
    per_capita: tuple[PerCapita, ...] = ()
    #: (indicator, level) -> the scope a drafted figure takes and why; elsewhere ``territory``.
    draft_scopes: dict[tuple[str, str], tuple[str, Bilingual]] = field(default_factory=dict)

    def comparable(self, first: str, second: str) -> Bilingual | None:
        """The caveat under which two different scopes compare, or None when they do not compare."""
        return self.comparable_scopes.get((first, second))


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Read and check the tables (every problem listed in one error), once per content of the folder's files.

    Every step of an analysis (metrics, each audit rule, the tables) asks for it: read once, it is 8 times cheaper.
    """
    folder = folder or paths.INDICATORS_DIR
    return cached(f"vocabulary of {folder.resolve()}", sorted(folder.glob("*.csv")), lambda: _read_vocabulary(folder))


def _read_vocabulary(folder: Path) -> Vocabulary:
    """Read and check the vocabulary's tables."""
    table = read_csv_as_text(folder / INDICATORS_CSV)
    mapping = read_csv_as_text(folder / INDICATOR_MAP_CSV)
    scope_table = read_csv_as_text(folder / SCOPES_CSV)
    problems: list[str] = []
    for name, frame, needed in (
        (INDICATORS_CSV, table, ("scope_note_zh",)),
        (INDICATOR_MAP_CSV, mapping, ("year", "note_zh")),
        (SCOPES_CSV, scope_table, ("scope", "name_en", "name_zh", "comparable_with", "comparable_note_zh")),
    ):
        absent = [c for c in needed if c not in frame.columns]
        if absent:
            raise FiguresValidationError(str(folder), [f"{name}: missing columns {absent}"])
    for name, frame, english, chinese in (
        (INDICATORS_CSV, table, "scope_note", "scope_note_zh"),
        (INDICATOR_MAP_CSV, mapping, "note", "note_zh"),
        (SCOPES_CSV, scope_table, "name_en", "name_zh"),
        (SCOPES_CSV, scope_table, "comparable_note", "comparable_note_zh"),
    ):
        untranslated = frame[(frame[english] != "") != (frame[chinese] != "")]
        problems += [
            f"{name} line {i + 2}: {english} and {chinese} must both be given or both empty" for i in untranslated.index
        ]
    scopes = {row.scope: Bilingual(row.name_en, row.name_zh) for row in scope_table.itertuples(index=False)}
    comparable: dict[tuple[str, str], Bilingual] = {}
    for line, row in enumerate(scope_table.itertuples(index=False), 2):
        if not row.comparable_with:
            continue
        if row.comparable_with not in scopes or row.comparable_with == row.scope:
            problems.append(f"{SCOPES_CSV} line {line}: comparable_with {row.comparable_with!r} is not another scope")
        elif not row.comparable_note:
            problems.append(f"{SCOPES_CSV} line {line}: comparable_with needs comparable_note saying the caveat")
        caveat = Bilingual(row.comparable_note, row.comparable_note_zh)
        comparable[(row.scope, row.comparable_with)] = comparable[(row.comparable_with, row.scope)] = caveat
    for line, row in enumerate(table.itertuples(index=False), 2):
        if row.measure not in MEASURES:
            problems.append(f"{INDICATORS_CSV} line {line}: measure {row.measure!r} not one of {MEASURES}")
        if row.core not in ("true", "false"):
            problems.append(f"{INDICATORS_CSV} line {line}: core must be true or false")
    if not table["code"].is_unique:
        problems.append(f"{INDICATORS_CSV}: duplicate codes {sorted(table.loc[table['code'].duplicated(), 'code'])}")
    codes = set(table["code"])
    for line, row in enumerate(mapping.itertuples(index=False), 2):
        if row.indicator not in codes:
            problems.append(f"{INDICATOR_MAP_CSV} line {line}: unknown indicator {row.indicator!r}")
        if row.scope not in scopes:
            problems.append(f"{INDICATOR_MAP_CSV} line {line}: scope {row.scope!r} is not defined in {SCOPES_CSV}")
        if row.year and row.year != UNKNOWN_YEAR and not (row.year.isdigit() and len(row.year) == 4):
            problems.append(
                f"{INDICATOR_MAP_CSV} line {line}: year {row.year!r} is not empty (the report's year reviewed), "
                f"a four-digit year or {UNKNOWN_YEAR!r}"
            )
    duplicated = mapping.duplicated(["source", "item_id"])
    if duplicated.any():
        problems.append(f"{INDICATOR_MAP_CSV}: items mapped twice: {mapping.loc[duplicated, 'item_id'].tolist()}")
    if problems:
        raise FiguresValidationError(str(folder), problems)
    indicators = {
        row.code: Indicator(
            row.code,
            row.name_zh,
            row.name_en,
            row.unit,
            row.measure,
            row.core == "true",
            row.scope_note,
            row.scope_note_zh,
        )
        for row in table.itertuples(index=False)
    }
    rates, per_capita = _rates_and_per_capita(folder, indicators)
    draft_scopes = _draft_scopes(folder, indicators, scopes)
    return Vocabulary(indicators, mapping, scopes, comparable, rates, per_capita, draft_scopes)


def _draft_scopes(
    folder: Path, indicators: dict[str, Indicator], scopes: dict[str, Bilingual]
) -> dict[tuple[str, str], tuple[str, Bilingual]]:
    """``draft_scopes.csv``: each row names an indicator, a level and a scope that exist."""
    found: dict[tuple[str, str], tuple[str, Bilingual]] = {}
    problems = []
    for line, row in enumerate(read_csv_as_text(folder / DRAFT_SCOPES_CSV).itertuples(index=False), 2):
        if row.indicator not in indicators or row.scope not in scopes or not (row.note and row.note_zh):
            problems.append(f"{DRAFT_SCOPES_CSV} line {line}: unknown indicator or scope, or a note missing")
        found[(row.indicator, row.level)] = (row.scope, Bilingual(row.note, row.note_zh))
    if problems:
        raise FiguresValidationError(str(folder), problems)
    return found


def _rates_and_per_capita(
    folder: Path, indicators: dict[str, Indicator]
) -> tuple[tuple[Rate, ...], tuple[PerCapita, ...]]:
    """``previous_levels.csv`` and ``per_capita.csv``: each names indicators of ``indicators.csv``."""
    problems: list[str] = []
    rates: list[Rate] = []
    for line, row in enumerate(read_csv_as_text(folder / PREVIOUS_LEVELS_CSV).itertuples(index=False), 2):
        unknown = [code for code in (row.rate, row.level) if code not in indicators]
        problems += [f"{PREVIOUS_LEVELS_CSV} line {line}: unknown indicator {code!r}" for code in unknown]
        if row.recipe not in RATE_RECIPES:
            problems.append(f"{PREVIOUS_LEVELS_CSV} line {line}: recipe {row.recipe!r} not one of {RATE_RECIPES}")
        rates.append(Rate(row.rate, row.level, row.recipe, Bilingual(row.note, row.note_zh)))
    per_capita: list[PerCapita] = []
    for line, row in enumerate(read_csv_as_text(folder / PER_CAPITA_CSV).itertuples(index=False), 2):
        if row.indicator not in indicators:
            problems.append(f"{PER_CAPITA_CSV} line {line}: unknown indicator {row.indicator!r}")
        if row.per not in ("1", "1000") or row.compare_parents not in ("true", "false"):
            problems.append(f"{PER_CAPITA_CSV} line {line}: per is 1 or 1000, compare_parents true or false")
            continue
        label, note = Bilingual(row.label_en, row.label_zh), Bilingual(row.note, row.note_zh)
        per_capita.append(
            PerCapita(row.indicator, row.metric, int(row.per), label, row.compare_parents == "true", note)
        )
    if problems:
        raise FiguresValidationError(str(folder), problems)
    return tuple(rates), tuple(per_capita)


def _mapped_year(year: str, year_reviewed: int) -> int | None:
    """The year a mapping row says its figure is for: the report's year reviewed unless it says otherwise."""
    if not year:
        return year_reviewed
    return None if year == UNKNOWN_YEAR else int(year)


def observations(
    vocabulary: Vocabulary,
    reports: list[ReportSource],
    reference: Reference,
    overrides: dict[str, pd.DataFrame] | None = None,
) -> list[Observation]:
    """Every mapped figure and reference row as an observation; a mapped id that does not exist is an error.

    ``overrides`` replaces the figures table of a report (a what-if table). Each report speaks for the area of
    its division code (``entities.csv``), each reference row for the area it names.
    """
    overrides = overrides or {}
    entities = reference.entities
    by_report = {report.report_id: report for report in reports}
    tables = {
        report_id: (overrides[report_id] if report_id in overrides else report.figures()).set_index("figure_id")
        for report_id, report in by_report.items()
    }
    found: list[Observation] = []
    problems: list[str] = []
    for row in vocabulary.mapping.itertuples(index=False):
        if row.source == REFERENCE_SOURCE:
            try:
                comparator = reference.comparator(row.item_id)
            except MissingComparatorError:
                problems.append(f"{INDICATOR_MAP_CSV}: reference row {row.item_id!r} does not exist")
                continue
            entity = entities[reference.entity_id(comparator.entity)]
            found.append(
                Observation(
                    row.indicator,
                    entity.entity_id,
                    REFERENCE_SOURCE,
                    row.item_id,
                    comparator.estimate,
                    comparator.year,
                    "review",
                    row.scope,
                    row.note,
                    comparator.quote,
                    comparator.source,
                    "at_least" if row.item_id.endswith("_lower_bound") else "exact",
                    row.note_zh,
                    comparator.unit,
                    entity.level,
                )
            )
            continue
        if row.source not in tables:
            continue  # a report not loaded (a what-if corpus); its rows simply do not take part
        table = tables[row.source]
        if row.item_id not in table.index:
            problems.append(f"{INDICATOR_MAP_CSV}: {row.source} has no figure {row.item_id!r}")
            continue
        report = by_report[row.source]
        year = _mapped_year(row.year, report.meta.year_reviewed)
        note = Bilingual(row.note, row.note_zh)
        entity = entity_of_report(report, entities)
        figure = table.loc[row.item_id]
        found.append(_report_observation(report, figure, entity, row.indicator, row.item_id, year, row.scope, note))
    if problems:
        raise FiguresValidationError(INDICATOR_MAP_CSV, problems)
    mapped = set(vocabulary.mapping["source"])
    for report_id, report in by_report.items():
        if report.meta.curation == "draft" and report_id not in mapped:
            found += _drafted_observations(vocabulary, report, tables[report_id], entities)
    return found


def _drafted_observations(
    vocabulary: Vocabulary, report: ReportSource, table: pd.DataFrame, entities: dict
) -> list[Observation]:
    """A drafted report's figures whose id is an indicator code (``gdp``; not a second value ``gdp_2``).

    Each takes the scope its indicator has at the report's level in ``draft_scopes.csv`` (else ``territory``),
    and a note that the figure is a draft.
    """
    entity = entity_of_report(report, entities)
    found = []
    for figure_id, figure in table.iterrows():
        if figure_id not in vocabulary.indicators:
            continue
        scope, why = vocabulary.draft_scopes.get((str(figure_id), entity.level), ("territory", None))
        note = join_notes(DRAFT_NOTE, why) if why else DRAFT_NOTE
        code, year = str(figure_id), report.meta.year_reviewed
        found.append(_report_observation(report, figure, entity, code, code, year, scope, note))
    return found


def _report_observation(
    report: ReportSource,
    figure: pd.Series,
    entity: Entity,
    indicator: str,
    item_id: str,
    year: int | None,
    scope: str,
    note: Bilingual,
) -> Observation:
    """One figure of a report as an observation of ``indicator``: its interval, section, quote, qualifier and unit.

    ``entity`` is the area the report speaks for; ``year``, ``scope`` and ``note`` are what the mapping row (or,
    for a drafted report, the indicator's draft scope) says of the figure.
    """
    return Observation(
        indicator,
        entity.entity_id,
        report.report_id,
        item_id,
        figure_estimate(figure, year=report.meta.year_reviewed),
        year,
        str(figure["section"]),
        scope,
        note.en,
        str(figure["quote"]),
        report.meta.title,
        str(figure["qualifier"]),
        note.zh,
        str(figure["unit"]),
        entity.level,
    )


def observations_frame(found: list[Observation]) -> pd.DataFrame:
    """Observations as a table (for the notebooks and the exports)."""
    rows = [
        {
            "indicator": o.indicator,
            "entity": o.entity,
            "level": o.level,
            "id": o.qualified_id,
            "value": o.estimate.value,
            "low": o.estimate.low,
            "high": o.estimate.high,
            "qualifier": o.qualifier,
            "year": o.year,
            "section": o.section,
            "scope": o.scope,
            "note": o.note,
            "note_zh": o.note_zh,
            "source": o.source_label,
            "quote": o.quote,
        }
        for o in found
    ]
    return pd.DataFrame(rows)

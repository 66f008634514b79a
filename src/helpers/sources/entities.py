"""The areas the corpus and the reference tables speak of, and how they nest, from ``data/reference/entities.csv``.

One row per area: a short id (``zhengzhou``: metric ids name it), its names as the pages write them, its
level and its division code (GB/T 2260). A report speaks for the area whose code its ``report.toml`` gives;
its parents are found by code alone: a district's city is ``code[:4] + "00"``, a city's province
``code[:2] + "0000"``, a province's nation ``100000``. A report of an area the table does not list still
works: its id is the report id less its year and its names those of its metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from helpers import paths
from helpers.sources.figures import FiguresValidationError, read_csv_as_text
from helpers.sources.registry import LEVELS, ReportSource, code_fits_level

ENTITIES_CSV = "entities.csv"
ENTITY_COLUMNS: tuple[str, ...] = ("entity", "name_en", "name_zh", "level", "division_code")
#: Areas below or beside the division levels (a functional zone): named by the reference tables, never a parent.
OTHER_LEVELS: tuple[str, ...] = ("zone",)
NATION_CODE = "100000"


@dataclass(frozen=True)
class Entity:
    """One area: its id, names, level and division code."""

    entity_id: str
    name_en: str
    name_zh: str
    level: str
    division_code: str

    @property
    def names(self) -> tuple[str, str]:
        """(English, Chinese), as labels pick them."""
        return (self.name_en, self.name_zh)


def load_entities(folder: Path | None = None) -> dict[str, Entity]:
    """The areas of ``entities.csv`` by id; every bad row is named at once."""
    path = (folder or paths.REFERENCE_DIR) / ENTITIES_CSV
    table = read_csv_as_text(path)
    absent = [c for c in ENTITY_COLUMNS if c not in table.columns]
    if absent:
        raise FiguresValidationError(str(path), [f"missing columns {absent}"])
    problems: list[str] = []
    for line, row in enumerate(table.itertuples(index=False), 2):
        if row.level not in (*LEVELS, *OTHER_LEVELS):
            problems.append(f"line {line}: level {row.level!r} is not one of {', '.join((*LEVELS, *OTHER_LEVELS))}")
        elif row.level in LEVELS and not code_fits_level(row.division_code, row.level):
            problems.append(f"line {line}: division_code {row.division_code!r} is not the code of a {row.level}")
        if not (row.entity and row.name_en and row.name_zh):
            problems.append(f"line {line}: entity, name_en and name_zh must not be empty")
    for column in ("entity", "name_zh"):
        twice = sorted(set(table[column][table[column].duplicated()]))
        problems += [f"{column} {value!r} is listed twice" for value in twice]
    if problems:
        raise FiguresValidationError(str(path), problems)
    return {
        row.entity: Entity(row.entity, row.name_en, row.name_zh, row.level, row.division_code)
        for row in table.itertuples(index=False)
    }


def parent_codes(code: str, level: str) -> list[str]:
    """The division codes of an area's parents, nearest first: a district's city, province and nation."""
    chain = {"district": [code[:4] + "00", code[:2] + "0000"], "city": [code[:2] + "0000"], "province": []}
    return [*chain.get(level, []), NATION_CODE] if level in chain else []


def entity_of_report(report: ReportSource, entities: dict[str, Entity]) -> Entity:
    """The area a report speaks for: the table's row of its division code, else one made from its metadata."""
    meta = report.meta
    for entity in entities.values():
        if entity.division_code == meta.division_code and entity.level == meta.level:
            return entity
    # fuzhou-jiangxi-2021 → fuzhou_jiangxi: the report id less its year, so two places of one name stay two areas.
    entity_id = re.sub(r"-(?:19|20)\d\d$", "", report.report_id).replace("-", "_")
    return Entity(entity_id, meta.entity_en, meta.entity_zh, meta.level, meta.division_code)


def parents_of(entity: Entity, entities: dict[str, Entity]) -> list[Entity]:
    """An area's parents that the table lists, nearest first."""
    by_code = {e.division_code: e for e in entities.values() if e.division_code}
    return [by_code[code] for code in parent_codes(entity.division_code, entity.level) if code in by_code]

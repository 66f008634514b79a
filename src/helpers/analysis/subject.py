"""The report an analysis is of: the area it speaks for, the year it reviews and the parents it is set against.

Every recipe that compares the report with a higher level reads its parents here, found by division code
(``helpers.sources.entities``): a district is set against its city, province and nation, a city against its
province and nation, a province against the nation; a parent takes part wherever the corpus or the reference
tables hold a value of it for the year. Nothing here names an area.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.sources.entities import Entity, entity_of_report, parents_of
from helpers.sources.reference import Reference
from helpers.sources.registry import ReportSource

#: Levels whose totals a core indicator must be compared with: a missing one is a visible row. The nation's
#: statistical communiqué covers other indicators than a work report, so a gap there says nothing.
EXPECTED_LEVELS: tuple[str, ...] = ("city", "province")


@dataclass(frozen=True)
class Subject:
    """The report analysed, its area and year, and the areas above it (nearest first)."""

    report_id: str
    entity: Entity
    year: int
    parents: tuple[Entity, ...]
    entities: dict[str, Entity]

    @property
    def entity_id(self) -> str:
        """The area's id (``jinshui``): what the report's observations carry."""
        return self.entity.entity_id

    @property
    def parent_ids(self) -> tuple[str, ...]:
        """The parents' ids, nearest first."""
        return tuple(parent.entity_id for parent in self.parents)

    def names(self, entity_id: str) -> tuple[str, str]:
        """An area's names (English, Chinese); the id itself for an area the table does not list."""
        if entity_id == self.entity_id:
            return self.entity.names
        entity = self.entities.get(entity_id)
        return entity.names if entity else (entity_id, entity_id)

    def expected(self, parent_id: str) -> bool:
        """Whether a missing comparison with this parent is shown as a row (a city or a province)."""
        entity = self.entities.get(parent_id)
        return entity is not None and entity.level in EXPECTED_LEVELS

    @property
    def full_name_zh(self) -> str:
        """The area's Chinese name as a title writes it: a district after its city (郑州市金水区)."""
        if self.entity.level == "district" and self.parents:
            return f"{self.parents[0].name_zh}{self.entity.name_zh}"
        return self.entity.name_zh


def subject_of(report: ReportSource, reference: Reference, corpus: list[ReportSource] | None = None) -> Subject:
    """The subject of an analysis of ``report``, its parents found by the codes its ``parent_codes`` name.

    A parent is an area of the reference tables or of a report of ``corpus`` (a drafted province beside a
    drafted city).
    """
    entities = dict(reference.entities)
    for other in corpus or []:
        found = entity_of_report(other, reference.entities)
        entities.setdefault(found.entity_id, found)
    entity = entity_of_report(report, reference.entities)
    entities[entity.entity_id] = entity
    by_code = {e.division_code: e for e in entities.values() if e.division_code and e.entity_id != entity.entity_id}
    codes = report.meta.parent_codes or tuple(p.division_code for p in parents_of(entity, reference.entities))
    parents = tuple(by_code[code] for code in codes if code in by_code)
    return Subject(report.report_id, entity, report.meta.year_reviewed, parents, entities)


def corpus_with(report: ReportSource, corpus: list[ReportSource]) -> list[ReportSource]:
    """The corpus with ``report`` in the place of the one of the same id (a copy elsewhere), or added to it."""
    others = [r for r in corpus if r.report_id != report.report_id]
    return [report, *others]

"""Comparators and population bases from ``data/reference/``, each value with its source and quote.

Every comparator comes from ``comparators_2020.csv`` (a byte copy of the table the project received). A
comparator that has no cited source does not exist: :func:`comparator` raises :class:`MissingComparatorError`
carrying the reason recorded in ``missing_comparators.csv``, and callers report it as missing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pandera takes 0.15 s to import; a batch kernel that reads cached tables never needs it
    import pandera.pandas as pa
from helpers import paths
from helpers.bilingual import Bilingual
from helpers.sources.cache import cached
from helpers.sources.entities import ENTITIES_CSV, Entity, load_entities
from helpers.sources.figures import FiguresValidationError, read_csv_as_text
from helpers.sources.intervals import Estimate, printed_estimate
from helpers.sources.numbers import NumberParseError, parse_quantity
from helpers.sources.population import PopulationBasis, basis_estimate, read_population_file
from helpers.sources.registry import ReportSource, all_reports, subject_report

COMPARATORS_CSV = "comparators_2020.csv"
CENSUS_CSV = "census2020_zhengzhou_counties.csv"
DISTRICT_POPULATION_CSV = "zhengzhou_2019_resident_population_by_district.csv"
MISSING_CSV = "missing_comparators.csv"
#: Each gap is named and explained in both languages, with the report whose analysis needs it.
MISSING_COLUMNS: tuple[str, ...] = (
    "entity",
    "indicator",
    "needed_for",
    "reason",
    "needed_for_zh",
    "reason_zh",
    "needed_by",
)

#: Comparators printed as a floor ("突破1万家"): the indicator name says so, the quote confirms it.
LOWER_BOUND_SUFFIX = "_lower_bound"


class MissingComparatorError(LookupError):
    """A comparator with no cited source; ``reasons`` says why it is missing, in both languages."""

    def __init__(self, comparator_id: str, reasons: Bilingual) -> None:
        """Keep the id and the reason."""
        self.comparator_id, self.reasons = comparator_id, reasons
        super().__init__(f"{comparator_id}: missing ({reasons.en})")

    @property
    def reason(self) -> str:
        """The reason in English."""
        return self.reasons.en


def comparators_schema(entity_names: list[str] | None = None) -> pa.DataFrameSchema:
    """Schema of the raw comparators table: every value has a unit, a year, a source and a quote."""
    import pandera.pandas as pa

    text = pa.Column(str, pa.Check.str_length(min_value=1), nullable=False)
    return pa.DataFrameSchema(
        {
            "entity": pa.Column(
                str, pa.Check.isin(entity_names or [e.name_zh for e in load_entities().values()]), nullable=False
            ),
            "indicator": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), nullable=False),
            "value": pa.Column(str, pa.Check.str_matches(r"^\d+(\.\d+)?$"), nullable=False),
            "unit": pa.Column(str, pa.Check.isin(["亿元", "%", "人", "万人", "万户", "天", "家"]), nullable=False),
            "year": pa.Column(str, pa.Check.str_matches(r"^(19|20)\d\d$"), nullable=False),
            "scope_note": pa.Column(str, nullable=False),
            "source": text,
            "quote": text,
        },
        unique=["entity", "indicator", "year"],
        name="comparators",
    )


@dataclass(frozen=True)
class Comparator:
    """One sourced comparator in base units, with its rounding interval and provenance."""

    comparator_id: str
    entity: str
    indicator: str
    estimate: Estimate
    unit: str
    year: int
    scope_note: str
    source: str
    quote: str


@dataclass
class Reference:
    """Everything in ``data/reference``: comparators, census, district populations and known gaps."""

    comparators: pd.DataFrame
    census: pd.DataFrame
    district_population: pd.DataFrame
    missing: pd.DataFrame
    _by_id: dict[str, Comparator] = field(default_factory=dict, repr=False)
    #: The areas the tables name (``entities.csv``), by id.
    entities: dict[str, Entity] = field(default_factory=dict)

    def entity_id(self, name_zh: str) -> str:
        """The id of an area the tables name in Chinese (郑州市 -> zhengzhou)."""
        return next(e.entity_id for e in self.entities.values() if e.name_zh == name_zh)

    def comparator(self, comparator_id: str) -> Comparator:
        """Return a sourced comparator; raise :class:`MissingComparatorError` (with the reason) if unsourced."""
        if comparator_id in self._by_id:
            return self._by_id[comparator_id]
        raise MissingComparatorError(comparator_id, self.missing_reason(comparator_id))

    def missing_reason(self, comparator_id: str) -> Bilingual:
        """The recorded reason a comparator is missing, or a generic one if it was never looked for."""
        ids = self.missing["entity"].map(self.entity_id) + "_" + self.missing["indicator"]
        recorded = self.missing.loc[ids == comparator_id]
        if len(recorded):
            return Bilingual(recorded["reason"].iloc[0], recorded["reason_zh"].iloc[0])
        return Bilingual("no report or reference table of this project cites it", "本项目的报告和参考表均未载有该数据")

    def has(self, comparator_id: str) -> bool:
        """Whether a sourced comparator exists."""
        return comparator_id in self._by_id


def _comparator_rows(frame: pd.DataFrame, ids: dict[str, str]) -> tuple[dict[str, Comparator], list[str]]:
    """Turn validated raw rows into Comparators; collect parse problems by line."""
    found: dict[str, Comparator] = {}
    problems: list[str] = []
    for index, row in frame.iterrows():
        comparator_id = f"{ids[row['entity']]}_{row['indicator']}"
        prefix = "突破" if row["indicator"].endswith(LOWER_BOUND_SUFFIX) else ""
        try:
            quantity = parse_quantity(row["value"], row["unit"], prefix)
            estimate = printed_estimate(row["value"], row["unit"], prefix)
        except NumberParseError as error:
            problems.append(f"line {int(index) + 2} ({comparator_id}): {error}")
            continue
        unit = quantity.unit or "count"
        found[comparator_id] = Comparator(
            comparator_id,
            row["entity"],
            row["indicator"],
            estimate,
            unit,
            int(row["year"]),
            row["scope_note"],
            row["source"],
            row["quote"],
        )
    return found, problems


def read_comparators_csv(path: Path) -> pd.DataFrame:
    """Read the comparators CSV (RFC 4180: a field holding a comma is quoted) with every cell as text.

    A row with more or fewer fields than the header is an error naming the file, the line and the count,
    never mended: a field that held an unquoted comma cannot be told apart from two fields.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise FiguresValidationError(str(path), ["empty file"])
    (_, header), body = rows[0], rows[1:]
    width = len(header)
    problems = [
        f"line {line}: {len(row)} fields, expected {width} (quote a field that holds a comma)"
        for line, row in body
        if len(row) != width
    ]
    if problems:
        raise FiguresValidationError(str(path), problems)
    return pd.DataFrame([row for _, row in body], columns=header, dtype=str)


def load_comparators(path: Path) -> tuple[pd.DataFrame, dict[str, Comparator]]:
    """Validate the comparators CSV; return it (with ids, base-unit values and intervals) and a lookup.

    Its areas are those of ``entities.csv`` beside it (of ``data/reference`` when there is none).
    """
    from pandera.errors import SchemaErrors

    raw = read_comparators_csv(path)
    entities = load_entities(path.parent if (path.parent / ENTITIES_CSV).is_file() else None)
    ids = {e.name_zh: e.entity_id for e in entities.values()}
    try:
        comparators_schema(list(ids)).validate(raw, lazy=True)
    except SchemaErrors as errors:
        problems = [
            f"line {int(c.index) + 2 if not pd.isna(c.index) else '-'}, column {c.column!r}: "
            f"{c.check} failed (value {c.failure_case!r})"
            for c in errors.failure_cases.itertuples(index=False)
        ]
        raise FiguresValidationError(str(path), problems) from None
    by_id, problems = _comparator_rows(raw, ids)
    if problems:
        raise FiguresValidationError(str(path), problems)
    typed = raw.assign(
        comparator_id=[f"{ids[e]}_{i}" for e, i in zip(raw["entity"], raw["indicator"], strict=True)],
        value_base=[
            by_id[f"{ids[e]}_{i}"].estimate.value for e, i in zip(raw["entity"], raw["indicator"], strict=True)
        ],
        low=[c.estimate.low for c in by_id.values()],
        high=[c.estimate.high for c in by_id.values()],
        unit_base=[c.unit for c in by_id.values()],
    )
    return typed, by_id


def load_reference(reference_dir: Path | None = None) -> Reference:
    """Load and validate every reference table (cached on the tables' content: an edited file is read again)."""
    folder = reference_dir or paths.REFERENCE_DIR
    return cached("reference", sorted(folder.glob("*.csv")), lambda: _load_reference(folder))


def _load_reference(folder: Path) -> Reference:
    comparators, by_id = load_comparators(folder / COMPARATORS_CSV)
    census = read_count_table(folder / CENSUS_CSV, ("area_code", "county"), CENSUS_COUNTS)
    district = read_count_table(folder / DISTRICT_POPULATION_CSV, ("area",), ("resident_population_10k",))
    missing = read_csv_as_text(folder / MISSING_CSV)
    absent = [c for c in MISSING_COLUMNS if c not in missing.columns]
    if absent:
        raise FiguresValidationError(str(folder / MISSING_CSV), [f"missing columns {absent}"])
    _check_consistency(census, district, by_id, folder)
    return Reference(comparators, census, district, missing, by_id, load_entities(folder))


#: The census table's count columns (persons); every one a number, none negative.
CENSUS_COUNTS = ("population", "male", "female", "urban", "rural")


def read_count_table(path: Path, names: tuple[str, ...], counts: tuple[str, ...]) -> pd.DataFrame:
    """A population table: the ``names`` columns non-empty, the ``counts`` columns numbers, none negative.

    Every bad cell is a problem naming the file, line and column (as for the figures table), so that a typo
    fails here, at the row, not later as a disagreement between tables or a wrong per-capita value.
    """
    frame = read_csv_as_text(path)
    problems = [f"missing column {c!r}" for c in (*names, *counts) if c not in frame.columns]
    if problems:
        raise FiguresValidationError(str(path), problems)
    for index, row in frame.iterrows():
        line = int(str(index)) + 2
        for column in names:
            if not row[column].strip():
                problems.append(f"line {line}, column {column!r}: empty")
        for column in counts:
            cell = row[column].strip()
            try:
                number = float(cell)
            except ValueError:
                problems.append(f"line {line} ({row[names[-1]]}), column {column!r}: {cell!r} is not a number")
                continue
            if not number >= 0:  # also NaN
                problems.append(f"line {line} ({row[names[-1]]}), column {column!r}: {cell} is negative")
    if problems:
        raise FiguresValidationError(str(path), problems)
    return frame.assign(**{column: pd.to_numeric(frame[column]) for column in counts})  # int where all are


def _check_consistency(
    census: pd.DataFrame, district: pd.DataFrame, by_id: dict[str, Comparator], folder: Path
) -> None:
    """The three tables must agree where they overlap (census and 2019 populations)."""
    problems = []
    census_rows = {name: (int(str(i)) + 2, value) for i, name, value in census[["county", "population"]].itertuples()}
    district_rows = {
        name: (int(str(i)) + 2, value * 10_000)
        for i, name, value in district[["area", "resident_population_10k"]].itertuples()
    }
    pairs = [
        ("zhengzhou_census_population", CENSUS_CSV, "郑州市", census_rows),
        ("henan_census_population", CENSUS_CSV, "河南省", census_rows),
        ("jinshui_census_population_incl_zhengdong", CENSUS_CSV, "金水区", census_rows),
        ("jinshui_resident_population_2019", DISTRICT_POPULATION_CSV, "金水区", district_rows),
        ("zhengdong_resident_population_2019", DISTRICT_POPULATION_CSV, "郑东新区", district_rows),
        ("zhengzhou_resident_population_2019", DISTRICT_POPULATION_CSV, "全市", district_rows),
    ]
    for comparator_id, table, name, rows in pairs:
        if comparator_id not in by_id:
            problems.append(f"{comparator_id}: not in {COMPARATORS_CSV}")
            continue
        stated = by_id[comparator_id].estimate.value
        if name not in rows:
            problems.append(
                f"{table}: no row for {name}, which {COMPARATORS_CSV}'s {comparator_id} ({stated:,.0f}) needs"
            )
            continue
        line, table_value = rows[name]
        if abs(stated - table_value) > 0.5:
            problems.append(
                f"{table} line {line} ({name}): {table_value:,.0f} persons disagrees with {COMPARATORS_CSV}'s "
                f"{comparator_id} ({stated:,.0f})"
            )
    if problems:
        raise FiguresValidationError(str(folder), problems)


def population_bases(reference: Reference, report: ReportSource | None = None) -> dict[str, PopulationBasis]:
    """The population bases of a report (default: the project's report), in the order of its ``population.toml``.

    Each basis is computed from the reference comparators its file names; a comparator without a source is an
    error naming the file and the basis. A report without the file has none.
    """
    report = report or subject_report()
    spec_file = read_population_file(report.population_path)
    bases: dict[str, PopulationBasis] = {}
    problems: list[str] = []
    for spec in spec_file.bases:
        absent = [ident for ident in spec.inputs if not reference.has(ident)]
        if absent:
            problems += [
                f"basis {spec.basis_id!r}: no sourced comparator {ident!r} in data/reference" for ident in absent
            ]
            continue
        estimate = basis_estimate(spec, {ident: reference.comparator(ident).estimate for ident in spec.inputs})
        bases[spec.basis_id] = PopulationBasis(
            spec.basis_id,
            estimate,
            spec.label.en,
            spec.label.zh,
            spec.caveat.en,
            spec.caveat.zh,
            spec.formula,
            spec.inputs,
            spec.short,
            spec.matches_report_scope,
            spec.mismatch,
        )
    if problems:
        raise FiguresValidationError(str(report.population_path), problems)
    return bases


def population_note(report: ReportSource | None = None) -> Bilingual:
    """The paragraph of a report's ``population.toml`` that explains its bases (empty without one)."""
    return read_population_file((report or subject_report()).population_path).note


def known_bases(corpus_dir: Path | None = None) -> tuple[str, ...]:
    """Every basis id some report of the corpus defines, in the order first defined (the project's report first)."""
    reports = [subject_report(), *all_reports(corpus_dir)]
    ids = [spec.basis_id for report in reports for spec in read_population_file(report.population_path).bases]
    return tuple(dict.fromkeys(ids))

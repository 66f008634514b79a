"""A report's figures table (``figures.csv`` of its folder): column metadata, validation and a typed loader.

One source of truth for each column's description and allowed values (``FIGURE_COLUMNS``), in the
manner of PUDL's metadata; ``data/README.md`` documents the same columns and a test keeps them in step.
Validation is lazy: every problem in every row is collected and raised together, never a partial frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pandera takes 0.15 s to import; a batch kernel that reads cached tables never needs it
    import pandera.pandas as pa
from helpers.sources.extract import extract_mentions
from helpers.sources.numbers import QUALIFIERS, UNITS, NumberParseError, parse_quantity

THEMES: tuple[str, ...] = (
    "epidemic",
    "economy",
    "reform_innovation",
    "urban_renewal",
    "livelihood",
    "governance",
)
KINDS: tuple[str, ...] = ("level", "change", "growth_rate", "share", "ratio", "duration", "date", "rate")
#: Kinds whose row must name the figure it qualifies in ``base_figure_id``, or say in ``note`` why the report
#: prints no such level (a growth rate may stand alone: reports give many without the level they apply to).
KINDS_WITH_BASE: tuple[str, ...] = ("change", "share")
SECTIONS: tuple[str, ...] = ("review", "plan", "other")
#: Why a number is not a figure: a name (year … standard), or a quantity that is not the year's value of the
#: entity, as ``jinshui-report add`` drafts them (a target, several years, part of the year, another area).
EXCLUDED_CATEGORIES: tuple[str, ...] = (
    "year",
    "name",
    "slogan",
    "word",
    "threshold",
    "standard",
    "target",
    "multi_year",
    "partial_period",
    "other_area",
)


@dataclass(frozen=True)
class ColumnInfo:
    """What a column holds, for the schema and the data dictionary."""

    description: str
    allowed: tuple[str, ...] = ()
    required: bool = True


FIGURE_COLUMNS: dict[str, ColumnInfo] = {
    "figure_id": ColumnInfo("Stable, unique snake_case identifier of the quantity."),
    "theme": ColumnInfo("Theme of the report the quantity belongs to.", THEMES),
    "subtheme": ColumnInfo("Finer grouping inside the theme (snake_case).", required=False),
    "indicator_zh": ColumnInfo("What is measured, in Chinese."),
    "indicator_en": ColumnInfo("What is measured, in English."),
    "prefix_as_printed": ColumnInfo("Qualifying word printed before the number (突破, 最高可), else empty."),
    "value_as_printed": ColumnInfo("The number exactly as printed (4.8, 1/30, 万, 五, 大年初一)."),
    "unit_as_printed": ColumnInfo("The magnitude, qualifier and unit exactly as printed (万余名, 亿元, %以上)."),
    "value": ColumnInfo("The value in the base unit (1800亿元 -> 180000000000; 1/30 -> 3.333…)."),
    "unit": ColumnInfo("Base unit of value.", UNITS),
    "qualifier": ColumnInfo("How the printed number bounds the true value.", QUALIFIERS),
    "kind": ColumnInfo("What sort of quantity it is.", KINDS),
    "section": ColumnInfo("Part of the report: review (the year reviewed), plan (targets, plans) or other.", SECTIONS),
    "quote": ColumnInfo("Shortest natural clause of the normalized text containing the number, verbatim."),
    "base_figure_id": ColumnInfo("For a change, growth rate or share: the figure it qualifies, else empty."),
    "note": ColumnInfo("Free-text remark (how the wording was read).", required=False),
}

EXCLUDED_COLUMNS: dict[str, ColumnInfo] = {
    "token": ColumnInfo("The numeric token as the extraction function finds it."),
    "context": ColumnInfo("The word or name the token is part of (十三五, 5G-V2X)."),
    "quote": ColumnInfo("Clause of the normalized text containing the token, verbatim."),
    "category": ColumnInfo("Why it is not a quantity, or not the year's value.", EXCLUDED_CATEGORIES),
    "reason": ColumnInfo("The reason in words."),
}


class FiguresValidationError(ValueError):
    """Invalid figures data; ``problems`` lists every bad row and column found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        """Keep the problems and build one message that lists them all."""
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{listing}")


def _text_column(info: ColumnInfo) -> pa.Column:
    """A string column; non-empty when required, restricted to ``info.allowed`` when given."""
    import pandera.pandas as pa

    checks = []
    if info.allowed:
        checks.append(pa.Check.isin(list(info.allowed)))
    elif info.required:
        checks.append(pa.Check.str_length(min_value=1))
    return pa.Column(str, checks=checks, nullable=False, required=True)


def figures_schema() -> pa.DataFrameSchema:
    """The pandera schema of the figures table (column by column; cross-row rules are separate)."""
    import pandera.pandas as pa

    columns = {name: _text_column(info) for name, info in FIGURE_COLUMNS.items()}
    columns["figure_id"] = pa.Column(
        str, checks=pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True, nullable=False
    )
    columns["prefix_as_printed"] = pa.Column(str, nullable=False)
    columns["unit_as_printed"] = pa.Column(str, nullable=False)
    columns["base_figure_id"] = pa.Column(str, nullable=False)
    columns["value"] = pa.Column(float, checks=pa.Check(math.isfinite, element_wise=True), nullable=False)
    return pa.DataFrameSchema(
        columns,
        checks=[
            pa.Check(
                lambda df: ~((df["kind"] == "level") & (df["value"] < 0)),
                error="a level must not be negative",
            )
        ],
        strict=False,
        coerce=True,
        name="figures",
    )


def _label(frame: pd.DataFrame, index: object) -> str:
    """Name a row by its figure_id where it has one, else by its line in the CSV."""
    line = f"line {int(index) + 2}" if isinstance(index, int) else f"row {index}"
    if "figure_id" in frame.columns and index in frame.index:
        return f"{line} ({frame.at[index, 'figure_id']})"
    return line


def _schema_problems(frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame | None]:
    """Run the pandera schema lazily; return the problems and the coerced frame (None if invalid)."""
    from pandera.errors import SchemaErrors

    try:
        return [], figures_schema().validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        coercion_failed = cases["check"].astype(str).str.startswith("coerce_dtype").any()
        problems: list[str] = []
        for case in cases.itertuples(index=False):
            check, failure = str(case.check), str(case.failure_case)
            # Once a value fails to coerce, the checks that then meet text instead of numbers fail with a
            # TypeError, and pandera repeats the failure as a dtype check: neither adds information.
            if coercion_failed and (failure.startswith("TypeError(") or check.startswith("dtype(")):
                continue
            where = "table" if pd.isna(case.index) else _label(frame, case.index)
            if case.schema_context == "DataFrameSchema" and not pd.isna(case.index):
                # A row-wise rule reports every column of a failing row; name the row once.
                line = f"{where}: {check} (value {frame.at[case.index, 'value']!r})"
            else:
                column = case.column if isinstance(case.column, str) else "(table)"
                line = f"{where}, column {column!r}: {check} failed (value {failure!r})"
            if line not in problems:
                problems.append(line)
        return problems, None


def _cross_row_problems(frame: pd.DataFrame, text: str, year: int) -> list[str]:
    """Rules beyond one column: quotes in the text, parsing reproduces the value, base ids resolve."""
    problems: list[str] = []
    ids = set(frame["figure_id"])
    for index, row in frame.iterrows():
        label = _label(frame, index)
        count = text.count(row["quote"])
        if count != 1:
            where = "is not in" if count == 0 else f"occurs {count} times in"
            problems.append(f"{label}, column 'quote': {row['quote']!r} {where} the normalized text")
        elif row["value_as_printed"] not in row["quote"]:
            problems.append(f"{label}, column 'quote': does not contain {row['value_as_printed']!r}")
        if row["prefix_as_printed"] and row["prefix_as_printed"] not in row["quote"]:
            problems.append(f"{label}, column 'prefix_as_printed': {row['prefix_as_printed']!r} not in quote")
        problems.extend(_parse_problems(label, row, year))
        base = row["base_figure_id"]
        if base and base not in ids:
            problems.append(f"{label}, column 'base_figure_id': {base!r} is not a figure_id")
        if base == row["figure_id"]:
            problems.append(f"{label}, column 'base_figure_id': a figure cannot qualify itself")
        if row["kind"] in KINDS_WITH_BASE and not base and not row["note"].strip():
            problems.append(
                f"{label}, column 'base_figure_id': a {row['kind']} must name its base figure, "
                "or say in 'note' why the report prints none"
            )
    return problems


def _parse_problems(label: str, row: pd.Series, year: int) -> list[str]:
    """Check that parsing the printed number reproduces value, unit (where printed) and qualifier."""
    try:
        parsed = parse_quantity(
            row["value_as_printed"],
            row["unit_as_printed"],
            row["prefix_as_printed"],
            year=year,
            other_units=row["unit"] == "other",
        )
    except NumberParseError as error:
        return [f"{label}, columns 'value_as_printed'/'unit_as_printed': {error}"]
    problems = []
    if not math.isclose(parsed.value, float(row["value"]), rel_tol=1e-9, abs_tol=1e-9):
        problems.append(f"{label}, column 'value': {row['value']} but the printed text reads {parsed.value}")
    if parsed.unit is not None and parsed.unit != row["unit"]:
        problems.append(f"{label}, column 'unit': {row['unit']!r} but the printed unit reads {parsed.unit!r}")
    if parsed.qualifier != row["qualifier"]:
        printed = parsed.qualifier
        problems.append(f"{label}, column 'qualifier': {row['qualifier']!r} but the printed text reads {printed!r}")
    return problems


def validate_figures(frame: pd.DataFrame, text: str, source: str = "figures", *, year: int) -> pd.DataFrame:
    """Validate a raw figures frame (all columns as text) against its report's normalized text and year.

    Returns the frame typed; raises :class:`FiguresValidationError` listing every problem.
    """
    missing = [c for c in FIGURE_COLUMNS if c not in frame.columns]
    if missing:
        raise FiguresValidationError(source, [f"missing column {c!r}" for c in missing])
    problems, typed = _schema_problems(frame)
    if typed is None:
        raise FiguresValidationError(source, problems)
    problems = _cross_row_problems(typed, text, year)
    if problems:
        raise FiguresValidationError(source, problems)
    return typed


#: A control character (BEL, ESC, NUL …): no label, note or quote of a report holds one, and a chart, a page
#: or a spreadsheet cannot show it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def read_csv_as_text(path: Path) -> pd.DataFrame:
    """Read a CSV with every cell as text (empty cells as ``""``): printed values stay literal.

    A cell with a control character is an error naming its line, column and code point: every data file is
    read here, so none reaches a chart (where it would fail) or an export (where it would be replaced).
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    problems = []
    for column in frame.columns:
        for index, cell in frame[column][frame[column].str.contains(_CONTROL)].items():
            found = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(_CONTROL.findall(cell)))
            problems.append(f"line {int(index) + 2}, column {column!r}: a control character ({found}); remove it")
    if problems:
        raise FiguresValidationError(str(path), problems)
    return frame


def load_figures(path: Path, text: str, *, year: int) -> pd.DataFrame:
    """Load, validate and type a figures table; raise :class:`FiguresValidationError` if invalid."""
    return validate_figures(read_csv_as_text(path), text, source=str(path), year=year)


def load_excluded(path: Path, text: str) -> pd.DataFrame:
    """Load and check an excluded-numbers table (token, context, quote, category, reason)."""
    frame = read_csv_as_text(path)
    problems = [f"missing column {c!r}" for c in EXCLUDED_COLUMNS if c not in frame.columns]
    if not problems:
        allowed = EXCLUDED_COLUMNS["category"].allowed
        for index, row in frame.iterrows():
            label = f"line {int(index) + 2} ({row['token']})"
            if text.count(row["quote"]) != 1:
                problems.append(f"{label}, column 'quote': {row['quote']!r} is not once in the normalized text")
            if row["token"] not in row["quote"]:
                problems.append(f"{label}, column 'token': not in its quote")
            if row["category"] not in allowed:
                problems.append(f"{label}, column 'category': {row['category']!r} not one of {allowed}")
            if not row["reason"].strip():
                problems.append(f"{label}, column 'reason': empty")
    if problems:
        raise FiguresValidationError(str(path), problems)
    return frame


def claimed_positions(text: str, quote: str, token: str) -> list[int]:
    """Start positions in ``text`` of mentions of ``token`` inside the (unique) ``quote``."""
    base = text.find(quote)
    if base < 0:
        return []
    found = []
    for mention in extract_mentions(quote):
        if mention.token == token:
            found.append(base + mention.start)
    return found


def account_for_mentions(text: str, figures: pd.DataFrame, excluded: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Match every mention in ``text`` to a figures or excluded row.

    Returns (unaccounted mentions, rows counted twice or claiming nothing), each as readable lines. A
    figures row claims the one mention of its ``value_as_printed`` inside its quote; an excluded row claims
    every mention of its token inside its quote.
    """
    claims: dict[int, list[str]] = {}
    row_problems: list[str] = []

    def claim(owner: str, positions: Iterable[int], exactly_one: bool) -> None:
        positions = list(positions)
        if not positions or (exactly_one and len(positions) != 1):
            row_problems.append(f"{owner} claims {len(positions)} mention(s)")
        for position in positions:
            claims.setdefault(position, []).append(owner)

    for row in figures.itertuples(index=False):
        claim(f"figure {row.figure_id}", claimed_positions(text, row.quote, row.value_as_printed), True)
    for row in excluded.itertuples(index=False):
        claim(f"excluded {row.token} in {row.quote!r}", claimed_positions(text, row.quote, row.token), False)

    unaccounted = []
    for mention in extract_mentions(text):
        owners = claims.pop(mention.start, [])
        if not owners:
            unaccounted.append(f"{mention.token!r} at {mention.start} in {mention.clause!r}")
        elif len(owners) > 1:
            row_problems.append(f"{mention.token!r} at {mention.start} counted twice: {owners}")
    row_problems.extend(f"{owners} claim a position with no mention: {pos}" for pos, owners in claims.items())
    return unaccounted, row_problems

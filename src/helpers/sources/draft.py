"""Draft a report's figures table from its annotations: each quantity of the year reviewed, mapped to an indicator.

``jinshui-report add`` calls :func:`draft_figures` on the annotator's rows. A quantity is placed when an alias
of ``data/indicators/aliases.csv`` names what it measures: the alias stands before the number in its clause
(or, when the clause holds only a verb, 增长2.7%, in the clause before it), with nothing between them but
numbers, units and verbs (达到, 完成, 比上年增长 …), and the alias's kind fits the number's (a level, a growth
rate, a share) and its unit the indicator's. A stock alias with a word of new units (新增高新技术企业, 高新技术
企业新增) becomes its flow, ``new_<code>``; a flow with 总数/总量/实有 becomes its stock. A placed quantity then
goes to ``figures.csv`` as the year's value, unless it is a trap, which goes to ``figures_excluded.csv`` with
the reason: a target or plan (``target``), a five-year total or average, a cumulative figure or an earlier
year's (``multi_year``), a part of the year (``partial_period``), or a figure of another area than the
report's (``other_area``: a district of a city, a development zone, the province in a city's report).
Whatever cannot be placed stays in ``annotations.csv`` only. Rules are local and plain, as the annotator's.

The rules live in three modules beside this one, so that each can be read (and changed) on its own:
:mod:`helpers.sources.draft_vocabulary` reads the aliases and pairs, :mod:`helpers.sources.draft_subject`
finds the alias that names a number, :mod:`helpers.sources.draft_traps` says when a placed number is not the
year's. This module puts them together into the two tables; its public names (the vocabulary's and
:class:`Place` included) stay importable from here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.sources.draft_subject import find_subject, indicator_of, prefix_of, stands_alone, unique_quote
from helpers.sources.draft_traps import Place, line_frames, trap
from helpers.sources.draft_vocabulary import (
    ALIASES_CSV,
    KIND_GROUP,
    PAIRS_CSV,
    Alias,
    IndicatorInfo,
    Vocabulary,
    load_draft_vocabulary,
)
from helpers.sources.figures import EXCLUDED_COLUMNS, FIGURE_COLUMNS
from helpers.sources.numbers import NumberParseError, parse_quantity
from helpers.sources.text import MappedText

__all__ = [
    "ALIASES_CSV",
    "PAIRS_CSV",
    "Alias",
    "Draft",
    "IndicatorInfo",
    "Place",
    "Vocabulary",
    "draft_figures",
    "load_draft_vocabulary",
    "unique_quote",
]


@dataclass
class Draft:
    """The drafted tables and what happened to each quantity."""

    figures: pd.DataFrame
    excluded: pd.DataFrame
    #: figure_id -> (measure, expression as printed) for the command's summary.
    placed: list[tuple[str, str, str]] = field(default_factory=list)
    categories: Counter[str] = field(default_factory=Counter)
    unplaced: int = 0
    repeated: int = 0


def _plain(value: float) -> str:
    """A value as a plain decimal of at most 10 significant digits (as annotations.csv writes it)."""
    return np.format_float_positional(float(f"{value:.10g}"), trim="-")


def _lost_fall(text: str, expression_start: int, value: float) -> bool:
    """A fall printed apart from its number (下降 46.7%): the annotator read it as a rise, so the row is not placed."""
    before = text[max(0, expression_start - 6) : expression_start]
    return value > 0 and bool(re.search(r"(下降|减少|降低|回落|下跌)\s+$", before))


def _reparses(row: pd.Series, year: int) -> bool:
    """Whether the figures validation will read the same value, unit and qualifier from the printed words."""
    try:
        other_units = row["unit"] == "other"
        parsed = parse_quantity(
            str(row["token"]), str(row["unit_as_printed"]), prefix_of(row), year=year, other_units=other_units
        )
    except NumberParseError:
        return False
    same_unit = parsed.unit is None or parsed.unit == row["unit"]
    return same_unit and parsed.qualifier == row["qualifier"] and np.isclose(parsed.value, float(row["value"]))


def _exact_before_floor(figure_rows: list[dict[str, str]]) -> None:
    """Where an indicator's first value is a floor and a later one an exact value above it, take the exact one.

    跃上千亿元台阶，…增至1052.6亿元: the exact value becomes the figure and the floor (突破, a 台阶 crossed) its second.
    """
    first: dict[str, dict[str, str]] = {}
    for row in figure_rows:
        code = row["figure_id"].rsplit("_", 1)[0] if row["figure_id"][-1].isdigit() else row["figure_id"]
        main = first.setdefault(code, row)
        threshold = f"{main['value_as_printed']}{main['unit_as_printed']}台阶" in main["quote"]
        if main is row or not (main["qualifier"] == "at_least" or threshold) or row["qualifier"] != "exact":
            continue
        if float(row["value"]) >= float(main["value"]):
            main["figure_id"], row["figure_id"] = row["figure_id"], main["figure_id"]
            row["note"] += "; an exact value above the floor printed before it: taken as the year's"
            first[code] = row


def draft_figures(
    mapped: MappedText,
    annotations: pd.DataFrame,
    *,
    year: int,
    place: Place,
    vocabulary: Vocabulary | None = None,
) -> Draft:
    """Draft ``figures.csv`` and ``figures_excluded.csv`` from a report's annotations (see the module docstring)."""
    vocabulary = vocabulary or load_draft_vocabulary()
    text = mapped.text
    normalized_at: dict[int, int] = {}
    for index, origin in enumerate(mapped.origin):
        normalized_at.setdefault(origin, index)
    lines = text.split("\n")
    frames = line_frames(lines)
    line_starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    figure_rows: list[dict[str, str]] = []
    excluded_rows: list[dict[str, str]] = []
    draft = Draft(pd.DataFrame(), pd.DataFrame())
    values_of: dict[str, set[float]] = {}
    for _, row in annotations.iterrows():
        group = KIND_GROUP.get(str(row["kind"]))
        if not row["is_quantity"] or group is None or pd.isna(row["value"]):
            continue
        position = normalized_at.get(int(row["start"]))
        token = str(row["token"])
        if position is None or text[position : position + len(token)] != token:
            draft.unplaced += 1
            continue
        prefix = prefix_of(row)
        subject = find_subject(text, vocabulary, position - len(prefix))
        found = indicator_of(subject, group, str(row["unit"]), vocabulary) if subject else None
        if subject is None or found is None or not _reparses(row, year):
            draft.unplaced += 1
            continue
        alias, indicator = found
        if not stands_alone(subject) or _lost_fall(text, position - len(prefix), float(row["value"])):
            draft.unplaced += 1
            continue
        frame = frames[int(np.searchsorted(line_starts, position, side="right")) - 1]
        category, reason = trap(text, row, position, subject, indicator, frame, year, place)
        end = position + len(token) + len(str(row["unit_as_printed"]))
        quote = unique_quote(text, subject.start if subject.start < position else position, end)
        if category:
            excluded_rows.append(
                {
                    "token": token,
                    "context": str(row["expression"]),
                    "quote": quote,
                    "category": category,
                    "reason": f"{indicator.code}: {reason}",
                }
            )
            draft.categories[category] += 1
            continue
        value = float(row["value"])
        if value in values_of.get(indicator.code, set()):
            draft.repeated += 1  # the same value printed again (in the summary and in the review): one row
            continue
        count = len(values_of.setdefault(indicator.code, set()))
        values_of[indicator.code].add(value)
        figure_id = indicator.code if count == 0 else f"{indicator.code}_{count + 1}"
        kind = "level" if str(row["kind"]) == "duration" else str(row["kind"])
        note = f"drafted by jinshui-report add: «{alias.alias}» read as {indicator.code} ({indicator.measure})"
        if count:
            note += f"; another value of {indicator.code} is printed before: check which is the year's"
        figure_rows.append(
            {
                "figure_id": figure_id,
                "theme": alias.theme,
                "subtheme": alias.subtheme,
                "indicator_zh": indicator.name_zh,
                "indicator_en": indicator.name_en,
                "prefix_as_printed": prefix,
                "value_as_printed": token,
                "unit_as_printed": str(row["unit_as_printed"]),
                "value": _plain(value),
                "unit": str(row["unit"]),
                "qualifier": str(row["qualifier"]),
                "kind": kind,
                "section": "review",
                "quote": quote,
                "base_figure_id": "",
                "note": note,
            }
        )
        draft.placed.append((figure_id, indicator.measure, str(row["expression"])))
    _exact_before_floor(figure_rows)
    ids = {r["figure_id"] for r in figure_rows}
    for figure in figure_rows:
        base = figure["figure_id"].removesuffix("_growth")
        if figure["kind"] == "growth_rate" and base != figure["figure_id"] and base in ids:
            figure["base_figure_id"] = base
    draft.figures = pd.DataFrame(figure_rows, columns=list(FIGURE_COLUMNS))
    draft.excluded = pd.DataFrame(excluded_rows, columns=list(EXCLUDED_COLUMNS))
    return draft

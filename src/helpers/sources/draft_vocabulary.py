"""The draft's vocabulary: the aliases that name an indicator, the pairs of indicators printed as one, and checks.

``data/indicators/aliases.csv`` gives each Chinese name (an alias) the indicator it names for one kind of number
(a level, a growth rate, a share); ``alias_pairs.csv`` names two indicators printed as one pair (城乡居民人均可支配
收入分别…). Both are read against ``indicators.csv`` here, once, so that a bad row is an error naming its line
before any text is drafted; the draft (:mod:`helpers.sources.draft`) and the reading of subjects
(:mod:`helpers.sources.draft_subject`) only look names up in the :class:`Vocabulary` this module builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers import paths
from helpers.sources.figures import read_csv_as_text

ALIASES_CSV = "aliases.csv"
#: Names of two indicators printed as one pair (城乡居民人均可支配收入分别…): the first number is the first's.
PAIRS_CSV = "alias_pairs.csv"
#: The annotator's kinds, grouped as an alias names them.
KIND_GROUP: dict[str, str] = {
    "level": "level",
    "duration": "level",
    "growth_rate": "growth_rate",
    "share": "share",
    "rate": "share",
}
#: The measures of the indicators an alias of each kind may name.
_MEASURES_OF_GROUP: dict[str, tuple[str, ...]] = {
    "level": ("flow", "stock", "per_capita", "condition"),
    "growth_rate": ("growth",),
    "share": ("share",),
}
#: Units a value may have for an indicator of each unit (a parent's trade may be printed in US dollars).
UNITS_OF_INDICATOR: dict[str, tuple[str, ...]] = {"yuan": ("yuan", "usd")}


@dataclass(frozen=True)
class Alias:
    """One Chinese name of an indicator, for one kind of number."""

    alias: str
    indicator: str
    kind: str
    theme: str
    subtheme: str
    note: str


@dataclass(frozen=True)
class IndicatorInfo:
    """What a draft needs of an indicator of ``indicators.csv``."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    measure: str


@dataclass(frozen=True)
class Vocabulary:
    """Aliases by (alias, kind) and the indicators they name."""

    aliases: dict[tuple[str, str], Alias]
    indicators: dict[str, IndicatorInfo]
    pattern: re.Pattern[str]
    #: (alias, kind) -> the aliases of the pair's first and second indicator, in that order.
    pairs: dict[tuple[str, str], tuple[Alias, Alias]] = field(default_factory=dict)

    @property
    def pair_names(self) -> set[str]:
        """The aliases that name a pair of indicators."""
        return {alias for alias, _ in self.pairs}


def load_draft_vocabulary(folder: Path | None = None) -> Vocabulary:
    """Read ``indicators.csv`` and ``aliases.csv``; an alias of an unknown indicator or a misfit kind is an error."""
    folder = folder or paths.INDICATORS_DIR
    table = read_csv_as_text(folder / "indicators.csv")
    indicators = {
        row.code: IndicatorInfo(row.code, row.name_zh, row.name_en, row.unit, row.measure)
        for row in table.itertuples(index=False)
    }
    frame = read_csv_as_text(folder / ALIASES_CSV)
    problems = []
    aliases: dict[tuple[str, str], Alias] = {}
    for line, row in enumerate(frame.itertuples(index=False), 2):
        alias = Alias(row.alias, row.indicator, row.kind, row.theme, row.subtheme, row.note)
        indicator = indicators.get(alias.indicator)
        if indicator is None:
            problems.append(f"line {line}: unknown indicator {alias.indicator!r}")
        elif alias.kind not in _MEASURES_OF_GROUP:
            problems.append(f"line {line}: kind {alias.kind!r} not one of {tuple(_MEASURES_OF_GROUP)}")
        elif indicator.measure not in _MEASURES_OF_GROUP[alias.kind]:
            problems.append(f"line {line}: a {alias.kind} alias cannot name {alias.indicator} ({indicator.measure})")
        if (alias.alias, alias.kind) in aliases:
            problems.append(f"line {line}: {alias.alias} ({alias.kind}) twice")
        aliases[(alias.alias, alias.kind)] = alias
    if problems:
        raise ValueError(f"{folder / ALIASES_CSV}: " + "; ".join(problems))
    pairs = _load_pairs(folder, aliases, indicators)
    names = sorted({a for a, _ in aliases} | {a for a, _ in pairs}, key=len, reverse=True)
    return Vocabulary(aliases, indicators, re.compile("|".join(re.escape(n) for n in names)), pairs)


def _load_pairs(
    folder: Path, aliases: dict[tuple[str, str], Alias], indicators: dict[str, IndicatorInfo]
) -> dict[tuple[str, str], tuple[Alias, Alias]]:
    """``alias_pairs.csv``: each pair names two indicators of the alias's kind; theme from their own aliases."""
    themes = {a.indicator: (a.theme, a.subtheme) for a in aliases.values()}
    pairs: dict[tuple[str, str], tuple[Alias, Alias]] = {}
    problems = []
    for line, row in enumerate(read_csv_as_text(folder / PAIRS_CSV).itertuples(index=False), 2):
        codes = (row.first, row.second)
        allowed = _MEASURES_OF_GROUP.get(row.kind, ())
        unfit = [c for c in codes if c not in themes or indicators[c].measure not in allowed]
        if unfit:
            problems.append(f"line {line}: {unfit} not indicators with an alias that a {row.kind!r} may name")
            continue
        made = [Alias(row.alias, code, row.kind, *themes[code], row.note) for code in codes]
        pairs[(row.alias, row.kind)] = (made[0], made[1])
    if problems:
        raise ValueError(f"{folder / PAIRS_CSV}: " + "; ".join(problems))
    return pairs

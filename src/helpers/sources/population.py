"""The population bases of a report: what its per-capita values divide by, read from ``population.toml``.

A report folder may hold ``population.toml`` (the registry names it): one ``[[basis]]`` table per population
denominator, each naming reference comparators (``data/reference``) and saying whether the population has the
scope of the report's figures. A basis is a comparator (``population``), or a comparator scaled by the share
of one comparator in a sum of several (``scale_by`` / ``scale_over``: a census unit wider than the report's
area, scaled to it by an earlier split). Nothing here names an area: what is special to one report is its
file. A report without the file has no basis, and no per-capita value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from helpers.bilingual import NONE, Bilingual
from helpers.sources.figures import FiguresValidationError
from helpers.sources.intervals import Estimate

#: The keys of a ``[[basis]]`` table: required text, then the optional ones.
BASIS_TEXT_KEYS: tuple[str, ...] = ("id", "label_en", "label_zh", "short_en", "short_zh", "caveat_en", "caveat_zh")
BASIS_OPTIONAL_KEYS: tuple[str, ...] = ("scale_by", "scale_over", "matches_report_scope", "mismatch_en", "mismatch_zh")
#: The keys of the file itself, beside its bases.
FILE_KEYS: tuple[str, ...] = ("note_en", "note_zh", "basis")


@dataclass(frozen=True)
class BasisSpec:
    """One basis as the file states it: labels, caveats and the comparator ids its population is made of."""

    basis_id: str
    label: Bilingual
    short: Bilingual
    caveat: Bilingual
    population: str
    scale_by: str = ""
    scale_over: tuple[str, ...] = ()
    matches_report_scope: bool = True
    mismatch: Bilingual = NONE

    @property
    def inputs(self) -> tuple[str, ...]:
        """The comparator ids it reads, each once, in the order of the formula."""
        return tuple(i for i in dict.fromkeys((self.population, self.scale_by, *self.scale_over)) if i)

    @property
    def formula(self) -> str:
        """How the population is computed, over comparator ids."""
        if not self.scale_by:
            return self.population
        return f"{self.population} × {self.scale_by} / ({' + '.join(self.scale_over)})"


@dataclass(frozen=True)
class PopulationFile:
    """A report's ``population.toml``: its bases in order, and the paragraph that explains the choice."""

    bases: tuple[BasisSpec, ...] = ()
    note: Bilingual = NONE
    path: Path | None = None


@dataclass(frozen=True)
class PopulationBasis:
    """A named population denominator of a report, with its value and its caveat in both languages."""

    basis_id: str
    estimate: Estimate
    label_en: str
    label_zh: str
    caveat_en: str
    caveat_zh: str
    formula: str
    inputs: tuple[str, ...]
    short: Bilingual = NONE
    #: Whether the population has the scope of the report's figures (a per-capita value on it is defensible).
    matches_report_scope: bool = True
    #: Why a basis of another scope does not match, said on every row computed on it.
    mismatch: Bilingual = field(default=NONE)

    @property
    def caveats(self) -> Bilingual:
        """The caveat in both languages."""
        return Bilingual(self.caveat_en, self.caveat_zh)


def _basis(raw: object, index: int, problems: list[str]) -> BasisSpec | None:
    """One ``[[basis]]`` table, or None with its problems listed."""
    where = f"basis {index + 1}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: not a table")
        return None
    unknown = sorted(set(raw) - {*BASIS_TEXT_KEYS, *BASIS_OPTIONAL_KEYS, "population"})
    problems += [f"{where}: unknown key {key!r}" for key in unknown]
    for key in (*BASIS_TEXT_KEYS, "population"):
        if not (isinstance(raw.get(key), str) and raw[key].strip()):
            problems.append(f"{where}: {key!r} must be a non-empty string")
    scale_by, scale_over = raw.get("scale_by", ""), raw.get("scale_over", [])
    if not isinstance(scale_by, str) or not (
        isinstance(scale_over, list) and all(isinstance(i, str) and i for i in scale_over)
    ):
        problems.append(f"{where}: 'scale_by' must be a comparator id and 'scale_over' a list of them")
    elif bool(scale_by) != bool(scale_over):
        problems.append(f"{where}: 'scale_by' and 'scale_over' go together (the share of one in their sum)")
    matches = raw.get("matches_report_scope", True)
    if not isinstance(matches, bool):
        problems.append(f"{where}: 'matches_report_scope' must be true or false")
    mismatch = Bilingual(str(raw.get("mismatch_en", "")), str(raw.get("mismatch_zh", "")))
    if matches is False and not (mismatch.en and mismatch.zh):
        problems.append(f"{where}: a basis of another scope says why in 'mismatch_en' and 'mismatch_zh'")
    if problems:
        return None
    return BasisSpec(
        raw["id"],
        Bilingual(raw["label_en"], raw["label_zh"]),
        Bilingual(raw["short_en"], raw["short_zh"]),
        Bilingual(raw["caveat_en"], raw["caveat_zh"]),
        raw["population"],
        scale_by,
        tuple(scale_over),
        matches,
        mismatch,
    )


def read_population_file(path: Path) -> PopulationFile:
    """Read and check a ``population.toml``; a missing file is no basis. Every problem is listed at once."""
    if not path.is_file():
        return PopulationFile()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FiguresValidationError(str(path), [f"not valid TOML ({error})"]) from None
    problems = [f"unknown key {key!r}" for key in sorted(set(raw) - set(FILE_KEYS))]
    bases: list[BasisSpec] = []
    for index, table in enumerate(raw.get("basis", [])):
        found: list[str] = []
        spec = _basis(table, index, found)
        problems += found
        if spec is not None:
            bases.append(spec)
    ids = [spec.basis_id for spec in bases]
    problems += [f"basis {basis_id!r} is defined twice" for basis_id in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise FiguresValidationError(str(path), problems)
    return PopulationFile(tuple(bases), Bilingual(str(raw.get("note_en", "")), str(raw.get("note_zh", ""))), path)


def basis_estimate(spec: BasisSpec, value_of: dict[str, Estimate]) -> Estimate:
    """The population of a basis from its comparators' estimates: one, or one scaled by a share of a sum."""
    population = value_of[spec.population]
    if not spec.scale_by:
        return population
    whole = value_of[spec.scale_over[0]]
    for ident in spec.scale_over[1:]:
        whole = whole + value_of[ident]
    return population * (value_of[spec.scale_by] / whole)

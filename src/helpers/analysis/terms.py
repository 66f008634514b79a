"""The inputs of a formula: figures of the report and sourced comparators, each resolved to its estimate.

A recipe names its inputs as terms (``fig("gdp")``, ``cmp("zhengzhou_gdp")``); :class:`Inputs` turns a term
into the interval its printed number implies. The metric recipes and the audit rules both read their inputs
here, so that neither needs the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.sources.intervals import Estimate, figure_estimate
from helpers.sources.reference import Reference


@dataclass(frozen=True)
class Term:
    """An input of a formula: a figure (``fig``) or a comparator (``cmp``), or a named population basis."""

    source: str
    ident: str

    def __str__(self) -> str:
        """The id as it appears in formulas and in the inputs column."""
        return self.ident


def fig(ident: str) -> Term:
    """A figure of the report, by figure_id."""
    return Term("fig", ident)


def cmp(ident: str) -> Term:
    """A sourced comparator, by comparator_id."""
    return Term("cmp", ident)


@dataclass
class Inputs:
    """Resolves terms to estimates: figures from the figures table, comparators from the reference."""

    figures: pd.DataFrame
    reference: Reference
    _figure_estimates: dict[str, Estimate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Compute each figure's interval once."""
        for row in self.figures.itertuples(index=False):
            self._figure_estimates[row.figure_id] = figure_estimate(row)

    def get(self, term: Term) -> Estimate:
        """The estimate for a term; a comparator without a cited source raises MissingComparatorError."""
        if term.source == "fig":
            if term.ident not in self._figure_estimates:
                raise KeyError(f"unknown figure_id {term.ident!r}")
            return self._figure_estimates[term.ident]
        return self.reference.comparator(term.ident).estimate


def metric_value(table: pd.DataFrame, metric_id: str, population_basis: str = "") -> float:
    """The central value of one metric (under one basis for per-capita metrics); KeyError if absent."""
    match = table[(table["metric_id"] == metric_id) & (table["population_basis"] == population_basis)]
    if match.empty:
        raise KeyError(f"no metric {metric_id!r} with population_basis {population_basis!r}")
    return float(match["value"].iloc[0])

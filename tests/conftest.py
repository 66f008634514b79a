"""Shared fixtures: the normalized report text and the validated tables, loaded once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.sources import figures, text


@pytest.fixture(scope="session")
def report() -> str:
    return text.report_text()


@pytest.fixture(scope="session")
def figures_table() -> pd.DataFrame:
    return figures.load_figures()


@pytest.fixture(scope="session")
def excluded_table() -> pd.DataFrame:
    return figures.load_excluded()


@pytest.fixture
def raw_figures() -> pd.DataFrame:
    """The figures CSV as text, a fresh copy each test so that tests can break it."""
    return figures.read_csv_as_text(figures.paths.FIGURES_CSV)

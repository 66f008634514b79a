"""Shared fixtures: the normalized report text and the validated tables, loaded once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.sources import figures, registry


@pytest.fixture(scope="session")
def report() -> str:
    return registry.subject_report().text


@pytest.fixture(scope="session")
def figures_table() -> pd.DataFrame:
    return registry.subject_report().figures()


@pytest.fixture(scope="session")
def excluded_table() -> pd.DataFrame:
    return registry.subject_report().excluded()


@pytest.fixture
def raw_figures() -> pd.DataFrame:
    """The figures CSV as text, a fresh copy each test so that tests can break it."""
    return figures.read_csv_as_text(registry.subject_report().figures_path)


@pytest.fixture
def report_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Jinshui report folder that a test may edit (a what-if or a hostile figures table)."""
    target = tmp_path_factory.mktemp("reports") / registry.SUBJECT_REPORT_ID
    shutil.copytree(registry.subject_report().folder, target)
    return target

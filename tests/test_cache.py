"""The content-keyed cache: one computation per content of the inputs, a fresh copy for every caller."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import paths
from helpers.analysis.tables import load_analysis
from helpers.sources import cache


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def test_computed_once_per_content_and_again_after_an_edit(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    calls: list[int] = []

    def build() -> pd.DataFrame:
        calls.append(1)
        return pd.read_csv(table)

    assert cache.cached("t", [table], build)["a"].tolist() == [1]
    assert cache.cached("t", [table], build)["a"].tolist() == [1]
    assert len(calls) == 1
    table.write_text("a\n2\n", encoding="utf-8")  # same path, same size: only the content says it changed
    assert cache.cached("t", [table], build)["a"].tolist() == [2]
    assert len(calls) == 2


def test_every_caller_gets_its_own_copy(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    first = cache.cached("t", [table], lambda: pd.read_csv(table))
    first.loc[0, "a"] = 99  # a notebook changing its table in place
    assert cache.cached("t", [table], lambda: pd.read_csv(table))["a"].tolist() == [1]


def test_a_failing_build_stores_nothing(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n", encoding="utf-8")

    def broken() -> None:
        raise ValueError("invalid table")

    with pytest.raises(ValueError, match="invalid table"):
        cache.cached("t", [table], broken)
    assert cache.STORE == {}


def test_the_code_is_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    cache.cached("t", [table], lambda: 1)
    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    assert cache.cached("t", [table], lambda: 2) == 2


def test_old_entries_make_room(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    for number in range(cache.MAX_ENTRIES + 3):
        table.write_text(f"a\n{number}\n", encoding="utf-8")
        cache.cached("t", [table], lambda: None)
    assert len(cache.STORE) == cache.MAX_ENTRIES


def test_the_analysis_follows_an_edited_figures_table(tmp_path: Path) -> None:
    report = tmp_path / "jinshui-2020"
    shutil.copytree(paths.REPORTS_DATA_DIR / "jinshui-2020", report)
    first = load_analysis(report, paths.REFERENCE_DIR)
    assert first.figures.set_index("figure_id").loc["good_air_days", "value"] == 227
    figures = report / "figures.csv"
    # 227 -> 57 good-air days (a what-if); the quote 优良天数达到227天、增加57天 also prints 57天, so it stays valid.
    edited = figures.read_text(encoding="utf-8").replace(
        "Days of excellent or good air quality,,227,天,227,", "Days of excellent or good air quality,,57,天,57,"
    )
    figures.write_text(edited, encoding="utf-8")
    second = load_analysis(report, paths.REFERENCE_DIR)
    assert second.figures.set_index("figure_id").loc["good_air_days", "value"] == 57
    # The implied 2019 level follows: 57 - 57 (the printed change) = 0.
    metrics = second.metrics.set_index("metric_id")
    assert metrics.loc["implied_2019_good_air_days", "value"] == 0


def test_the_processes_of_a_run_share_entries_through_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    shared = tmp_path / "run-cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(shared))
    assert cache.cached("t", [table], lambda: "computed once") == "computed once"
    assert len(list(shared.glob("*.pickle"))) == 1
    cache.clear()  # another process of the run: an empty memory, the same folder

    def must_not_run() -> str:
        raise AssertionError("recomputed although the run's folder holds the entry")

    assert cache.cached("t", [table], must_not_run) == "computed once"
    table.write_text("a\n2\n", encoding="utf-8")  # new content, new key: computed again
    assert cache.cached("t", [table], lambda: "recomputed") == "recomputed"
    monkeypatch.delenv(cache.CACHE_DIR_ENV)
    cache.clear()
    assert cache.cached("t", [table], lambda: "own memory only") == "own memory only"  # no folder: no sharing

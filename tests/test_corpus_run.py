"""The corpus run: drafts, analyses and pages on Dask equal the local executor's; a failed report is one failed
row; pages run in warm kernels; an unchanged report is taken from the previous run.

Three corpus texts (Guangdong, Zhuhai, Haikou) are selected; their parents (Hainan for Haikou) are drafted
beside them. Values are checked against the sentences quoted in the comments.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest

from helpers.publish.corpus_run import TEXTS_DIR, run_corpus

SELECT = ("政府工作报告-省自治区/广东省/*", "zhuhai-2021", "*/海口市/*")
pytestmark = pytest.mark.xdist_group("corpus_run")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same selection on the local executor and on a LocalCluster of two worker processes."""
    base = tmp_path_factory.mktemp("corpus")
    local = run_corpus(base / "local", SELECT, jobs=1, cache=base / "cache-local", progress=False)
    dask = run_corpus(base / "dask", SELECT, jobs=2, cache=base / "cache-dask", progress=False)
    assert not local.failed and not dask.failed
    return {"local": local.output, "dask": dask.output}


def _section(output: Path) -> pd.DataFrame:
    return pd.read_csv(output / "data" / "cross_section.csv", dtype=str, keep_default_na=False)


def test_dask_and_the_local_executor_publish_the_same_tables(runs: dict[str, Path]) -> None:
    for name in ("cross_section.csv", "corpus_figures.csv"):
        assert (runs["local"] / "data" / name).read_bytes() == (runs["dask"] / "data" / name).read_bytes()


def test_one_row_per_selected_report_and_the_district(runs: dict[str, Path]) -> None:
    section = _section(runs["dask"])
    # In the order of reports.csv (by source path: 主要城市, 其他地市, 省自治区), then the district.
    assert list(section["report_id"]) == ["haikou-2021", "zhuhai-2021", "guangdong-2021", "jinshui-2020"]
    assert set(section["status"]) == {"ok"}
    manifest = _manifest(runs["dask"])
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    for page, name in (("index.html", "Haikou"), ("index.zh.html", "海口市")):
        assert name in (runs["dask"] / page).read_text(encoding="utf-8")


def test_values_shares_and_gaps_as_the_texts_print_them(runs: dict[str, Path]) -> None:
    section = _section(runs["dask"]).set_index("report_id")
    zhuhai, haikou = section.loc["zhuhai-2021"], section.loc["haikou-2021"]
    # Zhuhai «一般公共预算收入从270亿元增加到379亿元» / Guangdong «12922亿元» = 2.9330%.
    assert float(zhuhai["budget_revenue_share_of_parent"]) == pytest.approx(379 / 12922 * 100)
    # Zhuhai «全市地区生产总值增长3%» − Guangdong 2.3% = 0.7 points.
    assert float(zhuhai["gdp_growth_gap_pp"]) == pytest.approx(0.7)
    # Zhuhai prints no gap of its own after «增长3%»: nothing stated, nothing to agree with.
    assert zhuhai["gdp_growth_stated_gap_pp"] == zhuhai["gdp_growth_stated_gap_agrees"] == ""
    assert zhuhai["parent_en"] == "Guangdong Province"
    assert zhuhai["parent"] == "广东省" and haikou["parent"] == "海南省"
    # Haikou «全市实现地区生产总值1791.6亿元» = 1.7916e11 yuan, «增长5.3%».
    assert float(haikou["gdp"]) == pytest.approx(1791.6e8)
    assert float(haikou["gdp_growth"]) == 5.3
    assert "1791.6亿元" in haikou["gdp_quote"]
    figures = pd.read_csv(runs["dask"] / "data" / "corpus_figures.csv", dtype=str, keep_default_na=False)
    used = figures[(figures["report_id"] == "haikou-2021") & (figures["status"] == "used")]
    assert used["indicator"].is_unique
    assert set(figures["status"]) == {"used", "excluded"}


def _manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


def _cell_texts(path: Path) -> list[str]:
    """What a reader sees of an executed notebook: every cell's text outputs (not timings, not run metadata)."""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts.append(output.get("text", "") + data.get("text/html", "") + data.get("text/markdown", ""))
    return texts


def test_each_report_has_its_overview_in_both_languages(runs: dict[str, Path]) -> None:
    reports = runs["dask"] / "reports"
    assert sorted(p.name for p in reports.iterdir()) == sorted(["haikou-2021", "zhuhai-2021", "guangdong-2021",
                                                                 "jinshui-2020"])  # fmt: skip
    for key in ("00_overview", "00_overview.zh"):
        for suffix in (".html", ".ipynb"):
            assert (reports / "haikou-2021" / f"{key}{suffix}").is_file()
    english = (reports / "haikou-2021" / "00_overview.html").read_text(encoding="utf-8")
    chinese = (reports / "haikou-2021" / "00_overview.zh.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in english and '<html lang="zh"' in chinese
    # The page is Haikou's (its parameters name its drafted folder), not the flagship's.
    assert "Haikou" in english and "海口市" in chinese
    assert "金水" not in chinese and "Jinshui" not in english
    # The cross-section links each area to its page in the same language.
    index = {
        lang: (runs["dask"] / page).read_text(encoding="utf-8")
        for lang, page in (("en", "index.html"), ("zh", "index.zh.html"))
    }
    assert 'href="reports/haikou-2021/00_overview.html"' in index["en"]
    assert 'href="reports/haikou-2021/00_overview.zh.html"' in index["zh"]
    # Each language's page links to the other.
    assert 'href="00_overview.zh.html"' in english and 'href="00_overview.html"' in chinese
    manifest = _manifest(runs["dask"])
    assert manifest["notebooks"] == ["00_overview"]
    pages = {k: p["status"] for r in manifest["reports"].values() for k, p in r["pages"].items()}
    assert set(pages) == {"00_overview", "00_overview.zh"} and set(pages.values()) == {"ok"}


def test_pages_on_dask_read_as_the_local_executor_s(runs: dict[str, Path]) -> None:
    for report in ("haikou-2021", "guangdong-2021"):
        for key in ("00_overview", "00_overview.zh"):
            local, dask = (runs[name] / "reports" / report / f"{key}.ipynb" for name in ("local", "dask"))
            assert _cell_texts(local) == _cell_texts(dask)


def test_the_kernels_are_warm_one_start_per_worker(runs: dict[str, Path]) -> None:
    """8 pages (4 reports x 2 languages): the local executor starts one kernel, the two Dask workers one each."""
    for name, workers in (("local", 1), ("dask", 2)):
        pages = [p for r in _manifest(runs[name])["reports"].values() for p in r["pages"].values()]
        assert len(pages) == 8
        starts = sum("kernel start" in p["phases"] for p in pages)
        assert 1 <= starts <= workers
        # No reset between pages waited to its 30 s timeout (a kernel client made on a Dask worker's event loop
        # thread never hears its kernel: every reset did, and each page took half a minute).
        assert max(p["phases"]["reset"] for p in pages) < 30


def test_an_unchanged_report_is_taken_from_the_previous_run(runs: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "again"
    shutil.copytree(runs["local"], output)
    before = (output / "reports" / "zhuhai-2021" / "00_overview.zh.html").read_bytes()
    cache = runs["local"].parent / "cache-local"  # the drafts the local run made: the same report folders
    again = run_corpus(output, ("zhuhai-2021",), jobs=1, cache=cache, progress=False)
    assert [(o.report_id, o.reused) for o in again.outcomes] == [("zhuhai-2021", True), ("jinshui-2020", True)]
    assert (output / "reports" / "zhuhai-2021" / "00_overview.zh.html").read_bytes() == before
    # Only the selected reports are published; their rows are the previous run's.
    section = _section(output).set_index("report_id")
    assert list(section.index) == ["zhuhai-2021", "jinshui-2020"]
    assert float(section.loc["zhuhai-2021", "gdp_growth_gap_pp"]) == pytest.approx(0.7)  # 3 − 2.3, as above
    previous = _section(runs["local"]).set_index("report_id")
    assert section.loc["zhuhai-2021"].equals(previous.loc["zhuhai-2021"])  # the row as it was, cell for cell
    # --force runs them again (and the cross-section only, without pages, when no notebook is asked for).
    forced = run_corpus(output, ("zhuhai-2021",), notebooks=(), jobs=1, cache=cache, progress=False, force=True)
    assert [o.reused for o in forced.outcomes] == [False, False]
    assert not list((output / "reports" / "zhuhai-2021").glob("*.html"))
    assert float(_section(output).set_index("report_id").loc["zhuhai-2021", "gdp_growth_gap_pp"]) == pytest.approx(0.7)


def test_a_report_that_fails_is_one_failed_row_and_the_others_publish(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    for path in ("政府工作报告-省自治区/广东省/2021.md", "政府工作报告-其他地市/珠海市/2021.md"):
        (texts / path).parent.mkdir(parents=True)
        shutil.copyfile(TEXTS_DIR / path, texts / path)
    (texts / "政府工作报告-主要城市/海口市").mkdir(parents=True)  # Haikou's text is missing
    result = run_corpus(
        tmp_path / "out", SELECT, jobs=1, texts_dir=texts, cache=tmp_path / "cache", progress=False,
        include_subject=False,
    )  # fmt: skip
    assert [(o.report_id, o.status) for o in result.outcomes] == [
        ("haikou-2021", "failed"),
        ("zhuhai-2021", "ok"),
        ("guangdong-2021", "ok"),
    ]
    assert "draft failed" in result.failed[0].error
    section = _section(tmp_path / "out")
    assert list(section["status"]) == ["failed", "ok", "ok"]


@pytest.fixture
def dask_cli_cluster(tmp_path: Path):
    """A scheduler and two workers started as a user starts a cluster: ``dask scheduler``, ``dask worker``."""
    bin_dir = Path(sys.executable).parent
    address_file = tmp_path / "scheduler.json"
    processes = [
        subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--scheduler-file", str(address_file), "--port", "0",
             "--dashboard-address", ":0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [str(bin_dir / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                )
            )  # fmt: skip
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def test_a_cluster_started_with_the_dask_cli_publishes_what_the_local_executor_does(
    dask_cli_cluster: str, runs: dict[str, Path], tmp_path: Path
) -> None:
    cache = runs["local"].parent / "cache-local"  # the drafts the local run made, at a path the workers see
    cluster = run_corpus(tmp_path / "cluster", ("zhuhai-2021",), scheduler=dask_cli_cluster, cache=cache,
                         progress=False)  # fmt: skip
    local = run_corpus(tmp_path / "local", ("zhuhai-2021",), jobs=1, cache=cache, progress=False, force=True)
    assert not cluster.failed and not local.failed
    for name in ("cross_section.csv", "corpus_figures.csv"):
        assert (tmp_path / "cluster" / "data" / name).read_bytes() == (tmp_path / "local" / "data" / name).read_bytes()
    for key in ("00_overview", "00_overview.zh"):
        pages = [tmp_path / run / "reports" / "zhuhai-2021" / f"{key}.ipynb" for run in ("cluster", "local")]
        assert _cell_texts(pages[0]) == _cell_texts(pages[1])
    # The run stopped the kernels it started on the cluster's workers; the workers themselves go on.
    from distributed import Client

    with Client(dask_cli_cluster, timeout="30s") as client:
        assert len(client.scheduler_info()["workers"]) == 2
        plugins = client.run(lambda dask_worker: list(dask_worker.plugins))
        assert all("gov-report-warm-kernel" not in names for names in plugins.values())
        kernels = client.run(lambda: [p.pid for p in psutil.Process().children(recursive=True)])
        assert all(children == [] for children in kernels.values())

"""The batch runner: failure isolation, atomic outputs, skip and --force, bad input, escaping."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from collections_helper import write_notebook as _notebook

from helpers import paths
from helpers.publish import batch, cli
from helpers.publish import collection as notebook_collection

pytestmark = pytest.mark.xdist_group("batch")
#: The small collections here test the runner, not the languages: one language keeps them fast.
EN = {"lang": "en"}


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A small collection: one good notebook and one deliberately broken."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(folder, "a_good", 'print("fine")')
    _notebook(folder, "b_broken", 'raise RuntimeError("deliberately broken")')
    return folder


@pytest.fixture
def published_good(collection: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The good notebook alone, run once into tmp/out: the output folder and a digest of its files."""
    (collection / "b_broken.ipynb").unlink()
    output = tmp_path / "out"
    assert [o.status for o in batch.run(output, notebooks_dir=collection, overrides=EN, progress=False)] == ["ok"]
    return output, _tree_digest(output)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_failing_notebook_does_not_stop_the_others(collection: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    code = cli.main(["run", "--notebooks", str(collection), "--output", str(output), "-p", "lang", "en", "--jobs", "2"])
    assert code == 1  # the run fails because one notebook failed
    assert (output / "a_good.html").exists()
    broken = nbformat.read(output / "b_broken.ipynb", as_version=4)  # kept, with its error cell
    errors = [o for c in broken.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].evalue == "deliberately broken"
    assert "deliberately broken" in (output / "b_broken.html").read_text(encoding="utf-8")
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'class="card failed"' in index and 'class="card ok"' in index
    assert "RuntimeError: deliberately broken" in index


def test_skip_unchanged_and_force(collection: Path, published_good: tuple[Path, dict[str, str]]) -> None:
    output, before = published_good
    second = batch.run(output, notebooks_dir=collection, overrides=EN, progress=False)
    assert [o.status for o in second] == ["up to date"]
    assert _tree_digest(output) == before  # nothing was touched
    forced = batch.run(output, notebooks_dir=collection, force=True, overrides=EN, progress=False)
    assert [o.status for o in forced] == ["ok"]
    changed = batch.run(output, notebooks_dir=collection, overrides={"lang": "zh"}, progress=False)
    assert [o.status for o in changed] == ["ok"]  # a new parameter value is a new input


def test_a_failed_run_leaves_the_previous_reports_intact(
    collection: Path, tmp_path: Path, published_good: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    output, before = published_good

    def explode(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("helpers.publish.exports.write_data_exports", explode)
    with pytest.raises(batch.RunError, match="disk full; the previous reports are unchanged"):
        batch.run(output, notebooks_dir=collection, force=True, overrides=EN, progress=False)
    assert _tree_digest(output) == before
    assert not list(tmp_path.glob(".out.staging-*"))


def test_a_killed_run_leaves_the_previous_reports_intact(
    collection: Path, tmp_path: Path, published_good: tuple[Path, dict[str, str]]
) -> None:
    output, before = published_good
    _notebook(collection, "c_slow", "import time\ntime.sleep(60)")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpers.publish.cli",
            "run",
            "--notebooks",
            str(collection),
            "--output",
            str(output),
            "-p",
            "lang",
            "en",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.staging-*")):
        assert time.monotonic() < deadline, "the run never started staging"
        time.sleep(0.2)
    time.sleep(3)  # well inside the slow notebook
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _tree_digest(output) == before
    # The next run cleans up what the killed one left and works.
    (collection / "c_slow.ipynb").unlink()
    assert [o.status for o in batch.run(output, notebooks_dir=collection, overrides=EN, progress=False)] == [
        "up to date"
    ]
    assert not list(tmp_path.glob(".out.staging-*"))


def test_an_interrupted_swap_is_recovered(
    collection: Path, tmp_path: Path, published_good: tuple[Path, dict[str, str]]
) -> None:
    output, before = published_good
    output.rename(tmp_path / ".out.old-12345678")  # killed between the two renames of the swap
    assert [o.status for o in batch.run(output, notebooks_dir=collection, overrides=EN, progress=False)] == [
        "up to date"
    ]
    assert _tree_digest(output) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--theme", "sports"], "unknown theme 'sports'; allowed: overview, epidemic"),
        (["-p", "colour", "red"], "unknown parameter 'colour'"),
        (["-p", "lang", "fr"], "parameter 'lang' = 'fr' is not allowed; allowed: 'en', 'zh'"),
        (["-p", "top_n", "0"], "parameter 'top_n' = 0 is not allowed"),
        (["-p", "output_dir", "x"], "cannot be set with -p; use --output"),
        (["--jobs", "0"], "--jobs 0 is not allowed"),
    ],
)
def test_bad_input_is_one_line_and_starts_no_work(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out"
    code = cli.main(["run", "--output", str(output), *arguments])
    error = capsys.readouterr().err
    assert code == 2
    assert message in error
    assert len(error.strip().splitlines()) == 1
    assert not output.exists()


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert cli.main(["run", "--output", str(blocker)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert cli.main(["run", "--output", str(blocker / "below")]) == 2
    assert "is not writable" in capsys.readouterr().err


def test_list_shows_parameters_and_defaults() -> None:
    listing = notebook_collection.list_notebooks()
    assert "02_economy: Economy · 经济发展" in listing
    assert "top_n = 10" in listing
    assert "population_basis = 'resident_2019'" in listing


def test_text_from_data_is_escaped(tmp_path: Path, report_copy: Path) -> None:
    # Data text is text, in HTML (raw <script>) as in Markdown ([link](javascript:...)) and in styled tables.
    figures = report_copy / "figures.csv"
    original = figures.read_text(encoding="utf-8")
    label = "Gross <script>alert('x')</script> [link](javascript:alert(4)) product"
    hostile = original.replace(",Gross regional product (GDP),", f",{label},")
    assert hostile != original
    figures.write_text(hostile, encoding="utf-8")
    output = tmp_path / "out"
    outcomes = batch.run(
        output, themes=["overview", "economy"], overrides={"report_dir": str(report_copy), "lang": "en"}, progress=False
    )
    assert [o.status for o in outcomes] == ["ok", "ok"]
    for page in ("index.html", "00_overview.html", "02_economy.html"):
        text = (output / page).read_text(encoding="utf-8")
        assert "<script>alert('x')" not in text, page
        assert "&lt;script&gt;alert(" in text, page
        assert 'href="javascript:' not in text, page
    for page in ("00_overview.html", "02_economy.html"):  # the sentences built from data show it as written
        assert "[link](javascript:alert(4))" in (output / page).read_text(encoding="utf-8"), page


def test_code_is_hidden_unless_asked(collection: Path, published_good: tuple[Path, dict[str, str]]) -> None:
    highlighted_code = '<span class="nb">print</span>'  # the code cell print("fine"), as pygments renders it
    output, _ = published_good
    hidden = (output / "a_good.html").read_text(encoding="utf-8")
    assert highlighted_code not in hidden
    assert "<pre>fine\n</pre>" in hidden  # its output is shown
    shown = batch.run(output, notebooks_dir=collection, show_code=True, overrides=EN, progress=False)
    assert [o.status for o in shown] == ["ok"]  # showing code is a new input: the page is rebuilt
    assert highlighted_code in (output / "a_good.html").read_text(encoding="utf-8")


def test_both_languages_are_published_and_linked(collection: Path, tmp_path: Path) -> None:
    (collection / "b_broken.ipynb").unlink()
    output = tmp_path / "out"
    outcomes = batch.run(output, notebooks_dir=collection, progress=False)
    assert [(o.stem, o.status) for o in outcomes] == [("a_good", "ok"), ("a_good.zh", "ok")]
    english, chinese = (
        (output / "a_good.html").read_text(encoding="utf-8"),
        (output / "a_good.zh.html").read_text(encoding="utf-8"),
    )
    assert 'class="jinshui-twin" hreflang="zh" href="a_good.zh.html">中文版' in english
    assert 'class="jinshui-twin" hreflang="en" href="a_good.html">English<' in chinese
    assert '<a href="index.zh.html">' in chinese  # back to the Chinese index
    assert 'href="index.zh.html">中文版</a>' in (output / "index.html").read_text(encoding="utf-8")
    zh_index = (output / "index.zh.html").read_text(encoding="utf-8")
    assert 'lang="zh"' in zh_index and 'href="a_good.zh.html"' in zh_index
    # -p lang narrows the run to one language.
    narrowed = batch.run(tmp_path / "zh_only", notebooks_dir=collection, overrides={"lang": "zh"}, progress=False)
    assert [o.stem for o in narrowed] == ["a_good.zh"]
    assert (tmp_path / "zh_only" / "index.html").exists()  # the folder always opens at index.html


def test_longest_first_by_the_previous_run_then_by_size(tmp_path: Path) -> None:
    from helpers.publish.batch import longest_first
    from helpers.publish.collection import Job

    def job(stem: str, size: int) -> Job:
        path = tmp_path / f"{stem}.ipynb"
        path.write_text("x" * size, encoding="utf-8")
        return Job(stem, path, {}, "", stem, "")

    jobs = [job("short", 900), job("long", 100), job("new_small", 10), job("new_large", 50)]
    manifest = {"notebooks": {"short": {"seconds": 0.5}, "long": {"seconds": 4.0}}}
    # Never timed first (larger file first), then the previous run's times, longest first.
    assert [j.stem for j in longest_first(jobs, manifest)] == ["new_large", "new_small", "long", "short"]
    # No previous run: by file size.
    assert [j.stem for j in longest_first(jobs, {})] == ["short", "long", "new_large", "new_small"]


def test_titles_per_language() -> None:
    from helpers.publish.collection import notebook_title

    economy = paths.NOTEBOOKS_DIR / "02_economy.ipynb"
    # The notebook's two title cells: "# Economy" (lang-en) and "# 经济发展" (lang-zh).
    assert notebook_title(economy, "en") == "Economy"
    assert notebook_title(economy, "zh") == "经济发展"
    assert notebook_title(economy) == "Economy · 经济发展"  # the list command shows both

"""The runner's promises on the faults of the third reliability round (issue 19), each case as a user met it.

A failed notebook keeps its last good page; Ctrl-C while the new reports are put in place says what is true;
a data file saved during a run changes none of its pages; a label no font can draw, or a control character,
never fails a chart or reaches one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
from collections_helper import write_notebook
from test_runner_failures import BOUND_SECONDS, _cli, _digest, _run_dirs, _start_paused

from helpers.publish import batch

pytestmark = pytest.mark.xdist_group("batch")
EN = {"lang": "en"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a failed notebook never destroys its last good page ------------------------------------------------------


def test_a_failing_notebook_keeps_its_last_good_page_marked_stale(tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    write_notebook(folder, "a_page", 'print("the good version")')
    write_notebook(folder, "b_other", 'print("fine")')
    assert {o.status for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)} == {"ok"}
    good = {name: _sha(output / name) for name in ("a_page.html", "a_page.ipynb")}
    # The notebook breaks (a bug, a label no font can draw …): the run reports it, the good page stays.
    write_notebook(folder, "a_page", 'raise RuntimeError("broken on purpose")')
    notes: list[str] = []
    outcomes = {o.stem: o for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False, notes=notes)}
    assert outcomes["a_page"].status == "failed" and "broken on purpose" in outcomes["a_page"].error
    assert {name: _sha(output / name) for name in good} == good
    entry = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["notebooks"]["a_page"]
    assert entry["status"] == "stale" and "broken on purpose" in entry["failure"]["error"]
    assert entry["failure"]["page"] == "a_page.failed.html" and (output / "a_page.failed.html").is_file()
    assert "broken on purpose" in (output / "a_page.failed.ipynb").read_text(encoding="utf-8")
    assert any("a_page failed; its last good page is kept" in note for note in notes)
    # The index marks the card stale, with the error and a link to the failed run's page.
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'class="card stale"' in index and 'href="a_page.failed.html"' in index and "broken on purpose" in index
    # Fixed, it runs again (a stale entry is never current), and the failure's files go.
    write_notebook(folder, "a_page", 'print("fixed")')
    outcomes = {o.stem: o for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)}
    assert outcomes["a_page"].status == "ok" and outcomes["b_other"].status == "up to date"
    assert not (output / "a_page.failed.html").exists() and not (output / "a_page.failed.ipynb").exists()


def test_a_notebook_that_fails_twice_still_keeps_the_first_good_page(tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    write_notebook(folder, "a_page", 'print("good")')
    write_notebook(folder, "b_other", 'print("fine")')
    batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)
    good = _sha(output / "a_page.html")
    for attempt in ("first", "second"):
        write_notebook(folder, "a_page", f'raise RuntimeError("{attempt} failure")')
        batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)
        assert _sha(output / "a_page.html") == good
    failure = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["notebooks"]["a_page"]["failure"]
    assert "second failure" in failure["error"]


def test_a_notebook_that_never_succeeded_shows_its_error_page(tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    write_notebook(folder, "a_page", 'raise RuntimeError("never worked")')
    write_notebook(folder, "b_other", 'print("fine")')
    outcomes = {o.stem: o for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)}
    assert outcomes["a_page"].status == "failed"
    assert "never worked" in (output / "a_page.html").read_text(encoding="utf-8")
    assert not (output / "a_page.failed.html").exists()


# --- Ctrl-C while the reports are put in place --------------------------------------------------------------


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_between_the_two_renames_publishes_and_says_so(how: signal.Signals, tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    write_notebook(folder, "a_page", 'print("first")')
    batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)
    before = _digest(output)
    write_notebook(folder, "a_page", 'print("second")')
    os.environ["JINSHUI_PAUSE_SECONDS"] = "2"  # the runner holds the signal until the swap is done
    try:
        process, _ = _start_paused("between-renames", folder, output, tmp_path)
    finally:
        del os.environ["JINSHUI_PAUSE_SECONDS"]
    assert not output.exists()  # the old set is renamed away, the new one not yet in place
    process.send_signal(how)
    _, err = process.communicate(timeout=BOUND_SECONDS)
    assert process.returncode == 130
    assert (
        err.strip().splitlines()[-1] == f"jinshui-report: interrupted after the new reports were published in {output}"
    )
    assert "Traceback" not in err
    assert _digest(output) != before and "second" in (output / "a_page.ipynb").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".out.old-*")) and not list(tmp_path.glob(".out.staging-*"))


# --- a data file saved during a run ---------------------------------------------------------------------------

_PRINT_GDP_LABEL = """from helpers.analysis.tables import load_analysis
from helpers.notebook.params import resolve
analysis = load_analysis(resolve(report_dir), resolve(reference_dir))
print("label:", analysis.figures.set_index("figure_id").loc["gdp", "indicator_en"])"""


def test_a_data_file_saved_during_a_run_changes_none_of_its_pages(report_copy: Path, tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    for stem in ("a_first", "b_second", "c_third"):
        write_notebook(folder, stem, _PRINT_GDP_LABEL)
    figures = report_copy / "figures.csv"
    original = figures.read_text(encoding="utf-8")
    os.environ["JINSHUI_PAUSE_SECONDS"] = "3"
    try:
        process, _ = _start_paused("notebooks", folder, output, tmp_path, "-p", "report_dir", str(report_copy))
    finally:
        del os.environ["JINSHUI_PAUSE_SECONDS"]
    # Saved from an editor while the run is under way: after the inputs were read, before any notebook ran.
    figures.write_text(original.replace("Gross regional product (GDP)", "GDP edited mid-run"), encoding="utf-8")
    _, err = process.communicate(timeout=BOUND_SECONDS)
    assert process.returncode == 0, err
    for stem in ("a_first", "b_second", "c_third"):
        executed = (output / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert "label: Gross regional product (GDP)" in executed and "edited mid-run" not in executed
    assert "edited mid-run" not in (output / "data" / "figures.csv").read_text(encoding="utf-8")
    assert f"note: {figures.resolve()} changed during the run" in err
    # The next run sees the new content, and publishes it everywhere.
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en",
                  "-p", "report_dir", str(report_copy))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "label: GDP edited mid-run" in (output / "a_first.ipynb").read_text(encoding="utf-8")
    assert "changed during the run" not in result.stderr


# --- labels no font can draw, and control characters ---------------------------------------------------------


def test_a_label_no_font_can_draw_is_replaced_and_said_in_the_chart() -> None:
    import warnings

    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from helpers.notebook import plotting

    mpl.use("Agg")
    for lang, word in (("en", "stands for"), ("zh", "代表")):
        plotting.set_style(lang)
        _, ax = plt.subplots()
        ax.barh([0, 1], [1.0, 2.0])
        ax.set_yticks([0, 1], ["GDP 📈", "金水区"])
        ax.set_title("Economy 📈")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # as in the notebooks: a missing glyph would fail the chart
            figure = plotting.finish(ax)
            figure.canvas.draw()
        assert [t.get_text() for t in ax.get_yticklabels()] == ["GDP □", "金水区"]
        assert ax.get_title() == "Economy □"
        notes = [t.get_text() for t in figure.texts]
        assert len(notes) == 1 and word in notes[0] and "U+1F4C8" in notes[0]


def test_a_report_whose_label_has_an_emoji_publishes_its_charts(report_copy: Path, tmp_path: Path) -> None:
    # The economy page charts GDP under its English label: 'GDP 📈' once failed the notebook (warnings are
    # errors there) and published an error page in place of the good one.
    figures = report_copy / "figures.csv"
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace("Gross regional product (GDP)", "GDP 📈", 1), encoding="utf-8")
    outcomes = batch.run(
        tmp_path / "out",
        themes=["economy"],
        overrides={"lang": "en", "report_dir": str(report_copy)},
        progress=False,
    )
    assert [(o.stem, o.status) for o in outcomes] == [("02_economy", "ok")]


def test_a_control_character_in_a_data_file_is_one_clear_error(report_copy: Path, tmp_path: Path) -> None:
    figures = report_copy / "figures.csv"
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace("Gross regional product (GDP)", "Gross regional\x07 product", 1), encoding="utf-8")
    result = _cli("run", "--output", str(tmp_path / "out"), "-p", "report_dir", str(report_copy), "--theme", "economy")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jinshui-report: error: ")
    assert "figures.csv" in lines[0] and "column 'indicator_en'" in lines[0] and "U+0007" in lines[0]
    assert not (tmp_path / "out").exists()


# --- kernels and workers that die -----------------------------------------------------------------------------


def _recorded(run_dirs: list[Path], role: str) -> list[int]:
    return [int(p.name.split("-")[1].split(".")[0]) for d in run_dirs for p in d.glob(f"{role}-*.pid")]


def _killed_at(phase: str, role: str, folder: Path, output: Path, tmp_path: Path, *extra: str) -> tuple[str, str, int]:
    """Start a run paused at ``phase`` (2 s), SIGKILL every recorded ``role`` process, and let the run end."""
    os.environ["JINSHUI_PAUSE_SECONDS"] = "2"
    try:
        process, _ = _start_paused(phase, folder, output, tmp_path, *extra)
    finally:
        del os.environ["JINSHUI_PAUSE_SECONDS"]
    victims = _recorded(_run_dirs(process.pid), role)
    assert victims, f"no {role} recorded"
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    out, err = process.communicate(timeout=BOUND_SECONDS)
    return out, err, process.returncode


def _all_ok(summary: str) -> bool:
    """Every one of the three pages has the status ok in the run's summary table."""
    return all(re.search(rf"^{stem}\s+ok\s", summary, re.MULTILINE) for stem in ("a_page", "b_page", "c_page"))


def _three_pages(folder: Path) -> None:
    for stem in ("a_page", "b_page", "c_page"):
        write_notebook(folder, stem, f'print("{stem}")')


def test_a_kernel_killed_while_it_warms_up_is_noticed_at_once(tmp_path: Path) -> None:
    # Before: the worker waited the warm-up's 120 s for a reply from the dead kernel, after every page was done.
    # The bound is far below that (each fresh kernel pauses 2 s at the warm-up here; three trivial pages).
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    _three_pages(folder)
    started = time.monotonic()
    out, err, code = _killed_at("kernel-warmup", "kernel", folder, output, tmp_path, "--jobs", "2")
    assert code == 0, err
    assert time.monotonic() - started < 45
    assert _all_ok(out), out
    assert "Traceback" not in err


def test_a_kernel_killed_between_pages_is_replaced_before_the_next(tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    _three_pages(folder)
    out, err, code = _killed_at("notebook-start", "kernel", folder, output, tmp_path, "--jobs", "1")
    assert code == 0, err
    assert _all_ok(out), out


def test_a_worker_killed_from_outside_fails_no_notebook(tmp_path: Path) -> None:
    # SIGKILL of a worker (what the OOM killer does) breaks the pool: every page is run again on new workers,
    # the one that was running alone; none is blamed, and no process outlives the run.
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    _three_pages(folder)
    out, err, code = _killed_at("notebook-start", "worker", folder, output, tmp_path, "--jobs", "2")
    assert code == 0, err
    assert _all_ok(out), out
    assert "died" not in out


def test_a_notebook_that_kills_its_worker_is_the_only_one_that_fails(tmp_path: Path) -> None:
    folder, output = tmp_path / "notebooks", tmp_path / "out"
    _three_pages(folder)
    write_notebook(folder, "d_kills", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en", "--jobs", "2")
    assert result.returncode == 1, result.stderr
    assert "failed: d_kills: its worker process died while it ran, and again when it ran alone" in result.stdout
    assert _all_ok(result.stdout), result.stdout
    assert "Traceback" not in result.stderr


def test_the_worker_hears_its_kernel_s_reply_instead_of_waiting_out_the_timeout(tmp_path: Path) -> None:
    # A client connected inside the event loop (the first version of the dead-kernel watch did that) belongs
    # to another thread's loop: every warm-up and reset then waited its whole timeout (120 s, 30 s) and every
    # cell of the notebooks to the next second. With a 60 s timeout, a reply heard takes well under the bound.
    from helpers.publish import worker

    worker._RUN_DIR = tmp_path
    worker._KERNEL = worker._new_manager()
    try:
        worker._ensure_kernel()
        started = time.monotonic()
        worker._run_in_kernel("x = 1", timeout=60)
        worker._run_in_kernel("x = 2", timeout=60)
        assert time.monotonic() - started < 30
    finally:
        worker.stop_kernel()
        worker._KERNEL = worker._RUN_DIR = None

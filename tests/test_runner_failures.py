"""The runner tried as a hostile user would: each case ends with a clear message or the right result.

Every case asserts its outcome class: a clear error (exit code and one ``jinshui-report: error:`` line per
problem, no traceback) or success; the previous reports byte for byte (checksums); no worker or kernel
left behind; the run ends within a bound. Kills happen at a named phase (the runner pauses there when
``JINSHUI_PAUSE_AT`` asks it to), never after a guessed sleep. Small notebooks in a temporary collection
keep it fast.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from collections_helper import PARAMETERS
from collections_helper import write_notebook as _notebook

from helpers import paths
from helpers.publish import batch, cli, pool, staging
from helpers.sources import registry

pytestmark = pytest.mark.xdist_group("batch")
#: The small collections here test the runner, not the languages: one language keeps them fast.
EN = {"lang": "en"}


BOUND_SECONDS = 90  # every run here ends well inside this


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def good(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    _notebook(folder, "a_good", 'print("fine")')
    return folder


@pytest.fixture
def published(good: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Reports of one good run: the folder and its checksums."""
    output = tmp_path / "out"
    assert [o.status for o in batch.run(output, notebooks_dir=good, overrides=EN, progress=False)] == ["ok"]
    return output, _digest(output)


def _cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helpers.publish.cli", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=BOUND_SECONDS,
        check=False,
    )


def _assert_clear_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("jinshui-report: error: ") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def _run_dirs(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{batch.RUN_DIR_PREFIX}{pid}-*"))


def _recorded_pids(run_dir: Path) -> list[int]:
    return [int(p.read_text(encoding="utf-8").split()[0]) for p in run_dir.glob("*.pid")]


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie not yet reaped by its parent counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def _wait_dead(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(_dead(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _start_paused(
    phase: str, folder: Path, output: Path, tmp_path: Path, *extra: str
) -> tuple[subprocess.Popen[str], Path]:
    """Start a run that pauses at ``phase``; return once it is there."""
    marker = tmp_path / f"paused-{phase}"
    arguments = ["run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en", *extra]
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers.publish.cli", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "JINSHUI_PAUSE_AT": phase, "JINSHUI_PAUSE_FILE": str(marker)},
    )
    deadline = time.monotonic() + BOUND_SECONDS
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"the run never reached {phase}"
        time.sleep(0.05)
    return process, marker


# --- 1. nothing lost ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["stage", "notebooks", "exports", "swap"])
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_run_killed_at_any_phase_leaves_the_previous_reports(
    phase: str, how: signal.Signals, good: Path, published: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    output, before = published
    _notebook(good, "b_slow", "import time\ntime.sleep(5)")
    process, _ = _start_paused(phase, good, output, tmp_path)
    run_dirs = _run_dirs(process.pid)
    pids = [pid for folder in run_dirs for pid in _recorded_pids(folder)]
    process.send_signal(how)
    _, err = process.communicate(timeout=BOUND_SECONDS)
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert err.strip().splitlines()[-1] == "jinshui-report: interrupted; the previous reports are unchanged"
        assert "Traceback" not in err
        assert not _run_dirs(process.pid)  # the run folder went with it
    assert _digest(output) == before
    assert _wait_dead(pids), "a worker or kernel outlived the run"
    # The next run repairs whatever the killed one left, and publishes.
    assert {o.status for o in batch.run(output, notebooks_dir=good, overrides=EN, progress=False)} <= {
        "ok",
        "up to date",
    }
    assert not list(tmp_path.glob(".out.staging-*"))
    assert not list(tmp_path.glob(".out.old-*"))


def test_a_failing_export_leaves_the_previous_reports(
    good: Path, published: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    output, before = published

    def explode(*_args: object) -> None:
        raise OSError(28, "No space left on device", str(output / "data" / "jinshui-2020.xlsx"))

    monkeypatch.setattr("helpers.publish.exports.write_data_exports", explode)
    with pytest.raises(batch.RunError, match=r"no space left on device while writing .*xlsx; the previous reports"):
        batch.run(output, notebooks_dir=good, force=True, overrides=EN, progress=False)
    assert _digest(output) == before


def test_a_control_character_in_a_data_file_is_refused_before_anything_runs(tmp_path: Path, report_copy: Path) -> None:
    # A control character (BEL, U+0007) can be neither drawn nor held by an XLSX cell: preflight names the file,
    # line, column and code point, and nothing is written. figures.csv's header is line 1, so the row of
    # «城镇新增就业» is the line the grep below finds.
    figures = report_copy / "figures.csv"
    text = figures.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if ",New urban jobs," in row)
    figures.write_text(text.replace(",New urban jobs,", ",New urban\x07jobs,"), encoding="utf-8")
    folder = tmp_path / "notebooks"
    _notebook(folder, "a_good", 'print("fine")', PARAMETERS.replace("data/reports/jinshui-2020", str(report_copy)))
    output = tmp_path / "out"
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en")
    assert result.returncode == 2, result.stderr
    assert f"line {line}, column 'indicator_en': a control character (U+0007); remove it" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


# --- 2. every run ends -------------------------------------------------------------------------------------


def test_a_dying_kernel_fails_its_notebook_and_the_run_ends(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    _notebook(folder, "a_dies", "import os\nos._exit(1)")
    _notebook(folder, "b_good", 'print("fine")')
    output = tmp_path / "out"
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en", "--jobs", "1")
    assert result.returncode == 1
    assert "failed: a_dies: kernel died while a cell was running" in result.stdout
    assert "b_good    ok" in result.stdout  # the worker recovered with a fresh kernel


def test_a_cell_that_never_ends_times_out_naming_its_cell(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    _notebook(folder, "a_loops", "import time\nwhile True:\n    time.sleep(0.1)")
    _notebook(folder, "b_good", 'print("fine")')
    output = tmp_path / "out"
    started = time.monotonic()
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en", "--timeout", "2")
    assert time.monotonic() - started < BOUND_SECONDS
    assert result.returncode == 1
    assert "failed: a_loops: timed out: a cell ran longer than 2 s (the cell import time)" in result.stdout
    assert "b_good    ok" in result.stdout
    assert "timed out" in (output / "a_loops.html").read_text(encoding="utf-8")


def test_no_run_folder_or_process_is_left_behind(published: tuple[Path, dict[str, str]]) -> None:
    # The fixture's run has ended: its run folder (kernel sockets, pid files) is gone.
    assert not _run_dirs(os.getpid())


def test_jobs_beyond_the_cpus_are_capped_and_said(good: Path, tmp_path: Path) -> None:
    notes: list[str] = []
    _notebook(good, "b_good", 'print("fine")')
    batch.run(tmp_path / "out", notebooks_dir=good, jobs=100, overrides=EN, progress=False, notes=notes)
    cpus = os.cpu_count() or 1
    assert notes == [f"--jobs 100: using {min(cpus, 2)} worker(s); more workers than the {cpus} CPU(s) would not help"]


# --- 3. never silently wrong -------------------------------------------------------------------------------


def test_reruns_settle_and_damaged_outputs_are_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    writes = (
        "import json, pathlib\n"
        "p = pathlib.Path(output_dir) / 'results' / '{stem}.json'\n"
        "p.parent.mkdir(parents=True, exist_ok=True)\n"
        "payload = {{'notebook': '{stem}', 'parameters': {{'output_dir': output_dir}}, 'results': {{}}}}\n"
        "p.write_text(json.dumps(payload))"
    )
    _notebook(folder, "a_one", writes.format(stem="a_one"))
    _notebook(folder, "b_two", writes.format(stem="b_two"))
    output = tmp_path / "out"
    assert [
        o.status for o in batch.run(output, themes=["a_one"], notebooks_dir=folder, overrides=EN, progress=False)
    ] == ["ok"]
    statuses = [o.status for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)]
    assert statuses == ["up to date", "ok"]
    for _ in range(2):  # nothing changed: every later run leaves everything alone
        assert [o.status for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)] == [
            "up to date"
        ] * 2
    (output / "results" / "a_one.json").write_text("", encoding="utf-8")  # emptied
    assert [o.status for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)] == [
        "ok",
        "up to date",
    ]
    (output / "results" / "b_two.json").write_text('{"written": "from JupyterLab"}', encoding="utf-8")
    assert [o.status for o in batch.run(output, notebooks_dir=folder, overrides=EN, progress=False)] == [
        "up to date",
        "ok",
    ]


# --- 4. bad input: one line per problem, before any work -----------------------------------------------------


def _figures_case(report: Path, case: str) -> str:
    """Break the copied Jinshui figures table in one way; return a fragment the error must name."""
    path = report / "figures.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if case == "missing column":
        header = lines[0].split(",")
        index = header.index("kind")
        rows = [",".join(f for i, f in enumerate(line.split(",")) if i != index) for line in lines[:1]]
        path.write_text("\n".join(rows + lines[1:]) + "\n", encoding="utf-8")
        return "missing column 'kind'"
    if case == "duplicate id":
        path.write_text(text.replace("\ngeneral_budget_revenue,", "\ngdp,", 1), encoding="utf-8")
        return "figure_id"
    if case == "nan value":
        path.write_text(text.replace(",1800,亿元,180000000000,", ",1800,亿元,nan,", 1), encoding="utf-8")
        return "(gdp)"
    if case == "empty value":
        path.write_text(text.replace(",1800,亿元,180000000000,", ",1800,亿元,,", 1), encoding="utf-8")
        return "(gdp)"
    if case == "negative level":
        path.write_text(text.replace(",122,亿元,12200000000,", ",122,亿元,-12200000000,", 1), encoding="utf-8")
        return "a level must not be negative"
    if case == "thousands separator":
        path.write_text(text.replace(",1800,亿元,180000000000,", ',1800,亿元,"180,000,000,000",', 1), encoding="utf-8")
        return "(gdp)"
    if case == "quote not in text":
        path.write_text(
            text.replace("全年地区生产总值突破1800亿元", "全年地区生产总值突破1900亿元", 1), encoding="utf-8"
        )
        return "is not in the normalized text"
    if case == "gbk":
        path.write_bytes(text.encode("gbk"))
        return "not valid UTF-8"
    if case == "empty file":
        path.write_text("", encoding="utf-8")
        return "empty file"
    if case == "header only":
        path.write_text(lines[0] + "\n", encoding="utf-8")
        return "no rows"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "missing column",
        "duplicate id",
        "nan value",
        "empty value",
        "negative level",
        "thousands separator",
        "quote not in text",
        "gbk",
        "empty file",
        "header only",
    ],
)
def test_a_bad_figures_table_is_one_clear_error_before_any_work(case: str, report_copy: Path, tmp_path: Path) -> None:
    fragment = _figures_case(report_copy, case)
    output = tmp_path / "out"
    result = _cli("run", "--output", str(output), "-p", "report_dir", str(report_copy), "--theme", "economy")
    _assert_clear_error(result, 2, "figures.csv", fragment)
    assert not output.exists()
    assert not list(tmp_path.glob(".out.staging-*"))


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, target)
    return target


def test_a_reference_folder_with_a_missing_file(reference_copy: Path, tmp_path: Path) -> None:
    (reference_copy / "census2020_zhengzhou_counties.csv").unlink()
    result = _cli("run", "--output", str(tmp_path / "out"), "-p", "reference_dir", str(reference_copy))
    _assert_clear_error(result, 2, "census2020_zhengzhou_counties.csv")


def test_a_zero_comparator_is_named(reference_copy: Path, tmp_path: Path) -> None:
    path = reference_copy / "comparators_2020.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("郑州市,gdp,12003,", "郑州市,gdp,0,"), encoding="utf-8")
    result = _cli("run", "--output", str(tmp_path / "out"), "-p", "reference_dir", str(reference_copy))
    _assert_clear_error(result, 2, "zhengzhou_gdp", "zero")


def test_a_malformed_reference_row_names_file_and_line(reference_copy: Path, tmp_path: Path) -> None:
    path = reference_copy / "comparators_2020.csv"
    path.write_text(path.read_text(encoding="utf-8") + "河南省,broken,1\n", encoding="utf-8")
    result = _cli("run", "--output", str(tmp_path / "out"), "-p", "reference_dir", str(reference_copy))
    _assert_clear_error(result, 2, "comparators_2020.csv", "fields, expected 8")


def test_an_invalid_notebook_and_a_parameters_cell_without_the_shared_names(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "a_broken.ipynb").write_text("{ not json", encoding="utf-8")
    result = _cli("run", "--notebooks", str(folder), "--output", str(tmp_path / "out"))
    _assert_clear_error(result, 2, "a_broken.ipynb: not a valid notebook")
    (folder / "a_broken.ipynb").unlink()
    _notebook(folder, "b_bare", 'print("fine")', parameters='lang = "en"')
    result = _cli("run", "--notebooks", str(folder), "--output", str(tmp_path / "out"))
    _assert_clear_error(result, 2, "b_bare.ipynb: the parameters cell lacks the shared parameters report_dir")


def test_every_problem_is_reported_at_once(report_copy: Path, reference_copy: Path, tmp_path: Path) -> None:
    _figures_case(report_copy, "negative level")
    (reference_copy / "census2020_zhengzhou_counties.csv").unlink()
    result = _cli(
        "run", "--output", str(tmp_path / "out"), "-p", "report_dir", str(report_copy),
        "-p", "reference_dir", str(reference_copy), "--theme", "economy",
    )  # fmt: skip
    _assert_clear_error(result, 2, "a level must not be negative", "census2020_zhengzhou_counties.csv")


def test_the_validators_name_a_bad_project_root(tmp_path: Path) -> None:
    env = {"JINSHUI_ROOT": str(tmp_path / "nowhere")}
    result = subprocess.run(
        [sys.executable, "-m", "helpers.sources.registry"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=BOUND_SECONDS,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(tmp_path / "nowhere") in result.stderr


# --- 5. concurrency and the file system ------------------------------------------------------------------------


def test_a_second_run_into_the_same_folder_exits_naming_the_first(
    good: Path, published: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    output, before = published
    first, _ = _start_paused("notebooks", good, output, tmp_path, "--force")
    try:
        second = _cli("run", "--notebooks", str(good), "--output", str(output), "-p", "lang", "en", "--force")
        _assert_clear_error(second, 2, f"is in use by the run with process id {first.pid} (started ")
    finally:
        first.kill()
        first.communicate()
    assert _digest(output) == before
    # The lock of the killed run does not block the next one.
    assert [o.status for o in batch.run(output, notebooks_dir=good, overrides=EN, progress=False)] == ["up to date"]


_HOLD_AND_FORK = """
import os, sys, time
from pathlib import Path
from helpers.publish.staging import output_lock

with output_lock(Path(sys.argv[1])):
    child = os.fork()  # as the runner forks its workers while it holds the lock
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    time.sleep(60)
"""


def test_the_lock_of_a_killed_run_is_free_while_its_forked_children_still_live(tmp_path: Path) -> None:
    # CI saw the next run refused right after a killed one: its workers, forked while it held the lock, had
    # not finished dying. The lock must be the run's process's alone, so the child here keeps living.
    output = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_AND_FORK, str(output)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        locked = pytest.raises(staging.OutputLockedError, match=f"in use by the run with process id {holder.pid} ")
        with locked, staging.output_lock(output):
            pass
        holder.kill()
        holder.wait(timeout=BOUND_SECONDS)
        assert not _dead(child), "the forked child must outlive the holder for this test to mean anything"
        with staging.output_lock(output):
            pass
    finally:
        os.kill(child, signal.SIGKILL)  # first: it holds the other end of the holder's stdout
        holder.kill()
        holder.communicate(timeout=BOUND_SECONDS)


def test_a_second_run_in_the_same_process_is_refused_and_leaves_the_first_its_lock(tmp_path: Path) -> None:
    output = tmp_path / "out"
    probe = [sys.executable, "-c", "import sys; from pathlib import Path; from helpers.publish.staging import "
             "output_lock\nwith output_lock(Path(sys.argv[1])): pass", str(output)]  # fmt: skip
    with staging.output_lock(output):
        locked = pytest.raises(staging.OutputLockedError, match=f"in use by the run with process id {os.getpid()} ")
        with locked, staging.output_lock(output):
            pass
        # The refused attempt did not release the first one's lock (closing any descriptor of the file would).
        other = subprocess.run(probe, capture_output=True, text=True, timeout=BOUND_SECONDS, check=False)
        assert other.returncode == 1 and "OutputLockedError" in other.stderr, other.stderr
    free = subprocess.run(probe, capture_output=True, text=True, timeout=BOUND_SECONDS, check=False)
    assert free.returncode == 0, free.stderr


def test_a_mount_point_a_full_disk_and_proc_are_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "mounted"
    output.mkdir()
    monkeypatch.setattr(staging.os.path, "ismount", lambda path: Path(path) == output)
    with pytest.raises(staging.UsageError, match="is a mount point"):
        staging.check_output(output)
    monkeypatch.undo()

    class Usage:
        free = 1024

    monkeypatch.setattr(staging.shutil, "disk_usage", lambda _path: Usage())
    with pytest.raises(staging.UsageError, match="not enough free space"):
        staging.check_output(tmp_path / "out")
    monkeypatch.undo()
    with pytest.raises(staging.UsageError, match="is not writable"):
        staging.check_output(Path("/proc/jinshui-reports"))


def test_registry_is_untouched_by_the_cases() -> None:
    # The cases above break copies only; the project's own data still validates.
    assert registry.main([]) == 0


def test_published_files_are_readable_by_others(published: tuple[Path, dict[str, str]]) -> None:
    # Files are written through temporary files (mkstemp makes them 0600); readers must still open them.
    output, _ = published
    for path in (output / "a_good.html", output / "index.html", output / "data" / "figures.csv"):
        assert path.stat().st_mode & 0o044 == 0o044, path


# --- 6. cases found by a hostile reviewer ------------------------------------------------------------------------


def test_a_folder_name_with_glob_characters_touches_only_its_own_leftovers(good: Path, tmp_path: Path) -> None:
    # ".out[1].staging-*" used as a pattern matched a sibling ".out1.staging-*" and deleted a running run's work.
    sibling_staging = tmp_path / ".out1.staging-12345678"
    sibling_staging.mkdir()
    (sibling_staging / "page.html").write_text("another run's work", encoding="utf-8")
    batch.run(tmp_path / "out[1]", notebooks_dir=good, overrides=EN, progress=False)
    assert (sibling_staging / "page.html").read_text(encoding="utf-8") == "another run's work"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("notebooks", "would replace or sit inside the notebooks"),
        ("inside_notebooks", "would replace or sit inside the notebooks"),
        ("inside_reports", "is inside the report folder"),
        ("project", "would replace or sit inside the project"),
    ],
)
def test_outputs_a_run_must_not_replace_are_refused(
    where: str, message: str, good: Path, published: tuple[Path, dict[str, str]]
) -> None:
    output, _ = published
    target = {
        "notebooks": good,
        "inside_notebooks": good / "out",
        "inside_reports": output / "inner",
        "project": paths.PROJECT_ROOT,
    }[where]
    with pytest.raises(staging.UsageError, match=message):
        batch.run(target, notebooks_dir=good, overrides=EN, progress=False)
    assert sorted(p.name for p in good.iterdir()) == ["a_good.ipynb"]  # the sources are untouched


def test_an_empty_output_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "--output", ""])
    assert info.value.code == 2
    assert "an empty path would mean the current folder" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["index", "manifest", "a#b"])
def test_notebook_names_that_would_clash_or_break_links_are_refused(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    _notebook(folder, name, 'print("fine")')
    with pytest.raises(staging.UsageError, match="are not allowed"):
        batch.run(tmp_path / "out", notebooks_dir=folder, overrides=EN, progress=False)


def test_the_indicator_vocabulary_and_the_parent_reports_are_inputs(good: Path) -> None:
    # Editing the indicator map or a parent report changes the comparisons: the fingerprint must see it.
    from helpers.publish.collection import data_files

    files = data_files({"report_dir": "data/reports/jinshui-2020", "reference_dir": "data/reference"})
    names = set(files)
    assert "indicators/indicator_map.csv" in names
    assert "corpus/zhengzhou-2021/figures.csv" in names
    assert "corpus/henan-2021/henan-2021-government-work-report.md" in names


def test_a_deleted_export_is_rebuilt_alone(good: Path, published: tuple[Path, dict[str, str]]) -> None:
    output, before = published
    (output / "data" / "figures.csv").unlink()
    outcomes = batch.run(output, notebooks_dir=good, overrides=EN, progress=False)
    assert [o.status for o in outcomes] == ["up to date"]  # the notebook did not run again
    assert (output / "data" / "figures.csv").read_bytes()  # the export is back
    assert _digest(output)["a_good.html"] == before["a_good.html"]


def test_a_notebook_that_kills_its_worker_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    _notebook(folder, "a_kills", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    output = tmp_path / "out"
    result = _cli("run", "--notebooks", str(folder), "--output", str(output), "-p", "lang", "en")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "failed: a_kills: its worker process died" in result.stdout
    assert "worker process died" in (output / "a_kills.html").read_text(encoding="utf-8")


def test_when_every_notebook_fails_the_previous_reports_stay(
    good: Path, published: tuple[Path, dict[str, str]]
) -> None:
    output, before = published
    _notebook(good, "a_good", 'raise RuntimeError("the environment is broken")')
    with pytest.raises(batch.RunError, match=r"every notebook failed .* the previous reports are unchanged"):
        batch.run(output, notebooks_dir=good, overrides=EN, progress=False)
    assert _digest(output) == before


def test_a_run_that_fails_after_its_notebooks_stops_its_workers_once(
    good: Path, published: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every notebook failing raises after the workers were told to stop (their stop begun in a thread);
    # leaving the run must wait for that stop, not start a second one: two shutdowns of one pool at the same
    # time both close its result pipe ("Bad file descriptor" in a thread, seen in CI on the case above).
    output, before = published
    _notebook(good, "a_good", 'raise RuntimeError("the environment is broken")')
    calls: list[dict[str, object]] = []
    shutdown = pool.ProcessPoolExecutor.shutdown

    def counted(self: pool.ProcessPoolExecutor, *args: object, **kwargs: object) -> None:
        calls.append(kwargs)
        shutdown(self, *args, **kwargs)

    monkeypatch.setattr(pool.ProcessPoolExecutor, "shutdown", counted)
    with pytest.raises(batch.RunError, match=r"every notebook failed"):
        batch.run(output, notebooks_dir=good, overrides=EN, progress=False)
    assert calls == [{"cancel_futures": False}]  # one stop: the one begun after the notebooks, awaited on error
    assert _digest(output) == before


def test_sigterm_ends_a_run_like_ctrl_c(good: Path, published: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    output, before = published
    process, _ = _start_paused("notebooks", good, output, tmp_path, "--force")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=BOUND_SECONDS)
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "jinshui-report: interrupted; the previous reports are unchanged"
    assert _digest(output) == before
    assert not list(tmp_path.glob(".out.staging-*"))


def test_special_files_and_damaged_outputs_heal(good: Path, published: tuple[Path, dict[str, str]]) -> None:
    output, _ = published
    os.mkfifo(output / "a_fifo")  # copying a FIFO would block the run
    (output / "manifest.json").write_text('{"notebooks": {"a_good": "not an entry"}}', encoding="utf-8")
    shutil.rmtree(output / "results", ignore_errors=True)
    (output / "results").write_text("a file where a folder belongs", encoding="utf-8")
    outcomes = batch.run(output, notebooks_dir=good, overrides=EN, progress=False)
    assert [o.status for o in outcomes] == ["ok"]
    assert not (output / "results").is_file()  # the file where the results folder belongs is gone
    assert not (output / "a_fifo").exists()  # special files are not reports: not carried over
    again = batch.run(output, notebooks_dir=good, overrides=EN, progress=False)
    assert [o.status for o in again] == ["up to date"]


def test_a_notebook_that_patches_the_helpers_does_not_change_the_next_one(tmp_path: Path) -> None:
    # Both notebooks run in one warm kernel (--jobs 1): the first replaces a helper, the second must not see it.
    folder = tmp_path / "notebooks"
    patch = "from helpers.notebook import labels\nlabels.format_value = lambda *a, **k: 'HACKED'\n"
    _notebook(folder, "a_patches", patch + "# " + "x" * 400)  # the larger file runs first (longest first)
    _notebook(
        folder,
        "b_reads",
        "from helpers.notebook import labels\nassert labels.format_value(1.0, 'percent', 'en') == '1.00%', 'patched'",
    )
    assert (folder / "a_patches.ipynb").stat().st_size > (folder / "b_reads.ipynb").stat().st_size
    outcomes = batch.run(tmp_path / "out", notebooks_dir=folder, overrides=EN, jobs=1, progress=False)
    assert [o.status for o in outcomes] == ["ok", "ok"]


def test_a_recorded_pid_reused_by_another_process_is_never_killed(tmp_path: Path) -> None:
    # A killed run leaves its pid files; by the next run those pids may belong to unrelated processes.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "worker-1.pid").write_text(f"{bystander.pid} 1", encoding="utf-8")  # same pid, other start
        staging.kill_recorded(tmp_path)
        assert bystander.poll() is None  # still running
        staging.record_process(tmp_path, "worker", bystander.pid)  # the real identity
        staging.kill_recorded(tmp_path)
        assert bystander.wait(timeout=10) == -signal.SIGKILL
    finally:
        bystander.kill()

"""``jinshui-report annotate`` ends cleanly: one line when interrupted or given what it cannot annotate (issue 19)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers.publish import cli
from helpers.sources import annotate, registry
from helpers.sources.annotate import write_annotations

PREVIOUS_CSV = b"start,end,token\n1,2,3\n"
#: Seconds a started command has to install its signal handlers and to end once signalled (a busy machine).
BOUND_SECONDS = 120


def _big_text(folder: Path) -> Path:
    """The Jinshui report repeated to 2 MB: seconds of annotating, so the command is still at work when signalled."""
    raw = registry.subject_report().raw_text()
    path = folder / "big.txt"
    path.write_text("\n\n".join([raw] * (2_000_000 // len(raw.encode("utf-8")) + 1)), encoding="utf-8")
    return path


def _catches(pid: int, number: signal.Signals) -> bool:
    """Whether the process has a handler for the signal (from /proc: set by the command's main, not at import)."""
    with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (number - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads the signal handlers from /proc")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_annotate_says_so_in_one_line_and_keeps_the_old_csv(how: signal.Signals, tmp_path: Path) -> None:
    text = _big_text(tmp_path)
    out = tmp_path / "out.csv"
    out.write_bytes(PREVIOUS_CSV)
    command = [sys.executable, "-m", "helpers.publish.cli", "annotate", str(text), "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + BOUND_SECONDS
        # SIGTERM is caught once main() has set the handlers; before that, the imports run (seconds).
        while not _catches(process.pid, signal.SIGTERM):
            assert process.poll() is None and time.monotonic() < deadline, "the command never got to work"
            time.sleep(0.05)
        time.sleep(0.3)  # into the annotating, which takes seconds for 2 MB
        assert process.poll() is None
        process.send_signal(how)
        stdout, stderr = process.communicate(timeout=BOUND_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == [f"jinshui-report: interrupted; {out} is unchanged"]
    assert "Traceback" not in stderr and stdout == ""
    assert out.read_bytes() == PREVIOUS_CSV
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.txt", "out.csv"]  # no temporary file left


def _small_text(folder: Path) -> Path:
    path = folder / "report.txt"
    path.write_text("全市生产总值增长6.5%，突破1800亿元。\n", encoding="utf-8")
    return path


def test_an_interrupt_before_the_rename_leaves_the_old_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(PREVIOUS_CSV)

    def stopped_before_the_rename(self: Path, target: Path) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", stopped_before_the_rename)
    assert cli.main(["annotate", str(_small_text(tmp_path)), "-o", str(out)]) == 130
    monkeypatch.undo()
    assert capsys.readouterr().err.splitlines() == [f"jinshui-report: interrupted; {out} is unchanged"]
    assert out.read_bytes() == PREVIOUS_CSV
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv", "report.txt"]


def test_an_interrupt_after_the_rename_says_the_csv_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(PREVIOUS_CSV)
    write = annotate.write_annotations

    def interrupted_after_writing(frame: pd.DataFrame, target: Path) -> None:
        write(frame, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(annotate, "write_annotations", interrupted_after_writing)
    assert cli.main(["annotate", str(_small_text(tmp_path)), "-o", str(out)]) == 130
    assert capsys.readouterr().err.splitlines() == [f"jinshui-report: interrupted after {out} was written (whole)"]
    assert out.read_bytes().startswith(b"start,end,token,expression,")


def test_a_new_csv_is_readable_by_others_as_before(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    write_annotations(annotate.annotate_file(_small_text(tmp_path)), out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


# --- what annotate cannot work on: one line, exit 2, nothing written ---------------------------------------


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], out: Path | None = None) -> str:
    """Run the command, expect a refusal, and return its one line; an existing ``out`` must be untouched."""
    if out is not None:
        out.write_bytes(PREVIOUS_CSV)
        argv = [*argv, "-o", str(out)]
    assert cli.main(["annotate", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jinshui-report: error: "), captured.err
    if out is not None:
        assert out.read_bytes() == PREVIOUS_CSV
        assert sorted(path.name for path in out.parent.iterdir() if path.name.startswith(".")) == []
    return lines[0].removeprefix("jinshui-report: error: ")


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff", "\u3000\u3000\r\n"])
def test_an_empty_text_is_refused(content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "empty.txt"
    text.write_text(content, encoding="utf-8")
    assert _refused([str(text)], capsys) == f"{text}: the file is empty; annotate needs a report's text"
    assert _refused([str(text)], capsys, tmp_path / "out.csv").startswith(f"{text}: the file is empty")


def test_a_text_of_only_front_matter_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "report.md"
    text.write_text("---\ntitle: 2021年政府工作报告\nsource: https://example.org/r\n---\n\n", encoding="utf-8")
    assert _refused([str(text)], capsys, tmp_path / "out.csv") == (
        f"{text}: only YAML front matter, no text after it; annotate needs a report's text"
    )


def test_a_folder_is_named_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    message = _refused([str(folder)], capsys, tmp_path / "out.csv")
    assert message == f"{folder} is a folder; give a report text file (or --corpus for every report in data/reports)"


def test_an_output_that_is_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    message = _refused([str(_small_text(tmp_path)), "-o", str(folder)], capsys)
    assert message == f"-o {folder} is a folder; give the path of the CSV to write"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("year", [-5, 0, 1850, 1948, dt.date.today().year + 2, 20201])
def test_a_year_no_report_can_review_is_refused(year: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = dt.date.today().year + 1
    message = _refused([str(_small_text(tmp_path)), "--year", str(year)], capsys, tmp_path / "out.csv")
    assert message == f"--year {year} is not a year a report can review; give one from 1949 to {last}"


@pytest.mark.parametrize("year", [1949, 2020, dt.date.today().year + 1])
def test_the_years_a_report_can_review_are_accepted(year: int, tmp_path: Path) -> None:
    assert cli.main(["annotate", str(_small_text(tmp_path)), "--year", str(year), "-o", str(tmp_path / "o.csv")]) == 0

"""``jinshui-report``: the command line (run the notebooks, list them, annotate a report text, add it to the corpus)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from helpers import paths
from helpers.publish.batch import DEFAULT_CELL_TIMEOUT, RunError, run
from helpers.publish.collection import list_notebooks, parse_value, summary_table
from helpers.publish.staging import InterruptedAfterPublishing, OutputLockedError, UsageError

#: The command's names: ``gov-report`` is the neutral one, for any report of the corpus; both run :func:`main`.
PROGRAM_NAMES: tuple[str, ...] = ("jinshui-report", "gov-report")


def prog() -> str:
    """The name the command was called by (messages start with it), ``jinshui-report`` when run otherwise."""
    called = Path(sys.argv[0]).name if sys.argv else ""
    return called if called in PROGRAM_NAMES else PROGRAM_NAMES[0]


def _folder(text: str) -> Path:
    """A folder argument; an empty one would mean the working directory, which a run would replace whole."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path would mean the current folder; give a folder")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog(), description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="execute the notebooks and write the reports")
    run_parser.add_argument("--theme", action="append", help="a theme or notebook stem (repeatable; default: all)")
    run_parser.add_argument("--jobs", type=int, default=None, help="parallel workers (default: number of CPUs)")
    run_parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        default=[],
        help="override a parameter in every notebook that declares it",
    )
    run_parser.add_argument(
        "--output", type=_folder, default=paths.REPORTS_DIR, help="folder for reports (default: reports/)"
    )
    run_parser.add_argument("--force", action="store_true", help="re-run notebooks even if their inputs are unchanged")
    run_parser.add_argument("--show-code", action="store_true", help="show code cells in the HTML reports")
    run_parser.add_argument("--notebooks", type=Path, default=None, help="folder of notebooks (default: notebooks/)")
    run_parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"seconds a single cell may run before its notebook fails (default: {DEFAULT_CELL_TIMEOUT})",
    )
    commands.add_parser("list", help="show the notebooks with their parameters and defaults")
    annotate_parser = commands.add_parser(
        "annotate", help="read every numeric mention of a report text into a CSV (a draft figures table)"
    )
    annotate_parser.add_argument("text_file", type=Path, nargs="?", help="the report text (UTF-8 unless --encoding)")
    annotate_parser.add_argument("-o", "--output", type=Path, help="CSV to write (default: standard output)")
    annotate_parser.add_argument("--encoding", default="utf-8", help="the text's encoding (default: utf-8)")
    annotate_parser.add_argument("--year", type=int, help="the year the report reviews (default: read from the text)")
    annotate_parser.add_argument(
        "--join-page-breaks", action="store_true", help="join body paragraphs cut by page breaks (plain-text scans)"
    )
    annotate_parser.add_argument(
        "--corpus", action="store_true", help="rewrite annotations.csv of every report in data/reports instead"
    )
    add_parser = commands.add_parser(
        "add", help="add a report text to data/reports/<id>/ with its metadata, annotations and drafted figures"
    )
    add_parser.add_argument("text_file", type=Path, help="the report text (UTF-8), copied byte for byte")
    add_parser.add_argument("--id", dest="report_id", help="the report's folder name (default: e.g. xuchang-2021)")
    add_parser.add_argument("--level", choices=("province", "city", "district", "county", "nation"))
    add_parser.add_argument("--division-code", help="the six-digit code of data/reference/divisions/divisions.csv")
    add_parser.add_argument("--year-reviewed", type=int, help="the year the report reviews (2020 for a 2021 report)")
    add_parser.add_argument("--entity", help="the name of the division the report speaks for (许昌市)")
    add_parser.add_argument(
        "--reports-dir",
        type=_folder,
        default=paths.REPORTS_DATA_DIR,
        help="the corpus folder (default: data/reports)",
    )
    corpus_parser = commands.add_parser("corpus", help="the 2020 cross-section of data/corpus/, on Dask")
    corpus_commands = corpus_parser.add_subparsers(dest="corpus_command", required=True)
    corpus_run = corpus_commands.add_parser("run", help="draft, analyse and publish every selected report")
    corpus_run.add_argument(
        "--select", action="append", default=[], metavar="PATTERN",
        help="shell pattern of MANIFEST.csv paths or report ids, e.g. '政府工作报告-省自治区/*' (repeatable)",
    )  # fmt: skip
    corpus_run.add_argument(
        "--notebooks", default="00_overview", metavar="NAMES",
        help="notebooks to run for each report, comma-separated themes or stems (default: 00_overview; "
        "'none': the cross-section alone)",
    )  # fmt: skip
    corpus_run.add_argument("--force", action="store_true", help="run every report, even those unchanged")
    corpus_run.add_argument(
        "--cache", type=_folder, default=None,
        help="folder of the drafts, kept between runs (default: .cache/corpus/; on a cluster, a path every "
        "worker sees)",
    )  # fmt: skip
    corpus_run.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://host:port)")
    corpus_run.add_argument("--jobs", type=int, default=None, help="LocalCluster workers (default: number of CPUs)")
    corpus_run.add_argument(
        "--output", type=_folder, default=paths.REPORTS_DIR / "corpus", help="folder (default: reports/corpus/)"
    )
    return parser


def _corpus(args: argparse.Namespace) -> int:
    """``corpus run``: a line per failed report, the output's place; exit 1 when any report failed."""
    from helpers.publish.corpus_run import run_corpus

    if args.jobs is not None and args.jobs < 1:
        _error(f"--jobs must be at least 1, not {args.jobs}")
        return 2
    names = [] if args.notebooks.strip() == "none" else [n.strip() for n in args.notebooks.split(",") if n.strip()]
    try:
        result = run_corpus(
            args.output, args.select, notebooks=names, jobs=args.jobs, scheduler=args.scheduler, force=args.force,
            **({"cache": args.cache} if args.cache else {}),
        )  # fmt: skip
    except (ValueError, UsageError) as error:
        _error(str(error))
        return 2
    except OSError as error:
        _error(f"cannot write {args.output}: {error.strerror or error}")
        return 2
    for outcome in result.failed:
        print(f"failed: {outcome.report_id} ({outcome.source_path}): {outcome.error}", file=sys.stderr)
    ok = len(result.outcomes) - len(result.failed)
    print(
        f"{ok} of {len(result.outcomes)} reports ok ({len(result.reused)} unchanged, taken from the previous run) "
        f"in {result.seconds:.1f} s: {result.output / 'index.html'}"
    )
    return 1 if result.failed else 0


def _add(args: argparse.Namespace) -> int:
    """``jinshui-report add``: print what was inferred and written, or one line per problem (exit 2)."""
    from helpers.sources.add import AddError, add_report
    from helpers.sources.infer import Overrides

    overrides = Overrides(args.report_id, args.level, args.division_code, args.year_reviewed, args.entity)
    try:
        result = add_report(args.text_file, args.reports_dir, overrides)
    except AddError as error:
        for problem in error.problems:
            print(f"{prog()}: error: {problem}", file=sys.stderr)
        return 2
    except OSError as error:
        reason = error.strerror or error
        print(f"{prog()}: error: cannot write into {args.reports_dir}: {reason}", file=sys.stderr)
        return 2
    for line in result.lines:
        print(line)
    return 0


def _check_annotate_arguments(args: argparse.Namespace) -> None:
    """Refuse, in one line each, what ``annotate`` cannot work on, before anything is read or written."""
    from helpers.sources.annotate import allowed_years

    years = allowed_years()
    if args.year is not None and args.year not in years:
        raise UsageError(
            f"--year {args.year} is not a year a report can review; give one from {years[0]} to {years[-1]}"
        )
    if args.text_file is None:
        raise UsageError("annotate needs a TEXT_FILE (or --corpus)")
    if args.text_file.is_dir():
        raise UsageError(
            f"{args.text_file} is a folder; give a report text file (or --corpus for every report in data/reports)"
        )
    if not args.text_file.exists():
        raise UsageError(f"no such file: {args.text_file}")
    if not args.text_file.is_file():
        raise UsageError(f"{args.text_file} is not a regular file; give a report text file")
    if args.output is not None and args.output.is_dir():
        raise UsageError(f"-o {args.output} is a folder; give the path of the CSV to write")


def _output_state(path: Path) -> tuple[int, int] | None:
    """What identifies a file's current content cheaply (inode, modification time), or None if absent."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


def _annotate(args: argparse.Namespace) -> int:
    """``jinshui-report annotate``: one text to a CSV, or every report of the corpus to its annotations.csv.

    Ctrl-C, SIGTERM and SIGHUP (raised as KeyboardInterrupt by :func:`main`'s handlers, as for ``run``) end
    it with one line and exit 130; the CSV is written by renaming a complete file, so an interrupted command
    leaves the previous one as it was, and the line says whether the rename had happened.
    """
    output_before = _output_state(args.output) if args.output is not None else None
    writing_to_stdout = False
    try:
        from helpers.sources.annotate import (
            EmptyTextError,
            annotate_file,
            write_annotations,
            write_corpus_annotations,
        )
        from helpers.sources.registry import ReportFolderError
        from helpers.sources.text import TextEncodingError

        try:
            if args.corpus:
                for path in write_corpus_annotations():
                    print(path)
                return 0
            _check_annotate_arguments(args)
            frame = annotate_file(
                args.text_file, encoding=args.encoding, year=args.year, join_page_breaks=args.join_page_breaks
            )
            if args.output is None:
                writing_to_stdout = True
                write_annotations(frame, sys.stdout)
            else:
                write_annotations(frame, args.output)
                quantities = int(frame["is_quantity"].sum())
                print(f"{len(frame)} mentions ({quantities} quantities) written to {args.output}", file=sys.stderr)
        except (UsageError, TextEncodingError, ReportFolderError, EmptyTextError) as error:
            print(f"{prog()}: error: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            reading = args.text_file is not None and error.filename == str(args.text_file)
            action = f"read {args.text_file}" if reading else f"write {args.output or 'to standard output'}"
            print(f"{prog()}: error: cannot {action}: {error.strerror or error}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        print(_annotate_interrupted(args, output_before, writing_to_stdout), file=sys.stderr)
        return 130
    return 0


def _annotate_interrupted(args: argparse.Namespace, output_before: tuple[int, int] | None, to_stdout: bool) -> str:
    """The one line an interrupted ``annotate`` ends with: what became of its output."""
    # A terminal has echoed ^C where the cursor was: start the line afresh there, not in a pipe or a log.
    start = "\n" if sys.stderr.isatty() else ""
    if args.corpus:
        return f"{start}{prog()}: interrupted; each annotations.csv is either rewritten whole or unchanged"
    if args.output is None:
        detail = "the CSV on standard output may be incomplete" if to_stdout else "nothing was written"
        return f"{start}{prog()}: interrupted; {detail}"
    if _output_state(args.output) != output_before:
        return f"{start}{prog()}: interrupted after {args.output} was written (whole)"
    if output_before is None:
        return f"{start}{prog()}: interrupted; {args.output} was not written"
    return f"{start}{prog()}: interrupted; {args.output} is unchanged"


def _error(message: str) -> None:
    """Each line of a problem as ``jinshui-report: error: …`` on standard error."""
    for line in message.splitlines() or [message]:
        print(f"{prog()}: error: {line}", file=sys.stderr)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP end a run as Ctrl-C does: cleaned up, one line, the previous reports intact."""
    del signum, frame
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    raise KeyboardInterrupt


def _stop_on_termination() -> None:
    """Ctrl-C, SIGTERM and SIGHUP all end a run cleanly.

    SIGINT is set explicitly: a shell without job control starts background commands with SIGINT ignored,
    and Python then installs no handler of its own, so Ctrl-C (or a CI's interrupt) would be lost.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jinshui-report`` command."""
    args = _parser().parse_args(argv)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in handled}
    _stop_on_termination()
    try:
        return _dispatch(args)
    finally:
        if threading.current_thread() is threading.main_thread():
            for number, handler in previous.items():
                signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command the arguments name."""
    if args.command == "annotate":
        return _annotate(args)
    if args.command == "add":
        return _add(args)
    if args.command == "corpus":
        return _corpus(args)
    try:
        if args.command == "list":
            print(list_notebooks(args.notebooks if hasattr(args, "notebooks") else None))
            return 0
        overrides = {name: parse_value(value) for name, value in args.parameter}
        notes: list[str] = []
        outcomes = run(
            args.output,
            args.theme,
            overrides,
            args.jobs,
            args.force,
            args.show_code,
            args.notebooks,
            timeout=args.timeout,
            notes=notes,
        )
    except (UsageError, OutputLockedError) as error:
        _error(str(error))
        return 2
    except RunError as error:
        _error(str(error))
        return 1
    except InterruptedAfterPublishing as published:
        print(f"\n{prog()}: interrupted after the new reports were published in {published.output}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        # A new line first: the progress bar may have left the cursor mid-line.
        print(f"\n{prog()}: interrupted; the previous reports are unchanged", file=sys.stderr)
        return 130
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(summary_table(outcomes))
    if all(o.status == "up to date" for o in outcomes):
        print(f"Everything in {args.output} is up to date; nothing was re-run (--force re-runs).")
    else:
        print(f"Reports: {Path(args.output).resolve() / 'index.html'}")
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The output folder: checked before the work, locked during it, replaced whole at the end, never damaged.

A run builds its reports in a sibling staging folder that starts as a real copy of the current reports
(never hard links: a file written in place through a link would change the live reports before the swap),
writes every file by writing a temporary file and renaming it over the old one, and replaces the output
folder with two renames at the very end. Any failure before that leaves the previous reports byte for byte
as they were; a run killed between the two renames is repaired by the next run. One run at a time holds a
lock on the output folder: a POSIX record lock, which belongs to the run's own process alone and which the
kernel releases the moment that process dies. (An ``flock`` would be shared with every process forked while
it is held: the workers kept a killed run's lock until they had finished dying, and the next run, started
at once, was refused.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import glob
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

#: Free space a run needs beyond the size of the current reports (a fresh run writes about 15 MB).
MIN_FREE_BYTES = 64 * 1024 * 1024


def _file_mode() -> int:
    """The mode a new file gets under the current umask (0644 under the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_PUBLISHED_MODE = _file_mode()


class UsageError(Exception):
    """Bad input found before any work starts; the message is one line."""


class OutputLockedError(UsageError):
    """Another run holds the output folder."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` by renaming a complete temporary file over it: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():  # a folder where a report file belongs is replaced
        shutil.rmtree(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, _PUBLISHED_MODE)  # mkstemp makes 0600; reports are for readers
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _existing_ancestor(path: Path) -> Path:
    ancestor = path
    while not ancestor.exists():
        ancestor = ancestor.parent
    return ancestor


def check_not_precious(output: Path, protected: dict[str, Path]) -> None:
    """Refuse an output the run must not replace whole.

    That is the project, its notebooks or data, a folder holding them, or a folder inside another report
    folder (whose next swap would delete this one).
    """
    for label, folder in protected.items():
        folder = folder.resolve()
        inside = output.is_relative_to(folder) and label != "the project"  # reports/ inside the project is fine
        if folder.is_relative_to(output) or inside:
            raise UsageError(f"--output {output} would replace or sit inside {label} ({folder}); choose another folder")
    for ancestor in output.parents:
        if (ancestor / "manifest.json").is_file() and (ancestor / "index.html").is_file():
            raise UsageError(
                f"--output {output} is inside the report folder {ancestor}, whose next run would delete it"
            )


def check_output(output: Path) -> None:
    """The output folder must be one this run can create, fill and replace; say why not in one line."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} exists and is not a folder")
    if output.exists() and os.path.ismount(output):
        raise UsageError(
            f"--output {output} is a mount point; a run replaces the folder by renaming it, which a mount point "
            "cannot be: give a folder inside it"
        )
    ancestor = _existing_ancestor(output.parent)
    if not ancestor.is_dir():
        raise UsageError(f"--output {output} is not writable ({ancestor} is not a folder)")
    try:  # a real probe: permission bits do not stop root, /proc and read-only mounts do
        probe = Path(tempfile.mkdtemp(prefix=".jinshui-probe-", dir=ancestor))
        (probe / "probe").write_bytes(b"x")
        shutil.rmtree(probe)
    except OSError as error:
        raise UsageError(f"--output {output} is not writable ({error.strerror or error} in {ancestor})") from None
    if output.exists() and not os.access(output, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output} is not writable")
    needed = MIN_FREE_BYTES + (_tree_size(output) if output.exists() else 0)
    free = shutil.disk_usage(ancestor).free
    if free < needed:
        raise UsageError(
            f"--output {output}: not enough free space ({free // 2**20} MiB free in {ancestor}, "
            f"{needed // 2**20} MiB needed)"
        )


def _tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


#: The lock files this process holds, by (device, inode), with the holder's description. A POSIX lock never
#: refuses its own process, and closing any descriptor of the file releases it: a second run in this process
#: is therefore refused here, before it opens the file.
_HELD_HERE: dict[tuple[int, int], str] = {}
_HELD_HERE_GUARD = threading.Lock()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _locked_error(output: Path, holder: str) -> OutputLockedError:
    return OutputLockedError(
        f"--output {output} is in use by {holder}; wait for it to finish (a killed run releases it)"
    )


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the output folder for one run; a second run exits with one line naming the holder.

    The lock is the run's process's own: the workers it forks do not share it, so it is free as soon as
    that process is gone, even while its workers are still being killed.
    """
    lock_path = output.parent / f".{output.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with _HELD_HERE_GUARD:
        key = _file_key(lock_path)
        if key in _HELD_HERE:
            raise _locked_error(output, _HELD_HERE[key])
        handle = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            handle.seek(0)
            holder = handle.read().strip() or "another run"
            handle.close()
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise _locked_error(output, holder) from None
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        holder = f"the run with process id {os.getpid()} (started {started})"
        try:  # the description is for the next run's message; failing to write it must not keep the lock
            handle.seek(0)
            handle.truncate()
            handle.write(holder)
            handle.flush()
            status = os.fstat(handle.fileno())
        except BaseException:
            handle.close()
            raise
        key = (status.st_dev, status.st_ino)
        _HELD_HERE[key] = holder
    try:
        yield
    finally:
        with _HELD_HERE_GUARD:
            _HELD_HERE.pop(key, None)
            handle.close()  # closing releases the lock; the file stays, empty of meaning without it


def recover(output: Path) -> None:
    """Clean up after a killed run: restore the previous reports, remove staging folders."""
    name = glob.escape(output.name)  # out[1] or * must match only this folder's leftovers, never a sibling's
    if not output.exists():
        leftovers = sorted(output.parent.glob(f".{name}.old-*"), key=lambda p: p.stat().st_mtime)
        if leftovers:
            leftovers[-1].rename(output)
    for pattern in (f".{name}.staging-*", f".{name}.old-*"):
        for leftover in output.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def stage(output: Path) -> Path:
    """A sibling folder holding a real copy of the current reports (never links: see the module doc)."""
    staging = output.parent / f".{output.name}.staging-{uuid.uuid4().hex[:8]}"
    try:
        if output.exists():
            shutil.copytree(output, staging, symlinks=True, ignore=_special_files, copy_function=shutil.copy2)
        else:
            staging.mkdir(parents=True)
        for folder in ("data", "results"):  # a file where a folder belongs is replaced, not fatal forever
            if (staging / folder).exists() and not (staging / folder).is_dir():
                (staging / folder).unlink()
    except (OSError, shutil.Error) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"--output {output}: cannot copy the current reports ({_first_error(error)})") from None
    return staging


def _special_files(folder: str, names: list[str]) -> list[str]:
    """FIFOs, sockets and devices are not reports: left out of the copy (copying a FIFO would block)."""
    skipped = []
    for name in names:
        path = Path(folder) / name
        if not path.is_symlink() and path.exists() and not (path.is_file() or path.is_dir()):
            skipped.append(name)
    return skipped


def _first_error(error: BaseException) -> str:
    """One line for a copy failure (shutil.Error carries a list of them)."""
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        source, _, reason = error.args[0][0]
        return f"{source}: {reason}"[:200]
    return str(error)[:200]


class InterruptedAfterPublishing(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while the new reports were put in place: they are published, whole."""

    def __init__(self, output: Path) -> None:
        """Name the folder that now holds the new reports."""
        self.output = output
        super().__init__(str(output))


#: The signals that end a run (the command line turns SIGTERM and SIGHUP into KeyboardInterrupt).
ENDING_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done; yield the list of those that arrived.

    The swap of the reports is two renames and the removal of the old set: cut between them, the new set
    would be live, the old one hidden and the message false. Python runs signal handlers in the main thread
    between bytecodes, so a handler that only records the signal holds it, whichever thread the kernel
    delivered it to. Outside the main thread (no handler can be set there) the block runs as it is.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {number: signal.getsignal(number) for number in ENDING_SIGNALS}
    for number in ENDING_SIGNALS:
        signal.signal(number, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def checkpoint(phase: str) -> None:
    """For the failure tests: pause at a named phase when ``JINSHUI_PAUSE_AT`` asks for it.

    The runner writes ``JINSHUI_PAUSE_FILE`` and waits, so that a test can kill it at exactly that phase.
    Does nothing otherwise.
    """
    if os.environ.get("JINSHUI_PAUSE_AT") != phase:
        return
    marker = os.environ.get("JINSHUI_PAUSE_FILE")
    if marker:
        Path(marker).write_text(f"{os.getpid()} {phase}", encoding="utf-8")
    time.sleep(float(os.environ.get("JINSHUI_PAUSE_SECONDS", "30")))


def swap(staging: Path, output: Path) -> None:
    """Replace the output folder by the staged one: two renames, repaired by :func:`recover` if cut."""
    old = output.parent / f".{output.name}.old-{uuid.uuid4().hex[:8]}"
    if output.exists():
        output.rename(old)
    checkpoint("between-renames")
    try:
        staging.rename(output)
    except OSError:
        if old.exists() and not output.exists():
            old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def process_identity(pid: int) -> str:
    """A process id with its start time (from /proc): "" if the process is gone.

    A pid alone can be reused by an unrelated process once the recorded one has died; the pair cannot.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return f"{pid} {fields[19]}"  # field 22 of stat: the start time in clock ticks since boot


def record_process(folder: Path, role: str, pid: int) -> None:
    """Note a process of this run (a worker, a kernel) so that the runner can stop it, and only it."""
    identity = process_identity(pid)
    if identity:
        (folder / f"{role}-{pid}.pid").write_text(identity, encoding="utf-8")


def kill_recorded(folder: Path) -> None:
    """Kill every recorded process that is still the one recorded (never a process that reused its pid)."""
    for pid_file in sorted(folder.glob("*.pid")):
        try:
            recorded = pid_file.read_text(encoding="utf-8").strip()
            pid = int(recorded.split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if process_identity(pid) == recorded:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def describe_os_error(error: OSError) -> str:
    """One line for a file-system failure during a run (a full disk above all)."""
    if error.errno == errno.ENOSPC:
        return f"no space left on device while writing {error.filename or 'the reports'}"
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_run_dirs(prefix: str) -> None:
    """Remove the run folders (``<prefix><pid>-…``) of runs no longer alive, killing what they recorded."""
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            pid = int(folder.name.removeprefix(prefix).split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            kill_recorded(folder)
            shutil.rmtree(folder, ignore_errors=True)

"""A worker process of the batch: one warm Jupyter kernel, notebooks executed one after the other.

The kernel is an ``AsyncKernelManager``'s: nbclient then polls the kernel's heartbeat while a cell runs,
so a kernel that dies (``os._exit``) fails its notebook with "kernel died" within a second instead of
blocking on a message that never comes (a blocking manager's client blocks nbclient's event loop). After
a notebook that succeeded the namespace is cleared; after one that failed, timed out or killed its
kernel, the kernel is replaced by a fresh one. Workers leave the terminal's process group (Ctrl-C reaches
the runner alone, which then stops them), die with the runner (``PR_SET_PDEATHSIG``), and record their
own and their kernel's process ids in the run folder so that the runner can stop every one of them.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.publish.collection import Job, Outcome
from helpers.publish.staging import record_process

KERNEL_NAME = "python3"
#: Longest ipc socket path used (the system limit is 107 bytes; the manager appends "-NN").
_MAX_SOCKET_PATH = 90
#: Run between notebooks that succeeded: the namespace and the global state a notebook may have changed.
_RESET = (
    "get_ipython().reset(new_session=True, aggressive=False)\n"
    "import os as _os, warnings as _warnings, matplotlib as _mpl, pandas as _pd\n"
    "_os.chdir({root!r}); _mpl.rcdefaults(); _warnings.resetwarnings(); _pd.reset_option('all')\n"
    "import sys as _sys\n"
    "for _name in [n for n in _sys.modules if n == 'helpers' or n.startswith('helpers.')]:\n"
    "    del _sys.modules[_name]  # a notebook that patched the helpers must not change the next one\n"
    "del _os, _warnings, _mpl, _pd, _sys"
)
_PR_SET_PDEATHSIG = 1

_KERNEL: Any = None
_RUN_DIR: Path | None = None


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the runner dies (even by SIGKILL)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the runner died before the request took effect
        os._exit(1)


def start_worker(run_dir: str) -> None:
    """Initializer of a worker process: detach from Ctrl-C, die with the runner, prepare a kernel."""
    global _KERNEL, _RUN_DIR
    with contextlib.suppress(OSError):
        os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # Failures are reported in the run's summary; library log lines would only repeat them on stderr.
    logging.disable(logging.CRITICAL)
    _RUN_DIR = Path(run_dir)
    record_process(_RUN_DIR, "worker", os.getpid())
    _KERNEL = _new_manager()
    import multiprocessing.util

    multiprocessing.util.Finalize(None, stop_kernel, exitpriority=10)


def _new_manager() -> Any:
    """A kernel manager whose ipc sockets live in a fresh folder of the run folder."""
    from jupyter_client.manager import AsyncKernelManager

    if _RUN_DIR is None:
        raise RuntimeError("the worker was not started with a run folder")
    kernel_dir = Path(tempfile.mkdtemp(prefix=f"kernel-{os.getpid()}-", dir=_RUN_DIR))
    socket = kernel_dir / "k"
    if len(str(socket)) > _MAX_SOCKET_PATH:  # a long TMPDIR: ipc socket names are limited to ~107 bytes
        return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="tcp", ip="127.0.0.1")
    return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(socket))


def _sync(coroutine_function: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)


def _kernel_pid() -> int | None:
    provisioner = getattr(_KERNEL, "provisioner", None)
    process = getattr(provisioner, "process", None)
    return getattr(process, "pid", None)


def _ensure_kernel() -> None:
    """Start the kernel if there is none, in the project root, and record its process id."""
    if _KERNEL.has_kernel:
        return
    # JINSHUI_BATCH tells the notebooks that their pages are published beside their results.
    _sync(_KERNEL.start_kernel)(cwd=str(paths.PROJECT_ROOT), env={**os.environ, "JINSHUI_BATCH": "1"})
    pid = _kernel_pid()
    if pid is not None and _RUN_DIR is not None:
        record_process(_RUN_DIR, "kernel", pid)


def stop_kernel() -> None:
    """Shut the kernel down (at the end of the worker)."""
    if _KERNEL is not None and _KERNEL.has_kernel:
        with contextlib.suppress(Exception):
            _sync(_KERNEL.shutdown_kernel)(now=True)


def _replace_kernel() -> None:
    """After a failure, timeout or death: a fresh manager and kernel for the next notebook."""
    global _KERNEL
    stop_kernel()
    _KERNEL = _new_manager()


def _reset_namespace() -> None:
    """Clear the namespace between notebooks that succeeded (the warm kernel's state must not leak)."""
    client = _KERNEL.client()
    client.start_channels()
    try:
        _sync(client.wait_for_ready)(timeout=30)
        _sync(client.execute_interactive)(_RESET.format(root=str(paths.PROJECT_ROOT)), timeout=30)
    finally:
        client.stop_channels()


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


def _failure(error: BaseException, timeout: int) -> str:
    """One line saying why a notebook failed: its error, the timed-out cell, or a dead kernel."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return f"cell {error.exec_count}: {error.ename}: {error.evalue}".splitlines()[0][:300]
    if isinstance(error, CellTimeoutError):
        # nbclient's message previews the cell's source between two rules of dashes.
        preview = str(error).partition("preview of the cell contents:")[2]
        lines = [line.strip() for line in preview.splitlines() if line.strip() and set(line.strip()) != {"-"}]
        cell = lines[0] if lines else "unknown cell"
        return f"timed out: a cell ran longer than {timeout} s (the cell {cell[:100]})"
    if isinstance(error, DeadKernelError):
        return "kernel died while a cell was running"
    return f"{type(error).__name__}: {error}".splitlines()[0][:300]


def execute_one(job: Job, staging: str, show_code: bool, metadata: list[tuple[str, str]], timeout: int) -> Outcome:
    """Execute one notebook into ``staging`` and export its HTML; failures are reported, not raised."""
    import papermill as pm

    from helpers.publish.html import export_notebook_html, write_error_page

    folder = Path(staging)
    executed, page = folder / f"{job.stem}.ipynb", folder / f"{job.stem}.html"
    started = time.perf_counter()
    status, error = "ok", ""
    try:
        _ensure_kernel()
        pm.execute_notebook(
            str(job.path),
            str(executed),
            parameters={**job.parameters, "output_dir": staging},
            kernel_name=KERNEL_NAME,
            km=_KERNEL,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            cwd=str(paths.PROJECT_ROOT),
        )
    except Exception as failure:
        status, error = "failed", _failure(failure, timeout)
    try:
        if status == "ok" and _KERNEL.has_kernel and _sync(_KERNEL.is_alive)():
            _reset_namespace()
        else:
            _replace_kernel()  # a failed, timed-out or dead kernel is replaced by a fresh one for the next notebook
    except Exception:
        _replace_kernel()
    lang = str(job.parameters.get("lang", "en"))
    try:
        if executed.exists():
            export_notebook_html(
                executed, page, metadata, show_code=show_code, error=error, lang=lang, twin_href=job.twin
            )
        else:
            write_error_page(page, job.title, error or "the executed notebook was not written", lang)
    except Exception as failure:  # a half-written notebook, a full disk: this notebook fails, the run goes on
        status = "failed"
        error = error or f"cannot export the page: {type(failure).__name__}: {failure}".splitlines()[0][:300]
        with contextlib.suppress(Exception):
            write_error_page(page, job.title, error, lang)
    return Outcome(
        job.stem,
        status,
        time.perf_counter() - started,
        page.name,
        error,
        job.fingerprint,
        job.title,
        {k: v for k, v in job.parameters.items() if k != "output_dir"},
    )

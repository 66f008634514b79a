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

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.publish.collection import Job, Outcome
from helpers.publish.staging import checkpoint, record_process

KERNEL_NAME = "python3"
BATCH_ENGINE = "jinshui-batch"
#: Longest ipc socket path used (the system limit is 107 bytes; the manager appends "-NN").
_MAX_SOCKET_PATH = 90
#: Run once when a kernel starts: the imports every notebook makes first and the inline backend's set-up
#: (which a fresh kernel makes at its first figure), then a record of the global state a fresh kernel has at
#: that point (matplotlib's rcParams, the warning filters, numpy's error and print settings, the inline
#: backend's settings and IPython's display formatters: which printer shows a figure, a table), kept in a
#: module of its own so that IPython's reset leaves it alone.
_WARMUP = (
    "import gc as _gc\n"
    "_gc.disable()  # the imports make objects by the million and no garbage: collecting meanwhile is wasted\n"
    "try:\n"
    "    import sys as _sys, types as _types, warnings as _warnings\n"
    "    import matplotlib as _mpl, matplotlib.pyplot as _plt, numpy as _np, pandas as _pd\n"
    "    import helpers.notebook.report\n"
    "    _plt.switch_backend(_mpl.rcParams['backend'])  # the inline backend registers its figure printers now\n"
    "    from matplotlib_inline.config import InlineBackend as _Inline\n"
    "    _inline = _Inline.instance()\n"
    "    _display = get_ipython().display_formatter\n"
    "    _sys.modules['_jinshui_pristine'] = _types.SimpleNamespace(\n"
    "        rc=_mpl.rcParams.copy(), filters=list(_warnings.filters), err=_np.geterr(),\n"
    "        printing=_np.get_printoptions(),\n"
    "        inline=dict(print_figure_kwargs=dict(_inline.print_figure_kwargs), rc=dict(_inline.rc),\n"
    "                    figure_formats=set(_inline.figure_formats), close_figures=_inline.close_figures),\n"
    "        formatters=[(f, f.enabled, dict(f.type_printers), dict(f.deferred_printers)) for f in [\n"
    "            *_display.formatters.values(), _display.ipython_display_formatter, _display.mimebundle_formatter]])\n"
    "    del _sys, _types, _warnings, _mpl, _plt, _np, _pd, _display, _Inline, _inline\n"
    "    _gc.collect(); _gc.freeze()  # the imported libraries are never garbage: later collections skip them\n"
    "finally:\n"
    "    _gc.enable()\n"
    "    del _gc"
)
#: Run between notebooks that succeeded: the namespace and the global state a notebook may have changed go
#: back to the recorded fresh state (display formatters included: a notebook may show figures differently);
#: pandas' options to their defaults. The helpers modules are dropped (a
#: notebook that patched them must not change the next page) except the cache's entries: pickles keyed on
#: the content of their inputs, which no notebook shares with another.
_RESET = (
    "get_ipython().reset(new_session=False, aggressive=False)\n"
    "import os as _os, sys as _sys, warnings as _warnings, matplotlib as _mpl, matplotlib.pyplot as _plt\n"
    "import numpy as _np, pandas as _pd\n"
    "_fresh = _sys.modules['_jinshui_pristine']\n"
    "_os.chdir({root!r}); _plt.close('all')\n"
    "_mpl.rcParams.clear(); _mpl.rcParams.update(_fresh.rc)\n"
    "_np.seterr(**_fresh.err); _np.set_printoptions(**_fresh.printing)\n"
    "with _warnings.catch_warnings():\n"
    "    _warnings.simplefilter('ignore')  # resetting deprecated options warns about each of them\n"
    "    _pd.reset_option('all')\n"
    "_warnings.resetwarnings(); _warnings.filters.extend(_fresh.filters)\n"
    "from matplotlib_inline.config import InlineBackend as _Inline\n"
    "with _warnings.catch_warnings():  # matplotlib_inline observes its settings in a way traitlets deprecates\n"
    "    _warnings.simplefilter('ignore', DeprecationWarning)\n"
    "    for _name, _value in _fresh.inline.items():  # the inline backend's settings (how figures are printed)\n"
    "        setattr(_Inline.instance(), _name, type(_value)(_value))\n"
    "for _formatter, _enabled, _printers, _deferred in _fresh.formatters:\n"
    "    _formatter.enabled = _enabled\n"
    "    _formatter.type_printers.clear(); _formatter.type_printers.update(_printers)\n"
    "    _formatter.deferred_printers.clear(); _formatter.deferred_printers.update(_deferred)\n"
    "_store = getattr(_sys.modules.get('helpers.sources.cache'), 'STORE', None)\n"
    "for _name in [n for n in _sys.modules if n == 'helpers' or n.startswith('helpers.')]:\n"
    "    del _sys.modules[_name]\n"
    "if type(_store) is dict:\n"
    "    import helpers.sources.cache as _cache\n"
    "    _cache.STORE.update((k, v) for k, v in _store.items() if type(k) is tuple and type(v) is bytes)\n"
    "    del _cache\n"
    "del _os, _sys, _warnings, _mpl, _plt, _np, _pd, _fresh, _store, _formatter, _enabled, _printers, _deferred\n"
    "del _Inline, _name, _value"
)
_PR_SET_PDEATHSIG = 1

_KERNEL: Any = None
_CLIENT: Any = None
_RUN_DIR: Path | None = None
#: Phases of the worker's start, reported with its first notebook's phases (the profile shows them there).
_STARTUP_PHASES: dict[str, float] = {}


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
    with contextlib.suppress(OSError):
        os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # Failures are reported in the run's summary; library log lines would only repeat them on stderr.
    logging.disable(logging.CRITICAL)
    record_process(Path(run_dir), "worker", os.getpid())
    import multiprocessing.util

    multiprocessing.util.Finalize(None, stop_kernel, exitpriority=10)
    prepare_kernel(run_dir)


def prepare_kernel(run_dir: str, start: bool = True) -> None:
    """Give this process its kernel manager (files and process ids in ``run_dir``) and, with ``start``, its kernel.

    The kernel starts now, while the runner checks the inputs; a kernel that cannot start is tried again by
    the first notebook, which then fails with the reason. The batch's workers and a corpus run's Dask workers
    (through their worker plugin) both start here. Without ``start`` the first notebook starts the kernel: the
    kernel's client must be made on the thread that runs the notebooks (a Dask worker sets its plugins up on
    its event loop's thread, where a client made would never hear its kernel: every wait to its timeout).
    """
    global _KERNEL, _RUN_DIR
    _RUN_DIR = Path(run_dir)
    _KERNEL = _new_manager()
    if not start:
        return
    started = time.perf_counter()
    with contextlib.suppress(Exception):
        _ensure_kernel()
        _STARTUP_PHASES["kernel start"] = time.perf_counter() - started


def worker_ready() -> int:
    """A task that does nothing: submitting it makes the pool fork its workers (and so start their kernels)."""
    return os.getpid()


def _new_manager() -> Any:
    """A kernel manager whose ipc sockets live in a fresh folder of the run folder."""
    from jupyter_client.manager import AsyncKernelManager

    if _RUN_DIR is None:
        raise RuntimeError("the worker was not started with a run folder")
    kernel_dir = Path(tempfile.mkdtemp(prefix=f"kernel-{os.getpid()}-", dir=_RUN_DIR))
    socket = kernel_dir / "k"
    if len(str(socket)) > _MAX_SOCKET_PATH:  # a long TMPDIR: ipc socket names are limited to ~107 bytes
        # TCP only where the run folder's path is too long for a socket: encrypted (CurveZMQ), as ipykernel asks.
        return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="tcp", ip="127.0.0.1", transport_encryption="auto")
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
    # No input history: a batch kernel's cells are in the executed notebook, and IPython would otherwise
    # write each one to its sqlite database (one commit per cell).
    _sync(_KERNEL.start_kernel)(
        cwd=str(paths.PROJECT_ROOT),
        env={**os.environ, "JINSHUI_BATCH": "1"},
        extra_arguments=["--HistoryManager.enabled=False"],
    )
    pid = _kernel_pid()
    if pid is not None and _RUN_DIR is not None:
        record_process(_RUN_DIR, "kernel", pid)
    checkpoint("kernel-warmup")
    try:
        _run_in_kernel(_WARMUP, timeout=120)
    except KernelDiedError:  # killed from outside while it warmed up: the next notebook gets a fresh kernel
        _replace_kernel()
    except RuntimeError:  # a broken import fails the notebook itself, with its own error
        pass


def stop_kernel() -> None:
    """Shut the kernel down (at the end of the worker, and before a kernel is replaced).

    The kernel's process is killed and reaped here first: jupyter_client's own shutdown then finds it gone
    at once, instead of polling for its end every 0.1 s (the runner waits for that at the end of a run).
    """
    _drop_client()
    if _KERNEL is not None and _KERNEL.has_kernel:
        process = getattr(getattr(_KERNEL, "provisioner", None), "process", None)
        with contextlib.suppress(Exception):
            process.kill()
            process.wait(timeout=10)
        with contextlib.suppress(Exception):
            _sync(_KERNEL.shutdown_kernel)(now=True)


def _replace_kernel() -> None:
    """After a failure, timeout or death: a fresh manager and kernel for the next notebook."""
    global _KERNEL
    stop_kernel()
    _KERNEL = _new_manager()


def _client() -> Any:
    """The worker's client of its kernel: connected once, then used by every notebook and every reset."""
    global _CLIENT
    if _CLIENT is None:
        client = _KERNEL.client()
        client.start_channels()
        _sync(client.wait_for_ready)(timeout=60)
        client.allow_stdin = False
        _CLIENT = client
    return _CLIENT


def _drop_client() -> None:
    """Disconnect the client (its kernel is being replaced or stopped)."""
    global _CLIENT
    if _CLIENT is not None:
        with contextlib.suppress(Exception):
            _CLIENT.stop_channels()
        _CLIENT = None


class KernelDiedError(RuntimeError):
    """The kernel's process ended while the worker waited for it (killed from outside, out of memory)."""


#: How often a wait on the kernel checks that its process still lives (the heartbeat is not polled there).
_ALIVE_POLL_SECONDS = 0.2


def _process_ended(pid: int) -> bool:
    """Whether a process has ended (gone, or a zombie its parent has not reaped yet); never reaps it."""
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in {"Z", "X"}
    except (OSError, IndexError):
        return True


def _run_in_kernel(code: str, timeout: int) -> None:
    """Execute code in the kernel, its output discarded; RuntimeError if it raised, KernelDiedError if it died.

    jupyter_client's ``execute_interactive`` waits for a reply until its timeout even when the kernel is
    gone (a kernel killed during the warm-up held a run for two minutes). A watcher thread looks at the
    kernel's process meanwhile and cancels the wait when it ends.
    """
    pid = _kernel_pid()
    # Connected here, outside the event loop: made inside it, the client's sockets would belong to the loop of
    # the helper thread run_sync uses there, and this loop would never hear them (every wait to its timeout).
    client = _client()
    done = threading.Event()
    died = threading.Event()

    async def run() -> dict[str, Any]:
        task, loop = asyncio.current_task(), asyncio.get_running_loop()

        def watch() -> None:
            while not done.wait(_ALIVE_POLL_SECONDS):
                if pid is not None and _process_ended(pid):
                    died.set()
                    loop.call_soon_threadsafe(task.cancel)
                    return

        watcher = threading.Thread(target=watch, name="kernel-watcher", daemon=True)
        watcher.start()
        try:
            return await client.execute_interactive(code, timeout=timeout, output_hook=lambda message: None)
        except asyncio.CancelledError:
            if died.is_set():
                raise KernelDiedError("the kernel died") from None
            raise
        finally:
            done.set()

    reply = _sync(run)()
    content = reply.get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")


def _reset_namespace() -> None:
    """Clear the namespace between notebooks that succeeded (the warm kernel's state must not leak).

    A reset that fails (the warm-up record is missing, a module refuses to go) raises, and the caller
    replaces the kernel: the next notebook then starts from a fresh one.
    """
    _run_in_kernel(_RESET.format(root=str(paths.PROJECT_ROOT)), timeout=30)


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


@lru_cache(maxsize=1)
def _engine_name() -> str:
    """Register and name the papermill engine of the batch: nbclient's, on the worker's one client.

    Two costs of papermill's own engine are not work. It writes the whole executed notebook before and after
    every cell (about 60 writes, each serializing every image so far: 0.4 s of a 2 s report), and once more
    when the engine returns. This engine writes nothing itself: papermill's own last write (with its error
    cell, if a cell raised) is the one the batch reads. Only when the engine raises (a timeout, a dead
    kernel), after which papermill writes nothing, does it write the notebook as far as it ran. And a new
    kernel client per notebook waits about 0.2 s for the kernel's first status message; the worker keeps one
    client per kernel, for the notebooks and the resets between them.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class SaveOnlyIfRaised(NotebookExecutionManager):
        raised = False

        def save(self, **kwargs: Any) -> None:
            if self.raised:
                super().save(**kwargs)

    class BatchEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None, **kwargs: Any) -> Any:
            log_output = kwargs.pop("log_output", False)
            kwargs.pop("progress_bar", None)
            kwargs.pop("autosave_cell_every", None)
            manager = SaveOnlyIfRaised(nb, output_path=output_path, log_output=log_output, progress_bar=False)
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                manager.raised = True  # a timeout or a dead kernel: papermill writes nothing after this
                raise
            finally:
                manager.notebook_complete()
            return manager.nb

        @classmethod
        def execute_managed_notebook(
            cls, nb_man: Any, kernel_name: str, execution_timeout: int | None = None, **kwargs: Any
        ) -> Any:
            # As papermill's NBClientEngine, but the client is the worker's (setup_kernel keeps a given kc).
            kwargs = remove_args(["input_path", "timeout", "startup_timeout", "start_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, kernel_name=kernel_name, log=logger)
            client = PapermillNotebookClient(nb_man, **final)
            client.kc = _client()
            return client.execute()

    papermill_engines.register(BATCH_ENGINE, BatchEngine)
    return BATCH_ENGINE


#: The file a worker keeps while it runs a notebook: ``running-<worker pid>`` holding the notebook's stem.
RUNNING_PREFIX = "running-"


def _mark_running(stem: str) -> Path:
    """Say, in the run folder, which notebook this worker runs: if the worker dies, the runner knows which."""
    if _RUN_DIR is None:
        raise RuntimeError("the worker was not started with a run folder")
    marker = _RUN_DIR / f"{RUNNING_PREFIX}{os.getpid()}"
    marker.write_text(stem, encoding="utf-8")
    return marker


def in_flight(run_dir: Path) -> set[str]:
    """The notebooks that workers were running when they stopped without finishing them; the markers go."""
    stems = set()
    for marker in run_dir.glob(f"{RUNNING_PREFIX}*"):
        with contextlib.suppress(OSError):
            stems.add(marker.read_text(encoding="utf-8").strip())
            marker.unlink()
    return stems


def execute_one(job: Job, staging: str, show_code: bool, metadata: list[tuple[str, str]], timeout: int) -> Outcome:
    """Execute one notebook into ``staging`` and export its HTML; failures are reported, not raised."""
    import papermill as pm

    from helpers.publish.html import export_notebook_html, write_error_page

    folder = Path(staging)
    executed, page = folder / f"{job.stem}.ipynb", folder / f"{job.stem}.html"
    started = time.perf_counter()
    phases: dict[str, float] = dict(_STARTUP_PHASES)
    _STARTUP_PHASES.clear()
    status, error = "ok", ""
    mark = started
    running = _mark_running(job.stem)
    checkpoint("notebook-start")
    try:
        if _KERNEL.has_kernel and not _sync(_KERNEL.is_alive)():  # died while idle (killed from outside)
            _replace_kernel()
        if not _KERNEL.has_kernel:  # the first notebook of a kernel: start it and make the imports once
            _ensure_kernel()
            phases["kernel start"] = time.perf_counter() - started
            mark = time.perf_counter()
        pm.execute_notebook(
            str(job.path),
            str(executed),
            parameters={**job.parameters, "output_dir": staging},
            kernel_name=KERNEL_NAME,
            engine_name=_engine_name(),
            km=_KERNEL,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            cwd=str(paths.PROJECT_ROOT),
        )
    except Exception as failure:
        status, error = "failed", _failure(failure, timeout)
    phases["execute"] = time.perf_counter() - mark
    mark = time.perf_counter()
    try:
        if status == "ok" and _KERNEL.has_kernel and _sync(_KERNEL.is_alive)():
            _reset_namespace()
        else:
            _replace_kernel()  # a failed, timed-out or dead kernel is replaced by a fresh one for the next notebook
    except Exception:
        _replace_kernel()
    phases["reset"] = time.perf_counter() - mark
    mark = time.perf_counter()
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
    phases["export"] = time.perf_counter() - mark
    running.unlink(missing_ok=True)
    return Outcome(
        job.stem,
        status,
        time.perf_counter() - started,
        page.name,
        error,
        job.fingerprint,
        job.title,
        {k: v for k, v in job.parameters.items() if k != "output_dir"},
        {name: round(seconds, 3) for name, seconds in phases.items()},
    )

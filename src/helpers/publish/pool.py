"""The run's worker processes: a pool that runs notebooks, survives a dead worker, and stops once.

Each worker keeps one warm kernel (:mod:`helpers.publish.worker`). A worker killed from outside, out of memory
or by its own notebook breaks a ``ProcessPoolExecutor`` and every notebook not yet finished with it: the pool
is renewed, and only a notebook that kills its worker again, running alone, fails.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from helpers.publish.collection import Job, Outcome, page_metadata
from helpers.publish.html import write_error_page
from helpers.publish.staging import kill_recorded
from helpers.publish.worker import execute_one, in_flight, start_worker, worker_ready

#: The error of a notebook whose worker died under it, and again when it ran alone.
WORKER_DIED = (
    "its worker process died while it ran, and again when it ran alone (killed from inside the notebook, or out of "
    "memory)"
)


class Workers:
    """A run's worker processes, stopped once, in the background, by one thread.

    ``ProcessPoolExecutor.shutdown`` is not safe to call twice at the same time: both calls close the pool's
    result pipe, and the second close fails ("Bad file descriptor") or, worse, closes a file descriptor the
    process has meanwhile reused. So every way of stopping goes through ``stop``, which starts at most one.
    """

    def __init__(self, count: int, run_dir: Path) -> None:
        self.count, self.run_dir = count, run_dir
        self.pool = new_pool(count, run_dir)
        self._stopping: threading.Thread | None = None

    def renew(self, count: int) -> None:
        """A new pool of ``count`` workers in place of the current one (broken, or of another size).

        What the old pool recorded (its workers, and their kernels, which outlive a killed worker for a
        moment) is killed first: every process recorded so far is the old pool's.
        """
        self.pool.shutdown(wait=True, cancel_futures=True)
        kill_recorded(self.run_dir)
        self.pool = new_pool(count, self.run_dir)

    def stop(self, cancel_pending: bool = False) -> threading.Thread:
        """Start stopping the workers (their kernels shut down), unless already started; do not wait.

        Called once their notebooks are done, it lets them stop while this process writes the index.
        """
        if self._stopping is None:
            self._stopping = threading.Thread(
                target=self.pool.shutdown, kwargs={"cancel_futures": cancel_pending}, name="stop-workers", daemon=True
            )
            self._stopping.start()
        return self._stopping

    def wait(self, timeout: float | None = None) -> None:
        """Return once the workers have stopped, or after ``timeout`` seconds."""
        self.stop().join(timeout)


def new_pool(count: int, run_dir: Path) -> ProcessPoolExecutor:
    """``count`` forked worker processes, each preparing its kernel as it starts."""
    return ProcessPoolExecutor(
        max_workers=count, mp_context=multiprocessing.get_context("fork"), initializer=start_worker,
        initargs=(str(run_dir),),
    )  # fmt: skip


@contextlib.contextmanager
def workers_for(count: int, run_dir: Path) -> Iterator[Workers | None]:
    """``count`` worker processes (None for none), each starting its kernel as soon as it is forked.

    A kernel takes about a second to start, on one CPU; started here, before the inputs are checked, it uses
    the CPU that this process leaves idle meanwhile. Leaving normally waits for the workers, which stop their
    kernels; leaving by an exception (bad input, Ctrl-C, a failed export, every notebook failed) kills workers
    and kernels first.
    """
    if count == 0:
        yield None
        return
    workers = Workers(count, run_dir)
    try:
        workers.pool.submit(
            worker_ready
        )  # the first task forks every worker (the fork context starts them all at once)
        yield workers
    except BaseException:
        kill_recorded(run_dir)  # workers and kernels first, so that the pool does not wait for them
        # The pool's own thread must be done before the interpreter exits: Python 3.11's exit handler may
        # otherwise write to the pipe that thread is closing ("Exception ignored … Bad file descriptor" on
        # stderr, seen once under load after a bad input). With the workers killed it ends at once. If the
        # workers were already stopping, this waits for that same stop (see _Workers).
        workers.stop(cancel_pending=True)
        workers.wait(timeout=10)
        raise
    workers.wait()


def execute(
    running: Workers,
    ordered: list[Job],
    staging: Path,
    show_code: bool,
    started: str,
    progress: bool,
    timeout: int,
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, Outcome]:
    """Run the stale notebooks on the workers, in the order given (longest first: see longest_first).

    ``meanwhile`` runs in this process once every notebook is handed out, before their results are awaited.
    A worker that dies (killed from outside, out of memory, or by its notebook) breaks the whole pool and every
    notebook not yet finished with it. Those that had not begun go to a new pool; each that was running is run
    again alone, on a pool of one worker: if its worker dies again, that notebook is the cause and fails, the
    others are not blamed for it.
    """
    from tqdm import tqdm

    outcomes: dict[str, Outcome] = {}
    bar = tqdm(total=len(ordered), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    try:
        pending, suspects = list(ordered), []
        first_round, size, broken_pool = True, running.count, False
        while pending or suspects:
            wanted = 1 if suspects else running.count
            if broken_pool or wanted != size:
                running.renew(wanted)
                size, broken_pool = wanted, False
            alone = bool(suspects)
            round_jobs = [suspects.pop(0)] if alone else pending
            futures = {
                running.pool.submit(
                    execute_one, job, str(staging), show_code, page_metadata(job.parameters, started), timeout
                ): job
                for job in round_jobs
            }
            if first_round:
                meanwhile()  # if it raises, leaving _workers kills the workers and cancels what they had not begun
                first_round = False
            broken: list[Job] = []
            for future in as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken.append(job)
                    continue
                outcomes[outcome.stem] = outcome
                bar.set_postfix_str(f"{outcome.stem} {outcome.status}")
                bar.update()
            broken_pool = bool(broken)
            flying = in_flight(running.run_dir)
            if not alone:
                suspects = [job for job in broken if job.stem in flying]
                pending = [job for job in broken if job.stem not in flying]
            elif broken:  # it ran alone and its worker died again: it is the cause
                outcomes[broken[0].stem] = _worker_died(broken[0], staging)
                bar.set_postfix_str(f"{broken[0].stem} failed")
                bar.update()
    finally:  # closed before a message about an interrupt is printed, so that the message ends the output
        bar.close()
    return outcomes


def _worker_died(job: Job, staging: Path) -> Outcome:
    """The outcome, and the error page, of a notebook whose worker died under it twice."""
    write_error_page(staging / f"{job.stem}.html", job.title, WORKER_DIED, job.parameters.get("lang", "en"))
    return Outcome(job.stem, "failed", 0.0, f"{job.stem}.html", WORKER_DIED, job.fingerprint, job.title)

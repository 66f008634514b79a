"""Where a corpus run's tasks run: on Dask (a LocalCluster, or an existing cluster), or in this process.

The same functions run either way, so the local executor is the reference the Dask path is tested against.
Results are seen as they arrive (a report's pages are written then, and the cluster lets go of them), so the
client holds one report's bytes at a time, not the corpus's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable

from tqdm import tqdm

from helpers.publish.corpus_pages import WarmKernel


class Executor:
    """Runs a function over items: on Dask (a LocalCluster, or the cluster at ``scheduler``), or in this process.

    ``plugin`` (a warm kernel per worker) is registered with every worker of the cluster, or set up once in this
    process; it is torn down at :meth:`close`, also on an existing cluster, whose workers go on.
    """

    def __init__(self, jobs: int, scheduler: str | None = None, plugin: WarmKernel | None = None) -> None:
        """``jobs`` workers of one thread each (a LocalCluster); 1 without a scheduler: in this process."""
        self.client = None
        self.cluster = None
        self.plugin = plugin
        self._local_plugin_ready = False
        if scheduler or jobs > 1:
            from distributed import Client, LocalCluster

            if scheduler:
                self.client = Client(scheduler, timeout="30s")
            else:
                # The HTTP server takes a free port: two runs (or a user's own cluster) do not collide on 8787.
                self.cluster = LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0",
                    silence_logs=logging.ERROR, memory_limit=0,
                )  # fmt: skip
                self.client = Client(self.cluster)

    def _ensure_plugin(self) -> None:
        """Give every worker (or this process) its warm kernel, once, when the first task needs it."""
        if self.plugin is None or self._local_plugin_ready:
            return
        if self.client is None:
            self.plugin.setup()
        else:
            self.client.register_plugin(self.plugin)
        self._local_plugin_ready = True

    def map(
        self,
        function: Callable[..., object],
        items: Iterable[tuple],
        label: str,
        progress: bool,
        consume: Callable[[object], object] | None = None,
        kernels: bool = False,
    ) -> list:
        """``function(*args)`` for every argument tuple, in order; a progress bar on stderr.

        ``consume`` sees each result as it arrives (the pages are written then) and returns what is kept of it;
        ``kernels``: the tasks execute notebooks, so the workers get their warm kernels first.
        """
        arguments = list(items)
        keep = consume or (lambda result: result)
        if kernels:
            self._ensure_plugin()
        bar = tqdm(total=len(arguments), desc=label, unit="report", disable=not progress, leave=False)
        try:
            if self.client is None:
                results = []
                for args in arguments:
                    results.append(keep(_safely(function, *args)))
                    bar.update()
                return results
            from distributed import as_completed

            futures = [self.client.submit(_safely, function, *args, pure=False) for args in arguments]
            index = {future.key: n for n, future in enumerate(futures)}
            kept: list[object] = [None] * len(futures)
            for future, result in as_completed(futures, with_results=True):
                kept[index[future.key]] = keep(result)
                future.release()  # the result is written or kept: the cluster need not hold it any longer
                bar.update()
            return kept
        finally:
            bar.close()

    def close(self) -> None:
        """Stop the kernels, the client and the cluster this executor started (never an existing cluster)."""
        if self.plugin is not None and self._local_plugin_ready:
            with contextlib.suppress(Exception):
                if self.client is None:
                    self.plugin.teardown()
                else:
                    self.client.unregister_worker_plugin(self.plugin.name)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _safely(function: Callable[..., object], *args: object) -> object:
    """The function's result, or the exception it raised (one report's failure fails only that report)."""
    try:
        return function(*args)
    except Exception as error:  # the report's row says what failed; the run goes on
        return error

"""The environment a run's processes share (workers and kernels inherit it), set for the run and restored after.

- the run's private cache folder and the digests of its inputs as read at its start (:mod:`helpers.sources.cache`);
- where the user's home cannot be written (a read-only or missing HOME, as on some servers and containers),
  IPython's and matplotlib's folders in the run folder: each kernel would otherwise warn on stderr
  ("IPython parent … is not a writable location") and matplotlib would rebuild its font list in a new
  temporary folder every time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from helpers.sources.cache import CACHE_DIR_ENV, FROZEN_INPUTS_ENV

#: Variables naming a per-user folder, and the folder each defaults to under the home folder.
HOME_FOLDERS = {"IPYTHONDIR": ".ipython", "MPLCONFIGDIR": ".config/matplotlib"}


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists or can be made, and can be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def home_fallbacks(run_dir: Path, environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, str]:
    """For each per-user folder that is not set and cannot be written, a folder of the run in its place."""
    home = Path(environ.get("HOME") or Path.home())
    return {
        name: str(run_dir / name.lower())
        for name, default in HOME_FOLDERS.items()
        if not environ.get(name) and not _writable(home / default)
    }


@contextlib.contextmanager
def run_environment(run_dir: Path) -> Iterator[dict[str, str]]:
    """Set the run's variables in ``os.environ`` (yielded), and restore every one as it was afterwards."""
    values = {
        CACHE_DIR_ENV: str(run_dir / "cache"),
        FROZEN_INPUTS_ENV: str(run_dir / "inputs.json"),
        **home_fallbacks(run_dir),
    }
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield values
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

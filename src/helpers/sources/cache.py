"""A cache of validated and derived tables, keyed on the content of every file they are computed from.

Loading and validating the corpus and computing the metrics and the audit take about 0.3 s, and every notebook
of a batch (and the exports) needs the same result. Each entry's key is the sha256 of every input file and of
the helpers' own code, so a file changed during a worker's life (or in a JupyterLab session) is read again.
Entries are stored as pickles: each caller gets its own copy, and nothing one notebook does to its tables
reaches the next. The batch's kernels carry :data:`STORE` over when they clear the helpers between notebooks
(:mod:`helpers.publish.worker`); this module therefore imports nothing from the helpers.

Processes of one batch share entries through a folder named by ``JINSHUI_CACHE_DIR`` (the run's own, private
folder): what the runner computes while the kernels start is read by them, not computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
#: key (kind, code digest, file digests…) -> pickled value; at most MAX_ENTRIES, the oldest dropped first.
STORE: dict[tuple[str, ...], bytes] = {}
MAX_ENTRIES = 16
_HELPERS_DIR = Path(__file__).resolve().parents[1]
#: A folder shared by the processes of one batch run (unset: this process's memory only).
CACHE_DIR_ENV = "JINSHUI_CACHE_DIR"


#: A JSON file ``{path: sha256}`` of the inputs as a batch read them at its start (unset: none).
FROZEN_INPUTS_ENV = "JINSHUI_FROZEN_INPUTS"
_frozen: dict[str, dict[str, str]] = {}


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def freeze_inputs(files: Iterable[Path], target: Path) -> dict[str, str]:
    """Record the digest of every input as it is now, in ``target``; return ``{resolved path: sha256}``.

    A batch freezes its inputs at its start and names ``target`` in :data:`FROZEN_INPUTS_ENV`: every process
    of the run then keys its entries on these digests (:func:`input_digest`), so that all its pages and
    exports come from the tables computed at the start, even if a file is saved while the run goes on.
    """
    digests = {str(path.resolve()): file_digest(path) for path in sorted(set(files))}
    target.write_text(json.dumps(digests, indent=1), encoding="utf-8")
    return digests


def _frozen_digests() -> dict[str, str]:
    """The frozen digests of this run, read once per process (none outside a batch)."""
    name = os.environ.get(FROZEN_INPUTS_ENV)
    if not name:
        return {}
    if name not in _frozen:
        try:
            _frozen[name] = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # not written yet: the live content, until it is
    return _frozen[name]


def input_digest(path: Path) -> str:
    """The digest an entry is keyed on: the run's frozen one where the run froze this file, else the live one."""
    return _frozen_digests().get(str(path.resolve())) or file_digest(path)


def changed_inputs(digests: dict[str, str]) -> list[str]:
    """The frozen files whose content is no longer what the run read at its start (or that are gone)."""
    changed = []
    for name, digest in digests.items():
        try:
            now = file_digest(Path(name))
        except OSError:
            now = ""
        if now != digest:
            changed.append(name)
    return changed


def code_digest() -> str:
    """sha256 over the helpers' Python sources: a code change is a change of every entry's inputs."""
    digest = hashlib.sha256()
    for path in sorted(_HELPERS_DIR.rglob("*.py")):
        digest.update(path.relative_to(_HELPERS_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(kind: str, files: Iterable[Path]) -> tuple[str, ...]:
    """The key of an entry: its kind, the code digest, and the path and digest of each input file."""
    return (kind, code_digest(), *(f"{path}:{input_digest(path)}" for path in sorted(set(files))))


def cached(kind: str, files: Iterable[Path], build: Callable[[], T]) -> T:
    """``build()``, computed once per content of ``files`` (and of the code); a fresh copy on every call.

    A build that raises stores nothing, so an invalid file keeps failing with its own error.
    """
    key = content_key(kind, files)
    blob = STORE.get(key)
    if blob is not None:
        _write_shared(key, blob, only_if_missing=True)
    else:
        blob = _read_shared(key)
    if blob is not None:
        _keep(key, blob)
        return pickle.loads(blob)  # only this module writes the store and the run's folder, with its own pickles
    _check_unchanged(files)
    value = build()
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _keep(key, blob)
    _write_shared(key, blob)
    return value


class InputChangedError(RuntimeError):
    """An input of a batch changed after the run froze it, and the entry built from it is not cached."""


def _check_unchanged(files: Iterable[Path]) -> None:
    """Refuse to build from a file whose content is no longer what the run froze: its pages would mix versions."""
    frozen = _frozen_digests()
    for path in sorted(set(files)):
        digest = frozen.get(str(path.resolve()))
        if digest and file_digest(path) != digest:
            raise InputChangedError(
                f"{path} changed during this run (it read sha256 {digest[:12]}… at its start); run again"
            )


def _keep(key: tuple[str, ...], blob: bytes) -> None:
    STORE[key] = blob
    while len(STORE) > MAX_ENTRIES:
        del STORE[next(iter(STORE))]


def _shared_path(key: tuple[str, ...]) -> Path | None:
    folder = os.environ.get(CACHE_DIR_ENV)
    if not folder:
        return None
    return Path(folder) / (hashlib.sha256("\n".join(key).encode()).hexdigest() + ".pickle")


def _read_shared(key: tuple[str, ...]) -> bytes | None:
    path = _shared_path(key)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def _write_shared(key: tuple[str, ...], blob: bytes, *, only_if_missing: bool = False) -> None:
    """Write the entry for the other processes of the run: whole or not at all (a temporary file, renamed)."""
    path = _shared_path(key)
    if path is None or (only_if_missing and path.exists()):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        Path(temporary).replace(path)
    except OSError:
        return  # sharing is an optimization: the other processes compute the entry themselves


def clear() -> None:
    """Drop every entry."""
    STORE.clear()

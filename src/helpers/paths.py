"""Where things live, so that no code or notebook depends on the working directory.

The project root is found from this file's location (the package is installed in editable mode from
``src/``), or from the ``JINSHUI_ROOT`` environment variable when set (used to point a run elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    """Return the project root: ``$JINSHUI_ROOT`` or the folder holding ``pyproject.toml`` above here."""
    env = os.environ.get("JINSHUI_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    raise RuntimeError(
        f"cannot find the project root above {here}; install the project in editable mode "
        "(make setup) or set JINSHUI_ROOT"
    )


PROJECT_ROOT: Path = _find_root()
DATA_DIR: Path = PROJECT_ROOT / "data"
#: One folder per report (text, metadata, figures); ``helpers.sources.registry`` is the only code that reads it.
REPORTS_DATA_DIR: Path = DATA_DIR / "reports"
#: Hand-labelled mentions that measure the annotator's accuracy.
ANNOTATION_GOLD_DIR: Path = DATA_DIR / "annotation_gold"
REFERENCE_DIR: Path = DATA_DIR / "reference"
#: The indicator vocabulary and the map of every report's figures and reference rows onto it.
INDICATORS_DIR: Path = DATA_DIR / "indicators"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"

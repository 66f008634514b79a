"""Small notebook collections for the runner's tests: a parameters cell like the real notebooks', one body."""

from __future__ import annotations

from pathlib import Path

import nbformat

PARAMETERS = '''report_dir = "data/reports/jinshui-2020"
reference_dir = "data/reference"
population_basis = "resident_2019"
lang = "en"
output_dir = "reports"'''


def write_notebook(folder: Path, stem: str, body: str, parameters: str = PARAMETERS) -> Path:
    """A notebook ``<stem>.ipynb`` in ``folder``: a title, the tagged parameters cell, then ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"# {stem}"),
            nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(body),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = folder / f"{stem}.ipynb"
    nbformat.write(notebook, path)
    return path

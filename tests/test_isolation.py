"""A warm kernel is shared state: what one notebook does to it must not reach the next one.

The batch runs several notebooks in one kernel per worker. Between them the kernel's namespace, the helpers
modules, matplotlib's rcParams, pandas' options, the warning filters, numpy's settings and the working folder
go back to a fresh kernel's; the analysis tables are cached on the content of their input files. These tests
run real batches with one worker, so that the notebooks share one kernel, in the order the scheduler gives
them (the larger file first, when no earlier run timed them).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from collections_helper import write_notebook

from helpers import paths
from helpers.publish import batch

pytestmark = pytest.mark.xdist_group("batch")
EN = {"lang": "en"}
#: Changes a notebook may make to the kernel's global state, all of them visible in a report if they leaked.
POLLUTE = """
import os, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, pandas as pd
from helpers.notebook import labels
mpl.rcParams.update({"figure.dpi": 30, "savefig.dpi": 30, "hatch.linewidth": 6, "errorbar.capsize": 12,
                     "axes.formatter.use_mathtext": True, "font.size": 30, "axes.facecolor": "red"})
pd.set_option("display.precision", 1)
pd.set_option("styler.html.mathjax", False)
pd.set_option("styler.format.decimal", ",")
warnings.simplefilter("error")
np.set_printoptions(precision=1)
np.seterr(all="raise")
labels.format_value = lambda *args, **kwargs: "PATCHED"
plt.figure()  # left open
from IPython import get_ipython
from matplotlib.figure import Figure
display_formatter = get_ipython().display_formatter
display_formatter.formatters["image/png"].for_type(Figure, lambda figure: None)  # figures shown as nothing
display_formatter.formatters["text/html"].enabled = False  # tables shown as plain text
display_formatter.formatters["text/plain"].for_type(float, lambda value, printer, cycle: printer.text("PATCHED"))
from matplotlib_inline.config import InlineBackend
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # matplotlib_inline's observer, deprecated by traitlets
    InlineBackend.instance().print_figure_kwargs = {"bbox_inches": "tight", "dpi": 20}  # tiny charts
    InlineBackend.instance().figure_formats = {"png", "svg"}
os.chdir("/")
POLLUTED = True
"""
#: What a notebook sees of that state when it starts: printed, so that a warm and a fresh kernel compare.
PROBE = """
import gc, json, os, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, pandas as pd
from IPython import get_ipython
from matplotlib.figure import Figure
from matplotlib_inline.config import InlineBackend
from helpers.notebook import labels
formatters = get_ipython().display_formatter.formatters
def printer(mime, kind):
    found = formatters[mime].type_printers.get(kind)
    return [getattr(getattr(found, "func", found), "__name__", None), sorted(getattr(found, "keywords", {}).items())]
keys = ["figure.dpi", "savefig.dpi", "hatch.linewidth", "errorbar.capsize", "axes.formatter.use_mathtext",
        "font.size", "axes.facecolor"]
print(json.dumps({
    "rc": {key: str(mpl.rcParams[key]) for key in keys},
    "pandas": [pd.get_option(o) for o in ("display.precision", "styler.html.mathjax", "styler.format.decimal")],
    "warning filters": [str(f) for f in warnings.filters],
    "numpy": [np.geterr(), np.get_printoptions()["precision"]],
    "helpers": labels.format_value(1.0, "percent", "en"),
    "open figures": plt.get_fignums(),
    "cwd": os.getcwd(),
    "garbage collection": gc.isenabled(),
    "namespace": "POLLUTED" in globals(),
    "formatters": {mime: formatters[mime].enabled for mime in sorted(formatters)},
    "figure printer": printer("image/png", Figure),
    "figure shown as": sorted(get_ipython().display_formatter.format(plt.subplots()[0])[0]),
    "float printer": printer("text/plain", float),
    "inline backend": [sorted(InlineBackend.instance().print_figure_kwargs.items()),
                       sorted(InlineBackend.instance().figure_formats)],
}, sort_keys=True))
"""


def _outputs(notebook: Path) -> list[list[dict]]:
    """Every code cell's outputs, without what differs from run to run (execution counts, timing)."""
    cells = nbformat.read(notebook, as_version=4).cells
    found = []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            output = dict(output)
            output.pop("execution_count", None)  # a warm kernel counts on from the notebooks before
            outputs.append(output)
        found.append(outputs)
    return found


def _printed(notebook: Path) -> str:
    """The text the probe notebook printed."""
    cells = nbformat.read(notebook, as_version=4).cells
    return "".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.outputs)


def test_global_state_changed_by_a_notebook_does_not_reach_the_next(tmp_path: Path) -> None:
    economy = paths.NOTEBOOKS_DIR / "02_economy.ipynb"
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(economy, shared / economy.name)
    # With one worker the larger file runs first: the polluter, then the economy report, then the probe.
    write_notebook(shared, "00_polluter", POLLUTE + "# " + "x" * (economy.stat().st_size + 1000))
    write_notebook(shared, "zz_probe", PROBE)
    assert (shared / "zz_probe.ipynb").stat().st_size < economy.stat().st_size
    outcomes = batch.run(tmp_path / "out-shared", notebooks_dir=shared, overrides=EN, jobs=1, progress=False)
    assert [(o.stem, o.status) for o in outcomes] == [("00_polluter", "ok"), ("02_economy", "ok"), ("zz_probe", "ok")]
    timing = [
        nbformat.read(tmp_path / "out-shared" / f"{stem}.ipynb", as_version=4).metadata.papermill
        for stem in ("00_polluter", "02_economy", "zz_probe")
    ]
    # One worker, one kernel: the three ran one after the other, in that order.
    assert timing[0].end_time <= timing[1].start_time and timing[1].end_time <= timing[2].start_time
    # The same notebooks, each alone in a fresh worker and kernel.
    for stem, source in (("02_economy", economy), ("zz_probe", shared / "zz_probe.ipynb")):
        alone = tmp_path / f"alone-{stem}"
        alone.mkdir()
        shutil.copy(source, alone / source.name)
        fresh = batch.run(tmp_path / f"out-{stem}", notebooks_dir=alone, overrides=EN, jobs=1, progress=False)
        assert [o.status for o in fresh] == ["ok"]
    # What the probe sees after the polluter and the economy report is what a fresh kernel shows it.
    seen, fresh_state = (
        _printed(tmp_path / "out-shared" / "zz_probe.ipynb"),
        _printed(tmp_path / "out-zz_probe" / "zz_probe.ipynb"),
    )
    assert json.loads(seen) == json.loads(fresh_state)
    assert json.loads(seen)["helpers"] == "1.00%" and json.loads(seen)["cwd"] == str(paths.PROJECT_ROOT)
    assert (
        json.loads(seen)["figure shown as"] == ["image/png", "text/plain"]
        and json.loads(seen)["formatters"]["text/html"]
    )
    # Tables, sentences, charts (PNG bytes) and the results file: identical with and without the polluter.
    shared_outputs = _outputs(tmp_path / "out-shared" / "02_economy.ipynb")
    assert shared_outputs == _outputs(tmp_path / "out-02_economy" / "02_economy.ipynb")
    assert "PATCHED" not in json.dumps(shared_outputs)
    results = [json.loads((tmp_path / out / "results" / "02_economy.json").read_text(encoding="utf-8")) for out in
               ("out-shared", "out-02_economy")]  # fmt: skip
    assert results[0]["results"] == results[1]["results"]


def test_a_file_changed_during_a_run_changes_none_of_its_pages_and_the_next_run_reads_it(tmp_path: Path) -> None:
    # Three notebooks, one kernel: the first reads good-air days (227), the second edits the figures table of a
    # report copy (to 57, which its quote also prints), the third reads again. A run is one snapshot of its
    # inputs: the third page still says 227, and the run says the file changed; the next run reads 57 (a warm
    # kernel's cache follows the file: the key is the content).
    report = tmp_path / "jinshui-2020"
    shutil.copytree(paths.REPORTS_DATA_DIR / "jinshui-2020", report)
    figures = report / "figures.csv"
    before = "good_air_days,urban_renewal,ecology,空气质量优良天数,Days of excellent or good air quality,,227,天,227,"
    after = "good_air_days,urban_renewal,ecology,空气质量优良天数,Days of excellent or good air quality,,57,天,57,"
    assert before in figures.read_text(encoding="utf-8")
    read_at_start = hashlib.sha256(figures.read_bytes()).hexdigest()
    seen = tmp_path / "seen"
    seen.mkdir()
    read = (
        "from pathlib import Path\n"
        "from helpers.notebook import report\n"
        "ctx = report.start(report_dir, reference_dir, population_basis, lang, output_dir)\n"
        "value = ctx.figures.set_index('figure_id').loc['good_air_days', 'value']\n"
        f"Path({str(seen)!r}, '{{name}}').write_text(str(value))\n"
    )
    edit = (
        "from pathlib import Path\n"
        f"path = Path({str(figures)!r})\n"
        f"path.write_text(path.read_text(encoding='utf-8').replace({before!r}, {after!r}), encoding='utf-8')\n"
    )
    folder = tmp_path / "notebooks"
    write_notebook(folder, "a_reads", read.format(name="a") + "# " + "x" * 4000)
    write_notebook(folder, "b_edits", edit + "# " + "x" * 2000)
    write_notebook(folder, "c_reads_again", read.format(name="c"))
    notes: list[str] = []
    overrides = {**EN, "report_dir": str(report)}
    outcomes = batch.run(
        tmp_path / "out", notebooks_dir=folder, overrides=overrides, jobs=1, progress=False, notes=notes
    )
    assert [(o.stem, o.status, o.error) for o in outcomes] == [
        ("a_reads", "ok", ""),
        ("b_edits", "ok", ""),
        ("c_reads_again", "ok", ""),
    ]
    assert [(seen / name).read_text() for name in "ac"] == ["227.0", "227.0"]
    assert [note for note in notes if "changed during the run" in note] == [
        f"{figures.resolve()} changed during the run: every page and export of this run uses the version it read "
        f"at its start (sha256 {read_at_start[:12]}…); run again to publish the new one"
    ]
    batch.run(tmp_path / "out", notebooks_dir=folder, overrides=overrides, jobs=1, progress=False, force=True)
    assert [(seen / name).read_text() for name in "ac"] == ["57.0", "57.0"]

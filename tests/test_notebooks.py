"""Every notebook runs headlessly with papermill, in both languages and on every population basis, and its
results file agrees with the helpers' own computations. Notebooks are committed clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from helpers import paths
from helpers.notebook import report
from helpers.notebook.params import validate_parameters

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
STEMS = [p.stem for p in NOTEBOOKS]
THEME_OF = {stem: theme for theme, stem in report.NOTEBOOK_STEMS.items()}
#: Default run, and a Chinese run on a non-default basis; each notebook under each.
CONFIGS = {
    "default": {},
    "zh_census": {"lang": "zh", "population_basis": "census_2020_scope_adjusted"},
    "zh_incl": {"lang": "zh", "population_basis": "census_2020_incl_zhengdong"},
}


def test_the_collection_is_complete() -> None:
    assert list(report.NOTEBOOK_STEMS.values()) == STEMS


def _as_committed(path: Path) -> str:
    """The notebook as git would commit it: the clean filter applied (nbstripout, configured by make setup).

    Outside a git work tree (or without the filter) the file itself.
    """
    found = subprocess.run(
        ["git", "-C", str(paths.PROJECT_ROOT), "config", "--get", "filter.nbstripout.clean"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        return path.read_text(encoding="utf-8")
    cleaned = subprocess.run(
        found.stdout.strip(), shell=True, input=path.read_text(encoding="utf-8"), capture_output=True, text=True
    )  # the configured filter command, exactly as git runs it
    assert cleaned.returncode == 0, cleaned.stderr
    return cleaned.stdout


@pytest.mark.parametrize("path", NOTEBOOKS, ids=STEMS)
def test_notebook_is_clean_and_well_formed(path: Path) -> None:
    notebook = nbformat.reads(_as_committed(path), as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [2], "exactly one parameters cell, right after the title in both languages"
    for cell, tag in zip(notebook.cells[:2], ("lang-en", "lang-zh"), strict=True):
        assert cell.cell_type == "markdown" and cell.source.startswith("# ") and cell.metadata.tags == [tag]
    assert "report.start(" in notebook.cells[3].source, "parameters are validated in the next cell"
    # An interactive run must not write into the folder the batch publishes (its manifest would go stale).
    defaults: dict[str, object] = {}
    exec(notebook.cells[2].source, {}, defaults)  # literal defaults only: the cell is data, not code
    assert defaults["output_dir"] == "lab-output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=STEMS)
def test_every_text_cell_has_its_twin_in_the_other_language(path: Path) -> None:
    """Each page shows only its language's text cells: an English cell is followed by its Chinese twin, with
    the same headings (levels) and anchors, and the Chinese one has no English sentence."""
    cells = nbformat.read(path, as_version=4).cells
    markdown = [c for c in cells if c.cell_type == "markdown"]
    assert all(c.metadata.get("tags") in (["lang-en"], ["lang-zh"]) for c in markdown)
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown" or cell.metadata.tags != ["lang-en"]:
            continue
        twin = cells[index + 1]
        assert twin.cell_type == "markdown" and twin.metadata.tags == ["lang-zh"]

        def headings(source: str) -> list[str]:
            return [line.split(" ")[0] for line in source.splitlines() if line.startswith("#")]

        assert headings(twin.source) == headings(cell.source)
        assert re.findall(r'<a id="[^"]+"></a>', twin.source) == re.findall(r'<a id="[^"]+"></a>', cell.source)
        prose = re.sub(r"<[^>]+>|`[^`]*`|\*\*|\[[^\]]*\]\([^)]*\)", "", twin.source)
        assert not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", prose), twin.source


def _expected_results(stem: str, overrides: dict[str, str], output: Path) -> dict:
    params = {"population_basis": "resident_2019", "lang": "en", **overrides}
    ctx = report.load_context(
        validate_parameters(
            "data/reports/jinshui-2020", "data/reference", params["population_basis"], params["lang"], str(output)
        )
    )
    theme = THEME_OF[stem]
    if theme == "overview":
        return report.overview_results(ctx)
    if theme == "audit":
        return report.audit_results(ctx)
    return report.theme_results(ctx, theme)


def _execute(path: Path, output: Path, **parameters: object) -> dict:
    pm.execute_notebook(
        str(path),
        str(output / path.name),
        parameters={"output_dir": str(output), **parameters},
        progress_bar=False,
        cwd=str(output),
    )
    suffix = "" if parameters.get("lang", "en") == "en" else f".{parameters['lang']}"  # results per language
    return json.loads((output / "results" / f"{path.stem}{suffix}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def batch_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """Per configuration, every results file of one batch run (warm kernels, two workers, both languages
    or the one the configuration names): what the isolation checks compare with fresh kernels."""
    from helpers.publish import batch

    found: dict[str, dict[str, dict]] = {}
    for config in ("default", "zh_census"):
        output = tmp_path_factory.mktemp(f"batch-{config}") / "reports"
        outcomes = batch.run(output, overrides=dict(CONFIGS[config]), progress=False, jobs=2)
        assert {o.status for o in outcomes} == {"ok"}
        found[config] = {
            path.name: json.loads(path.read_text(encoding="utf-8")) for path in (output / "results").glob("*.json")
        }
    return found


# One worker runs these: the batch fixture is built once, and the fresh kernels run beside it.
@pytest.mark.notebooks
@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("config", ["default", "zh_census"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=STEMS)
def test_notebook_runs_and_results_match_the_helpers(
    path: Path, config: str, tmp_path: Path, batch_results: dict[str, dict[str, dict]]
) -> None:
    overrides = CONFIGS[config]
    payload = _execute(path, tmp_path, **overrides)
    assert payload["notebook"] == path.stem
    for name, value in overrides.items():
        assert payload["parameters"][name] == value
    assert payload["results"] == pytest.approx(_expected_results(path.stem, overrides, tmp_path), nan_ok=True)
    # Isolation: the same notebook run in a batch (a warm kernel that ran other notebooks before it, cached
    # tables) gives the same results, value for value, as this fresh kernel.
    suffix = "" if overrides.get("lang", "en") == "en" else f".{overrides['lang']}"
    warm = batch_results[config][f"{path.stem}{suffix}.json"]
    assert warm["results"] == payload["results"]
    assert {k: v for k, v in warm["parameters"].items() if k != "output_dir"} == {
        k: v for k, v in payload["parameters"].items() if k != "output_dir"
    }
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in executed.cells], ensure_ascii=False)
    assert "missing from font" not in text
    assert '"output_type": "error"' not in text
    assert '"name": "stderr"' not in text, "a warning or log line was printed: notebooks run warning-free"


@pytest.mark.notebooks
def test_overview_on_the_other_basis(tmp_path: Path) -> None:
    payload = _execute(paths.NOTEBOOKS_DIR / "00_overview.ipynb", tmp_path, **CONFIGS["zh_incl"])
    # 1800亿 / 2,145,588 people = 83,893 yuan per person
    assert payload["results"]["gdp_per_capita"] == pytest.approx(1800e8 / 2_145_588)
    assert payload["results"]["gdp_share_of_zhengzhou"] == pytest.approx(1800 / 12003 * 100)


@pytest.mark.notebooks
def test_results_follow_a_modified_figures_table(tmp_path: Path, report_copy: Path) -> None:
    figures = report_copy / "figures.csv"
    # Read good-air days as 200 instead of 227 (a what-if; the quote is edited to match so the table is valid).
    text = figures.read_text(encoding="utf-8").replace(
        "good_air_days,urban_renewal,ecology,空气质量优良天数,Days of excellent or good air quality,,227,天,227,",
        "good_air_days,urban_renewal,ecology,空气质量优良天数,Days of excellent or good air quality,,57,天,57,",
    )
    assert text != figures.read_text(encoding="utf-8")
    figures.write_text(text, encoding="utf-8")
    payload = _execute(paths.NOTEBOOKS_DIR / "04_urban_renewal.ipynb", tmp_path, report_dir=str(report_copy))
    assert payload["results"]["figure.good_air_days"] == 57
    assert payload["results"]["implied_2019_good_air_days"] == 0  # 57 - 57
    assert payload["results"]["good_air_days_difference_vs_henan"] == 57 - 245


@pytest.mark.notebooks
def test_a_bad_parameter_stops_the_notebook_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(pm.PapermillExecutionError) as info:
        _execute(paths.NOTEBOOKS_DIR / "02_economy.ipynb", tmp_path, lang="fr", top_n=0)
    error = info.value
    assert error.ename == "ParameterError"
    assert "parameter 'lang' = 'fr' is not allowed; allowed: 'en', 'zh'" in error.evalue
    assert "parameter 'top_n' = 0 is not allowed" in error.evalue
    assert error.exec_count <= 3  # parameters, injected parameters, validation: nothing ran after it
    assert not (tmp_path / "results").exists()
    # The reader sees the message alone, not a traceback through the helpers' code.
    shown = "\n".join(error.traceback)
    assert "parameter 'lang' = 'fr' is not allowed" in shown
    assert "params.py" not in shown and "Traceback" not in shown and len(error.traceback) <= 4


def test_autosaved_outputs_never_reach_git(tmp_path: Path) -> None:
    # A clone with the filter make setup installs; JupyterLab's autosave writes outputs and execution counts
    # into a notebook: git sees no change, and staging everything leaves nothing to commit. (Until then
    # git status may list the file, from its size cache; its content is unchanged.)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(paths.PROJECT_ROOT), str(clone)], check=True)
    python = sys.executable
    subprocess.run(
        ["git", "-C", str(clone), "config", "filter.nbstripout.clean", f'"{python}" -m nbstripout --keep-id'],
        check=True,
    )
    subprocess.run(["git", "-C", str(clone), "config", "filter.nbstripout.smudge", "cat"], check=True)
    notebook_path = clone / "notebooks" / "02_economy.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    code = next(c for c in notebook.cells if c.cell_type == "code" and "report.start(" in c.source)
    code.execution_count = 3
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="explored\n")]
    nbformat.write(notebook, notebook_path)

    def git(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(clone), *arguments], capture_output=True, text=True, check=False)

    assert git("diff", "--exit-code").returncode == 0  # the content git sees is unchanged
    git("add", "-A")  # staging everything stages nothing
    assert git("diff", "--cached", "--exit-code").returncode == 0
    assert git("status", "--porcelain").stdout == ""
    committed = nbformat.reads(git("show", ":notebooks/02_economy.ipynb").stdout, as_version=4)
    assert all(not c.outputs and c.execution_count is None for c in committed.cells if c.cell_type == "code")

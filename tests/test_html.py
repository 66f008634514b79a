"""The page exporter: the same page as nbconvert's HTML exporter, without parsing it with BeautifulSoup; the index
page's audit summary: one line per rule."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from helpers import paths
from helpers.analysis.tables import load_analysis
from helpers.notebook.labels import RULE_LABELS, SEVERITY_LABELS, pick, rule_name
from helpers.notebook.params import resolve
from helpers.publish import html as publish_html
from helpers.publish.exports import AUDIT_ANCHOR, AUDIT_STEM, finding_groups, publish_index
from helpers.publish.html import PAGE_LABELS, TEMPLATES_DIR, export_notebook_html, index_page, page_name

#: A 1×1 PNG: the chart every page embeds, reduced to its smallest.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _notebook() -> nbformat.NotebookNode:
    """Markdown in both languages, a table, a chart, a stream and an image that already has alt text."""
    table = nbformat.v4.new_output(
        "display_data", data={"text/html": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"}
    )
    chart = nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"})
    own_alt = nbformat.v4.new_output("display_data", data={"text/html": '<img alt="logo" src="x.png">'})
    stream = nbformat.v4.new_output("stream", name="stdout", text="done\n")
    code = nbformat.v4.new_code_cell("show()", outputs=[table, chart, own_alt, stream], execution_count=1)
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title\n\nSome *text*.", metadata={"tags": ["lang-en"]}),
            nbformat.v4.new_markdown_cell("# 标题", metadata={"tags": ["lang-zh"]}),
            nbformat.v4.new_markdown_cell("## Section"),
            code,
        ]
    )


def _tree(page: str) -> list[tuple[str, object]]:
    """The page as a list of elements (name, sorted attributes) and texts: serialization differences ignored.

    The table of contents is left out (nbconvert's page has none: it is added after the export).
    """
    nodes: list[tuple[str, object]] = []
    soup = BeautifulSoup(page, "html.parser")
    for toc in soup.select("nav#toc"):
        toc.decompose()
    for node in soup.descendants:
        if getattr(node, "name", None):
            attributes = {k: " ".join(v) if isinstance(v, list) else v for k, v in node.attrs.items()}
            nodes.append((node.name, tuple(sorted(attributes.items()))))
        elif str(node).strip():  # whitespace between elements is not content
            nodes.append(("#text", str(node)))
    return nodes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_equals_nbconvert_page(tmp_path: Path, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "page.ipynb"
    nbformat.write(_notebook(), source)
    page = export_notebook_html(source, tmp_path / "page.html", [("run", "1")], lang=lang, twin_href="twin.html")
    ours = page.read_text(encoding="utf-8")
    chart = PAGE_LABELS[lang]["chart"]
    # The two edits nbconvert makes with BeautifulSoup, made here on the template's markup:
    assert ours.count(f'<img alt="{chart}" src="data:image/png;base64,') == 1  # the chart says what it is
    assert 'alt="logo"' in ours and "No description" not in ours  # an image's own alt text is kept
    soup = BeautifulSoup(ours, "html.parser")
    wrappers = soup.select("div.jp-Cell-inputWrapper, div.jp-OutputArea-output")
    assert len(wrappers) == 6  # the two Markdown cells of the page and the four outputs (the code is hidden)
    assert all(div.get("tabindex") == "0" for div in wrappers)
    # The same page as nbconvert's own exporter with the same template, once its default alt text is replaced.
    exporter = publish_html._exporter(False, lang)
    seen: dict[str, Any] = {}

    def capture(notebook: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[str, Any]:
        seen.update(resources=resources, notebook=notebook)
        return type(exporter).from_notebook_node(exporter, notebook, resources=resources)

    monkeypatch.setattr(exporter, "from_notebook_node", capture)
    again = export_notebook_html(source, tmp_path / "again.html", [("run", "1")], lang=lang, twin_href="twin.html")
    reference = HTMLExporter(
        language_code=lang,
        template_name="jinshui_html",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    theirs, _ = reference.from_notebook_node(seen["notebook"], resources=seen["resources"])
    theirs = theirs.replace("No description has been provided for this image", chart)
    theirs = theirs.replace("<!--JINSHUI-TOC-->", "", 1)  # where ours has its table of contents
    assert _tree(again.read_text(encoding="utf-8")) == _tree(theirs)
    assert again.read_text(encoding="utf-8") == ours  # the same page both times


PARAMETERS = {
    "report_dir": "data/reports/jinshui-2020",
    "reference_dir": "data/reference",
    "population_basis": "resident_2019",
}


def _notable() -> pd.DataFrame:
    """The errors and warnings of the real audit, in its order: what the index page groups."""
    findings = load_analysis(resolve(PARAMETERS["report_dir"]), resolve(PARAMETERS["reference_dir"])).findings
    return findings[findings["severity"] != "info"]


# Counted by hand from the data (derived_metrics and the audit's rules), not from the grouping:
# - share_out_of_range: innovation_incubators_share_of_city is printed as 120%, the only share above 100%: 1.
# - scope_mismatch: one finding per metric id whose status is scope_mismatch on a basis other than the census
#   incl. Zhengdong: 16 metrics of no population basis (zhengzhou_budget_revenue_to_gdp,
#   tax_fee_relief_to_budget_revenue and 14 shares of a parent: budget revenue 3, key-project investment 2, tax
#   and fee relief 3, livelihood spending 2, innovation platforms 1, R&D institutions 1, old communities 1,
#   medical workers 1) + 12 per population basis, the same 12 on resident_2019 and on the scope-adjusted census,
#   each counted once (11 location quotients: 4 against Zhengzhou, 7 against Henan; and
#   budget_revenue_per_capita_relative_to_zhengzhou) = 16 + 12 = 28.
# - population_scope: one caveat: 1. undated_comparator: zhengzhou-2021:market_entities alone: 1.
# 1 error + (28 + 1 + 1) warnings = 31 findings in 4 groups.
EXPECTED_GROUPS = [
    ("share_out_of_range", 1),
    ("scope_mismatch", 28),
    ("population_scope", 1),
    ("undated_comparator", 1),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_findings_are_grouped_by_rule(lang: str) -> None:
    notable = _notable()
    assert len(notable) == sum(count for _, count in EXPECTED_GROUPS)
    groups = finding_groups(notable, lang, "audit.html#findings")
    assert [(g.rule, g.count) for g in groups] == EXPECTED_GROUPS
    assert [g.severity for g in groups] == ["error", "warning", "warning", "warning"]  # most severe first
    assert [g.name for g in groups] == [rule_name(rule, lang) for rule, _ in EXPECTED_GROUPS]
    scope = groups[1]
    # All 28 are warnings: the example is the first, the scope mismatch of the first metric of the table.
    assert scope.example_id == "scope_mismatch__zhengzhou_budget_revenue_to_gdp"
    message = "message_zh" if lang == "zh" else "message_en"
    rows = notable[notable["rule"] == "scope_mismatch"]
    assert scope.example == rows[message].iloc[0]
    assert [m for _, _, m in scope.others] == list(rows[message].iloc[1:])  # the rest, in order, none twice
    assert all(label == pick(SEVERITY_LABELS["warning"], lang) for _, label, _ in scope.others)


def test_the_worst_example_is_the_most_severe_then_the_first() -> None:
    def row(rule: str, key: str, severity: str) -> dict[str, str]:
        return {
            "finding_id": f"{rule}__{key}",
            "rule": rule,
            "severity": severity,
            "figure_ids": "",
            "message_en": key,
            "message_zh": f"{key}（中）",
        }

    findings = pd.DataFrame(
        [
            row("stated_share_vs_comparator", "passed", "info"),
            row("stated_share_vs_comparator", "first_warning", "warning"),
            row("stated_share_vs_comparator", "second_warning", "warning"),
            row("scope_mismatch", "only", "warning"),
            row("share_out_of_range", "late_error", "error"),
        ]
    )
    groups = finding_groups(findings, "zh")
    # The error's rule comes first although it was found last; the others keep the order of their first finding.
    assert [(g.rule, g.count, g.severity) for g in groups] == [
        ("share_out_of_range", 1, "error"),
        ("stated_share_vs_comparator", 3, "warning"),
        ("scope_mismatch", 1, "warning"),
    ]
    shares = groups[1]
    assert (shares.example_id, shares.example) == ("stated_share_vs_comparator__first_warning", "first_warning（中）")
    assert [(s, m) for s, _, m in shares.others] == [("info", "passed（中）"), ("warning", "second_warning（中）")]


def _publish(tmp_path: Path, lang: str, stems: list[str]) -> BeautifulSoup:
    """The index page of a run of ``stems`` in ``lang`` (a manifest as the batch writes it, no notebook run)."""
    suffix = "" if lang == "en" else f".{lang}"
    manifest = {
        "notebooks": {f"{stem}{suffix}": {"title": stem, "status": "ok", "seconds": 1.0} for stem in stems},
        "run": {"seconds": 1.0, "jobs": 1, "started": "2021-01-01T00:00:00Z", "data": {}, "packages": {}},
    }
    available = {stem: paths.NOTEBOOKS_DIR / f"{stem}.ipynb" for stem in stems}
    page = publish_index(tmp_path, manifest, {**PARAMETERS, "lang": lang}, available)
    assert page.name == index_page(lang)
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_index_shows_one_line_per_rule_linked_to_the_audit_page(tmp_path: Path, lang: str) -> None:
    soup = _publish(tmp_path, lang, [AUDIT_STEM])
    labels = PAGE_LABELS[lang]
    lines = soup.select("ul.findings > li")
    assert [li["data-rule"] for li in lines] == [rule for rule, _ in EXPECTED_GROUPS]
    for li, (rule, count) in zip(lines, EXPECTED_GROUPS, strict=True):
        assert li.select_one(".rule-name").get_text() == rule_name(rule, lang)
        assert labels["findings_one" if count == 1 else "findings_many"].format(count=count) in li.get_text()
        folded = li.select("details li")
        assert len(folded) == count - 1  # the others are folded; a rule with one finding has nothing to fold
        if folded:
            assert li.select_one("details summary").get_text() == labels["others"].format(count=count - 1)
    # The names are shown, never the ids; the repeated scope explanations are folded, not printed on the line.
    visible = soup.select_one("ul.findings").get_text()
    assert [rule for rule in RULE_LABELS if rule in visible] == []
    scope = _notable().query("rule == 'scope_mismatch'")["message_zh" if lang == "zh" else "message_en"]
    for detail in soup.select("ul.findings details"):
        detail.decompose()
    unfolded = soup.select_one("ul.findings").get_text()
    assert [m for m in scope if m in unfolded] == [scope.iloc[0]]
    # Every line links to the findings section of the audit page of its language, and the anchor is there.
    links = soup.select("li.finding-group a.audit-link")
    assert len(links) == len(EXPECTED_GROUPS)
    assert {a.get_text() for a in links} == {labels["audit_link"]}
    assert {a["href"] for a in links} == {f"{page_name(AUDIT_STEM, lang)}#{AUDIT_ANCHOR}"}
    target, anchor = links[0]["href"].split("#")
    export_notebook_html(paths.NOTEBOOKS_DIR / f"{AUDIT_STEM}.ipynb", tmp_path / target, [], lang=lang)
    audit_page = BeautifulSoup((tmp_path / target).read_text(encoding="utf-8"), "html.parser")
    heading = audit_page.find(id=anchor).find_next("h2")
    assert heading.get_text(strip=True).rstrip("¶") == ("Findings" if lang == "en" else "核查发现")


def test_without_an_audit_page_the_lines_link_nowhere(tmp_path: Path) -> None:
    soup = _publish(tmp_path, "en", ["02_economy"])
    assert len(soup.select("ul.findings > li")) == len(EXPECTED_GROUPS)
    assert soup.select("a.audit-link") == []

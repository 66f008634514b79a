"""The page exporter: the same page as nbconvert's HTML exporter, without parsing it with BeautifulSoup."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from helpers.publish import html as publish_html
from helpers.publish.html import PAGE_LABELS, TEMPLATES_DIR, export_notebook_html

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

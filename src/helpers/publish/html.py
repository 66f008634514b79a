"""HTML reports: each executed notebook as a self-contained page, and an index page for the whole run.

Pages open offline on their own: images are embedded, CSS and scripts are inline, and nothing is fetched
(the lab template's require.js, MathJax and mermaid loaders are removed). Text from data is escaped by
pandas (tables), by :mod:`helpers.notebook.report` (Markdown sentences) and by Jinja2's autoescape (the index).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from helpers.publish.staging import atomic_write_text
from helpers.publish.static import CSS, SCRIPT

TEMPLATES_DIR = Path(__file__).parent / "templates"
_HEADING = re.compile(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=2)
def _exporter(show_code: bool) -> HTMLExporter:
    """The configured exporter (cached: building one reads the templates)."""
    return HTMLExporter(
        template_name="jinshui_html",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def table_of_contents(body: str) -> str:
    """A ``<nav id="toc">`` listing the page's h1/h2 headings, linked by their ids."""
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        label = html.escape(html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip())
        items.append(f'<li class="toc-h{level}"><a href="#{anchor}">{label}</a></li>')
    return f'<nav id="toc" aria-label="Contents"><strong>Contents · 目录</strong><ol>{"".join(items)}</ol></nav>'


def export_notebook_html(
    notebook_path: Path,
    html_path: Path,
    metadata: list[tuple[str, str]],
    *,
    show_code: bool = False,
    error: str = "",
    lang: str = "en",
    twin_href: str = "",
) -> Path:
    """Write the executed notebook as a self-contained HTML page with run metadata and a TOC.

    ``error`` (why the run of this notebook failed) is shown at the top of the page; ``twin_href`` links the
    same report in the other language.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    resources = {
        "jinshui": {
            "css": CSS,
            "script": SCRIPT,
            "metadata": metadata,
            "metadata_label": "Run metadata · 运行信息",
            "back_label": "All reports · 全部报告",
            "index_href": index_page(lang),
            "twin_href": twin_href,
            "twin_lang": "en" if lang == "zh" else "zh",
            "twin_label": "English version" if lang == "zh" else "中文版",
        }
    }
    body, _ = _exporter(show_code).from_notebook_node(notebook, resources=resources)
    banner = f'<p class="jinshui-error">This notebook failed: {html.escape(error)}</p>' if error else ""
    body = body.replace("<!--JINSHUI-TOC-->", banner + table_of_contents(body), 1)
    atomic_write_text(html_path, body)
    return html_path


def index_page(lang: str) -> str:
    """The index page of a language: index.html (English), index.zh.html (Chinese)."""
    return "index.html" if lang == "en" else f"index.{lang}.html"


def page_name(stem: str, lang: str) -> str:
    """A report page: 02_economy.html (English), 02_economy.zh.html (Chinese)."""
    return f"{stem}.html" if lang == "en" else f"{stem}.{lang}.html"


def write_error_page(path: Path, title: str, error: str) -> Path:
    """The page of a notebook that did not run at all (no executed notebook to export)."""
    atomic_write_text(
        path,
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><p><a href='index.html'>&larr; All reports</a></p><h1>{html.escape(title)}</h1>"
        f"<p class='jinshui-error'>This notebook did not run: {html.escape(error)}</p></body></html>",
    )
    return path


@dataclass(frozen=True)
class Card:
    """One notebook on the index page."""

    stem: str
    title: str
    status: str
    seconds: float
    html: str
    error: str = ""


def render_index(
    path: Path,
    *,
    title: str,
    headlines: list[tuple[str, str]],
    cards: list[Card],
    findings: list[tuple[str, str]],
    severity_counts: dict[str, int],
    metadata: list[tuple[str, str]],
    downloads: list[tuple[str, str]],
    lang: str = "en",
    twin_href: str = "",
) -> Path:
    """Write an index page: headline numbers, a card per notebook, the audit summary and run metadata."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    page = environment.get_template("index_page.html.j2").render(
        title=title,
        headlines=headlines,
        cards=cards,
        findings=findings,
        severity_counts=severity_counts,
        metadata=metadata,
        downloads=downloads,
        lang=lang,
        twin_href=twin_href,
        twin_lang="en" if lang == "zh" else "zh",
        twin_label="English version" if lang == "zh" else "中文版",
        css=CSS,
        script=SCRIPT,
    )
    atomic_write_text(path, page)
    return path

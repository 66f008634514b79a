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
from typing import Any

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from helpers.publish.staging import atomic_write_text
from helpers.publish.static import CSS, SCRIPT

TEMPLATES_DIR = Path(__file__).parent / "templates"
_HEADING = re.compile(r'<h([12]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
#: The lab template's cell wrappers that nbconvert makes focusable (keyboard users scroll wide outputs).
_FOCUSABLE = re.compile(r'<div class="(?=[^"]*\bjp-(?:Cell-inputWrapper|OutputArea-output)\b)')
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")


class PageExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last step: parsing the whole page with BeautifulSoup.

    That step only gives images without alternative text an English sentence and makes the lab template's
    input and output wrappers focusable, yet it parses and re-serializes every page with its embedded
    images: 60% of the export's time. Here the same two edits are made on the template's own markup (the
    wrappers are ``<div class="… jp-OutputArea-output …">`` as the lab template writes them), and the
    notebook is validated once after the preprocessors instead of after each of them.
    """

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, Any]:
        """As :meth:`HTMLExporter.from_notebook_node`; ``resources["jinshui"]["chart_alt"]`` names the images."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter(
            "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        )
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        alt = html.escape(resources.get("jinshui", {}).get("chart_alt", "Chart"), quote=True)
        page = _FOCUSABLE.sub('<div tabindex="0" class="', page)
        return _IMG_WITHOUT_ALT.sub(f'<img alt="{alt}"', page), resources


@lru_cache(maxsize=4)
def _exporter(show_code: bool, lang: str) -> HTMLExporter:
    """The configured exporter (cached: building one reads the templates)."""
    return PageExporter(
        optimistic_validation=True,
        language_code=HTML_LANG[lang],
        template_name="jinshui_html",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


#: The page furniture in each language (the report's own text is localized by the notebook).
PAGE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents",
        "metadata": "Run metadata",
        "back": "All reports",
        "twin": "中文版",
        "failed": "This notebook failed",
        "not_run": "This notebook did not run",
        "chart": "Chart",
        "title": "{entity} {year}",
        "subtitle": "{entity}: reference analysis of the {year} government work report",
        "headlines": "Headline numbers",
        "no_overview": "The overview did not run in this batch; see its card below.",
        "reports": "Reports",
        "audit": "Audit summary",
        "audit_note": "One line for each audit rule that raised an error or a warning: how many findings, and the most "
        "severe of them (the first, when they are alike); the others are folded under it. Every finding, with the "
        "checks that passed and the caveats, is on the audit page.",
        "no_findings": "No errors and no warnings.",
        "findings_one": "{count} finding",
        "findings_many": "{count} findings",
        "example": "Example",
        "others": "The other {count}",
        "audit_link": "→ audit page",
        "data": "Data",
        "run": "Run",
        "ok": "ok",
        "skipped": "skipped",
        "stale": "stale: the last good page",
        "stale_failure": "The last run of this notebook failed; the page is that of the run before it.",
        "failure_log": "the failed run",
        "run_started": "run started (UTC)",
        "duration": "duration (s)",
        "workers": "parallel workers",
        "parameter": "parameter",
        "version": "version",
    },
    "zh": {
        "contents": "目录",
        "metadata": "运行信息",
        "back": "全部报告",
        "twin": "English",
        "failed": "本笔记本运行失败",
        "not_run": "本笔记本未能运行",
        "chart": "图表",
        "title": "{entity}政府工作报告（{year}年工作回顾）",
        "subtitle": "{entity}政府工作报告（{year}年工作回顾）的参考分析",
        "headlines": "主要数据",
        "no_overview": "本次未运行总览笔记本，见下方卡片。",
        "reports": "报告",
        "audit": "核查摘要",
        "audit_note": "每条发现错误或需注意问题的核查规则占一行：发现项数，以及其中最严重的一项（同样严重时取第一项）；"
        "其余各项折叠于其下。全部核查发现，包括通过的检查与注意事项，见核查页面。",
        "no_findings": "没有错误，也没有需注意的问题。",
        "findings_one": "{count}项",
        "findings_many": "{count}项",
        "example": "示例",
        "others": "其余{count}项",
        "audit_link": "→ 核查页面",
        "data": "数据下载",
        "run": "运行信息",
        "ok": "完成",
        "skipped": "跳过",
        "stale": "过期：保留上次成功的页面",
        "stale_failure": "本笔记本最近一次运行失败；所示页面为再前一次成功运行的结果。",
        "failure_log": "失败的运行记录",
        "run_started": "运行开始（UTC）",
        "duration": "用时（秒）",
        "workers": "并行进程数",
        "parameter": "参数",
        "version": "版本",
    },
}
#: The colon between a label and its text: full width in Chinese.
COLON: dict[str, str] = {"en": ": ", "zh": "："}
#: A card's status as the reader sees it (``failed`` reuses the page's wording).
STATUS_KEYS: dict[str, str] = {"ok": "ok", "skipped": "skipped", "failed": "failed", "stale": "stale"}


def run_metadata(
    lang: str, started: str, parameters: dict[str, Any], extra: list[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """The first rows of a run-metadata table in ``lang``: start time, extra rows, the parameters."""
    labels = PAGE_LABELS[lang]
    rows = [(labels["run_started"], started), *(extra or [])]
    return rows + [(f"{labels['parameter']} {k}", repr(v)) for k, v in parameters.items() if k != "output_dir"]


#: Markdown cells tagged with a language appear only on that language's page (JupyterLab shows both).
LANGUAGE_TAGS: dict[str, str] = {"en": "lang-en", "zh": "lang-zh"}
HTML_LANG: dict[str, str] = {"en": "en", "zh": "zh"}  # nbconvert accepts ISO 639-1 codes only


def table_of_contents(body: str, lang: str = "en") -> str:
    """A ``<nav id="toc">`` listing the page's h1/h2 headings, linked by their ids."""
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        label = html.escape(html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip())
        items.append(f'<li class="toc-h{level}"><a href="#{anchor}">{label}</a></li>')
    contents = PAGE_LABELS[lang]["contents"]
    return f'<nav id="toc" aria-label="{contents}"><strong>{contents}</strong><ol>{"".join(items)}</ol></nav>'


def _title(notebook: nbformat.NotebookNode) -> str:
    """The notebook's first level-one heading (in the page's language once the other's cells are gone)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return ""


def for_language(notebook: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """The notebook without the cells written for another language (untagged cells are kept)."""
    other = {tag for code, tag in LANGUAGE_TAGS.items() if code != lang}
    kept = [cell for cell in notebook.cells if not other & set(cell.metadata.get("tags", []))]
    return nbformat.from_dict({**notebook, "cells": kept})


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
    notebook = for_language(nbformat.read(notebook_path, as_version=4), lang)
    labels = PAGE_LABELS[lang]
    resources = {
        "metadata": {"name": _title(notebook) or notebook_path.stem},  # the page's <title>
        "jinshui": {
            "css": CSS,
            "script": SCRIPT,
            "metadata": metadata,
            "metadata_label": labels["metadata"],
            "back_label": labels["back"],
            "index_href": index_page(lang),
            "twin_href": twin_href,
            "twin_lang": "en" if lang == "zh" else "zh",
            "twin_label": labels["twin"],
            "chart_alt": labels["chart"],
        },
    }
    body, _ = _exporter(show_code, lang).from_notebook_node(notebook, resources=resources)
    banner = f'<p class="jinshui-error">{labels["failed"]}: {html.escape(error)}</p>' if error else ""
    body = body.replace("<!--JINSHUI-TOC-->", banner + table_of_contents(body, lang), 1)
    atomic_write_text(html_path, body)
    return html_path


def index_page(lang: str) -> str:
    """The index page of a language: index.html (English), index.zh.html (Chinese)."""
    return "index.html" if lang == "en" else f"index.{lang}.html"


def page_name(stem: str, lang: str) -> str:
    """A report page: 02_economy.html (English), 02_economy.zh.html (Chinese)."""
    return f"{stem}.html" if lang == "en" else f"{stem}.{lang}.html"


def write_error_page(path: Path, title: str, error: str, lang: str = "en") -> Path:
    """The page of a notebook that did not run at all (no executed notebook to export)."""
    labels = PAGE_LABELS[lang]
    atomic_write_text(
        path,
        f"<!DOCTYPE html><html lang='{HTML_LANG[lang]}'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><p><a href='{index_page(lang)}'>&larr; {labels['back']}</a></p>"
        f"<h1>{html.escape(title)}</h1><p class='jinshui-error'>{labels['not_run']}{COLON[lang]}"
        f"{html.escape(error)}</p>"
        "</body></html>",
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
    #: For a stale card: the failed run's executed notebook, kept beside the last good page.
    log: str = ""


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one audit rule on the index page: one line, the others folded under it."""

    rule: str
    name: str
    #: The most severe finding of the rule (the first of the most severe), shown on the line.
    severity: str
    severity_label: str
    count: int
    example: str
    example_id: str
    #: The rule's other findings, in the audit's order: (severity, its label, message).
    others: tuple[tuple[str, str, str], ...]
    #: The audit page's findings section ("" when this run has no audit page).
    href: str = ""


def render_index(
    path: Path,
    *,
    title: str,
    subtitle: str = "",
    headlines: list[tuple[str, str]],
    cards: list[Card],
    finding_groups: list[FindingGroup],
    severity_counts: list[tuple[str, str, int]],
    metadata: list[tuple[str, str]],
    downloads: list[tuple[str, str]],
    lang: str = "en",
    twin_href: str = "",
) -> Path:
    """Write an index page: headline numbers, a card per notebook, the audit summary and run metadata."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    labels = PAGE_LABELS[lang]
    page = environment.get_template("index_page.html.j2").render(
        t={**labels, "subtitle": subtitle},
        status_labels={status: labels[key] for status, key in STATUS_KEYS.items()},
        title=title,
        headlines=headlines,
        cards=cards,
        finding_groups=finding_groups,
        severity_counts=severity_counts,
        metadata=metadata,
        downloads=downloads,
        lang=lang,
        colon=COLON[lang],
        twin_href=twin_href,
        twin_lang="en" if lang == "zh" else "zh",
        twin_label=labels["twin"],
        css=CSS,
        script=SCRIPT,
    )
    atomic_write_text(path, page)
    return path

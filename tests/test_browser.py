"""The published reports in a real browser (Debian's chromium via Playwright): no console errors, every image
loaded, every link from the index resolves, a table of contents on every page; a screenshot of the index."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from browser_helper import chromium

from helpers import paths
from helpers.publish import batch, collection

pytestmark = pytest.mark.xdist_group("browser")

SCREENSHOT = paths.REPORTS_DIR / "screenshots" / "index.png"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("published") / "reports"
    outcomes = batch.run(output, progress=False)
    assert {o.status for o in outcomes} == {"ok"}
    return output


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def _open(browser, path: Path) -> tuple[object, list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed request {request.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def test_index_page(browser, published: Path) -> None:
    page, problems = _open(browser, published / "index.html")
    assert problems == []
    assert page.locator("nav#toc").count() == 1
    assert page.locator(".card").count() == 8
    assert page.locator(".card.failed").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    files = {Path(unquote(urlparse(h).path)) for h in hrefs if h.startswith("file:")}
    assert len([f for f in files if f.suffix == ".html"]) >= 8
    missing = [str(f) for f in files if not f.exists()]
    assert missing == []
    # A link to a section finds it: the audit summary's lines open the audit page at its findings, in both languages.
    assert page.locator("a.audit-link").count() >= 1
    targets = {urlparse(h) for h in hrefs if h.startswith("file:") and urlparse(h).fragment}
    zh_index = (published / "index.zh.html").read_text(encoding="utf-8")
    targets |= {urlparse(urljoin(published.as_uri() + "/", h)) for h in re.findall(r'href="([^"#]+#[^"]+)"', zh_index)}
    assert any(t.path.endswith(".zh.html") for t in targets)
    for target in targets:
        ids = re.findall(r'\bid="([^"]+)"', Path(unquote(target.path)).read_text(encoding="utf-8"))
        assert unquote(target.fragment) in {unquote(i) for i in ids}, target.geturl()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    shutil.copy(SCREENSHOT, published / "index-screenshot.png")
    assert SCREENSHOT.stat().st_size > 10_000
    page.close()


@pytest.mark.parametrize("stem", list(collection.notebook_paths()))
def test_every_report_page(browser, published: Path, stem: str) -> None:
    page, problems = _open(browser, published / f"{stem}.html")
    assert problems == []
    assert page.locator("nav#toc li").count() >= 3
    images = page.eval_on_selector_all("img", "images => images.map(i => [i.complete, i.naturalWidth])")
    assert all(complete and width > 0 for complete, width in images)
    # The audit draws no chart; every theme page draws at least one (governance: the rates it states, 办结率 and
    # 审查率, which no parent prints).
    if stem != "07_data_audit":
        assert images, "every theme report has at least one chart"
    # Tables are searchable: typing filters the rows.
    if page.locator("input.jinshui-search").count():
        page.locator("input.jinshui-search").first.fill("zzzz-no-such-text")
        visible = page.eval_on_selector_all(
            "table.dataframe >> nth=0", "t => [...t[0].tBodies[0].rows].filter(r => r.style.display !== 'none').length"
        )
        assert visible == 0
    page.close()


# --- both languages -----------------------------------------------------------------------------------------
KEY_FINDINGS = {"en": "Key findings", "zh": "要点摘要"}
NOTE_HEADER = {"en": "Note", "zh": "说明"}
ENGLISH_PHRASE = re.compile(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+")
SHOWCASE = ("00_overview", "02_economy")  # an overview and a theme page: their screenshots go into docs/


def _page_file(published: Path, stem: str, lang: str) -> Path:
    return published / (f"{stem}.html" if lang == "en" else f"{stem}.{lang}.html")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem", [s for s in collection.notebook_paths() if s != "07_data_audit"])
def test_a_report_answers_first_in_its_language(browser, published: Path, stem: str, lang: str) -> None:
    page, problems = _open(browser, _page_file(published, stem, lang))
    assert problems == []
    assert page.get_attribute("html", "lang") == lang
    # The tab shows the report's title in the page's language, and every chart has an alternative text in it.
    assert page.title() == page.locator("h1").first.text_content().replace("¶", "").strip()
    alts = page.eval_on_selector_all("img", "images => images.map(i => i.alt)")
    assert set(alts) == {"图表" if lang == "zh" else "Chart"}
    # Key findings come first: the first section heading, 3-5 sentences, all before the first table.
    layout = page.evaluate(
        """label => {
            const heading = document.querySelector('h2');
            const cell = heading.closest('.jp-Cell');
            let next = cell.nextElementSibling;
            while (next && !next.querySelector('ul')) next = next.nextElementSibling;
            const table = document.querySelector('table.dataframe');
            return {
                first: heading.textContent.replace('¶', '').trim(),
                items: next ? next.querySelector('ul').children.length : 0,
                before: !!(heading.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)
                    && !!(next.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING),
            };
        }""",
        KEY_FINDINGS[lang],
    )
    assert layout["first"] == KEY_FINDINGS[lang]
    assert 3 <= layout["items"] <= 5
    assert layout["before"], "key findings must come before the first table"
    # No index column: pandas' row labels would be <th> cells in the body or a blank corner header.
    assert page.locator("table.dataframe tbody th, table.dataframe thead th.blank").count() == 0
    # The note columns (visible or folded) and all prose speak the page's language.
    notes = page.evaluate(
        """header => [...document.querySelectorAll('table.dataframe')].flatMap(table => {
            const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
            const column = heads.indexOf(header);
            if (column < 0) return [];
            return [...table.tBodies[0].rows].map(row => row.cells[column].textContent);
        })""",
        NOTE_HEADER[lang],
    )
    prose = page.evaluate(
        """() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(element => {
            const copy = element.cloneNode(true);
            copy.querySelectorAll('code').forEach(code => code.remove());
            return copy.textContent;
        })"""
    )
    if lang == "zh":
        assert notes or stem not in SHOWCASE, "the overview and the economy page have note columns"
        assert [n for n in notes if ENGLISH_PHRASE.search(n)] == []
        assert [p for p in prose if ENGLISH_PHRASE.search(p)] == []
    # The twin page exists, is in the other language and links back.
    href = page.get_attribute("a.jinshui-twin", "href")
    twin = Path(unquote(urlparse(urljoin(page.url, href)).path))
    assert twin == _page_file(published, stem, "zh" if lang == "en" else "en") and twin.exists()
    back, _ = _open(browser, twin)
    assert Path(unquote(urlparse(urljoin(back.url, back.get_attribute("a.jinshui-twin", "href"))).path)) == (
        _page_file(published, stem, lang)
    )
    back.close()
    if stem in SHOWCASE:
        shot = paths.REPORTS_DIR / "screenshots" / f"{stem}.{lang}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))  # the first screen: title, key findings and the first table
        assert shot.stat().st_size > 10_000
    page.close()


class _VisibleText(HTMLParser):
    """The text a reader sees on a page: everything outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


#: An ASCII , ; : ( ) ? touching a Chinese character (through one space at most): 数值(区间), 郑州市:人均GDP.
ASCII_BESIDE_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s?[,;:()?]|[,;:()?]\s?(?=[\u4e00-\u9fff])")


def test_chinese_pages_set_chinese_punctuation(published: Path) -> None:
    # What the project writes in Chinese uses full-width punctuation; numbers, ids and code stay ASCII. The
    # quotes are the sources' own text, byte for byte (新建社区卫生服务中心(站)23个 is printed so), and are left out.
    from helpers.sources.reference import load_reference
    from helpers.sources.registry import all_reports

    quotes = {row.quote for report in all_reports() for row in report.figures().itertuples()}
    quotes |= set(load_reference().comparators["quote"])
    total, ours = 0, []
    for page in sorted(published.glob("*.zh.html")):
        parser = _VisibleText()
        parser.feed(page.read_text(encoding="utf-8"))
        visible = "".join(parser.parts)
        total += len(ASCII_BESIDE_HAN.findall(visible))
        for quote in sorted(quotes, key=len, reverse=True):
            visible = visible.replace(quote, "“”")
        ours += [
            f"{page.name}: {visible[max(0, m.start() - 12) : m.end() + 12]!r}"
            for m in ASCII_BESIDE_HAN.finditer(visible)
        ]
    assert ours == []
    assert total <= 20  # all pages together, the sources' quotes included

"""The published reports in a real browser (Debian's chromium via Playwright): no console errors, every image
loaded, every link from the index resolves, a table of contents on every page; a screenshot of the index."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from helpers import paths
from helpers.publish import batch, collection

pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM = Path("/usr/bin/chromium")
# As the environment notes advise: no background networking (this machine has no network to offer it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = paths.REPORTS_DIR / "screenshots" / "index.png"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("published") / "reports"
    outcomes = batch.run(output, progress=False)
    assert {o.status for o in outcomes} == {"ok"}
    return output


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


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
    if stem != "07_data_audit":
        assert images, "every report except the audit has at least one chart"
    # Tables are searchable: typing filters the rows.
    if page.locator("input.jinshui-search").count():
        page.locator("input.jinshui-search").first.fill("zzzz-no-such-text")
        visible = page.eval_on_selector_all(
            "table.dataframe >> nth=0", "t => [...t[0].tBodies[0].rows].filter(r => r.style.display !== 'none').length"
        )
        assert visible == 0
    page.close()

"""The HTML report in a real browser: Debian's headless Chromium driven by Playwright.

Never Playwright's own browser download (it needs the internet); the
system ``chromium`` package is used through ``executable_path``. Screenshots
are kept under ``runs/test-artifacts/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS
from test_report import hostile_analysis
from typer.testing import CliRunner

from spinscope.cli import app
from spinscope.report import render_report
from spinscope.taxonomy import load

pytestmark = pytest.mark.browser


class Page:
    """A page with every request, dialog, console message and error recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u.split("#")[0] != self.url]


@pytest.fixture(scope="module")
def example_report(tmp_path_factory: pytest.TempPathFactory, examples_dir_module: Path) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    result = CliRunner().invoke(app, ["report", str(examples_dir_module), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def examples_dir_module() -> Path:
    return Path(__file__).resolve().parents[1] / "examples"


def test_example_report_highlights_explain_themselves(browser: Any, example_report: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    index = Page(browser, example_report / "index.html")
    rows = index.page.locator("table.sortable tbody tr")
    assert rows.count() == len(list(example_report.glob("0*.html")))
    index.page.locator("table.sortable thead th").nth(4).locator("button").click()  # sort by density
    assert index.page.locator("table.sortable thead th").nth(4).get_attribute("aria-sort") == "ascending"
    index.page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    assert index.foreign_requests() == [] and index.errors == []

    page_file = next(example_report.glob("*opinion-harbour-accord.html"))  # the loaded one
    view = Page(browser, page_file)
    page = view.page
    marks = page.locator("mark.hl")
    assert marks.count() > 0
    page.screenshot(path=str(ARTIFACTS / "report-article.png"), full_page=True)

    first = marks.first
    first.click()
    panel = page.locator("#spin-info")
    assert panel.is_visible()
    shown = panel.inner_text()
    names = (first.get_attribute("data-names") or "").split(", ")
    techniques = {t.name: t for t in load("techniques")}
    assert names and all(n in shown for n in names)
    assert all(techniques[n].definition in shown for n in names)
    page.screenshot(path=str(ARTIFACTS / "report-article-clicked.png"))

    # keyboard: Escape closes, Tab to a highlight opens it again
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    marks.nth(min(1, marks.count() - 1)).focus()
    assert panel.is_visible()
    assert view.foreign_requests() == [], view.foreign_requests()
    assert view.errors == [] and view.dialogs == []


def test_hostile_article_runs_no_script_and_shows_text_literally(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(render_report([hostile_analysis().to_dict()]), encoding="utf-8")
    view = Page(browser, path)
    page = view.page
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.documentElement.classList.contains('js')")  # our own script did run
    text = page.inner_text("main")
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=2">' in text
    assert page.title().startswith('spinscope: He said "<b>enough</b>"')
    page.locator("mark.hl").first.click()
    assert page.evaluate("() => window.__pwned") is None
    assert view.dialogs == [] and view.errors == [] and view.foreign_requests() == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)


def test_text_and_highlights_need_no_javascript(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "plain.html"
    path.write_text(render_report([hostile_analysis().to_dict()]), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    assert page.locator("mark.hl").count() >= 3
    assert "a disgrace and a betrayal" in page.inner_text("main")
    assert "Loaded language" in page.inner_text("#a0-p1-labels")
    context.close()


def test_report_prints_readably(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "print.html"
    path.write_text(render_report([hostile_analysis().to_dict()]), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.resolve().as_uri())
    page.emulate_media(media="print")
    assert page.locator("mark.hl").first.is_visible()
    assert not page.locator(".hint.chrome").first.is_visible()  # interactive hints are not printed
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    page.close()

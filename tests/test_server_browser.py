"""The web app in a real browser: a real uvicorn on 127.0.0.1 and Debian's headless Chromium (Playwright).

As for the report (``tests/test_report_browser.py``): never Playwright's own
browser download, the system ``chromium`` through ``executable_path``; the
tests skip where it is missing, except under ``CI=true``, where a skip
fails the run (``tests/ci_skips.py``). Screenshots go to
``runs/test-artifacts/``. The server runs the real pipeline, built once for
the module.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import ARTIFACTS

from spinscope.server.app import create_app
from spinscope.server.settings import ServerSettings
from spinscope.taxonomy import load

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOSTILE = (
    'He said "<b>enough</b>" <script>window.__pwned=3</script>\n\n'
    "Officials called the plan <script>window.__pwned=1</script> a disgraceful, corrupt betrayal of every family.\n\n"
    'See <img src=x onerror="window.__pwned=2"> and <a href="javascript:window.__pwned=4">this link</a> now.'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn serving the app on 127.0.0.1, on a free port, for the module."""
    import uvicorn

    db = tmp_path_factory.mktemp("served") / "corpus.db"
    settings = ServerSettings(db=str(db), port=free_port(), rate_per_minute=100_000, rate_burst=10_000)
    config = uvicorn.Config(create_app(settings, preload=True), host="127.0.0.1", port=settings.port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield settings.bind
    srv.should_exit = True
    thread.join(30)


class Tab:
    """A page with every request, dialog and script error recorded."""

    def __init__(self, browser: Any, base: str, *, javascript: bool = True) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
        # An analysis on a busy 2-core machine can take a minute: the click that submits waits for it.
        self.context.set_default_timeout(180_000)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []  # a CSP violation is reported here
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.base + "/")]

    def close(self) -> None:
        self.context.close()


def test_paste_an_article_then_click_a_highlight(browser: Any, server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = Tab(browser, server)
    page = tab.page
    page.goto(server + "/")
    page.fill("#f-text", (EXAMPLES / "opinion-harbour-accord.txt").read_text(encoding="utf-8"))
    page.click("details.chrome summary")
    page.fill("#f-outlet", "Velmora Today")
    page.screenshot(path=str(ARTIFACTS / "serve-paste.png"))
    with page.expect_navigation(timeout=180_000):
        page.click("button[type=submit]")
    assert "/articles/" in page.url, page.inner_text("main")[:500]
    marks = page.locator("mark.hl")
    assert marks.count() > 0
    page.screenshot(path=str(ARTIFACTS / "serve-article.png"))
    first = marks.first
    first.click()
    panel = page.locator("#spin-info")
    assert panel.is_visible()
    names = (first.get_attribute("data-names") or "").split(", ")
    techniques = {t.name: t for t in load("techniques")}
    shown = panel.inner_text()
    assert names and all(n in shown and techniques[n].definition in shown for n in names)
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert tab.foreign_requests() == [] and tab.errors == [] and tab.dialogs == []
    tab.close()


def test_the_corpus_page_filters_without_javascript(browser: Any, server: str) -> None:
    for name, outlet in (("report-harbour-accord.txt", "Northern Wire"), ("free-form-council-vote.txt", "Daily Lantern")):
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        r = httpx.post(server + "/api/v1/analyze", json={"text": text, "outlet": outlet}, timeout=120)
        assert r.status_code == 200, r.text
    tab = Tab(browser, server, javascript=False)
    page = tab.page
    page.goto(server + "/articles")
    assert page.locator("table.corpus tbody tr").count() >= 2
    page.select_option("#outlet", "Daily Lantern")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("table.corpus tbody tr")
    assert rows.count() == 1 and "Daily Lantern" in rows.first.inner_text()
    assert "outlet=Daily+Lantern" in page.url
    with page.expect_navigation():
        page.click("table.corpus tbody tr a[href^='/outlets/']")
    assert page.locator("h1").inner_text() == "Daily Lantern"
    assert tab.foreign_requests() == []
    tab.close()


def test_a_hostile_article_runs_no_script(browser: Any, server: str) -> None:
    tab = Tab(browser, server)
    page = tab.page
    page.goto(server + "/")
    page.fill("#f-text", HOSTILE)
    page.click("details.chrome summary")
    page.fill("#f-title", '<img src=x onerror="window.__pwned=6">')
    with page.expect_navigation(timeout=180_000):
        page.click("button[type=submit]")
    assert "/articles/" in page.url
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.documentElement.classList.contains('js')")  # our own script ran
    text = page.inner_text("main")
    assert "<script>window.__pwned=1</script>" in text and '<img src=x onerror="window.__pwned=2">' in text
    assert page.locator("main img").count() == 0 and page.locator("main a[href^='javascript:']").count() == 0
    if page.locator("mark.hl").count():
        page.locator("mark.hl").first.click()
    page.goto(server + "/articles")
    assert page.evaluate("() => window.__pwned") is None
    assert tab.dialogs == [] and tab.errors == [] and tab.foreign_requests() == []
    page.screenshot(path=str(ARTIFACTS / "serve-hostile.png"), full_page=True)
    tab.close()


def test_every_page_keeps_to_its_content_security_policy(browser: Any, server: str) -> None:
    """No page breaks its own CSP (a violation is a console error) or loads anything from elsewhere."""
    items = httpx.get(server + "/api/v1/articles", params={"limit": 2}, timeout=30).json()["items"]
    assert len(items) == 2, "runs after the tests above stored articles"
    a, b = items[0]["id"], items[1]["id"]
    stories = httpx.get(server + "/api/v1/stories", timeout=300).json()
    outlet = next(i["outlet"] for i in httpx.get(server + "/api/v1/articles", params={"limit": 100}).json()["items"] if i["outlet"])
    paths = ["/", "/articles", f"/articles/{a}", "/stats", "/stats?by=month&metric=frames", "/stories",
             f"/stories/{stories[0]['id']}", f"/compare?a={a}&b={b}", "/docs",
             "/outlets/" + outlet.replace(" ", "%20")]  # fmt: skip
    tab = Tab(browser, server)
    for path in paths:
        assert tab.page.goto(server + path).status == 200, path
    assert tab.console == [] and tab.errors == [] and tab.foreign_requests() == []
    tab.close()

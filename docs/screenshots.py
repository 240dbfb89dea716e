"""Regenerate the web app's screenshots in docs/img/: the paste page and an article page, highlight opened.

    .venv/bin/python docs/screenshots.py            # writes docs/img/serve-paste.png and docs/img/serve-article.png

Starts ``spinscope serve``'s app (the bundled model, a fresh store in a
temporary folder) on a free loopback port with a real uvicorn, pastes
``examples/opinion-harbour-accord.txt`` through the form in Debian's
chromium (apt-get install chromium; Playwright from the test extra), and
takes both screenshots. Nothing is fetched from the network.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from spinscope.server.app import create_app  # noqa: E402
from spinscope.server.settings import ServerSettings  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(out: Path = ROOT / "docs" / "img") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(db=str(Path(tmp) / "corpus.db"), port=_free_port())
        server = uvicorn.Server(uvicorn.Config(create_app(settings, preload=True), host="127.0.0.1",
                                               port=settings.port, log_level="warning"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.set_default_timeout(300_000)  # the submit click waits for the analysis
                page.goto(settings.bind + "/")
                page.fill("#f-text", (ROOT / "examples" / "opinion-harbour-accord.txt").read_text(encoding="utf-8"))
                page.click("details.chrome summary")
                page.fill("#f-outlet", "Velmora Today")
                page.screenshot(path=str(out / "serve-paste.png"))
                with page.expect_navigation(timeout=300_000):
                    page.click("button[type=submit]")
                marks = page.locator("mark.hl")
                target = marks.nth(min(3, marks.count() - 1))  # a highlight in the body, not the title
                target.scroll_into_view_if_needed()
                target.click()
                page.evaluate("() => window.scrollBy(0, -120)")
                page.screenshot(path=str(out / "serve-article.png"))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(30)
    for name in ("serve-paste.png", "serve-article.png"):
        print(f"wrote {out / name} ({(out / name).stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

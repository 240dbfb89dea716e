"""Regenerate docs/report-screenshot.png: the report on one example, a highlight opened.

    .venv/bin/spinscope report examples/opinion-harbour-accord.txt -o /tmp/opinion.html
    .venv/bin/python docs/make_screenshot.py /tmp/opinion.html docs/report-screenshot.png

Needs Debian's chromium (apt-get install chromium) and the test extra (playwright).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main(page_file: str, png: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 1100})
        page.goto(Path(page_file).resolve().as_uri())
        marks = page.locator("mark.hl")
        target = marks.nth(min(3, marks.count() - 1))  # a highlight in the body, not the title
        target.scroll_into_view_if_needed()
        target.click()
        page.evaluate("() => window.scrollBy(0, -80)")
        page.screenshot(path=png)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

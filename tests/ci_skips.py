"""In CI (``CI=true``) a skipped browser, database or dataset test fails the run.

On a developer's laptop these tests may skip (no Chromium, no shared data);
in CI a skip would hide that the check never ran, so the hook below turns the
skip into a failure that names the test and the skip's reason.

``tests/conftest.py`` imports these hooks; ``tests/test_ci_skips.py`` loads
this file as the conftest of a throw-away project to check them.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

# Markers whose tests must run, not skip, when CI=true.
MUST_RUN_IN_CI = ("browser", "database", "dataset")


def in_ci() -> bool:
    """True when the run is CI's (the conventional ``CI=true`` variable)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    markers = [m for m in MUST_RUN_IN_CI if item.get_closest_marker(m) is not None]
    if markers:
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: {item.nodeid} is a {'/'.join(markers)} test and must run in CI, "
            f"but it was skipped: {_skip_reason(report)}"
        )

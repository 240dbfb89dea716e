"""Shared fixtures: paths to the bundled examples and the shared datasets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ci_skips import pytest_runtest_makereport  # noqa: F401  (a hook: CI=true turns some skips into failures)

pytest_plugins = ["pytester"]  # tests/test_ci_skips.py runs throw-away pytest projects

ROOT = Path(__file__).resolve().parents[1]

# The default precision is ``auto`` (bf16 on CPUs with native bfloat16), whose scores move in the third
# decimal with how articles are batched. The suite's exactness checks (batched against alone, the
# pre-pipeline JSON, Ray against in-process) are about fp32, so the suite runs fp32 unless told
# otherwise; bf16 and the default itself are tested where they are named (tests/test_precision.py,
# tests/test_multilingual_torch.py). Subprocesses and Ray workers inherit this.
os.environ.setdefault("SPINSCOPE_PRECISION", "fp32")

# Fixtures that only exist to find the shared datasets: a test using one is a dataset test.
DATASET_FIXTURES = {"shared_data", "scorers"}
EXAMPLES = ROOT / "examples"


def data_dir() -> Path:
    """The shared datasets: $SPINSCOPE_DATA or ../shared/data beside the repo."""
    env = os.environ.get("SPINSCOPE_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def shared_data() -> Path:
    path = data_dir()
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (set SPINSCOPE_DATA)")
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the shared datasets ``dataset`` (see tests/ci_skips.py)."""
    for item in items:
        if DATASET_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dataset)


# -- corpus store: a real PostgreSQL server ------------------------------------------------
def _postgres_unavailable(url: str | None) -> str | None:
    """Why the PostgreSQL store tests cannot run here, or None when they can."""
    if not url:
        return "SPINSCOPE_TEST_PG is not set (.ci/run starts a throwaway PostgreSQL cluster and sets it)"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test against
        return f"cannot reach PostgreSQL at SPINSCOPE_TEST_PG ({type(exc).__name__}: {str(exc).strip()[:200]})"


@pytest.fixture
def pg_url() -> object:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards).

    Skips with the reason when no server is reachable, except under CI=true,
    where the PostgreSQL tests must run: there the missing server fails them.
    """
    import uuid

    base = os.environ.get("SPINSCOPE_TEST_PG")
    reason = _postgres_unavailable(base)
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true, so the PostgreSQL tests may not be skipped: {reason}")
        print(f"skipping: {reason}")
        pytest.skip(reason)
    import psycopg
    from psycopg import sql

    assert base is not None
    name = f"spinscope_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    head, _, _ = base.rpartition("/")
    yield f"{head}/{name}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- pages in a real browser: Debian's Chromium through Playwright ---------------------------
# Never Playwright's own browser download (it needs the internet): the system package.
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "runs" / "test-artifacts"  # screenshots for a human to look at (git-ignored)
# Quiet, offline Chromium: no background fetches, updates or sync that would
# show up as network requests the page never made.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (each test opens its own context).

    Not per session: Playwright's sync API keeps an asyncio loop running in the
    main thread while it is open, and later tests that run their own loop
    (``asyncio.run`` in tests/test_server_limits.py) would fail on it.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get update && apt-get install -y chromium")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()

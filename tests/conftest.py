"""Shared fixtures: paths to the bundled examples and the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ci_skips import pytest_runtest_makereport  # noqa: F401  (a hook: CI=true turns some skips into failures)

pytest_plugins = ["pytester"]  # tests/test_ci_skips.py runs throw-away pytest projects

ROOT = Path(__file__).resolve().parents[1]

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

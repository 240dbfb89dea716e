"""Shared fixtures: paths to the bundled examples and the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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

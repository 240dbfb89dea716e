"""Where the bundled models live, without importing what loads them (torch)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MODELS_DIR", "default_model_dir"]

#: The package folder holding every bundled model directory.
MODELS_DIR = Path(__file__).resolve().parent


def default_model_dir() -> Path:
    """The English detector bundled inside the package."""
    return MODELS_DIR / "default"

"""Small helpers on embedding rows, shared by the analyzers that read vectors."""

from __future__ import annotations

import numpy as np

__all__ = ["unit_rows"]


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """*rows* (float32) scaled to unit L2 norm along the last axis; an all-zero row stays zero."""
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-6)

"""The paragraph candidate that segmentation makes and cleaning filters (its own module: both import it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block"]


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph candidate: ``[start, end)`` without surrounding whitespace."""

    start: int
    end: int
    line: int  # 1-based line number of its first line

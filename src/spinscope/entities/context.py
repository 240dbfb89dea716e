"""The words around an entity mention, without the mention: where a role is read from.

A role is how the article treats an entity -- "hero X saved", "the brutal
Y" -- not who the entity is. The pooled states of the mention's own tokens
mostly say who it is, so the role features add two ranges of the same
encoder pass that leave the name out: the mention's sentence before it and
after it, each at most :data:`WINDOW` characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["WINDOW", "context_ranges"]

#: Characters of context kept on each side of a mention, within its sentence.
WINDOW = 160
_BOUNDARY = re.compile(r"[.!?…]\s|\n")


def context_ranges(text: str, mentions: Sequence[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``((left_start, left_end), (right_start, right_end))`` for each ``[start, end)`` mention of ``text``.

    The left range runs from the mention's sentence start (or ``WINDOW``
    characters back) to the mention; the right one from the mention's end to
    its sentence end (or ``WINDOW`` characters on). Other mentions inside a
    range stay in it: they are part of what is said about this one. An empty
    side is the zero-length range at the mention.
    """
    out = []
    for start, end in mentions:
        lo = max(0, start - WINDOW)
        left_start = lo
        for m in _BOUNDARY.finditer(text, lo, start):
            left_start = m.end()
        hi = min(len(text), end + WINDOW)
        stop = _BOUNDARY.search(text, end, hi)
        right_end = stop.start() + 1 if stop else hi
        while left_start < start and text[left_start].isspace():
            left_start += 1
        right_start = end
        out.append(((left_start, start), (right_start, max(right_start, right_end))))
    return out

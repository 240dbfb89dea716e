"""Cutting text into lines and sentences, as offsets: what narratives, routing and evidence share.

Both functions return ``[start, end)`` ranges of the text they were given,
never copies, so the ranges can be shifted into ``Document.text``.
"""

from __future__ import annotations

import re

__all__ = ["sentence_spans", "text_units"]


def text_units(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of the non-blank lines of ``text`` (title first), stripped of spaces.

    Offsets index ``text`` itself; a ``\\r`` before a line break is not part of a range.
    """
    if not isinstance(text, str):
        raise TypeError(f"text_units() takes a string, not {type(text).__name__}")
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


# A sentence ends at . ! ? or an ellipsis, optionally followed by closing
# quotes or brackets, when whitespace and then an opening character follow.
_BOUNDARY = re.compile(
    r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+"  # end mark, closing quotes/brackets, space
    r"(?=[\"'\u201c\u2018(\[A-Z0-9\u00C0-\u024F\u0400-\u04FF])"  # then an opening character
)
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|Sgt|Gov|Sen|Rep|Jr|Sr|Inc|Ltd|Co|vs|etc|No"
    r"|U\.S|U\.K|E\.U)|\b[A-Z])\.$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every sentence of ``text``; a sentence never crosses a line break."""
    out: list[tuple[int, int]] = []
    for start, end in text_units(text):
        cut = start
        for m in _BOUNDARY.finditer(text, start, end):
            left = text[cut : m.start()]
            if _ABBREV.search(left[-12:]):
                continue
            s, e = cut, m.start() + len(m.group(0).rstrip())  # keep closing quotes, drop spaces
            if e > s:
                out.append((s, e))
            cut = m.end()
        if end > cut:
            out.append((cut, end))
    return [(s, e) for s, e in out if text[s:e].strip()]

"""Split a text into paragraphs, keeping line numbers.

Two layouts exist in the wild:

``lines``
    one paragraph per non-empty line -- the SemEval layout (title line,
    blank line, paragraphs) and what HTML extraction produces;
``blocks``
    paragraphs separated by blank lines, each possibly hard-wrapped over
    several lines -- e-mails, plain-text exports, Project Gutenberg style.

When the layout is ``auto`` we look at the multi-line blocks: if most of
them look hard-wrapped (every line but the last of similar, moderate
length), the text is ``blocks``; otherwise every line is its own paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinscope.ingest.raw import Layout

__all__ = ["Block", "segment", "detect_layout", "looks_like_title"]

_NONBLANK = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph candidate: ``[start, end)`` without surrounding whitespace."""

    start: int
    end: int
    line: int  # 1-based line number of its first line


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Range without leading/trailing whitespace, or None when blank."""
    seg = text[start:end]
    stripped = seg.strip()
    if not stripped:
        return None
    lead = len(seg) - len(seg.lstrip())
    return start + lead, start + lead + len(stripped)


def _groups(text: str) -> list[list[tuple[int, int, int]]]:
    """Runs of non-blank lines as lists of (start, end, line_no)."""
    groups: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    for no, (s, e) in enumerate(_line_spans(text), start=1):
        if _NONBLANK.search(text, s, e):
            current.append((s, e, no))
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _hard_wrapped(text: str, group: list[tuple[int, int, int]]) -> bool:
    lengths = [len(text[s:e].strip()) for s, e, _ in group[:-1]]
    return bool(lengths) and all(30 <= n <= 100 for n in lengths) and max(lengths) - min(lengths) <= 40


def detect_layout(text: str) -> Layout:
    """Guess ``lines`` or ``blocks`` for *text* (see module docstring)."""
    multi = [g for g in _groups(text) if len(g) > 1]
    if not multi:
        return "lines"
    wrapped = sum(_hard_wrapped(text, g) for g in multi)
    return "blocks" if wrapped * 2 >= len(multi) else "lines"


#: How many lines from the top of a block a timestamp line may sit and still
#: start the body (title, maybe a standfirst, then the timestamp).
_HEAD_LINES = 3


def _split_head(text: str, group: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Cut a head (title lines, then a bare timestamp line) off the top of a wrapped block.

    Wire copy and scraped pages often put the title, the timestamp and the
    body on consecutive lines with no blank line between them; joined as
    one hard-wrapped paragraph, the title would be lost. Each head line
    becomes a block of its own and the rest stays one block.
    """
    from spinscope.ingest.clean import parse_timestamp  # clean imports Block from here

    for k in range(1, min(_HEAD_LINES, len(group) - 1) + 1):  # a timestamp at line 2..4
        s, e, _ = group[k]
        if e - s <= 120 and parse_timestamp(text[s:e]):
            return [[line] for line in group[: k + 1]] + ([group[k + 1 :]] if k + 1 < len(group) else [])
    return [group]


def segment(text: str, layout: Layout = "auto") -> tuple[list[Block], Layout]:
    """Paragraph blocks of *text* and the layout actually used."""
    if layout == "auto":
        layout = detect_layout(text)
    blocks: list[Block] = []
    groups = _groups(text)
    if layout == "blocks" and groups:
        groups = _split_head(text, groups[0]) + groups[1:]
    for group in groups:
        if layout == "blocks":
            rng = _trimmed(text, group[0][0], group[-1][1])
            if rng:
                blocks.append(Block(rng[0], rng[1], group[0][2]))
        else:
            for s, e, no in group:
                rng = _trimmed(text, s, e)
                if rng:
                    blocks.append(Block(rng[0], rng[1], no))
    return blocks, layout


def looks_like_title(text: str, blocks: list[Block]) -> bool:
    """First block is a title: one short line, then a blank line or the article's head, more text after.

    Titles rarely end with a full stop, while a first sentence of a lead
    paragraph nearly always does. Without a blank line after it, the line
    is still a title when the next line is a bare timestamp or opens with a
    dateline ("DORN (Wire) -"): the layout wire copy and scraped pages use.
    """
    from spinscope.ingest.clean import parse_dateline, parse_timestamp

    if len(blocks) < 2:
        return False
    first, second = blocks[0], blocks[1]
    head = text[first.start : first.end]
    if "\n" in head or len(head) > 250 or head.endswith("."):
        return False
    if text[first.end : second.start].count("\n") >= 2:
        return True
    following = text[second.start : second.end]
    return (len(following) <= 120 and parse_timestamp(following) is not None) or parse_dateline(following) is not None

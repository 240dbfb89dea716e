"""Find quotation spans: pair opening and closing marks paragraph by paragraph.

Rules, in the order they matter:

* Double marks (``"`` “ ” „ « ») and single marks (``'`` ‘ ’) form two
  families. Inside an open quote of one family, marks of the other family
  are nested quotes, kept on the outer quote and never reported alone.
* A straight mark is an opening or a closing one depending on what touches
  it: space before and a letter after opens, a letter or punctuation before
  and space after closes. An apostrophe between letters (``don’t``) is
  neither, and a trailing apostrophe (``ministers'``) can only close an open
  single quote, so possessives never start a quote.
* A quote left open at the end of a line continues when the next line starts
  with a fresh opening mark of the same family -- the news convention for a
  quote over several paragraphs. Inside one Document paragraph, a line break
  may also be a hard wrap: the quote continues when the next closing-capable
  mark of its family comes before any opening one.
* Otherwise the quote is unbalanced and ends at the end of its line, with a
  note; it never swallows the rest of the article. A lone single mark left
  open is dropped, because it is far more often an apostrophe (``'90s``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spinscope.document import Document

__all__ = ["MarkSpan", "find_mark_spans", "mark_role"]

_DOUBLE = frozenset('"“”„«»')
_INNER_SPACE = frozenset(" \t\u00a0\u202f\u2009")
_SINGLE = frozenset("'‘’‚")
_OPEN_PUNCT = frozenset("([{—–-/")
_CLOSE_PUNCT = frozenset(".,;:!?)]}—–-…/")


@dataclass(frozen=True, slots=True)
class MarkSpan:
    """A pair of quotation marks and what lies between them."""

    open_mark: int
    close_mark: int | None  # None: unbalanced
    start: int  # first character inside the marks
    end: int  # one past the last character inside
    family: str  # "double" | "single"
    paragraphs: tuple[int, ...]
    reopen_marks: tuple[int, ...] = ()
    nested: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class _Open:
    family: str
    open_mark: int
    paragraphs: list[int]
    reopen_marks: list[int] = field(default_factory=list)
    nested: list[tuple[int, int]] = field(default_factory=list)
    nested_open: int | None = None


def mark_role(text: str, i: int) -> tuple[str | None, bool, bool]:
    """``(family, can_open, can_close)`` of the character at *i*.

    ``family`` is ``None`` when the character is no quotation mark or is an
    apostrophe inside a word.
    """
    ch = text[i]
    prev = text[i - 1] if i > 0 else None
    nxt = text[i + 1] if i + 1 < len(text) else None
    left_open = prev is None or prev.isspace() or prev in _OPEN_PUNCT or prev in _DOUBLE or prev in _SINGLE
    right_open = nxt is None or nxt.isspace() or nxt in _CLOSE_PUNCT or nxt in _DOUBLE or nxt in _SINGLE
    if ch in _DOUBLE:
        if ch in "“„«":
            # “ also closes when typed the wrong way round ("said.“ Then").
            return "double", True, ch == "“" and not left_open and right_open
        if ch in "”»":
            return "double", ch == "”" and left_open and not right_open, True
        can_open = left_open and not (nxt is None or nxt.isspace())
        can_close = not (prev is None or prev.isspace()) and right_open
        if not can_open and not can_close:  # "word"word" or " alone: let the state decide
            return "double", True, True
        return "double", can_open, can_close
    if ch in _SINGLE:
        if prev is not None and nxt is not None and prev.isalnum() and nxt.isalpha():
            return None, False, False  # apostrophe inside a word: don’t, Estravia's
        if ch in "‘‚":
            return "single", True, False
        can_open = left_open and nxt is not None and nxt.isalpha() and ch == "'"
        can_close = prev is not None and not prev.isspace() and right_open
        if prev is not None and prev.isspace() and nxt is not None and nxt.isdigit():
            return None, False, False  # '90s
        if not can_open and not can_close:
            return None, False, False
        return "single", can_open, can_close
    return None, False, False


def _plural_possessive(text: str, i: int, unit_end: int) -> bool:
    """Whether the single mark at *i* is more likely ``s’`` of a plural possessive.

    That is: it follows an ``s``, a lower-case word follows it, and a later
    mark in the same line can close the quote instead.
    """
    if text[i - 1] != "s" or not re.match(r" [a-z]", text[i + 1 : i + 3]):
        return False
    return any(mark_role(text, j)[0] == "single" and mark_role(text, j)[2] for j in range(i + 1, unit_end))


def _units(doc: Document) -> list[tuple[int, int, int]]:
    """Lines of each paragraph as ``(start, end, paragraph_index)``, trimmed, non-empty."""
    units = []
    for p_index, para in enumerate(doc.paragraphs):
        pos = para.start
        for line in doc.text[para.start : para.end].split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                units.append((s + lead, s + lead + len(stripped), p_index))
    return units


def _first_mark(text: str, start: int, end: int, family: str) -> tuple[int, bool, bool] | None:
    for i in range(start, end):
        fam, can_open, can_close = mark_role(text, i)
        if fam == family:
            return i, can_open, can_close
    return None


def find_mark_spans(doc: Document) -> tuple[list[MarkSpan], list[str]]:
    """Every top-level quotation of *doc* and document-level notes (stray marks)."""
    text = doc.text
    units = _units(doc)
    spans: list[MarkSpan] = []
    doc_notes: list[str] = []
    cur: _Open | None = None
    skip: set[int] = set()  # reopening marks already consumed by a continuation

    def finish(close: int | None, end: int, note: str | None = None) -> None:
        nonlocal cur
        assert cur is not None
        start = cur.open_mark + 1
        # French and other typography put a (narrow) space inside guillemets
        # ("« Nous »"): the quoted words start and end at the words.
        while start < end and text[start] in _INNER_SPACE:
            start += 1
        while end > start and text[end - 1] in _INNER_SPACE:
            end -= 1
        notes = (note,) if note else ()
        if end > start:
            spans.append(
                MarkSpan(
                    open_mark=cur.open_mark,
                    close_mark=close,
                    start=start,
                    end=end,
                    family=cur.family,
                    paragraphs=tuple(dict.fromkeys(cur.paragraphs)),
                    reopen_marks=tuple(cur.reopen_marks),
                    nested=tuple(cur.nested),
                    notes=notes,
                )
            )
        cur = None

    for u_index, (u_start, u_end, p_index) in enumerate(units):
        for i in range(u_start, u_end):
            if i in skip:
                continue
            family, can_open, can_close = mark_role(text, i)
            if family is None:
                continue
            if cur is None:
                if can_open:
                    cur = _Open(family, i, [p_index])
                elif can_close and family == "double":
                    doc_notes.append(f"stray closing quotation mark at {i} ignored")
                continue
            if family == cur.family:
                if can_close and cur.family == "single" and _plural_possessive(text, i, u_end):
                    continue  # "The ministers’ promises": an apostrophe, a later mark closes
                if can_close:
                    finish(i, i)
                elif can_open:
                    # A firm opening mark while a quote is open: the earlier
                    # quote was never closed. End it before this mark.
                    end = i
                    while end > cur.open_mark + 1 and text[end - 1].isspace():
                        end -= 1
                    if cur.family == "double":
                        finish(None, end, f"unbalanced quotation mark at {cur.open_mark} closed at {end}")
                    else:
                        cur = None
                    cur = _Open(family, i, [p_index])
                continue
            # The other family: a nested quote.
            if cur.nested_open is not None and can_close:
                cur.nested.append((cur.nested_open + 1, i))
                cur.nested_open = None
            elif cur.nested_open is None and can_open:
                cur.nested_open = i
        if cur is None:
            continue
        nxt = units[u_index + 1] if u_index + 1 < len(units) else None
        first = _first_mark(text, nxt[0], nxt[0] + 1, cur.family) if nxt else None
        if nxt is not None and first is not None and first[1]:
            # The next line reopens the quote: a multi-paragraph quotation.
            cur.reopen_marks.append(first[0])
            cur.paragraphs.append(nxt[2])
            cur.nested_open = None
            skip.add(first[0])
            continue
        if nxt is not None and nxt[2] == p_index:
            ahead = _first_mark(text, nxt[0], nxt[1], cur.family)
            if ahead is not None and ahead[2]:
                cur.paragraphs.append(nxt[2])  # a hard-wrapped line: keep going
                continue
        if cur.family == "single":
            cur = None  # an unclosed single mark is most likely an apostrophe
            continue
        finish(None, u_end, f"unbalanced quotation mark at {cur.open_mark} closed at the paragraph end ({u_end})")
    if cur is not None:  # only reachable with no units left
        finish(None, len(text), "unbalanced quotation mark closed at the end of the text")
    return spans, doc_notes

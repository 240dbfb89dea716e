"""Published dates and Documents rebuilt from analysis JSON: what story grouping and quote drift share.

Kept apart from :mod:`spinscope.stories.cluster` so that
:mod:`spinscope.stories.drift` can use them without importing the
clustering, which imports drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from spinscope.document import Document, Paragraph

__all__ = ["document_from_dict", "parse_date"]


# -- dates ------------------------------------------------------------------------
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YMD_SLASH = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")
_D_MONTH_Y = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_D_Y = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> date | None:
    """The calendar date in an ISO-ish string, leniently; ``None`` when there is none.

    >>> parse_date("2026-01-14T09:42"), parse_date("14.01.2026"), parse_date("Jan 14, 2026")
    (datetime.date(2026, 1, 14), datetime.date(2026, 1, 14), datetime.date(2026, 1, 14))
    >>> parse_date("yesterday") is None
    True
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if m := _ISO.search(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YMD_SLASH.search(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.search(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _D_MONTH_Y.search(text)) and m[2].lower() in _MONTHS:
        return _make_date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    if (m := _MONTH_D_Y.search(text)) and m[1].lower() in _MONTHS:
        return _make_date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    return None


# -- Documents from dicts ---------------------------------------------------------
def _s(value: object) -> str | None:
    return value if isinstance(value, str) else None


def document_from_dict(data: Mapping[str, Any]) -> Document:
    """A :class:`Document` rebuilt from ``Document.to_dict()`` or ``Analysis.to_dict()`` output.

    Only what grouping needs is kept (text, paragraphs, title, dates, outlet,
    place). Paragraph ranges that do not fit the text are dropped rather than
    trusted: the dict may come from anywhere.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"document_from_dict() needs a dict, not {type(data).__name__}")
    document = data.get("document")
    doc: Mapping[str, Any] = document if isinstance(document, Mapping) else data
    text = _s(doc.get("text")) or ""
    paragraphs: list[Paragraph] = []
    prev = 0
    for i, p in enumerate(doc.get("paragraphs") or ()):
        if not isinstance(p, Mapping):
            continue
        start, end = p.get("start"), p.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and prev <= start <= end <= len(text)):
            continue
        given = p.get("line")
        line = given if isinstance(given, int) else i + 1
        kind: Literal["title", "body"] = "title" if p.get("kind") == "title" else "body"
        paragraphs.append(Paragraph(start, end, line, kind))
        prev = end
    if not paragraphs and text.strip():
        paragraphs = [Paragraph(0, len(text), 1, "body")]
    return Document(
        id=_s(doc.get("id")) or "article",
        text=text,
        paragraphs=tuple(paragraphs),
        title=_s(doc.get("title")),
        source=_s(doc.get("source")),
        url=_s(doc.get("url")),
        published=_s(doc.get("published")),
        place=_s(doc.get("place")),
        origin=_s(doc.get("origin")) or "",
    )

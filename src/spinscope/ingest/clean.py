"""Decide which paragraphs to keep, and pull metadata out of the ones that say it.

Cleaning works on whole paragraphs and never edits the text of a paragraph
it keeps, so stand-off offsets stay valid. It drops:

* boilerplate lines -- subscribe / share / follow prompts, cookie notices,
  "Read more" links, copyright lines (short lines only: a long paragraph that
  mentions subscribing is content, not a prompt);
* bare timestamp lines -- the first one becomes ``published``;
* exact and near-duplicate paragraphs (a final paragraph scraped twice),
  keeping the first occurrence.

It also reads a dateline such as ``MOSCOW (Sputnik) -`` from the first body
paragraph into ``place`` and ``outlet`` without removing it.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from spinscope.document import IngestNote
from spinscope.ingest.segment import Block

__all__ = ["CleanResult", "clean_blocks", "parse_timestamp", "parse_dateline"]

# Paragraphs longer than this are never treated as boilerplate prompts.
_BOILERPLATE_MAX_CHARS = 140
# Near-duplicate threshold (rapidfuzz ratio, 0-100) and minimum length: short
# lines such as "Photo: AP" repeat legitimately and are too short to judge.
_NEAR_DUP_RATIO = 92.0
_NEAR_DUP_MIN_CHARS = 40
# Near-duplicate search looks back this many kept paragraphs, so a
# 10,000-paragraph input stays linear; exact duplicates are caught globally.
_NEAR_DUP_WINDOW = 400

_BOILERPLATE = re.compile(
    r"""^\W*(?:
        (?:click\s+here\s+to\s+)?subscribe\b.*
      | sign\s+up\s+(?:for|to)\b.*(?:newsletter|updates|alerts).*
      | (?:follow|like)\s+us\s+on\b.*
      | share\s+(?:this|on|via)\b.*
      | (?:share|tweet|email|print|comments?)(?:\s*[|/·•]\s*(?:share|tweet|email|print|comments?|facebook|twitter|whatsapp|telegram|linkedin))+\W*
      | (?:read|see)\s+(?:more|also)\s*:.*
      | related\s*(?:articles?|stories|news)?\s*:.*
      | advertisement
      | (?:we\s+use\s+)?cookies?\b.*(?:accept|policy|consent).*
      | all\s+rights\s+reserved\.?
      | (?:©|\(c\)|copyright)\s*\d{4}.*
      | download\s+(?:our|the)\s+app\b.*
      | (?:join|find)\s+us\s+on\s+(?:telegram|facebook|twitter|x|vk|instagram)\b.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:GMT|UTC|CET|CEST|MSK|EST|EDT|PST|PDT|BST)(?:[+-]\d{1,2})?)?"
_DATE = (
    r"(?:\d{1,2}[./]\d{1,2}[./]\d{4}"
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    rf"|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTHS},?\s+\d{{4}})"
)
_STAMP = rf"(?:{_TIME}[,\s]+{_DATE}|{_DATE}(?:[,\s]+(?:at\s+)?{_TIME})?)"
_PREFIX = r"(?:(?:published|posted|updated|last\s+updated|date)(?:\s+on)?\s*:?\s*)?"
_TIMESTAMP_LINE = re.compile(
    rf"^\W*{_PREFIX}(?P<first>{_STAMP})(?:\s*[(\[]?\s*{_PREFIX}{_STAMP}\s*[)\]]?)?\W*$",
    re.IGNORECASE,
)

# "MOSCOW (Sputnik) -", "KYIV, Ukraine (AP) —", "WASHINGTON -": an upper-case
# place, optional region, optional outlet in brackets, then a dash.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'.\- ]{1,40}?)(?:,\s*[A-Z][\w.\- ]{1,40}?)?\s*"
    r"(?:\((?P<outlet>[^()\n]{2,40})\))?\s*[-–—]{1,2}\s+"
)


@dataclass
class CleanResult:
    """Kept blocks plus the notes and metadata cleaning produced."""

    kept: list[Block]
    notes: list[IngestNote] = field(default_factory=list)
    published: str | None = None
    place: str | None = None
    outlet: str | None = None


def parse_timestamp(line: str) -> str | None:
    """ISO 8601 date(time) of a bare timestamp line, or None if *line* is not one.

    >>> parse_timestamp("07:14 GMT 11.01.2022 (Updated: 07:24 GMT 11.01.2022)")
    '2022-01-11T07:14'
    """
    m = _TIMESTAMP_LINE.match(line.strip())
    if not m:
        return None
    stamp = m.group("first")
    date_m = re.search(_DATE, stamp, re.IGNORECASE)
    time_m = re.search(r"(\d{1,2}):(\d{2})(?::\d{2})?\s*([ap])?\.?m?", stamp, re.IGNORECASE)
    if not date_m:
        return None
    date = _parse_date(date_m.group())
    if date is None:
        return None
    if time_m and not date_m.group().count("T"):
        hour, minute = int(time_m.group(1)), int(time_m.group(2))
        if time_m.group(3) and time_m.group(3).lower() == "p" and hour < 12:
            hour += 12
        if hour < 24 and minute < 60:
            return f"{date}T{hour:02d}:{minute:02d}"
    return date


def _parse_date(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text.replace(",", "")).strip().rstrip(".")
    if "T" in text and text[:4].isdigit():
        return text[:16] if len(text) >= 16 else text[:10]
    for fmt in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text.replace("Sept ", "Sep "), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_dateline(paragraph: str) -> tuple[str, str | None] | None:
    """``(place, outlet)`` of a dateline at the start of *paragraph*, if any."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    place = m.group("place").strip(" -.'")
    # An all-caps word must look like a place name, not an acronym shout such as "BREAKING".
    if len(place) < 2 or not place.replace(" ", "").replace("-", "").isalpha() or place in {"BREAKING", "UPDATE", "EXCLUSIVE", "WATCH", "VIDEO", "OPINION"}:
        return None
    outlet = m.group("outlet")
    return place, outlet.strip() if outlet else None


_DIGITS = re.compile(r"\d+")


def _numbers(fingerprint: str) -> tuple[str, ...]:
    """Numbers carry the facts: "200 dead" and "300 dead" are not duplicates."""
    return tuple(_DIGITS.findall(fingerprint))


class _NearDuplicates:
    """The last :data:`_NEAR_DUP_WINDOW` kept paragraphs, bucketed by the numbers they contain.

    Two paragraphs can only be near-duplicates when their numbers are the
    same, so a new paragraph is compared with its own bucket only; each
    paragraph's numbers are computed once, when it is added. (Comparing
    with the whole window and recomputing every neighbour's numbers made
    cleaning quadratic in practice: 15 s for a 1 MB text.)
    """

    def __init__(self) -> None:
        self._order: deque[tuple[tuple[str, ...], str, int]] = deque()
        self._buckets: dict[tuple[str, ...], list[tuple[str, int]]] = {}

    def find(self, fp: str, numbers: tuple[str, ...]) -> int | None:
        """Line of a kept paragraph *fp* nearly repeats, else None (most recent first)."""
        for other, line in reversed(self._buckets.get(numbers, ())):
            if abs(len(other) - len(fp)) <= len(fp) * 0.1 and fuzz.ratio(fp, other, score_cutoff=_NEAR_DUP_RATIO):
                return line
        return None

    def add(self, fp: str, numbers: tuple[str, ...], line: int) -> None:
        self._order.append((numbers, fp, line))
        self._buckets.setdefault(numbers, []).append((fp, line))
        if len(self._order) > _NEAR_DUP_WINDOW:
            old_numbers, _, _ = self._order.popleft()
            bucket = self._buckets[old_numbers]
            bucket.pop(0)
            if not bucket:
                del self._buckets[old_numbers]


def _fingerprint(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def clean_blocks(text: str, blocks: list[Block], *, title_index: int | None) -> CleanResult:
    """Apply the cleaning rules to *blocks* of *text* (see the module docstring)."""
    result = CleanResult(kept=[])
    seen: dict[str, int] = {}
    window = _NearDuplicates()
    dateline_checked = False
    for i, block in enumerate(blocks):
        para = text[block.start : block.end]
        if i == title_index:
            result.kept.append(block)
            continue
        where = f"line {block.line}"
        if len(para) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE.match(para):
            result.notes.append(
                IngestNote("dropped-boilerplate", f"{where}: {para!r}", block.start, block.end)
            )
            continue
        stamp = parse_timestamp(para) if len(para) <= 120 else None
        if stamp:
            if result.published is None:
                result.published = stamp
                detail = f"{where}: timestamp {para!r} read as published {stamp}"
            else:
                detail = f"{where}: further timestamp {para!r}"
            result.notes.append(IngestNote("dropped-timestamp", detail, block.start, block.end))
            continue
        fp = _fingerprint(para)
        if fp and fp in seen:
            result.notes.append(
                IngestNote(
                    "dropped-duplicate",
                    f"{where}: exact repeat of the paragraph on line {seen[fp]}",
                    block.start,
                    block.end,
                )
            )
            continue
        if len(fp) >= _NEAR_DUP_MIN_CHARS:
            numbers = _numbers(fp)
            near = window.find(fp, numbers)
            if near is not None:
                result.notes.append(
                    IngestNote(
                        "dropped-duplicate",
                        f"{where}: near-duplicate of the paragraph on line {near}",
                        block.start,
                        block.end,
                    )
                )
                continue
            window.add(fp, numbers, block.line)
        if fp:
            seen[fp] = block.line
        if not dateline_checked:
            dateline_checked = True
            found = parse_dateline(para)
            if found:
                result.place, result.outlet = found
                result.notes.append(
                    IngestNote(
                        "dateline",
                        f"{where}: dateline gives place {found[0]!r}"
                        + (f" and outlet {found[1]!r}" if found[1] else ""),
                        block.start,
                        block.end,
                    )
                )
        result.kept.append(block)
    return result

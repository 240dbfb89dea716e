"""The document model every analysis shares.

A :class:`Document` owns one immutable text. Paragraphs and annotations are
stand-off: ``[start, end)`` character offsets into ``Document.text``, never
copies of substrings. Cleaning may drop whole paragraphs (boilerplate,
duplicates) and normalise characters, so the Document also keeps an
:class:`OffsetMap` back to the *source text* -- the decoded text the reader
produced before cleaning (the file itself for text files, the extracted
article for HTML). For a SemEval article that needed no cleaning the map is
the identity and ``Document.text`` equals the file's content.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Document",
    "IngestNote",
    "LanguageGuess",
    "OffsetMap",
    "Paragraph",
    "Span",
]

ParagraphKind = Literal["title", "body"]


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range ``[start, end)`` of ``Document.text``."""

    start: int
    end: int
    label: str
    score: float | None = None

    def text(self, doc: Document) -> str:
        """The characters of *doc* this span covers."""
        return doc.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph: a character range of ``Document.text``.

    ``line`` is the 1-based line number of the paragraph's first line in the
    source text; for a SemEval-2023 article it is the line number the
    subtask-3 label files use, so paragraph labels round-trip exactly.
    """

    start: int
    end: int
    line: int
    kind: ParagraphKind = "body"


@dataclass(frozen=True, slots=True)
class IngestNote:
    """Something ingest did or noticed, kept so a user can check it.

    ``action`` is a short verb-like code (``"dropped-boilerplate"``,
    ``"dropped-duplicate"``, ``"normalised"``, ``"metadata"``, ``"skipped"``...),
    ``detail`` a sentence, and ``source_start``/``source_end`` the range of the
    source text concerned, when there is one.
    """

    action: str
    detail: str
    source_start: int | None = None
    source_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action, "detail": self.detail}
        if self.source_start is not None:
            data["source_start"] = self.source_start
            data["source_end"] = self.source_end
        return data


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """An ISO 639-1 code (``"en"``) with the detector's confidence in [0, 1]."""

    code: str
    confidence: float


class OffsetMap:
    """Monotonic piecewise-linear map between document and source offsets.

    Stored as breakpoints ``(doc_pos, src_pos)``: from a breakpoint on, offsets
    advance together until the next one. Characters that exist only in the
    document (a paragraph separator written by ingest) map to the source
    position of the next kept character.
    """

    __slots__ = ("_doc", "_src")

    def __init__(self, breakpoints: Sequence[tuple[int, int]] = ((0, 0),)) -> None:
        points = sorted(set(breakpoints))
        if not points or points[0][0] != 0:
            points.insert(0, (0, points[0][1] if points else 0))
        # Keep only points where the shift changes: the rest are implied.
        self._doc: list[int] = []
        self._src: list[int] = []
        for d, s in points:
            if self._doc and d == self._doc[-1]:
                self._src[-1] = s  # a later point at the same position wins
            elif not self._doc or s - d != self._src[-1] - self._doc[-1]:
                self._doc.append(d)
                self._src.append(s)

    @classmethod
    def identity(cls) -> OffsetMap:
        return cls()

    @property
    def is_identity(self) -> bool:
        return all(d == s for d, s in zip(self._doc, self._src, strict=True))

    @property
    def breakpoints(self) -> list[tuple[int, int]]:
        return list(zip(self._doc, self._src, strict=True))

    def to_source(self, offset: int) -> int:
        """Source-text offset of document offset *offset*."""
        i = bisect.bisect_right(self._doc, offset) - 1
        return self._src[i] + (offset - self._doc[i])

    def from_source(self, offset: int) -> int:
        """Document offset of source offset *offset* (its nearest kept position)."""
        i = bisect.bisect_right(self._src, offset) - 1
        i = max(i, 0)
        return self._doc[i] + (offset - self._src[i])


@dataclass(frozen=True, eq=False)
class Document:
    """An article as spinscope sees it: immutable text plus stand-off layers.

    Build Documents with :func:`spinscope.ingest.read` or
    :func:`spinscope.ingest.document_from_text`, not by hand, so cleaning and
    offset maps stay consistent.
    """

    id: str
    text: str
    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    language: LanguageGuess | None = None
    source: str | None = None  # outlet / site name
    url: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    place: str | None = None  # dateline place, e.g. "MOSCOW"
    origin: str = ""  # the input it came from: path, URL, "stdin", "file.jsonl:3"
    input_format: str = "text"
    notes: tuple[IngestNote, ...] = ()
    offset_map: OffsetMap = field(default_factory=OffsetMap.identity)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.text)
        prev_end = 0
        for p in self.paragraphs:
            if not (prev_end <= p.start <= p.end <= n):
                raise ValueError(
                    f"paragraph range [{p.start}, {p.end}) is out of order or outside the text"
                )
            prev_end = p.end

    # -- views -----------------------------------------------------------------
    def paragraph_text(self, index: int) -> str:
        """Text of paragraph number *index* (0-based position in ``paragraphs``)."""
        p = self.paragraphs[index]
        return self.text[p.start : p.end]

    def iter_paragraphs(self) -> Iterator[tuple[Paragraph, str]]:
        for p in self.paragraphs:
            yield p, self.text[p.start : p.end]

    def paragraph_at(self, offset: int) -> int | None:
        """Index of the paragraph containing character *offset*, if any."""
        starts = [p.start for p in self.paragraphs]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < self.paragraphs[i].end:
            return i
        return None

    def paragraph_by_line(self, line: int) -> int | None:
        """Index of the paragraph whose source line number is *line*."""
        for i, p in enumerate(self.paragraphs):
            if p.line == line:
                return i
        return None

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text: the same article read twice hashes the same."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    # -- offsets ---------------------------------------------------------------
    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a document range to the source text."""
        return self.offset_map.to_source(start), self.offset_map.to_source(end)

    def from_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a source-text range (e.g. a gold span) into this document."""
        return self.offset_map.from_source(start), self.offset_map.from_source(end)

    # -- serialisation -----------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """The Document that :meth:`to_dict` wrote (offset map and notes included).

        How a Document crosses a process boundary: as JSON, never pickled. It
        trusts its input's shape (a KeyError on a missing field); for dicts
        from anywhere, :func:`spinscope.stories.documents.document_from_dict`
        reads leniently.
        """
        language = data.get("language")
        return cls(
            id=data["id"],
            text=data["text"],
            paragraphs=tuple(
                Paragraph(p["start"], p["end"], p["line"], p.get("kind", "body")) for p in data["paragraphs"]
            ),
            title=data.get("title"),
            language=LanguageGuess(language["code"], language["confidence"]) if language else None,
            source=data.get("source"),
            url=data.get("url"),
            author=data.get("author"),
            published=data.get("published"),
            place=data.get("place"),
            origin=data.get("origin", ""),
            input_format=data.get("input_format", "text"),
            notes=tuple(
                IngestNote(n["action"], n["detail"], n.get("source_start"), n.get("source_end"))
                for n in data.get("notes", ())
            ),
            offset_map=OffsetMap([(int(d), int(s)) for d, s in data.get("offset_map", [(0, 0)])]),
            meta=dict(data.get("meta") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the shape is described in ``schemas/document.schema.json``."""
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "paragraphs": [
                {"index": i, "start": p.start, "end": p.end, "line": p.line, "kind": p.kind}
                for i, p in enumerate(self.paragraphs)
            ],
            "language": (
                {"code": self.language.code, "confidence": round(self.language.confidence, 4)}
                if self.language
                else None
            ),
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "published": self.published,
            "place": self.place,
            "origin": self.origin,
            "input_format": self.input_format,
            "content_hash": self.content_hash,
            "notes": [n.to_dict() for n in self.notes],
            "offset_map": [list(bp) for bp in self.offset_map.breakpoints],
            "meta": self.meta,
        }

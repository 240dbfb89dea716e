"""Dataclasses the quotation analyzer returns.

All offsets are stand-off character offsets into ``Document.text``; a
:class:`Quote`'s ``start``/``end`` cover the quoted words *inside* the
marks, and ``open_mark``/``close_mark`` the marks themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ANALYZER_NAME",
    "ANALYZER_VERSION",
    "QuoteKind",
    "InsertionKind",
    "SpeakerMethod",
    "Insertion",
    "Cue",
    "Quote",
    "QuoteResult",
]

ANALYZER_NAME = "quotes"
#: v2 (issue 22): organisation + role + name gives the person, announced aliases, no-cue quotes to the
#: established speaker or nobody, judgement words make a bracket editorial, no speakers outside English.
ANALYZER_VERSION = "v2"

QuoteKind = Literal["speech", "scare"]
InsertionKind = Literal["clarification", "split-word", "editorial-candidate", "editorial"]
SpeakerMethod = Literal["adjacent", "alias", "pronoun", "role-noun", "neighbour-sentence", "continuation"]


@dataclass(frozen=True, slots=True)
class Insertion:
    """Words a writer put inside someone else's quote, brackets included.

    ``kind`` is ``split-word`` when the bracket changes part of a word
    (``[t]he``, ``increas(es)``), ``editorial-candidate`` when it looks like
    a modifier slipped into the speech (``[criminal] regime``) and waits for
    a scorer, ``editorial`` once a scorer has confirmed it, and
    ``clarification`` otherwise. ``scores`` holds the scorer's output.
    """

    start: int
    end: int
    text: str
    kind: InsertionKind
    scores: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text, "kind": self.kind}
        if self.scores is not None:
            data["scores"] = {k: round(v, 4) for k, v in self.scores.items()}
        return data


@dataclass(frozen=True, slots=True)
class Cue:
    """The reporting expression that attributes a quote ("said", "according to")."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Quote:
    """One direct quotation.

    ``close_mark`` is ``None`` for an unbalanced quote, which then ends at its
    paragraph's end (see ``notes``). A quote over several paragraphs lists
    them all in ``paragraphs`` and the marks that reopen it in
    ``reopen_marks``. ``speaker`` is the canonical name (the full name as the
    article first introduces it), ``speaker_mention`` the words that named or
    referred to the speaker for this quote.
    """

    start: int
    end: int
    open_mark: int
    close_mark: int | None
    kind: QuoteKind
    paragraphs: tuple[int, ...]
    speaker: str | None = None
    speaker_mention: tuple[int, int] | None = None
    speaker_method: SpeakerMethod | None = None
    cue: Cue | None = None
    insertions: tuple[Insertion, ...] = ()
    truncated_left: bool = False
    truncated_right: bool = False
    ellipses: tuple[tuple[int, int], ...] = ()
    reopen_marks: tuple[int, ...] = ()
    nested: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = field(default=())

    def text(self, doc_text: str) -> str:
        """The quoted words (inside the marks) from the document's text."""
        return doc_text[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "open_mark": self.open_mark,
            "close_mark": self.close_mark,
            "kind": self.kind,
            "paragraphs": list(self.paragraphs),
            "speaker": self.speaker,
            "speaker_mention": list(self.speaker_mention) if self.speaker_mention else None,
            "speaker_method": self.speaker_method,
            "cue": self.cue.to_dict() if self.cue else None,
            "insertions": [i.to_dict() for i in self.insertions],
            "truncated": {"left": self.truncated_left, "right": self.truncated_right},
            "ellipses": [list(e) for e in self.ellipses],
            "reopen_marks": list(self.reopen_marks),
            "nested": [list(n) for n in self.nested],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class QuoteResult:
    """Every quote of one document, in text order, plus document-level notes."""

    doc_id: str
    quotes: tuple[Quote, ...]
    notes: tuple[str, ...] = ()
    analyzer: str = ANALYZER_NAME
    version: str = ANALYZER_VERSION

    def __len__(self) -> int:
        return len(self.quotes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "version": self.version,
            "doc_id": self.doc_id,
            "quotes": [q.to_dict() for q in self.quotes],
            "notes": list(self.notes),
        }

"""``Analysis.to_dict()`` output spread over the store's queryable tables.

The store keeps each analysis whole (``analyses.result``, the exact JSON
``spinscope analyze --format jsonl`` prints) and, beside it, one row per
label so plain SQL can count and filter. Everything here reads the dict,
so an analysis written by another spinscope process (or version) with the
same schema normalises the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["ArticleRow", "LabelRows", "article_row", "date_columns", "label_rows"]


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """The ``articles`` columns of one document, in table order (without ``id``)."""

    values: tuple[Any, ...]


COLUMNS_ARTICLES = (
    "content_hash", "doc_id", "url", "outlet", "title", "author", "published", "published_day",
    "published_month", "published_week", "language", "language_confidence", "word_count", "text",
    "origin", "input_format", "notes", "document", "added_at",
)  # fmt: skip


def date_columns(published: str | None) -> tuple[str | None, str | None, str | None]:
    """(day ``YYYY-MM-DD``, month ``YYYY-MM``, ISO week ``YYYY-Www``) of a lenient date string."""
    from spinscope.stories import parse_date

    day: date | None = parse_date(published)
    if day is None:
        return None, None, None
    year, week, _ = day.isocalendar()
    return day.isoformat(), day.strftime("%Y-%m"), f"{year}-W{week:02d}"


def article_row(doc: Mapping[str, Any], added_at: str) -> ArticleRow:
    """``articles`` values for a ``Document.to_dict()`` dict."""
    day, month, week = date_columns(doc.get("published"))
    language = doc.get("language") or {}
    text = str(doc.get("text") or "")
    return ArticleRow(
        (
            doc["content_hash"], doc.get("id") or "article", doc.get("url"), doc.get("source"), doc.get("title"),
            doc.get("author"), doc.get("published"), day, month, week, language.get("code"),
            language.get("confidence"), len(text.split()), text, doc.get("origin"), doc.get("input_format"),
            json.dumps(doc.get("notes") or [], ensure_ascii=False), json.dumps(doc, ensure_ascii=False), added_at,
        )
    )  # fmt: skip


@dataclass
class LabelRows:
    """Rows for the label tables of one analysis, without their ``analysis_id`` (added on insert)."""

    genre: str | None = None
    genre_score: float | None = None
    narrative_domain: str | None = None
    dominant_narrative: str | None = None
    technique_labels: int = 0
    paragraph_labels: list[tuple[Any, ...]] = field(default_factory=list)
    spans: list[tuple[Any, ...]] = field(default_factory=list)
    frames: list[tuple[Any, ...]] = field(default_factory=list)
    quotes: list[tuple[Any, ...]] = field(default_factory=list)
    quote_insertions: list[tuple[Any, ...]] = field(default_factory=list)
    entities: list[tuple[Any, ...]] = field(default_factory=list)
    narratives: list[tuple[Any, ...]] = field(default_factory=list)


#: Column lists of the label tables, after ``analysis_id``.
LABEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "paragraph_labels": ("paragraph", "technique", "score"),
    "spans": ("start_char", "end_char", "paragraph", "technique", "score", "kind", "text"),
    "frames": ("frame", "score"),
    "quotes": ("quote_index", "start_char", "end_char", "kind", "speaker", "speaker_method", "cue", "text"),
    "quote_insertions": ("quote_index", "start_char", "end_char", "kind", "text"),
    "entities": ("entity_index", "name", "label", "stands_for", "main_role", "main_role_score", "fine_roles", "mentions"),
    "narratives": ("level", "label", "score", "is_dominant"),
}


def label_rows(result: Mapping[str, Any]) -> LabelRows:
    """Every queryable row of one ``Analysis.to_dict()`` result."""
    rows = LabelRows()
    genre = result.get("genre")
    if genre:
        rows.genre, rows.genre_score = genre["label"], genre.get("score")
    for p in result.get("paragraphs") or ():
        for t in p.get("techniques") or ():
            rows.paragraph_labels.append((p["index"], t["label"], t["score"]))
    rows.technique_labels = len(rows.paragraph_labels)
    for s in result.get("spans") or ():
        rows.spans.append((s["start"], s["end"], s.get("paragraph"), s["technique"], s["score"], s.get("kind", "span"), s.get("text", "")))
    for f in result.get("frames") or ():
        rows.frames.append((f["label"], f["score"]))
    for i, q in enumerate(result.get("quotes") or ()):
        cue = q.get("cue") or {}
        rows.quotes.append((i, q["start"], q["end"], q["kind"], q.get("speaker"), q.get("speaker_method"), cue.get("text"), q.get("text", "")))
        for ins in q.get("insertions") or ():
            rows.quote_insertions.append((i, ins["start"], ins["end"], ins["kind"], ins.get("text", "")))
    for e in result.get("entities") or ():
        role = e.get("role") or {}
        main = role.get("main_role")
        score = (role.get("main_scores") or {}).get(main) if main else None
        fine = ", ".join(role.get("fine_roles") or ()) or None
        rows.entities.append((e["id"], e["name"], e["label"], e.get("stands_for"), main, score, fine, len(e.get("mentions") or ())))
    narratives = result.get("narratives")
    if narratives:
        rows.narrative_domain = narratives.get("domain")
        rows.dominant_narrative = narratives.get("dominant")
        for level, key in (("narrative", "narratives"), ("subnarrative", "subnarratives")):
            for n in narratives.get(key) or ():
                dominant = int(level == "narrative" and n["label"] == rows.dominant_narrative)
                rows.narratives.append((level, n["label"], n["score"], dominant))
    return rows

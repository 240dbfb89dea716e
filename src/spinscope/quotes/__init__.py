"""Direct quotations: where they are, who said them, and how they were edited.

>>> from spinscope.ingest import document_from_text
>>> doc = document_from_text('"We are ready," Foreign Minister Irena Vasko said.', detect_language=False)
>>> q = extract_quotes(doc).quotes[0]
>>> q.text(doc.text), q.speaker, q.cue.text
('We are ready,', 'Irena Vasko', 'said')

The work is split by stage: :mod:`~spinscope.quotes.marks` pairs the
quotation marks, :mod:`~spinscope.quotes.names` finds who the article names,
:mod:`~spinscope.quotes.attribution` links quotes to speakers,
:mod:`~spinscope.quotes.integrity` looks for insertions and truncations, and
:mod:`~spinscope.quotes.evaluate` scores all of it against a gold set. Word
lists live in :mod:`~spinscope.quotes.lexicon`.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataclasses import replace

from spinscope.document import Document
from spinscope.quotes.attribution import Attribution, Sentences, _Resolver, attribute, quote_kind
from spinscope.quotes.integrity import (
    EDITORIAL_TECHNIQUES,
    EDITORIAL_THRESHOLD,
    Scorer,
    classify_insertions,
    find_ellipses,
    find_insertions,
    truncation,
)
from spinscope.quotes.marks import MarkSpan, find_mark_spans
from spinscope.quotes.model import (
    ANALYZER_NAME,
    ANALYZER_VERSION,
    Cue,
    Insertion,
    Quote,
    QuoteKind,
    QuoteResult,
)
from spinscope.quotes.names import build_registry, mask_quotes

#: Languages whose articles get quote speakers: the cue verbs, titles and
#: pronouns of :mod:`~spinscope.quotes.lexicon` are English. Quotes in other
#: languages are still found, with their insertions and truncations, but get
#: no speaker (a German "sagte Oberst Jakob Reiter" would otherwise go to
#: whichever capitalised words come first, such as "Hunderte Anwohner").
SPEAKER_LANGUAGES = frozenset({"en"})

__all__ = [
    "ANALYZER_NAME",
    "SPEAKER_LANGUAGES",
    "ANALYZER_VERSION",
    "EDITORIAL_TECHNIQUES",
    "EDITORIAL_THRESHOLD",
    "Cue",
    "Insertion",
    "Quote",
    "QuoteResult",
    "Scorer",
    "classify_insertions",
    "classify_quotes",
    "extract_quotes",
    "find_insertions",
]


def extract_quotes(doc: Document, tagged: Sequence[tuple[int, int, str]] | None = None) -> QuoteResult:
    """Every direct quotation of *doc*, attributed and checked for editing.

    Parameters
    ----------
    doc:
        Any Document; offsets in the result point into ``doc.text``.
    tagged:
        ``(start, end, label)`` entity mentions from the NER pipeline
        (``spinscope analyze`` passes them): they confirm or add the names
        a speaker can be. Without them, names are found by rule alone.

    Returns
    -------
    QuoteResult
        Quotes in text order (none for an article without quotes) and
        document-level notes such as ignored stray closing marks. An article
        whose detected language is not in :data:`SPEAKER_LANGUAGES` gets its
        quotes without speakers, and a note saying so.
    """
    if not isinstance(doc, Document):
        raise TypeError(f"extract_quotes() needs a Document, not {type(doc).__name__}")
    text = doc.text
    spans, doc_notes = find_mark_spans(doc)
    masked = mask_quotes(text, spans)
    paragraphs = [(p.start, p.end) for p in doc.paragraphs]
    registry = build_registry(text, masked, spans, list(tagged) if tagged else None)
    sentences = Sentences(text, masked, spans, paragraphs)
    resolver = _Resolver(registry, sentences, paragraphs)

    language = doc.language.code if doc.language else None
    speakers = language is None or language in SPEAKER_LANGUAGES
    if not speakers and spans:
        doc_notes.append(
            f"quote speakers not attributed: the attribution rules read English only, this article is {language!r}"
        )
    done: list[tuple[MarkSpan, Attribution, QuoteKind]] = []
    quotes: list[Quote] = []
    for span in spans:
        found, by_cue = attribute(span, resolver, done) if speakers else (Attribution(None, None, None, None), False)
        kind = quote_kind(text, masked, span, by_cue)
        if kind == "scare":
            found = Attribution(None, None, None, None)
        elif found.speaker is not None and found.mention is not None:
            entity = next((e for e in registry.entities if e.canonical == found.speaker), None)
            if entity is not None:
                resolver.last_speaker = (entity, span.open_mark)
        done.append((span, found, kind))
        left, right = truncation(text, span.start, span.end)
        quotes.append(
            Quote(
                start=span.start,
                end=span.end,
                open_mark=span.open_mark,
                close_mark=span.close_mark,
                kind=kind,
                paragraphs=span.paragraphs,
                speaker=found.speaker,
                speaker_mention=found.mention,
                speaker_method=found.method,
                cue=found.cue,
                insertions=tuple(find_insertions(text, span.start, span.end)),
                truncated_left=left,
                truncated_right=right,
                ellipses=tuple(find_ellipses(text, span.start, span.end)),
                reopen_marks=span.reopen_marks,
                nested=span.nested,
                notes=span.notes,
            )
        )
    return QuoteResult(doc_id=doc.id, quotes=tuple(quotes), notes=tuple(doc_notes))


def classify_quotes(result: QuoteResult, scorer: Scorer, *, threshold: float = EDITORIAL_THRESHOLD) -> QuoteResult:
    """*result* with every quote's insertions passed through :func:`classify_insertions`."""
    quotes = tuple(
        replace(q, insertions=classify_insertions(q.insertions, scorer, threshold=threshold)) if q.insertions else q
        for q in result.quotes
    )
    return replace(result, quotes=quotes)

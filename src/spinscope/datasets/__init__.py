"""Validating readers for the annotated research datasets spinscope trains and tests on.

The datasets are never part of the repository (their terms forbid it); they
live in a shared folder, by default ``../shared/data`` beside the project
(see :func:`default_data_dir`). Each reader returns typed, frozen records
whose offsets are ``[start, end)`` code points into :attr:`Article.text`,
the article file decoded exactly as on disk, plus a :class:`LoadReport` of
everything it noticed::

    from spinscope.datasets import load_semeval2023
    ds = load_semeval2023(None, "en", "train")
    print(ds.report.summary())
    for issue in ds.report.warnings:
        print(issue)

Readers: :func:`load_semeval2023` (SemEval-2023 Task 3), :func:`load_semeval2025`
(SemEval-2025 Task 10), :func:`load_ptc` (SemEval-2020 Task 11) and
:func:`load_semeval2021` (SemEval-2021 Task 6). Each module's docstring says
what its checks found in the published data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinscope.datasets._common import Article, GoldSpan, Issue, LoadReport, default_data_dir
from spinscope.datasets.ptc import PTC, PTC_TECHNIQUES, load_ptc
from spinscope.datasets.semeval2021 import SemEval2021, load_semeval2021
from spinscope.datasets.semeval2023 import (
    ParagraphLabel,
    SemEval2023,
    load_semeval2023,
    load_semeval2023_articles,
)
from spinscope.datasets.semeval2025 import (
    EntityMention,
    NarrativeExplanation,
    NarrativeLabels,
    SemEval2025,
    load_semeval2025,
)

if TYPE_CHECKING:
    from spinscope.document import Document, Span

__all__ = [
    "PTC",
    "PTC_TECHNIQUES",
    "Article",
    "EntityMention",
    "GoldSpan",
    "Issue",
    "LoadReport",
    "NarrativeExplanation",
    "NarrativeLabels",
    "ParagraphLabel",
    "SemEval2021",
    "SemEval2023",
    "SemEval2025",
    "default_data_dir",
    "load_ptc",
    "load_semeval2021",
    "load_semeval2023",
    "load_semeval2023_articles",
    "load_semeval2025",
    "span_in_document",
    "to_document",
]



def to_document(article: Article, *, title_line: bool = True, detect_language: bool = False) -> Document:
    """A :class:`~spinscope.document.Document` of *article* with no cleaning, for analysis.

    Built with :func:`spinscope.ingest.document_from_text` (``layout="lines"``,
    ``clean=False``), so paragraphs are the file's non-blank lines and their
    ``line`` numbers are the dataset's. The Document's text may omit leading
    blank lines and the final newline; map gold offsets with
    :func:`span_in_document` (``Document.from_source``), never directly.
    ``title_line=False`` for texts without a title line (memes).
    """
    from spinscope.ingest import document_from_text  # late: ingest pulls optional heavy dependencies

    return document_from_text(
        article.text,
        name=str(article.path),
        layout="lines",
        title_line=title_line,
        clean=False,
        detect_language=detect_language,
        doc_id=article.id,
    )


def span_in_document(span: GoldSpan, document: Document) -> Span:
    """The gold span as a :class:`~spinscope.document.Span` of *document* (offsets mapped from the source)."""
    from spinscope.document import Span

    start, end = document.from_source(span.start, span.end)
    return Span(start, end, span.label)

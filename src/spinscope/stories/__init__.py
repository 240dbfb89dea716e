"""Stories: group articles that report the same event and follow quotes across them.

>>> stories = group_stories(documents)  # doctest: +SKIP
>>> threads = quote_drift([d for d in documents if d.id in stories[0].doc_ids])  # doctest: +SKIP

Stages, one module each: :mod:`~spinscope.stories.embed` (sentence
vectors from the bundled encoder), :mod:`~spinscope.stories.cluster`
(pairwise evidence and scikit-learn's agglomerative clustering) and
:mod:`~spinscope.stories.drift` (quote alignment and word diffs). Two
analyses side by side, and their HTML page, are in
:mod:`spinscope.report.compare`: the report layer reads stories, never the
other way round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from spinscope.document import Document
from spinscope.stories.cluster import (
    DEFAULT_ENTITY_WEIGHT,
    DEFAULT_SPEAKER_WEIGHT,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW_DAYS,
    PairScores,
    Story,
    document_from_dict,
    group_stories,
    key_entities,
    pair_scores,
    parse_date,
)
from spinscope.stories.drift import (
    Edit,
    QuoteItem,
    QuoteThread,
    QuoteVersion,
    align_quotes,
    quote_drift,
    story_drift,
)
from spinscope.stories.embed import embed_texts

__all__ = [
    "DEFAULT_ENTITY_WEIGHT",
    "DEFAULT_SPEAKER_WEIGHT",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW_DAYS",
    "Edit",
    "PairScores",
    "QuoteItem",
    "QuoteThread",
    "QuoteVersion",
    "Story",
    "align_quotes",
    "document_from_dict",
    "embed_texts",
    "group_stories",
    "key_entities",
    "pair_scores",
    "parse_date",
    "quote_drift",
    "story_drift",
    "stories_report",
]


def stories_report(
    docs: Sequence[Document],
    analyses: Sequence[Mapping[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float | None = DEFAULT_WINDOW_DAYS,
    drift: bool = True,
) -> list[dict[str, Any]]:
    """Stories of ``docs`` as JSON-ready dicts, each with its ``quote_drift`` threads.

    What ``spinscope stories --format json`` prints and the HTML report's
    stories section shows.
    """
    stories = group_stories(docs, analyses, threshold=threshold, window_days=window_days)
    threads = story_drift(stories, docs, analyses) if drift and stories else {}
    return [{**st.to_dict(), "quote_drift": [t.to_dict() for t in threads.get(st.id, [])]} for st in stories]

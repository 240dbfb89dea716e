"""Put the genre model's label on an Analysis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from spinscope.analysis import Evidence, LabelScore
from spinscope.genre.model import GenreModel, article_rows_leave_one_out

if TYPE_CHECKING:
    from spinscope.analysis import Analysis

__all__ = ["label_genre"]


#: Leave-one-out evidence is searched among this many body paragraphs (the first ones), to keep it linear.
EVIDENCE_PARAGRAPHS = 40


def label_genre(analysis: Analysis, model: GenreModel, covered: Sequence[int], vectors: np.ndarray) -> None:
    """Set ``genre`` and ``genre_probabilities`` from the paragraphs ``covered`` (``vectors[j]`` is paragraph ``covered[j]``'s).

    The title paragraphs give the title features; the others are the body.
    Evidence: the two body paragraphs (among the first
    :data:`EVIDENCE_PARAGRAPHS`) without which the chosen genre's
    probability falls the most; the score is that fall. A paragraph read
    alone is no use here: its form (one paragraph, no quotes) is not an
    article's.
    """
    doc = analysis.document
    text = [doc.text[p.start : p.end] for p in doc.paragraphs]
    title = " ".join(text[i] for i, p in enumerate(doc.paragraphs) if p.kind == "title") or doc.title or ""
    body = [i for i, p in enumerate(doc.paragraphs) if p.kind != "title"]
    row_of = {i: j for j, i in enumerate(covered)}
    tried = body[:EVIDENCE_PARAGRAPHS] if len(body) > 1 else []
    # One pass: the rows without each tried paragraph come in closed form from per-paragraph counts and
    # vectors, the same rows as recomputing the article without it (41 passes over the text, before).
    rows = article_rows_leave_one_out(title, [text[i] for i in body], vectors, range(len(tried)), [row_of.get(i) for i in tried])
    probs = model.probs(rows)
    best = int(model.decide(rows[:1], probs[:1])[0])
    fall = probs[0, best] - probs[1:, best]
    evidence = tuple(
        Evidence(doc.paragraphs[tried[j]].start, doc.paragraphs[tried[j]].end, float(fall[j]), "paragraph", tried[j])
        for j in np.argsort(-fall)[:2]
        if fall[j] > 0
    )
    analysis.genre = LabelScore(model.genres[best], float(probs[0, best]), evidence)
    analysis.genre_probabilities = {g: float(p) for g, p in zip(model.genres, probs[0], strict=True)}

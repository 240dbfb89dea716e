"""Genre, frames and persuasion techniques (paragraphs and spans) for one Document.

Run by the pipeline's ``techniques.v2`` component: it needs a Document and a
:class:`~spinscope.models.bundle.SpinModel`, and fills ``genre``, ``frames``,
``paragraphs`` and ``spans`` of an :class:`~spinscope.analysis.Analysis`.

Paragraph labels and spans agree by construction: a span is kept only
where its paragraph carries the technique, and a paragraph label with no
span above its threshold is backed by the tokens the model scored highest
for it, marked ``strongest-tokens`` so nobody mistakes them for a span.

A span made only of function words ("the", "of", "and": :data:`FUNCTION_WORDS`)
is dropped: such a word cannot persuade on its own, and showing it as a
technique's evidence (``techniques.v1`` did) misleads. Pronouns stay: "we"
and "they" carry flag-waving and us-against-them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from spinscope.analysis import Analysis, Evidence, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.document import Document
from spinscope.models.bundle import ParagraphOutput, SpinModel

__all__ = ["decode_spans", "detect"]

#: Closed-class words that never make a span on their own (articles, prepositions, conjunctions, forms of "be").
FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a an the of to in on at by for from with into onto over under as and or but nor so if than
    that this these those is are was were be been being am it its there then also just
    """.split()
)
_WORD = re.compile(r"\w+(?:['’]\w+)?")


def only_function_words(text: str) -> bool:
    """Whether *text* has no word outside :data:`FUNCTION_WORDS` (an empty text counts as such)."""
    return all(w.lower() in FUNCTION_WORDS for w in _WORD.findall(text))


#: Paragraphs shown as evidence for an article-level label.
ARTICLE_EVIDENCE = 2


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a token range to whole words: wordpieces must not cut a word in two."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def decode_spans(
    text: str, out: ParagraphOutput, thresholds: np.ndarray, techniques: list[str]
) -> list[tuple[int, int, str, float]]:
    """Character spans ``(start, end, technique, score)`` within one paragraph's *text*.

    Runs of tokens whose probability clears the technique's threshold become
    a span (a one-token dip inside a run does not split it); overlapping
    spans of one technique from different windows are merged; a span of
    function words alone is dropped (see the module docstring).
    """
    found: dict[str, list[tuple[int, int, float]]] = {}
    for probs, offsets in out.windows:
        real = np.fromiter((b > a for a, b in offsets), dtype=bool, count=len(offsets))
        # One vectorised test for every token and technique; most paragraphs have no hit at all.
        hits = (probs[: len(offsets)] >= thresholds) & real[:, None]
        for k in np.flatnonzero(hits.any(axis=0)):
            tech = techniques[k]
            above = np.flatnonzero(hits[:, k]).tolist()
            runs: list[list[int]] = [[above[0]]]
            for i in above[1:]:
                if i - runs[-1][-1] <= 2:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            for run in runs:
                idx = range(run[0], run[-1] + 1)
                score = float(np.mean([probs[i, k] for i in idx]))
                start, end = _widen_to_words(text, offsets[run[0]][0], offsets[run[-1]][1])
                found.setdefault(tech, []).append((start, end, score))
    spans: list[tuple[int, int, str, float]] = []
    for tech, items in found.items():
        items.sort()
        merged: list[list[float]] = []
        for s, e, sc in items:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
                merged[-1][2] = max(merged[-1][2], sc)
            else:
                merged.append([s, e, sc])
        spans.extend((int(s), int(e), tech, float(sc)) for s, e, sc in merged if not only_function_words(text[int(s) : int(e)]))
    spans.sort(key=lambda x: (x[0], x[1], x[2]))
    return spans


def _strongest_tokens(text: str, out: ParagraphOutput, k: int) -> tuple[int, int, float] | None:
    """The best-scoring token for technique *k* and its neighbours within half its score."""
    best: tuple[float, int, int] | None = None
    for w, (probs, offsets) in enumerate(out.windows):
        for i, (a, b) in enumerate(offsets):
            if b > a and (best is None or probs[i, k] > best[0]):
                best = (float(probs[i, k]), w, i)
    if best is None:
        return None
    score, w, i = best
    probs, offsets = out.windows[w]
    lo = hi = i
    while lo > 0 and offsets[lo - 1][1] > offsets[lo - 1][0] and probs[lo - 1, k] >= score / 2:
        lo -= 1
    while hi + 1 < len(offsets) and offsets[hi + 1][1] > offsets[hi + 1][0] and probs[hi + 1, k] >= score / 2:
        hi += 1
    start, end = _widen_to_words(text, offsets[lo][0], offsets[hi][1])
    return start, end, score


def detect(
    doc: Document,
    model: SpinModel,
    analysis: Analysis | None = None,
    batch_size: int = 32,
    outputs: Iterable[tuple[int, ParagraphOutput]] | None = None,
) -> Analysis:
    """Run the model over *doc* and fill an :class:`Analysis` (see module docstring).

    ``outputs``: ``(paragraph index, encoder output)`` pairs in paragraph
    order, when the caller encoded them (the pipeline's ``encoder``
    component, which reads only the English paragraphs); article labels then
    come from those paragraphs alone. By default every paragraph is encoded
    here, streamed, so a huge article stays in bounded memory.
    """
    analysis = analysis or Analysis(document=doc)
    techniques = model.techniques
    para_th = model.thresholds("techniques")
    span_th = model.thresholds("spans")
    means: list[np.ndarray] = []
    read: list[int] = []
    if outputs is None:
        texts = [doc.paragraph_text(i) for i in range(len(doc.paragraphs))]
        outputs = enumerate(model.encode_paragraphs(texts, batch_size=batch_size))
    for index, out in outputs:
        means.append(out.mean)
        read.append(index)
        paragraph = doc.paragraphs[index]
        text = doc.paragraph_text(index)
        spans = decode_spans(text, out, span_th, techniques)
        labels: list[LabelScore] = []
        for k in np.flatnonzero(out.paragraph_probs >= para_th):
            tech = techniques[k]
            evidence = [
                Evidence(paragraph.start + s, paragraph.start + e, sc, "span", index)
                for s, e, t, sc in spans
                if t == tech
            ]
            if not evidence:
                strongest = _strongest_tokens(text, out, int(k))
                if strongest:
                    s, e, sc = strongest
                    evidence = [Evidence(paragraph.start + s, paragraph.start + e, sc, "strongest-tokens", index)]
            labels.append(LabelScore(tech, float(out.paragraph_probs[k]), tuple(evidence)))
            analysis.spans.extend(
                TechniqueSpan(ev.start, ev.end, tech, ev.score, index) for ev in evidence if ev.kind == "span"
            )
        labels.sort(key=lambda ls: -ls.score)
        if labels:
            analysis.paragraphs.append(ParagraphLabels(index, tuple(labels)))
    analysis.spans.sort(key=lambda s: (s.start, s.end, s.technique))
    if means:
        _article_labels(doc, model, np.stack(means), read, analysis)
    return analysis


def _article_labels(doc: Document, model: SpinModel, means: np.ndarray, read: list[int], analysis: Analysis) -> None:
    """Genre and frames from the vectors of the paragraphs ``read`` (row ``j`` is paragraph ``read[j]``)."""
    genre_probs, frame_probs = model.article_probs(means)
    g_logits, f_logits = model.paragraph_article_logits(means)

    def evidence(logits: np.ndarray) -> tuple[Evidence, ...]:
        top = np.argsort(-logits)[:ARTICLE_EVIDENCE]
        spread = np.exp(logits - logits.max())
        return tuple(
            Evidence(doc.paragraphs[read[j]].start, doc.paragraphs[read[j]].end, float(spread[j]), "paragraph", read[j])
            for j in top
        )

    genres = model.genres
    best = int(np.argmax(genre_probs))
    analysis.genre = LabelScore(genres[best], float(genre_probs[best]), evidence(g_logits[:, best]))
    analysis.genre_probabilities = {g: float(p) for g, p in zip(genres, genre_probs, strict=True)}
    frames = model.frames
    frame_th = model.thresholds("frames")
    analysis.frame_scores = {f: float(p) for f, p in zip(frames, frame_probs, strict=True)}
    chosen = [k for k in np.argsort(-frame_probs) if frame_probs[k] >= frame_th[k]]
    analysis.frames = [LabelScore(frames[k], float(frame_probs[k]), evidence(f_logits[:, k])) for k in chosen]

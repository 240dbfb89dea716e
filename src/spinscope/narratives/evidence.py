"""Extractive evidence for a narrative: the article sentences that best support it.

Subtask 3 of SemEval-2025 Task 10 asks for a free-text explanation of why an
article carries its dominant narrative. spinscope never generates text:
it points at 1-3 sentences of the article instead, as ``[start, end)``
offsets into the text it was given (a :class:`~spinscope.document.Document`'s
``text`` or a plain string).

Each sentence is embedded with the bundled sentence encoder and scored by
its cosine with a *query*: the narrative's display name and definition
from the ``narratives`` taxonomy, followed by those of the article's
predicted sub-narratives of that narrative (their ``... : Other``
catch-alls add nothing). In ``spinscope analyze`` only the sentences of the
:data:`CANDIDATE_PARAGRAPHS` paragraphs that the narrative's head rates
highest compete (:func:`candidate_paragraphs`, from the detector's own
pass), which keeps the extra embedding small. (Scoring the sentences by
the head alone costs nothing extra but was further from the gold
explanations on en dev, 0.548 against 0.619 for the given dominant
narrative on whole articles; embedding every sentence of every article
made ``analyze`` 2.7 times slower than the bare encoder.) Sentences are taken best first while their total stays within
``max_words`` (80, the task's explanation limit); the first is always
taken, repeats never. Sentences shorter than ``min_words`` are skipped
unless nothing else is left.

>>> ev = find_evidence(text, "URW: Discrediting Ukraine")  # doctest: +SKIP
>>> [text[e.start:e.end] for e in ev]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from spinscope.narratives.model import OTHER, parent_of
from spinscope.sentences import sentence_spans

if TYPE_CHECKING:
    from spinscope.narratives.model import NarrativeModel


__all__ = [
    "CANDIDATE_PARAGRAPHS", "Evidence", "EvidenceRequest", "candidate_paragraphs", "evidence_text",
    "find_evidence", "find_evidence_many", "narrative_query", "sentence_spans",
]  # fmt: skip

@dataclass(frozen=True, slots=True)
class Evidence:
    """One supporting sentence: ``[start, end)`` of the text, its score and the narrative it supports."""

    start: int
    end: int
    score: float
    label: str

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "score": round(self.score, 4), "label": self.label}


def narrative_query(narrative: str, subnarratives: Sequence[str] = ()) -> str:
    """The text a narrative's evidence is compared with: names and definitions from the taxonomy."""
    from spinscope import taxonomy

    tax = taxonomy.narratives()
    parts: list[str] = []
    for label in (narrative, *subnarratives):
        if label.endswith(f": {OTHER}") or label == OTHER:
            continue
        if label in tax:
            lab = tax.get(label)
            parts.append(f"{lab.name}. {lab.definition}")
        else:
            parts.append(label.split(": ", 1)[-1])
    return " ".join(parts)


@dataclass(frozen=True)
class EvidenceRequest:
    """What :func:`find_evidence_many` needs for one text: see :func:`find_evidence` for each field."""

    source: Any
    narrative: str
    subnarratives: Sequence[str] = ()
    within: Sequence[tuple[int, int]] | None = None


def find_evidence(
    source: Any,
    narrative: str,
    *,
    subnarratives: Sequence[str] = (),
    k: int = 3,
    max_words: int = 80,
    min_words: int = 5,
    within: Sequence[tuple[int, int]] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> list[Evidence]:
    """Up to ``k`` sentences of ``source`` (a str or anything with ``.text``) supporting ``narrative``.

    Returns best-first :class:`Evidence` with offsets into ``source``'s text;
    an empty list for ``Other``, an empty text or ``k < 1``. Only the
    sub-narratives of ``narrative`` in ``subnarratives`` are used.
    ``within``: only sentences inside these ``[start, end)`` ranges compete
    (see :func:`candidate_paragraphs`); all of them by default.
    ``embed`` turns texts into unit vectors: the bundled English sentence
    encoder by default, the multilingual one for other languages.
    """
    request = EvidenceRequest(source, narrative, tuple(subnarratives), within)
    return find_evidence_many([request], k=k, max_words=max_words, min_words=min_words, embed=embed)[0]


def find_evidence_many(
    requests: Sequence[EvidenceRequest],
    *,
    k: int = 3,
    max_words: int = 80,
    min_words: int = 5,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> list[list[Evidence]]:
    """:func:`find_evidence` for many texts, with one ``embed`` call over all their queries and sentences.

    The encoder then fills length-sorted batches across articles instead of
    one short, ragged batch per article.
    """
    from spinscope.stories.embed import embed_texts

    encode = embed or embed_texts
    plans: list[tuple[str, list[tuple[int, int]], int] | None] = []  # (text, sentence spans, first row)
    rows: list[str] = []
    for req in requests:
        text = req.source if isinstance(req.source, str) else getattr(req.source, "text", None)
        if not isinstance(text, str):
            raise TypeError(f"find_evidence() needs a string or a Document, not {type(req.source).__name__}")
        if req.narrative == OTHER or k < 1:
            plans.append(None)
            continue
        spans = sentence_spans(text)
        if req.within is not None:
            within = req.within
            spans = [(s, e) for s, e in spans if any(a <= s and e <= b for a, b in within)]
        if not spans:
            plans.append(None)
            continue
        subs = [s for s in req.subnarratives if parent_of(s) == req.narrative]
        plans.append((text, spans, len(rows)))
        rows.append(narrative_query(req.narrative, subs))
        rows.extend(text[s:e] for s, e in spans)
    vecs = encode(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    out: list[list[Evidence]] = []
    for req, plan in zip(requests, plans, strict=True):
        if plan is None:
            out.append([])
            continue
        text, spans, first = plan
        q, sentence_rows = vecs[first], vecs[first + 1 : first + 1 + len(spans)]
        out.append(_pick(text, spans, sentence_rows @ q, req.narrative, k=k, max_words=max_words, min_words=min_words))
    return out


def _pick(
    text: str, spans: Sequence[tuple[int, int]], score: np.ndarray, narrative: str, *, k: int, max_words: int, min_words: int
) -> list[Evidence]:
    """Best-scoring sentences first, within ``max_words``; the first always, repeats never."""
    words = np.array([len(text[s:e].split()) for s, e in spans])
    order = sorted(range(len(spans)), key=lambda i: (-score[i], i))
    long_enough = [i for i in order if words[i] >= min_words] or order
    picked: list[int] = []
    seen: set[str] = set()
    total = 0
    for i in long_enough:
        if len(picked) >= k:
            break
        key = " ".join(text[spans[i][0] : spans[i][1]].lower().split())
        if key in seen or (picked and total + words[i] > max_words):
            continue  # a repeated sentence (e.g. the title again at the end) adds nothing
        seen.add(key)
        picked.append(i)
        total += int(words[i])
    return [Evidence(spans[i][0], spans[i][1], float(score[i]), narrative) for i in picked]


#: Paragraphs whose sentences compete as evidence in ``spinscope analyze``.
CANDIDATE_PARAGRAPHS = 3


def candidate_paragraphs(
    paragraph_vectors: np.ndarray, model: NarrativeModel, narrative: str, k: int = CANDIDATE_PARAGRAPHS
) -> list[int]:
    """Indices of the ``k`` paragraphs the narrative's head rates highest (each as a one-paragraph article).

    ``paragraph_vectors`` (``[P, 384]``) come from the detector's pass, so
    choosing them costs nothing; only their sentences are then embedded.
    All paragraphs when the narrative has no head.
    """
    w = model.head_direction(narrative)
    if w is None or len(paragraph_vectors) <= k:
        return list(range(len(paragraph_vectors)))
    half = w.shape[0] // 2
    unit = paragraph_vectors / np.maximum(np.linalg.norm(paragraph_vectors, axis=1, keepdims=True), 1e-6)
    return sorted(int(i) for i in np.argsort(-(unit @ (w[:half] + w[half:])))[:k])


def evidence_text(source: str, evidence: Sequence[Evidence]) -> str:
    """The evidence sentences in article order, joined by spaces (for comparison with explanations)."""
    return " ".join(source[e.start : e.end] for e in sorted(evidence, key=lambda e: e.start))

"""Named entities of an article and how the article casts them (SemEval-2025 Task 10, subtask 1).

Data flow, all inside :func:`spinscope.pipeline.analyze_documents`:

1. :func:`find_entities` -- spaCy's pinned English NER pipeline
   (:mod:`~spinscope.entities.ner`) tags each paragraph; mentions are grouped
   into entities (:mod:`~spinscope.entities.group`: same name, surname,
   defined acronyms and announced aliases; capitals and seats of
   government linked to their country), after
   :mod:`~spinscope.entities.tidy` has repaired the tagger's usual
   mistakes (title-case headline words, titles inside a name, platforms,
   outlets, adjectives of places). With ``entities.v3`` the mentions come
   instead from a small head over the detector encoder's own pass
   (:mod:`~spinscope.entities.encoder_ner`), and go through the same
   :func:`entities_from_mentions`.
2. :func:`paragraph_role_spans` -- each paragraph's mention ranges and the
   context around each (:mod:`~spinscope.entities.context`), handed to the
   detector's encoder so their states come out of the same pass.
3. :func:`assign_roles` -- the role head (:mod:`~spinscope.entities.roles`)
   gives every mention a main role and fine roles; each entity gets the
   aggregate of its mentions.

An article without named entities gets an empty list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from spinscope.entities.context import context_ranges
from spinscope.entities.group import Entity, Mention, group_mentions, name_key
from spinscope.entities.ner import ENTITY_LABELS, RawMention, find_mentions, load_ner, ner_version
from spinscope.entities.roles import (
    FINE_BY_MAIN,
    FINE_ROLES,
    MAIN_ROLES,
    RoleModel,
    RolePrediction,
    aggregate_roles,
    role_features,
)
from spinscope.entities.tidy import tidy_mentions

if TYPE_CHECKING:
    from spinscope.document import Document

__all__ = [
    "ENTITY_LABELS", "FINE_BY_MAIN", "FINE_ROLES", "MAIN_ROLES",
    "Entity", "Mention", "RoleModel", "RolePrediction",
    "assign_roles", "entities_from_mentions", "find_entities", "find_entities_many", "load_ner", "name_key", "ner_version",
    "paragraph_role_spans", "paragraph_spans",
]  # fmt: skip


def find_entities_many(
    docs: Sequence[Document], paragraphs: Sequence[Sequence[int]] | None = None
) -> list[list[Entity]]:
    """:func:`find_entities` for many documents, with one batched NER pass over all their paragraphs.

    ``paragraphs[d]`` lists the paragraphs of document ``d`` to tag (the
    English ones, when the pipeline routes by language); by default all.
    """
    chosen = [list(range(len(doc.paragraphs))) for doc in docs] if paragraphs is None else [list(p) for p in paragraphs]
    texts = [doc.text[doc.paragraphs[i].start : doc.paragraphs[i].end] for doc, idx in zip(docs, chosen, strict=True) for i in idx]
    raw = find_mentions(texts) if texts else []
    out: list[list[Entity]] = []
    pos = 0
    for doc, idx in zip(docs, chosen, strict=True):
        per_paragraph: list[list[RawMention]] = [[] for _ in doc.paragraphs]
        for i in idx:
            per_paragraph[i] = raw[pos]
            pos += 1
        out.append(entities_from_mentions(doc, per_paragraph))
    return out


def entities_from_mentions(doc: Document, per_paragraph: Sequence[Sequence[RawMention]]) -> list[Entity]:
    """Tidy a tagger's mentions (``per_paragraph[i]``: offsets into paragraph ``i``) and group them into entities.

    What both taggers share: spaCy's (:func:`find_entities_many`) and the
    encoder head's (``entities.v3``).
    """
    ranges = [(p.start, p.end) for p in doc.paragraphs]
    title = next((i for i, p in enumerate(doc.paragraphs) if p.kind == "title"), None)
    texts_of = [doc.text[p.start : p.end] for p in doc.paragraphs]
    return group_mentions(doc.text, ranges, tidy_mentions(texts_of, [list(m) for m in per_paragraph], title_index=title))


def find_entities(doc: Document) -> list[Entity]:
    """The entities of one document, in order of first mention (no roles yet)."""
    return find_entities_many([doc])[0]


def paragraph_spans(doc: Document, entities: Sequence[Entity]) -> list[list[tuple[int, int]]]:
    """For each paragraph, its mentions' ``[start, end)`` relative to the paragraph, in text order."""
    spans: list[list[tuple[int, int]]] = [[] for _ in doc.paragraphs]
    for m in sorted((m for e in entities for m in e.mentions), key=lambda m: (m.start, m.end)):
        p = doc.paragraphs[m.paragraph]
        spans[m.paragraph].append((m.start - p.start, m.end - p.start))
    return spans


def paragraph_role_spans(doc: Document, entities: Sequence[Entity]) -> list[list[tuple[int, int]]]:
    """Per paragraph: its ``n`` mention ranges (as :func:`paragraph_spans`), then their ``n`` left and ``n`` right contexts.

    All relative to the paragraph. A reader of the first ``n`` rows alone
    sees exactly what :func:`paragraph_spans` gives.
    """
    out = []
    for p, spans in zip(doc.paragraphs, paragraph_spans(doc, entities), strict=True):
        ctx = context_ranges(doc.text[p.start : p.end], spans)
        out.append([*spans, *(c[0] for c in ctx), *(c[1] for c in ctx)])
    return out


def assign_roles(
    entities: list[Entity],
    span_vectors: Sequence[np.ndarray | None],
    paragraph_means: np.ndarray,
    model: RoleModel,
    *,
    article_mean: np.ndarray | None = None,
) -> None:
    """Give every mention and entity its role, from the encoder's span vectors (in place).

    ``span_vectors[i]`` holds the vectors of paragraph ``i``'s spans in the
    order of :func:`paragraph_role_spans` (mentions, then their left and
    right contexts; with mentions only, the contexts read as zeros);
    ``paragraph_means`` is ``[P, 384]``. ``article_mean`` is the article's
    vector (default: the mean of ``paragraph_means``; the pipeline passes
    the mean of the paragraphs it encoded, when it did not encode them all).
    """
    order = sorted(
        ((e_i, m_i, m) for e_i, e in enumerate(entities) for m_i, m in enumerate(e.mentions)),
        key=lambda t: (t[2].start, t[2].end),
    )
    if not order or len(paragraph_means) == 0:
        return
    per_paragraph = [0] * len(paragraph_means)
    for _, _, m in order:
        per_paragraph[m.paragraph] += 1
    zero = np.zeros(384, np.float32)

    def row(vectors: np.ndarray | None, k: int) -> np.ndarray:
        return vectors[k] if vectors is not None and k < len(vectors) else zero

    taken = [0] * len(paragraph_means)
    parts: dict[str, list[np.ndarray]] = {"mention": [], "left": [], "right": [], "para": []}
    for _, _, m in order:
        vectors = span_vectors[m.paragraph]
        k, n = taken[m.paragraph], per_paragraph[m.paragraph]
        taken[m.paragraph] += 1
        parts["mention"].append(row(vectors, k))
        parts["left"].append(row(vectors, n + k))
        parts["right"].append(row(vectors, 2 * n + k))
        parts["para"].append(paragraph_means[m.paragraph])
    article = paragraph_means.mean(axis=0) if article_mean is None else article_mean
    X = role_features(model.blocks, {**{k: np.stack(v) for k, v in parts.items()}, "art": np.asarray(article)})
    for (e_i, m_i, m), pred in zip(order, model.predict(X), strict=True):
        entities[e_i].mentions[m_i] = replace(m, role=pred)
    for e in entities:
        e.role = aggregate_roles([m.role for m in e.mentions if m.role is not None], model.second_ratio)

"""Article features for narrative classification, from the detector's own encoder pass.

An article is cut into its paragraphs (in the SemEval-2025 files every
paragraph is one line; the first is the title). The detector model
(:class:`~spinscope.models.bundle.SpinModel`) encodes them once for every
analyzer; each paragraph's mean top-layer vector is L2-normalised, and the
article vector is the mean of those rows followed by their element-wise
maximum: ``[mean | max]``, :data:`FEATURE_DIM` = 768 values. An article
without any text gets a zero row. So narratives cost no encoder pass of
their own in ``spinscope analyze``.

>>> X = article_features(["Title\\n\\nFirst paragraph.\\nSecond one."])  # doctest: +SKIP
>>> X.shape  # doctest: +SKIP
(1, 768)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from spinscope.stories.embed import EMBEDDING_DIM
from spinscope.sentences import text_units
from spinscope.vectors import unit_rows

__all__ = ["FEATURE_DIM", "EncodedArticle", "article_features", "encode_units", "pool_units", "text_units"]

#: Width of an article feature row: mean and max of the 384-wide unit vectors.
FEATURE_DIM = 2 * EMBEDDING_DIM


def pool_units(rows: np.ndarray) -> np.ndarray:
    """``[mean | max]`` of the L2-normalised unit vectors (shape ``(n, 384)``); zeros for ``n == 0``."""
    if rows.shape[0] == 0:
        return np.zeros(FEATURE_DIM, dtype=np.float32)
    rows = unit_rows(rows)
    return np.concatenate([rows.mean(axis=0), rows.max(axis=0)]).astype(np.float32)


@dataclass(frozen=True)
class EncodedArticle:
    """One article after the detector's pass: its units, their outputs, and the asked-for spans.

    ``span_vectors[k]`` is span ``k``'s pooled state (in the order the spans
    were given) and ``span_units[k]`` the unit holding it, or None (and a
    zero row) for a span outside every unit.
    """

    units: list[tuple[int, int]]
    outputs: list[Any]
    span_units: list[int | None]
    span_vectors: np.ndarray

    @property
    def means(self) -> np.ndarray:
        """``[U, 384]`` unit vectors (zero rows for an empty article)."""
        if not self.outputs:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([o.mean for o in self.outputs])


def encode_units(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    *,
    model: Any = None,
) -> list[EncodedArticle]:
    """Each article text cut into units (:func:`text_units`) and run through the detector once.

    ``spans[a]`` holds ``[start, end)`` ranges of article ``a``'s text (entity
    mentions) whose token states are pooled in the same pass.
    """
    from spinscope.models.bundle import get_model

    out: list[EncodedArticle] = []
    for a, text in enumerate(texts):
        units = text_units(text)
        asked = list(spans[a]) if spans is not None else []
        owner = [next((u for u, (us, ue) in enumerate(units) if us <= s < ue), None) for s, _ in asked]
        vectors = np.zeros((len(asked), EMBEDDING_DIM), dtype=np.float32)
        if not units:  # nothing to encode: never load the model for an empty article
            out.append(EncodedArticle(units, [], owner, vectors))
            continue
        wanted: list[list[tuple[int, int]]] = [[] for _ in units]
        slot: list[tuple[int, int] | None] = []  # span k -> (unit, position among that unit's spans)
        for (s, e), u in zip(asked, owner, strict=True):
            if u is None:
                slot.append(None)
                continue
            us, ue = units[u]
            slot.append((u, len(wanted[u])))
            wanted[u].append((s - us, min(e, ue) - us))
        outs = list(get_model(model).encode_paragraphs([text[s:e] for s, e in units], spans=wanted))
        for k, where in enumerate(slot):
            if where is not None and outs[where[0]].span_vectors is not None:
                vectors[k] = outs[where[0]].span_vectors[where[1]]
        out.append(EncodedArticle(units, outs, owner, vectors))
    return out


def article_features(texts: Sequence[str], *, model: Any = None) -> np.ndarray:
    """One ``float32`` row of :data:`FEATURE_DIM` values per article text (detector encoder)."""
    if isinstance(texts, str):
        raise TypeError("article_features() takes a sequence of article texts, not one string")
    out = np.zeros((len(texts), FEATURE_DIM), dtype=np.float32)
    for i, encoded in enumerate(encode_units(texts, model=model)):
        out[i] = pool_units(encoded.means)
    return out

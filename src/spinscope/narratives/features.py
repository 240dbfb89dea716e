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
from typing import Any

import numpy as np

from spinscope.stories.embed import EMBEDDING_DIM

__all__ = ["FEATURE_DIM", "article_features", "encode_units", "pool_units", "text_units"]

#: Width of an article feature row: mean and max of the 384-wide unit vectors.
FEATURE_DIM = 2 * EMBEDDING_DIM


def text_units(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of the non-blank lines of ``text`` (title first), stripped of spaces.

    Offsets index ``text`` itself; a ``\\r`` before a line break is not part of a range.
    """
    if not isinstance(text, str):
        raise TypeError(f"text_units() takes a string, not {type(text).__name__}")
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def pool_units(rows: np.ndarray) -> np.ndarray:
    """``[mean | max]`` of the L2-normalised unit vectors (shape ``(n, 384)``); zeros for ``n == 0``."""
    if rows.shape[0] == 0:
        return np.zeros(FEATURE_DIM, dtype=np.float32)
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)
    return np.concatenate([rows.mean(axis=0), rows.max(axis=0)]).astype(np.float32)


def encode_units(
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    *,
    model: Any = None,
) -> list[tuple[list[tuple[int, int]], list[Any]]]:
    """For each article text: its units (:func:`text_units`) and the detector's output for each.

    ``spans[a]`` holds ``[start, end)`` ranges of article ``a``'s text (entity
    mentions) to pool in the same pass; each lands in the ``span_vectors`` of
    the unit that contains it, in the order given within that unit.
    """
    from spinscope.pipeline import get_model

    out: list[tuple[list[tuple[int, int]], list[Any]]] = []
    for a, text in enumerate(texts):
        units = text_units(text)
        if not units:  # nothing to encode: never load the model for an empty article
            out.append((units, []))
            continue
        spin = get_model(model)
        wanted: list[list[tuple[int, int]]] = [[] for _ in units]
        for s, e in spans[a] if spans is not None else ():
            for u, (us, ue) in enumerate(units):
                if us <= s < ue:
                    wanted[u].append((s - us, min(e, ue) - us))
                    break
        outs = list(spin.encode_paragraphs([text[s:e] for s, e in units], spans=wanted))
        out.append((units, outs))
    return out


def article_features(texts: Sequence[str], *, model: Any = None) -> np.ndarray:
    """One ``float32`` row of :data:`FEATURE_DIM` values per article text (detector encoder)."""
    if isinstance(texts, str):
        raise TypeError("article_features() takes a sequence of article texts, not one string")
    out = np.zeros((len(texts), FEATURE_DIM), dtype=np.float32)
    for i, (_, outs) in enumerate(encode_units(texts, model=model)):
        if outs:
            out[i] = pool_units(np.stack([o.mean for o in outs]))
    return out

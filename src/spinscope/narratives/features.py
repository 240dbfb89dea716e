"""Article features for narrative classification, from the bundled sentence encoder.

An article is cut into its non-blank lines (the first one is the title; in
the SemEval-2025 files every paragraph is one line). Each unit is embedded
with :func:`spinscope.stories.embed.embed_texts` (mean-pooled, L2-normalised
all-MiniLM-L6-v2; 256 tokens at most per unit), and the article vector is
the mean of those rows followed by their element-wise maximum:
``[mean | max]``, :data:`FEATURE_DIM` = 768 values. An article without any
text gets a zero row. Nothing is cached on disk.

>>> X = article_features(["Title\\n\\nFirst paragraph.\\nSecond one."])  # doctest: +SKIP
>>> X.shape  # doctest: +SKIP
(1, 768)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinscope.stories.embed import EMBEDDING_DIM, embed_texts

__all__ = ["FEATURE_DIM", "article_features", "pool_units", "text_units"]

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
    """``[mean | max]`` of unit embeddings (shape ``(n, 384)``); zeros for ``n == 0``."""
    if rows.shape[0] == 0:
        return np.zeros(FEATURE_DIM, dtype=np.float32)
    return np.concatenate([rows.mean(axis=0), rows.max(axis=0)]).astype(np.float32)


def article_features(texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
    """One ``float32`` row of :data:`FEATURE_DIM` values per article text.

    All units of all articles go through the encoder in one call (sorted by
    length inside :func:`embed_texts`, so batches pad little).
    """
    if isinstance(texts, str):
        raise TypeError("article_features() takes a sequence of article texts, not one string")
    units: list[str] = []
    owners: list[int] = []
    for i, text in enumerate(texts):
        for start, end in text_units(text):
            units.append(text[start:end])
            owners.append(i)
    out = np.zeros((len(texts), FEATURE_DIM), dtype=np.float32)
    if not units:
        return out
    rows = embed_texts(units, batch_size=batch_size)
    owner = np.asarray(owners)
    for i in range(len(texts)):
        out[i] = pool_units(rows[owner == i])
    return out

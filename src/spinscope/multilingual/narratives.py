"""Narratives for articles the English model cannot read.

The English narrative model (:mod:`spinscope.narratives`) reads features of
the English detector's encoder, so it has nothing to say about a Bulgarian,
Portuguese or Russian article. This module fits the *same* hierarchical
:class:`~spinscope.narratives.model.NarrativeModel` (domain, narratives,
sub-narratives, thresholds by cross-validation on train) over the
multilingual encoder's paragraph vectors instead, on the SemEval-2025
Task 10 training articles of every language that encoder reads:
:data:`NARRATIVE_LANGUAGES`. Hindi is left out: the encoder was not trained
on Devanagari, and routing skips that script anyway.

The article row is ``[mean | max]`` of its paragraph vectors
(:func:`~spinscope.multilingual.model.article_features`), the paragraphs
being the non-blank lines of the text as in English training
(:func:`~spinscope.narratives.features.text_units`). Evidence for the
dominant narrative is found as in English -- the sentences closest to the
narrative's definition among the paragraphs its head rates highest -- but
both are embedded by the multilingual encoder, whose vectors put a sentence
and its translation close together, so an English definition can find a
Russian sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from spinscope.multilingual.encoder import MultilingualEncoder
from spinscope.multilingual.model import article_features
from spinscope.narratives.evidence import Evidence, candidate_paragraphs, find_evidence
from spinscope.narratives.model import NarrativeModel, NarrativePrediction
from spinscope.vectors import unit_rows

__all__ = [
    "DEFAULT_NARRATIVES_DIR",
    "NARRATIVE_LANGUAGES",
    "article_rows",
    "embedder",
    "load_multilingual_narratives",
    "narrative_evidence",
]

#: SemEval-2025 Task 10 languages the multilingual encoder reads (Hindi's script it does not).
NARRATIVE_LANGUAGES = ("EN", "BG", "PT", "RU")
#: The packaged model (``spinscope/models/multilingual/narratives``).
DEFAULT_NARRATIVES_DIR = Path(str(resources.files("spinscope") / "models" / "multilingual" / "narratives"))

Log = Callable[[str], None]


def embedder(encoder: MultilingualEncoder) -> Callable[[list[str]], np.ndarray]:
    """``texts -> unit vectors`` with *encoder*, for :func:`~spinscope.narratives.evidence.find_evidence`."""
    return lambda texts: unit_rows(encoder.encode(list(texts)))


def article_rows(
    texts: Sequence[str], encoder: MultilingualEncoder
) -> tuple[np.ndarray, list[tuple[list[tuple[int, int]], np.ndarray]]]:
    """Feature rows ``[A, 1024]`` and, per article, its paragraph ranges and their vectors.

    All paragraphs of all texts go to the encoder in one call (it batches them).
    """
    from spinscope.narratives.features import text_units

    units = [text_units(t) for t in texts]
    flat = [t[s:e] for t, us in zip(texts, units, strict=True) for s, e in us]
    vectors = encoder.encode(flat) if flat else np.zeros((0, 512), np.float32)
    X = np.zeros((len(texts), 1024), dtype=np.float32)
    per_article = []
    at = 0
    for a, us in enumerate(units):
        rows = vectors[at : at + len(us)]
        at += len(us)
        X[a] = article_features(rows)
        per_article.append((us, rows))
    return X, per_article


def narrative_evidence(
    text: str,
    prediction: NarrativePrediction,
    paragraphs: Sequence[tuple[int, int]],
    vectors: np.ndarray,
    model: NarrativeModel,
    encoder: MultilingualEncoder,
) -> list[Evidence]:
    """Sentences supporting the dominant narrative, among the paragraphs its head rates highest."""
    if prediction.is_other or not len(paragraphs):
        return []
    best = candidate_paragraphs(vectors, model, prediction.dominant)
    return find_evidence(
        text,
        prediction.dominant,
        subnarratives=prediction.subnarratives,
        within=[paragraphs[i] for i in best],
        embed=embedder(encoder),
    )


@lru_cache(maxsize=1)
def load_multilingual_narratives() -> NarrativeModel:
    """The packaged multilingual narrative model (read once per process)."""
    return NarrativeModel.load(DEFAULT_NARRATIVES_DIR)

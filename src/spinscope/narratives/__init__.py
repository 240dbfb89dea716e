"""SemEval-2025 Task 10 narratives: classification (subtask 2) and extractive evidence (subtask 3).

>>> from spinscope.narratives import load_default_model, predict_texts, find_evidence
>>> model = load_default_model()  # doctest: +SKIP
>>> (pred,) = predict_texts(model, [text])  # doctest: +SKIP
>>> pred.narratives, pred.subnarratives, pred.dominant  # doctest: +SKIP
>>> evidence = find_evidence(text, pred.dominant, subnarratives=pred.subnarratives)  # doctest: +SKIP

Stages, one module each: :mod:`~spinscope.narratives.features` (article
vectors from the bundled encoder), :mod:`~spinscope.narratives.model`
(logistic-regression heads, hierarchy, persistence),
:mod:`~spinscope.narratives.evidence` (supporting sentences, offsets only),
:mod:`~spinscope.narratives.metrics` (the official samples-F1) and
:mod:`~spinscope.narratives.train` (training and official evaluation).
"""

from __future__ import annotations

from spinscope.narratives.evidence import Evidence, evidence_text, find_evidence, sentence_spans
from spinscope.narratives.features import FEATURE_DIM, article_features
from spinscope.narratives.metrics import SamplesF1, samples_f1, subtask2_scores
from spinscope.narratives.model import (
    DOMAINS,
    OTHER,
    NarrativeConfig,
    NarrativeModel,
    NarrativePrediction,
)
from spinscope.narratives.train import (
    DEFAULT_MODEL_DIR,
    evaluate_narratives,
    load_default_model,
    predict_texts,
    train_narratives,
)

__all__ = [
    "DEFAULT_MODEL_DIR", "DOMAINS", "FEATURE_DIM", "OTHER", "Evidence", "NarrativeConfig", "NarrativeModel",
    "NarrativePrediction", "SamplesF1", "article_features", "evaluate_narratives", "evidence_text",
    "find_evidence", "load_default_model", "predict_texts", "samples_f1", "sentence_spans",
    "subtask2_scores", "train_narratives",
]  # fmt: skip

"""A second stage that rereads a paragraph's technique scores in the light of its article.

The first-stage heads score each paragraph alone. Annotators did not: a
paragraph of an article that keeps casting doubt is more likely to carry
Doubt than the same words in a neutral report, and techniques run across
neighbouring paragraphs. For each technique, this stage is a logistic
regression over eight numbers of a paragraph:

* the logit of its own first-stage probability;
* the logits of the article's mean and maximum probability of that technique;
* the logits of the previous and the next paragraph's probability (a
  missing neighbour counts as probability 0.0001);
* its relative position in the article, the log of the article's paragraph
  count and the log of its own length in characters.

It is fitted on out-of-fold first-stage probabilities, so it learns how far
to trust scores the heads give to text they never saw. Chosen by 5-fold
cross-validation on the training articles of all six languages
(``benchmarks/multilingual_cv.py``, strategy "context"): mean micro-F1 0.429
against 0.423 without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinscope.multilingual.lexical import _sigmoid

__all__ = ["FEATURES", "ContextStage", "context_features", "logit", "out_of_fold"]

FEATURES = ("own", "article_mean", "article_max", "previous", "next", "position", "log_paragraphs", "log_length")
#: Probabilities are clipped to [EPS, 1 - EPS] before their logit is taken.
EPS = 1e-4


def logit(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` with *p* clipped away from 0 and 1."""
    q = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return np.log(q / (1 - q))


def context_features(probs: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
    """``[P, K, 8]`` features of one article's P paragraphs, given in reading order.

    *probs* is ``[P, K]`` first-stage probabilities, *lengths* the paragraphs'
    lengths in characters.
    """
    n, k = probs.shape
    if len(lengths) != n:
        raise ValueError(f"{len(lengths)} lengths for {n} paragraphs")
    out = np.zeros((n, k, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    own = logit(probs)
    missing = np.full((1, k), logit(np.zeros(1))[0])
    out[:, :, 0] = own
    out[:, :, 1] = logit(probs.mean(0))[None, :]
    out[:, :, 2] = logit(probs.max(0))[None, :]
    out[:, :, 3] = np.vstack([missing, own[:-1]])
    out[:, :, 4] = np.vstack([own[1:], missing])
    out[:, :, 5] = (np.arange(n) / max(n - 1, 1))[:, None]
    out[:, :, 6] = np.log1p(n)
    out[:, :, 7] = np.log1p(np.asarray(lengths, dtype=np.float64))[:, None]
    return out


@dataclass
class ContextStage:
    """One logistic regression per technique over :data:`FEATURES`: weights ``W`` ``[K, 8]``, biases ``b`` ``[K]``."""

    W: np.ndarray
    b: np.ndarray

    def probs(self, features: np.ndarray) -> np.ndarray:
        """``[N, K]`` second-stage probabilities from ``[N, K, 8]`` :func:`context_features` rows."""
        return _sigmoid(np.einsum("nkf,kf->nk", features, self.W) + self.b).astype(np.float32)

    def article_probs(self, probs: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
        """The stage applied to one article's first-stage ``[P, K]`` probabilities (reading order)."""
        return self.probs(context_features(probs, lengths))

    @classmethod
    def fit(cls, features: np.ndarray, Y: np.ndarray, *, C: float = 1.0) -> ContextStage:
        """Fit on ``[N, K, 8]`` features (of out-of-fold probabilities) and ``[N, K]`` gold labels.

        A technique with fewer than two positive rows keeps its first-stage
        probability (weight 1 on its own logit, 0 elsewhere).
        """
        from sklearn.linear_model import LogisticRegression

        k = Y.shape[1]
        W = np.zeros((k, len(FEATURES)), dtype=np.float32)
        W[:, 0] = 1.0
        b = np.zeros(k, dtype=np.float32)
        for j in range(k):
            y = Y[:, j] > 0
            if y.sum() >= 2 and (~y).sum() >= 2:
                clf = LogisticRegression(C=C, max_iter=2000).fit(features[:, j, :], y)
                W[j], b[j] = clf.coef_[0], clf.intercept_[0]
        return cls(W, b)

    # ---- persistence (with the model's other arrays in safetensors) ----
    def arrays(self) -> dict[str, np.ndarray]:
        return {"ctx_W": np.ascontiguousarray(self.W, dtype=np.float32), "ctx_b": np.ascontiguousarray(self.b, dtype=np.float32)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], techniques: int) -> ContextStage:
        """Rebuild from :meth:`arrays`; ``ValueError`` when the shapes do not fit *techniques* labels."""
        W, b = np.asarray(arrays["ctx_W"], np.float32), np.asarray(arrays["ctx_b"], np.float32)
        if W.shape != (techniques, len(FEATURES)) or b.shape != (techniques,):
            raise ValueError(f"context stage weights {W.shape} / {b.shape} do not fit {techniques} techniques")
        return cls(W, b)


def out_of_fold(features: np.ndarray, Y: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """``[N, K]`` probabilities, each row's from a stage fitted without its fold (``fold``: ``[N]`` fold numbers).

    What thresholds on the stage's output are chosen on. With a single fold
    there is nothing to fit on, and the rows stay 0.
    """
    out = np.zeros(Y.shape, dtype=np.float32)
    for k in np.unique(fold):
        held = fold == k
        if not held.all():
            out[held] = ContextStage.fit(features[~held], Y[~held]).probs(features[held])
    return out

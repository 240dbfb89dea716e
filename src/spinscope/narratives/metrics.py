"""SemEval-2025 Task 10 subtask-2 metric: samples-F1, coarse (narratives) and fine (sub-narratives).

Reimplements ``scorers/subtask2_scorer.py``: for every gold article, the F1
of its predicted label set against its gold label set, both restricted to
the official class list (labels outside it are ignored), and 0 when the
article has no label of the list on either side (scikit-learn's
``zero_division=0``); the score is the mean over articles, reported with
the population standard deviation. ``Other`` is an ordinary class here, so
predicting ``Other`` for a gold ``Other`` article scores 1.

Difference from the official script, on purpose: predictions are matched to
gold by article id. The official script zips the two files in file order,
so its numbers are only right when the prediction file lists the articles
in the gold file's order -- :func:`spinscope.narratives.train.evaluate_narratives`
writes them that way.

>>> samples_f1({"a": {"X", "Y"}}, {"a": {"X"}}, ["X", "Y"]).mean
0.6666666666666666
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SamplesF1", "instance_f1", "samples_f1", "subtask2_scores"]


@dataclass(frozen=True, slots=True)
class SamplesF1:
    """Mean and (population) standard deviation of per-article F1 over ``n`` articles."""

    mean: float
    std: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        return {"samples_f1": self.mean, "std": self.std, "articles": self.n}


def instance_f1(gold: Iterable[str], pred: Iterable[str], classes: Iterable[str] | None = None) -> float:
    """F1 of one article's predicted labels against its gold labels (0 if both are empty)."""
    g, p = set(gold), set(pred)
    if classes is not None:
        known = set(classes)
        g &= known
        p &= known
    tp = len(g & p)
    denom = len(g) + len(p)
    return 2.0 * tp / denom if denom else 0.0


def samples_f1(
    gold: Mapping[str, Iterable[str]],
    pred: Mapping[str, Iterable[str]],
    classes: Sequence[str],
) -> SamplesF1:
    """Samples-F1 over the articles of ``gold``; a missing prediction counts as the empty set."""
    known = set(classes)
    scores = np.array([instance_f1(gold[a], pred.get(a, ()), known) for a in gold], dtype=float)
    if scores.size == 0:
        return SamplesF1(0.0, 0.0, 0)
    return SamplesF1(float(scores.mean()), float(scores.std()), int(scores.size))


def subtask2_scores(
    gold_coarse: Mapping[str, Iterable[str]],
    gold_fine: Mapping[str, Iterable[str]],
    pred_coarse: Mapping[str, Iterable[str]],
    pred_fine: Mapping[str, Iterable[str]],
    coarse_classes: Sequence[str],
    fine_classes: Sequence[str],
) -> dict[str, SamplesF1]:
    """``{"coarse": ..., "fine": ...}`` as the official subtask-2 scorer reports them."""
    return {
        "coarse": samples_f1(gold_coarse, pred_coarse, coarse_classes),
        "fine": samples_f1(gold_fine, pred_fine, fine_classes),
    }

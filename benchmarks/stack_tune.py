"""Choose ``techniques.v4``'s stacked paragraph score on the English model's 67 held-out train articles, by cross-validation.

    python benchmarks/spans_cache.py             # once: the English model's outputs on its 67 held-out articles
    python benchmarks/stack_cache.py             # once: multilingual probabilities on them, from heads that never saw them
    python benchmarks/stack_tune.py [--write]    # choose, report; --write stores the stack in the model's config.json

``techniques.v3`` scores a paragraph with the English model alone
(``0.65 x paragraph head + 0.35 x strongest token``). ``techniques.v4``
may add what the USE-multilingual heads (first stage, or reread by their
context stage) say of the same paragraph. Candidates:

* ``mix``: ``(1 - a) x English score + a x multilingual probability``;
* ``logit``: ``sigmoid((logit(English) + b x logit(multilingual)) / (1 + b))``;
* ``lr``: one logistic regression per technique over the logits of the
  English score and the multilingual probabilities (``C`` from a grid);
  a technique with fewer than ``MIN_POSITIVES`` positive paragraphs in the
  rows it is fitted on keeps its English score.

Each is scored out of fold (5 folds by article, 4 seeds, as
``spans_tune.py`` does): the stack and the per-technique thresholds are
fitted on four folds and scored on the fifth. The best mean wins and is then
fitted on all 67 articles. Dev is never read. Writes
``benchmarks/results/stack-tune.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.models.calibrate import fit_micro_thresholds
from spinscope.models.paths import default_model_dir
from spinscope.multilingual.context import logit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from spans_tune import CACHE, SEEDS, Heldout, _folds, _micro

ROOT = Path(__file__).resolve().parents[1]
STACK_CACHE = Path("/tmp/spinscope-stack-heldout.npz")
MIN_POSITIVES = 8
MIXES = (0.1, 0.2, 0.3, 0.4, 0.5)
LOGIT_WEIGHTS = (0.25, 0.5, 1.0)
CS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

#: ``(weights [K, F], bias [K], stacked [K])`` of a stack, as the model's config stores them.
StackParams = tuple[np.ndarray, np.ndarray, np.ndarray]
#: (fit rows, score rows) -> (scores of the score rows, the stack's parameters or None for a mix).
Scorer = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, StackParams | None]]
#: A stack ships only if it beats v3 out of fold by this much (the brief's bar).
MIN_GAIN = 0.005
STACK_LABELS = Path("/tmp/spinscope-stack-labels.npz")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def fit_stack(X: np.ndarray, y: np.ndarray, C: float) -> np.ndarray:
    """``[F + 1]`` logistic-regression weights (last: bias) over *X* ``[N, F]`` for one technique."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=2000).fit(X, y)
    return np.r_[clf.coef_[0], clf.intercept_[0]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--stack-cache", type=Path, default=STACK_CACHE)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    for p in (args.cache, args.stack_cache):
        if not p.is_file():
            print(f"SKIP: no cache at {p} (run benchmarks/spans_cache.py and benchmarks/stack_cache.py first)")
            return 0
    h = Heldout(args.cache)
    z = np.load(args.stack_cache)
    assert [str(t) for t in z["techniques"]] == h.techniques
    rows = np.load(args.cache)["para_rows"]
    at = {(int(a), int(line)): r for r, (a, line) in enumerate(z["keys"])}
    order = [at[(int(a), int(line))] for a, _, line in rows]  # every labelled paragraph has a multilingual row
    ml = {"context": z["context"][order].astype(np.float64), "first": z["first"][order].astype(np.float64)}
    cfg = json.loads(((args.model or default_model_dir()) / "config.json").read_text(encoding="utf-8"))
    w = float(cfg["decoding"]["token_weight"])
    eng = (1 - w) * h.para_probs.astype(np.float64) + w * h.strongest.astype(np.float64)
    gold = h.gold_labels
    k_all = len(h.techniques)

    def fixed(score: np.ndarray) -> Scorer:
        return lambda fit, test: (score[test], None)

    def logit_stack(features: list[np.ndarray], weights: list[float]) -> Scorer:
        """Fixed weights on the logits (a geometric-style mean), the same for every technique."""
        X = np.stack([logit(f) for f in features], axis=-1)
        W = np.tile(np.asarray(weights, dtype=np.float64), (k_all, 1))

        def run(fit: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, StackParams]:
            stacked = gold[fit].sum(0) > 0
            out = np.where(stacked, _sigmoid((X[test] * W).sum(-1)), eng[test])
            return out, (W, np.zeros(k_all), stacked)

        return run

    def lr(features: list[np.ndarray], C: float) -> Scorer:
        X = np.stack([logit(f) for f in features], axis=-1)  # [N, K, F]

        def run(fit: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, StackParams]:
            W = np.zeros((k_all, len(features)))
            W[:, 0] = 1.0
            bias, stacked = np.zeros(k_all), np.zeros(k_all, dtype=bool)
            for k in range(k_all):
                y = gold[fit, k]
                if y.sum() >= MIN_POSITIVES:
                    wb = fit_stack(X[fit, k], y, C)
                    W[k], bias[k], stacked[k] = wb[:-1], wb[-1], True
            out = np.where(stacked, _sigmoid((X[test] * W).sum(-1) + bias), eng[test])
            return out, (W, bias, stacked)

        return run

    cands: dict[str, tuple[Scorer, list[str]]] = {"v3 (English score alone)": (fixed(eng), [])}
    for name, m in ml.items():
        for a in MIXES:
            cands[f"mix {name} {a}"] = (fixed((1 - a) * eng + a * m), [])
        for b in LOGIT_WEIGHTS:
            cands[f"logit {name} {b}"] = (logit_stack([eng, m], [1 / (1 + b), b / (1 + b)]), ["english", name])
    for C in CS:
        cands[f"lr english+context C={C}"] = (lr([eng, ml["context"]], C), ["english", "context"])
        cands[f"lr english+first C={C}"] = (lr([eng, ml["first"]], C), ["english", "first"])
        cands[f"lr english+first+context C={C}"] = (lr([eng, ml["first"], ml["context"]], C), ["english", "first", "context"])

    scores: dict[str, float] = {}
    for name, (scorer, _) in cands.items():
        res = []
        for seed in range(SEEDS):
            pred = np.zeros_like(gold)
            for fold in _folds(h.article, seed):
                te = np.isin(h.article, fold)
                fit, test = np.flatnonzero(~te), np.flatnonzero(te)
                s_fit, s_test = scorer(fit, fit)[0], scorer(fit, test)[0]
                pred[test] = s_test >= fit_micro_thresholds(s_fit, gold[fit])[None, :]
            res.append(_micro(pred, gold))
        scores[name] = float(np.mean(res))
        print(f"{name:<40} {scores[name]:.4f}  (seeds {' '.join(f'{r:.4f}' for r in res)})", flush=True)
    baseline = "v3 (English score alone)"
    # Only a stack the component can run may ship (the mixes of probabilities are reported, not shipped).
    best = max((n for n in cands if cands[n][1]), key=lambda n: scores[n])
    print(f"best stack: {best} {scores[best]:.4f}, against v3 {scores[baseline]:.4f}")
    record: dict[str, Any] = {"heldout_articles": len(set(h.article.tolist())), "oof_micro_f1": scores, "best": best}
    every = np.arange(len(gold))
    s_all, (W, bias, stacked) = cands[best][0](every, every)
    thresholds = fit_micro_thresholds(s_all, gold)
    block = {
        "version": 4,
        "chosen_by": "benchmarks/stack_tune.py on the 67 held-out en train articles",
        "candidate": best,
        "oof_micro_f1": round(scores[best], 4),
        "v3_oof_micro_f1": round(scores[baseline], 4),
        "features": cands[best][1],
        "weights": [[round(float(x), 5) for x in row] for row in W],
        "bias": [round(float(x), 5) for x in bias],
        "stacked": [bool(x) for x in stacked],
        "thresholds": [round(float(t), 4) for t in thresholds],
    }
    record["stack"] = block
    # The labels that gate spans, for ``spans_tune.py --labels`` to re-choose span rules on: per fold of its
    # out-of-fold loop (seed 0), the stack and thresholds fitted without the fold, over every paragraph; and on all 67.
    fold_labels = []
    for fold in _folds(h.article, 0):
        fit = np.flatnonzero(~np.isin(h.article, fold))
        s_fit = cands[best][0](fit, fit)[0]
        fold_labels.append(cands[best][0](fit, every)[0] >= fit_micro_thresholds(s_fit, gold[fit])[None, :])
    np.savez_compressed(STACK_LABELS, folds=np.stack(fold_labels), every=s_all >= thresholds[None, :])
    out = ROOT / "benchmarks" / "results" / "stack-tune.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if args.write:
        if scores[best] < scores[baseline] + MIN_GAIN:
            print(f"not written: the stack gains less than {MIN_GAIN} out of fold")
            return 0
        cfg_path = (args.model or default_model_dir()) / "config.json"
        cfg["decoding"]["stack"] = block
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the stack to {cfg_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

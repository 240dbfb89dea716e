"""How the multilingual technique heads and thresholds were chosen: cross-validation on *train* only.

Run: ``nice -n 19 .venv/bin/python benchmarks/multilingual_cv.py [--data-dir DIR]
[--char-features N --word-features N]`` (35-45 minutes on 2 cores). Dev is never read.

1. The SemEval-2023 Task 3 train articles of en, fr, ge, it, po and ru are
   split into 5 folds per language (by article). For each fold, the
   sentence-vector head and the n-gram head are trained on the other four
   (all languages together) and predict it, so every training paragraph gets
   out-of-fold probabilities from both.
2. Threshold strategies are compared the way the trainer would use them: for
   each of 8 random draws, 15% of each language's articles calibrate, the
   rest are scored (micro-F1 per language):
   ``per-language`` (per-label thresholds on that language's 15%, the
   earlier design), ``pooled`` (per-label thresholds on every language's
   15% together) and ``pooled+shift`` (those, moved by one shift per
   language: what ships).

Writes ``benchmarks/results/multilingual-cv-<char>-<word>.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from spinscope.datasets import default_data_dir
from spinscope.models.calibrate import fit_micro_thresholds, micro_f1
from spinscope.multilingual import lexical
from spinscope.multilingual.context import context_features, logit, out_of_fold
from spinscope.multilingual.encoder import load_multilingual_encoder
from spinscope.multilingual.lexical import LexicalHead, _sigmoid
from spinscope.multilingual.model import LEXICAL_WEIGHT
from spinscope.multilingual.train import (
    DATASET_LANGUAGES,
    _fit_technique_head,
    encode_split,
    language_thresholds,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FOLDS, DRAWS = 5, 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--char-features", type=int, default=lexical.CHAR_FEATURES)
    parser.add_argument("--word-features", type=int, default=lexical.WORD_FEATURES)
    args = parser.parse_args(argv)
    lexical.CHAR_FEATURES, lexical.WORD_FEATURES = args.char_features, args.word_features
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    started = time.time()
    encoder = load_multilingual_encoder()
    langs, arts, folds, X, T, rows_y, index = [], [], [], [], [], [], []
    techniques: list[str] = []
    for lang in DATASET_LANGUAGES:
        split = encode_split(data_dir, lang, "train", encoder)
        techniques = list(split.techniques)
        ids = sorted({a for a, _, _ in split.rows})
        np.random.default_rng(7).shuffle(ids)
        fold_of = {a: k % FOLDS for k, a in enumerate(ids)}
        for a, i, labels in split.rows:
            langs.append(lang)
            arts.append(a)
            index.append(i)
            folds.append(fold_of[a])
            X.append(split.vectors[a][i])
            T.append(split.texts[a][i])
            rows_y.append([t in labels for t in techniques])
    L, A, F = np.array(langs), np.array(arts), np.array(folds)
    Xm, Y = np.stack(X), np.array(rows_y, dtype=np.float32)
    print(f"{len(Y)} training paragraphs encoded in {time.time() - started:.0f} s", flush=True)

    vec_p, lex_p = np.zeros_like(Y), np.zeros_like(Y)
    for k in range(FOLDS):
        tr, te = np.flatnonzero(F != k), np.flatnonzero(F == k)
        mean, scale = Xm[tr].mean(0), Xm[tr].std(0) + 1e-6
        W, b = _fit_technique_head((Xm[tr] - mean) / scale, Y[tr], epochs=20, seed=13)
        vec_p[te] = 1 / (1 + np.exp(-(((Xm[te] - mean) / scale) @ W + b)))
        lex_p[te] = LexicalHead.fit([T[i] for i in tr], Y[tr]).probs([T[i] for i in te])
        print(f"fold {k} done at {time.time() - started:.0f} s", flush=True)

    gold = Y.astype(bool)
    first = _sigmoid((1 - LEXICAL_WEIGHT) * logit(vec_p) + LEXICAL_WEIGHT * logit(lex_p))  # the model's blend
    # Every paragraph of a training article is a row, so an article's rows in paragraph order are the article.
    Z = np.zeros((*Y.shape, 8))
    order = np.array(index)
    for key in {(x, a) for x, a in zip(L, A, strict=True)}:
        rows = np.flatnonzero((L == key[0]) & (A == key[1]))
        rows = rows[np.argsort(order[rows])]
        Z[rows] = context_features(first[rows], [len(T[i]) for i in rows])
    context = out_of_fold(Z, Y, F)
    heads = {
        "vector": vec_p,
        "n-gram": lex_p,
        "blend 0.5": 0.5 * vec_p + 0.5 * lex_p,
        "logit blend 0.5 (first stage)": first,
        "logit blend + context (ships)": context,
    }
    names = list(DATASET_LANGUAGES)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for head, P in heads.items():
        scores: dict[str, dict[str, list[float]]] = {s: {x: [] for x in names} for s in ("per-language", "pooled", "pooled+shift")}
        for draw in range(DRAWS):
            rng = np.random.default_rng(100 + draw)
            cal = np.zeros(len(Y), dtype=bool)
            for x in names:
                ids = np.unique(A[L == x])
                rng.shuffle(ids)
                cal |= (L == x) & np.isin(A, ids[: max(1, round(0.15 * len(ids)))])
            pooled = fit_micro_thresholds(P[cal], gold[cal])
            for x in names:
                c, e = cal & (L == x), ~cal & (L == x)
                own = fit_micro_thresholds(P[c], gold[c])
                own[gold[c].sum(0) == 0] = pooled[gold[c].sum(0) == 0]
                _, shifted = language_thresholds(P[c], gold[c], pooled)
                scores["per-language"][x].append(micro_f1(P[e], gold[e], own))
                scores["pooled"][x].append(micro_f1(P[e], gold[e], pooled))
                scores["pooled+shift"][x].append(micro_f1(P[e], gold[e], shifted))
        # Out-of-fold: thresholds from the other folds' out-of-fold rows, scored on this fold.
        picked = np.zeros_like(gold)
        for k in range(FOLDS):
            c = F != k
            pooled = fit_micro_thresholds(P[c], gold[c])
            for x in names:
                cx, e = c & (L == x), (F == k) & (L == x)
                picked[e] = P[e] >= language_thresholds(P[cx], gold[cx], pooled)[1]
        for x in names:
            m = L == x
            tp, fp, fn = (picked[m] & gold[m]).sum(), (picked[m] & ~gold[m]).sum(), (~picked[m] & gold[m]).sum()
            scores.setdefault("out-of-fold", {})[x] = [float(2 * tp / max(2 * tp + fp + fn, 1))]
        for strategy, per in scores.items():
            key = f"{head} / {strategy}"
            results[key] = {x: round(float(np.mean(v)), 4) for x, v in per.items()}
            print(f"{key:<50}" + " ".join(f"{x} {v:.3f}" for x, v in results[key].items()), flush=True)

    record = {
        "data": "SemEval-2023 Task 3 train splits only",
        "ngram_vocabulary": {"char": args.char_features, "word": args.word_features},
        "folds": FOLDS,
        "calibration_draws": DRAWS,
        "calibration_fraction": 0.15,
        "paragraphs": len(Y),
        "micro_f1": results,
        "seconds": round(time.time() - started),
    }
    out = RESULTS / f"multilingual-cv-{args.char_features}-{args.word_features}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

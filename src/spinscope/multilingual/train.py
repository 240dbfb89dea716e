"""``spinscope train --task multilingual``: one set of heads for six languages.

Trained jointly on the SemEval-2023 Task 3 *train* splits of en, fr, ge,
it, po and ru (never dev):

1. every article is read as :func:`~spinscope.datasets.to_document` reads it
   for evaluation, and each paragraph is encoded once with the multilingual
   encoder;
2. per language, a seeded share of the training articles is held apart --
   for English exactly the articles the English model held apart, so the two
   models can be compared on articles neither was trained on;
3. the technique heads -- a linear layer over the paragraph vector
   (class-weighted binary cross-entropy) and a word and character n-gram
   head over its text (:mod:`spinscope.multilingual.lexical`) -- are fitted
   on every language's remaining paragraphs at once, the genre and frame
   heads (scikit-learn logistic regression) on their articles;
4. technique thresholds are chosen per label on the held-out articles of
   every language together (the pooled set), then moved for each language
   by one shift chosen on that language's held-out articles; frames get
   one threshold per language. Per-label thresholds per language were
   tried first: on the ~20-60 held-out articles a language has, they
   overfit (5-fold cross-validation on train; see BENCHMARKS.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import DatasetError
from spinscope.multilingual.encoder import (
    ENCODER_NAME,
    FILE_SHA256,
    MultilingualEncoder,
    load_multilingual_encoder,
)
from spinscope.multilingual.lexical import LexicalHead
from spinscope.multilingual.model import POOLED, MultilingualModel, article_features

__all__ = ["DATASET_LANGUAGES", "EncodedSplit", "encode_split", "holdout_ids", "train_multilingual"]

Log = Callable[[str], None]

#: SemEval-2023 folder name -> ISO 639-1 code (what language ID reports).
DATASET_LANGUAGES = {"en": "en", "fr": "fr", "ge": "de", "it": "it", "po": "pl", "ru": "ru"}


def holdout_ids(ids: Sequence[str], fraction: float, seed: int) -> set[str]:
    """The articles held apart: the first ``fraction`` of the sorted ids shuffled with *seed*.

    The English model's trainer draws its held-out articles the same way.
    """
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return set(order[: max(1, round(len(order) * fraction))])


@dataclass
class EncodedSplit:
    """One language's split, encoded: paragraph vectors per article plus the gold labels."""

    lang: str  # ISO code
    vectors: dict[str, np.ndarray]  # article id -> [paragraphs, 512]
    texts: dict[str, list[str]]  # article id -> its paragraphs' texts
    rows: list[tuple[str, int, tuple[str, ...]]]  # (article id, paragraph index, techniques)
    genres: dict[str, str]
    frames: dict[str, tuple[str, ...]]
    technique_ids: list[str] = field(default_factory=list)  # subtask-3 article ids
    techniques: tuple[str, ...] = ()
    frame_labels: tuple[str, ...] = ()


def encode_split(data_dir: Path, lang: str, split: str, encoder: MultilingualEncoder) -> EncodedSplit:
    """Read and encode one SemEval-2023 language/split (every paragraph of every article once)."""
    from spinscope.datasets import load_semeval2023, to_document

    ds = load_semeval2023(data_dir, lang, split)
    texts: dict[str, Any] = {}
    for subtask in (3, 1, 2):  # the subtask-3 copy first: its lines are what the labels count
        for aid, article in ds.articles.get(subtask, {}).items():
            texts.setdefault(aid, article)
    docs = {aid: to_document(article) for aid, article in sorted(texts.items())}
    flat = [doc.text[p.start : p.end] for doc in docs.values() for p in doc.paragraphs]
    encoded = encoder.encode(flat)
    vectors: dict[str, np.ndarray] = {}
    paragraph_texts: dict[str, list[str]] = {}
    at = 0
    for aid, doc in docs.items():
        vectors[aid] = encoded[at : at + len(doc.paragraphs)]
        paragraph_texts[aid] = flat[at : at + len(doc.paragraphs)]
        at += len(doc.paragraphs)
    rows = []
    for p in ds.paragraphs:
        index = docs[p.article_id].paragraph_by_line(p.line) if p.article_id in docs else None
        if index is not None:
            rows.append((p.article_id, index, tuple(p.techniques or ())))
    return EncodedSplit(
        lang=DATASET_LANGUAGES.get(lang, lang),
        vectors=vectors,
        texts=paragraph_texts,
        rows=rows,
        genres=dict(ds.genres),
        frames={k: tuple(v) for k, v in ds.frames.items()},
        technique_ids=sorted(ds.articles.get(3, {})),
        techniques=tuple(ds.techniques),
        frame_labels=tuple(ds.frame_labels),
    )


def _fit_technique_head(
    X: np.ndarray, Y: np.ndarray, *, epochs: int, seed: int, weight_decay: float = 1e-4
) -> tuple[np.ndarray, np.ndarray]:
    """A linear multi-label layer; rare labels get a positive weight of at most 10."""
    import torch

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(Y, dtype=torch.float32)
    layer = torch.nn.Linear(X.shape[1], Y.shape[1])
    drop = torch.nn.Dropout(0.1)  # on the input: the features are 512 correlated dimensions
    pos = y.mean(0).clamp(min=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - pos) / pos).clamp(max=10.0))
    opt = torch.optim.AdamW(layer.parameters(), lr=1e-3, weight_decay=weight_decay)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 64):
            b = order[i : i + 64]
            opt.zero_grad()
            loss_fn(layer(drop(x[b])), y[b]).backward()
            opt.step()
    return layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()


#: Shifts tried for a language's thresholds around the pooled set.
SHIFTS = np.round(np.arange(-0.3, 0.301, 0.025), 3)


def _best_shift(probs: np.ndarray, gold: np.ndarray, pooled: np.ndarray) -> float:
    """The shift of every pooled threshold that maximises micro-F1 (the smallest one among equals)."""
    from spinscope.models.calibrate import micro_f1

    if not gold.any():
        return 0.0
    return float(max(SHIFTS, key=lambda d: (micro_f1(probs, gold, np.clip(pooled + d, 0.02, 0.98)), -abs(d))))


def _best_threshold(probs: np.ndarray, gold: np.ndarray) -> float:
    """One threshold for every label, maximising micro-F1."""
    from spinscope.models.calibrate import GRID, micro_f1

    return float(max(GRID, key=lambda t: micro_f1(probs, gold, np.full(probs.shape[1], t))))


def train_multilingual(
    data_dir: Path,
    *,
    languages: Sequence[str] = tuple(DATASET_LANGUAGES),
    seed: int = 13,
    holdout_fraction: float = 0.15,
    epochs: int = 20,
    encoder: MultilingualEncoder | None = None,
    log: Log = print,
) -> MultilingualModel:
    """Fit the multilingual heads on the *train* splits of *languages* (dataset codes)."""
    from sklearn.linear_model import LogisticRegression

    from spinscope.models.calibrate import fit_micro_thresholds, micro_f1

    if not (Path(data_dir) / "semeval2023-task3").is_dir():
        raise DatasetError("E200", str(data_dir), "SemEval-2023 Task 3 data not found (pass --data-dir)")
    started = time.time()
    encoder = encoder or load_multilingual_encoder()
    splits: list[EncodedSplit] = []
    for lang in languages:
        t0 = time.time()
        splits.append(encode_split(Path(data_dir), lang, "train", encoder))
        log(f"{lang}: {len(splits[-1].vectors)} articles, {len(splits[-1].rows)} paragraphs encoded in {time.time() - t0:.0f} s")
    techniques, frame_labels = list(splits[0].techniques), list(splits[0].frame_labels)
    genres = ["opinion", "reporting", "satire"]

    held = {s.lang: holdout_ids(s.technique_ids, holdout_fraction, seed) for s in splits}

    def paragraph_matrix(s: EncodedSplit, hold: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
        rows = [r for r in s.rows if (r[0] in held[s.lang]) == hold]
        X = np.stack([s.vectors[a][i] for a, i, _ in rows]) if rows else np.zeros((0, 512), np.float32)
        Y = np.array([[t in labels for t in techniques] for _, _, labels in rows], dtype=np.float32).reshape(-1, len(techniques))
        return X, Y, [s.texts[a][i] for a, i, _ in rows]

    fit = [paragraph_matrix(s, False) for s in splits]
    X = np.vstack([x for x, _, _ in fit])
    Y = np.vstack([y for _, y, _ in fit])
    p_mean, p_scale = X.mean(0), X.std(0) + 1e-6
    W, b = _fit_technique_head((X - p_mean) / p_scale, Y, epochs=epochs, seed=seed)
    log(f"technique head fitted on {len(X)} paragraphs")
    t0 = time.time()
    lexical = LexicalHead.fit([t for _, _, texts in fit for t in texts], Y)
    log(f"n-gram head fitted ({lexical.W.shape[0]} n-grams) in {time.time() - t0:.0f} s")

    # Article heads.
    def article_rows(s: EncodedSplit, hold: bool) -> list[str]:
        ids = sorted(set(s.genres) | set(s.frames))
        return [a for a in ids if a in s.vectors and (a in held[s.lang]) == hold]

    A_fit, g_fit, f_fit = [], [], []
    for s in splits:
        for a in article_rows(s, False):
            A_fit.append(article_features(s.vectors[a]))
            g_fit.append(s.genres.get(a))
            f_fit.append(s.frames.get(a))
    A = np.stack(A_fit)
    a_mean, a_scale = A.mean(0), A.std(0) + 1e-6
    An = (A - a_mean) / a_scale
    has_g = [i for i, g in enumerate(g_fit) if g in genres]
    genre_clf = LogisticRegression(C=0.05, class_weight="balanced", max_iter=3000)
    genre_clf.fit(An[has_g], [genres.index(g_fit[i]) for i in has_g])
    genre_W = np.zeros((An.shape[1], len(genres)), np.float32)
    genre_b = np.full(len(genres), -10.0, np.float32)  # a genre absent from training is never predicted
    classes = list(genre_clf.classes_)
    if len(classes) == 2:  # scikit-learn keeps one row, for the second class, when there are two
        genre_W[:, classes[1]], genre_b[classes[1]] = genre_clf.coef_[0], genre_clf.intercept_[0]
        genre_b[classes[0]] = 0.0
    else:
        for row, cls in enumerate(classes):
            genre_W[:, cls], genre_b[cls] = genre_clf.coef_[row], genre_clf.intercept_[row]
    has_f = [i for i, f in enumerate(f_fit) if f is not None]
    frames_W = np.zeros((An.shape[1], len(frame_labels)), np.float32)
    frames_b = np.full(len(frame_labels), -10.0, np.float32)
    for k, frame in enumerate(frame_labels):
        target = np.array([frame in f_fit[i] for i in has_f])
        if 0 < target.sum() < len(target):
            clf = LogisticRegression(C=0.05, max_iter=3000).fit(An[has_f], target)
            frames_W[:, k], frames_b[k] = clf.coef_[0], clf.intercept_[0]
    log(f"genre and frame heads fitted on {len(A)} articles")

    model = MultilingualModel(
        techniques=techniques,
        frames=frame_labels,
        genres=genres,
        languages=[s.lang for s in splits],
        arrays={
            "p_mean": p_mean, "p_scale": p_scale, "tech_W": W, "tech_b": b,
            "a_mean": a_mean, "a_scale": a_scale, "genre_W": genre_W, "genre_b": genre_b,
            "frames_W": frames_W, "frames_b": frames_b,
        },
        technique_thresholds={},
        frame_thresholds={},
        lexical=lexical,
    )

    # Thresholds on the held-out articles only.
    hold = {s.lang: paragraph_matrix(s, True) for s in splits}
    probs = {lang: model.technique_probs(x, texts) for lang, (x, _, texts) in hold.items()}
    all_p = np.vstack(list(probs.values()))
    all_y = np.vstack([y for _, y, _ in hold.values()]).astype(bool)
    pooled = fit_micro_thresholds(all_p, all_y)
    model.technique_thresholds[POOLED] = pooled
    counts: dict[str, Any] = {}
    heldout_scores: dict[str, Any] = {}
    frame_probs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for s in splits:
        _, y, _ = hold[s.lang]
        gold = y.astype(bool)
        shift = _best_shift(probs[s.lang], gold, pooled)
        th = np.clip(pooled + shift, 0.02, 0.98)
        model.technique_thresholds[s.lang] = th
        ids = [a for a in article_rows(s, True) if a in s.frames]
        fp = np.stack([model.article_probs(s.vectors[a])[1] for a in ids]) if ids else np.zeros((0, len(frame_labels)))
        fg = np.array([[f in s.frames[a] for f in frame_labels] for a in ids], dtype=bool).reshape(-1, len(frame_labels))
        frame_probs[s.lang] = (fp, fg)
        model.frame_thresholds[s.lang] = _best_threshold(fp, fg) if len(ids) else 0.5
        counts[s.lang] = {
            "articles": len(s.vectors),
            "paragraphs": len(s.rows),
            "held_out_articles": len(held[s.lang]),
            # Paragraphs per technique: a zero is a label this language cannot teach.
            "technique_paragraphs": {t: sum(t in r[2] for r in s.rows) for t in techniques},
            "threshold_shift": shift,
        }
        heldout_scores[s.lang] = {"techniques_micro_f1": round(micro_f1(probs[s.lang], gold, th), 4)}
    model.frame_thresholds[POOLED] = _best_threshold(
        np.vstack([p for p, _ in frame_probs.values()]), np.vstack([g for _, g in frame_probs.values()])
    )
    model.meta = {
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "encoder": {"name": ENCODER_NAME, "sha256": FILE_SHA256},
        "training": {
            "data": "SemEval-2023 Task 3 train splits (dev never seen)",
            "languages": list(languages),
            "seed": seed,
            "holdout_fraction": holdout_fraction,
            "epochs": epochs,
            "seconds": round(time.time() - started),
        },
        "counts": counts,
        "held_out": heldout_scores,
    }
    log("held-out technique micro-F1 (thresholds fitted there, so optimistic): "
        + ", ".join(f"{k} {v['techniques_micro_f1']:.3f}" for k, v in heldout_scores.items()))
    return model

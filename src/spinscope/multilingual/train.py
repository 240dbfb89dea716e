"""``spinscope train --task multilingual``: one set of heads for six languages.

Trained jointly on the SemEval-2023 Task 3 *train* splits of en, fr, ge,
it, po and ru (never dev):

1. every article is read as :func:`~spinscope.datasets.to_document` reads it
   for evaluation, and each paragraph is encoded once with the multilingual
   encoder;
2. the articles of each language are dealt into 5 folds (seeded);
3. the first-stage technique heads -- a linear layer over the paragraph
   vector (class-weighted binary cross-entropy) and a word and character
   n-gram head over its text (:mod:`spinscope.multilingual.lexical`) -- are
   fitted 5 times, each time without one fold, to give every paragraph of
   every training article an out-of-fold probability; then once more on
   every paragraph, and that fit is the model. Genre and frame heads
   (scikit-learn logistic regression) are fitted on the articles the same way;
4. the context stage (:mod:`spinscope.multilingual.context`) is fitted on
   those out-of-fold probabilities, and, by the same folds, fitted without
   each fold to score it, which gives its own out-of-fold probabilities;
5. technique thresholds are chosen per label on the context stage's
   out-of-fold probabilities of every language together (the pooled set),
   then moved for each language by one shift chosen on that language's own
   rows; frames get one threshold per language.

Two earlier designs lost to this one in 5-fold cross-validation on train
(``benchmarks/multilingual_cv.py``; BENCHMARKS.md has the tables):
per-label thresholds per language overfit the ~20-60 articles a language
could hold back, and holding 15% of the articles back for the thresholds
both starved the heads and left the thresholds a small sample.
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
from spinscope.multilingual.context import ContextStage, context_features, out_of_fold
from spinscope.multilingual.encoder import (
    ENCODER_NAME,
    FILE_SHA256,
    MultilingualEncoder,
    load_multilingual_encoder,
)
from spinscope.multilingual.lexical import LexicalHead, _sigmoid
from spinscope.multilingual.model import POOLED, MultilingualModel, article_features

__all__ = ["DATASET_LANGUAGES", "EncodedSplit", "encode_split", "language_thresholds", "leave_out", "train_multilingual"]

Log = Callable[[str], None]

#: SemEval-2023 folder name -> ISO 639-1 code (what language ID reports).
DATASET_LANGUAGES = {"en": "en", "fr": "fr", "ge": "de", "it": "it", "po": "pl", "ru": "ru"}


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


def leave_out(split: EncodedSplit, articles: set[str]) -> EncodedSplit:
    """*split* without *articles*: what heads that must not see them are fitted on.

    ``benchmarks/stack_cache.py`` uses it to score the English model's
    held-out training articles with multilingual heads that never saw them.
    """
    return EncodedSplit(
        lang=split.lang,
        vectors={a: v for a, v in split.vectors.items() if a not in articles},
        texts={a: t for a, t in split.texts.items() if a not in articles},
        rows=[r for r in split.rows if r[0] not in articles],
        genres={a: g for a, g in split.genres.items() if a not in articles},
        frames={a: f for a, f in split.frames.items() if a not in articles},
        technique_ids=[a for a in split.technique_ids if a not in articles],
        techniques=split.techniques,
        frame_labels=split.frame_labels,
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


def _shifted(pooled: np.ndarray, shift: float) -> np.ndarray:
    """The pooled thresholds moved by *shift*, kept inside [0.02, 0.98]."""
    return np.clip(pooled + shift, 0.02, 0.98)


def _best_shift(probs: np.ndarray, gold: np.ndarray, pooled: np.ndarray) -> float:
    """The shift of every pooled threshold that maximises micro-F1 (the smallest one among equals)."""
    from spinscope.models.calibrate import micro_f1

    if not gold.any():
        return 0.0
    return float(max(SHIFTS, key=lambda d: (micro_f1(probs, gold, _shifted(pooled, d)), -abs(d))))


def language_thresholds(probs: np.ndarray, gold: np.ndarray, pooled: np.ndarray) -> tuple[float, np.ndarray]:
    """(shift, thresholds) for one language: the pooled set moved by its best shift on these rows."""
    shift = _best_shift(probs, gold, pooled)
    return shift, _shifted(pooled, shift)


def _best_threshold(probs: np.ndarray, gold: np.ndarray) -> float:
    """One threshold for every label, maximising micro-F1."""
    from spinscope.models.calibrate import GRID, micro_f1

    return float(max(GRID, key=lambda t: micro_f1(probs, gold, np.full(probs.shape[1], t))))


def _folds(ids: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    """Article id -> fold: the sorted ids shuffled with *seed*, dealt out in turn."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return {a: k % folds for k, a in enumerate(order)}


def _fit_technique_heads(
    X: np.ndarray, Y: np.ndarray, texts: Sequence[str], *, epochs: int, seed: int
) -> tuple[dict[str, np.ndarray], LexicalHead]:
    """The vector head's arrays (with its standardisation) and the n-gram head, fitted on the same rows."""
    mean, scale = X.mean(0), X.std(0) + 1e-6
    W, b = _fit_technique_head((X - mean) / scale, Y, epochs=epochs, seed=seed)
    return {"p_mean": mean, "p_scale": scale, "tech_W": W, "tech_b": b}, LexicalHead.fit(texts, Y)


def _technique_probs(arrays: dict[str, np.ndarray], lexical: LexicalHead, X: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """The blended technique probabilities that a model with these heads gives."""
    return MultilingualModel([], [], [], [], arrays, {}, {}, lexical=lexical).technique_probs(X, texts)


def _fit_article_heads(
    An: np.ndarray, genres: Sequence[str | None], frames: Sequence[tuple[str, ...] | None],
    genre_labels: Sequence[str], frame_labels: Sequence[str],
) -> dict[str, np.ndarray]:  # fmt: skip
    """Genre softmax and per-frame logistic regressions over standardised article features."""
    from sklearn.linear_model import LogisticRegression

    has_g = [i for i, g in enumerate(genres) if g in genre_labels]
    genre_W = np.zeros((An.shape[1], len(genre_labels)), np.float32)
    genre_b = np.full(len(genre_labels), -10.0, np.float32)  # a genre absent from training is never predicted
    if len({genres[i] for i in has_g}) > 1:
        genre_clf = LogisticRegression(C=0.05, class_weight="balanced", max_iter=3000)
        genre_clf.fit(An[has_g], [genre_labels.index(genres[i]) for i in has_g])
        classes = list(genre_clf.classes_)
        if len(classes) == 2:  # scikit-learn keeps one row, for the second class, when there are two
            genre_W[:, classes[1]], genre_b[classes[1]] = genre_clf.coef_[0], genre_clf.intercept_[0]
            genre_b[classes[0]] = 0.0
        else:
            for row, cls in enumerate(classes):
                genre_W[:, cls], genre_b[cls] = genre_clf.coef_[row], genre_clf.intercept_[row]
    has_f = [i for i, f in enumerate(frames) if f is not None]
    frames_W = np.zeros((An.shape[1], len(frame_labels)), np.float32)
    frames_b = np.full(len(frame_labels), -10.0, np.float32)
    for k, frame in enumerate(frame_labels):
        target = np.array([frame in frames[i] for i in has_f])  # type: ignore[operator]
        if 0 < target.sum() < len(target):
            clf = LogisticRegression(C=0.05, max_iter=3000).fit(An[has_f], target)
            frames_W[:, k], frames_b[k] = clf.coef_[0], clf.intercept_[0]
    return {"genre_W": genre_W, "genre_b": genre_b, "frames_W": frames_W, "frames_b": frames_b}


@dataclass
class _Rows:
    """Paragraph rows of every language, with the language and the cross-validation fold of their article."""

    X: np.ndarray  # [P, D] paragraph vectors
    Y: np.ndarray  # [P, T] technique labels
    texts: list[str]
    lang: np.ndarray
    fold: np.ndarray
    keys: list[tuple[str, str, int]]  # (language, article, paragraph index)


def _encode_splits(data_dir: Path, languages: Sequence[str], encoder: MultilingualEncoder, log: Log) -> list[EncodedSplit]:
    splits: list[EncodedSplit] = []
    for lang in languages:
        t0 = time.time()
        splits.append(encode_split(Path(data_dir), lang, "train", encoder))
        log(f"{lang}: {len(splits[-1].vectors)} articles, {len(splits[-1].rows)} paragraphs encoded in {time.time() - t0:.0f} s")
    return splits


def _paragraph_rows(splits: Sequence[EncodedSplit], techniques: Sequence[str], fold_of: dict[str, dict[str, int]]) -> _Rows:
    X = np.vstack([np.stack([s.vectors[a][i] for a, i, _ in s.rows]) for s in splits if s.rows])
    Y = np.array(
        [[t in labels for t in techniques] for s in splits for _, _, labels in s.rows], dtype=np.float32
    ).reshape(-1, len(techniques))
    texts = [s.texts[a][i] for s in splits for a, i, _ in s.rows]
    row_lang = np.array([s.lang for s in splits for _ in s.rows])
    row_fold = np.array([fold_of[s.lang][a] for s in splits for a, _, _ in s.rows])
    row_keys = [(s.lang, a, i) for s in splits for a, i, _ in s.rows]
    return _Rows(X, Y, texts, row_lang, row_fold, row_keys)


def _first_stage_out_of_fold(
    rows: _Rows, labelled: dict[tuple[str, str], EncodedSplit], fold_of: dict[str, dict[str, int]], *,
    folds: int, epochs: int, seed: int, log: Log, started: float,
) -> dict[tuple[str, str], np.ndarray]:  # fmt: skip
    """Out-of-fold first-stage probabilities for every paragraph of every labelled article.

    The context stage reads whole articles, so these are what the second stage is fitted on.
    """
    first: dict[tuple[str, str], np.ndarray] = {}
    for k in range(folds):
        fit, held = np.flatnonzero(rows.fold != k), np.flatnonzero(rows.fold == k)
        if not len(fit) or not len(held):
            continue
        arrays, lexical = _fit_technique_heads(rows.X[fit], rows.Y[fit], [rows.texts[i] for i in fit], epochs=epochs, seed=seed)
        keys = sorted(key for key, s in labelled.items() if fold_of[s.lang][key[1]] == k)
        probs = _technique_probs(
            arrays, lexical, np.vstack([labelled[key].vectors[key[1]] for key in keys]),
            [t for key in keys for t in labelled[key].texts[key[1]]],
        )  # fmt: skip
        at = 0
        for key in keys:
            n = len(labelled[key].texts[key[1]])
            first[key], at = probs[at : at + n], at + n
        log(f"fold {k + 1}/{folds}: technique heads fitted on {len(fit)} paragraphs ({time.time() - started:.0f} s)")
    return first


def _context_stage(
    rows: _Rows, first: dict[tuple[str, str], np.ndarray], labelled: dict[tuple[str, str], EncodedSplit]
) -> tuple[np.ndarray, np.ndarray, ContextStage]:
    """The context stage fitted on the first stage's out-of-fold probabilities.

    Returns those probabilities per row, the stage's own out-of-fold output (what the
    thresholds are chosen on), and the stage fitted on every row.
    """
    by_article = {key: context_features(p, [len(t) for t in labelled[key].texts[key[1]]]) for key, p in first.items()}
    first_oof = np.stack([first[(lang, a)][i] for lang, a, i in rows.keys])
    Z = np.stack([by_article[(lang, a)][i] for lang, a, i in rows.keys])
    oof = out_of_fold(Z, rows.Y, rows.fold)
    return first_oof, oof, ContextStage.fit(Z, rows.Y)


@dataclass
class _ArticleHeads:
    """Genre and frame heads, and the out-of-fold frame probabilities their thresholds come from."""

    ids: list[tuple[EncodedSplit, str]]
    arrays: dict[str, np.ndarray]  # a_mean, a_scale, genre and frame weights
    frames: list[tuple[str, ...] | None]  # gold frames per article (None: not annotated)
    frame_oof: np.ndarray


def _fit_article_level(
    splits: Sequence[EncodedSplit], fold_of: dict[str, dict[str, int]], folds: int,
    genres: list[str], frame_labels: list[str],
) -> _ArticleHeads:  # fmt: skip
    art_ids = [(s, a) for s in splits for a in sorted(set(s.genres) | set(s.frames)) if a in s.vectors]
    A = np.stack([article_features(s.vectors[a]) for s, a in art_ids])
    a_mean, a_scale = A.mean(0), A.std(0) + 1e-6
    An = (A - a_mean) / a_scale
    art_genres = [s.genres.get(a) for s, a in art_ids]
    art_frames = [s.frames.get(a) for s, a in art_ids]
    art_fold = np.array([fold_of[s.lang][a] for s, a in art_ids])
    frame_oof = np.zeros((len(art_ids), len(frame_labels)), np.float32)
    for k in range(folds):
        fit, held = np.flatnonzero(art_fold != k), np.flatnonzero(art_fold == k)
        if not len(fit) or not len(held):
            continue
        heads = _fit_article_heads(An[fit], [art_genres[i] for i in fit], [art_frames[i] for i in fit], genres, frame_labels)
        frame_oof[held] = _sigmoid(An[held] @ heads["frames_W"] + heads["frames_b"])
    article_arrays = _fit_article_heads(An, art_genres, art_frames, genres, frame_labels)
    return _ArticleHeads(art_ids, {"a_mean": a_mean, "a_scale": a_scale, **article_arrays}, art_frames, frame_oof)


def _calibrate(
    model: MultilingualModel, splits: Sequence[EncodedSplit], rows: _Rows, oof: np.ndarray, first_oof: np.ndarray,
    articles: _ArticleHeads,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """Pooled and per-language thresholds into ``model``; returns the per-language counts and CV scores."""
    from spinscope.models.calibrate import fit_micro_thresholds, micro_f1

    techniques, frame_labels = model.techniques, model.frames
    gold = rows.Y.astype(bool)
    pooled = fit_micro_thresholds(oof, gold)
    # First-stage thresholds: for sentence evidence, and to report what the context stage adds.
    first_pooled = fit_micro_thresholds(first_oof, gold)
    model.sentence_thresholds[POOLED] = first_pooled
    model.technique_thresholds[POOLED] = pooled
    art_frames, frame_oof = articles.frames, articles.frame_oof
    has_frames = np.array([f is not None for f in art_frames], dtype=bool)
    frame_gold = np.array([[f in (fs or ()) for f in frame_labels] for fs in art_frames], dtype=bool).reshape(-1, len(frame_labels))
    model.frame_thresholds[POOLED] = _best_threshold(frame_oof[has_frames], frame_gold[has_frames])
    art_lang = np.array([s.lang for s, _ in articles.ids])
    counts: dict[str, Any] = {}
    cv_scores: dict[str, Any] = {}
    for s in splits:
        mine = rows.lang == s.lang
        shift, th = language_thresholds(oof[mine], gold[mine], pooled)
        model.technique_thresholds[s.lang] = th
        fr = has_frames & (art_lang == s.lang)
        model.frame_thresholds[s.lang] = _best_threshold(frame_oof[fr], frame_gold[fr]) if fr.any() else 0.5
        counts[s.lang] = {
            "articles": len(s.vectors),
            "paragraphs": len(s.rows),
            # Paragraphs per technique: a zero is a label this language cannot teach.
            "technique_paragraphs": {t: sum(t in r[2] for r in s.rows) for t in techniques},
            "threshold_shift": shift,
        }
        _, first_th = language_thresholds(first_oof[mine], gold[mine], first_pooled)
        model.sentence_thresholds[s.lang] = first_th
        cv_scores[s.lang] = {
            "techniques_micro_f1": round(micro_f1(oof[mine], gold[mine], th), 4),
            "first_stage_micro_f1": round(micro_f1(first_oof[mine], gold[mine], first_th), 4),
        }
    return counts, cv_scores


def train_multilingual(
    data_dir: Path,
    *,
    languages: Sequence[str] = tuple(DATASET_LANGUAGES),
    seed: int = 13,
    folds: int = 5,
    epochs: int = 20,
    encoder: MultilingualEncoder | None = None,
    log: Log = print,
) -> MultilingualModel:
    """Fit the multilingual heads on the *train* splits of *languages* (dataset codes).

    The heads are fitted on every training article; the thresholds are chosen
    on out-of-fold probabilities (``folds``-fold cross-validation by article
    within each language), so no article is held back from the heads.
    The steps: encode, first-stage technique heads (out of fold, then on
    everything), the context stage, the article heads, the thresholds.
    """
    if not (Path(data_dir) / "semeval2023-task3").is_dir():
        raise DatasetError("E200", str(data_dir), "SemEval-2023 Task 3 data not found (pass --data-dir)")
    started = time.time()
    encoder = encoder or load_multilingual_encoder()
    splits = _encode_splits(Path(data_dir), languages, encoder, log)
    techniques, frame_labels = list(splits[0].techniques), list(splits[0].frame_labels)
    genres = ["opinion", "reporting", "satire"]
    fold_of = {s.lang: _folds(list(s.vectors), folds, seed) for s in splits}
    rows = _paragraph_rows(splits, techniques, fold_of)

    labelled = {(s.lang, a): s for s in splits for a in {a for a, _, _ in s.rows}}
    first = _first_stage_out_of_fold(rows, labelled, fold_of, folds=folds, epochs=epochs, seed=seed, log=log, started=started)
    if len(first) < len(labelled):  # fewer articles than folds: nothing was held out
        raise DatasetError("E211", str(data_dir), f"too few training articles for {folds}-fold cross-validation")
    tech_arrays, lexical = _fit_technique_heads(rows.X, rows.Y, rows.texts, epochs=epochs, seed=seed)
    log(f"technique heads fitted on all {len(rows.X)} paragraphs ({lexical.W.shape[0]} n-grams, {time.time() - started:.0f} s)")

    first_oof, oof, context = _context_stage(rows, first, labelled)
    log(f"context stage fitted ({time.time() - started:.0f} s)")

    articles = _fit_article_level(splits, fold_of, folds, genres, frame_labels)
    log(f"genre and frame heads fitted on {len(articles.ids)} articles")

    model = MultilingualModel(
        techniques=techniques,
        frames=frame_labels,
        genres=genres,
        languages=[s.lang for s in splits],
        arrays={**tech_arrays, **articles.arrays},
        technique_thresholds={},
        frame_thresholds={},
        lexical=lexical,
        context=context,
    )
    counts, cv_scores = _calibrate(model, splits, rows, oof, first_oof, articles)
    model.meta = {
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "encoder": {"name": ENCODER_NAME, "sha256": FILE_SHA256},
        "training": {
            "data": "SemEval-2023 Task 3 train splits (dev never seen)",
            "languages": list(languages),
            "seed": seed,
            "folds": folds,
            "thresholds": "chosen on out-of-fold probabilities of the context stage; heads fitted on every training article",
            "epochs": epochs,
            "seconds": round(time.time() - started),
        },
        "counts": counts,
        "cross_validated": cv_scores,
    }
    log("cross-validated technique micro-F1 (thresholds fitted there, so optimistic): "
        + ", ".join(f"{k} {v['techniques_micro_f1']:.3f} (first stage {v['first_stage_micro_f1']:.3f})" for k, v in cv_scores.items()))
    return model

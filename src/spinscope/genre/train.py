"""``spinscope train --task genre``: the genre model, on six languages' training articles.

Reads the SemEval-2023 Task 3 subtask-1 *train* articles of en, fr, ge,
it, po and ru (never dev): about 1,230 articles, of which English gives
433, 88% of them opinion, while the other languages bring most of the
reporting. Each article is read as evaluation reads it
(:func:`~spinscope.datasets.to_document`), its paragraphs are encoded
once with the multilingual encoder, and its row is
:func:`~spinscope.genre.model.article_row`.

The settings (regularisation ``C``, the weight of the form features, with
or without the vector block, class weights) are chosen by 5-fold
cross-validation, folds dealt per language and per genre (seeded). The
score is the mean over the six languages of the subtask-1 macro-F1 of the
out-of-fold predictions: macro-F1 rewards getting the rare genres right,
and averaging per language keeps English's 433 opinion-heavy articles from
deciding alone. The language is never a feature, so English cannot learn
"English means opinion" (English dev is 65% reporting).

Encoded vectors are cached (``cache_dir``, npz) so each split is encoded once.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.genre.model import DEFAULT_GENRE_DIR, GENRES, GenreModel, article_row, document_parts

__all__ = ["LANGUAGES", "GenreSplit", "cross_validate", "fit_genre", "load_split", "train_genre"]

Log = Callable[[str], None]
LANGUAGES = ("en", "fr", "ge", "it", "po", "ru")
#: The grid cross-validation searches: (C, form weight, vectors used, class weights). Form weight 0
#: with C 0.05 and balanced weights is the multilingual model's own genre head, for comparison; the
#: last row reads the form features alone.
GRID: tuple[tuple[float, float, bool, str | None], ...] = (
    *itertools.product((0.005, 0.01, 0.02, 0.05), (0.0, 1.0, 3.0, 6.0), (True,), ("balanced", None)),
    (0.1, 1.0, False, "balanced"),
)


@dataclass
class GenreSplit:
    """One language's split: article ids, unscaled rows and gold genres (when labelled)."""

    lang: str
    ids: list[str]
    rows: np.ndarray  # [A, D]
    genres: list[str]


def load_split(data_dir: Path | str | None, lang: str, split: str, cache_dir: Path | None = None, log: Log = print) -> GenreSplit:
    """Rows of one SemEval-2023 language/split (subtask-1 articles); paragraph vectors cached in ``cache_dir``."""
    from spinscope.datasets import load_semeval2023, to_document

    ds = load_semeval2023(data_dir, lang, split, subtasks=(1,))
    ids = sorted(ds.articles[1])
    docs = [to_document(ds.articles[1][a]) for a in ids]
    texts = [[d.text[p.start : p.end] for p in d.paragraphs] for d in docs]
    cache = cache_dir / f"use-{lang}-{split}.npz" if cache_dir is not None else None
    vectors: np.ndarray | None = None
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            if [str(x) for x in z["ids"]] == ids and [int(c) for c in z["counts"]] == [len(t) for t in texts]:
                vectors = z["vectors"]
    if vectors is None:
        from spinscope.multilingual.encoder import load_multilingual_encoder

        log(f"encoding {lang} {split}: {sum(map(len, texts))} paragraphs")
        vectors = load_multilingual_encoder().encode([p for t in texts for p in t])
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, vectors=vectors, counts=np.array([len(t) for t in texts]), ids=np.array(ids))
    rows, at = [], 0
    for doc, paragraphs in zip(docs, texts, strict=True):
        title, body = document_parts(doc)
        rows.append(article_row(title, body, vectors[at : at + len(paragraphs)]))
        at += len(paragraphs)
    return GenreSplit(lang, ids, np.stack(rows), [ds.genres.get(a, "") for a in ids])


def fit_genre(rows: np.ndarray, genres: Sequence[str], c: float, form_weight: float, use_vectors: bool, class_weight: str | None) -> GenreModel:
    """Fit one genre model on unscaled rows (scikit-learn), returned as plain arrays."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(0)
    scale = rows.std(0)
    scale[scale < 1e-6] = 1.0
    model = GenreModel(mean.astype(np.float32), scale.astype(np.float32), np.zeros((rows.shape[1], len(GENRES)), np.float32),
                       np.zeros(len(GENRES), np.float32), form_weight, use_vectors)  # fmt: skip
    x = model._prepare(rows)
    y = np.array([GENRES.index(g) for g in genres])
    clf = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    clf.fit(x, y)
    W = np.zeros((rows.shape[1], len(GENRES)), np.float32)
    b = np.full(len(GENRES), -30.0, np.float32)  # a genre absent from training is never predicted
    for row, k in enumerate(clf.classes_):
        W[:, int(k)] = clf.coef_[row]
        b[int(k)] = clf.intercept_[row]
    model.W, model.b = W, b
    return model


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from spinscope.metrics import genre_macro_f1

    return genre_macro_f1(dict(enumerate(gold)), dict(enumerate(pred)), labels=GENRES)  # type: ignore[arg-type]


def _folds(splits: Sequence[GenreSplit], k: int, seed: int) -> list[np.ndarray]:
    """Fold number of every article, dealt per language and genre so each fold has each stratum's share."""
    rng = np.random.default_rng(seed)
    out = []
    for s in splits:
        fold = np.zeros(len(s.ids), dtype=int)
        for g in GENRES:
            idx = np.flatnonzero(np.array(s.genres) == g)
            fold[rng.permutation(idx)] = np.arange(len(idx)) % k
        out.append(fold)
    return out


def cross_validate(splits: Sequence[GenreSplit], *, folds: int = 5, seed: int = 13, log: Log = print) -> dict[str, Any]:
    """Out-of-fold macro-F1 per language for every :data:`GRID` setting; the best by the six-language mean."""
    fold_of = _folds(splits, folds, seed)
    rows = np.concatenate([s.rows for s in splits])
    genres = [g for s in splits for g in s.genres]
    fold = np.concatenate(fold_of)
    lang = np.concatenate([[s.lang] * len(s.ids) for s in splits])
    results = []
    for c, w, v, cw in GRID:
        pred = np.empty(len(genres), dtype=object)
        for k in range(folds):
            train, test = fold != k, fold == k
            m = fit_genre(rows[train], [genres[i] for i in np.flatnonzero(train)], c, w, v, cw)
            pred[test] = [GENRES[j] for j in m.probs(rows[test]).argmax(1)]
        per = {s.lang: _macro_f1([genres[i] for i in np.flatnonzero(lang == s.lang)], list(pred[lang == s.lang])) for s in splits}
        result: dict[str, Any] = {"c": c, "form_weight": w, "use_vectors": v, "class_weight": cw, "per_language": per,
                  "mean": float(np.mean(list(per.values())))}  # fmt: skip
        log(f"C={c} form={w} vectors={v} cw={cw}: mean {result['mean']:.3f} " + " ".join(f"{k} {x:.3f}" for k, x in per.items()))
        results.append(result)
    best = max(results, key=lambda r: float(r["mean"]))
    return {"folds": folds, "seed": seed, "score": "mean over languages of out-of-fold macro-F1", "grid": results, "best": best}


def train_genre(
    data_dir: Path | str | None = None,
    out_dir: Path | str = DEFAULT_GENRE_DIR,
    *,
    cache_dir: Path | None = Path("runs/genre"),
    languages: Sequence[str] = LANGUAGES,
    seed: int = 13,
    log: Log = print,
) -> dict[str, Any]:
    """Choose settings by cross-validation on train, fit on every training article, save to ``out_dir``."""
    started = time.time()
    splits = [load_split(data_dir, lang, "train", cache_dir, log) for lang in languages]
    cv = cross_validate(splits, seed=seed, log=log)
    best = cv["best"]
    rows = np.concatenate([s.rows for s in splits])
    genres = [g for s in splits for g in s.genres]
    model = fit_genre(rows, genres, best["c"], best["form_weight"], best["use_vectors"], best["class_weight"])
    counts = {s.lang: {g: s.genres.count(g) for g in GENRES} for s in splits}
    model.meta = {
        "dataset": "semeval2023-task3 subtask 1",
        "split": "train",
        "languages": list(languages),
        "articles": counts,
        "cv": {k: cv[k] for k in ("folds", "seed", "score", "best")},
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - started, 1),
    }
    model.save(out_dir)
    return {**model.meta, "grid": cv["grid"]}

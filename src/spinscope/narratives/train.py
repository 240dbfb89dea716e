"""Train the narrative model on SemEval-2025 Task 10 and evaluate it with the official scorer.

* :func:`train_narratives` -- features of every training article, heads and
  cross-validated thresholds (train split only), saved to a model directory.
* :func:`evaluate_narratives` -- predictions for a split in the official
  subtask-2 format, scored by our :mod:`~spinscope.narratives.metrics` *and*
  by the organisers' ``scorers/subtask2_scorer.py`` (run with this
  interpreter, which has scikit-learn), plus extractive subtask-3 evidence
  compared with the gold explanations where the split has them. Everything
  lands in ``out_dir`` with a ``metrics.json``.

The official subtask-3 metric is BERTScore with a model that is not
available offline; the evidence is instead compared with the gold
explanation by the cosine of their bundled-encoder embeddings, which is
*not* the official number.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.errors import DatasetError
from spinscope.narratives.metrics import samples_f1
from spinscope.narratives.model import OTHER, NarrativeConfig, NarrativeModel, NarrativePrediction

__all__ = [
    "DEFAULT_MODEL_DIR",
    "evaluate_narratives",
    "fine_label_space",
    "label_matrix",
    "load_default_model",
    "predict_texts",
    "train_narratives",
    "training_rows",
]

#: Where the packaged English model lives (``spinscope/models/narratives``).
DEFAULT_MODEL_DIR = Path(str(resources.files("spinscope") / "models" / "narratives"))


def fine_label_space(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Every fine label of the taxonomy (``Other`` included), then any ``extra`` label it lacks."""
    from spinscope import taxonomy

    labels = list(taxonomy.subnarrative_labels())
    labels += [x for x in dict.fromkeys(extra) if x not in labels]
    return tuple(labels)


def label_matrix(rows: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """0/1 matrix ``(len(rows), len(labels))``; labels outside ``labels`` are ignored."""
    index = {lab: i for i, lab in enumerate(labels)}
    Y = np.zeros((len(rows), len(labels)), dtype=np.int8)
    for r, row in enumerate(rows):
        for lab in row:
            if lab in index:
                Y[r, index[lab]] = 1
    return Y


def load_default_model() -> NarrativeModel:
    """The packaged English model."""
    return NarrativeModel.load(DEFAULT_MODEL_DIR)


def predict_texts(model: NarrativeModel, texts: Sequence[str]) -> list[NarrativePrediction]:
    """Features of the texts (bundled encoder) and the model's decoded labels."""
    from spinscope.narratives.features import article_features

    if not texts:
        return []
    return model.predict(article_features(list(texts)))


def training_rows(
    data_dir: Path | str | None, langs: Sequence[str]
) -> tuple[list[str], list[str], list[tuple[str, ...]], dict[str, int]]:
    """Ids, texts and gold sub-narratives of the subtask-2 *train* articles of ``langs``, in order,
    and the number of articles per language (ids do not always start with the language)."""
    from spinscope.datasets.semeval2025 import load_semeval2025

    ids: list[str] = []
    texts: list[str] = []
    fine: list[tuple[str, ...]] = []
    counts: dict[str, int] = {}
    for lang in langs:
        ds = load_semeval2025(data_dir, lang, "train")
        counts[lang] = len(ds.narratives)
        for aid in sorted(ds.narratives):
            ids.append(aid)
            texts.append(ds.articles[aid].text)
            fine.append(ds.narratives[aid].subnarratives)
    return ids, texts, fine, counts


def train_narratives(
    data_dir: Path | str | None = None,
    lang: str = "en",
    out_dir: Path | str = DEFAULT_MODEL_DIR,
    *,
    extra_langs: Sequence[str] = (),
    config: NarrativeConfig | None = None,
    features: np.ndarray | None = None,
    features_name: str = "mean|max of the L2-normalised paragraph vectors of the spinscope detector encoder (768)",
) -> dict[str, Any]:
    """Train on the ``train`` split of ``lang`` (plus ``extra_langs``) and save the model to ``out_dir``.

    ``features`` may hold precomputed :func:`~spinscope.narratives.features.article_features`
    rows for the training articles (sorted ids, ``lang`` first, then each of
    ``extra_langs``), described by ``features_name``; otherwise they are computed. Returns a summary (also
    stored in ``narratives.json`` under ``training``): article counts,
    cross-validated samples-F1 on the training data, seconds.
    """
    from spinscope.narratives.features import article_features

    started = time.time()
    langs = [lang.upper(), *(x.upper() for x in extra_langs if x.upper() != lang.upper())]
    ids, texts, fine, per_language = training_rows(data_dir, langs)
    if not ids:
        raise DatasetError("E211", str(data_dir), f"no subtask-2 training articles for {', '.join(langs)}")
    labels = fine_label_space([lab for row in fine for lab in row])
    Y = label_matrix(fine, labels)
    X = article_features(texts) if features is None else np.asarray(features, dtype=np.float32)
    if X.shape[0] != len(ids):
        raise DatasetError("E211", "features", f"{X.shape[0]} feature rows for {len(ids)} articles")
    model = NarrativeModel(config).fit(X, Y, labels)
    summary = {
        "dataset": "semeval2025-task10",
        "split": "train",
        "languages": langs,
        "articles": len(ids),
        "articles_per_language": per_language,
        "features": features_name,
        "config": asdict(model.config),
        "cv": model.meta["cv"],
        "seconds": round(time.time() - started, 1),
    }
    model.meta["training"] = summary
    model.save(out_dir)
    return {**summary, "out_dir": str(out_dir)}


def run_official_subtask2_scorer(
    gold: Path, pred: Path, scorers_dir: Path, *, python: str = sys.executable, timeout_s: float = 300.0
) -> dict[str, Any]:
    """Score ``pred`` with the organisers' ``subtask2_scorer.read_and_evaluate`` in a subprocess.

    Returns ``{"coarse": f1, "coarse_std": ..., "fine": ..., "fine_std": ..., "output": ...}``
    (full precision; the script's own CLI prints 3 decimals), or the numbers
    as None with the scorer's messages in ``output`` if it refused the file.
    """
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import subtask2_scorer as s; "
        "r = s.read_and_evaluate(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]); "
        "print('\\t'.join(repr(float(x)) for x in r))"
    )
    cmd = [
        python, "-c", code, str(scorers_dir), str(pred), str(gold),
        str(scorers_dir / "subtask2_narratives.txt"), str(scorers_dir / "subtask2_subnarratives.txt"),
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout_s, check=False, cwd=pred.parent
    )
    output = (proc.stdout + proc.stderr).strip()
    for line in reversed(proc.stdout.splitlines()):
        fields = line.split("\t")
        if len(fields) == 4:
            c, cs, f, fs = (float(x) for x in fields)
            return {"coarse": c, "coarse_std": cs, "fine": f, "fine_std": fs, "output": output}
    return {"coarse": None, "coarse_std": None, "fine": None, "fine_std": None, "output": output}


def _clean_field(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


@dataclass
class _Reader:
    """How a split's articles are read: the multilingual encoder, or the bundled one."""

    multilingual: bool
    embed: Callable[[list[str]], np.ndarray]  # sentence embedder for evidence and subtask-3 scoring
    encoder_name: str
    encoder: Any = None  # the MultilingualEncoder, when multilingual


def _reader(multilingual: bool) -> _Reader:
    if multilingual:
        from spinscope.multilingual.encoder import ENCODER_NAME, load_multilingual_encoder
        from spinscope.multilingual.narratives import embedder

        encoder = load_multilingual_encoder()
        return _Reader(True, embedder(encoder), ENCODER_NAME, encoder)
    from spinscope.stories.embed import embed_texts

    return _Reader(False, embed_texts, "bundled all-MiniLM-L6-v2")


def _articles_to_read(gold_file: Path, ds: Any) -> tuple[dict[str, str], list[str]]:
    """Article id -> the name the subtask-2 gold file uses (in its order), and every article to read.

    Subtask-3 articles are read (and scored) even when subtask 2 lacks them.
    """
    names: dict[str, str] = {}
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        name = line.split("\t", 1)[0].strip()
        if name.removesuffix(".txt") in ds.narratives:
            names.setdefault(name.removesuffix(".txt"), name)
    ids = list(names)
    for e in ds.explanations:
        if e.article_id in ds.articles and e.article_id not in names:
            ids.append(e.article_id)
    return names, ids


def _article_features(
    ids: Sequence[str], ds: Any, reader: _Reader
) -> tuple[np.ndarray, dict[str, tuple[list[tuple[int, int]], np.ndarray]]]:
    """Feature rows of ``ids`` for the narrative model, and each article's paragraphs and their vectors."""
    from spinscope.narratives.features import FEATURE_DIM, encode_units, pool_units

    units: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
    if reader.multilingual:
        from spinscope.multilingual.narratives import article_rows

        X, per_article = article_rows([ds.articles[a].text for a in ids], reader.encoder)
        units = dict(zip(ids, per_article, strict=True))
        return X, units
    X = np.zeros((len(ids), FEATURE_DIM), dtype=np.float32)
    for i, (a, encoded) in enumerate(zip(ids, encode_units([ds.articles[a].text for a in ids]), strict=True)):
        units[a] = (encoded.units, encoded.means)
        X[i] = pool_units(encoded.means)
    return X, units


def _score_subtask2(
    ds: Any, names: dict[str, str], preds: dict[str, NarrativePrediction], gold_file: Path, pred_file: Path,
    scorers: Path, python: str,
) -> dict[str, Any]:  # fmt: skip
    """Write the official prediction file, score it with our metric and the official scorer."""
    ids = list(names)
    with pred_file.open("w", encoding="utf-8", newline="\n") as fh:
        for a in ids:  # the official scorer pairs rows by position: keep the gold order
            p = preds[a]
            fh.write(f"{names[a]}\t{';'.join(p.narratives)}\t{';'.join(p.subnarratives)}\n")
    coarse_classes, fine_classes = ds.narrative_labels, ds.subnarrative_labels
    gold_c = {a: ds.narratives[a].narratives for a in ids}
    gold_f = {a: ds.narratives[a].subnarratives for a in ids}
    ours = {
        "coarse": samples_f1(gold_c, {a: preds[a].narratives for a in ids}, coarse_classes).to_dict(),
        "fine": samples_f1(gold_f, {a: preds[a].subnarratives for a in ids}, fine_classes).to_dict(),
    }
    official = run_official_subtask2_scorer(gold_file, pred_file, scorers, python=python)
    agree = official["coarse"] is not None and all(
        abs(ours[k]["samples_f1"] - official[k]) < 1e-9 for k in ("coarse", "fine")
    )
    return {
        "ours": ours,
        "official": {k: v for k, v in official.items() if k != "output"},
        "official_output": official["output"][-2000:],
        "agree": agree,
    }


def _score_subtask3(
    ds: Any, preds: dict[str, NarrativePrediction], units: dict[str, tuple[list[tuple[int, int]], np.ndarray]],
    model: NarrativeModel, reader: _Reader, st3_file: Path,
) -> dict[str, Any]:  # fmt: skip
    """Evidence for the given and the predicted dominant narrative, and a lead-3 baseline, against the gold."""
    from spinscope.narratives.evidence import (
        candidate_paragraphs,
        evidence_text,
        find_evidence,
        sentence_spans,
    )

    embed = reader.embed

    def evidence_for(a: str, narrative: str, subnarratives: Sequence[str]) -> str:
        """What `spinscope analyze` shows: best sentences among the head's top paragraphs."""
        spans, means = units[a]
        within = [spans[i] for i in candidate_paragraphs(means, model, narrative)]
        text = ds.articles[a].text
        return evidence_text(text, find_evidence(text, narrative, subnarratives=subnarratives, within=within, embed=embed))

    rows = [e for e in ds.explanations if e.article_id in ds.articles and e.explanation]
    given, predicted, lead = [], [], []
    for e in rows:
        text = ds.articles[e.article_id].text
        subs = [e.subnarrative] if e.subnarrative else []
        given.append(evidence_for(e.article_id, e.narrative, subs))
        p = preds[e.article_id]
        predicted.append("" if p.is_other else evidence_for(e.article_id, p.dominant, p.subnarratives))
        spans = sentence_spans(text)
        lead.append(" ".join(text[s:t] for s, t in spans[:3]))
    gold_vecs = embed([e.explanation or "" for e in rows])

    def mean_cos(texts: list[str]) -> float:
        v = embed(texts)
        return float(np.mean(np.sum(v * gold_vecs, axis=1))) if rows else 0.0

    with st3_file.open("w", encoding="utf-8", newline="\n") as fh:
        for e, t in zip(rows, given, strict=True):
            words = _clean_field(t).split()[:80]
            fh.write(f"{e.article_id}.txt\t{' '.join(words)}\n")
    return {
        "articles": len(rows),
        "metric": f"mean cosine ({reader.encoder_name}) between our extracted sentences and the gold explanation",
        "note": "NOT the official metric: the official scorer uses BERTScore, whose model"
        " is not available offline",
        "method": "sentences most similar to the narrative's definition, among the 3 paragraphs its head"
        " rates highest (what `spinscope analyze` shows)",
        "given_dominant_narrative": mean_cos(given),
        "predicted_dominant_narrative": mean_cos(predicted),
        "lead3_baseline": mean_cos(lead),
    }


def evaluate_narratives(
    data_dir: Path | str | None = None,
    lang: str = "en",
    split: str = "dev",
    model_dir: Path | str | None = None,
    out_dir: Path | str = Path("runs/narratives"),
    *,
    python: str = sys.executable,
    evidence: bool = True,
    multilingual: bool | None = None,
) -> dict[str, Any]:
    """Predict a split, write the official files, score them (ours and official), write ``metrics.json``.

    Subtask 3 (when the split has gold explanations): for each article, the
    evidence sentences for the dominant narrative given in the task input
    (``given``) and for our own predicted dominant narrative (``predicted``),
    plus a lead-3 baseline, each compared with the gold explanation by
    embedding cosine (bundled encoder; the official BERTScore model is not
    available offline).

    ``multilingual`` (default: any language but English) reads the articles
    with the multilingual encoder and scores them with the multilingual
    narrative model (:mod:`spinscope.multilingual.narratives`), which is
    what ``spinscope analyze`` uses for an article that is not English.
    """
    from spinscope.datasets._common import dataset_root
    from spinscope.datasets.semeval2025 import DATASET, load_semeval2025

    started = time.time()
    root = dataset_root(data_dir, DATASET, "scorers").resolve()  # the scorers run in another directory
    ds = load_semeval2025(data_dir, lang, split)
    if multilingual is None:
        multilingual = lang.upper() != "EN"
    reader = _reader(multilingual)
    if multilingual:
        from spinscope.multilingual.narratives import DEFAULT_NARRATIVES_DIR
    model = NarrativeModel.load(model_dir or (DEFAULT_NARRATIVES_DIR if multilingual else DEFAULT_MODEL_DIR))
    gold_file = root / split / ds.lang / "subtask-2-annotations.txt"
    names, to_read = _articles_to_read(gold_file, ds)
    X, units = _article_features(to_read, ds, reader)
    preds = dict(zip(to_read, model.predict(X), strict=True))
    ids = list(names)

    out = Path(out_dir).resolve()  # the official scorer runs in another working directory
    out.mkdir(parents=True, exist_ok=True)
    pred_file = out / f"{lang.lower()}-{split}-subtask-2.txt"
    subtask2 = _score_subtask2(ds, names, preds, gold_file, pred_file, root / "scorers", python)
    gold_other = sum(ds.narratives[a].narratives == (OTHER,) for a in ids)
    metrics: dict[str, Any] = {
        "dataset": "semeval2025-task10",
        "lang": lang.lower(),
        "split": split,
        "articles": len(ids),
        "articles_gold_other": gold_other,
        "articles_predicted_other": sum(preds[a].is_other for a in ids),
        "model_dir": "packaged" if model_dir is None else Path(model_dir).name,  # no machine paths in results
        "model": "multilingual" if multilingual else "english",
        "model_languages": (model.meta.get("training") or {}).get("languages"),
        "model_trained_at": model.meta.get("trained_at"),
        "model_training": model.meta.get("training"),
        "subtask2": subtask2,
        "files": {"subtask2": pred_file.name},
    }
    if evidence and ds.explanations:
        st3_file = out / f"{lang.lower()}-{split}-subtask-3.txt"
        metrics["subtask3"] = _score_subtask3(ds, preds, units, model, reader, st3_file)
        metrics["files"]["subtask3"] = st3_file.name
    metrics["seconds"] = round(time.time() - started, 1)
    text = json.dumps(metrics, indent=2, ensure_ascii=False) + "\n"
    (out / "metrics.json").write_text(text, encoding="utf-8")
    return metrics


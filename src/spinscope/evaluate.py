"""``spinscope evaluate semeval2023``: official metrics of a model on a dataset split.

Each article is read from the dataset exactly as the organisers published
it (no cleaning, so paragraph line numbers and span offsets are theirs),
analysed once, and its predictions are written in the official formats
next to a ``metrics.json``. The scores are computed by
:mod:`spinscope.metrics`, whose agreement with the official scorers is
tested and benchmarked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinscope.errors import DatasetError

__all__ = ["BEST_PUBLISHED_DEV_ST3", "Semeval2023Evaluation", "baseline_scores", "evaluate_semeval2023"]

#: Subtask-3 dev micro-F1 of the winning team's XLM-R-large, as published (not re-run here).
BEST_PUBLISHED_DEV_ST3 = {"en": 0.425, "fr": 0.503, "ge": 0.466, "it": 0.579, "po": 0.435, "ru": 0.480}


@dataclass
class Semeval2023Evaluation:
    """Scores plus where the prediction files went."""

    metrics: dict[str, Any]
    out_dir: Path

    def summary_rows(self) -> list[tuple[str, str, str]]:
        m = self.metrics
        rows = [
            ("subtask 1 genre", "macro-F1", f"{m['subtask1']['macro_f1']:.4f}"),
            ("subtask 2 frames", "micro-F1", f"{m['subtask2']['micro_f1']:.4f}"),
            ("subtask 3 techniques", "micro-F1", f"{m['subtask3']['micro_f1']:.4f}"),
            ("technique spans", "precision", f"{m['spans']['precision']:.4f}"),
            ("technique spans", "recall", f"{m['spans']['recall']:.4f}"),
            ("technique spans", "F1", f"{m['spans']['f1']:.4f}"),
        ]
        base = m.get("baseline") or {}
        for key, name, metric in (("subtask1", "genre", "macro-F1"), ("subtask2", "frames", "micro-F1"), ("subtask3", "techniques", "micro-F1")):
            if base.get(key) is not None:
                rows.append((f"organisers' baseline {name}", metric, f"{base[key]:.4f}"))
        if m.get("best_published_dev_st3") is not None:
            rows.append(("best published techniques (XLM-R-large)", "micro-F1", f"{m['best_published_dev_st3']:.3f}"))
        return rows


def baseline_scores(data_dir: Path, lang: str, split: str, gold: Any) -> dict[str, float | None]:
    """The organisers' baseline outputs for *lang*/*split* scored with our metrics (None where absent)."""
    from spinscope import metrics as M
    from spinscope import official_formats as F

    folder = data_dir / "semeval2023-task3" / "baselines"
    out: dict[str, float | None] = {"subtask1": None, "subtask2": None, "subtask3": None}
    path = folder / f"baseline-output-subtask1-{split}-{lang}.txt"
    if path.is_file():
        pred = F.read_subtask1(path)
        out["subtask1"] = M.genre_scores(gold["genres"], {k: v for k, v in pred.items() if k in gold["genres"]}).macro_f1
    path = folder / f"baseline-output-subtask2-{split}-{lang}.txt"
    if path.is_file():
        pred2 = F.read_subtask2(path)
        scored = {k: pred2.get(k, set()) for k in gold["frames"]}
        out["subtask2"] = M.multilabel_micro_f1(gold["frames"], scored, gold["frame_labels"]).micro_f1
    path = folder / f"baseline-output-subtask3-{split}-{lang}.txt"
    if path.is_file():
        pred3 = F.read_subtask3(path)
        scored3 = {k: pred3.get(k, set()) for k in gold["paragraphs"]}
        out["subtask3"] = M.multilabel_micro_f1(gold["paragraphs"], scored3, gold["techniques"]).micro_f1
    return {k: (round(v, 4) if v is not None else None) for k, v in out.items()}


def _model_dir(model: Any) -> Any:
    """A model directory from what callers pass: a path, a loaded model (its directory), or None."""
    return getattr(model, "directory", model)


def evaluate_semeval2023(
    *,
    lang: str = "en",
    split: str = "dev",
    data_dir: Path | None = None,
    model: Any = None,
    out_dir: Path = Path("runs/eval"),
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
    multilingual: bool = True,
) -> Semeval2023Evaluation:
    """Analyse every article of the split and score it with the official metrics.

    Each article goes through what ``analyze`` does for techniques, genre
    and frames: language ID, then per-paragraph routing between the English
    model and the multilingual one (:mod:`spinscope.multilingual.route`).
    ``multilingual=False`` scores the English model alone on every paragraph.
    ``limit`` keeps only the first *limit* article ids (sorted) -- a quick
    check, not an official score; ``metrics.json`` records it.
    """
    from spinscope import metrics as M
    from spinscope import official_formats as F
    from spinscope.analysis import Analysis
    from spinscope.datasets import default_data_dir, load_semeval2023, to_document
    from spinscope.pipeline import load

    started = time.time()
    data_dir = data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        raise DatasetError("E200", str(data_dir), "SemEval-2023 Task 3 data not found (pass --data-dir)")
    ds = load_semeval2023(data_dir, lang, split)
    # The techniques and their routing only: entities, roles, narratives and quotes score nothing here.
    wanted = ["language", "encoder", "techniques", "multilingual", "genre"] if multilingual else ["encoder", "techniques", "genre"]
    nlp = load(_model_dir(model), components=wanted)
    # One analysis per article id; the subtask folders hold the same texts.
    texts: dict[str, Any] = {}
    for subtask in (1, 2, 3):
        for aid, article in ds.articles.get(subtask, {}).items():
            texts.setdefault(aid, article)
    if limit is not None:
        texts = dict(sorted(texts.items())[:limit])
    results: dict[str, tuple[Any, Analysis]] = {}
    docs = [(aid, to_document(article, detect_language=multilingual)) for aid, article in sorted(texts.items())]
    # One article at a time, as before the component pipeline: batching changes padding only.
    for n, (aid, doc) in enumerate(docs, start=1):
        results[aid] = (doc, nlp(doc))
        if progress:
            progress(n, len(texts))

    genre_gold = {aid: g for aid, g in ds.genres.items() if aid in results}
    frame_gold = {aid: set(f) for aid, f in ds.frames.items() if aid in results}
    genre_pred = {aid: g.label for aid in genre_gold if (g := results[aid][1].genre) is not None}
    frame_pred = {aid: {f.label for f in results[aid][1].frames} for aid in frame_gold}
    para_gold = {(p.article_id, p.line): set(p.techniques or ()) for p in ds.paragraphs if p.article_id in results}
    para_pred: dict[tuple[str, int], set[str]] = {}
    for aid, line in para_gold:
        doc, analysis = results[aid]
        index = doc.paragraph_by_line(line)
        labels = next((pl.labels for pl in analysis.paragraphs if pl.paragraph == index), ())
        para_pred[(aid, line)] = {ls.label for ls in labels}
    span_pred = []
    for aid in {p.article_id for p in ds.paragraphs if p.article_id in results}:
        doc, analysis = results[aid]
        for s in analysis.spans:
            start, end = doc.to_source(s.start, s.end)
            span_pred.append((aid, s.technique, start, end))
    span_gold = [(s.article_id, s.label, s.start, s.end) for s in ds.spans if s.article_id in results]

    genre = M.genre_scores(genre_gold, genre_pred)
    frames = M.multilabel_micro_f1(frame_gold, frame_pred, ds.frame_labels)
    techniques = M.multilabel_micro_f1(para_gold, para_pred, ds.techniques)
    spans = M.span_prf(span_gold, span_pred)

    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "subtask1": F.write_subtask1(out_dir / f"{lang}-{split}-subtask-1.txt", genre_pred),
        "subtask2": F.write_subtask2(out_dir / f"{lang}-{split}-subtask-2.txt", frame_pred, ds.frame_labels),
        "subtask3": F.write_subtask3(out_dir / f"{lang}-{split}-subtask-3.txt", para_pred, ds.techniques),
        "spans": F.write_spans(out_dir / f"{lang}-{split}-subtask-3-spans.txt", sorted(span_pred)),
    }
    gold = {
        "genres": genre_gold,
        "frames": frame_gold,
        "frame_labels": ds.frame_labels,
        "paragraphs": para_gold,
        "techniques": ds.techniques,
    }
    metrics = {
        "dataset": "semeval2023",
        "lang": lang,
        "split": split,
        "model": nlp.meta["name"],
        "multilingual": multilingual,
        "baseline": baseline_scores(data_dir, ds.lang, split, gold) if limit is None else None,
        "best_published_dev_st3": BEST_PUBLISHED_DEV_ST3.get(ds.lang) if split == "dev" else None,
        "articles": len(texts),
        "limit": limit,
        "seconds": round(time.time() - started, 1),
        "subtask1": genre.to_dict(),
        "subtask2": frames.to_dict(),
        "subtask3": techniques.to_dict(),
        "spans": spans.to_dict(),
        "files": {k: str(v) for k, v in files.items()},
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return Semeval2023Evaluation(metrics, out_dir)

"""The default model's outputs on its 67 held-out training articles, cached for choosing span decoding.

    python benchmarks/spans_cache.py [--model DIR] [--data-dir ../shared/data] [--out /tmp/spinscope-spans-heldout.npz]

The trainer (``spinscope train``) shuffles the sorted en train article ids
with its seed and holds the first ``holdout_fraction`` apart; the model never
trained on them, and its thresholds were chosen on them. This script
rebuilds that split from the model's ``meta.json``, runs the model once over
every labelled paragraph of those articles and writes plain arrays (no
pickles) that ``benchmarks/spans_tune.py`` reads many times. Dev is not read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from spinscope.datasets import default_data_dir, load_semeval2023, span_in_document, to_document
from spinscope.models.bundle import load_model
from spinscope.models.paths import default_model_dir

DEFAULT_OUT = Path("/tmp/spinscope-spans-heldout.npz")


def heldout_ids(meta: dict, all_ids: list[str]) -> list[str]:
    """The article ids the trainer held out, from its recorded seed and fraction."""
    cfg = meta["training_config"]
    ids = sorted(all_ids)
    random.Random(cfg["seed"]).shuffle(ids)
    if cfg.get("max_articles"):
        ids = ids[: cfg["max_articles"]]
    n_hold = max(1, round(len(ids) * cfg["holdout_fraction"]))
    return ids[:n_hold]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    model_dir = args.model or default_model_dir()
    meta = json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf-8"))
    model = load_model(model_dir)
    ds = load_semeval2023(data_dir, "en", "train")
    arts = ds.articles[3]
    held = heldout_ids(meta, list(arts))
    techniques = model.techniques
    by_line = {(p.article_id, p.line): p.techniques or () for p in ds.paragraphs}
    spans_by_article: dict[str, list] = {}
    for s in ds.spans:
        spans_by_article.setdefault(s.article_id, []).append(s)

    texts: list[str] = []
    para_rows: list[tuple[int, int, int]] = []  # article number, paragraph start in the document, line
    gold_labels: list[np.ndarray] = []
    gold_spans: list[tuple[int, int, int, int]] = []  # article number, technique, start, end (document offsets)
    for a, aid in enumerate(held):
        doc = to_document(arts[aid])
        for s in spans_by_article.get(aid, []):
            sp = span_in_document(s, doc)
            if sp.end > sp.start:
                gold_spans.append((a, techniques.index(s.label), sp.start, sp.end))
        for para, text in doc.iter_paragraphs():
            if (aid, para.line) not in by_line:
                continue
            y = np.zeros(len(techniques), dtype=bool)
            for t in by_line[(aid, para.line)]:
                y[techniques.index(t)] = True
            texts.append(text)
            para_rows.append((a, para.start, para.line))
            gold_labels.append(y)
    t0 = time.perf_counter()
    para_probs, means, tok_probs, tok_offsets, tok_window, win_para = [], [], [], [], [], []
    w = 0
    for i, out in enumerate(model.encode_paragraphs(texts)):
        para_probs.append(out.paragraph_probs)
        means.append(out.mean)
        for probs, offsets in out.windows:
            tok_probs.append(probs[: len(offsets)].astype(np.float32))
            tok_offsets.append(np.asarray(offsets, dtype=np.int32).reshape(-1, 2))
            tok_window.append(np.full(len(offsets), w, dtype=np.int32))
            win_para.append(i)
            w += 1
    seconds = time.perf_counter() - t0
    np.savez_compressed(
        args.out,
        articles=np.asarray(held),
        techniques=np.asarray(techniques),
        texts=np.asarray(texts),
        para_rows=np.asarray(para_rows, dtype=np.int64),
        gold_labels=np.stack(gold_labels),
        gold_spans=np.asarray(gold_spans, dtype=np.int64),
        para_probs=np.stack(para_probs).astype(np.float32),
        means=np.stack(means).astype(np.float32),
        tok_probs=np.concatenate(tok_probs),
        tok_offsets=np.concatenate(tok_offsets),
        tok_window=np.concatenate(tok_window),
        win_para=np.asarray(win_para, dtype=np.int64),
        para_th=model.thresholds("techniques"),
        span_th=model.thresholds("spans"),
    )
    print(f"{len(held)} held-out articles, {len(texts)} paragraphs, {len(gold_spans)} gold spans, {seconds:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

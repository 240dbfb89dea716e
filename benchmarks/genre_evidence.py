"""The genre component's leave-one-out evidence: closed form against recomputing the article once per paragraph.

    python benchmarks/genre_evidence.py [--lang en] [--data-dir ../shared/data] [--cache runs/genre] [--repeat 3]

On the dev articles of one SemEval-2023 language (read for their form only:
no label is read), with the bundled genre model and the USE paragraph
vectors cached by ``spinscope train --task genre`` (``use-<lang>-dev.npz``
under ``--cache``; encoded here if missing), it labels every article twice
in the same process:

* ``recompute`` -- what ``genre.v1`` did: the article's feature row, then
  one :func:`~spinscope.genre.model.article_row` per left-out paragraph
  (the first 40 body paragraphs), each a pass over the whole text;
* ``closed form`` -- what ``genre.v2`` does
  (:func:`~spinscope.genre.predict.label_genre`): per-paragraph counts and
  vectors once, every left-out row from them.

It prints both times, their ratio, the machine's load average, and how
many articles got the same genre and the same two evidence paragraphs
both ways (they should all: the rows are the same to float rounding).
Writes ``benchmarks/results/genre-evidence-<lang>-dev.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np


def _recompute_evidence(model: object, title: str, body: list[str], vectors: np.ndarray, row_of: dict[int, int]) -> tuple[int, list[int]]:
    """genre.v1's way: one full feature row per left-out paragraph (body indices here)."""
    from spinscope.genre.model import article_row
    from spinscope.genre.predict import EVIDENCE_PARAGRAPHS

    tried = list(range(min(len(body), EVIDENCE_PARAGRAPHS))) if len(body) > 1 else []
    keep = np.ones(len(vectors), dtype=bool)
    rows = [article_row(title, body, vectors)]
    for i in tried:
        mask = keep.copy()
        if i in row_of:
            mask[row_of[i]] = False
        rows.append(article_row(title, [p for k, p in enumerate(body) if k != i], vectors[mask]))
    stacked = np.stack(rows)
    probs = model.probs(stacked)  # type: ignore[attr-defined]
    best = int(model.decide(stacked[:1], probs[:1])[0])  # type: ignore[attr-defined]
    fall = probs[0, best] - probs[1:, best]
    return best, [tried[j] for j in np.argsort(-fall)[:2] if fall[j] > 0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=Path("runs/genre"))
    parser.add_argument("--repeat", type=int, default=3, help="best of this many timings of each way")
    args = parser.parse_args()

    from spinscope.analysis import Analysis
    from spinscope.datasets import default_data_dir, load_semeval2023, to_document
    from spinscope.genre.model import GenreModel
    from spinscope.genre.predict import label_genre
    from spinscope.genre.train import load_split

    data_dir = args.data_dir or default_data_dir()
    if not (Path(data_dir) / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    load_split(data_dir, args.lang, "dev", args.cache)  # makes sure the vectors are cached
    ds = load_semeval2023(data_dir, args.lang, "dev", subtasks=(1,))
    ids = sorted(ds.articles[1])
    docs = [to_document(ds.articles[1][a]) for a in ids]
    with np.load(args.cache / f"use-{args.lang}-dev.npz", allow_pickle=False) as z:
        vectors, counts = z["vectors"], [int(c) for c in z["counts"]]
    starts = np.concatenate([[0], np.cumsum(counts)])
    per_doc = [vectors[starts[k] : starts[k + 1]] for k in range(len(docs))]
    model = GenreModel.load()

    def closed() -> list[tuple[int, list[int]]]:
        out = []
        for doc, vec in zip(docs, per_doc, strict=True):
            analysis = Analysis(document=doc)
            label_genre(analysis, model, list(range(len(doc.paragraphs))), vec)
            assert analysis.genre is not None
            body = [i for i, p in enumerate(doc.paragraphs) if p.kind != "title"]
            out.append((model.genres.index(analysis.genre.label), [body.index(e.paragraph) for e in analysis.genre.evidence if e.paragraph is not None]))
        return out

    def recompute() -> list[tuple[int, list[int]]]:
        out = []
        for doc, vec in zip(docs, per_doc, strict=True):
            text = [doc.text[p.start : p.end] for p in doc.paragraphs]
            title = " ".join(text[i] for i, p in enumerate(doc.paragraphs) if p.kind == "title") or doc.title or ""
            body = [i for i, p in enumerate(doc.paragraphs) if p.kind != "title"]
            out.append(_recompute_evidence(model, title, [text[i] for i in body], vec, dict(enumerate(body))))
        return out

    load_before = os.getloadavg()[0]
    timings: dict[str, float] = {}
    results = {}
    for name, fn in (("recompute", recompute), ("closed form", closed)):
        best = float("inf")
        for _ in range(args.repeat):
            mark = time.process_time()
            results[name] = fn()
            best = min(best, time.process_time() - mark)
        timings[name] = best
    same_genre = sum(a[0] == b[0] for a, b in zip(results["recompute"], results["closed form"], strict=True))
    same_evidence = sum(a == b for a, b in zip(results["recompute"], results["closed form"], strict=True))
    ratio = timings["recompute"] / timings["closed form"]
    print(f"{len(docs)} {args.lang} dev articles, {sum(counts)} paragraphs; CPU seconds, best of {args.repeat}")
    for name, sec in timings.items():
        print(f"  {name:<12} {sec:7.3f} s  ({1000 * sec / len(docs):.1f} ms/article)")
    print(f"closed form over recompute: {ratio:.1f}x faster; same genre {same_genre}/{len(docs)}, same evidence {same_evidence}/{len(docs)}")
    print(f"load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    record = {
        "lang": args.lang, "articles": len(docs), "paragraphs": sum(counts), "cpu_seconds": timings, "speedup": ratio,
        "same_genre": same_genre, "same_evidence": same_evidence,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, python {platform.python_version()}",
    }  # fmt: skip
    out = Path(__file__).resolve().parent / "results" / f"genre-evidence-{args.lang}-dev.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Story grouping on tests/data/stories: pairwise P/R/F1 and adjusted Rand index.

Run: ``.venv/bin/python benchmarks/stories_eval.py [--data DIR] [--out PATH]``.
Prints the scores and writes ``benchmarks/results/stories.json`` (by
default; ``--data tests/data/stories_heldout --out
benchmarks/results/stories-heldout.json`` scores the held-out set). Two settings are scored: the
default rule (dates on), and the same rule with every published date
ignored, which shows how much the content alone (wording plus key
entities) separates topic-near distractors.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from spinscope.ingest import read_one
from spinscope.stories import DEFAULT_ENTITY_WEIGHT, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, group_stories

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "stories"
OUT = ROOT / "benchmarks" / "results" / "stories.json"


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def _corpus_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()


def score(stories, stem_of: dict[str, str], gold: dict) -> dict[str, float]:
    predicted_groups = [[stem_of[i] for i in s.doc_ids] for s in stories]
    gold_groups = [s["docs"] for s in gold["stories"]] + [[s["doc"]] for s in gold["singletons"]]
    predicted, expected = _pairs(predicted_groups), _pairs(gold_groups)
    tp = len(predicted & expected)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(expected) if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    order = sorted(stem_of.values())
    label_pred = {d: k for k, g in enumerate(predicted_groups) for d in g}
    label_gold = {d: k for k, g in enumerate(gold_groups) for d in g}
    ari = adjusted_rand_score([label_gold[d] for d in order], [label_pred[d] for d in order])
    return {
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
        "pairwise_f1": round(f1, 4),
        "adjusted_rand_index": round(float(ari), 4),
        "stories_predicted": len(stories),
        "stories_gold": len(gold_groups),
        "false_pairs": sorted("-".join(sorted(p)) for p in predicted - expected),
        "missed_pairs": sorted("-".join(sorted(p)) for p in expected - predicted),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of article*.txt and expected.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data, out = args.data.resolve(), args.out.resolve()
    paths = sorted(data.glob("*.txt"))
    gold = json.loads((data / "expected.json").read_text(encoding="utf-8"))
    docs = [read_one(p) for p in paths]
    stem_of = {d.id: Path(d.origin).stem for d in docs}
    results: dict[str, object] = {
        "corpus": str(data.relative_to(ROOT)) if data.is_relative_to(ROOT) else str(data),
        "corpus_sha256": _corpus_hash(paths + [data / "expected.json"]),
        "articles": len(docs),
        "settings": {"threshold": DEFAULT_THRESHOLD, "window_days": DEFAULT_WINDOW_DAYS, "entity_weight": DEFAULT_ENTITY_WEIGHT},
    }
    for name, window in (("default", DEFAULT_WINDOW_DAYS), ("dates_ignored", None)):
        start = time.perf_counter()
        stories = group_stories(docs, window_days=window)
        scores = score(stories, stem_of, gold)
        scores["seconds"] = round(time.perf_counter() - start, 2)
        results[name] = scores
        print(
            f"{name:14s} P {scores['pairwise_precision']:.3f}  R {scores['pairwise_recall']:.3f}  "
            f"F1 {scores['pairwise_f1']:.3f}  ARI {scores['adjusted_rand_index']:.3f}  "
            f"stories {scores['stories_predicted']}/{scores['stories_gold']}  ({scores['seconds']}s)"
        )
        if scores["false_pairs"] or scores["missed_pairs"]:
            print(f"{'':14s} false pairs {scores['false_pairs']}  missed {scores['missed_pairs']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

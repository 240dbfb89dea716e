"""Where the stories and drift thresholds sit on their development set, and where the selection procedure lands.

    python benchmarks/stories_sweep.py

The development set is ``tests/data/stories`` (36 articles, 19 gold groups,
2 annotated drift cases): the shipped values were chosen on it, so it can
only say whether they are *consistent* with it, never how well they
generalise (that is the held-out set's job; BENCHMARKS.md says which set is
which). The procedure, for every tuned value (BENCHMARKS.md, "Stories"):

1. sweep the value over a grid with the other values at their defaults;
2. the *feasible interval* is the range of grid values that score perfectly
   on the development set (story grouping: pairwise F1 1.0 with dates on;
   drift: no alignment across different gold stories and every annotated
   drift case threaded with its original);
3. the procedure's value is the middle of that interval (rounded to the
   grid), the point farthest from both failure modes;
4. an interval that spans the whole grid means the development set does
   not constrain the value: it stays a documented prior until a set with
   harder cases exists.

The script prints one row per tuned value (shipped value, feasible interval,
procedure's value, constrained or not) and writes
``benchmarks/results/stories-sweep.json``.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from stories_eval import DATA, ROOT, score

from spinscope.ingest import read_one
from spinscope.stories import DEFAULT_ENTITY_WEIGHT, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS
from spinscope.stories.cluster import PairScores, pair_scores, stories_from_scores
from spinscope.stories.drift import (
    DEFAULT_MATCH_THRESHOLD,
    DEFAULT_STRONG_THRESHOLD,
    align_quotes,
    quotes_from_document,
)

OUT = ROOT / "benchmarks" / "results" / "stories-sweep.json"

THRESHOLDS = [round(float(t), 2) for t in np.arange(0.05, 0.96, 0.01)]
WINDOWS = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 14.0, 21.0, 30.0, 45.0, 60.0, 90.0]
WEIGHTS = [round(float(w), 2) for w in np.arange(0.0, 0.61, 0.05)]
MATCH = [float(m) for m in range(50, 101, 1)]


def _interval(grid: list[float], ok: Callable[[float], bool]) -> dict[str, Any]:
    feasible = [g for g in grid if ok(g)]
    if not feasible:
        return {"feasible": None, "procedure": None, "constrained": True}
    lo, hi = min(feasible), max(feasible)
    middle = min(grid, key=lambda g: (abs(g - (lo + hi) / 2), g))
    contiguous = feasible == [g for g in grid if lo <= g <= hi]
    return {
        "feasible": [lo, hi],
        "contiguous": contiguous,
        "procedure": middle,
        "constrained": not (lo == grid[0] and hi == grid[-1]),
    }


class Grouping:
    """Pairwise evidence computed once (embeddings, entities, dates); re-combined per setting."""

    def __init__(self) -> None:
        paths = sorted(DATA.glob("*.txt"))
        self.gold = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
        self.docs = [read_one(p) for p in paths]
        self.stem_of = {d.id: Path(d.origin).stem for d in self.docs}
        self.base: PairScores = pair_scores(self.docs, window_days=None, entity_weight=0.0)

    def scores(self, threshold: float, window_days: float | None, entity_weight: float) -> dict[str, Any]:
        b = self.base
        # The same combination as spinscope.stories.cluster.pair_scores, without re-embedding.
        similarity = np.minimum(1.0, b.embedding + entity_weight * b.entities)
        blocked = np.zeros_like(similarity, dtype=bool)
        if window_days is not None:
            blocked = np.nan_to_num(b.days_apart, nan=0.0) > window_days
        similarity[blocked] = 0.0
        np.fill_diagonal(similarity, 1.0)
        combined = replace(b, similarity=similarity, blocked=blocked)
        return score(stories_from_scores(self.docs, combined, threshold=threshold), self.stem_of, self.gold)

    def perfect(self, threshold: float, window_days: float | None, entity_weight: float) -> bool:
        return self.scores(threshold, window_days, entity_weight)["pairwise_f1"] == 1.0


class Drift:
    """Quotes of every development article, with the story each belongs to."""

    def __init__(self, grouping: Grouping) -> None:
        gold = grouping.gold
        self.story = {d: s["id"] for s in gold["stories"] for d in s["docs"]}
        self.story |= {s["doc"]: f"single:{s['doc']}" for s in gold["singletons"]}
        self.items = [q for k, d in enumerate(grouping.docs) for q in quotes_from_document(d, order=k)]
        self.stem_of = grouping.stem_of
        self.cases = gold["drift"]
        self.doc_id = {stem: doc_id for doc_id, stem in self.stem_of.items()}

    def check(self, threshold: float, strong: float) -> dict[str, Any]:
        threads = align_quotes(self.items, threshold=threshold, strong=strong)
        cross = sum(len({self.story[self.stem_of[i]] for i in t.doc_ids}) > 1 for t in threads)
        found = 0
        for case in self.cases:
            changed = self.doc_id[case.get("tweaked_doc") or case["truncated_doc"]]
            originals = {self.doc_id[s] for s in case["original_docs"]}
            for t in threads:
                v = t.version(changed)
                if v is None or t.speaker != case["speaker"] or not originals <= set(t.doc_ids):
                    continue
                if ("inserted" in case and v.inserted == case["inserted"]) or ("truncated_doc" in case and v.truncated_right):
                    found += 1
        return {"threads": len(threads), "cross_story_threads": cross, "drift_cases_found": found}

    def perfect(self, threshold: float, strong: float) -> bool:
        r = self.check(threshold, strong)
        return r["cross_story_threads"] == 0 and r["drift_cases_found"] == len(self.cases)


def main() -> None:
    started = time.perf_counter()
    g = Grouping()
    t0, w0, e0 = DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, DEFAULT_ENTITY_WEIGHT
    rows: dict[str, dict[str, Any]] = {
        "stories.threshold": {"shipped": t0, "grid": "0.05..0.95 step 0.01"}
        | _interval(THRESHOLDS, lambda t: g.perfect(t, w0, e0)),
        "stories.window_days": {"shipped": w0, "grid": f"{WINDOWS}"}
        | _interval(WINDOWS, lambda w: g.perfect(t0, w, e0)),
        "stories.entity_weight": {"shipped": e0, "grid": "0.00..0.60 step 0.05"}
        | _interval(WEIGHTS, lambda e: g.perfect(t0, w0, e)),
    }
    # Content alone (no dates): what the shipped threshold gives up to the date window.
    content = {t: g.scores(t, None, e0)["pairwise_f1"] for t in THRESHOLDS}
    best = max(content.values())
    rows["stories.threshold"]["dates_ignored_f1_at_shipped"] = content[t0]
    rows["stories.threshold"]["dates_ignored_best_f1"] = {"f1": best, "at": [t for t, f in content.items() if f == best]}
    per_weight = {}
    for e in WEIGHTS:
        iv = _interval(THRESHOLDS, lambda t, e=e: g.perfect(t, w0, e))
        per_weight[str(e)] = iv["feasible"]
    rows["stories.threshold"]["feasible_by_entity_weight"] = per_weight

    d = Drift(g)
    m0, s0 = DEFAULT_MATCH_THRESHOLD, DEFAULT_STRONG_THRESHOLD
    rows["drift.match_threshold"] = {"shipped": m0, "grid": "50..100 step 1"} | _interval(
        MATCH, lambda m: d.perfect(m, max(m, s0))
    )
    rows["drift.strong_threshold"] = {"shipped": s0, "grid": "50..100 step 1"} | _interval(
        MATCH, lambda s: d.perfect(min(m0, s), s)
    )
    rows["drift.match_threshold"]["at_shipped"] = d.check(m0, s0)
    both = [(m, s) for m, s in itertools.product(MATCH, MATCH) if s >= m and d.perfect(m, s)]
    rows["drift.strong_threshold"]["feasible_pairs_with_strong_>=_match"] = len(both)

    result = {
        "corpus": str(DATA.relative_to(ROOT)),
        "articles": len(g.docs),
        "quotes": len(d.items),
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'value':24s} {'shipped':>8s} {'feasible on dev':>18s} {'procedure':>10s}  constrained")
    for name, r in rows.items():
        feasible = "none" if r["feasible"] is None else f"[{r['feasible'][0]:g}, {r['feasible'][1]:g}]"
        print(f"{name:24s} {r['shipped']:>8g} {feasible:>18s} {r['procedure']!s:>10s}  {r['constrained']}")
    print(f"dates ignored: F1 {content[t0]:.3f} at the shipped threshold, best {best:.3f} at {rows['stories.threshold']['dates_ignored_best_f1']['at']}")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Choose ``techniques.v3``'s decoding on the default model's held-out training articles, by cross-validation.

    python benchmarks/spans_cache.py            # once: the model's outputs on its 67 held-out articles
    python benchmarks/spans_tune.py [--write]   # choose, report, and with --write store it in the model's config.json

Everything here reads the 67 en *train* articles the trainer held apart
(the model never trained on them; its v2 thresholds were chosen on them).
Dev is never read. Two choices, in order:

1. **Paragraph score**: ``(1 - w) * paragraph probability + w * strongest
   token probability``, ``w`` from a grid; per-technique thresholds fitted
   by the trainer's coordinate ascent on micro-F1. Each ``w`` is scored out
   of fold (5 folds by article, 4 seeds: thresholds fitted on four folds,
   scored on the fifth); the best mean wins and its thresholds are then
   fitted on all 67 articles.
2. **Span rules** per technique (token threshold, gap, extent ``tokens`` or
   ``sentence``, strongest-token fallback), over the paragraphs the step-1
   labels keep, chosen by coordinate ascent on the span F1 (partial
   overlap, technique-aware) of the spans of every technique together.
   The span F1 adds up per technique (precision credit, predicted count,
   recall credit), so each candidate's share is computed once. Scored out
   of fold the same way (the labels gating a fold come from thresholds
   fitted without it), then chosen on all 67.

Writes ``benchmarks/results/spans-tune.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from spinscope.models.bundle import ParagraphOutput
from spinscope.models.calibrate import fit_micro_thresholds
from spinscope.models.paths import default_model_dir
from spinscope.sentences import sentence_spans
from spinscope.techniques.detector import SpanRule, decode_technique, strongest_token_probs

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("/tmp/spinscope-spans-heldout.npz")
WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.65)
TOKEN_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 0.55, 0.65)
FOLDS, SEEDS = 5, 4
#: Extents a technique annotated over long stretches may take, and the others (see ``LONG_SPAN_CHARS``).
EXTENTS = ("tokens", "phrase", "sentence", "paragraph")
SHORT_EXTENTS = ("tokens", "phrase")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


class Heldout:
    """The cached outputs, as :class:`ParagraphOutput` per paragraph, and the gold."""

    def __init__(self, path: Path) -> None:
        z = np.load(path)
        self.techniques = [str(t) for t in z["techniques"]]
        self.texts = [str(t) for t in z["texts"]]
        rows = z["para_rows"]
        self.article, self.start = rows[:, 0], rows[:, 1]
        self.gold_labels = z["gold_labels"].astype(bool)
        self.para_probs = z["para_probs"]
        self.v2_thresholds = z["para_th"]
        self.v2_span = np.round(z["span_th"].astype(np.float64), 4)
        windows: dict[int, list[tuple[np.ndarray, list[tuple[int, int]]]]] = {}
        tw, tp, to = z["tok_window"], z["tok_probs"], z["tok_offsets"]
        cuts = np.r_[0, np.flatnonzero(np.diff(tw)) + 1, len(tw)]
        for w, p in enumerate(z["win_para"]):
            a, b = cuts[w], cuts[w + 1]
            windows.setdefault(int(p), []).append((tp[a:b], [(int(x), int(y)) for x, y in to[a:b]]))
        k = len(self.techniques)
        self.outputs = [
            ParagraphOutput(self.para_probs[i], np.zeros(1, np.float32), windows.get(i, [(np.zeros((0, k)), [])]))
            for i in range(len(self.texts))
        ]
        self.strongest = np.stack([strongest_token_probs(o) for o in self.outputs])
        self.sentences = [sentence_spans(t) for t in self.texts]
        gold: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for a, t, s, e in z["gold_spans"]:
            gold.setdefault((int(a), int(t)), []).append((int(s), int(e)))
        self.gold = {key: _merge(v) for key, v in gold.items()}

    def n_gold(self, articles: set[int]) -> int:
        return sum(len(v) for (a, _), v in self.gold.items() if a in articles)

    def share(self, k: int, rule: SpanRule, paragraphs: list[int]) -> np.ndarray:
        """``[precision credit, predicted spans, recall credit]`` of technique *k*'s spans over *paragraphs*."""
        by_article: dict[int, list[tuple[int, int]]] = {}
        for i in paragraphs:
            base = int(self.start[i])
            for s, e, _ in decode_technique(self.texts[i], self.outputs[i], k, rule, self.sentences[i]):
                by_article.setdefault(int(self.article[i]), []).append((base + s, base + e))
        pc = rc = 0.0
        n = 0
        for a, spans in by_article.items():
            merged = _merge(spans)
            n += len(merged)
            for s, e in merged:
                for gs, ge in self.gold.get((a, k), []):
                    inter = min(e, ge) - max(s, gs)
                    if inter > 0:
                        pc += inter / (e - s)
                        rc += inter / (ge - gs)
        return np.array([pc, n, rc])


def span_f1(total: np.ndarray, n_gold: int) -> tuple[float, float, float]:
    """``(F1, P, R)`` from summed shares."""
    p = total[0] / total[1] if total[1] else 0.0
    r = total[2] / n_gold if n_gold else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), float(p), float(r)


def _micro(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    return 2 * tp / float(pred.sum() + gold.sum())


def _folds(articles: np.ndarray, seed: int) -> list[np.ndarray]:
    perm = np.random.RandomState(seed).permutation(np.unique(articles))
    return [perm[f::FOLDS] for f in range(FOLDS)]


def choose_weight(h: Heldout) -> tuple[float, dict[str, float], np.ndarray]:
    """Step 1: the token weight by out-of-fold micro-F1; its thresholds on every held-out article."""
    scores: dict[str, float] = {}
    for w in WEIGHTS:
        s = (1 - w) * h.para_probs + w * h.strongest
        res = []
        for seed in range(SEEDS):
            pred = np.zeros_like(h.gold_labels)
            for fold in _folds(h.article, seed):
                te = np.isin(h.article, fold)
                pred[te] = s[te] >= fit_micro_thresholds(s[~te], h.gold_labels[~te])[None, :]
            res.append(_micro(pred, h.gold_labels))
        scores[str(w)] = float(np.mean(res))
    best = max(WEIGHTS, key=lambda w: scores[str(w)])
    s = (1 - best) * h.para_probs + best * h.strongest
    return best, scores, fit_micro_thresholds(s, h.gold_labels)


def _candidates(long_techniques: set[int], k: int, long_everywhere: bool, clause_techniques: set[int] | None = None) -> list[SpanRule]:
    extents = EXTENTS if long_everywhere or k in long_techniques else SHORT_EXTENTS
    if clause_techniques and k in clause_techniques:  # ``--clause``: the clause extent, never a whole paragraph for these
        extents = (*extents, "clause")
    return [
        SpanRule(t, g, x, f) for t in TOKEN_THRESHOLDS for g in (2, 4) for x in extents for f in (False, True)
    ]


def choose_rules(
    h: Heldout, labels: np.ndarray, paragraphs: list[int], cands: list[list[SpanRule]], n_gold: int
) -> tuple[list[SpanRule], float]:
    """Step 2: one rule per technique by coordinate ascent on the summed span F1 over *paragraphs*."""
    k_all = len(h.techniques)
    table = [
        [h.share(k, r, [i for i in paragraphs if labels[i, k]]) for r in cands[k]] for k in range(k_all)
    ]
    start = [cands[k].index(SpanRule(float(h.v2_span[k]))) for k in range(k_all)]
    choice = list(start)
    for _ in range(4):
        changed = False
        for k in range(k_all):
            rest = sum(table[j][choice[j]] for j in range(k_all) if j != k)
            vals = [span_f1(rest + table[k][c], n_gold)[0] for c in range(len(cands[k]))]
            best = int(np.argmax(vals))
            if vals[best] > vals[choice[k]] + 1e-12:
                choice[k], changed = best, True
        if not changed:
            break
    total = sum(table[k][choice[k]] for k in range(k_all))
    return [cands[k][choice[k]] for k in range(k_all)], span_f1(total, n_gold)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--long-extents-everywhere", dest="long_everywhere", action="store_true", help="let every technique take sentence and paragraph extents (tried, not kept: see BENCHMARKS.md)")
    parser.add_argument("--write", action="store_true", help="store the chosen decoding in the model's config.json")
    parser.add_argument("--clause", action="store_true", help="offer the clause extent to techniques annotated over clauses (CLAUSE_SPAN_CHARS)")
    parser.add_argument("--labels", type=Path, default=None, help="paragraph labels gating the spans (benchmarks/stack_tune.py writes them); with --write, the rules go to the stack")
    args = parser.parse_args()
    if not args.cache.is_file():
        print(f"SKIP: no cache at {args.cache} (run benchmarks/spans_cache.py first)")
        return 0
    h = Heldout(args.cache)
    k_all = len(h.techniques)
    every = list(range(len(h.texts)))
    arts = {int(a) for a in h.article}

    # Which techniques are annotated over long stretches: train gold span lengths (train split only).
    from spinscope.datasets import default_data_dir, load_semeval2023

    ds = load_semeval2023(args.data_dir or default_data_dir(), "en", "train")
    lengths: dict[str, list[int]] = {}
    for sp in ds.spans:
        lengths.setdefault(sp.label, []).append(sp.end - sp.start)
    median = {t: float(np.median(v)) for t, v in lengths.items()}
    long_techniques = {k for k, t in enumerate(h.techniques) if median.get(t, 0.0) >= LONG_SPAN_CHARS}
    clause_techniques = {k for k, t in enumerate(h.techniques) if median.get(t, 0.0) >= CLAUSE_SPAN_CHARS} if args.clause else None
    cands = [_candidates(long_techniques, k, args.long_everywhere, clause_techniques) for k in range(k_all)]

    weight, weight_scores, thresholds = choose_weight(h)
    v2_labels = h.para_probs >= h.v2_thresholds[None, :]
    print(f"step 1, out-of-fold micro-F1 by token weight: {weight_scores} -> w = {weight}")
    # ``--labels``: the paragraph labels that gate spans come from elsewhere (``stack_tune.py``'s stack).
    given = np.load(args.labels) if args.labels else None

    # Out of fold, one seed: labels and rules of each fold chosen without it.
    s = (1 - weight) * h.para_probs + weight * h.strongest
    oof = {"v2": np.zeros(3), "v3": np.zeros(3)}
    for f, fold in enumerate(_folds(h.article, 0)):
        te = np.isin(h.article, fold)
        tr_idx = [i for i in every if not te[i]]
        te_idx = [i for i in every if te[i]]
        if given is not None:
            fold_labels = given["folds"][f]
        else:
            fold_labels = s >= fit_micro_thresholds(s[~te], h.gold_labels[~te])[None, :]
        rules, _ = choose_rules(h, fold_labels, tr_idx, cands, h.n_gold(arts - set(fold.tolist())))
        oof["v3"] += sum(h.share(k, rules[k], [i for i in te_idx if fold_labels[i, k]]) for k in range(k_all))
        oof["v2"] += sum(
            h.share(k, SpanRule(float(h.v2_span[k])), [i for i in te_idx if v2_labels[i, k]]) for k in range(k_all)
        )
    n_gold = h.n_gold(arts)
    oof_scores = {name: dict(zip(("f1", "precision", "recall"), span_f1(v, n_gold), strict=True)) for name, v in oof.items()}
    print(f"step 2, out-of-fold span F1: v2 {oof_scores['v2']}, v3 {oof_scores['v3']}")

    labels = given["every"] if given is not None else s >= thresholds[None, :]
    rules, in_sample = choose_rules(h, labels, every, cands, n_gold)
    print(f"chosen on all 67 (in-sample span F1 {in_sample:.4f}):")
    for k, r in enumerate(rules):
        print(f"  {h.techniques[k]:<35} {r}")
    record = {
        "heldout_articles": len(arts),
        "token_weight": weight,
        "weight_oof_micro_f1": weight_scores,
        "span_oof": oof_scores,
        "span_in_sample_f1": in_sample,
        "long_span_chars": LONG_SPAN_CHARS,
        "long_everywhere": args.long_everywhere,
        "rules": {h.techniques[k]: vars(r) for k, r in enumerate(rules)},
        "thresholds": {h.techniques[k]: float(thresholds[k]) for k in range(k_all)},
    }
    if given is not None:
        record["labels"] = str(args.labels)
    suffix = ("-long-extents-everywhere" if args.long_everywhere else "") + ("-stack" if given is not None else "") + ("-clause" if args.clause else "")
    out = ROOT / "benchmarks" / "results" / f"spans-tune{suffix}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if args.write and given is not None:
        # Span rules for the stack's labels: they go into the stack, so techniques.v3's rules stay as they were.
        cfg_path = (args.model or default_model_dir()) / "config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg["decoding"]["stack"].update(
            span_thresholds=[r.threshold for r in rules],
            span_gap=[r.gap for r in rules],
            span_extent=[r.extent for r in rules],
            span_fallback=[r.fallback for r in rules],
            span_oof_f1=round(oof_scores["v3"]["f1"], 4),
        )
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the stack's span rules to {cfg_path}")
    elif args.write and args.clause:
        # Rules that may use the clause extent are read by techniques.v4 only; techniques.v3's stay as they were.
        cfg_path = (args.model or default_model_dir()) / "config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg["decoding"]["v4"] = {
            "chosen_by": "benchmarks/spans_tune.py --clause on the 67 held-out en train articles",
            "span_oof_f1": round(oof_scores["v3"]["f1"], 4),
            "span_thresholds": [r.threshold for r in rules],
            "span_gap": [r.gap for r in rules],
            "span_extent": [r.extent for r in rules],
            "span_fallback": [r.fallback for r in rules],
        }
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        print(f"wrote techniques.v4's span rules to {cfg_path}")
    elif args.write:
        cfg_path = (args.model or default_model_dir()) / "config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        cfg["decoding"] = {
            "version": 3,
            "chosen_by": "benchmarks/spans_tune.py on the 67 held-out en train articles",
            "token_weight": weight,
            "thresholds": [round(float(t), 4) for t in thresholds],
            "span_thresholds": [r.threshold for r in rules],
            "span_gap": [r.gap for r in rules],
            "span_extent": [r.extent for r in rules],
            "span_fallback": [r.fallback for r in rules],
        }
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        print(f"wrote the decoding block to {cfg_path}")
    return 0


#: A technique whose median train gold span is at least this long may decode to whole sentences.
LONG_SPAN_CHARS = 50
#: ... and at least this long (a clause), to the clause its hot words sit in (``--clause``).
CLAUSE_SPAN_CHARS = 30

if __name__ == "__main__":
    sys.exit(main())

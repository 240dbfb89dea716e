"""Score quotation predictions against gold annotations.

Gold and predictions share one record shape per quote (the gold file's)::

    {"start", "end", "speaker", "kind", "insertions": [{"start", "end", "kind"}],
     "truncated": {"left", "right"}}

Metrics:

* quote spans -- a prediction matches a gold quote when their inner spans
  have a character-level Jaccard of at least 0.8 (one-to-one, best pairs
  first); precision, recall, F1, plus how many matches are exact;
* speaker accuracy -- over matched pairs whose gold quote is speech with a
  gold speaker; case-insensitive equality of canonical names, so a surname
  for a full gold name is wrong;
* insertions -- exact ``(start, end)`` over the whole item, any kind;
  editorial classification is scored separately, over detected insertions;
* wrong and spurious speakers -- a speaker given but wrong (over the same
  pairs), and a speaker given where the gold speech has none: the errors a
  reader notices, as opposed to a speaker left out;
* kind accuracy (scare vs speech) and truncation accuracy (both edges
  right) over matched pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from spinscope.quotes.model import Quote

__all__ = [
    "MATCH_THRESHOLD",
    "span_jaccard",
    "match_quotes",
    "prf",
    "quote_to_record",
    "score_item",
    "summarise",
]

MATCH_THRESHOLD = 0.8
Record = Mapping[str, Any]


def span_jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Character-level Jaccard of two ``[start, end)`` ranges.

    >>> span_jaccard((0, 10), (2, 10))
    0.8
    """
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 1.0


def match_quotes(
    gold: Sequence[Record], pred: Sequence[Record], threshold: float = MATCH_THRESHOLD
) -> list[tuple[int, int]]:
    """One-to-one ``(gold_index, pred_index)`` pairs with Jaccard >= *threshold*, best first."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            j = span_jaccard((g["start"], g["end"]), (p["start"], p["end"]))
            if j >= threshold:
                candidates.append((-j, gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1; an empty side counts as perfect (1.0)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def quote_to_record(q: Quote) -> dict[str, Any]:
    """A predicted :class:`Quote` in the gold record shape."""
    return {
        "start": q.start,
        "end": q.end,
        "speaker": q.speaker,
        "kind": q.kind,
        "insertions": [{"start": i.start, "end": i.end, "kind": i.kind} for i in q.insertions],
        "truncated": {"left": q.truncated_left, "right": q.truncated_right},
    }


def _editorial(kind: str) -> bool:
    # Without a scorer the extractor can only flag candidates; count them as editorial.
    return kind in ("editorial", "editorial-candidate")


def score_item(gold: Sequence[Record], pred: Sequence[Record]) -> dict[str, Any]:
    """Counts for one item; add them up over items and pass them to :func:`summarise`."""
    pairs = match_quotes(gold, pred)
    exact = sum(1 for gi, pi in pairs if (gold[gi]["start"], gold[gi]["end"]) == (pred[pi]["start"], pred[pi]["end"]))
    c: dict[str, Any] = {
        "quote_tp": len(pairs),
        "quote_fp": len(pred) - len(pairs),
        "quote_fn": len(gold) - len(pairs),
        "quote_exact": exact,
        "speaker_total": 0,
        "speaker_correct": 0,
        "speaker_wrong_given": 0,
        "speaker_unnamed_total": 0,
        "speaker_spurious": 0,
        "kind_total": len(pairs),
        "kind_correct": 0,
        "trunc_total": len(pairs),
        "trunc_correct": 0,
        "errors": [],
    }
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        if g["kind"] == p["kind"]:
            c["kind_correct"] += 1
        else:
            c["errors"].append({"type": "kind", "gold": g["kind"], "pred": p["kind"], "start": g["start"]})
        if g["truncated"] == p["truncated"]:
            c["trunc_correct"] += 1
        else:
            c["errors"].append({"type": "truncation", "gold": g["truncated"], "pred": p["truncated"], "start": g["start"]})
        if g["kind"] == "speech" and g.get("speaker"):
            c["speaker_total"] += 1
            if (p.get("speaker") or "").casefold() == g["speaker"].casefold():
                c["speaker_correct"] += 1
            else:
                c["speaker_wrong_given"] += 1 if p.get("speaker") else 0
                c["errors"].append({"type": "speaker", "gold": g["speaker"], "pred": p.get("speaker"), "start": g["start"]})
        elif g["kind"] == "speech" and p["kind"] == "speech":
            c["speaker_unnamed_total"] += 1
            if p.get("speaker"):
                c["speaker_spurious"] += 1
                c["errors"].append({"type": "speaker", "gold": None, "pred": p.get("speaker"), "start": g["start"]})
    for gi, g in enumerate(gold):
        if gi not in {x for x, _ in pairs}:
            c["errors"].append({"type": "missed-quote", "start": g["start"], "end": g["end"]})
    for pi, p in enumerate(pred):
        if pi not in {y for _, y in pairs}:
            c["errors"].append({"type": "extra-quote", "start": p["start"], "end": p["end"]})

    g_ins = {(i["start"], i["end"]): i["kind"] for q in gold for i in q["insertions"]}
    p_ins = {(i["start"], i["end"]): i["kind"] for q in pred for i in q["insertions"]}
    hit = set(g_ins) & set(p_ins)
    c["ins_tp"], c["ins_fp"], c["ins_fn"] = len(hit), len(set(p_ins) - hit), len(set(g_ins) - hit)
    c["edit_tp"] = sum(1 for k in hit if _editorial(g_ins[k]) and _editorial(p_ins[k]))
    c["edit_fp"] = sum(1 for k in hit if not _editorial(g_ins[k]) and _editorial(p_ins[k]))
    c["edit_fn"] = sum(1 for k in hit if _editorial(g_ins[k]) and not _editorial(p_ins[k]))
    c["edit_total"] = len(hit)
    c["edit_correct"] = sum(1 for k in hit if _editorial(g_ins[k]) == _editorial(p_ins[k]))
    for k in set(g_ins) - hit:
        c["errors"].append({"type": "missed-insertion", "start": k[0], "end": k[1]})
    for k in set(p_ins) - hit:
        c["errors"].append({"type": "extra-insertion", "start": k[0], "end": k[1]})
    return c


def summarise(counts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Add up :func:`score_item` counts and turn them into metrics."""
    total: dict[str, int] = {}
    for c in counts:
        for k, v in c.items():
            if isinstance(v, int):
                total[k] = total.get(k, 0) + v

    def ratio(a: str, b: str) -> float | None:
        return total.get(a, 0) / total[b] if total.get(b) else None

    return {
        "quotes": {
            **prf(total.get("quote_tp", 0), total.get("quote_fp", 0), total.get("quote_fn", 0)),
            "tp": total.get("quote_tp", 0),
            "fp": total.get("quote_fp", 0),
            "fn": total.get("quote_fn", 0),
            "exact": total.get("quote_exact", 0),
        },
        "speaker": {
            "accuracy": ratio("speaker_correct", "speaker_total"),
            "n": total.get("speaker_total", 0),
            "wrong_given": total.get("speaker_wrong_given", 0),
            "unnamed_n": total.get("speaker_unnamed_total", 0),
            "spurious": total.get("speaker_spurious", 0),
        },
        "kind": {"accuracy": ratio("kind_correct", "kind_total"), "n": total.get("kind_total", 0)},
        "truncation": {"accuracy": ratio("trunc_correct", "trunc_total"), "n": total.get("trunc_total", 0)},
        "insertions": {
            **prf(total.get("ins_tp", 0), total.get("ins_fp", 0), total.get("ins_fn", 0)),
            "tp": total.get("ins_tp", 0),
            "fp": total.get("ins_fp", 0),
            "fn": total.get("ins_fn", 0),
        },
        "editorial": {
            **prf(total.get("edit_tp", 0), total.get("edit_fp", 0), total.get("edit_fn", 0)),
            "accuracy": ratio("edit_correct", "edit_total"),
            "n": total.get("edit_total", 0),
        },
    }

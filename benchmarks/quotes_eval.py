"""Score the quotation analyzer on the hand-written gold set.

    python benchmarks/quotes_eval.py [--gold benchmarks/quotes_gold/gold.jsonl] [--errors]

Prints a table of metrics against their targets and writes
``benchmarks/results/quotes-gold.json`` (metrics, per-item errors, the
gold file's SHA-256). Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path

from dataclasses import replace

from spinscope.document import LanguageGuess
from spinscope.ingest import document_from_text
from spinscope.entities import find_entities
from spinscope.quotes import ANALYZER_VERSION, extract_quotes
from spinscope.quotes.evaluate import quote_to_record, score_item, summarise

HERE = Path(__file__).resolve().parent
GOLD = HERE / "quotes_gold" / "gold.jsonl"
OUT = HERE / "results" / "quotes-gold.json"

#: (metric path, floor) -- the targets the analyzer must meet.
TARGETS: list[tuple[str, str, float]] = [
    ("quote span F1", "quotes.f1", 0.90),
    ("speaker accuracy", "speaker.accuracy", 0.85),
    ("insertion recall", "insertions.recall", 0.95),
    ("insertion precision", "insertions.precision", 0.90),
]
REPORTED: list[tuple[str, str]] = [
    ("quote span precision", "quotes.precision"),
    ("quote span recall", "quotes.recall"),
    ("scare/speech accuracy", "kind.accuracy"),
    ("truncation accuracy", "truncation.accuracy"),
    ("insertion F1", "insertions.f1"),
    ("editorial accuracy (no scorer)", "editorial.accuracy"),
]


def _get(metrics: dict, path: str) -> float | None:
    value: object = metrics
    for key in path.split("."):
        value = value[key]  # type: ignore[index]
    return value  # type: ignore[return-value]


def load_gold(path: Path) -> list[dict]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                item = json.loads(line)
                item["_line"] = n
                items.append(item)
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--errors", action="store_true", help="print every error")
    parser.add_argument(
        "--rules-only", action="store_true", help="names by rule alone, without the NER pipeline's mentions"
    )
    args = parser.parse_args()

    items = load_gold(args.gold)
    counts = []
    per_item = []
    for item in items:
        doc = document_from_text(
            item["text"], name=item["id"], layout="auto", title_line=False, clean=False, detect_language=False
        )
        if doc.text != item["text"]:
            print(f"{item['id']}: document text differs from the gold text; offsets would not apply")
            return 2
        language = item.get("language")
        if language:  # as the pipeline reads a non-English article: that language, no English NER
            doc = replace(doc, language=LanguageGuess(language, 1.0))
        tagged = None
        if not args.rules_only and not language:  # what `spinscope analyze` does: the NER mentions confirm or add names
            tagged = [(m.start, m.end, e.label) for e in find_entities(doc) for m in e.mentions if m.source == "ner"]
        pred = [quote_to_record(q) for q in extract_quotes(doc, tagged).quotes]
        c = score_item(item["quotes"], pred)
        counts.append(c)
        if c["errors"]:
            for e in c["errors"]:
                if "start" in e:
                    e["context"] = item["text"][max(0, e["start"] - 10) : e["start"] + 50]
            per_item.append({"id": item["id"], "errors": c["errors"]})
    metrics = summarise(counts)

    n_quotes = sum(len(i["quotes"]) for i in items)
    n_ins = sum(len(q["insertions"]) for i in items for q in i["quotes"])
    print(f"quotes gold set: {len(items)} items, {n_quotes} quotes, {n_ins} insertions")
    print(f"{'metric':<32} {'value':>7} {'target':>7}  ok")
    ok_all = True
    for label, path, floor in TARGETS:
        v = _get(metrics, path)
        ok = v is not None and v >= floor
        ok_all &= ok
        print(f"{label:<32} {v if v is not None else float('nan'):>7.3f} {floor:>7.2f}  {'yes' if ok else 'NO'}")
    for label, path in REPORTED:
        v = _get(metrics, path)
        print(f"{label:<32} {v if v is not None else float('nan'):>7.3f} {'':>7}")
    q = metrics["quotes"]
    print(f"quotes: tp={q['tp']} fp={q['fp']} fn={q['fn']} exact={q['exact']}; "
          f"speakers scored={metrics['speaker']['n']} (wrong given {metrics['speaker']['wrong_given']}, "
          f"spurious {metrics['speaker']['spurious']} of {metrics['speaker']['unnamed_n']} unnamed); insertions tp={metrics['insertions']['tp']} "
          f"fp={metrics['insertions']['fp']} fn={metrics['insertions']['fn']}")
    if args.errors:
        for it in per_item:
            for e in it["errors"]:
                print(f"  {it['id']}: {json.dumps(e, ensure_ascii=False)}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "quotes-gold",
        "analyzer_version": ANALYZER_VERSION,
        "names": "rules only" if args.rules_only else "rules plus the NER pipeline's PERSON/ORG mentions",
        "gold": str(args.gold.relative_to(HERE.parent)) if args.gold.is_relative_to(HERE.parent) else str(args.gold),
        "gold_sha256": hashlib.sha256(args.gold.read_bytes()).hexdigest(),
        "items": len(items),
        "quotes": n_quotes,
        "insertions": n_ins,
        "targets": {path: floor for _, path, floor in TARGETS},
        "metrics": metrics,
        "targets_met": ok_all,
        "python": platform.python_version(),
        "errors": per_item,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())

"""Score entity finding on the headline/entity cases of ``tests/data/entities/cases.jsonl``.

    python benchmarks/entities_eval.py [--cases PATH] [--out PATH] [--errors]

Four checks per case (see ``tests/data/entities/make_cases.py``): expected
``[name, label]`` pairs found with that label; junk names absent; pairs of
names merged into one entity; pairs kept apart. Prints each check's
accuracy and the share of cases with every check right, and writes a JSON
result (default ``benchmarks/results/entities-cases.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from spinscope.entities import find_entities, name_key
from spinscope.ingest import document_from_text

HERE = Path(__file__).resolve().parent
CASES = HERE.parent / "tests" / "data" / "entities" / "cases.jsonl"
OUT = HERE / "results" / "entities-cases.json"


def score_case(case: dict) -> dict:
    """Counts and errors of one case."""
    doc = document_from_text(
        case["text"], name=case["id"], title_line=True, clean=False, detect_language=False
    )
    entities = find_entities(doc)
    names = [(e, {name_key(e.name), *(name_key(a) for a in e.aliases)}) for e in entities]

    def holder(name: str):
        k = name_key(name)
        return next((e for e, keys in names if k in keys), None)

    errors: list[str] = []
    c = {
        "expect": 0,
        "expect_ok": 0,
        "absent": 0,
        "absent_ok": 0,
        "same": 0,
        "same_ok": 0,
        "apart": 0,
        "apart_ok": 0,
    }
    for name, label in case["expect"]:
        c["expect"] += 1
        e = holder(name)
        if e is not None and e.label == label:
            c["expect_ok"] += 1
        else:
            errors.append(f"expected {name} {label}, got {e.label if e else 'nothing'}")
    for name in case["absent"]:
        c["absent"] += 1
        if holder(name) is None:
            c["absent_ok"] += 1
        else:
            errors.append(f"junk entity {name!r}")
    for x, y in case["same"]:
        c["same"] += 1
        ex, ey = holder(x), holder(y)
        if ex is not None and ex is ey:
            c["same_ok"] += 1
        else:
            errors.append(f"{x!r} and {y!r} not merged")
    for x, y in case["apart"]:
        c["apart"] += 1
        ex, ey = holder(x), holder(y)
        if ex is not None and ey is not None and ex is not ey:
            c["apart_ok"] += 1
        else:
            errors.append(f"{x!r} and {y!r} not two entities")
    c["errors"] = errors
    c["entities"] = [
        f"{e.name} ({e.label})" + (f" aka {', '.join(e.aliases)}" if e.aliases else "") for e in entities
    ]
    return c


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = {c["id"]: score_case(c) for c in cases}
    total = {
        k: sum(r[k] for r in results.values())
        for k in ("expect", "expect_ok", "absent", "absent_ok", "same", "same_ok", "apart", "apart_ok")
    }
    metrics = {
        k: total[f"{k}_ok"] / total[k] if total[k] else None for k in ("expect", "absent", "same", "apart")
    }
    metrics["cases_all_right"] = sum(1 for r in results.values() if not r["errors"]) / len(results)
    print(f"entity cases: {len(cases)}")
    for k in ("expect", "absent", "same", "apart"):
        print(f"{k:<8} {total[f'{k}_ok']:>3}/{total[k]:<3} {metrics[k]:.3f}")
    print(f"cases with every check right: {metrics['cases_all_right']:.3f}")
    if args.errors:
        for cid, r in results.items():
            for e in r["errors"]:
                print(f"  {cid}: {e}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "entities-cases",
                "cases_sha256": hashlib.sha256(args.cases.read_bytes()).hexdigest(),
                "metrics": metrics,
                "counts": total,
                "per_case": results,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

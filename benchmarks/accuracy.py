"""Accuracy of a model on SemEval-2023 Task 3 dev, scored twice: our metrics and the official scorers.

    python benchmarks/accuracy.py [--model DIR] [--lang en] [--english-only] [--data-dir ../shared/data]
    SPINSCOPE_PRECISION=fp32|bf16|int8 python benchmarks/accuracy.py ...   # the English encoder's precision

Prints our scores next to the organisers' baseline (their dev outputs,
scored here) and the best published results, checks that the official scorers give the same numbers on
the same prediction files, and writes ``benchmarks/results/accuracy-<lang>-dev[-english-only][-<precision>].json``
(no precision suffix for fp32).
Exit status 1 if the official scorers disagree with ours.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from spinscope.datasets import default_data_dir
from spinscope.evaluate import evaluate_semeval2023
from spinscope.official_formats import run_official_scorer

# Best published en *test* scores (the dev ones per language are in spinscope.evaluate).
BEST_PUBLISHED_EN_TEST = {"subtask1": 0.78, "subtask2": 0.58, "subtask3": 0.38}
TARGETS = {"subtask1": 0.60, "subtask2": 0.62, "subtask3": 0.35}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--english-only", action="store_true", help="the English model alone, no routing")
    parser.add_argument("--out", type=Path, default=Path("runs/bench-accuracy"))
    args = parser.parse_args()
    data_dir = args.data_dir or default_data_dir()
    if not (data_dir / "semeval2023-task3").is_dir():
        print(f"SKIP: no SemEval-2023 data at {data_dir}")
        return 0
    result = evaluate_semeval2023(
        lang=args.lang,
        split="dev",
        data_dir=data_dir,
        model=args.model,
        out_dir=args.out / args.lang,
        multilingual=not args.english_only,
    )
    m = result.metrics
    baseline = m["baseline"]
    ours = {
        "subtask1": m["subtask1"]["macro_f1"],
        "subtask2": m["subtask2"]["micro_f1"],
        "subtask3": m["subtask3"]["micro_f1"],
    }
    bundle = data_dir / "semeval2023-task3"
    gold_dir = bundle / "data" / args.lang
    official: dict[str, float | None] = {}
    for n in (1, 2, 3):
        score = run_official_scorer(
            n, gold_dir / f"dev-labels-subtask-{n}.txt", m["files"][f"subtask{n}"], bundle / "scorers"
        )
        official[f"subtask{n}"] = score.macro_f1 if n == 1 else score.micro_f1
    agree = all(o is not None and abs(o - ours[k]) < 1e-6 for k, o in official.items())
    print(f"{args.lang} dev, {'English model only' if args.english_only else 'routed (English + multilingual)'}")
    print(f"{'task':<10} {'ours':>8} {'official':>9} {'baseline':>9} {'target':>7} {'best(en test)':>13}")
    for k in ("subtask1", "subtask2", "subtask3"):
        o = official[k]
        print(
            f"{k:<10} {ours[k]:>8.4f} {o if o is not None else float('nan'):>9.4f} "
            f"{baseline[k] if baseline[k] is not None else float('nan'):>9.4f} {TARGETS[k]:>7.2f} "
            f"{BEST_PUBLISHED_EN_TEST[k] if args.lang == 'en' else float('nan'):>13.2f}"
        )
    sp = m["spans"]
    print(f"spans      P {sp['precision']:.4f}  R {sp['recall']:.4f}  F1 {sp['f1']:.4f}")
    print(f"best published subtask 3 dev (XLM-R-large): {m['best_published_dev_st3']}")
    print("official scorers agree" if agree else "OFFICIAL SCORERS DISAGREE")
    record = {
        "lang": args.lang,
        "split": "dev",
        "model": m["model"],
        "ours": ours,
        "official": official,
        "spans": {k: sp[k] for k in ("precision", "recall", "f1", "n_gold", "n_pred")},
        "multilingual": not args.english_only,
        "baseline_dev": baseline,
        "best_published_dev_st3": m["best_published_dev_st3"],
        "per_label_st3": {
            k: {x: v[x] for x in ("precision", "recall", "f1", "support", "predicted")}
            for k, v in m["subtask3"]["per_label"].items()
        },
        "best_published_en_test": BEST_PUBLISHED_EN_TEST,
        "agree": agree,
        "seconds": m["seconds"],
        "machine": f"{platform.processor() or platform.machine()}, {platform.system()}, python {platform.python_version()}",
    }
    from spinscope.models.precision import resolve_precision

    precision = resolve_precision()  # $SPINSCOPE_PRECISION or auto, as the evaluation's pipeline read it
    record["encoder_precision"] = precision
    # fp32 (the model as trained) keeps the plain name; other precisions get their own file.
    suffix = ("-english-only" if args.english_only else "") + ("" if precision == "fp32" else f"-{precision}")
    out = Path(__file__).resolve().parent / "results" / f"accuracy-{args.lang}-dev{suffix}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())

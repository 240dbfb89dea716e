"""SemEval-2025 Task 10 entity roles (subtask 1) on en dev: gold mentions and end to end.

Run: ``nice -n 19 .venv/bin/python benchmarks/roles_eval.py [--data-dir DIR] [--model-dir DIR] [--accurate] [--ner encoder]``.
``--ner encoder`` finds the end-to-end mentions with ``entities.v3`` (the encoder NER head) instead of
spaCy, into ``roles-en-dev-ner-encoder.json``.
``--accurate`` scores the accurate heads (``src/spinscope/models/roles_accurate``, all-mpnet-base-v2;
needs ``spinscope[accurate]``), end to end too (``SPINSCOPE_ROLES=accurate``), into
``benchmarks/results/roles-accurate-en-dev.json``.
Evaluates the packaged role model (``src/spinscope/models/roles``) with
:func:`spinscope.entities.train.evaluate_roles`: official-format predictions
for the gold mentions, scored by our code and by the organisers'
``subtask1_scorer.py`` (they must agree), then the whole pipeline (our NER,
our entities, our roles) against the same gold mentions. Writes
``benchmarks/results/roles-en-dev.json`` and exits 1 when the scorers disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from _hashing import files_sha256

import spinscope
from spinscope.entities.roles import ACCURATE_ROLES_DIR, DEFAULT_ROLES_DIR
from spinscope.entities.train import evaluate_roles

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "roles-en-dev.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--accurate", action="store_true", help="the accurate (all-mpnet-base-v2) heads")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--ner", default="spacy", choices=["spacy", "encoder"], help="who finds the mentions end to end (entities.v2 or v3)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.accurate:
        os.environ["SPINSCOPE_ROLES"] = "accurate"  # the end-to-end pipeline's roles component too
    args.model_dir = args.model_dir or (ACCURATE_ROLES_DIR if args.accurate else DEFAULT_ROLES_DIR)
    args.out = args.out or (OUT.with_name("roles-accurate-en-dev.json") if args.accurate else OUT)
    if args.ner != "spacy" and args.out in (OUT, OUT.with_name("roles-accurate-en-dev.json")):
        args.out = args.out.with_name(args.out.stem + f"-ner-{args.ner}.json")
    runs = ROOT / "runs" / f"roles-{args.lang}-dev"
    metrics = evaluate_roles(args.data_dir, args.lang, "dev", args.model_dir, runs, pipe=spinscope.load(ner=args.ner).pipe)
    metrics["ner"] = args.ner
    metrics["model_sha256"] = files_sha256(args.model_dir, "roles.*")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    gold, official, e2e = metrics["gold_mentions"]["ours"], metrics["gold_mentions"]["official"], metrics["end_to_end"]
    print(f"{'':34}{'ours':>10}{'official':>10}{'end to end':>12}")
    for key in ("main_role_accuracy", "exact_match_ratio"):
        value = official.get(key)
        shown = float("nan") if value is None else value
        print(f"{key:<34}{gold[key]:>10.4f}{shown:>10.4f}{e2e[key]:>12.4f}")
    print(f"gold mentions found by our NER: {e2e['gold_mentions_found']}/{e2e['mentions']}")
    print(f"majority main role ({metrics['majority_main_role']['role']}): {metrics['majority_main_role']['accuracy']:.4f}")
    print(f"wrote {args.out}")
    return 0 if metrics["gold_mentions"]["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())

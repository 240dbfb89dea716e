"""SemEval-2025 Task 10 narratives (subtask 2) and extractive evidence (subtask 3) on en dev.

Run: ``nice -n 19 .venv/bin/python benchmarks/narratives_eval.py [--data-dir DIR] [--model-dir DIR]``.
Evaluates the packaged model (``src/spinscope/models/narratives``) with
:func:`spinscope.narratives.train.evaluate_narratives`: official-format
predictions, samples-F1 coarse/fine from our metric and from the organisers'
``subtask2_scorer.py`` (they must agree), and the subtask-3 evidence
similarity (bundled-encoder cosine, *not* the official BERTScore). Writes
``benchmarks/results/narratives-en-dev.json`` (the prediction files go to
``runs/narratives-en-dev/``) and exits 1 when the two scorers disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _hashing import files_sha256

from spinscope.narratives.train import DEFAULT_MODEL_DIR, evaluate_narratives

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "narratives-en-dev.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    runs = ROOT / "runs" / f"narratives-{args.lang}-dev"
    metrics = evaluate_narratives(args.data_dir, args.lang, "dev", args.model_dir, runs)
    metrics["model_sha256"] = files_sha256(args.model_dir, "narratives.*")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    st2 = metrics["subtask2"]
    print(f"{'':24}{'ours':>10}{'official':>10}")
    for level in ("coarse", "fine"):
        ours, official = st2["ours"][level]["samples_f1"], st2["official"][level]
        official = float("nan") if official is None else official
        print(f"samples-F1 {level:<13}{ours:>10.4f}{official:>10.4f}")
    if "subtask3" in metrics:
        st3 = metrics["subtask3"]
        print(f"evidence cosine (given dominant)     {st3['given_dominant_narrative']:.4f}")
        print(f"evidence cosine (predicted dominant) {st3['predicted_dominant_narrative']:.4f}")
        print(f"lead-3 baseline cosine               {st3['lead3_baseline']:.4f}")
    print(f"wrote {args.out}")
    return 0 if st2["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())

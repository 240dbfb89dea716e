"""SemEval-2025 Task 10 narratives (subtask 2) and extractive evidence (subtask 3) on dev.

Run: ``nice -n 19 .venv/bin/python benchmarks/narratives_eval.py [--lang L] [--multilingual] [--data-dir DIR] [--model-dir DIR]``.
Evaluates a packaged model -- the English one (``src/spinscope/models/narratives``)
for en, the multilingual one (``src/spinscope/models/multilingual/narratives``)
for bg, pt, ru or with ``--multilingual`` -- with
:func:`spinscope.narratives.train.evaluate_narratives`: official-format
predictions, samples-F1 coarse/fine from our metric and from the organisers'
``subtask2_scorer.py`` (they must agree), and the subtask-3 evidence
similarity (encoder cosine, *not* the official BERTScore). Writes
``benchmarks/results/narratives-L-dev[-multilingual].json`` (the prediction
files go to ``runs/``) and exits 1 when the two scorers disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _hashing import files_sha256

from spinscope.multilingual.narratives import DEFAULT_NARRATIVES_DIR
from spinscope.narratives.train import DEFAULT_MODEL_DIR, evaluate_narratives

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--lang", default="en")
    parser.add_argument(
        "--multilingual", action=argparse.BooleanOptionalAction, default=None,
        help="the multilingual model and encoder (default: for every language but en)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    lang = args.lang.lower()
    multilingual = lang != "en" if args.multilingual is None else args.multilingual
    model_dir = args.model_dir or (DEFAULT_NARRATIVES_DIR if multilingual else DEFAULT_MODEL_DIR)
    name = f"narratives-{lang}-dev" + ("-multilingual" if multilingual and lang == "en" else "")
    out = args.out or ROOT / "benchmarks" / "results" / f"{name}.json"
    metrics = evaluate_narratives(args.data_dir, lang, "dev", model_dir, ROOT / "runs" / name, multilingual=multilingual)
    metrics["model_sha256"] = files_sha256(model_dir, "narratives.*")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
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
    print(f"wrote {out}")
    return 0 if st2["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())

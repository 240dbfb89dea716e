"""Check that spinscope.metrics gives the same numbers as the official SemEval-2023 Task 3 scorers.

For every prediction file, this runs the official ``scorer-subtask-N.py`` (as a
subprocess, with this interpreter, which therefore needs scikit-learn) and our
reader + metric, and prints both numbers the scorer reports (subtask 1:
macro-F1, the official metric, and micro-F1; subtasks 2 and 3: micro-F1, the
official metric, and macro-F1) with a PASS/FAIL agreement column. A file that
both refuse also passes. Exit status: 0 if everything agrees, 1 on any
disagreement, 2 on a usage or environment problem. Where the shared data is
absent it prints a SKIP message and exits 0.

Usage::

    python benchmarks/official_scorer_agreement.py                 # baselines, every language with dev gold
    python benchmarks/official_scorer_agreement.py --split train   # baselines on train (ge, it, po)
    python benchmarks/official_scorer_agreement.py --data ../shared/data --langs en it
    python benchmarks/official_scorer_agreement.py my-output-subtask3-dev-en.txt
    python benchmarks/official_scorer_agreement.py --subtask 2 --gold gold.txt pred.txt

Prediction files given without ``--gold`` must contain ``subtask<N>-<split>-<lang>``
in their name (like the organisers' ``baseline-output-subtask2-dev-en.txt``); the
gold file is then ``<gold-dir>/<lang>/<split>-labels-subtask-<N>.txt``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import spinscope  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

from spinscope.errors import ConfigError, SpinscopeError  # noqa: E402
from spinscope.metrics import genre_scores, multilabel_micro_f1  # noqa: E402
from spinscope.official_formats import (  # noqa: E402
    OfficialScore,
    read_label_list,
    read_subtask1,
    read_subtask2,
    read_subtask3,
    run_official_scorer,
)

LANGS = ("en", "fr", "ge", "it", "po", "ru")
LABEL_FILES = {2: "frames_subtask2.txt", 3: "techniques_subtask3.txt"}
METRICS = {1: ("macro-F1", "micro-F1"), 2: ("micro-F1", "macro-F1"), 3: ("micro-F1", "macro-F1")}
NAME = re.compile(r"subtask-?([123])-(train|dev|test)-([a-z]{2})")


@dataclass(frozen=True)
class Job:
    subtask: int
    lang: str
    split: str
    gold: Path
    pred: Path


@dataclass(frozen=True)
class Outcome:
    job: Job
    official: OfficialScore
    ours: tuple[float, float] | None
    our_error: str | None


def default_data() -> Path:
    env = os.environ.get("SPINSCOPE_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def ours(job: Job, scorers: Path, label_file: Path | None) -> tuple[float, float]:
    """(official metric, second metric) as spinscope computes them, in the scorer's order."""
    if job.subtask == 1:
        s = genre_scores(read_subtask1(job.gold), read_subtask1(job.pred), strict=True)
        return s.macro_f1, s.micro_f1
    labels = read_label_list(label_file or scorers / LABEL_FILES[job.subtask])
    if job.subtask == 2:
        m = multilabel_micro_f1(read_subtask2(job.gold), read_subtask2(job.pred), labels, strict=True)
    else:
        m = multilabel_micro_f1(read_subtask3(job.gold), read_subtask3(job.pred), labels, strict=True)
    return m.micro_f1, m.macro_f1


def evaluate(job: Job, scorers: Path, label_file: Path | None) -> Outcome:
    official = run_official_scorer(job.subtask, job.gold, job.pred, scorers, label_file=label_file)
    try:
        return Outcome(job, official, ours(job, scorers, label_file), None)
    except SpinscopeError as exc:
        return Outcome(job, official, None, exc.one_line)


def agrees(outcome: Outcome, tolerance: float) -> bool:
    if outcome.ours is None or not outcome.official.accepted:
        return outcome.ours is None and not outcome.official.accepted  # both refuse
    official = (outcome.official.primary, outcome.official.secondary)
    return all(
        o is not None and math.isclose(o, m, rel_tol=0.0, abs_tol=tolerance)
        for o, m in zip(official, outcome.ours, strict=True)
    )


def default_jobs(
    gold_dir: Path, baselines: Path, split: str, langs: Sequence[str], subtasks: Sequence[int]
) -> list[Job]:
    jobs = []
    for lang in langs:
        for subtask in subtasks:
            gold = gold_dir / lang / f"{split}-labels-subtask-{subtask}.txt"
            pred = baselines / f"baseline-output-subtask{subtask}-{split}-{lang}.txt"
            if gold.is_file() and pred.is_file():
                jobs.append(Job(subtask, lang, split, gold, pred))
    return jobs


def jobs_from_names(preds: Sequence[Path], gold_dir: Path) -> list[Job]:
    jobs = []
    for pred in preds:
        match = NAME.search(pred.name)
        if not match:
            raise SystemExit(
                f"{pred}: cannot tell subtask, split and language from the name "
                "(expected 'subtask<N>-<split>-<lang>' in it, or give --subtask and --gold)"
            )
        subtask, split, lang = int(match[1]), match[2], match[3]
        gold = gold_dir / lang / f"{split}-labels-subtask-{subtask}.txt"
        if not gold.is_file():
            raise SystemExit(f"{pred}: no gold file {gold}")
        jobs.append(Job(subtask, lang, split, gold, pred))
    return jobs


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.6f}"


def print_table(outcomes: Sequence[Outcome], tolerance: float) -> None:
    cols = f"{'subtask':<8}{'lang':<6}{'split':<7}{'metric':<10}"
    header = f"{cols}{'official':>11}{'spinscope':>12}{'|diff|':>10}  agree"
    print(header)
    print("-" * len(header))
    for out in outcomes:
        job, ok = out.job, agrees(out, tolerance)
        status = "PASS" if ok else "FAIL"
        if out.ours is None or not out.official.accepted:
            who = (
                "both refuse"
                if ok
                else (
                    "official refuses" if not out.official.accepted else f"spinscope refuses: {out.our_error}"
                )
            )
            key = f"{job.subtask:<8}{job.lang:<6}{job.split:<7}{'-':<10}"
            print(f"{key}{'-':>11}{'-':>12}{'-':>10}  {status} ({who})")
            continue
        official = (out.official.primary, out.official.secondary)
        for name, o, m in zip(METRICS[job.subtask], official, out.ours, strict=True):
            diff = abs(o - m) if o is not None else math.nan
            key = f"{job.subtask:<8}{job.lang:<6}{job.split:<7}{name:<10}"
            print(f"{key}{fmt(o):>11}{fmt(m):>12}{diff:>10.1e}  {status}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "preds", nargs="*", type=Path, help="prediction files (default: the organisers' baselines)"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="shared data root (default $SPINSCOPE_DATA or ../shared/data)"
    )
    parser.add_argument(
        "--gold-dir", type=Path, default=None, help="folder with <lang>/<split>-labels-subtask-N.txt"
    )
    parser.add_argument(
        "--scorers", type=Path, default=None, help="folder with the official scorer-subtask-N.py"
    )
    parser.add_argument(
        "--gold", type=Path, default=None, help="gold file for a single prediction file (with --subtask)"
    )
    parser.add_argument("--subtask", type=int, choices=(1, 2, 3), default=None)
    parser.add_argument(
        "--label-file", type=Path, default=None, help="label list for subtasks 2/3 (default: official)"
    )
    parser.add_argument(
        "--split", default="dev", choices=("dev", "train"), help="baselines to check (default dev)"
    )
    parser.add_argument("--langs", nargs="+", default=list(LANGS))
    parser.add_argument("--subtasks", nargs="+", type=int, default=[1, 2, 3], choices=(1, 2, 3))
    parser.add_argument("--tolerance", type=float, default=1e-6)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="scorer processes at once")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    data = args.data or default_data()
    task = data / "semeval2023-task3"
    scorers = args.scorers or task / "scorers"
    gold_dir = args.gold_dir or task / "data"
    if not (scorers / "scorer-subtask-1.py").is_file():
        if args.data is None and args.scorers is None:
            print(f"SKIP: official scorers not found under {data} (pass --data or set SPINSCOPE_DATA)")
            return 0
        print(f"error: official scorers not found in {scorers}", file=sys.stderr)
        return 2

    if args.gold is not None:
        if args.subtask is None or len(args.preds) != 1:
            print("error: --gold needs --subtask and exactly one prediction file", file=sys.stderr)
            return 2
        jobs = [Job(args.subtask, "-", "-", args.gold, args.preds[0])]
    elif args.preds:
        jobs = jobs_from_names(args.preds, gold_dir)
    else:
        jobs = default_jobs(gold_dir, task / "baselines", args.split, args.langs, args.subtasks)
    if not jobs:
        print(
            f"error: nothing to check (no {args.split} gold + baseline pairs under {task})", file=sys.stderr
        )
        return 2

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda j: evaluate(j, scorers, args.label_file), jobs))
    except ConfigError as exc:
        print(f"error: {exc.one_line}", file=sys.stderr)
        return 2

    print_table(outcomes, args.tolerance)
    failed = [o for o in outcomes if not agrees(o, args.tolerance)]
    print(f"\n{len(outcomes) - len(failed)}/{len(outcomes)} files agree within {args.tolerance:g}")
    if args.json:
        rows = [
            {
                "subtask": o.job.subtask,
                "lang": o.job.lang,
                "split": o.job.split,
                "gold": str(o.job.gold),
                "pred": str(o.job.pred),
                "metrics": list(METRICS[o.job.subtask]),
                "official": [o.official.primary, o.official.secondary],
                "spinscope": list(o.ours) if o.ours else None,
                "spinscope_error": o.our_error,
                "agree": agrees(o, args.tolerance),
            }
            for o in outcomes
        ]
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

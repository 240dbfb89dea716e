"""How fast ``read`` is: one long text and a JSONL dump of many articles, at 0.1 / 1 / 5 MB.

    python benchmarks/ingest.py [--sizes 0.1,1,5] [--out benchmarks/results/ingest.json]

The inputs are generated here from a seeded grammar of invented news
sentences (fictional places and people; no dataset text), written to a
temporary folder and read with :func:`spinscope.ingest.read` and the default
options (cleaning and language detection on). Each figure is the best of
``--repeat`` runs. Speeds are given as MB/s and as ratios against the
0.1 MB run of the same kind in the same process, so they compare across
machines; the absolute seconds are only this machine's.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from spinscope.ingest import ReadOptions, read
from spinscope.ingest.langid import _detector

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "ingest.json"

_PEOPLE = [
    "Irena Vasko",
    "Tomas Reiner",
    "Lena Dahl",
    "Pavel Dunaj",
    "Marta Cerny",
    "Karel Benes",
    "Ada Krupa",
]
_ROLES = [
    "the foreign minister",
    "the harbour master",
    "the interior minister",
    "the council leader",
    "a spokeswoman",
]
_PLACES = ["Dorn", "Halden", "Ostra", "Marov", "Calder", "Lisk"]
_THINGS = [
    "the grain corridor",
    "the new tariffs",
    "the port",
    "the rail line",
    "the budget",
    "the border crossing",
]
_VERBS = ["reopened", "was closed", "will be reviewed", "was delayed", "has been extended", "was approved"]
_DAYS = ["on Monday", "on Tuesday", "late on Wednesday", "early on Thursday", "on Friday", "over the weekend"]
_TEMPLATES = [
    "{person}, {role}, said {day} that {thing} {verb} after {n} days of talks in {place}.",
    '"We expect {thing} to be ready within {n} weeks," {person} told reporters in {place}.',
    "Officials in {place} said {thing} {verb} {day}, and that {n} workers had been sent to help.",
    "The decision affects about {n} families in {place}, according to figures published {day}.",
    "Critics said {thing} had been left unrepaired for {n} years, while {role} called the claim unfair.",
    "{person} met the delegation from {place} {day} and promised that {thing} would not be sold.",
]


def _sentence(rng: random.Random) -> str:
    return rng.choice(_TEMPLATES).format(
        person=rng.choice(_PEOPLE), role=rng.choice(_ROLES), place=rng.choice(_PLACES), thing=rng.choice(_THINGS),
        verb=rng.choice(_VERBS), day=rng.choice(_DAYS), n=rng.randint(2, 9000),
    )  # fmt: skip


def _article(rng: random.Random, chars: int) -> str:
    paragraphs = [f"{rng.choice(_THINGS).capitalize()} {rng.choice(_VERBS)} in {rng.choice(_PLACES)}"]
    size = 0
    while size < chars:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)


def make_inputs(folder: Path, mb: float, seed: int = 0) -> tuple[Path, Path]:
    """One long text and one JSONL dump of ~3 KB articles, each about *mb* MB."""
    rng = random.Random(seed)
    target = int(mb * 1_000_000)
    long_path = folder / f"long-{mb}.txt"
    long_path.write_text(_article(rng, target), encoding="utf-8")
    dump_path = folder / f"dump-{mb}.jsonl"
    with dump_path.open("w", encoding="utf-8") as fh:
        size = n = 0
        while size < target:
            line = json.dumps({"id": f"a{n}", "title": "Report", "text": _article(rng, 3000)}) + "\n"
            fh.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    return long_path, dump_path


def time_read(path: Path, repeat: int) -> tuple[float, int]:
    """Best seconds of *repeat* full reads of *path*, and how many documents it gave."""
    best, docs = float("inf"), 0
    options = ReadOptions(max_bytes=50 * 1024 * 1024)
    for _ in range(repeat):
        start = time.perf_counter()
        docs = sum(1 for r in read([path], options) if r.document is not None)
        best = min(best, time.perf_counter() - start)
    return best, docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.1,1,5", help="comma-separated sizes in MB")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    _detector()  # the language model loads once per process; not part of any read
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            long_path, dump_path = make_inputs(Path(tmp), mb)
            for kind, path in (("long text", long_path), ("jsonl dump", dump_path)):
                seconds, docs = time_read(path, args.repeat)
                size = path.stat().st_size / 1_000_000
                rows.append({"kind": kind, "mb": round(size, 3), "documents": docs, "seconds": round(seconds, 3),
                             "mb_per_s": round(size / seconds, 2)})  # fmt: skip
    for kind in ("long text", "jsonl dump"):
        base = next(r for r in rows if r["kind"] == kind)
        for r in rows:
            if r["kind"] == kind:
                r["rate_vs_smallest"] = round(r["mb_per_s"] / base["mb_per_s"], 2)
    print(f"{'input':<12} {'MB':>6} {'docs':>6} {'seconds':>8} {'MB/s':>6} {'rate vs 0.1 MB':>15}")
    for r in rows:
        print(f"{r['kind']:<12} {r['mb']:>6.2f} {r['documents']:>6} {r['seconds']:>8.3f} {r['mb_per_s']:>6.2f} "
              f"{r['rate_vs_smallest']:>15.2f}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"benchmark": "ingest", "date": date.today().isoformat(), "python": platform.python_version(),
                    "machine": platform.machine(), "rows": rows}, indent=2) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

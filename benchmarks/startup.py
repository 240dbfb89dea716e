"""Start-up: ``spinscope analyze`` on one short article, from process start to the JSON on stdout.

    python benchmarks/startup.py [--runs 3] [--article examples/free-form-council-vote.txt]

Each run is a fresh ``python -m spinscope.cli`` process, timed from before
it starts until it exits (its output read in full), so interpreter start,
imports, model loading and the analysis all count. Three kinds of run:

* ``import``    -- ``python -c "import spinscope"``: what every command pays;
* ``bad input`` -- ``analyze`` on a file that does not exist: no model may
  load before an input has been read, so this costs about an import;
* ``analyze``   -- ``analyze ARTICLE --format json`` once per encoder precision.

Prints the median of ``--runs`` runs of each and writes
``benchmarks/results/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _time(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    return time.perf_counter() - start, proc.returncode, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--article", type=Path, default=ROOT / "examples" / "free-form-council-vote.txt")
    parser.add_argument("--precisions", default="fp32,bf16", help="comma-separated encoder precisions to time")
    args = parser.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    env.pop("SPINSCOPE_PRECISION", None)
    cli = [sys.executable, "-m", "spinscope.cli"]
    kinds: dict[str, list[str]] = {
        "import": [sys.executable, "-c", "import spinscope"],
        "bad input": [*cli, "analyze", str(ROOT / "no-such-article.txt"), "--format", "json"],
    }
    for precision in args.precisions.split(","):
        kinds[f"analyze ({precision})"] = [*cli, "analyze", str(args.article), "--format", "json", "--precision", precision]
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, object]] = {}
    for name, cmd in kinds.items():
        times = []
        for _ in range(args.runs):
            seconds, code, out = _time(cmd, env)
            times.append(seconds)
            if name.startswith("analyze") and (code != 0 or not json.loads(out)):
                print(f"{name}: exit {code}, no analysis")
                return 1
            if name == "bad input" and code == 0:
                print("bad input: exit 0, expected a failure")
                return 1
        results[name] = {"median_s": statistics.median(times), "runs_s": times}
        print(f"{name:<16} {statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})")
    record = {
        "article": str(args.article.relative_to(ROOT) if args.article.is_relative_to(ROOT) else args.article),
        "article_chars": len(args.article.read_text(encoding="utf-8")),
        "results": results,
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, python {platform.python_version()}",
    }
    out = Path(__file__).resolve().parent / "results" / "startup.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

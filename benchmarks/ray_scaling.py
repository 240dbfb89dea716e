"""Articles per second on Ray (1 and 2 actors) against the in-process engine, on the same generated articles.

    python benchmarks/ray_scaling.py [--articles 120] [--seed 18] [--out benchmarks/results/ray-scaling.json]

The articles come from ``tests/news_generator.py`` (seeded, short English
news-like texts with quotes and names), written to a temporary folder.
Each run uses the full default pipeline:

* ``inprocess`` -- ``load().analyze_inputs(folder)`` in this process, the
  models loaded (and warmed on one article) before the clock starts;
* ``ray-1``, ``ray-2`` -- :class:`spinscope.engines.ray.RayEngine` on a
  local Ray of 1 or 2 CPUs with 1 or 2 actors of one CPU (one torch thread)
  each. ``total`` is the wall time of the whole call, Ray's start and every
  actor's model load included; ``steady`` is from the first result to the
  last, the rate once the actors are loaded (over the articles after the
  first).

Per-article overhead is the Ray engine's seconds per article (steady, one
actor) minus the in-process engine's. The projection for one million
articles a day assumes the steady per-actor rate measured here holds per
core on a cluster node; it is a projection, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ARTICLES_PER_DAY = 1_000_000


def _inprocess(folder: Path) -> dict[str, Any]:
    import torch

    from spinscope.pipeline import load

    nlp = load()
    first = min(folder.iterdir())
    list(nlp.analyze_inputs([str(first)]))  # load and warm the models before the clock
    started = time.perf_counter()
    results = list(nlp.analyze_inputs([str(folder)]))
    elapsed = time.perf_counter() - started
    ok = sum(1 for _, a in results if a is not None)
    sizes = [len(json.dumps(a.to_dict(), ensure_ascii=False).encode()) for _, a in results if a is not None]
    return {"articles": ok, "seconds": elapsed, "articles_per_s": ok / elapsed, "threads": torch.get_num_threads(),
            "mean_analysis_json_bytes": sum(sizes) / len(sizes)}  # fmt: skip


def _ray(folder: Path, workers: int) -> dict[str, Any]:
    from spinscope.engines.ray import RayEngine

    started = time.perf_counter()
    first_at = None
    ok = 0
    with RayEngine(workers=workers) as engine:
        for _result, analysis in engine.analyze_inputs([str(folder)]):
            if first_at is None:
                first_at = time.perf_counter()
            ok += analysis is not None
        pids = {p for p in engine.pids if p}
    done = time.perf_counter()
    assert first_at is not None
    steady = done - first_at
    return {
        "workers": workers, "articles": ok, "total_seconds": done - started, "articles_per_s_total": ok / (done - started),
        "steady_seconds": steady, "articles_per_s_steady": (ok - 1) / steady if steady > 0 else None,
        "startup_seconds": first_at - started, "actor_processes": len(pids),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/ray-scaling.json")
    args = parser.parse_args()

    from news_generator import write_articles

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        write_articles(folder, args.articles, seed=args.seed)
        inproc = _inprocess(folder)
        print(
            f"inprocess: {inproc['articles_per_s']:.2f} articles/s ({inproc['threads']} torch threads)",
            flush=True,
        )
        rays = []
        for workers in (1, 2):
            run = _ray(folder, workers)
            rays.append(run)
            print(
                f"ray, {workers} actor(s): {run['articles_per_s_steady']:.2f} articles/s steady, "
                f"{run['articles_per_s_total']:.2f} with start-up ({run['startup_seconds']:.1f} s to the first result)",
                flush=True,
            )
    one, two = rays
    overhead = 1 / one["articles_per_s_steady"] - 1 / inproc["articles_per_s"]
    per_actor = two["articles_per_s_steady"] / 2
    needed_rate = ARTICLES_PER_DAY / 86_400
    actors = needed_rate / per_actor
    projection = {
        "articles_per_day": ARTICLES_PER_DAY,
        "needed_articles_per_s": needed_rate,
        "per_actor_articles_per_s": per_actor,
        "actors_needed": actors,
        "nodes_of_16_cpus": actors / 16,
        "driver_results_per_s": needed_rate,
        "driver_mb_per_s": needed_rate * inproc["mean_analysis_json_bytes"] / 1e6,
    }
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other work while measured), {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "articles": args.articles,
        "seed": args.seed,
        "inprocess": inproc,
        "ray": rays,
        "speedup_2_over_1_actor": two["articles_per_s_steady"] / one["articles_per_s_steady"],
        "ray_1_actor_over_inprocess": one["articles_per_s_steady"] / inproc["articles_per_s"],
        "overhead_s_per_article": overhead,
        "projection": projection,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"2 actors / 1 actor: {report['speedup_2_over_1_actor']:.2f}x; 1 actor / in-process: "
          f"{report['ray_1_actor_over_inprocess']:.2f}x; overhead {overhead * 1000:.0f} ms/article")  # fmt: skip
    print(f"projection: {actors:.0f} one-CPU actors ({actors / 16:.1f} nodes of 16 CPUs) for 1M articles/day; "
          f"driver {needed_rate:.1f} results/s, {projection['driver_mb_per_s']:.2f} MB/s of JSON")  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Articles per second on Ray (1 and 2 actors) against the in-process engine, on the same generated articles.

    python benchmarks/ray_scaling.py [--articles 500] [--seed 18] [--out benchmarks/results/ray-scaling.json]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--fill 5000]

The articles come from ``tests/news_generator.py`` (seeded, short English
news-like texts with quotes and names), written to a temporary folder.
Each run uses the full default pipeline:

* ``inprocess`` -- ``load().analyze_inputs(folder)`` in this process, the
  models loaded (and warmed on one article) before the clock starts;
* ``ray-1``, ``ray-2`` -- :class:`spinscope.engines.ray.RayEngine` on a
  local Ray of 1 or 2 CPUs with 1 or 2 actors of one CPU (one torch thread)
  each. Each Ray run starts its actors, which load the models, before the
  first partition; that start-up is measured on its own (one run over a
  single article, in the same Ray session), and ``steady`` is the run's
  rate without it. ``with_startup`` is the plain wall-clock rate of the run
  (Ray's own start, once per session, is reported apart).

* ``add-inprocess``, ``add-ray-2`` -- ``add_inputs`` into a fresh SQLite
  file, in process and with 2 actors through ``RayEngine.store_seams`` (one
  Ray Data run for the whole ``add``, the driver committing batches of 50
  as results stream back), wall clock including the actors' start-up.

The in-process rate is measured before and after the Ray runs and
averaged: the machine is shared, and its speed drifts over minutes.

``--pg URL`` (an empty database) measures what a cluster's store must
take: the in-process run's real analyses written again and again under new
content hashes (a synthetic fill of ``--fill`` articles), in the batches of
50 that ``add`` commits, as article rows/s and label rows/s.

Per-article overhead is the Ray engine's seconds per article (steady, one
actor) minus the in-process engine's. The projection for one million
articles a day assumes the steady per-actor rate measured here holds per
core on a cluster node; it is a projection, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import math
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

    first = min(folder.iterdir())
    started = time.perf_counter()
    with RayEngine(workers=workers) as engine:
        ray_up = time.perf_counter()
        # One article alone: what every run pays before its first partition (actors start, models load).
        list(engine.analyze_inputs([str(first)]))
        warm_up = time.perf_counter()
        ok = sum(analysis is not None for _, analysis in engine.analyze_inputs([str(folder)]))
        done = time.perf_counter()
        pids = {p for p in engine.pids if p}
    run = done - warm_up
    startup = warm_up - ray_up  # actor start, model load and one article: paid again by this run
    steady = max(1e-9, run - startup)
    return {
        "workers": workers, "articles": ok, "ray_init_seconds": ray_up - started, "actor_startup_seconds": startup,
        "run_seconds": run, "articles_per_s_with_startup": ok / run, "articles_per_s_steady": ok / steady,
        "actor_processes": len(pids),
    }  # fmt: skip


def _add(folder: Path, db: Path, workers: int | None) -> dict[str, Any]:
    """``add`` into a fresh SQLite store: in process (``workers=None``) or on a local Ray of ``workers`` actors."""
    from spinscope.store import Store, add_inputs, default_pipeline

    pipe, meta = default_pipeline()
    started = time.perf_counter()
    with Store.open(str(db)) as store:
        if workers is None:
            summary = add_inputs(store, [str(folder)], pipe=pipe, meta=meta)
        else:
            from spinscope.engines.ray import RayEngine

            with RayEngine(workers=workers) as engine:
                reader, ray_pipe = engine.store_seams(store.analysed_inputs(store.ensure_pipeline(meta)))
                summary = add_inputs(store, [str(folder)], pipe=ray_pipe, meta=meta, reader=reader)
    elapsed = time.perf_counter() - started
    return {"engine": "inprocess" if workers is None else f"ray-{workers}", "added": summary.added,
            "batches": summary.batches, "seconds": elapsed, "articles_per_s": summary.added / elapsed}  # fmt: skip


def _pg_fill(url: str, folder: Path, total: int) -> dict[str, Any]:
    """Article and label rows/s into PostgreSQL: real analyses re-stored under new hashes, 50 per transaction."""
    import copy
    import hashlib

    from spinscope.pipeline import load
    from spinscope.store import Store
    from spinscope.store.add import pipeline_meta

    nlp = load()
    first = sorted(str(p) for p in folder.iterdir())[:50]
    analyses = [a.to_dict() for _, a in nlp.analyze_inputs(first) if a is not None]
    with Store.open(url) as store:
        if store.count("articles"):
            raise SystemExit(f"--pg {url}: the database must be empty (it holds {store.count('articles')} articles)")
        pid = store.ensure_pipeline(pipeline_meta(None, nlp.meta))
        run = store.begin_run("benchmarks/ray_scaling.py --pg", pid)
        labels = 0
        written = 0
        seconds = 0.0
        while written < total:
            batch = []
            for i, analysis in enumerate(analyses):
                data = copy.deepcopy(analysis)
                data["document"]["content_hash"] = hashlib.sha256(f"{written + i}".encode()).hexdigest()
                batch.append((f"fill-{written + i}", data))
            started = time.perf_counter()
            store.write_batch(batch, pipeline=pid, run_id=run)
            seconds += time.perf_counter() - started
            written += len(batch)
        store.finish_run(run, status="finished", added=written, duplicates=0, already=0, failed=0)
        for table in ("paragraph_labels", "spans", "frames", "quotes", "quote_insertions", "entities", "narratives"):
            labels += store.count(table)
    return {"articles": written, "seconds_in_write_batch": seconds, "articles_per_s": written / seconds,
            "label_rows": labels, "label_rows_per_s": labels / seconds, "batch": len(analyses)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/ray-scaling.json")
    parser.add_argument("--pg", help="an empty PostgreSQL database: measure rows/s into it with a synthetic fill")
    parser.add_argument("--fill", type=int, default=5000, help="articles written in the PostgreSQL fill")
    parser.add_argument("--skip-add", action="store_true", help="leave out the add runs")
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
                f"{run['articles_per_s_with_startup']:.2f} with the actors' start-up ({run['actor_startup_seconds']:.1f} s)",
                flush=True,
            )
        adds = []
        if not args.skip_add:
            for workers in (None, 2):
                adds.append(_add(folder, Path(tmp) / f"add-{workers}.db", workers))
                print(f"add, {adds[-1]['engine']}: {adds[-1]['articles_per_s']:.2f} articles/s "
                      f"({adds[-1]['batches']} batches, start-up included)", flush=True)  # fmt: skip
        again = _inprocess(folder)
        print(f"inprocess again: {again['articles_per_s']:.2f} articles/s", flush=True)
        fill = _pg_fill(args.pg, folder, args.fill) if args.pg else None
        if fill:
            print(f"postgresql fill: {fill['articles_per_s']:.0f} articles/s, {fill['label_rows_per_s']:.0f} label rows/s "
                  f"({fill['articles']} articles in batches of {fill['batch']})", flush=True)  # fmt: skip
    inproc["articles_per_s_before"], inproc["articles_per_s_after"] = (
        inproc["articles_per_s"],
        again["articles_per_s"],
    )
    inproc["articles_per_s"] = (inproc["articles_per_s"] + again["articles_per_s"]) / 2
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
        "store_headroom_postgresql": (fill["articles_per_s"] / needed_rate) if fill else None,
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
        "add": adds,
        "postgresql_fill": fill,
        "load_average_at_end": os.getloadavg(),
        "projection": projection,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"2 actors / 1 actor: {report['speedup_2_over_1_actor']:.2f}x; 1 actor / in-process: "
          f"{report['ray_1_actor_over_inprocess']:.2f}x; overhead {overhead * 1000:.0f} ms/article")  # fmt: skip
    print(f"projection: {math.ceil(actors)} one-CPU actors ({actors / 16:.1f} nodes of 16 CPUs) for 1M articles/day; "
          f"driver {needed_rate:.1f} results/s, {projection['driver_mb_per_s']:.2f} MB/s of JSON")  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

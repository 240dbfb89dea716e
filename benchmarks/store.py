"""Corpus-store benchmark: what the store itself costs, and add vs analyze with the real pipeline.

Part 1 adds ``--stub N`` (10,000) generated articles with the pipeline
replaced by the tests' rule-based analyser (about a millisecond per
article). ``inserts_per_s`` counts only the time spent in the store's own
calls (lookups and the batch transactions); ``add_articles_per_s`` is the
whole command, next to a baseline measured in the same run: reading and
analysing the same inputs without any database. It also reports the DB
size per article and the time of ``stats --by outlet`` and ``search`` at N
rows and, after a synthetic fill (the same rows copied in SQL under new
hashes), at 10 x N rows.

Part 2 runs the real pipeline on ``--real M`` generated articles, in
subprocesses: ``spinscope analyze --format jsonl`` then ``spinscope add``
(fresh database), and reports the ratio of their wall times.

    python benchmarks/store.py --stub 10000 --real 500 --out benchmarks/results/store.json
    python benchmarks/store.py --pg postgresql://postgres@127.0.0.1:5432/postgres   # part 1 on PostgreSQL too

Generated texts only (tests/store_helpers.py writes them); no dataset text.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import store_helpers

from spinscope.ingest import ReadOptions, read
from spinscope.store import Store, add_inputs
from spinscope.store.query import Filters, search, stats


def _timed(fn, repeat: int = 3) -> float:
    """Best of ``repeat`` wall times, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return round(best * 1000, 1)


def _queries(store: Store) -> dict[str, float]:
    return {
        "stats_by_outlet_ms": _timed(lambda: stats(store, "outlet", "techniques")),
        "stats_by_month_roles_ms": _timed(lambda: stats(store, "month", "roles")),
        "search_two_words_ms": _timed(lambda: search(store, "sea wall", limit=20)),
        "search_phrase_filtered_ms": _timed(
            lambda: search(store, '"ferry timetable"', Filters(outlet="Daily Lantern", technique="Appeal_to_Fear-Prejudice"), limit=20)
        ),
    }


_COPY = {
    # table: (columns, id shift expression per copy); every copy shifts ids by k * step.
    "articles": "id + ?, content_hash || ?, doc_id, url, outlet, title, author, published, published_day, published_month,"
    " published_week, language, language_confidence, word_count, text, origin, input_format, notes, document, added_at",
    "analyses": "id + ?, article_id + ?, pipeline_id, run_id, created_at, genre, genre_score, narrative_domain,"
    " dominant_narrative, technique_labels, result",
}
_LABELS = ["paragraph_labels", "spans", "frames", "quotes", "quote_insertions", "entities", "narratives"]


def _synthetic_fill(store: Store, copies: int) -> None:
    """Copy every article, analysis and label row ``copies`` times under new ids and hashes (in SQL)."""
    b = store.backend
    step = int(b.execute("SELECT max(id) FROM articles")[0][0]) + 1
    astep = int(b.execute("SELECT max(id) FROM analyses")[0][0]) + 1
    step = max(step, astep)
    cols = {t: [c for c, _ in __import__("spinscope.store.export", fromlist=["x"]).table_columns(store, t)] for t in _LABELS}
    for k in range(1, copies + 1):
        shift = k * step
        with b.transaction():
            b.execute(f"INSERT INTO articles SELECT {_COPY['articles']} FROM articles WHERE id < ?", (shift, f"-{k}", step))
            b.execute(f"INSERT INTO analyses SELECT {_COPY['analyses']} FROM analyses WHERE id < ?", (shift, shift, step))
            for t in _LABELS:
                rest = ", ".join(c for c in cols[t] if c != "analysis_id")
                b.execute(f"INSERT INTO {t} (analysis_id, {rest}) SELECT analysis_id + ?, {rest} FROM {t} WHERE analysis_id < ?", (shift, step))


def _time_store_calls(store: Store) -> list[float]:
    """Wrap the store's per-batch calls so their time (the store's own cost) is summed into the returned cell."""
    spent = [0.0]
    for name in ("write_batch", "lookup", "input_states"):
        method = getattr(store, name)

        def timed(*args: object, _method=method, **kwargs: object) -> object:
            t = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t

        setattr(store, name, timed)
    return spent


def _db_bytes(db: str) -> int:
    return sum(Path(db + suffix).stat().st_size for suffix in ("", "-wal") if Path(db + suffix).exists())


def part_stub(n: int, db: str, work: Path) -> dict[str, object]:
    # Files of 1,000 articles: one JSONL file of 10,000 would pass the 5 MB input cap.
    inputs = []
    for start in range(0, n, 1000):
        inputs.append(work / f"stub-{start:06d}.jsonl")
        store_helpers.write_jsonl(inputs[-1], min(1000, n - start), seed=11 + start, start=start)
    names = [str(p) for p in inputs]
    # Baseline: read + the stub analyser, no database.
    t = time.perf_counter()
    docs = [r.document for r in read(names, ReadOptions()) if r.document is not None]
    for a in store_helpers.fake_analyse(docs):
        a.to_dict()
    baseline = time.perf_counter() - t
    with Store.open(db) as store:
        spent = _time_store_calls(store)
        t = time.perf_counter()
        summary = add_inputs(store, names, pipe=store_helpers.fake_analyse, meta=store_helpers.META)
        elapsed = time.perf_counter() - t
        assert summary.added == n, summary.line()
        if store.backend.dialect == "sqlite":
            store.backend.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size = _db_bytes(db)
        else:
            size = int(store.backend.execute("SELECT pg_database_size(current_database())")[0][0])
        at_n = _queries(store)
        _synthetic_fill(store, 9)
        if store.backend.dialect == "postgresql":
            store.backend.execute("ANALYZE")
        rows = store.count("articles")
        at_10n = _queries(store)
    return {
        "articles": n,
        "add_seconds": round(elapsed, 2),
        "add_articles_per_s": round(n / elapsed, 1),
        "store_seconds": round(spent[0], 2),
        "inserts_per_s": round(n / spent[0], 1),
        "baseline_read_and_stub_seconds": round(baseline, 2),
        "store_share_of_add": round(1 - baseline / elapsed, 3),
        "db_bytes_per_article": int(size / n),
        "batches": summary.batches,
        f"queries_at_{n}": at_n,
        f"queries_at_{rows}": at_10n,
    }


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout) of one CLI run."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def part_real_in_process(m: int, work: Path, rounds: int) -> dict[str, object]:
    """What ``add`` costs on top of ``analyze --format jsonl``, in one process with the model loaded once.

    The ``m`` articles are split into ``rounds`` slices; each slice runs
    analyze's path (``Pipeline.analyze_inputs`` + one JSON line per article) and
    add's path (``add_inputs`` with the real pipeline, into a fresh SQLite
    file), alternating which goes first, so load from other jobs on a
    shared machine falls on both alike. CPU and wall seconds are summed.
    """
    from spinscope.pipeline import load
    from spinscope.store import pipeline_meta

    nlp = load()  # one Pipeline for both sides: the same loaded models
    warm = work / "warm.jsonl"
    store_helpers.write_jsonl(warm, 3, seed=99, start=10**6)
    for _ in nlp.analyze_inputs([str(warm)]):
        pass  # loads every component's models before the clock starts
    per = max(1, m // rounds)
    totals = {"analyze": [0.0, 0.0], "add": [0.0, 0.0]}
    for k in range(rounds):
        inputs = work / f"round-{k}.jsonl"
        store_helpers.write_jsonl(inputs, per, seed=200 + k, start=k * per)

        def run_analyze(inputs: Path = inputs) -> None:
            sink = io.StringIO()
            for _result, analysis in nlp.analyze_inputs([str(inputs)]):
                if analysis is not None:
                    sink.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")

        def run_add(inputs: Path = inputs, k: int = k) -> None:
            meta = pipeline_meta(None, nlp.meta)  # what default_pipeline() does, on the loaded Pipeline
            with Store.open(str(work / f"round-{k}.db")) as store:
                summary = add_inputs(store, [str(inputs)], pipe=nlp.pipe, meta=meta)
            assert summary.added == per, summary.line()

        order = [("analyze", run_analyze), ("add", run_add)]
        for name, fn in order if k % 2 == 0 else order[::-1]:
            cpu, wall = time.process_time(), time.perf_counter()
            fn()
            totals[name][0] += time.process_time() - cpu
            totals[name][1] += time.perf_counter() - wall
    return {
        "articles": per * rounds,
        "rounds": rounds,
        "analyze_cpu_s": round(totals["analyze"][0], 1),
        "add_cpu_s": round(totals["add"][0], 1),
        "add_over_analyze_cpu": round(totals["add"][0] / totals["analyze"][0], 3),
        "analyze_wall_s": round(totals["analyze"][1], 1),
        "add_wall_s": round(totals["add"][1], 1),
        "add_over_analyze_wall": round(totals["add"][1] / totals["analyze"][1], 3),
        "load_average_after": os.getloadavg(),
    }


def part_real(m: int, work: Path, repeat: int) -> dict[str, object]:
    """``analyze --format jsonl`` and ``add`` (fresh database) on the same inputs, alternating, best of ``repeat``.

    CPU seconds are reported beside wall seconds: on a shared machine other
    people's jobs stretch wall time but barely change a process's CPU time.
    """
    inputs = work / "real.jsonl"
    store_helpers.write_jsonl(inputs, m, seed=12)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cli = [sys.executable, "-m", "spinscope.cli"]
    analyze: list[tuple[float, float]] = []
    add: list[tuple[float, float]] = []
    same = True
    for k in range(repeat):
        wall, cpu, printed = _run([*cli, "analyze", str(inputs), "--format", "jsonl"], env)
        analyze.append((wall, cpu))
        db = str(work / f"real-{k}.db")
        wall, cpu, _ = _run([*cli, "add", str(inputs), "--db", db, "--no-progress"], env)
        add.append((wall, cpu))
        _w, _c, exported = _run([*cli, "export", "-f", "jsonl", "--db", db], env)
        same = same and exported == printed
    best = {name: (min(w for w, _ in runs), min(c for _, c in runs)) for name, runs in (("analyze", analyze), ("add", add))}
    return {
        "articles": m,
        "repeats": repeat,
        "analyze_jsonl_wall_s": round(best["analyze"][0], 1),
        "add_wall_s": round(best["add"][0], 1),
        "add_over_analyze_wall": round(best["add"][0] / best["analyze"][0], 3),
        "analyze_jsonl_cpu_s": round(best["analyze"][1], 1),
        "add_cpu_s": round(best["add"][1], 1),
        "add_over_analyze_cpu": round(best["add"][1] / best["analyze"][1], 3),
        "export_equals_analyze_jsonl": same,
        "load_average_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stub", type=int, default=10000, help="articles for part 1 (0 skips it)")
    parser.add_argument("--real", type=int, default=500, help="articles for part 2 (0 skips it)")
    parser.add_argument("--in-process", type=int, default=0, metavar="M", help="part 2b: add vs analyze in one process on M articles")
    parser.add_argument("--rounds", type=int, default=6, help="part 2b: alternating slices")
    parser.add_argument("--repeat", type=int, default=2, help="part 2: alternating runs of each command (best kept)")
    parser.add_argument("--pg", help="also run part 1 on this PostgreSQL database URL (it must be empty)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, object] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, python {platform.python_version()}",
        "load_average_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.stub:
            results["stub_sqlite"] = part_stub(args.stub, str(work / "stub.db"), work)
            print(json.dumps(results["stub_sqlite"], indent=2), flush=True)
            if args.pg:
                results["stub_postgresql"] = part_stub(args.stub, args.pg, work)
                print(json.dumps(results["stub_postgresql"], indent=2), flush=True)
        if args.real:
            results["real"] = part_real(args.real, work, args.repeat)
            print(json.dumps(results["real"], indent=2), flush=True)
        if args.in_process:
            results["real_in_process"] = part_real_in_process(args.in_process, work, args.rounds)
            print(json.dumps(results["real_in_process"], indent=2), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

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

import store_helpers  # noqa: E402

from spinscope.ingest import ReadOptions, read  # noqa: E402
from spinscope.store import Store, add_inputs  # noqa: E402
from spinscope.store.query import Filters, search, stats  # noqa: E402


def _timed(fn, repeat: int = 3) -> float:  # noqa: ANN001
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

        def timed(*args: object, _method=method, **kwargs: object) -> object:  # noqa: ANN001
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
    inputs = work / "stub.jsonl"
    store_helpers.write_jsonl(inputs, n, seed=11)
    # Baseline: read + the stub analyser, no database.
    t = time.perf_counter()
    docs = [r.document for r in read([str(inputs)], ReadOptions()) if r.document is not None]
    for a in store_helpers.fake_analyse(docs):
        a.to_dict()
    baseline = time.perf_counter() - t
    with Store.open(db) as store:
        spent = _time_store_calls(store)
        t = time.perf_counter()
        summary = add_inputs(store, [str(inputs)], pipe=store_helpers.fake_analyse, meta=store_helpers.META)
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


def part_real(m: int, work: Path) -> dict[str, object]:
    inputs = work / "real.jsonl"
    store_helpers.write_jsonl(inputs, m, seed=12)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cli = [sys.executable, "-m", "spinscope.cli"]
    t = time.perf_counter()
    done = subprocess.run([*cli, "analyze", str(inputs), "--format", "jsonl"], env=env, capture_output=True, text=True, check=True)
    analyze_s = time.perf_counter() - t
    db = str(work / "real.db")
    t = time.perf_counter()
    subprocess.run([*cli, "add", str(inputs), "--db", db, "--no-progress"], env=env, capture_output=True, text=True, check=True)
    add_s = time.perf_counter() - t
    exported = subprocess.run([*cli, "export", "-f", "jsonl", "--db", db], env=env, capture_output=True, text=True, check=True)
    return {
        "articles": m,
        "analyze_jsonl_seconds": round(analyze_s, 1),
        "add_seconds": round(add_s, 1),
        "add_over_analyze": round(add_s / analyze_s, 3),
        "export_equals_analyze_jsonl": exported.stdout == done.stdout,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stub", type=int, default=10000, help="articles for part 1 (0 skips it)")
    parser.add_argument("--real", type=int, default=500, help="articles for part 2 (0 skips it)")
    parser.add_argument("--pg", help="also run part 1 on this PostgreSQL database URL (it must be empty)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    results: dict[str, object] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, python {platform.python_version()}",
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
            results["real"] = part_real(args.real, work)
            print(json.dumps(results["real"], indent=2), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

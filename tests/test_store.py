"""The corpus store on a real SQLite file (and, where marked, the same tests on PostgreSQL).

Most tests inject the rule-based analyser of ``store_helpers`` (real
Analysis objects, no model) because they test the store's own logic; the
``slow`` ones run the real pipeline end to end.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import store_helpers
from store_helpers import META, fake_analyse, write_jsonl
from typer.testing import CliRunner

from spinscope.analysis import Analysis
from spinscope.document import Document
from spinscope.store import Store, add_inputs
from spinscope.store.export import export_table
from spinscope.store.query import Filters, parse_day, search, stats
from spinscope.store.schema import SCHEMA_VERSION, migrate, schema_version

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).resolve().parent / "store_driver.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a new SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "corpus.db")
    return str(request.getfixturevalue("pg_url"))


class Counting:
    """The test analyser, counting the articles it analyses."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.analysed: list[str] = []
        self.fail_on = fail_on

    def __call__(self, docs: Sequence[Document]) -> Iterator[Analysis]:
        for doc in docs:
            if self.fail_on and self.fail_on in doc.text:
                raise ValueError("the analyser broke on this article")
            self.analysed.append(doc.content_hash)
            yield store_helpers.analyse_one(doc)


def _cli(monkeypatch: pytest.MonkeyPatch, pipe: object = fake_analyse, meta: dict | None = None) -> CliRunner:
    from spinscope import cli

    monkeypatch.setattr(cli, "_store_pipeline", lambda model, exclude=(): (pipe, dict(meta or META)))
    return CliRunner()


# -- adding -------------------------------------------------------------------------------------
def test_add_normalises_every_label_and_stores_a_repeat_once(db: str, tmp_path: Path) -> None:
    rows = write_jsonl(tmp_path / "a.jsonl", 12)
    # The same article again under another input name: stored once, reported as a duplicate.
    (tmp_path / "b.jsonl").write_text(json.dumps({**rows[3], "id": "copy"}) + "\n", encoding="utf-8")
    pipe = Counting()
    with Store.open(db) as store:
        summary = add_inputs(store, [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")], pipe=pipe, meta=META, batch_size=5)
        assert (summary.added, summary.duplicates, summary.failed, summary.exit_code) == (12, 1, 0, 0)
        assert len(pipe.analysed) == 12 and summary.batches == 3
        assert store.count("articles") == 12 and store.count("analyses") == 12
        results = list(store.iter_results())
        assert [r["document"]["id"] for r in results] == [f"gen-{i}" for i in range(12)]
        expected = {
            "paragraph_labels": sum(len(p["techniques"]) for r in results for p in r["paragraphs"]),
            "spans": sum(len(r["spans"]) for r in results),
            "frames": sum(len(r["frames"]) for r in results),
            "quotes": sum(len(r["quotes"]) for r in results),
            "quote_insertions": sum(len(q["insertions"]) for r in results for q in r["quotes"]),
            "entities": sum(len(r["entities"]) for r in results),
            "narratives": sum(len(r["narratives"]["narratives"]) + len(r["narratives"]["subnarratives"]) for r in results),
        }
        assert all(expected.values())
        for table, n in expected.items():
            assert store.count(table) == n, table
        b = store.backend
        status = dict(b.execute("SELECT status, count(*) FROM inputs GROUP BY status"))
        assert status == {"done": 12, "duplicate": 1}
        dup_article, original = b.execute(
            "SELECT d.article_id, o.article_id FROM inputs d JOIN inputs o ON o.name LIKE ? WHERE d.status = 'duplicate'",
            ("%a.jsonl:4",),
        )[0]
        assert dup_article == original
        # Plain SQL over the normalised tables: who cast Mayor Lind as what, from the quotes' speakers.
        speakers = b.execute("SELECT DISTINCT speaker FROM quotes WHERE speaker IS NOT NULL")
        assert speakers == [("Mayor Lind",)]
        assert b.execute("SELECT count(*) FROM quote_insertions WHERE text = ?", ("[the]",))[0][0] == 12
        roles = {r[0] for r in b.execute("SELECT main_role FROM entities WHERE name = ?", ("Mayor Lind",))}
        assert roles <= {"Antagonist", "Protagonist", "Innocent"} and roles


def test_the_same_input_twice_is_analysed_once(db: str, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", 8)
    pipe = Counting()
    with Store.open(db) as store:
        add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=pipe, meta=META)
        again = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=pipe, meta=META)
        assert (again.added, again.already, again.duplicates, again.exit_code) == (0, 8, 0, 0)
        assert len(pipe.analysed) == 8
        assert store.count("analyses") == 8
        runs = store.backend.execute("SELECT status, added, already_stored FROM runs ORDER BY id")
        assert runs == [("finished", 8, 0), ("finished", 0, 8)]


def test_a_corrupt_jsonl_line_mid_batch_fails_alone_and_is_retried_only_when_asked(db: str, tmp_path: Path) -> None:
    rows = write_jsonl(tmp_path / "a.jsonl", 6)
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(3, '{"text": "cut off in the mid')
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipe = Counting()
    with Store.open(db) as store:
        first = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=pipe, meta=META, batch_size=50)
        assert (first.added, first.failed, first.exit_code) == (6, 1, 1)
        assert "[E120]" in first.failures[0]
        name, code, message = store.backend.execute("SELECT name, error_code, message FROM inputs WHERE status = 'failed'")[0]
        assert name.endswith("a.jsonl:4") and code == "E120" and "[E120]" in message
        # Fix the line: without --retry-failed it stays failed and is left alone.
        lines[3] = json.dumps({**rows[0], "id": "fixed", "text": "A new article about the harbour."})
        (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        second = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=pipe, meta=META)
        assert (second.added, second.already, second.not_retried, second.exit_code) == (0, 6, 1, 1)
        third = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=pipe, meta=META, retry_failed=True)
        assert (third.added, third.already, third.failed, third.exit_code) == (1, 6, 0, 0)
        assert store.backend.execute("SELECT count(*) FROM inputs WHERE status = 'failed'")[0][0] == 0


def test_an_article_that_breaks_the_pipeline_is_recorded_and_the_batch_goes_on(db: str, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", 5)
    with (tmp_path / "a.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "bad", "text": "This one will EXPLODE the analyser."}) + "\n")
    with Store.open(db) as store:
        summary = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=Counting(fail_on="EXPLODE"), meta=META)
        assert (summary.added, summary.failed) == (5, 1)
        assert "[E659]" in summary.failures[0] and "ValueError" in summary.failures[0]
        again = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=Counting(fail_on="EXPLODE"), meta=META)
        assert (again.not_retried, again.failed) == (1, 0)
        fixed = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=Counting(), meta=META, retry_failed=True)
        assert (fixed.added, fixed.already) == (1, 5)


def test_a_new_pipeline_version_adds_an_analysis_and_keeps_the_old_until_pruned(db: str, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", 4)
    newer = {**META, "version": "2"}
    with Store.open(db) as store:
        add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=fake_analyse, meta=META)
        summary = add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=fake_analyse, meta=newer)
        assert (summary.reanalysed, summary.added, summary.already) == (4, 0, 0)
        assert store.count("articles") == 4 and store.count("analyses") == 8
        assert store.count("current_analyses") == 4
        assert store.prune() == 4
        assert store.count("analyses") == 4
        pipelines = {r[0] for r in store.backend.execute("SELECT pipeline_id FROM analyses")}
        assert len(pipelines) == 1


# -- schema ----------------------------------------------------------------------------------
def test_a_database_of_an_older_schema_version_is_upgraded_in_place(db: str, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", 5)
    with Store.open(db, upgrade=False) as old:
        assert migrate(old.backend, target=1) == [1]
        assert schema_version(old.backend) == 1
        add_inputs(old, [str(tmp_path / "a.jsonl")], pipe=fake_analyse, meta=META)
    with Store.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count("articles") == 5
        # Version 2's full-text index covers the rows written under version 1.
        hits = search(store, "harbour report", limit=10)
        assert len(hits) == 5
        assert migrate(store.backend) == []


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    result = CliRunner().invoke(_app(), ["search", "x", "--db", str(path)])
    assert result.exit_code == 1
    assert "[E662]" in result.output and "Traceback" not in result.output


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Store.open(str(path)) as store, store.backend.transaction():
        store.backend.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    result = CliRunner().invoke(_app(), ["stats", "--db", str(path), "-f", "json"])
    assert result.exit_code == 1 and "[E653]" in result.output


def _app() -> object:
    from spinscope.cli import app

    return app


# -- locking, read-only, two writers --------------------------------------------------------------
def test_a_locked_database_gives_a_coded_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "corpus.db"
    write_jsonl(tmp_path / "a.jsonl", 3)
    Store.open(str(db)).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of writing
    try:
        result = _cli(monkeypatch).invoke(_app(), ["add", str(tmp_path / "a.jsonl"), "--db", str(db), "--lock-timeout", "0.3"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "[E652]" in result.output and "locked" in result.output and "Traceback" not in result.output
    with Store.open(str(db)) as store:
        assert store.count("articles") == 0


def _make_read_only(path: Path) -> None:
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    # root writes through file modes: make the file immutable instead.
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.skip(f"running as root and cannot make a file read-only (chattr: {done.stderr.strip()})")


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o644)


def test_a_read_only_database_refuses_add_clearly_and_still_answers_queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "corpus.db"
    write_jsonl(tmp_path / "a.jsonl", 3)
    write_jsonl(tmp_path / "b.jsonl", 2, start=100)
    with Store.open(str(db)) as store:
        add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=fake_analyse, meta=META)
    _make_read_only(db)
    try:
        runner = _cli(monkeypatch)
        result = runner.invoke(_app(), ["add", str(tmp_path / "b.jsonl"), "--db", str(db)])
        assert result.exit_code == 1, result.output
        assert "[E651]" in result.output and "read-only" in result.output and "Traceback" not in result.output
        found = runner.invoke(_app(), ["search", "harbour", "--db", str(db), "-f", "json"])
        assert found.exit_code == 0, found.output
        assert len(json.loads(found.stdout)) == 3
    finally:
        _make_writable(db)


def _driver(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})},
    )  # fmt: skip


def _check_two_writers(db: str, tmp_path: Path) -> None:
    rows = write_jsonl(tmp_path / "all.jsonl", 90)
    for name, part in (("a.jsonl", rows[:60]), ("b.jsonl", rows[30:])):  # articles 30-59 are in both files
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    procs = [
        _driver("add", str(tmp_path / name), "--db", db, "--batch-size", "5", "--no-progress", env={"STORE_DRIVER_DELAY": "0.005"})
        for name in ("a.jsonl", "b.jsonl")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    with Store.open(db) as store:
        assert store.count("articles") == 90
        assert store.count("analyses") == 90
        hashes = store.backend.execute("SELECT content_hash, count(*) FROM articles GROUP BY content_hash HAVING count(*) > 1")
        assert hashes == []
        status = dict(store.backend.execute("SELECT status, count(*) FROM inputs GROUP BY status"))
        assert status == {"done": 90, "duplicate": 30}


def test_two_add_processes_on_one_sqlite_file_queue_without_corruption(tmp_path: Path) -> None:
    db = str(tmp_path / "corpus.db")
    _check_two_writers(db, tmp_path)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')").fetchall() == []


# -- resume after kill -9 ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_add_resumes_after_kill_9_without_loss_or_repeats(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    n = 120
    write_jsonl(tmp_path / "a.jsonl", n, seed=seed)
    db = str(tmp_path / "corpus.db")
    killed_log, rerun_log = tmp_path / "killed.log", tmp_path / "rerun.log"
    args = ("add", str(tmp_path / "a.jsonl"), "--db", db, "--batch-size", "7", "--no-progress")
    proc = _driver(*args, env={"STORE_DRIVER_DELAY": "0.01", "STORE_DRIVER_LOG": str(killed_log)})
    # Kill at a random moment: before the first commit, between commits, or mid-transaction.
    deadline = time.monotonic() + rng.uniform(0.0, 2.5)
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    committed: set[str] = set()
    if Path(db).exists():
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
                committed = {r[0] for r in conn.execute("SELECT content_hash FROM articles")}
    rerun = _driver(*args, env={"STORE_DRIVER_DELAY": "0", "STORE_DRIVER_LOG": str(rerun_log)})
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    analysed_again = set(rerun_log.read_text().split()) if rerun_log.exists() else set()
    assert not committed & analysed_again, "an article committed before the kill was analysed again"
    with Store.open(db) as store:
        rows = store.backend.execute("SELECT content_hash, count(*) FROM articles GROUP BY content_hash")
        assert len(rows) == n and all(c == 1 for _, c in rows)
        assert store.count("analyses") == n
        assert committed | analysed_again == {h for h, _ in rows}
        assert store.backend.execute("SELECT count(*) FROM inputs WHERE status = 'done'")[0][0] == n
        # Whole batches or nothing: every stored analysis has its label rows.
        orphans = store.backend.execute(
            "SELECT count(*) FROM analyses an WHERE NOT EXISTS (SELECT 1 FROM narratives n WHERE n.analysis_id = an.id)"
        )
        assert orphans[0][0] == 0
    assert f"{n - len(committed)} added, {len(committed)} already stored" in err


def test_add_stopped_by_sigterm_says_so_and_resumes(tmp_path: Path) -> None:
    """``kill PID`` (SIGTERM, what a scheduler or ``docker stop`` sends) ends like Ctrl-C, not mid-flight."""
    n = 60
    write_jsonl(tmp_path / "a.jsonl", n, seed=11)
    db = str(tmp_path / "corpus.db")
    args = ("add", str(tmp_path / "a.jsonl"), "--db", db, "--batch-size", "5", "--no-progress")
    proc = _driver(*args, env={"STORE_DRIVER_DELAY": "0.05"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # wait for a first committed batch
        if Path(db).exists():
            with sqlite3.connect(db, timeout=30) as conn:
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'analyses'").fetchone() and conn.execute(
                    "SELECT count(*) FROM analyses"
                ).fetchone()[0]:
                    break
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted: every committed batch is kept" in err and "Traceback" not in err
    with Store.open(db) as store:
        kept = store.count("articles")
        assert 0 < kept < n and kept % 5 == 0  # whole batches only
        # The run is marked as ended, not left "running" for ever.
        assert store.backend.execute("SELECT status FROM runs") == [("interrupted",)]
    rerun = _driver(*args, env={"STORE_DRIVER_DELAY": "0"})
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"{n - kept} added, {kept} already stored" in err


@pytest.mark.slow
def test_add_with_the_real_pipeline_resumes_after_kill_9(tmp_path: Path) -> None:
    """One seed end to end with the real model: killed while analysing, then rerun."""
    rng = random.Random(7)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(16):
        sentences = " ".join(rng.choice(store_helpers.SENTENCES) for _ in range(3))
        (inputs / f"{i:02d}.txt").write_text(f"Harbour note {i}\n\n{sentences}\n\nFiled as note {i}.\n", encoding="utf-8")
    db = str(tmp_path / "corpus.db")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-m", "spinscope.cli", "add", str(inputs), "--db", db, "--batch-size", "3", "--no-progress"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait for the first committed batch, then kill at a random moment after it.
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if Path(db).exists():
            with sqlite3.connect(db, timeout=30) as conn:
                ok = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'analyses'").fetchone()
                if ok and conn.execute("SELECT count(*) FROM analyses").fetchone()[0]:
                    break
        time.sleep(0.2)
    time.sleep(rng.uniform(0.0, 1.5))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < before
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{16 - before} added, {before} already stored" in done.stderr
    with Store.open(db) as store:
        assert store.count("articles") == 16 and store.count("analyses") == 16
        names = [r["document"]["id"] for r in store.iter_results()]
        assert sorted(names) == [f"{i:02d}" for i in range(16)]


# -- search ---------------------------------------------------------------------------------------
def _filled(db: str, tmp_path: Path, n: int = 30) -> tuple[Store, list[dict]]:
    write_jsonl(tmp_path / "a.jsonl", n)
    store = Store.open(db)
    add_inputs(store, [str(tmp_path / "a.jsonl")], pipe=fake_analyse, meta=META)
    return store, list(store.iter_results())


def test_search_matches_all_words_and_phrases_with_filters(db: str, tmp_path: Path) -> None:
    store, results = _filled(db, tmp_path)
    with store:
        def ids(query: str, **filters: str) -> set[str]:
            return {h["doc_id"] for h in search(store, query, Filters(**filters), limit=1000)}

        def expect(pred) -> set[str]:
            return {r["document"]["id"] for r in results if pred(r)}

        text = {r["document"]["id"]: r["document"]["text"].lower() for r in results}
        assert ids("SEA wall") == {d for d, t in text.items() if "sea" in t and "wall" in t}
        assert ids('"ferry timetable"') == {d for d, t in text.items() if "ferry timetable" in t}
        assert ids('"timetable ferry"') == set()
        assert ids("ferry", outlet="daily LANTERN") == expect(lambda r: "ferry" in r["document"]["text"].lower() and r["document"]["source"] == "Daily Lantern")
        assert ids("", since="2026-01-10", until="2026-01-20") == expect(lambda r: "2026-01-10" <= r["document"]["published"] <= "2026-01-20")
        assert ids("", until=parse_day("2026-01", end=True)) == expect(lambda r: r["document"]["published"] <= "2026-01-31")
        fear = expect(lambda r: any(t["label"] == "Appeal_to_Fear-Prejudice" for p in r["paragraphs"] for t in p["techniques"]))
        assert ids("", technique="Appeal_to_Fear-Prejudice") == fear and 0 < len(fear) < len(results)
        climate = expect(lambda r: r["narratives"]["dominant"] == store_helpers.CLIMATE)
        assert ids("", narrative=store_helpers.CLIMATE) == climate and climate
        assert ids("", narrative=store_helpers.CLIMATE_SUB) == climate
        okafor = expect(lambda r: any(e["name"] == "Councillor Okafor" for e in r["entities"]))
        assert ids("harbour", entity="councillor okafor") == okafor and okafor
        hits = search(store, "catastrophe", limit=3)
        assert len(hits) == 3 and all("[catastrophe]" in h["snippet"] for h in hits)
        assert hits == sorted(hits, key=lambda h: -h["score"])


INJECTIONS = [
    "x'); DROP TABLE articles; --",
    "' OR 1=1 --",
    '" OR "1"="1',
    "harbour\" OR title:*",
    "%' UNION SELECT text FROM articles --",
    "NEAR(harbour budget) OR *",
    "?",
    "%s",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_search_and_filter_values_are_parameters_never_sql(db: str, tmp_path: Path, value: str) -> None:
    store, _results = _filled(db, tmp_path, n=6)
    with store:
        for query, filters in [
            (value, Filters()),
            ("harbour", Filters(outlet=value)),
            ("harbour", Filters(technique=value)),
            ("harbour", Filters(narrative=value)),
            ("", Filters(entity=value)),
        ]:
            assert search(store, query, filters) == [] or query == value
        for metric in ("techniques", "roles"):
            assert stats(store, "outlet", metric, Filters(outlet=value)).rows == []
        assert store.count("articles") == 6 and store.count("analyses") == 6
    result = CliRunner().invoke(_app(), ["search", value, "--db", db, "--outlet", value, "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_hostile_article_text_is_stored_and_found_literally(db: str, tmp_path: Path) -> None:
    hostile = {"id": "evil", "title": "Robert'); DROP TABLE articles;--", "text": "The <script>alert(1)</script> harbour %s ? budget.", "source": "' OR ''='"}
    (tmp_path / "e.jsonl").write_text(json.dumps(hostile) + "\n", encoding="utf-8")
    with Store.open(db) as store:
        add_inputs(store, [str(tmp_path / "e.jsonl")], pipe=fake_analyse, meta=META)
        hits = search(store, "drop table", Filters(outlet="' OR ''='"))
        assert [h["title"] for h in hits] == [hostile["title"]]
        assert stats(store, "outlet", "genre").groups[0]["group"] == "' OR ''='"


# -- stats --------------------------------------------------------------------------------------------
def test_stats_counts_and_rates_match_the_stored_analyses(db: str, tmp_path: Path) -> None:
    store, results = _filled(db, tmp_path)
    with store:
        by_outlet: dict[str, list[dict]] = {}
        for r in results:
            by_outlet.setdefault(r["document"]["source"], []).append(r)
        tech = stats(store, "outlet", "techniques", top=100)
        assert {g["group"]: g["articles"] for g in tech.groups} == {k: len(v) for k, v in by_outlet.items()}
        for row in tech.rows:
            group = by_outlet[row["group"]]
            count = sum(1 for r in group for p in r["paragraphs"] for t in p["techniques"] if t["label"] == row["label"])
            words = sum(len(r["document"]["text"].split()) for r in group)
            assert row["count"] == count
            assert row["rate"] == pytest.approx(100 * count / words, abs=1e-4)
        narr = stats(store, "month", "narratives")
        for row in narr.rows:
            group = [r for r in results if r["document"]["published"][:7] == row["group"]]
            having = [r for r in group if any(n["label"] == row["label"] for n in r["narratives"]["narratives"])]
            assert (row["articles"], row["rate"]) == (len(having), round(len(having) / len(group), 4))
        roles = stats(store, "outlet", "roles")
        for row in roles.rows:
            group = by_outlet[row["group"]]
            cast = [e["role"]["main_role"] for r in group for e in r["entities"] if e["name"] == row["label"]]
            assert row["count"] == cast.count(row["role"])
            assert row["rate"] == round(cast.count(row["role"]) / len(cast), 4)
        weeks = stats(store, "week", "genre")
        assert sum(g["articles"] for g in weeks.groups) == len(results)
        assert all(g["group"].startswith("2026-W") for g in weeks.groups)
        assert stats(store, "outlet", "frames", Filters(outlet="Northern Wire")).groups[0]["articles"] == len(by_outlet["Northern Wire"])


def test_stats_by_story_groups_the_corpus_and_shows_outlets_and_quote_drift(db: str, tmp_path: Path) -> None:
    # Three outlets report one event; one changes the quote. Two unrelated articles.
    base = "The harbour crane collapsed on Tuesday night and the police closed the pier, officials said."
    quote = '"We will rebuild the pier before the summer season," said Mayor Lind.'
    changed = '"We will rebuild the [old] pier before the summer," said Mayor Lind.'
    rows = [
        {"id": "h1", "title": "Crane collapses at harbour", "text": f"{base}\n\n{quote}", "source": "Herald", "published": "2026-02-03"},
        {"id": "l1", "title": "Harbour crane collapse closes pier", "text": f"{base} Nobody was hurt.\n\n{changed}", "source": "Lantern", "published": "2026-02-03"},
        {"id": "w1", "title": "Pier closed after crane collapse", "text": f"{base} Repairs start soon.\n\n{quote}", "source": "Wire", "published": "2026-02-04"},
        {"id": "x1", "title": "Ferry timetable changes", "text": "The ferry timetable changes on Monday and tickets will cost more.", "source": "Wire", "published": "2026-03-20"},
        {"id": "x2", "title": "Bakery wins a prize", "text": "A bakery in the old town won a national prize for its rye bread.", "source": "Herald", "published": "2026-05-11"},
    ]
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with Store.open(db) as store:
        add_inputs(store, [str(tmp_path / "s.jsonl")], pipe=fake_analyse, meta=META)
        result = stats(store, "story", "techniques")
        multi = [s for s in result.stories if s["size"] > 1]
        assert len(multi) == 1
        story = multi[0]
        assert sorted(o["outlet"] for o in story["outlets"]) == ["Herald", "Lantern", "Wire"]
        assert story["quote_drift"] and story["quote_drift"][0]["speaker"] == "Mayor Lind"
        members = store.backend.execute(
            "SELECT ar.doc_id FROM story_articles sa JOIN articles ar ON ar.id = sa.article_id WHERE sa.story_id = ? ORDER BY ar.doc_id",
            (story["id"],),
        )
        assert [m[0] for m in members] == ["h1", "l1", "w1"]
        assert store.count("stories") == 3 and store.count("story_articles") == 5


def test_stats_cli_formats(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = _filled(db, tmp_path, n=12)
    store.close()
    runner = _cli(monkeypatch)
    as_json = runner.invoke(_app(), ["stats", "--by", "outlet", "--metric", "frames", "--db", db, "-f", "json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert data["unit"].startswith("share") and {g["group"] for g in data["groups"]} == set(store_helpers.OUTLETS)
    as_csv = runner.invoke(_app(), ["stats", "--by", "month", "--db", db, "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows and set(rows[0]) == {"group", "label", "role", "count", "articles", "group_articles", "rate"}
    for fmt in ("png", "svg"):
        out = tmp_path / f"chart.{fmt}"
        done = runner.invoke(_app(), ["stats", "--by", "outlet", "--db", db, "-f", fmt, "-o", str(out)])
        assert done.exit_code == 0, done.output
        assert out.stat().st_size > 1000
    svg = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    assert "n=4" in svg  # each outlet's sample size is on the chart
    assert runner.invoke(_app(), ["stats", "--db", db, "-f", "png"]).exit_code == 2


# -- export and report ---------------------------------------------------------------------------------
def test_export_jsonl_csv_and_parquet(db: str, tmp_path: Path) -> None:
    store, results = _filled(db, tmp_path, n=10)
    with store:
        buf = io.StringIO()
        assert export_table(store, "jsonl", buf) == 10
        assert [json.loads(line) for line in buf.getvalue().splitlines()] == results
        buf = io.StringIO()
        export_table(store, "csv", buf, table="spans")
        spans = list(csv.DictReader(io.StringIO(buf.getvalue())))
        assert len(spans) == sum(len(r["spans"]) for r in results)
        assert {"analysis_id", "start_char", "end_char", "technique", "score", "text"} <= set(spans[0])
        out = tmp_path / "articles.parquet"
        assert export_table(store, "parquet", out, table="articles") == 10
    import duckdb
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert table.num_rows == 10 and str(table.schema.field("word_count").type) == "int64"
    assert "search" not in table.schema.names
    rows = duckdb.sql(f"SELECT outlet, count(*) FROM read_parquet('{out}') GROUP BY outlet ORDER BY outlet").fetchall()
    assert rows == sorted((o, sum(1 for r in results if r["document"]["source"] == o)) for o in store_helpers.OUTLETS)


def test_export_parquet_without_pyarrow_names_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "corpus.db")
    Store.open(db).close()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = CliRunner().invoke(_app(), ["export", "-f", "parquet", "-o", str(tmp_path / "x.parquet"), "--db", db])
    assert result.exit_code == 1
    assert "[E656]" in result.output and "pip install" in result.output and "pyarrow" in result.output


def test_export_refuses_unknown_tables(tmp_path: Path) -> None:
    db = str(tmp_path / "corpus.db")
    Store.open(db).close()
    result = CliRunner().invoke(_app(), ["export", "-f", "csv", "--table", "articles; DROP TABLE runs", "--db", db])
    assert result.exit_code == 2 and "[E657]" in result.output


def test_report_from_the_store_renders_without_analysing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "corpus.db")
    rows = write_jsonl(tmp_path / "a.jsonl", 3)
    rows[0]["title"] = "<script>alert('x')</script> harbour"
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    runner = _cli(monkeypatch)
    assert runner.invoke(_app(), ["add", str(tmp_path / "a.jsonl"), "--db", db]).exit_code == 0
    from spinscope import pipeline

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("report --db must not analyse")

    monkeypatch.setattr(pipeline, "analyze_documents", no_analysis)
    result = runner.invoke(_app(), ["report", "--db", db, "-o", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "&lt;script&gt;" in index
    assert len(list((tmp_path / "report").glob("[0-9]*.html"))) == 3  # one page per stored article
    assert runner.invoke(_app(), ["report", "--db", str(tmp_path / "missing.db")]).exit_code == 1


# -- CLI --------------------------------------------------------------------------------------------
def test_add_cli_summary_exit_codes_and_urls_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "corpus.db")
    write_jsonl(tmp_path / "a.jsonl", 4)
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# inputs\n{tmp_path / 'a.jsonl'}\n\n{tmp_path / 'missing.txt'}\n", encoding="utf-8")
    runner = _cli(monkeypatch)
    result = runner.invoke(_app(), ["add", "--urls-from", str(listing), "--db", db])
    assert result.exit_code == 1
    assert "4 added, 0 already stored, 0 duplicates, 1 failed" in result.output
    assert "[E100]" in result.output
    again = runner.invoke(_app(), ["add", "--urls-from", str(listing), "--db", db])
    assert again.exit_code == 1 and "1 failed before and not retried" in again.output
    assert runner.invoke(_app(), ["add", "--db", db]).exit_code == 2
    monkeypatch.setenv("SPINSCOPE_DB", db)
    ok = runner.invoke(_app(), ["add", str(tmp_path / "a.jsonl")])
    assert ok.exit_code == 0 and "0 added, 4 already stored" in ok.output


def test_an_unreachable_postgresql_server_is_one_coded_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    result = CliRunner().invoke(_app(), ["search", "x", "--db", f"postgresql://spinscope:secret@127.0.0.1:{port}/nowhere"])
    assert result.exit_code == 1
    assert "[E654]" in result.output and "secret" not in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_export_jsonl_of_the_real_pipeline_is_exactly_analyze_jsonl(examples_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    analyzed = runner.invoke(_app(), ["analyze", str(examples_dir), "--format", "jsonl"])
    assert analyzed.exit_code == 0
    db = str(tmp_path / "corpus.db")
    added = runner.invoke(_app(), ["add", str(examples_dir), "--db", db])
    assert added.exit_code == 0, added.output
    exported = runner.invoke(_app(), ["export", "-f", "jsonl", "--db", db])
    assert exported.exit_code == 0
    assert exported.stdout == analyzed.stdout
    assert len(exported.stdout.splitlines()) >= 5


@pytest.mark.network
def test_a_stored_url_is_not_fetched_again(tmp_path: Path) -> None:
    """Resuming a list of URLs skips the fetches already committed (a local server, never the internet)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = (
                f"<html><head><title>Harbour page {self.path}</title></head><body><article>"
                f"<h1>Harbour page {self.path}</h1><p>Mayor Lind presented the harbour budget again, {self.path}.</p>"
                "<p>Critics said everyone knew the plan was corrupt.</p></article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        urls = [f"http://127.0.0.1:{server.server_address[1]}/page-{i}" for i in range(3)]
        with Store.open(str(tmp_path / "corpus.db")) as store:
            first = add_inputs(store, urls, pipe=fake_analyse, meta=META)
            assert first.added == 3 and len(hits) == 3
            again = add_inputs(store, urls, pipe=fake_analyse, meta=META)
            assert (again.added, again.already) == (0, 3)
            assert len(hits) == 3, "a stored URL was fetched again"
            newer = add_inputs(store, urls, pipe=fake_analyse, meta={**META, "version": "2"})
            assert newer.reanalysed == 3 and len(hits) == 6  # a new pipeline reads them again
    finally:
        server.shutdown()
        server.server_close()

"""The corpus store against a real PostgreSQL server: what differs from SQLite.

The behaviour both databases share is tested on both in test_store.py (its
``db`` fixture); here: two writers at once, a held lock, and a kill -9 in
the middle of a PostgreSQL transaction. ``pg_url`` (conftest.py) skips with
its reason when no server is reachable, and fails under CI=true.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psycopg
import pytest
from test_store import _check_two_writers, _cli, _driver, write_jsonl

from spinscope.store import Store


def test_two_add_processes_on_postgresql_store_every_article_once(pg_url: str, tmp_path: Path) -> None:
    _check_two_writers(pg_url, tmp_path)


def test_a_held_table_lock_gives_a_coded_error(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spinscope.cli import app

    write_jsonl(tmp_path / "a.jsonl", 3)
    Store.open(pg_url).close()
    with psycopg.connect(pg_url) as holder:
        holder.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")  # held until the block ends
        result = _cli(monkeypatch).invoke(app, ["add", str(tmp_path / "a.jsonl"), "--db", pg_url, "--lock-timeout", "0.5"])
        holder.rollback()
    assert result.exit_code == 1, result.output
    assert "[E652]" in result.output and "Traceback" not in result.output


def test_add_on_postgresql_resumes_after_kill_9(pg_url: str, tmp_path: Path) -> None:
    n = 80
    write_jsonl(tmp_path / "a.jsonl", n, seed=5)
    args = ("add", str(tmp_path / "a.jsonl"), "--db", pg_url, "--batch-size", "6", "--no-progress")
    proc = _driver(*args, env={"STORE_DRIVER_DELAY": "0.02"})
    with Store.open(pg_url) as store:  # wait for a first commit, then kill mid-run
        deadline = time.monotonic() + 60
        while store.count("articles") == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    time.sleep(0.15)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    with Store.open(pg_url) as store:
        before = store.count("articles")
    assert 0 < before < n
    rerun = _driver(*args)
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"{n - before} added, {before} already stored" in err
    with Store.open(pg_url) as store:
        assert store.count("articles") == n and store.count("analyses") == n
        assert store.backend.execute("SELECT count(DISTINCT content_hash) FROM articles")[0][0] == n


def test_search_uses_the_tsvector_index(pg_url: str, tmp_path: Path) -> None:
    with Store.open(pg_url) as store:
        kinds = store.backend.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles' AND indexname = 'articles_search'"
        )
        assert kinds and "gin" in kinds[0][0].lower()

"""Background jobs: a submitted batch of articles, analysed and stored while the client polls.

A job is one row of the store's ``jobs`` table holding the submitted
articles themselves (``payload``), so nothing lives only in memory. Each
article's outcome is recorded in the ``inputs`` table under the name
``job:<id>:<index>``, in the same transaction as its analysis (the store's
``write_batch``), which is what makes a job resumable: a server that
stops cleanly hands its unfinished job back to the queue, and the next
server (or a sibling worker that finds a job whose heartbeat stopped)
skips every article that has an outcome and carries on with the rest.

Claiming is a compare-and-set ``UPDATE ... RETURNING``, so with
``--workers N`` each job runs in exactly one worker. A running job's
``updated_at`` is its heartbeat, refreshed every few seconds; one older
than ``job_stale_s`` belongs to a worker that died.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from spinscope.errors import SpinscopeError
from spinscope.server.errors import ServerError
from spinscope.server.service import AnalysisService
from spinscope.store import Store
from spinscope.store.store import utc_now

__all__ = ["JobRunner", "job_status", "stored_job", "submit_job"]

log = logging.getLogger("spinscope.server.jobs")

def _name(job_id: str, index: int) -> str:
    return f"job:{job_id}:{index}"


def submit_job(store: Store, articles: Sequence[Mapping[str, Any]], *, kind: str = "batch") -> str:
    """Record a job of ``articles`` (API article dicts) as ``queued``; returns its id."""
    job_id = secrets.token_hex(8)
    now = utc_now()
    payload = json.dumps([dict(a) for a in articles], ensure_ascii=False)
    with store.backend.transaction():
        store.backend.execute(
            "INSERT INTO jobs (id, kind, status, created_at, updated_at, total, done, failed, payload)"
            " VALUES (?, ?, 'queued', ?, ?, ?, 0, 0, ?)",
            (job_id, kind, now, now, len(articles), payload),
        )
    return job_id


def stored_job(store: Store, job_id: str) -> dict[str, Any]:
    """A job's status (:func:`job_status`), or E753 (404) for an unknown job id."""
    job = job_status(store, job_id)
    if job is None:
        raise ServerError("E753", f"job {job_id[:40]}", "no such job")
    return job


def job_status(store: Store, job_id: str) -> dict[str, Any] | None:
    """A job's row and the outcome of each article that has one, or None when there is no such job."""
    rows = store.backend.execute(
        "SELECT id, kind, status, created_at, updated_at, total, done, failed, run_id, error FROM jobs WHERE id = ?",
        (job_id,),
    )
    if not rows:
        return None
    keys = ("id", "kind", "status", "created_at", "updated_at", "total", "done", "failed", "run_id", "error")
    job = dict(zip(keys, rows[0], strict=True))
    total = int(job["total"])
    states = store.input_states([_name(job_id, i) for i in range(total)])
    items = []
    ids = {}
    for name, article_id in store.backend.execute(
        "SELECT name, article_id FROM inputs WHERE name LIKE ?", (f"job:{job_id}:%",)
    ):
        ids[name] = article_id
    for i in range(total):
        state = states.get(_name(job_id, i))
        if state is not None:
            items.append(
                {"index": i, "status": state.status, "article_id": ids.get(_name(job_id, i)), "message": state.message}
            )
    job.pop("run_id")
    job["progress"] = round((int(job["done"]) + int(job["failed"])) / total, 4) if total else 1.0
    job["items"] = items
    return job


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


class JobRunner:
    """One background thread per worker that claims queued (or abandoned) jobs and runs them."""

    def __init__(self, service: AnalysisService) -> None:
        self.service = service
        self.settings = service.settings
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: str | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="spinscope-jobs", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the runner to stop after the batch in progress, without waiting for it."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the batch in progress; an unfinished job goes back to the queue and resumes later."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """A job was submitted: look now instead of at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self.service.store() as store:
                    job_id = self.claim(store)
                    if job_id is not None:
                        self.run(store, job_id)
                        continue
            except SpinscopeError as exc:
                log.warning("job runner: %s", exc.one_line)
            except Exception:
                log.exception("job runner failed")
            self._wake.wait(self.settings.job_poll_s)
            self._wake.clear()

    # -- claiming --------------------------------------------------------------------------
    def claim(self, store: Store) -> str | None:
        """Take the oldest queued job, or a running one whose heartbeat is stale; None when there is none."""
        stale = _iso(datetime.now(UTC) - timedelta(seconds=self.settings.job_stale_s))
        candidates = store.backend.execute(
            "SELECT id, status, updated_at FROM jobs WHERE status = 'queued' OR (status = 'running' AND updated_at < ?)"
            " ORDER BY created_at, id LIMIT 20",
            (stale,),
        )
        for job_id, status, updated in candidates:
            with store.backend.transaction():
                got = store.backend.execute(
                    "UPDATE jobs SET status = 'running', updated_at = ? WHERE id = ? AND status = ? AND updated_at = ?"
                    " RETURNING id",
                    (utc_now(), job_id, status, updated),
                )
            if got:
                if status == "running":
                    log.info("resuming job %s, left unfinished by a server that stopped", job_id)
                return str(job_id)
        return None

    # -- running -----------------------------------------------------------------------------
    def _heartbeat(self, job_id: str, done: threading.Event) -> None:
        every = max(0.2, self.settings.job_stale_s / 4)
        while not done.wait(every):
            try:
                with self.service.store() as store, store.backend.transaction():
                    store.backend.execute(
                        "UPDATE jobs SET updated_at = ? WHERE id = ? AND status = 'running'", (utc_now(), job_id)
                    )
            except SpinscopeError as exc:
                log.warning("job %s heartbeat: %s", job_id, exc.one_line)

    def run(self, store: Store, job_id: str) -> None:
        """Run one claimed job to its end (or until the runner stops), batch by batch."""
        done_event = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, done_event), daemon=True)
        beat.start()
        self._current = job_id
        try:
            self._run(store, job_id)
        except Exception as exc:
            message = exc.one_line if isinstance(exc, SpinscopeError) else f"{type(exc).__name__}: the job stopped"
            with store.backend.transaction():
                store.backend.execute(
                    "UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
                    (message, utc_now(), job_id),
                )
            raise
        finally:
            done_event.set()
            beat.join()
            self._current = None

    def _run(self, store: Store, job_id: str) -> None:
        service = self.service
        ((payload, run_id),) = store.backend.execute("SELECT payload, run_id FROM jobs WHERE id = ?", (job_id,))
        items: list[dict[str, Any]] = json.loads(payload)
        pid = store.ensure_pipeline(service.meta)
        if run_id is None:
            run_id = store.begin_run(f"spinscope serve: job {job_id}", pid)
            with store.backend.transaction():
                store.backend.execute("UPDATE jobs SET run_id = ? WHERE id = ?", (run_id, job_id))
        names = [_name(job_id, i) for i in range(len(items))]
        states = store.input_states(names)
        done = sum(1 for s in states.values() if s.status != "failed")
        failed = len(states) - done
        todo = [i for i in range(len(items)) if names[i] not in states]
        seen: set[str] = set()
        for start in range(0, len(todo), self.settings.job_batch):
            if self._stop.is_set():
                self._hand_back(store, job_id)
                return
            chunk = todo[start : start + self.settings.job_batch]
            docs = []
            failures: list[tuple[str, str, str | None, str | None, int | None]] = []
            for i in chunk:
                try:
                    docs.append((names[i], service.document(items[i], names[i])))
                except SpinscopeError as exc:
                    failures.append((names[i], "failed", exc.code, exc.one_line, None))
            stored = store.lookup([d.content_hash for _, d in docs], pid)
            duplicates = []
            fresh = []
            for name, doc in docs:
                h = doc.content_hash
                if h in seen or (h in stored and stored[h].analysed):
                    duplicates.append((name, h))
                else:
                    seen.add(h)
                    fresh.append((name, doc))
            results: list[tuple[str, dict[str, Any]]] = []
            if fresh:
                try:
                    results = list(zip([n for n, _ in fresh], service.analyse([d for _, d in fresh]), strict=True))
                except SpinscopeError:
                    for name, doc in fresh:  # one article alone, so one bad article fails alone
                        try:
                            results.extend((name, r) for r in service.analyse([doc]))
                        except SpinscopeError as exc:
                            failures.append((name, "failed", exc.code, exc.one_line, None))
            store.write_batch(results, pipeline=pid, run_id=run_id, extra_inputs=failures, duplicates=duplicates)
            done += len(results) + len(duplicates)
            failed += len(failures)
            with store.backend.transaction():
                store.backend.execute(
                    "UPDATE jobs SET done = ?, failed = ?, updated_at = ? WHERE id = ?", (done, failed, utc_now(), job_id)
                )
        with store.backend.transaction():
            store.backend.execute(
                "UPDATE jobs SET status = 'finished', done = ?, failed = ?, updated_at = ? WHERE id = ?",
                (done, failed, utc_now(), job_id),
            )
        store.finish_run(run_id, status="finished", added=done, duplicates=0, already=0, failed=failed)


    @staticmethod
    def _hand_back(store: Store, job_id: str) -> None:
        """Put an unfinished job back in the queue at a clean stop, so the next server takes it at once.

        Only a worker that died without stopping leaves a job ``running``; that
        one waits for its heartbeat to go stale (``job_stale_s``) before anyone
        else may take it, because until then it might still be alive.
        """
        with store.backend.transaction():
            store.backend.execute(
                "UPDATE jobs SET status = 'queued', updated_at = ? WHERE id = ? AND status = 'running'", (utc_now(), job_id)
            )
        log.info("job %s handed back unfinished; it resumes where it stopped", job_id)


def check_batch(articles: Sequence[object], limit: int) -> None:
    """Refuse a batch larger than ``limit`` articles (E756)."""
    if len(articles) > limit:
        raise ServerError("E756", "articles", f"{len(articles)} articles in one batch; at most {limit}")

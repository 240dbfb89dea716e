"""The :class:`Store`: one database (SQLite file or PostgreSQL) holding a corpus and its analyses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from spinscope.store.backend import PostgresBackend, SQLiteBackend, StoreError, connect, resolve_db
from spinscope.store.normalize import COLUMNS_ARTICLES, LABEL_COLUMNS, article_row, label_rows
from spinscope.store.schema import TABLES, migrate, schema_version

__all__ = ["Store", "StoredArticle", "pipeline_id", "utc_now"]


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the second (sorts as text)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def pipeline_id(meta: Mapping[str, Any]) -> str:
    """A short stable id for a pipeline's versions and model hashes (same meta, same id)."""
    canonical = json.dumps(meta, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the store knows of a content hash: the article's id and whether this pipeline analysed it."""

    article_id: int
    analysed: bool


@dataclass(frozen=True, slots=True)
class InputState:
    """The last recorded outcome of one input name."""

    status: str  # done | duplicate | failed
    error_code: str | None
    message: str | None


class Store:
    """A corpus store. Open it with :meth:`Store.open`; use it as a context manager to close it.

    The write methods each run in one transaction. Queries (search, stats,
    export) live in :mod:`spinscope.store.query` and
    :mod:`spinscope.store.export`, over :attr:`backend`.
    """

    def __init__(self, backend: SQLiteBackend | PostgresBackend) -> None:
        self.backend = backend

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        lock_timeout_s: float = 60.0,
        create: bool = True,
        upgrade: bool = True,
    ) -> Store:
        """Open the database ``db``, creating it and upgrading its schema as needed.

        ``db``: a SQLite path or a ``postgresql://`` URL; ``None`` reads
        ``$SPINSCOPE_DB`` or uses ``spinscope.db``. ``create=False`` (the
        query commands) refuses a missing or empty database with E650 instead
        of creating one. A SQLite file the user may not write is opened
        read-only: queries work if its schema is current, writes fail with
        E651. ``upgrade=False`` leaves the schema as it is (migration tests).
        """
        name = resolve_db(db)
        if not create and "://" not in name:
            from pathlib import Path

            if not Path(name).is_file():
                raise StoreError("E650", name, "no such database file (create one with spinscope add)")
        backend = connect(name, lock_timeout_s=lock_timeout_s)
        try:
            if not create and schema_version(backend) == 0:
                raise StoreError("E650", backend.name, "the database is empty (create one with spinscope add)")
            if upgrade:
                migrate(backend)
        except BaseException:
            backend.close()
            raise
        return cls(backend)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def schema_version(self) -> int:
        return schema_version(self.backend)

    # -- runs and inputs ---------------------------------------------------------
    def ensure_pipeline(self, meta: Mapping[str, Any]) -> str:
        """Record a pipeline's meta (once) and return its id."""
        pid = pipeline_id(meta)
        with self.backend.transaction():
            self.backend.execute(
                "INSERT INTO pipelines (id, meta, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (pid, json.dumps(meta, ensure_ascii=False, sort_keys=True), utc_now()),
            )
        return pid

    def begin_run(self, command: str, pipeline: str) -> int:
        with self.backend.transaction():
            rows = self.backend.execute(
                "INSERT INTO runs (started_at, command, pipeline_id, status) VALUES (?, ?, ?, 'running') RETURNING id",
                (utc_now(), command, pipeline),
            )
        return int(rows[0][0])

    def finish_run(self, run_id: int, *, status: str, added: int, duplicates: int, already: int, failed: int) -> None:
        with self.backend.transaction():
            self.backend.execute(
                "UPDATE runs SET finished_at = ?, status = ?, added = ?, duplicates = ?, already_stored = ?, failed = ?"
                " WHERE id = ?",
                (utc_now(), status, added, duplicates, already, failed, run_id),
            )

    def input_states(self, names: Iterable[str]) -> dict[str, InputState]:
        """The recorded state of each of ``names`` that has one."""
        out: dict[str, InputState] = {}
        unique = list(dict.fromkeys(names))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            for name, status, code, message in self.backend.execute(
                f"SELECT name, status, error_code, message FROM inputs WHERE name IN ({marks})", chunk
            ):
                out[name] = InputState(status, code, message)
        return out

    def analysed_inputs(self, pipeline: str) -> dict[str, str]:
        """``{input name: content hash}`` of every input whose article ``pipeline`` has analysed.

        What a remote reader needs to skip, before analysis, an input that a
        rerun would only find already stored (the Ray engine sends it to its
        workers): same name and same text means nothing to do.
        """
        out: dict[str, str] = {}
        sql = (
            "SELECT i.name, ar.content_hash FROM inputs i JOIN articles ar ON ar.id = i.article_id"
            " WHERE i.status IN ('done', 'duplicate')"
            " AND EXISTS (SELECT 1 FROM analyses an WHERE an.article_id = ar.id AND an.pipeline_id = ?)"
        )
        for rows in self.backend.iterate(sql, (pipeline,)):
            out.update((str(name), str(h)) for name, h in rows)
        return out

    def lookup(self, hashes: Sequence[str], pipeline: str) -> dict[str, StoredArticle]:
        """Which content hashes are stored, and whether ``pipeline`` has analysed each."""
        out: dict[str, StoredArticle] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self.backend.execute(
                "SELECT ar.content_hash, ar.id, EXISTS (SELECT 1 FROM analyses an WHERE an.article_id = ar.id"
                f" AND an.pipeline_id = ?) FROM articles ar WHERE ar.content_hash IN ({marks})",
                [pipeline, *chunk],
            )
            for h, article_id, analysed in rows:
                out[h] = StoredArticle(int(article_id), bool(analysed))
        return out

    def record_inputs(self, rows: Sequence[tuple[str, str, str | None, str | None, int | None]], run_id: int) -> None:
        """Upsert ``(name, status, error_code, message, article_id)`` rows in one transaction."""
        if not rows:
            return
        with self.backend.transaction():
            self._upsert_inputs(rows, run_id)

    def _upsert_inputs(self, rows: Sequence[tuple[str, str, str | None, str | None, int | None]], run_id: int) -> None:
        now = utc_now()
        self.backend.executemany(
            "INSERT INTO inputs (name, status, error_code, message, article_id, run_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET status = excluded.status,"
            " error_code = excluded.error_code, message = excluded.message, article_id = excluded.article_id,"
            " run_id = excluded.run_id, updated_at = excluded.updated_at",
            [(*r, run_id, now) for r in rows],
        )

    # -- writing analyses ----------------------------------------------------------
    def write_batch(
        self,
        results: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        pipeline: str,
        run_id: int,
        extra_inputs: Sequence[tuple[str, str, str | None, str | None, int | None]] = (),
        duplicates: Sequence[tuple[str, str]] = (),
    ) -> list[tuple[str, int, bool]]:
        """Store ``(input name, Analysis.to_dict())`` pairs and input outcomes in ONE transaction.

        Returns ``(input name, article id, stored)`` per result: ``stored`` is
        False when the same article already had an analysis by this pipeline
        (a concurrent ``add`` committed it first), so it is a duplicate.
        ``extra_inputs`` are other inputs' outcomes (failures) and
        ``duplicates`` ``(input name, content hash)`` of inputs whose text is
        stored under another input; both are recorded in the same transaction.
        """
        now = utc_now()
        columns = ", ".join(COLUMNS_ARTICLES)
        marks = ", ".join("?" for _ in COLUMNS_ARTICLES)
        hashes = [result["document"]["content_hash"] for _, result in results]
        labels = [label_rows(result) for _, result in results]
        b = self.backend
        # Set-based: a handful of statements per batch, not per article (PostgreSQL pays a round trip each).
        with b.transaction():
            b.executemany(
                f"INSERT INTO articles ({columns}) VALUES ({marks}) ON CONFLICT (content_hash) DO NOTHING",
                [article_row(result["document"], now).values for _, result in results],
            )
            ids = self._ids_by_hash(hashes + [h for _, h in duplicates])
            b.executemany(
                "INSERT INTO analyses (article_id, pipeline_id, run_id, created_at, genre, genre_score,"
                " narrative_domain, dominant_narrative, technique_labels, result)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, pipeline_id) DO NOTHING",
                [
                    (
                        ids[h], pipeline, run_id, now, lab.genre, lab.genre_score, lab.narrative_domain,
                        lab.dominant_narrative, lab.technique_labels, json.dumps(result, ensure_ascii=False),
                    )
                    for h, lab, (_, result) in zip(hashes, labels, results, strict=True)
                ],
            )  # fmt: skip
            # Ours are the rows of this run: a concurrent add's analysis of the same article has its own run id.
            mine: dict[int, int] = {}
            wanted = [ids[h] for h in hashes]
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                for analysis_id, article_id in b.execute(
                    f"SELECT id, article_id FROM analyses WHERE run_id = ? AND pipeline_id = ?"
                    f" AND article_id IN ({', '.join('?' for _ in chunk)})",
                    [run_id, pipeline, *chunk],
                ):
                    mine[int(article_id)] = int(analysis_id)
            for table, cols in LABEL_COLUMNS.items():
                b.executemany(
                    f"INSERT INTO {table} (analysis_id, {', '.join(cols)}) VALUES (?, {', '.join('?' for _ in cols)})",
                    [(mine[ids[h]], *row) for h, lab in zip(hashes, labels, strict=True) if ids[h] in mine for row in getattr(lab, table)],
                )
            out = [(name, ids[h], ids[h] in mine) for (name, _), h in zip(results, hashes, strict=True)]
            inputs: list[tuple[str, str, str | None, str | None, int | None]] = [
                (name, "done" if stored else "duplicate", None, None, article_id) for name, article_id, stored in out
            ]
            inputs += [(name, "duplicate", None, None, ids.get(h)) for name, h in duplicates]
            self._upsert_inputs([*inputs, *extra_inputs], run_id)
        return out

    def _ids_by_hash(self, hashes: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            for h, article_id in self.backend.execute(
                f"SELECT content_hash, id FROM articles WHERE content_hash IN ({', '.join('?' for _ in chunk)})", chunk
            ):
                out[str(h)] = int(article_id)
        return out

    # -- reading -----------------------------------------------------------------
    def count(self, table: str) -> int:
        """Rows in one of :data:`~spinscope.store.schema.TABLES` (or ``current_analyses``)."""
        if table not in TABLES and table != "current_analyses":
            raise StoreError("E657", table, f"no such table (one of: {', '.join(TABLES)})")
        return int(self.backend.execute(f"SELECT count(*) FROM {table}")[0][0])

    def iter_results(self, *, all_versions: bool = False) -> Iterator[dict[str, Any]]:
        """Every stored analysis (each article's newest, or every version), in the order articles were added."""
        view = "analyses" if all_versions else "current_analyses"
        for chunk in self.backend.iterate(f"SELECT result FROM {view} ORDER BY article_id, id"):
            for (text,) in chunk:
                yield json.loads(text)

    def iter_result_texts(self, *, all_versions: bool = False) -> Iterator[str]:
        """Like :meth:`iter_results`, as the stored JSON text (byte-for-byte what ``analyze --format jsonl`` printed)."""
        view = "analyses" if all_versions else "current_analyses"
        for chunk in self.backend.iterate(f"SELECT result FROM {view} ORDER BY article_id, id"):
            for (text,) in chunk:
                yield text

    def prune(self) -> int:
        """Delete every analysis that is not its article's newest; returns how many went."""
        with self.backend.transaction():
            rows = self.backend.execute(
                "DELETE FROM analyses WHERE id NOT IN (SELECT id FROM current_analyses) RETURNING id"
            )
        return len(rows)

    def summary(self) -> dict[str, int]:
        """Row counts of the main tables."""
        return {t: self.count(t) for t in ("articles", "analyses", "inputs", "runs")} | {
            "failed_inputs": int(self.backend.execute("SELECT count(*) FROM inputs WHERE status = 'failed'")[0][0]),
            "schema_version": self.schema_version,
        }


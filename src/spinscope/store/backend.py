"""Two database backends behind one small interface: SQLite (embedded) and PostgreSQL.

Every statement the store runs is written once with ``?`` placeholders and
values passed separately (never formatted into the SQL); the PostgreSQL
backend rewrites ``?`` to psycopg's ``%s``. What differs between the two --
full-text search, upserts of identity columns, locking -- is asked of the
backend by name (:attr:`Backend.dialect`).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from spinscope.errors import SpinscopeError

__all__ = [
    "DEFAULT_DB",
    "Backend",
    "PostgresBackend",
    "SQLiteBackend",
    "StoreError",
    "connect",
    "resolve_db",
]

#: The database used when neither ``--db`` nor ``$SPINSCOPE_DB`` names one.
DEFAULT_DB = "spinscope.db"

Dialect = Literal["sqlite", "postgresql"]
Row = tuple[Any, ...]


class StoreError(SpinscopeError):
    """The corpus store cannot be opened, written, locked or queried as asked."""


def resolve_db(db: str | None) -> str:
    """``--db`` if given, else ``$SPINSCOPE_DB``, else ``spinscope.db`` in the working directory."""
    return db or os.environ.get("SPINSCOPE_DB") or DEFAULT_DB


def _redact(url: str) -> str:
    """A PostgreSQL URL without its password, for error messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class Backend(Protocol):
    """What the store needs of a database connection."""

    dialect: Dialect
    name: str  # the database as shown in messages (password removed)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def iterate(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[list[Row]]: ...

    def columns(self, sql: str, params: Sequence[Any] = ()) -> list[str]: ...

    def transaction(self) -> Any: ...

    def close(self) -> None: ...


class SQLiteBackend:
    """One SQLite file in WAL mode with foreign keys on.

    The connection runs in autocommit mode and :meth:`transaction` opens
    ``BEGIN IMMEDIATE``: the write lock is taken at the start of a batch, so
    two writers queue on ``busy_timeout`` instead of failing half-way with a
    deadlock. Readers never wait for writers (WAL).
    """

    dialect: Dialect = "sqlite"

    def __init__(self, path: str, *, lock_timeout_s: float = 60.0, read_only: bool = False) -> None:
        self.name = path
        self.lock_timeout_s = lock_timeout_s
        target = Path(path)
        if not read_only and target.parent and not target.parent.exists():
            raise StoreError("E650", path, f"folder {str(target.parent)!r} does not exist")
        if target.exists() and not os.access(target, os.W_OK):
            read_only = True  # read-only file: readers still work, writers get E651
        self.read_only = read_only
        try:
            if read_only:
                uri = f"{target.resolve().as_uri()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=lock_timeout_s)
            else:
                self.conn = sqlite3.connect(path, isolation_level=None, timeout=lock_timeout_s)
            self.conn.execute(f"PRAGMA busy_timeout = {int(lock_timeout_s * 1000)}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
                if mode and str(mode[0]).lower() != "wal":
                    raise StoreError("E650", path, f"cannot switch the database to WAL mode (got {mode[0]})")
                self.conn.execute("PRAGMA synchronous = NORMAL")  # durable at each commit in WAL mode
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc

    def translate(self, exc: Exception) -> StoreError:
        """A coded one-line error for a sqlite3 exception."""
        text = str(exc)
        low = text.lower()
        if "readonly" in low or "read-only" in low or "attempt to write" in low:
            return StoreError("E651", self.name, "the database is read-only (check the file's permissions)")
        if "locked" in low or "busy" in low:
            return StoreError(
                "E652", self.name,
                f"the database is locked by another process (waited {self.lock_timeout_s:g} s; try again later)",
            )  # fmt: skip
        if "not a database" in low or "malformed" in low or "file is encrypted" in low:
            return StoreError("E662", self.name, "the file is not a SQLite database or is damaged")
        if "unable to open" in low:
            return StoreError("E650", self.name, "cannot open the database file")
        return StoreError("E650", self.name, f"database error: {text}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.OperationalError as exc:
            if "fts5: syntax error" in str(exc):
                raise StoreError("E658", "search", f"the query could not be parsed ({exc})") from exc
            raise self.translate(exc) from exc
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise self.translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise self.translate(exc) from exc

    def iterate(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[list[Row]]:
        try:
            cursor = self.conn.execute(sql, tuple(params))
            while chunk := cursor.fetchmany(size):
                yield chunk
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc

    def columns(self, sql: str, params: Sequence[Any] = ()) -> list[str]:
        try:
            cursor = self.conn.execute(sql, tuple(params))
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc
        return [d[0] for d in cursor.description or ()]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise self.translate(exc) from exc

    def close(self) -> None:
        self.conn.close()


class PostgresBackend:
    """A PostgreSQL database through psycopg 3 (autocommit; explicit transactions)."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, *, lock_timeout_s: float = 60.0, read_only: bool = False) -> None:
        self.name = _redact(url)
        self.lock_timeout_s = lock_timeout_s
        self.read_only = read_only
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a base dependency
            raise StoreError("E661", self.name, "PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from exc
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            # Wait this long for a row or table lock before failing with E652.
            self.conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{int(lock_timeout_s * 1000)}ms",))
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError("E654", self.name, f"cannot connect to PostgreSQL ({first})") from exc

    @staticmethod
    def _sql(sql: str) -> str:
        # The store's SQL never holds a literal '?' or '%': placeholders map one to one.
        return sql.replace("?", "%s")

    def translate(self, exc: Exception) -> StoreError:
        errors = self._psycopg.errors
        if isinstance(exc, errors.LockNotAvailable):
            return StoreError(
                "E652", self.name, f"the database is locked by another process (waited {self.lock_timeout_s:g} s)"
            )
        if isinstance(exc, errors.ReadOnlySqlTransaction | errors.InsufficientPrivilege):
            return StoreError("E651", self.name, "this PostgreSQL user may not write to the database")
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError("E650", self.name, f"database error: {first}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            cursor = self.conn.execute(self._sql(sql), tuple(params))
            return cursor.fetchall() if cursor.description else []
        except self._psycopg.errors.IntegrityError:
            raise
        except self._psycopg.Error as exc:
            raise self.translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), [tuple(r) for r in rows])
        except self._psycopg.errors.IntegrityError:
            raise
        except self._psycopg.Error as exc:
            raise self.translate(exc) from exc

    def iterate(self, sql: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[list[Row]]:
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(self._sql(sql), tuple(params))
                while chunk := cursor.fetchmany(size):
                    yield chunk
        except self._psycopg.Error as exc:
            raise self.translate(exc) from exc

    def columns(self, sql: str, params: Sequence[Any] = ()) -> list[str]:
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(self._sql(sql), tuple(params))
                return [d.name for d in cursor.description or ()]
        except self._psycopg.Error as exc:
            raise self.translate(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.conn.transaction():
                yield
        except self._psycopg.errors.IntegrityError:
            raise
        except self._psycopg.Error as exc:
            raise self.translate(exc) from exc

    def close(self) -> None:
        self.conn.close()


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def connect(db: str, *, lock_timeout_s: float = 60.0, read_only: bool = False) -> SQLiteBackend | PostgresBackend:
    """A backend for ``db``: a ``postgresql://`` URL or a SQLite file path."""
    if is_postgres_url(db):
        return PostgresBackend(db, lock_timeout_s=lock_timeout_s, read_only=read_only)
    if "://" in db:
        raise StoreError("E655", _redact(db), "unsupported database URL (use a file path or postgresql://...)")
    return SQLiteBackend(db, lock_timeout_s=lock_timeout_s, read_only=read_only)

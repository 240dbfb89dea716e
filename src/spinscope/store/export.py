"""``spinscope export``: a table of the store as JSONL, CSV or Parquet, streamed in chunks."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from spinscope.store.backend import StoreError
from spinscope.store.schema import TABLES
from spinscope.store.store import Store

__all__ = ["EXPORT_FORMATS", "export_table", "table_columns"]

ExportFormat = Literal["jsonl", "csv", "parquet"]
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
_CHUNK = 5000


def table_columns(store: Store, table: str) -> list[tuple[str, str]]:
    """``(column, kind)`` of one exportable table; kind is int, float or text."""
    if table not in TABLES:
        raise StoreError("E657", table, f"no such table (one of: {', '.join(TABLES)})")
    b = store.backend
    if b.dialect == "sqlite":
        rows = b.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (table,))
    else:
        rows = b.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    out = []
    for name, declared in rows:
        kind = str(declared).upper()
        if name == "search" and kind == "TSVECTOR":
            continue  # PostgreSQL's derived search index, not data
        out.append((str(name), "int" if "INT" in kind else "float" if kind in {"REAL", "DOUBLE PRECISION"} else "text"))
    return out


def _rows(store: Store, table: str, columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    order = "id" if "id" in columns else ", ".join(columns[:2])
    # Table and column names come from the schema (checked above), never from the user.
    yield from store.backend.iterate(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}", size=_CHUNK)


def export_table(
    store: Store, fmt: str, out: Path | IO[str], *, table: str = "analyses", all_versions: bool = False
) -> int:
    """Write ``table`` to ``out`` (a path, or a text stream for jsonl and csv); returns the rows written.

    ``analyses`` as JSONL is special: one ``Analysis.to_dict()`` per line,
    exactly what ``spinscope analyze --format jsonl`` prints, for each
    article's newest analysis (``all_versions``: every stored one). Any other
    table or format writes the table's columns as they are.
    """
    if fmt not in EXPORT_FORMATS:
        raise StoreError("E657", fmt, f"no such export format (one of: {', '.join(EXPORT_FORMATS)})")
    if fmt == "parquet":
        if not isinstance(out, Path):
            raise StoreError("E664", "export", "--format parquet needs -o PATH (it is a binary file)")
        return _parquet(store, table, out)
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as fh:
            return export_table(store, fmt, fh, table=table, all_versions=all_versions)
    if fmt == "jsonl" and table == "analyses":
        n = 0
        for text in store.iter_result_texts(all_versions=all_versions):
            out.write(text + "\n")
            n += 1
        return n
    columns = [c for c, _ in table_columns(store, table)]
    n = 0
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    for chunk in _rows(store, table, columns):
        for row in chunk:
            if writer is not None:
                writer.writerow(["" if v is None else v for v in row])
            else:
                out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
            n += 1
    return n


def _parquet(store: Store, table: str, out: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise StoreError(
            "E656", "export", "Parquet needs pyarrow: pip install 'spinscope[parquet]' (or pip install pyarrow)"
        ) from exc
    columns = table_columns(store, table)
    types = {"int": pa.int64(), "float": pa.float64(), "text": pa.string()}
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        for chunk in _rows(store, table, [c for c, _ in columns]):
            arrays = [pa.array([row[i] for row in chunk], type=schema.field(i).type) for i in range(len(columns))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(chunk)
    return n

"""The corpus store: articles, their analyses and every label, in SQLite or PostgreSQL.

>>> from spinscope.store import Store, add_inputs, default_pipeline  # doctest: +SKIP
>>> with Store.open("corpus.db") as store:  # doctest: +SKIP
...     pipe, meta = default_pipeline()
...     summary = add_inputs(store, ["articles/"], pipe=pipe, meta=meta)

Modules: :mod:`~spinscope.store.backend` (the two databases behind one
interface), :mod:`~spinscope.store.schema` (tables and migrations),
:mod:`~spinscope.store.normalize` (an analysis spread over the tables),
:mod:`~spinscope.store.store` (the :class:`Store`), :mod:`~spinscope.store.add`
(resumable batched adding), :mod:`~spinscope.store.query` (search, stats,
stories) and :mod:`~spinscope.store.export` (JSONL, CSV, Parquet, plots).
"""

from __future__ import annotations

from spinscope.store.add import AddEvent, AddSummary, Analyse, add_inputs, default_pipeline, pipeline_meta
from spinscope.store.backend import DEFAULT_DB, StoreError, resolve_db
from spinscope.store.schema import SCHEMA_VERSION, TABLES
from spinscope.store.store import Store, pipeline_id

__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "TABLES",
    "AddEvent",
    "AddSummary",
    "Analyse",
    "Store",
    "StoreError",
    "add_inputs",
    "default_pipeline",
    "pipeline_id",
    "pipeline_meta",
    "resolve_db",
]

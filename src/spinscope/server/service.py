"""What the API, the pages and the job runner share: one pipeline per worker, the store, reading inputs.

The pipeline is built once per worker process (cheap: models load on the
first article, or in the background at start with ``preload``) and runs
under one lock: analyses are CPU-bound and share one set of models, so
two at once would only take turns slower. Requests wait for that lock
inside the bounded work queue, never in an unbounded pile.

The store is opened per unit of work in the thread that does it (SQLite
connections belong to their thread); opening a current store runs two
small queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from spinscope.document import Document
from spinscope.errors import InputError, SpinscopeError
from spinscope.ingest import RawArticle, ReadOptions, build_document
from spinscope.server.errors import ServerError
from spinscope.server.settings import ServerSettings
from spinscope.store import Store
from spinscope.store.add import Analyse, pipeline_meta
from spinscope.store.browse import article_analysis

__all__ = ["AnalysisService", "Outcome", "stored_analysis"]


def stored_analysis(store: Store, article_id: int) -> dict[str, Any]:
    """One stored article's newest analysis, or E753 (404) for an article the store does not hold."""
    analysis = article_analysis(store, article_id)
    if analysis is None:
        raise ServerError("E753", f"article {article_id}", "no such article")
    return analysis



@dataclass(frozen=True)
class Outcome:
    """One analysed article: its stored id (None when not stored), whether this call stored it, its JSON."""

    article_id: int | None
    stored: bool
    already: bool
    analysis: dict[str, Any]


class AnalysisService:
    """The pipeline, its lock and the store, for one worker process.

    ``pipe`` and ``meta`` replace the default pipeline (tests inject a fast
    rule-based analyser through them, as ``spinscope add`` tests do);
    ``health_meta`` is what ``/health`` reports (``Pipeline.meta`` by default).
    """

    def __init__(
        self,
        settings: ServerSettings,
        *,
        pipe: Analyse | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._used = False
        if pipe is None:
            from spinscope.pipeline import load

            nlp = load(settings.model, exclude=list(settings.exclude))
            self.health_meta: dict[str, Any] = nlp.meta
            self._pipe: Analyse = lambda docs: nlp.pipe(docs)
            self.meta: dict[str, Any] = pipeline_meta(settings.model, nlp.meta)
        else:
            self._pipe = pipe
            self.meta = dict(meta or {"name": "injected"})
            self.health_meta = dict(self.meta)
        self.read_options = ReadOptions(
            max_bytes=settings.max_body_bytes, timeout_s=settings.fetch_timeout_s, allow_private=settings.allow_private_urls
        )
        self.pipeline_id: str | None = None
        self.run_id: int | None = None
        self.added = 0

    # -- the store ---------------------------------------------------------------------
    @contextmanager
    def store(self) -> Iterator[Store]:
        """The corpus store, opened for this thread and closed after."""
        store = Store.open(self.settings.db)
        try:
            yield store
        finally:
            store.close()

    def start(self) -> None:
        """Record the pipeline and begin this worker's run (the run every single analysis is stored under)."""
        with self.store() as store:
            self.pipeline_id = store.ensure_pipeline(self.meta)
            self.run_id = store.begin_run("spinscope serve", self.pipeline_id)

    def stop(self) -> None:
        if self.run_id is None:
            return
        with self.store() as store:
            store.finish_run(self.run_id, status="finished", added=self.added, duplicates=0, already=0, failed=0)
        self.run_id = None

    @property
    def models_loaded(self) -> bool:
        return self._used

    # -- reading inputs --------------------------------------------------------------------
    def document(self, item: Mapping[str, Any], name: str) -> Document:
        """A Document from one API article (``text`` or ``url``, plus metadata); raises the reader's error."""
        options = self.read_options
        if item.get("url") is not None:
            raw = self.fetch(str(item["url"]))
        else:
            text = str(item.get("text") or "")
            if len(text.encode("utf-8")) > self.settings.max_body_bytes:
                raise InputError("E103", name, f"text is larger than {self.settings.max_body_bytes} bytes")
            raw = RawArticle(name=name, text=text, input_format="text")
        if item.get("title"):
            raw.title = str(item["title"])
        if item.get("outlet"):
            raw.source = str(item["outlet"])
        if item.get("published"):
            raw.published = str(item["published"])
        return build_document(raw, options)

    def fetch(self, url: str) -> RawArticle:
        """Fetch ``url`` with server mode's address checks: loopback, private, link-local, multicast refused (E785).

        Each redirect is checked again and the connection goes to the address
        that was checked (:func:`spinscope.ingest.fetch.fetch_url`);
        ``--allow-private-urls`` lifts the check (tests on loopback).
        """
        from spinscope.ingest.fetch import fetch_url

        return fetch_url(url, self.read_options, allow_private=self.settings.allow_private_urls)

    # -- analysing ---------------------------------------------------------------------------
    def analyse(self, docs: Sequence[Document]) -> list[dict[str, Any]]:
        """``Analysis.to_dict()`` of each document, in order, under the pipeline lock."""
        if not docs:
            return []
        with self._lock:
            self._used = True
            try:
                analyses = list(self._pipe(list(docs)))
            except SpinscopeError:
                raise
            except Exception as exc:
                raise ServerError("E755", docs[0].id, f"analysis failed ({type(exc).__name__})") from exc
        if len(analyses) != len(docs):
            raise ServerError("E755", docs[0].id, f"the pipeline returned {len(analyses)} analyses for {len(docs)} articles")
        return [a.to_dict() for a in analyses]

    def preload(self) -> None:
        """Load the models now (a tiny article), so the first request does not wait for them."""
        from spinscope.ingest import document_from_text

        doc = document_from_text("Preload\n\nThe models load once per worker before the first request.", detect_language=False)
        self.analyse([doc])

    def analyze_one(self, item: Mapping[str, Any], *, store_it: bool) -> Outcome:
        """Read, analyse and (with ``store_it``) store one API article (``text`` or ``url``)."""
        name = str(item["url"]) if item.get("url") else "api:text"
        doc = self.document(item, name)
        return self.analyze_document(doc, name if item.get("url") else None, store_it=store_it)

    def analyze_document(self, doc: Document, input_name: str | None, *, store_it: bool) -> Outcome:
        """Analyse and (with ``store_it``) store one Document; ``input_name`` names it in ``inputs``.

        The same text analysed before by the same pipeline is not analysed
        again: the stored analysis is returned with ``already=True``.
        """
        with self.store() as store:
            pid = self.pipeline_id or store.ensure_pipeline(self.meta)
            known = store.lookup([doc.content_hash], pid).get(doc.content_hash)
            if known is not None and known.analysed:
                stored = article_analysis(store, known.article_id)
                if stored is not None:
                    return Outcome(known.article_id, False, True, stored)
        (result,) = self.analyse([doc])
        if not store_it:
            return Outcome(None, False, False, result)
        with self.store() as store:
            pid = self.pipeline_id or store.ensure_pipeline(self.meta)
            run_id = self.run_id if self.run_id is not None else store.begin_run("spinscope serve", pid)
            written = store.write_batch([(input_name or f"serve:{doc.content_hash}", result)], pipeline=pid, run_id=run_id)
        ((_, article_id, stored_now),) = written
        if stored_now:
            self.added += 1
        return Outcome(article_id, stored_now, not stored_now, result)

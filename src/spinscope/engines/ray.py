"""The Ray engine: the component pipeline in an actor pool, through Ray Data.

The driver lists the inputs (a folder becomes its article files, in the
order :func:`spinscope.ingest.read` walks it; stdin is read here) and groups
consecutive inputs into partitions of about the same size in bytes. The
partitions become a Ray Dataset, one block each, and ``map_batches`` runs an
actor pool over it: each actor loads the pipeline once (``__init__``) and
reads and analyses one partition per call. Rows come back to the driver in
input order (Ray Data's ``preserve_order``) and are turned back into
``(ReadResult, analysis dict | None)``, the shape of
:meth:`spinscope.pipeline.Pipeline.analyze_inputs`.

Only strings and integers cross process boundaries: documents and analyses
travel as JSON in Arrow columns, never as pickled Python objects.

Faults: a bad input becomes a failed row with its coded error (the reader
never raises for one, and an article the pipeline raises on is failed
alone, E851). An actor that dies is restarted and its partition is run
again (``max_restarts``, ``max_task_retries``); a partition's rows are
returned only when its call finished, so every article comes back once.

>>> from spinscope.engines.ray import ray_analyze_inputs  # doctest: +SKIP
>>> for result, analysis in ray_analyze_inputs(["corpus/"], workers=2):  # doctest: +SKIP
...     print(result.name, analysis["genre"]["label"] if analysis else result.message)
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from spinscope import errors as _errors
from spinscope.document import Document
from spinscope.errors import ConfigError, SpinscopeError
from spinscope.ingest import ReadOptions, ReadResult, read

__all__ = [
    "DEFAULT_PARTITION_BYTES",
    "AnalysisJSON",
    "RayEngine",
    "ray_analyze_documents",
    "ray_analyze_inputs",
    "require_ray",
]

#: Aimed-for size of one partition (the unit an actor reads and analyses in
#: one call, and the unit retried after a fault): about 40 news articles.
DEFAULT_PARTITION_BYTES = 200_000

#: A URL's size is unknown until it is fetched: count it as a typical article.
_URL_BYTES = 5_000

_ADDRESS = re.compile(r"^(auto|ray://[^\s/:]+:\d{1,5}|[^\s/:]+:\d{1,5})$")
_URL = re.compile(r"^https?://", re.IGNORECASE)
_INSTALL = 'Ray is not installed; install it with: pip install "spinscope[ray]"'


def require_ray() -> Any:
    """The ``ray`` module with Ray Data, or E850 saying what to install."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError("E850", "--engine ray", _INSTALL) from exc
    return ray


# -- documents and errors as JSON --------------------------------------------------------------
#: Error classes a worker may report, by name; anything else comes back as SpinscopeError.
_ERROR_CLASSES: dict[str, type[SpinscopeError]] = {
    name: getattr(_errors, name) for name in _errors.__all__ if isinstance(getattr(_errors, name), type)
}


def _error_from_row(row: dict[str, Any]) -> SpinscopeError:
    cls = _ERROR_CLASSES.get(row.get("error_class") or "", SpinscopeError)
    return cls(row["code"], row["subject"], row["problem"])


# -- listing and partitioning (on the driver) ----------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Entry:
    """One unit of the input order: an input to read remotely, a document read here, or a final result."""

    size: int
    source: str | None = None  # read by a worker
    document: Document | None = None  # read here (stdin, or handed in), analysed by a worker
    name: str | None = None
    result: ReadResult | None = None  # nothing to analyse: a skip or a read error


def _list_entries(
    inputs: Iterable[str | Path], options: ReadOptions, skip: Mapping[str, str] | None = None
) -> list[_Entry]:
    """The inputs as :func:`spinscope.ingest.read` would meet them, without reading any file.

    ``skip`` (input name to content hash) marks what is stored already: a
    document read here that matches is final, with nothing to analyse.
    """
    from spinscope.ingest.readers import _walk  # the reader's own walk, so folders expand identically

    entries: list[_Entry] = []
    for item in inputs:
        source = str(item)
        if source == "-":  # stdin exists only here: read it on the driver
            for result in read(["-"], options):
                if result.document is not None and _stored(skip, result.name, result.document):
                    entries.append(_Entry(0, result=result))
                elif result.document is not None:
                    entries.append(
                        _Entry(len(result.document.text), document=result.document, name=result.name)
                    )
                else:
                    entries.append(_Entry(0, result=result))
            continue
        path = Path(source)
        if not (options.input_format == "url" or _URL.match(source)) and path.is_dir():
            for found in _walk(path):
                if isinstance(found, tuple):
                    entries.append(
                        _Entry(0, result=ReadResult(name=str(found[0]), status="skipped", reason=found[1]))
                    )
                else:
                    entries.append(_Entry(_size(found), source=str(found)))
            continue
        entries.append(_Entry(_URL_BYTES if _URL.match(source) else _size(path), source=source))
    return entries


def _stored(skip: Mapping[str, str] | None, name: str, document: Document) -> bool:
    return skip is not None and skip.get(name) == document.content_hash


def _skip_index(skip: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """``skip`` grouped by the input that produces each name: itself, or ``NAME`` for ``NAME:LINE`` (JSONL)."""
    index: dict[str, dict[str, str]] = {}
    for name, content_hash in skip.items():
        index.setdefault(name, {})[name] = content_hash
        base, sep, line = name.rpartition(":")
        if sep and line.isdigit():
            index.setdefault(base, {})[name] = content_hash
    return index


def _size(path: Path) -> int:
    try:
        return max(1, path.stat().st_size)
    except OSError:
        return 1  # the worker's read reports why


def _partitions(entries: Sequence[_Entry], target_bytes: int) -> list[list[int]]:
    """Consecutive entries to analyse, grouped into partitions of about ``target_bytes`` each."""
    parts: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index, entry in enumerate(entries):
        if entry.result is not None:
            continue
        if current and size + entry.size > target_bytes:
            parts.append(current)
            current, size = [], 0
        current.append(index)
        size += entry.size
    if current:
        parts.append(current)
    return parts


def _partition_target(entries: Sequence[_Entry], workers: int, partition_bytes: int | None) -> int:
    """Given, or small enough that every worker gets several partitions (balance), capped at the default."""
    if partition_bytes is not None:
        return max(1, partition_bytes)
    total = sum(e.size for e in entries if e.result is None)
    return max(1, min(DEFAULT_PARTITION_BYTES, total // max(1, workers * 4)))


# -- the actor ---------------------------------------------------------------------------------
_COLUMNS = (
    "entry", "name", "status", "reason", "error_class", "code", "subject", "problem", "document", "analysis", "pid", "node",
)  # fmt: skip


class _Analyser:
    """A Ray Data actor: one pipeline per actor, one partition per call.

    ``__init__`` runs once per actor (and again on a restarted one), so
    the models load once per actor, not once per batch.
    """

    def __init__(
        self,
        *,
        model: str | None,
        exclude: Sequence[str],
        options: dict[str, Any],
        threads: int,
        batch_size: int,
    ) -> None:
        # Threads per actor = CPUs per actor, so N actors never oversubscribe the cores.
        os.environ["OMP_NUM_THREADS"] = str(threads)
        import torch

        torch.set_num_threads(threads)
        with contextlib.suppress(RuntimeError):  # already set in this process (a reused worker): keep it
            torch.set_num_interop_threads(threads)
        # NumPy's BLAS (the multilingual encoder, spaCy) read OMP_NUM_THREADS only when first loaded, which
        # may be before this runs: cap its pools too, or one actor fills every core and a second has none.
        from threadpoolctl import threadpool_limits

        self._blas_limit = threadpool_limits(limits=threads)
        import ray

        from spinscope.pipeline import load

        self.nlp = load(model, exclude=list(exclude))
        self.node = ray.get_runtime_context().get_node_id()
        self.options = ReadOptions(**options)
        self.batch_size = batch_size

    def __call__(self, batch: Any) -> Any:
        """Read and analyse the partition(s) in ``batch`` (an Arrow table); one output row per result."""
        import pyarrow as pa

        rows: list[dict[str, Any]] = []
        for items in batch.column("items").to_pylist():
            rows.extend(self._partition(json.loads(items)))
        return pa.table({c: pa.array([r.get(c) for r in rows], type=_arrow_type(c)) for c in _COLUMNS})

    def _partition(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pid = os.getpid()
        read_here: list[tuple[int, ReadResult, bool]] = []  # (entry, result, read by this worker)
        for item in items:
            if "document" in item:
                doc = Document.from_dict(item["document"])
                read_here.append(
                    (item["entry"], ReadResult(name=item["name"], status="ok", document=doc), False)
                )
            else:
                for result in read([item["source"]], self.options):
                    read_here.append((item["entry"], result, True))
        skip = {n: h for item in items for n, h in (item.get("skip") or {}).items()}
        stored = {id(r) for _, r, _ in read_here if r.document is not None and _stored(skip, r.name, r.document)}
        wanted = [r for _, r, _ in read_here if r.document is not None and id(r) not in stored]
        analyses = self._analyse([r.document for r in wanted], [r.name for r in wanted])  # type: ignore[misc]
        rows = []
        done = iter(analyses)
        for entry, result, remote in read_here:
            row: dict[str, Any] = {
                "entry": entry,
                "name": result.name,
                "status": result.status,
                "pid": pid,
                "node": self.node,
            }
            error: SpinscopeError | None = result.error
            if result.document is not None and id(result) in stored:
                row["document"] = json.dumps(result.document.to_dict(), ensure_ascii=False)  # stored: not analysed
            elif result.document is not None:
                outcome = next(done)
                if isinstance(outcome, SpinscopeError):
                    error, row["status"] = outcome, "error"
                else:
                    row["analysis"] = json.dumps(outcome, ensure_ascii=False)
                if remote:
                    row["document"] = json.dumps(result.document.to_dict(), ensure_ascii=False)
            row["reason"] = result.reason
            if error is not None:
                row.update(
                    error_class=type(error).__name__,
                    code=error.code,
                    subject=error.subject,
                    problem=error.problem,
                )
            rows.append(row)
        return rows

    def _analyse(self, docs: list[Document], names: list[str]) -> list[dict[str, Any] | SpinscopeError]:
        """Analyses of ``docs`` in order; if the batch raises, each alone, so one bad article fails alone."""
        if not docs:
            return []
        try:
            return [a.to_dict() for a in self.nlp.pipe(docs, batch_size=self.batch_size)]
        except Exception:  # noqa: BLE001, S110 - the loop below finds the article that broke the batch
            pass
        out: list[dict[str, Any] | SpinscopeError] = []
        for doc, name in zip(docs, names, strict=True):
            try:
                out.append(next(self.nlp.pipe([doc], batch_size=self.batch_size)).to_dict())
            except SpinscopeError as exc:
                out.append(exc)
            except Exception as exc:  # noqa: BLE001 - one article fails with its reason; the corpus goes on
                problem = (
                    f"analysis failed on a Ray worker ({type(exc).__name__}: {' '.join(str(exc).split())})"
                )
                out.append(SpinscopeError("E851", name, problem))
        return out


def _arrow_type(column: str) -> Any:
    import pyarrow as pa

    return pa.int64() if column in {"entry", "pid"} else pa.string()


@dataclass(frozen=True, slots=True)
class AnalysisJSON:
    """An analysis that came back from a worker as its JSON: ``to_dict()`` is that JSON.

    What the store's seam needs of an Analysis (it stores ``to_dict()``),
    without rebuilding the Python objects of every component.
    """

    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


# -- the engine --------------------------------------------------------------------------------
class RayEngine:
    """A Ray session and the settings of the actor pool; use as a context manager.

    Parameters
    ----------
    address:
        ``None`` starts a local Ray on this machine (``workers`` x
        ``cpus_per_worker`` CPUs) and stops it on exit; ``"auto"``,
        ``"HOST:PORT"`` or ``"ray://HOST:PORT"`` connects to a running
        cluster, whose nodes must have spinscope (and the same models)
        installed. If this process is already connected to Ray, that
        connection is used and left open.
    workers:
        Actors in the pool; each loads the models once.
    exclude, model:
        As for :func:`spinscope.load`.
    cpus_per_worker:
        CPUs Ray reserves per actor, and torch's thread count in it.
    partition_bytes:
        Size of the unit one actor call reads and analyses (and the unit
        retried after a fault); by default small enough that each worker
        gets four or more, at most :data:`DEFAULT_PARTITION_BYTES`.
    max_restarts:
        How often a dead actor is restarted, and a task on it retried.
    batch_size:
        Paragraphs encoded together inside an actor (``Pipeline.pipe``).
    start_timeout_s:
        How long to wait for the pool's actors to start and load the models
        (E856 after it: the cluster has too few CPUs for ``workers``, or
        the nodes cannot import spinscope).
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        workers: int = 1,
        exclude: Sequence[str] = (),
        model: str | Path | None = None,
        cpus_per_worker: int = 1,
        partition_bytes: int | None = None,
        max_restarts: int = 3,
        batch_size: int = 4096,
        start_timeout_s: float = 900.0,
    ) -> None:
        if workers < 1:
            raise ConfigError("E853", "--workers", f"must be 1 or more, not {workers}")
        if cpus_per_worker < 1:
            raise ConfigError("E853", "cpus_per_worker", f"must be 1 or more, not {cpus_per_worker}")
        if address is not None and not _ADDRESS.match(address):
            raise ConfigError(
                "E854", address, "is not a Ray address: give auto, HOST:PORT or ray://HOST:PORT"
            )
        from spinscope.pipeline import load

        load(model, exclude=exclude)  # E906/E907 here, on the driver, not on every worker
        self.address = address
        self.workers = workers
        self.exclude = tuple(exclude)
        self.model = str(model) if model is not None else None
        self.cpus_per_worker = cpus_per_worker
        self.partition_bytes = partition_bytes
        self.max_restarts = max_restarts
        self.batch_size = batch_size
        self._ray: Any = None
        self._owns_session = False
        self.start_timeout_s = start_timeout_s
        #: The worker process and Ray node that produced each result, in the order yielded
        #: (0 and "" for results known on the driver): which actor did what, e.g. after a fault.
        self.pids: list[int] = []
        self.nodes: list[str] = []
        #: Articles the workers read and returned unanalysed because the store had them (``skip``).
        self.not_analysed = 0

    # -- the session -----------------------------------------------------------------------
    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start a local Ray, or connect to ``address`` (E852 when neither works)."""
        ray = require_ray()
        self._ray = ray
        if ray.is_initialized():
            return
        settings: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,  # workers' logs stay in Ray's log folder, not on our stderr
            "logging_level": logging.WARNING,
            "namespace": "spinscope",
        }
        if self.address is None:
            settings.update(
                # "local": always a new Ray of our own, never a cluster found through RAY_ADDRESS or
                # /tmp/ray/ray_current_cluster (possibly stale, from an earlier `ray start`).
                address="local",
                num_cpus=self.workers * self.cpus_per_worker,
                # A small object store: rows are JSON strings, and the machine is shared.
                object_store_memory=max(100, 64 * self.workers) * 1024 * 1024,
            )
        else:
            settings["address"] = self.address
        try:
            ray.init(**settings)
        except Exception as exc:
            where = "a local Ray" if self.address is None else f"the Ray cluster at {self.address}"
            raise ConfigError(
                "E852", "--engine ray", f"could not start {where} ({type(exc).__name__}: {_line(exc)})"
            ) from exc
        self._owns_session = True

    def summary(self) -> str:
        """One line: how many results came from how many actors on how many nodes."""
        remote = [(n, p) for n, p in zip(self.nodes, self.pids, strict=True) if p]
        return (
            f"ray: {len(remote)} result(s) from {len({p for _, p in remote})} actor process(es)"
            f" on {len({n for n, _ in remote})} node(s)"
        )

    def stop(self) -> None:
        """Stop the local Ray this engine started (or disconnect from the cluster)."""
        if self._owns_session and self._ray is not None:
            self._ray.shutdown()
        self._owns_session = False

    # -- analysing ---------------------------------------------------------------------------
    def analyze_inputs(
        self,
        inputs: Iterable[str | Path],
        options: ReadOptions | None = None,
        *,
        skip: Mapping[str, str] | None = None,
    ) -> Iterator[tuple[ReadResult, dict[str, Any] | None]]:
        """Read and analyse ``inputs`` on the actors; yields in input order as ``Pipeline.analyze_inputs`` does.

        The analysis is its JSON dict (``Analysis.to_dict()``), the
        ReadResult a real one with its Document (rebuilt from JSON) or its
        coded error. ``skip`` maps input names to the content hash stored
        for them: an article read with that name and that text is returned
        with its Document and no analysis (a rerun does not analyse again).
        """
        options = options or ReadOptions()
        entries = _list_entries(inputs, options, skip)
        yield from self._run(entries, options, skip or {})

    def analyze_documents(self, docs: Iterable[Document]) -> Iterator[dict[str, Any]]:
        """Analyse Documents read elsewhere (the store reads on the driver); analysis dicts in order.

        An article the pipeline fails on raises its coded error here, as
        ``Pipeline.pipe`` would.
        """
        entries = [_Entry(len(doc.text), document=doc, name=doc.origin or doc.id) for doc in docs]
        for result, analysis in self._run(entries, ReadOptions()):
            if analysis is None:
                raise result.error or SpinscopeError("E851", result.name, "no analysis came back")
            yield analysis

    def store_seams(
        self, skip: Mapping[str, str]
    ) -> tuple[Callable[[Sequence[str], ReadOptions], Iterator[ReadResult]], Callable[[Sequence[Document]], list[AnalysisJSON]]]:
        """The store's reading and analysing seams, for ``add_inputs(store, inputs, reader=..., pipe=...)``.

        One Ray Data run reads and analyses every input on the actors (they
        start and load the models once for the whole ``add``), skipping what
        ``skip`` (:meth:`spinscope.store.Store.analysed_inputs`) says is
        stored. The reader hands the store each ReadResult in input order and
        keeps its analysis until the store's batch asks ``pipe`` for it, so
        the driver dedupes and commits every batch exactly as in-process
        (at most one batch of analyses is held). An article the store wants
        analysed that was not (it was stored when the run began and has
        gone since) fails with E857.
        """
        waiting: dict[int, tuple[Document, dict[str, Any]]] = {}

        def reader(inputs: Sequence[str], options: ReadOptions) -> Iterator[ReadResult]:
            for result, analysis in self.analyze_inputs(inputs, options, skip=skip):
                if result.document is not None and analysis is not None:
                    waiting[id(result.document)] = (result.document, analysis)
                elif result.document is not None:
                    self.not_analysed += 1
                yield result

        def pipe(docs: Sequence[Document]) -> list[AnalysisJSON]:
            out = []
            for doc in docs:
                held = waiting.pop(id(doc), None)
                if held is None or held[0] is not doc:
                    raise SpinscopeError(
                        "E857", doc.origin or doc.id,
                        "was stored when this run began, so the workers did not analyse it; run add again",
                    )  # fmt: skip
                out.append(AnalysisJSON(held[1]))
            return out

        return reader, pipe

    def store_pipe(self) -> Callable[[Sequence[Document]], list[AnalysisJSON]]:
        """An analysing seam for Documents read on the driver: one Ray Data run per call.

        Each call starts the actors and loads the models again; prefer
        :meth:`store_seams`, which reads on the workers in a single run.
        """

        def pipe(docs: Sequence[Document]) -> list[AnalysisJSON]:
            return [AnalysisJSON(data) for data in self.analyze_documents(docs)]

        return pipe

    def _run(
        self, entries: list[_Entry], options: ReadOptions, skip: Mapping[str, str] | None = None
    ) -> Iterator[tuple[ReadResult, dict[str, Any] | None]]:
        parts = _partitions(entries, _partition_target(entries, self.workers, self.partition_bytes))
        rows = self._rows(entries, parts, options, skip or {}) if parts else iter(())
        pending = next(rows, None)
        for index, entry in enumerate(entries):
            if entry.result is not None:
                self.pids.append(0)
                self.nodes.append("")
                yield entry.result, None
                continue
            while pending is not None and pending["entry"] == index:
                self.pids.append(int(pending["pid"]))
                self.nodes.append(str(pending["node"]))
                yield self._result(pending, entry)
                pending = next(rows, None)
        if pending is not None:  # cannot happen while Ray keeps the order; never drop a row silently
            raise SpinscopeError(
                "E855", "--engine ray", f"a result came back out of order (entry {pending['entry']})"
            )

    def _rows(
        self, entries: list[_Entry], parts: list[list[int]], options: ReadOptions, skip: Mapping[str, str]
    ) -> Iterator[dict[str, Any]]:
        if self._ray is None:
            self.start()
        ray = self._ray
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows back in input order
        context.enable_progress_bars = False  # stderr is ours: one line per error, no bars
        context.print_on_execution_start = False
        context.wait_for_min_actors_s = int(
            self.start_timeout_s
        )  # never wait forever for CPUs the cluster lacks
        by_input = _skip_index(skip)
        items = [{"partition": i, "items": json.dumps([_item(entries[e], e, by_input) for e in part], ensure_ascii=False)}
                 for i, part in enumerate(parts)]  # fmt: skip
        dataset = ray.data.from_items(items, override_num_blocks=len(items))  # one partition per block
        analysed = dataset.map_batches(
            _Analyser,
            fn_constructor_kwargs={
                "model": self.model,
                "exclude": list(self.exclude),
                "options": dataclasses.asdict(options),
                "threads": self.cpus_per_worker,
                "batch_size": self.batch_size,
            },
            batch_size=1,
            batch_format="pyarrow",
            concurrency=min(self.workers, len(items)),  # an actor with no partition would load the models for nothing
            num_cpus=self.cpus_per_worker,
            max_restarts=self.max_restarts,
            max_task_retries=self.max_restarts,
        )
        try:
            yield from analysed.iter_rows()
        except ray.exceptions.GetTimeoutError as exc:
            raise ConfigError(
                "E856", "--engine ray",
                f"{self.workers} actor(s) of {self.cpus_per_worker} CPU did not start within {self.start_timeout_s:.0f} s"
                " (too few CPUs in the cluster, or its nodes cannot import spinscope)",
            ) from exc  # fmt: skip

    @staticmethod
    def _result(row: dict[str, Any], entry: _Entry) -> tuple[ReadResult, dict[str, Any] | None]:
        document = entry.document
        if row.get("document"):
            document = Document.from_dict(json.loads(row["document"]))
        error = _error_from_row(row) if row.get("code") else None
        analysis = json.loads(row["analysis"]) if row.get("analysis") else None
        status = row["status"]
        result = ReadResult(
            name=row["name"], status=status, document=document if status == "ok" else None, error=error,
            reason=row.get("reason"),
        )  # fmt: skip
        return result, analysis


def _item(entry: _Entry, index: int, skip: Mapping[str, dict[str, str]]) -> dict[str, Any]:
    if entry.document is not None:
        return {"entry": index, "name": entry.name, "document": entry.document.to_dict()}
    item: dict[str, Any] = {"entry": index, "source": entry.source}
    if entry.source is not None and (own := skip.get(entry.source)):
        item["skip"] = own  # what of this input is stored already: its worker need not analyse it
    return item


def _line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


# -- one-call functions --------------------------------------------------------------------------
def ray_analyze_inputs(
    inputs: Iterable[str | Path],
    options: ReadOptions | None = None,
    *,
    address: str | None = None,
    workers: int = 1,
    exclude: Sequence[str] = (),
    model: str | Path | None = None,
    partition_bytes: int | None = None,
) -> Iterator[tuple[ReadResult, dict[str, Any] | None]]:
    """``Pipeline.analyze_inputs`` on Ray: ``(ReadResult, analysis dict | None)`` in input order.

    The analysis is the JSON dict of ``Analysis.to_dict()`` (the same
    JSON the in-process engine writes). Starts a local Ray without
    ``address`` and stops it when the iterator is exhausted or closed.
    """
    engine = RayEngine(
        address=address, workers=workers, exclude=exclude, model=model, partition_bytes=partition_bytes
    )  # options are checked before Ray starts
    with engine:
        yield from engine.analyze_inputs(inputs, options)


def ray_analyze_documents(
    docs: Iterable[Document],
    *,
    address: str | None = None,
    workers: int = 1,
    exclude: Sequence[str] = (),
    model: str | Path | None = None,
    partition_bytes: int | None = None,
) -> Iterator[dict[str, Any]]:
    """``Pipeline.pipe`` on Ray for Documents read on the driver: analysis dicts in order."""
    with RayEngine(
        address=address, workers=workers, exclude=exclude, model=model, partition_bytes=partition_bytes
    ) as engine:
        yield from engine.analyze_documents(docs)

"""The :class:`Pipeline` and :func:`load`; see the package docstring."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinscope.analysis import SCHEMA_VERSION, Analysis
from spinscope.components import DEFAULT_COMPONENTS, Component, Resources, Work, get_factory
from spinscope.document import Document
from spinscope.errors import ConfigError, ModelError
from spinscope.version import __version__

if TYPE_CHECKING:
    from spinscope.ingest import ReadOptions, ReadResult

__all__ = ["BATCH_PARAGRAPHS", "Pipeline", "analyze", "analyze_document", "analyze_documents", "analyze_inputs", "load", "resolve_ner"]

#: Paragraphs encoded together when analysing many articles: length-sorted
#: batches across articles pad less than one article at a time. An article
#: longer than this is analysed alone, streamed.
BATCH_PARAGRAPHS = 4096


def _language_warnings(doc: Document) -> list[str]:
    if doc.language is None:
        return ["the article's language could not be identified; results assume English"]
    return []


def _join(things: list[str]) -> str:
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]


@lru_cache(maxsize=8)
def _model_info(directory: str) -> dict[str, Any]:
    """Name, languages and training date of an English model directory, from its JSON files alone."""
    root = Path(directory)
    try:
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
        meta = json.loads((root / "meta.json").read_text(encoding="utf-8")) if (root / "meta.json").is_file() else {}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelError("E311", str(root / "config.json"), f"model file is corrupt ({exc})") from exc
    return {
        "name": config.get("name", "model"),
        "languages": list(config.get("languages", ["en"])),
        "trained_at": meta.get("trained_at"),
    }


class Pipeline:
    """Components in order, sharing one set of loaded models (see :func:`load`).

    Building a pipeline checks the order of its components (E904, E905)
    but loads no model: each loads on first use, once per process.
    """

    def __init__(
        self,
        components: Sequence[tuple[str, str]] = DEFAULT_COMPONENTS,
        *,
        model: str | Path | None = None,
        precision: str | None = None,
    ) -> None:
        from spinscope.models.precision import resolve_precision

        self.resources = Resources(str(model) if model is not None else None, resolve_precision(precision))
        self._components: list[Component] = []
        for name, factory in components:
            self._components.append(self._make(name, factory, {}))
        self._check()

    # -- the components ----------------------------------------------------------------------
    @property
    def pipe_names(self) -> list[str]:
        """The component names, in the order they run."""
        return [c.name for c in self._components]

    @property
    def components(self) -> list[tuple[str, Component]]:
        """``(name, component)`` pairs, in order."""
        return [(c.name, c) for c in self._components]

    def get_pipe(self, name: str) -> Component:
        """The component called ``name``; E907 lists the names there are."""
        for c in self._components:
            if c.name == name:
                return c
        raise ConfigError("E907", name, f"no such component in this pipeline; it has: {', '.join(self.pipe_names)}")

    def has_pipe(self, name: str) -> bool:
        return name in self.pipe_names

    def add_pipe(
        self,
        factory: str,
        *,
        name: str | None = None,
        before: str | None = None,
        after: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> Component:
        """Add a registered component (last by default, or ``before``/``after`` another) and check the order."""
        name = name or factory.rpartition(".")[0]
        if self.has_pipe(name):
            raise ConfigError("E908", name, "a component of that name is already in the pipeline")
        if before is not None and after is not None:
            raise ConfigError("E908", name, "give before or after, not both")
        made = self._make(name, factory, config or {})
        at = len(self._components)
        if before is not None:
            at = self.pipe_names.index(self.get_pipe(before).name)
        elif after is not None:
            at = self.pipe_names.index(self.get_pipe(after).name) + 1
        candidate = [*self._components[:at], made, *self._components[at:]]
        self._check(candidate)
        self._components = candidate
        return made

    def remove_pipe(self, name: str) -> Component:
        """Take a component out (the rest must still be in a valid order)."""
        gone = self.get_pipe(name)
        candidate = [c for c in self._components if c is not gone]
        self._check(candidate)
        self._components = candidate
        return gone

    def _make(self, name: str, factory: str, config: dict[str, Any]) -> Component:
        return get_factory(factory)(name, self.resources, **config)

    def _check(self, components: Sequence[Component] | None = None) -> None:
        """E904: a component needs what no earlier one assigns; E905: it runs before one it must follow."""
        components = self._components if components is None else components
        assigned_by: dict[str, str] = {}
        for c in components:
            for attr in c.assigns:
                assigned_by.setdefault(attr, c.name)
        seen: set[str] = set()
        for c in components:
            for need in c.requires:
                if need not in seen:
                    where = f"'{assigned_by[need]}' runs after it" if need in assigned_by else "no component assigns it"
                    raise ConfigError(
                        "E904", f"component {c.name!r} ({c.factory})", f"requires {need!r}, but {where}; add or move that component before it"
                    )
            for attr in c.after:
                if attr in assigned_by and attr not in seen:
                    raise ConfigError(
                        "E905", f"component {c.name!r} ({c.factory})", f"must come after {assigned_by[attr]!r}, which assigns {attr!r}"
                    )
            seen.update(c.assigns)
        for k, c in enumerate(components):
            later = {attr for d in components[k + 1 :] for attr in d.assigns}
            for need in c.completed_by:
                if need not in later:
                    raise ConfigError(
                        "E904", f"component {c.name!r} ({c.factory})", f"is completed by a later component that assigns {need!r}, and none does; add one after it"
                    )

    # -- what it is ---------------------------------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """Versions and model hashes of this pipeline (read from files; no model is loaded).

        The same dictionary is recorded in every Analysis (``model``), the
        store and the server's ``/health``.
        """
        return {
            "spinscope_version": __version__,
            "schema_version": SCHEMA_VERSION,
            **self._model_info(),
            "components": [c.meta for c in self._components],
        }

    def _model_info(self) -> dict[str, Any]:
        return {**_model_info(str(self.resources.model_dir)), "encoder_precision": self.resources.precision}

    # -- analysing ----------------------------------------------------------------------------
    def __call__(self, doc: Document | str) -> Analysis:
        """Analyse one Document (or a text, read as ``document_from_text`` reads it)."""
        if isinstance(doc, str):
            from spinscope.ingest import document_from_text

            doc = document_from_text(doc)
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Document], *, batch_size: int = BATCH_PARAGRAPHS) -> Iterator[Analysis]:
        """Analyse many Documents, in input order, encoding up to ``batch_size`` paragraphs at once.

        Labels are those of one document at a time; a score may differ in the
        fourth decimal (the third with the bf16 encoder), since which
        paragraphs share a padded batch changes the float rounding. Memory stays bounded by the batch, and an
        article longer than a batch is streamed alone.
        """
        group: list[Document] = []
        size = 0
        for doc in docs:
            if not isinstance(doc, Document):
                raise TypeError(f"Pipeline.pipe() takes Documents, not {type(doc).__name__}")
            if group and size + len(doc.paragraphs) > batch_size:  # a long article goes alone
                yield from self._run(group)
                group, size = [], 0
            group.append(doc)
            size += len(doc.paragraphs)
            if size >= batch_size:
                yield from self._run(group)
                group, size = [], 0
        if group:
            yield from self._run(group)

    def analyze_inputs(
        self, inputs: Iterable[str | Path], options: ReadOptions | None = None, *, batch_size: int = BATCH_PARAGRAPHS
    ) -> Iterator[tuple[ReadResult, Analysis | None]]:
        """Read and analyse many inputs; a bad input yields its error and the batch goes on.

        No model is loaded until an input has been read successfully.
        """
        from spinscope.ingest import read

        pending: list[ReadResult] = []
        size = 0

        def flush() -> Iterator[tuple[ReadResult, Analysis | None]]:
            docs = [r.document for r in pending if r.document is not None]
            analyses = self.pipe(docs, batch_size=batch_size)
            for r in pending:
                yield r, (next(analyses) if r.document is not None else None)

        for result in read(inputs, options):
            pending.append(result)
            size += len(result.document.paragraphs) if result.document else 0
            if size >= batch_size:
                yield from flush()
                pending, size = [], 0
        yield from flush()

    def _run(self, docs: list[Document]) -> Iterator[Analysis]:
        works = [Work(doc, Analysis(document=doc, warnings=_language_warnings(doc))) for doc in docs]
        for c in self._components:
            c.pipe(works)
        for work in works:
            yield self._finish(work)

    def _finish(self, work: Work) -> Analysis:
        analysis, doc = work.analysis, work.doc
        if work.routes is None and doc.language is not None and doc.language.code != "en":
            analysis.warnings.append("analysed with the English models only (multilingual routing was turned off)")
        english_only = [what for what, why in work.skipped.items() if why == "English-only"]
        if english_only:
            language = doc.language.code if doc.language else "?"
            analysis.warnings.append(f"{_join(english_only)} are English-only: not analysed for this {language!r} article")
        analysis.model = {
            **self._model_info(),
            **analysis.model,
            "analyzers": {c.name: c.factory for c in self._components if c.name not in work.skipped},
            "components": [c.meta for c in self._components],
        }
        return analysis


def load(
    name_or_path: str | Path | None = None,
    *,
    components: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    precision: str | None = None,
    ner: str | None = None,
) -> Pipeline:
    """The default pipeline over the bundled models (or the English model directory ``name_or_path``).

    ``components`` keeps only those default components (in their usual
    order); ``exclude`` drops some, e.g. ``exclude=["roles", "narratives"]``
    when only techniques and quotes are wanted (faster).
    ``exclude=["language", "multilingual"]`` reads every paragraph with the
    English models. ``precision`` (``"fp32"``, ``"bf16"``, ``"int8"`` or
    ``"auto"``; default ``$SPINSCOPE_PRECISION``, else ``auto``: bf16 on a
    CPU with native bfloat16, else fp32) is how the encoders run.
    ``ner`` (``"spacy"`` or ``"encoder"``; default ``$SPINSCOPE_NER``, else
    ``spacy``) picks who finds entity mentions: spaCy's NER (``entities.v2``)
    or a head over the detector encoder's own pass (``entities.v3``, no
    second model). Models load on first use, not here.

    >>> nlp = load(exclude=["roles", "narratives"])  # doctest: +SKIP
    """
    model: str | Path | None = None
    if name_or_path is not None and str(name_or_path) != "default":
        if not Path(name_or_path).is_dir():
            raise ModelError("E906", str(name_or_path), "is neither 'default' nor a model directory")
        model = name_or_path
    known = [name for name, _ in DEFAULT_COMPONENTS]
    for name in [*(components or ()), *exclude]:
        if name not in known:
            raise ConfigError("E907", name, f"no such component; the default pipeline has: {', '.join(known)}")
    wanted = set(components) if components is not None else set(known)
    chosen = [(name, factory) for name, factory in DEFAULT_COMPONENTS if name in wanted and name not in set(exclude)]
    entities = ENTITY_FACTORIES[resolve_ner(ner)]
    chosen = [(name, entities if name == "entities" else factory) for name, factory in chosen]
    return Pipeline(chosen, model=model, precision=precision)


#: Which component finds entity mentions, by the name ``load(ner=...)`` and ``$SPINSCOPE_NER`` take.
ENTITY_FACTORIES: dict[str, str] = {"spacy": "entities.v2", "encoder": "entities.v3"}
NER_ENV = "SPINSCOPE_NER"
DEFAULT_NER = "spacy"


def resolve_ner(ner: str | None = None) -> str:
    """*ner*, else ``$SPINSCOPE_NER``, else :data:`DEFAULT_NER`; E919 names the known values otherwise."""
    import os

    chosen = ner if ner is not None else os.environ.get(NER_ENV) or DEFAULT_NER
    value = chosen.strip().lower()
    if value not in ENTITY_FACTORIES:
        where = "ner" if ner is not None else f"${NER_ENV}"
        raise ConfigError("E919", where, f"{chosen!r} is not an entity tagger; use one of {', '.join(ENTITY_FACTORIES)}")
    return value


# -- shortcuts over the default pipeline ----------------------------------------------------------


def _default(model: str | None, multilingual: bool) -> Pipeline:
    from spinscope.models.precision import resolve_precision

    # Resolved on every call, so a changed $SPINSCOPE_PRECISION (or $SPINSCOPE_NER) gets its own pipeline.
    return _default_for(model, multilingual, resolve_precision(), resolve_ner())


@lru_cache(maxsize=8)
def _default_for(model: str | None, multilingual: bool, precision: str, ner: str = DEFAULT_NER) -> Pipeline:
    return load(model, exclude=() if multilingual else ("language", "multilingual"), precision=precision, ner=ner)


def _model_arg(model: object) -> str | None:
    if model is None:
        return None
    if isinstance(model, (str, Path)):
        return str(model)
    directory = getattr(model, "directory", None)  # a loaded SpinModel: its directory
    return str(directory) if directory is not None else None


def analyze_documents(
    docs: Iterable[Document],
    *,
    model: object = None,
    batch_paragraphs: int = BATCH_PARAGRAPHS,
    multilingual: bool = True,
) -> Iterator[Analysis]:
    """``load(model).pipe(docs)``; ``multilingual=False`` reads every paragraph with the English models."""
    return _default(_model_arg(model), multilingual).pipe(docs, batch_size=batch_paragraphs)


def analyze_document(doc: Document, *, model: object = None) -> Analysis:
    """Run the default pipeline over one :class:`Document`."""
    return next(analyze_documents([doc], model=model))


def analyze(text_or_document: str | Document, *, model: object = None) -> Analysis:
    """Analyse an article given as text (or an already-read Document).

    >>> result = analyze("Title\\n\\nThe corrupt elite lied to you again.")  # doctest: +SKIP
    >>> result.to_dict()["paragraphs"]  # doctest: +SKIP
    """
    return _default(_model_arg(model), True)(text_or_document)


def analyze_inputs(
    inputs: Iterable[str | Path], options: ReadOptions | None = None, *, model: object = None
) -> Iterator[tuple[ReadResult, Analysis | None]]:
    """Read and analyse many inputs with the default pipeline; a bad input yields its error and the batch goes on."""
    return _default(_model_arg(model), True).analyze_inputs(inputs, options)

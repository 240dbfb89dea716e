"""``spinscope.analyze``: ingest plus every detector, for one input or many.

Data flows one way: input -> :mod:`spinscope.ingest` -> Document ->
detectors -> :class:`~spinscope.analysis.Analysis`. The model is loaded once
per process and shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from spinscope.analysis import Analysis
from spinscope.document import Document
from spinscope.ingest import ReadOptions, ReadResult, document_from_text, read
from spinscope.models.bundle import SpinModel, load_model

__all__ = ["analyze", "analyze_document", "analyze_inputs", "get_model"]


@lru_cache(maxsize=4)
def _cached_model(directory: str | None) -> SpinModel:
    return load_model(directory)


def get_model(model: SpinModel | Path | str | None = None) -> SpinModel:
    """A loaded model: pass one through, load a directory, or the bundled default (cached)."""
    if isinstance(model, SpinModel):
        return model
    return _cached_model(str(model) if model is not None else None)


def _language_warnings(doc: Document, model: SpinModel) -> list[str]:
    if doc.language is None:
        return ["the article's language could not be identified; results assume English"]
    if doc.language.code not in model.languages:
        return [
            f"the article looks like {doc.language.code!r} (confidence {doc.language.confidence:.2f}) "
            f"but the model only knows {', '.join(model.languages)}: treat these results with caution"
        ]
    return []


def analyze_document(doc: Document, *, model: SpinModel | Path | str | None = None) -> Analysis:
    """Run every detector over an existing :class:`Document`."""
    from spinscope.analyzers.detector import NAME, detect

    loaded = get_model(model)
    analysis = Analysis(document=doc, warnings=_language_warnings(doc, loaded))
    analysis.model = {
        "name": loaded.config.get("name", "model"),
        "analyzers": {NAME: "1"},
        "languages": loaded.languages,
        "trained_at": loaded.meta.get("trained_at"),
    }
    return detect(doc, loaded, analysis)


def analyze(text_or_document: str | Document, *, model: SpinModel | Path | str | None = None) -> Analysis:
    """Analyse an article given as text (or an already-read Document).

    >>> result = analyze("Title\\n\\nThe corrupt elite lied to you again.")  # doctest: +SKIP
    >>> result.to_dict()["paragraphs"]  # doctest: +SKIP
    """
    doc = text_or_document if isinstance(text_or_document, Document) else document_from_text(text_or_document)
    return analyze_document(doc, model=model)


def analyze_inputs(
    inputs: Iterable[str | Path],
    options: ReadOptions | None = None,
    *,
    model: SpinModel | Path | str | None = None,
) -> Iterator[tuple[ReadResult, Analysis | None]]:
    """Read and analyse many inputs; a bad input yields its error and the batch goes on."""
    loaded = get_model(model)
    for result in read(inputs, options):
        yield result, (analyze_document(result.document, model=loaded) if result.document else None)

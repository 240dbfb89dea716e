"""spinscope: see how a news article tries to persuade.

The public API is small: read inputs into :class:`Document` objects with
:func:`read` / :func:`read_one` (or build one from a string with
:func:`document_from_text`), then analyse them with a :class:`Pipeline`
from :func:`load`::

    nlp = spinscope.load()
    for analysis in nlp.pipe(doc for doc in ...):
        ...
"""

from spinscope.analysis import Analysis
from spinscope.components import Component, component
from spinscope.document import Document, IngestNote, LanguageGuess, OffsetMap, Paragraph, Span
from spinscope.errors import (
    ConfigError,
    DatasetError,
    FetchError,
    InputError,
    ModelError,
    SpinscopeError,
)
from spinscope.ingest import ReadOptions, ReadResult, document_from_text, read, read_one
from spinscope.pipeline import Pipeline, load
from spinscope.version import __version__

__all__ = [
    "Analysis",
    "Component",
    "ConfigError",
    "DatasetError",
    "Document",
    "FetchError",
    "IngestNote",
    "InputError",
    "LanguageGuess",
    "ModelError",
    "OffsetMap",
    "Paragraph",
    "Pipeline",
    "ReadOptions",
    "ReadResult",
    "Span",
    "SpinscopeError",
    "__version__",
    "component",
    "document_from_text",
    "load",
    "read",
    "read_one",
]

"""spinscope: see how a news article tries to persuade.

The public API is small: read inputs into :class:`Document` objects with
:func:`read` / :func:`read_one`, or build one from a string with
:func:`document_from_text`.
"""

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("spinscope")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
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
    "ReadOptions",
    "ReadResult",
    "Span",
    "SpinscopeError",
    "__version__",
    "document_from_text",
    "read",
    "read_one",
]

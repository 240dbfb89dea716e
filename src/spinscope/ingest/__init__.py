"""Ingest: read inputs of every kind into clean, offset-exact Documents.

Stages, one module each: ``decode`` (bytes to text), ``html``/``fetch``
(extraction and download), ``readers`` (input kinds and batches),
``normalize`` (Unicode and whitespace), ``segment`` (paragraphs), ``clean``
(boilerplate, timestamps, datelines, duplicates), ``langid`` (language) and
``build`` (assembling the Document).
"""

from spinscope.ingest.build import build_document, document_from_text
from spinscope.ingest.raw import DEFAULT_MAX_BYTES, RawArticle, ReadOptions
from spinscope.ingest.readers import INPUT_FORMATS, ReadResult, read, read_one

__all__ = [
    "DEFAULT_MAX_BYTES",
    "INPUT_FORMATS",
    "RawArticle",
    "ReadOptions",
    "ReadResult",
    "build_document",
    "document_from_text",
    "read",
    "read_one",
]

"""What a reader hands to the shared cleaning stage.

Readers (text files, HTML, URLs, JSONL, stdin) only decode and extract; they
produce a :class:`RawArticle`. :func:`spinscope.ingest.build.build_document`
then normalises, segments, cleans and detects the language the same way for
every input kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from spinscope.document import IngestNote

__all__ = ["DEFAULT_MAX_BYTES", "Layout", "RawArticle", "ReadOptions"]

#: ``lines``: one paragraph per non-empty line (SemEval layout, extracted HTML);
#: ``blocks``: paragraphs separated by blank lines, hard-wrapped lines joined;
#: ``auto``: decide from the text.
Layout = Literal["lines", "blocks", "auto"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class RawArticle:
    """Decoded text of one input plus whatever metadata its reader found.

    ``text`` is the *source text*: Document offsets map back to it.
    ``title_line`` says whether the first paragraph of ``text`` is the title
    (``None``: let the layout rules decide).
    """

    name: str
    text: str
    input_format: str
    layout: Layout = "auto"
    title_line: bool | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published: str | None = None
    id: str | None = None
    notes: list[IngestNote] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    """Knobs shared by every reader.

    ``clean=False`` keeps every paragraph (dataset loading uses it so the
    text equals the file); ``max_bytes`` caps each input (default 5 MB).
    ``encoding`` (``--encoding``) decodes every file, page and stdin input
    with that codec, no fallback; ``None`` (the default) detects: UTF-8,
    UTF-16/32 by byte-order mark or byte pattern, and for web pages the
    declared charset, then charset-normalizer.
    ``allow_private=False`` (``spinscope serve`` without
    ``--allow-private-urls``) refuses URLs whose host is or resolves to a
    loopback, private, link-local, multicast or reserved address, at every
    redirect, and connects to the address it checked (E785); the default
    ``True`` is for the command line, where the user fetches on their own
    behalf.
    """

    input_format: str = "auto"
    clean: bool = True
    detect_language: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = 15.0
    max_redirects: int = 5
    encoding: str | None = None
    allow_private: bool = True

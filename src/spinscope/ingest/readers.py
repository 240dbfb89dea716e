"""Readers: turn each input (path, directory, URL, JSONL, stdin) into RawArticles.

Each input kind chooses itself by content unless ``--input-format`` forces
one. A reader raises :class:`~spinscope.errors.InputError` for the input it
cannot read; :func:`read` turns those into per-input results so one bad
input never stops a batch.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from spinscope.document import Document
from spinscope.errors import InputError, SpinscopeError
from spinscope.ingest.build import build_document
from spinscope.ingest.decode import check_size, decode_bytes, unicode_codec
from spinscope.ingest.raw import RawArticle, ReadOptions

__all__ = ["ReadResult", "read", "read_one", "INPUT_FORMATS", "ARTICLE_SUFFIXES"]

INPUT_FORMATS = ("auto", "text", "html", "jsonl", "url")
#: File types a directory walk reads; anything else is skipped with a note.
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson", ""})
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

Status = Literal["ok", "error", "skipped"]


@dataclass(frozen=True)
class ReadResult:
    """What became of one input: a Document, an error, or a deliberate skip."""

    name: str
    status: Status
    document: Document | None = None
    error: SpinscopeError | None = None
    reason: str | None = None

    @property
    def message(self) -> str:
        """The one-line message for errors and skips."""
        if self.error is not None:
            return self.error.one_line
        return f"{self.name}: skipped ({self.reason})"


# -- content sniffing ------------------------------------------------------------
def _looks_like_jsonl(text: str) -> bool:
    for line in text.splitlines():
        if line.strip():
            try:
                return isinstance(json.loads(line), dict)
            except ValueError:
                return False
    return False


def _sniff_html(data: bytes) -> bool:
    from spinscope.ingest.html import looks_like_html

    # A lossy decode is enough to see markup; the HTML reader decodes properly.
    codec = unicode_codec(data)
    head = data[:4096].decode(codec or "utf-8", "replace").lstrip("\ufeff \t\r\n")[:2048]
    return looks_like_html(head)


# -- per-kind readers ----------------------------------------------------------
def _jsonl_articles(text: str, name: str) -> Iterator[RawArticle | InputError]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            # json's messages may end in "at" ("Unterminated string starting at"): don't say it twice.
            at = "" if exc.msg.endswith(" at") else " at"
            yield InputError("E120", where, f"line is not valid JSON ({exc.msg}{at} column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield InputError("E121", where, f"line is a JSON {type(obj).__name__}, not an object")
            continue
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            problem = "has no 'text' field" if body is None else "has an empty or non-string 'text' field"
            yield InputError("E121", where, f"line {problem}")
            continue
        title = obj.get("title") if isinstance(obj.get("title"), str) else None
        # The title becomes the first paragraph so its techniques can be found too.
        full = f"{title.strip()}\n\n{body}" if title and title.strip() else body
        yield RawArticle(
            name=where,
            text=full,
            input_format="jsonl",
            title_line=bool(title and title.strip()),
            title=title.strip() if title else None,
            url=_str_or_none(obj.get("url")),
            source=_str_or_none(obj.get("source")),
            published=_str_or_none(obj.get("published")),
            author=_str_or_none(obj.get("author")),
            id=_str_or_none(obj.get("id")) or f"{Path(name).stem}-{lineno}",
        )


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    return str(value) if not isinstance(value, str) else (value or None)


def _articles_from_bytes(
    data: bytes, name: str, fmt: str, encoding: str | None = None
) -> Iterator[RawArticle | InputError]:
    if fmt == "auto" and _sniff_html(data):
        fmt = "html"
    if fmt == "html":
        from spinscope.ingest.html import extract_html

        # The user's --encoding beats the page's own <meta charset>.
        yield extract_html(decode_bytes(data, name, forced=encoding) if encoding else data, name=name)
        return
    text = decode_bytes(data, name, forced=encoding)
    if fmt == "jsonl" or (fmt == "auto" and text.lstrip().startswith("{") and _looks_like_jsonl(text)):
        yield from _jsonl_articles(text, name)
    else:
        yield RawArticle(name=name, text=text, input_format="text")


def _read_capped(stream: BinaryIO, name: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    check_size(name, len(data), max_bytes)
    return data


def _walk(directory: Path) -> Iterator[Path | tuple[Path, str]]:
    """Article files under *directory* in sorted order, plus skips with their reason.

    Hidden directories (``.git``...) are pruned whole and noted once; hidden
    files, macOS ``._*`` resource forks and non-article file types are noted
    one by one.
    """
    for root, dirs, files in os.walk(directory):
        here = Path(root)
        for name in sorted(d for d in dirs if d.startswith(".")):
            yield here / name, "hidden directory"
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = here / name
            if name.startswith("._"):
                yield path, "macOS resource-fork file"
            elif name.startswith("."):
                yield path, "hidden file"
            elif path.suffix.lower() not in ARTICLE_SUFFIXES:
                yield path, f"not an article file type ({path.suffix})"
            else:
                yield path


def _raw_articles(source: str, options: ReadOptions) -> Iterator[RawArticle | InputError | tuple[str, str]]:
    """Everything one command-line input expands to."""
    fmt = options.input_format
    if source == "-":
        data = _read_capped(sys.stdin.buffer, "stdin", options.max_bytes)
        yield from _articles_from_bytes(data, "stdin", fmt, options.encoding)
        return
    if fmt == "url" or (fmt == "auto" and _URL.match(source)):
        from spinscope.ingest.fetch import fetch_url

        yield fetch_url(source, options)
        return
    path = Path(source)
    if path.is_dir():
        for item in _walk(path):
            if isinstance(item, tuple):
                yield str(item[0]), item[1]
                continue
            try:
                yield from _file_articles(item, options)
            except InputError as exc:
                yield exc
        return
    yield from _file_articles(path, options)


def _file_articles(path: Path, options: ReadOptions) -> Iterator[RawArticle | InputError]:
    name = str(path)
    try:
        if not path.exists():
            raise InputError("E100", name, "no such file or directory")
        check_size(name, path.stat().st_size, options.max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("E100", name, f"cannot read file ({exc.strerror or exc})") from exc
    yield from _articles_from_bytes(data, name, options.input_format, options.encoding)


# -- public API -------------------------------------------------------------------
def read(inputs: Iterable[str | Path], options: ReadOptions | None = None) -> Iterator[ReadResult]:
    """Read every input, yielding one :class:`ReadResult` per article, error or skip.

    Errors never stop the batch: each is reported once, naming its input.
    """
    options = options or ReadOptions()
    for source in inputs:
        source = str(source)
        try:
            for item in _raw_articles(source, options):
                if isinstance(item, tuple):
                    yield ReadResult(name=item[0], status="skipped", reason=item[1])
                elif isinstance(item, InputError):
                    yield ReadResult(name=item.subject, status="error", error=item)
                else:
                    try:
                        yield ReadResult(name=item.name, status="ok", document=build_document(item, options))
                    except SpinscopeError as exc:
                        yield ReadResult(name=item.name, status="error", error=exc)
        except SpinscopeError as exc:
            yield ReadResult(name=exc.subject, status="error", error=exc)


def read_one(source: str | Path, options: ReadOptions | None = None) -> Document:
    """Read exactly one article, raising its :class:`InputError` if it fails.

    *source* must hold one article. A directory or JSONL dump with several
    (or with one article and inputs that failed) raises ``E702``, which
    counts both, instead of returning whichever came first or stopping at
    the first bad file: use :func:`read` for those.
    """
    documents: list[Document] = []
    errors: list[SpinscopeError] = []
    for result in read([source], options):
        if result.document is not None:
            documents.append(result.document)
        elif result.error is not None:
            errors.append(result.error)
    if len(documents) == 1 and not errors:
        return documents[0]
    if not documents:
        if errors:
            raise errors[0]
        raise InputError("E106", str(source), "input holds no article")
    failed = ""
    if errors:
        failed = f" and {len(errors)} input{'s' if len(errors) != 1 else ''} that failed (first: {errors[0].one_line})"
    raise InputError(
        "E702",
        str(source),
        f"holds {len(documents)} article{'s' if len(documents) != 1 else ''}{failed}; "
        "read_one() reads exactly one: use read() for a directory or a JSONL dump",
    )

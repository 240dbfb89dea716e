"""The ``spinscope`` command line: a thin layer over the library.

Library errors become one-line messages here and nowhere else. Batch exit
codes: 0 every input was read, 1 some failed, 3 none could be read (2 is
Typer's usage error).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spinscope.document import Document
from spinscope.errors import SpinscopeError
from spinscope.ingest import DEFAULT_MAX_BYTES, INPUT_FORMATS, ReadOptions, ReadResult, read

__all__ = ["app", "main"]

EXIT_OK, EXIT_PARTIAL, EXIT_NONE = 0, 1, 3

app = typer.Typer(
    name="spinscope",
    help="See how news articles try to persuade.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    table = "table"


InputFormat = Enum("InputFormat", {f: f for f in INPUT_FORMATS}, type=str)  # type: ignore[misc]


def _default_format() -> OutputFormat:
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.json


def _with_progress(results: Iterator[ReadResult], total: int, enabled: bool) -> Iterator[ReadResult]:
    """Show a progress bar on stderr (only when it is a terminal and worth it)."""
    if not enabled:
        yield from results
        return
    columns = (TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_err, transient=True) as progress:
        task = progress.add_task("read", total=total or None)
        for result in results:
            progress.advance(task)
            yield result


def _print_table(doc: Document, console: Console) -> None:
    from rich.table import Table

    lang = f"{doc.language.code} ({doc.language.confidence:.2f})" if doc.language else "unknown"
    meta = Table.grid(padding=(0, 2))
    for key, value in [
        ("title", doc.title),
        ("origin", doc.origin),
        ("language", lang),
        ("source", doc.source),
        ("place", doc.place),
        ("published", doc.published),
        ("author", doc.author),
        ("url", doc.url),
        ("paragraphs", str(len(doc.paragraphs))),
        ("words", str(doc.word_count)),
    ]:
        if value:
            meta.add_row(f"[bold]{key}[/bold]", _plain(value))
    console.rule(f"[bold]{_plain(doc.id)}")
    console.print(meta)
    paras = Table("#", "line", "text", show_lines=False, expand=True)
    for i, (p, text) in enumerate(doc.iter_paragraphs()):
        shown = text if len(text) <= 300 else text[:297] + "..."
        style = "bold" if p.kind == "title" else ""
        paras.add_row(str(i), str(p.line), _plain(shown), style=style)
    console.print(paras)
    for note in doc.notes:
        console.print(f"[dim]note[/dim] {_plain(note.action)}: {_plain(note.detail)}")


def _plain(text: str) -> object:
    """Article text is untrusted: show it literally, never as rich markup."""
    from rich.text import Text

    return Text(text)


@app.command("read")
def read_command(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories, URLs, JSONL files, or - for stdin.")],
    output_format: Annotated[
        OutputFormat | None, typer.Option("--format", "-f", help="Output format (default: table on a terminal, else json).")
    ] = None,
    input_format: Annotated[
        InputFormat, typer.Option("--input-format", help="Force the reader instead of detecting it.")  # type: ignore[valid-type]
    ] = InputFormat("auto"),  # type: ignore[call-arg]
    clean: Annotated[bool, typer.Option("--clean/--no-clean", help="Drop boilerplate, timestamps, duplicates.")] = True,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Size cap per input.")] = DEFAULT_MAX_BYTES,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a URL.")] = 15.0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
) -> None:
    """Read articles and print them as Documents: text, paragraphs, metadata, language, notes."""
    fmt = output_format or _default_format()
    options = ReadOptions(
        input_format=input_format.value, clean=clean, max_bytes=max_bytes, timeout_s=timeout
    )
    show_progress = progress and _err.is_terminal and len(inputs) > 1
    ok = failed = 0
    out = Console(highlight=False, soft_wrap=True)
    documents: list[dict[str, object]] = []
    for result in _with_progress(read(inputs, options), len(inputs), show_progress):
        if result.status == "skipped":
            _err.print(f"note: {result.message}", markup=False)
            continue
        if result.document is None:
            failed += 1
            _err.print(f"error: {result.message}", markup=False)
            continue
        ok += 1
        if fmt is OutputFormat.jsonl:
            sys.stdout.write(json.dumps(result.document.to_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()  # stream: a killed run keeps what it printed
        elif fmt is OutputFormat.table:
            _print_table(result.document, out)
        else:
            documents.append(result.document.to_dict())
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(documents, ensure_ascii=False, indent=2) + "\n")
    if failed:
        _err.print(f"{ok} read, {failed} failed", markup=False)
        raise typer.Exit(EXIT_PARTIAL if ok else EXIT_NONE)


@app.callback()
def _root() -> None:
    """spinscope: persuasion techniques, frames, narratives and quotes in news."""


def main() -> None:
    """Console-script entry point: one-line errors, never a traceback for bad input."""
    try:
        app(standalone_mode=True)
    except SpinscopeError as exc:
        _err.print(f"error: {exc.one_line}", markup=False)
        sys.exit(EXIT_NONE)
    except KeyboardInterrupt:
        _err.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - last resort, keeps the promise of one line
        if os.environ.get("SPINSCOPE_DEBUG"):
            raise
        _err.print(f"internal error: {type(exc).__name__}: {exc} (set SPINSCOPE_DEBUG=1 for a traceback)", markup=False)
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()

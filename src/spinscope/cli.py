"""The ``spinscope`` command line: a thin layer over the library.

Library errors become one-line messages here and nowhere else. Batch exit
codes: 0 every input was read, 1 some failed, 3 none could be read (2 is
Typer's usage error).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spinscope.analysis import Analysis
from spinscope.document import Document
from spinscope.errors import SpinscopeError

if TYPE_CHECKING:
    from rich.text import Text

    from spinscope.pipeline import Pipeline

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

# Options shared by the commands, declared once.
InputsArg = Annotated[list[str], typer.Argument(help="Files, directories, URLs, JSONL files, or - for stdin.")]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="Model directory (default: bundled).")]
AUTO_FORMAT = InputFormat("auto")
InputFormatOpt = Annotated[InputFormat, typer.Option("--input-format", help="Force the reader instead of detecting it.")]
CleanOpt = Annotated[bool, typer.Option("--clean/--no-clean", help="Drop boilerplate, timestamps, duplicates.")]
MaxBytesOpt = Annotated[int, typer.Option("--max-bytes", min=1, help="Size cap per input.")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a URL.")]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Leave a pipeline component out (repeatable): language, entities, encoder, techniques, "
        "multilingual, roles, narratives, quotes.",
    ),
]



class Precision(str, Enum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    int8 = "int8"


PrecisionOpt = Annotated[
    Precision | None,
    typer.Option(
        "--precision",
        help="How the English encoder runs: fp32 (as trained), bf16 (bfloat16 matrix products), int8 "
        "(quantised Linear layers), or auto (bf16 where the CPU has native bfloat16, else fp32). "
        "Default: $SPINSCOPE_PRECISION, else auto.",
    ),
]


class Engine(str, Enum):
    inprocess = "inprocess"
    ray = "ray"


EngineOpt = Annotated[
    Engine,
    typer.Option("--engine", help='Where to analyse: inprocess (default) or ray (needs pip install "spinscope[ray]").'),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="With --engine ray: auto, HOST:PORT or ray://HOST:PORT of a running cluster (default: start a local Ray).",
    ),
]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="With --engine ray: actors in the pool, each loading the models once.")]


def _split_exclude(exclude: list[str] | None) -> list[str]:
    return [x for item in exclude or () for x in item.split(",") if x]


def _pipeline(model: Path | None, exclude: list[str] | None = None, precision: Precision | None = None) -> Pipeline:
    """The component pipeline; no model is loaded until the first input has been read."""
    from spinscope.pipeline import load

    return load(model, exclude=_split_exclude(exclude), precision=precision.value if precision else None)


def _check_encoding(value: str | None) -> str | None:
    from spinscope.ingest.decode import check_encoding

    if value is None:
        return None
    try:
        return check_encoding(value)
    except SpinscopeError as exc:
        raise typer.BadParameter(exc.one_line) from None


EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        callback=_check_encoding,
        help="Decode every input with this codec (e.g. cp1252, latin-1, utf-16). "
        "Default: detect (UTF-8; UTF-16/32 by BOM or byte pattern; a web page's declared charset).",
    ),
]


Command = TypeVar("Command", bound=Callable[..., None])
#: What a command decorated with :func:`read_options` gets when called without them (only from Python).
DEFAULT_READ = ReadOptions()


def read_options(command: Command) -> Command:
    """Give a command the five read options, declared once: it receives them as ``options: ReadOptions``.

    ``--input-format``, ``--clean/--no-clean``, ``--max-bytes``, ``--timeout`` and
    ``--encoding`` are added to the command's signature (which is what Typer
    reads) in place of its ``options`` parameter.
    """
    shared = [
        inspect.Parameter("input_format", inspect.Parameter.KEYWORD_ONLY, default=AUTO_FORMAT, annotation=InputFormatOpt),
        inspect.Parameter("clean", inspect.Parameter.KEYWORD_ONLY, default=True, annotation=CleanOpt),
        inspect.Parameter("max_bytes", inspect.Parameter.KEYWORD_ONLY, default=DEFAULT_MAX_BYTES, annotation=MaxBytesOpt),
        inspect.Parameter("timeout", inspect.Parameter.KEYWORD_ONLY, default=15.0, annotation=TimeoutOpt),
        inspect.Parameter("encoding", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=EncodingOpt),
    ]
    own = inspect.signature(command, eval_str=True)
    kept = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.parameters.values() if p.name != "options"]

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        options = ReadOptions(
            input_format=kwargs.pop("input_format").value,
            clean=kwargs.pop("clean"),
            max_bytes=kwargs.pop("max_bytes"),
            timeout_s=kwargs.pop("timeout"),
            encoding=kwargs.pop("encoding"),
        )
        command(**kwargs, options=options)

    run.__signature__ = own.replace(parameters=kept + shared)  # type: ignore[attr-defined]
    return cast(Command, run)


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


def _plain(text: str) -> Text:
    """Article text is untrusted: show it literally, never as rich markup."""
    from rich.text import Text

    return Text(text)


@app.command("read")
@read_options
def read_command(
    inputs: InputsArg,
    output_format: Annotated[
        OutputFormat | None, typer.Option("--format", "-f", help="Output format (default: table on a terminal, else json).")
    ] = None,
    options: ReadOptions = DEFAULT_READ,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
) -> None:
    """Read articles and print them as Documents: text, paragraphs, metadata, language, notes."""
    fmt = output_format or _default_format()
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



class AnalyzeFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    table = "table"
    html = "html"
    semeval = "semeval"


def _write_semeval(pairs: list[tuple[Document, dict[str, Any]]], out_dir: Path) -> None:
    """Official prediction files from the analyses' JSON (the same from either engine)."""
    from spinscope import official_formats as F

    genres = {d.id: a["genre"]["label"] for d, a in pairs if a["genre"]}
    frames = {d.id: {f["label"] for f in a["frames"]} for d, a in pairs}
    paragraphs: dict[tuple[str, int], set[str]] = {}
    spans = []
    for d, a in pairs:
        labelled = {pl["index"]: {t["label"] for t in pl["techniques"]} for pl in a["paragraphs"]}
        for i, p in enumerate(d.paragraphs):
            paragraphs[(d.id, p.line)] = labelled.get(i, set())
        for s in a["spans"]:
            start, end = d.to_source(s["start"], s["end"])
            spans.append((d.id, s["technique"], start, end))
    out_dir.mkdir(parents=True, exist_ok=True)
    F.write_subtask1(out_dir / "subtask-1.txt", genres)
    F.write_subtask2(out_dir / "subtask-2.txt", frames)
    F.write_subtask3(out_dir / "subtask-3.txt", paragraphs)
    F.write_spans(out_dir / "subtask-3-spans.txt", sorted(spans))


def _write_html(pairs: list[tuple[Document, dict[str, Any]]], out: Path | None) -> None:
    """The HTML report to ``out`` (a ``.html`` file, or else a folder), or to stdout."""
    from spinscope.report import render_report, write_report
    from spinscope.stories import stories_report

    analyses = [a for _, a in pairs]
    # Several articles: group them into stories for the report's stories section.
    stories = stories_report([d for d, _ in pairs], analyses) if len(pairs) > 1 else None
    if out is None:
        sys.stdout.write(render_report(analyses, stories=stories))
        return
    written = write_report(analyses, out, stories=stories)
    where = written[0].parent if len(written) > 1 else written[0]
    _err.print(f"wrote a report of {len(analyses)} article(s) to {where}", markup=False)


def _on_ray(
    inputs: list[str], options: ReadOptions, *, address: str | None, workers: int, exclude: list[str], model: Path | None
) -> Iterator[tuple[ReadResult, dict[str, Any] | None]]:
    """``--engine ray``: the engines.ray actor pool, then one line on stderr saying where the work ran."""
    from spinscope.engines.ray import RayEngine, require_ray

    require_ray()  # E850, naming the extra to install, before anything else
    with RayEngine(address=address, workers=workers, exclude=exclude, model=model) as ray_engine:
        yield from ray_engine.analyze_inputs(inputs, options)
        _err.print(ray_engine.summary(), markup=False)


@app.command("analyze")
@read_options
def analyze_command(
    inputs: InputsArg,
    output_format: Annotated[
        AnalyzeFormat | None,
        typer.Option(
            "--format", "-f",
            help="json, jsonl, table (default on a terminal), html (a self-contained report), "
            "or semeval (official files into --out).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o",
            help="Folder for --format semeval; for html a file ending in .html, or else a folder "
            "(index.html plus one page per article). html defaults to stdout.",
        ),
    ] = None,
    model: ModelOpt = None,
    exclude: ExcludeOpt = None,
    precision: PrecisionOpt = None,
    options: ReadOptions = DEFAULT_READ,
    engine: EngineOpt = Engine.inprocess,
    ray_address: RayAddressOpt = None,
    workers: WorkersOpt = 1,
) -> None:
    """Find genre, frames and persuasion techniques (paragraphs and spans) in articles."""
    from spinscope.report import print_analysis

    fmt = output_format or (AnalyzeFormat.table if sys.stdout.isatty() else AnalyzeFormat.json)
    if fmt is AnalyzeFormat.semeval and out is None:
        raise typer.BadParameter("--format semeval needs --out DIR", param_hint="--out")
    _check_precision_engine(precision, engine)
    if engine is Engine.ray:
        analysed: Iterator[tuple[ReadResult, Analysis | dict[str, Any] | None]] = _on_ray(
            inputs, options, address=ray_address, workers=workers, exclude=_split_exclude(exclude), model=model
        )
    else:
        analysed = _pipeline(model, exclude, precision).analyze_inputs(inputs, options)
    console = Console(highlight=False, soft_wrap=True)
    ok = failed = 0
    collected: list[dict[str, object]] = []
    pairs: list[tuple[Document, dict[str, Any]]] = []
    for result, analysis in analysed:
        if result.status == "skipped":
            _err.print(f"note: {result.message}", markup=False)
            continue
        if analysis is None or result.document is None:
            failed += 1
            _err.print(f"error: {result.message}", markup=False)
            continue
        ok += 1
        data = analysis if isinstance(analysis, dict) else analysis.to_dict()  # the Ray engine yields the JSON
        if fmt is AnalyzeFormat.jsonl:
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif fmt is AnalyzeFormat.table:
            print_analysis(data, console)
        elif fmt is AnalyzeFormat.json:
            collected.append(data)
        else:
            pairs.append((result.document, data))
    if fmt is AnalyzeFormat.json:
        sys.stdout.write(json.dumps(collected, ensure_ascii=False, indent=2) + "\n")
    if fmt is AnalyzeFormat.html and pairs:
        _write_html(pairs, out)
    if fmt is AnalyzeFormat.semeval and out is not None:
        _write_semeval(pairs, out)
        _err.print(f"wrote official-format predictions for {len(pairs)} articles to {out}", markup=False)
    if failed:
        _err.print(f"{ok} analysed, {failed} failed", markup=False)
        raise typer.Exit(EXIT_PARTIAL if ok else EXIT_NONE)


@app.command("report")
@read_options
def report_command(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Files, directories, URLs, JSONL files, or - for stdin.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o",
            help="A file ending in .html for one page, or else a folder: index.html plus a page per article. "
            "Default: stdout.",
        ),
    ] = None,
    model: ModelOpt = None,
    exclude: ExcludeOpt = None,
    precision: PrecisionOpt = None,
    options: ReadOptions = DEFAULT_READ,
    db: Annotated[
        str | None, typer.Option("--db", help="Render the stored analyses of this corpus store instead of INPUTS.")
    ] = None,
) -> None:
    """Write an explainable, self-contained HTML report (same as analyze --format html), or one of a store."""
    if db is not None:
        if inputs:
            raise typer.BadParameter("give INPUTS or --db, not both", param_hint="--db")
        _report_from_store(db, out)
        return
    if not inputs:
        raise typer.BadParameter("give INPUTS (or --db DB)", param_hint="INPUTS")
    analyze_command.__wrapped__(  # type: ignore[attr-defined]
        inputs=inputs, output_format=AnalyzeFormat.html, out=out, model=model, exclude=exclude, precision=precision,
        options=options,
    )


def _analyze_all(
    inputs: list[str], options: ReadOptions, model: Path | None
) -> tuple[list[tuple[Document, Analysis]], int]:
    """Every input analysed, in order; bad inputs reported on stderr and counted."""
    pairs: list[tuple[Document, Analysis]] = []
    failed = 0
    for result, analysis in _pipeline(model).analyze_inputs(inputs, options):
        if result.status == "skipped":
            _err.print(f"note: {result.message}", markup=False)
        elif analysis is None or result.document is None:
            failed += 1
            _err.print(f"error: {result.message}", markup=False)
        else:
            pairs.append((result.document, analysis))
    return pairs, failed


class StoriesFormat(str, Enum):
    json = "json"
    table = "table"


@app.command("stories")
@read_options
def stories_command(
    inputs: InputsArg,
    output_format: Annotated[
        StoriesFormat | None,
        typer.Option("--format", "-f", help="table (default on a terminal) or json."),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, help="Similarity needed to join a story.")
    ] = 0.62,
    window_days: Annotated[
        float, typer.Option("--window-days", min=0.0, help="Published dates further apart split a story; 0: ignore dates.")
    ] = 4.0,
    drift: Annotated[bool, typer.Option("--drift/--no-drift", help="Align quotes across each story's articles.")] = True,
    model: ModelOpt = None,
    options: ReadOptions = DEFAULT_READ,
) -> None:
    """Group articles that report the same event into stories, and show how their quotes drift."""
    from rich.table import Table

    from spinscope.stories import stories_report

    fmt = output_format or (StoriesFormat.table if sys.stdout.isatty() else StoriesFormat.json)
    pairs, failed = _analyze_all(inputs, options, model)
    stories = stories_report(
        [d for d, _ in pairs], [a.to_dict() for _, a in pairs],
        threshold=threshold, window_days=window_days or None, drift=drift,
    )  # fmt: skip
    if fmt is StoriesFormat.json:
        sys.stdout.write(json.dumps({"stories": stories}, ensure_ascii=False, indent=2) + "\n")
    else:
        from spinscope.report.view import drift_lines

        console = Console(highlight=False, soft_wrap=True)
        # The drift column holds sentences: give it most of the width and fold long words,
        # rather than letting rich share the width out evenly.
        table = Table(show_lines=True, expand=True)
        table.add_column("story", no_wrap=True, ratio=1, min_width=8)
        table.add_column("name", ratio=2, min_width=12)
        table.add_column("articles", ratio=1, min_width=8)
        table.add_column("cohesion", no_wrap=True, justify="right", min_width=8)
        table.add_column("quote drift", ratio=5, min_width=30, overflow="fold")
        for st in stories:
            table.add_row(
                _plain(st["id"]), _plain(st["name"]), _plain("\n".join(st["doc_ids"])),
                _plain(f"{st['cohesion']:.2f}"), _plain("\n".join(drift_lines(st)) or "none"),
            )  # fmt: skip
        console.print(table)
    if failed or not pairs:
        _err.print(f"{len(pairs)} analysed, {failed} failed", markup=False)
        raise typer.Exit(EXIT_PARTIAL if pairs else EXIT_NONE)


class CompareFormat(str, Enum):
    html = "html"
    json = "json"


@app.command("compare")
@read_options
def compare_command(
    first: Annotated[str, typer.Argument(help="The first article (file, URL, or - for stdin).")],
    second: Annotated[str, typer.Argument(help="The second article.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write the page (default: stdout).")] = None,
    output_format: Annotated[CompareFormat, typer.Option("--format", "-f", help="html or json.")] = CompareFormat.html,
    model: ModelOpt = None,
    options: ReadOptions = DEFAULT_READ,
) -> None:
    """Two articles side by side: genre, frames, technique density, quotes and how they drift."""
    from spinscope.report.compare import compare, render_comparison_html

    sides = []
    for name in (first, second):
        pairs, _failed = _analyze_all([name], options, model)
        if len(pairs) != 1:
            _err.print(f"error: {name}: compare needs exactly one article here, got {len(pairs)}", markup=False)
            raise typer.Exit(EXIT_NONE)
        sides.append(pairs[0][1].to_dict())
    comparison = compare(sides[0], sides[1])
    if not comparison.same_story:
        _err.print("note: the two articles do not share a story; showing them side by side anyway", markup=False)
    text = (
        json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if output_format is CompareFormat.json
        else render_comparison_html(comparison)
    )
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    _err.print(f"wrote a comparison to {out}", markup=False)


class TrainTask(str, Enum):
    detector = "detector"
    task10 = "task10"
    multilingual = "multilingual"
    multilingual_narratives = "multilingual-narratives"
    genre = "genre"
    roles = "roles"
    roles_accurate = "roles-accurate"


@app.command("train")
def train_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")],
    task: Annotated[
        TrainTask,
        typer.Option(
            "--task",
            help="detector: genre, frames, techniques (SemEval-2023). task10: narratives and entity roles"
            " (SemEval-2025) over the default detector's encoder; writes OUT/narratives and OUT/roles."
            " multilingual: technique, genre and frame heads for en fr ge it po ru over USE-multilingual."
            " multilingual-narratives: narratives for en bg pt ru (SemEval-2025) over USE-multilingual."
            " genre: the genre model (form features and USE-multilingual, six languages' train articles)."
            " roles: the entity-role heads alone (SemEval-2025 en train), written to OUT."
            " roles-accurate: the same heads over all-mpnet-base-v2 (needs spinscope[accurate]).",
        ),
    ] = TrainTask.detector,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="JSON file overriding preset fields.")] = None,
    preset: Annotated[str, typer.Option("--preset", help="default or smoke.")] = "default",
    smoke: Annotated[bool, typer.Option("--smoke", help="Shortcut for --preset smoke: a tiny model in minutes.")] = False,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder holding the datasets.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the config's seed.")] = None,
) -> None:
    """Train models on train data only (never dev): the detector, or the SemEval-2025 heads."""
    if task is TrainTask.multilingual:
        from spinscope.datasets import default_data_dir
        from spinscope.multilingual.train import train_multilingual

        ml = train_multilingual(
            data_dir or default_data_dir(), seed=seed if seed is not None else 13, log=lambda line: _err.print(line, markup=False)
        )
        ml.save(out)
        sys.stdout.write(json.dumps({"model": str(out), "cross_validated": ml.meta["cross_validated"]}, indent=2) + "\n")
        return
    if task is TrainTask.multilingual_narratives:
        from spinscope.multilingual.narratives_train import train_multilingual_narratives
        from spinscope.narratives.model import NarrativeConfig

        narrative_config = NarrativeConfig(seed=seed) if seed is not None else None
        summary = train_multilingual_narratives(data_dir, out, config=narrative_config, log=lambda line: _err.print(line, markup=False))
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        return
    if task is TrainTask.genre:
        from spinscope.genre.train import train_genre

        summary = train_genre(data_dir, out, seed=seed if seed is not None else 13, log=lambda line: _err.print(line, markup=False))
        sys.stdout.write(json.dumps({"model": str(out), "cv": summary["cv"]}, indent=2, default=str) + "\n")
        return
    if task is TrainTask.roles_accurate:
        from spinscope.entities.train import train_accurate_roles

        sys.stdout.write(json.dumps(train_accurate_roles(data_dir, "en", out), indent=2, default=str) + "\n")
        return
    if task is TrainTask.roles:
        from spinscope.entities.train import train_roles_only

        sys.stdout.write(json.dumps(train_roles_only(data_dir, "en", out), indent=2, default=str) + "\n")
        return
    if task is TrainTask.task10:
        from spinscope.entities.train import train_task10

        summary = train_task10(data_dir, "en", narratives_out=out / "narratives", roles_out=out / "roles")
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
        return
    from spinscope.models.config import load_config
    from spinscope.models.train import train

    cfg = load_config(config, preset="smoke" if smoke else preset, data_dir=str(data_dir) if data_dir else None, seed=seed)
    scores = train(
        cfg,
        out,
        progress=_err.is_terminal,
        log=lambda line: _err.print(line, markup=False),
        command="spinscope " + " ".join(sys.argv[1:]),
    )
    sys.stdout.write(json.dumps({"model": str(out), "holdout_scores": scores}, indent=2) + "\n")


class EvalDataset(str, Enum):
    semeval2023 = "semeval2023"
    semeval2025 = "semeval2025"


@app.command("evaluate")
def evaluate_command(
    dataset: Annotated[EvalDataset, typer.Argument(help="Dataset to evaluate on.")],
    lang: Annotated[str, typer.Option("--lang", help="Language (en, fr, ge, it, po, ru).")] = "en",
    split: Annotated[str, typer.Option("--split", help="Split with gold labels (dev or train).")] = "dev",
    model: ModelOpt = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder holding the datasets.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where predictions and metrics.json go.")] = Path(
        "runs/eval"
    ),
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N articles: a quick check, not a score.")
    ] = None,
    english_only: Annotated[
        bool, typer.Option("--english-only", help="SemEval-2023: the English model on every paragraph, no routing.")
    ] = False,
) -> None:
    """Score a model on a dataset split with the official metrics; write official prediction files."""
    from rich.table import Table

    from spinscope.evaluate import evaluate_semeval2023

    if dataset is EvalDataset.semeval2025:
        _evaluate_narratives(lang, split, model, data_dir, out)
        return
    result = evaluate_semeval2023(
        lang=lang, split=split, data_dir=data_dir, model=model, out_dir=out, limit=limit, multilingual=not english_only
    )
    console = Console(highlight=False)
    table = Table("task", "metric", "score", title=f"semeval2023 {lang} {split}")
    for row in result.summary_rows():
        table.add_row(*row)
    console.print(table)
    per_label = Table("technique", "P", "R", "F1", "support", "predicted", title="subtask 3 per technique")
    for label, s in result.metrics["subtask3"]["per_label"].items():
        per_label.add_row(label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", str(s["support"]), str(s["predicted"]))
    console.print(per_label)
    console.print(f"predictions and metrics.json written to {out}")


def _evaluate_narratives(lang: str, split: str, model: Path | None, data_dir: Path | None, out: Path) -> None:
    """SemEval-2025 Task 10 subtask 2 (narratives) and our subtask-3 evidence similarity."""
    from rich.table import Table

    from spinscope.entities.train import evaluate_roles
    from spinscope.narratives import evaluate_narratives

    english = lang.upper() == "EN"
    # Roles need our NER, and the only NER model available offline is English.
    roles = evaluate_roles(data_dir, lang, split, out_dir=out, pipe=_pipeline(None).pipe) if english else None
    metrics = evaluate_narratives(data_dir, lang, split, model_dir=model, out_dir=out)
    metrics = {**metrics, "subtask1": roles or {"skipped": f"entity roles are English-only (no {lang} NER model)"}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    st2 = metrics["subtask2"]
    title = f"semeval2025 {lang} {split}" + ("" if english else " (multilingual narrative model)")
    table = Table("task", "metric", "ours", "official scorer", title=title)
    if roles is not None:
        gold, official = roles["gold_mentions"]["ours"], roles["gold_mentions"]["official"]
        for key, name in (("main_role_accuracy", "main-role accuracy"), ("exact_match_ratio", "fine-role exact match ratio")):
            value = official.get(key)
            table.add_row(
                "subtask 1 roles (gold mentions)", name, f"{gold[key]:.4f}", "failed" if value is None else f"{value:.4f}"
            )
        e2e = roles["end_to_end"]
        for key, name in (("main_role_accuracy", "main-role accuracy"), ("exact_match_ratio", "fine-role exact match ratio")):
            table.add_row("subtask 1 roles (our mentions)", name, f"{e2e[key]:.4f}", "n/a")
        table.add_row(
            "subtask 1 roles (our mentions)", "gold mentions found",
            f"{e2e['gold_mentions_found']}/{e2e['mentions']}", "n/a",
        )  # fmt: skip
    else:
        table.add_row("subtask 1 roles", "not evaluated", "English only", "n/a")
    for level in ("coarse", "fine"):
        official = st2["official"][level]
        table.add_row(
            f"subtask 2 narratives ({level})", "samples-F1",
            f"{st2['ours'][level]['samples_f1']:.4f}", "failed" if official is None else f"{official:.4f}",
        )  # fmt: skip
    st3 = metrics.get("subtask3") or {}
    if st3:
        table.add_row(
            "subtask 3 evidence", "cosine to gold explanation*",
            f"{st3['predicted_dominant_narrative']:.4f}", "n/a (BERTScore model not available offline)",
        )  # fmt: skip
    console = Console(highlight=False)
    console.print(table)
    if st3:
        console.print("* our own similarity with the bundled encoder, not the official BERTScore metric")
    console.print(f"predictions and metrics.json written to {out}")
    languages = [x.lower() for x in metrics.get("model_languages") or []]
    if languages and lang.lower() not in languages:
        _err.print(f"warning: the narrative model was not trained on {lang} (trained on {', '.join(languages)})", markup=False)
    if roles is not None and not roles["gold_mentions"]["agree"]:
        _err.print("error: the official subtask-1 scorer failed or disagrees with ours (see metrics.json)", markup=False)
        raise typer.Exit(EXIT_PARTIAL)
    if not st2["agree"]:
        _err.print("error: the official subtask-2 scorer failed or disagrees with ours (see metrics.json)", markup=False)
        raise typer.Exit(EXIT_PARTIAL)


# ==== API tokens for spinscope serve --require-token (spinscope.server.tokens) ===============
token_app = typer.Typer(
    help="API tokens for the server's write endpoints (only a hash is stored).", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@contextlib.contextmanager
def _token_errors() -> Iterator[None]:
    """Token and store errors as one coded line: a bad label exits 2 (usage), the rest 1."""
    from spinscope.server.tokens import TokenError

    try:
        with _StoreErrors():
            yield
    except TokenError as exc:
        _err.print(f"error: {exc.one_line}", markup=False)
        raise typer.Exit(2 if exc.code == "E788" else 1) from None


@token_app.command("create")
def token_create_command(
    label: Annotated[str, typer.Option("--label", help="What the token is for (shown by token list).")],
    db: DbOpt = None,
) -> None:
    """Make a token and print it once: it cannot be shown again (the store keeps its hash)."""
    from spinscope.server.tokens import create_token
    from spinscope.store import Store

    with _token_errors(), Store.open(db) as store:
        token = create_token(store, label)
    typer.echo(token)
    _err.print("store it now: only its hash is kept; send it as 'Authorization: Bearer <token>'", markup=False)


@token_app.command("list")
def token_list_command(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List the tokens: id, label, when made, last used and revoked (never the tokens)."""
    from spinscope.server.tokens import list_tokens
    from spinscope.store import Store

    with _token_errors(), Store.open(db, create=False) as store:
        tokens = list_tokens(store)
    if as_json:
        for info in tokens:
            typer.echo(json.dumps({"id": info.id, "label": info.label, "created_at": info.created_at,
                                   "last_used_at": info.last_used_at, "revoked_at": info.revoked_at,
                                   "active": info.active}, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("id", "label", "created", "last used", "revoked")
    for info in tokens:
        table.add_row(str(info.id), _plain(info.label), info.created_at, info.last_used_at or "-", info.revoked_at or "-")
    Console(highlight=False).print(table)


@token_app.command("revoke")
def token_revoke_command(
    token_id: Annotated[int, typer.Argument(help="The token's id (from spinscope token list).")],
    db: DbOpt = None,
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    from spinscope.server.tokens import revoke_token
    from spinscope.store import Store

    with _token_errors(), Store.open(db, create=False) as store:
        info = revoke_token(store, token_id)
    _err.print(f"revoked token {info.id} ({info.label}) at {info.revoked_at}", markup=False)


# ==== corpus store: add, search, stats, export, prune, report --db (spinscope.store) =========
# Exit codes of these commands: 0 all fine, 1 some input failed or the database refused
# (locked, read-only, unreachable), 2 usage (Typer's, and bad option values such as dates).

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or postgresql://user@host/db (default: $SPINSCOPE_DB, else spinscope.db)."),
]
LockTimeoutOpt = Annotated[
    float, typer.Option("--lock-timeout", min=0.0, help="Seconds to wait for another writer's lock.")
]
OutletOpt = Annotated[str | None, typer.Option("--outlet", help="Only this outlet (case-insensitive).")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Published on or after (YYYY-MM-DD, YYYY-MM or YYYY).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Published on or before (YYYY-MM-DD, YYYY-MM or YYYY).")]
TechniqueOpt = Annotated[str | None, typer.Option("--technique", help="Only articles with this technique label.")]
NarrativeOpt = Annotated[str | None, typer.Option("--narrative", help="Only articles with this (sub-)narrative label.")]
EntityOpt = Annotated[str | None, typer.Option("--entity", help="Only articles naming this entity.")]

#: The analysing step of ``spinscope add``: (pipe, meta) for a model directory. The one
#: place the CLI names the pipeline (tests swap it for a fast rule-based analyser).
_store_pipeline = None  # resolved lazily to spinscope.store.default_pipeline


def _pipeline_for_store(
    model: Path | None, exclude: list[str] | None, precision: Precision | None = None
) -> tuple[object, dict[str, object]]:
    if _store_pipeline is not None:
        return _store_pipeline(model, _split_exclude(exclude))
    from spinscope.store import default_pipeline

    return default_pipeline(model, _split_exclude(exclude), precision=precision.value if precision else None)


def _check_precision_engine(precision: Precision | None, engine: Engine) -> None:
    """--precision is for the in-process engine; Ray workers read $SPINSCOPE_PRECISION of their own environment."""
    if precision is not None and engine is Engine.ray:
        raise typer.BadParameter(
            "--precision works with --engine inprocess; for Ray, set SPINSCOPE_PRECISION in the workers' environment",
            param_hint="--precision",
        )


class _StoreErrors:
    """Store errors as one coded line: bad values exit 2 (usage), the rest 1."""

    _USAGE = frozenset({"E655", "E657", "E658", "E663", "E664"})

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> Literal[False]:
        if isinstance(exc, SpinscopeError) and exc.code.startswith("E6") and exc.code >= "E650":
            _err.print(f"error: {exc.one_line}", markup=False)
            raise typer.Exit(2 if exc.code in self._USAGE else 1)
        return False


def _filters(outlet: str | None, since: str | None, until: str | None, technique: str | None = None,
             narrative: str | None = None, entity: str | None = None) -> object:  # fmt: skip
    from spinscope.store.query import Filters, parse_day

    return Filters(
        outlet=outlet, since=parse_day(since) if since else None, until=parse_day(until, end=True) if until else None,
        technique=technique, narrative=narrative, entity=entity,
    )  # fmt: skip


def _urls_from(path: Path) -> list[str]:
    """Inputs listed one per line in ``path`` (blank lines and # comments ignored)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="--urls-from") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@app.command("add")
@read_options
def add_command(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Files, directories, JSONL files, URLs (or - for stdin) to add.")
    ] = None,
    db: DbOpt = None,
    urls_from: Annotated[Path | None, typer.Option("--urls-from", help="A file listing inputs (URLs), one a line.")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Read and analyse inputs that failed before.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=50, help="Articles per committed batch (at most 50).")] = 50,
    batch_seconds: Annotated[float, typer.Option("--batch-seconds", min=0.1, max=30.0, help="Commit at least this often.")] = 30.0,
    lock_timeout: LockTimeoutOpt = 60.0,
    model: ModelOpt = None,
    exclude: ExcludeOpt = None,
    precision: PrecisionOpt = None,
    options: ReadOptions = DEFAULT_READ,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr.")] = True,
    engine: EngineOpt = Engine.inprocess,
    ray_address: RayAddressOpt = None,
    workers: WorkersOpt = 1,
) -> None:
    """Add articles to the corpus store: dedupe, analyse in batches, commit each batch; resumable.

    With ``--engine ray`` the inputs are read and analysed by the Ray actor
    pool in one run, skipping what is stored; the driver dedupes and commits
    each batch as always.
    """
    from spinscope.store import Store, add_inputs
    from spinscope.store.add import AddEvent, estimate_articles

    sources = list(inputs or []) + (_urls_from(urls_from) if urls_from else [])
    if not sources:
        raise typer.BadParameter("give at least one INPUT or --urls-from FILE", param_hint="INPUTS")
    _check_precision_engine(precision, engine)
    ray_engine = None
    if engine is Engine.ray:
        from spinscope.engines.ray import RayEngine, require_ray

        require_ray()  # E850, naming the extra to install, before the store is touched
        ray_engine = RayEngine(address=ray_address, workers=workers, exclude=_split_exclude(exclude), model=model)
    with _StoreErrors(), Store.open(db, lock_timeout_s=lock_timeout) as store, ray_engine or contextlib.nullcontext():
        pipe, meta = _pipeline_for_store(model, exclude, precision)
        reader = None
        if ray_engine is not None:  # same pipeline identity (meta), read and analysed on the actors in one run
            reader, pipe = ray_engine.store_seams(store.analysed_inputs(store.ensure_pipeline(meta)))
        show = progress and _err.is_terminal
        with _AddProgress(estimate_articles(sources) if show else None, show) as bar:

            def on_event(event: AddEvent) -> None:
                if event.kind == "failed":
                    bar.print(f"error: {event.message}")
                elif event.kind == "not-retried":
                    bar.print(f"note: {event.name}: failed before, not retried (use --retry-failed): {event.message}")
                elif event.kind == "skipped":
                    bar.print(f"note: {event.message}")
                if event.kind != "skipped" or bar.total:
                    bar.advance()

            try:
                summary = add_inputs(
                    store, sources, pipe=pipe, meta=meta, options=options, retry_failed=retry_failed,  # type: ignore[arg-type]
                    batch_size=batch_size, batch_seconds=batch_seconds,
                    command="spinscope " + " ".join(sys.argv[1:]), on_event=on_event, reader=reader,
                )  # fmt: skip
            except KeyboardInterrupt:
                _err.print("interrupted: every committed batch is kept; rerun the same command to resume", markup=False)
                raise typer.Exit(130) from None
    _err.print(f"{store.name}: {summary.line()}", markup=False)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


class _AddProgress:
    """A rich progress bar with articles/s and ETA on stderr, or nothing."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self._progress: Progress | None = None

    def __enter__(self) -> _AddProgress:
        if self.enabled:
            from rich.progress import ProgressColumn, TimeRemainingColumn
            from rich.text import Text

            class _Rate(ProgressColumn):
                def render(self, task: object) -> Text:
                    speed = getattr(task, "speed", None)
                    return Text(f"{speed:.1f} articles/s" if speed else "- articles/s")

            self._progress = Progress(
                TextColumn("adding"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeElapsedColumn(),
                TextColumn("ETA"), TimeRemainingColumn(), console=_err, transient=True,
            )  # fmt: skip
            self._progress.__enter__()
            self._task = self._progress.add_task("add", total=self.total)
        return self

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def print(self, line: str) -> None:
        (self._progress.console if self._progress is not None else _err).print(line, markup=False)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


class SearchFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help='Words that must all appear ("quoted phrase" for adjacent words; "" for any).')],
    db: DbOpt = None,
    outlet: OutletOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    technique: TechniqueOpt = None,
    narrative: NarrativeOpt = None,
    entity: EntityOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many results.")] = 20,
    output_format: Annotated[
        SearchFormat | None, typer.Option("--format", "-f", help="table (default on a terminal), json or jsonl.")
    ] = None,
) -> None:
    """Full-text search over the stored articles' titles and text, with filters."""
    from rich.table import Table

    from spinscope.store import Store
    from spinscope.store.query import search

    fmt = output_format or (SearchFormat.table if sys.stdout.isatty() else SearchFormat.json)
    with _StoreErrors():
        filters = _filters(outlet, since, until, technique, narrative, entity)
        with Store.open(db, create=False) as store:
            hits = search(store, query, filters, limit=limit)  # type: ignore[arg-type]
    if fmt is SearchFormat.json:
        sys.stdout.write(json.dumps(hits, ensure_ascii=False, indent=2) + "\n")
    elif fmt is SearchFormat.jsonl:
        sys.stdout.writelines(json.dumps(h, ensure_ascii=False) + "\n" for h in hits)
    else:
        table = Table("id", "outlet", "published", "title", "match", show_lines=True, expand=True)
        for h in hits:
            table.add_row(
                _plain(str(h["article_id"])), _plain(h["outlet"] or ""), _plain(h["published"] or ""),
                _plain(h["title"] or h["doc_id"]), _plain(h["snippet"] or ""),
            )  # fmt: skip
        Console(highlight=False, soft_wrap=True).print(table)
        _err.print(f"{len(hits)} result(s)", markup=False)


class StatsBy(str, Enum):
    outlet = "outlet"
    month = "month"
    week = "week"
    story = "story"


class StatsMetric(str, Enum):
    techniques = "techniques"
    frames = "frames"
    genre = "genre"
    narratives = "narratives"
    roles = "roles"


class StatsFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    png = "png"
    svg = "svg"


@app.command("stats")
def stats_command(
    by: Annotated[StatsBy, typer.Option("--by", help="Group by outlet, month, week or story.")] = StatsBy.outlet,
    metric: Annotated[StatsMetric, typer.Option("--metric", help="What to count.")] = StatsMetric.techniques,
    db: DbOpt = None,
    output_format: Annotated[
        StatsFormat | None, typer.Option("--format", "-f", help="table (default on a terminal), json, csv, png or svg.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (needed for png and svg).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="The most frequent labels kept per group.")] = 20,
    outlet: OutletOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    recompute_stories: Annotated[
        bool, typer.Option("--recompute-stories", help="--by story: group the articles into stories again.")
    ] = False,
) -> None:
    """Aggregate the stored analyses: counts and rates per outlet, month, week or story."""
    import csv

    from spinscope.store import Store
    from spinscope.store.query import stats

    fmt = output_format or (StatsFormat.table if sys.stdout.isatty() and out is None else StatsFormat.json)
    if fmt in {StatsFormat.png, StatsFormat.svg} and out is None:
        raise typer.BadParameter(f"--format {fmt.value} needs -o FILE", param_hint="--out")
    with _StoreErrors():
        filters = _filters(outlet, since, until)
        with Store.open(db, create=False) as store:
            result = stats(store, by.value, metric.value, filters, top=top, recompute_stories=recompute_stories)  # type: ignore[arg-type]
    if fmt in {StatsFormat.png, StatsFormat.svg}:
        from spinscope.store.plot import plot_stats

        assert out is not None
        target = out if out.suffix.lower() == f".{fmt.value}" else out.with_suffix(f".{fmt.value}")
        _err.print(f"wrote {plot_stats(result, target)}", markup=False)
        return
    if fmt is StatsFormat.table:
        _print_stats(result)
        return
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if fmt is StatsFormat.json:
            stream.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            fields = ["group", "label", "role", "count", "articles", "group_articles", "rate"]
            writer = csv.DictWriter(stream, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(result.rows)
    finally:
        if out:
            stream.close()
            _err.print(f"wrote {out}", markup=False)


def _print_stats(result: object) -> None:
    from rich.table import Table

    from spinscope.report.view import drift_lines

    console = Console(highlight=False, soft_wrap=True)
    rows = result.rows  # type: ignore[attr-defined]
    roles = bool(rows) and "role" in rows[0]
    columns = ["group (articles)", "label", *(["role"] if roles else []), "count", "articles", "rate"]
    table = Table(*columns, title=f"{result.metric} by {result.by}: rate = {result.unit}", expand=True)  # type: ignore[attr-defined]
    sizes = {g["group"]: g["articles"] for g in result.groups}  # type: ignore[attr-defined]
    previous = None
    for r in rows:
        group = f"{r['group']} ({sizes.get(r['group'], 0)})" if r["group"] != previous else ""
        previous = r["group"]
        cells = [group, r["label"], *([r["role"]] if roles else []), str(r["count"]), str(r["articles"]), f"{r['rate']:.3f}"]
        table.add_row(*(_plain(c) for c in cells))
    console.print(table)
    for st in getattr(result, "stories", []):
        outlets = ", ".join(f"{o['outlet']} ({o['articles']})" for o in st["outlets"])
        console.print(_plain(f"{st['id']} {st['name']}: {outlets}"))
        for line in drift_lines(st):
            console.print(_plain("  " + line))


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.command("export")
def export_command(
    output_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl, csv or parquet.")],
    db: DbOpt = None,
    table: Annotated[str, typer.Option("--table", "-t", help="Table to export (see the README's schema).")] = "analyses",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (jsonl and csv: default stdout).")] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="analyses as jsonl: every stored version, not each article's newest.")
    ] = False,
) -> None:
    """Export a table of the store; the analyses as JSONL are exactly analyze --format jsonl."""
    from spinscope.store import Store
    from spinscope.store.export import export_table

    with _StoreErrors(), Store.open(db, create=False) as store:
        n = export_table(store, output_format.value, out or sys.stdout, table=table, all_versions=all_versions)
    _err.print(f"exported {n} row(s) of {table}" + (f" to {out}" if out else ""), markup=False)


@app.command("prune")
def prune_command(db: DbOpt = None, lock_timeout: LockTimeoutOpt = 60.0) -> None:
    """Delete every analysis that is not its article's newest (kept until asked)."""
    from spinscope.store import Store

    with _StoreErrors(), Store.open(db, create=False, lock_timeout_s=lock_timeout) as store:
        n = store.prune()
    _err.print(f"pruned {n} older analysis version(s)", markup=False)


def _report_from_store(db: str, out: Path | None) -> None:
    """``report --db``: the HTML report of every stored article's newest analysis, without re-analysing."""
    from spinscope.report import render_report, write_report
    from spinscope.store import Store
    from spinscope.store.query import stored_stories

    with _StoreErrors(), Store.open(db, create=False) as store:
        analyses = list(store.iter_results())
        if not analyses:
            _err.print(f"error: [E664] {store.name}: the store holds no analyses (add some with spinscope add)", markup=False)
            raise typer.Exit(1)
        stories = stored_stories(store) if len(analyses) > 1 else None
    if out is None:
        sys.stdout.write(render_report(analyses, stories=stories))
        return
    written = write_report(analyses, out, stories=stories)
    where = written[0].parent if len(written) > 1 else written[0]
    _err.print(f"wrote a report of {len(analyses)} stored article(s) to {where}", markup=False)


# ==== end of corpus store ====================================================================

# ==== web app and API (spinscope serve) ============================================================
@app.command("serve")
def serve_command(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind; 127.0.0.1 keeps the server to this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes, each loading the models once.")] = 1,
    require_token: Annotated[
        bool, typer.Option("--require-token", help="Write endpoints need an API token (spinscope token create).")
    ] = False,
    allow_private_urls: Annotated[
        bool, typer.Option("--allow-private-urls", help="Let url inputs reach loopback and private addresses (tests only).")
    ] = False,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", min=1, help="Largest request body (413 beyond).")] = 5 * 1024 * 1024,
    rate_limit: Annotated[int, typer.Option("--rate-limit", min=1, help="Requests per minute per client (429 beyond).")] = 120,
    burst: Annotated[int, typer.Option("--burst", min=1, help="Requests a client may make at once.")] = 30,
    queue_size: Annotated[
        int, typer.Option("--queue-size", min=1, help="Analyses waiting or running per worker (503 beyond).")
    ] = 4,
    model: ModelOpt = None,
    exclude: ExcludeOpt = None,
) -> None:
    """Run the web app and REST API (FastAPI + uvicorn): paste an article, browse the corpus store."""
    import uvicorn

    from spinscope.server.app import SETTINGS_ENV, create_app, settings_to_env
    from spinscope.server.csrf import server_secret
    from spinscope.server.settings import ServerSettings, is_loopback
    from spinscope.store import Store, resolve_db

    settings = ServerSettings(
        db=resolve_db(db), host=host, port=port, workers=workers, require_token=require_token,
        allow_private_urls=allow_private_urls, max_body_bytes=max_body_bytes, rate_per_minute=rate_limit,
        rate_burst=burst, queue_size=queue_size, model=str(model) if model else None,
        exclude=tuple(_split_exclude(exclude)),
    )  # fmt: skip
    with _StoreErrors(), Store.open(settings.db) as store:  # create or upgrade it once, before workers race to
        from spinscope.server.tokens import list_tokens

        active = [t for t in list_tokens(store) if t.active]
    if require_token and not active:
        _err.print("warning: --require-token, but the store has no active token yet: spinscope token create", markup=False)
    server_secret()  # one CSRF secret for every worker (put in the environment they inherit)
    _err.print(f"spinscope serve: {settings.bind} (store {settings.db}, {workers} worker{'s' if workers != 1 else ''})",
               markup=False)  # fmt: skip
    if not is_loopback(host):
        _err.print(
            f"warning: bound to {host}, reachable from other machines; "
            + ("writes need a token." if require_token else "anyone who can reach it can add articles (--require-token)."),
            markup=False,
        )
    if allow_private_urls:
        _err.print("warning: --allow-private-urls: url inputs may reach this machine's private services", markup=False)
    if workers == 1:
        uvicorn.run(create_app(settings, preload=True), host=host, port=port, log_level="info")
    else:
        os.environ[SETTINGS_ENV] = settings_to_env(settings)
        uvicorn.run("spinscope.server.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="info")  # fmt: skip



@app.callback()
def _root() -> None:
    """spinscope: persuasion techniques, frames, narratives and quotes in news."""


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C, so ``finally`` blocks and context managers run.

    Python's default for SIGTERM ends the process on the spot: no open store
    transaction is rolled back cleanly and a local Ray started by ``--engine
    ray`` is left running (its actors orphaned). As an exception the same
    paths as Ctrl-C run: the batch in progress is dropped, committed batches
    stay, Ray is shut down. (``serve`` is unaffected: uvicorn installs its own
    handler for a graceful stop.)
    """
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point: one-line errors, never a traceback for bad input."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
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

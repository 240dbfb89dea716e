"""The terminal view of an Analysis dict: summary, then the article with coloured spans.

Article text and every string from the dict go through :class:`rich.text.Text`
and are never interpreted as rich markup, so ``[bold]`` or ``[link=...]`` in
an article prints literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from spinscope.report import view

__all__ = ["print_analysis"]


def _segment_style(hits: tuple[view.Hit, ...]) -> str:
    """Category tint as background; bold underline where techniques of several categories overlap."""
    cats = view.categories()
    strong = list(dict.fromkeys(h.category for h in hits if h.kind == "span"))
    if not strong:  # token evidence only: a dotted-looking underline in the category colour
        return f"underline {cats[hits[0].category].colour}"
    style = f"black on {cats[strong[0]].tint}"
    return style + " bold underline" if len(strong) > 1 else style


def _swatch(category: view.Category) -> Text:
    return Text("■ ", style=category.colour)


def _summary(analysis: Mapping[str, Any], summary: view.Summary) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    genres = Text()
    for i, (name, p, top) in enumerate(view.genre_rows(analysis)):
        genres.append(" · " if i else "")
        genres.append(f"{name} {p:.2f}", style="bold" if top else "")
    grid.add_row("genre", genres or Text("none"))
    grid.add_row("frames", Text(", ".join(f"{n} {s:.2f}" for n, s, _ in summary.frames) or "none"))
    counts = Text()
    for cat, n in summary.by_category:
        counts.append_text(_swatch(cat))
        counts.append(f"{cat.name} {n}   ")
    grid.add_row("techniques", counts)
    grid.add_row(
        "density",
        Text(
            f"{summary.density:.1f} technique labels per 100 words "
            f"({summary.labels} paragraph labels / {summary.words} words)"
        ),
    )
    domain, badges = view.narrative_badges(analysis)
    if domain:
        shown = Text(f"{domain}: ")
        for i, b in enumerate(x for x in badges if not x.sub):
            shown.append(" · " if i else "")
            shown.append(f"{b.short} {b.score:.2f}", style="bold" if b.dominant else "")
        if not any(not b.sub for b in badges):
            shown.append("no narrative of the two taxonomies")
        grid.add_row("narratives", shown)
    doc = analysis.get("document") or {}
    lang = doc.get("language") or {}
    facts = [
        ("source", doc.get("source")), ("published", doc.get("published")), ("place", doc.get("place")),
        ("language", f"{lang.get('code')} ({float(lang.get('confidence') or 0):.2f})" if lang else None),
    ]  # fmt: skip
    for key, value in facts:
        if isinstance(value, str) and value:
            grid.add_row(key, Text(value))
    return grid


def _print_quotes(analysis: Mapping[str, Any], console: Console) -> None:
    quotes = analysis.get("quotes")
    if not isinstance(quotes, list) or not quotes:
        return
    table = Table("¶", "quote", "speaker", "cue", "edits inside the marks", title="Quotes", expand=True)
    for q in quotes:
        speech = q.get("kind") == "speech"
        edits = [f"{i.get('text', '')} {i.get('kind', '')}" for i in q.get("insertions") or ()]
        truncated = q.get("truncated") or {}
        edits += [side + " cut" for side in ("left", "right") if truncated.get(side)]
        table.add_row(
            Text(str((q.get("paragraphs") or [""])[0])),
            Text(str(q.get("text", "")) + ("" if speech else "  (scare quote)"), style="" if speech else "dim"),
            Text(str(q.get("speaker") or ("unattributed" if speech else "—"))),
            Text(str((q.get("cue") or {}).get("text") or "—")),
            Text("; ".join(edits) or "none"),
        )
    console.print(table)


def _print_entities(analysis: Mapping[str, Any], console: Console) -> None:
    columns = view.entity_columns(analysis)
    if not any(columns.values()):
        return
    table = Table(*(title for _, title in view.ROLE_COLUMNS), title="How the article casts who it names", expand=True)
    cells = []
    for role, _ in view.ROLE_COLUMNS:
        cell = Text()
        for i, row in enumerate(columns[role][:12]):
            cell.append("\n" if i else "")
            cell.append(row.name, style="bold")
            extra = ", ".join(r for r, _ in row.fine_roles)
            cell.append(f"  {extra} {row.confidence:.2f} ×{row.mentions}")
        cells.append(cell)
    table.add_row(*cells)
    console.print(table)
    n = analysis.get("narratives") or {}
    evidence = [e for e in n.get("evidence") or () if isinstance(e, Mapping)]
    if evidence:
        console.print(Text(f"Evidence for {n.get('dominant')}:", style="bold"))
        for e in evidence:
            console.print(Text(f"  “{e.get('text', '')}”"))


def print_analysis(analysis: Mapping[str, Any], console: Console) -> None:
    """Print one ``Analysis.to_dict()`` dict: summary, then paragraphs with highlighted spans."""
    doc = analysis.get("document") or {}
    title = doc.get("title") or ""
    console.rule(Text(f"{doc.get('id', '')}: {title}" if title else str(doc.get("id", "")), style="bold"))
    for warning in analysis.get("warnings") or ():
        console.print(Text(f"warning: {warning}", style="yellow"))
    paras = view.paragraphs(analysis)
    summary = view.summarise(analysis, paras)
    console.print(_summary(analysis, summary))
    table = Table("#", "paragraph (highlighted spans)", "techniques", expand=True, show_lines=True)
    table.columns[0].no_wrap = True
    cats = view.categories()
    for p in paras:
        shown = Text()
        for seg in p.segments:
            shown.append(seg.text, style=_segment_style(seg.hits) if seg.hits else "")
        tags = Text()
        for i, lab in enumerate(p.labels):
            tags.append("\n" if i else "")
            tags.append_text(_swatch(cats[lab.category]))
            tags.append(f"{lab.name} {lab.score:.2f}")
        table.add_row(str(p.index), shown, tags)
    console.print(table)
    _print_quotes(analysis, console)
    _print_entities(analysis, console)
    legend = Text("colours: ")
    for cat, _n in summary.by_category:
        legend.append(f" {cat.name} ", style=f"black on {cat.tint}")
        legend.append(" ")
    legend.append("; bold underline = categories overlap", style="dim")
    console.print(legend)

"""RawArticle -> Document: normalise, segment, clean, detect language.

The Document's text is assembled from the kept paragraphs. Between two
paragraphs that were neighbours in the source, the source's own whitespace
is kept, so a SemEval article that needs no cleaning comes out identical to
its file and every gold offset applies unchanged. Where a paragraph was
dropped, a blank line (``"\\n\\n"``) separates its neighbours instead, and
the offset map records the jump.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from spinscope.document import Document, IngestNote, OffsetMap, Paragraph
from spinscope.errors import InputError
from spinscope.ingest.clean import CleanResult, clean_blocks
from spinscope.ingest.langid import detect_language
from spinscope.ingest.normalize import Normalised, normalise
from spinscope.ingest.raw import Layout, RawArticle, ReadOptions
from spinscope.ingest.segment import Block, looks_like_title, segment

__all__ = ["build_document", "derive_id", "document_from_text"]

_SEPARATOR = "\n\n"


def derive_id(name: str, text: str) -> str:
    """A stable id: SemEval-style ``article<ID>`` names give ``<ID>``, files their stem,
    anything else a short content hash."""
    if name in {"stdin", "-", ""} or "://" in name:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    stem = PurePath(name.split(":", 1)[0] if re.search(r":\d+$", name) else name).stem
    m = re.fullmatch(r"article(\d+)", stem)
    return m.group(1) if m else stem


def _assemble(
    norm: Normalised, blocks: list[Block], kept: list[Block], *, join_wraps: bool
) -> tuple[str, list[Paragraph], OffsetMap]:
    """Build the document text, paragraphs (kinds filled later) and offset map."""
    n2s = OffsetMap(norm.breakpoints)
    norm_points = sorted(bp[0] for bp in norm.breakpoints)
    order = {id(b): i for i, b in enumerate(blocks)}
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    points: list[tuple[int, int]] = []
    pos = 0
    prev: Block | None = None

    def add_segment(ns: int, ne: int) -> None:
        nonlocal pos
        points.append((pos, n2s.to_source(ns)))
        for nb in norm_points:
            if ns < nb < ne:
                points.append((pos + nb - ns, n2s.to_source(nb)))
        chunk = norm.text[ns:ne]
        pieces.append(chunk)
        pos += len(chunk)

    for block in kept:
        if prev is not None:
            if order[id(block)] == order[id(prev)] + 1:
                add_segment(prev.end, block.start)  # the source's own whitespace
            else:
                points.append((pos, n2s.to_source(prev.end)))
                pieces.append(_SEPARATOR)
                pos += len(_SEPARATOR)
        start = pos
        add_segment(block.start, block.end)
        if join_wraps:
            # Hard-wrapped lines become one line: same length, so offsets hold.
            pieces[-1] = pieces[-1].replace("\n", " ")
        paragraphs.append(Paragraph(start=start, end=pos, line=block.line))
        prev = block
    return "".join(pieces), paragraphs, OffsetMap(points or [(0, 0)])


def build_document(raw: RawArticle, options: ReadOptions | None = None) -> Document:
    """Turn one reader's output into a :class:`Document` (see module docstring)."""
    options = options or ReadOptions()
    if not raw.text.strip():
        raise InputError("E101", raw.name, "input is empty")
    notes: list[IngestNote] = list(raw.notes)
    if options.clean:
        norm = normalise(raw.text)
        notes.extend(IngestNote("normalised", d) for d in norm.describe())
    else:
        norm = Normalised(text=raw.text)
    blocks, layout = segment(norm.text, raw.layout)
    if not blocks:
        raise InputError("E106", raw.name, "input has no text paragraphs")
    if raw.layout == "auto":
        notes.append(IngestNote("layout", f"paragraph layout detected as {layout!r}"))
    title_line = raw.title_line
    if title_line is None:
        title_line = looks_like_title(norm.text, blocks)
    title_index = 0 if title_line else None
    if options.clean:
        cleaned = clean_blocks(norm.text, blocks, title_index=title_index)
    else:
        cleaned = CleanResult(kept=list(blocks))
    n2s = OffsetMap(norm.breakpoints)
    notes.extend(
        IngestNote(n.action, n.detail, n2s.to_source(n.source_start), n2s.to_source(n.source_end or 0))
        if n.source_start is not None
        else n
        for n in cleaned.notes
    )
    if not any(i != 0 or title_index is None for i, _ in enumerate(cleaned.kept)):
        raise InputError("E106", raw.name, "no article paragraphs left after cleaning")

    text, paragraphs, offset_map = _assemble(
        norm, blocks, cleaned.kept, join_wraps=options.clean and layout == "blocks"
    )
    if title_index is not None:
        first = paragraphs[0]
        paragraphs[0] = Paragraph(first.start, first.end, first.line, kind="title")
    title = raw.title or (text[paragraphs[0].start : paragraphs[0].end] if title_index is not None else None)

    language = None
    if options.detect_language:
        body = "\n".join(text[p.start : p.end] for p in paragraphs if p.kind == "body")
        language = detect_language(body or text)
        if language is None:
            notes.append(IngestNote("language", "too little text to identify the language"))

    source = raw.source or cleaned.outlet
    return Document(
        id=raw.id or derive_id(raw.name, raw.text),
        text=text,
        paragraphs=tuple(paragraphs),
        title=title,
        language=language,
        source=source,
        url=raw.url,
        author=raw.author,
        published=raw.published or cleaned.published,
        place=cleaned.place,
        origin=raw.name,
        input_format=raw.input_format,
        notes=tuple(notes),
        offset_map=offset_map,
        meta=dict(raw.meta, layout=layout),
    )


def document_from_text(
    text: str,
    *,
    name: str = "text",
    layout: Layout = "auto",
    title_line: bool | None = None,
    clean: bool = True,
    detect_language: bool = True,
    doc_id: str | None = None,
) -> Document:
    """Build a Document straight from a string.

    Dataset loaders call it with ``layout="lines", title_line=True,
    clean=False`` so the Document's text equals the article file and the
    paragraph ``line`` numbers equal the dataset's line numbers.

    >>> doc = document_from_text("A title\\n\\nFirst paragraph.\\n\\nSecond one.", detect_language=False)
    >>> [doc.paragraph_text(i) for i in range(len(doc.paragraphs))]
    ['A title', 'First paragraph.', 'Second one.']
    """
    raw = RawArticle(name=name, text=text, input_format="text", layout=layout, title_line=title_line, id=doc_id)
    return build_document(raw, ReadOptions(clean=clean, detect_language=detect_language))

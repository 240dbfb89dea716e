"""HTML pages to a :class:`RawArticle`: main text and metadata via trafilatura.

Boilerplate removal (navigation, footers, cookie banners, comments) is left
to trafilatura, which is maintained against real news sites; hand-written tag
stripping would keep menus and drop articles. This module only decodes the
bytes, calls :func:`trafilatura.bare_extraction` once, and maps its result
onto the fields the shared cleaning stage expects.
"""

from __future__ import annotations

import codecs
import re
from typing import Any
from urllib.parse import urlsplit

from spinscope.document import IngestNote
from spinscope.errors import InputError
from spinscope.ingest.decode import decode_bytes
from spinscope.ingest.raw import RawArticle

__all__ = ["decode_page", "extract_html", "looks_like_html"]

#: Below this many words the "article" is a menu label or a stray caption,
#: not the roughly one sentence the analyses need.
MIN_BODY_WORDS = 5

# The charset declaration must appear in the first 1024 bytes (HTML spec), so
# a regex over that window is enough; no need to parse the page twice.
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_PROLOG = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>", re.IGNORECASE)

# A document that *starts* with one of these tags (after a BOM, an XML prolog
# or comments) is HTML; <html>, <head>, <body> or a doctype anywhere in the
# head of the input are also decisive. A plain-text article rarely has either.
_HTML_START = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|article|p)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_NEAR = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)

# Per the WHATWG encoding standard these labels mean windows-1252, which
# browsers use for them; Python's latin-1 would turn curly quotes into C1 controls.
# (Codec names as ``codecs.lookup`` spells them.)
_WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})


def looks_like_html(text_head: str) -> bool:
    """Whether *text_head* (the first KB or so of an input) is an HTML page.

    Used to pick a reader from content when neither the file extension nor a
    content type says what the input is.
    """
    if _HTML_START.match(text_head):
        return True
    return _HTML_NEAR.search(text_head[:1024]) is not None


def _normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if unknown."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None  # unknown label: let detection decide
    return "cp1252" if codec in _WINDOWS_1252_ALIASES else codec


def _declared_charset(data: bytes) -> str | None:
    """The ``<meta charset>`` (or http-equiv) label in the first 1024 bytes."""
    match = _META_CHARSET.search(data[:1024])
    return _normalise_charset(match.group(1).decode("ascii", "replace")) if match else None


def decode_page(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode web bytes: valid UTF-8 wins, then the declared charset, then detection.

    *encoding* is a charset declared outside the bytes (an HTTP header); it
    is preferred to a ``<meta charset>`` found in the first 1024 bytes.
    ``iso-8859-1`` and ``ascii`` labels are read as windows-1252, as browsers do.

    Declarations are often wrong on the web (UTF-8 pages labelled latin-1 are
    common), while non-ASCII text that happens to be valid UTF-8 almost
    never is anything else, so a successful strict UTF-8 decode is trusted.
    """
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        # UTF-16 is full of NUL bytes, which the binary check would refuse.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not really UTF-16: the checks below give the right error
        else:
            if not text.strip():
                raise InputError("E101", name, "input is empty")
            return text
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _normalise_charset(encoding) or _declared_charset(data)
        return decode_bytes(data, name, encoding=declared, detect=True)
    return decode_bytes(data, name, detect=True)


#: A text run the extractor left out is recovered when it reads as prose: this
#: many words at least, ending like a sentence, and lying between two
#: paragraphs the extractor kept (outside them it is sidebars and menus).
_RECOVER_MIN_WORDS = 8
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "head"})
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


def _fingerprint(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _text_runs(html: str) -> list[str]:
    """Every text node of the page's body, in document order, whitespace collapsed.

    lxml's HTML parser repairs broken markup (unclosed ``<div><span>``) the
    way browsers do, so text that a tag left open still comes out here.
    """
    import lxml.html  # type: ignore[import-untyped]

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    runs: list[str] = []
    # Iterative walk (text, children, tail) so deeply nested pages cannot exhaust the stack.
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if el.tail and el.tail.strip():
                runs.append(" ".join(el.tail.split()))
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        stack.append((el, True))
        if tag.lower() in _SKIP_TAGS or not tag:
            continue
        if el.text and el.text.strip():
            runs.append(" ".join(el.text.split()))
        stack.extend((child, False) for child in reversed(el))
    return runs


def _recover_dropped(html: str, body: list[str]) -> tuple[list[str], list[IngestNote]]:
    """Put back prose runs the extractor dropped between kept paragraphs, with a note each.

    trafilatura's precision mode can lose a paragraph whose tags are left
    open; the repaired parse still has its text. A run counts as kept when
    its words appear in the extracted text; a dropped run is re-inserted
    after the paragraph holding the nearest kept run before it.
    """
    if not body:
        return body, []
    prints = [_fingerprint(p) for p in body]
    joined = " \n ".join(prints)

    def where(run_print: str) -> int | None:
        return next((i for i, p in enumerate(prints) if run_print in p), None)

    runs = [(r, _fingerprint(r)) for r in _text_runs(html)]
    located = [where(fp) if fp else None for _, fp in runs]
    inserts: dict[int, list[str]] = {}
    notes: list[IngestNote] = []
    for k, ((run, fp), at) in enumerate(zip(runs, located, strict=True)):
        if at is not None or not fp or fp in joined:
            continue
        if len(run.split()) < _RECOVER_MIN_WORDS or not _SENTENCE_END.search(run):
            continue
        before = next((located[j] for j in range(k - 1, -1, -1) if located[j] is not None), None)
        after = next((located[j] for j in range(k + 1, len(runs)) if located[j] is not None), None)
        if before is None or after is None:
            continue  # outside the article's paragraphs: a sidebar, a menu, a comment
        inserts.setdefault(before, []).append(run)
        shown = run if len(run) <= 80 else run[:77] + "..."
        notes.append(
            IngestNote(
                "recovered",
                f"the HTML extractor dropped a paragraph (likely broken markup around it); put back: {shown!r}",
            )
        )
    if not inserts:
        return body, []
    out: list[str] = []
    for i, para in enumerate(body):
        out.append(para)
        out.extend(inserts.get(i, []))
    return out, notes


def _same_words(a: str, b: str) -> bool:
    return a.casefold().split() == b.casefold().split()


def _run_trafilatura(html: str, url: str | None) -> dict[str, Any] | None:
    # Imported here: trafilatura pulls in lxml, htmldate and dateparser,
    # which text-only runs should not pay for at import time.
    import trafilatura

    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=True,
    )
    if result is None:
        return None
    # trafilatura 2.x returns a settings.Document; 1.x returned a dict.
    return result if isinstance(result, dict) else result.as_dict()


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def extract_html(
    data: bytes | str,
    *,
    name: str,
    url: str | None = None,
    encoding: str | None = None,
) -> RawArticle:
    """Extract the main article text and metadata of an HTML page.

    Parameters
    ----------
    data:
        The page, as bytes (decoded here) or already-decoded text.
    name:
        What to call the input in errors: a path or URL.
    url:
        Where the page came from; used when the page has no canonical URL,
        and by trafilatura to resolve relative links and dates.
    encoding:
        A charset declared outside the page (an HTTP ``Content-Type``); it is
        preferred to the page's own ``<meta charset>``.

    Returns
    -------
    RawArticle
        ``layout="lines"``; ``text`` is the title (if found) followed by
        one body paragraph per line, paragraphs separated by a blank line.

    Raises
    ------
    InputError
        ``E101``/``E102``/``E104`` from decoding, or ``E105`` when the page
        has no article text that trafilatura could find.
    """
    html = data if isinstance(data, str) else decode_page(data, name, encoding)
    if not html.strip():
        raise InputError("E101", name, "input is empty")
    # lxml refuses str input that carries an XML encoding declaration (XHTML
    # pages); the text is already decoded, so the declaration is moot.
    html = _XML_PROLOG.sub("", html, count=1)

    meta = _run_trafilatura(html, url) or {}
    # One paragraph per line; whitespace runs inside a line are layout, not text.
    body = [line for line in map(_clean, (meta.get("text") or "").splitlines()) if line]
    title = _clean(meta.get("title"))
    # trafilatura keeps the article's <h1> in the text; when it repeats the
    # title it would become a duplicate first paragraph.
    if title and body and _same_words(body[0], title):
        body = body[1:]
    body, recovered = _recover_dropped(html, body)
    if sum(len(line.split()) for line in body) < MIN_BODY_WORDS:
        raise InputError("E105", name, "HTML page has no article text that could be extracted")

    canonical = _clean(meta.get("url"))
    sitename = _clean(meta.get("sitename"))
    author = _clean(meta.get("author"))
    published = _clean(meta.get("date"))
    found = [
        label
        for label, present in (
            ("title", title),
            ("author", author),
            ("date", published),
            # Without og:site_name trafilatura falls back to the URL's host
            # name: still a usable outlet name, but not something the page said.
            ("site name", sitename and sitename.lower().removeprefix("www.") != _host(url)),
            ("canonical URL", canonical and canonical != url),
        )
        if present
    ]

    text = "\n\n".join([title, *body] if title else body)
    article = RawArticle(
        name=name,
        text=text,
        input_format="html",
        layout="lines",
        title_line=bool(title),
        title=title,
        url=canonical or url,
        source=sitename,
        author=author,
        published=published,
    )
    detail = "from the page: " + ", ".join(found) if found else "no metadata found on the page"
    article.notes.append(IngestNote("metadata", detail))
    article.notes.extend(recovered)
    return article

"""Unicode and whitespace normalisation that remembers where every character came from.

The normalised text differs from the source only in ways that do not change
what the article says: NFC composition, line endings, exotic spaces, runs of
spaces, invisible format characters and stray control characters. Every
change that alters the length is recorded as a breakpoint
``(normalised_pos, source_pos)`` so offsets can be mapped back exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Normalised", "normalise"]

# Length-preserving replacements: exotic spaces become a plain space, and the
# Unicode line/paragraph separators become newlines so segmentation sees them.
_SPACE_CHARS = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_NEWLINE_CHARS = "\u2028\u2029\x0b\x0c\x85"
# Characters removed outright: soft hyphen, zero-width space, word joiner, BOM,
# and C0/C1 controls other than tab/newline (which never carry meaning in news).
# ZWJ/ZWNJ stay: they change rendering in Indic and Persian scripts and emoji.
_DROP_CHARS = "\u00ad\u200b\u2060\ufeff"
_CONTROL = "".join(chr(c) for c in [*range(9), *range(14, 32), 127, *range(128, 133), *range(134, 160)])

_SPECIAL = re.compile(
    "\r\n?"  # CRLF or lone CR -> LF
    f"|[{re.escape(_DROP_CHARS + _CONTROL)}]+"
    f"|[ {re.escape(_SPACE_CHARS)}]{{2,}}"  # runs of spaces -> one space
    f"|[{re.escape(_SPACE_CHARS)}]"
    f"|[{re.escape(_NEWLINE_CHARS)}]"
)

_ACTION_OF = {
    "crlf": "line endings converted to LF",
    "drop": "invisible or control characters removed",
    "spaces": "runs of spaces collapsed",
    "space": "non-standard spaces replaced by plain spaces",
    "newline": "Unicode line separators replaced by newlines",
    "nfc": "characters composed to Unicode NFC",
}


@dataclass
class Normalised:
    """Normalised text, its breakpoints back to the source, and change counts."""

    text: str
    breakpoints: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    changes: Counter[str] = field(default_factory=Counter)

    def describe(self) -> list[str]:
        """One human sentence per kind of change, with counts."""
        return [f"{_ACTION_OF[k]} ({n}x)" for k, n in sorted(self.changes.items())]


def _classify(match: str) -> tuple[str, str]:
    """Return (kind, replacement) for one special match."""
    first = match[0]
    if first == "\r":
        return "crlf", "\n"
    if first in _DROP_CHARS or first in _CONTROL:
        return "drop", ""
    if len(match) > 1:
        return "spaces", " "
    if first in _NEWLINE_CHARS:
        return "newline", "\n"
    return "space", " "


def _nfc_with_breakpoints(chunk: str, out_pos: int, src_pos: int, result: Normalised) -> str:
    """NFC one chunk cluster by cluster, so each length change gets a breakpoint."""
    if unicodedata.is_normalized("NFC", chunk):
        return chunk
    pieces: list[str] = []
    i = 0
    n = len(chunk)
    while i < n:
        j = i + 1
        # A cluster is a starter followed by its combining marks.
        while j < n and unicodedata.combining(chunk[j]):
            j += 1
        cluster = chunk[i:j]
        composed = unicodedata.normalize("NFC", cluster)
        pieces.append(composed)
        out_pos += len(composed)
        if len(composed) != len(cluster):
            result.changes["nfc"] += 1
            result.breakpoints.append((out_pos, src_pos + j))
        i = j
    return "".join(pieces)


def normalise(source: str) -> Normalised:
    """Normalise *source*; see the module docstring for what changes."""
    result = Normalised(text="")
    out: list[str] = []
    out_pos = 0
    src_pos = 0
    for m in _SPECIAL.finditer(source):
        if m.start() > src_pos:
            chunk = _nfc_with_breakpoints(source[src_pos : m.start()], out_pos, src_pos, result)
            out.append(chunk)
            out_pos += len(chunk)
        kind, repl = _classify(m.group())
        result.changes[kind] += 1
        out.append(repl)
        out_pos += len(repl)
        src_pos = m.end()
        if len(repl) != len(m.group()):
            result.breakpoints.append((out_pos, src_pos))
    if src_pos < len(source):
        chunk = _nfc_with_breakpoints(source[src_pos:], out_pos, src_pos, result)
        out.append(chunk)
    result.text = "".join(out)
    return result

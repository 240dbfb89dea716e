"""Bytes to text: size cap, binary detection and encoding checks.

UTF-8 (with or without BOM) is accepted as is, and so is UTF-16 or UTF-32
with a byte-order mark, and UTF-16 without one when the bytes show its
pattern unmistakably (one byte of most pairs zero: Latin-script text).
Anything else is refused with a clear message unless the caller names an
encoding (``--encoding``, :attr:`ReadOptions.encoding`), or allows detection
with charset-normalizer -- silently guessing would corrupt offsets and
language detection without anyone noticing.
"""

from __future__ import annotations

import codecs

from spinscope.errors import InputError

__all__ = ["decode_bytes", "check_encoding", "check_size", "looks_binary", "unicode_codec"]

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# UTF-16 without a BOM: in text written mostly in one script below U+0100
# (or in one 256-character block), one byte of each pair is zero. A share of
# zeros this lopsided between even and odd bytes does not occur in UTF-8 text
# (which has no NULs) nor in binary files (whose zeros fall anywhere).
_UTF16_ZERO_SIDE = 0.4
_UTF16_OTHER_SIDE = 0.02

# Control characters that never occur in real text files; tab, LF, CR and FF do.
_BINARY_BYTES = frozenset(range(0, 32)) - {9, 10, 12, 13}


def check_size(name: str, size: int, max_bytes: int) -> None:
    """Refuse an input over the cap before reading it all into memory."""
    if size > max_bytes:
        raise InputError(
            "E103",
            name,
            f"input is {size:,} bytes, over the {max_bytes:,}-byte cap "
            "(raise it with --max-bytes)",
        )


def check_encoding(encoding: str) -> str:
    """The codec name Python uses for *encoding*, or a one-line :class:`InputError` ``E700``."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError("E700", encoding, "unknown encoding (try utf-8, utf-16, cp1252, latin-1)") from None


def unicode_codec(data: bytes) -> str | None:
    """The codec of UTF-16/32 (or UTF-8 with a BOM) *data* from its BOM or byte pattern, else None.

    >>> unicode_codec("Grain talks".encode("utf-16-le"))
    'utf-16-le'
    >>> unicode_codec(b"plain ASCII") is None
    True
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    head = data[:8192]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd >= _UTF16_ZERO_SIDE and zeros_even <= _UTF16_OTHER_SIDE:
        return "utf-16-le"
    if zeros_even >= _UTF16_ZERO_SIDE and zeros_odd <= _UTF16_OTHER_SIDE:
        return "utf-16-be"
    return None


def _text_looks_binary(text: str) -> bool:
    head = text[:8192]
    if "\x00" in head:
        return True
    controls = sum(1 for c in head if ord(c) in _BINARY_BYTES)
    return bool(head) and controls / len(head) > 0.05


def _decode_as(data: bytes, name: str, codec: str, why: str) -> str:
    """*data* decoded with *codec* (chosen because of *why*), or a one-line error."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            "E701",
            name,
            f"input is not valid {codec} ({why}): bad bytes at offset {exc.start}; pass the right --encoding",
        ) from exc
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("E101", name, "input is empty")
    if _text_looks_binary(text):
        raise InputError("E102", name, f"input looks like a binary file, not text (read as {codec}, {why})")
    return text


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or many control characters in the first 8 KB."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(1 for b in head if b in _BINARY_BYTES)
    return controls / len(head) > 0.05


def decode_bytes(
    data: bytes,
    name: str,
    *,
    encoding: str | None = None,
    detect: bool = False,
    forced: str | None = None,
) -> str:
    """Decode *data* for input *name*, or raise a one-line :class:`InputError`.

    Parameters
    ----------
    encoding:
        A hint (e.g. a charset from an HTTP header), tried before UTF-8; a
        wrong hint falls through to the usual checks.
    detect:
        When UTF-8 fails, let charset-normalizer pick an encoding (used for
        web pages, whose declared charset is often wrong); otherwise fail.
    forced:
        The user's ``--encoding``: used for every byte, no fallback; bytes
        it cannot decode are an error (``E701``).
    """
    if not data.strip():
        raise InputError("E101", name, "input is empty")
    if forced:
        return _decode_as(data, name, check_encoding(forced), "as --encoding says")
    codec = unicode_codec(data)
    if codec is not None and codec != "utf-8-sig":
        return _decode_as(data, name, codec, "byte-order mark" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "byte pattern")
    if looks_binary(data):
        raise InputError("E102", name, "input looks like a binary file, not text")
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declared charset is common on the web; fall through
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if detect:
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
            if best is not None:
                return str(best)
        raise InputError(
            "E104",
            name,
            f"input is not valid UTF-8 (bad byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 or pass --encoding",
        ) from exc

"""Bytes to text: size cap, binary detection and encoding checks.

UTF-8 (with or without BOM) is accepted as is. Anything else is refused with
a clear message unless the caller names an encoding, or allows detection
with charset-normalizer -- silently guessing would corrupt offsets and
language detection without anyone noticing.
"""

from __future__ import annotations

from spinscope.errors import InputError

__all__ = ["decode_bytes", "check_size", "looks_binary"]

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
) -> str:
    """Decode *data* for input *name*, or raise a one-line :class:`InputError`.

    Parameters
    ----------
    encoding:
        Use this encoding (e.g. a charset from an HTTP header) instead of UTF-8.
    detect:
        When UTF-8 fails, let charset-normalizer pick an encoding (used for
        web pages, whose declared charset is often wrong); otherwise fail.
    """
    if not data.strip():
        raise InputError("E101", name, "input is empty")
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

"""Fetch one article over HTTP(S) with httpx, defensively.

A URL on the command line is untrusted input: the server may hang, trickle
bytes, redirect forever, send gigabytes or a PDF. Every one of those ends in
a one-line :class:`~spinscope.errors.FetchError` with a stable code:

====  ==========================================================
E110  not an http(s) URL (also for a redirect to another scheme)
E111  timed out (connect, read, or the whole fetch)
E112  too many redirects
E103  body over ``ReadOptions.max_bytes`` (header or streamed)
E113  HTTP status outside 2xx
E114  content type is neither HTML nor plain text
E115  network failure: could not connect, or the connection broke
E785  the host is (or resolves to) a loopback, private, link-local,
      multicast, reserved or unspecified address, and
      ``ReadOptions.allow_private`` is off (server mode)
====  ==========================================================

Redirects are followed by hand rather than by httpx so that each hop gets
the scheme check, the remaining time budget, and no unbounded body read.

With ``ReadOptions.allow_private=False`` (what ``spinscope serve`` uses)
every hop's host is resolved once and each address checked
(:mod:`spinscope.ingest.addresses`); the request then goes to the checked
IP address itself, with the name in the ``Host`` header and as the TLS
server name (SNI, which the certificate is verified against), so no second
DNS lookup can send it elsewhere. Proxy environment variables are ignored in
that mode: the connection must go to the address that was checked. The
command-line default allows private addresses: there the person fetching
is the person who owns the network.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from email.message import Message
from http import HTTPStatus
from urllib.parse import urlsplit

import httpx

from spinscope.document import IngestNote
from spinscope.errors import FetchError
from spinscope.ingest.addresses import Resolver, resolve_public
from spinscope.ingest.decode import decode_bytes, looks_binary
from spinscope.ingest.html import decode_page, extract_html, looks_like_html
from spinscope.ingest.raw import RawArticle, ReadOptions

__all__ = ["fetch_url", "user_agent"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain"})
_SCHEMES = frozenset({"http", "https"})


def user_agent() -> str:
    """The User-Agent sent with every request, so site owners can tell who we are."""
    try:
        # Imported lazily: the package root may import ingest, and a missing
        # version must never stop a fetch.
        from spinscope.version import __version__ as version
    except ImportError:
        version = "0"
    return f"spinscope/{version} (news persuasion analysis; python-httpx/{httpx.__version__})"


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, or its class name if it has none."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_scheme(subject: str, url: str) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise FetchError("E110", subject, "URL has no scheme; only http and https URLs can be fetched")
    if scheme not in _SCHEMES:
        raise FetchError("E110", subject, f"only http and https URLs can be fetched, not {scheme!r}")
    if not parts.hostname:
        raise FetchError("E110", subject, "URL has no host name")


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    """The media type (lower case, no parameters) and charset of a response."""
    header = response.headers.get("content-type", "")
    if not header.strip():
        return "", None
    # email.message parses MIME parameters with quoting rules we'd get wrong.
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type().lower(), charset if isinstance(charset, str) else None


def _read_capped(response: httpx.Response, subject: str, options: ReadOptions, deadline: float) -> bytes:
    """Read the body, stopping past ``max_bytes`` or past the deadline.

    The per-read timeout alone would let a server that sends a byte every
    few seconds keep us forever, hence the wall-clock deadline between chunks.
    Decoded (decompressed) bytes are counted so a gzip bomb also hits the cap.
    """
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > options.max_bytes:
        raise FetchError(
            "E103",
            subject,
            f"response is {int(declared):,} bytes (Content-Length), over the "
            f"{options.max_bytes:,}-byte cap (raise it with --max-bytes)",
        )
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > options.max_bytes:
            raise FetchError(
                "E103",
                subject,
                f"response is over the {options.max_bytes:,}-byte cap "
                "(stopped reading; raise it with --max-bytes)",
            )
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise FetchError("E111", subject, f"timed out after {options.timeout_s:g}s")
    return b"".join(chunks)


def _translate(exc: httpx.HTTPError, subject: str, options: ReadOptions) -> FetchError:
    """Map an httpx exception to the FetchError a user sees."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("E111", subject, f"timed out after {options.timeout_s:g}s")
    if isinstance(exc, httpx.ConnectError):
        return FetchError("E115", subject, f"could not connect: {_one_line(exc)}")
    if isinstance(exc, httpx.DecodingError):  # e.g. a body that claims gzip but is not
        return FetchError("E115", subject, f"response body could not be decoded: {_one_line(exc)}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("E110", subject, f"cannot be fetched: {_one_line(exc)}")
    return FetchError("E115", subject, f"connection failed: {_one_line(exc)}")


class _Pinned:
    """Sends each hop to an address checked as public, never to a second DNS answer."""

    def __init__(self, subject: str, resolver: Resolver | None, allowed: Collection[str]) -> None:
        self.subject = subject
        self.resolver = resolver
        self.allowed = allowed

    def send(self, client: httpx.Client, url: httpx.URL, remaining: float) -> httpx.Response:
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        started = time.monotonic()
        addresses = resolve_public(
            self.subject, host, port, timeout_s=remaining, resolver=self.resolver, allowed=self.allowed
        )
        # The name goes in the Host header and, for https, in SNI, which the
        # certificate is verified against; the socket goes to the checked address.
        headers = {"Host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        for number, address in enumerate(addresses, start=1):
            left = remaining - (time.monotonic() - started)
            if left <= 0:
                raise FetchError("E111", self.subject, "timed out connecting")
            request = client.build_request(
                "GET", url.copy_with(host=address), headers=headers, timeout=left, extensions=extensions
            )
            try:
                return client.send(request, stream=True, follow_redirects=False)
            except httpx.ConnectError:
                if number == len(addresses):  # the next address may answer; the last one's failure stands
                    raise
        raise AssertionError("resolve_public returns at least one address")  # pragma: no cover


def _fetch(client: httpx.Client, subject: str, options: ReadOptions, pinned: _Pinned | None) -> RawArticle:
    """Follow redirects by hand up to the limit, then read the final response."""
    deadline = time.monotonic() + options.timeout_s
    redirects = 0
    target: httpx.URL | str = subject
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("E111", subject, f"timed out after {options.timeout_s:g}s")
        # Each hop may only use what is left of the overall budget.
        if pinned is None:
            request = client.build_request("GET", target, timeout=remaining)
            response = client.send(request, stream=True, follow_redirects=False)
        else:
            target = httpx.URL(target)
            response = pinned.send(client, target, remaining)
        try:
            if response.next_request is None:
                final = None if pinned is None else str(target)
                return _finish(response, subject, options, deadline, redirects, final)
            # A redirect: its body is never read, only its Location. A pinned request's
            # URL holds the IP address, so the Location is resolved against the name instead.
            if pinned is None:
                target = response.next_request.url
            else:
                target = httpx.URL(target).join(response.headers["location"])
        finally:
            response.close()
        redirects += 1
        if redirects > options.max_redirects:
            raise FetchError(
                "E112",
                subject,
                f"more than {options.max_redirects} redirects (the last one to {target})",
            )
        _check_scheme(subject, str(target))


def _finish(
    response: httpx.Response,
    subject: str,
    options: ReadOptions,
    deadline: float,
    redirects: int,
    final: str | None = None,
) -> RawArticle:
    """Check status and type of the final response, read it, hand it to a reader.

    ``final`` is the URL fetched when the request went to a pinned address
    (the response's own URL then holds the IP address, not the name).
    """
    final_url = final or str(response.url)
    where = f" at {final_url}" if final_url != subject else ""
    if not 200 <= response.status_code < 300:
        try:
            phrase = response.reason_phrase or HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = ""
        raise FetchError("E113", subject, f"HTTP {response.status_code} {phrase}".rstrip() + where)
    # Check the type before reading, so a large PDF is never downloaded.
    media_type, charset = _content_type(response)
    if media_type and media_type not in _HTML_TYPES | _TEXT_TYPES:
        raise FetchError("E114", subject, f"content type {media_type!r} is not HTML or text")
    data = _read_capped(response, subject, options, deadline)

    if not media_type:
        # No Content-Type at all: sniff, as browsers do, but never accept binary.
        if looks_binary(data):
            raise FetchError("E114", subject, "response has no content type and looks binary")
        head = data[:2048].decode("utf-8", "replace")
        media_type = "text/html" if looks_like_html(head) else "text/plain"

    if options.encoding:  # the user's --encoding beats the server's charset and the page's
        forced = decode_bytes(data, subject, forced=options.encoding)
    if media_type in _HTML_TYPES:
        page = forced if options.encoding else data
        article = extract_html(page, name=subject, url=final_url, encoding=charset)
        article.input_format = "url"
    else:
        # Same rules as pages: servers mislabel UTF-8 text as latin-1 too.
        text = forced if options.encoding else decode_page(data, subject, charset)
        article = RawArticle(name=subject, text=text, input_format="url-text", layout="auto", url=final_url)
    hops = f", after {redirects} redirect{'s' if redirects != 1 else ''}" if redirects else ""
    article.notes.append(
        IngestNote(
            "fetched",
            f"fetched {final_url} (HTTP {response.status_code}, {media_type}, {len(data):,} bytes{hops})",
        )
    )
    article.meta.update(
        {"final_url": final_url, "http_status": response.status_code, "content_type": media_type}
    )
    return article


def fetch_url(
    url: str,
    options: ReadOptions,
    *,
    transport: httpx.BaseTransport | None = None,
    allow_private: bool | None = None,
    resolver: Resolver | None = None,
    allowed_addresses: Collection[str] = (),
) -> RawArticle:
    """Download *url* and turn it into a :class:`RawArticle`.

    HTML (``text/html``, ``application/xhtml+xml``) goes through
    :func:`~spinscope.ingest.html.extract_html` (``input_format="url"``);
    ``text/plain`` is decoded as is (``input_format="url-text"``). The whole
    fetch, redirects included, must finish within ``options.timeout_s``; at
    most ``options.max_redirects`` redirects are followed and at most
    ``options.max_bytes`` bytes are read. With ``options.allow_private``
    off, every hop must go to public addresses only (E785 otherwise), and
    the connection is made to the address that was checked.

    Parameters
    ----------
    transport:
        An httpx transport to use instead of the network (tests pass an
        :class:`httpx.MockTransport`). When given, proxy environment
        variables are not consulted.
    allow_private:
        Overrides ``options.allow_private`` when given (the server passes
        its ``--allow-private-urls`` here).
    resolver:
        With ``allow_private`` off: ``(host, port) -> addresses`` instead of
        the system's ``getaddrinfo`` (tests).
    allowed_addresses:
        With ``allow_private`` off: IP addresses accepted although not
        public (an explicit allow-list; the tests use it to let one loopback
        address stand in for a public server).

    Raises
    ------
    FetchError
        With codes E110-E115, E103 or E785, as listed in this module's docstring.
    InputError
        E101/E102/E104/E105 when the body is empty, binary, undecodable, or
        a page without article text.
    """
    # The subject of every error: the URL as the user gave it, on one line.
    subject = " ".join(url.split())
    _check_scheme(subject, subject)
    timeout = httpx.Timeout(options.timeout_s)
    headers = {
        "User-Agent": user_agent(),
        "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    }
    try:
        private_ok = options.allow_private if allow_private is None else allow_private
        pinned = None if private_ok else _Pinned(subject, resolver, allowed_addresses)
        # Pinned requests must reach the checked address, so no proxy from the environment.
        trust_env = pinned is None
        with httpx.Client(transport=transport, timeout=timeout, headers=headers, trust_env=trust_env) as client:
            return _fetch(client, subject, options, pinned)
    except httpx.InvalidURL as exc:
        raise FetchError("E110", subject, f"not a valid URL: {_one_line(exc)}") from exc
    except httpx.HTTPError as exc:
        raise _translate(exc, subject, options) from exc

"""Fetching URLs: every failure mode ends in a one-line FetchError with a code.

All requests go to a throwaway HTTP server on 127.0.0.1 (or to an
``httpx.MockTransport``); nothing here touches the internet.
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from spinscope.errors import FetchError, InputError
from spinscope.ingest.fetch import fetch_url
from spinscope.ingest.raw import ReadOptions

pytestmark = pytest.mark.network

PARAGRAPH_1 = (
    "Volunteers planted four hundred oak saplings along the canal path on Saturday, "
    "the first stage of a plan to shade the route by the end of the decade."
)
PARAGRAPH_2 = (
    "The canal trust said the trees were paid for by local businesses, although "
    "some residents asked why the money had not gone to repairing the locks."
)
ARTICLE_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Oak saplings line the canal path</title>
<meta property="og:site_name" content="Canal Weekly"></head>
<body><nav><a href="/">Home</a> <a href="/events">Events</a></nav>
<article><h1>Oak saplings line the canal path</h1><p>{PARAGRAPH_1}</p><p>{PARAGRAPH_2}</p></article>
<footer>Copyright Canal Weekly. All rights reserved.</footer></body></html>""".encode()
CANONICAL_HTML = ARTICLE_HTML.replace(
    b"<title>", b'<link rel="canonical" href="https://canal.example/news/oaks"><title>'
)
PLAIN_TEXT = f"Oak saplings line the canal path\n\n{PARAGRAPH_1}\n\n{PARAGRAPH_2}\n"
LATIN_TEXT = "Les bénévoles ont planté quatre cents chênes le long du canal, « enfin », dit-on."

SMALL_CAP = 10_000  # max_bytes for the size tests; the big bodies are 20x that
BIG = 200_000


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: the connection closes after each response, so a body without
    # Content-Length is delimited by the close, as on many real servers.
    protocol_version = "HTTP/1.0"
    stop: threading.Event  # set by the fixture at teardown so sleepers wake up

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def _send(self, status: int, body: bytes, ctype: str | None, **headers: str) -> None:
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        fields = {key.replace("_", "-"): value for key, value in headers.items()}
        fields.setdefault("Content-Length", str(len(body)))
        for key, value in fields.items():
            if value:  # an empty value means: leave this header out
                self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path
        if path == "/article":
            self._send(200, ARTICLE_HTML, "text/html; charset=utf-8")
        elif path == "/canonical":
            self._send(200, CANONICAL_HTML, "text/html")
        elif path == "/xhtml":
            self._send(200, ARTICLE_HTML, "application/xhtml+xml")
        elif path == "/plain":
            self._send(200, PLAIN_TEXT.encode(), "text/plain; charset=utf-8")
        elif path == "/latin":
            body = f"<html><body><p>{LATIN_TEXT}</p></body></html>".encode("cp1252")
            self._send(200, body, 'text/html; charset="windows-1252"')
        elif path == "/plain-mislabelled":
            # UTF-8 bytes under a latin-1 label, a common server misconfiguration.
            self._send(200, LATIN_TEXT.encode("utf-8"), "text/plain; charset=ISO-8859-1")
        elif path == "/no-type":
            self._send(200, ARTICLE_HTML, None)
        elif path == "/ua":
            agent = self.headers.get("User-Agent", "")
            self._send(200, f"The client called itself {agent} today.".encode(), "text/plain")
        elif path == "/missing":
            self._send(404, b"<html><body>Not here</body></html>", "text/html")
        elif path == "/broken":
            self._send(500, b"oops", "text/plain")
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.7\n" + b"\x00" * 100, "application/pdf")
        elif path == "/empty":
            self._send(200, b"", "text/plain")
        elif path.startswith("/loop/"):
            self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect("/article" if left == 0 else f"/chain/{left - 1}", 301)
        elif path == "/moved-missing":
            self._redirect("/missing")
        elif path == "/to-ftp":
            self._redirect("ftp://files.example/article.txt")
        elif path == "/huge":
            self._send(200, b"a" * BIG, "text/plain")
        elif path == "/huge-no-length":
            self._send(200, b"word " * (BIG // 5), "text/plain", Content_Length="")
        elif path == "/understated-length":
            # Claims 300 bytes, sends far more: only the claimed bytes count.
            self._send(200, PLAIN_TEXT.encode() * 200, "text/plain", Content_Length="300")
        elif path == "/overstated-length":
            # Claims more than it sends, then hangs up.
            self._send(200, PLAIN_TEXT.encode(), "text/plain", Content_Length="5000")
        elif path == "/gzip-bomb":
            body = gzip.compress(b" " * (BIG * 10))
            self._send(200, body, "text/plain", Content_Encoding="gzip")
        elif path == "/slow":
            self.stop.wait(3)  # far past the client's 0.5 s; wakes early at teardown
            self._send(200, PLAIN_TEXT.encode(), "text/plain")
        elif path == "/trickle":
            # Each byte arrives well within the read timeout, but the whole
            # body would take minutes.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2000")
            self.end_headers()
            for _ in range(2000):
                if self.stop.wait(0.05):
                    break
                self.wfile.write(b"x")
                self.wfile.flush()
        else:
            self._send(404, b"unknown test path", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping must not block teardown
    errors: list[BaseException]

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        # The client hanging up early is the point of several tests.
        if not isinstance(exc, ConnectionError) and exc is not None:
            self.errors.append(exc)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    srv = _Server(("127.0.0.1", 0), handler)
    srv.errors = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
    assert not srv.errors, f"the test server itself failed: {srv.errors!r}"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment would route 127.0.0.1 requests elsewhere.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


OPTS = ReadOptions(timeout_s=5.0, max_redirects=3)


def fetch_error(url: str, code: str, options: ReadOptions = OPTS, **kwargs: object) -> FetchError:
    """Fetch *url*, expecting a FetchError with *code* and a one-line message naming *url*."""
    with pytest.raises(FetchError) as info:
        fetch_url(url, options, **kwargs)  # type: ignore[arg-type]
    exc = info.value
    assert exc.code == code, str(exc)
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"[{code}] {url}: ")
    return exc


# -- success paths ---------------------------------------------------------------
def test_html_article(server: str) -> None:
    article = fetch_url(f"{server}/article", OPTS)

    assert article.input_format == "url"
    assert article.layout == "lines"
    assert article.title == "Oak saplings line the canal path"
    assert article.source == "Canal Weekly"
    assert article.text == f"Oak saplings line the canal path\n\n{PARAGRAPH_1}\n\n{PARAGRAPH_2}"
    assert article.url == f"{server}/article"  # no canonical link: the fetched URL
    assert article.name == f"{server}/article"
    assert any(n.action == "fetched" and "HTTP 200" in n.detail for n in article.notes)


def test_canonical_url_wins(server: str) -> None:
    article = fetch_url(f"{server}/canonical", OPTS)
    assert article.url == "https://canal.example/news/oaks"


def test_xhtml_content_type(server: str) -> None:
    assert PARAGRAPH_1 in fetch_url(f"{server}/xhtml", OPTS).text


def test_plain_text(server: str) -> None:
    article = fetch_url(f"{server}/plain", OPTS)
    assert article.input_format == "url-text"
    assert article.layout == "auto"
    assert article.text == PLAIN_TEXT
    assert article.url == f"{server}/plain"


def test_charset_from_content_type_header(server: str) -> None:
    assert LATIN_TEXT in fetch_url(f"{server}/latin", OPTS).text


def test_utf8_text_under_latin1_label(server: str) -> None:
    assert fetch_url(f"{server}/plain-mislabelled", OPTS).text == LATIN_TEXT


def test_missing_content_type_is_sniffed(server: str) -> None:
    article = fetch_url(f"{server}/no-type", OPTS)
    assert article.input_format == "url"
    assert article.title == "Oak saplings line the canal path"


def test_sends_spinscope_user_agent(server: str) -> None:
    assert "The client called itself spinscope/" in fetch_url(f"{server}/ua", OPTS).text


def test_redirects_within_limit_reach_the_article(server: str) -> None:
    # /chain/2 -> /chain/1 -> /chain/0 -> /article: three redirects, the limit.
    article = fetch_url(f"{server}/chain/2", OPTS)
    assert PARAGRAPH_2 in article.text
    assert article.url == f"{server}/article"  # the final URL, not the first
    assert article.name == f"{server}/chain/2"  # errors and origin name the given URL
    assert any("after 3 redirects" in n.detail for n in article.notes)


def test_understated_content_length_cannot_exceed_the_claim(server: str) -> None:
    article = fetch_url(f"{server}/understated-length", ReadOptions(max_bytes=1000))
    assert article.text == PLAIN_TEXT[:300]


# -- refusals ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "scheme"),
    [("ftp://files.example/article.txt", "ftp"), ("file:///etc/hostname", "file")],
)
def test_non_http_scheme_refused(url: str, scheme: str) -> None:
    exc = fetch_error(url, "E110")
    assert f"not '{scheme}'" in exc.problem


def test_redirect_to_other_scheme_refused(server: str) -> None:
    fetch_error(f"{server}/to-ftp", "E110")


def test_too_many_redirects(server: str) -> None:
    exc = fetch_error(f"{server}/loop/0", "E112")
    assert "more than 3 redirects" in exc.problem


def test_redirect_chain_one_over_limit(server: str) -> None:
    fetch_error(f"{server}/chain/3", "E112")  # four redirects, limit three


@pytest.mark.parametrize(
    ("path", "status"), [("/missing", "HTTP 404 Not Found"), ("/broken", "HTTP 500 Internal Server Error")]
)
def test_http_error_status(server: str, path: str, status: str) -> None:
    exc = fetch_error(f"{server}{path}", "E113")
    assert exc.problem == status


def test_http_error_after_redirect_names_final_url(server: str) -> None:
    exc = fetch_error(f"{server}/moved-missing", "E113")
    assert exc.problem == f"HTTP 404 Not Found at {server}/missing"


def test_pdf_refused_by_content_type(server: str) -> None:
    exc = fetch_error(f"{server}/report.pdf", "E114")
    assert exc.problem == "content type 'application/pdf' is not HTML or text"


def test_empty_body(server: str) -> None:
    with pytest.raises(InputError) as info:
        fetch_url(f"{server}/empty", OPTS)
    assert info.value.code == "E101"


# -- size caps -----------------------------------------------------------------------
def test_content_length_over_cap(server: str) -> None:
    exc = fetch_error(f"{server}/huge", "E103", ReadOptions(max_bytes=SMALL_CAP))
    assert "Content-Length" in exc.problem


def test_streamed_body_over_cap_without_content_length(server: str) -> None:
    exc = fetch_error(f"{server}/huge-no-length", "E103", ReadOptions(max_bytes=SMALL_CAP))
    assert "stopped reading" in exc.problem


def test_gzip_bomb_counts_decompressed_bytes(server: str) -> None:
    fetch_error(f"{server}/gzip-bomb", "E103", ReadOptions(max_bytes=SMALL_CAP))


def test_overstated_content_length_is_a_broken_connection(server: str) -> None:
    exc = fetch_error(f"{server}/overstated-length", "E115")
    assert exc.__cause__ is not None  # translated with ``raise ... from``


# -- time limits and network failures --------------------------------------------------
def test_slow_server_times_out(server: str) -> None:
    exc = fetch_error(f"{server}/slow", "E111", ReadOptions(timeout_s=0.5))
    assert exc.problem == "timed out after 0.5s"


def test_trickling_server_times_out(server: str) -> None:
    exc = fetch_error(f"{server}/trickle", "E111", ReadOptions(timeout_s=0.5))
    assert exc.problem == "timed out after 0.5s"


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The socket is closed, so nothing listens there any more.
    exc = fetch_error(f"http://127.0.0.1:{port}/article", "E115")
    assert exc.problem.startswith("could not connect: ")
    assert isinstance(exc.__cause__, httpx.ConnectError)


def test_dns_failure_via_transport() -> None:
    # A real DNS lookup could leave the machine; the transport seam stands in.
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    exc = fetch_error("https://no-such-host.invalid/a", "E115", transport=httpx.MockTransport(handler))
    assert exc.problem == "could not connect: [Errno -2] Name or service not known"


def test_corrupt_gzip_body_via_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "text/plain", "Content-Encoding": "gzip"}
        return httpx.Response(200, content=b"this is not gzip at all", headers=headers)

    exc = fetch_error("https://canal.example/z", "E115", transport=httpx.MockTransport(handler))
    assert exc.problem.startswith("response body could not be decoded: ")


def test_mock_transport_sees_headers_and_serves_html() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=ARTICLE_HTML, headers={"Content-Type": "text/html"})

    article = fetch_url("https://canal.example/oaks", OPTS, transport=httpx.MockTransport(handler))
    assert PARAGRAPH_1 in article.text
    assert len(seen) == 1
    assert seen[0].headers["User-Agent"].startswith("spinscope/")

"""Server-mode fetching (ReadOptions.allow_private=False) refuses what only the server can reach.

Real HTTP servers run on two loopback addresses: 127.0.0.1 plays the
internal service an attacker wants to reach, 127.0.0.2 plays a public news
site. The stand-in is explicit: the tests resolve ``news.example`` to
127.0.0.2 with their own resolver and pass ``allowed_addresses={"127.0.0.2"}``;
everything else goes through the real checks. Nothing touches the internet.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from spinscope.errors import FetchError
from spinscope.ingest.addresses import refusal, resolve_public
from spinscope.ingest.fetch import fetch_url
from spinscope.ingest.raw import ReadOptions

pytestmark = pytest.mark.network

SAFE = ReadOptions(timeout_s=5.0, max_redirects=3, allow_private=False)
ARTICLE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Harbour wall repaired</title></head><body>"
    "<article><h1>Harbour wall repaired</h1><p>Workers finished repairing the harbour wall on Friday, "
    "two months after the winter storm broke a twenty-metre section near the ferry slip.</p>"
    "<p>The council said the repair cost less than planned because local stone was reused.</p>"
    "</article></body></html>"
).encode()
SECRET = b"internal admin page: the fetch must never reach this"


@dataclass
class Site:
    """One throwaway server: its base URL and the requests it saw (path, Host header)."""

    base: str
    port: int
    seen: list[tuple[str, str]] = field(default_factory=list)


def _start(host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> tuple[ThreadingHTTPServer, Site]:
    site = Site("", 0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            site.seen.append((self.path, self.headers.get("Host", "")))
            status, headers, body = routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value.replace("{internal}", internal_base[0]))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, 0), Handler)
    site.port = server.server_address[1]
    site.base = f"http://{host}:{site.port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, site


internal_base: list[str] = [""]  # filled once the internal server is up; the public one redirects to it


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    internal_srv, internal = _start("127.0.0.1", {"/secret": (200, {"Content-Type": "text/plain"}, SECRET)})
    internal_base[0] = internal.base
    html = {"Content-Type": "text/html; charset=utf-8"}
    public_srv, public = _start(
        "127.0.0.2",
        {
            "/article": (200, html, ARTICLE),
            "/to-internal": (302, {"Location": "{internal}/secret"}, b""),
            "/to-localhost": (302, {"Location": "http://localhost:" + internal.base.rsplit(":", 1)[1] + "/secret"}, b""),
            "/to-mapped": (302, {"Location": "http://[::ffff:127.0.0.1]:" + internal.base.rsplit(":", 1)[1] + "/secret"}, b""),
            "/relative": (301, {"Location": "/article"}, b""),
            "/hop": (302, {"Location": "/to-internal"}, b""),
        },
    )
    try:
        yield public, internal
    finally:
        for srv in (public_srv, internal_srv):
            srv.shutdown()
            srv.server_close()


@pytest.fixture(autouse=True)
def _reset(sites: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch) -> None:
    for site in sites:
        site.seen.clear()
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def news_resolver(calls: list[str]) -> object:
    """Resolves news.example to the public stand-in, anything else as the system does (and records it)."""
    from spinscope.ingest.addresses import system_resolver

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.2"] if host == "news.example" else system_resolver(host, port)

    return resolve


def refused(url: str, code: str = "E785", **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch_url(url, SAFE, **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code, str(info.value)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(f"[{code}] {url}: ")
    return info.value


# -- literal addresses: refused before any connection ----------------------------------------
@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("[::1]", "loopback"),
        ("[::ffff:127.0.0.1]", "loopback: 127.0.0.1 inside"),
        ("[::ffff:10.1.2.3]", "private: 10.1.2.3 inside"),
        ("[64:ff9b::7f00:1]", "loopback: 127.0.0.1 inside"),
        ("[2002:7f00:1::]", "loopback: 127.0.0.1 inside"),
        ("169.254.169.254", "link-local"),
        ("[fe80::1]", "link-local"),
        ("224.0.0.251", "multicast"),
        ("[ff02::1]", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("[::]", "unspecified"),
        ("[fc00::1]", "private"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "not globally routable"),
    ],
)
def test_literal_non_public_addresses_are_refused_without_connecting(host: str, why: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="should not be fetched")

    exc = refused(f"http://{host}:8080/page", transport=httpx.MockTransport(handler))
    assert f"({why})" in str(exc)
    assert sent == []


def test_dns_name_resolving_to_loopback_is_refused(sites: tuple[Site, Site]) -> None:
    public, internal = sites
    exc = refused(f"http://localhost:{internal.port}/secret")  # the system resolver
    assert "localhost resolves to" in str(exc)
    assert internal.seen == []


def test_name_resolving_to_public_and_private_is_refused() -> None:
    def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    exc = refused("http://mixed.example/", resolver=mixed)
    assert "10.0.0.7 (private)" in str(exc)


def test_numeric_host_forms_are_judged_by_what_they_resolve_to(sites: tuple[Site, Site]) -> None:
    # 2130706433 and 0x7f.1 are 127.0.0.1 to inet_aton; they reach the resolver as names.
    _, internal = sites
    refused(f"http://2130706433:{internal.port}/secret")
    refused(f"http://0x7f.1:{internal.port}/secret")
    assert internal.seen == []


def test_unresolvable_name_is_a_network_error() -> None:
    def nothing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    refused("http://nowhere.example/", code="E115", resolver=nothing)


# -- redirects: every hop is checked -----------------------------------------------------------
@pytest.mark.parametrize("path", ["/to-internal", "/to-localhost", "/to-mapped", "/hop"])
def test_public_page_redirecting_to_loopback_is_refused(sites: tuple[Site, Site], path: str) -> None:
    public, internal = sites
    calls: list[str] = []
    url = f"http://news.example:{public.port}{path}"
    exc = refused(url, resolver=news_resolver(calls), allowed_addresses={"127.0.0.2"})
    assert "127.0.0.1" in str(exc) or "::ffff:7f00:1" in str(exc)
    assert public.seen, "the first hop went to the public stand-in"
    assert internal.seen == [], "the internal server was never contacted"


def test_the_stand_in_itself_is_refused_without_the_allow_list(sites: tuple[Site, Site]) -> None:
    public, _ = sites
    refused(f"http://news.example:{public.port}/article", resolver=news_resolver([]))
    assert public.seen == []


def test_relative_redirect_keeps_the_name_and_reaches_the_article(sites: tuple[Site, Site]) -> None:
    public, _ = sites
    calls: list[str] = []
    article = fetch_url(
        f"http://news.example:{public.port}/relative",
        SAFE,
        resolver=news_resolver(calls),
        allowed_addresses={"127.0.0.2"},
    )
    assert article.title == "Harbour wall repaired"
    assert article.meta["final_url"] == f"http://news.example:{public.port}/article"
    # Both hops carried the name, not the address, in the Host header.
    assert public.seen == [("/relative", f"news.example:{public.port}"), ("/article", f"news.example:{public.port}")]
    assert calls == ["news.example", "news.example"]  # one lookup per hop


# -- the connection goes to the address that was checked ---------------------------------------
def test_connects_to_the_checked_address_not_a_second_lookup(sites: tuple[Site, Site]) -> None:
    """DNS rebinding: the first answer is the public stand-in, any later one loopback.

    news.example does not exist in real DNS either, so the fetch can only
    succeed by connecting to the address the check saw.
    """
    public, internal = sites
    answers = iter([["127.0.0.2"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers, ["127.0.0.1"])

    article = fetch_url(
        f"http://news.example:{public.port}/article", SAFE, resolver=rebinding, allowed_addresses={"127.0.0.2"}
    )
    assert "harbour wall" in article.text.lower()
    assert public.seen == [("/article", f"news.example:{public.port}")]
    assert internal.seen == []


def test_falls_back_to_the_next_checked_address_when_one_refuses(sites: tuple[Site, Site]) -> None:
    public, _ = sites

    def two(host: str, port: int) -> list[str]:
        return ["127.0.0.3", "127.0.0.2"]  # nothing listens on 127.0.0.3

    article = fetch_url(
        f"http://news.example:{public.port}/article",
        SAFE,
        resolver=two,
        allowed_addresses={"127.0.0.2", "127.0.0.3"},
    )
    assert article.title == "Harbour wall repaired"


def test_https_request_goes_to_the_ip_with_the_name_as_host_and_sni() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=ARTICLE, headers={"Content-Type": "text/html"})

    def public_dns(host: str, port: int) -> list[str]:
        assert (host, port) == ("news.example", 443)
        return ["93.184.216.34"]

    article = fetch_url(
        "https://news.example/story?id=7", SAFE, transport=httpx.MockTransport(handler), resolver=public_dns
    )
    (request,) = seen
    assert request.url.host == "93.184.216.34"
    assert request.url.path == "/story" and request.url.query == b"id=7"
    assert request.headers["host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"
    assert article.meta["final_url"] == "https://news.example/story?id=7"


def test_ipv6_public_address_is_bracketed_in_the_pinned_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=ARTICLE, headers={"Content-Type": "text/html"})

    fetch_url(
        "http://news.example:8080/a",
        SAFE,
        transport=httpx.MockTransport(handler),
        resolver=lambda host, port: ["2001:4860:4860::8888"],
    )
    assert str(seen[0].url) == "http://[2001:4860:4860::8888]:8080/a"
    assert seen[0].headers["host"] == "news.example:8080"


# -- the command-line default is unchanged -----------------------------------------------------
def test_allow_private_fetches_from_loopback(sites: tuple[Site, Site]) -> None:
    _, internal = sites
    article = fetch_url(f"{internal.base}/secret", ReadOptions(timeout_s=5.0))
    assert SECRET.decode() in article.text
    assert ReadOptions().allow_private is True


# -- the address rules themselves -------------------------------------------------------------
@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_resolve_public_times_out_on_a_hanging_resolver() -> None:
    release = threading.Event()

    def hang(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["93.184.216.34"]

    try:
        with pytest.raises(FetchError) as info:
            resolve_public("http://slow.example/", "slow.example", 80, timeout_s=0.2, resolver=hang)
        assert info.value.code == "E111"
    finally:
        release.set()


def test_the_keyword_overrides_the_options(sites: tuple[Site, Site]) -> None:
    _, internal = sites
    with pytest.raises(FetchError) as info:
        fetch_url(f"{internal.base}/secret", ReadOptions(timeout_s=5.0), allow_private=False)
    assert info.value.code == "E785"
    assert SECRET.decode() in fetch_url(f"{internal.base}/secret", SAFE, allow_private=True).text
    assert internal.seen == [("/secret", internal.base.removeprefix("http://"))]

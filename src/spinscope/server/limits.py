"""Limits that keep one client from exhausting the server: body cap, rate limit, work queue.

The two middlewares are plain ASGI callables (not Starlette's
``BaseHTTPMiddleware``, which buffers and hides the body stream), so a body
is counted chunk by chunk as it arrives and refused the moment it crosses the
cap, and a refused request never reaches the application.

Every refusal answers with the server's one error shape,
``{"error": {"code": ..., "message": ...}}``, and a coded message:

====  ======  =================================================================
E780  413     request body over the cap (by Content-Length, or counted as it streams)
E781  429     too many requests from this client (token bucket), with Retry-After
E782  503     the analysis queue is full, with Retry-After
====  ======  =================================================================

:class:`RequestRefused` is the exception behind those answers (and behind the
token and CSRF refusals in :mod:`spinscope.server.tokens` and
:mod:`spinscope.server.csrf`); register :func:`refused_handler` for it on the
FastAPI app so a refusal raised inside an endpoint or a dependency gets the
same shape and headers.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from spinscope.errors import SpinscopeError

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "BodyLimitMiddleware",
    "QueueFull",
    "RateLimitMiddleware",
    "RequestRefused",
    "WorkQueue",
    "client_host",
    "client_key",
    "error_body",
    "refused_handler",
    "send_refusal",
]

#: Default request body cap: the same 5 MB the readers allow per input.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")


class RequestRefused(SpinscopeError):
    """A request the server refuses on purpose, with the HTTP status and headers to answer with.

    Parameters
    ----------
    code, subject, problem:
        As for every :class:`~spinscope.errors.SpinscopeError`.
    status:
        The HTTP status of the answer (413, 429, 503, 401, 403, ...).
    headers:
        Extra response headers, e.g. ``{"Retry-After": "3"}``.
    """

    def __init__(
        self, code: str, subject: str, problem: str, *, status: int, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(code, subject, problem)
        self.status = status
        self.headers = dict(headers or {})


class QueueFull(RequestRefused):
    """E782: as many analyses as the queue holds are already waiting or running."""

    def __init__(self, size: int, retry_after_s: int) -> None:
        super().__init__(
            "E782",
            "analysis queue",
            f"all {size} places are taken; try again in {retry_after_s}s",
            status=503,
            headers={"Retry-After": str(retry_after_s)},
        )
        self.retry_after_s = retry_after_s


def error_body(code: str, message: str) -> bytes:
    """The JSON bytes of the server's one error shape."""
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")


async def send_refusal(send: Send, exc: RequestRefused, *, close: bool = False) -> None:
    """Answer a refused request at the ASGI level (used before or instead of the application)."""
    body = error_body(exc.code, exc.one_line)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
    ]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in exc.headers.items()]
    if close:
        # The rest of the body is never read, so the connection cannot carry another request.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def refused_handler(request: Any, exc: Exception) -> Any:
    """A FastAPI/Starlette exception handler for :class:`RequestRefused`.

    ``app.add_exception_handler(RequestRefused, refused_handler)``; the answer
    has the refusal's status, headers and the one error shape.
    """
    from starlette.responses import Response  # the server's extra; imported only when serving

    if not isinstance(exc, RequestRefused):  # pragma: no cover - registered for RequestRefused only
        raise exc
    headers = {"Cache-Control": "no-store", **exc.headers}
    return Response(error_body(exc.code, exc.one_line), status_code=exc.status,
                    media_type="application/json", headers=headers)


def client_host(scope: Scope) -> str:
    """The peer address uvicorn reports (``scope["client"]``); ``"unknown"`` without one.

    Forwarded headers are deliberately not read: any client can write them.
    Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so that ``scope["client"]`` is the real client.
    """
    client = scope.get("client")
    if client:
        return str(client[0])
    return "unknown"


def client_key(scope: Scope) -> str:
    """The rate limit's key for a client: its IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 subscriber usually holds a whole /64 and can pick a new address
    for every request; keying on the single address would give each of them
    a fresh bucket.
    """
    host = client_host(scope)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


class _BodyTooLarge(Exception):
    """Raised into the application from ``receive`` once the body crossed the cap."""


class BodyLimitMiddleware:
    """Refuse HTTP request bodies over ``max_bytes`` with 413 (E780), without reading them whole.

    A declared ``Content-Length`` over the cap is answered before the
    application runs. Otherwise (chunked uploads, or a Content-Length that
    lies) the body is counted as the application reads it; the chunk that
    crosses the cap makes the middleware answer 413 at once, and the
    application's ``receive`` raises so it stops reading. Whatever the
    application tries to send afterwards is dropped.

    Parameters
    ----------
    app:
        The ASGI application to protect.
    max_bytes:
        The largest body accepted, in bytes (default 5 MiB).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self, how: str) -> RequestRefused:
        return RequestRefused(
            "E780", "request body", f"{how}, over the {self.max_bytes:,}-byte cap", status=413
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                text = value.decode("latin-1").strip()
                if text.isdigit() and int(text) > self.max_bytes:
                    await send_refusal(send, self._refusal(f"{int(text):,} bytes declared"), close=True)
                    return
        received = 0
        refused = False  # set once the 413 is sent: everything the app sends after is dropped
        started = False  # whether a response (ours or the app's) has begun

        async def guarded_receive() -> Message:
            nonlocal received, refused, started
            if refused:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not started:
                        started = True
                        await send_refusal(send, self._refusal("more bytes sent than that"), close=True)
                    refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            # The app may re-raise our exception or turn it into its own (FastAPI makes
            # a failing body read a 400); once refused, the 413 already sent is the answer.
            if not refused:
                raise


class _Bucket:
    """One client's token bucket: ``tokens`` as of ``stamp`` (monotonic seconds)."""

    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class RateLimitMiddleware:
    """A token bucket per client: ``burst`` requests at once, refilled at ``per_minute``.

    A request that finds its client's bucket empty is answered 429 (E781)
    with ``Retry-After`` (whole seconds until a token is back) and never
    reaches the application.

    Memory is bounded: at most ``max_clients`` buckets are kept, least
    recently seen first out. A bucket that has refilled completely carries
    no information and is dropped first; past the bound the oldest client
    loses its bucket (and so starts again with a full one) -- an attacker
    spraying addresses gets fresh buckets either way, but cannot grow memory.

    Parameters
    ----------
    app:
        The ASGI application to protect.
    per_minute:
        Sustained requests per minute per client.
    burst:
        Requests a client may make at once (the bucket's size), at least 1.
    key:
        Maps an ASGI scope to the client's key (default :func:`client_key`:
        the peer's IPv4 address or IPv6 /64).
    exempt_paths:
        Paths never limited (the health check, so monitoring cannot be starved).
    max_clients:
        The most buckets kept at once.
    clock:
        Monotonic seconds (tests pass a fake clock).
    """

    def __init__(
        self,
        app: ASGIApp,
        per_minute: float = 120.0,
        burst: int = 30,
        key: Callable[[Scope], str] | None = None,
        *,
        exempt_paths: Collection[str] = ("/health",),
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("per_minute must be > 0, burst and max_clients >= 1")
        self.app = app
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self.key = key or client_key
        self.exempt_paths = frozenset(exempt_paths)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def clients(self) -> int:
        """How many client buckets are held now (for tests and /health)."""
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        # Oldest first: drop buckets that are full again (they equal a fresh one),
        # then, if still over the bound, the least recently seen regardless.
        full_after = self.burst / self.rate
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.stamp < full_after and len(self._buckets) <= self.max_clients:
                break
            self._buckets.popitem(last=False)

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 when allowed, else the seconds until a token is back."""
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[client] = bucket
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            self._buckets.move_to_end(client)
        self._evict(now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        wait = self.take(self.key(scope))
        if wait > 0.0:
            retry = max(1, math.ceil(wait))
            refusal = RequestRefused(
                "E781",
                "rate limit",
                f"too many requests from this client; try again in {retry}s",
                status=429,
                headers={"Retry-After": str(retry)},
            )
            await send_refusal(send, refusal)
            return
        await self.app(scope, receive, send)


class WorkQueue:
    """A bounded queue for analysis work: ``workers`` run at once, ``size`` in all may wait or run.

    ``async with queue.slot():`` takes a place or raises :class:`QueueFull`
    (503, E782, with Retry-After) at once -- a request never waits for a
    place, so memory stays bounded by ``size`` however many clients come --
    then waits for one of the ``workers`` runners. :meth:`run` does both and
    runs a blocking function on the queue's own ``workers`` threads.

    Those threads are the queue's, not the event loop's shared pool: the
    analyses then always run on the same few threads, so the C allocator
    keeps a few per-thread heaps instead of growing one in every pool thread
    an analysis happens to land on (the server's memory stays flat), and
    the shared pool stays free for the cheap read endpoints.

    Parameters
    ----------
    size:
        Places in all (running plus waiting), at least ``workers``.
    workers:
        How many may run at once.
    retry_after_s:
        The Retry-After sent when full; by default an estimate from the
        average time one piece of work has taken so far.
    """

    def __init__(self, size: int, workers: int = 1, *, retry_after_s: int | None = None) -> None:
        if workers < 1 or size < workers:
            raise ValueError("need workers >= 1 and size >= workers")
        self.size = size
        self.workers = workers
        self._fixed_retry = retry_after_s
        self._held = 0  # places taken (waiting + running)
        self._running = 0
        self._semaphore: asyncio.Semaphore | None = None  # made lazily, inside the server's event loop
        self._done = 0
        self._busy_s = 0.0
        self._executor: ThreadPoolExecutor | None = None

    @property
    def waiting(self) -> int:
        """Requests holding a place but not yet running."""
        return self._held - self._running

    @property
    def running(self) -> int:
        """Requests running now."""
        return self._running

    def retry_after(self) -> int:
        """Whole seconds a refused client should wait: about one turn of the queue per worker."""
        if self._fixed_retry is not None:
            return self._fixed_retry
        mean = self._busy_s / self._done if self._done else 1.0
        return max(1, min(600, math.ceil(mean * self._held / self.workers)))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place for the body of the ``async with``; raise :class:`QueueFull` when none is free."""
        if self._held >= self.size:
            raise QueueFull(self.size, self.retry_after())
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.workers)
        self._held += 1
        try:
            async with self._semaphore:
                self._running += 1
                began = time.monotonic()
                try:
                    yield
                finally:
                    self._running -= 1
                    self._done += 1
                    self._busy_s += time.monotonic() - began
        finally:
            self._held -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run the blocking ``fn(*args)`` on one of the queue's threads, inside a slot (QueueFull when full).

        A thread cannot be stopped, so a request cancelled while its work
        runs (the client went away, the server is stopping) keeps its place
        until that work is done: the queue never holds more than ``size``
        pieces of work, even then.
        """
        if self._held >= self.size:
            raise QueueFull(self.size, self.retry_after())
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.workers)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="spinscope-work")
        semaphore = self._semaphore
        self._held += 1
        handed_off = False
        try:
            await semaphore.acquire()  # a cancelled wait acquires nothing
            try:
                self._running += 1
                began = time.monotonic()
                future = asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))

                def finished(_: object) -> None:
                    # Runs on the event loop when the work ends, whether or not anyone still waits for it.
                    self._running -= 1
                    self._done += 1
                    self._busy_s += time.monotonic() - began
                    self._held -= 1
                    semaphore.release()

                future.add_done_callback(finished)
                handed_off = True
            finally:
                if not handed_off:
                    self._running -= 1
                    semaphore.release()
            return await asyncio.shield(future)
        finally:
            if not handed_off:
                self._held -= 1

    def close(self) -> None:
        """Let the queue's threads end once their work is done (the server's shutdown)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def stats(self) -> dict[str, int]:
        """Places, workers, and how many are running and waiting now (for /health)."""
        return {"size": self.size, "workers": self.workers, "running": self.running, "waiting": self.waiting}

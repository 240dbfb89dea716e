"""The server's limits at the ASGI level: body cap, per-client rate limit, bounded work queue.

Each test wraps a tiny Starlette or FastAPI app and drives it through
httpx's ASGI transport, so no socket and no model is needed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from spinscope.server.limits import (
    BodyLimitMiddleware,
    QueueFull,
    RateLimitMiddleware,
    RequestRefused,
    WorkQueue,
    client_key,
    refused_handler,
)

CAP = 1000


def _starlette_echo() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse({"received": len(body)})

    return Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/health", echo, methods=["GET"])])


def _fastapi_echo() -> FastAPI:
    app = FastAPI()

    @app.post("/analyze")
    async def analyze(payload: dict[str, Any]) -> dict[str, int]:
        return {"chars": len(str(payload.get("text", "")))}

    return app


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def post(app: Any, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post(path, **kwargs)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"[{code}] ")
    assert "\n" not in error["message"]
    return error


# -- body cap ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [_starlette_echo, _fastapi_echo])
def test_body_within_the_cap_reaches_the_app(make: Any) -> None:
    app = BodyLimitMiddleware(make(), max_bytes=CAP)
    path = "/echo" if make is _starlette_echo else "/analyze"
    body = json.dumps({"text": "x" * (CAP - 20)}).encode()
    response = run(post(app, path, content=body, headers={"content-type": "application/json"}))
    assert response.status_code == 200, response.text


def test_oversized_content_length_is_refused_before_the_app_runs() -> None:
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["type"])
        raise AssertionError("the app must not run")

    response = run(post(BodyLimitMiddleware(app, max_bytes=CAP), "/echo", content=b"y" * (CAP + 1)))
    error = assert_error(response, 413, "E780")
    assert "1,001 bytes declared" in error["message"]
    assert response.headers["connection"] == "close"
    assert calls == []


@pytest.mark.parametrize("make", [_starlette_echo, _fastapi_echo])
def test_chunked_stream_over_the_cap_is_cut_off_as_it_arrives(make: Any) -> None:
    """No Content-Length: the body is counted chunk by chunk, and reading stops at the cap."""
    pulled = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal pulled
        yield b'{"text": "'
        for _ in range(1000):  # 100 KB in all, 100x the cap
            pulled += 1
            yield b"z" * 100
        yield b'"}'

    app = BodyLimitMiddleware(make(), max_bytes=CAP)
    path = "/echo" if make is _starlette_echo else "/analyze"
    response = run(post(app, path, content=chunks(), headers={"content-type": "application/json"}))
    error = assert_error(response, 413, "E780")
    assert "over the 1,000-byte cap" in error["message"]
    assert pulled <= 11, f"the middleware read {pulled} chunks, far past the cap"


def test_a_content_length_that_understates_the_body_is_still_capped() -> None:
    # The ASGI server passes the header through; the counted bytes are what matter.
    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    sent: list[dict[str, Any]] = []
    chunks = [b"a" * 600, b"b" * 600, b"c" * 600]

    async def receive() -> dict[str, Any]:
        body = chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"10")]}
    run(BodyLimitMiddleware(app, max_bytes=CAP)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(sent) == 2, "only the 413 went out; the app's own answer was dropped"
    assert len(chunks) == 1, "the third chunk was never read"


def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    run(BodyLimitMiddleware(app, max_bytes=0)({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    assert seen == ["lifespan"]


# -- rate limit ----------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def gets(app: Any, n: int, path: str = "/echo", client: tuple[str, int] = ("203.0.113.5", 4000)) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        method = "GET" if path == "/health" else "POST"
        return [await http.request(method, path, content=b"") for _ in range(n)]


def test_burst_then_429_with_retry_after_then_refill() -> None:
    clock = FakeClock()
    app = RateLimitMiddleware(_starlette_echo(), per_minute=60, burst=3, clock=clock)
    first = run(gets(app, 4))
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert_error(first[3], 429, "E781")
    assert first[3].headers["retry-after"] == "1"  # one token per second
    clock.now += 1.0
    assert [r.status_code for r in run(gets(app, 2))] == [200, 429]
    clock.now += 3.0  # refills to the burst, never beyond
    assert [r.status_code for r in run(gets(app, 4))] == [200, 200, 200, 429]


def test_retry_after_reflects_the_refill_rate() -> None:
    clock = FakeClock()
    app = RateLimitMiddleware(_starlette_echo(), per_minute=6, burst=1, clock=clock)  # one per 10 s
    responses = run(gets(app, 2))
    assert responses[1].headers["retry-after"] == "10"
    clock.now += 4.0
    assert run(gets(app, 1))[0].headers["retry-after"] == "6"


def test_clients_have_separate_buckets() -> None:
    clock = FakeClock()
    app = RateLimitMiddleware(_starlette_echo(), per_minute=60, burst=1, clock=clock)
    assert run(gets(app, 2, client=("198.51.100.1", 1)))[1].status_code == 429
    assert run(gets(app, 1, client=("198.51.100.2", 1)))[0].status_code == 200


def test_health_is_exempt() -> None:
    app = RateLimitMiddleware(_starlette_echo(), per_minute=1, burst=1, clock=FakeClock())
    assert [r.status_code for r in run(gets(app, 5, path="/health"))] == [200] * 5


def test_memory_is_bounded_by_max_clients() -> None:
    clock = FakeClock()
    limiter = RateLimitMiddleware(_starlette_echo(), per_minute=60, burst=5, max_clients=100, clock=clock)
    for i in range(5000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert limiter.clients == 100
    # Buckets that refilled completely are dropped as soon as anyone is seen.
    clock.now += 60.0
    limiter.take("192.0.2.1")
    assert limiter.clients == 1


def test_an_evicted_client_cannot_lose_a_recent_bucket_to_newcomers_before_older_ones() -> None:
    clock = FakeClock()
    limiter = RateLimitMiddleware(_starlette_echo(), per_minute=60, burst=1, max_clients=2, clock=clock)
    assert limiter.take("a") == 0.0
    assert limiter.take("b") == 0.0
    assert limiter.take("a") > 0.0  # a is now the most recently seen
    limiter.take("c")  # evicts b, the least recently seen
    assert limiter.take("a") > 0.0  # a still remembered: still limited


# -- work queue ----------------------------------------------------------------------------------
def _queued_app(queue: WorkQueue, release: asyncio.Event, started: list[int]) -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(RequestRefused, refused_handler)

    @app.post("/analyze")
    async def analyze() -> dict[str, int]:
        async with queue.slot():
            started.append(queue.running)
            await release.wait()
        return {"ok": 1}

    return app


def test_queue_full_answers_503_with_retry_after_and_admits_only_size() -> None:
    async def scenario() -> tuple[list[httpx.Response], list[int], WorkQueue]:
        queue = WorkQueue(size=3, workers=1)
        release = asyncio.Event()
        started: list[int] = []
        app = _queued_app(queue, release, started)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            tasks = [asyncio.create_task(client.post("/analyze")) for _ in range(40)]
            while queue.waiting + queue.running < 3 or sum(t.done() for t in tasks) < 37:
                await asyncio.sleep(0.01)
            assert (queue.running, queue.waiting) == (1, 2)
            release.set()
            responses = await asyncio.gather(*tasks)
        return responses, started, queue

    responses, started, queue = run(asyncio.wait_for(scenario(), timeout=30))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 3 + [503] * 37
    refusal = next(r for r in responses if r.status_code == 503)
    assert_error(refusal, 503, "E782")
    assert int(refusal.headers["retry-after"]) >= 1
    assert max(started) == 1, "never more than one worker at once"
    assert (queue.running, queue.waiting) == (0, 0), "every place was given back"


def test_slot_raises_queue_full_at_once_and_frees_on_error() -> None:
    async def scenario() -> None:
        queue = WorkQueue(size=1, workers=1, retry_after_s=7)
        gate = asyncio.Event()

        async def hold() -> None:
            async with queue.slot():
                await gate.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(QueueFull) as info:
            async with queue.slot():
                pass
        assert info.value.status == 503 and info.value.headers == {"Retry-After": "7"}
        gate.set()
        await holder
        with pytest.raises(ValueError, match="boom"):
            async with queue.slot():
                raise ValueError("boom")
        assert queue.stats() == {"size": 1, "workers": 1, "running": 0, "waiting": 0}

    run(scenario())


def test_run_uses_the_queues_own_threads() -> None:
    import threading

    async def scenario() -> tuple[int, set[str]]:
        queue = WorkQueue(size=8, workers=1)
        names = await asyncio.gather(*(queue.run(lambda: threading.current_thread().name) for _ in range(5)))
        queue.close()
        return threading.get_ident(), set(names)

    _, names = run(scenario())
    assert len(names) == 1 and next(iter(names)).startswith("spinscope-work")


def test_run_never_exceeds_workers_and_refuses_beyond_size() -> None:
    import threading
    import time as clock

    lock = threading.Lock()
    now = [0]
    peak = [0]

    def work() -> int:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        clock.sleep(0.05)
        with lock:
            now[0] -= 1
        return 1

    async def scenario() -> list[Any]:
        queue = WorkQueue(size=4, workers=2)
        results = await asyncio.gather(*(queue.run(work) for _ in range(10)), return_exceptions=True)
        queue.close()
        return results

    results = run(scenario())
    assert results.count(1) == 4 and sum(isinstance(r, QueueFull) for r in results) == 6
    assert peak[0] == 2


def test_cancelled_run_keeps_its_place_until_the_thread_is_done() -> None:
    import threading

    release = threading.Event()

    async def scenario() -> None:
        queue = WorkQueue(size=1, workers=1)
        task = asyncio.create_task(queue.run(release.wait, 10))
        while queue.running < 1:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The thread still works: its place is still taken, so nothing more is admitted.
        assert queue.running == 1
        with pytest.raises(QueueFull):
            await queue.run(lambda: None)
        release.set()
        while queue.running:
            await asyncio.sleep(0.01)
        assert await queue.run(lambda: 5) == 5
        assert queue.stats() == {"size": 1, "workers": 1, "running": 0, "waiting": 0}
        queue.close()

    try:
        run(asyncio.wait_for(scenario(), timeout=10))
    finally:
        release.set()


def test_queue_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        WorkQueue(size=1, workers=2)
    with pytest.raises(ValueError):
        RateLimitMiddleware(_starlette_echo(), per_minute=0)


def test_a_waiter_that_gives_up_frees_its_place() -> None:
    """A client that disconnects while waiting (its task cancelled) must not keep a place."""

    async def scenario() -> None:
        queue = WorkQueue(size=2, workers=1)
        gate = asyncio.Event()

        async def hold() -> None:
            async with queue.slot():
                await gate.wait()

        holder = asyncio.create_task(hold())
        waiter = asyncio.create_task(hold())
        while queue.waiting < 1:
            await asyncio.sleep(0)
        with pytest.raises(QueueFull):
            async with queue.slot():
                pass
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert (queue.running, queue.waiting) == (1, 0)
        gate.set()
        await holder
        assert queue.stats()["running"] == 0

    asyncio.run(asyncio.wait_for(scenario(), timeout=10))


@pytest.mark.parametrize(
    ("client", "key"),
    [
        (("198.51.100.7", 1), "198.51.100.7"),
        (("2001:db8:1:2:aaaa::1", 1), "2001:db8:1:2::/64"),
        (("::ffff:198.51.100.7", 1), "198.51.100.7"),
        (None, "unknown"),
    ],
)
def test_client_key(client: Any, key: str) -> None:
    assert client_key({"type": "http", "client": client}) == key


def test_ipv6_addresses_of_one_network_share_a_bucket() -> None:
    limiter = RateLimitMiddleware(_starlette_echo(), per_minute=60, burst=1, clock=FakeClock())
    assert run(gets(limiter, 1, client=("2001:db8:5:6::1", 1)))[0].status_code == 200
    assert run(gets(limiter, 1, client=("2001:db8:5:6::ffff", 1)))[0].status_code == 429
    assert run(gets(limiter, 1, client=("2001:db8:5:7::1", 1)))[0].status_code == 200

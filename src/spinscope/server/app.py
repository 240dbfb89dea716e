"""The FastAPI application: :func:`create_app` wires the API, the pages, the limits and the job runner.

Layers, outermost first: security headers (every answer), the body cap
(413 before a byte reaches the app), the per-client rate limit (429),
then FastAPI. Analyses pass through one bounded :class:`WorkQueue` (503
when full). Every error, whatever raised it, is answered in the one shape
``{"error": {"code", "message"}}`` under ``/api``, ``/health`` and
``/openapi.json``, and as a small HTML page elsewhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from spinscope.errors import InputError, SpinscopeError
from spinscope.server import api, pages
from spinscope.server.errors import ServerError, error_body
from spinscope.server.jobs import JobRunner
from spinscope.server.limits import BodyLimitMiddleware, RateLimitMiddleware, RequestRefused, WorkQueue
from spinscope.server.service import AnalysisService
from spinscope.server.settings import ServerSettings
from spinscope.store.add import Analyse
from spinscope.version import __version__

__all__ = ["create_app"]

log = logging.getLogger("spinscope.server")

#: Store errors that mean the request's own values are wrong (a bad date, sort or grouping).
_BAD_VALUE = frozenset({"E655", "E657", "E658", "E663", "E664"})


class SecurityHeaders:
    """Pure ASGI: adds the headers every answer carries (no sniffing, no referrer, no framing)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if b"content-security-policy" not in names:  # pages set their own (with script hashes)
                    extra.append((b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"))
                message = {**message, "headers": headers + [h for h in extra if h[0] not in names]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in {"/health", "/openapi.json"}


def _error(request: Request, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    headers = {"Cache-Control": "no-store", **(headers or {})}
    if _wants_json(request):
        return JSONResponse(error_body(code, message), status_code=status, headers=headers)
    return pages.error_page(request, status, code, message, headers)


def _install_errors(app: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestRefused)
        return _error(request, exc.status, exc.code, exc.one_line, exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServerError)
        return _error(request, exc.status, exc.code, exc.one_line, exc.headers)

    async def spinscope_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SpinscopeError)
        if isinstance(exc, InputError) or exc.code in _BAD_VALUE:
            return _error(request, 422, exc.code, exc.one_line)
        log.warning("request failed: %s", exc.one_line)
        return _error(request, 500, exc.code, exc.one_line)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(request, 400, "E750", "[E750] request body: not valid JSON")
        parts = []
        for e in errors[:5]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return _error(request, 422, "E751", f"[E751] request: {'; '.join(parts)}")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return _error(request, 404, "E753", f"[E753] {request.url.path}: no such page")
        if exc.status_code == 405:
            return _error(request, 405, "E757", f"[E757] {request.url.path}: method {request.method} not allowed",
                          exc.headers)  # fmt: skip
        return _error(request, exc.status_code, "E758", f"[E758] {request.url.path}: {exc.detail}")

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, "E758", "[E758] server: an unexpected error (see the server's log)")

    app.add_exception_handler(RequestRefused, refused)
    app.add_exception_handler(ServerError, server_error)
    app.add_exception_handler(SpinscopeError, spinscope_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def create_app(
    settings: ServerSettings,
    *,
    pipe: Analyse | None = None,
    meta: Mapping[str, Any] | None = None,
    preload: bool = False,
    run_jobs: bool = True,
) -> FastAPI:
    """The web app and REST API for ``settings``: one per worker process.

    The pipeline is built here (models load on the first article, or at
    start in a background thread with ``preload``). ``pipe`` and ``meta``
    replace it (a test seam, like ``add_inputs(pipe=...)``). ``run_jobs``
    starts the background job runner with the app.
    """
    service = AnalysisService(settings, pipe=pipe, meta=meta)
    runner = JobRunner(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        if run_jobs:
            runner.start()
        if preload:
            threading.Thread(target=_preload, args=(service,), name="spinscope-preload", daemon=True).start()
        try:
            yield
        finally:
            runner.stop()
            app.state.queue.close()
            service.stop()

    app = FastAPI(
        title="spinscope",
        version=__version__,
        description="Persuasion techniques, frames, narratives, entity roles and quotes in news articles.",
        docs_url=None,  # FastAPI's /docs loads Swagger UI from a CDN; ours is rendered here from the schema
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.runner = runner
    # One analysis at a time per worker (they share the models); queue_size may wait.
    app.state.queue = WorkQueue(max(1, settings.queue_size), workers=1)
    _install_errors(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_per_minute, burst=settings.rate_burst)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _preload(service: AnalysisService) -> None:
    try:
        service.preload()
        log.info("models loaded")
    except Exception:
        log.exception("preloading the models failed")


#: The environment variable through which ``spinscope serve`` hands its settings to uvicorn's worker processes.
SETTINGS_ENV = "SPINSCOPE_SERVE_SETTINGS"


def settings_to_env(settings: ServerSettings) -> str:
    """``settings`` as the JSON :func:`app_from_env` reads."""
    import dataclasses
    import json

    return json.dumps(dataclasses.asdict(settings))


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker (``--workers N`` starts each from an import string), from ``$SPINSCOPE_SERVE_SETTINGS``."""
    import json
    import os

    values = json.loads(os.environ.get(SETTINGS_ENV) or "{}")
    if "exclude" in values:
        values["exclude"] = tuple(values["exclude"])
    return create_app(ServerSettings(**values), preload=True)

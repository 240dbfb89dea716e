"""The server's errors: one coded exception, one JSON shape, one HTTP status per code.

Every error answer of the API is ``{"error": {"code": "E7xx", "message": "[E7xx] subject: problem"}}``
(pages show the same line in HTML). Codes E750-E779 belong to the server:

====  ======  ===========================================================
code  status  meaning
====  ======  ===========================================================
E750  400     the body is not valid JSON
E751  422     a field is missing, of the wrong type or out of range
E752  415     the body's content type is not the one the endpoint takes
E753  404     no such article, job, story or page
E755  500     the pipeline failed on the article
E756  413     a batch holds more articles than ``max_batch``
E757  405     the method is not allowed on this path
E758  500     an unexpected server error (logged; the message says no more)
====  ======  ===========================================================

The limits' refusals come from :mod:`spinscope.server.limits`,
:mod:`spinscope.server.tokens` and :mod:`spinscope.server.csrf` (E780-E789:
body too large 413, rate limit 429, queue full 503, token 401, CSRF 403,
a URL to a non-public address E785)
in the same shape. An article the reader cannot read (empty, binary, a
refused or failed URL) is answered 422 with the reader's own code
(E1xx, E7xx).
"""

from __future__ import annotations

from typing import Any

from spinscope.errors import SpinscopeError

__all__ = ["STATUS", "ServerError", "error_body"]

#: HTTP status of each server code.
STATUS: dict[str, int] = {
    "E750": 400, "E751": 422, "E752": 415, "E753": 404, "E755": 500, "E756": 413,
    "E757": 405, "E758": 500,
}  # fmt: skip


class ServerError(SpinscopeError):
    """A request the server refuses or cannot answer; :attr:`status` is its HTTP status.

    ``headers`` go out with the answer.
    """

    def __init__(self, code: str, subject: str, problem: str, *, headers: dict[str, str] | None = None,
                 status: int | None = None) -> None:  # fmt: skip
        super().__init__(code, subject, problem)
        self.status = status or STATUS.get(code, 500)
        self.headers = dict(headers or {})


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one error shape: ``{"error": {"code": ..., "message": ...}}`` (plus optional fields)."""
    return {"error": {"code": code, "message": " ".join(message.split()), **extra}}

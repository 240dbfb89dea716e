"""API tokens for the write endpoints: made once, shown once, stored only as a SHA-256 hash.

A token is ``sst_`` plus 32 random bytes in URL-safe base64 (256 bits, from
:mod:`secrets`); the prefix lets secret scanners recognise a leaked one. The
store keeps ``sha256(token)`` in ``api_tokens.token_hash`` and never the
token, so a copy of the database does not let anyone write.

Looking a token up by its hash through the unique index is safe against
timing attacks: what could leak is how much of the *hash* matched, and the
hash of a 256-bit secret tells nothing about the secret. The stored hash is
still compared with :func:`hmac.compare_digest` after the lookup.

====  ======================================================================
E783  401: no ``Authorization: Bearer`` token, or one unknown or revoked
E787  no token with that id (``spinscope token revoke``)
E788  a token label must be 1-200 printable characters
====  ======================================================================
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spinscope.errors import SpinscopeError
from spinscope.server.limits import RequestRefused
from spinscope.store import Store
from spinscope.store.store import utc_now

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = [
    "TOKEN_PREFIX",
    "TokenError",
    "TokenInfo",
    "bearer_token",
    "create_token",
    "hash_token",
    "list_tokens",
    "require_token",
    "revoke_token",
    "verify_token",
]

TOKEN_PREFIX = "sst_"  # noqa: S105 - a public prefix that marks our tokens
_MAX_LABEL = 200
_MAX_TOKEN = 200  # a longer Authorization value is not one of ours: refuse before hashing it


class TokenError(SpinscopeError):
    """A token command got a bad label or an unknown id."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What ``spinscope token list`` shows of one token (never the token, which is not stored)."""

    id: int
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as stored in ``api_tokens.token_hash``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_label(label: str) -> str:
    text = " ".join(label.split())
    if not text or len(text) > _MAX_LABEL or not text.isprintable():
        raise TokenError("E788", "token label", f"must be 1-{_MAX_LABEL} printable characters")
    return text


def create_token(store: Store, label: str) -> str:
    """Make a new token labelled ``label``, store its hash, and return the token (shown once).

    Raises
    ------
    TokenError
        E788 for an empty, overlong or unprintable label.
    """
    name = _check_label(label)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.backend.transaction():
        store.backend.execute(
            "INSERT INTO api_tokens (label, token_hash, created_at) VALUES (?, ?, ?)",
            (name, hash_token(token), utc_now()),
        )
    return token


def verify_token(store: Store, token: str) -> bool:
    """Whether ``token`` is a stored, unrevoked token; records when it was last used.

    ``last_used_at`` is written at most once a second per token (the store
    keeps whole seconds), so a busy client does not turn every request into a
    write.
    """
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN:
        return False
    digest = hash_token(token)
    rows = store.backend.execute(
        "SELECT id, token_hash, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
        (digest,),
    )
    if not rows or not hmac.compare_digest(str(rows[0][1]), digest):
        return False
    now = utc_now()
    if rows[0][2] != now:
        with store.backend.transaction():
            store.backend.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now, rows[0][0]))
    return True


def revoke_token(store: Store, token_id: int) -> TokenInfo:
    """Revoke the token with id ``token_id`` (from :func:`list_tokens`); revoking twice keeps the first time.

    Raises
    ------
    TokenError
        E787 when no token has that id.
    """
    with store.backend.transaction():
        store.backend.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (utc_now(), token_id)
        )
    for info in list_tokens(store):
        if info.id == token_id:
            return info
    raise TokenError("E787", f"token {token_id}", "no such token (see spinscope token list)")


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token ever made, oldest first, revoked ones included."""
    rows = store.backend.execute(
        "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id"
    )
    return [TokenInfo(int(r[0]), str(r[1]), str(r[2]), r[3], r[4]) for r in rows]


def _unauthorized(problem: str) -> RequestRefused:
    return RequestRefused(
        "E783", "authorization", problem, status=401, headers={"WWW-Authenticate": 'Bearer realm="spinscope"'}
    )


def bearer_token(authorization: str | None) -> str:
    """The token in an ``Authorization: Bearer ...`` header value; E783 (401) without one."""
    if not authorization:
        raise _unauthorized("this endpoint needs an API token (Authorization: Bearer ...; spinscope token create)")
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or " " in value:
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    return value


def require_token(
    db: str | None = None,
    *,
    verify: Callable[[str], bool] | None = None,
) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency that refuses a request without a valid bearer token (E783, 401).

    Use it on the write endpoints when the server runs with
    ``--require-token``::

        guard = require_token(settings.db)
        @router.post("/analyze", dependencies=[Depends(guard)])

    By default each check opens the store ``db`` in a worker thread (SQLite
    connections belong to the thread that made them) and closes it, so it
    never blocks the event loop. ``verify`` replaces that check with the
    caller's own (run in a worker thread too), e.g. one over a connection
    the server already keeps.
    """

    def check_in_store(token: str) -> bool:
        with Store.open(db, create=False) as store:
            return verify_token(store, token)

    check: Callable[[str], bool] = verify or check_in_store
    from starlette.requests import Request as RequestClass  # the server's extra; only when serving

    async def dependency(request: Request) -> None:
        import anyio.to_thread  # starlette's dependency; imported only when serving

        token = bearer_token(request.headers.get("authorization"))
        ok: Any = await anyio.to_thread.run_sync(check, token)
        if not ok:
            raise _unauthorized("the API token is unknown or revoked")

    # FastAPI reads the parameter's type to inject the request; with postponed
    # annotations it would look "Request" up in this module, which imports it lazily.
    dependency.__annotations__ = {"request": RequestClass, "return": None}
    return dependency

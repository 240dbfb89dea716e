"""CSRF protection for the server's forms: signed double-submit tokens.

A page with a form calls :meth:`Csrf.issue` and puts the token both in a
cookie (:meth:`Csrf.set_cookie`) and in a hidden form field
(:data:`FIELD`). A POST is accepted only when :meth:`Csrf.check` finds the
two equal *and* the token signed by this server (HMAC-SHA256 with the
server's secret) and not expired. Another site can make a browser send the
cookie, but cannot read it to copy it into the form; and because the token
is signed, a value planted in the cookie by a neighbouring host is refused
unless this server made it. A request whose ``Origin`` header names another
origin is refused too (browsers send it with every cross-site POST).

The cookie is ``HttpOnly`` and ``SameSite=Strict`` (``Secure`` when served
over https), so it is not even sent along with cross-site requests in
today's browsers; the token check covers the rest.

The secret comes from :func:`server_secret`: ``$SPINSCOPE_SECRET`` when
set, else a random one made at start and put into the environment so every
uvicorn worker process the server starts shares it.

====  ================================================================
E784  403: the form's CSRF token is missing, forged, expired, or from another origin
E789  ``$SPINSCOPE_SECRET`` is shorter than 32 characters
====  ================================================================
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from spinscope.errors import ConfigError
from spinscope.server.limits import RequestRefused

__all__ = ["COOKIE", "FIELD", "HEADER", "SECRET_ENV", "Csrf", "server_secret"]

#: The cookie that carries the token.
COOKIE = "spinscope_csrf"
#: The hidden form field that must repeat it.
FIELD = "csrf_token"
#: The header a script may send instead of the form field.
HEADER = "X-CSRF-Token"
#: The environment variable holding the server's signing secret.
SECRET_ENV = "SPINSCOPE_SECRET"  # noqa: S105 - the variable's name, not a secret

_MAX_TOKEN = 200


def server_secret(environ: dict[str, str] | None = None) -> bytes:
    """The server's signing secret: ``$SPINSCOPE_SECRET``, or a new random one stored there.

    Storing a generated secret in the environment is what lets ``--workers N``
    work: uvicorn starts its worker processes after this runs, they inherit
    the environment, so a form served by one worker is accepted by another.
    Set the variable yourself to keep forms valid across restarts.

    Raises
    ------
    ConfigError
        E789 when the variable is set but shorter than 32 characters.
    """
    env = os.environ if environ is None else environ
    value = env.get(SECRET_ENV)
    if value is None:
        value = secrets.token_urlsafe(32)
        env[SECRET_ENV] = value
    if len(value) < 32:
        raise ConfigError(
            "E789",
            SECRET_ENV,
            "must be at least 32 characters (python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)",
        )
    return value.encode("utf-8")


def _refused(problem: str) -> RequestRefused:
    return RequestRefused("E784", "CSRF check", problem, status=403)


class Csrf:
    """Issue and check signed double-submit CSRF tokens.

    Parameters
    ----------
    secret:
        The HMAC key (:func:`server_secret`).
    max_age_s:
        How long a token stays valid (default 12 hours); a page left open
        longer must be reloaded before its form is accepted.
    clock:
        Wall-clock seconds (tests pass a fake clock).
    """

    def __init__(self, secret: bytes, *, max_age_s: int = 12 * 3600, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("the CSRF secret must be at least 16 bytes")
        self._key = hashlib.sha256(b"spinscope csrf v1\0" + secret).digest()  # a key for this use only
        self.max_age_s = max_age_s
        self.clock = clock

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def _age(self, token: str) -> float | None:
        """The token's age in seconds if this server signed it, else None."""
        if len(token) > _MAX_TOKEN or not token.isascii():
            return None
        stamp, _, rest = token.partition(".")
        nonce, _, signature = rest.partition(".")
        if not (stamp.isdigit() and nonce and signature):
            return None
        if not hmac.compare_digest(signature, self._sign(f"{stamp}.{nonce}")):
            return None
        return self.clock() - int(stamp)

    def valid(self, token: str | None) -> bool:
        """Whether ``token`` was signed by this server and has not expired."""
        if not token:
            return False
        age = self._age(token)
        return age is not None and -60 <= age <= self.max_age_s

    def issue(self, cookie: str | None = None) -> str:
        """The token for a page's form: the browser's current cookie if still good, else a new one.

        Reusing the cookie keeps forms in several open tabs valid together; a
        token past half its life is replaced so a fresh page never carries one
        about to expire.
        """
        if cookie and self.valid(cookie):
            age = self._age(cookie)
            if age is not None and age < self.max_age_s / 2:
                return cookie
        payload = f"{int(self.clock())}.{secrets.token_urlsafe(18)}"
        return f"{payload}.{self._sign(payload)}"

    def set_cookie(self, token: str, *, secure: bool = False) -> str:
        """The ``Set-Cookie`` header value that stores ``token`` (HttpOnly, SameSite=Strict)."""
        flags = "; Secure" if secure else ""
        return f"{COOKIE}={token}; Path=/; Max-Age={self.max_age_s}; HttpOnly; SameSite=Strict{flags}"

    def check(
        self,
        cookie: str | None,
        submitted: str | None,
        *,
        origin: str | None = None,
        expected_origin: str | None = None,
    ) -> None:
        """Accept a form post, or raise :class:`~spinscope.server.limits.RequestRefused` (E784, 403).

        Parameters
        ----------
        cookie:
            The :data:`COOKIE` value the browser sent.
        submitted:
            The :data:`FIELD` form value (or the :data:`HEADER` value).
        origin, expected_origin:
            The request's ``Origin`` header and this server's own origin
            (``scheme://host[:port]``); when both are given they must match.
        """
        if origin is not None and expected_origin is not None and not _same_origin(origin, expected_origin):
            raise _refused(f"the form was posted from another origin ({' '.join(origin.split())[:100]})")
        if not cookie:
            raise _refused("no CSRF cookie; reload the page and submit the form again")
        if not submitted:
            raise _refused("the form carries no CSRF token; reload the page and submit it again")
        if not hmac.compare_digest(cookie.encode("utf-8"), submitted.encode("utf-8")):
            raise _refused("the form's CSRF token does not match the cookie; reload the page")
        age = self._age(submitted)
        if age is None:
            raise _refused("the CSRF token was not made by this server; reload the page")
        if not -60 <= age <= self.max_age_s:
            raise _refused("the CSRF token has expired; reload the page and submit the form again")


def _same_origin(origin: str, expected: str) -> bool:
    """Scheme, host and port equal (case-insensitively); the opaque origin ``null`` never matches."""

    def parts(value: str) -> tuple[str, str, int | None] | None:
        try:
            split = urlsplit(value.strip())
            port = split.port
        except ValueError:
            return None
        if not split.scheme or not split.hostname:
            return None
        scheme = split.scheme.lower()
        return scheme, split.hostname.lower(), port or {"http": 80, "https": 443}.get(scheme)

    a, b = parts(origin), parts(expected)
    return a is not None and a == b

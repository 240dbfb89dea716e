"""The server's settings: one frozen value built by ``spinscope serve`` (or a test) and read everywhere."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["ServerSettings", "is_loopback"]


@dataclass(frozen=True)
class ServerSettings:
    """How ``spinscope serve`` runs. Every limit has a default safe for a server others can reach.

    ``db``: the corpus store (SQLite path or ``postgresql://`` URL).
    ``max_body_bytes``: request bodies above this get 413 (also the cap on
    one article's text and on a fetched page). ``rate_per_minute`` /
    ``rate_burst``: per-client token bucket (429 beyond). ``queue_size``:
    analyses waiting or running at once (503 with ``Retry-After`` beyond).
    ``require_token``: write endpoints need ``Authorization: Bearer ...``
    (``spinscope token create``). ``allow_private_urls``: let ``url``
    inputs reach loopback and private addresses (tests only).
    ``max_batch``: articles in one ``POST /api/v1/articles``.
    ``job_batch``: articles a background job analyses per committed batch.
    ``job_stale_s``: a running job whose heartbeat is older than this was
    left by a server that died, and is resumed.
    """

    db: str = "spinscope.db"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = 5 * 1024 * 1024
    rate_per_minute: int = 120
    rate_burst: int = 30
    queue_size: int = 4
    require_token: bool = False
    allow_private_urls: bool = False
    fetch_timeout_s: float = 15.0
    model: str | None = None
    exclude: tuple[str, ...] = ()
    page_size: int = 20
    max_batch: int = 1000
    job_batch: int = 4
    job_poll_s: float = 1.0
    job_stale_s: float = 30.0

    def __post_init__(self) -> None:
        for name in ("port", "workers", "max_body_bytes", "rate_per_minute", "rate_burst", "queue_size",
                     "page_size", "max_batch", "job_batch"):  # fmt: skip
            if int(getattr(self, name)) < (0 if name == "port" else 1):
                raise ValueError(f"ServerSettings.{name} must be at least 1, not {getattr(self, name)!r}")

    @property
    def bind(self) -> str:
        """``http://host:port`` as a browser would open it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

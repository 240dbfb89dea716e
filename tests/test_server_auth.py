"""API tokens (only hashes stored, require_token on write endpoints) and CSRF tokens for forms."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from typer.testing import CliRunner

from spinscope.cli import app as cli_app
from spinscope.errors import ConfigError
from spinscope.server import csrf as csrf_module
from spinscope.server.csrf import COOKIE, Csrf, server_secret
from spinscope.server.limits import RequestRefused, refused_handler
from spinscope.server.tokens import (
    TokenError,
    bearer_token,
    create_token,
    hash_token,
    list_tokens,
    require_token,
    revoke_token,
    verify_token,
)
from spinscope.store import Store


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "corpus.db")
    Store.open(path).close()
    return path


# -- tokens in the store -------------------------------------------------------------------------
def test_create_stores_only_the_hash(db: str) -> None:
    with Store.open(db) as store:
        token = create_token(store, "  newsroom   bot ")
        assert token.startswith("sst_") and len(token) >= 40
        (info,) = list_tokens(store)
    assert info.label == "newsroom bot" and info.active and info.last_used_at is None
    raw = Path(db).read_bytes() + (Path(db + "-wal").read_bytes() if Path(db + "-wal").exists() else b"")
    assert token.encode() not in raw
    rows = sqlite3.connect(db).execute("SELECT token_hash FROM api_tokens").fetchall()
    assert rows == [(hash_token(token),)]


def test_verify_accepts_the_token_and_records_use(db: str) -> None:
    with Store.open(db) as store:
        token = create_token(store, "a")
        other = create_token(store, "b")
        assert verify_token(store, token)
        assert not verify_token(store, token + "x")
        assert not verify_token(store, "sst_" + "A" * 43)
        assert not verify_token(store, hash_token(token))  # the stored hash is not a token
        assert not verify_token(store, "")
        used = {t.label: t.last_used_at for t in list_tokens(store)}
    assert used["a"] is not None and used["b"] is None
    assert token != other


def test_revoked_tokens_stop_working(db: str) -> None:
    with Store.open(db) as store:
        token = create_token(store, "temp")
        info = revoke_token(store, 1)
        assert info.revoked_at is not None and not info.active
        assert not verify_token(store, token)
        assert revoke_token(store, 1).revoked_at == info.revoked_at  # the first revocation stands
        with pytest.raises(TokenError) as missing:
            revoke_token(store, 99)
        assert missing.value.code == "E787"


@pytest.mark.parametrize("label", ["", "   ", "x" * 201, "bell\x07"])
def test_bad_labels_are_refused(db: str, label: str) -> None:
    with Store.open(db) as store, pytest.raises(TokenError) as info:
        create_token(store, label)
    assert info.value.code == "E788"


@pytest.mark.parametrize(
    "header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "Bearer a b", "Token sst_x"]
)
def test_malformed_authorization_is_401(header: str | None) -> None:
    with pytest.raises(RequestRefused) as info:
        bearer_token(header)
    assert info.value.code == "E783" and info.value.status == 401
    assert info.value.headers["WWW-Authenticate"].startswith("Bearer")


# -- require_token as a FastAPI dependency ------------------------------------------------------
def _guarded_app(db: str) -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(RequestRefused, refused_handler)
    guard = require_token(db)

    @app.post("/api/v1/analyze", dependencies=[Depends(guard)])
    async def analyze() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/api/v1/articles")
    async def articles() -> dict[str, bool]:
        return {"read": True}

    return app


def _call(app: FastAPI, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, headers=headers or {})

    return asyncio.run(go())


def test_write_endpoint_needs_a_valid_token(db: str) -> None:
    with Store.open(db) as store:
        token = create_token(store, "api")
    app = _guarded_app(db)
    missing = _call(app, "POST", "/api/v1/analyze")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "E783"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = _call(app, "POST", "/api/v1/analyze", {"Authorization": "Bearer sst_" + "Q" * 43})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["error"]["message"]
    ok = _call(app, "POST", "/api/v1/analyze", {"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    assert _call(app, "GET", "/api/v1/articles").status_code == 200  # reads stay open
    with Store.open(db) as store:
        revoke_token(store, 1)
    assert _call(app, "POST", "/api/v1/analyze", {"Authorization": f"Bearer {token}"}).status_code == 401


def test_require_token_with_a_custom_verifier() -> None:
    app = FastAPI()
    app.add_exception_handler(RequestRefused, refused_handler)

    @app.post("/w", dependencies=[Depends(require_token(verify=lambda t: t == "sst_good"))])
    async def write() -> dict[str, int]:
        return {"w": 1}

    assert _call(app, "POST", "/w", {"Authorization": "Bearer sst_good"}).status_code == 200
    assert _call(app, "POST", "/w", {"Authorization": "bearer sst_bad"}).status_code == 401


# -- the token commands -------------------------------------------------------------------------
def test_token_commands(db: str) -> None:
    runner = CliRunner()
    made = runner.invoke(cli_app, ["token", "create", "--db", db, "--label", "fact desk"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    assert token.startswith("sst_")
    listed = runner.invoke(cli_app, ["token", "list", "--db", db, "--json"])
    assert listed.exit_code == 0
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["label"] == "fact desk" and row["active"] is True
    assert token not in listed.stdout
    revoked = runner.invoke(cli_app, ["token", "revoke", "1", "--db", db])
    assert revoked.exit_code == 0
    again = runner.invoke(cli_app, ["token", "list", "--db", db, "--json"])
    assert json.loads(again.stdout)["active"] is False
    unknown = runner.invoke(cli_app, ["token", "revoke", "7", "--db", db])
    assert unknown.exit_code == 1 and "[E787]" in unknown.output
    bad = runner.invoke(cli_app, ["token", "create", "--db", db, "--label", " "])
    assert bad.exit_code == 2 and "[E788]" in bad.output


def test_token_list_on_a_missing_database_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["token", "list", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "[E650]" in result.output


# -- CSRF ----------------------------------------------------------------------------------------
SECRET = b"s" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def refused(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(RequestRefused) as info:
        fn(*args, **kwargs)
    assert info.value.code == "E784" and info.value.status == 403
    return info.value.problem


def test_csrf_round_trip_and_reuse() -> None:
    csrf = Csrf(SECRET)
    token = csrf.issue()
    csrf.check(token, token)
    assert csrf.issue(token) == token  # one token for every open tab
    assert csrf.issue("garbage") != "garbage"


def test_csrf_refuses_missing_mismatched_forged_and_tampered() -> None:
    csrf = Csrf(SECRET)
    token = csrf.issue()
    assert "no CSRF cookie" in refused(csrf.check, None, token)
    assert "no CSRF token" in refused(csrf.check, token, "")
    assert "does not match" in refused(csrf.check, token, csrf.issue(None) + "")
    forged = Csrf(b"another server's secret!").issue()
    assert "not made by this server" in refused(csrf.check, forged, forged)
    stamp, nonce, signature = token.split(".")
    tampered = f"{int(stamp) + 1}.{nonce}.{signature}"
    assert "not made by this server" in refused(csrf.check, tampered, tampered)
    assert "not made by this server" in refused(csrf.check, "é" * 10, "é" * 10)


def test_csrf_tokens_expire() -> None:
    clock = Clock()
    csrf = Csrf(SECRET, max_age_s=3600, clock=clock)
    token = csrf.issue()
    clock.now += 1000
    csrf.check(token, token)
    assert csrf.issue(token) == token
    clock.now += 1000  # past half its life: pages get a fresh one, the old one still works
    assert csrf.issue(token) != token
    csrf.check(token, token)
    clock.now += 2000
    assert "expired" in refused(csrf.check, token, token)


def test_csrf_origin_must_match() -> None:
    csrf = Csrf(SECRET)
    token = csrf.issue()
    own = "http://127.0.0.1:8000"
    csrf.check(token, token, origin="http://127.0.0.1:8000", expected_origin=own)
    csrf.check(token, token, origin=None, expected_origin=own)  # no Origin header: the token decides
    for origin in ["https://evil.example", "http://127.0.0.1:8001", "null", "https://127.0.0.1:8000", "::"]:
        assert "another origin" in refused(csrf.check, token, token, origin=origin, expected_origin=own)
    csrf.check(token, token, origin="https://News.Example", expected_origin="https://news.example:443")


def test_csrf_cookie_flags() -> None:
    csrf = Csrf(SECRET)
    header = csrf.set_cookie("t", secure=True)
    assert header.startswith(f"{COOKIE}=t;")
    for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/"):
        assert flag in header
    assert "Secure" not in csrf.set_cookie("t")


def test_server_secret_is_shared_through_the_environment() -> None:
    env: dict[str, str] = {}
    first = server_secret(env)
    assert env[csrf_module.SECRET_ENV] == first.decode() and len(first) >= 32
    assert server_secret(env) == first  # a worker process started later reads the same one
    with pytest.raises(ConfigError) as info:
        server_secret({csrf_module.SECRET_ENV: "short"})
    assert info.value.code == "E789"


@pytest.mark.database
def test_tokens_on_postgresql(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        token = create_token(store, "pg")
        assert verify_token(store, token) and not verify_token(store, token[:-1])
        (info,) = list_tokens(store)
        assert info.last_used_at is not None
        revoke_token(store, info.id)
        assert not verify_token(store, token)
        rows = store.backend.execute("SELECT token_hash FROM api_tokens")
    assert rows == [(hash_token(token),)]

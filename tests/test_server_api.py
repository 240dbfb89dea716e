"""``spinscope serve``'s REST API and pages, in process (FastAPI's TestClient), on parsed JSON.

Two kinds of app: one on the real pipeline (built once for the module: the
analysis JSON must be the real thing and match the schema), and apps on the
store tests' rule-based analyser (``tests/store_helpers.py``), injected
through ``create_app(pipe=...)``, where what is tested is the server's own
logic: limits, errors, jobs and their resumption, filters.
"""

from __future__ import annotations

import http.server
import json
import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from spinscope.document import Document
from spinscope.report.assets import report_script
from spinscope.server.app import create_app
from spinscope.server.settings import ServerSettings
from spinscope.store import Store
from spinscope.store.store import utc_now
from store_helpers import META, article, fake_analyse

pytestmark = pytest.mark.database

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/spinscope/schemas/analysis.schema.json").read_text())

HOSTILE = (
    'He said "<b>enough</b>" & left <script>window.__pwned=3</script>\n\n'
    "Officials called the plan <script>window.__pwned=1</script> a disgrace and a betrayal, a corrupt scheme.\n\n"
    'See <img src=x onerror="window.__pwned=2"> and <a href="javascript:window.__pwned=4">this link</a>.'
)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ARTICLE = (EXAMPLES / "opinion-harbour-accord.txt").read_text(encoding="utf-8")  # the bundled loaded op-ed


def settings(tmp_path: Path, **changes: Any) -> ServerSettings:
    values: dict[str, Any] = {"db": str(tmp_path / "corpus.db"), "rate_per_minute": 100_000, "rate_burst": 10_000,
                              "job_poll_s": 0.05}  # fmt: skip
    values.update(changes)
    return ServerSettings(**values)


def api_article(i: int, rng: random.Random) -> dict[str, Any]:
    a = article(i, rng)
    return {"text": a["text"], "title": a["title"], "outlet": a["source"], "published": a["published"]}


def wait_job(client: TestClient, job_id: str, *, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in {"finished", "failed"}:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job}")


# -- the real pipeline ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(settings(tmp_path_factory.mktemp("real")))
    with TestClient(app) as client:
        yield client


@pytest.mark.slow
def test_analyze_stores_the_article_and_returns_its_id(real: TestClient) -> None:
    r = real.post("/api/v1/analyze", json={"text": ARTICLE, "outlet": "Daily Lantern", "published": "2026-03-02"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["id"], int) and body["stored"] is True and body["already"] is False
    analysis = body["analysis"]
    jsonschema.validate(analysis, SCHEMA)
    assert analysis["document"]["source"] == "Daily Lantern" and analysis["document"]["published"] == "2026-03-02"
    assert analysis["spans"], "the real model finds the loaded words of this article"
    stored = real.get(f"/api/v1/articles/{body['id']}").json()
    assert stored["id"] == body["id"] and stored["analysis"] == analysis
    again = real.post("/api/v1/analyze", json={"text": ARTICLE, "outlet": "Daily Lantern", "published": "2026-03-02"}).json()
    assert (again["id"], again["stored"], again["already"]) == (body["id"], False, True)
    listed = real.get("/api/v1/articles", params={"outlet": "daily lantern"}).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    health = real.get("/health").json()
    assert health["models_loaded"] is True and health["pipeline"]["schema_version"] == analysis["schema_version"]
    assert [c["name"] for c in health["pipeline"]["components"]][:2] == ["language", "entities"]


@pytest.mark.slow
def test_store_false_analyses_without_storing(real: TestClient) -> None:
    before = real.get("/api/v1/articles").json()["total"]
    text = (EXAMPLES / "report-harbour-accord.txt").read_text(encoding="utf-8")
    r = real.post("/api/v1/analyze", json={"text": text, "store": False})
    assert r.status_code == 200, r.text
    assert r.json()["id"] is None and r.json()["stored"] is False
    jsonschema.validate(r.json()["analysis"], SCHEMA)
    assert real.get("/api/v1/articles").json()["total"] == before


@pytest.mark.slow
def test_hostile_text_is_data_in_json_and_escaped_on_the_page(real: TestClient) -> None:
    r = real.post("/api/v1/analyze", json={"text": HOSTILE, "outlet": '<i onmouseover="x()">Outlet</i>'})
    assert r.status_code == 200, r.text
    article_id = r.json()["id"]
    assert "<script>window.__pwned=1</script>" in r.json()["analysis"]["document"]["text"]
    page = real.get(f"/articles/{article_id}")
    assert page.status_code == 200
    html = page.text
    assert "window.__pwned" in html  # the text is there ...
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts == [report_script()]  # ... but the only script is ours
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "<img src=x" not in html and 'href="javascript:' not in html and "<i onmouseover" not in html
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    corpus = real.get("/articles").text
    assert "<i onmouseover" not in corpus and "&lt;i onmouseover" in corpus


@pytest.mark.slow
def test_compare_two_stored_articles(real: TestClient) -> None:
    ids = [item["id"] for item in real.get("/api/v1/articles", params={"limit": 2}).json()["items"]]
    assert len(ids) == 2
    r = real.get("/api/v1/compare", params={"a": ids[0], "b": ids[1]})
    assert r.status_code == 200, r.text
    assert {"a", "b", "story", "quotes"} <= set(r.json()) and isinstance(r.json()["story"]["same_story"], bool)
    page = real.get(f"/compare?a={ids[0]}&b={ids[1]}")
    assert page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    assert real.get("/api/v1/compare", params={"a": ids[0], "b": 999_999}).json()["error"]["code"] == "E753"


@pytest.mark.slow
def test_stories_group_the_stored_articles(real: TestClient) -> None:
    # Three reports of one rate rise (tests/data/stories: gold story "velmora-rate-rise", with quote drift).
    for name in ("article04", "article05", "article06"):
        text = (Path(__file__).parent / "data" / "stories" / f"{name}.txt").read_text(encoding="utf-8")
        assert real.post("/api/v1/analyze", json={"text": text}).status_code == 200
    stories = real.get("/api/v1/stories").json()
    stored = real.get("/api/v1/articles", params={"limit": 100}).json()
    assert sum(len(st["doc_ids"]) for st in stories) == stored["total"]  # every article is in one story
    biggest = max(stories, key=lambda st: st["size"])
    assert biggest["size"] >= 3
    detail = real.get(f"/api/v1/stories/{biggest['id']}").json()
    ids = {a["id"] for a in detail["articles"]}
    assert len(ids) == biggest["size"] and ids <= {item["id"] for item in stored["items"]}
    page = real.get(f"/stories/{biggest['id']}")
    assert page.status_code == 200 and "/compare?a=" in page.text
    assert all(f'href="/articles/{i}"' in page.text for i in ids)  # the articles side by side
    assert "Quote drift" in page.text
    assert real.get("/stories").status_code == 200
    assert error(real.get("/api/v1/stories/no-such-story")) == "E753"
    by_story = real.get("/api/v1/stats", params={"by": "story"}).json()
    assert by_story["by"] == "story" and by_story["stories"]


# -- the server's own logic, on the rule-based analyser ----------------------------------------
@pytest.fixture
def fake(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path), pipe=fake_analyse, meta=META)) as client:
        yield client


def error(r: Any) -> str:
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"].startswith(f"[{body['error']['code']}]"), body
    return str(body["error"]["code"])


def test_bad_requests_get_one_coded_error_shape(fake: TestClient) -> None:
    r = fake.post("/api/v1/analyze", content=b'{"text": "unterminated', headers={"content-type": "application/json"})
    assert r.status_code == 400 and error(r) == "E750"
    r = fake.post("/api/v1/analyze", content=b"just text", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and error(r) == "E752"
    r = fake.post("/api/v1/analyze", data={"text": "form-encoded"})
    assert r.status_code == 415 and error(r) == "E752"
    for body in ({}, {"text": "a", "url": "https://example.org/"}, {"text": ""}, {"text": 5}, {"text": "x", "colour": 1},
                 [1, 2], "text"):  # fmt: skip
        r = fake.post("/api/v1/analyze", json=body)
        assert r.status_code == 422 and error(r) == "E751", (body, r.text)
    r = fake.post("/api/v1/analyze", json={"text": "   \n\n  "})
    assert r.status_code == 422 and error(r) == "E101"  # the reader's own code: empty input
    assert fake.get("/api/v1/articles/12345").status_code == 404
    assert error(fake.get("/api/v1/articles/12345")) == "E753"
    assert error(fake.get("/api/v1/jobs/nope")) == "E753"
    r = fake.delete("/api/v1/articles")
    assert r.status_code == 405 and error(r) == "E757"
    assert error(fake.get("/api/v1/articles", params={"since": "last tuesday"})) == "E658"
    assert error(fake.get("/api/v1/articles", params={"sort": "'; DROP TABLE articles; --"})) == "E663"
    assert error(fake.get("/api/v1/articles", params={"limit": 1000})) == "E751"
    assert fake.get("/nowhere").status_code == 404 and "E753" in fake.get("/nowhere").text


def test_docs_and_openapi_are_local(fake: TestClient) -> None:
    schema = fake.get("/openapi.json").json()
    assert {"/api/v1/analyze", "/api/v1/articles", "/api/v1/jobs/{job_id}", "/api/v1/stats", "/health"} <= set(schema["paths"])
    assert "AnalysisOut" in schema["components"]["schemas"]
    docs = fake.get("/docs")
    assert docs.status_code == 200 and "/api/v1/analyze" in docs.text and "AnalyzeRequest" in docs.text
    # Nothing is loaded from anywhere: no src= at all, and every link is to this site.
    assert "src=" not in docs.text
    links = re.findall(r'href="([^"]*)"', docs.text)
    assert links and all(link.startswith(("/", "#")) for link in links), [x for x in links if not x.startswith(("/", "#"))]


def test_a_batch_job_runs_in_the_background_and_the_corpus_filters(fake: TestClient) -> None:
    rng = random.Random(7)
    articles = [api_article(i, rng) for i in range(12)]
    articles.append({"text": " \n "})  # fails in the reader: counted, the job goes on
    articles.append(dict(articles[0]))  # the same text again: stored once
    r = fake.post("/api/v1/articles", json={"articles": articles})
    assert r.status_code == 202 and r.headers["location"] == f"/api/v1/jobs/{r.json()['id']}"
    assert r.json()["status"] in {"queued", "running"} and r.json()["total"] == 14  # the runner may have taken it
    job = wait_job(fake, r.json()["id"])
    assert (job["status"], job["done"], job["failed"], job["progress"]) == ("finished", 13, 1, 1.0)
    failed = [it for it in job["items"] if it["status"] == "failed"]
    assert [it["index"] for it in failed] == [12] and failed[0]["message"].startswith("[E101]")
    assert {it["status"] for it in job["items"] if it["index"] == 13} == {"duplicate"}
    page = fake.get(f"/jobs/{job['id']}")
    assert page.status_code == 200 and "13 stored, 1 failed" in page.text and 'http-equiv="refresh"' not in page.text

    every = fake.get("/api/v1/articles", params={"limit": 100}).json()
    assert every["total"] == 12 and every["next_offset"] is None
    by_outlet: dict[str, int] = {}
    for a in articles[:12]:
        by_outlet[a["outlet"]] = by_outlet.get(a["outlet"], 0) + 1
    for outlet, n in by_outlet.items():
        got = fake.get("/api/v1/articles", params={"outlet": outlet.upper()}).json()
        assert got["total"] == n and all(item["outlet"] == outlet for item in got["items"])
    first = fake.get("/api/v1/articles", params={"limit": 5}).json()
    second = fake.get("/api/v1/articles", params={"limit": 5, "offset": first["next_offset"]}).json()
    assert first["next_offset"] == 5 and len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    days = [item["published"] for item in every["items"]]
    assert days == sorted(days, reverse=True)  # newest first
    titles = [item["title"] for item in fake.get("/api/v1/articles", params={"sort": "title", "limit": 100}).json()["items"]]
    assert titles == sorted(titles, key=str.lower)
    dens = [item["density"] for item in fake.get("/api/v1/articles", params={"sort": "density", "limit": 100}).json()["items"]]
    assert dens == sorted(dens, reverse=True)
    window = fake.get("/api/v1/articles", params={"since": "2026-01-05", "until": "2026-01-09"}).json()
    expected = sum(1 for a in articles[:12] if "2026-01-05" <= a["published"] <= "2026-01-09")
    assert window["total"] == expected and expected > 0
    words = fake.get("/api/v1/articles", params={"q": "\"report 3\""}).json()
    assert [item["title"] for item in words["items"]] == ["Harbour report number 3"]
    fear = fake.get("/api/v1/articles", params={"technique": "appeal_to_fear-prejudice"}).json()
    with_fear = sum(1 for a in articles[:12] if "catastrophe" in a["text"].lower())
    assert fear["total"] == with_fear
    named = fake.get("/api/v1/articles", params={"entity": "councillor okafor"}).json()
    assert named["total"] == sum(1 for a in articles[:12] if "Councillor Okafor" in a["text"])
    stats = fake.get("/api/v1/stats", params={"by": "outlet", "metric": "genre"}).json()
    assert sum(g["articles"] for g in stats["groups"]) == 12
    # The same filters on the pages, without JavaScript: a GET form and links.
    html = fake.get("/articles", params={"outlet": articles[0]["outlet"], "sort": "title"}).text
    assert html.count('<tr>') - 1 == by_outlet[articles[0]["outlet"]]
    outlet_page = fake.get(f"/outlets/{articles[0]['outlet']}")
    assert outlet_page.status_code == 200 and "<svg" in outlet_page.text
    assert fake.get("/stats", params={"by": "month"}).status_code == 200


def test_a_batch_over_the_limit_is_refused(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, max_batch=3), pipe=fake_analyse, meta=META)) as client:
        r = client.post("/api/v1/articles", json={"articles": [{"text": f"a {i}\n\nb"} for i in range(4)]})
        assert r.status_code == 413 and error(r) == "E756"
        assert client.post("/api/v1/articles", json={"articles": []}).status_code == 422


@pytest.mark.parametrize("how", ["clean stop", "crash"])
def test_a_restarted_server_resumes_an_unfinished_job(tmp_path: Path, how: str) -> None:
    rng = random.Random(3)
    articles = [api_article(i, rng) for i in range(6)]
    calls: list[int] = []
    holder: dict[str, Any] = {}

    def dying(docs: Sequence[Document]) -> Iterator[Any]:
        calls.append(len(docs))
        if len(calls) == 2:  # the server is told to stop in the middle of its second batch
            holder["app"].state.runner.request_stop()
        return fake_analyse(docs)

    first = create_app(settings(tmp_path, job_batch=2, job_stale_s=1.0), pipe=dying, meta=META)
    holder["app"] = first
    with TestClient(first) as client:
        job_id = client.post("/api/v1/articles", json={"articles": articles}).json()["id"]
        deadline = time.monotonic() + 30
        while client.get(f"/api/v1/jobs/{job_id}").json()["done"] < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    with Store.open(str(tmp_path / "corpus.db")) as store:
        ((status, done),) = store.backend.execute("SELECT status, done FROM jobs WHERE id = ?", (job_id,))
        # A clean stop hands the job back to the queue.
        assert (status, done) == ("queued", 4) and calls == [2, 2]
        if how == "crash":  # a killed server never gets to: its job is left running, with its last heartbeat
            with store.backend.transaction():
                store.backend.execute("UPDATE jobs SET status = 'running' WHERE id = ?", (job_id,))

    seen: list[str] = []

    def counting(docs: Sequence[Document]) -> Iterator[Any]:
        seen.extend(d.title or "" for d in docs)
        return fake_analyse(docs)

    # After a clean stop the next server takes the job at once, however long a heartbeat may
    # take to go stale; after a crash it must wait for the heartbeat (1 s here) to go stale.
    stale = 3600.0 if how == "clean stop" else 1.0
    with TestClient(create_app(settings(tmp_path, job_batch=2, job_stale_s=stale), pipe=counting, meta=META)) as client:
        job = wait_job(client, job_id)
        assert (job["status"], job["done"], job["failed"]) == ("finished", 6, 0)
        assert seen == [articles[4]["title"], articles[5]["title"]]  # only what the first server had not stored
        assert client.get("/api/v1/articles").json()["total"] == 6


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(tmp_path: Path) -> None:
    """A job another worker is running (heartbeat fresh) is never taken: it would run twice."""
    with TestClient(create_app(settings(tmp_path, job_stale_s=3600.0), pipe=fake_analyse, meta=META, run_jobs=False)) as client:
        job_id = client.post("/api/v1/articles", json={"articles": [{"text": "A title\n\nA body."}]}).json()["id"]
        with Store.open(str(tmp_path / "corpus.db")) as store:
            with store.backend.transaction():
                store.backend.execute("UPDATE jobs SET status = 'running', updated_at = ? WHERE id = ?", (utc_now(), job_id))
            assert client.app.state.runner.claim(store) is None


def test_oversized_bodies_are_refused(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, max_body_bytes=2000), pipe=fake_analyse, meta=META)) as client:
        r = client.post("/api/v1/analyze", json={"text": "word " * 1000})
        assert r.status_code == 413 and error(r) == "E780"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"text": "'
            for _ in range(100):
                yield b"x" * 100
            yield b'"}'

        r = client.post("/api/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and error(r) == "E780"
        assert client.post("/api/v1/analyze", json={"text": "Small\n\nA short corrupt text."}).status_code == 200


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    with TestClient(create_app(settings(tmp_path, rate_per_minute=6, rate_burst=3), pipe=fake_analyse, meta=META)) as client:
        codes = [client.get("/api/v1/articles").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        r = client.get("/api/v1/articles")
        assert error(r) == "E781" and int(r.headers["retry-after"]) >= 1
        assert client.get("/health").status_code == 200  # monitoring is never starved


def test_a_full_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(docs: Sequence[Document]) -> Iterator[Any]:
        entered.set()
        release.wait(30)
        return fake_analyse(docs)

    with TestClient(create_app(settings(tmp_path, queue_size=1), pipe=slow, meta=META)) as client:
        answers: list[int] = []
        worker = threading.Thread(
            target=lambda: answers.append(client.post("/api/v1/analyze", json={"text": "One\n\nA corrupt plan."}).status_code)
        )
        worker.start()
        assert entered.wait(30)
        r = client.post("/api/v1/analyze", json={"text": "Two\n\nAnother corrupt plan."})
        release.set()
        worker.join(30)
        assert r.status_code == 503 and error(r) == "E782" and int(r.headers["retry-after"]) >= 1
        assert answers == [200]


def test_require_token_guards_writes_not_reads(tmp_path: Path) -> None:
    from spinscope.server.tokens import create_token

    with TestClient(create_app(settings(tmp_path, require_token=True), pipe=fake_analyse, meta=META)) as client:
        r = client.post("/api/v1/analyze", json={"text": "Title\n\nA corrupt plan."})
        assert r.status_code == 401 and error(r) == "E783" and r.headers["www-authenticate"].startswith("Bearer")
        r = client.post("/api/v1/articles", json={"articles": [{"text": "T\n\nx y z"}]}, headers={"authorization": "Bearer sst_forged"})
        assert r.status_code == 401
        with Store.open(str(tmp_path / "corpus.db")) as store:
            token = create_token(store, "tests")
        r = client.post("/api/v1/analyze", json={"text": "Title\n\nA corrupt plan."}, headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["stored"] is True
        assert client.get("/api/v1/articles").json()["total"] == 1
        assert client.get("/health").json()["require_token"] is True


def _csrf_token(client: TestClient) -> str:
    page = client.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match and client.cookies.get("spinscope_csrf") == match.group(1)
    return match.group(1)


def test_the_paste_form_needs_its_csrf_token(fake: TestClient) -> None:
    r = fake.post("/", data={"text": "Title\n\nA corrupt plan."}, follow_redirects=False)
    assert r.status_code == 403 and "E784" in r.text
    token = _csrf_token(fake)
    r = fake.post("/", data={"text": "Title\n\nA corrupt plan.", "csrf_token": "x" + token}, follow_redirects=False)
    assert r.status_code == 403
    r = fake.post("/", data={"text": "Title\n\nA corrupt plan.", "csrf_token": token}, headers={"origin": "https://evil.example"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 403
    r = fake.post("/", data={"text": "Title\n\nA corrupt plan.", "outlet": "Lantern", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/articles/\d+", r.headers["location"])
    page = fake.get(r.headers["location"])
    assert page.status_code == 200 and "mark class=\"hl\"" in page.text and "Lantern" in page.text
    r = fake.post("/", data={"text": "", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 422 and "E751" in r.text  # shown on the form again, not a traceback


def test_uploading_a_file_of_several_articles_starts_a_job(fake: TestClient) -> None:
    token = _csrf_token(fake)
    rng = random.Random(11)
    rows = [article(i, rng) for i in range(3)]
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    r = fake.post("/", data={"csrf_token": token}, files={"file": ("dump.jsonl", data, "application/octet-stream")},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job = wait_job(fake, r.headers["location"].rsplit("/", 1)[1])
    assert (job["done"], job["failed"]) == (3, 0)
    r = fake.post("/", data={"csrf_token": token}, files={"file": ("one.txt", b"One title\n\nOne corrupt paragraph.", "text/plain")},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/articles/")
    r = fake.post("/", data={"csrf_token": token}, files={"file": ("x.exe", b"MZ\x00\x00", "application/octet-stream")})
    assert r.status_code == 422 and "E104" in r.text


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).hits.append(self.path)
        body = b"A local article\n\nCritics called it a corrupt local article, and everyone agreed.\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_port() -> Iterator[int]:
    """A real HTTP server on 127.0.0.1 that records every path asked of it (``_Counting.hits``); its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.hits = []
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.network
@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost", "10.1.2.3", "169.254.169.254", "0.0.0.0"])
def test_url_inputs_never_reach_private_addresses(fake: TestClient, host: str, local_port: int) -> None:
    r = fake.post("/api/v1/analyze", json={"url": f"http://{host}:{local_port}/article"})
    assert r.status_code == 422 and error(r) == "E785", r.text
    assert _Counting.hits == []


@pytest.mark.network
def test_allow_private_urls_lets_tests_fetch_from_loopback(tmp_path: Path, local_port: int) -> None:
    app = create_app(settings(tmp_path, allow_private_urls=True), pipe=fake_analyse, meta=META)
    with TestClient(app) as client:
        r = client.post("/api/v1/analyze", json={"url": f"http://127.0.0.1:{local_port}/article", "outlet": "Local"})
        assert r.status_code == 200, r.text
        assert r.json()["analysis"]["document"]["url"] == f"http://127.0.0.1:{local_port}/article"
        assert "corrupt local article" in r.json()["analysis"]["document"]["text"]
    assert _Counting.hits == ["/article"]


def test_jobs_and_the_corpus_list_on_postgresql(pg_url: str) -> None:
    """The same server over PostgreSQL: a job claimed and run, search, filters, sorting and pages."""
    rng = random.Random(5)
    articles = [api_article(i, rng) for i in range(7)]
    app = create_app(ServerSettings(db=pg_url, rate_per_minute=100_000, rate_burst=10_000, job_poll_s=0.05, job_batch=3),
                     pipe=fake_analyse, meta=META)  # fmt: skip
    with TestClient(app) as client:
        job = wait_job(client, client.post("/api/v1/articles", json={"articles": articles}).json()["id"])
        assert (job["status"], job["done"], job["failed"]) == ("finished", 7, 0)
        every = client.get("/api/v1/articles", params={"limit": 3}).json()
        assert every["total"] == 7 and every["next_offset"] == 3 and len(every["items"]) == 3
        words = client.get("/api/v1/articles", params={"q": '"report 4"'}).json()
        assert [item["title"] for item in words["items"]] == ["Harbour report number 4"]
        outlet = articles[0]["outlet"]
        got = client.get("/api/v1/articles", params={"outlet": outlet, "sort": "title"}).json()
        assert got["total"] == sum(1 for a in articles if a["outlet"] == outlet)
        titles = [item["title"] for item in got["items"]]
        assert titles == sorted(titles, key=str.lower)
        assert client.get(f"/articles/{every['items'][0]['id']}").status_code == 200
        assert client.get("/articles", params={"q": "harbour", "sort": "density"}).status_code == 200


@pytest.mark.slow
def test_spinscope_serve_binds_loopback_says_so_and_stops_cleanly(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "new.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from spinscope.cli import main; main()", "serve", "--db", str(db), "--port", str(port)],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None and health.status_code == 200, "the server did not answer"
        assert health.json()["store_schema_version"] >= 3
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"spinscope serve: http://127.0.0.1:{port}" in err and "warning" not in err.lower()
    with Store.open(str(db)) as store:
        assert store.backend.execute("SELECT status FROM runs WHERE command = 'spinscope serve'") == [("finished",)]


def test_which_hosts_count_as_loopback() -> None:
    from spinscope.server.settings import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.5.5.5", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org"))


def test_with_require_token_the_paste_form_asks_for_the_token(tmp_path: Path) -> None:
    from spinscope.server.tokens import create_token

    with TestClient(create_app(settings(tmp_path, require_token=True), pipe=fake_analyse, meta=META)) as client:
        csrf = _csrf_token(client)
        assert 'name="token" type="password"' in client.get("/").text
        r = client.post("/", data={"text": "Title\n\nA corrupt plan.", "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 401 and "E783" in r.text
        r = client.post("/", data={"text": "Title\n\nA corrupt plan.", "csrf_token": csrf, "token": "sst_wrong"},
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 401
        with Store.open(str(tmp_path / "corpus.db")) as store:
            token = create_token(store, "desk")
        r = client.post("/", data={"text": "Title\n\nA corrupt plan.", "csrf_token": csrf, "token": token},
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 303


def test_an_outlet_name_is_one_path_segment(fake: TestClient) -> None:
    r = fake.post("/api/v1/analyze", json={"text": "Title\n\nA corrupt plan.", "outlet": "News/Views & <Co>"})
    assert r.status_code == 200
    html = fake.get("/articles").text
    assert 'href="/outlets/News%2FViews%20%26%20%3CCo%3E"' in html
    page = fake.get("/outlets/News%2FViews%20%26%20%3CCo%3E")
    assert page.status_code == 200 and "<h1 id=\"outlet-h\">News/Views &amp; &lt;Co&gt;</h1>" in page.text
    assert fake.get("/favicon.ico").status_code == 204


def test_two_workers_on_one_store_run_each_job_once(tmp_path: Path) -> None:
    """As with ``--workers 2``: two apps (each with its own job runner) share the store; each job runs in one."""
    analysed: list[str] = []
    lock = threading.Lock()

    def counting(docs: Sequence[Document]) -> Iterator[Any]:
        with lock:
            analysed.extend(d.title or "" for d in docs)
        time.sleep(0.01)
        return fake_analyse(docs)

    rng = random.Random(9)
    batches = [[api_article(10 * j + i, rng) for i in range(5)] for j in range(4)]
    one = create_app(settings(tmp_path, job_batch=2), pipe=counting, meta=META)
    two = create_app(settings(tmp_path, job_batch=2), pipe=counting, meta=META)
    with TestClient(one) as a, TestClient(two) as b:
        ids = [(a if j % 2 else b).post("/api/v1/articles", json={"articles": batch}).json()["id"] for j, batch in enumerate(batches)]
        jobs = [wait_job(a, job_id) for job_id in ids]
    assert [(j["status"], j["done"]) for j in jobs] == [("finished", 5)] * 4
    assert sorted(analysed) == sorted(x["title"] for batch in batches for x in batch)  # each article once


def test_the_analysis_model_has_the_schema_s_fields() -> None:
    """AnalysisOut (the API's analysis body) names exactly the analysis schema's fields, required ones required."""
    from spinscope.server.models import AnalysisOut

    model = AnalysisOut.model_json_schema()
    assert set(model["properties"]) == set(SCHEMA["properties"])
    assert set(model["required"]) == set(SCHEMA["required"])
    assert model["additionalProperties"] is False and SCHEMA["additionalProperties"] is False

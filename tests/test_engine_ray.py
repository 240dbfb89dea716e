"""The Ray engine: the same results as one process, faults survived, and a real two-node cluster.

Every test here starts and stops its own Ray processes, with every wait
bounded. Without Ray installed they skip, except under CI=true, where
they fail: CI installs the test extra, which includes Ray.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from news_generator import write_articles

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
LIGHT = ["multilingual", "roles", "narratives"]  # left out where a test does not need every component

pytestmark = [
    pytest.mark.ray,
    # Ray's own modules warn on import (pkg_resources, protobuf); not ours to fix.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


def _need_ray() -> None:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI installs the test extra, which includes Ray, but it cannot be imported ({exc})")
        pytest.skip('Ray is not installed: pip install -e ".[test]"')


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 generated articles and one bad input (binary bytes) among them."""
    folder = tmp_path_factory.mktemp("corpus")
    write_articles(folder, 30)
    (folder / "article-014b-broken.txt").write_bytes(b"\x00\x01\x02 not an article \xff\xfe" * 8)
    return folder


def _outcomes(pairs: Iterator[tuple[Any, Any]]) -> list[tuple[str, str, str | None, str | None]]:
    """(name, status, message, analysis JSON) per result; the analysis through JSON, as it is stored."""
    out = []
    for result, analysis in pairs:
        data = None if analysis is None else analysis if isinstance(analysis, dict) else analysis.to_dict()
        message = result.message if result.status != "ok" else None
        out.append(
            (result.name, result.status, message, None if data is None else json.dumps(data, sort_keys=True))
        )
    return out


def test_engine_ray_without_ray_says_what_to_install(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    from spinscope.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError, as if not installed
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--engine", "ray", "--format", "jsonl"])
    assert result.exit_code != 0
    assert result.exception is not None
    assert (
        str(result.exception)
        == '[E850] --engine ray: Ray is not installed; install it with: pip install "spinscope[ray]"'
    )
    assert result.stdout == ""


def test_bad_settings_are_coded_before_ray_starts() -> None:
    from spinscope.engines.ray import RayEngine
    from spinscope.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^\[E853\] --workers"):
        RayEngine(workers=0)
    with pytest.raises(ConfigError, match=r"^\[E854\] http://x: is not a Ray address"):
        RayEngine(address="http://x")
    with pytest.raises(ConfigError, match=r"^\[E907\] nope"):
        RayEngine(exclude=["nope"])


def _close(a: Any, b: Any, tol: float, where: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ: floats by more than ``tol``, anything else at all."""
    if isinstance(a, float) and isinstance(b, float):
        return [] if abs(a - b) <= tol else [f"{where}: {a} != {b}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in _close(a[k], b[k], tol, f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} != {len(b)} items"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _close(x, y, tol, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def test_same_results_in_process_and_on_a_local_ray(corpus: Path) -> None:
    """The full default pipeline: every label, span, quote, entity and narrative is the same.

    The same JSON as the in-process pipeline analysing the same groups of
    articles (here one article per partition, so one at a time), except
    that a score may differ by one in its fourth decimal: a Ray actor runs
    torch on the one CPU it is given, and fp32 sums over one thread and
    over two round differently (seen as 0.3424 against 0.3423 on an AMD
    EPYC without AVX-512). Labels, offsets, texts and order stay exact.
    Against one in-process batch of all 30 the only differences allowed are
    in the last digit of a few scores: which paragraphs are encoded together
    changes float rounding in the encoder (the in-process engine shows the
    same with two batch groupings), never a label.
    """
    _need_ray()
    from spinscope.engines.ray import RayEngine
    from spinscope.ingest import ReadOptions
    from spinscope.pipeline import load

    options = ReadOptions()
    nlp = load()
    batched = _outcomes(nlp.analyze_inputs([str(corpus)], options))
    alone = [o for p in sorted(corpus.iterdir()) for o in _outcomes(nlp.analyze_inputs([str(p)], options))]
    with RayEngine(workers=2, partition_bytes=1) as engine:  # one article per partition
        there = _outcomes(engine.analyze_inputs([str(corpus)], options))
        placed = set(engine.pids)
    assert len(batched) == 31 and sum(1 for o in batched if o[1] == "ok") == 30
    assert [o[:3] for o in there] == [o[:3] for o in batched] == [o[:3] for o in alone]
    (bad,) = [o for o in there if o[1] != "ok"]
    assert bad[0].endswith("article-014b-broken.txt") and bad[2].startswith("[E102] ")
    for mine, theirs in zip(alone, there, strict=True):
        # Exact equality used to check this too: an analysis on one side only is a difference.
        assert (mine[3] is None) == (theirs[3] is None), f"{mine[0]}: an analysis on one side only"
        if mine[3] is not None:
            differences = _close(json.loads(mine[3]), json.loads(theirs[3]), 1.5e-4)
            assert not differences, f"{mine[0]}: the Ray engine's analysis differs from the same pipeline in process: {differences[:5]}"
    for mine, theirs in zip(batched, there, strict=True):
        assert (mine[3] is None) == (theirs[3] is None), f"{mine[0]}: an analysis on one side only"
        if mine[3] is not None:
            differences = _close(json.loads(mine[3]), json.loads(theirs[3]), 5e-4)
            assert not differences, f"{mine[0]}: {differences[:5]}"
    analyses = [json.loads(o[3]) for o in there if o[3]]
    assert all({"quotes", "entities", "narratives"} <= set(a) for a in analyses)
    assert any(a["quotes"] for a in analyses) and any(a["spans"] for a in analyses)
    assert any(e["role"] for a in analyses for e in a["entities"])
    assert len(placed - {0}) == 2, "both actors analysed partitions"


def _pid_holding(client_port: int, server_port: int) -> int | None:
    """The process whose TCP socket 127.0.0.1:client_port is connected to our server (from /proc)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == client_port and int(remote.split(":")[1], 16) == server_port:
            inode = fields[9]
    if inode is None:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:  # a process that ended, or one that is not ours to read
            continue
    return None


class _KillOnFirstFetch(BaseHTTPRequestHandler):
    """Serves one article; the first request's client process (a Ray actor, mid-partition) is killed instead."""

    protocol_version = "HTTP/1.0"
    requests: list[int | None]  # the client pid of every request, in order
    killed: list[int]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        pid = _pid_holding(self.client_address[1], self.server.server_address[1])
        self.requests.append(pid)
        if len(self.requests) == 1 and pid is not None and pid != os.getpid():
            self.killed.append(pid)
            os.kill(pid, signal.SIGKILL)  # the actor's worker process, while it reads this partition
            return
        body = b'Fetched over HTTP\n\nThe minister said "we will see" on Friday, according to reporters.\n'
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.network
def test_a_killed_worker_is_restarted_and_its_batch_retried(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kill the actor that is reading a partition: the run completes, every input once, that partition run again."""
    _need_ray()
    from spinscope.engines.ray import RayEngine
    from spinscope.ingest import read
    from spinscope.pipeline import load

    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # the workers inherit this environment
    handler = type("Handler", (_KillOnFirstFetch,), {"requests": [], "killed": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/article"
    names = [url, *sorted(str(p) for p in corpus.iterdir())]
    try:
        # One input per partition; the URL is the first, so one actor is killed while it fetches it.
        with RayEngine(workers=2, exclude=LIGHT, partition_bytes=1, max_restarts=2) as engine:
            outcomes = [
                (r.name, r.status, a is not None) for r, a in engine.analyze_inputs([url, str(corpus)])
            ]
            pids = list(engine.pids)
            # The store's seam on the same session: Documents read on the driver, analysed on the actors.
            docs = [r.document for r in read(sorted(str(p) for p in corpus.glob("article-00[0-2].txt")))]
            stored = engine.store_pipe()([d for d in docs if d is not None])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert handler.killed, f"the first request came from no process we could find ({handler.requests})"
    (killed,) = handler.killed
    assert [n for n, _, _ in outcomes] == names, "every input came back exactly once, in input order"
    assert [s for _, s, _ in outcomes].count("ok") == 31 and [s for _, s, _ in outcomes].count("error") == 1
    assert all(ok == (s == "ok") for _, s, ok in outcomes)
    # The killed actor's partition ran again: a second request, from a process that did not exist before.
    assert len(handler.requests) == 2 and handler.requests[1] not in (None, killed)
    assert pids[0] == handler.requests[1] and killed not in pids
    expected = [a.to_dict() for d in docs if d is not None for a in load(exclude=LIGHT).pipe([d])]
    assert len(stored) == 3 and [a.to_dict() for a in stored] == json.loads(json.dumps(expected))


# -- a real two-node cluster ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ray_cli() -> str:
    found = Path(sys.executable).parent / "ray"
    assert found.is_file(), f"the ray command is not beside {sys.executable}"
    return str(found)


def _start_node(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # --block keeps `ray start` in the foreground as the parent of the node's processes,
    # so stopping the node is signalling the process group we started (never `ray stop`).
    with log.open("wb") as out:
        return subprocess.Popen(
            [_ray_cli(), "start", "--block", "--disable-usage-stats", "--num-cpus", "1", *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop_node(node: subprocess.Popen[bytes]) -> None:
    if node.poll() is None:
        os.killpg(node.pid, signal.SIGTERM)
        try:
            node.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(node.pid, signal.SIGKILL)
            node.wait(timeout=30)


def _alive_nodes(address: str, env: dict[str, str], timeout: float) -> int:
    check = f"import ray; ray.init(address={address!r}, log_to_driver=False); print(sum(n['Alive'] for n in ray.nodes()))"
    done = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return int(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else 0


def test_two_nodes_on_one_machine_through_the_cli(tmp_path: Path) -> None:
    _need_ray()
    write_articles(tmp_path / "in", 4, seed=5)
    port = _free_port()
    address = f"127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(SRC), "RAY_USAGE_STATS_ENABLED": "0"}
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        nodes.append(
            _start_node(["--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--include-dashboard", "false",
                         "--object-store-memory", str(100 * 1024 * 1024)], env, tmp_path / "head.log")
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and _alive_nodes(address, env, 60) < 1:
            assert nodes[0].poll() is None, (tmp_path / "head.log").read_text(errors="replace")[-2000:]
            time.sleep(2)
        nodes.append(
            _start_node(["--address", address, "--node-ip-address", "127.0.0.1",
                         "--object-store-memory", str(100 * 1024 * 1024)], env, tmp_path / "worker.log")
        )  # fmt: skip
        while time.monotonic() < deadline and _alive_nodes(address, env, 60) < 2:
            assert nodes[1].poll() is None, (tmp_path / "worker.log").read_text(errors="replace")[-2000:]
            time.sleep(2)
        assert _alive_nodes(address, env, 60) == 2, "the second node did not join within the time allowed"
        # The folder, then stdin ("-"): read on the driver, its Document shipped to an actor as JSON.
        command = [sys.executable, "-m", "spinscope.cli", "analyze", str(tmp_path / "in"), "-", "--format", "jsonl",
                   "--engine", "ray", "--ray-address", address, "--workers", "2", *[f"--exclude={x}" for x in LIGHT]]  # fmt: skip
        stdin = "Piped in\n\nThe mayor said \"the bridge will open in May\" on Tuesday.\n"
        done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=420, check=False)
        # The same cluster analyses for the store: the driver reads, dedupes and commits; a rerun adds nothing.
        db = tmp_path / "corpus.db"
        add = [sys.executable, "-m", "spinscope.cli", "add", str(tmp_path / "in"), "--db", str(db), "--no-progress",
               "--engine", "ray", "--ray-address", address, "--workers", "2", *[f"--exclude={x}" for x in LIGHT]]  # fmt: skip
        added = subprocess.run(add, env=env, capture_output=True, text=True, timeout=420, check=False)
        again = subprocess.run(add, env=env, capture_output=True, text=True, timeout=420, check=False)
    finally:
        for node in reversed(nodes):
            _stop_node(node)
    assert added.returncode == 0, added.stderr[-3000:]
    assert again.returncode == 0, again.stderr[-3000:]
    import sqlite3

    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        analyses = conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
    assert (articles, analyses) == (4, 4)  # each article once, analysed once, across both runs
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    origins = [Path(a["document"]["origin"]).name for a in lines]
    assert origins == [*(f"article-{i:03d}.txt" for i in range(4)), "stdin"]
    assert lines[-1]["document"]["title"] == "Piped in" and lines[-1]["quotes"]
    # Two actors of one CPU each on two one-CPU nodes: both nodes did the work.
    assert "ray: 5 result(s) from 2 actor process(es) on 2 node(s)" in done.stderr, done.stderr[-2000:]


# -- into the store ---------------------------------------------------------------------------
def _stored_labels(db: Path) -> dict[str, dict[str, Any]]:
    """Per input name: the stored analysis JSON and every label row the store derived from it."""
    from spinscope.store import Store

    out: dict[str, dict[str, Any]] = {}
    with Store.open(str(db)) as store:
        rows = store.backend.execute(
            "SELECT i.name, an.id, an.result FROM inputs i JOIN current_analyses an ON an.article_id = i.article_id"
        )
        for name, analysis_id, result in rows:
            def q(sql: str, analysis_id: int = analysis_id) -> list[tuple[Any, ...]]:
                return sorted(tuple(r) for r in store.backend.execute(sql, (analysis_id,)))

            out[name] = {
                "result": json.loads(result),
                "paragraph_labels": q("SELECT paragraph, technique FROM paragraph_labels WHERE analysis_id = ?"),
                "spans": q("SELECT start_char, end_char, technique, kind FROM spans WHERE analysis_id = ?"),
                "frames": q("SELECT frame FROM frames WHERE analysis_id = ?"),
                "quotes": q("SELECT quote_index, start_char, end_char, kind, speaker, cue FROM quotes WHERE analysis_id = ?"),
                "entities": q("SELECT name, label, main_role, fine_roles, mentions FROM entities WHERE analysis_id = ?"),
                "narratives": q("SELECT level, label, is_dominant FROM narratives WHERE analysis_id = ?"),
            }
    return out


def test_add_on_ray_stores_what_add_in_process_stores_and_a_rerun_analyses_nothing(
    corpus: Path, tmp_path: Path
) -> None:
    """30 generated articles (and one bad input) added in process and on a local Ray: the same stored labels.

    Every label row (paragraph techniques, spans, frames, quotes, entities
    and their roles, narratives) is identical; scores in the stored JSON may
    differ in the last digits only, because the two engines encode different
    groups of paragraphs together (float rounding, never a label). A second
    ``add`` on Ray reads every input on the workers, analyses none, adds none.
    """
    _need_ray()
    from spinscope.engines.ray import RayEngine
    from spinscope.store import Store, add_inputs, default_pipeline

    pipe, meta = default_pipeline()
    here, there = tmp_path / "here.db", tmp_path / "there.db"
    with Store.open(str(here)) as store:
        alone = add_inputs(store, [str(corpus)], pipe=pipe, meta=meta)
    with RayEngine(workers=2) as engine:
        with Store.open(str(there)) as store:
            reader, ray_pipe = engine.store_seams(store.analysed_inputs(store.ensure_pipeline(meta)))
            first = add_inputs(store, [str(corpus)], pipe=ray_pipe, meta=meta, reader=reader, batch_size=7)
            assert engine.not_analysed == 0
            placed = {p for p in engine.pids if p}
        with Store.open(str(there)) as store:
            reader, ray_pipe = engine.store_seams(store.analysed_inputs(store.ensure_pipeline(meta)))
            second = add_inputs(store, [str(corpus)], pipe=ray_pipe, meta=meta, reader=reader)
            assert store.count("analyses") == 30 and store.count("articles") == 30
    assert (alone.added, alone.failed) == (30, 1)
    assert (first.added, first.failed) == (30, 1)
    assert first.batches >= 5, "batches of at most 7 articles, committed as they came (sooner after 30 s)"
    assert (second.added, second.already, second.failed) == (0, 30, 1)  # the binary file is read, and fails, again
    assert engine.not_analysed == 30, "the rerun's workers read every stored article but analysed none"
    assert len(placed) == 2, "both actors of the first add worked"
    mine, theirs = _stored_labels(here), _stored_labels(there)
    assert sorted(mine) == sorted(theirs) and len(mine) == 30
    for name in mine:
        a, b = mine[name], theirs[name]
        for table in ("paragraph_labels", "spans", "frames", "quotes", "entities", "narratives"):
            assert a[table] == b[table], f"{name}: stored {table} differ"
        assert a["paragraph_labels"] or a["spans"] or a["entities"], "the articles give every table work"
        differences = _close(a["result"], b["result"], 5e-4)
        assert not differences, f"{name}: {differences[:5]}"
    assert any(v["quotes"] for v in mine.values()) and any(v["narratives"] for v in mine.values())

"""Load test of ``spinscope serve``: a real uvicorn on 127.0.0.1, concurrent clients, mixed requests.

Each scenario starts ``spinscope serve`` in a subprocess on a free loopback
port with a fresh SQLite store, waits (bounded) for ``/health``, seeds a few
analysed articles, then runs ``--clients`` concurrent httpx clients for
``--duration`` seconds. Each client loops over a weighted mix of

- ``analyze``: ``POST /api/v1/analyze`` with a generated article made unique
  by a numbered last line (so the pipeline really runs, no stored answer);
- ``read``: ``GET /api/v1/articles/{id}`` of a stored article;
- ``search``: ``GET /api/v1/articles?q=WORD`` (full-text search over the store).

A client that is refused (429 or 503) waits what ``Retry-After`` says, at most
one second, then goes on: polite but impatient. Recorded per scenario:
requests/s, p50/p95/p99 latency per kind, counts by status, transport
errors, and the server's RSS (its whole process tree, from /proc, or psutil
when installed) sampled every second. The goals: zero 5xx and zero
transport errors, overload answered 429/503, RSS flat.

Scenarios (``--scenario``, repeatable):

- ``app``: the rate limit raised out of the way, so the load reaches the
  pipeline and the analysis queue (503 when full);
- ``defaults``: the server's own defaults, under which one address (all the
  clients share 127.0.0.1) is held to the per-client rate limit (429).

    python benchmarks/serve_load.py                         # both scenarios, 20 clients, 60 s each
    python benchmarks/serve_load.py --duration 20 --scenario app

Writes ``benchmarks/results/serve-load.json`` and prints a table. Generated
texts only (tests/news_generator.py); no dataset text.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from news_generator import generate_articles  # noqa: E402

MAX_DURATION_S = 600
MAX_CLIENTS = 200
SEARCH_WORDS = ["council", "budget", "minister", "protest", "vote", "housing", "report", "plan", "storm", "tax"]
SCENARIOS = {
    # per-client limit far above what 20 clients can send: the load reaches the app
    "app": ["--rate-limit", "1000000", "--burst", "100000"],
    "defaults": [],
}


@dataclass
class Sample:
    kind: str
    status: str  # "200", "429", ..., or "error:ExceptionName"
    latency_s: float
    at_s: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)


# -- the server process ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int, extra: list[str], log: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from spinscope.cli import main; sys.argv[0] = 'spinscope'; main()"
    args = [sys.executable, "-c", code, "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port), *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(proc: subprocess.Popen[bytes]) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully on SIGINT
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    return proc.returncode


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout_s: float) -> float:
    """Seconds until /health answers 200; raises when the server exits or the wait runs out."""
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode} before answering /health")
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"the server did not answer /health within {timeout_s:g}s")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        except OSError:
            continue
        found += [int(c) for c in text.split()]
    return found


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs if p.is_running())
        except psutil.Error:
            return 0
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(current)
    return total


def sample_rss(pid: int, run: Run, stop: threading.Event, began: float) -> None:
    while not stop.is_set():
        run.rss.append((time.monotonic() - began, tree_rss(pid)))
        stop.wait(1.0)


# -- the clients ----------------------------------------------------------------------------------
async def seed(base: str, texts: list[str], n: int) -> list[int]:
    """Analyse and store ``n`` articles one by one (this also loads the models) and return their ids."""
    ids: list[int] = []
    async with httpx.AsyncClient(base_url=base, timeout=300.0) as client:
        for i, text in enumerate(texts[:n]):
            r = await client.post("/api/v1/analyze", json={"text": text, "outlet": f"Outlet {i % 3}"})
            if r.status_code == 200 and r.json().get("id") is not None:
                ids.append(int(r.json()["id"]))
            elif r.status_code not in (429, 503):
                raise SystemExit(f"seeding failed: HTTP {r.status_code} {r.text[:300]}")
    if not ids:
        raise SystemExit("seeding stored no article")
    return ids


async def client_loop(
    number: int, base: str, texts: list[str], ids: list[int], weights: dict[str, float],
    deadline: float, began: float, run: Run, counter: list[int], timeout_s: float,
) -> None:  # fmt: skip
    rng = random.Random(1000 + number)
    kinds, cum = list(weights), list(weights.values())
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s) as client:
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights=cum)[0]
            start = time.monotonic()
            try:
                if kind == "analyze":
                    counter[0] += 1
                    text = rng.choice(texts) + f"\n(Load-test request {counter[0]} from client {number}.)\n"
                    r = await client.post("/api/v1/analyze", json={"text": text, "outlet": f"Outlet {number % 5}"})
                elif kind == "read":
                    r = await client.get(f"/api/v1/articles/{rng.choice(ids)}")
                else:
                    r = await client.get("/api/v1/articles", params={"q": rng.choice(SEARCH_WORDS), "limit": 20})
                status = str(r.status_code)
                if r.status_code == 200 and kind == "analyze":
                    stored = r.json().get("id")
                    if stored is not None and len(ids) < 5000:
                        ids.append(int(stored))
            except httpx.HTTPError as exc:
                r, status = None, f"error:{type(exc).__name__}"
            end = time.monotonic()
            run.samples.append(Sample(kind, status, end - start, end - began))
            if r is not None and r.status_code in (429, 503):
                try:
                    wait = float(r.headers.get("retry-after", "1"))
                except ValueError:
                    wait = 1.0
                await asyncio.sleep(min(max(wait, 0.0), 1.0))
            elif r is None:
                await asyncio.sleep(0.5)  # a transport error: do not spin on a dead server


async def load(base: str, texts: list[str], ids: list[int], args: argparse.Namespace, run: Run, began: float) -> float:
    weights = {"analyze": args.analyze, "read": args.read, "search": args.search}
    weights = {k: v for k, v in weights.items() if v > 0}
    deadline = time.monotonic() + args.duration
    counter = [0]
    start = time.monotonic()
    await asyncio.gather(*(
        client_loop(i, base, texts, ids, weights, deadline, began, run, counter, args.request_timeout)
        for i in range(args.clients)
    ))  # fmt: skip
    return time.monotonic() - start


# -- figures --------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def summarise(run: Run, wall_s: float, load_began_s: float) -> dict[str, Any]:
    samples = [s for s in run.samples if s.at_s >= load_began_s]
    by_kind: dict[str, Any] = {}
    for kind in sorted({s.kind for s in samples}):
        mine = [s for s in samples if s.kind == kind]
        ok = [s.latency_s for s in mine if s.status == "200"]
        every = [s.latency_s for s in mine]
        by_kind[kind] = {
            "requests": len(mine),
            "ok": len(ok),
            "statuses": dict(sorted(Counter(s.status for s in mine).items())),
            "ok_latency_ms": {f"p{q}": _ms(percentile(ok, q)) for q in (50, 95, 99)},
            "all_latency_ms": {f"p{q}": _ms(percentile(every, q)) for q in (50, 95, 99)},
        }
    statuses = Counter(s.status for s in samples)
    rss = [(t, b) for t, b in run.rss if t >= load_began_s]
    tenth = max(1, len(rss) // 10)
    first = sum(b for _, b in rss[:tenth]) / tenth if rss else 0
    last = sum(b for _, b in rss[-tenth:]) / tenth if rss else 0
    # The first seconds of load grow the allocator's and SQLite's caches; "flat" is judged
    # from the end of that warm-up (20-30 % into the run) to the last tenth.
    warm_part = rss[2 * tenth : 3 * tenth] or rss[:tenth]
    warm = sum(b for _, b in warm_part) / len(warm_part) if warm_part else 0
    return {
        "wall_s": round(wall_s, 2),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / wall_s, 2) if wall_s else None,
        "ok_per_s": round(statuses.get("200", 0) / wall_s, 2) if wall_s else None,
        "statuses": dict(sorted(statuses.items())),
        "server_errors_5xx_other_than_503": sum(n for s, n in statuses.items() if s.startswith("5") and s != "503"),
        "transport_errors": sum(n for s, n in statuses.items() if s.startswith("error:")),
        "refused_429_503": statuses.get("429", 0) + statuses.get("503", 0),
        "by_kind": by_kind,
        "rss_mib": {
            "first_tenth_mean": round(first / 2**20, 1),
            "after_warmup_mean": round(warm / 2**20, 1),
            "last_tenth_mean": round(last / 2**20, 1),
            "max": round(max((b for _, b in rss), default=0) / 2**20, 1),
            "growth_last_vs_first": round(last / first, 3) if first else None,
            "growth_last_vs_warm": round(last / warm, 3) if warm else None,
            "samples": [[round(t, 1), round(b / 2**20, 1)] for t, b in rss],
        },
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def machine() -> dict[str, Any]:
    mem = ""
    with contextlib.suppress(OSError, StopIteration):
        mem = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(), "memory": " ".join(mem.split()[1:]), "python": platform.python_version(),
        "platform": platform.platform(), "commit": commit,
    }  # fmt: skip


def scenario(name: str, args: argparse.Namespace, texts: list[str], work: Path) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = work / f"{name}.db"
    log = work / f"{name}.log"
    extra = [*SCENARIOS[name], *args.server_arg]
    load_before = os.getloadavg()
    proc = start_server(db, port, extra, log)
    run = Run()
    stop = threading.Event()
    began = time.monotonic()
    sampler = threading.Thread(target=sample_rss, args=(proc.pid, run, stop, began), daemon=True)
    sampler.start()
    try:
        startup_s = wait_healthy(base, proc, args.startup_timeout)
        seed_began = time.monotonic()
        ids = asyncio.run(seed(base, texts, args.seed_articles))
        seed_s = time.monotonic() - seed_began
        load_began = time.monotonic() - began
        wall = asyncio.run(load(base, texts, ids, args, run, began))
        alive = proc.poll() is None
    finally:
        stop.set()
        sampler.join(timeout=5)
        code = stop_server(proc)
    result = summarise(run, wall, load_began)
    tail = log.read_text(errors="replace").splitlines()[-5:]
    result.update({
        "server_args": ["serve", "--db", "<fresh sqlite>", *extra], "startup_s": round(startup_s, 1),
        "seed_articles": len(ids[: args.seed_articles]), "seed_s": round(seed_s, 1),
        "server_alive_at_end": alive, "server_exit_code": code, "server_log_tail": tail,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    })  # fmt: skip
    return result


def print_table(name: str, r: dict[str, Any]) -> None:
    print(f"\n== scenario {name}: {r['requests']} requests in {r['wall_s']} s = {r['requests_per_s']}/s "
          f"({r['ok_per_s']} ok/s); load average {r['load_average_before'][0]} -> {r['load_average_after'][0]}")
    print(f"{'kind':8} {'requests':>8} {'ok':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}  statuses")
    for kind, k in r["by_kind"].items():
        lat = k["ok_latency_ms"]
        print(f"{kind:8} {k['requests']:>8} {k['ok']:>6} {lat['p50']!s:>9} {lat['p95']!s:>9} {lat['p99']!s:>9}  {k['statuses']}")
    rss = r["rss_mib"]
    print(f"5xx other than 503: {r['server_errors_5xx_other_than_503']}, transport errors: {r['transport_errors']}, "
          f"refused 429/503: {r['refused_429_503']}")
    print(f"server RSS MiB: first tenth {rss['first_tenth_mean']}, after warm-up {rss['after_warmup_mean']}, "
          f"last tenth {rss['last_tenth_mean']}, max {rss['max']} "
          f"(last/first {rss['growth_last_vs_first']}, last/warm {rss['growth_last_vs_warm']})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: app, then defaults")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help=f"seconds of load per scenario (at most {MAX_DURATION_S})")
    parser.add_argument("--analyze", type=float, default=1.0, help="weight of analyze requests in the mix")
    parser.add_argument("--read", type=float, default=2.0, help="weight of read requests")
    parser.add_argument("--search", type=float, default=2.0, help="weight of search requests")
    parser.add_argument("--articles", type=int, default=200, help="generated articles to draw from")
    parser.add_argument("--seed-articles", type=int, default=8, help="articles stored before the load starts")
    parser.add_argument("--startup-timeout", type=float, default=240.0, help="seconds to wait for /health")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--server-arg", action="append", default=[], help="extra option for spinscope serve (repeatable)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve-load.json")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1-{MAX_CLIENTS}")
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be 1-{MAX_DURATION_S} seconds")
    names = args.scenario or ["app", "defaults"]
    texts = generate_articles(args.articles, seed=17)
    results: dict[str, Any] = {
        "benchmark": "serve_load",
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "clients": args.clients, "duration_s": args.duration,
        "mix": {"analyze": args.analyze, "read": args.read, "search": args.search},
        "scenarios": {},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        for name in names:
            results["scenarios"][name] = scenario(name, args, texts, Path(tmp))
            print_table(name, results["scenarios"][name])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()

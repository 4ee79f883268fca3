"""`make soak`: the long reliability runs of issue 9, against `kg serve` on loopback, with figures.

    python bench/soak.py                       # everything: load, runaway, crash, build kills (~15 min)
    python bench/soak.py --requests 1000 --concurrency 16 --crash-trials 5 --build-kills 2   # a quick look

Each part stops by itself (fixed request counts, trial counts and time limits) and reports what it
measured; the process exits non-zero when an invariant is broken (an acknowledged write missing, a
half-applied write, a store that does not open, errors below saturation, memory growth). The
pass/fail parts of tests/test_reliability.py call the same functions with smaller counts.

The server runs over a copy of the built shipped data (var/dist/korea1953.nq, loaded into a fresh
store), so the real store is never written to; every write goes to <https://example.org/soak/…>.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "soak-token-7f3a9c"
SOAK = "https://example.org/soak/"
KA = "https://w3id.org/korea1953/ontology#"
GROUP = 5  # triples per write: a write is all of them or none of them
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (gunicorn master, its worker, the query workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        out.append(p)
    return out


def tree_rss_mib(pid: int) -> float:
    """Resident memory of the whole process tree, MiB."""
    total = 0
    for p in tree_pids(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def shipped_var(dest: Path, dist: Path) -> Path:
    """A var/ whose store holds the built dataset (loaded from the build's N-Quads dump), for writes."""
    dest.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(dest / "store"))
    store.bulk_load(path=str(dist / "korea1953.nq"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    shutil.copytree(dist, dest / "dist", dirs_exist_ok=True)
    return dest


@dataclass
class Server:
    """A `kg serve` process group on loopback; SIGKILL takes the whole group down, as a crash would."""

    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def rss_mib(self) -> float:
        return tree_rss_mib(self.proc.pid)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL every process of the server at once (gunicorn, its worker, the query workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # query workers left behind by a hung shutdown


def start_server(var: Path, log_path: Path, threads: int = 8, ready_timeout: float = 90, **env: str) -> Server:
    """`kg serve` (gunicorn) over ``var`` on a free loopback port, in its own process group."""
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    full.update({"KG_VAR": str(var), **env})
    with log_path.open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--threads",
                                 str(threads)], env=full, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log()[-3000:]}")
        try:
            if call(server.url, "GET", "/sparql?query=ASK%7B%7D")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise TimeoutError(f"server not ready in {ready_timeout} s:\n{server.log()[-3000:]}")


def call(url: str, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None,
         timeout: float = 60) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body); connection errors raise OSError."""
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except http.client.HTTPException as exc:
        raise OSError(str(exc)) from exc
    finally:
        conn.close()


def catalogue() -> list[str]:
    """The example catalogue's queries (queries/*.rq), as sent by clients."""
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]


# --- load ---------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    rss_before: float = 0.0
    rss_after: float = 0.0

    @property
    def errors(self) -> int:
        """Answers other than 200, and connection failures (status 0)."""
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """Latency percentile in ms."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def row(self) -> str:
        return (f"| {self.concurrency} | {len(self.latencies) + self.errors} | {self.seconds:.1f} | "
                f"{self.throughput:.0f} | {self.pct(0.5):.1f} | {self.pct(0.95):.1f} | {self.pct(0.99):.1f} | "
                f"{self.errors} | {self.rss_before:.0f} → {self.rss_after:.0f} |")


def load(server: Server, queries: list[str], total: int, concurrency: int, max_seconds: float) -> LoadResult:
    """Send ``total`` catalogue queries (round robin) from ``concurrency`` keep-alive clients; stop at
    ``max_seconds`` whatever is left."""
    result = LoadResult(concurrency, rss_before=server.rss_mib())
    parsed = urllib.parse.urlsplit(server.url)
    bodies = [urllib.parse.urlencode({"query": q}) for q in queries]
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=max_seconds)
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= total:
                    break
                i = issued[0]
                issued[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/sparql", body=bodies[i % len(bodies)],
                             headers={**FORM, "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=max_seconds)
                status = 0
            dt = time.perf_counter() - t0
            with lock:
                result.statuses[status] += 1
                if status == 200:
                    result.latencies.append(dt)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + 5)
    result.seconds = time.perf_counter() - start
    result.rss_after = server.rss_mib()
    return result


# --- runaway queries ----------------------------------------------------------------------------

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SORT = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
PATH = "SELECT (COUNT(*) AS ?n) { ?s (<urn:x:p>|!<urn:x:p>)* ?o . ?o (<urn:x:p>|!<urn:x:p>)* ?z }"


@dataclass
class RunawayResult:
    name: str
    status: int
    text: str
    stop_seconds: float
    probes: list[float]
    cpu_freed: bool
    rss_peak: float

    def row(self, timeout: float) -> str:
        return (f"| {self.name} | {self.status} | {timeout:g} | {self.stop_seconds:.2f} | "
                f"{statistics.median(self.probes) * 1000:.0f} / {max(self.probes) * 1000:.0f} ({len(self.probes)}) "
                f"| {'yes' if self.cpu_freed else 'NO'} | {self.rss_peak:.0f} |")


def query_workers(server: Server) -> set[int]:
    """The server's query worker processes (multiprocessing spawn children)."""
    out = set()
    for pid in tree_pids(server.proc.pid):
        try:
            if b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.add(pid)
        except OSError:
            continue
    return out


def runaway(server: Server, name: str, query: str, timeout: float) -> RunawayResult:
    """Send a query that would run for hours; meanwhile send ASK probes. Measure when the runaway is
    answered, whether its worker process is gone, and how long the probes took."""
    workers_before = query_workers(server)
    outcome: dict[str, object] = {}

    def run() -> None:
        t0 = time.monotonic()
        outcome["reply"] = call(server.url, "POST", "/sparql", urllib.parse.urlencode({"query": query}), FORM,
                                timeout=timeout + 60)
        outcome["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    probes: list[float] = []
    peak = 0.0
    stop_at = time.monotonic() + timeout + 60
    while thread.is_alive() and time.monotonic() < stop_at:
        t0 = time.monotonic()
        status, body = call(server.url, "GET", "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"))
        if (status, json.loads(body).get("boolean")) == (200, True):
            probes.append(time.monotonic() - t0)
        peak = max(peak, server.rss_mib())
        time.sleep(0.1)
    thread.join(5)
    status, body = outcome["reply"]  # type: ignore[misc]
    gone = workers_before - query_workers(server)
    freed = bool(gone) and all(not Path(f"/proc/{pid}").exists() for pid in gone)
    return RunawayResult(name, status, body.decode("utf-8", "replace"), float(outcome["seconds"]),  # type: ignore[arg-type]
                         probes, freed, peak)


# --- crash safety -------------------------------------------------------------------------------

def refused(k: int) -> bool:
    """Every fourth write breaks a shape: the validation gate must refuse it (422) and write nothing."""
    return k % 4 == 3


def write_group(k: int) -> tuple[str, bytes, dict[str, str]]:
    """Write number ``k``: GROUP triples about one new resource, recognisable by ``k``, as (path, body,
    headers) of a SPARQL Update (even k) or a Graph Store POST (odd k) into the default graph (the data,
    which the SHACL gate validates)."""
    s = f"<{SOAK}w/{k}>"
    triples = " ".join(f'{s} <{SOAK}p{j}> "w{k}-{j}" .' for j in range(GROUP - 2))
    if refused(k):  # a ka:Person whose birth year is not an xsd:gYear
        triples += f' {s} a <{KA}Person> . {s} <{KA}birthYear> "w{k} is no year" .'
    else:
        triples += f' {s} <{SOAK}p{GROUP - 2}> "w{k}-{GROUP - 2}" . {s} <{SOAK}p{GROUP - 1}> "w{k}-{GROUP - 1}" .'
    auth = {"Authorization": f"Bearer {TOKEN}"}
    if k % 2:
        return "/store?default", triples.encode(), {**auth, "Content-Type": "text/turtle"}
    update = f"INSERT DATA {{ {triples} }}"
    return "/sparql", urllib.parse.urlencode({"update": update}).encode(), {**auth, **FORM}


def groups_present(url: str) -> Counter[int]:
    """How many triples of each write group the server holds."""
    query = f'SELECT ?s (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{SOAK}w/")) }} GROUP BY ?s'
    status, body = call(url, "GET", "/sparql?query=" + urllib.parse.quote(query), timeout=120)
    if status != 200:
        raise RuntimeError(f"counting the writes failed: {status} {body[:300]!r}")
    rows = json.loads(body)["results"]["bindings"]
    return Counter({int(r["s"]["value"].rsplit("/", 1)[1]): int(r["n"]["value"]) for r in rows})


@dataclass
class CrashResult:
    trials: int = 0
    acknowledged: int = 0
    in_flight_applied: int = 0
    refused: int = 0
    lost: list[int] = field(default_factory=list)
    partial: list[int] = field(default_factory=list)
    restart_seconds: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.partial


def crash_trials(var: Path, log_path: Path, trials: int, seed: int, max_window: float = 2.0,
                 **env: str) -> CrashResult:
    """Write a stream of groups (SPARQL Update, GSP POST), SIGKILL the server at a random moment, restart, check.

    A group acknowledged with 201/204 must be there whole; the one in flight at the kill may be there
    whole or not at all; no group may be partly there. The server must start again over the store
    (so the store opens cleanly) within the start-up timeout.
    """
    rng = random.Random(seed)
    result = CrashResult()
    acked: set[int] = set()
    next_k = 0
    for _ in range(trials):
        t0 = time.monotonic()
        server = start_server(var, log_path, KG_WRITE_TOKEN=TOKEN, **env)
        result.restart_seconds.append(time.monotonic() - t0)
        kill_at = time.monotonic() + rng.uniform(0.05, max_window)
        killer = threading.Timer(max(0.0, kill_at - time.monotonic()), server.kill)
        killer.start()
        while time.monotonic() < kill_at + 5:
            k, next_k = next_k, next_k + 1
            path, data, headers = write_group(k)
            try:
                status, body = call(server.url, "POST", path, data, headers, timeout=30)
            except OSError:
                break  # killed mid-request: k is in flight, neither acknowledged nor refused
            if status != (422 if refused(k) else 204):
                killer.cancel()
                server.kill()
                raise RuntimeError(f"write {k} answered {status}: {body[:300]!r}")
            if status == 422:
                result.refused += 1
            else:
                acked.add(k)
        killer.join()
        result.trials += 1
    server = start_server(var, log_path, KG_WRITE_TOKEN=TOKEN, **env)
    try:
        present = groups_present(server.url)
    finally:
        server.stop()
    result.acknowledged = len(acked)
    result.lost = sorted(k for k in acked if present.get(k, 0) != GROUP)
    result.partial = sorted(k for k, n in present.items() if n != GROUP)
    result.lost += sorted(k for k in present if refused(k))  # a refused write that got in: as bad as a loss
    result.in_flight_applied = sum(1 for k, n in present.items() if n == GROUP and k not in acked)
    return result


# --- kill during `kg build` -----------------------------------------------------------------------

def build_env(var: Path) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("KG_")}, "KG_VAR": str(var)}


def published_store_quads(var: Path) -> int:
    """Open the published store (read-only) and count its quads: the store opens cleanly."""
    store = ox.Store.read_only(str((var / "store").resolve()))
    return len(store)


@dataclass
class BuildKillResult:
    kills: int = 0
    finished_first: int = 0  # builds that completed before their kill time (they published a new store)
    at_seconds: list[float] = field(default_factory=list)
    quads: set[int] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)


def build_kills(var: Path, kills: int, seed: int, span: float) -> BuildKillResult:
    """SIGKILL `kg build` at random moments over ``span`` seconds; after each, the published store
    (the var/store symlink) must still open and hold the same quads as before."""
    rng = random.Random(seed)
    result = BuildKillResult()
    expected = published_store_quads(var)
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build"], env=build_env(var),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        at = rng.uniform(0.5, span)
        try:
            proc.wait(timeout=at)
            result.finished_first += 1
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        result.kills += 1
        result.at_seconds.append(at)
        link = var / "store"
        if not link.is_symlink():
            result.broken.append(f"after a kill at {at:.2f} s var/store is not a symlink")
            continue
        try:
            quads = published_store_quads(var)
        except OSError as exc:
            result.broken.append(f"after a kill at {at:.2f} s the store does not open: {exc}")
            continue
        result.quads.add(quads)
        if quads != expected:
            result.broken.append(f"after a kill at {at:.2f} s the store holds {quads} quads, not {expected}")
    return result


# --- the run ------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000, help="requests per concurrency level")
    parser.add_argument("--concurrency", default="4,16,64")
    parser.add_argument("--max-seconds", type=float, default=600, help="time limit of each load run")
    parser.add_argument("--timeout", type=float, default=5, help="KG_QUERY_TIMEOUT for the runaway queries")
    parser.add_argument("--crash-trials", type=int, default=100)
    parser.add_argument("--build-kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1953)
    parser.add_argument("--dist", type=Path, default=ROOT / "var" / "dist",
                        help="the build's dist/ (its korea1953.nq is the dataset served); run `kg build` first")
    args = parser.parse_args()
    if not (args.dist / "korea1953.nq").is_file():
        print(f"no {args.dist}/korea1953.nq: run `kg build` (make build) first", file=sys.stderr)
        return 2
    failures: list[str] = []
    out: list[str] = [f"# Soak run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores", ""]
    with tempfile.TemporaryDirectory(prefix="kg-soak-") as tmp:
        work = Path(tmp)
        var = shipped_var(work / "var", args.dist)
        log = work / "server.log"

        server = start_server(var, log, KG_QUERY_TIMEOUT="30")
        try:
            out += ["## Load (example catalogue, POST /sparql, keep-alive clients)", "",
                    "| concurrency | requests | seconds | req/s | p50 ms | p95 ms | p99 ms | errors "
                    "| RSS MiB before → after |",
                    "|---|---|---|---|---|---|---|---|---|"]
            queries = catalogue()
            load(server, queries, 2 * len(queries), 4, args.max_seconds)  # warm-up: every query, both workers
            for c in (int(x) for x in args.concurrency.split(",") if args.requests):
                r = load(server, queries, args.requests, c, args.max_seconds)
                out.append(r.row())
                print(out[-1], flush=True)
                if r.errors:
                    failures.append(f"load at c={c}: {r.errors} errors {dict(r.statuses)}")
                if r.rss_after > r.rss_before * 1.10 + 20:
                    failures.append(f"load at c={c}: memory grew {r.rss_before:.0f} → {r.rss_after:.0f} MiB")
        finally:
            server.stop()

        server = start_server(var, log, KG_QUERY_TIMEOUT=str(args.timeout))
        try:
            out += ["", "## Runaway queries", "", "| query | status | timeout s | answered after s | "
                    "ASK probes meanwhile median / max ms (n) | worker killed, CPU freed | peak RSS MiB |",
                    "|---|---|---|---|---|---|---|"]
            for name, q in (("4-way cartesian product", CARTESIAN), ("unbounded property paths", PATH),
                            ("ORDER BY over a 2-way cartesian product", SORT)):
                r = runaway(server, name, q, args.timeout)
                out.append(r.row(args.timeout))
                print(out[-1], flush=True)
                if r.status != 503 or not r.cpu_freed or r.stop_seconds > args.timeout + 1:
                    failures.append(f"runaway {name}: {r.status} after {r.stop_seconds:.2f} s, freed={r.cpu_freed}")
        finally:
            server.stop()

        if args.crash_trials:
            t0 = time.monotonic()
            crash = crash_trials(var, log, args.crash_trials, args.seed)
            out += ["", "## Crash safety (SIGKILL of the whole server during a stream of validated writes)", "",
                    f"- trials: {crash.trials} in {time.monotonic() - t0:.0f} s; writes acknowledged (204): "
                    f"{crash.acknowledged}; refused by the shapes (422): {crash.refused}; lost: {len(crash.lost)}; "
                    f"half-applied: {len(crash.partial)}; "
                    f"in-flight writes found applied whole: {crash.in_flight_applied}",
                    f"- restart after a kill (store opens, server answers): median "
                    f"{statistics.median(crash.restart_seconds):.2f} s, max {max(crash.restart_seconds):.2f} s"]
            print("\n".join(out[-2:]), flush=True)
            if not crash.ok:
                failures.append(f"crash: lost {crash.lost[:10]}, partial {crash.partial[:10]}")

        if args.build_kills:
            var, seconds = build_var(work)
            kills = build_kills(var, args.build_kills, args.seed, span=0.95 * seconds)
            out += ["", "## Kill during `kg build`", "",
                    f"- kills: {kills.kills} at {', '.join(f'{s:.1f}' for s in kills.at_seconds)} s "
                    f"({kills.finished_first} builds finished first); the published "
                    f"store opened after every one, holding {sorted(kills.quads)} quads; broken: {kills.broken or 0}"]
            print(out[-1], flush=True)
            failures += kills.broken
    out += ["", f"invariants broken: {len(failures)}", *failures]
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"soak-{time.strftime('%Y%m%dT%H%M%S')}.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\nwrote {path}; invariants broken: {len(failures)}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


def build_var(work: Path) -> tuple[Path, float]:
    """A var/ with one completed `kg build` (the build kills need a published store to protect), and how
    long that build took (the kills are spread over it)."""
    var = work / "build-var"
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "kg.cli", "build"], env=build_env(var), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return var, time.monotonic() - t0


if __name__ == "__main__":
    sys.exit(main())

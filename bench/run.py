"""`make bench`: our server against `oxigraph serve` on the same data, side by side, in one run.

First the shipped data alone: `kg build` time and the first query answered after `kg serve`
starts. Then for each size it builds a project tree whose data/ is the shipped data plus a
synthetic graph (bench/synth.py), times `kg build` (parse + validate + reason + load) and its peak
memory, loads the built dataset into an Oxigraph server, starts both servers on loopback, runs the
example catalogue plus heavier joins through HTTP at concurrency 1 and 4, and times the
validation of a 10-triple write (bench/validation.py). It writes a markdown table to
bench/results/ and ends with `RATIO name=value …` lines (ours / Oxigraph; for latency and memory
lower is better, for throughput higher is better).

    python bench/run.py --quick            # 100k triples, under 5 minutes
    python bench/run.py                    # 100k and 1M
    python bench/run.py --huge             # 100k, 1M and 10M
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402


@dataclass
class Timing:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else math.nan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} did not open")


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn worker, query workers)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


def run_timed(cmd: list[str], env: dict[str, str], log: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a command, from wait4's rusage; its stderr goes to ``log``."""
    start = time.perf_counter()
    with open(log or os.devnull, "wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise RuntimeError(f"{cmd[0]} failed: {tail}")
    return wall, usage.ru_maxrss / 1024


def build_steps(log: Path) -> str:
    """The step times `kg build` printed last ("parse 0.7, validate 3.1, …")."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("built ")]
    return lines[-1].split("(", 1)[-1].rstrip(")") if lines else ""


def load_queries() -> dict[str, str]:
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    queries |= {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench" / "queries").glob("*.rq"))}
    return queries


def hammer(port: int, path: str, queries: dict[str, str], concurrency: int, rounds: int) -> Timing:
    """Each worker sends every query `rounds` times over one keep-alive connection."""
    timing = Timing()
    lock = threading.Lock()
    items = list(queries.values())

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for r in range(rounds):
            for i in range(len(items)):
                q = items[(i + offset + r) % len(items)]
                body = urllib.parse.urlencode({"query": q})
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    if ok:
                        timing.latencies.append(dt)
                    else:
                        timing.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    timing.wall = time.perf_counter() - start
    return timing


def make_tree(work: Path, triples: int) -> Path:
    """A project tree: the real ontology/shapes/queries, the shipped data plus synthetic filler."""
    tree = work / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    (tree / "data").mkdir(parents=True)
    for d in ("ontology", "shapes", "queries"):
        (tree / d).symlink_to(ROOT / d)
    shutil.copytree(ROOT / "data", tree / "data" / "shipped")  # a copy: the build's rglob does not follow links
    with (tree / "data" / "synth.nt").open("w", encoding="utf-8") as out:
        out.writelines(synth.generate(triples))
    return tree


def first_query(env: dict[str, str], timeout: float = 60) -> float:
    """Seconds from starting `kg serve` to the first answered query (the server is then stopped)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "kg"), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("GET", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                             headers={"Accept": "application/sparql-results+json"})
                if conn.getresponse().status == 200:
                    return time.perf_counter() - t0
            except OSError:
                time.sleep(0.02)
        raise TimeoutError("kg serve answered no query")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_shipped(work: Path) -> dict[str, float]:
    """`kg build` of the shipped data and the first query after start (median of three each)."""
    env = {**os.environ, "KG_VAR": str(work / "shipped-var")}
    env.pop("KG_HOME", None)
    print("== shipped data: kg build, first query …", flush=True)
    work.mkdir(parents=True, exist_ok=True)
    builds = sorted(run_timed([str(BIN / "kg"), "build"], env, work / "shipped-build.log")[0] for _ in range(3))
    firsts = sorted(first_query(env) for _ in range(3))
    return {"build_s": builds[1], "first_query_s": firsts[1], "steps": build_steps(work / "shipped-build.log")}


def validation_ms(triples: int) -> tuple[float, float]:
    """Median and p95 ms of validating a 10-triple write against ``triples`` synthetic triples."""
    out = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "validation.py"), "--sizes", str(triples),
                          "--repeats", "20"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "bench")}).stdout
    cells = next(line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()).split("|")
    return float(cells[3]), float(cells[4])


def oxigraph_dataset(dump: Path, out: Path) -> Path:
    """Our dump with the ontology also in the default graph, so that Oxigraph answers every query as we do.

    Our queries' default graph is the data plus the ontology graph (a union pyoxigraph evaluates
    as such); Oxigraph's server cannot name its default graph in default-graph-uri, so it gets
    that union materialized instead.
    """
    ontology = b" <https://w3id.org/korea1953/graph/ontology> .\n"
    with dump.open("rb") as src, out.open("wb") as dst:
        for line in src:
            dst.write(line)
            if line.endswith(ontology):
                dst.write(line[:-len(ontology)] + b" .\n")
    return out


def warm_up(port: int, path: str, queries: dict[str, str]) -> dict[str, float | None]:
    """Each query once, alone: its latency in seconds, or None when it failed (e.g. stopped by the timeout)."""
    out: dict[str, float | None] = {}
    for name, query in queries.items():
        timing = hammer(port, path, {name: query}, 1, 1)
        out[name] = timing.latencies[0] if timing.latencies else None
    return out


def build_once(triples: int, work: Path, env: dict[str, str], reuse: bool) -> dict[str, object]:
    """`kg build` and `oxigraph load` of one size, or their recorded figures when ``reuse`` finds them."""
    record = work / "build.json"
    if reuse and record.is_file() and (work / "var" / "store").exists() and (work / "oxigraph").is_dir():
        print(f"== {triples:,} synthetic triples: reusing the build recorded {time.ctime(record.stat().st_mtime)}",
              flush=True)
        return json.loads(record.read_text())
    make_tree(work, triples)
    print(f"== {triples:,} synthetic triples: kg build …", flush=True)
    build_s, build_mib = run_timed([str(BIN / "kg"), "build"], env, work / "build.log")
    nq = oxigraph_dataset(work / "var" / "dist" / "korea1953.nq", work / "oxigraph.nq")
    ox_dir = work / "oxigraph"
    shutil.rmtree(ox_dir, ignore_errors=True)
    print("   oxigraph load …", flush=True)
    ox_load_s, ox_load_mib = run_timed([str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(nq)],
                                       env)
    figures = {"build_s": build_s, "build_mib": build_mib, "steps": build_steps(work / "build.log"),
               "ox_load_s": ox_load_s, "ox_load_mib": ox_load_mib}
    record.write_text(json.dumps(figures))
    return figures


def bench_size(triples: int, rounds: int, work: Path, timeout: int, reuse: bool) -> dict[str, object]:
    """Build, serve both, time the queries (those under ``timeout`` seconds on both engines), validate a write."""
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KG_HOME": str(work / "tree"), "KG_VAR": str(work / "var"), "KG_QUERY_TIMEOUT": str(timeout)}
    figures = build_once(triples, work, env, reuse)
    kg_port, ox_port = free_port(), free_port()
    t0 = time.perf_counter()
    kg_proc = subprocess.Popen([str(BIN / "kg"), "serve", "--port", str(kg_port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ox_proc = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(work / "oxigraph"),
                                "--bind", f"127.0.0.1:{ox_port}", "--timeout-s", str(timeout)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(kg_port, kg_proc)
        if hammer(kg_port, "/sparql", {"ask": "ASK { ?s ?p ?o }"}, 1, 1).errors:
            raise RuntimeError("kg serve did not answer its first query")
        first_query_s = time.perf_counter() - t0
        wait_for(ox_port, ox_proc)
        queries = load_queries()
        print("   each query once on both (warm-up) …", flush=True)
        single = {"kg": warm_up(kg_port, "/sparql", queries), "oxigraph": warm_up(ox_port, "/query", queries)}
        timed = {n: q for n, q in queries.items() if single["kg"][n] is not None and single["oxigraph"][n] is not None}
        rows: dict[str, Timing] = {}
        for conc in (1, 4):
            for name, port, path in (("kg", kg_port, "/sparql"), ("oxigraph", ox_port, "/query")):
                print(f"   {name} concurrency {conc} …", flush=True)
                rows[f"{name}-c{conc}"] = hammer(port, path, timed, conc, rounds)
        mem = {"kg": tree_rss_mib(kg_proc.pid), "oxigraph": tree_rss_mib(ox_proc.pid)}
    finally:
        for p in (kg_proc, ox_proc):
            p.terminate()
            p.wait(timeout=30)
    print("   validation of a 10-triple write …", flush=True)
    validate_p50, validate_p95 = validation_ms(triples)
    return {"triples": triples, **figures, "first_query_s": first_query_s,
            "rows": rows, "mem": mem, "queries": len(timed), "single": single, "timeout": timeout,
            "validate_p50": validate_p50, "validate_p95": validate_p95}


def report(shipped: dict[str, float], results: list[dict[str, object]], out: Path, load: tuple[str, str]) -> list[str]:
    versions = subprocess.run([str(BIN / "python"), "-m", "pip", "list", "--format", "json"], capture_output=True,
                              text=True).stdout
    wanted = {"rdflib", "pyoxigraph", "oxigraph", "owlrl", "pyshacl", "flask", "gunicorn"}
    pinned = ", ".join(f"{p['name']} {p['version']}" for p in json.loads(versions) if p["name"].lower() in wanted)
    lines = [
        f"# Benchmark {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {pinned}.",
        "Command: `python bench/run.py " + " ".join(sys.argv[1:]) + "`. Ratios are ours ÷ Oxigraph server "
        "(`oxigraph serve-read-only`) on the same dataset (its default graph holds the data and the ontology, "
        "which is what our queries see by default), measured in the same run.",
        f"Load average (1, 5, 15 min) at the start: {load[0]}; at the end: {load[1]}.", "",
        f"Shipped data: `kg build` {shipped['build_s']:.1f} s (median of 3); first query answered "
        f"{shipped['first_query_s']:.2f} s after `kg serve` started (median of 3).", "",
        "| triples | engine | conc. | requests | errors | p50 ms | p95 ms | req/s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: list[str] = []
    for res in results:
        rows = res["rows"]
        for key, t in rows.items():
            engine, conc = key.rsplit("-c", 1)
            lines.append(f"| {res['triples']:,} | {engine} | {conc} | {len(t.latencies)} | {t.errors} | "
                         f"{t.pct(0.5) * 1000:.1f} | {t.pct(0.95) * 1000:.1f} | {t.throughput:.1f} |")
        size = f"{res['triples'] // 1000}k"
        for conc in (1, 4):
            kg, ox = rows[f"kg-c{conc}"], rows[f"oxigraph-c{conc}"]
            ratios.append(f"throughput_c{conc}_{size}={kg.throughput / ox.throughput:.2f}")
            ratios.append(f"p50_c{conc}_{size}={kg.pct(0.5) / ox.pct(0.5):.2f}")
        ratios.append(f"memory_{size}={res['mem']['kg'] / res['mem']['oxigraph']:.2f}")
        ratios.append(f"build_vs_oxload_{size}={res['build_s'] / res['ox_load_s']:.1f}")
    ratios.append(f"build_shipped_s={shipped['build_s']:.1f}")
    ratios.append(f"first_query_s={shipped['first_query_s']:.2f}")
    lines += ["", "| triples | kg build s | build peak MiB | oxigraph load s | first query s (this size) | "
              "kg RSS MiB | oxigraph RSS MiB | 10-triple write validation p50 / p95 ms |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        peak = "n/a" if res["build_mib"] is None else f"{res['build_mib']:.0f}"
        lines.append(f"| {res['triples']:,} | {res['build_s']:.1f} | {peak} | {res['ox_load_s']:.1f} | "
                     f"{res['first_query_s']:.2f} | {res['mem']['kg']:.0f} | {res['mem']['oxigraph']:.0f} | "
                     f"{res['validate_p50']:.1f} / {res['validate_p95']:.1f} |")
        ratios.append(f"validate_ms_{res['triples'] // 1000}k={res['validate_p50']:.1f}")
    lines += ["", *(f"- `kg build` steps at {res['triples']:,}: {res['steps']} (seconds)" for res in results)]
    for res in results:
        single = res["single"]
        lines += ["", f"Each query alone at {res['triples']:,} (warm-up pass, ms; — = stopped by the "
                      f"{res['timeout']} s timeout, then left out of the timed rounds):", "",
                  "| query | kg ms | oxigraph ms | ratio |", "|---|---:|---:|---:|"]
        for name in single["kg"]:
            kg, ox = single["kg"][name], single["oxigraph"][name]
            ratio = f"{kg / ox:.2f}" if kg is not None and ox else ""
            lines.append(f"| {name} | {'—' if kg is None else f'{kg * 1000:.1f}'} | "
                         f"{'—' if ox is None else f'{ox * 1000:.1f}'} | {ratio} |")
    lines += ["", "```", *(f"RATIO {r}" for r in ratios), "```", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kg serve vs oxigraph serve, side by side")
    parser.add_argument("--quick", action="store_true", help="100k triples, fewer rounds (a few minutes)")
    parser.add_argument("--sizes", default="100000,1000000", help="synthetic triples per run, comma-separated")
    parser.add_argument("--huge", action="store_true", help="add a 10M-triple size (long: build and load)")
    parser.add_argument("--reuse-build", action="store_true",
                        help="reuse a size's earlier kg build and oxigraph load (their recorded times) if present")
    parser.add_argument("--timeout", type=int, default=20,
                        help="seconds a query may take on either server (KG_QUERY_TIMEOUT, oxigraph --timeout-s)")
    parser.add_argument("--rounds", type=int, default=None, help="passes over the query set per client")
    args = parser.parse_args(argv)
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")] + ([10_000_000] if args.huge else [])
    rounds = args.rounds or (2 if args.quick else 3)
    work = ROOT / "var" / "bench"
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    shipped = bench_shipped(work)
    results = [bench_size(n, rounds, work / str(n), args.timeout, args.reuse_build) for n in sizes]
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = ROOT / "bench" / "results" / ("quick.md" if args.quick else "latest.md")
    ratios = report(shipped, results, out, (load_before, load_after))
    print(out.read_text(encoding="utf-8"))
    print("RATIO " + " ".join(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())

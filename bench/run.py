"""`make bench`: our server against `oxigraph serve` on the same data, side by side, in one run.

For each size it builds a project tree whose data/ is the shipped data plus a synthetic graph
(bench/synth.py), times `kg build` (parse + validate + reason + load) and its peak memory, loads the
built dataset into an Oxigraph server, starts both servers on loopback, and runs the example
catalogue plus heavier joins through HTTP at concurrency 1 and 4. It writes a markdown table to
bench/results/ and ends with `RATIO name=value …` lines (ours / Oxigraph; for latency and memory
lower is better, for throughput higher is better).

    python bench/run.py --quick            # 100k triples, a few minutes
    python bench/run.py --sizes 100000,1000000
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


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a command, from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


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
    (tree / "data" / "shipped").symlink_to(ROOT / "data")
    with (tree / "data" / "synth.nt").open("w", encoding="utf-8") as out:
        out.writelines(synth.generate(triples))
    return tree


def bench_size(triples: int, rounds: int, work: Path) -> dict[str, object]:
    work.mkdir(parents=True, exist_ok=True)
    tree = make_tree(work, triples)
    env = {**os.environ, "KG_HOME": str(tree), "KG_VAR": str(work / "var"), "KG_QUERY_TIMEOUT": "300"}
    print(f"== {triples:,} synthetic triples: kg build …", flush=True)
    build_s, build_mib = run_timed([str(BIN / "kg"), "build"], env)
    nq = work / "var" / "dist" / "korea1953.nq"
    ox_dir = work / "oxigraph"
    shutil.rmtree(ox_dir, ignore_errors=True)
    print("   oxigraph load …", flush=True)
    ox_load_s, ox_load_mib = run_timed([str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(nq)],
                                       env)

    kg_port, ox_port = free_port(), free_port()
    t0 = time.perf_counter()
    kg_proc = subprocess.Popen([str(BIN / "kg"), "serve", "--port", str(kg_port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ox_proc = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(ox_dir), "--bind",
                                f"127.0.0.1:{ox_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(kg_port, kg_proc)
        first = hammer(kg_port, "/sparql", {"ask": "ASK { ?s ?p ?o }"}, 1, 1)
        first_query_s = time.perf_counter() - t0
        wait_for(ox_port, ox_proc)
        queries = load_queries()
        for port, path in ((kg_port, "/sparql"), (ox_port, "/query")):  # warm both caches once
            hammer(port, path, queries, 1, 1)
        rows: dict[str, Timing] = {}
        for conc in (1, 4):
            for name, port, path in (("kg", kg_port, "/sparql"), ("oxigraph", ox_port, "/query")):
                print(f"   {name} concurrency {conc} …", flush=True)
                rows[f"{name}-c{conc}"] = hammer(port, path, queries, conc, rounds)
        mem = {"kg": tree_rss_mib(kg_proc.pid), "oxigraph": tree_rss_mib(ox_proc.pid)}
    finally:
        for p in (kg_proc, ox_proc):
            p.terminate()
            p.wait(timeout=30)
    return {"triples": triples, "build_s": build_s, "build_mib": build_mib, "ox_load_s": ox_load_s,
            "ox_load_mib": ox_load_mib, "first_query_s": first_query_s, "first_ok": not first.errors,
            "rows": rows, "mem": mem, "queries": len(queries)}


def report(results: list[dict[str, object]], out: Path) -> list[str]:
    versions = subprocess.run([str(BIN / "python"), "-m", "pip", "list", "--format", "json"], capture_output=True,
                              text=True).stdout
    wanted = {"rdflib", "pyoxigraph", "oxigraph", "owlrl", "pyshacl", "flask", "gunicorn"}
    pinned = ", ".join(f"{p['name']} {p['version']}" for p in json.loads(versions) if p["name"].lower() in wanted)
    lines = [
        f"# Benchmark {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {pinned}.",
        "Command: `python bench/run.py " + " ".join(sys.argv[1:]) + "`. Ratios are ours ÷ Oxigraph server "
        "(`oxigraph serve-read-only`) on the same dataset, measured in the same run.", "",
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
    lines += ["", "| triples | kg build s | build peak MiB | oxigraph load s | first query s | kg RSS MiB | "
              "oxigraph RSS MiB |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        lines.append(f"| {res['triples']:,} | {res['build_s']:.1f} | {res['build_mib']:.0f} | {res['ox_load_s']:.1f} | "
                     f"{res['first_query_s']:.2f} | {res['mem']['kg']:.0f} | {res['mem']['oxigraph']:.0f} |")
    lines += ["", "```", *(f"RATIO {r}" for r in ratios), "```", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kg serve vs oxigraph serve, side by side")
    parser.add_argument("--quick", action="store_true", help="100k triples, fewer rounds (a few minutes)")
    parser.add_argument("--sizes", default="100000,1000000", help="synthetic triples per run, comma-separated")
    parser.add_argument("--rounds", type=int, default=None, help="passes over the query set per client")
    args = parser.parse_args(argv)
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rounds = args.rounds or (2 if args.quick else 5)
    work = ROOT / "var" / "bench"
    results = [bench_size(n, rounds, work / str(n)) for n in sizes]
    out = ROOT / "bench" / "results" / ("quick.md" if args.quick else "latest.md")
    ratios = report(results, out)
    print(out.read_text(encoding="utf-8"))
    print("RATIO " + " ".join(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())

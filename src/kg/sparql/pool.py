"""Queries run in worker processes that can be killed: the only way to really stop pyoxigraph.

pyoxigraph has no cancellation: a thread running ``Store.query`` cannot be interrupted, and lazy
iteration with deadline checks does not help for aggregates or ORDER BY, which finish all their
work before the first row. So each query is sent to one of a few worker processes (``spawn``
context, started with the app), each holding a read-only view of a *checkpoint* of the store.
On timeout the parent SIGKILLs that worker (the CPU is freed at once), answers 503, and starts a
replacement in the background; the other workers keep serving.

The read-write store belongs to the app process (pyoxigraph admits one read-write process per
directory). Opening a directory read-only while another process writes it is undefined, so the
writer publishes immutable checkpoints (``Store.backup``: RocksDB hard links, ~30 ms) at start-up
and after each committed write, with a generation number; a worker reopens when the generation
changes. A checkpoint is deleted once no worker can still be reading it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import queue
import resource
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .engine import Answer, Dataset, Engine

log = logging.getLogger(__name__)
_TEXT = "text/plain; charset=utf-8"


class Runner(Protocol):
    """Something that answers queries: the process pool, or in-process for tests."""

    def run(self, sparql: str, dataset: Dataset, accept: str | None, format_param: str | None) -> Answer: ...


class InlineRunner:
    """Runs queries in the request thread over a given engine (tests, tools): no hard timeout."""

    def __init__(self, engine: Engine, limit: int) -> None:
        self.engine = engine
        self.limit = limit

    def run(self, sparql: str, dataset: Dataset, accept: str | None, format_param: str | None) -> Answer:
        return self.engine.answer(sparql, dataset, accept, format_param, self.limit)


class Snapshots:
    """Immutable checkpoints of the read-write store, one per committed generation."""

    def __init__(self, store: ox.Store, root: Path) -> None:
        self.store = store
        self.root = root
        shutil.rmtree(root, ignore_errors=True)  # left by an earlier server: we now own the store
        root.mkdir(parents=True)
        self._lock = threading.Lock()
        self.generation = 0
        self.path = root
        self.publish()

    def publish(self) -> None:
        """Checkpoint the store as it is now; queries dispatched from now on see this state."""
        with self._lock:
            path = self.root / f"gen-{self.generation + 1}"
            self.store.backup(str(path))
            self.generation, self.path = self.generation + 1, path

    def current(self) -> tuple[int, Path]:
        """The latest generation and its directory, read together."""
        with self._lock:
            return self.generation, self.path

    def collect(self, in_use: set[int]) -> None:
        """Delete checkpoints that are neither current nor read by a running query."""
        with self._lock:
            for old in self.root.glob("gen-*"):
                gen = int(old.name[4:])
                if gen != self.generation and gen not in in_use:
                    shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        """Remove every checkpoint (at exit)."""
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class Job:
    generation: int
    path: str
    sparql: str
    dataset: Dataset
    accept: str | None
    format_param: str | None
    limit: int


def _isolate_network() -> bool:
    """Move this process into new, empty user and network namespaces: it can reach no host at all.

    Defence in depth behind kg.sparql.policy: even a SERVICE the tokenizer missed cannot leave
    the machine. Needs unprivileged user namespaces (Linux; refused by some container seccomp
    profiles, in which case the policy check alone applies). Must run before any thread starts.
    """
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def _serve(conn: Connection, base: str, isolate: bool, memory_mib: int) -> None:
    """Worker process: answer jobs until the parent goes away (EOF on the pipe)."""
    if memory_mib > 0:  # a runaway sort or join dies here (the parent answers 503), not the OOM killer's victim
        limit = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    if isolate and not _isolate_network():
        print("kg query worker: cannot isolate the network (no user namespaces); relying on the SERVICE policy",
              file=sys.stderr)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server; it stops us
    engine: Engine | None = None
    generation = -1
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.generation != generation:
                engine = None  # close the old checkpoint before opening the new one
                engine = Engine(ox.Store.read_only(job.path), base)
                generation = job.generation
            assert engine is not None
            answer = engine.answer(job.sparql, job.dataset, job.accept, job.format_param, job.limit)
        except Exception:  # a bug, not bad input: log it here, show no internals to the client
            traceback.print_exc()
            answer = Answer(500, _TEXT, b"internal error while running the query; it has been logged\n")
        conn.send(answer)


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext, base: str, isolate: bool, memory_mib: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, base, isolate, memory_mib), name="kg-query",
                                   daemon=True)
        self.process.start()
        child.close()
        self.generation = 0

    def kill(self) -> None:
        if self.process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of query worker processes over the latest checkpoint."""

    def __init__(self, size: int, base: str, snapshots: Snapshots, timeout: float, limit: int,
                 isolate: bool = True, memory_mib: int = 0) -> None:
        self._ctx = mp.get_context("spawn")
        self.base = base
        self.isolate = isolate
        self.memory_mib = memory_mib
        self.snapshots = snapshots
        self.timeout = timeout
        self.limit = limit
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(_Worker(self._ctx, base, isolate, memory_mib))

    def run(self, sparql: str, dataset: Dataset, accept: str | None, format_param: str | None) -> Answer:
        """Answer one query within the timeout, or kill its worker and say so (503)."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, _TEXT, f"all query workers are busy; no worker became free within the query timeout "
                                      f"({self.timeout:g} s, KG_QUERY_TIMEOUT); try again later\n".encode())
        with self._lock:
            worker.generation, path = self.snapshots.current()
            self._busy.add(worker)
        try:
            worker.conn.send(Job(worker.generation, str(path), sparql, dataset, accept, format_param, self.limit))
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer: Answer = worker.conn.recv()
                self._release(worker)
                return answer
        except (EOFError, OSError):
            log.error("query worker %s died; replacing it", worker.process.pid)
            self._replace(worker)
            return Answer(503, _TEXT, f"query stopped: its worker process died, most likely because the query "
                                      f"needed more than the memory limit ({self.memory_mib} MiB, KG_QUERY_MEMORY); "
                                      "narrow it (LIMIT, more specific patterns)\n".encode())
        log.warning("query exceeded %.1f s; killing worker %s", self.timeout, worker.process.pid)
        self._replace(worker)
        return Answer(503, _TEXT, f"query stopped: it ran longer than the query timeout ({self.timeout:g} s, "
                                  "KG_QUERY_TIMEOUT); narrow it (LIMIT, more specific patterns) or run it "
                                  "on a downloaded dump (/dist/)\n".encode())

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            in_use = {w.generation for w in self._busy}
        self._idle.put(worker)
        self.snapshots.collect(in_use)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; start its successor in the background (it is ready ~0.2 s later)."""
        with self._lock:
            self._busy.discard(worker)
        worker.kill()

        def spawn() -> None:
            if not self._closed:
                self._idle.put(_Worker(self._ctx, self.base, self.isolate, self.memory_mib))

        threading.Thread(target=spawn, name="kg-respawn", daemon=True).start()

    def close(self) -> None:
        """Stop every worker (at exit)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        with self._lock:
            for worker in self._busy:
                worker.kill()

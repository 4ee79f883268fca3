"""Load, runaway queries, crashes: short versions of bench/soak.py's runs, with pass/fail limits.

The long runs (10,000 requests at concurrency 4/16/64, 100 crash trials) are `make soak`; these
use the same code with small counts so that `make test` checks the invariants on every change.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import soak  # noqa: E402

TIMEOUT = 3.0


def schema_var(dest: Path, dist: Path) -> Path:
    """A var/ whose store holds only the built ontology and shapes graphs: writes are validated by the
    real shapes, and the server restarts in well under a second (the crash trials restart it often)."""
    dest.mkdir(parents=True)
    lines = [line for line in (dist / "korea1953.nq").read_bytes().splitlines()
             if line.endswith((b"/graph/shapes> .", b"/graph/ontology> ."))]
    store = ox.Store(str(dest / "store"))
    store.bulk_load(b"\n".join(lines), format=ox.RdfFormat.N_QUADS)
    store.flush()
    return dest


@pytest.fixture(scope="module")
def shipped(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[soak.Server]:
    """`kg serve` over a copy of the built shipped data, with a short query timeout."""
    work = tmp_path_factory.mktemp("reliability")
    var = soak.shipped_var(work / "var", built.dist_dir)
    server = soak.start_server(var, work / "server.log", KG_QUERY_TIMEOUT=str(TIMEOUT))
    yield server
    server.stop()


def test_load_1000_requests_at_16_no_errors_no_memory_growth(shipped: soak.Server) -> None:
    queries = soak.catalogue()
    assert len(queries) >= 39
    soak.load(shipped, queries, 2 * len(queries), 4, 60)  # warm-up: each worker has opened the checkpoint
    result = soak.load(shipped, queries, 1000, 16, 60)
    print(f"\nload c=16: {result.row()}")
    assert dict(result.statuses) == {200: 1000}
    assert result.rss_after <= result.rss_before * 1.10 + 20, (result.rss_before, result.rss_after)


@pytest.mark.parametrize(("name", "query"), [("cartesian", soak.CARTESIAN), ("paths", soak.PATH)])
def test_runaway_stopped_at_timeout_and_others_served(shipped: soak.Server, name: str, query: str) -> None:
    result = soak.runaway(shipped, name, query, TIMEOUT)
    print(f"\nrunaway {result.row(TIMEOUT)}")
    assert result.status == 503
    assert result.text.startswith(f"query stopped: it ran longer than the query timeout ({TIMEOUT:g} s")
    assert result.stop_seconds >= TIMEOUT  # stopped by the timeout; how fast is measured by `make soak`
    assert result.cpu_freed  # its worker process is gone: nothing keeps computing
    # Other clients were answered while it ran (their latency is measured and reported by `make soak`).
    assert len(result.probes) >= 10


def test_runaway_memory_is_bounded(shipped: soak.Server) -> None:
    before = shipped.rss_mib()
    result = soak.runaway(shipped, "sort", soak.SORT, TIMEOUT)
    print(f"\nrunaway {result.row(TIMEOUT)}")
    assert result.status == 503
    assert result.rss_peak < before + 1024


def test_sigkill_during_writes_loses_nothing_acknowledged(built: Settings, tmp_path: Path) -> None:
    var = schema_var(tmp_path / "var", built.dist_dir)
    result = soak.crash_trials(var, tmp_path / "server.log", trials=10, seed=9, max_window=1.0)
    print(f"\ncrash: {result}")
    assert result.trials == 10
    assert result.acknowledged >= 30 and result.refused >= 10  # writes did flow, and the gate did refuse
    assert result.lost == [] and result.partial == []


# --- kill during `kg build` ------------------------------------------------------------------------

def tiny_home(root: Path) -> Path:
    """A checkout with the real ontology and shapes and no data: `kg build` takes ~2 s."""
    for part in ("ontology", "shapes"):
        subprocess.run(["cp", "-r", str(soak.ROOT / part), str(root / part)], check=True)
    (root / "data").mkdir()
    return root


def run_build(home: Path, inject: str = "") -> int:
    """`kg build` in a subprocess, optionally with code run first that SIGKILLs it at a chosen point."""
    code = inject + "\nfrom kg.cli import main\nmain(['build'], prog_name='kg')"
    env = {**soak.build_env(home / "var"), "KG_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120).returncode


# Code run before the build that SIGKILLs it when publish() calls os.replace / shutil.rmtree, or at publish().
INJECT = """import os, shutil, signal, sys
import kg.store
def killer(real):
    def wrapper(*args, **kwargs):
        if sys._getframe(1).f_code.co_name == "publish":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapper
"""
# Crash points around the build's publish step, the only one that touches the published store.
CRASH_POINTS = {
    "before publish": INJECT + "kg.store.publish = lambda *a: os.kill(os.getpid(), signal.SIGKILL)",
    "new link made, not yet renamed": INJECT + "os.replace = killer(os.replace)",
    "renamed, old store not yet removed": INJECT + "shutil.rmtree = killer(shutil.rmtree)",
}


def test_kill_during_build_leaves_previous_store_usable(tmp_path: Path) -> None:
    home = tiny_home(tmp_path)
    var = home / "var"
    assert run_build(home) == 0
    first = os.readlink(var / "store")
    quads = soak.published_store_quads(var)
    assert quads > 1000
    outcomes = {}
    for name, inject in CRASH_POINTS.items():
        code = run_build(home, inject)
        assert code == -signal.SIGKILL, name
        target = os.readlink(var / "store")
        outcomes[name] = target == first
        assert (var / "store").is_symlink() and Path(target).is_dir()
        assert soak.published_store_quads(var) == quads, name  # the store the link names opens, whole
        first = target
    # The link switches in one rename: before it the old store is published, after it the new one.
    assert outcomes == {"before publish": True, "new link made, not yet renamed": True,
                        "renamed, old store not yet removed": False}
    result = soak.build_kills(var, kills=3, seed=4, span=2.0)  # and at random moments
    assert result.broken == [] and result.quads == {quads}
    assert run_build(home) == 0  # a later build cleans up what the killed ones left
    assert [p.name for p in (var / "stores").iterdir()] == [Path(os.readlink(var / "store")).name]


def test_build_while_serving_keeps_the_server_writable(tmp_path: Path) -> None:
    home = tiny_home(tmp_path)
    assert run_build(home) == 0
    server = soak.start_server(home / "var", tmp_path / "server.log", KG_HOME=str(home), KG_WRITE_TOKEN=soak.TOKEN)
    try:
        assert soak.call(server.url, "POST", *soak.write_group(0))[0] == 204
        assert run_build(home) == 0
        assert soak.call(server.url, "POST", *soak.write_group(2))[0] == 204
    finally:
        server.stop()


# --- UI pages run their queries through the pool (its hard timeout) ---------------------------------

class StubRunner:
    """Records the page queries and answers them like the pool would, or as a stopped query (503)."""

    def __init__(self, inner: object, stopped: bool) -> None:
        self.inner, self.stopped, self.calls, self.inside = inner, stopped, 0, False

    def run(self, sparql: str, dataset: object, accept: str | None, format_param: str | None) -> object:
        from kg.sparql.engine import Answer

        self.calls += 1
        if self.stopped:
            return Answer(503, "text/plain; charset=utf-8", b"query stopped: it ran longer than the query timeout "
                                                            b"(3 s, KG_QUERY_TIMEOUT)\n")
        self.inside = True
        try:
            return self.inner.run(sparql, dataset, accept, format_param)  # type: ignore[attr-defined]
        finally:
            self.inside = False


@pytest.mark.parametrize("page", ["/timeline", "/network", "/positions", "/browse", "/id/person/syngman-rhee",
                                  "/id/person/syngman-rhee.ttl"])
def test_pages_query_through_the_runner(built: Settings, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.app import create_app
    from kg.sparql.engine import Engine

    engine = Engine(ox.Store.read_only(str(built.store_path.resolve())), built.base)
    app = create_app(built, engine=engine)
    for stopped, status in ((False, 200), (True, 503)):
        runner = StubRunner(app.extensions["kg.runner"], stopped)
        monkeypatch.setitem(app.extensions, "kg.runner", runner)
        real = Engine.query

        def guarded(self: Engine, *args: object, runner: StubRunner = runner, real=real) -> object:
            assert runner.inside, "a page query bypassed the runner"
            return real(self, *args)

        with monkeypatch.context() as m:  # no page query may run on the engine outside the runner
            m.setattr(Engine, "query", guarded)
            reply = app.test_client().get(page)
        assert reply.status_code == status
        assert runner.calls >= 1
        if stopped:
            assert reply.get_data(as_text=True).startswith("503 Service Unavailable: query stopped: it ran longer")

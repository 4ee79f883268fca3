"""Remote-store mode against a real Oxigraph server: `kg build --remote`, then `kg serve --remote` over it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.catalog import load_examples
from kg.config import Settings
from kg.sparql.engine import Dataset, Engine
from tests.conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
TOKEN = "remote-test-token"
BASE = "https://w3id.org/korea1953/"
KA = "https://w3id.org/korea1953/ontology#"
DATA_GRAPH = f"{BASE}graph/data"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GOOD = f'<{BASE}id/person/harrison> a <{KA}Person> ; {LABEL} "W. K. Harrison"@en , "ハリソン"@ja .'
BAD = f'<{BASE}id/event/remote-bad> a <{KA}Meeting> ; <{KA}date> "not a date" .'

pytestmark = pytest.mark.skipif(not OXIGRAPH.exists(), reason="the oxigraph CLI is not installed in this venv")


@dataclass
class Remote:
    oxigraph: str  # the Oxigraph server's base URL
    kg: str  # our server in remote mode
    var: Path


def _wait(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # answering, even with an error status
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    tmp = tmp_path_factory.mktemp("remote")
    ox_port, kg_port = free_port(), free_port()
    oxigraph = f"http://127.0.0.1:{ox_port}"
    ox_proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(tmp / "oxigraph"), "--bind",
                                f"127.0.0.1:{ox_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    env = {**os.environ, "KG_VAR": str(tmp / "var"), "KG_WRITE_TOKEN": TOKEN}
    kg_proc = None
    try:
        _wait(ox_port, ox_proc)
        # Loaded with chunked INSERT DATA (no Graph Store URL); served with GSP reads.
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "--remote", f"{oxigraph}/update"], env=env,
                       check=True, capture_output=True)
        kg_proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(kg_port),
                                    "--remote", f"{oxigraph}/query", "--remote-update", f"{oxigraph}/update",
                                    "--remote-store", f"{oxigraph}/store"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait(kg_port, kg_proc)
        yield Remote(oxigraph, f"http://127.0.0.1:{kg_port}", tmp / "var")
    finally:
        for proc in (kg_proc, ox_proc):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def _call(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _rows(body: bytes) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in json.loads(body)["results"]["bindings"]}


def _on_oxigraph(remote: Remote, triple: str) -> bool:
    query = urllib.parse.urlencode({"query": f"ASK {{ GRAPH <{DATA_GRAPH}> {{ {triple} }} }}"})
    status, body = _call("GET", f"{remote.oxigraph}/query?{query}", headers={"Accept": "application/json"})
    assert status == 200, body
    return json.loads(body)["boolean"]


def test_example_query_answers_as_the_local_store(remote: Remote) -> None:
    local = Engine(ox.Store.read_only(str((remote.var / "store").resolve())), BASE)
    examples = [ex for ex in load_examples(Settings().queries_dir) if ex.form == "SELECT"][:3]
    assert examples
    for ex in examples:
        for inference in ("false", "true"):
            params = urllib.parse.urlencode({"query": ex.query, "inference": inference})
            status, body = _call("GET", f"{remote.kg}/sparql?{params}",
                                 headers={"Accept": "application/sparql-results+json"})
            assert status == 200, body
            expected = local.answer(ex.query, Dataset(inference=inference == "true"),
                                    "application/sparql-results+json", None, 100_000)
            assert _rows(body) == _rows(expected.body), ex.slug
            assert _rows(body), ex.slug


def test_entity_page_and_rdf(remote: Remote) -> None:
    status, body = _call("GET", f"{remote.kg}/id/person/syngman-rhee", headers={"Accept": "text/html"})
    assert status == 200
    assert "Rhee" in body.decode()
    status, body = _call("GET", f"{remote.kg}/id/person/syngman-rhee", headers={"Accept": "application/n-triples"})
    assert status == 200
    assert f"<{BASE}id/person/syngman-rhee>".encode() in body


def test_reconcile(remote: Remote) -> None:
    queries = urllib.parse.urlencode({"queries": json.dumps({"q0": {"query": "Pyun Yung-tai"}})})
    status, body = _call("GET", f"{remote.kg}/reconcile?{queries}")
    assert status == 200
    assert json.loads(body)["q0"]["result"][0]["id"] == "person/pyun-yung-tai"


def test_policy_applies_before_forwarding(remote: Remote) -> None:
    query = urllib.parse.urlencode({"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    status, body = _call("GET", f"{remote.kg}/sparql?{query}")
    assert status == 400
    assert b"KG_ALLOW_REMOTE" in body


def test_remote_syntax_error_is_400(remote: Remote) -> None:
    status, _ = _call("GET", f"{remote.kg}/sparql?{urllib.parse.urlencode({'query': 'SELECT * WHERE {'})}")
    assert status == 400


def test_validated_write_lands_and_bad_write_is_refused(remote: Remote) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    status, body = _call("POST", f"{remote.kg}/sparql", f"INSERT DATA {{ {GOOD} }}".encode(), headers)
    assert status == 204, body
    assert _on_oxigraph(remote, f'<{BASE}id/person/harrison> ?p "W. K. Harrison"@en')
    status, body = _call("POST", f"{remote.kg}/sparql", f"INSERT DATA {{ {BAD} }}".encode(), headers)
    assert status == 422, body
    assert json.loads(body)["conforms"] is False
    assert not _on_oxigraph(remote, f"<{BASE}id/event/remote-bad> ?p ?o")


def test_gsp_read_of_the_default_graph(remote: Remote) -> None:
    status, body = _call("GET", f"{remote.kg}/store?default", headers={"Accept": "application/n-triples"})
    assert status == 200
    assert f"<{BASE}id/person/syngman-rhee>".encode() in body

"""Helpers for the endpoint tests: a small known dataset, `kg serve` on loopback, raw HTTP.

The endpoint tests run against their own store (not the session build) so that they can assert
exact rows and counts, and so that write tests cannot disturb other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.void import describe_dataset
from tests.conftest import free_port

BASE = "https://w3id.org/korea1953/"
KA = "https://w3id.org/korea1953/ontology#"
G_ONTOLOGY, G_INFERRED, G_SHAPES = (f"{BASE}graph/{n}" for n in ("ontology", "inferred", "shapes"))
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NQUADS = f"""
<{BASE}id/person/rhee> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KA}Person> .
<{BASE}id/person/rhee> <http://www.w3.org/2000/01/rdf-schema#label> "Syngman Rhee"@en .
<{BASE}id/person/rhee> <http://www.w3.org/2000/01/rdf-schema#label> "李承晩"@ja .
<{BASE}id/person/clark> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KA}Person> .
<{BASE}id/person/clark> <http://www.w3.org/2000/01/rdf-schema#label> "Mark W. Clark"@en .
<{BASE}id/event/signing> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KA}Event> .
<{BASE}id/event/signing> <{KA}date> "1953-07-27"^^<http://www.w3.org/2001/XMLSchema#date> .
<{KA}Person> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{KA}Agent> <{G_ONTOLOGY}> .
<{KA}Event> <http://www.w3.org/2000/01/rdf-schema#label> "Event"@en <{G_ONTOLOGY}> .
<{BASE}id/person/rhee> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KA}Agent> <{G_INFERRED}> .
<{BASE}id/person/clark> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KA}Agent> <{G_INFERRED}> .
<https://w3id.org/korea1953/shapes#Person> <{RDF_TYPE}> <http://www.w3.org/ns/shacl#NodeShape> <{G_SHAPES}> .
"""
EXAMPLE = """# title: People
# title@ja: 人物
# description: Every person and their English name.
# keywords: people, labels
PREFIX ka: <https://w3id.org/korea1953/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?name WHERE { ?p a ka:Person ; rdfs:label ?name FILTER(lang(?name) = "en") } ORDER BY ?name
"""


def make_home(root: Path) -> Path:
    """A KG_HOME with a var/ holding the known dataset's store and dist/, and a queries/ catalogue."""
    var = root / "var"
    var.mkdir(parents=True)
    store = ox.Store(str(var / "store"))
    store.bulk_load(NQUADS.encode(), format=ox.RdfFormat.N_QUADS)
    store.flush()
    (var / "dist").mkdir()
    settings = Settings(root=root, var_dir=var, base=BASE)
    (var / "dist" / "void.ttl").write_text(describe_dataset(store, settings), encoding="utf-8")
    store.dump(str(var / "dist" / "korea1953.nq"), ox.RdfFormat.N_QUADS)
    del store
    (root / "queries").mkdir()
    (root / "queries" / "people.rq").write_text(EXAMPLE, encoding="utf-8")
    return root


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    home: Path

    def log(self) -> str:
        """What the server wrote (gunicorn's access and error logs)."""
        return (self.home / "server.log").read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(home: Path, **env: str) -> Iterator[Server]:
    """`kg serve`'s server (kg.server.run, gunicorn) on a free loopback port; waits until queries answer."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    full_env.update({"KG_HOME": str(home), "KG_VAR": str(home / "var"), "KG_BASE": BASE, **env})
    code = f"from kg.config import Settings; from kg.server import run; run(Settings(), '127.0.0.1', {port}, 8)"
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-c", code], env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if call("GET", f"{url}/sparql?query=ASK%7B%7D").status == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((home / "server.log").read_text(encoding="utf-8", errors="replace"))
        time.sleep(0.2)
    try:
        yield Server(url, proc, home)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(method: str, url: str, body: bytes | str | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> Reply:
    """One HTTP request with urllib; error statuses are returned, not raised."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.headers, exc.read())


def form(**params: str | list[str]) -> bytes:
    return urllib.parse.urlencode(params, doseq=True).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def dump(url: str) -> list[str]:
    """The whole served dataset as sorted N-Quads lines (GSP GET /store)."""
    reply = call("GET", f"{url}/store", headers={"Accept": "application/n-quads"})
    assert reply.status == 200
    return sorted(reply.text.splitlines())


def query_workers(server: Server) -> dict[int, float]:
    """The server's query worker processes (found in /proc) and the CPU seconds each has used."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.spawn" in cmdline and stat[0] != "Z" and f"KG_HOME={server.home}".encode() in environ:
            out[int(entry.name)] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return out

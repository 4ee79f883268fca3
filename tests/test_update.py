"""SPARQL 1.1 Update over the protocol: auth, dataset parameters, validation gate, atomicity, concurrency."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace

import pyoxigraph as ox
import pytest
from werkzeug.serving import make_server

import kg.contribute
from kg.app import create_app
from kg.config import Settings
from kg.validate import Report, Result
from tests.test_protocol_support import (
    BASE,
    FORM,
    G_INFERRED,
    KA,
    Server,
    call,
    dump,
    form,
    make_home,
    serve,
)

TOKEN = "update-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PREFIXES = f"PREFIX ka: <{KA}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


@pytest.fixture(scope="module")
def rw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(make_home(tmp_path_factory.mktemp("rw")), KG_WRITE_TOKEN=TOKEN, KG_QUERY_WORKERS="2") as server:
        yield server


def update(server: Server, text: str, **params: str | list[str]):
    return call("POST", f"{server.url}/sparql", form(update=text, **params), {**FORM, **AUTH})


def select(server: Server, query: str, var: str, **params: str) -> list[str]:
    reply = call("GET", f"{server.url}/sparql?{urllib.parse.urlencode({'query': PREFIXES + query, **params})}")
    assert reply.status == 200, reply.text
    return [b[var]["value"] for b in json.loads(reply.body)["results"]["bindings"] if var in b]


def test_insert_data_form_post(rw: Server) -> None:
    reply = update(rw, PREFIXES + f'INSERT DATA {{ <{BASE}id/person/harrison> a ka:Person ; rdfs:label "William K. '
                                  'Harrison Jr."@en }')
    assert (reply.status, reply.body) == (204, b"")
    assert select(rw, f"SELECT ?n {{ <{BASE}id/person/harrison> rdfs:label ?n }}", "n") == ["William K. Harrison Jr."]


def test_direct_post_update(rw: Server) -> None:
    body = PREFIXES + f"INSERT DATA {{ <{BASE}id/event/signing> rdfs:label \"Armistice signed\"@en }}"
    reply = call("POST", f"{rw.url}/sparql", body, {"Content-Type": "application/sparql-update", **AUTH})
    assert reply.status == 204
    assert select(rw, f"SELECT ?n {{ <{BASE}id/event/signing> rdfs:label ?n }}", "n") == ["Armistice signed"]


def test_delete_insert_where(rw: Server) -> None:
    reply = update(rw, PREFIXES + 'DELETE { ?p rdfs:label "Mark W. Clark"@en } INSERT { ?p rdfs:label "Gen. Mark W. '
                                  'Clark"@en } WHERE { ?p rdfs:label "Mark W. Clark"@en }')
    assert reply.status == 204
    assert select(rw, f'SELECT ?n {{ <{BASE}id/person/clark> rdfs:label ?n FILTER(lang(?n) = "en") }}', "n") == [
        "Gen. Mark W. Clark"]


def test_using_graph_uri(rw: Server) -> None:
    copy = "http://example.org/agents-copy"
    reply = update(rw, f"INSERT {{ GRAPH <{copy}> {{ ?s a ?t }} }} WHERE {{ ?s a ?t }}",
                   **{"using-graph-uri": G_INFERRED})
    assert reply.status == 204
    assert select(rw, f"SELECT ?s {{ GRAPH <{copy}> {{ ?s a ka:Agent }} }} ORDER BY ?s", "s") == [
        f"{BASE}id/person/clark", f"{BASE}id/person/rhee"]
    assert update(rw, f"DROP GRAPH <{copy}>").status == 204


def test_using_parameter_conflicts_with_using_clause(rw: Server) -> None:
    reply = update(rw, f"INSERT {{ <{BASE}a> <{BASE}b> 1 }} USING <{G_INFERRED}> WHERE {{ }}",
                   **{"using-graph-uri": G_INFERRED})
    assert reply.status == 400
    assert reply.text.startswith("using-graph-uri / using-named-graph-uri cannot be combined")


def test_several_operations_in_one_request(rw: Server) -> None:
    g1, g2 = "http://example.org/g1", "http://example.org/g2"
    reply = update(rw, f"CREATE GRAPH <{g1}> ; INSERT DATA {{ GRAPH <{g1}> {{ <{BASE}x> <{BASE}y> 1 }} }} ; "
                       f"COPY <{g1}> TO <{g2}> ; DROP GRAPH <{g1}>")
    assert reply.status == 204
    graphs = select(rw, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", "g")
    assert g2 in graphs and g1 not in graphs
    assert update(rw, f"DROP GRAPH <{g2}>").status == 204


def test_update_syntax_error_is_400(rw: Server) -> None:
    reply = update(rw, "INSERT DATA { ?s ?p ?o }")
    assert reply.status == 400
    assert reply.text.startswith("SPARQL syntax error: error at 1:")


def test_checkpoints_are_collected(rw: Server) -> None:
    for i in range(5):
        assert update(rw, f"INSERT DATA {{ <{BASE}id/item/c{i}> <{BASE}p> {i} }}").status == 204
        assert select(rw, f"SELECT ?o {{ <{BASE}id/item/c{i}> <{BASE}p> ?o }}", "o") == [str(i)]
    generations = list((rw.home / "var" / "checkpoints").glob("gen-*"))
    assert 1 <= len(generations) <= 3  # current + at most one per worker still in use


def test_concurrent_readers_see_before_or_after(rw: Server) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s a ka:Counter }"
    writes = 12
    seen: list[list[int]] = [[] for _ in range(3)]
    errors: list[str] = []
    done = threading.Event()

    def reader(out: list[int]) -> None:
        while not done.is_set():
            try:
                out.append(int(select(rw, count, "n")[0]))
            except AssertionError as exc:
                errors.append(str(exc))

    threads = [threading.Thread(target=reader, args=(out,)) for out in seen]
    for t in threads:
        t.start()
    for i in range(writes):
        assert update(rw, PREFIXES + f"INSERT DATA {{ <{BASE}id/item/k{i}> a ka:Counter }}").status == 204
    done.set()
    for t in threads:
        t.join()
    assert errors == []
    for out in seen:
        assert out and out == sorted(out) and set(out) <= set(range(writes + 1))
    assert int(select(rw, count, "n")[0]) == writes


def test_writes_are_durable(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = make_home(tmp_path_factory.mktemp("durable"))
    with serve(home, KG_WRITE_TOKEN=TOKEN) as server:
        assert update(server, f"INSERT DATA {{ <{BASE}id/item/kept> <{BASE}p> 1 }}").status == 204
        server.process.kill()  # no clean shutdown
        server.process.wait()
    store = ox.Store.read_only(str(home / "var" / "store"))
    assert bool(store.query(f"ASK {{ <{BASE}id/item/kept> <{BASE}p> 1 }}"))


# --- the validation gate, in-process with a monkeypatched check_delta ---------------------------

@pytest.fixture
def gated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list]]:
    """An in-process server (werkzeug on loopback) whose check_delta rejects everything and records deltas."""
    calls: list[tuple[list[ox.Quad], list[ox.Quad]]] = []
    violation = Result(focus=f"{BASE}id/person/x", path="http://www.w3.org/2000/01/rdf-schema#label",
                       component="MinCountConstraintComponent", severity="Violation",
                       messages={"en": "A person needs a label."}, value=None, shape=f"{BASE}shapes#Person")

    def reject(store: ox.Store, removed, added, shapes, ontology) -> Report:
        calls.append((list(removed), list(added)))
        return Report(conforms=False, results=[violation])

    monkeypatch.setattr(kg.contribute, "check_delta", reject)
    home = make_home(tmp_path_factory.mktemp("gated"))
    settings = replace(Settings(root=home, var_dir=home / "var", base=BASE), write_token=TOKEN)
    app = create_app(settings, workers=0)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", calls
    server.shutdown()
    app.extensions["kg.engine"].store.flush()


EXPECTED_REPORT = {"conforms": False, "results": [{
    "focusNode": f"{BASE}id/person/x", "resultPath": "http://www.w3.org/2000/01/rdf-schema#label",
    "sourceConstraintComponent": "MinCountConstraintComponent", "resultSeverity": "Violation",
    "resultMessage": {"en": "A person needs a label."}, "value": None, "sourceShape": f"{BASE}shapes#Person",
    "sourceConstraint": None}]}


@pytest.mark.parametrize(("method", "path", "body", "ctype"), [
    ("POST", "/sparql", form(update=PREFIXES + "DELETE { ?p rdfs:label ?n } INSERT { ?p rdfs:label \"X\" } "
                                               "WHERE { ?p rdfs:label ?n }"), FORM["Content-Type"]),
    ("POST", "/sparql", b"CLEAR ALL", "application/sparql-update"),
    ("PUT", "/store?default", f"<{BASE}id/person/x> a <{KA}Person> .".encode(), "text/turtle"),
    ("POST", "/store?graph=http://example.org/new", f"<{BASE}a> <{BASE}b> 1 .".encode(), "text/turtle"),
    ("DELETE", "/store?default", None, None),
])
def test_rejected_change_is_422_and_leaves_store_unchanged(gated: tuple[str, list], method: str, path: str,
                                                           body: bytes | None, ctype: str | None) -> None:
    url, calls = gated
    before = dump(url)
    headers = {**AUTH, **({"Content-Type": ctype} if ctype else {})}
    reply = call(method, url + path, body, headers)
    assert reply.status == 422
    assert reply.headers["Content-Type"] == "application/json"
    assert json.loads(reply.body) == EXPECTED_REPORT
    assert len(calls) == 1
    assert dump(url) == before


def test_check_delta_gets_exact_delta(gated: tuple[str, list]) -> None:
    url, calls = gated
    reply = call("POST", f"{url}/sparql", form(update=PREFIXES + 'DELETE { ?p rdfs:label "Mark W. Clark"@en } '
                                                                  'INSERT { ?p rdfs:label "Clark"@en } WHERE { ?p '
                                                                  'rdfs:label "Mark W. Clark"@en }'), {**FORM, **AUTH})
    assert reply.status == 422
    (removed, added), = calls
    clark, label = ox.NamedNode(f"{BASE}id/person/clark"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert removed == [ox.Quad(clark, label, ox.Literal("Mark W. Clark", language="en"), ox.DefaultGraph())]
    assert added == [ox.Quad(clark, label, ox.Literal("Clark", language="en"), ox.DefaultGraph())]

"""Safe defaults on a real server: timeout that kills, no outbound requests, caps, write auth."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Recorder
from tests.test_protocol_support import BASE, FORM, Server, call, form, make_home, query_workers, serve

TOKEN = "s3cr3t-t0ken-never-logged"
TIMEOUT = 2.0
LIMIT = 3
MAX_BODY = 4096
# 9 triples in the default graph, joined with itself ten times: ~3.5e9 rows to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(10)) + " }"


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory, recorder: Recorder) -> Iterator[Server]:
    """A writable server with a short timeout, a tiny result cap and body limit, and one allow-listed prefix."""
    with serve(make_home(tmp_path_factory.mktemp("strict")), KG_QUERY_TIMEOUT=str(TIMEOUT),
               KG_RESULT_LIMIT=str(LIMIT), KG_MAX_BODY=str(MAX_BODY), KG_WRITE_TOKEN=TOKEN, KG_QUERY_WORKERS="2",
               KG_ALLOW_REMOTE=f"{recorder.url}/allowed/") as server:
        yield server


def get(server: Server, query: str, accept: str | None = None):
    return call("GET", f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}",
                headers={"Accept": accept} if accept else {})


# --- query timeout ------------------------------------------------------------------------------

def test_runaway_query_is_killed_and_others_are_served(strict: Server) -> None:
    before = query_workers(strict)
    assert len(before) == 2
    outcome: dict[str, object] = {}

    def runaway() -> None:
        t0 = time.monotonic()
        outcome["reply"] = call("POST", f"{strict.url}/sparql", form(query=RUNAWAY), FORM)
        outcome["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(1.0)
    used = {pid: cpu - before.get(pid, 0) for pid, cpu in query_workers(strict).items()}
    busy = max(used, key=used.__getitem__)
    assert used[busy] > 0.2  # one worker burns a core on the runaway
    reply = get(strict, "ASK { ?s ?p ?o }")
    assert (reply.status, json.loads(reply.body)["boolean"]) == (200, True)
    assert thread.is_alive()  # answered while the runaway still ran: the other worker served it
    thread.join()
    reply = outcome["reply"]
    assert reply.status == 503
    assert reply.text.startswith(f"query stopped: it ran longer than the query timeout ({TIMEOUT:g} s, KG_QUERY_TIM")
    assert outcome["seconds"] >= TIMEOUT  # stopped by the timeout (how fast is measured by bench/soak.py)
    assert set(before) - set(query_workers(strict)) == {busy}
    assert not Path(f"/proc/{busy}").exists()  # the process is gone: its CPU is free
    deadline = time.monotonic() + 15
    while len(query_workers(strict)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(query_workers(strict)) == 2  # a replacement was started
    print(f"runaway stopped after {outcome['seconds']:.2f} s")


# --- no outbound requests -----------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX r: <{url}/> SELECT * {{ service r:sparql {{ ?s ?p ?o }} }}",
    "SELECT * {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * {{ FILTER(?a<'x>') SERVICE <{url}/sparql> {{ }} FILTER('') }}",
    "SELECT * {{ VALUES ?svc {{ <{url}/sparql> }} SERVICE ?svc {{ ?s ?p ?o }} }}",
    "SELECT * FROM <{url}/data> {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}/data> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
])
def test_outbound_query_refused_and_nothing_sent(strict: Server, recorder: Recorder, template: str) -> None:
    recorder.requests.clear()
    reply = get(strict, template.format(url=recorder.url))
    assert reply.status == 400, reply.text
    assert "KG_ALLOW_REMOTE" in reply.text
    assert reply.text.startswith(("SERVICE <", "graph <"))
    assert recorder.requests == []


def test_refusal_names_the_iri(strict: Server, recorder: Recorder) -> None:
    reply = get(strict, f"SELECT * {{ SERVICE <{recorder.url}/sparql> {{ ?s ?p ?o }} }}")
    assert reply.text == (f"SERVICE <{recorder.url}/sparql> refused: this endpoint makes no outbound requests unless "
                          "the IRI's prefix is listed in KG_ALLOW_REMOTE (empty by default)\n")


def test_protocol_graph_parameters_must_be_local(strict: Server, recorder: Recorder) -> None:
    qs = urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": f"{recorder.url}/g"})
    reply = call("GET", f"{strict.url}/sparql?{qs}")
    assert reply.status == 400
    assert reply.text.startswith(f"graph <{recorder.url}/g> refused")


@pytest.mark.parametrize("query", [
    'SELECT * { ?s ?p "SERVICE <http://example.org/> { }" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/sparql> { }",
    "SELECT * { ?s <http://example.org/SERVICE> ?o }",
    "SELECT ?service ?from { BIND('''LOAD <http://x/>''' AS ?service) }",
    f"SELECT * FROM <{BASE}graph/ontology> {{ ?s ?p ?o }}",
])
def test_keywords_in_strings_iris_comments_are_fine(strict: Server, query: str) -> None:
    assert get(strict, query).status == 200


def test_allow_listed_service_is_contacted(strict: Server, recorder: Recorder) -> None:
    recorder.requests.clear()
    reply = get(strict, f"SELECT * {{ SERVICE <{recorder.url}/allowed/sparql> {{ ?s ?p ?o }} }}")
    assert reply.status == 400  # the recorder answers 500: the federated call fails, as a client error
    assert reply.text.startswith("query evaluation failed:")
    assert len(recorder.requests) == 1 and recorder.requests[0].startswith("/allowed/sparql")


def test_load_refused_and_nothing_sent(strict: Server, recorder: Recorder) -> None:
    recorder.requests.clear()
    headers = {**FORM, "Authorization": f"Bearer {TOKEN}"}
    reply = call("POST", f"{strict.url}/sparql", form(update=f"LOAD <{recorder.url}/data.ttl>"), headers)
    assert reply.status == 400
    assert reply.text.startswith(f"LOAD <{recorder.url}/data.ttl> refused")
    reply = call("POST", f"{strict.url}/sparql", form(update=f"INSERT {{ <{BASE}a> <{BASE}b> 1 }} USING "
                                                             f"<{recorder.url}/g> WHERE {{ }}"), headers)
    assert reply.status == 400
    assert reply.text.startswith(f"graph <{recorder.url}/g> refused")
    assert recorder.requests == []


# --- result cap ---------------------------------------------------------------------------------

ALL = "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o"


def test_truncated_json_is_valid_and_flagged(strict: Server) -> None:
    reply = get(strict, ALL)
    assert reply.headers["X-KG-Truncated"] == "true"
    assert reply.headers["X-KG-Result-Limit"] == str(LIMIT)
    assert len(json.loads(reply.body)["results"]["bindings"]) == LIMIT


@pytest.mark.parametrize(("accept", "lines"), [("text/csv", LIMIT + 1), ("text/tab-separated-values", LIMIT + 1),
                                               ("application/n-triples", LIMIT)])
def test_truncated_other_formats(strict: Server, accept: str, lines: int) -> None:
    query = ALL if "triples" not in accept else "CONSTRUCT WHERE { ?s ?p ?o }"
    reply = get(strict, query, accept)
    assert reply.headers["X-KG-Truncated"] == "true"
    assert len(reply.text.strip().splitlines()) == lines


def test_small_results_not_flagged(strict: Server) -> None:
    reply = get(strict, "SELECT ?s { ?s a <https://w3id.org/korea1953/ontology#Event> }")
    assert "X-KG-Truncated" not in reply.headers
    assert len(json.loads(reply.body)["results"]["bindings"]) == 1


# --- request body limit -------------------------------------------------------------------------

@pytest.mark.parametrize(("ctype", "body"), [
    ("application/sparql-query", "ASK {} " + "#" * MAX_BODY),
    ("application/x-www-form-urlencoded", "query=ASK%7B%7D&pad=" + "x" * MAX_BODY),
    ("text/turtle", "# " + "x" * MAX_BODY),
])
def test_body_limit_is_413(strict: Server, ctype: str, body: str) -> None:
    path = "/store?default" if ctype == "text/turtle" else "/sparql"
    reply = call("POST" if path == "/sparql" else "PUT", strict.url + path, body,
                 {"Content-Type": ctype, "Authorization": f"Bearer {TOKEN}"})
    assert (reply.status, reply.text) == (413, f"request body too large: the limit is {MAX_BODY} bytes (KG_MAX_BODY)\n")


# --- write authorization ------------------------------------------------------------------------

UPDATE = f"INSERT DATA {{ <{BASE}id/person/x> <{BASE}p> 1 }}"


def test_write_without_token_is_401(strict: Server) -> None:
    reply = call("POST", f"{strict.url}/sparql", form(update=UPDATE), FORM)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="korea1953"'
    reply = call("DELETE", f"{strict.url}/store?graph={BASE}graph/shapes", headers={"Authorization": "Basic eDp5"})
    assert reply.status == 401


def test_wrong_token_is_403_and_never_echoed(strict: Server) -> None:
    for given in ["wrong", TOKEN[:-1], TOKEN + "x"]:
        reply = call("POST", f"{strict.url}/sparql", form(update=UPDATE), {**FORM, "Authorization": f"Bearer {given}"})
        assert (reply.status, reply.text) == (403, "the bearer token is not valid for writes on this server\n")
        assert TOKEN not in reply.text and given not in reply.text
    assert TOKEN not in strict.log()


# --- internal errors ----------------------------------------------------------------------------

def test_uncaught_exception_is_a_bare_500_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from kg.app import create_app
    from kg.config import Settings

    home = make_home(tmp_path)
    app = create_app(Settings(root=home, var_dir=home / "var", base=BASE), workers=0)

    def boom() -> str:
        raise RuntimeError("secret internals: /etc/kg/config")

    app.add_url_rule("/boom", view_func=boom)
    with caplog.at_level("ERROR"):
        reply = app.test_client().get("/boom")
    assert (reply.status_code, reply.get_data(as_text=True)) == (500, "internal server error; it has been logged\n")
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_fuzzed_requests_never_500(tmp_path: Path) -> None:
    """Mutated queries, updates and RDF bodies: every answer is a 2xx or 4xx, never a 500."""
    import random

    from kg.app import create_app
    from kg.config import Settings

    home = make_home(tmp_path)
    app = create_app(Settings(root=home, var_dir=home / "var", base=BASE, write_token=TOKEN), workers=0)
    client = app.test_client()
    seeds = [
        'PREFIX ka: <https://w3id.org/korea1953/ontology#> SELECT ?p (COUNT(?l) AS ?n) { ?p a ka:Person ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") } GROUP BY ?p ORDER BY DESC(?n)',
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { <urn:x> } } LIMIT 5",
        f"INSERT {{ GRAPH <http://example.org/f> {{ ?s <{BASE}q> 'x'@en }} }} WHERE {{ ?s a ?t }}",
        f'PREFIX x: <{BASE}> DELETE DATA {{ x:a x:b "c"^^<http://www.w3.org/2001/XMLSchema#string> }}',
    ]
    alphabet = "{}<>?\"'#:;.,()[]^@\\\n aSERVICE"
    rng = random.Random(1953)
    statuses: dict[int, int] = {}
    for i in range(240):
        text = list(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(text))
            if rng.random() < 0.5:
                del text[pos]
            else:
                text.insert(pos, rng.choice(alphabet))
        mutated = "".join(text)
        if i % 3 == 0:
            reply = client.get("/sparql", query_string={"query": mutated})
        elif i % 3 == 1:
            reply = client.post("/sparql", data={"update": mutated}, headers={"Authorization": f"Bearer {TOKEN}"})
        else:
            reply = client.put("/store?graph=http://example.org/fz", data=mutated.encode(),
                               headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
        statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
        assert reply.status_code < 500, (mutated, reply.get_data(as_text=True))
    assert statuses.get(400, 0) > 60  # the mutations do produce errors, all of them client errors


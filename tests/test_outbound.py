"""No outbound requests unless allow-listed: every route that could fetch, against a loopback recorder.

The server allow-lists only ``<recorder>/allowed/``; every other target is ``<recorder>/denied/…``.
Allow-listing turns off the query workers' network namespace, so what stops the denied requests
here is the policy check itself; the allow-listed ones must arrive (the recorder can see them).
test_security.py holds the tokenizer's tricky spellings of SERVICE; this module covers the routes.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest

from tests.conftest import Recorder
from tests.test_protocol_support import BASE, FORM, make_home
from tests.test_reliability import soak

TOKEN = "outbound-token-2c7d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, recorder: Recorder) -> Iterator[soak.Server]:
    home = make_home(tmp_path_factory.mktemp("outbound"))
    srv = soak.start_server(home / "var", home / "server.log", KG_HOME=str(home), KG_BASE=BASE, KG_WRITE_TOKEN=TOKEN,
                            KG_ALLOW_REMOTE=f"{recorder.url}/allowed/")
    yield srv
    srv.stop()


def query(q: str, **params: str) -> tuple[str, str, bytes, dict[str, str]]:
    return "GET", "/sparql?" + urllib.parse.urlencode({"query": q, **params}), b"", {}


def update(u: str, **params: str) -> tuple[str, str, bytes, dict[str, str]]:
    return "POST", "/sparql", urllib.parse.urlencode({"update": u, **params}).encode(), {**FORM, **AUTH}


def gsp(ctype: str, body: str) -> tuple[str, str, bytes, dict[str, str]]:
    return "PUT", "/store?graph=http%3A%2F%2Fexample.org%2Fo", body.encode(), {"Content-Type": ctype, **AUTH}


def xml_entity(url: str) -> str:
    return (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}">]><rdf:RDF xmlns:rdf="{RDF}">'
            f'<rdf:Description rdf:about="http://example.org/x"><rdf:value>&e;</rdf:value></rdf:Description></rdf:RDF>')


def requests(target: str) -> dict[str, tuple[str, str, bytes, dict[str, str]]]:
    """Every way a request could make the server fetch ``target`` (a URL prefix)."""
    return {
        "SERVICE": query(f"SELECT * {{ SERVICE <{target}sparql> {{ ?s ?p ?o }} }}"),
        "SERVICE SILENT in a subquery": query(f"SELECT * {{ {{ SELECT * {{ SERVICE SILENT <{target}s> "
                                              "{ ?s ?p ?o } } } }"),
        "FROM": query(f"SELECT * FROM <{target}g> {{ ?s ?p ?o }}"),
        "FROM NAMED": query(f"SELECT * FROM NAMED <{target}g> {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        "default-graph-uri": query("ASK {}", **{"default-graph-uri": f"{target}g"}),
        "named-graph-uri": query("ASK {}", **{"named-graph-uri": f"{target}g"}),
        "LOAD": update(f"LOAD <{target}data.ttl>"),
        "LOAD SILENT INTO GRAPH": update(f"LOAD SILENT <{target}data.ttl> INTO GRAPH <http://example.org/o>"),
        "SERVICE in an update's WHERE": update(f"INSERT {{ <{BASE}a> <{BASE}b> ?o }} WHERE {{ SERVICE <{target}s> "
                                               "{ ?s ?p ?o } }"),
        "USING": update(f"INSERT {{ <{BASE}a> <{BASE}b> ?o }} USING <{target}g> WHERE {{ ?s ?p ?o }}"),
        "using-graph-uri": update(f"INSERT {{ <{BASE}a> <{BASE}b> ?o }} WHERE {{ ?s ?p ?o }}",
                                  **{"using-graph-uri": f"{target}g"}),
        "JSON-LD remote @context": gsp("application/ld+json", f'{{"@context": "{target}ctx", "@id": "http://e/x"}}'),
        "JSON-LD @context list": gsp("application/ld+json", f'{{"@context": ["{target}ctx"], "@id": "http://e/x"}}'),
        "RDF/XML external entity": gsp("application/rdf+xml", xml_entity(f"{target}entity")),
    }


@pytest.mark.parametrize("name", list(requests("http://x/")))
def test_denied_targets_are_never_contacted(server: soak.Server, recorder: Recorder, name: str) -> None:
    recorder.requests.clear()
    method, path, body, headers = requests(f"{recorder.url}/denied/")[name]
    status, text = soak.call(server.url, method, path, body, headers)
    assert status == 400, text
    message = text.decode()
    if name.startswith(("JSON-LD", "RDF/XML")):
        assert message.startswith("cannot parse the application/"), message
    else:
        assert message.startswith(("SERVICE <", "LOAD <", "graph <")) and "KG_ALLOW_REMOTE" in message, message
    assert recorder.requests == []


@pytest.mark.parametrize(("name", "reached"), [("SERVICE", "/allowed/sparql"), ("LOAD", "/allowed/data.ttl")])
def test_allow_listed_targets_are_contacted(server: soak.Server, recorder: Recorder, name: str, reached: str) -> None:
    """The recorder does see a request the policy lets through: the tests above can fail."""
    recorder.requests.clear()
    method, path, body, headers = requests(f"{recorder.url}/allowed/")[name]
    status, text = soak.call(server.url, method, path, body, headers)
    assert status == 400  # the recorder answers 500: the federated call fails, reported as such
    assert text.decode().startswith(("query evaluation failed:", "update failed:")), text
    assert [p.split("?")[0] for p in recorder.requests] == [reached]


def test_validate_does_not_fetch_remote_contexts(server: soak.Server, recorder: Recorder) -> None:
    recorder.requests.clear()
    body = f'{{"@context": "{recorder.url}/denied/ctx", "@id": "http://example.org/x", "n": "1"}}'
    status, _text = soak.call(server.url, "POST", "/validate", body, {"Content-Type": "application/ld+json"})
    assert recorder.requests == []
    assert status == 400

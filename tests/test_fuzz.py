"""Property-based fuzzing of the HTTP API described by src/kg/sparql/openapi.yaml (hypothesis).

For every operation of the published description, hypothesis generates parameters, bodies (in the
declared media types and in others), Accept headers and credentials; every answer must be a status
the description lists for that operation, never a 5xx, and errors must be plain text. The runs
are derandomized and bounded (max_examples), so CI sees the same few thousand requests each time.
test_security.py's mutation fuzz stays as a cheap seed-corpus check of the SPARQL parsers.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.app import create_app
from kg.config import Settings
from kg.sparql.wellknown import OPENAPI
from tests.test_protocol_support import BASE, make_home
from tests.test_reliability import soak

TOKEN = "fuzz-token-0a4b"
SPEC: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
METHODS = ("get", "head", "post", "put", "delete")
OPERATIONS = [(path, method) for path, item in SPEC["paths"].items() for method in METHODS if method in item]
# The protocol endpoints get most of the examples: they parse the most.
WEIGHTED = OPERATIONS + [op for op in OPERATIONS if op[0] == "/sparql"] * 5 + [op for op in OPERATIONS
                                                                             if op[0] == "/store"] * 2
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    home = make_home(tmp_path_factory.mktemp("fuzz"))
    app = create_app(Settings(root=home, var_dir=home / "var", base=BASE, write_token=TOKEN, max_body_bytes=65536),
                     workers=0)
    return app.test_client()


def documented(path: str, method: str) -> set[int]:
    return {int(code) for code in SPEC["paths"][path][method]["responses"]}


# Text without lone surrogates (which no client can encode), biased towards SPARQL's own characters.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60) | st.text("{}<>?\"'#:;.,()[]^@\\\n aSERVICEO",
                                                                                   max_size=60)
QUERIES = soak.catalogue()[:10]


@st.composite
def sparql(draw: st.DrawFn) -> str:
    """A catalogue query with a few random cuts and insertions: near-valid text reaches the parsers."""
    text = list(draw(st.sampled_from(QUERIES)))
    for _ in range(draw(st.integers(0, 5))):
        pos = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and pos < len(text):
            del text[pos]
        else:
            text.insert(pos, draw(TEXT))
    return "".join(text)


MEDIA = st.sampled_from(["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
                         "application/trig", "application/n-quads", "application/sparql-query",
                         "application/sparql-update", "application/x-www-form-urlencoded", "text/plain",
                         "application/json", "multipart/form-data", "image/png", "", "text/turtle; charset=latin-1"])
ACCEPT = st.sampled_from([None, "*/*", "text/html", "image/png", "text/csv;q=0.5, application/xml", "application/"
                          "sparql-results+json", "text/turtle", "application/ld+json;q=0", ";;;", "*/*;q=abc"])
AUTH = st.sampled_from([None, f"Bearer {TOKEN}", "Bearer wrong", "Basic eDp5", "Bearer"])
BODY = st.binary(max_size=200) | TEXT.map(str.encode) | sparql().map(str.encode) | st.sampled_from([
    b"<http://example.org/s> <http://example.org/p> \"o\" .", b'{"@id": "http://example.org/s", "http://e/p": 1}',
    b"\xff\xfe\x00", b"[" * 300 + b"]" * 300])


def param_value(draw: st.DrawFn, name: str) -> str:
    if name in ("query", "update"):
        return draw(sparql())
    if name in ("graph", "default-graph-uri", "named-graph-uri", "using-graph-uri"):
        return draw(st.sampled_from([f"{BASE}graph/ontology", "http://example.org/g", "urn:x-arq:DefaultGraph",
                                     "not an iri", ""]) | TEXT)
    return draw(TEXT)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, str, dict[str, str], bytes]:
    """(path, method, URL, headers, body) for one documented operation."""
    path, method = draw(st.sampled_from(WEIGHTED))
    operation = SPEC["paths"][path][method]
    names = ["query", "query", "update", "graph", "default", "format", "inference", "default-graph-uri",
             "named-graph-uri", "queries", "callback", "prefix", "type", "id", "using-graph-uri"]
    params = [(n, param_value(draw, n)) for n in draw(st.lists(st.sampled_from(names), max_size=4))]
    concrete = path.replace("{file}", draw(st.sampled_from(["korea1953.nq", "void.ttl", "../x", "nope"])))
    concrete = concrete.replace("{path}", draw(st.sampled_from(["person/x", "person/", "a/b/c.ttl", "%00", "x"])))
    url = concrete + ("?" + urllib.parse.urlencode(params) if params else "")
    headers = {k: v for k, v in (("Accept", draw(ACCEPT)), ("Authorization", draw(AUTH))) if v is not None}
    body = b""
    if method in ("post", "put") or draw(st.booleans()):
        body = draw(BODY)
        headers["Content-Type"] = draw(st.sampled_from(list(operation.get("requestBody", {}).get("content", {})))
                                       | MEDIA) if "requestBody" in operation else draw(MEDIA)
    return path, method, url, headers, body


@FUZZ
@given(request=requests())
def test_every_answer_is_documented_and_never_5xx(client: FlaskClient, request: tuple) -> None:
    path, method, url, headers, body = request
    reply = client.open(url, method=method.upper(), headers=headers, data=body)
    event(f"{method.upper()} {path} → {reply.status_code}")
    allowed = documented(path, method)
    assert reply.status_code < 500, (url, headers, body[:200], reply.get_data()[:300])
    assert reply.status_code in allowed, (url, reply.status_code, reply.get_data()[:300])
    if reply.status_code >= 400 and path in ("/sparql", "/store") and method != "head":
        assert reply.content_type == "text/plain; charset=utf-8"
        assert reply.get_data(as_text=True).endswith("\n")


@FUZZ
@given(query=sparql(), accept=ACCEPT, inference=st.booleans())
def test_sparql_get_and_post_agree(client: FlaskClient, query: str, accept: str | None, inference: bool) -> None:
    """The same query by GET, form POST and direct POST gets the same status and body."""
    headers = {"Accept": accept} if accept else {}
    params = {"query": query, **({"inference": "true"} if inference else {})}
    by_get = client.get("/sparql", query_string=params, headers=headers)
    by_form = client.post("/sparql", data=params, headers=headers)
    by_body = client.post("/sparql", query_string={k: v for k, v in params.items() if k != "query"},
                          data=query.encode(), headers={**headers, "Content-Type": "application/sparql-query"})
    assert by_get.status_code < 500
    assert (by_form.status_code, by_form.get_data()) == (by_get.status_code, by_get.get_data())
    assert (by_body.status_code, by_body.get_data()) == (by_get.status_code, by_get.get_data())


@FUZZ
@given(body=BODY, media=MEDIA, graph=st.sampled_from(["http://example.org/f", "default"]))
def test_refused_writes_change_nothing(client: FlaskClient, body: bytes, media: str, graph: str) -> None:
    """A GSP PUT that is refused (4xx) leaves the graph exactly as it was."""
    target = "/store?default" if graph == "default" else f"/store?graph={urllib.parse.quote(graph, safe='')}"
    before = client.get(target, headers={"Accept": "application/n-triples"})
    reply = client.put(target, data=body, headers={"Content-Type": media, "Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code in documented("/store", "put")
    if reply.status_code >= 400:
        after = client.get(target, headers={"Accept": "application/n-triples"})
        assert (after.status_code, sorted(after.get_data().splitlines())) == (
            before.status_code, sorted(before.get_data().splitlines()))


def test_openapi_is_served_and_covers_every_route(client: FlaskClient) -> None:
    reply = client.get("/openapi.yaml")
    assert (reply.status_code, reply.content_type) == (200, "application/yaml; charset=utf-8")
    assert yaml.safe_load(reply.get_data()) == SPEC
    rules = {rule.rule for rule in client.application.url_map.iter_rules()}
    api = {r for r in rules if r.startswith(("/sparql", "/store", "/.well-known", "/dist", "/reconcile", "/validate"))}
    described = {p.replace("{file}", "<path:name>") for p in SPEC["paths"]}
    assert api - described == set()

"""Write authorization on every write route, constant-time comparison, and no token in logs or answers.

test_security.py checks one update route; this module checks them all (SPARQL Update by form and
by direct POST, GSP PUT/POST/DELETE on the default graph and on a named graph), on a server with a
token and on a read-only one.
"""

from __future__ import annotations

import ast
import hmac
import http.client
import inspect
import textwrap
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg.sparql.http
from kg.app import create_app
from kg.config import Settings
from tests.test_protocol_support import BASE, FORM, make_home
from tests.test_reliability import soak

TOKEN = "auth-token-93e1f0c4d2"
UPDATE = f"INSERT DATA {{ <{BASE}id/person/auth> <{BASE}p> 1 }}"
TURTLE = {"Content-Type": "text/turtle"}
GRAPH = urllib.parse.quote("http://example.org/auth", safe="")
# Every write route: (method, path, body, headers).
ROUTES = {
    "update, form": ("POST", "/sparql", urllib.parse.urlencode({"update": UPDATE}), FORM),
    "update, direct": ("POST", "/sparql", UPDATE, {"Content-Type": "application/sparql-update"}),
    "GSP PUT default": ("PUT", "/store?default", "<http://e/s> <http://e/p> 1 .", TURTLE),
    "GSP POST default": ("POST", "/store?default", "<http://e/s> <http://e/p> 1 .", TURTLE),
    "GSP DELETE default": ("DELETE", "/store?default", "", {}),
    "GSP PUT named": ("PUT", f"/store?graph={GRAPH}", "<http://e/s> <http://e/p> 1 .", TURTLE),
    "GSP POST named": ("POST", f"/store?graph={GRAPH}", "<http://e/s> <http://e/p> 1 .", TURTLE),
    "GSP DELETE named": ("DELETE", f"/store?graph={GRAPH}", "", {}),
}
MISSING = (401, "this write needs an 'Authorization: Bearer <token>' header\n")
WRONG = (403, "the bearer token is not valid for writes on this server\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[soak.Server]:
    home = make_home(tmp_path_factory.mktemp("auth"))
    srv = soak.start_server(home / "var", home / "server.log", KG_HOME=str(home), KG_BASE=BASE, KG_WRITE_TOKEN=TOKEN)
    yield srv
    srv.stop()


def send(server: soak.Server, route: str, auth: str | None) -> tuple[int, str, dict[str, str]]:
    method, path, body, headers = ROUTES[route]
    parsed = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request(method, path, body=body.encode(), headers={**headers, **({"Authorization": auth} if auth else {})})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(), dict(resp.getheaders())
    finally:
        conn.close()


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("auth", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", f"Token {TOKEN}"])
def test_write_without_bearer_token_is_401(server: soak.Server, route: str, auth: str | None) -> None:
    status, text, headers = send(server, route, auth)
    assert (status, text) == MISSING
    assert headers["WWW-Authenticate"] == 'Bearer realm="korea1953"'


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("given", ["wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "x" * 8000])
def test_write_with_wrong_token_is_403(server: soak.Server, route: str, given: str) -> None:
    status, text, headers = send(server, route, f"Bearer {given}")
    assert (status, text) == WRONG
    assert headers["WWW-Authenticate"] == 'Bearer realm="korea1953", error="invalid_token"'


def test_nothing_was_written_by_refused_requests(server: soak.Server) -> None:
    status, body = soak.call(server.url, "GET", "/sparql?query=" + urllib.parse.quote(
        f"ASK {{ {{ <{BASE}id/person/auth> ?p ?o }} UNION {{ <http://e/s> ?p ?o }} UNION "
        "{ GRAPH <http://example.org/auth> { ?s ?p ?o } } }"))
    assert (status, body) == (200, b'{"head":{},"boolean":false}')


@pytest.mark.parametrize("route", list(ROUTES))
def test_right_token_is_accepted(server: soak.Server, route: str) -> None:
    status, text, _ = send(server, route, f"Bearer {TOKEN}")
    assert status in (201, 204, 404), text  # 404: DELETE of the named graph before any PUT created it
    assert text in ("", "no graph <http://example.org/auth> in this store\n")


@pytest.mark.parametrize("route", list(ROUTES))
def test_read_only_server_refuses_every_write(tmp_path_factory: pytest.TempPathFactory, route: str) -> None:
    home = make_home(tmp_path_factory.mktemp("readonly"))
    client = create_app(Settings(root=home, var_dir=home / "var", base=BASE), workers=0).test_client()
    method, path, body, headers = ROUTES[route]
    reply = client.open(path, method=method, data=body.encode(),
                        headers={**headers, "Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 403
    assert reply.get_data(as_text=True).startswith("read-only endpoint: writes are disabled on this server")


# --- constant-time comparison -------------------------------------------------------------------

def test_token_is_compared_with_compare_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every comparison goes through hmac.compare_digest, with the given and the configured token."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(kg.sparql.http.hmac, "compare_digest", spy)
    home = make_home(tmp_path)
    client = create_app(Settings(root=home, var_dir=home / "var", base=BASE, write_token=TOKEN),
                        workers=0).test_client()
    for given, status in (("nope", 403), (TOKEN, 204)):
        reply = client.post("/sparql", data={"update": UPDATE}, headers={"Authorization": f"Bearer {given}"})
        assert reply.status_code == status
    assert calls == [(b"nope", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_token_is_never_compared_any_other_way() -> None:
    """In authorize_write the configured token is only tested for presence and passed to compare_digest:
    no ==, !=, in, startswith or slicing that would leak its length or prefix through timing."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(kg.sparql.http.authorize_write)))
    uses = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "token"]
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    kinds = []
    for use in uses:
        parent = parents[use]
        if isinstance(parent, ast.Assign):
            kinds.append("assigned")
        elif isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            kinds.append("presence")
        elif (isinstance(parent, ast.Attribute) and parent.attr == "encode"
              and isinstance(call := parents[parents[parent]], ast.Call)
              and isinstance(call.func, ast.Attribute) and call.func.attr == "compare_digest"):
            kinds.append("compare_digest")
        else:
            kinds.append(ast.dump(parent)[:80])
    assert sorted(kinds) == ["assigned", "compare_digest", "presence"]


# --- the token in logs and answers --------------------------------------------------------------

def test_token_never_in_logs_or_answers(server: soak.Server) -> None:
    """Sent in the header (right and wrong), in the body, in failing requests: never logged or echoed."""
    answers = []
    for route in ROUTES:
        answers.append(send(server, route, f"Bearer {TOKEN}")[1])
        answers.append(send(server, route, f"Bearer {TOKEN}-wrong")[1])
    bodies = [
        ("POST", "/sparql", urllib.parse.urlencode({"update": "INSERT DATA { syntax error", "token": TOKEN}), FORM),
        ("POST", "/sparql", urllib.parse.urlencode({"query": "SELECT", "access_token": TOKEN}), FORM),
        ("PUT", "/store?default", f"not turtle {TOKEN}", TURTLE),
        ("POST", "/sparql", urllib.parse.urlencode({"update": UPDATE, "query": "ASK{}", "token": TOKEN}), FORM),
    ]
    for method, path, body, headers in bodies:
        answers.append(soak.call(server.url, method, path, body, {**headers, "Authorization": f"Bearer {TOKEN}"})[1]
                       .decode())
    assert all(TOKEN not in text for text in answers)
    log = server.log()
    assert '"POST /sparql HTTP/1.1" 204' in log  # the access log is there, and holds the requests
    assert TOKEN not in log


def test_token_in_query_string_not_logged(server: soak.Server) -> None:
    soak.call(server.url, "POST", "/sparql?" + urllib.parse.urlencode({"access_token": TOKEN}),
              urllib.parse.urlencode({"update": UPDATE}), FORM)
    assert TOKEN not in server.log()

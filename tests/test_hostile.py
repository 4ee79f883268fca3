"""Hostile input on a real server: a clear 4xx for each, never a 500, no outbound request, bounded memory.

test_security.py covers the body limit on each content type, outbound SERVICE/FROM/LOAD and a
mutation fuzz in-process; this module sends the nastier bodies and bytes through gunicorn (whose
own limits answer some of them), watching the server's memory and a loopback recorder that must
never be contacted.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Recorder
from tests.test_protocol_support import BASE, FORM, make_home
from tests.test_reliability import soak

TOKEN = "hostile-token-5b1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 10 * 1024 * 1024  # the default KG_MAX_BODY: the blank-node flood below fits under it
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[soak.Server]:
    home = make_home(tmp_path_factory.mktemp("hostile"))
    srv = soak.start_server(home / "var", home / "server.log", KG_HOME=str(home), KG_BASE=BASE,
                            KG_WRITE_TOKEN=TOKEN, KG_QUERY_TIMEOUT="5")
    yield srv
    srv.stop()


def raw(server: soak.Server, method: str, target: bytes, body: bytes = b"",
        headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, bytes]:
    """A request with arbitrary bytes in the target and headers (http.client would refuse some)."""
    parsed = urllib.parse.urlsplit(server.url)
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close",
             b"Content-Length: " + str(len(body)).encode()]
    lines += [k + b": " + v for k, v in headers or []]
    with socket.create_connection((parsed.hostname, parsed.port), timeout=60) as sock:
        # The server may answer (413) without reading the whole body; its answer is still there.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return resp.status, resp.read()


@dataclass(frozen=True)
class Case:
    method: str
    target: bytes
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()


def q(query: str) -> bytes:
    return b"/sparql?query=" + urllib.parse.quote(query).encode()


def gsp(ctype: str, body: bytes, graph: str = "http://example.org/h") -> Case:
    return Case("PUT", b"/store?graph=" + urllib.parse.quote(graph, safe="").encode(), body,
                ((b"Content-Type", ctype.encode()), (b"Authorization", AUTH["Authorization"].encode())))


def xml_doc(dtd: str, value: str) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{dtd}]><rdf:RDF xmlns:rdf="{RDF}">'
            f'<rdf:Description rdf:about="http://example.org/x"><rdf:value>{value}</rdf:value></rdf:Description>'
            "</rdf:RDF>").encode()


def laughs(levels: int = 9) -> str:
    return '<!ENTITY a0 "0123456789">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels))


def bnodes(n: int) -> bytes:
    """Turtle (and INSERT DATA) with ``n`` blank nodes in 3 bytes each: KG_MAX_BODY alone does not bound it."""
    return b"<http://example.org/s> <http://example.org/p> " + b", ".join([b"[]"] * n) + b" ."


BNODES = bnodes(1_000_000)
UPDATE_FORM = ((b"Content-Type", b"application/x-www-form-urlencoded"),
               (b"Authorization", AUTH["Authorization"].encode()))


def cases(rec: str) -> dict[str, tuple[Case, int, str]]:
    """Name → (request, status, start of the answer's text). ``rec`` is the recorder's base URL."""
    passwd = '<!ENTITY e SYSTEM "file:///etc/passwd">'
    remote = f'<!ENTITY e SYSTEM "{rec}/entity">'
    too_large = f"request body too large: the limit is {MAX_BODY} bytes (KG_MAX_BODY)"
    xml_refused = "cannot parse the application/rdf+xml body: "
    return {
        "body over the limit": (Case("POST", b"/sparql", b"ASK {} #" + b"x" * MAX_BODY,
                                     ((b"Content-Type", b"application/sparql-query"),)), 413, too_large),
        "query nested 5,000 deep": (Case("POST", b"/sparql", b"ASK " + b"{" * 5000 + b"}" * 5000,
                                         ((b"Content-Type", b"application/sparql-query"),)), 400,
                                    "brackets nested 5000 deep: this endpoint accepts at most 256 levels"),
        "update nested 100,000 deep": (Case("POST", b"/sparql", b"update=" + urllib.parse.quote(
            "INSERT DATA { <a:b> <a:c> " + "(" * 100_000 + ")" * 100_000 + " }").encode(), UPDATE_FORM), 400,
            "brackets nested 100001 deep: this endpoint accepts at most 256 levels"),
        "literal of 11 MB": (Case("POST", b"/sparql", b'ASK { ?s ?p "' + b"x" * (11 << 20) + b'" }',
                                  ((b"Content-Type", b"application/sparql-query"),)), 413, too_large),
        "invalid UTF-8 in the query string": (Case("GET", b"/sparql?query=ASK%20%7B%20%22%C3%28%22%20%7D"), 400,
                                              "the URL query string is not valid UTF-8 after percent-decoding"),
        "raw 0xFF byte in the URL": (Case("GET", b"/sparql?query=ASK%7B%7D\xff"), 400, ""),
        "invalid UTF-8 in a form body": (Case("POST", b"/sparql", b"query=ASK%7B%22%FF%22%7D",
                                              ((b"Content-Type", b"application/x-www-form-urlencoded"),)), 400,
                                         "the form body is not valid UTF-8 after percent-decoding: byte 0xff"),
        "invalid UTF-8 in a query body": (Case("POST", b"/sparql", b'ASK { "\xc3\x28" }',
                                               ((b"Content-Type", b"application/sparql-query"),)), 400,
                                          "the request body is not valid UTF-8"),
        "invalid UTF-8 in a Turtle body": (gsp("text/turtle", b'<http://e/s> <http://e/p> "\xff" .'), 400,
                                           "cannot parse the text/turtle body: "),
        "invalid UTF-8 in the graph IRI": (Case("GET", b"/store?graph=http%3A%2F%2Fe%2F%FF"), 400,
                                           "the URL query string is not valid UTF-8"),
        "invalid UTF-8 in the Authorization header": (Case("POST", b"/sparql", b"update=CLEAR%20ALL", (
            (b"Content-Type", b"application/x-www-form-urlencoded"), (b"Authorization", b"Bearer \xff\xfe"))),
            403, "the bearer token is not valid for writes on this server"),
        "NUL byte in a query": (Case("GET", q("ASK { ?s ?p \x00 }")), 400, "SPARQL syntax error: "),
        "NUL byte in an IRI": (Case("GET", q("ASK { <http://e/\x00> ?p ?o }")), 400, "SPARQL syntax error: "),
        "NUL byte in a graph parameter": (Case("GET", b"/store?graph=http://e/%00"), 400,
                                          "?graph= must be an absolute IRI: "),
        "NUL byte in a header": (Case("GET", q("ASK {}"), b"", ((b"Accept", b"text/csv\x00"),)), 400, ""),
        "header of 64 KB": (Case("GET", q("ASK {}"), b"", ((b"X-Pad", b"x" * 65536),)), 431, ""),
        "request line of 1 MB (a very long IRI)": (Case("GET", q("ASK { <http://e/" + "x" * (1 << 20) + "> ?p ?o }")),
                                                   414, ""),
        "IRI of 5 MB in a body": (Case("POST", b"/sparql", b"ASK { <http://e/" + b"x" * (5 << 20) + b"> ?p ?o }",
                                       ((b"Content-Type", b"application/sparql-query"),)), 200, '{"head":{}'),
        "Accept garbage": (Case("GET", q("ASK {}"), b"", ((b"Accept", b";;q=x,,*/*;q=2,/,a/b/c;q"),)), 406,
                           "none of the Accept types can carry this result"),
        "Accept list with junk around a type we produce": (Case("GET", q("ASK {}"), b"", (
            (b"Accept", b";;,, text/csv;q=0.5;;, x"),)), 200, "true"),
        "control character in Accept": (Case("GET", q("ASK {}"), b"", ((b"Accept", b"text/csv\x7f"),)), 400, ""),
        "Accept with no type we produce": (Case("GET", q("ASK {}"), b"", ((b"Accept", b"image/png"),)), 406,
                                           "none of the Accept types can carry this result"),
        "Content-Type garbage": (Case("POST", b"/sparql", b"ASK {}", ((b"Content-Type", b";=;=/"),)), 415,
                                 "unsupported Content-Type '(none)'"),
        "Content-Type charset latin-1": (Case("POST", b"/sparql", b"ASK {}", (
            (b"Content-Type", b"application/sparql-query; charset=latin-1"),)), 415, "unsupported charset 'latin-1'"),
        "RDF/XML entity reading file:///etc/passwd": (gsp("application/rdf+xml", xml_doc(passwd, "&e;")), 400,
                                                      xml_refused),
        "RDF/XML entity fetching http://": (gsp("application/rdf+xml", xml_doc(remote, "&e;")), 400, xml_refused),
        "RDF/XML billion laughs (1 KB → 1 GB)": (gsp("application/rdf+xml", xml_doc(laughs(), "&a8;")), 400,
                                                 xml_refused + "entity declarations that refer to other entities"),
        "RDF/XML one entity referenced 1,000,000 times": (gsp("application/rdf+xml", xml_doc(
            f'<!ENTITY e "{"x" * 1000}">', "&e;" * 1_000_000)), 400,
            xml_refused + f"its entities would add 1000000000 bytes to it, more than the body limit ({MAX_BODY} bytes"),
        "JSON-LD remote @context": (gsp("application/ld+json", f'{{"@context": "{rec}/context.jsonld", '
                                    '"@id": "http://example.org/x", "name": "x"}'.encode()), 400,
                                    "cannot parse the application/ld+json body: "),
        "JSON-LD @import of a remote context": (gsp("application/ld+json", f'{{"@context": {{"@import": '
                                                f'"{rec}/c.jsonld"}}, "@id": "http://example.org/x"}}'.encode()),
                                                400, "cannot parse the application/ld+json body: "),
        "JSON-LD nested 100,000 deep": (gsp("application/ld+json", b"[" * 100_000 + b"]" * 100_000), 400,
                                        "cannot parse the application/ld+json body: "),
        "Turtle with 10^6 blank nodes (GSP PUT)": (gsp("text/turtle", BNODES), 413,
                                                   "the body holds more than 100000 triples"),
        "INSERT DATA with 10^6 blank nodes": (Case("POST", b"/sparql", b"INSERT DATA { " + BNODES + b" }", (
            (b"Content-Type", b"application/sparql-update"), (b"Authorization", AUTH["Authorization"].encode()))),
            413, "the request has more than 1500000 tokens, more than this endpoint analyses"),
        "INSERT DATA with 200,000 blank nodes": (Case("POST", b"/sparql", b"INSERT DATA { " + bnodes(200_000) + b" }", (
            (b"Content-Type", b"application/sparql-update"), (b"Authorization", AUTH["Authorization"].encode()))),
            413, "the change adds 2000"),
        "query of 4,000,000 tokens": (Case("POST", b"/sparql", b"ASK { VALUES ?x { " + b"1 " * 4_000_000 + b"} }",
                                           ((b"Content-Type", b"application/sparql-query"),)), 413,
                                      "the request has more than 1500000 tokens"),
        "GSP body in an unknown format": (gsp("application/x-evil", b"x"), 415, "unsupported Content-Type"),
    }


NAMES = list(cases("http://127.0.0.1:1"))


@pytest.fixture(scope="module")
def outcomes(server: soak.Server, recorder: Recorder) -> dict[str, tuple[int, str]]:
    """Every hostile request sent once, in order; the server's memory before and after."""
    rss_before = server.rss_mib()
    got = {}
    for name, (case, _status, _text) in cases(recorder.url).items():
        status, body = raw(server, case.method, case.target, case.body, list(case.headers))
        got[name] = (status, body.decode("utf-8", "replace"))
    got["memory"] = (int(rss_before), str(server.rss_mib()))
    return got


@pytest.mark.parametrize("name", NAMES)
def test_hostile_request_gets_a_clear_client_error(outcomes: dict[str, tuple[int, str]], recorder: Recorder,
                                                   name: str) -> None:
    _case, status, text = cases(recorder.url)[name]
    got_status, got_text = outcomes[name]
    assert (got_status, got_text[:len(text)]) == (status, text), got_text[:300]
    if status >= 400 and text:
        assert got_text.endswith("\n") and len(got_text) < 2000  # one plain-text line that says what to fix


def test_no_outbound_request_and_bounded_memory(server: soak.Server, outcomes: dict[str, tuple[int, str]],
                                                recorder: Recorder) -> None:
    assert recorder.requests == []
    before, after = outcomes["memory"][0], float(outcomes["memory"][1])
    print(f"\nhostile inputs: {len(NAMES)}; server RSS {before} → {after:.0f} MiB")
    assert after < before + 400
    assert "Traceback" not in server.log()
    status, body = soak.call(server.url, "GET", "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"))
    assert (status, body) == (200, b'{"head":{},"boolean":true}')
    status, _ = soak.call(server.url, "GET", "/store?graph=" + urllib.parse.quote("http://example.org/h", safe=""))
    assert status == 404  # none of the hostile writes created the graph


def test_huge_literal_under_the_limit_is_answered(server: soak.Server) -> None:
    """A large but legal literal (5 MB) is a query like any other: answered, not refused."""
    status, body = soak.call(server.url, "POST", "/sparql", b'ASK { ?s ?p "' + b"x" * (5 << 20) + b'" }',
                             {"Content-Type": "application/sparql-query"})
    assert (status, body) == (200, b'{"head":{},"boolean":false}')


def test_form_update_with_invalid_utf8_writes_nothing(server: soak.Server) -> None:
    body = b"update=" + urllib.parse.quote(f'INSERT DATA {{ <{BASE}id/person/u> <{BASE}p> "').encode() + b"%FF%22%7D"
    status, text = soak.call(server.url, "POST", "/sparql", body, {**FORM, **AUTH})
    assert status == 400 and text.startswith(b"the form body is not valid UTF-8")
    ask = urllib.parse.quote(f"ASK {{ <{BASE}id/person/u> ?p ?o }}")
    status, text = soak.call(server.url, "GET", "/sparql?query=" + ask)
    assert text == b'{"head":{},"boolean":false}'


def test_server_log_shows_no_internal_error(server: soak.Server, outcomes: dict[str, tuple[int, str]]) -> None:
    assert all(status < 500 for status, _ in outcomes.values())
    assert '" 500 ' not in server.log()


def test_cases_cover_every_kind_the_issue_names() -> None:
    kinds = ["over the limit", "nested", "literal", "UTF-8", "passwd", "http://", "remote @context", "blank nodes",
             "Accept", "Content-Type", "IRI", "NUL"]
    assert all(any(k in name for name in NAMES) for k in kinds)


def test_validate_bounds_blank_node_floods(server: soak.Server) -> None:
    rss_before = server.rss_mib()
    status, text = soak.call(server.url, "POST", "/validate", BNODES, {"Content-Type": "text/turtle"}, timeout=10)
    assert status == 413, text[:300]
    assert server.rss_mib() < rss_before + 100

"""SPARQL 1.1 Graph Store HTTP Protocol on /store, after the W3C GSP test cases."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.sparql.formats import GRAPH_TYPES
from tests.test_protocol_support import BASE, G_ONTOLOGY, KA, Server, call, make_home, serve

TOKEN = "gsp-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle", **AUTH}
PERSON = f"""@prefix ka: <{KA}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}id/person/nam-il> a ka:Person ; rdfs:label "Nam Il"@en .
"""


@pytest.fixture(scope="module")
def gs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(make_home(tmp_path_factory.mktemp("gsp")), KG_WRITE_TOKEN=TOKEN) as server:
        yield server


def graph_url(server: Server, iri: str) -> str:
    return f"{server.url}/store?graph={urllib.parse.quote(iri, safe='')}"


def triples(reply, mime: str = "text/turtle") -> set[ox.Triple]:
    assert reply.status == 200, reply.text
    return {q.triple for q in ox.parse(reply.body, format=GRAPH_TYPES[mime])}


def test_get_default_graph(gs: Server) -> None:
    reply = call("GET", f"{gs.url}/store?default")
    assert reply.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert len(triples(reply)) == 7


def test_get_named_graph_with_conneg(gs: Server) -> None:
    for mime in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"):
        reply = call("GET", graph_url(gs, G_ONTOLOGY), headers={"Accept": mime})
        assert reply.headers["Content-Type"] == f"{mime}; charset=utf-8"
        assert len(triples(reply, mime)) == 2
    assert call("GET", graph_url(gs, G_ONTOLOGY), headers={"Accept": "image/png"}).status == 406


def test_head(gs: Server) -> None:
    reply = call("HEAD", graph_url(gs, G_ONTOLOGY))
    assert (reply.status, reply.body, reply.headers["Content-Type"]) == (200, b"", "text/turtle; charset=utf-8")
    assert call("HEAD", graph_url(gs, "http://example.org/none")).status == 404


def test_get_missing_graph_is_404(gs: Server) -> None:
    reply = call("GET", graph_url(gs, "http://example.org/none"))
    assert (reply.status, reply.text) == (404, "no graph <http://example.org/none> in this store\n")


def test_get_whole_dataset(gs: Server) -> None:
    reply = call("GET", f"{gs.url}/store")
    assert reply.headers["Content-Type"] == "application/trig; charset=utf-8"
    quads = list(ox.parse(reply.body, format=ox.RdfFormat.TRIG))
    assert len({q.graph_name for q in quads}) == 4
    reply = call("GET", f"{gs.url}/store", headers={"Accept": "application/n-quads"})
    assert reply.headers["Content-Type"] == "application/n-quads; charset=utf-8"
    assert len(reply.text.splitlines()) == len(quads)


def test_put_post_delete_lifecycle(gs: Server) -> None:
    iri = "http://example.org/graphs/people"
    url = graph_url(gs, iri)
    reply = call("PUT", url, PERSON, TURTLE)
    assert (reply.status, reply.headers["Location"]) == (201, url)
    assert len(triples(call("GET", url))) == 2
    assert call("PUT", url, PERSON, TURTLE).status == 204  # replace an existing graph
    assert len(triples(call("GET", url))) == 2
    more = f'<{BASE}id/person/nam-il> <http://www.w3.org/2000/01/rdf-schema#label> "南日"@ja .'
    reply = call("POST", url, more, {"Content-Type": "application/n-triples", **AUTH})
    assert reply.status == 204
    assert len(triples(call("GET", url))) == 3
    reply = call("PUT", url, f"<{BASE}id/person/nam-il> a <{KA}Person> .", TURTLE)
    assert reply.status == 204
    assert len(triples(call("GET", url))) == 1  # PUT replaced, not merged
    assert call("DELETE", url, headers=AUTH).status == 204
    assert call("GET", url).status == 404
    assert call("DELETE", url, headers=AUTH).status == 404


def test_post_creates_graph(gs: Server) -> None:
    url = graph_url(gs, "http://example.org/graphs/posted")
    assert call("POST", url, PERSON, TURTLE).status == 201
    assert call("POST", url, PERSON, TURTLE).status == 204
    assert len(triples(call("GET", url))) == 2
    assert call("DELETE", url, headers=AUTH).status == 204


def test_put_empty_graph(gs: Server) -> None:
    url = graph_url(gs, "http://example.org/graphs/empty")
    assert call("PUT", url, "", TURTLE).status == 201
    assert triples(call("GET", url)) == set()
    assert call("DELETE", url, headers=AUTH).status == 204


def test_post_to_default_graph_is_visible_to_queries(gs: Server) -> None:
    assert call("POST", f"{gs.url}/store?default", PERSON, TURTLE).status == 204
    query = urllib.parse.quote(f'ASK {{ <{BASE}id/person/nam-il> ?p "Nam Il"@en }}')
    assert call("GET", f"{gs.url}/sparql?query={query}").body == b'{"head":{},"boolean":true}'


def test_put_json_ld_and_rdf_xml(gs: Server) -> None:
    url = graph_url(gs, "http://example.org/graphs/formats")
    jsonld = f'{{"@id": "{BASE}id/person/x", "http://www.w3.org/2000/01/rdf-schema#label": "X"}}'
    assert call("PUT", url, jsonld, {"Content-Type": "application/ld+json", **AUTH}).status == 201
    rdfxml = (f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
              f'rdf:about="{BASE}id/person/y"><rdf:type rdf:resource="{KA}Person"/></rdf:Description></rdf:RDF>')
    assert call("PUT", url, rdfxml, {"Content-Type": "application/rdf+xml", **AUTH}).status == 204
    assert {t.subject.value for t in triples(call("GET", url))} == {f"{BASE}id/person/y"}
    assert call("DELETE", url, headers=AUTH).status == 204


def test_bad_rdf_is_400_with_position(gs: Server) -> None:
    reply = call("PUT", graph_url(gs, "http://example.org/graphs/bad"), "<a> <b> .", TURTLE)
    assert reply.status == 400
    assert reply.text.startswith("cannot parse the text/turtle body: ")
    assert "line 1 column" in reply.text
    assert call("GET", graph_url(gs, "http://example.org/graphs/bad")).status == 404


def test_named_graph_in_graph_body_is_400(gs: Server) -> None:
    body = "<http://a> <http://b> <http://c> <http://g> ."
    reply = call("PUT", graph_url(gs, "http://example.org/graphs/q"), body,
                 {"Content-Type": "application/n-quads", **AUTH})
    assert reply.status == 400


def test_unknown_media_type_is_415(gs: Server) -> None:
    reply = call("PUT", graph_url(gs, "http://example.org/graphs/x"), "x", {"Content-Type": "image/png", **AUTH})
    assert reply.status == 415
    assert reply.text.startswith("unsupported Content-Type 'image/png': send one of text/turtle")


def test_writes_need_target_and_token(gs: Server) -> None:
    assert call("PUT", f"{gs.url}/store", PERSON, TURTLE).status == 400
    reply = call("PUT", f"{gs.url}/store?default", PERSON, {"Content-Type": "text/turtle"})
    assert (reply.status, reply.headers["WWW-Authenticate"]) == (401, 'Bearer realm="korea1953"')
    reply = call("DELETE", graph_url(gs, G_ONTOLOGY), headers={"Authorization": "Bearer nope"})
    assert reply.status == 403
    assert call("GET", graph_url(gs, G_ONTOLOGY)).status == 200


def test_deep_nesting_is_refused_before_it_can_crash_the_parser(gs: Server) -> None:
    """pyoxigraph's parsers overflow the stack (SIGSEGV) on a few thousand nested brackets."""
    deep = "SELECT * " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    reply = call("POST", f"{gs.url}/sparql", deep, {"Content-Type": "application/sparql-query"})
    assert (reply.status, reply.text) == (400, "brackets nested 5000 deep: this endpoint accepts at most 256 levels\n")
    update = "INSERT DATA { <http://a> <http://b> " + "(" * 3000 + "1" + ")" * 3000 + " }"
    reply = call("POST", f"{gs.url}/sparql", update, {"Content-Type": "application/sparql-update", **AUTH})
    assert reply.status == 400
    jsonld = '{"@id": "http://s", "http://p": ' + '{"http://p": ' * 20000 + "1" + "}" * 20000 + "}"
    headers = {"Content-Type": "application/ld+json", **AUTH}
    reply = call("PUT", graph_url(gs, "http://example.org/deep"), jsonld, headers)
    assert reply.status == 400
    assert reply.text.startswith("cannot parse the application/ld+json body: maximum recursion depth exceeded")
    assert call("GET", f"{gs.url}/sparql?query=ASK%7B%7D").status == 200  # still serving

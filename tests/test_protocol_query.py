"""SPARQL 1.1 Protocol (query side) against a real read-only `kg serve` on loopback.

Mirrors the W3C protocol test cases (query_get, query_post_form, query_post_direct,
query_dataset_*, bad_* ...) plus the awkward Accept headers seen in the wild.
"""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from kg.sparql.formats import GRAPH_TYPES
from tests.test_protocol_support import (
    BASE,
    EXAMPLE,
    FORM,
    G_INFERRED,
    G_ONTOLOGY,
    G_SHAPES,
    KA,
    Server,
    call,
    form,
    make_home,
    query_workers,
    serve,
)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
PREFIXES = f"PREFIX ka: <{KA}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
NAMES = PREFIXES + (
    'SELECT ?p ?name WHERE { ?p a ka:Person ; rdfs:label ?name FILTER(lang(?name) = "en") } ORDER BY ?name')
NAMES_JSON = {"head": {"vars": ["p", "name"]}, "results": {"bindings": [
    {"p": {"type": "uri", "value": f"{BASE}id/person/clark"},
     "name": {"type": "literal", "value": "Mark W. Clark", "xml:lang": "en"}},
    {"p": {"type": "uri", "value": f"{BASE}id/person/rhee"},
     "name": {"type": "literal", "value": "Syngman Rhee", "xml:lang": "en"}},
]}}
AGENTS = PREFIXES + "SELECT ?s WHERE { ?s a ka:Agent } ORDER BY ?s"
AGENT_IRIS = [f"{BASE}id/person/clark", f"{BASE}id/person/rhee"]
CONSTRUCT = PREFIXES + "CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a ka:Person ; rdfs:label ?name }"


@pytest.fixture(scope="module")
def ro(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A read-only server (no KG_WRITE_TOKEN) over the known dataset."""
    with serve(make_home(tmp_path_factory.mktemp("ro"))) as server:
        yield server


def get(server: Server, query: str, accept: str | None = None, **params: str | list[str]):
    qs = urllib.parse.urlencode({"query": query, **params}, doseq=True)
    return call("GET", f"{server.url}/sparql?{qs}", headers={"Accept": accept} if accept else {})


def column(reply, var: str) -> list[str]:
    assert reply.status == 200, reply.text
    return [b[var]["value"] for b in json.loads(reply.body)["results"]["bindings"]]


# --- the three ways to send a query -------------------------------------------------------------

def test_query_get(ro: Server) -> None:
    reply = get(ro, NAMES)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert json.loads(reply.body) == NAMES_JSON


def test_query_post_form(ro: Server) -> None:
    reply = call("POST", f"{ro.url}/sparql", form(query=NAMES), FORM)
    assert (reply.status, json.loads(reply.body)) == (200, NAMES_JSON)


def test_query_post_direct(ro: Server) -> None:
    reply = call("POST", f"{ro.url}/sparql", NAMES, {"Content-Type": "application/sparql-query"})
    assert (reply.status, json.loads(reply.body)) == (200, NAMES_JSON)


# --- the RDF dataset of a query -----------------------------------------------------------------

def test_default_graph_is_data_plus_ontology(ro: Server) -> None:
    assert column(get(ro, AGENTS), "s") == []
    assert json.loads(get(ro, PREFIXES + "ASK { ka:Person rdfs:subClassOf ka:Agent }").body)["boolean"] is True


def test_inference_parameter_adds_inferred_graph(ro: Server) -> None:
    assert column(get(ro, AGENTS, inference="true"), "s") == AGENT_IRIS
    reply = call("POST", f"{ro.url}/sparql", form(query=AGENTS, inference="true"), FORM)
    assert column(reply, "s") == AGENT_IRIS


def test_query_from_clause_is_honoured(ro: Server) -> None:
    query = PREFIXES + f"SELECT ?s FROM <{G_INFERRED}> WHERE {{ ?s a ka:Agent }} ORDER BY ?s"
    assert column(get(ro, query), "s") == AGENT_IRIS


def test_protocol_dataset_overrides_from(ro: Server) -> None:
    query = PREFIXES + f"SELECT ?s FROM <{G_ONTOLOGY}> WHERE {{ ?s a ka:Agent }} ORDER BY ?s"
    assert column(get(ro, query), "s") == []
    assert column(get(ro, query, **{"default-graph-uri": G_INFERRED}), "s") == AGENT_IRIS


def test_repeated_default_graph_uri_is_a_merge(ro: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    reply = get(ro, query, **{"default-graph-uri": [G_INFERRED, G_ONTOLOGY]})
    assert column(reply, "n") == ["4"]
    reply = call("POST", f"{ro.url}/sparql", form(query=query, **{"default-graph-uri": [G_INFERRED, G_SHAPES]}), FORM)
    assert column(reply, "n") == ["3"]


def test_named_graph_uri_limits_graph_clause(ro: Server) -> None:
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert column(get(ro, query), "g") == [G_INFERRED, G_ONTOLOGY, G_SHAPES]
    assert column(get(ro, query, **{"named-graph-uri": [G_SHAPES, G_ONTOLOGY]}), "g") == [G_ONTOLOGY, G_SHAPES]
    reply = call("POST", f"{ro.url}/sparql?named-graph-uri={urllib.parse.quote(G_SHAPES)}", query,
                 {"Content-Type": "application/sparql-query"})
    assert column(reply, "g") == [G_SHAPES]


# --- content negotiation -----------------------------------------------------------------------

SELECT_CASES = [
    (None, None, "application/sparql-results+json"),
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    ("text/tab-separated-values", None, "text/tab-separated-values"),
    ("application/sparql-results+json,text/turtle", None, "application/sparql-results+json"),
    ("*/*", None, "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", None, "application/sparql-results+xml"),
    ("text/turtle", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", "csv", "text/csv"),
    (None, "tsv", "text/tab-separated-values"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "application/xml"),
]
CONSTRUCT_CASES = [
    (None, None, "text/turtle"),
    ("application/sparql-results+json", None, "text/turtle"),
    ("application/sparql-results+json,text/turtle", None, "text/turtle"),
    ("application/ld+json;q=0.8, application/rdf+xml", None, "application/rdf+xml"),
    ("application/n-triples", None, "application/n-triples"),
    ("application/trig", None, "application/trig"),
    ("application/n-quads", None, "application/n-quads"),
    ("*/*", None, "text/turtle"),
    ("text/turtle", "jsonld", "application/ld+json"),
    (None, "json", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "fmt", "expected"), SELECT_CASES)
def test_select_negotiation(ro: Server, accept: str | None, fmt: str | None, expected: str) -> None:
    reply = get(ro, NAMES, accept, **({"format": fmt} if fmt else {}))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert reply.headers["Vary"] == "Accept"


@pytest.mark.parametrize(("accept", "fmt", "expected"), CONSTRUCT_CASES)
def test_construct_negotiation(ro: Server, accept: str | None, fmt: str | None, expected: str) -> None:
    reply = get(ro, CONSTRUCT, accept, **({"format": fmt} if fmt else {}))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert reply.headers["Vary"] == "Accept"
    triples = {q.triple for q in ox.parse(reply.body, format=GRAPH_TYPES[expected])}
    assert len(triples) == 3
    assert ox.Triple(ox.NamedNode(f"{BASE}id/person/rhee"), ox.NamedNode(str(RDFS.label)),
                     ox.Literal("李承晩", language="ja")) in triples


@pytest.mark.parametrize("query", [NAMES, CONSTRUCT, "ASK {}"])
def test_unsatisfiable_accept_is_406(ro: Server, query: str) -> None:
    reply = get(ro, query, "image/png")
    assert reply.status == 406
    assert reply.headers["Vary"] == "Accept"
    assert reply.text.startswith("none of the Accept types can carry this result; offered: ")


def test_result_bodies_in_every_results_format(ro: Server) -> None:
    assert get(ro, NAMES, "text/csv").body == (
        f"p,name\r\n{BASE}id/person/clark,Mark W. Clark\r\n{BASE}id/person/rhee,Syngman Rhee\r\n").encode()
    assert get(ro, NAMES, "text/tab-separated-values").text == (
        f'?p\t?name\n<{BASE}id/person/clark>\t"Mark W. Clark"@en\n<{BASE}id/person/rhee>\t"Syngman Rhee"@en\n')
    xml = get(ro, NAMES, "application/sparql-results+xml").text
    assert '<variable name="p"/><variable name="name"/>' in xml
    assert f'<binding name="p"><uri>{BASE}id/person/rhee</uri></binding>' in xml
    assert '<binding name="name"><literal xml:lang="en">Syngman Rhee</literal></binding>' in xml
    assert json.loads(get(ro, "ASK { ?s ?p ?o }").body) == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in get(ro, "ASK { ?s ?p ?o }", "application/sparql-results+xml").text


# --- protocol errors ---------------------------------------------------------------------------

def test_syntax_error_is_400_with_position(ro: Server) -> None:
    reply = get(ro, "SELECT * WHERE { ?s ?p }")
    assert reply.status == 400
    assert reply.text.startswith("SPARQL syntax error: error at 1:")


def test_query_and_update_together_is_400(ro: Server) -> None:
    reply = call("POST", f"{ro.url}/sparql", form(query="ASK {}", update="CLEAR ALL"), FORM)
    assert (reply.status, reply.text) == (400, "a request carries either a query or an update, not both\n")


def test_neither_query_nor_update_is_400(ro: Server) -> None:
    reply = call("POST", f"{ro.url}/sparql", form(format="json"), FORM)
    assert (reply.status, reply.text) == (400, "missing 'query' or 'update' parameter\n")


def test_multiple_queries_is_400(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert (reply.status, reply.text) == (400, "more than one 'query' parameter: send exactly one\n")


def test_multiple_updates_is_400(ro: Server) -> None:
    reply = call("POST", f"{ro.url}/sparql", form(update=["CLEAR ALL", "CLEAR ALL"]), FORM)
    assert (reply.status, reply.text) == (400, "more than one 'update' parameter: send exactly one\n")


def test_update_via_get_is_405(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/sparql?update=CLEAR%20ALL")
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"


def test_wrong_method_is_405(ro: Server) -> None:
    reply = call("PUT", f"{ro.url}/sparql", "ASK {}", {"Content-Type": "application/sparql-query"})
    assert reply.status == 405
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


@pytest.mark.parametrize("ctype", ["text/plain", "application/json", None])
def test_wrong_media_type_is_415(ro: Server, ctype: str | None) -> None:
    import http.client

    conn = http.client.HTTPConnection(ro.url.removeprefix("http://"))
    conn.putrequest("POST", "/sparql")
    if ctype:
        conn.putheader("Content-Type", ctype)
    conn.putheader("Content-Length", "6")
    conn.endheaders(b"ASK {}")
    resp = conn.getresponse()
    assert resp.status == 415
    assert "send application/sparql-query, application/sparql-update or application/x-www-form-urlencoded" in (
        resp.read().decode())
    conn.close()


BAD_INPUTS: list[tuple[str, str, bytes, dict[str, str]]] = [
    ("GET", "/sparql?query=SELECT", b"", {}),
    ("GET", "/sparql?query=%00%01", b"", {}),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT * { <not an iri> ?p ?o }"), b"", {}),
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", b"", {}),
    ("GET", "/sparql?query=ASK%7B%7D&named-graph-uri=urn:x-arq:DefaultGraph", b"", {}),
    ("GET", "/sparql?query=ASK%7B%7D&format=png", b"", {}),
    ("GET", "/sparql?query=ASK%7B%7D", b"", {"Accept": ";;;,q=abc,*/*;q=x"}),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT (1/0 AS ?x) {}"), b"", {}),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT * { ?s ?p ?o FILTER(REGEX(?o, '(')) }"), b"", {}),
    ("GET", "/sparql?query=" + urllib.parse.quote('SELECT * { BIND(STRDT("x", <not iri>) AS ?x) }'), b"", {}),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT ?x { ?x ?x ?x } GROUP BY"), b"", {}),
    ("GET", "/sparql?query=" + "%7B" * 5000, b"", {}),
    ("POST", "/sparql", b"\xff\xfe\x00A", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", b"ASK {}", {"Content-Type": "application/sparql-query; charset=latin-1"}),
    ("POST", "/sparql", b"query=%ff%fe", FORM),
    ("POST", "/sparql", b"%%%&&&===", FORM),
    ("POST", "/sparql", b"update=CLEAR+ALL", FORM),
    ("POST", "/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
    ("POST", "/sparql", b"ASK {}", {"Content-Type": "multipart/form-data; boundary=x"}),
    ("DELETE", "/sparql", b"", {}),
    ("GET", "/store?graph=not%20an%20iri", b"", {}),
    ("GET", "/store?graph=a&graph=b", b"", {}),
    ("GET", "/store?default&graph=http://x/", b"", {}),
    ("PUT", "/store?default", b"<a> <b> <c> .", {"Content-Type": "text/turtle"}),
    ("PATCH", "/store?default", b"", {}),
    ("GET", "/dist/../../etc/passwd", b"", {}),
    ("GET", "/dist/nothing.ttl", b"", {}),
    ("GET", "/.well-known/void?format=png", b"", {}),
]


@pytest.mark.parametrize(("method", "path", "body", "headers"), BAD_INPUTS)
def test_bad_input_is_never_a_500(ro: Server, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
    reply = call(method, ro.url + path, body or None, headers)
    assert 400 <= reply.status < 500 or reply.status == 200, (reply.status, reply.text)
    assert "Traceback" not in reply.text


# --- service description -----------------------------------------------------------------------

def test_service_description_turtle(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/sparql")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=reply.text, format="turtle")
    service = URIRef(f"{ro.url}/sparql")
    assert set(graph.objects(service, SD.endpoint)) == {service}
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}  # read-only: no Update
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "JSON-LD", "TriG"} <= formats
    assert SD.UnionDefaultGraph not in set(graph.objects(service, SD.feature))
    dataset = graph.value(service, SD.defaultDataset)
    names = {graph.value(ng, SD.name) for ng in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(G_INFERRED), URIRef(G_ONTOLOGY), URIRef(G_SHAPES)}
    default = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default, URIRef("http://rdfs.org/ns/void#triples"))) == 9


@pytest.mark.parametrize(("accept", "rdflib_format"), [("application/rdf+xml", "xml"),
                                                         ("application/ld+json", "json-ld")])
def test_service_description_other_formats(ro: Server, accept: str, rdflib_format: str) -> None:
    reply = call("GET", f"{ro.url}/sparql", headers={"Accept": accept})
    assert reply.headers["Content-Type"] == f"{accept}; charset=utf-8"
    graph = Graph().parse(data=reply.text, format=rdflib_format)
    assert (URIRef(f"{ro.url}/sparql"), SD.supportedLanguage, SD.SPARQL11Query) in graph


def test_service_description_redirects_browsers(ro: Server) -> None:
    import http.client

    conn = http.client.HTTPConnection(ro.url.removeprefix("http://"))
    conn.request("GET", "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    resp = conn.getresponse()
    assert (resp.status, resp.getheader("Location")) == (303, "/")
    conn.close()


# --- CORS ---------------------------------------------------------------------------------------

def test_cors_headers_and_preflight(ro: Server) -> None:
    assert get(ro, "ASK {}").headers["Access-Control-Allow-Origin"] == "*"
    for path, methods in [("/sparql", {"GET", "POST"}), ("/store", {"GET", "PUT", "POST", "DELETE"})]:
        reply = call("OPTIONS", ro.url + path, headers={
            "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert reply.status == 200
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
        assert methods <= set(reply.headers["Access-Control-Allow-Methods"].split(", "))
        assert {"Authorization", "Content-Type"} <= set(reply.headers["Access-Control-Allow-Headers"].split(", "))
        assert reply.headers["Access-Control-Max-Age"] == "86400"


# --- read-only by default ----------------------------------------------------------------------

def test_writes_refused_without_configured_token(ro: Server) -> None:
    headers = {**FORM, "Authorization": "Bearer anything"}
    reply = call("POST", f"{ro.url}/sparql", form(update=f"INSERT DATA {{ <{BASE}a> <{BASE}b> 1 }}"), headers)
    assert reply.status == 403
    assert reply.text.startswith("read-only endpoint")
    reply = call("PUT", f"{ro.url}/store?default", "<http://a> <http://b> 1 .", {"Content-Type": "text/turtle"})
    assert reply.status == 403
    assert reply.text.startswith("read-only endpoint")


# --- discovery documents -----------------------------------------------------------------------

def test_well_known_void(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/.well-known/void")
    assert (reply.status, reply.headers["Content-Type"]) == (200, "text/turtle; charset=utf-8")
    assert reply.text == (ro.home / "var" / "dist" / "void.ttl").read_text(encoding="utf-8")
    reply = call("GET", f"{ro.url}/.well-known/void", headers={"Accept": "application/ld+json"})
    assert reply.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    assert len(Graph().parse(data=reply.text, format="json-ld")) == len(
        Graph().parse(ro.home / "var" / "dist" / "void.ttl", format="turtle"))


def test_well_known_sparql_examples(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/.well-known/sparql-examples")
    assert reply.status == 200
    graph = Graph().parse(data=reply.text, format="turtle")
    ex = URIRef(f"{BASE}query/people")
    assert set(graph.objects(ex, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))) == {
        SH.SPARQLExecutable, SH.SPARQLSelectExecutable}
    assert set(graph.objects(ex, RDFS.label)) == {Literal("People", lang="en"), Literal("人物", lang="ja")}
    assert str(graph.value(ex, SH.select)) == EXAMPLE
    assert set(graph.objects(ex, SCHEMA.keywords)) == {Literal("people"), Literal("labels")}
    assert graph.value(ex, SCHEMA.target) == URIRef(f"{ro.url}/sparql")
    # the example really runs on this endpoint
    assert column(get(ro, str(graph.value(ex, SH.select))), "name") == ["Mark W. Clark", "Syngman Rhee"]


def test_dist_files(ro: Server) -> None:
    reply = call("GET", f"{ro.url}/dist/korea1953.nq")
    assert (reply.status, reply.headers["Content-Type"]) == (200, "application/n-quads; charset=utf-8")
    assert reply.body == Path(ro.home / "var" / "dist" / "korea1953.nq").read_bytes()


# --- real clients -------------------------------------------------------------------------------

def test_sparqlwrapper_json_xml_csv_construct(ro: Server) -> None:
    from SPARQLWrapper import CSV, JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{ro.url}/sparql")
    client.setQuery(NAMES)
    client.setReturnFormat(JSON)
    assert client.query().convert() == NAMES_JSON
    client.setReturnFormat(XML)
    doc = client.query().convert()
    assert [u.firstChild.data for u in doc.getElementsByTagName("uri")] == AGENT_IRIS
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.query().convert().decode())))
    assert rows == [["p", "name"], [AGENT_IRIS[0], "Mark W. Clark"], [AGENT_IRIS[1], "Syngman Rhee"]]
    client.setMethod(POST)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    assert len(Graph().parse(data=client.query().convert(), format="turtle")) == 3
    client.setReturnFormat(RDFXML)  # SPARQLWrapper turns an RDF/XML answer into an rdflib Graph itself
    graph = client.query().convert()
    assert isinstance(graph, Graph) and len(graph) == 3
    assert (URIRef(AGENT_IRIS[1]), RDFS.label, Literal("李承晩", lang="ja")) in graph


def test_rdflib_sparqlstore(ro: Server) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(f"{ro.url}/sparql", returnFormat="json"))
    rows = list(graph.query(NAMES))
    assert [(str(p), str(n)) for p, n in rows] == [(AGENT_IRIS[0], "Mark W. Clark"), (AGENT_IRIS[1], "Syngman Rhee")]
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    plugin = Graph(store="SPARQLStore")
    plugin.open(f"{ro.url}/sparql")
    assert len(list(plugin.query(AGENTS))) == 0
    assert len(list(plugin.query(CONSTRUCT))) == 3


def test_federation_from_another_engine(ro: Server) -> None:
    other = ox.Store()  # a different engine, querying us through its SERVICE clause
    rows = other.query(PREFIXES + f"SELECT ?name {{ SERVICE <{ro.url}/sparql> {{ ?p a ka:Person ; rdfs:label ?name "
                       'FILTER(lang(?name) = "en") } } ORDER BY ?name')
    assert [row["name"].value for row in rows] == ["Mark W. Clark", "Syngman Rhee"]


def test_query_workers_have_no_network(ro: Server) -> None:
    """Without KG_ALLOW_REMOTE the query processes live in their own, empty network namespace."""
    workers = query_workers(ro)
    assert len(workers) >= 2
    for pid in workers:
        assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")

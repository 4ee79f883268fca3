"""The web UI, server-side: entity pages and their content negotiation, the views, the query page.

Runs the Flask app in-process over the session's store (the `built` fixture); expectations are
computed with SPARQL on the same store, so they follow the data as it grows.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from kg.app import create_app
from kg.catalog import load_examples
from kg.config import Settings
from kg.sparql.engine import Dataset, Engine

BASE = "https://w3id.org/korea1953/"
KA = "https://w3id.org/korea1953/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
PREFIXES = f"PREFIX ka: <{KA}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
DOC = f"{BASE}id/document/fn49-g-5812-kcg"
RHEE = f"{BASE}id/person/syngman-rhee"
FOUR_CONDITIONS = f"{BASE}id/position/1953-06-09-rhee-four-conditions"


@pytest.fixture(scope="module")
def engine(built: Settings) -> Engine:
    """Read-only, like the other in-process tests: the session's `kg serve` may own the store."""
    return Engine(ox.Store.read_only(str(built.store_path.resolve())), built.base)


@pytest.fixture(scope="module")
def client(built: Settings, engine: Engine) -> FlaskClient:
    return create_app(built, engine).test_client()


def rows(engine: Engine, sparql: str, inference: bool = False) -> list[dict[str, str]]:
    result = engine.query(PREFIXES + sparql, Dataset(inference=inference))
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def count(engine: Engine, where: str, inference: bool = False) -> int:
    """COUNT(DISTINCT ?x) of a pattern."""
    return int(rows(engine, f"SELECT (COUNT(DISTINCT ?x) AS ?n) {{ {where} }}", inference)[0]["n"])


def label(engine: Engine, iri: str, lang: str) -> str:
    found = rows(engine, f'SELECT ?l {{ <{iri}> rdfs:label ?l FILTER(LANG(?l) = "{lang}") }}')
    assert found, f"{iri} has no @{lang} label in the data"
    return found[0]["l"]


def text(html: bytes) -> str:
    """Page text with tags removed and entities decoded (what a reader sees, roughly)."""
    return unescape(re.sub(r"<[^>]+>", " ", html.decode()))


# -- entity pages ---------------------------------------------------------------------------------

def test_document_page_shows_labels_citation_footnote_and_state_gov(client: FlaskClient, engine: Engine) -> None:
    resp = client.get("/id/document/fn49-g-5812-kcg")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    page = text(resp.data)
    assert "Taylor to Clark, G 5812 KCG, 9 June 1953" in page
    assert "テイラー発クラーク宛電報G 5812 KCG（1953年6月9日）" in page
    assert "G 5812 KCG" in page and "586" in page and "1159–1160" in page  # FRUS doc number and pages
    assert "Taylor to Clark, G 5812 KCG., June 9, 1953" in page  # the footnote's own text
    assert 'href="https://history.state.gov/historicaldocuments/frus1952-54v15p2/d586"' in resp.data.decode()
    assert 'href="/id/footnote/49"' in resp.data.decode()


def test_person_page_shows_labels_in_three_languages(client: FlaskClient, engine: Engine) -> None:
    resp = client.get("/id/person/syngman-rhee")
    assert resp.status_code == 200
    page = text(resp.data)
    for lang in ("en", "ja", "ko"):
        assert label(engine, RHEE, lang) in page
    assert re.search(r"<h1>\s*" + re.escape(label(engine, RHEE, "en")), resp.data.decode())
    assert "<script" not in resp.data.decode()  # entity pages work without JavaScript


def test_language_switch_puts_japanese_label_first_and_is_remembered(client: FlaskClient, engine: Engine) -> None:
    ja = label(engine, RHEE, "ja")
    resp = client.get("/id/person/syngman-rhee?lang=ja")
    assert re.search(r"<h1>\s*" + re.escape(ja), resp.data.decode())
    assert "kg-lang=ja" in resp.headers["Set-Cookie"]
    again = client.get("/id/person/syngman-rhee")  # the cookie carries the choice
    assert re.search(r"<h1>\s*" + re.escape(ja), again.data.decode())
    client.get("/?lang=en")


def test_values_in_our_namespace_link_to_their_pages_with_labels(client: FlaskClient, engine: Engine) -> None:
    html = client.get("/id/document/fn49-g-5812-kcg").data.decode()
    taylor = f"{BASE}id/person/maxwell-d-taylor"
    assert f'href="/id/person/maxwell-d-taylor" title="{taylor}">{label(engine, taylor, "en")}</a>' in html


def test_position_items_in_order_and_evolution(client: FlaskClient, engine: Engine) -> None:
    items = rows(engine, f"SELECT ?l {{ <{FOUR_CONDITIONS}> ka:hasItem ?i . ?i ka:itemNumber ?n ; rdfs:label ?l "
                         f'FILTER(LANG(?l) = "en") }} ORDER BY ?n')
    assert len(items) == 4
    page = text(client.get("/id/position/1953-06-09-rhee-four-conditions").data)
    positions = [page.index(i["l"]) for i in items]
    assert positions == sorted(positions)
    chain = rows(engine, "SELECT ?later ?earlier { ?later ka:supersedes ?earlier } LIMIT 1")
    if chain:
        later = chain[0]["later"][len(BASE) - 1:]
        html = client.get(later).data.decode()
        assert 'id="evolution"' in html and chain[0]["earlier"][len(BASE) - 1:] in html


def test_inferred_statements_are_marked(client: FlaskClient, engine: Engine) -> None:
    inferred = rows(engine, f"SELECT ?p {{ GRAPH <{BASE}graph/inferred> {{ <{DOC}> ?p ?o }} }} LIMIT 1")
    assert inferred
    html = client.get("/id/document/fn49-g-5812-kcg").data.decode()
    assert 'id="inferred"' in html and 'class="badge inferred"' in html


@pytest.mark.parametrize(("suffix", "accept", "mime", "fmt"), [
    (".ttl", None, "text/turtle", "turtle"),
    (".jsonld", None, "application/ld+json", "json-ld"),
    (".nt", None, "application/n-triples", "nt"),
    ("", "text/turtle", "text/turtle", "turtle"),
    ("", "application/ld+json", "application/ld+json", "json-ld"),
    ("", "application/n-triples;q=1, text/html;q=0.5", "application/n-triples", "nt"),
])
def test_entity_rdf_by_suffix_or_accept(client: FlaskClient, suffix: str, accept: str | None, mime: str,
                                        fmt: str) -> None:
    resp = client.get("/id/document/fn49-g-5812-kcg" + suffix, headers={"Accept": accept} if accept else {})
    assert resp.status_code == 200
    assert resp.mimetype == mime
    assert "Accept" in resp.headers.get("Vary", "")
    graph = Graph().parse(data=resp.data.decode(), format=fmt)
    assert (URIRef(DOC), RDFS_LABEL, Literal("Taylor to Clark, G 5812 KCG, 9 June 1953", lang="en")) in graph


def test_browser_accept_header_gets_html(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp = client.get("/id/person/syngman-rhee", headers={"Accept": accept})
    assert resp.mimetype == "text/html"
    assert "Accept" in resp.headers["Vary"]  # the same URL also answers Turtle and JSON-LD


@pytest.mark.parametrize("path", ["/id/person/nobody-at-all", "/id/person/nobody.ttl", "/id/unknown-kind/x",
                                  "/id/person/a%3Eb"])
def test_unknown_iri_is_a_helpful_404(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert "/id/person/syngman-rhee" in resp.data.decode()  # an example of what exists


def test_browse_kind_lists_members(client: FlaskClient, engine: Engine) -> None:
    n = count(engine, f'?x ?p ?o FILTER STRSTARTS(STR(?x), "{BASE}id/footnote/")')
    html = client.get("/id/footnote/").data.decode()
    assert html.count('href="/id/footnote/') >= n


# -- views --------------------------------------------------------------------------------------------

def test_timeline_lists_every_dated_event(client: FlaskClient, engine: Engine) -> None:
    n = count(engine, "?x a ka:Event ; ka:date ?d", inference=True)
    html = client.get("/timeline").data.decode()
    assert html.count("<li data-iri=") == n
    data = json.loads(unescape(re.search(r'id="timeline-data">(.*?)</script>', html, re.S).group(1)))
    assert len(data) == n
    assert [d["start"] for d in data] == sorted(d["start"] for d in data)


def test_timeline_filters_by_person_and_issue(client: FlaskClient, engine: Engine) -> None:
    n = count(engine, f"?x a ka:Event ; ka:date ?d ; ka:participant <{RHEE}>", inference=True)
    html = client.get("/timeline", query_string={"person": RHEE}).data.decode()
    assert 0 < html.count("<li data-iri=") == n
    issue = f"{BASE}id/issue/mutual-defense-treaty"
    m = count(engine, f"?x a ka:Event ; ka:date ?d ; ka:issue/<{SKOS}broader>* <{issue}>", inference=True)
    assert client.get("/timeline", query_string={"issue": issue}).data.decode().count("<li data-iri=") == m


def network_data(html: str) -> dict:
    return json.loads(unescape(re.search(r'id="network-data">(.*?)</script>', html, re.S).group(1)))


def test_network_nodes_are_the_parties_of_meetings_and_letters(client: FlaskClient, engine: Engine) -> None:
    data = network_data(client.get("/network").data.decode())
    senders = {r["a"] for r in rows(engine, "SELECT ?a { ?e a ka:Communication ; ka:sender ?a ; ka:recipient ?b "
                                            "FILTER(?a != ?b) }", inference=True)}
    ids = {n["id"] for n in data["nodes"]}
    assert senders <= ids
    assert all(e["from"] in ids and e["to"] in ids and e["value"] >= 1 for e in data["edges"])


def test_network_date_range_narrows(client: FlaskClient) -> None:
    every = network_data(client.get("/network").data.decode())
    june = network_data(client.get("/network", query_string={"from": "1953-06-01", "to": "1953-06-30"}).data.decode())
    assert 0 < sum(e["value"] for e in june["edges"]) < sum(e["value"] for e in every["edges"])


def test_network_kind_boxes(client: FlaskClient) -> None:
    """Unticked boxes send only their hidden "off"; ticked ones send "on" first."""
    args = "met=on&met=off&wrote=off&instructed=off"
    edges = network_data(client.get("/network?" + args).data.decode())["edges"]
    assert edges and {e["kind"] for e in edges} == {"met"}


def test_positions_view_groups_by_issue_and_shows_changes(client: FlaskClient, engine: Engine) -> None:
    html = client.get("/positions").data.decode()
    assert 'id="chinese-troop-withdrawal"' in html and 'id="mutual-defense-treaty"' in html
    assert "rel-supersedes" in html
    rhee = client.get("/positions", query_string={"holder": RHEE,
                                                  "issue": f"{BASE}id/issue/chinese-troop-withdrawal"}).data.decode()
    assert 'data-iri="' in rhee and 'id="mutual-defense-treaty"' not in rhee


def test_ontology_docs_and_turtle(client: FlaskClient) -> None:
    html = client.get("/ontology")
    assert html.status_code == 200 and html.mimetype == "text/html" and b"Korea 1953" in html.data
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert ttl.mimetype == "text/turtle"
    assert len(Graph().parse(data=ttl.data.decode(), format="turtle")) > 100
    assert client.get("/ontology.ttl").mimetype == "text/turtle"
    assert client.get("/ontology/Meeting").status_code == 200


# -- query page ---------------------------------------------------------------------------------------

def test_query_page_lists_examples_and_prefixes(client: FlaskClient, built: Settings) -> None:
    html = client.get("/").data.decode()
    for ex in load_examples(built.queries_dir):
        assert f'data-slug="{ex.slug}"' in html
        for title in ex.titles.values():
            assert text(title.encode()).strip() in text(html.encode())
    assert "https://w3id.org/korea1953/ontology#" in html
    assert "vendor/yasgui/yasgui.min.js" in html


def test_query_permalink_is_escaped(client: FlaskClient) -> None:
    html = client.get("/", query_string={"query": "</script><script>alert(1)</script>"}).data.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("path", [
    "vendor/yasgui/yasgui.min.js", "vendor/yasgui/LICENSE", "vendor/yasgui/VERSION",
    "vendor/vis-timeline/vis-timeline-graph2d.min.js", "vendor/vis-network/vis-network.min.js", "site.css",
])
def test_vendored_assets_are_served_locally(client: FlaskClient, path: str) -> None:
    resp = client.get("/assets/" + path)
    assert resp.status_code == 200 and resp.data


def test_pages_read_through_the_engine_only(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """No rdflib on the request path: it is slow and not thread-safe."""
    import rdflib

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("rdflib query on a request")

    monkeypatch.setattr(rdflib.Graph, "query", refuse)
    for path in ("/", "/id/person/syngman-rhee", "/timeline", "/network", "/positions"):
        assert client.get(path).status_code == 200


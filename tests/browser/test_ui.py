"""The web UI in headless Chromium against a real `kg serve`: every page loads without errors or
outside requests, the editor runs an example, the views show what SPARQL says they should, and a
newcomer can answer "what did Rhee demand on June 9, 1953, and which document says so?" by clicking.

Screenshots of each page go to tests/artifacts/.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.catalog import load_examples
from kg.config import Settings

sync_api = pytest.importorskip("playwright.sync_api")
Page = sync_api.Page
expect = sync_api.expect

PREFIXES = "PREFIX ka: <https://w3id.org/korea1953/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def sparql(server: str, query: str, inference: bool = False) -> list[dict[str, str]]:
    """Ask the same server's /sparql (the expectation, computed independently of the page)."""
    params = {"query": PREFIXES + query, **({"inference": "true"} if inference else {})}
    url = f"{server}/sparql?{urllib.parse.urlencode(params)}"
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req) as resp:
        bindings = json.load(resp)["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]


def shoot(page: Page, artifacts: Path, name: str, full_page: bool = True) -> None:
    """Save a screenshot (long pages: the first screen only, to keep artifacts small)."""
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=full_page)


def test_query_page_runs_an_example(page: Page, server: str, built: Settings, artifacts: Path) -> None:
    examples = [ex for ex in load_examples(built.queries_dir) if ex.form == "SELECT"]
    page.goto(server + "/")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    if examples:
        example = examples[0]
        page.locator(f'button.load[data-slug="{example.slug}"]').click()
        expected = len(sparql(server, example.query))
    else:  # the catalogue is still being written: run the editor's own starter query
        page.locator(".yasqe_queryButton").click()
        expected = len(sparql(server, 'SELECT ?e ?d ?l { ?e a ka:Event ; ka:date ?d ; rdfs:label ?l '
                                      'FILTER(LANG(?l) = "en") } LIMIT 100'))
    rows = page.locator(".yasr tbody tr")
    if expected:
        expect(rows.first).to_be_visible()
        expect(page.locator(".yasr")).to_contain_text(f"{expected} result")
    assert rows.count() == min(expected, 50)  # YASR shows 50 rows per page
    assert "query=" in page.locator("#permalink").input_value()
    shoot(page, artifacts, "query")


def test_permalink_preloads_and_runs(page: Page, server: str) -> None:
    query = "SELECT ?fn WHERE { ?fn a ka:Footnote }"
    page.goto(server + "/?" + urllib.parse.urlencode({"query": query}))
    expect(page.locator(".yasr")).to_contain_text(f"{len(sparql(server, query))} result")
    assert "PREFIX ka:" in page.evaluate("window.kgYasgui.getTab().getYasqe().getValue()")


def test_entity_page(page: Page, server: str, artifacts: Path) -> None:
    page.goto(server + "/id/document/fn49-g-5812-kcg")
    expect(page.locator("h1")).to_have_text("Taylor to Clark, G 5812 KCG, 9 June 1953")
    expect(page.locator("#citation")).to_contain_text("1159–1160")
    expect(page.locator("#footnotes")).to_contain_text("G 5812 KCG., June 9, 1953")
    shoot(page, artifacts, "entity-document")
    page.goto(server + "/id/person/syngman-rhee?lang=ja")
    expect(page.locator("h1")).to_have_text("李承晩")
    shoot(page, artifacts, "entity-person-ja", full_page=False)
    page.goto(server + "/id/person/syngman-rhee?lang=en")


def test_timeline_shows_every_event_and_zooms(page: Page, server: str, artifacts: Path) -> None:
    n = int(sparql(server, "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a ka:Event ; ka:date ?d }", True)[0]["n"])
    page.goto(server + "/timeline")
    expect(page.locator("#timeline-chart .vis-item").first).to_be_visible()
    assert page.evaluate("window.kgTimeline.items.length") == n
    assert page.locator("#event-list > li").count() == n
    before = page.evaluate("(() => { const w = window.kgTimeline.timeline.getWindow(); return w.end - w.start; })()")
    page.locator("#zoom-in").click()
    page.wait_for_timeout(600)
    after = page.evaluate("(() => { const w = window.kgTimeline.timeline.getWindow(); return w.end - w.start; })()")
    assert after < before
    shoot(page, artifacts, "timeline", full_page=False)


def test_network_shows_the_expected_nodes(page: Page, server: str, artifacts: Path) -> None:
    parties = sparql(server, """SELECT DISTINCT ?a {
        { ?e a ka:Meeting ; ka:attendee|ka:host ?a ; ka:attendee|ka:host ?b }
        UNION { ?e a ka:Communication ; ka:sender|ka:recipient ?a ; ka:sender|ka:recipient ?b ;
                ka:sender ?s ; ka:recipient ?r FILTER(?s != ?r) }
        FILTER(?a != ?b) }""", True)
    page.goto(server + "/network")
    expect(page.locator("#network-chart canvas")).to_be_visible()
    ids = set(page.evaluate("window.kgNetwork.nodes.getIds()"))
    assert {p["a"] for p in parties} <= ids
    assert page.evaluate("window.kgNetwork.edges.length") == page.locator("#edge-table tbody tr").count()
    page.wait_for_timeout(1500)  # let the layout settle for the screenshot
    shoot(page, artifacts, "network")


def test_positions_ontology_browse_and_validate(page: Page, server: str, artifacts: Path) -> None:
    page.goto(server + "/positions")
    expect(page.locator("#chinese-troop-withdrawal")).to_be_visible()
    shoot(page, artifacts, "positions", full_page=False)
    page.locator('select[name="issue"]').select_option(label="Withdrawal of Chinese troops · 中国軍の撤退")
    page.locator('select[name="holder"]').select_option(label="Syngman Rhee · 李承晩")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("ol.steps li.step").first).to_be_visible()
    expect(page.locator(".badge.rel-supersedes").first).to_be_visible()
    shoot(page, artifacts, "positions-rhee-chinese-withdrawal")
    page.goto(server + "/ontology")
    expect(page.locator("body")).to_contain_text("Korea 1953")
    shoot(page, artifacts, "ontology", full_page=False)
    page.goto(server + "/id/person/")
    expect(page.locator("ul.members li").first).to_be_visible()
    shoot(page, artifacts, "browse")
    page.locator('header nav a[href="/validate"]').click()
    page.locator("textarea").fill("@prefix ka: <https://w3id.org/korea1953/ontology#> .\n"
                                  "<https://w3id.org/korea1953/id/person/nobody> a ka:Person .\n")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("main h2").first).to_be_visible()
    shoot(page, artifacts, "validate")


def test_newcomer_finds_rhees_june_9_demands_and_their_source(page: Page, server: str, artifacts: Path) -> None:
    """Timeline → the 9 June meeting → the position it records → its four items → G 5812 KCG → FRUS online."""
    page.goto(server + "/")
    page.get_by_role("link", name="Timeline", exact=True).first.click()
    june_9 = page.locator("#event-list > li", has_text="1953-06-09")
    june_9.locator(".what a", has_text="Rhee meeting").first.click()
    expect(page.locator("#stated-here")).to_be_visible()
    page.locator("#stated-here a", has_text="four conditions").click()
    expect(page.locator("h1")).to_contain_text("9 June 1953")
    items = page.locator("ol.items > li")
    expect(items).to_have_count(4)
    assert page.locator("ol.items .num").all_inner_texts() == ["1", "2", "3", "4"]
    shoot(page, artifacts, "newcomer-position")
    page.locator("#sources a", has_text="G 5812 KCG").first.click()
    expect(page.locator("h1")).to_have_text("Taylor to Clark, G 5812 KCG, 9 June 1953")
    link = page.locator("#citation a.authority", has_text="history.state.gov")
    assert link.get_attribute("href") == "https://history.state.gov/historicaldocuments/frus1952-54v15p2/d586"
    shoot(page, artifacts, "newcomer-document")

"""Validating new triples in context: the write path's gate (check_delta), `kg validate`, and POST /validate."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from kg.app import create_app
from kg.build import to_nquads
from kg.config import Settings
from kg.contribute import ChangeChecker, GraphContext, check_delta, shapes_and_ontology, to_ox
from kg.namespaces import SH
from kg.sparql.engine import Engine
from kg.store import GraphNames

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
ID = "https://w3id.org/korea1953/id/"
PREFIXES = """@prefix ka: <https://w3id.org/korea1953/ontology#> .
@prefix person: <https://w3id.org/korea1953/id/person/> .
@prefix event: <https://w3id.org/korea1953/id/event/> .
@prefix doc: <https://w3id.org/korea1953/id/document/> .
@prefix fn: <https://w3id.org/korea1953/id/footnote/> .
@prefix pos: <https://w3id.org/korea1953/id/position/> .
@prefix item: <https://w3id.org/korea1953/id/item/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# A new event that refers to an existing person, footnote and chapter (all in context.ttl).
GOOD = PREFIXES + """
event:1953-04-27-new a ka:Meeting ;
    rdfs:label "A new meeting"@en , "新しい会談"@ja ;
    ka:date "1953-04-27"^^xsd:date ; ka:datePrecision ka:DayPrecision ;
    ka:attendee person:rhee ;
    ka:footnote fn:1 ; ka:mentionedIn doc:paper-ch1 ; ka:basis ka:ReportedBySource .
"""
# The same event with a document as attendee, defined on line 14 of the text.
BAD = GOOD.replace("ka:attendee person:rhee", "ka:attendee doc:letter-1")
BAD_LINE = BAD.splitlines().index("event:1953-04-27-new a ka:Meeting ;") + 1

logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@cache
def shapes_ontology() -> tuple[Graph, Graph]:
    return shapes_and_ontology(Settings(root=ROOT))


def context_store() -> ox.Store:
    """An in-memory store as `kg build` lays it out: data in the default graph, shapes and ontology named."""
    shapes, ontology = shapes_ontology()
    names = GraphNames.for_base(Settings().base)
    store = ox.Store()
    store.bulk_load(to_nquads({ox.DefaultGraph(): Graph().parse(FIXTURES / "context.ttl"), names.shapes: shapes,
                               names.ontology: ontology}), format=ox.RdfFormat.N_QUADS)
    return store


def quads(turtle: str) -> list[ox.Quad]:
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in Graph().parse(data=turtle)]


def found(report) -> set[tuple[str, str | None, str]]:
    return {(r.focus.removeprefix(ID), r.path and r.path.rsplit("#", 1)[-1], r.component) for r in report.results}


# --- the write path's gate ---------------------------------------------------------------------

def test_new_event_referring_to_existing_person_conforms() -> None:
    shapes, ontology = shapes_ontology()
    report = check_delta(context_store(), [], quads(GOOD), shapes, ontology)
    assert report.conforms and report.results == []


def test_participant_must_be_an_agent_in_context() -> None:
    shapes, ontology = shapes_ontology()
    report = check_delta(context_store(), [], quads(BAD), shapes, ontology)
    assert not report.conforms
    assert found(report) == {("event/1953-04-27-new", "attendee", "ClassConstraintComponent")}


def test_removing_a_type_rechecks_the_nodes_that_refer_to_it() -> None:
    shapes, ontology = shapes_ontology()
    removed = quads(PREFIXES + "person:rhee a ka:Person .")
    report = check_delta(context_store(), removed, [], shapes, ontology)
    referrers = {f for f, path, _ in found(report) if path in ("attendee", "holder", "author", "agent")}
    assert {"event/meeting-1", "position/context-position", "document/letter-1"} <= referrers


def test_restating_an_existing_type_does_not_widen_the_check() -> None:
    shapes, ontology = shapes_ontology()
    restated = quads(PREFIXES + "person:rhee a ka:Person .")
    store = context_store()
    assert check_delta(store, [], restated, shapes, ontology).results == []
    assert not check_delta(store, restated, [], shapes, ontology).conforms


def test_a_new_item_rechecks_the_numbering_of_its_position() -> None:
    shapes, ontology = shapes_ontology()
    added = quads(PREFIXES + """
        pos:context-position ka:hasItem item:context-position-3 .
        item:context-position-3 a ka:ConditionItem ; rdfs:label "Third"@en , "第三"@ja ; ka:text "第三"@ja ;
            ka:itemNumber 3 ; ka:itemOf pos:context-position .""")
    report = check_delta(context_store(), [], added, shapes, ontology)
    assert found(report) == {("position/context-position", None, "SPARQLConstraintComponent")}
    assert report.results[0].messages["ja"].startswith("この立場の項目番号")


def test_ill_typed_literal_inside_sh_or_is_caught() -> None:
    """pySHACL's focus_nodes option alone lets nested shapes pass; the checker must not."""
    shapes, ontology = shapes_ontology()
    added = quads(GOOD.replace('"1953-04-27"^^xsd:date', '"1953-04-31"^^xsd:date'))
    report = check_delta(context_store(), [], added, shapes, ontology)
    assert ("event/1953-04-27-new", "date", "OrConstraintComponent") in found(report)


def test_named_graph_quads_are_not_validated_as_data() -> None:
    shapes, ontology = shapes_ontology()
    other = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("urn:x-other")) for q in quads(BAD)]
    assert check_delta(context_store(), [], other, shapes, ontology).results == []


def test_shared_shapes_and_private_copies_agree() -> None:
    shapes, ontology = shapes_ontology()
    context = GraphContext(Graph().parse(FIXTURES / "context.ttl"))
    shared, private = ChangeChecker(shapes, ontology), ChangeChecker(shapes, ontology, share_shapes=False)
    for name in ("event-provenance", "dated-datatype", "positionitemsnumbered", "authoritylinkagrees"):
        data = Graph().parse(FIXTURES / f"{name}.fail.ttl")
        assert found(shared.check(context, Graph(), data)) == found(private.check(context, Graph(), data)), name


def test_concurrent_checks_share_the_parsed_shapes_safely() -> None:
    shapes, ontology = shapes_ontology()
    checker = ChangeChecker(shapes, ontology)
    context = GraphContext(Graph().parse(FIXTURES / "context.ttl"))
    bad, good = Graph().parse(data=BAD), Graph().parse(data=GOOD)
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda g: checker.check(context, Graph(), g).conforms, [bad, good] * 6))
    assert outcomes == [False, True] * 6


# --- kg validate ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout whose data is the fixture context and which has no built store (so data files are used)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "data").mkdir()
    shutil.copy(FIXTURES / "context.ttl", root / "data" / "context.ttl")
    return root


def kg_validate(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_HOME": str(project), "KG_VAR": str(project / "var")}
    return subprocess.run([sys.executable, "-m", "kg.cli", "validate", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120, cwd=project)


def test_cli_conforming_file_exits_0(project: Path) -> None:
    (project / "good.ttl").write_text(GOOD, encoding="utf-8")
    out = kg_validate(project, "good.ttl")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("conforms")


def test_cli_report_names_node_property_messages_and_line(project: Path) -> None:
    (project / "bad.ttl").write_text(BAD, encoding="utf-8")
    out = kg_validate(project, "bad.ttl")
    assert out.returncode == 1
    text = out.stdout
    assert "DOES NOT CONFORM: 1 violation(s)" in text
    assert f"{ID}event/1953-04-27-new" in text
    assert f"in file:    bad.ttl:{BAD_LINE}" in text
    assert "property:   https://w3id.org/korea1953/ontology#attendee" in text
    assert "value:      https://w3id.org/korea1953/id/document/letter-1" in text
    assert "message@en: A participant" in text and "message@ja: 参加者" in text


def test_cli_reads_stdin_and_other_syntaxes(project: Path) -> None:
    assert kg_validate(project, "-", stdin=BAD).returncode == 1
    graph = Graph().parse(data=BAD)
    for suffix, fmt in ((".nt", "nt"), (".jsonld", "json-ld"), (".trig", "trig")):
        path = project / f"bad{suffix}"
        path.write_text(graph.serialize(format=fmt), encoding="utf-8")
        out = kg_validate(project, path.name)
        assert out.returncode == 1, (suffix, out.stderr)
        assert f"in file:    {path.name}:" in out.stdout, suffix


def test_cli_json_and_shacl_report_formats(project: Path) -> None:
    (project / "bad.ttl").write_text(BAD, encoding="utf-8")
    data = json.loads(kg_validate(project, "--format", "json", "bad.ttl").stdout)
    assert data["conforms"] is False and data["counts"]["Violation"] == 1
    assert data["results"][0]["definedAt"] == f"bad.ttl:{BAD_LINE}"
    assert data["results"][0]["resultMessage"]["ja"].startswith("参加者")
    for fmt in ("turtle", "json-ld"):
        out = kg_validate(project, "--format", fmt, "bad.ttl")
        assert out.returncode == 1
        report = Graph().parse(data=out.stdout, format=fmt)
        assert (None, SH.conforms, None) in report and len(list(report.subjects(SH.focusNode, None))) == 1


def test_cli_syntax_error_names_file_and_line_without_traceback(project: Path) -> None:
    (project / "broken.ttl").write_text(PREFIXES + '\nevent:x ka:date "1953\n', encoding="utf-8")
    out = kg_validate(project, "broken.ttl")
    assert out.returncode == 2
    assert out.stderr.startswith("error: broken.ttl:11: not valid turtle")
    assert "Traceback" not in out.stderr
    (project / "broken.jsonld").write_text('{"@id": "x",\n "a": }', encoding="utf-8")
    out = kg_validate(project, "broken.jsonld")
    assert out.returncode == 2 and "broken.jsonld:2" in out.stderr
    assert kg_validate(project, "missing.ttl").returncode == 2


# --- POST /validate ------------------------------------------------------------------------------

@pytest.fixture()
def client(tmp_path: Path) -> FlaskClient:
    settings = replace(Settings(), var_dir=tmp_path, max_body_bytes=20_000)
    store = context_store()
    app = create_app(settings, engine=Engine(store, settings.base))
    app.config["TESTING"] = True
    app.extensions["test.store"] = store
    return app.test_client()


def test_http_json_by_default(client: FlaskClient) -> None:
    good = client.post("/validate", data=GOOD, content_type="text/turtle")
    assert good.status_code == 200 and good.json["conforms"] is True
    bad = client.post("/validate", data=BAD, content_type="text/turtle; charset=utf-8")
    assert bad.status_code == 200 and bad.json["conforms"] is False
    result = bad.json["results"][0]
    assert result["resultPath"].endswith("#attendee") and result["definedAt"] == f"body:{BAD_LINE}"
    assert set(result["resultMessage"]) == {"en", "ja"}


def test_http_other_input_syntaxes(client: FlaskClient) -> None:
    graph = Graph().parse(data=BAD)
    syntaxes = (("nt", "application/n-triples"), ("json-ld", "application/ld+json"), ("trig", "application/trig"))
    for fmt, media in syntaxes:
        response = client.post("/validate", data=graph.serialize(format=fmt), content_type=media)
        assert response.status_code == 200 and response.json["conforms"] is False, media


def test_http_shacl_report_by_content_negotiation(client: FlaskClient) -> None:
    for media, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        response = client.post("/validate", data=BAD, content_type="text/turtle", headers={"Accept": media})
        assert response.status_code == 200 and response.mimetype == media
        report = Graph().parse(data=response.get_data(as_text=True), format=fmt)
        assert (None, SH.conforms, None) in report


def test_http_html_for_browsers_and_forms(client: FlaskClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/validate", headers=browser)
    assert page.status_code == 200 and 'name="data"' in page.get_data(as_text=True)
    form = client.post("/validate", data={"data": BAD, "format": "turtle"}, headers=browser)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and form.mimetype == "text/html"
    assert "参加者" in html and "A participant" in html and "Violation" in html
    upload = client.post("/validate", data={"file": (io.BytesIO(BAD.encode()), "bad.ttl")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and upload.json["results"][0]["definedAt"] == f"bad.ttl:{BAD_LINE}"


def test_http_errors(client: FlaskClient) -> None:
    broken = client.post("/validate", data=PREFIXES + '\nevent:x ka:date "1953\n', content_type="text/turtle")
    assert broken.status_code == 400 and broken.json["error"].startswith("body:11: not valid turtle")
    assert client.post("/validate", data="x", content_type="application/pdf").status_code == 415
    assert client.post("/validate", data=" " * 30_000, content_type="text/turtle").status_code == 413


def test_http_never_writes(client: FlaskClient) -> None:
    store: ox.Store = client.application.extensions["test.store"]
    before = sorted(map(str, store))
    client.post("/validate", data=GOOD, content_type="text/turtle")
    client.post("/validate", data={"data": BAD, "format": "turtle"})
    assert sorted(map(str, store)) == before

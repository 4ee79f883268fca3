"""`/reconcile`: the W3C Reconciliation API as OpenRefine uses it, replayed from recorded requests."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from kg.app import create_app
from kg.config import Settings
from kg.links.model import load_files
from kg.reconcile import compact, label_variants, query_variants
from kg.sparql.engine import Engine

REQUESTS = json.loads((Path(__file__).parent / "fixtures" / "reconcile" / "openrefine-requests.json")
                      .read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    """The app over the data files (the label index is built once, at app creation)."""
    settings = Settings()
    return create_app(settings, engine=Engine(load_files(settings), settings.base)).test_client()


def replay(client: FlaskClient, name: str):
    r = REQUESTS[name]
    return client.open(r["path"], method=r["method"], query_string=r.get("args"), data=r.get("form"))


def top(results: dict) -> list[tuple[str, bool]]:
    return [(c["id"], c["match"]) for c in results["result"]]


def test_normalisation() -> None:
    assert compact("Pyun Yung-tai") == compact("PYUN, yung tai") == "pyunyungtai"
    assert compact("Pyŏn Yŏng-t'ae") == "pyonyongtae"
    assert compact("ブリッグズ") == "ブリッグズ"  # voiced kana keep their marks
    assert compact("ＵＮＣ") == "unc"
    assert query_variants("Rhee, Syngman") == ["Rhee, Syngman", "Syngman Rhee"]
    assert label_variants("ダレス（John F. Dulles）") == ["ダレス（John F. Dulles）", "ダレス", "John F. Dulles"]


def test_manifest(client: FlaskClient) -> None:
    response = replay(client, "manifest")
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == {
        "versions": ["0.2"],
        "name": "Korean armistice negotiations 1953 (korea1953)",
        "identifierSpace": "https://w3id.org/korea1953/id/",
        "schemaSpace": "https://w3id.org/korea1953/ontology#",
        "defaultTypes": [{"id": t, "name": t} for t in
                         ("Person", "Organization", "Place", "Treaty", "Document", "Event")],
        "view": {"url": "http://localhost/id/{{id}}"},
        "preview": {"url": "http://localhost/reconcile/preview?id={{id}}", "width": 400, "height": 160},
        "suggest": {"entity": {"service_url": "http://localhost", "service_path": "/reconcile/suggest/entity"}},
    }


def test_manifest_jsonp(client: FlaskClient) -> None:
    response = replay(client, "manifest_jsonp")
    assert response.content_type == "application/javascript; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith("/**/jQuery171_1700000000000(") and body.endswith(");")
    assert json.loads(body[len("/**/jQuery171_1700000000000("):-2])["versions"] == ["0.2"]


def test_jsonp_query_and_bad_callback(client: FlaskClient) -> None:
    body = replay(client, "jsonp_query").get_data(as_text=True)
    assert json.loads(body[len("/**/cb("):-2])["q0"]["result"][0]["id"] == "person/syngman-rhee"
    bad = client.get("/reconcile", query_string={"callback": "alert(1)//"})
    assert bad.status_code == 400


def test_single_query(client: FlaskClient) -> None:
    (result,) = replay(client, "single").get_json()["result"]
    assert result["description"].startswith("ROK Minister of Foreign Affairs")  # the label matched: no variant shown
    assert {k: v for k, v in result.items() if k != "description"} == {
        "id": "person/pyun-yung-tai", "name": "Pyun Yung-tai", "type": [{"id": "Person", "name": "Person"}],
        "score": 100.0, "match": True}


def test_batch_query_name_variants(client: FlaskClient) -> None:
    """Each spelling's top candidate, and it is the sole exact match."""
    results = replay(client, "batch").get_json()
    expected = {
        "Pyun Yung Tai": "person/pyun-yung-tai", "Byeon Yeong-tae": "person/pyun-yung-tai",
        "卞榮泰": "person/pyun-yung-tai", "변영태": "person/pyun-yung-tai", "Pyon": "person/pyun-yung-tai",
        "Pyŏn Yŏng-t'ae": "person/pyun-yung-tai", "李承晩": "person/syngman-rhee",
        "Rhee, Syngman": "person/syngman-rhee", "이승만": "person/syngman-rhee", "Syngman Rhee": "person/syngman-rhee",
        "United Nations Command": "organization/united-nations-command",
        "国連軍司令部": "organization/united-nations-command", "板門店": "place/panmunjom",
        "Panmunjom": "place/panmunjom", "Clark, Mark W.": "person/mark-w-clark", "ダレス": "person/john-foster-dulles",
        "John Foster Dulles": "person/john-foster-dulles", "Nam Il": "person/nam-il",
    }
    queries = json.loads(REQUESTS["batch"]["form"]["queries"])
    assert set(results) == set(queries)
    got = {queries[key]["query"]: results[key]["result"] for key in queries}
    assert {q: r[0]["id"] for q, r in got.items()} == expected
    for q, candidates in got.items():
        assert (candidates[0]["score"], candidates[0]["match"]) == (100.0, True), q
        assert all(not c["match"] and c["score"] < 100 for c in candidates[1:]), q


def test_type_filter(client: FlaskClient) -> None:
    results = replay(client, "type_filter").get_json()
    assert top(results["q0"]) == [("person/mark-w-clark", False)]
    assert all(c["type"][0]["id"] == "Document" for c in results["q1"]["result"])
    assert len(results["q1"]["result"]) == 3
    assert results["q2"] == {"result": []}


def test_properties_decide_between_candidates(client: FlaskClient) -> None:
    results = replay(client, "properties").get_json()
    assert top(results["q0"]) == [("document/fn34-rhee-to-eisenhower-1953-05-30", False),
                                  ("document/fn02-rhee-to-eisenhower-1953-04-09", False)]
    assert top(results["q1"]) == [("document/fn02-rhee-to-eisenhower-1953-04-09", False),
                                  ("document/fn34-rhee-to-eisenhower-1953-05-30", False)]
    assert [(c["id"], c["score"], c["match"]) for c in results["q2"]["result"]] == [
        ("person/syngman-rhee", 100.0, True)]
    assert [(c["id"], c["score"], c["match"]) for c in results["q3"]["result"]] == [
        ("person/syngman-rhee", 70.0, False)]


def test_bad_queries_are_400(client: FlaskClient) -> None:
    assert client.post("/reconcile", data={"queries": "{not json"}).status_code == 400
    unknown = client.post("/reconcile", data={"queries": json.dumps(
        {"q0": {"query": "Rhee", "properties": [{"pid": "P569", "v": "1875"}]}})})
    assert unknown.status_code == 400
    assert unknown.get_data(as_text=True) == (
        "unknown property 'P569'; this service knows birthYear, deathYear, date, endDate\n")
    assert client.post("/reconcile", data={"extend": "{}"}).status_code == 400


def test_suggest_entity(client: FlaskClient) -> None:
    result = replay(client, "suggest").get_json()["result"]
    assert result[0] == {"id": "person/syngman-rhee", "name": "Syngman Rhee", "description": "Person"}
    assert all(c["description"].startswith("Person") for c in result)
    assert client.get("/reconcile/suggest/entity").get_json() == {"result": []}


def test_preview(client: FlaskClient) -> None:
    response = replay(client, "preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="/id/person/pyun-yung-tai" target="_blank"><b>Pyun Yung-tai</b></a>' in html
    assert "卞榮泰 · 변영태" in html
    assert client.get("/reconcile/preview", query_string={"id": "person/nobody"}).status_code == 404


def test_real_server_answers_openrefine(server: str) -> None:
    """The same protocol through gunicorn, whose app built its index at start-up."""
    with urllib.request.urlopen(f"{server}/reconcile", timeout=10) as response:
        assert json.load(response)["view"] == {"url": f"{server}/id/{{{{id}}}}"}
    body = urlencode({"queries": json.dumps({"q0": {"query": "변영태", "type": "Person"}})}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{server}/reconcile", data=body), timeout=10) as response:
        assert top(json.load(response)["q0"]) == [("person/pyun-yung-tai", True)]

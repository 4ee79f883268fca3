"""`kg links suggest`: a reconciliation client, tested against a replaying fixture server on loopback."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner

from kg.config import Settings
from kg.links import links_cli
from kg.links.model import load_files, store_query
from kg.links.suggest import REVIEW_COLUMNS, unlinked

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "reconcile" / "wikidata-reconcile.json")
                     .read_text(encoding="utf-8"))


class Replay(BaseHTTPRequestHandler):
    """Answers POST queries= from the fixture (empty results for names it has no answer for)."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        queries = json.loads(form["queries"][0])
        Replay.received.append(queries)
        answer = {k: {"result": FIXTURE["responses"].get(q["query"], [])} for k, q in queries.items()}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture()
def service() -> Iterator[str]:
    Replay.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/en/api"
    httpd.shutdown()
    httpd.server_close()


def read_review(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_suggest_writes_candidates_for_unlinked_persons(service: str, tmp_path: Path) -> None:
    out = tmp_path / "review.tsv"
    result = CliRunner().invoke(links_cli, ["suggest", "--type", "person", "--limit", "2", "--out", str(out)],
                                env={"KG_WIKIDATA_RECONCILE": service})
    assert result.exit_code == 0, result.output
    persons = unlinked(store_query(load_files(Settings())), ["person"])
    rows = read_review(out)
    assert list(rows[0]) == list(REVIEW_COLUMNS)
    assert [r for r in rows if r["entity"] == "person:syngman-rhee"] == [
        {"entity": "person:syngman-rhee", "label": "Syngman Rhee", "candidate_id": "Q999999901",
         "candidate_name": "Syngman Rhee", "score": "100", "match": "true"},
        {"entity": "person:syngman-rhee", "label": "Syngman Rhee", "candidate_id": "Q999999902",
         "candidate_name": "Syngman Rhee", "score": "100", "match": "false"},
    ]
    assert [r for r in rows if r["entity"] == "person:pyun-yung-tai"] == [
        {"entity": "person:pyun-yung-tai", "label": "Pyun Yung-tai", "candidate_id": "Q999999903",
         "candidate_name": "Pyun Yung-tai", "score": "92.5", "match": "false"}]
    assert len({r["entity"] for r in rows}) == len(persons)
    assert all(r["candidate_id"] == "" for r in rows if r["entity"] not in ("person:syngman-rhee",
                                                                           "person:pyun-yung-tai"))
    sent = [q for batch in Replay.received for q in batch.values()]
    assert sorted(q["query"] for q in sent) == sorted(p.label for p in persons)
    assert all(q["type"] == "Q5" and q["limit"] == 2 for q in sent)
    assert all(len(batch) <= 10 for batch in Replay.received)
    assert result.output == f"{len(rows)} row(s) for {len(persons)} unlinked entities written to {out}; " \
                            "review before linking\n"


def test_entities_with_a_wikidata_link_are_not_asked_about() -> None:
    countries = unlinked(store_query(load_files(Settings())), ["country"])
    assert "https://w3id.org/korea1953/id/place/south-korea" not in {c.iri for c in countries}


def test_suggest_never_writes_into_data(service: str) -> None:
    target = Settings().data_dir / "links" / "proposals.tsv"
    result = CliRunner().invoke(links_cli, ["suggest", "--service", service, "--out", str(target)])
    assert result.exit_code == 2
    assert not target.exists()
    assert Replay.received == []


def test_suggest_needs_a_service_url() -> None:
    result = CliRunner().invoke(links_cli, ["suggest"], env={"KG_WIKIDATA_RECONCILE": None})
    assert result.exit_code == 2
    assert "Missing option '--service'" in result.output


def test_unreachable_service_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(links_cli, ["suggest", "--service", "http://127.0.0.1:9/none", "--out",
                                            str(tmp_path / "r.tsv")])
    assert result.exit_code == 1
    assert result.output.startswith("error: the reconciliation service at http://127.0.0.1:9/none failed: ")

"""`kg links suggest`: ask a reconciliation service (Wikidata's) for candidates for entities without a Wikidata link.

Proposals go to a review file, never into data/: a person checks each candidate and records the
link with its evidence by hand.
"""

from __future__ import annotations

import csv
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from .model import PREAMBLE, Compactor, Query

KINDS = {
    "person": "?e a/rdfs:subClassOf* ka:Person .",
    "organization": "?e a/rdfs:subClassOf* ka:Organization .",
    "place": "?e a ka:Place .",
    "country": "?e a ka:Country .",
    "treaty": "?e a/rdfs:subClassOf* ka:Treaty .",
    "event": "?e a/rdfs:subClassOf* ka:Event .",
}
# Wikidata classes sent as the query type: human, organization, country. Other kinds go untyped.
WIKIDATA_TYPES = {"person": "Q5", "organization": "Q43229", "country": "Q6256"}
REVIEW_COLUMNS = ("entity", "label", "candidate_id", "candidate_name", "score", "match")
BATCH = 10
TIMEOUT = 30.0


@dataclass(frozen=True)
class Unlinked:
    iri: str
    label: str
    kind: str


def unlinked(query: Query, kinds: list[str]) -> list[Unlinked]:
    """Entities of the kinds with no Wikidata link, with their English label (else any label)."""
    found: dict[str, Unlinked] = {}
    for kind in kinds:
        for r in query(PREAMBLE + f"""SELECT ?e ?label WHERE {{ {KINDS[kind]}
                FILTER NOT EXISTS {{ ?link ka:linkSubject ?e ; ka:authority "wikidata" }}
                ?e rdfs:label ?label }} ORDER BY ?e DESC(LANGMATCHES(LANG(?label), "en")) ?label"""):
            found.setdefault(r["e"].value, Unlinked(r["e"].value, r["label"].value, kind))
    return sorted(found.values(), key=lambda u: u.iri)


def ask(service: str, queries: dict[str, dict[str, object]]) -> dict[str, dict[str, list[dict[str, object]]]]:
    """One batch POST of the Reconciliation API (`queries=` form field), as OpenRefine sends it."""
    body = urlencode({"queries": json.dumps(queries, ensure_ascii=False)}).encode()
    request = urllib.request.Request(service, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
        "User-Agent": "korea1953-kg links suggest"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.load(response)


def suggest(query: Query, service: str, kinds: list[str], limit: int) -> list[tuple[str, ...]]:
    """Review rows: one per candidate, and one with empty candidate columns for an entity with none."""
    entities = unlinked(query, kinds)
    name = Compactor()
    rows: list[tuple[str, ...]] = []
    for start in range(0, len(entities), BATCH):
        batch = entities[start:start + BATCH]
        queries: dict[str, dict[str, object]] = {}
        for i, entity in enumerate(batch):
            queries[f"q{i}"] = {"query": entity.label, "limit": limit}
            if entity.kind in WIKIDATA_TYPES:
                queries[f"q{i}"]["type"] = WIKIDATA_TYPES[entity.kind]
        answers = ask(service, queries)
        for i, entity in enumerate(batch):
            results = answers.get(f"q{i}", {}).get("result", [])[:limit]
            rows += [(name(entity.iri), entity.label, str(c.get("id", "")), str(c.get("name", "")),
                      str(c.get("score", "")), str(bool(c.get("match"))).lower()) for c in results]
            if not results:
                rows.append((name(entity.iri), entity.label, "", "", "", ""))
    return rows


def write_review(path: Path, rows: list[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        writer.writerows(rows)

"""Deterministic synthetic history graph in the project's own ontology, for benchmarks.

The filler looks like more papers' worth of this project's data: persons, organizations, places,
documents with FRUS locations, footnotes, events with participants, positions with numbered
items, claims and authority links. The same seed and size always give the same triples.

    python bench/synth.py --triples 100000 --out var/bench/synth-100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

KA = "https://w3id.org/korea1953/ontology#"
ID = "https://w3id.org/korea1953/id/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Each event class with the participant property its shape asks for.
EVENT_CLASSES = (("Meeting", "attendee"), ("Communication", "sender"), ("Decision", "decidedBy"),
                 ("PublicStatement", "actor"), ("ProposalPresentation", "attendee"))
POSITION_CLASSES = ("Demand", "ConditionSet", "Offer", "Refusal", "Proposal", "Assessment")
DOC_CLASSES = ("Telegram", "Letter", "Memorandum", "PolicyPaper")
ISSUES = ("armistice-acceptance", "chinese-troop-withdrawal", "pow-repatriation", "political-conference",
          "mutual-defense-treaty", "rok-force-buildup", "unc-operational-control", "unification")


def iri(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


def ka(term: str) -> str:
    return f"<{KA}{term}>"


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def generate(target: int, seed: int = 1953) -> Iterator[str]:
    """Yield N-Triples lines until at least ``target`` triples have been produced."""
    rng = random.Random(seed)
    count = 0
    n_persons = max(50, target // 400)
    n_orgs = max(10, target // 4000)
    n_places = max(10, target // 4000)

    def t(s: str, p: str, o: str) -> str:
        nonlocal count
        count += 1
        return f"{s} {p} {o} .\n"

    for i in range(n_persons):
        p = iri("person", f"synth-person-{i}")
        yield t(p, RDF_TYPE, ka("Person"))
        yield t(p, LABEL, lit(f"Person {i}", "en"))
        yield t(p, LABEL, lit(f"人物{i}", "ja"))
        yield t(p, ka("memberOf"), iri("organization", f"synth-org-{i % n_orgs}"))
        yield t(p, ka("basis"), ka("ExternalReference"))
        link = iri("link", f"synth-person-{i}-wikidata")
        yield t(link, RDF_TYPE, ka("AuthorityLink"))
        yield t(link, ka("linkSubject"), p)
        yield t(link, ka("authority"), lit("wikidata"))
        yield t(link, ka("externalId"), lit(f"Q{900000 + i}"))
        yield t(link, ka("linkTarget"), f"<http://www.wikidata.org/entity/Q{900000 + i}>")
        yield t(link, ka("matchType"), "<http://www.w3.org/2004/02/skos/core#exactMatch>")
        yield t(link, ka("evidence"), lit(f"synthetic benchmark link {i}"))
    for i in range(n_orgs):
        o = iri("organization", f"synth-org-{i}")
        yield t(o, RDF_TYPE, ka("Organization"))
        yield t(o, LABEL, lit(f"Organization {i}", "en"))
        yield t(o, LABEL, lit(f"組織{i}", "ja"))
    for i in range(n_places):
        pl = iri("place", f"synth-place-{i}")
        yield t(pl, RDF_TYPE, ka("Place"))
        yield t(pl, LABEL, lit(f"Place {i}", "en"))
        yield t(pl, LABEL, lit(f"場所{i}", "ja"))

    unit = 0
    while count < target:
        year = 1950 + unit % 5
        date = typed(f"{year}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}", "date")
        people = [iri("person", f"synth-person-{k}") for k in rng.sample(range(n_persons), 3)]
        issue = iri("issue", ISSUES[rng.randrange(len(ISSUES))])
        fn = iri("footnote", f"synth-{unit}")
        chapter = iri("document", f"paper-ch{1 + unit % 4}")
        doc = iri("document", f"synth-doc-{unit}")
        ev = iri("event", f"synth-event-{unit}")
        pos = iri("position", f"synth-position-{unit}")
        yield t(fn, RDF_TYPE, ka("Footnote"))
        yield t(fn, ka("footnoteNumber"), typed(unit + 1, "integer"))
        yield t(fn, ka("text"), lit(f"Synthetic footnote {unit}", "en"))
        yield t(fn, ka("inChapter"), chapter)
        yield t(doc, RDF_TYPE, ka(DOC_CLASSES[unit % len(DOC_CLASSES)]))
        yield t(doc, LABEL, lit(f"Document {unit}", "en"))
        yield t(doc, LABEL, lit(f"文書{unit}", "ja"))
        yield t(doc, ka("author"), people[0])
        yield t(doc, ka("addressee"), people[1])
        yield t(doc, ka("date"), date)
        yield t(doc, ka("messageNumber"), lit(f"CX {60000 + unit}"))
        first = 1 + rng.randrange(1500)
        yield t(doc, ka("publishedIn"), iri("volume", "frus1952-54v15p1"))
        yield t(doc, ka("firstPage"), typed(first, "integer"))
        yield t(doc, ka("lastPage"), typed(first + rng.randrange(4), "integer"))
        yield t(doc, ka("footnote"), fn)
        event_class, role = EVENT_CLASSES[unit % len(EVENT_CLASSES)]
        yield t(ev, RDF_TYPE, ka(event_class))
        yield t(ev, LABEL, lit(f"Event {unit}", "en"))
        yield t(ev, LABEL, lit(f"出来事{unit}", "ja"))
        yield t(ev, ka("date"), date)
        yield t(ev, ka("datePrecision"), ka("DayPrecision"))
        yield t(ev, ka(role), people[0])
        yield t(ev, ka("recipient" if role == "sender" else role), people[2])
        yield t(ev, ka("mentionedIn"), chapter)
        yield t(ev, ka("place"), iri("place", f"synth-place-{rng.randrange(n_places)}"))
        yield t(ev, ka("issue"), issue)
        yield t(ev, ka("recordedIn"), doc)
        yield t(ev, ka("footnote"), fn)
        yield t(ev, ka("source"), doc)
        yield t(ev, ka("basis"), ka("ReportedBySource"))
        yield t(pos, RDF_TYPE, ka(POSITION_CLASSES[unit % len(POSITION_CLASSES)]))
        yield t(pos, LABEL, lit(f"Position {unit}", "en"))
        yield t(pos, LABEL, lit(f"立場{unit}", "ja"))
        yield t(pos, ka("holder"), people[2])
        yield t(pos, ka("addressee"), people[1])
        yield t(pos, ka("date"), date)
        yield t(pos, ka("issue"), issue)
        yield t(pos, ka("statedIn"), doc)
        yield t(pos, ka("statedAt"), ev)
        yield t(pos, ka("footnote"), fn)
        yield t(pos, ka("basis"), ka("ReportedBySource"))
        yield t(pos, ka("text"), lit(f"立場{unit}の内容", "ja"))
        if unit and unit % 3 == 0:
            yield t(pos, ka("supersedes"), iri("position", f"synth-position-{unit - 3}"))
        for n in (1, 2, 3):
            item = iri("item", f"synth-position-{unit}-{n}")
            yield t(pos, ka("hasItem"), item)
            yield t(item, RDF_TYPE, ka("ConditionItem"))
            yield t(item, ka("itemNumber"), typed(n, "integer"))
            yield t(item, ka("itemOf"), pos)
            yield t(item, LABEL, lit(f"Condition {n} of position {unit}", "en"))
            yield t(item, LABEL, lit(f"立場{unit}の条件{n}", "ja"))
            yield t(item, ka("text"), lit(f"条件{n}", "ja"))
        unit += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1953)
    parser.add_argument("--out", type=Path, help="N-Triples file (default: stdout)")
    args = parser.parse_args(argv)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        out.writelines(generate(args.triples, args.seed))
    finally:
        if args.out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

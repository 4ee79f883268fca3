"""Quick data lint for authors: parse every data file, list undeclared ka: terms, dangling IRIs and gaps.

Usage: python3 tools/lint_data.py [files...]   (default: every data/**/*.ttl)

Problems (counted, exit status 1):
  PARSE ERROR    a file is not valid Turtle
  UNDECLARED     a ka: term the ontology does not declare
  DANGLING       an object IRI in our namespace that no file types (typo, or a resource not written yet)
  FOOTNOTE       a footnote that no event, position or claim rests on (ka:footnote)
  UNLINKED DOC   a document that nothing points at (no event, position, claim, discrepancy or citation)
  UNDATED        an event or position without ka:date
Warnings (listed, not counted):
  INDIRECT DOC   a document linked only by ka:concerns / ka:respondsTo, not as the record of an event or
                 position (ka:recordedIn, ka:conveys, ka:statedIn); fine for documents that are a topic
                 (a newspaper article, a policy paper) rather than a record
  EVOLUTION      ka:supersedes / ka:softens / ka:hardens / ka:restates between positions with no holder in
                 common (the convention: later → earlier, same holder)
  BACKWARDS      an evolution link from an earlier to a later position
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
KA = "https://w3id.org/korea1953/ontology#"
ID = "https://w3id.org/korea1953/id/"


def ka(name: str) -> URIRef:
    return URIRef(KA + name)


RECORD_LINKS = (ka("recordedIn"), ka("conveys"), ka("statedIn"))
EVOLUTION = (ka("supersedes"), ka("softens"), ka("hardens"), ka("restates"))


def subclasses(onto: Graph, top: URIRef) -> set[URIRef]:
    """``top`` and every class below it in the ontology."""
    found, todo = {top}, [top]
    while todo:
        for sub in onto.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def instances(data: Graph, classes: set[URIRef]) -> set[URIRef]:
    return {s for c in classes for s in data.subjects(RDF.type, c) if isinstance(s, URIRef)}


def gaps(data: Graph, onto: Graph) -> tuple[list[str], list[str]]:
    """Coverage checks across files: (problems, warnings)."""
    problems: list[str] = []
    warnings: list[str] = []
    events = instances(data, subclasses(onto, ka("Event")))
    positions = instances(data, subclasses(onto, ka("Position")))
    claims = instances(data, subclasses(onto, ka("Claim")))
    documents = instances(data, subclasses(onto, ka("Document")))
    documents -= instances(data, {ka("ResearchPaper"), ka("Chapter")})

    happenings = events | positions | claims
    for fn in sorted(instances(data, {ka("Footnote")})):
        if not any(s in happenings for s in data.subjects(ka("footnote"), fn)):
            problems.append(f"FOOTNOTE {fn}  (no event, position or claim has ka:footnote to it)")
    for doc in sorted(documents):
        pointers = [(s, p) for s, p in data.subject_predicates(doc) if s != doc]
        if not pointers:
            problems.append(f"UNLINKED DOC {doc}")
        elif not any(p in RECORD_LINKS and s in events | positions for s, p in pointers):
            via = ", ".join(sorted({p.n3(data.namespace_manager) for _, p in pointers}))
            warnings.append(f"INDIRECT DOC {doc}  (only {via})")
    for x in sorted(events | positions):
        if (x, ka("date"), None) not in data:
            problems.append(f"UNDATED {x}")
    for p in EVOLUTION:
        for later, earlier in data.subject_objects(p):
            if set(data.objects(later, ka("holder"))).isdisjoint(data.objects(earlier, ka("holder"))):
                warnings.append(f"EVOLUTION {later} {p.n3(data.namespace_manager)} {earlier}  (no common holder)")
            d1, d2 = data.value(later, ka("date")), data.value(earlier, ka("date"))
            if d1 is not None and d2 is not None and str(d1)[: len(str(d2))] < str(d2)[: len(str(d1))]:
                warnings.append(f"BACKWARDS {later} ({d1}) {p.n3(data.namespace_manager)} {earlier} ({d2})")
    return problems, warnings


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "data").rglob("*.ttl"))
    onto = Graph().parse(ROOT / "ontology" / "ka.ttl")
    declared = {str(s) for s in onto.subjects() if str(s).startswith(KA)}
    data = Graph()
    bad = 0
    for f in files:
        try:
            data.parse(f, format="turtle")
        except Exception as exc:  # report and keep going
            print(f"PARSE ERROR {f}: {exc}")
            bad += 1
    if len(files) < len(sorted((ROOT / "data").rglob("*.ttl"))):
        for f in sorted((ROOT / "data").rglob("*.ttl")):
            if f not in files:
                with contextlib.suppress(Exception):
                    data.parse(f, format="turtle")
    used = {str(t) for trip in data for t in trip if isinstance(t, URIRef) and str(t).startswith(KA)}
    for term in sorted(used - declared):
        print(f"UNDECLARED {term}")
        bad += 1
    typed = {str(s) for s in data.subjects(RDF.type)}
    for s, p, o in data:
        if isinstance(o, URIRef) and str(o).startswith(ID) and str(o) not in typed:
            print(f"DANGLING {o}  (object of {s} {p})")
            bad += 1
    problems, warnings = gaps(data, onto)
    for line in problems:
        print(line)
    for line in warnings:
        print(f"warning: {line}")
    bad += len(problems)
    print(f"{len(data)} triples, {bad} problems, {len(warnings)} warnings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

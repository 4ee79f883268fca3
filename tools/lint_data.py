"""Quick data lint for authors: parse every data file, list undeclared ka: terms and dangling IRIs.

Usage: python3 tools/lint_data.py [files...]   (default: every data/**/*.ttl)
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from rdflib import RDF, Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
KA = "https://w3id.org/korea1953/ontology#"
ID = "https://w3id.org/korea1953/id/"


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
    print(f"{len(data)} triples, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

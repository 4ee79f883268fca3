"""Validating contributed triples in the context of the shipped graph (`kg validate`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import Dataset, Graph

from .build import load_sources
from .config import Settings
from .validate import Report, validate

FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld",
           ".json": "json-ld", ".rdf": "xml", ".owl": "xml"}


def read_rdf(name: str) -> Graph:
    """Parse one input (a path or '-' for stdin); the format comes from the extension (Turtle default)."""
    if name == "-":
        data, fmt = sys.stdin.read(), "turtle"
    else:
        path = Path(name)
        data, fmt = path.read_text(encoding="utf-8"), FORMATS.get(path.suffix.lower(), "turtle")
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=data, format=fmt)
        graph = Graph()
        for s, p, o, _ in ds.quads():
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=data, format=fmt)


def validate_files(settings: Settings, names: tuple[str, ...], fmt: str) -> int:
    """Exit code 0 when the new triples conform in context, 1 when not, 2 on unreadable input."""
    new = Graph()
    for name in names:
        try:
            new += read_rdf(name)
        except Exception as exc:  # parser errors of several types; all mean unreadable input
            print(f"error: cannot read {name}: {exc}", file=sys.stderr)
            return 2
    src = load_sources(settings)
    report = validate(src.data + new, src.shapes, src.ontology)
    focus = {str(s) for s in new.subjects()}
    report.results = [r for r in report.results if r.focus in focus]
    report.conforms = not report.violations()
    if fmt == "turtle":
        print(report.graph.serialize(format="turtle"))
    elif fmt == "json-ld":
        print(report.graph.serialize(format="json-ld"))
    elif fmt == "json":
        print(json.dumps({"conforms": report.conforms, "results": [r.to_json() for r in report.results]},
                         ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return 0 if report.conforms else 1


def check_delta(store, removed, added, shapes: Graph, ontology: Graph) -> Report:
    """Validate a pending change to the store before it is committed (the write path's gate).

    ``store`` is the pyoxigraph store *before* the change; ``removed`` and ``added`` are the
    pyoxigraph Quads the change would delete and insert. Returns the SHACL report for the nodes
    the change touches, seen in the context of the post-change graph.
    """
    raise NotImplementedError("implemented by the validation work (issue 5)")

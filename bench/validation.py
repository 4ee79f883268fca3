"""Latency of validating a 10-triple write (kg.contribute.check_delta) as the store grows.

The write path validates every change before committing it; its cost must depend on the change,
not on the graph. For each size a synthetic graph (bench/synth.py) is bulk-loaded into an
in-memory pyoxigraph store and the same 10-triple write (a new meeting referring to an existing
person, place, footnote and document) is validated repeatedly. Also compares the two ways of coping with
pySHACL mutating its shapes graph: one shared parse behind a lock, or a private copy per call.

    python bench/validation.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

import pyoxigraph as ox
from rdflib import Graph

from kg.config import Settings
from kg.contribute import ChangeChecker, StoreContext, check_delta, from_ox, shapes_and_ontology
from synth import generate

EVENT = "https://w3id.org/korea1953/id/event/bench-new-meeting"
WRITE = f"""
<{EVENT}> a <https://w3id.org/korea1953/ontology#Meeting> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Benchmark meeting"@en , "ベンチマーク会談"@ja ;
    <https://w3id.org/korea1953/ontology#date> "1953-05-02"^^<http://www.w3.org/2001/XMLSchema#date> ;
    <https://w3id.org/korea1953/ontology#datePrecision> <https://w3id.org/korea1953/ontology#DayPrecision> ;
    <https://w3id.org/korea1953/ontology#attendee> <https://w3id.org/korea1953/id/person/synth-person-7> ;
    <https://w3id.org/korea1953/ontology#place> <https://w3id.org/korea1953/id/place/synth-place-3> ;
    <https://w3id.org/korea1953/ontology#footnote> <https://w3id.org/korea1953/id/footnote/synth-5> ;
    <https://w3id.org/korea1953/ontology#basis> <https://w3id.org/korea1953/ontology#ReportedBySource> ;
    <https://w3id.org/korea1953/ontology#source> <https://w3id.org/korea1953/id/document/synth-doc-5> .
"""


def load(triples: int) -> tuple[ox.Store, float]:
    """A store holding ``triples`` synthetic triples, and the seconds it took to generate and load them."""
    t0 = time.perf_counter()
    store = ox.Store()
    store.bulk_load("".join(generate(triples)).encode(), format=ox.RdfFormat.N_TRIPLES)
    return store, time.perf_counter() - t0


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    for _ in range(3):  # warm-up: the shapes' first use builds pySHACL's caches
        call()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated store sizes (triples)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes, ontology = shapes_and_ontology(Settings())
    added = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
             for q in ox.parse(WRITE.encode(), format=ox.RdfFormat.TURTLE)]
    assert len(added) == 10

    rows, medians = [], []
    for size in sizes:
        store, load_s = load(size)
        stored = len(store)
        report = check_delta(store, [], added, shapes, ontology)
        ms = timed(partial(check_delta, store, [], added, shapes, ontology), args.repeats)
        median = statistics.median(ms)
        medians.append(median)
        p95 = sorted(ms)[int(0.95 * (len(ms) - 1))]
        rows.append(f"| {stored:,} | {load_s:.1f} | {median:.1f} | {p95:.1f} | "
                    f"{'yes' if report.conforms else 'no'} ({len(report.results)} result(s)) |")
        if size == sizes[0]:
            context = StoreContext(store)
            added_graph = Graph()
            for q in added:
                added_graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
            modes = {}
            for name, share in (("shared parse + lock", True), ("private copy per call", False)):
                checker = ChangeChecker(shapes, ontology, share_shapes=share)
                call = partial(checker.check, context, Graph(), added_graph)
                modes[name] = statistics.median(timed(call, max(5, args.repeats // 3)))
        del store

    print("## Validating a 10-triple write (check_delta)\n")
    print("| store triples | generate + load (s) | median (ms) | p95 (ms) | conforms |")
    print("|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    print("\n| pySHACL shapes graph | median (ms) |")
    print("|---|---:|")
    for name, value in modes.items():
        print(f"| {name} | {value:.1f} |")
    print(f"\nRATIO largest/smallest store median: {medians[-1] / medians[0]:.2f} "
          f"({sizes[-1]:,} vs {sizes[0]:,} triples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

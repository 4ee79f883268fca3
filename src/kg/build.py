"""`kg build`: parse, validate, reason, load the store, and write the release dumps.

Every step is done once here so that the server never reasons or validates the shipped data per
request.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.term import Node

from . import docs, reason, store
from .config import Settings
from .namespaces import DEFAULT_BASE
from .validate import Report, validate
from .void import describe_dataset

Progress = Callable[[str], None]


class BuildError(Exception):
    """The build cannot go on; the message names the file, line or node and what to fix."""


@dataclass
class Sources:
    """The parsed inputs, and which file each subject came from (for error messages)."""

    ontology: Graph
    data: Graph
    shapes: Graph
    subject_files: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildResult:
    store_path: Path
    counts: dict[str, int]
    seconds: dict[str, float]
    report: Report


def _rebase(graph: Graph, base: str) -> Graph:
    """Rewrite data IRIs from the canonical namespace to a configured one (KG_BASE)."""
    if base == DEFAULT_BASE:
        return graph
    prefix = DEFAULT_BASE + "id/"

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and str(term).startswith(prefix):
            return URIRef(base + "id/" + str(term)[len(prefix):])
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    return out


def _data_files(directory: Path) -> list[Path]:
    """Turtle files, plus N-Triples (bulk data such as benchmark graphs), in sorted order."""
    return sorted([*directory.rglob("*.ttl"), *directory.rglob("*.nt")])


def parse_files(paths: Iterable[Path], root: Path, subject_files: dict[str, str] | None = None) -> Graph:
    """Parse Turtle/N-Triples files into one graph; a syntax error names the file and the parser's line."""
    graph = Graph()
    for path in paths:
        part = Graph()
        fmt = "nt" if path.suffix == ".nt" else "turtle"
        try:
            part.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises several exception types for bad syntax
            raise BuildError(f"{path.relative_to(root)}: cannot parse {fmt}: {exc}") from exc
        if subject_files is not None:  # a node's file is where it is typed, else where it first appears
            name = str(path.relative_to(root))
            for s in set(part.subjects(RDF.type)):
                subject_files[str(s)] = name
            for s in set(part.subjects()):
                subject_files.setdefault(str(s), name)
        graph += part
    return graph


def load_sources(settings: Settings) -> Sources:
    """Read ontology/, data/ and shapes/ (every *.ttl, in sorted order)."""
    root = settings.root
    subject_files: dict[str, str] = {}
    ontology = parse_files(sorted(settings.ontology_dir.glob("*.ttl")), root)
    data = parse_files(_data_files(settings.data_dir), root, subject_files)
    shapes = parse_files(sorted(settings.shapes_dir.rglob("*.ttl")), root)
    return Sources(_rebase(ontology, settings.base), _rebase(data, settings.base), shapes, subject_files)


def to_nquads(graphs: dict[ox.NamedNode | ox.DefaultGraph, Graph]) -> bytes:
    """Serialize rdflib graphs into one N-Quads document for pyoxigraph's bulk loader."""
    out = bytearray()
    for name, graph in graphs.items():
        suffix = b" ." if isinstance(name, ox.DefaultGraph) else f" <{name.value}> .".encode()
        for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
            if line.strip():
                out += line.rstrip()[:-1].rstrip() + suffix + b"\n"
    return bytes(out)


def write_dumps(st: ox.Store, dist: Path, void_ttl: str, ontology: Graph) -> None:
    """Release files: the whole dataset (TriG, N-Quads), the asserted data (Turtle), VoID, ontology docs."""
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "ontology.html").write_text(docs.ontology_html(ontology), encoding="utf-8")
    (dist / "ontology.ttl").write_text(ontology.serialize(format="turtle"), encoding="utf-8")
    st.dump(str(dist / "korea1953.trig"), ox.RdfFormat.TRIG)
    st.dump(str(dist / "korea1953.nq"), ox.RdfFormat.N_QUADS)
    st.dump(str(dist / "korea1953.ttl"), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    (dist / "void.ttl").write_text(void_ttl, encoding="utf-8")


@contextlib.contextmanager
def parsed_queries_cached() -> Iterator[None]:
    """Parse each SPARQL text once while validating.

    pySHACL hands rdflib the text of a SPARQL constraint once per focus node, and rdflib parses it
    each time (~40 ms with pyparsing): at 20k data triples that was a third of the validation.
    A translated query is reusable with other bindings (what rdflib's prepareQuery is for).
    """
    original = sparql_processor.SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple], sparql_processor.Query] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803 (rdflib's names)
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = sparql_processor.translateQuery(sparql_processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    sparql_processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        sparql_processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def build(settings: Settings, progress: Progress = print, reasoner: str = "rules") -> BuildResult:
    """Run the whole pipeline; raise BuildError (naming file/node) if the data is broken.

    ``reasoner`` is ``rules`` (SPARQL rules on pyoxigraph, the default) or ``owlrl`` (the reference).
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("[1/5] parsing ontology/, data/, shapes/ …")
    src = load_sources(settings)
    seconds["parse"] = time.perf_counter() - t0
    progress(f"      {len(src.ontology)} ontology, {len(src.data)} data, {len(src.shapes)} shape triples")

    t = time.perf_counter()
    progress("[2/5] validating the data against the shapes …")
    with parsed_queries_cached():
        report = validate(src.data, src.shapes, src.ontology, workers=os.cpu_count() or 1)
    seconds["validate"] = time.perf_counter() - t
    if not report.conforms:
        raise BuildError("the data does not conform to the shapes:\n" + report.text(src.subject_files))
    progress(f"      conforms ({len(report.results)} warning/info result(s))")

    t = time.perf_counter()
    progress(f"[3/5] computing the OWL-RL closure ({reasoner}) …")
    inferred = reason.infer(src.ontology + src.data, reasoner)
    seconds["reason"] = time.perf_counter() - t
    progress(f"      {len(inferred)} inferred triples")

    t = time.perf_counter()
    progress("[4/5] loading the store …")
    names = store.GraphNames.for_base(settings.base)
    build_dir = store.new_build_dir(settings.var_dir)
    st = ox.Store(str(build_dir))
    store.load_nquads(st, to_nquads({
        ox.DefaultGraph(): src.data, names.ontology: src.ontology, names.inferred: inferred,
        names.shapes: src.shapes,
    }))
    seconds["load"] = time.perf_counter() - t
    if settings.remote_update or settings.remote_store:
        t = time.perf_counter()
        progress(f"      loading the remote store {settings.remote_store or settings.remote_update} …")
        from .sparql.remote import upload

        upload(st, [ox.DefaultGraph(), names.ontology, names.inferred, names.shapes], settings.base,
               settings.remote_update, settings.remote_store)
        seconds["remote"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("[5/5] writing dumps, the VoID description and the ontology docs (pyLODE) …")
    void_ttl = describe_dataset(st, settings)
    write_dumps(st, settings.dist_dir, void_ttl, src.ontology)
    del st  # close before publishing
    store.publish(build_dir, settings.store_path)
    seconds["dumps"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    counts = {"ontology": len(src.ontology), "data": len(src.data), "inferred": len(inferred),
              "shapes": len(src.shapes)}
    steps = ", ".join(f"{k} {v:.1f}" for k, v in seconds.items() if k != "total")
    progress(f"built {settings.store_path} in {seconds['total']:.1f} s ({steps})")
    return BuildResult(settings.store_path, counts, seconds, report)


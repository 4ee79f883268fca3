"""Validating contributed triples in the context of the existing graph (`kg validate`, POST /validate, writes).

Validation must not cost more as the graph grows, so a change is never validated against the
whole graph. Instead a small graph is built around the nodes the change touches: their
post-change description, the incoming triples the shapes follow backwards (sh:inversePath) with
the description of those neighbours, the rdf:type of every node referenced, and the ontology's
class hierarchy; pySHACL then validates only the touched nodes in it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from .build import BuildError, load_sources, parse_files
from .config import Settings
from .terms import from_ox, to_ox
from .validate import Report, Validator

Triple = tuple[Node, Node, Node]
Pattern = tuple[Node | None, Node | None, Node | None]

FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld",
           ".json": "json-ld"}
MEDIA_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/trig": "trig",
               "application/n-triples": "nt", "text/plain": "nt", "application/n-quads": "nquads",
               "application/ld+json": "json-ld", "application/json": "json-ld"}


class UnreadableInput(ValueError):
    """Input that is not RDF in the announced format; the message names the source and line."""


# --------------------------------------------------------------------------------------------
# Reading contributed RDF
# --------------------------------------------------------------------------------------------

def _line_of(exc: Exception) -> int | None:
    """The line a parser complains about, from whichever attribute or message text carries it."""
    for attr in ("lineno", "line"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    match = re.search(r"\bline[ :]*(\d+)", str(exc), re.IGNORECASE)
    return int(match.group(1)) if match else None


# The most triples one contribution (a write, or a document sent to /validate) may hold. SHACL
# validation costs time and memory in proportion (100,000 blank-node triples: 5.6 s, 375 MB), and a
# body limit alone does not bound it: `[], [], …` is 3 bytes per triple.
MAX_TRIPLES = 100_000

_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
               "nquads": ox.RdfFormat.N_QUADS, "json-ld": ox.RdfFormat.JSON_LD}


class TooLarge(UnreadableInput):
    """More triples than one contribution may hold (HTTP 413)."""


def _refuse_remote_contexts(value: object, source: str) -> None:
    """JSON-LD may name contexts by URL, which rdflib would fetch: a request the server must never make."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and (isinstance(item, str) or (isinstance(item, list) and any(
                    isinstance(c, str) for c in item))):
                raise UnreadableInput(f"{source}: JSON-LD names a remote @context; this server fetches nothing — "
                                      "put the context inline (an object)")
            if key == "@import":
                raise UnreadableInput(f"{source}: JSON-LD @import is not supported; put the context inline")
            _refuse_remote_contexts(item, source)
    elif isinstance(value, list):
        for item in value:
            _refuse_remote_contexts(item, source)


def _check_size(text: str, fmt: str, source: str) -> None:
    """Count the statements with pyoxigraph's streaming parser (fast) and stop at the cap, before rdflib."""
    quads = ox.parse(text.encode("utf-8"), _OX_FORMATS[fmt])
    for _ in range(MAX_TRIPLES + 1):
        try:
            next(quads)
        except StopIteration:
            return
        except (SyntaxError, ValueError, OSError):
            return  # not valid for pyoxigraph either: let rdflib report the error with its line
    raise TooLarge(f"{source}: more than {MAX_TRIPLES:,} triples in one contribution; split it")


def parse_rdf(text: str, fmt: str, source: str) -> Graph:
    """Parse one document into a graph (quads are flattened into triples); raise UnreadableInput.

    Nothing is fetched (remote JSON-LD contexts are refused) and size is bounded (MAX_TRIPLES).
    """
    if fmt == "json-ld":
        try:
            _refuse_remote_contexts(json.loads(text), source)
        except json.JSONDecodeError as exc:
            raise UnreadableInput(f"{source}:{exc.lineno}: not valid json-ld: {exc.msg} (column {exc.colno})") from exc
        except RecursionError as exc:
            raise UnreadableInput(f"{source}: not valid json-ld: nested too deeply") from exc
    _check_size(text, fmt, source)
    try:
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(data=text, format=fmt)
            graph = Graph()
            for prefix, ns in ds.namespaces():
                graph.bind(prefix, ns)
            for s, p, o, _ in ds.quads():
                graph.add((s, p, o))
            return graph
        return Graph().parse(data=text, format=fmt)
    except Exception as exc:  # rdflib raises many exception types for bad syntax; all mean unreadable
        line = _line_of(exc)
        where = f"{source}:{line}" if line else source
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise UnreadableInput(f"{where}: not valid {fmt}: {detail}") from exc


def _subject_patterns(node: Node, graph: Graph) -> list[str]:
    """Ways the node may be written in a source file: <IRI>, prefixed names, quoted IRI (JSON-LD)."""
    if isinstance(node, BNode):
        return [f"_:{node}"]
    iri = str(node)
    out = [f"<{iri}>", f'"{iri}"']
    for prefix, ns in graph.namespaces():
        if prefix and iri.startswith(str(ns)) and len(iri) > len(str(ns)):
            local = iri[len(str(ns)):]
            out += [f"{prefix}:{local}", f'"{prefix}:{local}"']
    return out


def locate(text: str, graph: Graph, nodes: Iterable[Node]) -> dict[Node, int]:
    """The line on which each node is described: a line starting with it, else its first mention."""
    lines = text.splitlines()
    found: dict[Node, int] = {}
    for node in nodes:
        regexes = [re.compile(r"(?<![\w:/#-])" + re.escape(p) + r"(?![\w/#:-])")
                   for p in _subject_patterns(node, graph)]
        starts = [i for i, line in enumerate(lines, 1) if any(r.match(line.lstrip()) for r in regexes)]
        anywhere = starts or [i for i, line in enumerate(lines, 1) if any(r.search(line) for r in regexes)]
        if anywhere:
            found[node] = anywhere[0]
    return found


@dataclass
class Contribution:
    """Contributed triples, and where each subject is defined (for reports)."""

    graph: Graph = field(default_factory=Graph)
    where: dict[str, str] = field(default_factory=dict)

    def add(self, text: str, fmt: str, source: str) -> None:
        part = parse_rdf(text, fmt, source)
        subjects = set(part.subjects())
        for node, line in locate(text, part, subjects).items():
            self.where.setdefault(str(node), f"{source}:{line}")
        for node in subjects:
            self.where.setdefault(str(node), source)
        self.graph += part


# --------------------------------------------------------------------------------------------
# The existing graph, and the graph as it would be after a change
# --------------------------------------------------------------------------------------------

class Context(Protocol):
    """Read access to the existing data (asserted triples only)."""

    def triples(self, pattern: Pattern) -> Iterator[Triple]: ...


class StoreContext:
    """The default graph (asserted data) of a pyoxigraph store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def triples(self, pattern: Pattern) -> Iterator[Triple]:
        s, p, o = (None if t is None else to_ox(t) for t in pattern)
        for q in self.store.quads_for_pattern(s, p, o, ox.DefaultGraph()):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)


class GraphContext:
    """An rdflib graph (the data files, when no store has been built)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def triples(self, pattern: Pattern) -> Iterator[Triple]:
        yield from self.graph.triples(pattern)


class ChangedView:
    """The context with ``removed`` taken out and ``added`` put in, without copying anything."""

    def __init__(self, context: Context, removed: Graph, added: Graph) -> None:
        self.context, self.removed, self.added = context, removed, added

    def triples(self, pattern: Pattern) -> Iterator[Triple]:
        for t in self.context.triples(pattern):
            if t not in self.removed and t not in self.added:
                yield t
        yield from self.added.triples(pattern)


def _nodes(terms: Iterable[Node]) -> set[Node]:
    return {t for t in terms if isinstance(t, URIRef | BNode)}


def touched_nodes(before: Context, after: Context, removed: Graph, added: Graph,
                  inverse: frozenset[URIRef]) -> set[Node]:
    """The focus nodes whose validation results a change can alter.

    The subjects of changed triples; the nodes that see a changed node through an sh:inversePath
    predicate (a position sees its items through ka:itemOf); and, when a node really gains or
    loses a type (not when a file restates a type it already has), every node that refers to it
    (their sh:class checks depend on that type).
    """
    changed = list(removed) + list(added)
    subjects = _nodes(s for s, _, _ in changed)
    focus = set(subjects)
    focus |= _nodes(o for _, p, o in changed if p in inverse)

    def exists(t: Triple) -> bool:
        return next(iter(before.triples(t)), None) is not None

    retyped = (_nodes(s for s, p, o in added if p == RDF.type and not exists((s, p, o)))
               | _nodes(s for s, p, o in removed if p == RDF.type and exists((s, p, o))))
    for view in (before, after):
        for s in subjects:
            for p in inverse:
                focus |= _nodes(o for _, _, o in view.triples((s, p, None)))
        for node in retyped:
            focus |= _nodes(s for s, _, _ in view.triples((None, None, node)))
    return focus


def neighbourhood(view: Context, focus: set[Node], inverse: frozenset[URIRef], hierarchy: Graph) -> Graph:
    """What the shapes need to validate ``focus``: descriptions, backward neighbours, types, class hierarchy."""
    graph = Graph()
    graph += hierarchy
    described: set[Node] = set()

    def describe(node: Node) -> None:
        if node not in described:
            described.add(node)
            for t in view.triples((node, None, None)):
                graph.add(t)

    for node in focus:
        describe(node)
        for p in inverse:
            for s, _, _ in view.triples((None, p, node)):
                describe(s)
    schema = {RDF.type, RDFS.subClassOf}
    referenced = _nodes(o for _, p, o in graph if p not in schema) - described
    for node in referenced:
        for t in view.triples((node, RDF.type, None)):
            graph.add(t)
    return graph


class ChangeChecker:
    """Validates changes against one set of shapes; built once, reused for every change."""

    def __init__(self, shapes: Graph, ontology: Graph, *, share_shapes: bool = True) -> None:
        self.shapes = shapes
        self.ontology = ontology
        self.validator = Validator(shapes, ontology, share_shapes=share_shapes)

    def check(self, context: Context, removed: Graph, added: Graph) -> Report:
        """Validate the nodes the change touches, as they would be after it, in the context."""
        after = ChangedView(context, removed, added)
        focus = touched_nodes(context, after, removed, added, self.validator.inverse)
        small = neighbourhood(after, focus, self.validator.inverse, self.validator.hierarchy)
        return self.validator.run(small, focus)


_cached: ChangeChecker | None = None
_cache_lock = threading.Lock()


def checker_for(shapes: Graph, ontology: Graph) -> ChangeChecker:
    """The checker for these (unchanging) shapes and ontology graphs; rebuilt when other graphs are passed."""
    global _cached
    with _cache_lock:
        if _cached is None or _cached.shapes is not shapes or _cached.ontology is not ontology:
            _cached = ChangeChecker(shapes, ontology)
        return _cached


def _triples(quads: Iterable[ox.Quad]) -> Graph:
    """The default-graph quads of a change as triples (named graphs hold the ontology and shapes, not data)."""
    graph = Graph()
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return graph


def check_delta(store: ox.Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad], shapes: Graph,
                ontology: Graph) -> Report:
    """Validate a pending change to the store before it is committed (the write path's gate).

    ``store`` is the pyoxigraph store *before* the change; ``removed`` and ``added`` are the
    pyoxigraph Quads the change would delete and insert. Returns the SHACL report for the nodes
    the change touches, seen in the context of the post-change graph; the cost depends on the
    size of the change and of its neighbourhood, not on the size of the store.
    """
    return checker_for(shapes, ontology).check(StoreContext(store), _triples(removed), _triples(added))


# --------------------------------------------------------------------------------------------
# `kg validate FILE…`
# --------------------------------------------------------------------------------------------

def read_input(name: str) -> tuple[str, str]:
    """The text and RDF format of one input: a path (format from its extension) or '-' (Turtle on stdin)."""
    if name == "-":
        return sys.stdin.read(), "turtle"
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8"), FORMATS.get(path.suffix.lower(), "turtle")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInput(f"{name}: cannot read: {exc}") from exc


def _store_is_current(settings: Settings) -> bool:
    """A built store reflects the checkout if it is newer than every data file (writes land in the store)."""
    if not settings.store_path.exists():
        return False
    files = list(settings.data_dir.rglob("*.ttl"))
    newest = max((f.stat().st_mtime for f in files), default=0.0)
    return settings.store_path.resolve().stat().st_mtime >= newest


def existing_context(settings: Settings) -> tuple[Context, ChangeChecker]:
    """The existing data and a checker for the checkout's shapes.

    The data is the built store when it is current (it also holds writes made over HTTP), else
    the data files, so that a contributor editing data/ is never checked against a stale build.
    """
    shapes, ontology = shapes_and_ontology(settings)
    if _store_is_current(settings):
        return StoreContext(ox.Store.read_only(str(settings.store_path.resolve()))), ChangeChecker(shapes, ontology)
    return GraphContext(load_sources(settings).data), ChangeChecker(shapes, ontology)


def render(report: Report, fmt: str, where: dict[str, str]) -> str:
    """The report as text for people, JSON for programs, or the standard SHACL report graph."""
    if fmt == "turtle":
        return report.graph.serialize(format="turtle")
    if fmt == "json-ld":
        return report.graph.serialize(format="json-ld")
    if fmt == "json":
        data = report.to_json()
        for r in data["results"]:  # type: ignore[union-attr]
            r["definedAt"] = where.get(r["focusNode"])
        return json.dumps(data, ensure_ascii=False, indent=2)
    return report.text(where)


def validate_files(settings: Settings, names: tuple[str, ...], fmt: str) -> int:
    """Exit code 0 when the new triples conform in context, 1 when not, 2 on unreadable input."""
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # ill-typed literals are reported by the shapes
    contribution = Contribution()
    try:
        for name in names:
            text, rdf_format = read_input(name)
            contribution.add(text, rdf_format, "<stdin>" if name == "-" else name)
        context, checker = existing_context(settings)
    except (UnreadableInput, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = checker.check(context, Graph(), contribution.graph)
    print(render(report, fmt, contribution.where))
    return 0 if report.conforms else 1


def shapes_and_ontology(settings: Settings) -> tuple[Graph, Graph]:
    """The shapes and ontology from the checkout (for tests and tools that have no store)."""
    root = settings.root
    return (parse_files(sorted(settings.shapes_dir.rglob("*.ttl")), root),
            parse_files(sorted(settings.ontology_dir.glob("*.ttl")), root))

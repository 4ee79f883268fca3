"""SHACL validation with pySHACL, and reports a contributor can act on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing import get_context

from pyshacl import Validator as ShaclRun
from pyshacl import validate as shacl_validate
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .namespaces import SH

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, flattened for people and JSON."""

    focus: str
    path: str | None
    component: str
    severity: str
    messages: dict[str, str]
    value: str | None
    shape: str | None
    constraint: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "focusNode": self.focus, "resultPath": self.path, "sourceConstraintComponent": self.component,
            "resultSeverity": self.severity, "resultMessage": self.messages, "value": self.value,
            "sourceShape": self.shape, "sourceConstraint": self.constraint,
        }

    @property
    def rule(self) -> str | None:
        """The named rule behind the result: the SPARQL constraint if any, else the shape."""
        return self.constraint or self.shape


@dataclass
class Report:
    """The outcome of a validation: conforms or not, the results, and the raw SHACL report graph."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def counts(self) -> dict[str, int]:
        out = {"Violation": 0, "Warning": 0, "Info": 0}
        for r in self.results:
            out[r.severity] = out.get(r.severity, 0) + 1
        return out

    def sorted_results(self) -> list[Result]:
        return sorted(self.results, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.focus, r.path or ""))

    def to_json(self) -> dict[str, object]:
        return {"conforms": self.conforms, "counts": self.counts(),
                "results": [r.to_json() for r in self.sorted_results()]}

    def text(self, where: dict[str, str] | None = None) -> str:
        """A plain-text report: node, property, rule, message, and the file (and line) defining the node."""
        if self.conforms and not self.results:
            return "conforms: no SHACL results"
        c = self.counts()
        lines = [f"{'conforms' if self.conforms else 'DOES NOT CONFORM'}: {c['Violation']} violation(s), "
                 f"{c['Warning']} warning(s), {c['Info']} info"]
        for r in self.sorted_results():
            lines.append(f"- {r.severity}: {r.focus}")
            if where and r.focus in where:
                lines.append(f"    in file:    {where[r.focus]}")
            if r.path:
                lines.append(f"    property:   {r.path}")
            lines.append(f"    rule:       {r.component}" + (f" (shape {r.rule})" if r.rule else ""))
            if r.value is not None and r.value != r.focus:  # node-level results repeat the focus as value
                lines.append(f"    value:      {r.value}")
            for lang, msg in sorted(r.messages.items()):
                lines.append(f"    message{f'@{lang}' if lang else ''}: {msg}")
        return "\n".join(lines)


def _name(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    return node.n3()


def _short(iri: Node | None) -> str:
    return str(iri).rsplit("#", 1)[-1] if iri is not None else ""


def _path(report_graph: Graph, path: Node | None, focus: Node | None, value: Node | None,
          data: Graph | None) -> str | None:
    """A result path as text: the IRI, ^IRI for an inverse path, and for an alternative path the
    predicate that actually carries the offending value (when the data shows it), else a|b|c."""
    if path is None or isinstance(path, URIRef):
        return _name(path)
    inverse = report_graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    alternatives = report_graph.value(path, SH.alternativePath)
    if alternatives is not None:
        options = list(Collection(report_graph, alternatives))
        if data is not None and value is not None:
            for p in options:
                if isinstance(p, URIRef) and (focus, p, value) in data:
                    return str(p)
        return "|".join(_path(report_graph, p, focus, value, None) or "" for p in options)
    return path.n3()


def parse_report(report_graph: Graph, shapes: Graph | None = None, data: Graph | None = None) -> list[Result]:
    """Turn a SHACL ValidationReport graph into Result records.

    pySHACL drops the language tags of SPARQL constraints' messages; with ``shapes`` given, untagged
    messages are replaced (in the records and in the report graph) by the rule's tagged ``sh:message``s.
    ``data`` (the validated graph) lets an alternative path be reported as the predicate actually used.
    """
    results = []
    for res in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        constraint = report_graph.value(res, SH.sourceConstraint)
        shape = report_graph.value(res, SH.sourceShape)
        found = list(report_graph.objects(res, SH.resultMessage))
        if shapes is not None and any(getattr(m, "language", None) is None for m in found):
            tagged = [m for m in shapes.objects(constraint or shape, SH.message) if getattr(m, "language", None)]
            if tagged:
                report_graph.remove((res, SH.resultMessage, None))
                for m in tagged:
                    report_graph.add((res, SH.resultMessage, m))
                found = tagged
        messages = {getattr(m, "language", None) or "": str(m) for m in found}
        focus, value = report_graph.value(res, SH.focusNode), report_graph.value(res, SH.value)
        results.append(Result(
            focus=_name(focus) or "",
            path=_path(report_graph, report_graph.value(res, SH.resultPath), focus, value, data),
            component=_short(report_graph.value(res, SH.sourceConstraintComponent)),
            severity=_short(report_graph.value(res, SH.resultSeverity)) or "Violation",
            messages=messages,
            value=_name(value),
            shape=_name(shape),
            constraint=_name(constraint) if isinstance(constraint, URIRef) else None,
        ))
    return results


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, workers: int = 1) -> Report:
    """Validate the whole of ``data`` against ``shapes``; the ontology is mixed in for the class hierarchy.

    Only Violations make the data non-conforming; Warnings and Infos are reported alongside. With
    ``workers`` > 1 the shapes are split into independent parts validated in forked processes
    (the build's biggest step, and pySHACL is single-threaded); the merged report is the same.
    """
    parts = split_shapes(shapes, workers * 2) if workers > 1 else [shapes]
    if len(parts) == 1:
        report_graph = _validate_whole(data, shapes, ontology)
    else:
        global _FORK_INPUTS
        _FORK_INPUTS = (data, ontology, parts)  # inherited by the forked workers, never pickled
        try:
            with get_context("fork").Pool(workers) as pool:
                serialized = pool.map(_validate_part, range(len(parts)))
        finally:
            _FORK_INPUTS = None
        report_graph = merge_reports([Graph().parse(data=nt, format="nt") for nt in serialized])
    results = parse_report(report_graph, shapes)
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results, graph=report_graph)


_FORK_INPUTS: tuple[Graph, Graph | None, list[Graph]] | None = None


def _validate_whole(data: Graph, shapes: Graph, ontology: Graph | None) -> Graph:
    _, report_graph, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=False,
        allow_warnings=True, abort_on_first=False,
    )
    return report_graph


def _validate_part(index: int) -> str:
    assert _FORK_INPUTS is not None
    data, ontology, parts = _FORK_INPUTS
    return _validate_whole(data, parts[index], ontology).serialize(format="nt")


def split_shapes(shapes: Graph, n: int) -> list[Graph]:
    """Partition the targeted shapes into ``n`` self-contained shapes graphs.

    Each part holds some top-level (targeted) shapes and everything they reach: property shapes,
    sh:or/sh:and lists, shapes named by sh:node, SPARQL prefix declarations.
    """
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    top = sorted({s for p in targets for s in shapes.subjects(p, None)})
    described = set(shapes.subjects())
    parts = []
    for roots in (top[i::n] for i in range(min(n, len(top)))):
        part = Graph()
        for prefix, ns in shapes.namespaces():
            part.bind(prefix, ns)
        todo, seen = list(roots), set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in shapes.triples((node, None, None)):
                part.add(triple)
                if triple[2] in described:
                    todo.append(triple[2])
        parts.append(part)
    return parts or [shapes]


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    """Copy a node's triples, following blank nodes (a result's path, a SPARQL value)."""
    for _, p, o in source.triples((node, None, None)):
        target.add((node, p, o))
        if isinstance(o, BNode):
            _copy_description(source, o, target)


def merge_reports(graphs: list[Graph]) -> Graph:
    """One SHACL report holding the results of several pySHACL runs, with sh:conforms recomputed."""
    out = Graph()
    for graph in graphs[:1]:
        for prefix, ns in graph.namespaces():
            out.bind(prefix, ns)
    report = BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    conforms = True
    for graph in graphs:
        for res in graph.subjects(RDF.type, SH.ValidationResult):
            out.add((report, SH.result, res))
            _copy_description(graph, res, out)
            conforms = conforms and graph.value(res, SH.resultSeverity) != SH.Violation
    out.add((report, SH.conforms, Literal(conforms)))
    return out


def node_shape_targets(shapes: Graph) -> dict[URIRef, tuple[set[Node], set[Node], set[Node], set[Node]]]:
    """Each targeted node shape's targets: classes, subjects-of and objects-of predicates, nodes."""
    out: dict[URIRef, tuple[set[Node], set[Node], set[Node], set[Node]]] = {}
    kinds = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    for kind in kinds:
        for shape in shapes.subjects(kind, None):
            if isinstance(shape, URIRef) and shape not in out:
                out[shape] = tuple(set(shapes.objects(shape, k)) for k in kinds)  # type: ignore[assignment]
    return out


def class_hierarchy(ontology: Graph) -> Graph:
    """The ontology's rdfs:subClassOf triples: all a small data graph needs for sh:class and targets."""
    out = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        out.add(triple)
    return out


def inverse_predicates(shapes: Graph) -> frozenset[URIRef]:
    """Predicates the shapes follow backwards (sh:inversePath): their incoming triples are part of a node's view."""
    return frozenset(p for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef))


class Validator:
    """Parsed shapes and ontology, reused across calls (the write path validates every change).

    pySHACL caches the parsed shapes inside its ShapesGraph and also mutates that graph while it
    works, so one ShapesGraph is shared under a lock: re-parsing a private copy per call costs more
    than the lock (see bench/validation.py, which measures both).
    """

    def __init__(self, shapes: Graph, ontology: Graph, *, share_shapes: bool = True) -> None:
        self.shapes = shapes
        self.ontology = ontology
        self.hierarchy = class_hierarchy(ontology)
        self.inverse = inverse_predicates(shapes)
        self._targets = node_shape_targets(shapes)
        self.share_shapes = share_shapes
        self._lock = threading.Lock()
        self._shapes_graph = self._parse_shapes() if share_shapes else None
        self._log = logging.getLogger("kg.validate.pyshacl")

    def _parse_shapes(self) -> ShapesGraph:
        """pySHACL's parse of a private copy of the shapes, harvested up front (use_shapes needs every shape)."""
        shapes_graph = ShapesGraph(self._copy_shapes())
        _ = shapes_graph.shapes
        return shapes_graph

    def _copy_shapes(self) -> Graph:
        copy = Graph()
        for prefix, ns in self.shapes.namespaces():
            copy.bind(prefix, ns)
        for triple in self.shapes:
            copy.add(triple)
        return copy

    def run(self, data: Graph, focus: Iterable[Node]) -> Report:
        """Validate the ``focus`` nodes of ``data`` (which must already hold the class hierarchy).

        pySHACL's ``focus_nodes`` option alone is not usable: in pySHACL 0.40 it also filters the
        value nodes handed to nested shapes (sh:or, sh:not, sh:qualifiedValueShape), so those
        constraints silently pass. Instead the node shapes targeting each focus node are worked out
        here and pySHACL is given both (``use_shapes`` + ``focus_nodes``), which evaluates exactly
        those shapes on exactly those nodes and nothing on the neighbours that are only there for
        their types.
        """
        data = data.skolemize()  # pySHACL names focus nodes by IRI; contributed blank nodes get one
        groups: dict[frozenset[URIRef], list[str]] = {}
        for node in focus:
            iri = node.skolemize() if isinstance(node, BNode) else node
            shapes = self._shapes_for(data, iri)
            if shapes:
                groups.setdefault(frozenset(shapes), []).append(str(iri))
        graphs = [self._validate(data, {"use_shapes": sorted(str(s) for s in shapes), "focus_nodes": sorted(nodes)})
                  for shapes, nodes in groups.items()]
        return self._report(graphs, data)

    def _shapes_for(self, data: Graph, node: Node) -> set[URIRef]:
        """The top-level node shapes whose targets include ``node`` in ``data``."""
        classes = set()
        for c in data.objects(node, RDF.type):
            classes |= set(data.transitive_objects(c, RDFS.subClassOf))
        out = set()
        for shape, (by_class, by_subject, by_object, by_node) in self._targets.items():
            if (classes & by_class or node in by_node or any((node, p, None) in data for p in by_subject)
                    or any((None, p, node) in data for p in by_object)):
                out.add(shape)
        return out

    def _validate(self, data: Graph, extra: dict) -> Graph:
        options = {"inference": "none", "allow_warnings": True, "abort_on_first": False, "advanced": False,
                   "inplace": True, "logger": self._log, **extra}
        if self._shapes_graph is None:
            return self._execute(data, self._parse_shapes(), options)
        with self._lock:
            return self._execute(data, self._shapes_graph, options)

    def _report(self, graphs: list[Graph], data: Graph) -> Report:
        merged = merge_reports(graphs)
        results = parse_report(merged, self.shapes, data)
        return Report(conforms=not any(r.severity == "Violation" for r in results), results=results, graph=merged)

    @staticmethod
    def _execute(data: Graph, shapes_graph: ShapesGraph, options: dict) -> Graph:
        run = ShaclRun(DataGraph.from_rdflib(data), shacl_graph=shapes_graph.graph, options=options)
        run.shacl_graph = shapes_graph  # reuse the parsed shapes instead of the fresh wrapper
        return run.run()[1]


"""The write path: every change is computed as a delta, validated, then committed atomically.

One writer at a time (a lock). For a SPARQL Update the delta comes from running the update on an
in-memory copy of the store and diffing: this gives exactly pyoxigraph's semantics for every
operation (DELETE/INSERT … WHERE, CLEAR, DROP, COPY, MOVE, ADD, CREATE, several operations in
one request where later ones see earlier ones) without re-implementing them; the dataset is
small (thousands of quads), so the copy costs milliseconds. Graph Store Protocol writes build
their delta directly. The delta goes through ``kg.contribute.check_delta`` (SHACL, in the
context of the current store); only a conforming delta is applied, in one pyoxigraph
transaction, then flushed, and a new checkpoint is published for the query workers.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .. import contribute
from ..validate import Report
from .engine import Engine, QueryError
from .policy import data_only

MAX_WRITE_QUADS = contribute.MAX_TRIPLES  # the one cap on a contribution, writes and /validate alike


@dataclass(frozen=True)
class Delta:
    removed: frozenset[ox.Quad]
    added: frozenset[ox.Quad]


class Rejected(Exception):
    """The change does not conform to the shapes; nothing was written (HTTP 422)."""

    def __init__(self, report: Report) -> None:
        super().__init__("the change does not conform to the shapes")
        self.report = report


class TooLarge(Exception):
    """The change adds more than MAX_WRITE_QUADS quads; nothing was written (HTTP 413)."""


def check(store: ox.Store, delta: Delta, shapes: Graph, ontology: Graph) -> Report:
    """The validation gate; until issue 5 lands ``check_delta`` raises NotImplementedError: conforms."""
    try:
        return contribute.check_delta(store, sorted(delta.removed, key=str), sorted(delta.added, key=str),
                                      shapes, ontology)
    except NotImplementedError:
        return Report(conforms=True)


def _data(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA."""
    parts = []
    for q in sorted(quads, key=str):
        triple = f"{q.subject} {q.predicate} {q.object} ."
        parts.append(triple if isinstance(q.graph_name, ox.DefaultGraph) else f"GRAPH {q.graph_name} {{ {triple} }}")
    return "\n".join(parts)


def _quads(lines: set[bytes]) -> frozenset[ox.Quad]:
    return frozenset(ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_QUADS)) if lines else frozenset()


def _rdflib_graph(store: ox.Store, graph: ox.NamedNode) -> Graph:
    return Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).decode(), format="nt")


class Writer:
    """The single writer over the app's read-write store."""

    def __init__(self, engine: Engine, on_commit: Callable[[], None], scratch_root: Path | None = None) -> None:
        self.engine = engine
        self.store = engine.store
        self.scratch_root = scratch_root
        if scratch_root is not None:
            shutil.rmtree(scratch_root, ignore_errors=True)  # copies left by a crash
        self.on_commit = on_commit
        self.lock = threading.Lock()
        self._load_context()

    def _load_context(self) -> None:
        """The shapes and ontology check_delta validates against, read from the store's named graphs."""
        self.shapes = _rdflib_graph(self.store, self.engine.graphs.shapes)
        self.ontology = _rdflib_graph(self.store, self.engine.graphs.ontology)

    def _commit(self, delta: Delta, apply: str, graphs_change: bool = False) -> None:
        """Validate ``delta``; if it conforms, run ``apply`` (which makes exactly that change) atomically.

        ``graphs_change`` says that ``apply`` also creates or drops an (empty) named graph.
        """
        if len(delta.added) > MAX_WRITE_QUADS:
            raise TooLarge(f"the change adds {len(delta.added)} quads, more than the {MAX_WRITE_QUADS} one write may "
                           "add; split it into several requests")
        report = check(self.store, delta, self.shapes, self.ontology)
        if not report.conforms:
            raise Rejected(report)
        if delta.removed or delta.added or graphs_change:
            self.store.update(apply, base_iri=self.engine.base)  # one request = one pyoxigraph transaction
            self.store.flush()
            context = {self.engine.graphs.shapes, self.engine.graphs.ontology}
            if any(q.graph_name in context for q in (*delta.removed, *delta.added)):
                self._load_context()
            self.on_commit()

    def update(self, text: str) -> Delta:
        """Run a SPARQL Update (already checked by the policy); raise QueryError or Rejected."""
        with self.lock:
            delta, graphs_before, graphs_after = self._on_copy(text)
            if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in delta.removed):
                apply = text  # DELETE DATA cannot name blank nodes; rerun the update on the same state
            else:
                apply = f"DELETE DATA {{ {_data(delta.removed)} }} ;\nINSERT DATA {{ {_data(delta.added)} }}"
            apply += "".join(f" ;\nCREATE SILENT GRAPH {g}" for g in graphs_after - graphs_before)
            apply += "".join(f" ;\nDROP SILENT GRAPH {g}" for g in graphs_before - graphs_after)
            self._commit(delta, apply, graphs_before != graphs_after)
            return delta

    def _on_copy(self, text: str) -> tuple[Delta, set[ox.NamedNode], set[ox.NamedNode]]:
        """Run the update on a private copy of the store and return what it changed.

        The copy is a checkpoint (hard links, a few milliseconds) when the store is on disk, else
        an in-memory copy.
        """
        if named := data_only(text):
            return self._data_delta(*named)
        if self.scratch_root is None:
            copy = ox.Store()
            copy.extend(self.store)
            return self._diff(copy, text)
        self.scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.scratch_root) as tmp:
            self.store.backup(f"{tmp}/store")
            copy = ox.Store(f"{tmp}/store")
            try:
                return self._diff(copy, text)
            finally:
                del copy  # close the copy before its directory goes

    def _data_delta(self, kind: str, as_insert: str) -> tuple[Delta, set[ox.NamedNode], set[ox.NamedNode]]:
        """INSERT DATA / DELETE DATA: the delta is the quads named, less those already (not) there."""
        named = ox.Store()
        try:
            named.update(as_insert, base_iri=self.engine.base)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        if len(named) > MAX_WRITE_QUADS:  # before a Python object is made per quad
            raise TooLarge(f"the change adds {len(named)} quads, more than the {MAX_WRITE_QUADS} one write may add; "
                           "split it into several requests")
        graphs = set(self.store.named_graphs())
        if kind == "INSERT":
            added = frozenset(q for q in named if q not in self.store)
            new_graphs = {q.graph_name for q in added if isinstance(q.graph_name, ox.NamedNode)}
            return Delta(frozenset(), added), graphs, graphs | new_graphs
        return Delta(frozenset(q for q in named if q in self.store), frozenset()), graphs, graphs

    def _diff(self, copy: ox.Store, text: str) -> tuple[Delta, set[ox.NamedNode], set[ox.NamedNode]]:
        try:
            copy.update(text, base_iri=self.engine.base)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise QueryError(f"update failed: {exc}") from exc
        # Diff the N-Quads dumps (serialized in Rust; a copy keeps blank node ids) and parse only
        # the lines that differ.
        before = set(self.store.dump(format=ox.RdfFormat.N_QUADS).splitlines())
        after = set(copy.dump(format=ox.RdfFormat.N_QUADS).splitlines())
        delta = Delta(_quads(before - after), _quads(after - before))
        return delta, set(self.store.named_graphs()), set(copy.named_graphs())

    def graph_quads(self, graph: ox.NamedNode | ox.DefaultGraph) -> frozenset[ox.Quad]:
        return frozenset(self.store.quads_for_pattern(None, None, None, graph))

    def put(self, graph: ox.NamedNode | ox.DefaultGraph, triples: list[ox.Triple]) -> bool:
        """Replace a graph (GSP PUT); return True when the graph did not exist before."""
        with self.lock:
            created = self._is_new(graph)
            added = frozenset(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            delta = Delta(self.graph_quads(graph) - added, added - self.graph_quads(graph))
            apply = f"{self._drop(graph)} ;\n{self._create(graph)}INSERT DATA {{ {_data(added)} }}"
            self._commit(delta, apply, created)
            return created

    def post(self, graph: ox.NamedNode | ox.DefaultGraph, triples: list[ox.Triple]) -> bool:
        """Merge triples into a graph (GSP POST); return True when the graph did not exist before."""
        with self.lock:
            created = self._is_new(graph)
            added = frozenset(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            delta = Delta(frozenset(), added - self.graph_quads(graph))
            self._commit(delta, f"{self._create(graph)}INSERT DATA {{ {_data(added)} }}", created)
            return created

    def delete(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Remove a graph (GSP DELETE); return False when there was no such graph."""
        with self.lock:
            if self._is_new(graph):
                return False
            removed = Delta(self.graph_quads(graph), frozenset())
            self._commit(removed, self._drop(graph), isinstance(graph, ox.NamedNode))
            return True

    def _is_new(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        return isinstance(graph, ox.NamedNode) and not self.store.contains_named_graph(graph)

    @staticmethod
    def _drop(graph: ox.NamedNode | ox.DefaultGraph) -> str:
        return "CLEAR SILENT DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP SILENT GRAPH {graph}"

    @staticmethod
    def _create(graph: ox.NamedNode | ox.DefaultGraph) -> str:
        return "" if isinstance(graph, ox.DefaultGraph) else f"CREATE SILENT GRAPH {graph} ;\n"

"""Query execution over the pyoxigraph store: dataset selection and result serialization."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import prefixes
from ..store import GraphNames


class QueryError(ValueError):
    """A query the engine cannot run (syntax error, refused feature); maps to HTTP 400."""


@dataclass(frozen=True)
class Dataset:
    """RDF dataset of a request: SPARQL protocol default-graph-uri / named-graph-uri, or ours."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    inference: bool = False


class Engine:
    """One pyoxigraph store and the policy for which graphs a query sees by default.

    By default a query's default graph is the asserted data plus the ontology; ``inference``
    adds the inferred graph. Explicit ``default-graph-uri``s replace that choice (the special
    IRI ``urn:x-arq:DefaultGraph`` names the store's own default graph, as in Jena).
    """

    DEFAULT_GRAPH_IRI = "urn:x-arq:DefaultGraph"

    def __init__(self, store: ox.Store, base: str) -> None:
        self.store = store
        self.base = base
        self.graphs = GraphNames.for_base(base)
        self.prefixes = prefixes(base)

    def _graph(self, iri: str) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if iri == self.DEFAULT_GRAPH_IRI else ox.NamedNode(iri)

    def query(self, sparql: str, dataset: Dataset = Dataset()) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query; raise QueryError with the parser's message and position on bad syntax."""
        if dataset.default_graphs:
            default = [self._graph(g) for g in dataset.default_graphs]
        else:
            default = [ox.DefaultGraph(), self.graphs.ontology]
            if dataset.inference:
                default.append(self.graphs.inferred)
        named = [ox.NamedNode(g) for g in dataset.named_graphs] or None
        try:
            return self.store.query(sparql, default_graph=default, named_graphs=named, base_iri=self.base)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc


def serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
              fmt: ox.QueryResultsFormat | ox.RdfFormat) -> bytes:
    """Serialize a query result in the negotiated format (formats are checked by negotiation)."""
    return result.serialize(format=fmt) or b""

"""Query execution over the pyoxigraph store: dataset selection, negotiation and capped serialization."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from ..namespaces import prefixes
from ..store import GraphNames
from .formats import GRAPH_TYPES, RESULT_TYPES, content_type, negotiate, parse_accept, serialize_solutions
from .policy import PolicyError, analyse


class QueryError(ValueError):
    """A query the engine cannot run (syntax error, refused feature); maps to HTTP 400."""


class UpstreamError(Exception):
    """The remote store (remote-store mode) failed or timed out: 502 or 504, never blamed on the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Dataset:
    """RDF dataset of a request: SPARQL protocol default-graph-uri / named-graph-uri, or ours."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    inference: bool = False


@dataclass(frozen=True)
class Answer:
    """A finished HTTP answer to a query, built where the query ran (possibly another process)."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False


class Engine:
    """One store and the policy for which graphs a query sees by default.

    The store is a pyoxigraph ``Store`` (the embedded default) or a ``kg.sparql.remote.RemoteStore``,
    which offers the same methods over the SPARQL Protocol; results are pyoxigraph objects either
    way (a remote CONSTRUCT gives a list of triples), so callers need not know which.

    By default a query's default graph is the asserted data plus the ontology; ``inference``
    adds the inferred graph. A query's own FROM / FROM NAMED replace that choice, and the
    protocol's ``default-graph-uri`` / ``named-graph-uri`` replace both (SPARQL 1.1 Protocol
    §2.1.4). The special IRI ``urn:x-arq:DefaultGraph`` names the store's own default graph, as
    in Jena.
    """

    DEFAULT_GRAPH_IRI = "urn:x-arq:DefaultGraph"

    def __init__(self, store: ox.Store, base: str) -> None:  # or a RemoteStore (duck-typed)
        self.store = store
        self.base = base
        self.graphs = GraphNames.for_base(base)
        self.prefixes = prefixes(base)

    def _graph(self, iri: str) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if iri == self.DEFAULT_GRAPH_IRI else ox.NamedNode(iri)

    def local_graphs(self) -> set[str]:
        """IRIs a request may use in FROM/USING and graph parameters: this store's graphs."""
        return {self.DEFAULT_GRAPH_IRI, *(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))}

    def query(self, sparql: str, dataset: Dataset = Dataset()
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]:
        """Run a query; raise QueryError with the parser's message and position on bad syntax."""
        default: list[ox.NamedNode | ox.DefaultGraph] | None
        try:
            named: list[ox.NamedNode] | None = [ox.NamedNode(g) for g in dataset.named_graphs] or None
            protocol_default = [self._graph(g) for g in dataset.default_graphs]
        except ValueError as exc:
            raise QueryError(f"invalid graph IRI: {exc}") from exc
        if dataset.default_graphs or dataset.named_graphs:
            default = protocol_default
        elif _has_dataset_clause(sparql, self.base):
            default = None
        else:
            default = [ox.DefaultGraph(), self.graphs.ontology]
            if dataset.inference:
                default.append(self.graphs.inferred)
        try:
            return self.store.query(sparql, default_graph=default, named_graphs=named, base_iri=self.base)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def answer(self, sparql: str, dataset: Dataset, accept: str | None, format_param: str | None,
               limit: int) -> Answer:
        """Run, negotiate and serialize, stopping after ``limit`` rows or triples."""
        try:
            result = self.query(sparql, dataset)
            if isinstance(result, ox.QueryBoolean):
                mime = negotiate(parse_accept(accept), RESULT_TYPES, "application/sparql-results+json", format_param)
                if mime is None:
                    return _not_acceptable(RESULT_TYPES)
                return Answer(200, content_type(mime), result.serialize(format=RESULT_TYPES[mime]) or b"")
            if not isinstance(result, ox.QuerySolutions):  # CONSTRUCT/DESCRIBE: QueryTriples or a list
                mime = negotiate(parse_accept(accept), GRAPH_TYPES, "text/turtle", format_param)
                if mime is None:
                    return _not_acceptable(GRAPH_TYPES)
                triples = list(islice(result, limit + 1))
                body = ox.serialize(triples[:limit], format=GRAPH_TYPES[mime], prefixes=self.prefixes) or b""
                return Answer(200, content_type(mime), body, len(triples) > limit)
            mime = negotiate(parse_accept(accept), RESULT_TYPES, "application/sparql-results+json", format_param)
            if mime is None:
                return _not_acceptable(RESULT_TYPES)
            variables = [v.value for v in result.variables]
            if RESULT_TYPES[mime] == ox.QueryResultsFormat.JSON:
                # Serialized in Rust rather than term by term in Python. Every row takes at least 2 bytes ("{}"),
                # so a shorter answer is under the cap; a longer one is parsed back, counted and cut.
                body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
                if len(body) < 2 * (limit + 1):
                    return Answer(200, content_type(mime), body)
                result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                assert isinstance(result, ox.QuerySolutions)
            rows = [[sol[v] for v in variables] for sol in islice(result, limit + 1)]
            body = serialize_solutions(variables, rows[:limit], mime)
            return Answer(200, content_type(mime), body, len(rows) > limit)
        except UpstreamError as exc:
            return Answer(exc.status, "text/plain; charset=utf-8", f"{exc}\n".encode())
        except QueryError as exc:
            return Answer(400, "text/plain; charset=utf-8", f"{exc}\n".encode())
        except OSError as exc:  # evaluation errors pyoxigraph reports at run time (e.g. SERVICE failures)
            return Answer(400, "text/plain; charset=utf-8", f"query evaluation failed: {exc}\n".encode())


def _has_dataset_clause(sparql: str, base: str) -> bool:
    try:
        return analyse(sparql, base).has_dataset_clause
    except PolicyError as exc:  # too deeply nested for pyoxigraph's parser: refuse before it crashes
        raise QueryError(str(exc)) from exc


def _not_acceptable(offered: dict) -> Answer:
    message = f"none of the Accept types can carry this result; offered: {', '.join(offered)}\n"
    return Answer(406, "text/plain; charset=utf-8", message.encode())

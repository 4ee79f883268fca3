"""Remote-store mode: the same endpoint, UI, validation and linking over any SPARQL 1.1 store.

``RemoteStore`` offers the part of pyoxigraph's ``Store`` API the rest of the code uses (``query``,
``update``, ``quads_for_pattern``, ``named_graphs``, ``dump`` …) over the SPARQL 1.1 Protocol,
so ``Engine``, the Graph Store Protocol, the UI, reconciliation and ``check_delta`` run unchanged:
results come back as pyoxigraph terms parsed (in Rust) from SPARQL JSON results or N-Triples.

Layout in the remote store: the asserted data lives in the named graph ``<base>graph/data``,
next to ``…/ontology``, ``…/inferred`` and ``…/shapes``. A store's own default graph cannot be
named in ``default-graph-uri`` in a portable way (Oxigraph has no name for it, Fuseki uses
``urn:x-arq:DefaultGraph``, GraphDB ``sesame:nil``), so with the data in a named graph every
dataset this endpoint offers (data + ontology, plus the inferred graph with ``inference=true``)
is expressible with standard protocol parameters on every store. Here that graph is presented
as the default graph, exactly as the local store holds it.

Writes are computed as a delta by the usual ``Writer``, validated by ``check_delta`` against
the remote data, and sent as one ``DELETE DATA … ; INSERT DATA …`` request.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ..namespaces import graph_iri
from .engine import UpstreamError
from .update import Delta, Writer

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Graph = ox.NamedNode | ox.DefaultGraph
_RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
           "application/rdf+xml": ox.RdfFormat.RDF_XML, "text/plain": ox.RdfFormat.N_TRIPLES}
ACCEPT = ("application/sparql-results+json, application/n-triples, application/sparql-results+xml;q=0.8, "
          "text/turtle;q=0.8, text/tab-separated-values;q=0.5, application/rdf+xml;q=0.5")
_GRAPH_OPS = re.compile(r"(?:CREATE|DROP) SILENT GRAPH <[^>]*>")
_NAMES_TTL = 5.0  # seconds the list of named graphs is trusted (every query's policy check reads it)


class _Http:
    """Keep-alive HTTP connections, one per thread and host; errors become UpstreamError 502/504."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._local = threading.local()

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        parts = urllib.parse.urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: retry once
            conn = self._connection(parts.scheme, parts.netloc)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                return response.status, response.getheader("Content-Type", ""), data
            except TimeoutError as exc:
                self._drop(parts.netloc)
                raise UpstreamError(504, f"the remote store did not answer within {self.timeout:g} s "
                                         "(KG_QUERY_TIMEOUT)") from exc
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(parts.netloc)
                if attempt == 2:
                    raise UpstreamError(502, f"the remote store at {parts.netloc} closed the connection: {exc}") \
                        from exc
            except (OSError, http.client.HTTPException) as exc:
                self._drop(parts.netloc)
                raise UpstreamError(502, f"cannot reach the remote store at {parts.netloc}: {exc}") from exc
        raise AssertionError("unreachable")

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        conns = self._local.__dict__.setdefault("conns", {})
        if netloc not in conns:
            cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            conns[netloc] = cls(netloc, timeout=self.timeout)
        return conns[netloc]

    def _drop(self, netloc: str) -> None:
        conn = self._local.__dict__.get("conns", {}).pop(netloc, None)
        if conn is not None:
            conn.close()


def _message(body: bytes) -> str:
    return " ".join(body.decode("utf-8", "replace").split())[:500]


class RemoteStore:
    """A SPARQL 1.1 store behind the Protocol, looking like a pyoxigraph ``Store`` to our code."""

    def __init__(self, query_url: str, base: str, update_url: str | None = None, store_url: str | None = None,
                 timeout: float = 30.0) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        self.data = ox.NamedNode(graph_iri(base, "data"))
        self.http = _Http(timeout)
        self._names: tuple[float, list[ox.NamedNode]] | None = None

    # -- graph names: the data graph is our default graph --------------------------------------

    def _remote(self, graph: Graph) -> ox.NamedNode:
        return self.data if isinstance(graph, ox.DefaultGraph) else graph

    def _local(self, graph: ox.NamedNode) -> Graph:
        return ox.DefaultGraph() if graph == self.data else graph

    # -- queries --------------------------------------------------------------------------------

    def query(self, query: str, *, default_graph: Iterable[Graph] | Graph | None = None,
              named_graphs: Iterable[ox.NamedNode] | None = None, base_iri: str | None = None
              ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a query remotely with pyoxigraph's dataset arguments; raise SyntaxError on the store's 400."""
        params: list[tuple[str, str]] = []
        if default_graph is not None:
            graphs = [default_graph] if isinstance(default_graph, ox.NamedNode | ox.DefaultGraph) else default_graph
            params += [("default-graph-uri", self._remote(g).value) for g in graphs]
            # pyoxigraph keeps every named graph visible when only the default graph is set; the
            # protocol would hide them all, so name them
            if named_graphs is None:
                named_graphs = self.named_graphs()
        if named_graphs is not None:
            params += [("named-graph-uri", g.value) for g in named_graphs]
        text = query.replace("<urn:x-arq:DefaultGraph>", f"<{self.data.value}>")
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        body = urllib.parse.urlencode([("query", text), *params]).encode()
        status, ctype, data = self.http.request("POST", self.query_url, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT})
        self._raise_for(status, data, "query")
        mime = ctype.split(";")[0].strip().lower()
        try:
            if mime in _RESULTS:
                return ox.parse_query_results(data, format=_RESULTS[mime])
            if mime in _GRAPHS:
                return [q.triple for q in ox.parse(data, format=_GRAPHS[mime], base_iri=base_iri)]
        except (SyntaxError, ValueError) as exc:
            raise UpstreamError(502, f"the remote store's {mime} answer cannot be parsed: {exc}") from exc
        raise UpstreamError(502, f"the remote store answered in an unexpected format {mime!r}")

    @staticmethod
    def _raise_for(status: int, data: bytes, what: str) -> None:
        if 200 <= status < 300:
            return
        if status == 400:
            raise SyntaxError(f"the remote store refused the {what}: {_message(data)}")
        if status in (503, 504):
            raise UpstreamError(504, f"the remote store gave up on the {what} ({status}): {_message(data)}")
        raise UpstreamError(502, f"the remote store answered {status} to the {what}: {_message(data)}")

    def _select(self, sparql: str) -> ox.QuerySolutions:
        result = self.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _ask(self, sparql: str) -> bool:
        return bool(self.query(sparql))

    def quads_for_pattern(self, subject: Term | None, predicate: Term | None, obj: Term | None,
                          graph_name: Graph | None = None) -> Iterator[ox.Quad]:
        """Matching quads, read with one SELECT."""
        terms = [subject, predicate, obj]
        pattern = " ".join(str(t) if t is not None else f"?{v}" for t, v in zip(terms, "spo", strict=True))
        graph = "?g" if graph_name is None else str(self._remote(graph_name))
        for row in self._select(f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }}"):
            s, p, o = (t if t is not None else row[v] for t, v in zip(terms, "spo", strict=True))
            g = self._local(row["g"]) if graph_name is None else graph_name
            yield ox.Quad(s, p, o, g)

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)

    def __contains__(self, quad: ox.Quad) -> bool:
        return self._ask(f"ASK {{ GRAPH {self._remote(quad.graph_name)} {{ {quad.triple} }} }}")

    def named_graphs(self) -> list[ox.NamedNode]:
        """The remote's named graphs but the data graph (cached briefly: every query's policy check asks)."""
        now = time.monotonic()
        if self._names is None or now - self._names[0] > _NAMES_TTL:
            rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            self._names = (now, [r["g"] for r in rows if isinstance(r["g"], ox.NamedNode) and r["g"] != self.data])
        return list(self._names[1])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return graph in self.named_graphs() or self._ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def dump(self, output: None = None, format: ox.RdfFormat | None = None, *,  # noqa: A002 (pyoxigraph's name)
             from_graph: Graph | None = None) -> bytes:
        """One graph (GSP GET when a Graph Store URL is configured, else CONSTRUCT) or the whole dataset."""
        assert output is None, "a remote dump is returned as bytes"
        fmt = format or ox.RdfFormat.N_QUADS
        if from_graph is None:
            return ox.serialize(list(self), format=fmt) or b""
        if self.store_url:
            status, ctype, data = self.http.request("GET", _graph_url(self.store_url, self._remote(from_graph)),
                                                    headers={"Accept": "application/n-triples"})
            if status == 404:
                return b""
            self._raise_for(status, data, "graph read")
            mime = ctype.split(";")[0].strip().lower()
            triples = [q.triple for q in ox.parse(data, format=_GRAPHS.get(mime, ox.RdfFormat.N_TRIPLES))]
        else:
            triples = [q.triple for q in self.quads_for_pattern(None, None, None, from_graph)]
        return ox.serialize(triples, format=fmt) or b""

    # -- updates --------------------------------------------------------------------------------

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Send one update request (one transaction on stores that have them)."""
        if not self.update_url:
            raise UpstreamError(502, "no update URL for the remote store (kg serve --remote-update)")
        text = f"BASE <{base_iri}>\n{update}" if base_iri else update
        status, _, data = self.http.request("POST", self.update_url, text.encode(),
                                            {"Content-Type": "application/sparql-update; charset=utf-8"})
        self._names = None
        self._raise_for(status, data, "update")

    def flush(self) -> None:
        """Nothing to flush here: the remote store commits each update request."""

    def delta_update(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> list[str]:
        """The operations of one update request that make exactly this change (data graph mapped)."""
        ops = []
        removed = sorted(removed, key=str)
        named = [q for q in removed if not _has_blank(q)]
        if named:
            ops.append(f"DELETE DATA {{ {self._data(named)} }}")
        if blank := [q for q in removed if _has_blank(q)]:
            # Blank nodes cannot be named across requests: match them as variables instead.
            pattern = re.sub(r"_:(\w+)", r"?\1", self._data(blank))
            ops.append(f"DELETE {{ {pattern} }} WHERE {{ {pattern} }}")
        if added:
            ops.append(f"INSERT DATA {{ {self._data(sorted(added, key=str))} }}")
        return ops

    def _data(self, quads: Iterable[ox.Quad]) -> str:
        return "\n".join(f"GRAPH {self._remote(q.graph_name)} {{ {q.triple} . }}" for q in quads)


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def _graph_url(store_url: str, graph: ox.NamedNode) -> str:
    sep = "&" if "?" in store_url else "?"
    return f"{store_url}{sep}graph={urllib.parse.quote(graph.value, safe='')}"


class RemoteWriter(Writer):
    """The usual write path (delta, limits, check_delta), committing to the remote in one update request."""

    store: RemoteStore

    def _commit(self, delta: Delta, apply: str, graphs_change: bool = False) -> None:
        # The local text names our default graph; the remote gets the graph operations it does
        # (GSP PUT/DELETE, CREATE/DROP), then the delta, with the data graph named.
        ops = _GRAPH_OPS.findall(apply) if graphs_change else []
        ops += self.store.delta_update(delta.removed, delta.added)
        super()._commit(delta, " ;\n".join(ops), graphs_change)


def upload(store: ox.Store, graphs: list[Graph], base: str, update_url: str | None, store_url: str | None,
           timeout: float = 600.0, chunk: int = 20_000) -> None:
    """Replace the remote copies of ``graphs`` (the default graph goes to ``<base>graph/data``).

    With a Graph Store URL each graph is one PUT of N-Triples; otherwise DROP then INSERT DATA
    in chunks of ``chunk`` triples (stores limit the size of one request).
    """
    client = _Http(timeout)
    data_graph = ox.NamedNode(graph_iri(base, "data"))
    for graph in graphs:
        remote = data_graph if isinstance(graph, ox.DefaultGraph) else graph
        nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        if store_url:
            status, _, body = client.request("PUT", _graph_url(store_url, remote), nt,
                                             {"Content-Type": "application/n-triples"})
            RemoteStore._raise_for(status, body, f"PUT of {remote}")
            continue
        if not update_url:
            raise ValueError("give an update URL or a Graph Store URL for the remote store")
        lines = nt.splitlines()
        requests = [f"DROP SILENT GRAPH {remote}".encode()]
        requests += [b"INSERT DATA { GRAPH " + str(remote).encode() + b" {\n" + b"\n".join(lines[i:i + chunk])
                     + b"\n} }" for i in range(0, len(lines), chunk)]
        for text in requests:
            status, _, body = client.request("POST", update_url, text,
                                             {"Content-Type": "application/sparql-update; charset=utf-8"})
            RemoteStore._raise_for(status, body, f"load of {remote}")

"""Media types of query results, and content negotiation over them (q-values, */*, format=)."""

from __future__ import annotations

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
# format= short names, for browsers that cannot set Accept.
SHORT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "trig": "application/trig",
    "nquads": "application/n-quads",
}


def negotiate(accept: MIMEAccept, offered: dict, default: str, format_param: str | None = None) -> str | None:
    """Pick the media type for a response from ``offered``; None means 406 Not Acceptable.

    ``format=`` wins when it names an offered type. No Accept header, or ``*/*``, gets ``default``.
    A header naming only types of the other result family (Turtle for a SELECT, say) also gets
    ``default``: clients send such headers in the wild, and an answer in the right family beats a
    406. Anything else unknown (``image/png``) is refused.
    """
    if format_param:
        mime = SHORT_NAMES.get(format_param.lower(), format_param.lower())
        return mime if mime in offered else None
    if not list(accept.values()):
        return default
    ordered = [default] + [m for m in offered if m != default]
    best = accept.best_match(ordered)
    if best:
        return best
    if any(v in RESULT_TYPES or v in GRAPH_TYPES for v in accept.values()):
        return default
    return None

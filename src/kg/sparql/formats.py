"""Media types of query results, and content negotiation over them (q-values, */*, format=)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

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
# Formats that carry named graphs: the whole dataset from GET /store.
DATASET_TYPES: dict[str, ox.RdfFormat] = {
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
# format= short names, for browsers that cannot set Accept.
SHORT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json", "trig": "application/trig",
    "nquads": "application/n-quads", "rdf+xml": "application/rdf+xml", "n-triples": "application/n-triples",
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
        if mime in offered:
            return mime
        return default if mime in RESULT_TYPES or mime in GRAPH_TYPES else None
    if not list(accept.values()):
        return default
    ordered = [default] + [m for m in offered if m != default]
    best = accept.best_match(ordered)
    if best:
        return best
    if any(v in RESULT_TYPES or v in GRAPH_TYPES for v in accept.values()):
        return default
    return None


def pick_format(values: list[str]) -> str | None:
    """The ``format=`` value to honour: clients such as SPARQLWrapper send several
    (``format=rdf+xml&format=application/rdf+xml``); take the first we know."""
    known = [v for v in values if SHORT_NAMES.get(v.lower(), v.lower()) in {**RESULT_TYPES, **GRAPH_TYPES}]
    return (known or values or [None])[0]


def parse_accept(header: str | None) -> MIMEAccept:
    """An Accept header as werkzeug parses it (query workers get the raw header, not a request)."""
    return parse_accept_header(header, MIMEAccept)


def content_type(mime: str) -> str:
    """The Content-Type header value: text, JSON and XML types say they are UTF-8."""
    textual = mime in RESULT_TYPES or mime in GRAPH_TYPES or mime.startswith("text/") or "json" in mime or "xml" in mime
    return mime + ("; charset=utf-8" if textual else "")


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def serialize_solutions(variables: Sequence[str], rows: Sequence[Sequence[Term | None]], mime: str) -> bytes:
    """SELECT results in one of RESULT_TYPES, from rows already cut to the result limit.

    pyoxigraph can only serialize a whole result iterator, so a capped result is written here.
    """
    fmt = RESULT_TYPES[mime]
    if fmt == ox.QueryResultsFormat.JSON:
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == ox.QueryResultsFormat.XML:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=True) if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == ox.QueryResultsFormat.CSV:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buf.getvalue().encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()

"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

``?default`` is the store's default graph (the asserted data), ``?graph=<iri>`` a named graph;
with neither, GET returns the whole dataset as TriG or N-Quads. Writes go through the same
validated, atomic write path as SPARQL Update.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from .formats import DATASET_TYPES, GRAPH_TYPES, content_type, negotiate, pick_format
from .http import authorize_write, error, invalid_utf8, settings
from .protocol import engine, rejected
from .update import MAX_WRITE_QUADS, Rejected, TooLarge, Writer

bp = Blueprint("gsp", __name__)
# An internal entity declaration of an RDF/XML DTD: <!ENTITY name "value"> (pyoxigraph reads no other kind).
_ENTITY = re.compile(rb"""<!ENTITY\s+(%?)\s*([^\s"']+)\s+(?:"([^"]*)"|'([^']*)')""")


def _target() -> ox.NamedNode | ox.DefaultGraph | None | Response:
    """The graph a request names, None for the whole store, or an error answer."""
    has_default, graphs = "default" in request.args, request.args.getlist("graph")
    if has_default and graphs or len(graphs) > 1:
        return error(400, "name one graph: either ?default or a single ?graph=<iri>")
    if has_default:
        return ox.DefaultGraph()
    if not graphs:
        return None
    try:
        return ox.NamedNode(graphs[0])
    except ValueError as exc:
        return error(400, f"?graph= must be an absolute IRI: {exc}")


def _exists(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or engine().store.contains_named_graph(graph)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    if bad := invalid_utf8():
        return bad
    target = _target()
    if isinstance(target, Response):
        return target
    if request.method in ("GET", "HEAD"):
        return _read(target)
    if target is None:
        return error(400, "name the graph to change with ?default or ?graph=<iri>")
    if denied := authorize_write():
        return denied
    writer: Writer = current_app.extensions["kg.writer"]
    try:
        if request.method == "DELETE":
            if not writer.delete(target):
                return error(404, f"no graph {target} in this store")
            return Response(status=204)
        triples = _parse_body(target)
        if isinstance(triples, Response):
            return triples
        created = (writer.put if request.method == "PUT" else writer.post)(target, triples)
    except Rejected as exc:
        return rejected(exc)
    except TooLarge as exc:
        return error(413, str(exc))
    if created:
        location = f"{request.url_root}store?graph={quote(str(request.args['graph']), safe='')}"
        return Response(status=201, headers={"Location": location})
    return Response(status=204)


def _read(target: ox.NamedNode | ox.DefaultGraph | None) -> Response:
    store = engine().store
    fmt = pick_format(request.args.getlist("format"))
    if target is None:
        mime = negotiate(request.accept_mimetypes, DATASET_TYPES, "application/trig", fmt)
        if mime is None:
            return error(406, f"the whole dataset is available as {', '.join(DATASET_TYPES)}")
        return Response(store.dump(format=DATASET_TYPES[mime]), content_type=content_type(mime))
    if not _exists(target):
        return error(404, f"no graph {target} in this store")
    mime = negotiate(request.accept_mimetypes, GRAPH_TYPES, "text/turtle", fmt)
    if mime is None:
        return error(406, f"a graph is available as {', '.join(GRAPH_TYPES)}")
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, target)]
    return Response(ox.serialize(triples, format=GRAPH_TYPES[mime], prefixes=engine().prefixes) or b"",
                    content_type=content_type(mime))


def _parse_body(target: ox.NamedNode | ox.DefaultGraph) -> list[ox.Triple] | Response:
    """The request's RDF as triples; 415 for an unknown media type, 400 with the parser's message."""
    mime = request.mimetype
    if mime not in GRAPH_TYPES:
        return error(415, f"unsupported Content-Type {mime or '(none)'!r}: send one of {', '.join(GRAPH_TYPES)}")
    base = target.value if isinstance(target, ox.NamedNode) else engine().base
    body = request.get_data()
    if mime == "application/ld+json":
        try:  # pyoxigraph's JSON-LD parser crashes the process on very deep nesting; Python's json refuses it
            json.loads(body)
        except (ValueError, RecursionError) as exc:
            return error(400, f"cannot parse the {mime} body: {exc}")
    if mime == "application/rdf+xml" and (refusal := _entity_bomb(body, settings().max_body_bytes)):
        return error(400, f"cannot parse the {mime} body: {refusal}")
    try:  # stop reading at the cap: memory stays bounded whatever the body expands to
        quads = list(islice(ox.parse(body, format=GRAPH_TYPES[mime], base_iri=base, without_named_graphs=True),
                            MAX_WRITE_QUADS + 1))
    except (SyntaxError, ValueError) as exc:
        return error(400, f"cannot parse the {mime} body: {exc.args[0] if exc.args else exc}")
    if len(quads) > MAX_WRITE_QUADS:
        return error(413, f"the body holds more than {MAX_WRITE_QUADS} triples, the most one write may add; "
                          "split it into several requests")
    return [q.triple for q in quads]


def _entity_bomb(body: bytes, budget: int) -> str | None:
    """Why an RDF/XML DTD is refused, or None: entities that nest, or that add more than ``budget`` bytes.

    pyoxigraph expands internal entities without a limit (a 1 KB "billion laughs" body took 94 s
    and 6.9 GB), and real RDF/XML uses them only as namespace abbreviations. External entities
    are never read (the parser rejects them), so only expansion needs bounding.
    """
    added = 0
    for match in _ENTITY.finditer(body):
        parameter, name, value = match.group(1), match.group(2), match.group(3) or match.group(4) or b""
        if parameter or b"&" in value or b"%" in value:
            return "entity declarations that refer to other entities (or parameter entities) are not accepted"
        added += body.count(b"&" + name + b";") * len(value)
    if added > budget:
        return f"its entities would add {added} bytes to it, more than the body limit ({budget} bytes, KG_MAX_BODY)"
    return None

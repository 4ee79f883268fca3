"""`/sparql`: the SPARQL 1.1 Protocol (query) over the engine."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from .engine import Dataset, Engine, QueryError, serialize
from .formats import GRAPH_TYPES, RESULT_TYPES, negotiate

bp = Blueprint("sparql", __name__)


def engine() -> Engine:
    return current_app.extensions["kg.engine"]


def error(status: int, message: str) -> Response:
    """Plain-text error bodies, as Fuseki and Oxigraph answer; the message says what to fix."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def _query_params() -> tuple[str | None, Dataset]:
    """Read the query and its dataset from GET, URL-encoded POST or direct POST."""
    args = request.args
    if request.method == "POST":
        ctype = request.mimetype
        if ctype == "application/x-www-form-urlencoded":
            form = request.form
            query = form.get("query")
            default = form.getlist("default-graph-uri") + args.getlist("default-graph-uri")
            named = form.getlist("named-graph-uri") + args.getlist("named-graph-uri")
            inference = form.get("inference", args.get("inference", ""))
        elif ctype == "application/sparql-query":
            query = request.get_data(as_text=True)
            default, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
            inference = args.get("inference", "")
        else:
            raise UnsupportedMediaType(ctype)
    else:
        query = args.get("query")
        default, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
        inference = args.get("inference", "")
    return query, Dataset(tuple(default), tuple(named), inference.lower() in ("1", "true", "yes", "on"))


class UnsupportedMediaType(Exception):
    pass


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    try:
        query, dataset = _query_params()
    except UnsupportedMediaType as exc:
        return error(415, f"unsupported Content-Type {exc.args[0]!r}: send application/sparql-query, "
                          "application/sparql-update or application/x-www-form-urlencoded")
    if query is None:
        return error(400, "missing 'query' parameter")
    try:
        result = engine().query(query, dataset)
    except QueryError as exc:
        return error(400, str(exc))
    offered = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else RESULT_TYPES
    default = "text/turtle" if isinstance(result, ox.QueryTriples) else "application/sparql-results+json"
    mime = negotiate(request.accept_mimetypes, offered, default, request.values.get("format"))
    if mime is None:
        return error(406, f"none of the Accept types can carry this result; offered: {', '.join(offered)}")
    body = serialize(result, offered[mime])
    charset = "; charset=utf-8" if mime.startswith("text/") or "json" in mime or "xml" in mime else ""
    return Response(body, status=200, content_type=mime + charset, headers={"Vary": "Accept"})

"""`/sparql`: the SPARQL 1.1 Protocol (query and update), and the service description."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.datastructures import MultiDict

from .engine import Dataset, Engine, QueryError
from .formats import GRAPH_TYPES, content_type, negotiate, pick_format
from .http import authorize_write, error, invalid_utf8, settings
from .policy import PolicyError, TooLong, analyse, refuse_outbound, with_using
from .pool import Runner
from .service_description import describe
from .update import Rejected, TooLarge, Writer

bp = Blueprint("sparql", __name__)
TRUE = ("1", "true", "yes", "on")


def engine() -> Engine:
    return current_app.extensions["kg.engine"]


class ProtocolError(Exception):
    """A protocol violation; ``status`` and the message go back to the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers


@dataclass(frozen=True)
class Operation:
    """What a request asks: a query or an update, and the parameters that go with it."""

    query: str | None
    update: str | None
    params: MultiDict[str, str]  # URL and form parameters (graph URIs, inference, format)


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset!r}: send the body as UTF-8")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the request body is not valid UTF-8: {exc}") from None


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter: send exactly one")
    return values[0] if values else None


def read_operation() -> Operation:
    """Where the protocol puts the operation: URL (GET), form body, or the whole body (direct POST)."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise ProtocolError(405, "updates must be sent with POST (URL-encoded form or application/sparql-update)",
                             {"Allow": "POST"})
        return Operation(_single(args.getlist("query"), "query"), None, args)
    ctype = request.mimetype
    if ctype == "application/x-www-form-urlencoded":
        form = request.form
        params = MultiDict([*args.items(multi=True), *form.items(multi=True)])
        return Operation(_single(form.getlist("query"), "query"), _single(form.getlist("update"), "update"), params)
    if ctype == "application/sparql-query":
        return Operation(_body_text(), _single(args.getlist("update"), "update"), args)
    if ctype == "application/sparql-update":
        return Operation(_single(args.getlist("query"), "query"), _body_text(), args)
    raise ProtocolError(415, f"unsupported Content-Type {ctype or '(none)'!r}: send application/sparql-query, "
                          "application/sparql-update or application/x-www-form-urlencoded")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if bad := invalid_utf8(request.mimetype == "application/x-www-form-urlencoded"):
        return bad
    try:
        op = read_operation()
        if op.query is not None and op.update is not None:
            raise ProtocolError(400, "a request carries either a query or an update, not both")
        if op.query is not None:
            return run_query(op.query, op.params)
        if op.update is not None:
            return run_update(op.update, op.params)
        if request.method == "GET":
            return service_description()
        raise ProtocolError(400, "missing 'query' or 'update' parameter")
    except ProtocolError as exc:
        return error(exc.status, str(exc), exc.headers)
    except TooLong as exc:
        return error(413, str(exc))
    except PolicyError as exc:
        return error(400, str(exc))


def run_query(query: str, params: MultiDict[str, str]) -> Response:
    """Check what the query may reach, then run it in the worker pool (timeout, cap, conneg there)."""
    dataset = Dataset(tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri")),
                      params.get("inference", "").lower() in TRUE)
    eng = engine()
    refuse_outbound(analyse(query, eng.base), eng.local_graphs(), settings().allowed_remote,
                    dataset.default_graphs + dataset.named_graphs)
    runner: Runner = current_app.extensions["kg.runner"]
    answer = runner.run(query, dataset, request.headers.get("Accept"), pick_format(params.getlist("format")))
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    if answer.truncated:
        response.headers["X-KG-Truncated"] = "true"
        response.headers["X-KG-Result-Limit"] = str(settings().result_limit)
    return response


def run_update(update: str, params: MultiDict[str, str]) -> Response:
    """Authorize, check what the update may reach, then validate and commit it through the writer."""
    if denied := authorize_write():
        return denied
    eng = engine()
    using, using_named = tuple(params.getlist("using-graph-uri")), tuple(params.getlist("using-named-graph-uri"))
    refuse_outbound(analyse(update, eng.base), eng.local_graphs(), settings().allowed_remote, using + using_named)
    writer: Writer = current_app.extensions["kg.writer"]
    try:
        writer.update(with_using(update, using, using_named))
    except QueryError as exc:
        return error(400, str(exc))
    except Rejected as exc:
        return rejected(exc)
    except TooLarge as exc:
        return error(413, str(exc))
    return Response(status=204)


def rejected(exc: Rejected) -> Response:
    """422 with the SHACL report: the change was refused and nothing was written."""
    body = {"conforms": False, "results": [r.to_json() for r in exc.report.results]}
    return Response(json.dumps(body, ensure_ascii=False, indent=2), status=422, content_type="application/json")


def service_description() -> Response:
    """RDF for clients, the UI page for browsers (303 to /)."""
    offered = [t for t in GRAPH_TYPES if t not in ("application/trig", "application/n-quads")]
    accept = request.accept_mimetypes
    if accept.best_match([*offered, "text/html"]) == "text/html":
        return redirect("/", code=303)
    mime = negotiate(accept, {t: GRAPH_TYPES[t] for t in offered}, "text/turtle",
                    pick_format(request.args.getlist("format")))
    if mime is None:
        return error(406, f"the service description is available as {', '.join(offered)}")
    endpoint = request.url_root.rstrip("/") + "/sparql"
    triples = describe(engine(), settings(), endpoint)
    body = ox.serialize(triples, format=GRAPH_TYPES[mime], prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"})
    return Response(body, content_type=content_type(mime))

"""`POST /validate`: check contributed triples against the shapes without writing anything.

The body is validated in the context of the served store (a new event may refer to an existing
person), exactly as the write path would validate it, but nothing is ever written. Status 200
means validation ran (``conforms`` says how it went); 400 unreadable RDF, 413 too large, 415 an
unknown Content-Type.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from .contribute import MEDIA_TYPES, ChangeChecker, Contribution, StoreContext, TooLarge, UnreadableInput, render
from .store import GraphNames
from .validate import Report

bp = Blueprint("validation", __name__, template_folder="web/templates")

FORM_FORMATS = {"turtle": "turtle", "trig": "trig", "n-triples": "nt", "json-ld": "json-ld"}
EXTENSIONS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}
REPORT_TYPES = ["application/json", "text/turtle", "application/ld+json", "text/html"]


def _checker() -> ChangeChecker:
    """One checker per app, over the shapes and ontology the store was built with (parsed once)."""
    checker = current_app.extensions.get("kg.validation.checker")
    if checker is None:
        store = current_app.extensions["kg.engine"].store
        names = GraphNames.for_base(current_app.extensions["kg.settings"].base)
        shapes, ontology = (
            Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).decode(), format="nt")
            for g in (names.shapes, names.ontology))
        checker = current_app.extensions["kg.validation.checker"] = ChangeChecker(shapes, ontology)
    return checker


class UnsupportedMediaType(ValueError):
    """A Content-Type (or form format) this endpoint does not parse."""


def _contribution() -> Contribution:
    """The posted RDF: a raw body by Content-Type, or an HTML form's pasted text or uploaded file."""
    contribution = Contribution()
    mimetype = request.mimetype
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        upload = request.files.get("file")
        chosen = request.form.get("format", "")
        if upload is not None and upload.filename:
            name = upload.filename
            suffix = name[name.rfind("."):].lower() if "." in name else ""
            fmt = FORM_FORMATS.get(chosen) or EXTENSIONS.get(suffix, "turtle")
            text = upload.read().decode("utf-8", errors="replace")
        else:
            name, text = "data", request.form.get("data", "")
            fmt = FORM_FORMATS.get(chosen or "turtle")
            if fmt is None:
                raise UnsupportedMediaType(f"unknown format {chosen!r}; use one of {', '.join(FORM_FORMATS)}")
        contribution.add(text, fmt, name)
        return contribution
    fmt = MEDIA_TYPES.get(mimetype)
    if fmt is None:
        raise UnsupportedMediaType(f"unsupported Content-Type {mimetype or '(none)'}; send one of "
                                   + ", ".join(sorted(MEDIA_TYPES)))
    contribution.add(request.get_data(as_text=True), fmt, "body")
    return contribution


def _error(status: int, message: str, wants: str) -> Response:
    if wants == "text/html":
        return Response(render_template("validate.html", error=message), status, mimetype="text/html")
    return Response(json.dumps({"error": message}, ensure_ascii=False), status, mimetype="application/json")


def _report_response(report: Report, where: dict[str, str], wants: str) -> Response:
    if wants == "text/turtle":
        return Response(report.graph.serialize(format="turtle"), 200, mimetype="text/turtle")
    if wants == "application/ld+json":
        return Response(report.graph.serialize(format="json-ld"), 200, mimetype="application/ld+json")
    if wants == "text/html":
        return Response(render_template("validate.html", report=report, where=where), 200, mimetype="text/html")
    return Response(render(report, "json", where), 200, mimetype="application/json")


@bp.get("/validate")
def form() -> Response:
    """A page to paste or upload RDF and see the report."""
    return Response(render_template("validate.html"), mimetype="text/html")


@bp.post("/validate")
def validate() -> Response:
    """Validate the posted triples in the context of the store; never writes."""
    wants = request.accept_mimetypes.best_match(REPORT_TYPES, default="application/json") or "application/json"
    try:
        contribution = _contribution()
    except UnsupportedMediaType as exc:
        return _error(415, str(exc), wants)
    except TooLarge as exc:
        return _error(413, str(exc), wants)
    except UnreadableInput as exc:
        return _error(400, str(exc), wants)
    checker = _checker()
    report = checker.check(StoreContext(current_app.extensions["kg.engine"].store), Graph(), contribution.graph)
    return _report_response(report, contribution.where, wants)

"""Discovery documents: VoID, the example-query catalogue, the release dumps, and the OpenAPI description.

``/.well-known/void`` serves the VoID the build wrote (var/dist/void.ttl); the examples follow
the SIB sparql-examples style (one ``sh:SPARQLExecutable`` per query, the text in ``sh:select``
and friends, ``schema:target`` the endpoint), so tools that harvest such catalogues find them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_from_directory

from ..catalog import load_examples
from .formats import GRAPH_TYPES, content_type, negotiate, pick_format
from .http import error, settings
from .protocol import engine

bp = Blueprint("wellknown", __name__)
DIST_TYPES = {".trig": "application/trig", ".nq": "application/n-quads", ".ttl": "text/turtle",
              ".nt": "application/n-triples", ".jsonld": "application/ld+json", ".html": "text/html"}
_FORM = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
OPENAPI = Path(__file__).with_name("openapi.yaml")


def _rdf(turtle: str) -> Response:
    """Turtle as is, or re-serialized in the negotiated RDF format."""
    mime = negotiate(request.accept_mimetypes, GRAPH_TYPES, "text/turtle", pick_format(request.args.getlist("format")))
    if mime is None:
        return error(406, f"available as {', '.join(GRAPH_TYPES)}")
    if mime == "text/turtle":
        return Response(turtle, content_type=content_type(mime))
    triples = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    return Response(ox.serialize(triples, format=GRAPH_TYPES[mime], prefixes=engine().prefixes),
                    content_type=content_type(mime))


@bp.route("/.well-known/void")
def void() -> Response:
    path = settings().dist_dir / "void.ttl"
    if not path.is_file():
        return error(404, "no VoID description: run `kg build`")
    return _rdf(path.read_text(encoding="utf-8"))


def _literal(text: str, lang: str | None = None) -> str:
    return json.dumps(text, ensure_ascii=False) + (f"@{lang}" if lang else "")


def examples_turtle(base: str, endpoint: str) -> str:
    """The catalogue in queries/ as Turtle, in the SIB sparql-examples style."""
    out = ["@prefix sh: <http://www.w3.org/ns/shacl#> .", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix schema: <https://schema.org/> .", ""]
    for ex in load_examples(settings().queries_dir):
        form = _FORM.get(ex.form, "select")
        kind = "sh:SPARQLExecutable" + (f", sh:SPARQL{form.capitalize()}Executable" if form != "describe" else "")
        lines = [f"<{base}query/{ex.slug}> a {kind} ;"]
        lines += [f"    rdfs:label {_literal(t, lang)} ;" for lang, t in sorted(ex.titles.items())]
        lines += [f"    rdfs:comment {_literal(d, lang)} ;" for lang, d in sorted(ex.descriptions.items())]
        lines += [f"    schema:keywords {_literal(k)} ;" for k in ex.keywords]
        lines += [f"    sh:{form} {_literal(ex.query)} ;", f"    schema:target <{endpoint}> ."]
        out += [*lines, ""]
    return "\n".join(out)


@bp.route("/.well-known/sparql-examples")
def sparql_examples() -> Response:
    return _rdf(examples_turtle(settings().base, request.url_root.rstrip("/") + "/sparql"))


@bp.route("/dist/<path:name>")
def dist(name: str) -> Response:
    """The release files of the build (dumps, VoID, ontology docs)."""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    response = send_from_directory(settings().dist_dir, name, mimetype=DIST_TYPES.get(suffix))
    response.headers["Content-Type"] = content_type(response.mimetype)
    return response


@bp.route("/openapi.yaml")
def openapi() -> Response:
    """The HTTP API as OpenAPI 3.1 (also what the property-based tests fuzz against)."""
    return Response(OPENAPI.read_bytes(), content_type="application/yaml; charset=utf-8")

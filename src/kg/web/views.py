"""Routes of the web UI: query editor, entity pages, timeline, network, positions, ontology docs."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    render_template,
    request,
    send_file,
    url_for,
)

from ..catalog import load_examples
from ..config import Settings
from ..namespaces import ID_KINDS
from .lookup import KA, Reader

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

UI_LANGS = ("en", "ja")
LANG_COOKIE = "kg-lang"
# Entity serializations: media type → (pyoxigraph format, file suffix).
RDF_TYPES: dict[str, tuple[ox.RdfFormat, str]] = {
    "text/turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "jsonld"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
}
SUFFIXES = {suffix: mime for mime, (_fmt, suffix) in RDF_TYPES.items()}
# Only characters an IRI path segment of ours can hold: nothing that could end an IRI in SPARQL.
SAFE_PATH = re.compile(r"[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]+)*")
SAFE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
INTERACTIONS = ("met", "wrote", "instructed")


def settings() -> Settings:
    return current_app.extensions["kg.settings"]


def reader() -> Reader:
    """Page queries go through the app's runner: the worker pool's hard timeout applies to them too."""
    return Reader(current_app.extensions["kg.engine"], g.lang, current_app.extensions["kg.runner"])


@bp.before_app_request
def choose_language() -> None:
    """Label language: ?lang= (remembered in a cookie), else the cookie, else English."""
    asked = request.args.get("lang")
    g.lang_asked = asked if asked in UI_LANGS else None
    g.lang = g.lang_asked or request.cookies.get(LANG_COOKIE) or "en"
    if g.lang not in UI_LANGS:
        g.lang = "en"


@bp.after_app_request
def remember_language(response: Response) -> Response:
    if getattr(g, "lang_asked", None):
        response.set_cookie(LANG_COOKIE, g.lang_asked, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@bp.app_context_processor
def page_helpers() -> dict[str, object]:
    def lang_url(lang: str) -> str:
        """The current page in another label language."""
        args = {k: v for k, v in request.args.items(multi=True) if k != "lang"}
        args["lang"] = lang
        return request.path + "?" + urlencode(args)

    def t(en: str, ja: str) -> str:
        """UI chrome in the chosen language."""
        return ja if g.get("lang") == "ja" else en

    return {"lang": g.get("lang", "en"), "lang_url": lang_url, "t": t}


# -- query page ----------------------------------------------------------------------------------

@bp.route("/")
def query_page() -> str:
    examples = load_examples(settings().queries_dir) if settings().queries_dir.is_dir() else []
    engine = current_app.extensions["kg.engine"]
    return render_template("query.html", examples=examples, prefixes=engine.prefixes, base=engine.base,
                           examples_by_slug={ex.slug: ex.query for ex in examples},
                           preset=request.args.get("query", ""))


# -- entity pages --------------------------------------------------------------------------------

def negotiated_rdf_type() -> str | None:
    """The RDF media type the client prefers over HTML, if any."""
    offered = ["text/html", *RDF_TYPES]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    return best if best in RDF_TYPES else None


def rdf_response(rd: Reader, iri: str, mime: str) -> Response:
    fmt = RDF_TYPES[mime][0]
    triples = rd.describe(iri)
    prefixes = current_app.extensions["kg.engine"].prefixes if fmt == ox.RdfFormat.TURTLE else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return Response(body, content_type=f"{mime}; charset=utf-8")


def entity_response(iri: str, mime: str | None, kind: str | None = None) -> Response:
    """A resource's page, its RDF, or the helpful 404; all vary on Accept (caches must not mix them)."""
    rd = reader()
    if not rd.exists(iri):
        response = make_response(render_template("notfound.html", iri=iri, kind=kind, kinds=ID_KINDS), 404)
    elif mime:
        response = rdf_response(rd, iri, mime)
    else:
        alternates = {suffix: request.path + "." + suffix for _m, (_f, suffix) in RDF_TYPES.items()}
        response = make_response(render_template("entity.html", e=rd.entity(iri), alternates=alternates))
    response.vary.add("Accept")
    return response


@bp.route("/id/<path:rest>")
def entity(rest: str) -> str | Response | tuple[str, int]:
    """Dereference a data IRI: HTML for browsers, RDF by Accept or by a .ttl/.jsonld/.nt suffix."""
    mime = None
    stem, _, suffix = rest.rpartition(".")
    if stem and suffix in SUFFIXES:
        rest, mime = stem, SUFFIXES[suffix]
    rest = rest.rstrip("/")
    kind = rest.split("/", 1)[0]
    if "/" not in rest and kind in ID_KINDS:
        return browse(kind)
    if not SAFE_PATH.fullmatch(rest) or "/" not in rest:
        return render_template("notfound.html", iri=None, kind=kind, kinds=ID_KINDS), 404
    return entity_response(reader().iri_for_path(rest), mime or negotiated_rdf_type(), kind)


@bp.route("/browse")
def browse_index() -> str:
    return render_template("browse.html", kinds=reader().kinds(), kind=None, members=[])


def browse(kind: str) -> str:
    rd = reader()
    return render_template("browse.html", kinds=rd.kinds(), kind=kind, members=rd.members(kind))


# -- views ---------------------------------------------------------------------------------------

def _in_range(date: str, start: str, end: str) -> bool:
    """Whether an ISO date, year-month or year overlaps [start, end] (both optional, ISO days)."""
    return (not start or date >= start[:len(date)]) and (not end or date <= end[:len(date)])


@bp.route("/timeline")
def timeline() -> str:
    """Events in date order, filterable by person, organization and issue (server-side, linkable)."""
    rd = reader()
    events = rd.events()
    agents = rd.agents_by_kind({a for e in events for a in e["agents"]})
    issues = rd.issues({i for e in events for i in e["issues"]})
    chosen = {k: request.args.get(k, "") for k in ("person", "organization", "issue")}
    shown = [e for e in events
             if (not chosen["person"] or chosen["person"] in e["agents"])
             and (not chosen["organization"] or chosen["organization"] in e["agents"])
             and (not chosen["issue"] or chosen["issue"] in e["issues"])]
    items = [{"id": i, "start": e["date"], "end": e["end"], "content": e["event"].text,
              "title": " / ".join(filter(None, (e["date"], e["event"].text, e["event"].alt))), "href": e["event"].href,
              "group": e["type"].text if e["type"] else ""} for i, e in enumerate(shown)]
    return render_template("timeline.html", events=shown, total=len(events), items=items, agents=agents,
                           issues=issues, chosen=chosen)


@bp.route("/network")
def network() -> str:
    """Who met, wrote to or instructed whom, weighted by the number of occasions, in a date range."""
    rd = reader()
    start, end = request.args.get("from", ""), request.args.get("to", "")
    # The form sends "on" from a ticked box before its hidden "off"; a kind not mentioned is shown.
    kinds = [k for k in INTERACTIONS if request.args.get(k, "on") == "on"]
    every = rd.interactions()
    rows = [r for r in every if r["kind"] in kinds and _in_range(r["d"], start, end)]
    occasions: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in rows:
        occasions[(r["kind"], r["a"], r["b"])].add(r["key"])
    degree: Counter[str] = Counter()
    for (_kind, a, b), keys in occasions.items():
        degree[a] += len(keys)
        degree[b] += len(keys)
    groups = rd.agents_by_kind(set(degree))
    persons = {v.iri for v in groups["person"]}
    nodes = [{"id": v.iri, "label": v.text, "title": v.alt or v.text, "href": v.href, "value": degree[v.iri],
              "group": "person" if v.iri in persons else "organization"}
             for v in groups["person"] + groups["organization"]]
    names = {n["id"]: n["label"] for n in nodes}
    arrow = {"met": "—", "wrote": "→", "instructed": "⇒"}
    edges = [{"from": a, "to": b, "kind": kind, "value": len(keys),
              "title": f"{names[a]} {arrow[kind]} {names[b]}: {len(keys)} × {kind}"}
             for (kind, a, b), keys in sorted(occasions.items())]
    table = sorted(({"kind": e["kind"], "a": names[e["from"]], "b": names[e["to"]], "n": e["value"],
                     "a_href": rd.href(e["from"]), "b_href": rd.href(e["to"])} for e in edges),
                   key=lambda e: (-e["n"], e["a"], e["b"]))
    dates = sorted(r["d"] for r in every)
    per_kind = Counter({kind: len({r["key"] for r in rows if r["kind"] == kind}) for kind in INTERACTIONS})
    return render_template("network.html", nodes=nodes, edges=edges, table=table, start=start, end=end,
                           kinds=kinds, per_kind=per_kind, first=dates[0] if dates else "",
                           last=dates[-1] if dates else "")


@bp.route("/positions")
def positions() -> str:
    """Per issue, who held which position when, and how it changed (supersedes/softens/hardens)."""
    rd = reader()
    every = rd.positions()
    issue_iris = {i for p in every for i in p["issues"]}
    issues = rd.issues(issue_iris)
    chosen_issue = request.args.get("issue", "")
    chosen_holder = request.args.get("holder", "")
    holders = rd.agents_by_kind({h for p in every for h in p["holders"]})
    sections = []
    for issue in issues:
        if chosen_issue and issue.iri != chosen_issue:
            continue
        lanes: dict[str, list[dict]] = defaultdict(list)
        lane_names: dict[str, list] = {}
        for p in every:
            if issue.iri in p["issues"] and (not chosen_holder or chosen_holder in p["holders"]):
                key = " ".join(sorted(p["holders"])) or "-"
                lanes[key].append(p)
                lane_names[key] = p["holder_values"]
        if lanes:
            ordered = sorted(lanes.items(), key=lambda kv: kv[1][0]["date"])
            sections.append({"issue": issue, "lanes": [(lane_names[k], ps) for k, ps in ordered],
                             "count": sum(len(ps) for ps in lanes.values())})
    return render_template("positions.html", sections=sections, issues=issues, holders=holders,
                           chosen_issue=chosen_issue, chosen_holder=chosen_holder)


# -- ontology ------------------------------------------------------------------------------------

@bp.route("/ontology")
@bp.route("/ontology.<suffix>")
def ontology(suffix: str | None = None) -> Response | tuple[str, int]:
    """pyLODE docs for browsers, Turtle by Accept or by the .ttl suffix (both written by `kg build`)."""
    dist = settings().dist_dir
    if suffix not in (None, "ttl", "html"):
        abort(404)
    best = request.accept_mimetypes.best_match(["text/html", "text/turtle"], default="text/html")
    want_ttl = suffix == "ttl" or (suffix is None and best == "text/turtle")
    path = dist / ("ontology.ttl" if want_ttl else "ontology.html")
    if not path.exists():
        return render_template("notfound.html", iri=None, kind=None, kinds=ID_KINDS,
                               message="The ontology documentation has not been built yet: run `kg build`."), 404
    if want_ttl:
        response = send_file(path, mimetype="text/turtle")
    else:
        html = path.read_text(encoding="utf-8")
        banner = render_template("ontology_banner.html")
        response = Response(html.replace("<body>", "<body>" + banner, 1), mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/ontology/<name>")
def ontology_term(name: str) -> Response:
    """One class or property of the ontology, rendered like an entity page."""
    if not SAFE_NAME.fullmatch(name):
        abort(404)
    return entity_response(KA + name, negotiated_rdf_type())


@bp.app_template_filter("permalink")
def permalink(query: str) -> str:
    """A URL that opens the query page with this query preloaded."""
    return url_for("web.query_page", query=query)

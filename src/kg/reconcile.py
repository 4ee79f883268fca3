"""`/reconcile`: a W3C Reconciliation Service API (v0.2) endpoint over the graph's entities.

OpenRefine users reconcile names in their own spreadsheets against our persons, organizations,
places, treaties, documents and events. Names are matched over every rdfs:label and skos:altLabel
(Japanese, English, Hangul, hanja, variant romanizations) after normalisation, and scored with
rapidfuzz. The label index is built once when the app starts (one SPARQL pass over the store), so a
query costs no store access; it does not see updates made after start-up.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from markupsafe import escape
from rapidfuzz import fuzz, process

from .namespaces import KA
from .sparql.engine import Engine
from .sparql.http import error

bp = Blueprint("reconcile", __name__)

# The types a query may name, top classes first; subclasses are matched by rdfs:subClassOf*.
DEFAULT_TYPES = ("Person", "Organization", "Place", "Treaty", "Document", "Event")
# Types whose bracketed label parts are names of the entity itself ('ダレス（John F. Dulles）').
NAMED_TYPES = ("Person", "Organization", "Place", "Treaty")
# Query properties (the spec's `pid`) a candidate can be checked against: ka: datatype properties.
PROPERTIES = ("birthYear", "deathYear", "date", "endDate")
DEFAULT_LIMIT = 5
MAX_QUERIES = 500
SCORE_CUTOFF = 60.0
# A query found inside a longer name ('Clark' in 'Mark W. Clark', '李承晩' in a document title) scores
# CONTAINED_BASE plus up to CONTAINED_SPAN by the share of the name it covers: below any exact match.
CONTAINED_BASE, CONTAINED_SPAN = 70.0, 20.0
PROPERTY_MISMATCH = 30.0  # a stated property the candidate contradicts
PROPERTY_UNKNOWN = 10.0  # a stated property the candidate has no value for
CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
PREVIEW_SIZE = (400, 160)
EXTENSION = "kg.reconcile"


def _fold(text: str) -> str:
    """NFKC, case-folded, Latin diacritics dropped (Pyŏn → pyon); kana voicing marks and Hangul kept."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F)
    return unicodedata.normalize("NFC", kept)


def spaced(text: str) -> str:
    """Words of the folded text, punctuation and hyphens as spaces (for order-insensitive scoring)."""
    return " ".join("".join(c if c.isalnum() else " " for c in _fold(text)).split())


def compact(text: str) -> str:
    """The folded text without spaces, punctuation or hyphens: 'Pyun Yung-tai' → 'pyunyungtai'."""
    return spaced(text).replace(" ", "")


def query_variants(text: str) -> list[str]:
    """The query as given and, for 'Last, First', as 'First Last'."""
    variants = [text]
    last, comma, first = text.partition(",")
    if comma and first.strip() and "," not in first:
        variants.append(f"{first.strip()} {last.strip()}")
    return variants


def label_variants(label: str) -> list[str]:
    """A label and, for 'ダレス（John F. Dulles）', the name before and the name in the closing brackets."""
    found = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", unicodedata.normalize("NFKC", label).strip())
    return [label, found.group(1), found.group(2)] if found else [label]


@dataclass
class Entity:
    """What the index keeps of one entity: enough to answer and preview without the store."""

    id: str  # the path under <base>id/, e.g. person/syngman-rhee
    iri: str
    types: list[str] = field(default_factory=list)  # top types first, then the asserted class
    labels: dict[str, str] = field(default_factory=dict)  # language → label
    description: str = ""
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def name(self) -> str:
        return self.labels.get("en") or next(iter(sorted(self.labels.values())), self.id)


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    matched: str  # the label or variant that scored best
    properties_ok: bool


class LabelIndex:
    """Normalised labels of every reconcilable entity, scored with rapidfuzz."""

    def __init__(self, entities: dict[str, Entity], names: list[tuple[str, str]]) -> None:
        self.entities = entities
        self.owners = [iri for iri, _text in names]
        self.texts = [text for _iri, text in names]
        self.compact = [compact(text) for text in self.texts]
        self.spaced = [spaced(text) for text in self.texts]

    @classmethod
    def from_engine(cls, engine: Engine) -> LabelIndex:
        """Read types, names and checkable values of every entity of the default types."""
        ka, ids = str(KA), f"{engine.base}id/"
        entities: dict[str, Entity] = {}
        tops = " ".join(f"ka:{t}" for t in DEFAULT_TYPES)
        for r in engine.query(f"""PREFIX ka: <{ka}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                SELECT ?e ?top ?cls WHERE {{ VALUES ?top {{ {tops} }} ?e a ?cls . ?cls rdfs:subClassOf* ?top .
                FILTER (STRSTARTS(STR(?e), "{ids}")) }} ORDER BY ?e ?top"""):
            iri = r["e"].value
            entity = entities.setdefault(iri, Entity(iri[len(ids):], iri))
            for t in (r["top"].value[len(ka):], r["cls"].value[len(ka):]):
                if t not in entity.types:
                    entity.types.append(t)
        rank = {t: i for i, t in enumerate(DEFAULT_TYPES)}
        for entity in entities.values():
            entity.types.sort(key=lambda t: (rank.get(t, len(rank)), t))
        names: list[tuple[str, str]] = []
        checkable = " ".join(f"ka:{p}" for p in PROPERTIES)
        for r in engine.query(f"""PREFIX ka: <{ka}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dcterms: <http://purl.org/dc/terms/>
                SELECT ?e ?p ?v WHERE {{
                    VALUES ?p {{ rdfs:label skos:altLabel dcterms:description {checkable} }}
                    ?e ?p ?v . FILTER (STRSTARTS(STR(?e), "{ids}")) }} ORDER BY ?e ?p ?v"""):
            entity = entities.get(r["e"].value)
            if entity is None:
                continue
            prop, value = r["p"].value, r["v"]
            if prop.endswith("#label") or prop.endswith("#altLabel"):
                if prop.endswith("#label"):
                    entity.labels.setdefault(getattr(value, "language", None) or "", value.value)
                named = entity.types[0] in NAMED_TYPES  # a document's '(Dulles–Yang)' names its parties, not it
                names += [(entity.iri, v) for v in (label_variants(value.value) if named else [value.value])]
            elif prop.endswith("/description"):
                if getattr(value, "language", None) == "en":
                    entity.description = value.value
            else:
                entity.values[prop[len(ka):]].append(value.value)
        return cls(entities, names)

    def search(self, text: str, types: set[str] | None = None, properties: list[tuple[str, str]] | None = None,
               limit: int = DEFAULT_LIMIT) -> list[Candidate]:
        """Best candidates first: name score, less a penalty per stated property the candidate fails."""
        best: dict[str, tuple[float, str]] = {}  # entity → (name score, the name that scored)

        def offer(i: int, score: float) -> None:
            owner = self.owners[i]
            if (not types or types.intersection(self.entities[owner].types)) and score > best.get(owner, (-1, ""))[0]:
                best[owner] = (score, self.texts[i])

        for variant in query_variants(text):
            for choices, query, scorer in ((self.compact, compact(variant), fuzz.ratio),
                                           (self.spaced, spaced(variant), fuzz.token_sort_ratio)):
                for _choice, score, i in process.extract(query, choices, scorer=scorer, processor=None, limit=None,
                                                         score_cutoff=SCORE_CUTOFF) if query else []:
                    offer(i, score)
            query = compact(variant)
            for i, name in enumerate(self.compact) if len(query) > 1 else []:
                if query in name and len(query) < len(name):
                    offer(i, CONTAINED_BASE + CONTAINED_SPAN * len(query) / len(name))
        candidates = []
        for owner, (score, matched) in best.items():
            entity = self.entities[owner]
            penalty, ok = 0.0, True
            for pid, wanted in properties or []:
                have = entity.values.get(pid, [])
                if not have:
                    penalty, ok = penalty + PROPERTY_UNKNOWN, False
                elif not any(v.startswith(wanted) or wanted.startswith(v) for v in have):
                    penalty, ok = penalty + PROPERTY_MISMATCH, False
            candidates.append(Candidate(entity, round(max(score - penalty, 0.0), 1), matched, ok))
        candidates.sort(key=lambda c: (-c.score, c.entity.name, c.entity.id))
        return candidates[:limit]


def index() -> LabelIndex:
    return current_app.extensions[EXTENSION]


@bp.record_once
def build_index(state: BlueprintSetupState) -> None:
    """Index the labels once, when the app is created."""
    state.app.extensions[EXTENSION] = LabelIndex.from_engine(state.app.extensions["kg.engine"])


def _type_name(type_id: str) -> dict[str, str]:
    return {"id": type_id, "name": re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type_id)}


def manifest(site: str) -> dict[str, Any]:
    """The service manifest; entity views and previews are served by this same site."""
    engine: Engine = current_app.extensions["kg.engine"]
    width, height = PREVIEW_SIZE
    return {
        "versions": ["0.2"],
        "name": "Korean armistice negotiations 1953 (korea1953)",
        "identifierSpace": f"{engine.base}id/",
        "schemaSpace": str(KA),
        "defaultTypes": [_type_name(t) for t in DEFAULT_TYPES],
        "view": {"url": f"{site}/id/{{{{id}}}}"},
        "preview": {"url": f"{site}/reconcile/preview?id={{{{id}}}}", "width": width, "height": height},
        "suggest": {"entity": {"service_url": site, "service_path": "/reconcile/suggest/entity"}},
    }


class BadQuery(ValueError):
    """A reconciliation query the service cannot read; answered with 400 and the reason."""


def _properties(raw: Any) -> list[tuple[str, str]]:
    out = []
    for prop in raw or []:
        if not isinstance(prop, dict) or "pid" not in prop or "v" not in prop:
            raise BadQuery(f"a property must be an object with 'pid' and 'v': {prop!r}")
        pid = str(prop["pid"]).removeprefix(str(KA)).removeprefix("ka:")
        if pid not in PROPERTIES:
            raise BadQuery(f"unknown property {prop['pid']!r}; this service knows {', '.join(PROPERTIES)}")
        values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
        out += [(pid, str(v.get("id", v.get("name", "")) if isinstance(v, dict) else v).strip()) for v in values]
    return out


def answer(query: Any) -> dict[str, Any]:
    """Results for one query object ({query, type, limit, properties}) or a bare query string."""
    if isinstance(query, str):
        query = {"query": query}
    if not isinstance(query, dict) or not isinstance(query.get("query"), str):
        raise BadQuery("each query needs a 'query' string")
    wanted = query.get("type")
    types = None
    if wanted:
        names = wanted if isinstance(wanted, list) else [wanted]
        types = {str(t).removeprefix(str(KA)).removeprefix("ka:") for t in names}
    try:
        limit = max(1, int(query.get("limit") or DEFAULT_LIMIT))
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadQuery(f"'limit' must be a positive integer, not {query.get('limit')!r}") from exc
    properties = _properties(query.get("properties"))
    found = index().search(query["query"], types, properties, limit)
    results = [{
        "id": c.entity.id,
        "name": c.entity.name,
        "description": c.matched if c.matched != c.entity.name else c.entity.description[:200],
        "type": [_type_name(t) for t in c.entity.types],
        "score": c.score,
        "match": False,
    } for c in found]
    if found and found[0].score == 100 and found[0].properties_ok and (len(found) == 1 or found[1].score < 100):
        results[0]["match"] = True
    return {"result": results}


def _json(payload: Any) -> Response:
    """JSON, or JSONP when OpenRefine (or a browser page) asks with callback=."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.values.get("callback")
    if callback is None:
        return Response(body, content_type="application/json; charset=utf-8")
    if not CALLBACK.fullmatch(callback):
        return error(400, "callback must be a JavaScript identifier (letters, digits, _, $ and dots)")
    return Response(f"/**/{callback}({body});", content_type="application/javascript; charset=utf-8")


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile() -> Response:
    """The manifest without parameters; results for `queries` (a batch) or `query` (one)."""
    values = request.values
    if "extend" in values:
        return error(400, "data extension is not offered by this service")
    if "queries" not in values and "query" not in values:
        return _json(manifest(request.host_url.rstrip("/")))
    try:
        if "queries" in values:
            batch = json.loads(values["queries"])
            if not isinstance(batch, dict):
                raise BadQuery("'queries' must be a JSON object of query objects keyed by id")
            if len(batch) > MAX_QUERIES:
                raise BadQuery(f"at most {MAX_QUERIES} queries per request")
            return _json({key: answer(q) for key, q in batch.items()})
        raw = values["query"]
        return _json(answer(json.loads(raw) if raw.lstrip().startswith("{") else raw))
    except json.JSONDecodeError as exc:
        return error(400, f"the queries are not valid JSON: {exc}")
    except RecursionError:
        return error(400, "the queries are nested too deeply to be reconciliation queries")
    except BadQuery as exc:
        return error(400, str(exc))


@bp.route("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    """Autocomplete for OpenRefine's 'search for match' box: the best names for a typed prefix."""
    prefix = request.args.get("prefix", "")
    wanted = request.args.get("type")
    found = index().search(prefix, {wanted.removeprefix("ka:")} if wanted else None, limit=10) if prefix else []
    return _json({"result": [{"id": c.entity.id, "name": c.entity.name, "description": ", ".join(c.entity.types)}
                             for c in found]})


@bp.route("/reconcile/preview")
def preview() -> Response | tuple[Response, int]:
    """A small HTML card for OpenRefine's preview pane."""
    entity_id = request.args.get("id", "")
    engine: Engine = current_app.extensions["kg.engine"]
    entity = index().entities.get(f"{engine.base}id/{entity_id}")
    if entity is None:
        return error(404, f"no reconcilable entity with id {entity_id!r}"), 404
    width, height = PREVIEW_SIZE
    others = " · ".join(escape(v) for k, v in sorted(entity.labels.items()) if k != "en")
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(entity.name)}</title></head>'
        f'<body style="margin:0;font:13px sans-serif">'
        f'<div style="width:{width - 16}px;max-height:{height - 16}px;overflow:hidden;padding:8px">'
        f'<a href="/id/{escape(entity.id)}" target="_blank"><b>{escape(entity.name)}</b></a>'
        f' <small>{escape(", ".join(entity.types))}</small><br>{others}'
        f'<p style="margin:4px 0">{escape(entity.description)}</p></div></body></html>')
    return Response(html, content_type="text/html; charset=utf-8")

"""SPARQL-backed reads for the server-rendered pages.

Every page reads the store with pyoxigraph (never rdflib per request: rdflib's query path is slow
and not thread-safe), through the app's query runner when one is given: the worker pool then
enforces KG_QUERY_TIMEOUT on page queries as on /sparql, so no page can hold a request thread and
a core for longer. Terms are turned into small display records here so that templates only
format them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from werkzeug.exceptions import ServiceUnavailable

from ..sparql.engine import Dataset, Engine
from ..sparql.pool import Runner

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SEEALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KA = "https://w3id.org/korea1953/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Shown in their own sections of an entity page, not in the property table.
SECTION_PROPERTIES = {
    RDF_TYPE, RDFS_LABEL, DCT_DESCRIPTION, f"{KA}footnote", f"{KA}source", f"{SKOS}exactMatch",
    f"{SKOS}closeMatch", f"{KA}hasItem",
}
# OWL-RL closure noise that says nothing to a historian.
TRIVIAL_INFERRED_OBJECTS = {f"{OWL}Thing", f"{OWL}NamedIndividual", "http://www.w3.org/2000/01/rdf-schema#Resource"}
AUTHORITIES = {
    "wikidata.org": "Wikidata", "geonames.org": "GeoNames", "viaf.org": "VIAF",
    "history.state.gov": "history.state.gov", "id.loc.gov": "LoC", "ndl.go.jp": "NDL",
    "d-nb.info": "GND", "isni.org": "ISNI", "catalog.archives.gov": "NARA",
}
# Badge names for the ka:authority codes of the link data.
AUTHORITY_NAMES = {
    "wikidata": "Wikidata", "geonames": "GeoNames", "viaf": "VIAF", "snac": "SNAC", "pocom": "POCOM",
    "hsg-frus-document": "FRUS", "hsg-frus-persons": "FRUS persons", "hsg-people": "history.state.gov people",
}
LANGS = ("ja", "en", "ko")
EVOLUTION = "ka:supersedes|ka:softens|ka:hardens"


@dataclass
class Value:
    """One RDF term ready for display: a link (local page or external) or a literal."""

    text: str
    iri: str | None = None
    href: str | None = None
    alt: str | None = None  # the label in the other language, shown alongside
    lang: str | None = None
    datatype: str | None = None
    inferred: bool = False

    @property
    def external(self) -> bool:
        return bool(self.href) and not self.href.startswith("/")


@dataclass
class Labels:
    """Labels per IRI and language, and the reader's language choice."""

    by_iri: dict[str, dict[str, str]] = field(default_factory=dict)
    lang: str = "en"

    def primary(self, iri: str) -> str | None:
        found = self.by_iri.get(iri, {})
        for lang in (self.lang, "en", "ja", "ko", ""):
            if found.get(lang):
                return found[lang]
        return next(iter(found.values()), None)

    def secondary(self, iri: str) -> str | None:
        """The label in the other UI language, when it differs (Japanese beside English and back)."""
        other = "ja" if self.lang == "en" else "en"
        text = self.by_iri.get(iri, {}).get(other)
        return text if text and text != self.primary(iri) else None


class Reader:
    """Read-only page queries over the engine, for one request's language."""

    def __init__(self, engine: Engine, lang: str, runner: Runner | None = None) -> None:
        self.engine = engine
        self.runner = runner
        self.base = engine.base
        self.lang = lang
        self.inferred_graph = engine.graphs.inferred.value
        self.prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in engine.prefixes.items())

    # -- plumbing -------------------------------------------------------------------------------

    def select(self, sparql: str, inference: bool = False) -> list[dict[str, ox.NamedNode | ox.Literal]]:
        """Run a SELECT and return rows as dicts (unbound variables left out)."""
        result = self.query(self.prologue + sparql, self.dataset(inference))
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def dataset(self, inference: bool) -> Dataset:
        """Asserted data + ontology as the default graph; the inferred graph merged in or kept apart by name."""
        default = (self.engine.DEFAULT_GRAPH_IRI, self.engine.graphs.ontology.value)
        if inference:
            return Dataset(default_graphs=(*default, self.inferred_graph))
        return Dataset(default_graphs=default, named_graphs=(self.inferred_graph,))

    def ask(self, sparql: str) -> bool:
        return bool(self.query(self.prologue + sparql, self.dataset(False)))

    def query(self, sparql: str, dataset: Dataset, graph: bool = False) -> ox.QuerySolutions | ox.QueryBoolean | list:
        """Solutions, a boolean, or (``graph``) a list of triples; via the runner when there is one.

        A query stopped at the timeout becomes a 503 page; a page query that fails or is cut at
        KG_RESULT_LIMIT is a bug here, so a 500 (pages must not show partial data as if whole).
        """
        if self.runner is None:
            result = self.engine.query(sparql, dataset)
            return list(result) if graph else result
        accept = "application/n-triples" if graph else "application/sparql-results+json"
        answer = self.runner.run(sparql, dataset, accept, None)
        if answer.status == 503:
            raise ServiceUnavailable(answer.body.decode("utf-8", "replace").strip())
        if answer.status != 200 or answer.truncated:
            raise RuntimeError(f"page query failed ({answer.status}, truncated={answer.truncated}): "
                                      f"{answer.body[:300].decode('utf-8', 'replace')}")
        if graph:
            return [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)

    def href(self, iri: str) -> str | None:
        """Our own IRIs link to their page here; ontology terms to the ontology docs."""
        if iri.startswith(self.base + "id/"):
            return "/" + iri[len(self.base):]
        if iri.startswith(KA):
            return "/ontology/" + iri[len(KA):]
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def labels(self, iris: Iterable[str]) -> Labels:
        """rdfs:label / skos:prefLabel of many IRIs in one query."""
        iris = sorted({i for i in iris if i})
        out: dict[str, dict[str, str]] = defaultdict(dict)
        for start in range(0, len(iris), 400):
            values = " ".join(f"<{i}>" for i in iris[start:start + 400])
            rows = self.select(f"SELECT ?s ?l {{ VALUES ?s {{ {values} }} ?s rdfs:label|skos:prefLabel ?l }}")
            for row in rows:
                lit = row["l"]
                out[row["s"].value].setdefault(lit.language or "", lit.value)
        return Labels(dict(out), self.lang)

    def value(self, term: ox.NamedNode | ox.Literal | ox.BlankNode, labels: Labels, inferred: bool = False) -> Value:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            return Value(labels.primary(iri) or self.short(iri), iri, self.href(iri), labels.secondary(iri),
                         inferred=inferred)
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            shown = None if dt.startswith(XSD + "string") or term.language else dt.replace(XSD, "xsd:")
            return Value(term.value, lang=term.language, datatype=shown, inferred=inferred)
        return Value(str(term), inferred=inferred)

    def sorted_values(self, iris: Iterable[str], labels: Labels) -> list[Value]:
        """IRIs as labelled values, in label order (filter menus, participant and source lists)."""
        return sorted((self.value(ox.NamedNode(i), labels) for i in iris), key=lambda v: v.text)

    def short(self, iri: str) -> str:
        """A prefixed name for an IRI without a label."""
        best = max(((p, ns) for p, ns in self.engine.prefixes.items() if iri.startswith(ns)),
                   key=lambda pn: len(pn[1]), default=None)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else iri

    def iri_for_path(self, path: str) -> str:
        return f"{self.base}id/{path}"

    # -- entity pages ---------------------------------------------------------------------------

    def exists(self, iri: str) -> bool:
        return self.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")

    def entity(self, iri: str) -> dict[str, object]:
        """Everything an entity page shows, grouped into sections."""
        rows = self.select(f"""
            SELECT ?p ?o ?inf {{
              {{ <{iri}> ?p ?o BIND(false AS ?inf) }}
              UNION
              {{ GRAPH <{self.inferred_graph}> {{ <{iri}> ?p ?o }} FILTER NOT EXISTS {{ <{iri}> ?p ?o }}
                 BIND(true AS ?inf) }}
            }}""")
        incoming = self.select(f"""
            SELECT DISTINCT ?s ?p {{ ?s ?p <{iri}> FILTER(?p != rdf:type && isIRI(?s)) }} LIMIT 500""")
        iris = {iri} | {r["p"].value for r in rows + incoming} | {r["s"].value for r in incoming}
        iris |= {r["o"].value for r in rows if isinstance(r["o"], ox.NamedNode)}
        labels = self.labels(iris)

        descriptions: dict[str, str] = {}
        alt_labels: list[Value] = []
        types: list[Value] = []
        asserted: dict[str, list[Value]] = defaultdict(list)
        inferred: dict[str, list[Value]] = defaultdict(list)
        matches: list[str] = []
        for r in rows:
            p, o, inf = r["p"].value, r["o"], r["inf"].value == "true"
            if inf:
                if o.value in TRIVIAL_INFERRED_OBJECTS or (p == f"{OWL}sameAs" and o.value == iri):
                    continue
                inferred[p].append(self.value(o, labels, inferred=True))
                continue
            if p == DCT_DESCRIPTION and isinstance(o, ox.Literal):
                descriptions[o.language or ""] = o.value
            elif p == f"{SKOS}altLabel":
                alt_labels.append(self.value(o, labels))
            elif p == RDF_TYPE:
                types.append(self.value(o, labels))
            elif p in (f"{SKOS}exactMatch", f"{SKOS}closeMatch") or (
                    p == RDFS_SEEALSO and isinstance(o, ox.NamedNode) and not o.value.startswith(self.base)):
                matches.append(o.value)
                if p == RDFS_SEEALSO:
                    asserted[p].append(self.value(o, labels))
            elif p not in SECTION_PROPERTIES:
                asserted[p].append(self.value(o, labels))

        def table(props: dict[str, list[Value]]) -> list[tuple[Value, list[Value]]]:
            out = [(self.value(ox.NamedNode(p), labels), sorted(vs, key=lambda v: v.text)) for p, vs in props.items()]
            return sorted(out, key=lambda pv: (pv[0].text.lower()))

        referrers: dict[str, list[Value]] = defaultdict(list)
        for r in incoming:
            referrers[r["p"].value].append(self.value(r["s"], labels))

        stated_here = sorted(referrers.get(f"{KA}statedAt", []), key=lambda v: v.text)
        description = descriptions.get(self.lang) or descriptions.get("en") or descriptions.get("ja")
        other = descriptions.get("ja" if self.lang == "en" else "en")
        return {
            "iri": iri,
            "stated_here": stated_here,
            "title": labels.primary(iri) or self.short(iri),
            "subtitle": labels.secondary(iri),
            "labels": [(lang, labels.by_iri.get(iri, {}).get(lang)) for lang in LANGS
                       if labels.by_iri.get(iri, {}).get(lang)],
            "alt_labels": alt_labels,
            "description": description,
            "description_other": other if other != description else None,
            "types": sorted(types, key=lambda v: v.text),
            "properties": table(asserted),
            "inferred": table(inferred),
            "incoming": table(referrers),
            "footnotes": self.footnotes(iri),
            "sources": self.sources(iri),
            "authorities": self.authorities(iri, matches),
            "citation": self.citation(iri),
            "items": self.items(iri),
            "evolution": self.evolution(iri),
        }

    def footnotes(self, iri: str) -> list[dict[str, object]]:
        """The paper's footnotes behind a resource, with their text, in footnote order."""
        rows = self.select(f"""
            SELECT ?fn ?n ?text ?chapter {{
              <{iri}> ka:footnote ?fn .
              OPTIONAL {{ ?fn ka:footnoteNumber ?n }} OPTIONAL {{ ?fn ka:text ?text }}
              OPTIONAL {{ ?fn ka:inChapter ?chapter }}
            }}""")
        labels = self.labels(r["chapter"].value for r in rows if "chapter" in r)
        out = {}
        for r in rows:
            fn = r["fn"].value
            out.setdefault(fn, {
                "href": self.href(fn), "number": int(r["n"].value) if "n" in r else None,
                "text": r["text"].value if "text" in r else None,
                "chapter": self.value(r["chapter"], labels) if "chapter" in r else None,
            })
        return sorted(out.values(), key=lambda f: (f["number"] is None, f["number"] or 0))

    def sources(self, iri: str) -> list[dict[str, object]]:
        """Source documents (ka:source, ka:statedIn, ka:recordedIn) with their citation and links."""
        rows = self.select(f"""
            SELECT DISTINCT ?doc {{ <{iri}> ka:source|ka:statedIn|ka:recordedIn ?doc FILTER(isIRI(?doc)) }}""")
        labels = self.labels(r["doc"].value for r in rows)
        return [{"doc": self.value(r["doc"], labels), "citation": self.citation(r["doc"].value)}
                for r in sorted(rows, key=lambda r: r["doc"].value)]

    def citation(self, iri: str) -> dict[str, object] | None:
        """How to find a document: FRUS volume/part/pages/doc number, archive location, message ids."""
        rows = self.select(f"""
            SELECT ?vol ?volNum ?partNum ?first ?last ?frus ?msg ?dtg ?file ?unit ?see {{
              <{iri}> a ?t .
              OPTIONAL {{ <{iri}> ka:publishedIn ?vol
                         OPTIONAL {{ ?vol ka:volumeNumber ?volNum }} OPTIONAL {{ ?vol ka:partNumber ?partNum }} }}
              OPTIONAL {{ <{iri}> ka:firstPage ?first }} OPTIONAL {{ <{iri}> ka:lastPage ?last }}
              OPTIONAL {{ <{iri}> ka:frusDocumentNumber ?frus }} OPTIONAL {{ <{iri}> ka:messageNumber ?msg }}
              OPTIONAL {{ <{iri}> ka:dateTimeGroup ?dtg }} OPTIONAL {{ <{iri}> ka:fileNumber ?file }}
              OPTIONAL {{ <{iri}> ka:heldIn ?unit }}
              OPTIONAL {{ <{iri}> rdfs:seeAlso ?see FILTER(isIRI(?see) && CONTAINS(STR(?see), "history.state.gov")) }}
              FILTER EXISTS {{ <{iri}> a/rdfs:subClassOf* ka:Document }}
            }} LIMIT 50""")
        if not rows:
            return None
        first = rows[0]
        units = sorted({r["unit"].value for r in rows if "unit" in r})
        chain = self.archive_chain(units)
        labels = self.labels([first["vol"].value] if "vol" in first else [])

        def lit(key: str) -> str | None:
            return first[key].value if key in first else None

        pages = lit("first")
        if pages and lit("last") and lit("last") != pages:
            pages = f"{pages}–{lit('last')}"
        return {
            "volume": self.value(first["vol"], labels) if "vol" in first else None,
            "volume_number": lit("volNum"), "part": lit("partNum"), "pages": pages,
            "frus_doc": lit("frus"), "message": lit("msg"), "dtg": lit("dtg"), "file": lit("file"),
            "archive": chain, "hsg": sorted({r["see"].value for r in rows if "see" in r}),
        }

    def archive_chain(self, units: list[str]) -> list[list[Value]]:
        """Each archival unit with the units it is part of, innermost first, as footnotes cite (folder › box › RG)."""
        chains = []
        for unit in units:
            rows = self.select(f"""
                SELECT ?u (COUNT(?mid) AS ?depth) {{
                  <{unit}> ka:partOfUnit* ?u . ?u ka:partOfUnit* ?mid
                }} GROUP BY ?u ORDER BY DESC(?depth)""")
            labels = self.labels(r["u"].value for r in rows)
            chains.append([self.value(r["u"], labels) for r in rows])
        return chains

    def authorities(self, iri: str, matches: list[str]) -> list[dict[str, str | None]]:
        """Authority links as badges: skos matches, seeAlso to authorities, and ka:AuthorityLink nodes."""
        rows = self.select(f"""
            SELECT ?link ?target ?authority ?id ?match {{
              ?link ka:linkSubject <{iri}> .
              OPTIONAL {{ ?link ka:linkTarget ?target }} OPTIONAL {{ ?link ka:authority ?authority }}
              OPTIONAL {{ ?link ka:externalId ?id }} OPTIONAL {{ ?link ka:matchType ?match }}
            }}""")
        seen: dict[str, dict[str, str | None]] = {}
        for r in rows:
            target = r["target"].value if "target" in r else None
            key = target or r["link"].value
            code = r["authority"].value if "authority" in r else None
            ident = r["id"].value if "id" in r else None
            volume = re.search(r"/historicaldocuments/frus[\d-]+(v\d+p?\d*)/", target or "")
            seen.setdefault(key, {
                "href": target, "authority": AUTHORITY_NAMES.get(code or "", code) or authority_name(target),
                "id": f"{volume.group(1)} {ident}" if volume and ident and "persons" in (target or "") else ident,
                "node": self.href(r["link"].value), "match": self.short(r["match"].value) if "match" in r else None,
            })
        for target in matches:
            if target not in seen and authority_name(target):
                seen[target] = {"href": target, "authority": authority_name(target),
                                "id": target.rstrip("/").rsplit("/", 1)[-1], "node": None, "match": None}
        return sorted(seen.values(), key=lambda a: (a["authority"] or "", a["id"] or ""))

    def items(self, iri: str) -> list[dict[str, object]]:
        """A position's numbered items, in order."""
        rows = self.select(f"""
            SELECT ?item ?n ?text {{
              <{iri}> ka:hasItem ?item . OPTIONAL {{ ?item ka:itemNumber ?n }}
              OPTIONAL {{ ?item ka:text ?text }}
            }}""")
        labels = self.labels(r["item"].value for r in rows)
        out = [{"item": self.value(r["item"], labels), "number": int(r["n"].value) if "n" in r else None,
                "text": r["text"].value if "text" in r else None} for r in rows]
        return sorted(out, key=lambda i: (i["number"] is None, i["number"] or 0, i["item"].text))

    def evolution(self, iri: str) -> list[dict[str, object]]:
        """The chain of positions linked to this one by supersedes/softens/hardens, in date order."""
        rows = self.select(f"""
            SELECT DISTINCT ?later ?rel ?earlier {{
              <{iri}> ({EVOLUTION}|^ka:supersedes|^ka:softens|^ka:hardens)* ?later .
              ?later ?rel ?earlier FILTER(?rel IN (ka:supersedes, ka:softens, ka:hardens))
            }}""")
        if not rows:
            return []
        nodes = {r["later"].value for r in rows} | {r["earlier"].value for r in rows}
        return self.position_chain(nodes, rows, current=iri)

    def position_chain(self, nodes: set[str], edges: list[dict], current: str | None = None) -> list[dict[str, object]]:
        """Positions in date order, each with how it relates to the ones before it."""
        values = " ".join(f"<{n}>" for n in nodes)
        dates = {r["p"].value: r["d"].value for r in self.select(
            f"SELECT ?p ?d {{ VALUES ?p {{ {values} }} ?p ka:date ?d }}")}
        labels = self.labels(nodes | {e["rel"].value for e in edges})
        out = []
        for node in sorted(nodes, key=lambda n: (dates.get(n, ""), n)):
            relations = [(self.value(e["rel"], labels), self.value(e["earlier"], labels))
                         for e in edges if e["later"].value == node]
            out.append({"position": self.value(ox.NamedNode(node), labels), "date": dates.get(node),
                        "relations": relations, "current": node == current})
        return out

    # -- views ----------------------------------------------------------------------------------

    def specific_types(self, iris: set[str], root: str) -> dict[str, str]:
        """The most specific asserted class under ``root`` of each resource (Meeting, not Event)."""
        values = " ".join(f"<{i}>" for i in iris)
        rows = self.select(f"""
            SELECT ?s ?t {{ VALUES ?s {{ {values} }} ?s a ?t . ?t rdfs:subClassOf* <{root}>
              FILTER NOT EXISTS {{ ?s a ?t2 . ?t2 rdfs:subClassOf+ ?t FILTER(?t2 != ?t) }} }}""")
        return {r["s"].value: r["t"].value for r in rows}

    def events(self) -> list[dict[str, object]]:
        """Every dated event (with inference, so every subclass counts) with agents, issues and sources."""
        events: dict[str, dict[str, object]] = {}
        for r in self.select("SELECT ?e ?d ?end { ?e a ka:Event ; ka:date ?d OPTIONAL { ?e ka:endDate ?end } }",
                             inference=True):
            events.setdefault(r["e"].value, {"iri": r["e"].value, "date": r["d"].value,
                                             "end": r["end"].value if "end" in r else None,
                                             "agents": set(), "issues": set(), "sources": set()})
        # One query per facet: joining them would multiply rows (agents × issues × sources).
        facets = {
            "agents": "{ ?e ka:participant ?x } UNION { ?e ka:qualifiedParticipation/ka:agent ?x }",
            "issues": "?e ka:issue/skos:broader* ?x",
            "sources": "?e ka:source|ka:recordedIn ?x",
        }
        for key, pattern in facets.items():
            for r in self.select(f"SELECT DISTINCT ?e ?x {{ ?e a ka:Event . {pattern} FILTER(isIRI(?x)) }}",
                                 inference=True):
                if r["e"].value in events:
                    events[r["e"].value][key].add(r["x"].value)
        if not events:
            return []
        types = self.specific_types(set(events), f"{KA}Event")
        every = set(events) | set(types.values())
        for ev in events.values():
            every |= ev["agents"] | ev["issues"] | ev["sources"]
        labels = self.labels(every)
        out = []
        for ev in events.values():
            out.append({
                **ev, "event": self.value(ox.NamedNode(ev["iri"]), labels),
                "type": self.value(ox.NamedNode(types[ev["iri"]]), labels) if ev["iri"] in types else None,
                "agent_values": self.sorted_values(ev["agents"], labels),
                "issue_values": self.sorted_values(ev["issues"], labels),
                "source_values": self.sorted_values(ev["sources"], labels),
            })
        return sorted(out, key=lambda e: (e["date"], e["iri"]))

    def agents_by_kind(self, iris: set[str]) -> dict[str, list[Value]]:
        """Split agents into persons and organizations (for the filter menus)."""
        if not iris:
            return {"person": [], "organization": []}
        values = " ".join(f"<{i}>" for i in iris)
        persons = {r["a"].value for r in self.select(
            f"SELECT ?a {{ VALUES ?a {{ {values} }} ?a a ka:Person }}", inference=True)}
        labels = self.labels(iris)
        every = self.sorted_values(iris, labels)
        return {"person": [v for v in every if v.iri in persons],
                "organization": [v for v in every if v.iri not in persons]}

    def issues(self, iris: set[str]) -> list[Value]:
        return self.sorted_values(iris, self.labels(iris))

    def interactions(self) -> list[dict[str, str]]:
        """Who met, wrote to or instructed whom, one row per occasion (event or document) and pair."""
        rows = self.select("""
            SELECT DISTINCT ?kind ?a ?b ?key ?d {
              {
                ?e a ka:Meeting ; ka:date ?d .
                { ?e ka:attendee|ka:host ?a } UNION { ?e ka:qualifiedParticipation/ka:agent ?a }
                { ?e ka:attendee|ka:host ?b } UNION { ?e ka:qualifiedParticipation/ka:agent ?b }
                FILTER(STR(?a) < STR(?b)) BIND("met" AS ?kind) BIND(?e AS ?key)
              } UNION {
                ?e a ka:Communication ; ka:date ?d ; ka:sender ?a ; ka:recipient ?b .
                OPTIONAL { ?e ka:conveys ?doc }
                BIND("wrote" AS ?kind) BIND(COALESCE(?doc, ?e) AS ?key)
              } UNION {
                ?key a ka:Document ; ka:date ?d ; ka:author ?a ; ka:addressee ?b .
                FILTER NOT EXISTS { ?key a ka:ResearchPaper } FILTER NOT EXISTS { ?key a ka:Chapter }
                BIND("wrote" AS ?kind)
              } UNION {
                ?key a ka:Directive ; ka:date ?d ; ka:holder ?a ; ka:addressee ?b .
                BIND("instructed" AS ?kind)
              }
              FILTER(?a != ?b && isIRI(?a) && isIRI(?b))
            }""", inference=True)
        return [{k: r[k].value for k in ("kind", "a", "b", "key", "d")} for r in rows]

    def positions(self) -> list[dict[str, object]]:
        """Every dated position with its holders, issues (and their broader issues) and evolution links."""
        rows = self.select("""
            SELECT ?p ?d ?h ?i ?rel ?earlier {
              ?p a ka:Position ; ka:date ?d .
              OPTIONAL { ?p ka:holder ?h } OPTIONAL { ?p ka:issue/skos:broader* ?i }
              OPTIONAL { ?p ?rel ?earlier FILTER(?rel IN (ka:supersedes, ka:softens, ka:hardens)) }
            }""", inference=True)
        found: dict[str, dict[str, object]] = {}
        for r in rows:
            pos = found.setdefault(r["p"].value, {"iri": r["p"].value, "date": r["d"].value, "holders": set(),
                                                  "issues": set(), "links": set()})
            if "h" in r:
                pos["holders"].add(r["h"].value)
            if "i" in r:
                pos["issues"].add(r["i"].value)
            if "rel" in r:
                pos["links"].add((r["rel"].value, r["earlier"].value))
        if not found:
            return []
        types = self.specific_types(set(found), f"{KA}Position")
        every = set(found) | set(types.values()) | {f"{KA}supersedes", f"{KA}softens", f"{KA}hardens"}
        for pos in found.values():
            every |= pos["holders"] | pos["issues"]
        labels = self.labels(every)
        out = []
        for pos in found.values():
            out.append({
                **pos, "position": self.value(ox.NamedNode(pos["iri"]), labels),
                "type": self.value(ox.NamedNode(types[pos["iri"]]), labels) if pos["iri"] in types else None,
                "holder_values": self.sorted_values(pos["holders"], labels),
                "link_values": [(self.value(ox.NamedNode(rel), labels), self.value(ox.NamedNode(e), labels))
                                for rel, e in sorted(pos["links"])],
            })
        return sorted(out, key=lambda p: (p["date"], p["iri"]))

    def kinds(self) -> list[tuple[str, int]]:
        """How many resources of each IRI kind exist (for the browse page)."""
        rows = self.select(f"""
            SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) {{
              ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{self.base}id/"))
              BIND(STRBEFORE(STRAFTER(STR(?s), "{self.base}id/"), "/") AS ?kind)
            }} GROUP BY ?kind ORDER BY ?kind""")
        return [(r["kind"].value, int(r["n"].value)) for r in rows]

    def members(self, kind: str) -> list[Value]:
        """Every resource of one IRI kind, by label."""
        rows = self.select(f"""
            SELECT DISTINCT ?s {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{self.base}id/{kind}/")) }}""")
        labels = self.labels(r["s"].value for r in rows)
        return sorted((self.value(r["s"], labels) for r in rows), key=lambda v: v.iri or "")

    def describe(self, iri: str) -> list[ox.Triple]:
        """The asserted triples about a resource, for Turtle/JSON-LD/N-Triples."""
        return self.query(self.prologue + f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}",
                          Dataset(default_graphs=(self.engine.DEFAULT_GRAPH_IRI,)), graph=True)


def authority_name(iri: str | None) -> str | None:
    """Which authority an external IRI belongs to (for the badge text), or None."""
    if not iri:
        return None
    host = iri.split("/")[2] if "://" in iri else ""
    return next((name for domain, name in AUTHORITIES.items() if host == domain or host.endswith("." + domain)), None)

"""`kg links export`: the links as an SSSOM mapping set (TSV with its YAML metadata block) or as Turtle."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from ..namespaces import DEFAULT_BASE, prefixes
from .model import MATCH_TYPES, PREAMBLE, Link, Query, read_links

SSSOM_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "mapping_justification",
                 "author_label", "comment")
# CURIE prefixes of the external records' IRIs (the SSSOM object_id), longest namespace first when compacting.
OBJECT_PREFIXES = {
    "wikidata": "http://www.wikidata.org/entity/",
    "geonames": "https://sws.geonames.org/",
    "viaf": "https://viaf.org/viaf/",
    "snac": "http://snaccooperative.org/view/",
    "lcnaf": "http://id.loc.gov/authorities/names/",
    "nara": "https://catalog.archives.gov/id/",
    "hsgdocs": "https://history.state.gov/historicaldocuments/",
    "pocom": "https://history.state.gov/departmenthistory/people/",
}
STANDARD_PREFIXES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
AUTHOR = "korea1953 knowledge graph project (links curated from shared/reference/)"


def _curie(iri: str, namespaces: dict[str, str]) -> tuple[str, str] | None:
    """(prefix, CURIE) for the longest namespace the IRI starts with."""
    for prefix, ns in sorted(namespaces.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return prefix, f"{prefix}:{iri[len(ns):]}"
    return None


def _labels(query: Query) -> dict[str, str]:
    """English labels of the linked entities (any label when there is no English one)."""
    labels: dict[str, str] = {}
    for r in query(PREAMBLE + """SELECT ?s ?label WHERE { ?link ka:linkSubject ?s . ?s rdfs:label ?label }
                                 ORDER BY DESC(LANGMATCHES(LANG(?label), "en"))"""):
        labels.setdefault(r["s"].value, r["label"].value)
    return labels


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def sssom(query: Query, date: dt.date, base: str = DEFAULT_BASE) -> tuple[str, int]:
    """The SSSOM TSV of every link with a target IRI, and how many links were left out for want of one.

    SSSOM maps IRIs, so links whose authority has no verified IRI form (hsg-people) are left out.
    """
    every = read_links(query)
    links = [link for link in every if link.target and link.match_type in MATCH_TYPES]
    local = {p: ns for p, ns in prefixes(base).items() if ns.startswith(base)}
    used: dict[str, str] = dict(STANDARD_PREFIXES)
    labels = _labels(query)
    rows = []
    for link in sorted(links, key=lambda k: (k.subject, k.authority, k.target)):
        subject = _curie(link.subject, local)
        obj = _curie(link.target, OBJECT_PREFIXES)
        if subject is None or obj is None:
            raise ValueError(f"{link.node}: no CURIE prefix for <{link.subject}> or <{link.target}>")
        used[subject[0]] = local[subject[0]]
        used[obj[0]] = OBJECT_PREFIXES[obj[0]]
        rows.append((subject[1], labels.get(link.subject, ""), "skos:" + link.match_type.rsplit("#", 1)[1],
                     obj[1], "semapv:ManualMappingCuration", AUTHOR, _comment(link)))
    header = ["curie_map:", *(f"  {p}: {ns}" for p, ns in sorted(used.items())),
              f"mapping_set_id: {base}mappings/authorities.sssom.tsv",
              "mapping_set_title: Links from the korea1953 knowledge graph to external authority files",
              "mapping_set_description: Persons, organizations, places, countries and FRUS documents of the 1953 "
              "Korean armistice negotiations graph, mapped to Wikidata, GeoNames, VIAF, SNAC, history.state.gov "
              "and POCOM records, each with its evidence (comment).",
              "license: https://creativecommons.org/licenses/by/4.0/",
              f"mapping_date: {date.isoformat()}"]
    lines = [f"#{h}" for h in header] + ["\t".join(SSSOM_COLUMNS)]
    lines += ["\t".join(_tsv_cell(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n", len(every) - len(links)


def _comment(link: Link) -> str:
    return f"{link.authority} {link.external_id}; evidence: " + " | ".join(link.evidence)


def turtle(query: Query, base: str = DEFAULT_BASE) -> bytes:
    """The link nodes and their direct SKOS triples, as Turtle with the project's prefixes."""
    result = query(PREAMBLE + """CONSTRUCT { ?link ?p ?o . ?s ?m ?t } WHERE {
        { ?link a ka:AuthorityLink ; ?p ?o }
        UNION { ?link a ka:AuthorityLink ; ka:linkSubject ?s ; ka:matchType ?m ; ka:linkTarget ?t . ?s ?m ?t } }""")
    return ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=prefixes(base)) or b""

"""The links as the graph states them (ka:AuthorityLink nodes), read with SPARQL from any store.

Every tool in this package reads through a ``Query`` callable, so the same code runs over the data
files (loaded into an in-memory pyoxigraph store, for the CLI: no build needed) and over the
served store's engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..config import Settings
from ..namespaces import DEFAULT_BASE, KA, SKOS, prefixes

# Runs one SPARQL query: solutions for SELECT, triples for CONSTRUCT.
Query = Callable[[str], Any]

PREAMBLE = f"""PREFIX ka: <{KA}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class Authority:
    """The form of one authority's identifiers and record IRIs (``{id}`` in the IRI pattern)."""

    name: str
    id_pattern: str
    iri_pattern: str | None  # a regex with {id}; None: no verified IRI form, links carry no target

    def id_ok(self, external_id: str) -> bool:
        return re.fullmatch(self.id_pattern, external_id) is not None

    def target_ok(self, external_id: str, target: str) -> bool:
        if self.iri_pattern is None:
            return False
        return re.fullmatch(self.iri_pattern.replace("{id}", re.escape(external_id)), target) is not None


AUTHORITIES: dict[str, Authority] = {a.name: a for a in (
    Authority("wikidata", r"Q[1-9]\d*", r"http://www\.wikidata\.org/entity/{id}"),
    Authority("geonames", r"[1-9]\d*", r"https://sws\.geonames\.org/{id}/"),
    Authority("viaf", r"[1-9]\d*", r"https?://viaf\.org/viaf/{id}"),
    Authority("lcnaf", r"n[bors]?\d+", r"https?://id\.loc\.gov/authorities/names/{id}"),
    Authority("snac", r"[1-9]\d*", r"https?://snaccooperative\.org/view/{id}"),
    Authority("hsg-people", r"[1-9]\d*", None),
    Authority("hsg-frus-persons", r"p_[A-Z]+\d+",
              r"https://history\.state\.gov/historicaldocuments/frus\d{4}(-\d{2})?v\d+(p\d+)?/persons#{id}"),
    Authority("hsg-frus-document", r"frus\d{4}(-\d{2})?v\d+(p\d+)?/d\d+",
              r"https://history\.state\.gov/historicaldocuments/{id}"),
    Authority("pocom", r"[a-z]+(-[a-z]+)*", r"https://history\.state\.gov/departmenthistory/people/{id}"),
    Authority("nara", r"[1-9]\d*", r"https://catalog\.archives\.gov/id/{id}"),
)}
MATCH_TYPES = (f"{SKOS}exactMatch", f"{SKOS}closeMatch")


@dataclass(frozen=True)
class Link:
    """One ka:AuthorityLink node; missing values are empty strings (the check reports them)."""

    node: str
    subject: str
    authority: str
    external_id: str
    target: str
    match_type: str
    evidence: tuple[str, ...]


def _value(term: ox.NamedNode | ox.Literal | None) -> str:
    return term.value if term is not None else ""


def read_links(query: Query) -> list[Link]:
    """Every link node, sorted by IRI; a property stated twice yields one row per value."""
    rows = query(PREAMBLE + """
        SELECT ?link ?s ?auth ?id ?target ?match (GROUP_CONCAT(?ev; SEPARATOR="\\u001f") AS ?evs) WHERE {
            ?link a ka:AuthorityLink .
            OPTIONAL { ?link ka:linkSubject ?s } OPTIONAL { ?link ka:authority ?auth }
            OPTIONAL { ?link ka:externalId ?id } OPTIONAL { ?link ka:linkTarget ?target }
            OPTIONAL { ?link ka:matchType ?match } OPTIONAL { ?link ka:evidence ?ev }
        } GROUP BY ?link ?s ?auth ?id ?target ?match ORDER BY ?link""")
    return [Link(_value(r["link"]), _value(r["s"]), _value(r["auth"]), _value(r["id"]), _value(r["target"]),
                 _value(r["match"]), tuple(e for e in _value(r["evs"]).split("\x1f") if e)) for r in rows]


def load_files(settings: Settings) -> ox.Store:
    """The ontology and data files in one in-memory store (default graph), as they are on disk."""
    store = ox.Store()
    for path in [*sorted(settings.ontology_dir.glob("*.ttl")), *sorted(settings.data_dir.rglob("*.ttl"))]:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=DEFAULT_BASE)
    return store


def store_query(store: ox.Store) -> Query:
    """A ``Query`` over a store whose default graph holds everything (as `load_files` makes it)."""
    return lambda sparql: store.query(sparql)


class Compactor:
    """IRIs as CURIEs with the project's prefixes (person:syngman-rhee), for reports and files."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.ordered = sorted(prefixes(base).items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        for prefix, ns in self.ordered:
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

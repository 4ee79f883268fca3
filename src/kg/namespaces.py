"""IRIs shared by every module: the ontology, the data namespace and the store's named graphs."""

from __future__ import annotations

from rdflib import Namespace

KA = Namespace("https://w3id.org/korea1953/ontology#")
ONTOLOGY_IRI = "https://w3id.org/korea1953/ontology"
DEFAULT_BASE = "https://w3id.org/korea1953/"

SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

ID_KINDS = (
    "person", "organization", "place", "treaty", "issue", "role", "unit", "document", "footnote",
    "citation", "volume", "archive", "discrepancy", "tenure", "event", "participation", "position",
    "item", "claim", "quantity", "link",
)


def graph_iri(base: str, name: str) -> str:
    """IRI of one of the store's named graphs (ontology, inferred, shapes) under the data base."""
    return f"{base}graph/{name}"


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The prefixes predeclared for queries, the UI and serializations."""
    common = {
        "ka": str(KA),
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "skos": str(SKOS),
        "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
        "sh": str(SH),
        "schema": "https://schema.org/",
    }
    kinds = {
        "person": "person", "org": "organization", "place": "place", "treaty": "treaty", "issue": "issue",
        "role": "role", "unit": "unit", "doc": "document", "fn": "footnote", "cit": "citation",
        "vol": "volume", "arch": "archive", "disc": "discrepancy", "tenure": "tenure", "event": "event",
        "part": "participation", "pos": "position", "item": "item", "claim": "claim", "qty": "quantity",
        "link": "link",
    }
    common.update({p: f"{base}id/{k}/" for p, k in kinds.items()})
    return common

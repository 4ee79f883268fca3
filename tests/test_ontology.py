"""The ontology parses, declares what it uses, carries en/ja labels and aligns only by sub-relations."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import KA, ONTOLOGY_IRI

from .conftest import ROOT


def load(name: str) -> Graph:
    return Graph().parse(ROOT / "ontology" / name)


def test_ontology_has_version_iri_and_bilingual_title() -> None:
    g = load("ka.ttl")
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in g
    assert str(g.value(onto, OWL.versionIRI)).startswith(ONTOLOGY_IRI + "/")
    langs = {lit.language for lit in g.objects(onto, URIRef("http://purl.org/dc/terms/title"))}
    assert langs == {"en", "ja"}


def test_every_term_has_english_and_japanese_label_and_definition() -> None:
    g = load("ka.ttl")
    missing = []
    for term in set(g.subjects(RDF.type, OWL.Class)) | set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(
            g.subjects(RDF.type, OWL.DatatypeProperty)):
        if not str(term).startswith(str(KA)):
            continue
        labels = {lit.language for lit in g.objects(term, RDFS.label)}
        defs = {lit.language for lit in g.objects(term, SKOS.definition)}
        if not {"en", "ja"} <= labels or not {"en", "ja"} <= defs:
            missing.append(str(term))
    assert missing == []


def test_alignment_only_subclasses_and_subproperties_of_declared_terms() -> None:
    onto, align = load("ka.ttl"), load("alignment.ttl")
    declared = set(onto.subjects())
    for s, p, _o in align:
        if p in (RDF.type, RDFS.label, OWL.versionIRI):
            continue
        assert p in (RDFS.subClassOf, RDFS.subPropertyOf), (s, p)
        assert s in declared, f"alignment mentions undeclared {s}"


def test_alignment_consistent_with_ontology_kinds() -> None:
    """A class is aligned with subClassOf, a property with subPropertyOf — never crossed."""
    onto, align = load("ka.ttl"), load("alignment.ttl")
    classes = set(onto.subjects(RDF.type, OWL.Class))
    for s in align.subjects(RDFS.subClassOf):
        assert s in classes, s
    for s in align.subjects(RDFS.subPropertyOf):
        assert s not in classes, s

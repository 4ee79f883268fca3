"""The fast rule reasoner and the owlrl reference give the same closure on the shipped data."""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef

from kg import reason
from kg.build import load_sources
from kg.config import Settings
from kg.namespaces import KA


def test_rules_and_owlrl_closures_are_identical_on_shipped_data() -> None:
    src = load_sources(Settings())
    asserted = src.ontology + src.data
    fast, reference = reason.infer(asserted, "rules"), reason.infer(asserted, "owlrl")
    assert len(fast) > 1000
    assert set(fast) == set(reference)


def test_rules_cover_subproperty_inverse_and_transitivity() -> None:
    ex = "https://w3id.org/korea1953/id/"
    data = Graph().parse(data=f"""
        @prefix ka: <{KA}> .
        <{ex}event/e> a ka:Meeting ; ka:host <{ex}person/a> ; ka:recordedIn <{ex}document/d> .
        <{ex}place/x> ka:locatedIn <{ex}place/y> . <{ex}place/y> ka:locatedIn <{ex}place/z> .
    """, format="turtle")
    ontology = load_sources(Settings()).ontology
    inferred = reason.infer(ontology + data, "rules")
    e, a, d = URIRef(ex + "event/e"), URIRef(ex + "person/a"), URIRef(ex + "document/d")
    assert (e, KA.attendee, a) in inferred and (e, KA.participant, a) in inferred
    assert (d, KA.records, e) in inferred
    assert (e, RDF.type, KA.Event) in inferred
    assert (URIRef(ex + "place/x"), KA.locatedIn, URIRef(ex + "place/z")) in inferred
    assert (a, RDF.type, KA.Agent) in inferred

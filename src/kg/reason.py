"""OWL-RL closure of the shipped data, computed once at build time with owlrl.

Only the *new* triples are kept, so the store can hold them in their own named graph and users
choose per query whether to see them.
"""

from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal

_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.Nothing}


def infer(asserted: Graph) -> Graph:
    """Return the triples the OWL-RL closure adds to ``asserted`` (ontology + data), minus noise.

    Noise is what owlrl derives for every resource (``owl:sameAs`` itself, ``owl:Thing``), triples
    about literals or blank nodes, and facts about the RDF/OWL vocabularies themselves.
    """
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) in asserted or isinstance(s, Literal | BNode) or isinstance(o, BNode):
            continue
        if p == OWL.sameAs and s == o:
            continue
        if p == RDF.type and o in _TRIVIAL_TYPES:
            continue
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty) and s == o:
            continue
        if str(s).startswith(_VOCAB_PREFIXES):
            continue
        inferred.add((s, p, o))
    return inferred


_VOCAB_PREFIXES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#",
)

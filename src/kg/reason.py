"""The OWL-RL closure of the shipped data, computed once at build time.

Two implementations give the same inferred triples on the shipped data (a test checks it):

* ``owlrl`` — the reference: the owlrl package's OWL-RL forward chaining over rdflib. Its cost
  grows fast with the graph (12 s for our ~20k triples; it did not finish at 100k).
* ``rules`` — the default: the OWL-RL rules our ontology actually exercises (class and property
  hierarchies, domains and ranges, inverse, symmetric, transitive and functional properties,
  owl:sameAs) as SPARQL CONSTRUCT queries run to a fixpoint on an in-memory pyoxigraph store,
  semi-naively (after the first round each rule joins with the triples the last round added).

Only the *new* triples are kept, minus the noise every OWL-RL reasoner derives for everything,
so the store can hold them in their own named graph and users choose per query whether to see
them.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.term import Node

from .terms import from_ox, to_ox

_TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource}
_VOCAB_PREFIXES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
_HIERARCHY = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)

REASONERS = ("rules", "owlrl")


def is_noise(s: Node, p: Node, o: Node) -> bool:
    """What every OWL-RL closure derives for every resource and nobody queries for."""
    if isinstance(s, Literal | BNode) or isinstance(o, BNode):
        return True
    if p == OWL.sameAs and s == o:
        return True
    if p in _HIERARCHY and s == o:
        return True
    if o in _TRIVIAL_OBJECTS or (p == RDFS.subClassOf and s == OWL.Nothing):
        return True
    return str(s).startswith(_VOCAB_PREFIXES)


def infer(asserted: Graph, reasoner: str = "rules") -> Graph:
    """The triples the closure adds to ``asserted`` (ontology + data), without noise."""
    closure = _owlrl_closure(asserted) if reasoner == "owlrl" else _rules_closure(asserted)
    inferred = Graph()
    for triple in closure:
        if triple not in asserted and not is_noise(*triple):
            inferred.add(triple)
    return inferred


def _owlrl_closure(asserted: Graph) -> Iterable[tuple[Node, Node, Node]]:
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    return closure


# The rules, as (head, body atoms, filter); names follow the OWL 2 RL rule tables.
_RULES = {
    "scm-sco": ("?a rdfs:subClassOf ?c", ["?a rdfs:subClassOf ?b", "?b rdfs:subClassOf ?c"], ""),
    "scm-spo": ("?a rdfs:subPropertyOf ?c", ["?a rdfs:subPropertyOf ?b", "?b rdfs:subPropertyOf ?c"], ""),
    "scm-eqc": ("?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?a", ["?a owl:equivalentClass ?b"], ""),
    "scm-eqp": ("?a rdfs:subPropertyOf ?b . ?b rdfs:subPropertyOf ?a", ["?a owl:equivalentProperty ?b"], ""),
    "scm-dom1": ("?p rdfs:domain ?c2", ["?p rdfs:domain ?c1", "?c1 rdfs:subClassOf ?c2"], ""),
    "scm-dom2": ("?p1 rdfs:domain ?c", ["?p2 rdfs:domain ?c", "?p1 rdfs:subPropertyOf ?p2"], ""),
    "scm-rng1": ("?p rdfs:range ?c2", ["?p rdfs:range ?c1", "?c1 rdfs:subClassOf ?c2"], ""),
    "scm-rng2": ("?p1 rdfs:range ?c", ["?p2 rdfs:range ?c", "?p1 rdfs:subPropertyOf ?p2"], ""),
    "cax-sco": ("?x a ?c2", ["?c1 rdfs:subClassOf ?c2", "?x a ?c1"], ""),
    "prp-dom": ("?x a ?c", ["?p rdfs:domain ?c", "?x ?p ?y"], ""),
    "prp-rng": ("?y a ?c", ["?p rdfs:range ?c", "?x ?p ?y"], "!isLiteral(?y)"),
    "prp-spo1": ("?x ?p2 ?y", ["?p1 rdfs:subPropertyOf ?p2", "?x ?p1 ?y"], ""),
    "prp-inv1": ("?y ?p2 ?x", ["?p1 owl:inverseOf ?p2", "?x ?p1 ?y"], "!isLiteral(?y)"),
    "prp-inv2": ("?y ?p2 ?x", ["?p2 owl:inverseOf ?p1", "?x ?p1 ?y"], "!isLiteral(?y)"),
    "prp-symp": ("?y ?p ?x", ["?p a owl:SymmetricProperty", "?x ?p ?y"], "!isLiteral(?y)"),
    "prp-trp": ("?x ?p ?z", ["?p a owl:TransitiveProperty", "?x ?p ?y", "?y ?p ?z"], ""),
    "prp-fp": ("?y1 owl:sameAs ?y2", ["?p a owl:FunctionalProperty", "?x ?p ?y1", "?x ?p ?y2"],
               "?y1 != ?y2 && !isLiteral(?y1) && !isLiteral(?y2)"),
    "prp-ifp": ("?x1 owl:sameAs ?x2", ["?p a owl:InverseFunctionalProperty", "?x1 ?p ?y", "?x2 ?p ?y"],
                "?x1 != ?x2"),
    "eq-sym": ("?y owl:sameAs ?x", ["?x owl:sameAs ?y"], ""),
    "eq-trans": ("?x owl:sameAs ?z", ["?x owl:sameAs ?y", "?y owl:sameAs ?z"], ""),
    "eq-rep-s": ("?s2 ?p ?o", ["?s owl:sameAs ?s2", "?s ?p ?o"], ""),
    "eq-rep-o": ("?s ?p ?o2", ["?o owl:sameAs ?o2", "?s ?p ?o"], ""),
}
_DELTA = ox.NamedNode("urn:x-kg:reasoner-delta")
_PROLOGUE = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
)


def _rule_queries(delta: bool) -> list[str]:
    """Each rule as CONSTRUCTs; with ``delta``, one per body atom with that atom read from the delta graph.

    That is semi-naive evaluation: after the first round a rule can only derive something new
    from a triple the previous round added, so every later round joins with the (small) delta
    instead of re-deriving the whole closure.
    """
    out = []
    for head, body, condition in _RULES.values():
        where = f" FILTER({condition})" if condition else ""
        variants = range(len(body)) if delta else [-1]
        for i in variants:
            atoms = [f"GRAPH {_DELTA} {{ {a} }}" if j == i else f"{a} ." for j, a in enumerate(body)]
            out.append(f"{_PROLOGUE}CONSTRUCT {{ {head} }} WHERE {{ {' '.join(atoms)}{where} }}")
    return out


def _rules_closure(asserted: Graph) -> Iterable[tuple[Node, Node, Node]]:
    """Apply the rules semi-naively until a round adds no triple."""
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in asserted)
    initial = set(store)  # as the store normalizes literals, so that copies of asserted triples drop out
    queries, later = _rule_queries(delta=False), _rule_queries(delta=True)
    while True:
        new = {ox.Quad(t.subject, t.predicate, t.object) for query in queries for t in store.query(query)}
        new = {q for q in new if q not in store}
        if not new:
            break
        store.update(f"DROP SILENT GRAPH {_DELTA}")
        store.extend(new)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, _DELTA) for q in new)
        queries = later
    return ((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
            for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()) if q not in initial)

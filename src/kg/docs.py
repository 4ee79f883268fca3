"""Human-readable ontology documentation, generated with pyLODE at build time."""

from __future__ import annotations

import logging

from rdflib import OWL, RDF, Graph, URIRef

from .namespaces import ONTOLOGY_IRI


def ontology_html(ontology: Graph) -> str:
    """pyLODE's OntPub HTML for the ontology and its alignment (labels and definitions in en/ja).

    The alignment's own owl:Ontology header is left out so that pyLODE documents one ontology.
    """
    headers = set(ontology.subjects(RDF.type, OWL.Ontology)) - {URIRef(ONTOLOGY_IRI)}
    documented = Graph()
    for prefix, namespace in ontology.namespaces():
        documented.bind(prefix, namespace)
    for triple in ontology:
        if triple[0] not in headers:
            documented.add(triple)
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # pyLODE logs its start-up chatter at INFO on the root logger
    try:
        from pylode import OntPub  # imported lazily: slow to import, and only the build needs it

        return OntPub(ontology=documented).make_html()
    finally:
        logging.disable(previous)

"""Human-readable ontology documentation, generated with pyLODE at build time."""

from __future__ import annotations

import logging

from rdflib import Graph


def ontology_html(ontology: Graph) -> str:
    """pyLODE's OntPub HTML for the ontology and its alignment (labels and definitions in en/ja)."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # pyLODE logs its start-up chatter at INFO on the root logger
    try:
        from pylode import OntPub  # imported lazily: slow to import, and only the build needs it

        return OntPub(ontology=ontology).make_html()
    finally:
        logging.disable(previous)

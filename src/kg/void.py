"""The VoID description of the dataset, with counts taken from the built store."""

from __future__ import annotations

import pyoxigraph as ox

from . import __version__
from .config import Settings
from .store import GraphNames


def _count(st: ox.Store, query: str, graph: ox.NamedNode | ox.DefaultGraph) -> int:
    rows = list(st.query(query, default_graph=graph))
    return int(rows[0][0].value) if rows else 0


def describe_dataset(st: ox.Store, settings: Settings, endpoint: str = "http://127.0.0.1:8080/sparql") -> str:
    """Turtle describing the dataset, one subset per graph, with class and property partitions."""
    names = GraphNames.for_base(settings.base)
    site = endpoint.rsplit("/sparql", 1)[0]
    ds = f"{settings.base}void/dataset"
    graphs = {"asserted": ox.DefaultGraph(), "ontology": names.ontology, "inferred": names.inferred,
              "shapes": names.shapes}
    out = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{ds}> a void:Dataset ;",
        '    dcterms:title "Korean armistice negotiations and the US–ROK Mutual Defense Treaty, 1953"@en ,',
        '        "1953年朝鮮休戦交渉と米韓相互防衛条約"@ja ;',
        f'    dcterms:hasVersion "{__version__}" ;',
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
        f"    void:sparqlEndpoint <{endpoint}> ;",
        f"    void:uriSpace \"{settings.base}id/\" ;",
        "    void:vocabulary <https://w3id.org/korea1953/ontology#> ;",
        f"    void:dataDump <{site}/dist/korea1953.trig> , <{site}/dist/korea1953.nq> , <{site}/dist/korea1953.ttl> ;",
        f"    void:subset {', '.join(f'<{ds}/{k}>' for k in graphs)} .",
    ]
    for key, graph in graphs.items():
        sub = f"{ds}/{key}"
        triples = _count(st, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", graph)
        subjects = _count(st, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }", graph)
        objects = _count(st, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }", graph)
        props = _count(st, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }", graph)
        classes = _count(st, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }", graph)
        name = "the default graph" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"
        out += [
            "",
            f"<{sub}> a void:Dataset ;",
            f'    dcterms:description "{key} triples, stored in {name}"@en ;',
            *([f"    sd:name <{graph.value}> ;"] if isinstance(graph, ox.NamedNode) else []),
            f"    void:triples {triples} ;",
            f"    void:distinctSubjects {subjects} ;",
            f"    void:distinctObjects {objects} ;",
            f"    void:properties {props} ;",
            f"    void:classes {classes} .",
        ]
    part_query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    for i, row in enumerate(st.query(part_query, default_graph=ox.DefaultGraph())):
        out += ["", f"<{ds}/asserted> void:classPartition <{ds}/asserted/class/{i}> .",
                f"<{ds}/asserted/class/{i}> void:class <{row[0].value}> ; void:entities {row[1].value} ."]
    prop_query = "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
    for i, row in enumerate(st.query(prop_query, default_graph=ox.DefaultGraph())):
        out += ["", f"<{ds}/asserted> void:propertyPartition <{ds}/asserted/property/{i}> .",
                f"<{ds}/asserted/property/{i}> void:property <{row[0].value}> ; void:triples {row[1].value} ."]
    return "\n".join(out) + "\n"

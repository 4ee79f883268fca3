"""The SPARQL 1.1 Service Description of this endpoint, generated from what the server does.

Update is listed only when writes are enabled (a write token is configured), basic federated
query only when an allow-list for SERVICE exists, and the named graphs are the store's own.
The default graph is described as what it is: the asserted data plus the ontology (not the union
of all graphs, so no sd:UnionDefaultGraph).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..config import Settings
from ..namespaces import SD
from .engine import Engine

FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")
INPUT_FORMATS = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")


def _count(store: ox.Store, graphs: list[ox.NamedNode | ox.DefaultGraph]) -> int:
    rows = list(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=graphs))
    return int(rows[0][0].value)


def describe(engine: Engine, settings: Settings, endpoint: str) -> list[ox.Triple]:
    """The service description as triples (serialized by the caller in the negotiated format)."""
    writable = bool(settings.write_token)
    store = engine.store
    languages = ["sd:SPARQL11Query", *(["sd:SPARQL11Update"] if writable else [])]
    features: list[str] = []
    if settings.allowed_remote:
        features.append("sd:BasicFederatedQuery")
    if writable:
        features.append("sd:EmptyGraphs")
    default = [ox.DefaultGraph(), engine.graphs.ontology]
    lines = [
        f"@prefix sd: <{SD}> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        f"  sd:supportedLanguage {', '.join(languages)} ;",
        f"  sd:resultFormat {', '.join(f'<{FORMATS}{f}>' for f in RESULT_FORMATS)} ;",
        *([f"  sd:inputFormat {', '.join(f'<{FORMATS}{f}>' for f in INPUT_FORMATS)} ;"] if writable else []),
        *([f"  sd:feature {', '.join(features)} ;"] if features else []),
        '  rdfs:comment "Queries see the asserted data and the ontology as their default graph; add the '
        "parameter inference=true to add the OWL-RL inferred graph. Protocol default-graph-uri / "
        'named-graph-uri, or the query\'s FROM / FROM NAMED, replace that choice."@en ;',
        "  sd:defaultDataset [ a sd:Dataset ;",
        f"    sd:defaultGraph [ a sd:Graph ; void:triples {_count(store, default)} ] ;",
    ]
    for name in sorted(store.named_graphs(), key=str):
        lines.append(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name {name} ; "
                     f"sd:graph [ a sd:Graph ; void:triples {_count(store, [name])} ] ] ;")
    lines.append("  ] .")
    return [q.triple for q in ox.parse("\n".join(lines), format=ox.RdfFormat.TURTLE)]

"""`kg links check`: identifier syntax per authority, conflicts, agreement with the direct triples, coverage."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..namespaces import DEFAULT_BASE
from .model import AUTHORITIES, MATCH_TYPES, PREAMBLE, Compactor, Link, Query, read_links

# Coverage rows: label and the SPARQL pattern selecting the class's entities (?e).
COVERAGE_CLASSES: tuple[tuple[str, str], ...] = (
    ("persons", "?e a/rdfs:subClassOf* ka:Person ."),
    ("organizations", "?e a/rdfs:subClassOf* ka:Organization ."),
    ("places (not countries)", "?e a/rdfs:subClassOf* ka:Place . FILTER NOT EXISTS { ?e a ka:Country }"),
    ("countries", "?e a ka:Country ."),
    ("treaties", "?e a/rdfs:subClassOf* ka:Treaty ."),
    ("events", "?e a/rdfs:subClassOf* ka:Event ."),
    ("FRUS documents", "?e ka:publishedIn/ka:partOfPublication <{base}id/volume/frus> ."),
)


@dataclass
class Report:
    """What the check found: errors (each makes the check fail) and the coverage table."""

    links: int = 0
    errors: list[str] = field(default_factory=list)
    coverage: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # class → authority → (n, of)

    def table(self) -> str:
        """Coverage as a fixed-width table: classes down, authorities that have links across."""
        used = [a for a in AUTHORITIES if any(row.get(a, (0, 0))[0] for row in self.coverage.values())]
        header = ["class", *(AUTHORITIES[a].name for a in used)]
        rows = [[cls, *(f"{row[a][0]}/{row[a][1]}" for a in used)] for cls, row in self.coverage.items()]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            pairs = enumerate(zip(cells, widths, strict=True))
            return " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

        lines = [line(r) for r in [header, *rows]]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(lines)


def syntax_errors(link: Link, name: Compactor) -> list[str]:
    """The link's own faults: missing parts, an unknown authority, an ID or target not of its form."""
    where = name(link.node)
    missing = [p for p, v in (("ka:linkSubject", link.subject), ("ka:authority", link.authority),
                              ("ka:externalId", link.external_id), ("ka:matchType", link.match_type)) if not v]
    if missing:
        return [f"{where}: missing {', '.join(missing)}"]
    errors = [] if link.evidence else [f"{where}: no ka:evidence"]
    if link.match_type not in MATCH_TYPES:
        errors.append(f"{where}: ka:matchType {name(link.match_type)} is neither skos:exactMatch nor skos:closeMatch")
    authority = AUTHORITIES.get(link.authority)
    if authority is None:
        return [*errors, f"{where}: unknown authority {link.authority!r}"]
    if not authority.id_ok(link.external_id):
        errors.append(f"{where}: {link.authority} ID {link.external_id!r} does not match {authority.id_pattern}")
    elif link.target and not authority.target_ok(link.external_id, link.target):
        form = authority.iri_pattern or "none (this authority has no verified IRI form)"
        errors.append(f"{where}: target <{link.target}> is not the {link.authority} IRI of {link.external_id!r}; "
                      f"expected form {form}")
    return errors


def conflict_errors(links: list[Link], name: Compactor) -> list[str]:
    """Two entities claiming one external ID; one entity with two IDs in one authority.

    FRUS persons lists are per volume part, so one person may have one anchor per part.
    """
    claims: dict[tuple[str, str], set[str]] = defaultdict(set)
    ids: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for link in links:
        if not (link.subject and link.authority and link.external_id):
            continue
        claims[link.authority, link.external_id].add(link.subject)
        scope = re.sub(r"#.*$", "", link.target) if link.authority == "hsg-frus-persons" else ""
        ids[link.subject, link.authority, scope].add(link.external_id)
    errors = [f"{authority} {ext!r} is claimed by {len(subjects)} entities: {', '.join(sorted(map(name, subjects)))}"
              for (authority, ext), subjects in sorted(claims.items()) if len(subjects) > 1]
    errors += [f"{name(subject)} has {len(found)} {authority} IDs: {', '.join(sorted(found))}"
               for (subject, authority, _scope), found in sorted(ids.items()) if len(found) > 1]
    return errors


def agreement_errors(query: Query, links: list[Link], name: Compactor, base: str) -> list[str]:
    """Each link with a target is mirrored by its direct SKOS triple, and no direct triple lacks a link."""
    direct = {(r["s"].value, r["p"].value, r["o"].value) for r in query(PREAMBLE + """
        SELECT ?s ?p ?o WHERE { VALUES ?p { skos:exactMatch skos:closeMatch owl:sameAs } ?s ?p ?o .
            FILTER (isIRI(?o) && !STRSTARTS(STR(?o), "BASE")) }""".replace("BASE", base))}
    backed = {(link.subject, link.match_type, link.target) for link in links if link.target}
    errors = [f"{name(link.node)}: the direct triple {name(link.subject)} {name(link.match_type)} <{link.target}> "
              "is missing" for link in links
              if link.target and link.match_type in MATCH_TYPES and (link.subject, link.match_type, link.target)
              not in direct]
    for s, p, o in sorted(direct - backed):
        if p.endswith("sameAs"):
            errors.append(f"{name(s)} owl:sameAs <{o}>: the policy never uses owl:sameAs for external records")
        else:
            errors.append(f"{name(s)} {name(p)} <{o}> has no ka:AuthorityLink (no evidence)")
    return errors


def publication_errors(query: Query, name: Compactor) -> list[str]:
    """A FRUS document link names the volume part and number the graph publishes the document under."""
    errors = []
    for r in query(PREAMBLE + """SELECT ?link ?doc ?id ?volume ?n WHERE {
            ?link ka:authority "hsg-frus-document" ; ka:linkSubject ?doc ; ka:externalId ?id .
            OPTIONAL { ?doc ka:publishedIn/rdfs:seeAlso ?volume ; ka:frusDocumentNumber ?n } } ORDER BY ?link"""):
        if r["n"] is None:
            errors.append(f"{name(r['link'].value)}: {name(r['doc'].value)} has no ka:publishedIn FRUS volume part "
                          "with ka:frusDocumentNumber")
            continue
        published = f"{r['volume'].value.rsplit('/', 1)[-1]}/d{r['n'].value}"
        if published != r["id"].value:
            errors.append(f"{name(r['link'].value)}: ID {r['id'].value!r}, but the graph publishes "
                          f"{name(r['doc'].value)} as {published!r}")
    return errors


def coverage(query: Query, base: str) -> dict[str, dict[str, tuple[int, int]]]:
    """Per class and authority: entities with at least one link, of all the class's entities."""
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for label, template in COVERAGE_CLASSES:
        pattern = template.replace("{base}", base)
        total = next(iter(query(PREAMBLE + f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {pattern} }}")))["n"]
        counts = {r["auth"].value: int(r["n"].value) for r in query(PREAMBLE + f"""
            SELECT ?auth (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {pattern}
                ?link ka:linkSubject ?e ; ka:authority ?auth }} GROUP BY ?auth""")}
        table[label] = {a: (counts.get(a, 0), int(total.value)) for a in AUTHORITIES}
    return table


def check(query: Query, base: str = DEFAULT_BASE) -> Report:
    """Run every check over the graph ``query`` reads (its data IRIs under ``base``)."""
    name = Compactor(base)
    links = read_links(query)
    report = Report(links=len(links))
    for link in links:
        report.errors += syntax_errors(link, name)
    report.errors += conflict_errors(links, name)
    report.errors += agreement_errors(query, links, name, base)
    report.errors += publication_errors(query, name)
    report.coverage = coverage(query, base)
    return report


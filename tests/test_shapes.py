"""The shapes in shapes/: each constraint tested both ways, from one table, against small fixtures.

Each row names a fixture pair in tests/fixtures/shapes/: ``<name>.fail.ttl`` must produce exactly
the listed (focus node, result path, constraint component, severity) results, ``<name>.pass.ttl``
none at all. Fixtures are validated like a contributed file: in the context of an existing graph
(``context.ttl``), through the same code as ``kg validate`` and the write path. Adding a
constraint means adding two fixtures and a row; ``test_every_constraint_has_a_failing_fixture``
fails until you do.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import OWL, RDF, Graph, URIRef

from kg.contribute import ChangeChecker, GraphContext, shapes_and_ontology
from kg.namespaces import SH, prefixes
from kg.validate import Result, validate

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
KA = "https://w3id.org/korea1953/ontology#"

# (fixture name, [(focus, path, component, severity), …]); paths and nodes as prefixed names,
# a|b for an alternative path whose value is absent, ^p for an inverse path.
ROWS: list[tuple[str, list[tuple[str, str | None, str, str]]]] = [
    ('labelled-en', [('place:fx', 'rdfs:label', 'QualifiedMinCount', 'Violation')]),
    ('labelled-ja', [('place:fx', 'rdfs:label', 'QualifiedMinCount', 'Violation')]),
    ('labelled-uniquelang', [('place:fx', 'rdfs:label', 'UniqueLang', 'Warning')]),
    ('labelledpart-en', [('unit:fx', 'rdfs:label', 'QualifiedMinCount', 'Warning')]),
    ('labelledpart-ja', [('unit:fx', 'rdfs:label', 'QualifiedMinCount', 'Warning')]),
    ('hasbasis-value', [('event:fx', 'ka:basis', 'In', 'Violation')]),
    ('hasbasis-count', [('event:fx', 'ka:basis', 'MaxCount', 'Violation')]),
    ('dated-agreement', [('event:fx', None, 'Or', 'Warning')]),
    ('dated-datatype', [('doc:fx', 'ka:date', 'Or', 'Violation')]),
    ('dated-count', [('doc:fx', 'ka:date', 'MaxCount', 'Violation')]),
    ('dated-range', [('doc:fx', 'ka:date', 'Pattern', 'Warning')]),
    ('dated-precision-in', [('doc:fx', 'ka:datePrecision', 'In', 'Violation')]),
    ('dated-precision-count', [('doc:fx', 'ka:datePrecision', 'MaxCount', 'Violation')]),
    ('datedorder', [('doc:fx', None, 'SPARQL', 'Violation')]),
    ('enddated-datatype', [('doc:fx', 'ka:endDate', 'Or', 'Violation')]),
    ('enddated-count', [('doc:fx', 'ka:endDate', 'MaxCount', 'Violation')]),
    ('values-agent', [('event:fx', 'ka:attendee', 'Class', 'Violation')]),
    ('values-footnote', [('event:fx', 'ka:footnote', 'Class', 'Violation')]),
    ('values-document', [('event:fx', 'ka:source', 'Class', 'Violation')]),
    ('values-place', [('event:fx', 'ka:place', 'Class', 'Violation')]),
    ('values-issue', [('event:fx', 'ka:issue', 'Class', 'Violation')]),
    ('values-chapter', [('event:fx', 'ka:mentionedIn', 'Class', 'Violation')]),
    ('values-event', [('event:fx', 'ka:subEventOf', 'Class', 'Violation')]),
    ('values-volume', [('doc:fx', 'ka:publishedIn', 'Class', 'Violation')]),
    ('values-archivalunit', [('doc:fx', 'ka:heldIn', 'Class', 'Violation')]),
    ('values-organization', [('person:fx', 'ka:memberOf', 'Class', 'Violation')]),
    ('values-country', [('person:fx', 'ka:country', 'Class', 'Violation')]),
    ('values-quantity', [('event:fx', 'ka:quantity', 'Class', 'Violation')]),
    ('values-unit', [('qty:fx', 'ka:unit', 'Class', 'Violation')]),
    ('values-role', [('part:fx', 'ka:role', 'Class', 'Violation')]),
    ('values-participation', [('event:fx', 'ka:qualifiedParticipation', 'Class', 'Violation')]),
    ('values-item', [('pos:fx', 'ka:hasItem', 'Class', 'Violation')]),
    ('values-position', [('pos:fx', 'ka:supersedes', 'Class', 'Violation')]),
    ('values-citation', [('fn:99', 'ka:citation', 'Class', 'Violation')]),
    ('values-tenure', [('person:fx', 'ka:holds', 'Class', 'Violation')]),
    ('values-claim', [('claim:fx', 'ka:contradicts', 'Class', 'Violation')]),
    ('agent', [('person:fx', None, 'Not', 'Violation'), ('person:fx', None, 'Not', 'Violation')]),
    ('place', [('place:fx', None, 'Not', 'Violation'), ('place:fx', None, 'Not', 'Violation')]),
    ('country-authority', [('place:fx', 'skos:exactMatch|skos:closeMatch', 'MinCount', 'Info')]),
    ('person-birthyear-datatype', [('person:fx', 'ka:birthYear', 'Datatype', 'Violation')]),
    ('person-birthyear-count', [('person:fx', 'ka:birthYear', 'MaxCount', 'Violation')]),
    ('person-deathyear-datatype', [('person:fx', 'ka:deathYear', 'Datatype', 'Violation')]),
    ('person-deathyear-count', [('person:fx', 'ka:deathYear', 'MaxCount', 'Violation')]),
    ('koreanperson', [('person:fx', None, 'Or', 'Info')]),
    ('organization-notownpart', [('org:fx', 'ka:subOrganizationOf', 'Disjoint', 'Warning')]),
    ('government-country', [('org:fx', 'ka:governmentOf', 'MaxCount', 'Violation')]),
    ('militarycommand', [('org:fx', None, 'Not', 'Violation')]),
    ('tenure-holder-min', [('tenure:fx', 'ka:holder', 'MinCount', 'Violation')]),
    ('tenure-holder-max', [('tenure:fx', 'ka:holder', 'MaxCount', 'Violation')]),
    ('tenure-title', [('tenure:fx', 'ka:roleTitle', 'MinCount', 'Violation')]),
    ('tenure-organization', [('tenure:fx', 'ka:inOrganization', 'MinCount', 'Warning')]),
    ('tenure-start-datatype', [('tenure:fx', 'ka:startDate', 'Or', 'Violation')]),
    ('tenure-start-count', [('tenure:fx', 'ka:startDate', 'MaxCount', 'Violation')]),
    ('tenureorder', [('tenure:fx', None, 'SPARQL', 'Violation')]),
    ('treaty', [('treaty:fx', None, 'Not', 'Violation')]),
    ('event-provenance', [('event:fx', None, 'Or', 'Violation')]),
    ('event-date', [('event:fx', 'ka:date', 'MinCount', 'Violation')]),
    ('event-precision', [('event:fx', 'ka:datePrecision', 'MinCount', 'Warning')]),
    ('event-basis', [('event:fx', 'ka:basis', 'MinCount', 'Warning')]),
    ('event-chapter', [('event:fx', 'ka:mentionedIn', 'MinCount', 'Info')]),
    ('meeting-attendee', [
        ('event:fx', 'ka:attendee|ka:host|ka:participant|ka:qualifiedParticipation', 'MinCount', 'Warning'),
    ]),
    ('communication-sender', [('event:fx', 'ka:sender', 'MinCount', 'Warning')]),
    ('communication-recipient', [('event:fx', 'ka:recipient', 'MinCount', 'Warning')]),
    ('decision-decidedby', [
        ('event:fx', 'ka:decidedBy|ka:participant|ka:qualifiedParticipation', 'MinCount', 'Warning'),
    ]),
    ('publicstatement-actor', [
        ('event:fx', 'ka:actor|ka:participant|ka:qualifiedParticipation', 'MinCount', 'Warning'),
    ]),
    ('proposalpresentation-what', [('event:fx', 'ka:concerns|ka:issue', 'MinCount', 'Info')]),
    ('rejection-rejects', [('event:fx', 'ka:rejects|ka:concerns', 'MinCount', 'Warning')]),
    ('acceptance-accepts', [('event:fx', 'ka:accepts|ka:concerns', 'MinCount', 'Warning')]),
    ('agreementreached-parties', [
        ('event:fx', 'ka:participant|ka:attendee|ka:actor|ka:qualifiedParticipation', 'MinCount', 'Info'),
    ]),
    ('withdrawal-actor', [('event:fx', 'ka:actor|ka:participant|ka:qualifiedParticipation', 'MinCount', 'Warning')]),
    ('prisonerrelease-quantity', [('event:fx', 'ka:quantity', 'MinCount', 'Info')]),
    ('treatysigning-treaty', [('event:fx', 'ka:concerns', 'QualifiedMinCount', 'Warning')]),
    ('entryintoforce-treaty', [('event:fx', 'ka:concerns', 'QualifiedMinCount', 'Warning')]),
    ('participation-agent-min', [('part:fx', 'ka:agent', 'MinCount', 'Violation')]),
    ('participation-agent-max', [('part:fx', 'ka:agent', 'MaxCount', 'Violation')]),
    ('participation-role', [('part:fx', 'ka:role', 'MinCount', 'Warning')]),
    ('participantrole-preflabel', [('role:fx', 'skos:prefLabel', 'UniqueLang', 'Warning')]),
    ('dateprecision', [('ka:HourPrecision', None, 'In', 'Violation')]),
    ('basis', [('ka:Hearsay', None, 'In', 'Violation')]),
    ('position-source', [('pos:fx', None, 'Or', 'Violation')]),
    ('position-holder', [('pos:fx', 'ka:holder', 'MinCount', 'Violation')]),
    ('position-issue', [('pos:fx', 'ka:issue', 'MinCount', 'Violation')]),
    ('position-date', [('pos:fx', 'ka:date', 'MinCount', 'Violation')]),
    ('position-items', [('pos:fx', '^ka:itemOf', 'Class', 'Violation')]),
    ('positionitemsnumbered', [('pos:fx', None, 'SPARQL', 'Violation')]),
    ('positionitemsnumbered-duplicate', [('pos:fx', None, 'SPARQL', 'Violation')]),
    ('conditionset-items', [('pos:fx', 'ka:hasItem', 'MinCount', 'Violation')]),
    ('conditionitem-number-min', [('item:fx-1', 'ka:itemNumber', 'MinCount', 'Violation')]),
    ('conditionitem-number-max', [('item:fx-1', 'ka:itemNumber', 'MaxCount', 'Violation')]),
    ('conditionitem-numbertype', [('item:fx-1', 'ka:itemNumber', 'Or', 'Violation')]),
    ('conditionitem-numbermin', [('item:fx-1', 'ka:itemNumber', 'MinInclusive', 'Violation')]),
    ('conditionitem-of-min', [('item:fx-1', 'ka:itemOf', 'MinCount', 'Violation')]),
    ('conditionitem-of-max', [
        ('item:fx-1', 'ka:itemOf', 'MaxCount', 'Violation'),
        ('item:fx-1', '^ka:hasItem', 'Equals', 'Violation'),
        ('pos:context-position', None, 'SPARQL', 'Violation'),
    ]),
    ('conditionitem-listed', [('item:fx-1', '^ka:hasItem', 'Equals', 'Violation')]),
    ('conditionitem-text', [('item:fx-1', 'ka:text', 'MinCount', 'Info')]),
    ('demand-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Warning')]),
    ('offer-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Warning')]),
    ('proposal-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Info')]),
    ('threat-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Info')]),
    ('assurance-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Info')]),
    ('recommendation-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Info')]),
    ('directive-addressee', [('pos:fx', 'ka:addressee', 'MinCount', 'Info')]),
    ('refusal-what', [('pos:fx', 'ka:rejects|ka:concerns|ka:respondsTo|ka:addressee', 'MinCount', 'Info')]),
    ('assessment-content', [('pos:fx', 'ka:text|ka:quote|dcterms:description', 'MinCount', 'Warning')]),
    ('claim-content', [('claim:fx', 'ka:text|dcterms:description', 'MinCount', 'Violation')]),
    ('claim-claimant', [('claim:fx', 'ka:claimant', 'MinCount', 'Warning')]),
    ('claim-basis', [('claim:fx', 'ka:basis', 'MinCount', 'Warning')]),
    ('authorinterpretation-claimant', [('claim:fx', 'ka:claimant', 'In', 'Warning')]),
    ('sourcereport-source', [('claim:fx', 'ka:source|ka:footnote', 'MinCount', 'Violation')]),
    ('issue-scheme', [('issue:fx', 'skos:inScheme', 'HasValue', 'Warning')]),
    ('issue-broader', [('issue:fx', 'skos:broader', 'Class', 'Violation')]),
    ('quantity-value-min', [('qty:fx', 'ka:value', 'MinCount', 'Violation')]),
    ('quantity-value-max', [('qty:fx', 'ka:value', 'MaxCount', 'Violation')]),
    ('quantity-number', [('qty:fx', 'ka:value', 'Or', 'Violation')]),
    ('quantity-unit', [('qty:fx', 'ka:unit', 'MaxCount', 'Violation')]),
    ('quantity-unitgiven', [('qty:fx', 'ka:unit', 'MinCount', 'Warning')]),
    ('quantity-approximate-datatype', [('qty:fx', 'ka:approximate', 'Datatype', 'Violation')]),
    ('quantity-approximate-count', [('qty:fx', 'ka:approximate', 'MaxCount', 'Violation')]),
    ('quantity-measures', [('qty:fx', 'ka:measures', 'MinCount', 'Warning')]),
    ('unit-notquantity', [('unit:fx', 'ka:value', 'MaxCount', 'Violation')]),
    ('document-kind', [('doc:fx', 'rdf:type', 'QualifiedMinCount', 'Warning')]),
    ('document-firstpage-datatype', [('doc:fx', 'ka:firstPage', 'Or', 'Violation')]),
    ('document-firstpage-min', [('doc:fx', 'ka:firstPage', 'MinInclusive', 'Violation')]),
    ('document-firstpage-count', [('doc:fx', 'ka:firstPage', 'MaxCount', 'Violation')]),
    ('document-lastpage-min', [('doc:fx', 'ka:lastPage', 'MinInclusive', 'Violation')]),
    ('document-lastpage-datatype', [('doc:fx', 'ka:lastPage', 'Or', 'Violation')]),
    ('document-lastpage-count', [('doc:fx', 'ka:lastPage', 'MaxCount', 'Violation')]),
    ('document-pages', [('doc:fx', 'ka:firstPage', 'LessThanOrEquals', 'Violation')]),
    ('document-frusnumber-pattern', [('doc:fx', 'ka:frusDocumentNumber', 'Pattern', 'Violation')]),
    ('document-frusnumber-count', [('doc:fx', 'ka:frusDocumentNumber', 'MaxCount', 'Violation')]),
    ('documentlocated', [('doc:fx', None, 'Or', 'Violation'), ('doc:fx', None, 'Or', 'Info')]),
    ('documentfindable', [('doc:fx', None, 'Or', 'Info')]),
    ('letter-author', [('doc:fx', 'ka:author', 'MinCount', 'Warning')]),
    ('letter-addressee', [('doc:fx', 'ka:addressee', 'MinCount', 'Warning')]),
    ('telegram-identified', [('doc:fx', 'ka:messageNumber|ka:dateTimeGroup', 'MinCount', 'Info')]),
    ('memorandumofconversation-records', [('doc:fx', 'ka:records', 'QualifiedMinCount', 'Info')]),
    ('memorandum-author', [('doc:fx', 'ka:author', 'MinCount', 'Warning')]),
    ('meetingminutes-records', [('doc:fx', 'ka:records', 'QualifiedMinCount', 'Info')]),
    ('drafttreaty-treaty', [('doc:fx', 'ka:concerns', 'QualifiedMinCount', 'Warning')]),
    ('policypaper-author', [('doc:fx', 'ka:author', 'MinCount', 'Info')]),
    ('publicstatementtext-author', [('doc:fx', 'ka:author', 'MinCount', 'Warning')]),
    ('researchpaper-author', [('doc:fx', 'ka:author', 'MinCount', 'Warning')]),
    ('telegram-dtg', [('doc:fx', 'ka:dateTimeGroup', 'Pattern', 'Warning')]),
    ('publishedarticle-venue', [('doc:fx', 'ka:publishedIn|ka:partOfPublication|ka:author', 'MinCount', 'Info')]),
    ('newspaperarticle-newspaper', [('doc:fx', 'ka:author', 'QualifiedMinCount', 'Info')]),
    ('chapter-number-min', [('doc:fx', 'ka:chapterNumber', 'MinCount', 'Violation')]),
    ('chapter-number-max', [('doc:fx', 'ka:chapterNumber', 'MaxCount', 'Violation')]),
    ('chapter-numbertype', [('doc:fx', 'ka:chapterNumber', 'Or', 'Violation')]),
    ('chapter-numbermin', [('doc:fx', 'ka:chapterNumber', 'MinInclusive', 'Violation')]),
    ('chapter-paper', [('doc:fx', 'ka:partOfPublication', 'QualifiedMinCount', 'Violation')]),
    ('footnote-number-min', [('fn:99', 'ka:footnoteNumber', 'MinCount', 'Violation')]),
    ('footnote-number-max', [('fn:99', 'ka:footnoteNumber', 'MaxCount', 'Violation')]),
    ('footnote-numbertype', [('fn:99', 'ka:footnoteNumber', 'Or', 'Violation')]),
    ('footnote-numbermin', [('fn:99', 'ka:footnoteNumber', 'MinInclusive', 'Violation')]),
    ('footnote-chapter-min', [('fn:99', 'ka:inChapter', 'MinCount', 'Violation')]),
    ('footnote-chapter-max', [('fn:99', 'ka:inChapter', 'MaxCount', 'Violation')]),
    ('footnote-text', [('fn:99', 'ka:text', 'MinCount', 'Warning')]),
    ('citation-target', [('cit:fx', None, 'Or', 'Violation')]),
    ('citation-citedas-min', [('cit:fx', 'ka:citedAs', 'MinCount', 'Violation')]),
    ('citation-citedas-max', [('cit:fx', 'ka:citedAs', 'MaxCount', 'Violation')]),
    ('citation-infootnote', [
        ('cit:fx', 'ka:footnote|^ka:citation|dcterms:isPartOf', 'QualifiedMinCount', 'Violation'),
    ]),
    ('citation-isibid-datatype', [('cit:fx', 'ka:isIbid', 'Datatype', 'Violation')]),
    ('citation-isibid-count', [('cit:fx', 'ka:isIbid', 'MaxCount', 'Violation')]),
    ('citation-pages', [('cit:fx', 'ka:citedFirstPage', 'LessThanOrEquals', 'Violation')]),
    ('citation-firstpage-datatype', [('cit:fx', 'ka:citedFirstPage', 'Or', 'Violation')]),
    ('citation-firstpage-min', [('cit:fx', 'ka:citedFirstPage', 'MinInclusive', 'Violation')]),
    ('citation-firstpage-count', [('cit:fx', 'ka:citedFirstPage', 'MaxCount', 'Violation')]),
    ('citation-lastpage-datatype', [('cit:fx', 'ka:citedLastPage', 'Or', 'Violation')]),
    ('citation-lastpage-min', [('cit:fx', 'ka:citedLastPage', 'MinInclusive', 'Violation')]),
    ('citation-lastpage-count', [('cit:fx', 'ka:citedLastPage', 'MaxCount', 'Violation')]),
    ('citation-part-datatype', [('cit:fx', 'ka:citedPart', 'Or', 'Violation')]),
    ('citation-part-min', [('cit:fx', 'ka:citedPart', 'MinInclusive', 'Violation')]),
    ('citation-part-count', [('cit:fx', 'ka:citedPart', 'MaxCount', 'Violation')]),
    ('citation-label-pattern', [('cit:fx', 'ka:citationLabel', 'Pattern', 'Warning')]),
    ('citation-label-count', [('cit:fx', 'ka:citationLabel', 'MaxCount', 'Warning')]),
    ('publishedvolume-label', [('vol:fx', 'rdfs:label', 'MinCount', 'Violation')]),
    ('publishedvolume-part-datatype', [('vol:fx', 'ka:partNumber', 'Or', 'Violation')]),
    ('publishedvolume-part-min', [('vol:fx', 'ka:partNumber', 'MinInclusive', 'Violation')]),
    ('publishedvolume-part-count', [('vol:fx', 'ka:partNumber', 'MaxCount', 'Violation')]),
    ('archivalunit-label', [('arch:fx', 'rdfs:label', 'MinCount', 'Violation')]),
    ('archivalunit-level-in', [('arch:fx', 'ka:archivalLevel', 'In', 'Violation')]),
    ('archivalunit-level-count', [('arch:fx', 'ka:archivalLevel', 'MaxCount', 'Violation')]),
    ('discrepancy-aspect', [('disc:fx', 'ka:aspect', 'MinCount', 'Violation')]),
    ('discrepancy-papervalue', [('disc:fx', 'ka:paperValue', 'MinCount', 'Violation')]),
    ('discrepancy-sourcevalue', [('disc:fx', 'ka:sourceValue', 'MinCount', 'Violation')]),
    ('discrepancy-evidence', [('disc:fx', 'ka:evidence', 'MinCount', 'Violation')]),
    ('discrepancy-of', [('disc:fx', 'ka:discrepancyOf', 'MinCount', 'Warning')]),
    ('authoritylink-subject-min', [('link:fx', 'ka:linkSubject', 'MinCount', 'Violation')]),
    ('authoritylink-subject-max', [('link:fx', 'ka:linkSubject', 'MaxCount', 'Violation')]),
    ('authoritylink-authority-in', [('link:fx', 'ka:authority', 'In', 'Violation')]),
    ('authoritylink-authority-min', [('link:fx', 'ka:authority', 'MinCount', 'Violation')]),
    ('authoritylink-authority-max', [('link:fx', 'ka:authority', 'MaxCount', 'Violation')]),
    ('authoritylink-id-datatype', [('link:fx', 'ka:externalId', 'Datatype', 'Violation')]),
    ('authoritylink-id-min', [('link:fx', 'ka:externalId', 'MinCount', 'Violation')]),
    ('authoritylink-id-max', [('link:fx', 'ka:externalId', 'MaxCount', 'Violation')]),
    ('authoritylink-match-in', [('link:fx', 'ka:matchType', 'In', 'Violation')]),
    ('authoritylink-match-min', [('link:fx', 'ka:matchType', 'MinCount', 'Violation')]),
    ('authoritylink-match-max', [('link:fx', 'ka:matchType', 'MaxCount', 'Violation')]),
    ('authoritylink-target-nodekind', [('link:fx', 'ka:linkTarget', 'NodeKind', 'Violation')]),
    ('authoritylink-target-max', [
        ('link:fx', 'ka:linkTarget', 'MaxCount', 'Violation'),
        ('link:fx', None, 'SPARQL', 'Violation'),
    ]),
    ('authoritylink-evidence', [('link:fx', 'ka:evidence', 'MinCount', 'Violation')]),
    ('authoritylinkid', [('link:fx', None, 'Or', 'Violation')]),
    ('authoritylinktarget', [('link:fx', None, 'Or', 'Violation')]),
    ('authoritylinkagrees', [('link:fx', None, 'SPARQL', 'Violation')]),
]

# The SHACL parameter behind each constraint component used at the top level of a shape.
PARAMETERS = {
    "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype", "class": "Class", "in": "In",
    "pattern": "Pattern", "or": "Or", "not": "Not", "hasValue": "HasValue", "qualifiedMinCount": "QualifiedMinCount",
    "qualifiedMaxCount": "QualifiedMaxCount", "lessThanOrEquals": "LessThanOrEquals", "equals": "Equals",
    "disjoint": "Disjoint", "uniqueLang": "UniqueLang", "nodeKind": "NodeKind", "minInclusive": "MinInclusive",
    "maxInclusive": "MaxInclusive", "sparql": "SPARQL", "languageIn": "LanguageIn", "xone": "Xone", "and": "And",
    "node": "Node", "closed": "Closed", "minLength": "MinLength", "maxLength": "MaxLength",
}
NAMESPACES = sorted(prefixes().items(), key=lambda kv: -len(kv[1]))


def compact(iri: str | None) -> str | None:
    if iri is None:
        return None
    parts = [compact_one(p) for p in iri.split("|")]
    return "|".join(parts)


def compact_one(iri: str) -> str:
    inverse = iri.startswith("^")
    iri = iri.lstrip("^")
    for prefix, ns in NAMESPACES:
        if iri.startswith(ns):
            return ("^" if inverse else "") + f"{prefix}:{iri[len(ns):]}"
    return ("^" if inverse else "") + iri


@cache
def checker() -> ChangeChecker:
    """Parsed once for the whole module: every fixture reuses the shapes and their pySHACL parse."""
    from kg.config import Settings

    shapes, ontology = shapes_and_ontology(Settings(root=ROOT))
    return ChangeChecker(shapes, ontology)


@cache
def context() -> Graph:
    return Graph().parse(FIXTURES / "context.ttl")


@cache
def results(name: str, kind: str) -> tuple[Result, ...]:
    graph = Graph().parse(FIXTURES / f"{name}.{kind}.ttl")
    return tuple(checker().check(GraphContext(context()), Graph(), graph).results)


def key(r: Result) -> tuple[str | None, str | None, str, str]:
    return compact(r.focus), compact(r.path), r.component.removesuffix("ConstraintComponent"), r.severity


@pytest.mark.parametrize(("name", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_failing_fixture_gives_exactly_the_expected_results(name: str, expected: list[tuple]) -> None:
    got = Counter(key(r) for r in results(name, "fail"))
    assert got == Counter(expected)


@pytest.mark.parametrize("name", [r[0] for r in ROWS])
def test_passing_fixture_gives_no_results(name: str) -> None:
    assert [key(r) for r in results(name, "pass")] == []


def test_every_result_has_a_message_in_english_and_japanese() -> None:
    for name, _ in ROWS:
        for r in results(name, "fail"):
            assert r.messages.get("en") and r.messages.get("ja"), (name, r.rule)


def test_context_conforms_with_no_results_at_all() -> None:
    report = validate(context(), checker().shapes, checker().ontology)
    assert [key(r) for r in report.results] == []


def test_every_fixture_file_has_a_row() -> None:
    names = {r[0] for r in ROWS}
    for path in FIXTURES.glob("*.ttl"):
        if path.name != "context.ttl":
            assert path.name.rsplit(".", 2)[0] in names, path.name
    for name in names:
        assert (FIXTURES / f"{name}.fail.ttl").exists() and (FIXTURES / f"{name}.pass.ttl").exists(), name


def top_level_shapes(shapes: Graph) -> set[URIRef]:
    """Shapes that report results themselves: targeted node shapes, and the property shapes they list."""
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    nodes = {s for t in targets for s in shapes.subjects(t, None)}
    props = {p for n in nodes for p in shapes.objects(n, SH.property)}
    return nodes | props  # type: ignore[return-value]


def declared_constraints(shapes: Graph) -> set[tuple[str, str]]:
    """(rule, component) for every constraint parameter on a top-level shape; a SPARQL constraint is its own rule."""
    out = set()
    for shape in top_level_shapes(shapes):
        for p, o in shapes.predicate_objects(shape):
            name = str(p).removeprefix(str(SH))
            if name == "sparql":
                out.add((str(o), "SPARQL"))
            elif name in PARAMETERS:
                out.add((str(shape), PARAMETERS[name]))
    return out


def test_every_constraint_has_a_failing_fixture() -> None:
    """Coverage cannot silently drop: each (shape, component) in shapes/ fails in at least one fixture."""
    produced = {(r.rule, r.component.removesuffix("ConstraintComponent"))
                for name, _ in ROWS for r in results(name, "fail")}
    missing = sorted(declared_constraints(checker().shapes) - produced)
    assert not missing, f"constraints without a failing fixture: {missing}"


def test_shapes_are_named_and_carry_severity_and_bilingual_messages() -> None:
    shapes = checker().shapes
    for shape in top_level_shapes(shapes):
        constrained = [p for p in shapes.predicates(shape) if str(p).removeprefix(str(SH)) in PARAMETERS]
        assert isinstance(shape, URIRef), f"anonymous shape: {shape}"
        rules = [shape] if any(p != SH.sparql for p in constrained) else []
        rules += list(shapes.objects(shape, SH.sparql))
        for rule in rules:
            assert isinstance(rule, URIRef), f"anonymous SPARQL constraint on {shape}"
            langs = {getattr(m, "language", None) for m in shapes.objects(rule, SH.message)}
            assert {"en", "ja"} <= langs, f"{rule} needs sh:message in en and ja"
            assert shapes.value(rule, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{rule}: no sh:severity"


def test_every_class_of_the_ontology_has_a_node_shape() -> None:
    classes = {c for c in checker().ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(KA)}
    targeted = set(checker().shapes.objects(None, SH.targetClass))
    assert not sorted(classes - targeted), f"classes without a node shape: {sorted(classes - targeted)}"


def test_shapes_graph_conforms_to_shacl_shacl() -> None:
    """Meta-validation: pySHACL checks the shapes graph against the SHACL-SHACL shapes (raises if not)."""
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=checker().shapes, meta_shacl=True)
    assert conforms, text

"""`kg links check`: the shipped links pass; each kind of fault is reported exactly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.links.check import check
from kg.links.model import store_query

ROOT = Path(__file__).resolve().parents[1]

PREFIXES = """@prefix ka: <https://w3id.org/korea1953/ontology#> .
@prefix person: <https://w3id.org/korea1953/id/person/> .
@prefix place: <https://w3id.org/korea1953/id/place/> .
@prefix doc: <https://w3id.org/korea1953/id/document/> .
@prefix vol: <https://w3id.org/korea1953/id/volume/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix link: <https://w3id.org/korea1953/id/link/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


def link(name: str, subject: str, authority: str, ext: str, target: str | None = None,
         match: str = "skos:exactMatch", direct: bool = True) -> str:
    """A link node in Turtle (with its direct triple when it has a target and ``direct``)."""
    target_line = f"ka:linkTarget <{target}> ; " if target else ""
    mirror = f"{subject} {match} <{target}> .\n" if target and direct else ""
    return (f'link:{name} a ka:AuthorityLink ; ka:linkSubject {subject} ; ka:authority "{authority}" ; '
            f'ka:externalId "{ext}" ; {target_line}ka:matchType {match} ; ka:evidence "test" .\n{mirror}')


def errors_of(turtle: str) -> list[str]:
    store = ox.Store()
    store.load(PREFIXES + turtle, format=ox.RdfFormat.TURTLE)
    return check(store_query(store)).errors


def test_shipped_links_pass_and_cover_every_frus_document() -> None:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "links", "check"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert lines[0].endswith(" links checked: 0 error(s)")
    header = [c.strip() for c in lines[3].split("|")]
    frus = [c.strip() for c in next(x for x in lines if x.startswith("FRUS documents")).split("|")]
    assert frus[header.index("hsg-frus-document")] == "35/35"
    persons = [c.strip() for c in next(x for x in lines if x.startswith("persons ")).split("|")]
    assert persons[header.index("hsg-frus-persons")].endswith("/27")


def test_good_links_have_no_errors() -> None:
    assert errors_of(
        link("a", "person:a", "wikidata", "Q5", "http://www.wikidata.org/entity/Q5")
        + link("b", "place:b", "geonames", "1835848", "https://sws.geonames.org/1835848/", "skos:closeMatch")
        + link("c", "person:a", "hsg-people", "111321")
        + link("d1", "person:a", "hsg-frus-persons", "p_RS1",
               "https://history.state.gov/historicaldocuments/frus1952-54v15p1/persons#p_RS1")
        + link("d2", "person:a", "hsg-frus-persons", "p_RS1",
               "https://history.state.gov/historicaldocuments/frus1952-54v15p2/persons#p_RS1")) == []


def test_syntax_errors_per_authority() -> None:
    assert errors_of(
        link("a", "person:a", "wikidata", "Q05", "http://www.wikidata.org/entity/Q05")
        + link("b", "place:b", "geonames", "1835848", "https://sws.geonames.org/1835848")
        + link("c", "person:c", "viaf", "34473691", "https://viaf.org/viaf/3447369")
        + link("d", "person:d", "hsg-people", "111321", "https://history.state.gov/people/111321")
        + link("e", "person:e", "pocom", "Briggs_Ellis")
        + link("f", "person:f", "orcid", "0000")
    ) == [
        "link:a: wikidata ID 'Q05' does not match Q[1-9]\\d*",
        "link:b: target <https://sws.geonames.org/1835848> is not the geonames IRI of '1835848'; "
        "expected form https://sws\\.geonames\\.org/{id}/",
        "link:c: target <https://viaf.org/viaf/3447369> is not the viaf IRI of '34473691'; "
        "expected form https?://viaf\\.org/viaf/{id}",
        "link:d: target <https://history.state.gov/people/111321> is not the hsg-people IRI of '111321'; "
        "expected form none (this authority has no verified IRI form)",
        "link:e: pocom ID 'Briggs_Ellis' does not match [a-z]+(-[a-z]+)*",
        "link:f: unknown authority 'orcid'",
    ]


def test_conflicts() -> None:
    assert errors_of(
        link("a", "person:a", "wikidata", "Q884", "http://www.wikidata.org/entity/Q884")
        + link("b", "place:b", "wikidata", "Q884", "http://www.wikidata.org/entity/Q884")
        + link("c", "person:a", "wikidata", "Q885", "http://www.wikidata.org/entity/Q885")
        + link("d1", "person:d", "hsg-frus-persons", "p_X1",
               "https://history.state.gov/historicaldocuments/frus1952-54v15p1/persons#p_X1")
        + link("d2", "person:d", "hsg-frus-persons", "p_Y1",
               "https://history.state.gov/historicaldocuments/frus1952-54v15p1/persons#p_Y1")
    ) == [
        "wikidata 'Q884' is claimed by 2 entities: person:a, place:b",
        "person:a has 2 wikidata IDs: Q884, Q885",
        "person:d has 2 hsg-frus-persons IDs: p_X1, p_Y1",
    ]


def test_direct_triples_must_agree_with_the_link_nodes() -> None:
    assert errors_of(
        link("a", "person:a", "wikidata", "Q5", "http://www.wikidata.org/entity/Q5", direct=False)
        + "person:a skos:closeMatch <http://www.wikidata.org/entity/Q5> .\n"
        + "person:b owl:sameAs <http://www.wikidata.org/entity/Q6> .\n"
    ) == [
        "link:a: the direct triple person:a skos:exactMatch <http://www.wikidata.org/entity/Q5> is missing",
        "person:a skos:closeMatch <http://www.wikidata.org/entity/Q5> has no ka:AuthorityLink (no evidence)",
        "person:b owl:sameAs <http://www.wikidata.org/entity/Q6>: the policy never uses owl:sameAs for external "
        "records",
    ]


def test_frus_document_links_follow_the_published_volume() -> None:
    frus = "https://history.state.gov/historicaldocuments/"
    assert errors_of(
        f"vol:p1 rdfs:seeAlso <{frus}frus1952-54v15p1> .\n"
        'doc:a ka:publishedIn vol:p1 ; ka:frusDocumentNumber "455" .\n'
        + link("a", "doc:a", "hsg-frus-document", "frus1952-54v15p2/d455", f"{frus}frus1952-54v15p2/d455")
        + link("b", "doc:b", "hsg-frus-document", "frus1952-54v15p1/d456", f"{frus}frus1952-54v15p1/d456")
    ) == [
        "link:a: ID 'frus1952-54v15p2/d455', but the graph publishes doc:a as 'frus1952-54v15p1/d455'",
        "link:b: doc:b has no ka:publishedIn FRUS volume part with ka:frusDocumentNumber",
    ]


def test_missing_parts_and_evidence() -> None:
    assert errors_of(
        'link:a a ka:AuthorityLink ; ka:linkSubject person:a ; ka:authority "wikidata" ; '
        "ka:matchType skos:exactMatch .\n"
        'link:b a ka:AuthorityLink ; ka:linkSubject person:b ; ka:authority "hsg-people" ; ka:externalId "1" ; '
        "ka:matchType skos:relatedMatch .\n"
    ) == [
        "link:a: missing ka:externalId",
        "link:b: no ka:evidence",
        "link:b: ka:matchType skos:relatedMatch is neither skos:exactMatch nor skos:closeMatch",
    ]


def test_cli_exits_1_and_lists_the_errors(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.ttl").write_text(PREFIXES + link("a", "person:a", "wikidata", "884"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kg.cli", "links", "check"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "KG_HOME": str(tmp_path)})
    assert out.returncode == 1
    assert out.stderr == "error: link:a: wikidata ID '884' does not match Q[1-9]\\d*\n"
    assert out.stdout.startswith("1 links checked: 1 error(s)\n")

"""`kg links resolve-frus`: every FRUS citation of the paper resolves to its history.state.gov document."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.config import Settings
from kg.links.frus import Citation, CitationError, IndexedDocument, parse_citation, resolve, volume_index
from kg.links.model import PREAMBLE, load_files, store_query

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "frus_citations.tsv"
HSG = "https://history.state.gov/historicaldocuments/"


@pytest.fixture(scope="module")
def query():
    return store_query(load_files(Settings()))


@pytest.fixture(scope="module")
def index(query) -> list[IndexedDocument]:
    return volume_index(query)


def reference_rows() -> list[dict[str, str]]:
    """Footnotes the reference file resolves to a FRUS document, and those it marks NOT FOUND."""
    with REFERENCE.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["hsg_doc"] or r["note"].startswith("NOT FOUND")]


@pytest.mark.parametrize("text, expected", [
    ("FRUS 1952-54 XV pp. 1097-98", Citation(1952, 1954, 15, None, 1097, 1098)),
    ("FRUS, 1952-1954, vol. 15, pt. 2, pp. 1097-1098", Citation(1952, 1954, 15, 2, 1097, 1098)),
    ("Memorandum by the Secretary of State to the President, June 4, 1953, FRUS, 1952-1954, vol. 15, pt. 2, "
     "pp. 1138.", Citation(1952, 1954, 15, 2, 1138, 1138)),
    ("Rhee to Eisenhower, April 9, 1953, Foreign Relations of the United States（以下、FRUSと略す）， 1952-1954, "
     "vol. 15, pt. 2, pp. 902-903.", Citation(1952, 1954, 15, 2, 902, 903)),
    ("FRUS 1952–1954, vol. XV, part 1, p. 1231", Citation(1952, 1954, 15, 1, 1231, 1231)),
])
def test_parse_citation(text: str, expected: Citation) -> None:
    assert parse_citation(text) == expected


@pytest.mark.parametrize("text, message", [
    ("Department of State Bulletin, June 29, 1953, p. 907", "not a FRUS citation"),
    ("FRUS vol. 15, pp. 902-903", "no volume years"),
    ("FRUS 1952-54 XV", "no pages"),
])
def test_unreadable_citations(text: str, message: str) -> None:
    with pytest.raises(CitationError, match=message):
        parse_citation(text)


def test_every_footnote_with_a_frus_document_resolves_to_it(index: list[IndexedDocument]) -> None:
    """The reference file's cited_as and cited pages give exactly its hsg_doc (fn 48a: not found)."""
    checked = 0
    for row in reference_rows():
        pages = re.match(r"\d+(-\d+)?", row["cited_pages"]).group(0)
        citation = parse_citation(f"{row['cited_as']}, FRUS, 1952-1954, vol. 15, pp. {pages}")
        result = resolve(citation, index)
        if row["hsg_doc"]:
            assert result.document is not None, row["footnote"]
            assert result.document.hsg_iri == f"{HSG}{row['hsg_volume']}/{row['hsg_doc']}", row["footnote"]
            assert result.warnings == [], row["footnote"]
            checked += 1
        else:
            assert row["footnote"] == "48a"
            assert result.document is None
            assert [(relation, d.hsg_id) for relation, d in result.candidates] == [
                ("nearest before", "frus1952-54v15p1/d575"), ("nearest after", "frus1952-54v15p1/d580")]
    assert checked == 49


def test_the_papers_own_citations_resolve_with_part_warnings(query, index: list[IndexedDocument]) -> None:
    """Each ka:citedAs of a FRUS citation resolves to the document it cites; 'pt. 2' for part 1 is warned."""
    rows = list(query(PREAMBLE + """SELECT ?text ?part ?doc ?n WHERE {
        ?cit ka:citedAs ?text ; ka:citedPart ?part ; ka:citesDocument ?doc . ?doc ka:frusDocumentNumber ?n }"""))
    assert rows
    for r in rows:
        result = resolve(parse_citation(r["text"].value), index)
        assert result.document is not None, r["text"].value
        assert result.document.iri == r["doc"].value
        warned = int(r["part"].value) != result.document.part
        assert result.warnings == ([f"the citation says pt. {r['part'].value}, but {result.document.hsg_id} is in "
                                    f"part {result.document.part}; the pages run on across the parts, so the "
                                    "document was found by its pages"] if warned else [])


def test_every_cited_frus_document_is_linked(query) -> None:
    """data/links/frus.ttl: one hsg-frus-document link (and direct triple) per document of the reference file."""
    rows = list(query(PREAMBLE + """SELECT ?id ?target ?direct WHERE {
        ?link ka:authority "hsg-frus-document" ; ka:externalId ?id ; ka:linkSubject ?doc ; ka:linkTarget ?target .
        BIND (EXISTS { ?doc skos:exactMatch ?target } AS ?direct) }"""))
    ids = [r["id"].value for r in rows]
    assert sorted(ids) == sorted({f"{r['hsg_volume']}/{r['hsg_doc']}" for r in reference_rows() if r["hsg_doc"]})
    assert all(r["target"].value == HSG + r["id"].value and r["direct"].value == "true" for r in rows)


def test_cli_resolves_and_warns_about_the_part() -> None:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "links", "resolve-frus",
                          "FRUS, 1952-1954, vol. 15, pt. 2, pp. 1097-1098"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"{HSG}frus1952-54v15p1/d549",
        "doc:fn29-briggs-250539z: Briggs to the Department of State, DTG 250539Z, 25 May 1953 "
        "(frus1952-54v15p1/d549, pp. 1097-1098)",
    ]
    assert out.stderr.splitlines() == [
        "warning: the citation says pt. 2, but frus1952-54v15p1/d549 is in part 1; the pages run on across the "
        "parts, so the document was found by its pages"]


def test_cli_says_not_found_honestly() -> None:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "links", "resolve-frus", "FRUS 1952-54 XV pp. 1148-49"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert lines[0] == ("not found: no single document of the graph's FRUS volume index starts on or spans p. 1148 "
                        "(FRUS 1952-1954, vol. 15, pp. 1148-1149)")
    assert [line.split(" (pp.")[0] for line in lines[1:]] == [
        f"uncertain candidate (nearest before): {HSG}frus1952-54v15p1/d575",
        f"uncertain candidate (nearest after): {HSG}frus1952-54v15p1/d580",
    ]

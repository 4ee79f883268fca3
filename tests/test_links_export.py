"""`kg links export`: an SSSOM mapping set (metadata block + TSV) and Turtle, from the shipped links."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.links.export import SSSOM_COLUMNS, sssom
from kg.links.model import load_files, read_links, store_query

KA = "https://w3id.org/korea1953/ontology#"


@pytest.fixture(scope="module")
def query():
    return store_query(load_files(Settings()))


def metadata(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """The SSSOM YAML block as (top-level scalars, curie_map): the subset SSSOM writers emit."""
    scalars: dict[str, str] = {}
    curie_map: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := re.fullmatch(r"#  ([A-Za-z_][\w-]*): (\S+)", line):
            curie_map[m.group(1)] = m.group(2)
        else:
            key, _, value = line[1:].partition(": ")
            scalars[key.rstrip(":")] = value
    return scalars, curie_map


def test_sssom_metadata_and_columns(query) -> None:
    text, skipped = sssom(query, dt.date(2026, 1, 2))
    scalars, curie_map = metadata(text)
    assert scalars == {
        "curie_map": "",
        "mapping_set_id": "https://w3id.org/korea1953/mappings/authorities.sssom.tsv",
        "mapping_set_title": "Links from the korea1953 knowledge graph to external authority files",
        "mapping_set_description": scalars["mapping_set_description"],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_date": "2026-01-02",
    }
    rows = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert tuple(rows[0]) == SSSOM_COLUMNS
    body = rows[1:]
    links = read_links(query)
    assert len(body) == len([k for k in links if k.target])
    assert skipped == len([k for k in links if not k.target])
    for row in body:
        assert len(row) == len(SSSOM_COLUMNS)
        record = dict(zip(SSSOM_COLUMNS, row, strict=True))
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            assert record[column].split(":", 1)[0] in curie_map, (column, record[column])
        assert record["predicate_id"] in ("skos:exactMatch", "skos:closeMatch")
        assert record["mapping_justification"] == "semapv:ManualMappingCuration"
        assert "evidence: " in record["comment"]
    assert ["doc:fn29-briggs-250539z", "skos:exactMatch", "hsgdocs:frus1952-54v15p1/d549"] in [
        [r[0], r[2], r[3]] for r in body]
    assert curie_map["hsgdocs"] == "https://history.state.gov/historicaldocuments/"
    assert curie_map["semapv"] == "https://w3id.org/semapv/vocab/"


def test_sssom_object_ids_expand_to_the_link_targets(query) -> None:
    text, _ = sssom(query, dt.date(2026, 1, 2))
    _, curie_map = metadata(text)
    expanded = set()
    for line in [x for x in text.splitlines() if not x.startswith("#")][1:]:
        prefix, _, local = line.split("\t")[3].partition(":")
        expanded.add(curie_map[prefix] + local)
    assert expanded == {k.target for k in read_links(query) if k.target}


def test_turtle_export_round_trips_the_links() -> None:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "links", "export", "--format", "turtle"],
                         capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    store = ox.Store()
    store.load(out.stdout, format=ox.RdfFormat.TURTLE)
    nodes = list(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                         ox.NamedNode(KA + "AuthorityLink")))
    assert len(nodes) == len(read_links(store_query(load_files(Settings()))))
    direct = store.query("ASK { <https://w3id.org/korea1953/id/document/fn29-briggs-250539z> "
                         "<http://www.w3.org/2004/02/skos/core#exactMatch> "
                         "<https://history.state.gov/historicaldocuments/frus1952-54v15p1/d549> }")
    assert bool(direct)

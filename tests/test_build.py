"""`kg build`: the store, the inferred graph, the dumps, and loud failures on broken data."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import BuildError, build
from kg.config import Settings
from kg.store import GraphNames

from .conftest import ROOT


def test_build_writes_store_with_inferred_graph(built: Settings) -> None:
    store = ox.Store.read_only(str(built.store_path.resolve()))
    names = GraphNames.for_base(built.base)
    graphs = {g.value for g in store.named_graphs()}
    assert {names.ontology.value, names.inferred.value, names.shapes.value} <= graphs
    inferred = list(store.quads_for_pattern(None, None, None, names.inferred))
    assert inferred, "the OWL-RL closure added nothing"
    default = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    asserted = {(q.subject, q.predicate, q.object) for q in default}
    assert not any((q.subject, q.predicate, q.object) in asserted for q in inferred), "inferred repeats asserted"


def test_inference_adds_superclass_types(built: Settings) -> None:
    """ka:Person ⊑ foaf:Person (alignment): the inferred graph types a person as foaf:Person."""
    store = ox.Store.read_only(str(built.store_path.resolve()))
    names = GraphNames.for_base(built.base)
    q = "ASK { ?x a <http://xmlns.com/foaf/0.1/Person> }"
    assert not bool(store.query(q, default_graph=ox.DefaultGraph()))
    assert bool(store.query(q, default_graph=[ox.DefaultGraph(), names.inferred]))


def test_build_writes_dumps_and_void(built: Settings) -> None:
    dist = built.dist_dir
    for name in ("korea1953.trig", "korea1953.nq", "korea1953.ttl", "void.ttl"):
        assert (dist / name).stat().st_size > 0, name
    void = ox.Store()
    void.load(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(void.query("SELECT ?n { ?d <http://rdfs.org/ns/void#triples> ?n ; "
                           "<http://purl.org/dc/terms/description> ?desc FILTER(STRSTARTS(?desc, 'asserted')) }"))
    store = ox.Store.read_only(str(built.store_path.resolve()))
    real = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    assert int(rows[0][0].value) == real


def _copy_project(tmp_path: Path) -> Settings:
    for d in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / d, tmp_path / d)
    return replace(Settings(), root=tmp_path, var_dir=tmp_path / "var")


def test_build_fails_on_bad_turtle_naming_file_and_line(tmp_path: Path) -> None:
    settings = _copy_project(tmp_path)
    bad = tmp_path / "data" / "broken.ttl"
    bad.write_text("@prefix ka: <https://w3id.org/korea1953/ontology#> .\n\n<urn:x> ka:date \"1953\n", encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build(settings, progress=lambda _m: None)
    assert "data/broken.ttl" in str(exc.value)
    assert "line 3" in str(exc.value)


def test_build_fails_on_shape_violation_naming_node_and_file(tmp_path: Path) -> None:
    settings = _copy_project(tmp_path)
    (tmp_path / "data" / "undated.ttl").write_text(
        "@prefix ka: <https://w3id.org/korea1953/ontology#> .\n"
        "<https://w3id.org/korea1953/id/event/undated> a ka:Meeting .\n", encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build(settings, progress=lambda _m: None)
    text = str(exc.value)
    assert "https://w3id.org/korea1953/id/event/undated" in text
    assert "data/undated.ttl" in text
    assert "https://w3id.org/korea1953/ontology#date" in text


def test_failed_build_keeps_previous_store(tmp_path: Path) -> None:
    settings = _copy_project(tmp_path)
    build(settings, progress=lambda _m: None)
    before = settings.store_path.resolve()
    (tmp_path / "data" / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(BuildError):
        build(settings, progress=lambda _m: None)
    assert settings.store_path.resolve() == before
    assert bool(ox.Store.read_only(str(before)).query("ASK { ?s ?p ?o }"))

"""The `kg` command line: version, help, query round trips and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kg import __version__
from kg.config import Settings


def kg(*args: str, settings: Settings | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if settings:
        env["KG_VAR"] = str(settings.var_dir)
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=120)


def test_version() -> None:
    out = kg("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"kg, version {__version__}"


def test_every_command_has_help() -> None:
    for cmd in ("build", "serve", "query", "validate"):
        out = kg(cmd, "--help")
        assert out.returncode == 0, cmd
        assert "Usage: kg " + cmd in out.stdout


def test_query_json_round_trip(built: Settings) -> None:
    out = kg("query", "--format", "json", "SELECT (1 + 1 AS ?two) {}", settings=built)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["results"]["bindings"][0]["two"]["value"] == "2"


def test_query_table_compacts_prefixes(built: Settings) -> None:
    out = kg("query", "SELECT ?c { BIND(<https://w3id.org/korea1953/ontology#Event> AS ?c) }", settings=built)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[2].strip() == "ka:Event"
    assert out.stdout.rstrip().endswith("(1 row)")


def test_query_syntax_error_is_clear(built: Settings) -> None:
    out = kg("query", "SELEC ?x {}", settings=built)
    assert out.returncode == 2
    assert out.stderr.startswith("error: SPARQL syntax error")
    assert "Traceback" not in out.stderr


def test_query_without_store_says_to_build(tmp_path) -> None:
    env = {**os.environ, "KG_VAR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "kg.cli", "query", "ASK {}"], capture_output=True, text=True, env=env)
    assert out.returncode == 2
    assert "run `kg build` first" in out.stderr

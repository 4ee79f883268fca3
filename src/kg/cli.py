"""The `kg` command: build, serve, query, validate."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click
import pyoxigraph as ox

from . import __version__
from .config import Settings


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Knowledge graph of the 1953 Korean armistice negotiations and the US–ROK treaty."""


@main.command()
@click.option("--reasoner", type=click.Choice(["rules", "owlrl"]), default="rules", show_default=True,
              help="OWL-RL closure: SPARQL rules on pyoxigraph (fast) or the owlrl reference implementation.")
@click.option("--remote", "remote_update", metavar="UPDATE_URL",
              help="Also load the built dataset into this SPARQL 1.1 store (its update endpoint).")
@click.option("--remote-store", metavar="GSP_URL", help="The remote's Graph Store endpoint: load by one PUT per graph.")
def build(reasoner: str, remote_update: str | None, remote_store: str | None) -> None:
    """Parse, validate, reason and load the store; write dumps to var/dist/."""
    from .build import BuildError
    from .build import build as run_build
    from .sparql.engine import UpstreamError

    settings = replace(Settings(), remote_update=remote_update or None, remote_store=remote_store or None)
    try:
        run_build(settings, progress=lambda m: click.echo(m, err=True), reasoner=reasoner)
    except (BuildError, UpstreamError, SyntaxError) as exc:
        _fail(str(exc))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port.")
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.option("--remote", "remote_query", metavar="QUERY_URL",
              help="Serve over this SPARQL 1.1 store (its query endpoint) instead of the local store.")
@click.option("--remote-update", metavar="UPDATE_URL", help="The remote's update endpoint (enables writes).")
@click.option("--remote-store", metavar="GSP_URL", help="The remote's Graph Store endpoint (faster graph reads).")
def serve(host: str, port: int, threads: int, remote_query: str | None, remote_update: str | None,
          remote_store: str | None) -> None:
    """Serve the SPARQL endpoint and the UI with gunicorn (one process owns the store)."""
    from .server import run

    settings = Settings()
    if remote_query:
        settings = replace(settings, remote_query=remote_query, remote_update=remote_update, remote_store=remote_store)
    elif remote_update or remote_store:
        _fail("--remote-update and --remote-store need --remote QUERY_URL", 2)
    if not settings.remote_query and not settings.store_path.exists():
        _fail(f"no store at {settings.store_path}: run `kg build` (or `make serve`) first")
    run(settings, host=host, port=port, threads=threads)


def _render_table(result: ox.QuerySolutions, compact) -> str:
    variables = [v.value for v in result.variables]
    rows = [[compact(sol[v]) if sol[v] is not None else "" for v in variables] for sol in result]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    line = " | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True))
    out = [line, "-+-".join("-" * w for w in widths)]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]),
              default="table", show_default=True)
@click.option("--inference/--no-inference", default=False, help="Include the inferred graph.")
def query(sparql: str | None, query_file: Path | None, fmt: str, inference: bool) -> None:
    """Run a SPARQL query against the built store."""
    from .sparql.engine import Dataset, Engine, QueryError

    if query_file:
        sparql = query_file.read_text(encoding="utf-8")
    if not sparql:
        _fail("give a query as an argument or with -f FILE", 2)
    settings = Settings()
    if not settings.store_path.exists():
        _fail(f"no store at {settings.store_path}: run `kg build` first", 2)
    engine = Engine(ox.Store.read_only(str(settings.store_path.resolve())), settings.base)
    try:
        result = engine.query(sparql, Dataset(inference=inference))
    except QueryError as exc:
        _fail(str(exc), 2)
    if isinstance(result, ox.QueryBoolean):
        click.echo(str(bool(result)).lower() if fmt == "table" else result.serialize(
            format=_results_format(fmt)).decode())
        return
    if isinstance(result, ox.QueryTriples):
        rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}.get(fmt, ox.RdfFormat.TURTLE)
        click.echo(result.serialize(format=rdf).decode(), nl=False)
        return
    if fmt == "table":
        click.echo(_render_table(result, _compactor(engine.prefixes)))
    else:
        click.echo(result.serialize(format=_results_format(fmt)).decode(), nl=False)


def _results_format(fmt: str) -> ox.QueryResultsFormat:
    return {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
            "xml": ox.QueryResultsFormat.XML}.get(fmt, ox.QueryResultsFormat.JSON)


def _compactor(prefixes: dict[str, str]):
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def compact(term) -> str:
        if isinstance(term, ox.NamedNode):
            for p, ns in ordered:
                if term.value.startswith(ns):
                    return f"{p}:{term.value[len(ns):]}"
            return f"<{term.value}>"
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)

    return compact


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json-ld", "json"]), default="text",
              show_default=True, help="Report format.")
def validate(files: tuple[str, ...], fmt: str) -> None:
    """Validate new triples (Turtle, TriG, N-Triples, JSON-LD; '-' for stdin) against the shapes."""
    from .contribute import validate_files

    sys.exit(validate_files(Settings(), files, fmt))


def _register_groups() -> None:
    from .links import links_cli

    main.add_command(links_cli)


_register_groups()

if __name__ == "__main__":
    main(prog_name="kg")

"""The `kg links` commands; they read the data files as they are on disk (no build needed)."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from ..config import Settings
from .model import load_files, store_query
from .suggest import KINDS


@click.group("links")
def links_cli() -> None:
    """Check, export and extend the links to external authority files."""


@links_cli.command("check")
def check_cmd() -> None:
    """Validate every link (ID syntax, conflicts, direct triples) and print coverage; exit 1 on errors."""
    from .check import check

    report = check(store_query(load_files(Settings())))
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"{report.links} links checked: {len(report.errors)} error(s)\n")
    click.echo("coverage (entities with a link / entities of the class)")
    click.echo(report.table())
    sys.exit(1 if report.errors else 0)


@links_cli.command("resolve-frus", short_help="Resolve a FRUS citation to its history.state.gov document.")
@click.argument("citation")
def resolve_frus_cmd(citation: str) -> None:
    """Resolve a FRUS citation ('FRUS 1952-54 XV pp. 1097-98') to its history.state.gov document IRI.

    Prints the IRI and the graph's document; warns when the cited part is not the document's part.
    Exit 1 when no document of the graph's volume index starts on or spans the cited first page.
    """
    from .frus import CitationError, parse_citation, resolve, volume_index
    from .model import Compactor

    try:
        parsed = parse_citation(citation)
    except CitationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    result = resolve(parsed, volume_index(store_query(load_files(Settings()))))
    name = Compactor()
    if result.document is None:
        click.echo(f"not found: no single document of the graph's FRUS volume index starts on or spans "
                   f"p. {parsed.first_page} ({parsed})", err=True)
        for relation, doc in result.candidates:
            click.echo(f"uncertain candidate ({relation}): {doc.hsg_iri} ({doc.pages()}; {name(doc.iri)}: "
                       f"{doc.label})", err=True)
        sys.exit(1)
    doc = result.document
    click.echo(doc.hsg_iri)
    click.echo(f"{name(doc.iri)}: {doc.label} ({doc.hsg_id}, {doc.pages()})")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


@links_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["sssom", "turtle"]), default="sssom", show_default=True,
              help="SSSOM TSV (with its YAML metadata block) or Turtle (link nodes and direct SKOS triples).")
@click.option("-o", "--out", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
def export_cmd(fmt: str, out: click.utils.LazyFile) -> None:
    """Export the links for other systems: SSSOM mapping set or Turtle."""
    from .export import sssom, turtle

    query = store_query(load_files(Settings()))
    if fmt == "turtle":
        out.write(turtle(query).decode())
        return
    try:
        text, skipped = sssom(query, datetime.date.today())
    except ValueError as exc:  # a target IRI of no known authority namespace: run `kg links check`
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    out.write(text)
    if skipped:
        click.echo(f"note: {skipped} link(s) without a target IRI (hsg-people IDs) are not in the SSSOM file", err=True)


@links_cli.command("suggest")
@click.option("--service", envvar="KG_WIKIDATA_RECONCILE", required=True,
              help="Reconciliation service URL (default: $KG_WIKIDATA_RECONCILE), e.g. Wikidata's.")
@click.option("--type", "kinds", type=click.Choice(list(KINDS)), multiple=True,
              help="Entity kinds to ask about (repeatable; default: all).")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 25), help="Candidates per entity.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("links-review.tsv"),
              show_default=True, help="Review file (TSV); never inside data/.")
def suggest_cmd(service: str, kinds: tuple[str, ...], limit: int, out: Path) -> None:
    """Propose Wikidata candidates for entities without a Wikidata link, into a review file."""
    from .suggest import suggest, write_review

    settings = Settings()
    if out.resolve().is_relative_to(settings.data_dir.resolve()):
        click.echo("error: proposals go to a review file, never into data/; choose another --out", err=True)
        sys.exit(2)
    try:
        rows = suggest(store_query(load_files(settings)), service, list(kinds or KINDS), limit)
    except (OSError, ValueError) as exc:
        click.echo(f"error: the reconciliation service at {service} failed: {exc}", err=True)
        sys.exit(1)
    write_review(out, rows)
    entities = len({row[0] for row in rows})
    click.echo(f"{len(rows)} row(s) for {entities} unlinked entities written to {out}; review before linking")

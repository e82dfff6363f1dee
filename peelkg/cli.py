"""The `peelkg` command: one group, each command a thin wrapper over the library.

Exit codes: 0 ok, 1 validation failed, 2 input or usage error, 3 time or size limit hit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from peelkg.errors import PeelkgError
from peelkg.resources import default_store_dir

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Store directory (default: $PEELKG_STORE or ./peelkg-store).",
)


def resolve_store(store_dir: Path | None) -> Path:
    return store_dir if store_dir is not None else default_store_dir()


class PeelkgGroup(click.Group):
    """Turns library errors into one-line messages and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PeelkgError as error:
            click.echo(f"peelkg: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=PeelkgGroup)
@click.version_option(package_name="peelkg")
def main() -> None:
    """peelkg: police inspection reports as a queryable knowledge graph."""


@main.command()
@click.argument("reports", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@STORE_OPTION
@click.option("--add", is_flag=True, help="Add or replace REPORTs in the existing store instead of rebuilding it.")
@click.option("--no-reason", is_flag=True, help="Skip reasoning: no inferred graphs.")
@click.option("--strict", is_flag=True, help="Fail on warnings in a report, not only on fatal problems.")
def build(reports: tuple[Path, ...], store_dir: Path | None, add: bool, no_reason: bool, strict: bool) -> None:
    """Build the store from report texts (default: the bundled reports).

    The new store replaces the old one only once every report has loaded and validated.

    Example: peelkg build data/reports/essex-2016-effectiveness.txt --store ./peelkg-store
    """
    from peelkg.graph.build import add_reports, build_store
    from peelkg.resources import bundled_reports

    if add and not reports:
        raise click.UsageError("--add needs at least one REPORT")

    def progress(done: int, total: int, report) -> None:
        if total > 1:
            click.echo(f"[{done}/{total}] {report.key}: {report.total} triples ({report.seconds:.1f} s)", err=True)
        for issue in report.issues:
            click.echo(str(issue), err=True)

    run = add_reports if add else build_store
    summary = run(list(reports) or bundled_reports(), resolve_store(store_dir), reason=not no_reason, strict=strict, progress=progress)
    verb = "added" if add else "built"
    click.echo(f"{verb} {len(summary.reports)} report(s); store {summary.store_dir}: {summary.triples} triples in {len(summary.graphs)} named graphs")


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "turtle", "jsonld"]), default="trig", show_default=True,
              help="TriG, N-Quads and JSON-LD keep the named graphs; Turtle merges them into one graph.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE (atomically) instead of stdout.")
def export(store_dir: Path | None, fmt: str, out: Path | None) -> None:
    """Export the whole store as one RDF file.

    Example: peelkg export --format nquads --out peelkg.nq
    """
    from peelkg.graph.store import ExportFormat, export as run

    data = run(resolve_store(store_dir), ExportFormat(fmt), out)
    if data is not None:
        click.get_binary_stream("stdout").write(data)

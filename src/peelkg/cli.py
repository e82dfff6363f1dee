"""The `peelkg` command: one group, each command a thin wrapper over the library.

Exit codes: 0 ok, 1 validation failed, 2 input or usage error, 3 time or size limit hit,
141 the output pipe was closed (as SIGPIPE ends git or ls).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from peelkg.errors import InputError, PeelkgError
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


CLOSED_PIPE_EXIT = 141   # what a shell reports for a command ended by SIGPIPE (128 + 13), as git and ls end


def _silence_output() -> None:
    """Point stdout and stderr at /dev/null, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):
            pass   # not a real file (an in-process test runner's buffer)
    os.close(devnull)


class PeelkgGroup(click.Group):
    """Turns library errors into one-line messages and exit codes, never tracebacks.

    A closed pipe (`peelkg queries | head -1`) ends the command quietly with status 141, as
    SIGPIPE ends git or ls; a build it interrupts rolls back, leaving the previous store as it was.
    """

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            except PeelkgError as error:
                click.echo(f"peelkg: {error}", err=True)
                sys.exit(error.exit_code)
        except BrokenPipeError:
            _silence_output()
            sys.exit(CLOSED_PIPE_EXIT)


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
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes that prepare reports (default: $PEELKG_JOBS, else one per CPU).")
def build(reports: tuple[Path, ...], store_dir: Path | None, add: bool, no_reason: bool, strict: bool, jobs: int | None) -> None:
    """Build the store from reports, as published (PDF) or as text (default: the bundled reports).

    The new store replaces the old one only once every report has loaded and validated. Builds
    into one store take turns: a second one waits for the first, saying which process it waits for.

    Example: peelkg build data/reports/essex-2016-effectiveness.txt --store ./peelkg-store

    PDF and text mix: peelkg build downloads/essex-2016-effectiveness.pdf wessex-2016-effectiveness.txt
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
    summary = run(list(reports) or bundled_reports(), resolve_store(store_dir), reason=not no_reason, strict=strict, progress=progress,
                  jobs=jobs, on_wait=lambda message: click.echo(f"peelkg: {message}", err=True))
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
        click.echo(data, nl=False)


@main.command()
@click.argument("names", nargs=-1)
@STORE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("peelkg-out"),
              show_default=True, help="Directory the HTML views and index.html are written to.")
@click.option("--focus", default=None, help="Also draw the neighbourhood of the entity with this label or alias.")
@click.option("--depth", type=click.IntRange(0, 10), default=2, show_default=True, help="Steps around --focus.")
@click.option("--through-hubs", is_flag=True,
              help="Let --focus cross the force, reports, questions and themes beyond the first step.")
@click.option("--screenshots", "shots_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also save PNG screenshots of the main views here (needs playwright and /usr/bin/chromium).")
def view(names: tuple[str, ...], store_dir: Path | None, out_dir: Path, focus: str | None, depth: int,
         through_hubs: bool, shots_dir: Path | None) -> None:
    """Write interactive network views as standalone HTML pages that work offline, plus an index.

    NAMES: overview, initiatives-afis, partners, questions, q1 ... q5 (default: all).

    Example: peelkg view --out views --focus "Operation Raptor" --depth 2
    """
    from peelkg.views import build_views, read_store, save_screenshots
    from peelkg.views.text import plural

    pages = build_views(read_store(resolve_store(store_dir)), out_dir, names=names, focus=focus, depth=depth,
                        through_hubs=through_hubs)
    click.echo(f"wrote {plural(len(pages), 'page')}; open {pages[-1]}")
    if shots_dir is not None:
        click.echo(f"saved {plural(len(save_screenshots(pages, shots_dir)), 'screenshot')} in {shots_dir}")


@main.command()
@click.option("--quick", is_flag=True, help="Small corpora (1 and 3 reports), fewer runs, 100/500-node views: under two minutes.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the figures as JSON to FILE.")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Keep corpora and stores in DIR (default: a temporary folder).")
@click.option("--allow-miss", is_flag=True, help="Exit 0 even when a target is missed (default: exit 1).")
def bench(quick: bool, json_file: Path | None, work_dir: Path | None, allow_miss: bool) -> None:
    """Measure build, store, query and view speed against the targets; prints a table with PASS/MISS.

    Ends with one line, `N PASS, M MISS`; a missed target exits 1 unless --allow-miss.
    The full run builds synthetic corpora of 43 and 430 reports and may take half an hour.

    Example: peelkg bench --quick --json bench.json
    """
    import json

    from peelkg.bench.bench import run_bench
    from peelkg.bench.results import TargetsMissed, format_row, format_summary, format_table, missed

    result = run_bench(quick=quick, work_dir=work_dir, progress=lambda line: click.echo(line, err=True),
                       on_figure=lambda figure: click.echo(format_row(figure), err=True))
    click.echo(format_table(result))
    if json_file is not None:
        json_file.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    click.echo(format_summary(result))
    misses = missed(result)
    if misses and not allow_miss:
        raise TargetsMissed(f"{len(misses)} target(s) missed, first: {misses[0].section}: {misses[0].name} "
                            "(--allow-miss exits 0)")


REPORTS_OPTION = click.option("--report", "reports", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                              help="Report text to link (repeatable; default: the bundled reports).")


@main.group(invoke_without_command=True)
@REPORTS_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--top", type=int, default=5, show_default=True, help="Initiatives shown per finding (0: all candidates).")
@click.option("--no-curated", is_flag=True, help="Leave out the curated links file: what the scorer finds alone.")
@click.pass_context
def links(ctx: click.Context, reports: tuple[Path, ...], fmt: str, top: int, no_curated: bool) -> None:
    """Initiatives ranked for each area for improvement, with score and rationale, then the unaddressed ones.

    Reads the reports through the pipeline (no store needed), so it shows the links a build would store,
    an analyst's decisions included (methods curated and rejected). `peelkg links review` and
    `peelkg links apply` are the review loop that records those decisions.

    Example: peelkg links --report data/reports/essex-2016-effectiveness.txt --format csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from peelkg.loaders.link import LinkFormat, format_links, links_for_report
    from peelkg.resources import bundled_reports

    results = [links_for_report(path, curated=not no_curated) for path in reports or bundled_reports()]
    click.echo(format_links(results, LinkFormat(fmt), top), nl=False)


@links.command(name="review")
@REPORTS_OPTION
@click.option("--top", type=int, default=5, show_default=True,
              help="Candidates listed per finding (0: all); pairs already decided are always listed.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The review file (YAML) to write.")
def links_review(reports: tuple[Path, ...], top: int, out: Path) -> None:
    """Write a review file: per finding, its ranked candidate initiatives, each with `decision: open` to set.

    Set a candidate's decision to accept or reject (with a quote of the report and a reason), then
    merge the file with `peelkg links apply`.

    Example: peelkg links review --report data/reports/essex-2016-effectiveness.txt --top 3 --out review.yaml
    """
    from peelkg.loaders.review import review_text
    from peelkg.resources import bundled_reports

    text = review_text(list(reports or bundled_reports()), top)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{out}: cannot write the review file ({error.strerror or error})") from error
    click.echo(f"wrote {out}")


@links.command(name="apply")
@click.argument("review_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--creator", default=None, metavar="NAME", help="Who made the decisions (stored as dcterms:creator).")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="When they were made (stored as dcterms:date).")
def links_apply(review_file: Path, creator: str | None, date: str | None) -> None:
    """Merge the accept and reject decisions of a review file into each report's curated links file.

    Each decision is checked against the report's text first (initiative, finding, quote); `open`
    candidates are ignored; a new decision replaces an earlier one on the same pair. The next build
    stores accepted pairs as peel:addresses (method curated) and never rejected ones (method rejected).

    Example: peelkg links apply review.yaml --creator "A. Analyst" --date 2026-12-04
    """
    from peelkg.loaders.review import apply_review

    for applied in apply_review(review_file, creator, date):
        click.echo(applied.summary())


REPORT_OPTION = click.option("--report", default=None, metavar="KEY",
                             help="Only this report: its key ({insp}/{force}) or IRI (default: every stored report).")


@main.command()
@STORE_OPTION
@REPORT_OPTION
def validate(store_dir: Path | None, report: str | None) -> None:
    """Check stored reports against the SHACL shapes; exit 1 when one does not conform.

    Example: peelkg validate --report peel-2016-effectiveness/essex-police
    """
    from peelkg.errors import ValidationFailed
    from peelkg.graph.validate import format_report, stored_report_graphs, validate_graph

    failed = []
    for key, graph in stored_report_graphs(resolve_store(store_dir), report).items():
        result = validate_graph(graph)
        click.echo(f"{key}: {format_report(result)}")
        if not result.conforms:
            failed.append(key)
    if failed:
        raise ValidationFailed(f"{len(failed)} report(s) do not conform to the shapes: {', '.join(failed)}")


@main.command()
@STORE_OPTION
@REPORT_OPTION
@click.option("--show", is_flag=True, help="Also print the inferred triples as Turtle.")
def reason(store_dir: Path | None, report: str | None, show: bool) -> None:
    """Check stored reports for logical consistency with HermiT (needs Java) and count what it infers.

    An inconsistent report exits 1 with the resources and axioms involved.

    Example: peelkg reason --report peel-2016-effectiveness/essex-police --show
    """
    from peelkg.graph.reason import reason as run
    from peelkg.graph.validate import stored_report_graphs

    for key, graph in stored_report_graphs(resolve_store(store_dir), report).items():
        result = run(graph)
        click.echo(f"{key}: consistent; {len(result.inferred)} inferred triple(s) in {result.seconds:.1f} s")
        if show:
            click.echo(result.inferred.serialize(format="turtle"))


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("peelkg-docs"),
              show_default=True, help="Directory the documentation page (index.html) is written to.")
def docs(out_dir: Path) -> None:
    """Write HTML documentation of the ontology: classes, properties, the grade, role and theme schemes.

    Example: peelkg docs --out site/ontology
    """
    from peelkg.docs.ontology import write_docs

    click.echo(f"wrote {write_docs(out_dir)}")


def write_stdout(data: bytes) -> None:
    """Write bytes to stdout now; a write that fails (a full disk) is one line and exit 2, not a traceback."""
    import os

    from peelkg.errors import InputError

    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise       # a reader that closed the pipe is not an error: main() ends quietly
    except OSError as error:
        try:  # what could not be written must not be tried again at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        raise InputError(f"cannot write the output: {error.strerror or error}") from None


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r}: write NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


@main.command()
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Value of the query parameter ?_NAME (repeatable). <IRI> or prefix:name gives an IRI, anything else a string.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl"]), default=None,
              help="Output format (default: table; ttl for CONSTRUCT and DESCRIBE).")
@STORE_OPTION
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds before the query is stopped (exit code 3).")
@click.option("--limit", type=click.IntRange(min=1), default=10000, show_default=True,
              help="Most rows (or triples) returned. Hitting the default cap prints a warning and exits with code 3; "
                   "a --limit you give is not an error.")
@click.option("--allow-service", is_flag=True, help="Permit SERVICE, FROM and FROM NAMED (refused by default).")
@click.option("--endpoint", default=None, metavar="URL", help="Query this SPARQL 1.1 endpoint instead of the local store.")
def query(query: str, params: tuple[str, ...], fmt: str | None, store_dir: Path | None, timeout_s: float, limit: int,
          allow_service: bool, endpoint: str | None) -> None:
    """Run a named query, a .rq file or SPARQL text, read-only, over the store.

    QUERY is a name from `peelkg queries`, a path to a .rq file, or the SPARQL text itself.
    Exit codes: 0 ok, 2 bad query or input, 3 timeout or the default row cap hit.

    Example: peelkg query initiatives-on-theme --param theme=gangs --format csv
    """
    import shutil

    from peelkg.graph.query import resolve_query_text, run_query, serialize_result

    text = resolve_query_text(query)
    options: dict = dict(timeout_s=timeout_s, limit=limit, allow_service=allow_service)
    if endpoint is not None:
        from peelkg.endpoint.remote import run_remote_query

        result = run_remote_query(endpoint, text, _parse_params(params), **options)
    else:
        result = run_query(resolve_store(store_dir), text, _parse_params(params), **options)
    width = shutil.get_terminal_size((80, 24)).columns
    write_stdout(serialize_result(result, fmt, width=width))
    if result.truncated and click.get_current_context().get_parameter_source("limit") is ParameterSource.DEFAULT:
        # The default cap guards against a runaway query; a --limit the user gave is what they asked for.
        click.echo(f"peelkg: warning: stopped at the default cap of {limit} rows; the query has more results "
                   "(raise it with --limit)", err=True)
        sys.exit(3)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries(fmt: str) -> None:
    """List the named queries with their summaries and parameters (defaults in brackets).

    Example: peelkg queries
    """
    import json
    import textwrap

    from peelkg.graph.query import load_named_queries

    catalogue = load_named_queries()
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "summary": q.summary, "form": q.form.value, "tags": list(q.tags),
             "parameters": {p.name: p.default for p in q.parameters}}
            for q in catalogue
        ], indent=2))
        return
    for q in catalogue:
        params = " ".join(f"--param {p.name}={p.default!r}" if p.default is not None else f"--param {p.name}=…"
                          for p in q.parameters)
        click.echo(q.name + (f"  [{params}]" if params else ""))
        click.echo(textwrap.fill(q.summary, width=78, initial_indent="    ", subsequent_indent="    "))


@main.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on (127.0.0.1, ::1).")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True,
              help="Port of the SPARQL endpoint (/query) and its editor (/).")
@click.option("--page-port", type=click.IntRange(0, 65535), default=None, help="Port of the named-query page (default: PORT + 1).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds before a query is stopped.")
@click.option("--cache-mb", type=click.IntRange(min=0), default=64, show_default=True,
              help="Answers kept for queries asked again, until the store is rebuilt (0: keep none).")
def serve(store_dir: Path | None, host: str, port: int, page_port: int | None, timeout_s: float, cache_mb: int) -> None:
    """Serve the store read-only: SPARQL 1.1 endpoint, query editor, and a page of the named queries.

    Runs the Oxigraph server (serve-read-only) behind a guard that checks every query as
    `peelkg query` does and enforces --timeout, until Ctrl-C or SIGTERM.

    Example: peelkg serve --store ./peelkg-store --port 7878   (then open http://127.0.0.1:7879/)
    """
    import signal

    from peelkg.endpoint.serve import LocalEndpoint

    def stop(signum: int, frame: object) -> None:  # kill -TERM stops the servers as Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with LocalEndpoint(resolve_store(store_dir), host=host, port=port, page_port=page_port, timeout_s=timeout_s,
                           cache_mb=cache_mb) as server:
            click.echo(f"SPARQL endpoint  {server.query_url}")
            click.echo(f"query editor     {server.editor_url}")
            click.echo(f"named queries    {server.page_url}")
            click.echo("Ctrl-C stops the servers.", err=True)
            server.wait()
    except KeyboardInterrupt:
        return
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL of a writable SPARQL 1.1 store, e.g. http://127.0.0.1:7878/store.")
@click.option("--query-endpoint", metavar="URL", default=None,
              help="The store's SPARQL query URL, asked whether its default graph is the union of its named graphs "
                   "(default: .../query beside a .../store URL, else --endpoint).")
@click.option("--user", default=None, envvar="PEELKG_ENDPOINT_USER", show_envvar=True,
              help="User name for a store that asks for one (HTTP Basic or Digest); the password is read from "
                   "$PEELKG_ENDPOINT_PASSWORD, or asked for.")
@STORE_OPTION
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds to wait for each answer.")
def push(endpoint: str, query_endpoint: str | None, user: str | None, store_dir: Path | None, timeout_s: float) -> None:
    """Copy every named graph of the store, then its default graph (their union), to a writable SPARQL 1.1 store.

    One HTTP PUT per graph; each replaces that graph, so pushing again gives the same remote store.
    The default graph is left alone where the store makes it the union of its named graphs itself.

    Example: peelkg push --endpoint http://127.0.0.1:7878/store

    \b
    Virtuoso: peelkg push --endpoint http://HOST:8890/sparql-graph-crud-auth \\
                --query-endpoint http://HOST:8890/sparql --user dba
    """
    from peelkg.endpoint.remote import Credentials, push_store

    credentials = None
    if user is not None:
        password = os.environ.get("PEELKG_ENDPOINT_PASSWORD")
        if password is None:
            password = click.prompt(f"Password of {user} at the store", hide_input=True, err=True)
        credentials = Credentials(user, password)
    pushed = push_store(resolve_store(store_dir), endpoint, timeout_s=timeout_s, query_endpoint=query_endpoint,
                        credentials=credentials)
    for graph in pushed:
        click.echo(f"{graph.triples:>9}  {graph.graph or '(default graph)'}")
    click.echo(f"pushed {len(pushed)} graph(s), {sum(g.triples for g in pushed)} triples to {endpoint}")


@main.command(name="eval")
@click.argument("answer_key", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report to load (default: the key's fixture.report_file, next to the key).")
@click.option("--verbose", "-v", is_flag=True, help="Also list what was missed, the false positives and the neutral matches.")
@click.option("--no-links", is_flag=True, help="Skip the link scores.")
def eval_command(answer_key: Path, report: Path | None, verbose: bool, no_links: bool) -> None:
    """Score the loader against an answer key: precision and recall per kind of fact.

    Given a reader's link annotation instead, score the links of the scorer alone: precision,
    recall of strong links and mean reciprocal rank.

    Example: peelkg eval tests/data/reports/wessex-2016-effectiveness.gold.yaml -v

    Example: peelkg eval tests/data/links/essex-2016-effectiveness.annotation.yaml -v
    """
    from peelkg.evaluate.evaluate import evaluate

    click.echo(evaluate(answer_key, report, links=not no_links).format(verbose=verbose))


@main.command()
@STORE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("peelkg-out"),
              show_default=True, help="Folder for the views.")
@click.option("--no-reason", is_flag=True, help="Skip OWL reasoning.")
def showcase(store_dir: Path | None, out_dir: Path, no_reason: bool) -> None:
    """Build the bundled reports, run the showcase queries and write the views.

    Example: peelkg showcase --store ./peelkg-store --out ./peelkg-out
    """
    from peelkg.showcase import run_showcase

    store = resolve_store(store_dir)
    result = run_showcase(store, out_dir, reason=not no_reason)
    click.echo(f"built {len(result.build.reports)} report(s) into {store}")
    for name, summary, table in result.tables:
        click.echo(f"\n== {name}: {summary}\n(peelkg query {name} --store {store})\n{table}")
    click.echo(f"\nviews: {result.index.resolve()}")

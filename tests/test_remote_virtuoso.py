"""Remote SPARQL stores, a second engine: push the bundled report to Virtuoso open source and ask it every named query.

Virtuoso (Debian's virtuoso-opensource-7-bin, 7.2) is started for the module on free loopback
ports with a database of its own, and set up as its users run it: graphs are written through
its Graph Store endpoint that asks for a password (`/sparql-graph-crud-auth`, HTTP Digest, the
`dba` account), queries go to `/sparql`, whose default graph is the union of all its graphs.

Every named query gives the local store's rows there, but for three things SPARQL or Virtuoso
answer differently, evened out by `comparable` before rows are compared:

- Virtuoso has no boolean type: a stored `xsd:boolean` comes back as the `xsd:integer` 1 or 0,
  so local booleans are compared as those integers.
- SPARQL leaves the order of the values in a `GROUP_CONCAT` open (Oxigraph keeps the order of an
  ordered sub-select, Virtuoso does not), so each such value is compared as its sorted parts.
- SPARQL makes a `GROUP_CONCAT` over unbound values an error, leaving the column unbound (as
  Oxigraph does); Virtuoso skips them and answers "". In CSV, TSV and the table both print empty.
"""

from __future__ import annotations

import shutil
import socket
import string
import subprocess
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from peelkg.cli import main
from peelkg.endpoint.remote import Credentials, PushedGraph, push_store, run_remote_query
from peelkg.graph import query as q
from peelkg.graph.store import graph_sizes, open_store
from peelkg.resources import queries_dir
from tests.paths import DATA_DIR

VIRTUOSO = shutil.which("virtuoso-t")
if VIRTUOSO is None:
    pytest.skip("needs Virtuoso open source, virtuoso-t (apt-get install virtuoso-opensource-7-bin)",
                allow_module_level=True)

pytestmark = [pytest.mark.virtuoso, pytest.mark.slow]

DBA = Credentials("dba", "dba")        # the administrator of a new Virtuoso database
XSD = "http://www.w3.org/2001/XMLSchema#"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(base: str) -> bool:
    query = urllib.parse.urlencode({"query": "SELECT (1 AS ?one) WHERE {}"})
    try:
        with urllib.request.urlopen(f"{base}/sparql?{query}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso server on a new database in a temporary folder, yielding its base URL; stopped after the module."""
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    template = string.Template((DATA_DIR / "virtuoso" / "virtuoso.ini").read_text(encoding="utf-8"))
    ini = folder / "virtuoso.ini"
    ini.write_text(template.substitute(folder=folder, sql_port=free_port(), http_port=http_port), encoding="utf-8")
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 60
        while not answers(base):
            assert process.poll() is None, (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "Virtuoso did not answer within 60 s"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture(scope="module")
def pushed(virtuoso, bundled_store) -> list[PushedGraph]:
    return push_store(bundled_store, virtuoso + "/sparql-graph-crud-auth", query_endpoint=virtuoso + "/sparql",
                      credentials=DBA)


def group_concat_columns(text: str) -> dict[str, str]:
    """The variables a query binds to a GROUP_CONCAT, anywhere in it, with their separators."""
    found: dict[str, str] = {}

    def visit(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "vars" and "evar" in node and "expr" in node:
                expression = node["expr"]
                while isinstance(expression, CompValue) and list(expression) == ["expr"]:
                    expression = expression["expr"]      # the grammar's one-operand wrappers
                if isinstance(expression, CompValue) and expression.name == "Aggregate_GroupConcat":
                    found[str(node["evar"])] = str(expression["separator"]) if "separator" in expression else " "
            for value in node.values():
                visit(value)
        elif isinstance(node, (list, ParseResults)):
            for value in node:
                visit(value)

    visit(parseQuery(text))
    return found


def comparable(result: q.QueryResult, concatenated: dict[str, str]) -> list[tuple[str, ...]]:
    """The rows, sorted, with booleans as Virtuoso's 1 and 0 and each GROUP_CONCAT as its sorted parts ("" if none)."""
    separators = [concatenated.get(name) for name in result.variables]
    rows = []
    for row in result.rows:
        cells = []
        for term, separator in zip(row, separators):
            if isinstance(term, ox.Literal) and term.datatype == ox.NamedNode(XSD + "boolean"):
                term = ox.Literal("1" if term.value in ("true", "1") else "0", datatype=ox.NamedNode(XSD + "integer"))
            if separator is not None:
                parts = sorted(term.value.split(separator)) if isinstance(term, ox.Literal) and term.value else []
                cells.append(separator.join(parts))
            else:
                cells.append("" if term is None else str(term))
        rows.append(tuple(cells))
    return sorted(rows)


def test_push_copies_every_graph_and_leaves_the_union_to_virtuoso(virtuoso, bundled_store, pushed):
    local = graph_sizes(open_store(bundled_store))
    # every named graph, and nothing to the default graph: Virtuoso's is the union of all its graphs
    assert {graph.graph: graph.triples for graph in pushed} == local
    counted = run_remote_query(virtuoso + "/sparql", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    remote = {str(row[0].value): int(row[1].value) for row in counted.rows}
    assert {graph: remote.get(graph) for graph in local} == local


def test_pushing_again_gives_the_same_store(virtuoso, bundled_store, pushed):
    assert push_store(bundled_store, virtuoso + "/sparql-graph-crud-auth", query_endpoint=virtuoso + "/sparql",
                      credentials=DBA) == pushed
    total = run_remote_query(virtuoso + "/sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                             "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/peelkg/')) }")
    assert int(total.rows[0][0].value) == sum(graph.triples for graph in pushed)


@pytest.mark.parametrize("name", sorted(path.stem for path in queries_dir().glob("*.rq")))
def test_named_queries_give_the_same_rows_on_virtuoso(virtuoso, bundled_store, pushed, name):
    text = q.resolve_query_text(name)
    local = q.run_query(bundled_store, text)
    remote = run_remote_query(virtuoso + "/sparql", text)
    if local.form.returns_graph:
        assert set(remote.triples) == set(local.triples)
    else:
        assert remote.variables == local.variables
        concatenated = group_concat_columns(text)
        assert comparable(remote, concatenated) == comparable(local, concatenated)


def test_the_comparison_evens_out_only_what_it_says():
    text = 'SELECT ?a (GROUP_CONCAT(DISTINCT STR(?x); separator="; ") AS ?xs) ?flag WHERE {} GROUP BY ?a ?flag'
    assert group_concat_columns(text) == {"xs": "; "}
    boolean, integer = ox.NamedNode(XSD + "boolean"), ox.NamedNode(XSD + "integer")

    def result(*rows):
        return q.QueryResult(q.QueryForm.SELECT, variables=["a", "xs", "flag"], rows=[tuple(row) for row in rows])

    local = result([ox.Literal("a"), ox.Literal("x; y"), ox.Literal("true", datatype=boolean)],
                   [ox.Literal("b"), None, ox.Literal("false", datatype=boolean)])
    virtuoso = result([ox.Literal("a"), ox.Literal("y; x"), ox.Literal("1", datatype=integer)],
                      [ox.Literal("b"), ox.Literal(""), ox.Literal("0", datatype=integer)])
    assert comparable(virtuoso, {"xs": "; "}) == comparable(local, {"xs": "; "})
    other = result([ox.Literal("a"), ox.Literal("y; z"), ox.Literal("1", datatype=integer)],
                   [ox.Literal("b"), ox.Literal(""), ox.Literal("1", datatype=integer)])
    assert comparable(other, {"xs": "; "}) != comparable(local, {"xs": "; "})
    assert comparable(virtuoso, {}) != comparable(local, {})    # the order counts outside GROUP_CONCAT


def test_cli_push_with_a_password_then_query_the_endpoint(virtuoso, bundled_store, pushed):
    runner = CliRunner()
    store = virtuoso + "/sparql-graph-crud-auth"
    refused = runner.invoke(main, ["push", "--endpoint", store, "--store", str(bundled_store)])
    assert refused.exit_code == 2 and "HTTP 401" in refused.stderr and "--user" in refused.stderr
    wrong = runner.invoke(main, ["push", "--endpoint", store, "--store", str(bundled_store), "--user", "dba"],
                          env={"PEELKG_ENDPOINT_PASSWORD": "not-the-password"})
    assert wrong.exit_code == 2 and "HTTP 401" in wrong.stderr
    unasked = runner.invoke(main, ["push", "--endpoint", store, "--store", str(bundled_store), "--user", "dba"],
                            env={"PEELKG_ENDPOINT_PASSWORD": "dba"})
    assert unasked.exit_code == 2 and "--query-endpoint" in unasked.stderr
    assert "not configured to have default graph" in unasked.stderr      # Virtuoso's own words, from its HTML page
    public = runner.invoke(main, ["push", "--endpoint", virtuoso + "/sparql-graph-crud", "--store", str(bundled_store)])
    assert public.exit_code == 2 and "HTTP 403 Forbidden: Error 42000: SQ110:SECURITY: Permission denied" in public.stderr
    push = runner.invoke(main, ["push", "--endpoint", store, "--query-endpoint", virtuoso + "/sparql",
                                "--store", str(bundled_store), "--user", "dba"], env={"PEELKG_ENDPOINT_PASSWORD": "dba"})
    assert push.exit_code == 0, push.output
    assert f"pushed {len(pushed)} graph(s), {sum(g.triples for g in pushed)} triples" in push.stdout
    local = runner.invoke(main, ["query", "grades", "--store", str(bundled_store), "--format", "csv"])
    remote = runner.invoke(main, ["query", "grades", "--endpoint", virtuoso + "/sparql", "--format", "csv"])
    assert remote.exit_code == 0, remote.output
    header, *rows = remote.stdout.splitlines()
    assert header == local.stdout.splitlines()[0] and len(rows) == len(local.stdout.splitlines()) - 1 > 0

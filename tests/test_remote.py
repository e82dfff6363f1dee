"""Remote SPARQL 1.1 stores: push to and query a writable Oxigraph server started on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from peelkg.cli import main
from peelkg.errors import InputError, LimitExceeded
from peelkg.graph import query as q
from peelkg.endpoint.remote import RemoteError, graph_url, push_store, run_remote_query
from peelkg.endpoint.serve import oxigraph_binary, wait_until_listening
from peelkg.graph.store import graph_names, graph_sizes, open_store
from peelkg.resources import queries_dir
from tests.conftest import NetworkBlocked

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_server(location, *options: str):
    """A writable `oxigraph serve` on a fresh store, yielding its base URL (…/query, …/store)."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until_listening("127.0.0.1", port, time.monotonic() + 15, process), "oxigraph serve did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A server whose default graph is the union of its named graphs."""
    yield from oxigraph_server(tmp_path_factory.mktemp("remote") / "store", "--union-default-graph", "--timeout-s", "1")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A server with a default graph of its own, as most SPARQL stores have by default."""
    yield from oxigraph_server(tmp_path_factory.mktemp("plain") / "store", "--timeout-s", "5")


@pytest.fixture(scope="module")
def pushed(writable, sample_store):
    return push_store(sample_store, writable + "/store")


def local_graph(store, iri: str) -> rdflib.Graph:
    result = q.run_query(store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", limit=10**6)
    return rdflib.Graph().parse(data=q.serialize_result(result, "ttl"), format="turtle")


def remote_graph(endpoint: str, iri: str) -> rdflib.Graph:
    result = run_remote_query(endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", limit=10**6)
    return rdflib.Graph().parse(data=q.serialize_result(result, "ttl"), format="turtle")


def remote_count(endpoint: str) -> int:
    result = run_remote_query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(result.rows[0][0].value)


def test_push_then_query_round_trips_every_graph(writable, sample_store, pushed):
    names = graph_names(open_store(sample_store))
    assert [graph.graph for graph in pushed] == names   # a union default graph: nothing more to push
    for iri in names:
        assert isomorphic(remote_graph(writable + "/query", iri), local_graph(sample_store, iri)), iri
    local = sum(graph_sizes(open_store(sample_store)).values())  # named graphs; the default graph is their union
    assert remote_count(writable + "/query") == sum(graph.triples for graph in pushed if graph.graph) == local


def test_push_is_idempotent_and_replaces_each_graph(writable, sample_store, pushed):
    endpoint = writable + "/query"
    before = remote_count(endpoint)
    graph = pushed[0].graph
    extra = urllib.request.Request(graph_url(writable + "/store", graph), method="POST",
                                   data=b"<http://e.org/s> <http://e.org/p> <http://e.org/o> .",
                                   headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(extra, timeout=10).close()
    assert remote_count(endpoint) == before + 1
    push_store(sample_store, writable + "/store")
    assert remote_count(endpoint) == before
    assert isomorphic(remote_graph(endpoint, graph), local_graph(sample_store, graph))


@pytest.mark.parametrize("name", sorted(path.stem for path in queries_dir().glob("*.rq")))
def test_named_queries_give_the_same_answer_remotely(writable, sample_store, pushed, name):
    text = q.resolve_query_text(name)
    local = q.run_query(sample_store, text)
    remote = run_remote_query(writable + "/query", text)
    if local.form.returns_graph:
        assert set(remote.triples) == set(local.triples)
    else:
        assert remote.variables == local.variables
        assert sorted(map(str, remote.rows)) == sorted(map(str, local.rows))


def test_named_queries_give_the_same_answer_on_a_store_without_a_union_default_graph(plain, sample_store):
    pushed = push_store(sample_store, plain + "/store")
    assert pushed[-1].graph == "" and pushed[-1].triples > 0   # the union, pushed to the default graph
    assert push_store(sample_store, plain + "/store") == pushed   # again: the same
    assert len(run_remote_query(plain + "/query", q.resolve_query_text("grades"))) > 0
    for name in sorted(path.stem for path in queries_dir().glob("*.rq")):
        text = q.resolve_query_text(name)
        local = q.run_query(sample_store, text)
        remote = run_remote_query(plain + "/query", text)
        if local.form.returns_graph:
            assert set(remote.triples) == set(local.triples), name
        else:
            assert remote.variables == local.variables, name
            assert sorted(map(str, remote.rows)) == sorted(map(str, local.rows)), name


def test_remote_parameters_limit_and_refusals(writable, pushed):
    endpoint = writable + "/query"
    text = q.resolve_query_text("initiatives-on-theme")
    gangs = run_remote_query(endpoint, text, {"theme": "id:theme/gangs"})
    assert {row["initiative"] for row in q.rows_as_text(gangs)} == {"Firebreak scheme", "Operation Raptor", "Operation Tideway"}
    capped = run_remote_query(endpoint, "SELECT * WHERE { ?s ?p ?o }", limit=4)
    assert len(capped.rows) == 4 and capped.truncated
    with pytest.raises(q.QueryRefused, match="SERVICE"):
        run_remote_query(endpoint, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(q.QueryRefused, match="updates"):
        run_remote_query(endpoint, "DROP ALL")


def test_the_endpoint_timeout_is_a_limit(writable, pushed):
    with pytest.raises(LimitExceeded):
        run_remote_query(writable + "/query", EXPENSIVE, timeout_s=20)


def test_unreachable_and_malformed_endpoints(tmp_path, sample_store):
    with pytest.raises(RemoteError, match="cannot connect"):
        run_remote_query(f"http://127.0.0.1:{free_port()}/query", "ASK {}")
    with pytest.raises(InputError, match="not an http"):
        run_remote_query("ftp://127.0.0.1/query", "ASK {}")
    with pytest.raises(InputError, match="no store here"):
        push_store(tmp_path / "nowhere", "http://127.0.0.1:1/store")


def test_tests_cannot_reach_the_network():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.socket().connect(("10.0.0.1", 80))
    with pytest.raises(NetworkBlocked):
        socket.socket(socket.AF_INET6).connect_ex(("2001:db8::1", 80, 0, 0))
    with pytest.raises(NetworkBlocked):
        run_remote_query("http://192.0.2.1/sparql", "ASK {}", timeout_s=1)


def test_cli_push_and_query_endpoint(writable, sample_store, pushed):
    runner = CliRunner()
    push = runner.invoke(main, ["push", "--endpoint", writable + "/store", "--store", str(sample_store)])
    assert push.exit_code == 0, push.output
    assert f"pushed {len(pushed)} graph(s)" in push.stdout
    result = runner.invoke(main, ["query", "grades", "--endpoint", writable + "/query", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "force,question,grade,source,previousGrade,previousYear,change,lines"
    assert "Mercia Vale Police,q3,Inadequate" in result.stdout
    refused = runner.invoke(main, ["query", "grades", "--endpoint", f"http://127.0.0.1:{free_port()}/query"])
    assert refused.exit_code == 2 and "cannot connect" in refused.stderr

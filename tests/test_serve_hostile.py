"""`peelkg serve` under hostile requests: it refuses what the CLI refuses, stays up, keeps its limits.

Every request goes to loopback servers this test starts; the load test is bounded in
count (1,000 requests) and time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from peelkg.endpoint.serve import LocalEndpoint
from peelkg.graph import query as q
from tests.conftest import build_sample_store
from tests.test_serve import EXPENSIVE, REPORTS, free_port, http, serve_command

SERVER_TIMEOUT_S = 2
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def served(sample_store):
    with LocalEndpoint(sample_store, port=free_port(), page_port=0, timeout_s=SERVER_TIMEOUT_S) as server:
        yield server


def sparql_post(served, text: str, **headers: str) -> tuple[int, str, bytes]:
    return http(served.query_url, text.encode("utf-8"),
                **{"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS, **headers})


def still_answers(served) -> bool:
    status, _, body = sparql_post(served, REPORTS)
    return status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


# --------------------------------------------------------------------------- what the CLI refuses


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o #\r SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "INSERT DATA {{ <{url}> <{url}> <{url}> }}",
])
def test_the_endpoint_refuses_what_the_cli_refuses(served, listener, template):
    url, calls = listener
    text = template.format(url=url)
    answers = [
        sparql_post(served, text),
        http(served.query_url + "?" + urllib.parse.urlencode({"query": text}), Accept=JSON_RESULTS),
        http(served.query_url, urllib.parse.urlencode({"query": text}).encode(),
             **{"Content-Type": "application/x-www-form-urlencoded"}),
    ]
    for status, _, body in answers:
        assert status == 400 and body.decode().startswith("peelkg: ") and body.count(b"\n") == 1, body
    time.sleep(0.3)
    assert calls == []


def test_dataset_parameters_of_the_protocol_are_refused(served):
    status, _, _ = http(served.query_url + "?" + urllib.parse.urlencode(
        {"query": REPORTS, "default-graph-uri": "http://e.org/g"}), Accept=JSON_RESULTS)
    assert status == 400


@pytest.mark.parametrize("headers", [
    {"Origin": "http://attacker.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_a_form_posted_from_another_origin_is_refused(served, headers):
    form = urllib.parse.urlencode({"query": REPORTS}).encode()
    status, _, _ = http(served.query_url, form, **{"Content-Type": "application/x-www-form-urlencoded", **headers})
    assert status == 403
    same = http(served.query_url, form, **{"Content-Type": "application/x-www-form-urlencoded",
                                          "Origin": served.base_url, "Accept": JSON_RESULTS})
    assert same[0] == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:7878", "127.0.0.2"])
def test_only_its_own_host_names_are_answered(served, host):
    """Against DNS rebinding: a page of attacker.example resolved to 127.0.0.1 gets nothing."""
    for url in (served.query_url + "?" + urllib.parse.urlencode({"query": REPORTS}), served.page_url + "api/queries"):
        status, _, _ = http(url, Host=host)
        assert status == 421
    localhost = http(served.query_url + "?" + urllib.parse.urlencode({"query": REPORTS}),
                     Host=f"localhost:{served.port}", Accept=JSON_RESULTS)
    assert localhost[0] == 200


# --------------------------------------------------------------------------- staying up


def test_a_deeply_nested_query_is_an_error_response_and_the_endpoint_stays_up(served):
    nested = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    status, _, body = sparql_post(served, nested)
    assert status == 400 and b"nests" in body
    assert still_answers(served)


def test_an_engine_that_dies_is_started_again(served):
    os.kill(served.engine.pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    statuses: list[int] = []
    while time.monotonic() < deadline:
        status, _, body = sparql_post(served, f"{REPORTS} LIMIT {1000 + len(statuses)}")   # never a kept answer
        statuses.append(status)
        if status == 200:
            break
        assert status == 502 and body.startswith(b"peelkg: ")
        time.sleep(0.2)
    assert statuses[-1] == 200 and served.running()


# --------------------------------------------------------------------------- limits


def test_the_timeout_is_an_error_status(served):
    started = time.monotonic()
    status, _, body = sparql_post(served, EXPENSIVE)
    assert status == 504 and b"timeout" in body
    assert time.monotonic() - started < SERVER_TIMEOUT_S + 2
    assert still_answers(served)


def test_an_answer_past_the_size_bound_is_an_error_status(served, monkeypatch):
    monkeypatch.setattr(served, "max_answer_bytes", 50_000)
    status, _, body = sparql_post(served, "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }")
    assert status == 507 and b"larger than" in body
    assert still_answers(served)


def test_a_query_asked_again_is_answered_from_the_kept_answer(served):
    text = "SELECT ?report WHERE { ?report a <https://w3id.org/peelkg/ontology#Report> } LIMIT 7"
    hits, misses = served.answers.hits, served.answers.misses
    first, second = sparql_post(served, text), sparql_post(served, text)
    assert first[0] == 200 and first == second
    assert (served.answers.hits, served.answers.misses) == (hits + 1, misses + 1)
    as_csv = sparql_post(served, text, Accept="text/csv")                 # another format is another answer
    assert as_csv[1] == "text/csv" and served.answers.hits == hits + 1


def test_an_answer_that_may_change_is_asked_of_the_engine_each_time(served):
    text = "SELECT (STRUUID() AS ?id) WHERE {}"
    first, second = sparql_post(served, text), sparql_post(served, text)
    assert first[0] == second[0] == 200 and first[2] != second[2]


def test_no_answer_is_kept_with_cache_mb_0(sample_store):
    with LocalEndpoint(sample_store, port=free_port(), page_port=0, timeout_s=5, cache_mb=0) as server:
        sparql_post(server, REPORTS)
        sparql_post(server, REPORTS)
        assert server.answers.hits == 0 and len(server.answers) == 0


# --------------------------------------------------------------------------- the page


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                return b"RESET"
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("length", [b"abc", b"-5", b"99999999999999999999999"])
def test_a_bad_content_length_gets_400(served, length):
    request = (b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
               b"Content-Length: %s\r\nConnection: close\r\n\r\n{}" % (served.page_port, length))
    answer = raw_request(served.page_port, request)
    assert answer.startswith(b"HTTP/1.") and answer.split(b" ", 2)[1] == b"400", answer[:200]
    assert still_answers(served)


def test_a_body_that_is_not_utf8_gets_400(served):
    status, _, body = http(served.page_url + "api/run", b'{"name": "gr\xe9des"}', **{"Content-Type": "application/json"})
    assert status == 400 and "UTF-8" in json.loads(body)["error"]


def test_a_thousand_requests_fifty_at_a_time_without_a_reset(served):
    text = q.prepare_query(q.resolve_query_text("grades")).text

    def one(index: int) -> int:
        if index % 2:
            return http(served.page_url + "api/run", json.dumps({"name": "grades", "params": {}}).encode(),
                        **{"Content-Type": "application/json"})[0]
        return sparql_post(served, text)[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(1000)))
    assert statuses.count(200) == 1000


# --------------------------------------------------------------------------- the process


def child_pids(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_sigterm_stops_the_engine_too(sample_store):
    port = free_port()
    process = serve_command(sample_store, port)
    try:
        assert process.stdout.readline().startswith("SPARQL endpoint")
        engines = child_pids(process.pid)
        assert engines
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        for pid in engines:
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        # The port is free again: a new server can start on it.
        with LocalEndpoint(sample_store, port=port, page_port=0) as again:
            assert again.running()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_after_a_rebuild_the_server_answers_from_the_new_store(tmp_path):
    store = build_sample_store(tmp_path / "store")
    with LocalEndpoint(store, port=free_port(), page_port=0, timeout_s=5) as server:
        assert still_answers(server)
        asked = "SELECT ?o WHERE { <http://e.org/new> ?p ?o }"
        assert sparql_post(server, asked) == sparql_post(server, asked)    # the answer is kept ...
        assert server.answers.hits >= 1
        fresh = tmp_path / "fresh"
        rebuilt = ox.Store(str(fresh))
        rebuilt.add(ox.Quad(ox.NamedNode("http://e.org/new"), ox.NamedNode("http://e.org/p"), ox.Literal("rebuilt"),
                            ox.DefaultGraph()))
        rebuilt.flush()
        del rebuilt
        os.rename(store, tmp_path / "old")           # what a build's swap does
        os.rename(fresh, store)
        subprocess.run(["rm", "-rf", str(tmp_path / "old")], check=True)
        deadline = time.monotonic() + 15
        answer = b""
        while time.monotonic() < deadline:
            status, _, answer = sparql_post(server, asked)            # ... only for the version it came from
            if status == 200 and b"rebuilt" in answer:
                break
            time.sleep(0.2)
        assert b"rebuilt" in answer


def test_a_published_version_is_served_and_the_old_one_kept_while_served(tmp_path):
    """A build publishes a new version by replacing the link; the engine moves to it, and meanwhile
    the version it serves is held for reading, so the build's clean-up leaves it in place."""
    from peelkg.graph import versions

    store = tmp_path / "store"

    def publish(value: str) -> Path:
        with versions.writing(store):
            built = versions.new_version_dir(store)
            database = ox.Store(str(built))
            database.add(ox.Quad(ox.NamedNode("http://e.org/s"), ox.NamedNode("http://e.org/p"), ox.Literal(value),
                                 ox.DefaultGraph()))
            database.flush()
            del database
            return versions.publish(store, built)

    first = publish("first")
    with LocalEndpoint(store, port=free_port(), page_port=0, timeout_s=5) as server:
        ask = "SELECT ?o WHERE { <http://e.org/s> ?p ?o }"
        assert b"first" in sparql_post(server, ask)[2]
        publish("second")
        assert first.is_dir()                       # still served, so not removed
        deadline = time.monotonic() + 15
        answer = b""
        while time.monotonic() < deadline and b"second" not in answer:
            time.sleep(0.2)
            answer = sparql_post(server, ask)[2]
        assert b"second" in answer

"""The local endpoint: the real Oxigraph server over the test store, exercised over HTTP and in Chromium.

The browser test needs Debian's chromium at /usr/bin/chromium and the playwright
package; it is skipped when either is missing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from peelkg.cli import main
from peelkg.errors import InputError
from peelkg.graph import query as q
from peelkg.endpoint.serve import LocalEndpoint, ServeError, wait_until_listening
from peelkg.resources import queries_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPORTS = "SELECT ?report ?force WHERE { ?report a <https://w3id.org/peelkg/ontology#Report> ; <https://w3id.org/peelkg/ontology#aboutForce> ?force }"
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SERVER_TIMEOUT_S = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(sample_store):
    with LocalEndpoint(sample_store, port=free_port(), page_port=0, timeout_s=SERVER_TIMEOUT_S) as server:
        yield server


def http(url: str, data: bytes | None = None, *, method: str | None = None, **headers: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def library_rows(store: Path, text: str) -> set[tuple]:
    result = q.run_query(store, text)
    return {tuple(row) for row in result.rows}


# --------------------------------------------------------------------------- SPARQL protocol


@pytest.mark.parametrize("accept, results_format", [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_over_get_and_post_in_each_results_format(served, sample_store, accept, results_format):
    expected = library_rows(sample_store, REPORTS)
    get = http(served.query_url + "?" + urllib.parse.urlencode({"query": REPORTS}), Accept=accept)
    post = http(served.query_url, REPORTS.encode(), **{"Content-Type": "application/sparql-query", "Accept": accept})
    for status, media_type, body in (get, post):
        assert status == 200 and media_type == accept
        parsed = ox.parse_query_results(body, results_format)
        assert {(s["report"], s["force"]) for s in parsed} == expected


def test_select_as_csv(served):
    status, media_type, body = http(served.query_url + "?" + urllib.parse.urlencode({"query": REPORTS}), Accept="text/csv")
    lines = body.decode("utf-8").splitlines()
    assert status == 200 and media_type == "text/csv"
    assert lines[0] == "report,force" and len(lines) == 4


def test_construct_as_turtle(served, sample_store):
    text = q.resolve_query_text("initiative-network")
    status, media_type, body = http(served.query_url, text.encode(),
                                    **{"Content-Type": "application/sparql-query", "Accept": "text/turtle"})
    assert status == 200 and media_type == "text/turtle"
    local = q.run_query(sample_store, text)
    expected = rdflib.Graph().parse(data=q.serialize_result(local, "ttl"), format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=body, format="turtle"), expected)


def test_updates_are_refused(served):
    update = b"INSERT DATA { <http://e.org/s> <http://e.org/p> <http://e.org/o> }"
    status, _, _ = http(served.base_url + "/update", update, **{"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, _ = http(served.query_url, update, **{"Content-Type": "application/sparql-update"})
    assert status >= 400
    status, _, _ = http(served.base_url + "/store?default", b"<http://e.org/s> <http://e.org/p> <http://e.org/o> .",
                        method="PUT", **{"Content-Type": "application/n-triples"})
    assert status == 403
    assert library_rows(served.store_dir, "SELECT * WHERE { <http://e.org/s> ?p ?o }") == set()


def test_the_server_timeout_stops_a_query(served):
    started = time.monotonic()
    status, _, body = http(served.query_url, EXPENSIVE.encode(),
                           **{"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert time.monotonic() - started < SERVER_TIMEOUT_S + 8
    # Oxigraph has sent its 200 header when the timeout fires: the body ends with the reason instead of results.
    assert status != 200 or b"cancelled" in body
    with pytest.raises(ValueError):
        json.loads(body)


def test_start_and_stop(sample_store):
    port = free_port()
    server = LocalEndpoint(sample_store, port=port, page_port=0).start()
    page_port = server.page_port
    assert server.running() and wait_until_listening("127.0.0.1", port, time.monotonic() + 1)
    server.stop()
    assert not server.running()
    for closed in (port, page_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", closed), timeout=1).close()


def test_a_stop_during_a_restart_ends_the_restarted_engine(sample_store, monkeypatch):
    """The watcher restarts a dead engine in a thread of its own; a stop that comes meanwhile (Ctrl-C)
    must not leave the new engine running, however the two threads interleave."""
    engine = LocalEndpoint(sample_store, port=free_port(), page_port=0).engine
    engine.start()
    os.kill(engine.pid, signal.SIGKILL)
    engine._process.wait(5)
    restarting, restarted = threading.Event(), []
    start = engine.start

    def slow_start() -> None:   # the restart begins, then its thread loses the processor for a while
        restarting.set()
        time.sleep(0.3)
        start()
        restarted.append(engine._process)

    monkeypatch.setattr(engine, "start", slow_start)
    watcher = threading.Thread(target=engine.check)
    watcher.start()
    assert restarting.wait(5)
    engine.stop()
    watcher.join(20)
    assert engine.pid is None and len(restarted) == 1 and restarted[0].poll() is not None


def test_a_busy_port_is_reported(served, sample_store):
    with pytest.raises(ServeError, match="could not serve"):
        LocalEndpoint(sample_store, port=served.port, page_port=0).start()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_only_loopback_addresses_are_served(sample_store, host):
    with pytest.raises(InputError, match="loopback"):
        LocalEndpoint(sample_store, host=host)


def test_a_missing_store_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no store here"):
        LocalEndpoint(tmp_path / "nowhere", port=free_port()).start()


# --------------------------------------------------------------------------- the page's calls


def test_the_catalogue_lists_every_named_query(served):
    status, media_type, body = http(served.page_url + "api/queries")
    catalogue = json.loads(body)
    assert status == 200 and media_type == "application/json"
    assert catalogue["endpoint"] == served.query_url
    names = {entry["name"] for entry in catalogue["queries"]}
    assert names == {path.stem for path in queries_dir().glob("*.rq")}
    theme = next(entry for entry in catalogue["queries"] if entry["name"] == "initiatives-on-theme")
    assert theme["parameters"] == [{"name": "theme", "default": "gangs"}] and theme["summary"]
    assert '"gangs"' in theme["editorText"] and "?_theme" not in theme["editorText"].split("PREFIX", 1)[1]


def run_named(served, name: str, params: dict[str, str]) -> tuple[int, dict]:
    status, _, body = http(served.page_url + "api/run", json.dumps({"name": name, "params": params}).encode(),
                           **{"Content-Type": "application/json"})
    return status, json.loads(body)


def test_run_a_named_query_through_the_page_server(served, sample_store):
    status, answer = run_named(served, "initiatives-on-theme", {"theme": "organised-crime"})
    assert status == 200
    names = {b["initiative"]["value"] for b in answer["results"]["results"]["bindings"]}
    local = q.run_query(sample_store, q.resolve_query_text("initiatives-on-theme"), {"theme": "organised-crime"})
    assert names == {row["initiative"] for row in q.rows_as_text(local)}
    assert '"organised-crime"' in answer["text"]


def test_page_server_errors_are_json(served):
    assert run_named(served, "no-such-query", {})[0] == 400
    status, answer = run_named(served, "grades", {"nope": "1"})
    assert status == 400 and "unknown parameter" in answer["error"]
    assert http(served.page_url + "etc/passwd")[0] == 404
    assert http(served.page_url + "api/run", b"not json", **{"Content-Type": "application/json"})[0] == 400
    form_post = http(served.page_url + "api/run", b'{"name": "grades"}', **{"Content-Type": "text/plain"})
    assert form_post[0] == 415


# --------------------------------------------------------------------------- the command


def test_serve_command_refuses_a_public_address(sample_store):
    result = CliRunner().invoke(main, ["serve", "--store", str(sample_store), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "loopback" in result.stderr


def serve_command(store: Path, port: int) -> subprocess.Popen:
    """`peelkg serve` in a process of its own, as a user starts it (page on any free port)."""
    command = [sys.executable, "-c", "from peelkg.cli import main; main()", "serve",
               "--store", str(store), "--port", str(port), "--page-port", "0"]
    # Ctrl-C reaches it as in a terminal even when the tests themselves run in the background
    # (`.ci/run &`), where the shell has them and their children ignore SIGINT.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_serve_command_runs_until_interrupted(sample_store):
    port = free_port()
    process = serve_command(sample_store, port)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[0].split() == ["SPARQL", "endpoint", f"http://127.0.0.1:{port}/query"]
        page_url = lines[2].split()[-1]
        assert json.loads(http(page_url + "api/queries")[2])["endpoint"].endswith(f":{port}/query")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert not wait_until_listening("127.0.0.1", port, time.monotonic() + 0.5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --------------------------------------------------------------------------- latency


def test_http_and_the_library_give_the_same_rows(served, sample_store):
    """The same named query through HTTP (the guard and the Oxigraph server), first from the engine and then
    from the kept answer, and through run_query (forked child). Speed is measured in `peelkg bench`."""
    text = q.prepare_query(q.resolve_query_text("initiatives")).text
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    for _ in range(2):
        http_rows = ox.parse_query_results(http(served.query_url, text.encode(), **headers)[2], ox.QueryResultsFormat.JSON)
        assert {tuple(s) for s in http_rows} == library_rows(sample_store, text)


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def offline_page(browser, attempts: list[str]):
    """A page whose requests may only go to 127.0.0.1; any other is recorded and aborted."""
    page = browser.new_page()

    def route(request_route) -> None:
        host = urllib.parse.urlsplit(request_route.request.url).hostname
        if host == "127.0.0.1":
            request_route.continue_()
        else:
            attempts.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return page


@pytest.mark.browser
def test_the_page_runs_a_named_query_and_renders_the_table(browser, served, sample_store):
    attempts: list[str] = []
    page = offline_page(browser, attempts)
    page.goto(served.page_url)
    section = page.locator("section[data-name='initiatives-on-theme']")
    section.wait_for()
    section.locator("input[data-param='theme']").fill("Serious and organised crime")
    section.locator("button[type=submit]").click()
    section.locator("table.results tbody tr").first.wait_for()
    header = section.locator("table.results thead th").all_inner_texts()
    rows = [row.locator("td").all_inner_texts() for row in section.locator("table.results tbody tr").all()]
    local = q.run_query(sample_store, q.resolve_query_text("initiatives-on-theme"), {"theme": "Serious and organised crime"})
    assert header == local.variables
    assert sorted(rows) == sorted([row[v] for v in local.variables] for row in q.rows_as_text(local))
    assert section.locator(".meta").inner_text().startswith(f"{len(local.rows)} rows")
    assert attempts == []


@pytest.mark.browser
def test_a_named_query_opens_and_runs_in_the_bundled_editor(browser, served):
    attempts: list[str] = []
    page = offline_page(browser, attempts)
    page.goto(served.page_url)
    link = page.locator("section[data-name='grades'] a.editor")
    link.wait_for()
    editor = offline_page(browser, attempts)
    editor.goto(link.get_attribute("href"))
    editor.locator(".CodeMirror").wait_for()
    text = editor.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text == q.prepare_query(q.resolve_query_text("grades")).text
    editor.locator(".yasqe_queryButton").click()
    editor.locator(".yasr tbody tr").first.wait_for()
    assert editor.locator(".yasr tbody tr").count() == len(q.run_query(served.store_dir, text).rows)
    # The editor works offline: its prefix completion reads the project's prefixes from the endpoint.
    assert attempts == []

"""`query --endpoint` keeps its limits against an endpoint that trickles or floods (loopback test servers)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.endpoint.remote import run_remote_query
from peelkg.errors import LimitExceeded

ROW = b'{"s": {"type": "literal", "value": "row"}},'


class _Answer(BaseHTTPRequestHandler):
    sent = 0

    def log_message(self, *args: object) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            self.server.answer(self)
        except (BrokenPipeError, ConnectionResetError):
            pass


def trickle(handler: _Answer) -> None:
    """A byte every 0.3 s for 30 s: each read is quick, the whole answer never comes."""
    for byte in b'{"head": {"vars": ["s"]}, "results": {"bindings": [' * 10:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.3)


def flood(handler: _Answer) -> None:
    """About 400 MB of rows, written as fast as they are read."""
    handler.wfile.write(b'{"head": {"vars": ["s"]}, "results": {"bindings": [')
    block = ROW * 10_000
    for _ in range(400 * 2**20 // len(block)):
        handler.wfile.write(block)
        type(handler).sent += len(block)
    handler.wfile.write(ROW[:-1] + b"]}}")


@pytest.fixture
def endpoint():
    servers = []

    def start(answer) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
        server.daemon_threads = True
        server.answer = answer
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_one_deadline_for_the_whole_request(endpoint):
    url = endpoint(trickle)
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="timeout"):
        run_remote_query(url, "SELECT ?s WHERE { ?s ?p ?o }", timeout_s=1.5)
    assert time.monotonic() - started < 3


def test_a_huge_answer_is_read_only_up_to_the_limit(endpoint):
    _Answer.sent = 0
    url = endpoint(flood)
    started = time.monotonic()
    result = run_remote_query(url, "SELECT ?s WHERE { ?s ?p ?o }", limit=5, timeout_s=30)
    assert len(result.rows) == 5 and result.truncated
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert _Answer.sent < 50 * 2**20


def test_the_command_line_stops_at_the_limit_too(endpoint):
    url = endpoint(flood)
    result = CliRunner().invoke(main, ["query", "SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", url,
                                       "--limit", "3", "--format", "json"])
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 3
    assert result.exit_code in (0, 3) and "Traceback" not in result.output

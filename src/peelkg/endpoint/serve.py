"""A read-only local SPARQL endpoint over the store, with a page of the named queries.

Two servers, both bound to a loopback address:

- the Oxigraph server (`oxigraph serve-read-only`, whose default graph is the union of the named graphs, kept so by the store module) on PORT: the
  SPARQL 1.1 Protocol at /query (GET and POST, content negotiation for JSON, XML, CSV,
  TSV results and Turtle graphs), updates refused, its bundled YASGUI editor at /;
- a small stdlib HTTP server on PAGE_PORT (PORT + 1 by default) serving the named-query
  page (static files in serve_page/) and two JSON calls it uses: /api/queries (the
  catalogue) and /api/run (binds a named query's parameters, forwards the query to the
  Oxigraph server and returns its JSON results).
"""

from __future__ import annotations

import ipaddress
import json
import math
import shutil
import socket
import subprocess
import sysconfig
import tempfile
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

from peelkg.errors import InputError, LimitExceeded, PeelkgError
from peelkg.graph.query import (
    DEFAULT_TIMEOUT_S,
    NamedQuery,
    check_store,
    load_named_queries,
    prepare_query,
)
from peelkg.endpoint.remote import RemoteError, post_query
from peelkg.resources import package_dir

STARTUP_TIMEOUT_S = 15.0
PAGE_FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
}


class ServeError(PeelkgError):
    """The local endpoint could not start."""

    exit_code = 2


def page_dir() -> Path:
    return package_dir("peelkg.endpoint") / "page"


def oxigraph_binary() -> str:
    """The `oxigraph` server installed with this Python (PyPI package `oxigraph`)."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise ServeError("the Oxigraph server is not installed: pip install oxigraph==0.5.13")
    return found


def check_loopback(host: str) -> None:
    """The endpoint is for this machine only."""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise InputError(f"--host {host}: only a loopback address (127.0.0.1, ::1, localhost) may be used")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def wait_until_listening(host: str, port: int, deadline: float, process: subprocess.Popen | None = None) -> bool:
    """True once something accepts connections on host:port; False if the process ended first."""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], endpoint: LocalEndpoint) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.endpoint = endpoint
        super().__init__(address, _PageHandler)


class _PageHandler(BaseHTTPRequestHandler):
    server: _PageServer
    server_version = "peelkg"

    def log_message(self, format: str, *args: Any) -> None:  # keep the terminal quiet
        return

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/api/queries":
            self._json(HTTPStatus.OK, self.server.endpoint.catalogue())
        elif path in PAGE_FILES:
            name, content_type = PAGE_FILES[path]
            self._send(HTTPStatus.OK, (page_dir() / name).read_bytes(), content_type)
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {path}"})

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path not in ("/api/run", "/api/prepare"):
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {path}"})
            return
        if self.headers.get_content_type() != "application/json":
            # Browsers send JSON across origins only after a CORS preflight, which this server never grants.
            self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send the request as application/json"})
            return
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if not isinstance(request, dict):
                raise InputError("send a JSON object: {\"name\": ..., \"params\": {...}}")
            name, params = str(request.get("name", "")), request.get("params") or {}
            if not isinstance(params, dict):
                raise InputError("params must be an object of name: value")
            answer = self.server.endpoint.run_named(name, {str(k): str(v) for k, v in params.items()},
                                                    execute=path == "/api/run")
            self._json(HTTPStatus.OK, answer)
        except json.JSONDecodeError:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "the request body is not JSON"})
        except LimitExceeded as error:
            self._json(HTTPStatus.GATEWAY_TIMEOUT, {"error": str(error)})
        except InputError as error:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except PeelkgError as error:
            self._json(HTTPStatus.BAD_GATEWAY, {"error": str(error)})


class LocalEndpoint:
    """The Oxigraph server over one store plus the named-query page; a context manager.

    >>> with LocalEndpoint(Path("peelkg-store")) as server:   # doctest: +SKIP
    ...     print(server.query_url, server.page_url)
    """

    def __init__(self, store_dir: Path, *, host: str = "127.0.0.1", port: int = 7878,
                 page_port: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        check_loopback(host)
        if timeout_s <= 0:
            raise InputError("--timeout must be positive")
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port
        self.page_port = port + 1 if page_port is None else page_port
        self.timeout_s = timeout_s
        self._process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self._page: _PageServer | None = None
        self._queries: dict[str, NamedQuery] = {}
        self._catalogue: dict[str, Any] | None = None

    # -- addresses

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint."""
        return self.base_url + "/query"

    @property
    def editor_url(self) -> str:
        """Oxigraph's bundled YASGUI editor."""
        return self.base_url + "/"

    @property
    def page_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.page_port}/"

    # -- life cycle

    def start(self) -> LocalEndpoint:
        check_store(self.store_dir)
        if port_in_use(self.host, self.port):
            raise ServeError(f"could not serve on {self.base_url}: port {self.port} is in use (choose another with --port)")
        self._queries = {query.name: query for query in load_named_queries()}
        self._log = tempfile.TemporaryFile()
        command = [
            oxigraph_binary(), "serve-read-only",
            "--location", str(self.store_dir),
            "--bind", f"{_url_host(self.host)}:{self.port}",
            "--timeout-s", str(max(1, math.ceil(self.timeout_s))),
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        if not wait_until_listening(self.host, self.port, time.monotonic() + STARTUP_TIMEOUT_S, self._process):
            problem = self._last_log_line() or "it did not start listening"
            self.stop()
            raise ServeError(f"the Oxigraph server could not serve {self.store_dir} on {self.base_url}: {problem}")
        try:
            self._page = _PageServer((self.host, self.page_port), self)
        except OSError as error:
            self.stop()
            raise ServeError(f"cannot serve the query page on port {self.page_port}: {error.strerror or error}") from error
        self.page_port = self._page.server_address[1]
        self.catalogue()
        threading.Thread(target=self._page.serve_forever, name="peelkg-page", daemon=True).start()
        return self

    def _last_log_line(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = [line for line in self._log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self) -> int:
        """Block until the Oxigraph server ends (Ctrl-C raises KeyboardInterrupt here)."""
        if self._process is None:
            return 0
        return self._process.wait()

    def stop(self) -> None:
        if self._page is not None:
            self._page.shutdown()
            self._page.server_close()
            self._page = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocalEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the page asks for

    def catalogue(self) -> dict[str, Any]:
        """The named queries as the page lists them, each with its text bound to its defaults."""
        if self._catalogue is None:
            self._catalogue = self._make_catalogue()
        return self._catalogue

    def _make_catalogue(self) -> dict[str, Any]:
        entries = []
        for query in self._queries.values():
            try:
                editor_text = prepare_query(query.text).text
            except PeelkgError:
                editor_text = query.text
            entries.append({
                "name": query.name,
                "summary": query.summary,
                "description": query.description,
                "tags": list(query.tags),
                "form": query.form.value,
                "parameters": [{"name": p.name, "default": p.default} for p in query.parameters],
                "text": query.text,
                "editorText": editor_text,
            })
        return {"endpoint": self.query_url, "editor": self.editor_url, "queries": entries}

    def run_named(self, name: str, params: dict[str, str], *, execute: bool = True) -> dict[str, Any]:
        """Bind a named query and, if asked, run it on the Oxigraph server; returns JSON for the page."""
        query = self._queries.get(name)
        if query is None:
            raise InputError(f"no named query {name!r}")
        prepared = prepare_query(query.text, params)
        answer: dict[str, Any] = {"name": name, "form": prepared.info.form.value, "text": prepared.text}
        if not execute:
            return answer
        started = time.perf_counter()
        data, media_type = post_query(self.query_url, prepared.text, prepared.info.form, timeout_s=self.timeout_s + 5)
        answer["elapsedMs"] = round(1000 * (time.perf_counter() - started), 1)
        body = data.decode("utf-8", "replace")
        if prepared.info.form.returns_graph:
            answer["graph"] = body
            return answer
        try:
            answer["results"] = json.loads(body)
        except json.JSONDecodeError as error:
            if "cancelled" in body[-200:]:
                raise LimitExceeded(f"the query was stopped at the {self.timeout_s:g} s timeout") from error
            raise RemoteError(f"unreadable {media_type} answer from the Oxigraph server") from error
        return answer

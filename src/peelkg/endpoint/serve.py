"""A read-only local SPARQL endpoint over the store, with a page of the named queries.

`peelkg serve` puts a guard in front of the Oxigraph server (engine.py), on aiohttp:
every query is parsed and checked as `peelkg query` checks it (read-only; SERVICE,
FROM and the protocol's dataset parameters refused; nesting bounded), then forwarded to
the engine with one deadline for the whole answer and a bound on its size. The answer
is sent only once it is whole, so a query stopped at the timeout or at the size bound
is an error status, never a 200 with a cut body. Whole answers are kept for the store
version they came from (answers.py), so a query asked again is answered without the
engine until a rebuild publishes a new version. The guard answers only to its own
loopback names (the Host header, against DNS rebinding) and refuses requests a page of
another origin sends (a form posted across origins).

Two ports, both on a loopback address:

- PORT: the SPARQL 1.1 Protocol at /query (GET, and POST as application/sparql-query or
  a form; the engine negotiates JSON, XML, CSV, TSV and Turtle), and the YASGUI editor
  Oxigraph bundles at /, set up with the project's prefixes (/prefixes.json) instead of
  a lookup on the web;
- PAGE_PORT (PORT + 1 by default): the named-query page (static files in page/) and the
  two JSON calls it makes, /api/queries (the catalogue) and /api/run (a named query
  with its parameters bound, run through the same guard).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import threading
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

from peelkg.endpoint.answers import DEFAULT_CACHE_MB, Answer, AnswerCache
from peelkg.endpoint.engine import Engine, ServeError, oxigraph_binary, wait_until_listening
from peelkg.errors import InputError, LimitExceeded, PeelkgError
from peelkg.graph.query import (
    DEFAULT_TIMEOUT_S,
    DISPLAY_PREFIXES,
    NamedQuery,
    check_limits,
    check_store,
    load_named_queries,
    memory_bound_mb,
    prepare_query,
)
from peelkg.resources import package_dir

__all__ = ["LocalEndpoint", "ServeError", "oxigraph_binary", "wait_until_listening"]

MAX_ANSWER_MB = 64                 # the largest answer the guard passes on
MAX_REQUEST_BYTES = 1 << 20        # the largest query (or form) a client may send
RESULTS_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "text/turtle"
CHECKED_KEPT = 512                 # checked queries the guard keeps at hand
WATCH_S = 0.5                      # how often the engine and the store are looked at
PAGE_FILES = {
    "/": ("index.html", "text/html"),
    "/index.html": ("index.html", "text/html"),
    "/page.js": ("page.js", "text/javascript"),
    "/page.css": ("page.css", "text/css"),
}
EDITOR_ASSETS = ("/yasgui.min.js", "/yasgui.min.css", "/logo.svg")


def page_dir() -> Path:
    return package_dir("peelkg.endpoint") / "page"


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


class Refused(Exception):
    """A request the guard answers with an error status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class LocalEndpoint:
    """The guard, the engine behind it and the named-query page; a context manager.

    >>> with LocalEndpoint(Path("peelkg-store")) as server:   # doctest: +SKIP
    ...     print(server.query_url, server.page_url)
    """

    def __init__(self, store_dir: Path, *, host: str = "127.0.0.1", port: int = 7878,
                 page_port: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_answer_mb: int = MAX_ANSWER_MB, memory_mb: int | None = None,
                 cache_mb: int = DEFAULT_CACHE_MB) -> None:
        check_loopback(host)
        check_limits(timeout_s, 1)
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port
        self.page_port = port + 1 if page_port is None else page_port
        self.timeout_s = timeout_s
        self.max_answer_bytes = max_answer_mb * 2**20
        self.engine = Engine(self.store_dir, host, timeout_s, memory_mb or memory_bound_mb())
        self._queries: dict[str, NamedQuery] = {}
        self._catalogue: dict[str, Any] | None = None
        self._editor_assets: dict[str, tuple[bytes, str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._session: Any = None
        self._runners: list[Any] = []
        self._watcher: asyncio.Task | None = None
        self._checked: dict[str, Any] = {}     # query text -> its checked form, for texts asked again
        self.answers = AnswerCache(cache_mb * 2**20)

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
        """Oxigraph's bundled YASGUI editor, served by the guard."""
        return self.base_url + "/"

    @property
    def page_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.page_port}/"

    def allowed_hosts(self, port: int) -> set[str]:
        """The Host headers this server answers to: its own loopback names with its port."""
        names = {_url_host(self.host), "localhost", "127.0.0.1", "[::1]"}
        return {f"{name}:{port}" for name in names}

    # -- life cycle

    def start(self) -> LocalEndpoint:
        check_store(self.store_dir)
        for port in (self.port, self.page_port):
            if port and port_in_use(self.host, port):
                raise ServeError(f"could not serve on {_url_host(self.host)}:{port}: port {port} is in use (choose another with --port or --page-port)")
        self._queries = {query.name: query for query in load_named_queries()}
        self.catalogue()
        self.engine.start()
        started = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, args=(started, failure), name="peelkg-serve", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self.stop()
            error = failure[0]
            if isinstance(error, OSError):
                raise ServeError(f"cannot serve on {self.host}: {error.strerror or error}") from error
            raise error
        return self

    def _serve(self, started: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._open(loop))
        except BaseException as error:  # reported by start() in the calling thread
            failure.append(error)
            started.set()
            loop.run_until_complete(self._close())
            loop.close()
            return
        started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._close())
            loop.close()
            self._stopped.set()

    async def _open(self, loop: asyncio.AbstractEventLoop) -> None:
        from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

        self._session = ClientSession(connector=TCPConnector(limit=64), timeout=ClientTimeout(total=None),
                                      auto_decompress=False)
        for port, routes in ((self.port, self._endpoint_routes()), (self.page_port, self._page_routes())):
            app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[self._host_check(port)])
            app.add_routes(routes)
            runner = web.AppRunner(app, access_log=None, handle_signals=False, logger=_quiet_logger())
            await runner.setup()
            self._runners.append(runner)
            site = web.TCPSite(runner, self.host, port, backlog=1024, reuse_address=True)
            await site.start()
            if port == 0:
                self.page_port = runner.addresses[0][1]
        self._watcher = loop.create_task(self._watch())

    async def _close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            try:
                await self._watcher
            except asyncio.CancelledError:
                pass
            self._watcher = None
        for runner in self._runners:
            await runner.cleanup()
        self._runners = []
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _watch(self) -> None:
        """Restart the engine when it ended, outgrew its memory or serves a replaced store."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(WATCH_S)
            try:
                await loop.run_in_executor(None, self.engine.check)
            except PeelkgError:
                pass  # the store is being replaced; look again at the next turn

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> int:
        """Block until the endpoint is stopped (Ctrl-C raises KeyboardInterrupt here)."""
        while not self._stopped.wait(0.5):
            pass
        return 0

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        self._loop = None
        self._thread = None
        self.engine.stop()
        self._stopped.set()

    def __enter__(self) -> LocalEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the guard

    def _host_check(self, port: int) -> Any:
        from aiohttp import web

        @web.middleware
        async def check(request: web.Request, handler: Any) -> web.StreamResponse:
            wanted = self.allowed_hosts(port if port else self.page_port)
            if request.headers.get("Host", "") not in wanted:
                return _text(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its loopback address "
                             f"({sorted(wanted)[0]}); the Host header names another")
            origin = request.headers.get("Origin")
            if origin is not None and origin.removeprefix("http://") not in wanted:
                return _text(HTTPStatus.FORBIDDEN, "requests from pages of another origin are refused")
            if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
                return _text(HTTPStatus.FORBIDDEN, "requests from pages of another site are refused")
            return await handler(request)

        return check

    def check_query(self, text: str) -> Any:
        """Parse and check a query as `peelkg query` does; Refused with 400 when it may not run."""
        try:
            return prepare_query(text)
        except PeelkgError as error:
            raise Refused(HTTPStatus.BAD_REQUEST, str(error)) from None

    async def forward(self, text: str, accept: str) -> tuple[int, bytes, str]:
        """A checked query's answer: (status, body, content type), from the engine once whole, or kept from before."""
        url, version = self.engine.serving
        kept = self.answers.get(version, text, accept) if version is not None else None
        if kept is not None:
            return HTTPStatus.OK, kept.body, kept.content_type
        status, body, content_type = await self._ask_engine(url, text, accept)
        if status == HTTPStatus.OK and version is not None:
            self.answers.put(version, text, accept, Answer(body, content_type))
        return status, body, content_type

    async def _ask_engine(self, url: str, text: str, accept: str) -> tuple[int, bytes, str]:
        from aiohttp import ClientConnectionError, ClientPayloadError

        if self._session is None:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the endpoint is stopping")
        try:
            async with asyncio.timeout(self.timeout_s):
                async with self._session.post(
                    url + "/query", data=text.encode("utf-8"),
                    headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
                ) as upstream:
                    body = bytearray()
                    async for chunk in upstream.content.iter_any():
                        body += chunk
                        if len(body) > self.max_answer_bytes:
                            upstream.close()
                            raise Refused(HTTPStatus.INSUFFICIENT_STORAGE,
                                          f"the answer is larger than {self.max_answer_bytes // 2**20} MB: "
                                          "narrow the query or add a LIMIT")
                    return upstream.status, bytes(body), upstream.headers.get("Content-Type", "application/octet-stream")
        except TimeoutError:
            raise Refused(HTTPStatus.GATEWAY_TIMEOUT, f"the query was stopped at the {self.timeout_s:g} s timeout") from None
        except ClientPayloadError:
            raise Refused(HTTPStatus.BAD_GATEWAY, "the query engine stopped in the middle of the answer") from None
        except ClientConnectionError:
            reason = self.engine.last_reason or "it stopped"
            raise Refused(HTTPStatus.BAD_GATEWAY, f"the query engine did not answer ({reason}); it is restarted, try again") from None

    def _endpoint_routes(self) -> list[Any]:
        from aiohttp import web

        async def query(request: web.Request) -> web.StreamResponse:
            try:
                text = await _query_text(request)
                checked: Any = self._checked.get(text)
                if checked is None:  # parsing may take a while: off the event loop
                    checked = await asyncio.get_running_loop().run_in_executor(None, self.check_query, text)
                    if len(self._checked) >= CHECKED_KEPT:
                        self._checked.pop(next(iter(self._checked)))
                    self._checked[text] = checked
                status, body, content_type = await self.forward(checked.text, request.headers.get("Accept", "*/*"))
            except Refused as refused:
                return _text(refused.status, str(refused))
            return web.Response(status=status, body=body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})

        async def read_only(request: web.Request) -> web.StreamResponse:
            return _text(HTTPStatus.FORBIDDEN, "the endpoint is read-only: updates and the graph store are refused")

        async def editor(request: web.Request) -> web.StreamResponse:
            page = (page_dir() / "editor.html").read_bytes()
            return web.Response(body=page, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})

        async def prefixes(request: web.Request) -> web.StreamResponse:
            return web.json_response(DISPLAY_PREFIXES)

        async def prefixes_script(request: web.Request) -> web.StreamResponse:
            value = json.dumps(DISPLAY_PREFIXES).replace("<", "\\u003c")
            return web.Response(text=f"window.PEELKG_PREFIXES = {value};\n", content_type="text/javascript")

        async def asset(request: web.Request) -> web.StreamResponse:
            if request.path not in self._editor_assets:
                try:
                    async with asyncio.timeout(self.timeout_s):
                        async with self._session.get(self.engine.url + request.path) as upstream:
                            if upstream.status != HTTPStatus.OK:
                                return _text(upstream.status, f"the editor file {request.path} is missing")
                            self._editor_assets[request.path] = (await upstream.read(), upstream.headers.get("Content-Type", ""))
                except (TimeoutError, OSError):
                    return _text(HTTPStatus.BAD_GATEWAY, "the query engine did not send the editor")
            body, content_type = self._editor_assets[request.path]
            return web.Response(body=body, headers={"Content-Type": content_type, "Cache-Control": "max-age=3600"})

        routes = [web.get("/query", query), web.post("/query", query), web.get("/", editor),
                  web.get("/prefixes.json", prefixes), web.get("/prefixes.js", prefixes_script)]
        routes += [web.route("*", path, read_only) for path in ("/update", "/store")]
        routes += [web.get(path, asset) for path in EDITOR_ASSETS]
        return routes

    def _page_routes(self) -> list[Any]:
        from aiohttp import web

        async def static(request: web.Request) -> web.StreamResponse:
            name, content_type = PAGE_FILES[request.path]
            return web.Response(body=(page_dir() / name).read_bytes(),
                                headers={"Content-Type": f"{content_type}; charset=utf-8", "Cache-Control": "no-store",
                                         "X-Content-Type-Options": "nosniff"})

        async def catalogue(request: web.Request) -> web.StreamResponse:
            return web.json_response(self.catalogue())

        async def call(request: web.Request) -> web.StreamResponse:
            try:
                if request.content_type != "application/json":
                    # Browsers send JSON across origins only after a CORS preflight, which this server never grants.
                    raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the request as application/json")
                try:
                    body = json.loads((await request.read()).decode("utf-8") or "{}")
                except (UnicodeDecodeError, ValueError):
                    raise Refused(HTTPStatus.BAD_REQUEST, "the request body is not JSON (UTF-8)") from None
                answer = await self.run_named_async(body, execute=request.path == "/api/run")
            except Refused as refused:
                return web.json_response({"error": str(refused)}, status=refused.status)
            return web.json_response(answer, dumps=lambda value: json.dumps(value, ensure_ascii=False))

        routes = [web.get(path, static) for path in PAGE_FILES]
        routes += [web.get("/api/queries", catalogue), web.post("/api/run", call), web.post("/api/prepare", call)]
        return routes

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

    async def run_named_async(self, request: Any, *, execute: bool = True) -> dict[str, Any]:
        """Bind a named query and, if asked, run it through the guard; returns JSON for the page."""
        if not isinstance(request, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "send a JSON object: {\"name\": ..., \"params\": {...}}")
        name, params = str(request.get("name", "")), request.get("params") or {}
        if not isinstance(params, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "params must be an object of name: value")
        query = self._queries.get(name)
        if query is None:
            raise Refused(HTTPStatus.BAD_REQUEST, f"no named query {name!r}")
        try:
            prepared = await asyncio.get_running_loop().run_in_executor(
                None, prepare_query, query.text, {str(k): str(v) for k, v in params.items()})
        except PeelkgError as error:
            raise Refused(HTTPStatus.BAD_REQUEST, str(error)) from None
        answer: dict[str, Any] = {"name": name, "form": prepared.info.form.value, "text": prepared.text}
        if not execute:
            return answer
        started = time.perf_counter()
        graph = prepared.info.form.returns_graph
        status, body, _ = await self.forward(prepared.text, GRAPH_ACCEPT if graph else RESULTS_ACCEPT)
        answer["elapsedMs"] = round(1000 * (time.perf_counter() - started), 1)
        text = body.decode("utf-8", "replace")
        if status != HTTPStatus.OK:
            raise Refused(HTTPStatus.BAD_GATEWAY, f"the query engine answered {status}: {text.strip()[:200]}")
        if graph:
            answer["graph"] = text
        else:
            answer["results"] = json.loads(text)
        return answer

    def run_named(self, name: str, params: dict[str, str], *, execute: bool = True) -> dict[str, Any]:
        """run_named_async from another thread (the endpoint must be running)."""
        if self._loop is None:
            raise ServeError("the endpoint is not running")
        future = asyncio.run_coroutine_threadsafe(
            self.run_named_async({"name": name, "params": params}, execute=execute), self._loop)
        try:
            return future.result()
        except Refused as refused:
            if refused.status == HTTPStatus.GATEWAY_TIMEOUT:
                raise LimitExceeded(str(refused)) from None
            raise InputError(str(refused)) from None


async def _query_text(request: Any) -> str:
    """The query of a SPARQL 1.1 Protocol request (GET ?query=, POST sparql-query or form)."""
    if "default-graph-uri" in request.query or "named-graph-uri" in request.query:
        raise Refused(HTTPStatus.BAD_REQUEST, "default-graph-uri and named-graph-uri are refused: queries run over the store's graphs")
    if request.method == "GET":
        values = request.query.getall("query", [])
    elif request.content_type == "application/sparql-query":
        try:
            values = [(await request.read()).decode("utf-8")]
        except UnicodeDecodeError:
            raise Refused(HTTPStatus.BAD_REQUEST, "the query is not UTF-8 text") from None
    elif request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        if "update" in form:
            raise Refused(HTTPStatus.FORBIDDEN, "the endpoint is read-only: updates are refused")
        if "default-graph-uri" in form or "named-graph-uri" in form:
            raise Refused(HTTPStatus.BAD_REQUEST, "default-graph-uri and named-graph-uri are refused")
        values = [str(value) for value in form.getall("query", [])]
    else:
        raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                      "send the query as ?query=, application/sparql-query or application/x-www-form-urlencoded")
    if len(values) != 1:
        raise Refused(HTTPStatus.BAD_REQUEST, "give exactly one query")
    return values[0]


def _quiet_logger() -> logging.Logger:
    """aiohttp logs a malformed request (after answering it with 400) with a traceback; nobody needs it here."""
    logger = logging.getLogger("peelkg.serve")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return logger


def _text(status: int, message: str) -> Any:
    from aiohttp import web

    return web.Response(status=status, text=f"peelkg: {message}\n", content_type="text/plain")

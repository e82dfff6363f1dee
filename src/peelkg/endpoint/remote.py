"""Remote SPARQL 1.1 stores: run queries against any endpoint, push the store's graphs to a writable one.

Queries go through the SPARQL 1.1 Protocol (POST application/x-www-form-urlencoded, the
form every endpoint takes) after the same checks as local queries (read-only, no SERVICE or
FROM unless allowed); an endpoint cannot take bindings, so parameters are bound into the
query text as escaped RDF terms (see `peelkg.graph.query.bind_parameters`). Named queries
read the default graph, which the local store keeps as the union of its named graphs.

A push copies each named graph with the SPARQL 1.1 Graph Store Protocol: one HTTP
PUT of N-Triples to `{endpoint}?graph=IRI`, which replaces that graph. A store whose
default graph is not the union of its named graphs (most stores, by default) then gets
the local default graph, that union, at `{endpoint}?default`, so the named queries find
what they read on any store; a store with a union default graph is asked at its query URL
whether it already sees a pushed triple there, and gets nothing more. Pushing twice leaves
the remote store as after one push. A store that asks for a password (HTTP Basic or
Digest) gets it from the first request, which has no body, and with every request after.
"""

from __future__ import annotations

import base64
import http.client
import html.parser
import io
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from peelkg.errors import InputError, LimitExceeded, PeelkgError, first_line
from peelkg.graph.query import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_S,
    QueryForm,
    QueryResult,
    check_limits,
    check_store,
    collect_results,
    prepare_query,
)

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
USER_AGENT = "peelkg (SPARQL 1.1 Protocol client)"


class RemoteError(PeelkgError):
    """The remote endpoint could not be reached or answered with an error."""

    exit_code = 2


@dataclass(frozen=True)
class PushedGraph:
    graph: str          # graph IRI, or "" for the default graph
    triples: int


def check_endpoint(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{url!r} is not an http(s) endpoint URL")
    return url


class _PageText(html.parser.HTMLParser):
    """The lines of text of an HTML page's body (an error page), without its head, scripts and styles."""

    SKIPPED = {"head", "title", "script", "style"}

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.lines += [line.strip() for line in data.splitlines() if line.strip()]


def error_detail(body: bytes, media_type: str, status: int) -> str:
    """What an error answer says, on one line: its first line, or the text of an HTML error page
    (as Virtuoso sends) without the line that repeats the status."""
    text = body.decode("utf-8", "replace")
    if media_type != "text/html" and not text.lstrip().startswith("<"):
        lines = text.strip().splitlines()
        return f": {lines[0].strip()}" if lines else ""
    page = _PageText()
    page.feed(text)
    lines = [line for line in page.lines if not line.startswith(("HTTP/", str(status)))]
    return f": {': '.join(lines)[:300]}" if lines else ""


@dataclass(frozen=True)
class Credentials:
    """A user name and password for a store that asks for them (HTTP Basic or Digest authentication)."""

    user: str
    password: str


class _Authenticator:
    """Answers a store's HTTP authentication challenge, and then sends the answer with every request.

    A store that refuses a request unauthorised may close the connection before reading its
    body, so a large upload must go out already authorised: the challenge is learned from the
    first refusal (of a request without a body) and each request after is signed in advance.
    """

    def __init__(self, credentials: Credentials, *urls: str) -> None:
        self.credentials = credentials
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            parts = urllib.parse.urlsplit(url)
            manager.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user, credentials.password)
        self.digest = urllib.request.HTTPDigestAuthHandler(manager)
        self.scheme = ""
        self.challenge: dict[str, str] = {}

    def learn(self, challenges: list[str]) -> bool:
        """Take the first challenge of a scheme this client answers; False when there is none."""
        for challenge in challenges:
            scheme, _, params = challenge.strip().partition(" ")
            if scheme.lower() in ("basic", "digest"):
                self.scheme = scheme.lower()
                self.challenge = urllib.request.parse_keqv_list(
                    [item for item in urllib.request.parse_http_list(params) if item])
                return True
        return False

    def sign(self, request: urllib.request.Request) -> None:
        if self.scheme == "basic":
            token = f"{self.credentials.user}:{self.credentials.password}".encode()
            request.add_unredirected_header("Authorization", "Basic " + base64.b64encode(token).decode("ascii"))
        elif self.scheme == "digest":
            answer = self.digest.get_authorization(request, self.challenge)
            if answer:
                request.add_unredirected_header("Authorization", "Digest " + answer)


def _send(request: urllib.request.Request, timeout_s: float, auth: _Authenticator | None = None) -> tuple[bytes, str]:
    """The response body and content type; HTTP and network failures become one-line errors.

    A 401 is answered once where credentials are given; where they are not, the error says how to give them.
    """
    url = request.full_url
    try:
        try:
            return _read(request, timeout_s, auth)
        except urllib.error.HTTPError as error:
            if error.code != 401 or auth is None or not auth.learn(error.headers.get_all("WWW-Authenticate") or []):
                raise
            error.close()
            return _read(request, timeout_s, auth)   # signed as the store asked
    except urllib.error.HTTPError as error:
        detail = error_detail(error.read(2000), error.headers.get_content_type(), error.code)
        hint = "" if error.code != 401 else (" (the store asks for a password: give --user)" if auth is None
                                             else " (wrong user name or password?)")
        raise RemoteError(f"{url}: HTTP {error.code} {error.reason}{detail}{hint}") from error
    except (TimeoutError, socket.timeout) as error:
        raise LimitExceeded(f"{url}: no answer within the {timeout_s:g} s timeout (raise it with --timeout)") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise LimitExceeded(f"{url}: no answer within the {timeout_s:g} s timeout (raise it with --timeout)") from error
        if isinstance(error.reason, (BrokenPipeError, ConnectionResetError)):
            raise RemoteError(f"{url}: the store closed the connection before taking the whole request") from error
        raise RemoteError(f"{url}: cannot connect ({error.reason})") from error


def _read(request: urllib.request.Request, timeout_s: float, auth: _Authenticator | None) -> tuple[bytes, str]:
    if auth is not None:
        auth.sign(request)
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return response.read(), response.headers.get_content_type()


class _DeadlineReader(io.RawIOBase):
    """The body of an HTTP answer, read as the parser asks for it, within one deadline for the whole request."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse,
                 deadline: float, timeout_s: float, source: str) -> None:
        self.connection = connection
        self.response = response
        self.deadline = deadline
        self.timeout_s = timeout_s
        self.source = source
        self.timed_out = False
        self.tail = b""                      # the last bytes read: where an endpoint says why it stopped

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            if self.connection.sock is not None:
                self.connection.sock.settimeout(left)
            data = self.response.read1(len(buffer))   # what has arrived, without waiting to fill the buffer
            count = len(data)
            buffer[:count] = data
            self.tail = (self.tail + data)[-512:]
            return count
        except (TimeoutError, socket.timeout):
            self.timed_out = True
            raise LimitExceeded(f"{self.source}: no complete answer within the {self.timeout_s:g} s timeout "
                                "(raise it with --timeout)") from None

    def close(self) -> None:
        self.connection.close()
        super().close()


def open_query(endpoint: str, text: str, form: QueryForm, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> tuple[_DeadlineReader, str]:
    """POST a query to a SPARQL 1.1 endpoint; the answer's body as a stream (one deadline) and its media type."""
    parts = urllib.parse.urlsplit(check_endpoint(endpoint))
    deadline = time.monotonic() + timeout_s
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout_s)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=urllib.parse.urlencode({"query": text}).encode("ascii"), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": GRAPH_ACCEPT if form.returns_graph else RESULTS_ACCEPT,
            "User-Agent": USER_AGENT,
        })
        if connection.sock is not None:
            connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        response = connection.getresponse()
    except (TimeoutError, socket.timeout) as error:
        connection.close()
        raise LimitExceeded(f"{endpoint}: no answer within the {timeout_s:g} s timeout (raise it with --timeout)") from error
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise RemoteError(f"{endpoint}: cannot connect ({first_line(error)})") from error
    if response.status >= 400:
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        detail = error_detail(response.read(2000), media_type, response.status)
        connection.close()
        raise RemoteError(f"{endpoint}: HTTP {response.status} {response.reason}{detail}")
    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    return _DeadlineReader(connection, response, deadline, timeout_s, endpoint), media_type


def read_answer(data: bytes | IO[bytes], media_type: str, form: QueryForm, limit: int, source: str) -> QueryResult:
    """Parse an endpoint's answer into a QueryResult (at most `limit` rows or triples; a stream is read no further)."""
    try:
        if form.returns_graph:
            rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
            results = (quad.triple for quad in ox.parse(data, format=rdf_format))
            return collect_results(results, form, limit)
        results_format = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
        return collect_results(ox.parse_query_results(data, format=results_format), form, limit)
    except LimitExceeded:
        raise
    except (SyntaxError, ValueError, OSError) as error:
        stream = getattr(data, "raw", data)
        if isinstance(stream, _DeadlineReader) and stream.timed_out:
            raise LimitExceeded(f"{source}: no complete answer within the {stream.timeout_s:g} s timeout "
                                "(raise it with --timeout)") from None
        tail = data[-200:] if isinstance(data, bytes) else getattr(stream, "tail", b"")
        if b"cancelled" in tail or b"timeout" in tail.lower():
            raise LimitExceeded(f"{source}: the endpoint stopped the query at its timeout") from error
        raise RemoteError(f"{source}: unreadable {media_type} answer ({first_line(error)})") from error


def run_remote_query(endpoint: str, query_text: str, params: dict[str, str] | None = None, *,
                     timeout_s: float = DEFAULT_TIMEOUT_S, limit: int = DEFAULT_LIMIT,
                     allow_service: bool = False) -> QueryResult:
    """Check, bind and run one query against a SPARQL 1.1 endpoint.

    The timeout is one deadline for the whole request, and the answer is parsed as it
    arrives: reading stops at `limit` rows, so a huge answer is never held whole.
    """
    check_limits(timeout_s, limit)
    prepared = prepare_query(query_text, params, allow_service=allow_service)
    started = time.perf_counter()
    body, media_type = open_query(endpoint, prepared.text, prepared.info.form, timeout_s=timeout_s)
    with body:
        result = read_answer(io.BufferedReader(body, 1 << 16), media_type, prepared.info.form, limit, endpoint)
    result.elapsed_s = time.perf_counter() - started
    return result


def graph_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of one graph: `?graph=IRI`, or `?default` for the default graph."""
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
    return endpoint + ("&" if "?" in endpoint else "?") + query


def push_store(store_dir: Path, endpoint: str, *, timeout_s: float = 60.0, query_endpoint: str | None = None,
               credentials: Credentials | None = None) -> list[PushedGraph]:
    """Replace each named graph of the remote store with the local one; then, unless the remote default
    graph is the union of its named graphs, replace it with the local default graph (that union).

    `query_endpoint` is where the store answers queries, asked whether its default graph is that
    union: by default `…/query` beside a `…/store` URL (Oxigraph), else `endpoint` itself (a
    dataset URL that takes both, as Fuseki's). A store that cannot be asked is taken to have no
    union; one that has no default graph of its own (Virtuoso's is the union of all its graphs)
    then refuses `?default`, and the error says to give `query_endpoint`.
    """
    from peelkg.graph.store import graph_names, open_store

    check_endpoint(endpoint)
    if query_endpoint is None:
        query_endpoint = endpoint.removesuffix("/store") + "/query" if endpoint.endswith("/store") else endpoint
    check_endpoint(query_endpoint)
    check_store(store_dir)
    auth = _Authenticator(credentials, endpoint, query_endpoint) if credentials is not None else None
    store = open_store(store_dir, read_only=True)
    try:
        # An earlier push's default graph must not answer the probe below. This request has no
        # body, so a store that asks for a password asks here, before any upload.
        _put(endpoint, None, b"", timeout_s, auth)
        refused = None
    except RemoteError as error:
        refused = error   # a store without a default graph of its own (or one that refuses all writes)
    pushed, probe = [], None
    for graph in graph_names(store):
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        _put(endpoint, graph, data, timeout_s, auth)
        pushed.append(PushedGraph(graph, data.count(b"\n")))
        probe = probe or _ground_triple(data)
    union = _default_graph_has(query_endpoint, probe, timeout_s, auth) if probe is not None else True
    if not union:
        if refused is not None:
            hint = "" if union is False else (f" (could not ask {query_endpoint} whether the default graph is the union "
                                              "of the named graphs: give the store's query URL with --query-endpoint)")
            raise RemoteError(f"{refused}{hint}") from refused
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
        _put(endpoint, None, data, timeout_s, auth)
        pushed.append(PushedGraph("", data.count(b"\n")))
    return pushed


def _put(endpoint: str, graph: str | None, data: bytes, timeout_s: float, auth: _Authenticator | None) -> None:
    request = urllib.request.Request(
        graph_url(endpoint, graph),
        data=data,
        method="PUT",
        headers={"Content-Type": "application/n-triples", "User-Agent": USER_AGENT},
    )
    _send(request, timeout_s, auth)


def _ground_triple(nquads: bytes) -> str | None:
    """One N-Triples statement without blank nodes, as a SPARQL triple pattern."""
    for line in nquads.decode("utf-8").splitlines():
        if line and not line.startswith("_:") and " _:" not in line:
            return line.rstrip().removesuffix(".").rstrip()
    return None


def _default_graph_has(query_endpoint: str, triple: str, timeout_s: float, auth: _Authenticator | None) -> bool | None:
    """Does the remote default graph have this triple, pushed to a named graph only (is it their union)?

    None when the query URL does not answer. Asked with SELECT, not ASK: some stores (Virtuoso 7)
    answer ASK with a result set rather than a boolean.
    """
    text = f"SELECT (1 AS ?found) WHERE {{ {triple} }} LIMIT 1"
    request = urllib.request.Request(
        query_endpoint,
        data=urllib.parse.urlencode({"query": text}).encode("ascii"),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT, "User-Agent": USER_AGENT},
    )
    try:
        data, media_type = _send(request, timeout_s, auth)
        return bool(read_answer(data, media_type, QueryForm.SELECT, 1, query_endpoint).rows)
    except RemoteError:
        return None

"""Run SPARQL over the store: named queries, bound parameters, read-only, with a timeout and a row cap.

A query is checked before it runs: its canonical text (sparqltext: escapes expanded,
comments removed, the text the engine will run) is parsed (rdflib's SPARQL 1.1 parser)
so that updates, SERVICE and FROM / FROM NAMED are refused from the parse tree, never
from the raw text; parameters (`?_name` variables) are bound to RDF terms; then the query
runs over `pyoxigraph.Store.read_only(store_dir)` in a forked child process that is
killed when the timeout expires or when it outgrows the memory bound. Queries see the union of all named graphs.

>>> info = inspect_query("SELECT ?s WHERE { ?s ?p ?_value }")
>>> info.form.value, info.parameters
('SELECT', ('value',))
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import signal
import time
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from peelkg.errors import InputError, LimitExceeded, PeelkgError, first_line
from peelkg.graph.sparqltext import bare_keywords, canonical_text, tokens
from peelkg.resources import queries_dir

DEFAULT_TIMEOUT_S = 30.0
MAX_TIMEOUT_S = 86_400.0
DEFAULT_LIMIT = 10_000
DEFAULT_MEMORY_MB = 2048           # what one query may add to the runner's memory ($PEELKG_QUERY_MEMORY_MB)
_WATCH_S = 0.05                    # how often the runner looks at the query's memory
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
PARAMETER_PREFIX = "_"  # ?_theme is the parameter "theme" (the grlc convention)

# Prefixes used to show IRIs compactly in the table format (display only).
DISPLAY_PREFIXES = {
    "peel": "https://w3id.org/peelkg/ontology#",
    "id": "https://w3id.org/peelkg/id/",
    "graph": "https://w3id.org/peelkg/graph/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class QuerySyntaxError(InputError):
    """The query text is not valid SPARQL 1.1; says where (line and column of the text given)."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        super().__init__(f"SPARQL syntax error at line {line}, column {column}: {problem}")
        self.line = line
        self.column = column
        self.problem = problem


class QueryRefused(InputError):
    """The query asks for something this interface does not do (update, SERVICE, FROM)."""


class QueryFailed(InputError):
    """The query is valid but could not be run (the store is unreadable, the evaluation failed)."""


class QueryForm(str, Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


class OutputFormat(str, Enum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    XML = "xml"
    TTL = "ttl"


# --------------------------------------------------------------------------- named queries


@dataclass(frozen=True)
class Parameter:
    name: str                     # "theme" for the variable ?_theme
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A queries/<name>.rq file and what its `#+` header says."""

    name: str
    path: Path
    text: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    form: QueryForm


def read_header(text: str) -> dict[str, Any]:
    """The grlc header: the leading `#+ key: value` comment lines, read as YAML."""
    header_lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header_lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip():
            break
    if not header_lines:
        return {}
    import yaml

    try:
        header = yaml.safe_load("\n".join(header_lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (header line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "unreadable"
        raise InputError(f"query header (#+ lines) is not valid YAML{where}: {problem}") from error
    if not isinstance(header, dict):
        raise InputError("query header (#+ lines) must be `key: value` lines")
    return header


def header_defaults(header: dict[str, Any]) -> dict[str, str]:
    """`defaults:` as a dict; grlc writes it as a list of one-key maps, a plain map is accepted too."""
    raw = header.get("defaults") or {}
    items = raw if isinstance(raw, list) else [raw]
    defaults: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise InputError("query header: `defaults:` must list `- name: value` entries")
        for name, value in item.items():
            defaults[str(name)] = "" if value is None else str(value)
    return defaults


def read_query_file(path: Path) -> str:
    """A .rq file's text; a file that is not UTF-8 is an input error naming it."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start + 1}): save the query as UTF-8") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the query file: {error.strerror or error}") from None


def load_named_query(path: Path) -> NamedQuery:
    text = read_query_file(path)
    header = read_header(text)
    info = inspect_query(text)
    defaults = header_defaults(header)
    tags = header.get("tags") or []
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header.get("summary") or "").strip(),
        description=str(header.get("description") or "").strip(),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        parameters=tuple(Parameter(name, defaults.get(name)) for name in info.parameters),
        form=info.form,
    )


def load_named_queries(directory: Path | None = None) -> list[NamedQuery]:
    """Every `<name>.rq` of the query library, in name order."""
    folder = directory if directory is not None else queries_dir()
    return [load_named_query(path) for path in sorted(folder.glob("*.rq"), key=lambda path: path.stem)]


def resolve_query_text(spec: str, directory: Path | None = None) -> str:
    """A query given as a library name, a path to a .rq file, or SPARQL text."""
    folder = directory if directory is not None else queries_dir()
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec):
        path = folder / f"{spec}.rq"
        if path.is_file():
            return read_query_file(path)
        raise InputError(f"no named query {spec!r}: `peelkg queries` lists them")
    if spec.endswith(".rq") and "\n" not in spec:
        path = Path(spec)
        if not path.is_file():
            raise InputError(f"{spec}: no such query file")
        return read_query_file(path)
    return spec


# --------------------------------------------------------------------------- checking and binding

@dataclass(frozen=True)
class QueryInfo:
    """What the parse tree says about a query."""

    form: QueryForm
    text: str                             # the canonical text (sparqltext): what the checker read and what runs
    parameters: tuple[str, ...]           # parameter names, without the leading underscore
    prefixes: dict[str, str]
    ordered: bool                         # has ORDER BY at the top level
    uses_service: bool
    uses_dataset: bool                    # FROM / FROM NAMED
    regex_parameters: tuple[str, ...] = ()  # parameters that stand as the pattern of REGEX or REPLACE

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "form": self.form.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueryInfo:
        return cls(**{**data, "form": QueryForm(data["form"]),
                      "parameters": tuple(data["parameters"]), "regex_parameters": tuple(data["regex_parameters"])})


@dataclass(frozen=True)
class PreparedQuery:
    """A checked query with its parameters bound: the text that will run."""

    text: str
    info: QueryInfo
    bindings: dict[str, Term] = field(default_factory=dict)


def _walk(node: Any):
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    yield node
    if isinstance(node, CompValue):
        children = list(node.values())
    elif isinstance(node, (list, tuple, ParseResults)):
        children = list(node)
    else:
        return
    for child in children:
        yield from _walk(child)


def _unwrap(node: Any) -> Any:
    """An expression without the one-child wrappers of the grammar's precedence levels."""
    from rdflib.plugins.sparql.parserutils import CompValue

    while isinstance(node, CompValue) and list(node.keys()) == ["expr"]:
        node = node["expr"]
    return node


_OXIGRAPH_ERROR = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?: (.*)", re.DOTALL)


def _oxigraph_syntax_error(message: str) -> QuerySyntaxError | None:
    """Oxigraph's "error at L:C: expected ..." as a one-line QuerySyntaxError."""
    found = _OXIGRAPH_ERROR.match(message)
    if not found:
        return None
    problem = " ".join(found[3].split())
    if "Prefix not found" in problem:
        problem = "undeclared prefix (add a PREFIX line for it)"
    elif len(problem) > 160:
        problem = problem[:159] + "…"
    return QuerySyntaxError(int(found[1]), int(found[2]), problem)


def _syntax_error(error: Any) -> QuerySyntaxError:
    """rdflib's parse error as a QuerySyntaxError: where the construct that fails to parse starts."""
    message = str(getattr(error, "msg", "")) or str(error)
    if message.startswith("Expected end of text"):
        problem = "unexpected text after the end of the query"
    elif "SelectQuery | ConstructQuery" in message:
        problem = "expected PREFIX, BASE, SELECT, CONSTRUCT, DESCRIBE or ASK"
    else:
        problem = "the query cannot be parsed from here"
    return QuerySyntaxError(int(getattr(error, "lineno", 1)), int(getattr(error, "col", 1)), problem)


@functools.lru_cache(maxsize=512)
def inspect_query(text: str) -> QueryInfo:
    """Parse a query and report its form, parameters and what it reaches for; refuse updates.

    A text checked before (in this process or an earlier one) is not parsed again: see querycache.
    """
    from peelkg.graph import querycache

    cached = querycache.get("inspect", text)
    if cached is not None:
        return QueryInfo.from_json(cached)
    info = _inspect_query(text)
    querycache.put("inspect", text, info.to_json())
    if info.text != text:  # the canonical text reads the same: it is what the editor and the engine get
        querycache.put("inspect", info.text, info.to_json())
    return info


def _inspect_query(text: str) -> QueryInfo:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    canonical = canonical_text(text)
    if not canonical.strip():
        raise InputError("the query is empty")
    try:
        parsed = parseQuery(canonical)
    except RecursionError:
        raise InputError("the query nests too deeply to be checked: flatten it") from None
    except ParseBaseException as error:
        try:
            parseUpdate(canonical)
        except (ParseBaseException, RecursionError):
            raise _syntax_error(error) from error
        raise QueryRefused("updates are refused: the store is read-only (INSERT, DELETE, LOAD, CLEAR, DROP ...)") from None
    prologue, query = parsed[0], parsed[1]
    form = QueryForm(query.name.removesuffix("Query").upper())
    prefixes = {
        str(decl.get("prefix") or ""): str(decl["iri"])
        for decl in prologue
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl"
    }
    nodes = list(_walk(query))
    variables = {str(n) for n in nodes if isinstance(n, Variable)}
    # A SERVICE or FROM the engine would read as a keyword counts even where the parse tree shows none.
    keywords = bare_keywords(canonical)
    patterns = {str(pattern) for n in nodes
                if isinstance(n, CompValue) and n.name in ("Builtin_REGEX", "Builtin_REPLACE")
                and isinstance(pattern := _unwrap(n.get("pattern")), Variable)}
    return QueryInfo(
        form=form,
        text=canonical,
        parameters=tuple(sorted(v[1:] for v in variables if v.startswith(PARAMETER_PREFIX) and len(v) > 1)),
        prefixes=prefixes,
        ordered="orderby" in query,
        uses_service="SERVICE" in keywords or any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern" for n in nodes),
        uses_dataset="FROM" in keywords or "datasetClause" in query,
        regex_parameters=tuple(sorted(v[1:] for v in patterns if v.startswith(PARAMETER_PREFIX) and len(v) > 1)),
    )


def parse_parameter_value(value: str, prefixes: dict[str, str]) -> Term:
    """`<iri>` or a prefixed name whose prefix the query declares -> IRI; anything else -> plain literal."""
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
    else:
        found = re.fullmatch(r"([A-Za-z][\w.-]*)?:(\S*)", value)
        if not found or (found[1] or "") not in prefixes:
            return ox.Literal(value)
        iri = prefixes[found[1] or ""] + found[2]
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise InputError(f"parameter value {value!r} is not a valid IRI: {error}") from error


def check_regex(name: str, pattern: str) -> None:
    """A parameter used as a regular expression must be one the engine accepts: an invalid one would
    silently make REGEX unbound and change the answer instead of failing."""
    probe = ox.Store().query("SELECT ?pattern (REGEX(\"\", ?pattern) AS ?valid) {}",
                             substitutions={ox.Variable("pattern"): ox.Literal(pattern)})
    assert isinstance(probe, ox.QuerySolutions)
    if next(iter(probe))["valid"] is None:
        raise InputError(f"parameter {name!r}: {pattern!r} is not a valid regular expression")


def bind_parameters(text: str, bindings: dict[str, Term]) -> str:
    """Replace each parameter variable token by its term written in SPARQL syntax (escaped).

    Works for every query form and for remote endpoints, which take no bindings; comments,
    strings and IRIs are copied as they are.
    """
    wanted = {PARAMETER_PREFIX + name: term for name, term in bindings.items()}
    out = []
    for kind, value in tokens(text):
        term = wanted.get(value[1:]) if kind == "var" else None
        out.append(str(term) if term is not None else value)
    return "".join(out)


def _defaults(text: str) -> dict[str, str]:
    """The header's parameter defaults, remembered like the checks (reading YAML is slow to start)."""
    from peelkg.graph import querycache

    cached = querycache.get("defaults", text)
    if cached is None:
        cached = header_defaults(read_header(text))
        querycache.put("defaults", text, cached)
    return dict(cached)


def prepare_query(text: str, params: dict[str, str] | None = None, *, allow_service: bool = False) -> PreparedQuery:
    """Check a query and bind its parameters (given values first, then the header's defaults)."""
    params = dict(params or {})
    info = inspect_query(text)
    if not allow_service and info.uses_service:
        raise QueryRefused("SERVICE is refused: it would query another endpoint (use --allow-service to permit it)")
    if not allow_service and info.uses_dataset:
        raise QueryRefused("FROM / FROM NAMED are refused: queries run over the store's graphs (use --allow-service to permit it)")
    unknown = sorted(set(params) - set(info.parameters))
    if unknown:
        takes = ", ".join(info.parameters) or "none"
        raise InputError(f"unknown parameter {unknown[0]!r}; this query takes: {takes}")
    defaults = _defaults(text) if info.parameters else {}
    bindings: dict[str, Term] = {}
    for name in info.parameters:
        value = params.get(name, defaults.get(name))
        if value is None:
            raise InputError(f"parameter {name!r} has no value and no default: pass --param {name}=VALUE")
        bindings[name] = parse_parameter_value(value, info.prefixes)
        if name in info.regex_parameters:
            check_regex(name, value)
    if not bindings:
        return PreparedQuery(info.text, info)
    # Check the shape with stand-in terms of the same kinds: the real values are escaped by
    # pyoxigraph's term writer, and rdflib's parser mangles some legal escapes (\\u...).
    stand_ins: dict[str, Term] = {name: ox.NamedNode(f"urn:peelkg:{name}") if isinstance(term, ox.NamedNode) else ox.Literal(name)
                                  for name, term in bindings.items()}
    try:
        bound_info = inspect_query(bind_parameters(info.text, stand_ins))
    except QuerySyntaxError as error:
        raise InputError(
            f"with its parameters bound the query is invalid ({error.problem}): parameters may stand "
            "only where an RDF term may (not in SELECT, GROUP BY, VALUES or BIND ... AS)"
        ) from error
    if bound_info.parameters:
        raise InputError(f"could not bind parameter {bound_info.parameters[0]!r}: write it as ?_{bound_info.parameters[0]}")
    return PreparedQuery(bind_parameters(info.text, bindings), info, bindings)


# --------------------------------------------------------------------------- running


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT / DESCRIBE."""

    form: QueryForm
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False            # the row cap was hit: more rows exist
    limit: int = DEFAULT_LIMIT
    elapsed_s: float = 0.0

    def __len__(self) -> int:
        return len(self.triples) if self.form.returns_graph else len(self.rows)


def collect_results(results: Any, form: QueryForm, limit: int) -> QueryResult:
    """Read pyoxigraph results into a QueryResult, keeping at most `limit` rows or triples."""
    if isinstance(results, ox.QueryBoolean):
        return QueryResult(QueryForm.ASK, boolean=bool(results), limit=limit)
    result = QueryResult(form, limit=limit)
    if isinstance(results, ox.QuerySolutions):
        result.variables = [v.value for v in results.variables]
        width = len(result.variables)
        for solution in results:
            if len(result.rows) == limit:
                result.truncated = True
                break
            result.rows.append(tuple(solution[i] for i in range(width)))
    else:
        for triple in results:
            if len(result.triples) == limit:
                result.truncated = True
                break
            result.triples.append(triple)
    return result


def _evaluate(store_dir: str, prepared: PreparedQuery, limit: int) -> tuple[str, Any]:
    """Runs in the forked child: open the store read-only, evaluate; returns (status, payload)."""
    from peelkg.graph.store import open_store

    try:
        store = open_store(Path(store_dir), read_only=True)
        # The store's default graph is the union of its named graphs (kept so by the store module).
        results = store.query(prepared.text)
        return "ok", collect_results(results, prepared.info.form, limit)
    except SyntaxError as error:
        return "syntax", str(error)
    except PeelkgError as error:
        return "store", str(error)
    except OSError as error:
        return "store", f"{store_dir}: cannot read the store: {first_line(error)}"
    except Exception as error:  # any evaluation failure becomes a message for the parent
        return "failed", f"{type(error).__name__}: {first_line(error)}"


def _child(store_dir: str, prepared: PreparedQuery, limit: int, out: int) -> None:
    """The forked child's whole life: evaluate, write the pickled answer to the pipe, leave at once."""
    import pickle

    code = 0
    try:
        data = pickle.dumps(_evaluate(store_dir, prepared, limit), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(out, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def check_store(store_dir: Path) -> None:
    from peelkg.graph.store import is_store
    from peelkg.graph.versions import current

    version = current(store_dir)    # also a store an interrupted writer left aside
    if version is None or not is_store(version):
        raise InputError(f"{store_dir}: no store here; run `peelkg build --store {store_dir}` first, or pass --store DIR")


def check_limits(timeout_s: float, limit: int) -> None:
    """A timeout is a finite number of seconds up to a day; a row cap is a positive count."""
    if not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and 0 < timeout_s <= MAX_TIMEOUT_S):
        raise InputError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}, not {timeout_s!r}")
    if limit <= 0:
        raise InputError("--limit must be positive")


def memory_bound_mb() -> int:
    """The most memory a query may take: $PEELKG_QUERY_MEMORY_MB, else DEFAULT_MEMORY_MB."""
    raw = os.environ.get("PEELKG_QUERY_MEMORY_MB", "")
    if not raw:
        return DEFAULT_MEMORY_MB
    if not raw.isdigit() or int(raw) <= 0:
        raise InputError(f"PEELKG_QUERY_MEMORY_MB={raw!r}: give a whole number of megabytes")
    return int(raw)


def resident_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux /proc); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE / 2**20
    except (OSError, IndexError, ValueError):
        return None


def _ended(pid: int) -> bool:
    """True once the child has exited (it is not reaped here)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _reap(pid: int) -> int:
    """Wait for the child and return its exit status (negative: the signal that ended it)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status)


def run_prepared(store_dir: Path, prepared: PreparedQuery, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 limit: int = DEFAULT_LIMIT, memory_mb: int | None = None) -> QueryResult:
    """Evaluate a prepared query in a child process, killed at the timeout or when it outgrows `memory_mb`.

    The memory bound counts what the child adds to the memory it shares with this process at the fork.
    """
    check_store(store_dir)
    check_limits(timeout_s, limit)
    bound_mb = memory_bound_mb() if memory_mb is None else memory_mb
    import pickle
    import select

    started = time.perf_counter()
    baseline = resident_mb(os.getpid()) or 0.0
    receiver, sender = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(receiver)
        _child(str(store_dir), prepared, limit, sender)
    os.close(sender)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    watch = select.poll()
    watch.register(receiver, select.POLLIN | select.POLLHUP)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LimitExceeded(f"query stopped after the {timeout_s:g} s timeout (raise it with --timeout)")
            if watch.poll(1000 * min(_WATCH_S, left)):
                chunk = os.read(receiver, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                continue
            used = resident_mb(pid)
            if used is not None and used - baseline > bound_mb:
                raise LimitExceeded(f"query stopped: it needed more than {bound_mb} MB of memory "
                                    "(narrow it, or raise PEELKG_QUERY_MEMORY_MB)")
    finally:
        os.close(receiver)
        if not _ended(pid):
            os.kill(pid, signal.SIGKILL)
        exit_code = _reap(pid)
    try:
        status, payload = pickle.loads(b"".join(chunks))
    except Exception:
        raise QueryFailed(f"the query process ended unexpectedly (exit status {exit_code})") from None
    if status == "syntax":
        raise _oxigraph_syntax_error(payload) or QueryFailed(payload)
    if status == "store":
        raise QueryFailed(payload)
    if status == "failed":
        raise QueryFailed(f"query failed: {payload}")
    payload.elapsed_s = time.perf_counter() - started
    return payload


def run_query(store_dir: Path | str, query_text: str, params: dict[str, str] | None = None, *,
              timeout_s: float = DEFAULT_TIMEOUT_S, limit: int = DEFAULT_LIMIT,
              allow_service: bool = False, memory_mb: int | None = None) -> QueryResult:
    """Check, bind and run one query over the store (read-only, union of the named graphs)."""
    check_limits(timeout_s, limit)
    prepared = prepare_query(query_text, params, allow_service=allow_service)
    return run_prepared(Path(store_dir), prepared, timeout_s=timeout_s, limit=limit, memory_mb=memory_mb)


# --------------------------------------------------------------------------- output


def term_to_json(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_to_json(term.subject),
            "predicate": term_to_json(term.predicate),
            "object": term_to_json(term.object),
        },
    }


def results_json(result: QueryResult) -> dict[str, Any]:
    """A SELECT or ASK result as a SPARQL 1.1 results JSON document."""
    if result.form is QueryForm.ASK:
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = [
        {name: term_to_json(term) for name, term in zip(result.variables, row) if term is not None}
        for row in result.rows
    ]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def display_term(term: Term | None) -> str:
    """A short human form of a term: literals as their text, IRIs with a known prefix."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in DISPLAY_PREFIXES.items():
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace):]}"
        return f"<{term.value}>"
    return str(term)


def _fit_widths(natural: list[int], available: int, minimum: int = 4) -> list[int]:
    """Share the line between columns: narrow columns keep their width, wide ones split the rest."""
    widths = list(natural)
    remaining = available
    order = sorted(range(len(natural)), key=lambda i: natural[i])
    for position, index in enumerate(order):
        share = max(minimum, remaining // (len(order) - position))
        widths[index] = min(natural[index], share)
        remaining -= widths[index]
    return widths


def _one_line(text: str) -> str:
    """Line breaks and tabs become single spaces; leading spaces (indentation) are kept."""
    return re.sub(r"[ \t]*[\r\n\t]+[ \t]*", " ", text).rstrip()


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render_table(result: QueryResult, width: int = 80) -> str:
    """A plain-text table that fits `width` columns; long cells are cut with an ellipsis."""
    if result.form is QueryForm.ASK:
        return ("true" if result.boolean else "false") + "\n"
    if result.form.returns_graph:
        header = ["subject", "predicate", "object"]
        rows = [[display_term(t.subject), display_term(t.predicate), display_term(t.object)] for t in result.triples]
    else:
        header = list(result.variables)
        rows = [[display_term(term) for term in row] for row in result.rows]
    if not header:
        return f"({len(rows)} rows)\n"
    flat = [[_one_line(cell) for cell in row] for row in rows]
    natural = [max([len(header[i])] + [len(row[i]) for row in flat]) for i in range(len(header))]
    widths = _fit_widths(natural, width - 2 * (len(header) - 1))
    lines = ["  ".join(_cell(h, w).ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in flat:
        lines.append("  ".join(_cell(c, w).ljust(w) for c, w in zip(row, widths)).rstrip())
    count = len(rows)
    footer = f"({count} row{'s' if count != 1 else ''}"
    footer += f"; truncated at the {result.limit}-row limit)" if result.truncated else ")"
    lines.append(footer)
    return "\n".join(lines) + "\n"


_RESULTS_FORMATS = {
    OutputFormat.CSV: ox.QueryResultsFormat.CSV,
    OutputFormat.TSV: ox.QueryResultsFormat.TSV,
    OutputFormat.JSON: ox.QueryResultsFormat.JSON,
    OutputFormat.XML: ox.QueryResultsFormat.XML,
}


def serialize_result(result: QueryResult, fmt: OutputFormat | str | None = None, *, width: int = 80) -> bytes:
    """The result in one of the output formats: the SPARQL 1.1 results formats, Turtle, or a table."""
    fmt = OutputFormat(fmt) if fmt is not None else (
        OutputFormat.TTL if result.form.returns_graph else OutputFormat.TABLE)
    if fmt is OutputFormat.TABLE:
        return render_table(result, width).encode("utf-8")
    if result.form.returns_graph:
        if fmt is not OutputFormat.TTL:
            raise InputError(f"{result.form.value} returns a graph: use --format ttl or table, not {fmt.value}")
        prefixes = {p: ns for p, ns in DISPLAY_PREFIXES.items() if p != "id"}
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    if fmt is OutputFormat.TTL:
        raise InputError(f"ttl is for CONSTRUCT and DESCRIBE; a {result.form.value} result can be table, csv, tsv, json or xml")
    document = json.dumps(results_json(result), ensure_ascii=False).encode("utf-8")
    if fmt is OutputFormat.JSON:
        return document + b"\n"
    parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    data = parsed.serialize(format=_RESULTS_FORMATS[fmt]) or b""
    return data if data.endswith(b"\n") else data + b"\n"


def rows_as_text(result: QueryResult) -> list[dict[str, str]]:
    """Rows as {variable: display text}; handy for tests and the serve page."""
    return [
        {name: display_term(term) for name, term in zip(result.variables, row)}
        for row in result.rows
    ]


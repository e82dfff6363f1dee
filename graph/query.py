"""Run SPARQL over the store: named queries, bound parameters, read-only, with a timeout and a row cap.

A query is checked before it runs: it is parsed (rdflib's SPARQL 1.1 parser) so that
updates, SERVICE and FROM / FROM NAMED are refused from the parse tree, never from
the raw text; parameters (`?_name` variables) are bound to RDF terms; then the query
runs over `pyoxigraph.Store.read_only(store_dir)` in a forked child process that is
killed when the timeout expires. Queries see the union of all named graphs.

>>> info = inspect_query("SELECT ?s WHERE { ?s ?p ?_value }")
>>> info.form.value, info.parameters
('SELECT', ('value',))
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import re
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from peelkg.errors import InputError, LimitExceeded, PeelkgError, first_line
from peelkg.resources import queries_dir

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_LIMIT = 10_000
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


def load_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
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
    return [load_named_query(path) for path in sorted(folder.glob("*.rq"))]


def resolve_query_text(spec: str, directory: Path | None = None) -> str:
    """A query given as a library name, a path to a .rq file, or SPARQL text."""
    folder = directory if directory is not None else queries_dir()
    if re.fullmatch(r"[A-Za-z0-9_-]+", spec):
        path = folder / f"{spec}.rq"
        if path.is_file():
            return path.read_text(encoding="utf-8")
        raise InputError(f"no named query {spec!r}: `peelkg queries` lists them")
    if spec.endswith(".rq") and "\n" not in spec:
        path = Path(spec)
        if not path.is_file():
            raise InputError(f"{spec}: no such query file")
        return path.read_text(encoding="utf-8")
    return spec


# --------------------------------------------------------------------------- checking and binding

# SPARQL tokens that matter for binding: comments, strings, IRIs and variables are
# recognised whole so that nothing inside a comment, string or IRI is taken for a variable.
_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<other>[^#"'<?$]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class QueryInfo:
    """What the parse tree says about a query."""

    form: QueryForm
    parameters: tuple[str, ...]           # parameter names, without the leading underscore
    prefixes: dict[str, str]
    ordered: bool                         # has ORDER BY at the top level
    uses_service: bool
    uses_dataset: bool                    # FROM / FROM NAMED


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
    """Parse a query and report its form, parameters and what it reaches for; refuse updates."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if all(kind == "comment" or not value.strip() for kind, value in _tokens(text)):
        raise InputError("the query is empty")
    try:
        parsed = parseQuery(text)
    except ParseBaseException as error:
        try:
            parseUpdate(text)
        except ParseBaseException:
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
    return QueryInfo(
        form=form,
        parameters=tuple(sorted(v[1:] for v in variables if v.startswith(PARAMETER_PREFIX) and len(v) > 1)),
        prefixes=prefixes,
        ordered="orderby" in query,
        uses_service=any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern" for n in nodes),
        uses_dataset="datasetClause" in query,
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


def bind_parameters(text: str, bindings: dict[str, Term]) -> str:
    """Replace each parameter variable token by its term written in SPARQL syntax (escaped).

    Works for every query form and for remote endpoints, which take no bindings; comments,
    strings and IRIs are copied as they are.
    """
    wanted = {PARAMETER_PREFIX + name: term for name, term in bindings.items()}
    out = []
    for kind, value in _tokens(text):
        term = wanted.get(value[1:]) if kind == "var" else None
        out.append(str(term) if term is not None else value)
    return "".join(out)


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
    defaults = header_defaults(read_header(text))
    bindings: dict[str, Term] = {}
    for name in info.parameters:
        value = params.get(name, defaults.get(name))
        if value is None:
            raise InputError(f"parameter {name!r} has no value and no default: pass --param {name}=VALUE")
        bindings[name] = parse_parameter_value(value, info.prefixes)
    if not bindings:
        return PreparedQuery(text, info)
    # Check the shape with stand-in terms of the same kinds: the real values are escaped by
    # pyoxigraph's term writer, and rdflib's parser mangles some legal escapes (\\u...).
    stand_ins: dict[str, Term] = {name: ox.NamedNode(f"urn:peelkg:{name}") if isinstance(term, ox.NamedNode) else ox.Literal(name)
                                  for name, term in bindings.items()}
    try:
        bound_info = inspect_query(bind_parameters(text, stand_ins))
    except QuerySyntaxError as error:
        raise InputError(
            f"with its parameters bound the query is invalid ({error.problem}): parameters may stand "
            "only where an RDF term may (not in SELECT, GROUP BY, VALUES or BIND ... AS)"
        ) from error
    if bound_info.parameters:
        raise InputError(f"could not bind parameter {bound_info.parameters[0]!r}: write it as ?_{bound_info.parameters[0]}")
    return PreparedQuery(bind_parameters(text, bindings), info, bindings)


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


def _child(store_dir: str, prepared: PreparedQuery, limit: int, conn: Any) -> None:
    """Runs in the forked child: open the store read-only, evaluate, send back (status, payload)."""
    from peelkg.graph.store import open_store

    try:
        store = open_store(Path(store_dir), read_only=True)
        # The store's default graph is the union of its named graphs (kept so by the store module).
        results = store.query(prepared.text)
        form = prepared.info.form
        conn.send(("ok", collect_results(results, form, limit)))
    except SyntaxError as error:
        conn.send(("syntax", str(error)))
    except PeelkgError as error:
        conn.send(("store", str(error)))
    except OSError as error:
        conn.send(("store", f"{store_dir}: cannot read the store: {first_line(error)}"))
    except Exception as error:  # any evaluation failure becomes a message for the parent
        conn.send(("failed", f"{type(error).__name__}: {first_line(error)}"))
    finally:
        conn.close()


def check_store(store_dir: Path) -> None:
    from peelkg.graph.store import is_store
    from peelkg.graph.versions import current

    version = current(store_dir)    # also a store an interrupted writer left aside
    if version is None or not is_store(version):
        raise InputError(f"{store_dir}: no store here; run `peelkg build --store {store_dir}` first, or pass --store DIR")


def run_prepared(store_dir: Path, prepared: PreparedQuery, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 limit: int = DEFAULT_LIMIT) -> QueryResult:
    """Evaluate a prepared query in a child process that is killed when the timeout expires."""
    check_store(store_dir)
    if timeout_s <= 0 or limit <= 0:
        raise InputError("--timeout and --limit must be positive")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(str(store_dir), prepared, limit, sender), daemon=True
    )
    started = time.perf_counter()
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise LimitExceeded(f"query stopped after the {timeout_s:g} s timeout (raise it with --timeout)")
        status, payload = receiver.recv()
    except EOFError:
        child.join()
        raise QueryFailed(f"the query process ended unexpectedly (exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
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
              allow_service: bool = False) -> QueryResult:
    """Check, bind and run one query over the store (read-only, union of the named graphs)."""
    prepared = prepare_query(query_text, params, allow_service=allow_service)
    return run_prepared(Path(store_dir), prepared, timeout_s=timeout_s, limit=limit)


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
        return document
    parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=_RESULTS_FORMATS[fmt]) or b""


def rows_as_text(result: QueryResult) -> list[dict[str, str]]:
    """Rows as {variable: display text}; handy for tests and the serve page."""
    return [
        {name: display_term(term) for name, term in zip(result.variables, row)}
        for row in result.rows
    ]


"""SHACL validation of one report graph: the gate a report passes before it is stored.

The shapes are ontology/shapes.ttl; the ontology and its schemes are mixed into
the data so that targets and sh:class follow the class hierarchy. Problems come
back as a report (each result with the report line its focus node came from),
not as an exception: `require_valid` is the one that raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from peelkg.errors import InputError, ValidationFailed
from peelkg.resources import GRAPH_BASE, ontology_file
from peelkg.vocab import PEEL, PROV, RDF, XSD, ontology_graph, short

SHAPES_FILE = "shapes.ttl"


class ShaclSeverity(str, Enum):
    """SHACL's severities; only violations make a graph fail."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the line of the report its focus node was read from."""

    severity: ShaclSeverity
    focus: str                    # the IRI of the focus node
    path: str | None              # the IRI of the property, when the shape has one
    message: str
    value: str | None = None      # the offending value: an IRI or a literal's text
    shape: str | None = None
    line: int | None = None       # first line of the passage the focus node was derived from

    def __str__(self) -> str:
        return _one_line(self)


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is ShaclSeverity.VIOLATION]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is not ShaclSeverity.VIOLATION]


def shapes_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_file(SHAPES_FILE), format="turtle")
    return graph


def plain_graph(graph: Graph) -> Graph:
    """A plain in-memory copy of any rdflib graph, with xsd:string literals made plain.

    pySHACL and owlrl misbehave on store-backed graphs that type every plain
    string as xsd:string; a copy in the default store with plain strings is safe.
    """
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=False)
    for s, p, o in graph.triples((None, None, None)):
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        copy.add((s, p, o))
    return copy


def validate_graph(graph: Graph) -> ValidationReport:
    """Validate one report graph against the shapes; never raises on bad data."""
    data = plain_graph(graph)
    # The ontology goes into the data graph itself (pySHACL's ont_graph copies only
    # class and property axioms, not the concepts of the grade and theme schemes).
    data += ontology_graph()
    _conforms, results_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
        advanced=False,
        inplace=True,
    )
    top = [node for report in results_graph.subjects(RDF.type, SH.ValidationReport)
           for node in results_graph.objects(report, SH.result)]
    results = [_result(results_graph, node, data) for node in top]
    results.sort(key=lambda r: (r.severity is not ShaclSeverity.VIOLATION, r.line or 0, r.focus, r.path or "", r.message))
    conforms = not any(r.severity is ShaclSeverity.VIOLATION for r in results)
    return ValidationReport(conforms=conforms, results=results)


def require_valid(graph: Graph) -> ValidationReport:
    """Validate and raise ValidationFailed (one line naming the first problems) on any violation."""
    report = validate_graph(graph)
    if not report.conforms:
        violations = report.violations
        shown = "; ".join(_one_line(r) for r in violations[:3])
        more = f" (and {len(violations) - 3} more)" if len(violations) > 3 else ""
        raise ValidationFailed(f"the graph does not conform to the shapes: {shown}{more}")
    return report


def stored_report_graphs(store_dir: Path, report: str | None = None) -> dict[str, Graph]:
    """The asserted graph (report + links) of each stored report, by key `{insp}/{force}`, with what the
    reference graph says of the resources it names (as the build validates and reasons over it).

    `report` picks one: its key, its report IRI or one of its graph IRIs.
    """
    from peelkg.graph import store as st
    from peelkg.loaders.reference import reference_for

    store = st.open_store(Path(store_dir))
    stored = st.list_reports(store)
    keys = stored
    if report is not None:
        wanted = report.rstrip("/")
        keys = [key for key in stored if wanted == key or wanted.endswith("/" + key)]
        if not keys:
            raise InputError(f"no report {report!r} in {store_dir}; stored: {', '.join(stored) or 'none'}")
    graphs = {}
    for key in keys:
        graph = Graph()
        for kind in ("report", "links"):
            graph += st.read_graph(store, f"{GRAPH_BASE}{kind}/{key}")
        graph += reference_for(graph)
        graphs[key] = graph
    return graphs


def format_report(report: ValidationReport) -> str:
    """Readable text: a verdict line, then one line per result, violations first."""
    lines = [
        f"conforms: {'yes' if report.conforms else 'no'} "
        f"({len(report.violations)} violation(s), {len(report.warnings)} warning(s))"
    ]
    lines.extend(_one_line(r) for r in report.results)
    return "\n".join(lines)


def _one_line(result: ValidationResult) -> str:
    where = f"line {result.line}: " if result.line is not None else ""
    path = f" {_display(result.path)}" if result.path else ""
    value = f" (value {_display(result.value)})" if result.value is not None and result.value != result.focus else ""
    return f"{result.severity.value}: {where}{_display(result.focus)}{path}: {result.message}{value}"


def _display(text: str) -> str:
    return short(URIRef(text)) if text.startswith(("http://", "https://", "urn:")) else text


def _result(results: Graph, node: Node, data: Graph) -> ValidationResult:
    severity = ShaclSeverity(str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1])
    focus = results.value(node, SH.focusNode)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    messages = sorted(str(m) for m in results.objects(node, SH.resultMessage))
    shape = results.value(node, SH.sourceShape)
    return ValidationResult(
        severity=severity,
        focus=_text(focus),
        path=_text(path) if path is not None else None,
        message=messages[0] if messages else "does not conform",
        value=_text(value) if value is not None else None,
        shape=str(shape) if isinstance(shape, URIRef) else None,
        line=_source_line(data, focus),
    )


def _text(node: Node | None) -> str:
    """IRIs in full, literals as their text, blank nodes as []."""
    if isinstance(node, URIRef):
        return str(node)
    return short(node) if isinstance(node, BNode) else str(node)


def _source_line(data: Graph, focus: Node | None) -> int | None:
    """The first report line the focus node comes from: its own peel:lineStart, or its passages'."""
    if focus is None:
        return None
    own = [data.value(focus, PEEL.lineStart)]
    passages = [data.value(p, PEEL.lineStart) for p in data.objects(focus, PROV.wasDerivedFrom)]
    lines = [int(v) for v in own + passages if isinstance(v, Literal) and isinstance(v.toPython(), int)]
    return min(lines) if lines else None

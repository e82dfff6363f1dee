"""SHACL validation: the valid graph conforms, and each broken variant reports exactly its own problems.

tests/data/shapes/valid.ttl is a small report graph; each *.trig beside it is
valid.ttl minus <urn:remove> plus <urn:add>, and <urn:expect> lists every
result the shapes must report (see tests/data/shapes/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import SH, XSD

from peelkg.cli import main
from peelkg.errors import InputError, ValidationFailed
from peelkg.graph import store as st
from peelkg.graph.validate import (
    ShaclSeverity,
    format_report,
    plain_graph,
    require_valid,
    stored_report_graphs,
    validate_graph,
)
from peelkg.loaders.reference import reference_for
from peelkg.resources import GRAPH_BASE
from peelkg.vocab import PEEL

from tests.paths import DATA_DIR

SHAPES_DIR = DATA_DIR / "shapes"
VALID = SHAPES_DIR / "valid.ttl"
CASES = sorted(SHAPES_DIR.glob("*.trig"))
KEY = "peel-2016-effectiveness/midshire-constabulary"


def valid_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(VALID, format="turtle")
    return graph


def broken_graph(case: Path) -> tuple[rdflib.Graph, rdflib.Graph]:
    """The valid graph with the case's changes applied, and the case's expectations."""
    dataset = rdflib.Dataset()
    dataset.parse(case, format="trig")
    graph = valid_graph()
    for triple in dataset.graph(URIRef("urn:remove")):
        assert triple in graph, f"{case.name}: removes a triple valid.ttl does not have: {triple}"
        graph.remove(triple)
    for triple in dataset.graph(URIRef("urn:add")):
        graph.add(triple)
    return graph, dataset.graph(URIRef("urn:expect"))


def test_the_valid_graph_conforms_with_no_result():
    report = validate_graph(valid_graph())
    assert report.conforms, format_report(report)
    assert report.results == []


def test_every_case_file_is_found():
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_broken_graph_reports_exactly_its_problems(case: Path):
    graph, expect = broken_graph(case)
    report = validate_graph(graph)
    expected = set()
    for node in expect.subjects(SH.focusNode, None):
        severity = expect.value(node, SH.resultSeverity, default=SH.Violation)
        path = expect.value(node, SH.resultPath)
        expected.add((ShaclSeverity(str(severity).rsplit("#", 1)[-1]), str(expect.value(node, SH.focusNode)),
                      str(path) if path is not None else None))
    found = {(r.severity, r.focus, r.path) for r in report.results}
    assert found == expected, format_report(report)
    assert report.conforms is not any(s is ShaclSeverity.VIOLATION for s, _, _ in expected)

    for node in expect.subjects(PEEL.lineStart, None):
        focus, path = str(expect.value(node, SH.focusNode)), str(expect.value(node, SH.resultPath))
        lines = {r.line for r in report.results if (r.focus, r.path) == (focus, path)}
        assert lines == {int(expect.value(node, PEEL.lineStart))}


def test_results_carry_a_message_and_the_offending_value():
    graph, _ = broken_graph(SHAPES_DIR / "address-link.trig")
    report = validate_graph(graph)
    score = next(r for r in report.results if r.path == str(PEEL.score))
    assert score.value == "1.5"
    assert "[0, 1]" in score.message
    assert score.shape is None or score.shape.startswith("http")


def test_format_report_is_readable():
    graph, _ = broken_graph(SHAPES_DIR / "finding-text.trig")
    text = format_report(validate_graph(graph))
    lines = text.splitlines()
    assert lines[0] == "conforms: no (2 violation(s), 0 warning(s))"
    assert "Violation: line 32: id:finding/peel-2016-effectiveness/midshire-constabulary/q2-afi-2 peel:text:" in text
    assert "a finding needs exactly one peel:text" in text


def test_require_valid_raises_one_line_naming_the_problem():
    graph, _ = broken_graph(SHAPES_DIR / "provenance-missing.trig")
    with pytest.raises(ValidationFailed) as caught:
        require_valid(graph)
    message = str(caught.value)
    assert "\n" not in message
    assert "q2-afi-2" in message and "prov:wasDerivedFrom" in message
    assert require_valid(valid_graph()).conforms


def test_validation_does_not_change_the_input_graph():
    graph = valid_graph()
    before = len(graph)
    validate_graph(graph)
    assert len(graph) == before


def test_store_typed_strings_validate_like_plain_ones():
    """Graphs read back from a store type plain strings as xsd:string; that must not matter."""
    graph = rdflib.Graph()
    for s, p, o in valid_graph():
        if isinstance(o, Literal) and o.datatype is None and o.language is None:
            o = Literal(str(o), datatype=XSD.string)
        graph.add((s, p, o))
    assert validate_graph(graph).conforms
    copy = plain_graph(graph)
    assert all(o.datatype != XSD.string for o in copy.objects() if isinstance(o, Literal))


def make_store(path: Path, graph: rdflib.Graph) -> Path:
    """A store holding one report: the graph as its report graph, with an empty links graph."""
    store = st.create_store(path)
    st.load_graphs(store, {f"{GRAPH_BASE}report/{KEY}": graph, f"{GRAPH_BASE}links/{KEY}": rdflib.Graph()})
    st.finish(store)
    del store
    return path


def test_stored_report_graphs_finds_a_report_by_key_or_iri(tmp_path):
    store_dir = make_store(tmp_path / "store", valid_graph())
    assert set(stored_report_graphs(store_dir)) == {KEY}
    by_iri = stored_report_graphs(store_dir, "https://w3id.org/peelkg/id/report/" + KEY)
    assert set(by_iri[KEY]) == set(valid_graph() + reference_for(valid_graph()))   # beside the reference graph
    with pytest.raises(InputError, match="no report 'nope'"):
        stored_report_graphs(store_dir, "nope")


def test_the_validate_command_passes_a_valid_store(tmp_path):
    store_dir = make_store(tmp_path / "store", valid_graph())
    result = CliRunner().invoke(main, ["validate", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert f"{KEY}: conforms: yes" in result.output


def test_the_validate_command_exits_1_on_violations(tmp_path):
    graph, _ = broken_graph(SHAPES_DIR / "term.trig")
    store_dir = make_store(tmp_path / "store", graph)
    result = CliRunner().invoke(main, ["validate", "--store", str(store_dir), "--report", KEY])
    assert result.exit_code == 1
    assert "a glossary term needs exactly one skos:definition" in result.stdout
    assert result.stderr.strip() == f"peelkg: 1 report(s) do not conform to the shapes: {KEY}"


def test_the_validate_command_names_an_unknown_report(tmp_path):
    store_dir = make_store(tmp_path / "store", valid_graph())
    result = CliRunner().invoke(main, ["validate", "--store", str(store_dir), "--report", "x/y"])
    assert result.exit_code == 2
    assert f"stored: {KEY}" in result.stderr

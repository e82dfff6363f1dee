"""Golden results: every named query, run over the test store, against tests/golden/queries/<name>.json.

The expected results are SPARQL 1.1 results JSON documents (a CONSTRUCT or DESCRIBE
result is stored as subject / predicate / object rows and compared as a graph, by
isomorphism). Rows are compared in order only when the query has ORDER BY. A query
without an expected result fails; `pytest --regen-golden` (or PEELKG_REGEN_GOLDEN=1)
rewrites the files instead of comparing, for review before they are committed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from peelkg.graph import query as q
from peelkg.resources import queries_dir
from tests.paths import TESTS_DIR

GOLDEN_DIR = TESTS_DIR / "golden" / "queries"
QUERY_NAMES = sorted(path.stem for path in queries_dir().glob("*.rq"))


@pytest.fixture(scope="module")
def golden_store(bundled_store: Path) -> Path:
    """The store the expected results describe: the bundled report, built, validated and reasoned."""
    return bundled_store


def as_document(result: q.QueryResult) -> dict:
    """A result as a SPARQL 1.1 results JSON document; graphs as subject / predicate / object rows."""
    if result.form.returns_graph:
        rows = [(t.subject, t.predicate, t.object) for t in result.triples]
        rows.sort(key=lambda row: tuple(str(term) for term in row))
        result = q.QueryResult(q.QueryForm.SELECT, variables=["subject", "predicate", "object"], rows=rows)
    return q.results_json(result)


def golden_text(document: dict) -> str:
    """The document as JSON with one binding per line, so that a diff shows the rows that changed."""
    if "boolean" in document:
        return json.dumps(document) + "\n"
    bindings = [json.dumps(binding, ensure_ascii=False) for binding in document["results"]["bindings"]]
    body = "[\n  " + ",\n  ".join(bindings) + "\n ]" if bindings else "[]"
    return '{"head": ' + json.dumps(document["head"]) + ',\n "results": {"bindings": ' + body + "}}\n"


def term_key(term: dict | None) -> str:
    return json.dumps(term, sort_keys=True) if term is not None else ""


def rows_of(document: dict) -> list[tuple[str, ...]]:
    names = document["head"]["vars"]
    return [tuple(term_key(binding.get(name)) for name in names) for binding in document["results"]["bindings"]]


def to_rdflib(term: dict) -> rdflib.term.Node:
    if term["type"] == "uri":
        return rdflib.URIRef(term["value"])
    if term["type"] == "bnode":
        return rdflib.BNode(term["value"])
    return rdflib.Literal(term["value"], lang=term.get("xml:lang"), datatype=term.get("datatype"))


def as_graph(document: dict) -> rdflib.Graph:
    graph = rdflib.Graph()
    for binding in document["results"]["bindings"]:
        graph.add(tuple(to_rdflib(binding[name]) for name in ("subject", "predicate", "object")))
    return graph


def describe_difference(expected: list, actual: list) -> str:
    missing = [row for row in expected if row not in actual]
    extra = [row for row in actual if row not in expected]
    lines = [f"expected {len(expected)} rows, got {len(actual)}"]
    lines += ["missing: " + " | ".join(row) for row in missing[:10]]
    lines += ["unexpected: " + " | ".join(row) for row in extra[:10]]
    if not missing and not extra:
        lines.append("same rows in a different order")
    return "\n".join(lines)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_named_query_matches_its_golden_result(golden_store, regen_golden, name):
    text = q.resolve_query_text(name)
    info = q.inspect_query(text)
    document = as_document(q.run_query(golden_store, text))
    golden = GOLDEN_DIR / f"{name}.json"
    if regen_golden:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        golden.write_text(golden_text(document), encoding="utf-8")
        pytest.skip(f"regenerated {golden.relative_to(TESTS_DIR.parent)}")
    assert golden.is_file(), f"no expected result for {name}: run pytest --regen-golden and review {golden}"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    if "boolean" in expected or "boolean" in document:
        assert document == expected
        return
    assert document["head"]["vars"] == expected["head"]["vars"]
    if info.form.returns_graph:
        want, got = to_isomorphic(as_graph(expected)), to_isomorphic(as_graph(document))
        if not isomorphic(want, got):
            _, only_expected, only_actual = graph_diff(want, got)
            pytest.fail(f"graphs differ\nmissing:\n{only_expected.serialize(format='nt')}\n"
                        f"unexpected:\n{only_actual.serialize(format='nt')}")
        return
    want, got = rows_of(expected), rows_of(document)
    if not info.ordered:
        want, got = sorted(want), sorted(got)
    assert got == want, describe_difference(want, got)


def test_every_golden_file_has_its_query():
    stale = sorted(path.stem for path in GOLDEN_DIR.glob("*.json") if path.stem not in QUERY_NAMES)
    assert not stale, f"expected results without a query: {stale}"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_has_a_summary_and_defaults_for_its_parameters(name):
    query = q.load_named_query(queries_dir() / f"{name}.rq")
    assert query.summary, f"{name}.rq has no `#+ summary:` line"
    assert "\n" not in query.summary
    assert all(p.default is not None for p in query.parameters), f"{name}.rq: a parameter without a default"


def test_the_library_has_the_queries_the_design_asks_for():
    assert len(QUERY_NAMES) >= 20
    assert {"grades", "afis", "causes-of-concern", "initiatives", "partners-ranked", "initiatives-on-theme",
            "statistics-vs-england-wales", "glossary", "passages-mentioning", "prior-findings-progress",
            "grades-across-forces", "initiatives-for-afi", "afis-for-initiative", "unaddressed-afis",
            "afis-by-initiatives", "question-tree", "collaborating-forces", "link-evidence",
            "report-overview", "statistic-lookup"} <= set(QUERY_NAMES)


def line_lists(variable: str, value: str) -> list[list[int]]:
    """The lists of report lines in a result cell: "206 457 798"; mentions "Essex Police 872 Essex Police 876" give
    one list per force."""
    if variable == "lines" or variable.endswith("Lines"):
        return [[int(n) for n in value.split()]]
    if variable == "mentions":
        per_force: dict[str, list[int]] = {}
        for force, line in re.findall(r"(.+?) (\d+)(?: |$)", value):
            per_force.setdefault(force, []).append(int(line))
        return list(per_force.values())
    return []


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_line_lists_come_in_the_order_of_the_report(golden_store, name):
    document = as_document(q.run_query(golden_store, q.resolve_query_text(name)))
    for binding in document.get("results", {}).get("bindings", []):
        for variable, term in binding.items():
            for lines in line_lists(variable, term["value"]):
                assert lines == sorted(lines), f"{name}: {variable} {term['value']!r}"

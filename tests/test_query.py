"""Queries: headers, checks (read-only, SERVICE, FROM), parameter binding, timeout, row cap, formats, CLI."""

from __future__ import annotations

import json
import time

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from peelkg.cli import main
from peelkg.errors import InputError, LimitExceeded
from peelkg.graph import query as q
from peelkg.resources import ONTOLOGY_GRAPH, queries_dir
from tests.paths import CAUSE_OF_CONCERN, ESSEX, WESSEX

PEEL = "https://w3id.org/peelkg/ontology#"
ID = "https://w3id.org/peelkg/id/"
PREFIXES = f"PREFIX peel: <{PEEL}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
# A cross product of every triple with itself, three times: billions of rows on the test store.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# --------------------------------------------------------------------------- the fixture


def test_the_fixture_passages_are_the_report_lines(sample_store):
    """Every passage of tests/data/query/sample.trig is the exact text of its lines in its report file."""
    files = {"essex-police": ESSEX, "wessex-constabulary": WESSEX, "mercia-vale-police": CAUSE_OF_CONCERN}
    result = q.run_query(sample_store, PREFIXES + """
        SELECT ?report ?start ?end ?text WHERE {
          ?p a peel:Passage ; peel:inReport ?report ; peel:lineStart ?start ; peel:lineEnd ?end ; peel:text ?text }""")
    assert len(result.rows) > 80
    lines = {force: path.read_text(encoding="utf-8-sig").split("\n") for force, path in files.items()}
    for report, start, end, text in result.rows:
        source = lines[report.value.rsplit("/", 1)[-1]]
        assert "\n".join(source[int(start.value) - 1:int(end.value)]) == text.value, (report, start)


# --------------------------------------------------------------------------- header


def test_header_is_read_as_grlc_yaml():
    text = "#+ summary: One line\n#+ tags:\n#+   - a\n#+   - b\n#+ defaults:\n#+   - theme: gangs\n#+   - n: 3\nSELECT * {}"
    header = q.read_header(text)
    assert header["summary"] == "One line"
    assert header["tags"] == ["a", "b"]
    assert q.header_defaults(header) == {"theme": "gangs", "n": "3"}


def test_header_stops_at_the_first_other_line():
    assert q.read_header("# a comment\n#+ summary: late\nSELECT * {}") == {}
    assert q.read_header("#+ summary: early\n\nSELECT * {}\n#+ summary: ignored") == {"summary": "early"}


def test_a_broken_header_says_which_line():
    with pytest.raises(InputError, match="header line 2"):
        q.read_header("#+ summary: ok\n#+ tags: [unclosed\nSELECT * {}")


# --------------------------------------------------------------------------- checks


def test_inspect_reports_form_parameters_and_order():
    info = q.inspect_query(PREFIXES + "SELECT ?x WHERE { ?x peel:theme ?_theme ; rdfs:label $_label } ORDER BY ?x")
    assert info.form is q.QueryForm.SELECT
    assert info.parameters == ("label", "theme")
    assert info.ordered and not info.uses_service and not info.uses_dataset
    assert info.prefixes["peel"] == PEEL
    assert q.inspect_query("ASK { ?s ?p ?o }").form is q.QueryForm.ASK
    assert q.inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").form is q.QueryForm.CONSTRUCT
    assert q.inspect_query("DESCRIBE <http://example.org/x>").form is q.QueryForm.DESCRIBE


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "DROP ALL",
    "CLEAR GRAPH <http://e/g>",
    "PREFIX e: <http://e/>\nWITH e:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused(update):
    with pytest.raises(q.QueryRefused, match="updates are refused"):
        q.prepare_query(update)
    with pytest.raises(q.QueryRefused):
        q.prepare_query(update, allow_service=True)


def test_service_from_and_from_named_are_refused_unless_allowed():
    service = "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://example.org/sparql> { ?s ?q ?r } } }"
    with pytest.raises(q.QueryRefused, match="SERVICE"):
        q.prepare_query(service)
    for dataset in ("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }", "SELECT * FROM NAMED <http://e/g> WHERE { ?s ?p ?o }"):
        with pytest.raises(q.QueryRefused, match="FROM"):
            q.prepare_query(dataset)
        assert q.prepare_query(dataset, allow_service=True).info.uses_dataset
    assert q.prepare_query(service, allow_service=True).info.uses_service


def test_the_word_service_in_a_comment_string_or_iri_is_not_a_service_call():
    text = (
        "# SERVICE <http://example.org/sparql> { ?s ?p ?o }\n"
        "SELECT ?s WHERE { ?s <http://e.org/SERVICE> 'SERVICE <http://x> {}' . "
        "FILTER(?s != <http://e.org/FROM>) }"
    )
    info = q.prepare_query(text).info
    assert not info.uses_service and not info.uses_dataset


def test_an_empty_query_is_an_input_error():
    with pytest.raises(InputError, match="empty"):
        q.prepare_query("# only a comment\n   \n")


@pytest.mark.parametrize("text, line, column, problem", [
    ("SELECT ?s WHERE {\n  ?s ?p\n}", 2, 3, "cannot be parsed from here"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}", 3, 3, "cannot be parsed from here"),
    ("SELEC * WHERE { ?s ?p ?o }", 1, 1, "expected PREFIX, BASE, SELECT"),
    ("SELECT * WHERE { ?s ?p ?o }\nLIMIT x", 2, 1, "unexpected text after the end"),
])
def test_syntax_errors_give_line_and_column(text, line, column, problem):
    with pytest.raises(q.QuerySyntaxError) as caught:
        q.prepare_query(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert f"line {line}, column {column}: " in str(error) and problem in str(error)
    assert "\n" not in str(error)


def test_an_undeclared_prefix_is_named_as_such(sample_store):
    with pytest.raises(q.QuerySyntaxError, match="line 2, column .*undeclared prefix"):
        q.run_query(sample_store, "SELECT * WHERE {\n  ?s nope:p ?o }")


def test_a_syntax_error_with_service_in_it_is_reported_without_running_it():
    with pytest.raises(q.QuerySyntaxError, match="line 2"):
        q.prepare_query("ASK {\n SERVICE <http://127.0.0.1:9/sparql> { ?s ?p } }")


# --------------------------------------------------------------------------- parameters


def test_parameter_values_become_iris_or_literals():
    prefixes = {"id": ID, "": "http://example.org/"}
    assert q.parse_parameter_value("<http://example.org/a>", prefixes) == ox.NamedNode("http://example.org/a")
    assert q.parse_parameter_value("id:theme/gangs", prefixes) == ox.NamedNode(ID + "theme/gangs")
    assert q.parse_parameter_value(":x", prefixes) == ox.NamedNode("http://example.org/x")
    assert q.parse_parameter_value("THRIVE: a model", prefixes) == ox.Literal("THRIVE: a model")
    assert q.parse_parameter_value("nope:x", prefixes) == ox.Literal("nope:x")
    assert q.parse_parameter_value("Operation Raptor", prefixes) == ox.Literal("Operation Raptor")
    with pytest.raises(InputError, match="not a valid IRI"):
        q.parse_parameter_value("<http://example.org/a b>", prefixes)


def test_parameters_are_bound_only_where_the_variable_is():
    text = "# ?_x in a comment\nSELECT ?v WHERE { BIND(?_x AS ?v) FILTER(?v != '?_x' && ?v != <http://e/?_x>) } # ?_x"
    bound = q.prepare_query(text, {"x": "value"}).text
    # Comments are left out of the text that runs (see peelkg.graph.sparqltext).
    assert bound == "\nSELECT ?v WHERE { BIND(\"value\" AS ?v) FILTER(?v != '?_x' && ?v != <http://e/?_x>) } "


@pytest.mark.parametrize("value", [
    'a "quoted" value',
    "back\\slash and \\u0022 and \\U0001D11E",
    '" } ; DROP ALL ; SELECT * { ?s ?p ?o } #',
    "two\nlines\tand a tab",
    "'single' quotes and ''' triple ones",
    "unicode é ☃ 𝄞 and a control \x01",
    "<not an iri",
])
def test_a_parameter_value_cannot_change_the_query(sample_store, value):
    result = q.run_query(sample_store, "SELECT ?v WHERE { BIND(?_x AS ?v) }", {"x": value})
    assert [row[0] for row in result.rows] == [ox.Literal(value)]


def test_unknown_and_missing_parameters_are_input_errors():
    text = "#+ defaults:\n#+   - a: 1\nSELECT ?s WHERE { ?s ?p ?_a . ?s ?p ?_b }"
    with pytest.raises(InputError, match="'b' has no value"):
        q.prepare_query(text)
    with pytest.raises(InputError, match="unknown parameter 'c'; this query takes: a, b"):
        q.prepare_query(text, {"b": "2", "c": "3"})
    assert set(q.prepare_query(text, {"b": "2"}).bindings) == {"a", "b"}


def test_a_parameter_where_no_term_may_stand_is_explained():
    with pytest.raises(InputError, match="only where an RDF term may"):
        q.prepare_query("SELECT ?_x WHERE { ?s ?p ?_x }", {"x": "1"})


# --------------------------------------------------------------------------- running


def test_run_query_sees_the_union_of_the_named_graphs(sample_store):
    result = q.run_query(sample_store, PREFIXES + "SELECT DISTINCT ?label WHERE { ?f a peel:PoliceForce ; rdfs:label ?label } ORDER BY ?label")
    labels = [row[0].value for row in result.rows]
    assert {"Essex Police", "Wessex Constabulary", "Mercia Vale Police", "Kent Police"} <= set(labels)
    assert result.variables == ["label"] and not result.truncated


def test_ask_construct_and_describe(sample_store):
    ask = q.run_query(sample_store, PREFIXES + "ASK { ?j peel:grade peel:Inadequate }")
    assert ask.form is q.QueryForm.ASK and ask.boolean is True
    construct = q.run_query(sample_store, PREFIXES + "CONSTRUCT { ?i rdfs:label ?l } WHERE { ?i a peel:Operation ; rdfs:label ?l }")
    assert construct.form is q.QueryForm.CONSTRUCT
    assert ox.Literal("Operation Raptor") in {t.object for t in construct.triples}
    describe = q.run_query(sample_store, f"DESCRIBE <{ID}initiative/essex-police/operation-raptor>")
    assert describe.form is q.QueryForm.DESCRIBE and len(describe.triples) > 5


def test_from_is_honoured_when_allowed(sample_store):
    text = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    union = q.run_query(sample_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    ontology = q.run_query(sample_store, text, allow_service=True)
    assert 0 < int(ontology.rows[0][0].value) < int(union.rows[0][0].value)


def test_the_row_cap_truncates_and_says_so(sample_store):
    result = q.run_query(sample_store, "SELECT * WHERE { ?s ?p ?o }", limit=7)
    assert len(result.rows) == 7 and result.truncated and result.limit == 7
    exact = q.run_query(sample_store, PREFIXES + "SELECT ?f WHERE { ?f a peel:Report }", limit=3)
    assert len(exact.rows) == 3 and not exact.truncated
    triples = q.run_query(sample_store, "CONSTRUCT WHERE { ?s ?p ?o }", limit=5)
    assert len(triples.triples) == 5 and triples.truncated


def test_the_timeout_stops_the_query(sample_store):
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="timeout"):
        q.run_query(sample_store, EXPENSIVE, timeout_s=1)
    assert time.monotonic() - started < 5


def test_a_missing_store_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no store here"):
        q.run_query(tmp_path / "nowhere", "ASK {}")


def test_an_unreadable_store_is_reported_in_one_line(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "CURRENT").write_text("MANIFEST-000001\n")
    (broken / "MANIFEST-000001").write_bytes(b"not a manifest")
    with pytest.raises(InputError, match="cannot open the store") as caught:
        q.run_query(broken, "ASK {}")
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- output


def test_results_round_trip_through_every_results_format(sample_store):
    result = q.run_query(sample_store, q.resolve_query_text("glossary"), {"term": "a"})
    assert len(result.rows) >= 3
    expected = {tuple(row) for row in result.rows}
    document = json.loads(q.serialize_result(result, "json"))
    assert document["head"]["vars"] == result.variables
    for fmt, ox_format in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                           ("tsv", ox.QueryResultsFormat.TSV)):
        parsed = ox.parse_query_results(q.serialize_result(result, fmt), ox_format)
        assert {tuple(solution[v] for v in result.variables) for solution in parsed} == expected, fmt
    csv_text = q.serialize_result(result, "csv").decode("utf-8")
    assert csv_text.splitlines()[0] == ",".join(result.variables)
    assert "integrated offender management" in csv_text


def test_ask_in_json_and_xml(sample_store):
    result = q.run_query(sample_store, "ASK { ?s ?p ?o }")
    assert json.loads(q.serialize_result(result, "json")) == {"head": {}, "boolean": True}
    assert b"<boolean>true</boolean>" in q.serialize_result(result, "xml")
    assert q.serialize_result(result, "table") == b"true\n"


def test_graphs_come_out_as_turtle(sample_store):
    result = q.run_query(sample_store, q.resolve_query_text("initiative-network"))
    turtle = q.serialize_result(result)
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    expected = rdflib.Graph()
    for t in result.triples:
        expected.add(tuple(rdflib.util.from_n3(str(term)) for term in (t.subject, t.predicate, t.object)))
    assert isomorphic(graph, expected)
    with pytest.raises(InputError, match="returns a graph"):
        q.serialize_result(result, "json")
    select = q.run_query(sample_store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(InputError, match="ttl is for CONSTRUCT"):
        q.serialize_result(select, "ttl")


PLAIN_INITIATIVE_NETWORK = """
PREFIX peel: <https://w3id.org/peelkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {
  ?i rdfs:label ?label ; peel:force ?force ; peel:involves ?org ; peel:addresses ?finding .
  ?org rdfs:label ?orgLabel .
  ?finding peel:findingId ?findingId .
}
WHERE {
  { ?i a peel:Initiative ; rdfs:label ?label ; peel:force ?force }
  UNION { ?i peel:involves ?org . ?org rdfs:label ?orgLabel }
  UNION { ?i peel:addresses ?finding . ?finding peel:findingId ?findingId }
}
"""


def test_the_initiative_network_is_the_graph_its_plain_statement_builds(bundled_store):
    """The named query is written for speed; it must still build exactly the obvious graph."""
    def triples(text: str) -> set[str]:
        return {str(t) for t in q.run_query(bundled_store, text).triples}

    network = triples(q.resolve_query_text("initiative-network"))
    assert network == triples(PLAIN_INITIATIVE_NETWORK)
    involves, addresses = (sum(f"ontology#{p}>" in t for t in network) for p in ("involves", "addresses"))
    assert involves > 0 and addresses > 0


@pytest.mark.parametrize("name", sorted(p.stem for p in queries_dir().glob("*.rq")))
def test_every_named_query_fits_an_80_column_table(sample_store, name):
    result = q.run_query(sample_store, q.resolve_query_text(name))
    table = q.serialize_result(result, "table", width=80).decode("utf-8")
    assert max(len(line) for line in table.splitlines()) <= 80
    assert table.splitlines()[-1].startswith(f"({len(result)} row")


def test_table_cells_are_cut_with_an_ellipsis_and_keep_indentation():
    result = q.QueryResult(q.QueryForm.SELECT, variables=["a", "b"],
                           rows=[(ox.Literal("  indented"), ox.Literal("x" * 200)), (ox.NamedNode(PEEL + "Good"), None)])
    lines = q.render_table(result, width=40).splitlines()
    assert lines[2].startswith("  indented") and lines[2].endswith("…") and len(lines[2]) == 40
    assert lines[3].rstrip() == "peel:Good"


# --------------------------------------------------------------------------- named queries and the CLI


def test_resolve_query_text_by_name_file_or_text(tmp_path):
    assert q.resolve_query_text("grades") == (queries_dir() / "grades.rq").read_text(encoding="utf-8")
    path = tmp_path / "mine.rq"
    path.write_text("ASK {}", encoding="utf-8")
    assert q.resolve_query_text(str(path)) == "ASK {}"
    assert q.resolve_query_text("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    with pytest.raises(InputError, match="no named query 'no-such-query'"):
        q.resolve_query_text("no-such-query")
    with pytest.raises(InputError, match="no such query file"):
        q.resolve_query_text(str(tmp_path / "missing.rq"))


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_query_with_a_parameter(sample_store):
    result = invoke("query", "initiatives-on-theme", "--param", "theme=organised-crime", "--format", "csv",
                    "--store", str(sample_store))
    assert result.exit_code == 0, result.output
    assert "Operation Scorpion" in result.stdout and "Operation Tideway" in result.stdout
    assert "Firebreak" not in result.stdout


def test_cli_exit_codes(sample_store):
    store = ["--store", str(sample_store)]
    syntax = invoke("query", "SELECT * WHERE {\n ?s ?p\n}", *store)
    assert syntax.exit_code == 2 and "line 2, column 2" in syntax.stderr
    assert invoke("query", "DROP ALL", *store).exit_code == 2
    assert invoke("query", "grades", "--param", "oops", *store).exit_code == 2
    assert invoke("query", "no-such-query", *store).exit_code == 2
    default_cap = invoke("query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--format", "tsv", *store)
    assert default_cap.exit_code == 3 and "default cap of 10000 rows" in default_cap.stderr
    assert len(default_cap.stdout.splitlines()) == 10_001
    slow = invoke("query", EXPENSIVE, "--timeout", "1", *store)
    assert slow.exit_code == 3 and "timeout" in slow.stderr
    assert "Traceback" not in syntax.output + slow.output


def test_cli_a_limit_the_user_asked_for_is_not_an_error(sample_store):
    result = invoke("query", "SELECT * WHERE { ?s ?p ?o }", "--limit", "3", "--format", "tsv", "--store", str(sample_store))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 4 and result.stderr == ""


def test_cli_queries_lists_every_query_with_its_parameters():
    result = invoke("queries")
    assert result.exit_code == 0
    for path in queries_dir().glob("*.rq"):
        assert path.stem in result.stdout
    assert "--param theme='gangs'" in result.stdout
    listed = json.loads(invoke("queries", "--format", "json").stdout)
    assert {entry["name"] for entry in listed} == {p.stem for p in queries_dir().glob("*.rq")}


# --------------------------------------------------------------------------- statistics against England and Wales

COMPARISONS = """
@prefix peel: <https://w3id.org/peelkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/peelkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
GRAPH <https://w3id.org/peelkg/graph/report/t/midshire> {
  id:report peel:aboutForce id:midshire ; dcterms:source "midshire.txt" . id:midshire rdfs:label "Midshire Police" .
  id:place\\/england-and-wales rdfs:label "England and Wales" .
  id:p1 peel:inReport id:report ; peel:lineStart 1 .
  id:rise-f peel:comparedWith id:rise-e ; peel:area id:midshire ; peel:indicator "change in recorded crime" ; peel:value 10.9 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
  id:rise-e peel:area id:place\\/england-and-wales ; peel:indicator "change in recorded crime" ; peel:value -3.4 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
  id:zero-f peel:comparedWith id:zero-e ; peel:area id:midshire ; peel:indicator "change in arrests" ; peel:value 2 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
  id:zero-e peel:area id:place\\/england-and-wales ; peel:indicator "change in arrests" ; peel:value 0 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
  id:calls-f peel:comparedWith id:calls-e ; peel:area id:midshire ; peel:indicator "calls flagged" ; peel:value 4.2 ; peel:period "y" ;
      peel:comparison "in line with" ; prov:wasDerivedFrom id:p1 .
  id:calls-e peel:area id:place\\/england-and-wales ; peel:indicator "calls flagged" ; peel:value 3.8 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
  id:sat-f peel:comparedWith id:sat-e ; peel:area id:midshire ; peel:indicator "satisfied" ; peel:value 80 ; peel:period "y" ;
      peel:comparison "below" ; prov:wasDerivedFrom id:p1 .
  id:sat-e peel:area id:place\\/england-and-wales ; peel:indicator "satisfied" ; peel:value 79 ; peel:period "y" ; prov:wasDerivedFrom id:p1 .
}
"""


def test_relative_gaps_and_verdicts_against_england_and_wales(tmp_path):
    from peelkg.graph.store import create_store, finish, load_dataset_file

    (tmp_path / "c.trig").write_text(COMPARISONS, encoding="utf-8")
    store = create_store(tmp_path / "store")
    load_dataset_file(store, tmp_path / "c.trig")
    finish(store)
    del store
    result = q.run_query(tmp_path / "store", q.resolve_query_text("statistics-vs-england-wales"))
    rows = {str(row["indicator"].value): row for row in (dict(zip(result.variables, r)) for r in result.rows)}

    def cell(indicator: str, name: str) -> str | None:
        term = rows[indicator][name]
        return None if term is None else term.value

    # A rise of 10.9 against a fall of 3.4: the relative gap has the sign of the gap, divided by |baseline|.
    assert (cell("change in recorded crime", "gap"), cell("change in recorded crime", "relativeGap")) == ("14.3", "4.206")
    assert cell("change in recorded crime", "verdict") == "worse"
    assert cell("change in arrests", "relativeGap") is None and cell("change in arrests", "verdict") == "better"
    # The report's own words win over the arithmetic.
    assert (cell("calls flagged", "verdict"), cell("calls flagged", "reportSays")) == ("in line", "in line with")
    assert cell("satisfied", "verdict") == "worse"


def test_the_query_reads_every_comparison_phrase_the_loader_keeps():
    """The query's in_line, above and below defaults classify each phrase of loaders/statistic-cues.yaml as its group."""
    import re

    import yaml

    from peelkg.resources import package_dir

    groups = yaml.safe_load((package_dir("peelkg.loaders") / "statistic-cues.yaml").read_text(encoding="utf-8"))["comparison"]
    query = q.load_named_query(queries_dir() / "statistics-vs-england-wales.rq")
    defaults = {p.name: p.default for p in query.parameters}
    for group, phrases in groups.items():
        for phrase in phrases:   # tried in the query's order: in line, then above, then below
            assert next(g for g in ("in_line", "above", "below") if re.search(defaults[g], phrase, re.IGNORECASE)) == group

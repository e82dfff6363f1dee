"""Queries written to slip past the checks or to bring the runner down: each gets a refusal or one line.

The checker (rdflib's parser) and the engine (Oxigraph) must read the same query; the
cases below are the places where their grammars differ (a comment ended by a lone
carriage return, `\\u` escapes expanded before or inside tokens, escaped characters in
prefixed names), each with a SERVICE call hidden from one reading.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from peelkg.cli import main
from peelkg.errors import InputError, LimitExceeded
from peelkg.graph import query as q
from peelkg.graph.sparqltext import MAX_NESTING


def hidden_service_queries(url: str) -> list[str]:
    return [
        # Oxigraph ends a comment at a lone CR, rdflib only at LF.
        f"SELECT * WHERE {{ ?s ?p ?o #\r SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ 1 }} #\r SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
        f"SELECT * #\rFROM <{url}>\nWHERE {{ ?s ?p ?o }}",
        # rdflib expands \u escapes before parsing (a quote and a hash here), Oxigraph only inside the string.
        "SELECT * WHERE { VALUES ?x { \"a\\u0022 \\u0023 \" } "
        f"SERVICE <{url}> {{ ?a ?b ?c }} VALUES ?y {{ \"z\"\n\"w\" }} }}",
    ]


@pytest.mark.parametrize("index", range(3))
def test_a_service_hidden_where_the_grammars_differ_is_refused(sample_store, listener, index):
    url, calls = listener
    text = hidden_service_queries(url)[index]
    with pytest.raises(q.QueryRefused, match="SERVICE|FROM"):
        q.run_query(sample_store, text)
    assert calls == []


def test_escapes_are_expanded_once_for_both_readings(sample_store, listener):
    """As the spec reads it the SERVICE sits in a comment: it is not run, and the rest is."""
    url, calls = listener
    result = q.run_query(sample_store, hidden_service_queries(url)[3])
    assert calls == []
    assert sorted(row[0].value for row in result.rows) == ["a", "w"]


def test_the_engine_runs_exactly_the_text_the_checker_read(sample_store):
    text = "SELECT ?x WHERE { BIND(\"caf\\u00E9 \\U0001F600 #1\" AS ?x) } # ends here\r\n"
    prepared = q.prepare_query(text)
    assert "\\u" not in prepared.text and "# ends" not in prepared.text
    assert [row[0].value for row in q.run_query(sample_store, text).rows] == ["café \U0001F600 #1"]
    # Four hex digits after \u (the spec), not eight as rdflib would read.
    assert q.run_query(sample_store, 'SELECT ?x WHERE { BIND("\\u00410042" AS ?x) }').rows[0][0].value == "A0042"


@pytest.mark.parametrize("text, problem", [
    ('SELECT ?x WHERE { BIND("\\U0041" AS ?x) }', "not a complete escape"),
    ('SELECT ?x WHERE { BIND("\\u005Cu0041" AS ?x) }', "spells another"),
    ('SELECT ?x WHERE { BIND("\\uD800" AS ?x) }', "invalid character"),
    ('SELECT ?x WHERE { BIND("\\U00110000" AS ?x) }', "invalid character"),
])
def test_escapes_the_two_readings_would_disagree_on_are_refused(text, problem):
    with pytest.raises(InputError, match=problem):
        q.prepare_query(text)


def test_escaped_characters_in_prefixed_names_are_neither_comments_nor_strings(sample_store, listener):
    url, calls = listener
    text = (f"PREFIX ex: <http://e.org/> SELECT * WHERE {{ BIND(ex:a\\#b AS ?x) BIND(ex:c\\'d AS ?y) "
            f"SERVICE <{url}> {{ ?a ?b ?c }} BIND(ex:e\\'f AS ?z) }}")
    with pytest.raises((q.QueryRefused, q.QuerySyntaxError)):
        q.run_query(sample_store, text)
    assert calls == []
    rows = q.run_query(sample_store, "PREFIX ex: <http://e.org/> SELECT ?x WHERE { BIND(ex:a\\#b AS ?x) }").rows
    assert rows[0][0].value == "http://e.org/a#b"


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }",
    "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000,
    "SELECT * WHERE " + "{ " * 10 + "FILTER(" + "(" * 20 + "1" + ")" * 20 + ")" + " }" * 10,
])
def test_deep_nesting_is_one_line(text):
    with pytest.raises(InputError, match="nests"):
        q.prepare_query(text)


def test_nesting_up_to_the_bound_is_checked():
    depth = MAX_NESTING - 2
    assert q.prepare_query("SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }").info.form.value == "SELECT"


# --------------------------------------------------------------------------- the command


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("timeout", ["nan", "inf", "1e300", "-inf"])
def test_a_timeout_that_is_not_a_finite_number_of_seconds_is_a_usage_error(sample_store, timeout):
    result = invoke("query", "grades", "--timeout", timeout, "--store", str(sample_store))
    assert result.exit_code == 2 and "--timeout" in result.stderr
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_a_query_file_that_is_not_utf8_is_one_line(tmp_path, sample_store):
    path = tmp_path / "latin1.rq"
    path.write_bytes("SELECT ?x WHERE { BIND('caf\xe9' AS ?x) }".encode("latin-1"))
    result = invoke("query", str(path), "--store", str(sample_store))
    assert result.exit_code == 2 and "latin1.rq" in result.stderr and "UTF-8" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_deep_nesting_on_the_command_line_is_one_line(sample_store):
    result = invoke("query", "SELECT * WHERE " + "{ " * 40 + "?s ?p ?o" + " }" * 40, "--store", str(sample_store))
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and isinstance(result.exception, SystemExit)


def test_output_to_a_full_disk_is_one_line(sample_store):
    command = [sys.executable, "-c", "from peelkg.cli import main; main()", "query", "grades", "--format", "json",
               "--store", str(sample_store)]
    with open("/dev/full", "wb") as full:
        finished = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert finished.returncode == 2
    assert finished.stderr.count("\n") == 1 and "No space left" in finished.stderr, finished.stderr


# --------------------------------------------------------------------------- memory


def test_a_query_that_grows_past_the_memory_bound_is_stopped(sample_store):
    product = "SELECT ?a ?b ?c ?d WHERE { ?a ?p1 ?o1 . ?b ?p2 ?o2 . ?c ?p3 ?o3 . ?d ?p4 ?o4 } ORDER BY ?a ?b ?c ?d"
    with pytest.raises(LimitExceeded, match="memory"):
        q.run_query(sample_store, product, timeout_s=60, memory_mb=300)


def test_the_memory_bound_is_a_limit_on_the_command_line(sample_store, monkeypatch):
    monkeypatch.setenv("PEELKG_QUERY_MEMORY_MB", "300")
    product = "SELECT ?a ?b ?c ?d WHERE { ?a ?p1 ?o1 . ?b ?p2 ?o2 . ?c ?p3 ?o3 . ?d ?p4 ?o4 } ORDER BY ?a ?b ?c ?d"
    result = invoke("query", product, "--store", str(sample_store), "--timeout", "60")
    assert result.exit_code == 3 and "memory" in result.stderr and len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_every_results_format_ends_with_a_newline(sample_store, fmt):
    result = q.run_query(sample_store, q.resolve_query_text("grades"))
    assert q.serialize_result(result, fmt).endswith(b"\n")
    ask = q.run_query(sample_store, "ASK { ?s ?p ?o }")
    if fmt in ("json", "xml", "table"):
        assert q.serialize_result(ask, fmt).endswith(b"\n")
    json.loads(q.serialize_result(result, "json"))


def test_named_queries_are_listed_in_name_order():
    names = [query.name for query in q.load_named_queries()]
    assert names == sorted(names)
    assert names.index("afis") < names.index("afis-for-initiative")


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", "*x"])
def test_an_invalid_regular_expression_parameter_is_refused_not_read_as_no_match(pattern):
    text = q.resolve_query_text("statistics-vs-england-wales")
    assert {"higher_is_better", "higher_is_worse"} <= set(q.prepare_query(text).info.regex_parameters)
    with pytest.raises(InputError, match="higher_is_better.*not a valid regular expression"):
        q.prepare_query(text, {"higher_is_better": pattern})


def test_a_valid_regular_expression_parameter_is_bound():
    text = q.resolve_query_text("statistics-vs-england-wales")
    assert '"arrest|charge"' in q.prepare_query(text, {"higher_is_better": "arrest|charge"}).text


# --------------------------------------------------------------------------- start-up


def test_a_named_query_run_again_needs_neither_rdflib_nor_yaml(sample_store, tmp_path):
    """The check of a named query is remembered: the second run imports no parser (the slow part of start-up)."""
    script = ("import sys\nfrom peelkg.cli import main\n"
              "try:\n    main(sys.argv[1:], standalone_mode=False)\nfinally:\n"
              "    slow = sorted(m for m in ('rdflib', 'yaml', 'pyparsing', 'multiprocessing') if m in sys.modules)\n"
              "    sys.stderr.write('loaded:' + ','.join(slow) + '\\n')\n")
    command = [sys.executable, "-c", script, "query", "grades", "--store", str(sample_store), "--format", "csv"]
    environment = {**os.environ, "PEELKG_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    second = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    assert first.returncode == second.returncode == 0, second.stderr
    assert "rdflib" in first.stderr.splitlines()[-1]
    assert second.stderr.splitlines()[-1] == "loaded:"
    assert second.stdout == first.stdout and second.stdout.startswith("force,question,grade")

"""Many reports in one store: every named query answers for each report what it answers for that report alone.

Five reports (the bundled Essex report, the Wessex and Mercia Vale fixtures of 2016 and the Lyonesse
and Elmet fixtures of the 2017 cycle, Elmet with judgments carried over) are built into one store, and each into a store of its own. Every named
query (discovered from queries/*.rq, run with its default parameters) must give, over the shared
store, exactly the rows of the single stores together: no row changed, lost or added by the presence of another report, and for an
ordered query each report's rows in the order that report alone gives them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from peelkg.graph import query as q
from peelkg.graph.build import build_store
from peelkg.loaders.reference import ONS_GEOGRAPHY, reference_graph
from peelkg.vocab import PEEL
from peelkg.resources import queries_dir
from tests.paths import CAUSE_OF_CONCERN, ELMET_2017, ESSEX, LYONESSE_2017, WESSEX

REPORTS = {"essex": ESSEX, "wessex": WESSEX, "mercia": CAUSE_OF_CONCERN, "lyonesse": LYONESSE_2017, "elmet": ELMET_2017}
QUERY_NAMES = sorted(path.stem for path in queries_dir().glob("*.rq"))

Row = tuple[str, ...]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{'all': the reports in one store, and each report alone under its own name}."""
    root = tmp_path_factory.mktemp("corpus")
    built = {"all": build_store(REPORTS.values(), root / "all", reason=True).store_dir}
    for name, path in REPORTS.items():
        built[name] = build_store([path], root / name, reason=True, jobs=1).store_dir
    return built


def rows(store: Path, name: str) -> list[Row]:
    """The rows of a named query with its default parameters; a graph result as its triples."""
    result = q.run_query(store, q.resolve_query_text(name))
    if result.form.returns_graph:
        return sorted((str(t.subject), str(t.predicate), str(t.object)) for t in result.triples)
    return [tuple("" if term is None else str(term) for term in row) for row in result.rows]


def rows_of(store: Path, text: str) -> list[Row]:
    """The rows of an ad hoc query."""
    return [tuple("" if term is None else str(term) for term in row) for row in q.run_query(store, text).rows]


def in_order_of(reference: list[Row], rows_seen: list[Row]) -> list[Row]:
    """`rows_seen` kept to those that are in `reference`, first occurrences, in the order seen."""
    wanted, kept = set(reference), []
    for row in rows_seen:
        if row in wanted and row not in kept:
            kept.append(row)
    return kept


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_each_report_gets_the_rows_it_gets_alone(stores, name):
    together = rows(stores["all"], name)
    alone = {report: rows(stores[report], name) for report in REPORTS}
    expected = set().union(*map(set, alone.values()))
    unexpected = sorted(set(together) - expected)
    assert not unexpected, f"{name}: rows no single report gives:\n" + "\n".join(map(" | ".join, unexpected[:8]))
    for report, own in alone.items():
        missing = sorted(set(own) - set(together))
        assert not missing, f"{name}: rows of {report} missing beside the others:\n" + "\n".join(map(" | ".join, missing[:8]))
        if q.inspect_query(q.resolve_query_text(name)).ordered:
            distinct = list(dict.fromkeys(own))
            assert in_order_of(distinct, together) == distinct, f"{name}: rows of {report} in another order"


def test_a_report_graph_says_which_report_its_passages_and_mentions_are_from(stores):
    """The queries name a mention's report by the graph that states it (queries/README.md)."""
    def ask(text: str) -> list[Row]:
        return rows_of(stores["all"], "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                       "PREFIX peel: <https://w3id.org/peelkg/ontology#>\n"
                       "PREFIX prov: <http://www.w3.org/ns/prov#>\n" + text)
    graphs = ask("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?report dcterms:source ?s } }")
    assert len(graphs) == len(REPORTS)
    assert ask("SELECT ?g WHERE { GRAPH ?g { ?report dcterms:source ?s } } GROUP BY ?g HAVING (COUNT(DISTINCT ?report) > 1)") == []
    pattern = """SELECT DISTINCT ?g ?thing ?other WHERE {
      GRAPH ?g { ?report dcterms:source ?s }
      { GRAPH ?g { ?thing a peel:Passage } BIND(?thing AS ?passage) }
      UNION { GRAPH ?g { ?thing prov:wasDerivedFrom ?passage } ?passage a peel:Passage }
      ?passage peel:inReport ?other .
      FILTER(?other %s ?report)
    }"""
    assert ask(pattern % "!=") == []
    assert len(ask(pattern % "=")) > 1000      # passages and what is read from them, each of its graph's report


def test_the_single_stores_are_not_empty_for_the_queries_that_list_reports(stores):
    """The comparison means something: each report alone has its own rows for the per-report queries."""
    for report in REPORTS:
        assert rows(stores[report], "report-overview"), report
        assert rows(stores[report], "grades"), report


def test_the_reference_graph_has_the_43_forces_each_with_its_own_ons_code_and_police_uk_id():
    graph = reference_graph()
    forces = [f for f in graph.subjects(RDF.type, PEEL.PoliceForce) if graph.value(f, PEEL.onsCode) is not None]
    assert len(forces) == 43
    codes = [str(graph.value(f, PEEL.onsCode)) for f in forces]
    ids = [str(graph.value(f, PEEL.policeUkId)) for f in forces]
    assert len(set(codes)) == 43 and len(set(ids)) == 43
    assert all(re.fullmatch(r"E23000\d{3}|W15000\d{3}", code) for code in codes)
    assert sum(code.startswith("W") for code in codes) == 4    # the four Welsh forces
    for force in forces:
        code = graph.value(force, PEEL.onsCode)
        assert (force, DCTERMS.identifier, code) in graph
        assert (force, SKOS.exactMatch, URIRef(ONS_GEOGRAPHY + str(code))) in graph


def test_the_questions_of_each_cycle_are_stated_once_with_their_own_wording():
    graph = reference_graph()
    cores = {(str(graph.value(q, PEEL.cycle)), int(graph.value(q, PEEL.questionNumber))): str(graph.value(q, RDFS.label))
             for q in graph.subjects(RDF.type, PEEL.CoreQuestion)}
    assert sorted(n for cycle, n in cores if cycle == "peel-2015-effectiveness") == [1, 2, 3, 4]
    assert sorted(n for cycle, n in cores if cycle == "peel-2016-effectiveness") == [1, 2, 3, 4, 5]
    assert sorted(n for cycle, n in cores if cycle == "peel-2017-effectiveness") == [1, 2, 3, 4, 5]
    assert cores["peel-2015-effectiveness", 3] != cores["peel-2016-effectiveness", 3]
    for question in set(graph.subjects(PEEL.cycle, None)):
        assert len(list(graph.objects(question, PEEL.order))) == 1

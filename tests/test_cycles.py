"""Each inspection cycle is data: its questions, their wording, numbers and nesting, which it grades, its
grade scale and when its reports came out; a report is read with the catalogue of its own cycle.

The 2017 cycle asked the questions of 2016 in part in other words, and its reports head each question's
section with a topic ("Specialist capabilities") instead of the question; the fictional Lyonesse 2017
report (tests/data/reports/lyonesse-2017-effectiveness.txt) is written in that layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from peelkg.evaluate.evaluate import evaluate
from peelkg.graph import query as q
from peelkg.graph.build import build_store
from peelkg.loaders.reference import cycle_of, cycle_question_sets, question_iri, reference_graph
from peelkg.loaders.segment import template_data
from peelkg.model import Grade, HeadingKind
from peelkg.pipeline import extract_facts
from peelkg.vocab import PEEL
from tests.paths import LYONESSE_2017, LYONESSE_2017_KEY

ID = "https://w3id.org/peelkg/id/"
CYCLE = "peel-2017-effectiveness"
KEY = yaml.safe_load(LYONESSE_2017_KEY.read_text(encoding="utf-8"))
WORDING = {int(entry["id"][1:]): entry["text"] for entry in KEY["core_questions"]}
TOPICS = {int(entry["id"][1:]): entry["heading"] for entry in KEY["core_questions"]}


@pytest.fixture(scope="module")
def facts():
    return extract_facts(LYONESSE_2017)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store([LYONESSE_2017], tmp_path_factory.mktemp("cycle-2017") / "store", reason=False).store_dir


def select(store: Path, text: str) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in q.run_query(store, text).rows]


@pytest.mark.parametrize("year", [2015, 2016, 2017])
def test_the_same_title_picks_the_catalogue_made_for_the_reports_year(year):
    data = template_data(f"PEEL: Police effectiveness {year}")
    assert data is not None and data["years"] == [year]


def test_a_2017_report_is_read_with_the_2017_catalogue(facts):
    meta = facts.document.meta
    assert (meta.inspection, meta.year, meta.issued) == (CYCLE, 2017, "2018-03")
    assert meta.publisher == "Her Majesty's Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS)"
    assert not facts.issues


def test_a_section_headed_by_its_topic_is_the_section_of_its_question(facts):
    cores = [question for question in facts.document.questions if question.kind is HeadingKind.CORE]
    assert [(question.number, question.text, question.label) for question in cores] == [
        (n, TOPICS[n], WORDING[n]) for n in range(1, 6)]
    overview = next(h for h in facts.document.headings if h.kind is HeadingKind.OVERVIEW)
    assert overview.text == "Effectiveness overview"


def test_the_report_s_own_sub_headings_nest_under_the_question_of_their_section(facts):
    nested = [(question.parent, question.label) for question in facts.document.questions
              if question.kind is HeadingKind.SUBHEADING]
    assert nested[:3] == [("q1", "Prioritising prevention"), ("q1", "Understanding communities"),
                          ("q1", "Tackling crime and anti-social behaviour")]
    assert nested[-2:] == [("q5", "National policing responsibilities"), ("q5", "Firearms capability")]


def test_the_grades_and_areas_for_improvement_are_read_from_the_2017_layout(facts):
    current = {j.question_id: j.grade for j in facts.judgments if not j.previous}
    assert current == {"overall": Grade.GOOD, "q1": Grade.GOOD, "q2": Grade.REQUIRES_IMPROVEMENT,
                       "q3": Grade.GOOD, "q4": Grade.GOOD, "q5": Grade.UNGRADED}
    assert [(j.question_id, j.year, j.grade) for j in facts.judgments if j.previous] == [("overall", 2016, Grade.GOOD)]


def test_the_2017_answer_key_is_met():
    scores = evaluate(LYONESSE_2017_KEY, links=False).scores
    for kind in ("judgments", "previous judgments", "AFIs", "organisations", "places", "initiatives"):
        assert (scores[kind].precision, scores[kind].recall) == (1.0, 1.0), (kind, scores[kind].missed,
                                                                             scores[kind].false_positives)


# --------------------------------------------------------------------------- the cycle in the reference graph


def test_the_2017_questions_are_stated_once_in_the_reference_graph_in_the_cycle_s_words():
    graph = reference_graph()
    for number, wording in WORDING.items():
        node = question_iri(CYCLE, f"q{number}")
        assert node == URIRef(f"{ID}question/{CYCLE}/q{number}")
        assert (node, RDF.type, PEEL.CoreQuestion) in graph
        assert graph.value(node, RDFS.label) == Literal(wording)
        assert graph.value(node, PEEL.subQuestionOf) == question_iri(CYCLE, "overall")
    # the diagnostics the published question set gives, nested under their core question, in its order
    diagnostics = {str(graph.value(s, RDFS.label)) for s in graph.subjects(PEEL.subQuestionOf, question_iri(CYCLE, "q1"))}
    assert diagnostics == {"How effectively does the force understand the communities it serves?",
                           "How effectively do force actions and activities help to prevent crime and tackle "
                           "anti-social behaviour?"}
    assert graph.value(question_iri(CYCLE, "q2-3"), RDFS.label) == Literal("How effectively does the force catch criminals?")


def test_the_2017_and_2016_cycles_ask_the_second_question_in_the_same_words_but_not_its_diagnostics():
    sets = {s["inspection"]: s for s in cycle_question_sets()}
    assert sets[CYCLE]["core_questions"][1]["text"] == sets["peel-2016-effectiveness"]["core_questions"][1]["text"]
    assert sets[CYCLE]["core_questions"][1]["sub_questions"] != sets["peel-2016-effectiveness"]["core_questions"][1]["sub_questions"]


@pytest.mark.parametrize(("cycle", "ungraded"), [
    ("peel-2015-effectiveness", []),
    ("peel-2016-effectiveness", [5]),
    (CYCLE, [5]),
])
def test_the_reference_graph_says_which_core_questions_each_cycle_grades(cycle, ungraded):
    graph = reference_graph()
    cores = [node for node in graph.subjects(PEEL.cycle, Literal(cycle)) if (node, RDF.type, PEEL.CoreQuestion) in graph]
    graded = {int(graph.value(node, PEEL.questionNumber)): graph.value(node, PEEL.graded) for node in cores}
    assert graded == {n: Literal(n not in ungraded, datatype=XSD.boolean) for n in graded}


def test_an_ungraded_question_gets_the_ungraded_marker_and_a_graded_one_a_grade_of_the_scale(facts):
    graph = reference_graph()
    scale = {Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE}
    for judgment in (j for j in facts.judgments if not j.previous and j.question_id != "overall"):
        graded = graph.value(question_iri(CYCLE, judgment.question_id), PEEL.graded).toPython()
        assert (judgment.grade in scale) is graded, judgment


@pytest.mark.parametrize("cycle", sorted({s["inspection"] for s in cycle_question_sets()}))
def test_every_cycle_with_questions_has_its_publication_facts(cycle):
    facts = cycle_of(cycle)
    assert facts is not None and facts["title"] == f"PEEL: Police effectiveness {facts['year']}"
    assert facts["issued"] > f"{facts['year']}-12"    # the reports of a cycle come out the year after


# --------------------------------------------------------------------------- the 2017 report in the store


def test_the_judgments_of_a_2017_report_are_on_the_2017_cycle_s_questions(store):
    rows = select(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?question ?wording ?grade WHERE {
          ?j a peel:Judgment ; peel:inReport <https://w3id.org/peelkg/id/report/peel-2017-effectiveness/lyonesse-constabulary> ;
             peel:question ?question ; peel:grade ?grade .
          ?question a peel:CoreQuestion ; rdfs:label ?wording } ORDER BY ?question""")
    assert [(question.removeprefix(f"{ID}question/{CYCLE}/"), wording) for question, wording, _ in rows] == [
        (f"q{n}", WORDING[n]) for n in range(1, 6)]


def test_the_earlier_report_a_2017_text_quotes_is_the_2016_cycle_s(store):
    rows = select(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title ?issued ?publisher ?grade WHERE {
          ?j peel:inReport ?earlier ; peel:grade ?grade .
          ?earlier dcterms:title ?title ; dcterms:issued ?issued ; dcterms:publisher ?publisher .
          FILTER(?earlier = <https://w3id.org/peelkg/id/report/peel-2016-effectiveness/lyonesse-constabulary>) }""")
    assert rows == [("PEEL: Police effectiveness 2016", "2017-03", "Her Majesty's Inspectorate of Constabulary (HMIC)",
                     str(PEEL.Good))]

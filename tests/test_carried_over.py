"""A report assessed on only some of its cycle's questions carries the previous judgment of the others over.

HMICFRS inspected the forces of 2017 with an interim risk-based approach: a report's "Risk-based inspection"
section lists the areas (core questions, by the topics that head their sections) the force "was assessed against
... in 2017"; a question it leaves out has no section, and the force keeps its 2016 judgment on it, carried over.
The fictional Elmet 2017 report (tests/data/reports/elmet-2017-effectiveness.txt) was assessed on three of the five
questions: the overview recalls the 2016 grade of the second, and says nothing of the grade of the fourth. The
Lyonesse 2017 report was assessed on all five.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib.namespace import RDF

from peelkg.evaluate.evaluate import evaluate
from peelkg.graph import query as q
from peelkg.graph.build import build_store
from peelkg.loaders.segment import template_data
from peelkg.model import BlockKind, Grade, GradeSource, Severity
from peelkg.pipeline import extract_facts
from peelkg.views import build_views
from peelkg.views.data import read_store
from tests.paths import ELMET_2017, ELMET_2017_KEY, LYONESSE_2017, WESSEX

ID = "https://w3id.org/peelkg/id/"
PEEL = "https://w3id.org/peelkg/ontology#"
KEY = yaml.safe_load(ELMET_2017_KEY.read_text(encoding="utf-8"))
RISK = KEY["risk_based_inspection"]
ASSESSED = [f"q{entry['question'][1:]}" for entry in RISK["assessed"]]
NOT_ASSESSED = [f"q{qid[1:]}" for qid in RISK["not_assessed"]]
LINES = ELMET_2017.read_text(encoding="utf-8").splitlines()


def line_of(text: str) -> int:
    """The 1-based line of the report that holds `text`."""
    return next(n for n, line in enumerate(LINES, start=1) if text in line)


SECTION_LINES = sorted([line_of(RISK["quote"]), line_of(RISK["carried_over_quote"])]
                       + [line_of(entry["text"]) for entry in RISK["assessed"]])
GRADE_QUOTE_LINE = line_of(KEY["judgments"]["core_questions"]["Q2"]["quote"])


@pytest.fixture(scope="module")
def facts():
    return extract_facts(ELMET_2017)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store([ELMET_2017], tmp_path_factory.mktemp("carried") / "store", reason=False, strict=True).store_dir


def select(store: Path, text: str) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in q.run_query(store, text).rows]


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The Elmet report with one passage reworded, under the same file name."""
    text = ELMET_2017.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / ELMET_2017.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading the list


def test_the_catalogue_says_where_a_2017_report_lists_the_areas_assessed():
    spec = template_data("PEEL: Police effectiveness 2017")["assessed_areas"]
    assert spec["heading"] == "Risk-based inspection" and spec["lead_in"] in RISK["quote"]
    assert "assessed_areas" not in template_data("PEEL: Police effectiveness 2016")


def test_the_areas_assessed_are_read_from_the_list_by_the_headings_of_the_catalogue(facts):
    # "Protecting vulnerable people" is the opening of the heading "Protecting vulnerable people and supporting victims"
    assert facts.document.assessed.questions == ASSESSED
    assert facts.document.assessed.passages == SECTION_LINES


def test_a_report_assessed_on_every_question_carries_nothing_over():
    lyonesse = extract_facts(LYONESSE_2017)
    assert lyonesse.document.assessed.questions == ["q1", "q2", "q3", "q4", "q5"]
    assert not any(j.carried_over for j in lyonesse.judgments)
    wessex = extract_facts(WESSEX)   # a 2016 report: no risk-based list at all
    assert wessex.document.assessed is None and not any(j.carried_over for j in wessex.judgments)


def test_an_area_the_list_names_that_no_question_is_headed_by_is_a_warning(tmp_path):
    facts = extract_facts(variant(tmp_path, "• Specialist capabilities.", "• Specialist policing."))
    warnings = [i.message for i in facts.issues if i.severity is Severity.WARNING]
    assert any("'specialist policing'" in message for message in warnings)
    assert any("core question 5 has a section" in message for message in warnings)
    # a question with a section of its own is assessed whatever the list says
    assert facts.document.assessed.questions == ASSESSED
    assert sorted(j.question_id for j in facts.judgments if j.carried_over and not j.previous) == NOT_ASSESSED


# --------------------------------------------------------------------------- the judgments carried over


def test_each_question_not_assessed_has_a_judgment_of_the_report_carried_over(facts):
    current = {j.question_id: (j.grade, j.carried_over) for j in facts.judgments if not j.previous}
    assert current == {"overall": (Grade.REQUIRES_IMPROVEMENT, False), "q1": (Grade.GOOD, False),
                       "q2": (Grade.GOOD, True),      # the grade the overview recalls
                       "q3": (Grade.REQUIRES_IMPROVEMENT, False),
                       "q4": (None, True),            # the report does not state it
                       "q5": (Grade.UNGRADED, False)}
    earlier = {j.question_id: (j.year, j.grade) for j in facts.judgments if j.previous}
    assert earlier == {"overall": (2016, Grade.REQUIRES_IMPROVEMENT), "q2": (2016, Grade.GOOD), "q4": (2016, None)}


def test_a_carried_over_judgment_leads_back_to_the_list_and_to_the_sentence_that_states_its_grade(facts):
    carried = {j.question_id: j for j in facts.judgments if j.carried_over}
    assert carried["q2"].passages == sorted(SECTION_LINES + [GRADE_QUOTE_LINE])
    assert carried["q2"].source is GradeSource.PREVIOUS_REPORT_MENTION
    assert carried["q4"].passages == SECTION_LINES and carried["q4"].source is None
    listed = {b.line_start: b.kind for b in facts.document.blocks if b.line_start in SECTION_LINES}
    assert sorted(listed.values()) == sorted([BlockKind.PARAGRAPH] * 2 + [BlockKind.BULLET] * 3)


def test_a_grade_stated_now_for_a_question_not_assessed_is_the_grade_carried_over(tmp_path):
    facts = extract_facts(variant(tmp_path, KEY["judgments"]["core_questions"]["Q2"]["quote"],
                                  "and the force is good at investigating crime and reducing re-offending."))
    q2 = {j.previous: j for j in facts.judgments if j.question_id == "q2"}
    assert (q2[False].grade, q2[False].source, q2[False].carried_over) == (Grade.GOOD, GradeSource.PROSE, True)
    assert (q2[True].year, q2[True].grade) == (2016, Grade.GOOD)


def test_a_question_not_assessed_has_no_findings_and_its_missing_section_is_no_warning(facts):
    assert not [f.id for f in facts.findings if f.question_id in NOT_ASSESSED]
    assert not [str(i) for i in facts.issues if i.severity is not Severity.INFO]


def test_the_answer_key_is_met_on_judgments_and_findings():
    scores = evaluate(ELMET_2017_KEY, links=False).scores
    for kind in ("judgments", "previous judgments", "AFIs", "organisations", "initiatives"):
        assert (scores[kind].precision, scores[kind].recall) == (1.0, 1.0), (kind, scores[kind].missed,
                                                                             scores[kind].false_positives)


# --------------------------------------------------------------------------- the graph


def test_the_graph_marks_the_carried_over_judgments_and_links_each_to_the_2016_judgment(store):
    rows = select(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        SELECT ?question ?grade ?year ?previous ?earlierReport ?previousGrade ?previousYear WHERE {
          ?j a peel:CarriedOverJudgment ; peel:question ?question ; peel:year ?year ;
             peel:inReport <https://w3id.org/peelkg/id/report/peel-2017-effectiveness/elmet-constabulary> ;
             peel:previousJudgment ?previous .
          ?previous a peel:Judgment ; peel:inReport ?earlierReport ; peel:year ?previousYear .
          OPTIONAL { ?j peel:grade ?grade } OPTIONAL { ?previous peel:grade ?previousGrade } } ORDER BY ?question""")
    judgment, report = f"{ID}judgment/peel-2016-effectiveness/elmet-constabulary/", \
        f"{ID}report/peel-2016-effectiveness/elmet-constabulary"
    assert rows == [
        (f"{ID}question/peel-2017-effectiveness/q2", f"{PEEL}Good", "2017", judgment + "q2", report, f"{PEEL}Good", "2016"),
        (f"{ID}question/peel-2017-effectiveness/q4", "", "2017", judgment + "q4", report, "", "2016")]


def test_a_carried_over_judgment_is_derived_from_the_passages_of_the_risk_based_list(store):
    rows = select(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?line ?text WHERE {
          <https://w3id.org/peelkg/id/judgment/peel-2017-effectiveness/elmet-constabulary/q4>
              prov:wasDerivedFrom ?passage .
          ?passage peel:lineStart ?line ; peel:text ?text } ORDER BY ?line""")
    assert [int(line) for line, _ in rows] == SECTION_LINES
    assert any(RISK["quote"] in text for _, text in rows)
    assert sorted(text for _, text in rows if text.startswith("•")) == sorted(f"• {e['text']}" for e in RISK["assessed"])


def test_no_finding_or_summary_is_on_a_question_not_assessed(store):
    rows = select(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        SELECT ?finding WHERE { ?finding a peel:Finding ; peel:question ?question .
          FILTER(?question IN (<https://w3id.org/peelkg/id/question/peel-2017-effectiveness/q2>,
                               <https://w3id.org/peelkg/id/question/peel-2017-effectiveness/q4>)) }""")
    assert rows == []


def test_the_grades_query_says_which_judgments_are_carried_over(store):
    rows = {row[1]: row for row in select(store, q.resolve_query_text("grades"))}
    force, question, grade, source, previous_grade, previous_year, change, lines = rows["q2"]
    assert (grade, source, previous_grade, previous_year, change) == (
        "Good", "carried over; previous report mention", "Good", "2016", "unchanged")
    assert lines.split() == [str(n) for n in sorted(SECTION_LINES + [GRADE_QUOTE_LINE])]
    assert rows["q4"][2:7] == ("", "carried over", "", "2016", "")
    assert rows["q1"][3] == "grade line" and set(rows) == {"overall", "q1", "q2", "q3", "q4", "q5"}


def test_the_index_page_shows_each_carried_over_judgment_as_carried_over(store, tmp_path):
    build_views(read_store(store), tmp_path / "views")
    page = (tmp_path / "views" / "index.html").read_text(encoding="utf-8")
    section = page[page.index("Elmet Constabulary – PEEL: Police effectiveness 2017"):]
    rows = {row.split("</span>", 1)[0]: row for row in section.split('<span class="tag">')[1:7]}
    assert "carried over from 2016, not inspected again in 2017" in rows["Q2"] and ">Good<" in rows["Q2"]
    assert "carried over from 2016" in rows["Q4"] and ">Grade not stated<" in rows["Q4"]
    assert "Ungraded" not in rows["Q4"] and "carried over" not in rows["Q1"] + rows["Q3"]


def test_the_rdf_type_of_a_carried_over_judgment_is_also_judgment(store):
    rows = select(store, f"""
        SELECT ?type WHERE {{
          <{ID}judgment/peel-2017-effectiveness/elmet-constabulary/q4> <{RDF.type}> ?type }} ORDER BY ?type""")
    assert rows == [(f"{PEEL}CarriedOverJudgment",), (f"{PEEL}Judgment",)]

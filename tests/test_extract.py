"""Extract stage against the bundled report and against the fictional report's answer key."""

import re

import pytest
import yaml

from peelkg.loaders.extract import extract
from peelkg.loaders.read import read_report
from peelkg.loaders.segment import segment
from peelkg.model import Area, FindingKind, Grade, GradeSource
from tests.paths import CAUSE_OF_CONCERN, ESSEX, WESSEX, WESSEX_KEY

GRADE_NAMES = {"Good": Grade.GOOD, "Outstanding": Grade.OUTSTANDING, "Requires improvement": Grade.REQUIRES_IMPROVEMENT,
               "Inadequate": Grade.INADEQUATE, "Ungraded": Grade.UNGRADED}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def essex():
    return extract(segment(read_report(ESSEX)))


@pytest.fixture(scope="module")
def wessex():
    return extract(segment(read_report(WESSEX)))


@pytest.fixture(scope="module")
def key():
    return yaml.safe_load(WESSEX_KEY.read_text(encoding="utf-8"))


def grades(facts, previous=False):
    return {j.question_id: j.grade for j in facts.judgments if j.previous == previous}


def test_essex_grades(essex):
    assert grades(essex) == {"overall": Grade.GOOD, "q1": Grade.GOOD, "q2": Grade.GOOD,
                             "q3": Grade.REQUIRES_IMPROVEMENT, "q4": Grade.GOOD, "q5": Grade.UNGRADED}


def test_essex_grades_say_how_they_were_found(essex):
    sources = {j.question_id: j.source for j in essex.judgments if not j.previous}
    assert sources["overall"] is GradeSource.PROSE  # the grade graphic was lost
    assert sources["q3"] is GradeSource.GRADE_LINE
    assert all(j.passages for j in essex.judgments)


def test_essex_previous_grades(essex):
    assert grades(essex, previous=True) == {"overall": Grade.REQUIRES_IMPROVEMENT, "q3": Grade.INADEQUATE}


def test_essex_areas_for_improvement(essex):
    afis = [f for f in essex.findings if f.kind is FindingKind.AFI]
    assert [f.id for f in afis] == ["q1-afi-1", "q2-afi-1", "q2-afi-2", "q3-afi-1", "q3-afi-2", "q3-afi-3", "q3-afi-4",
                                    "q4-afi-1", "q4-afi-2"]
    text = collapse(ESSEX.read_text(encoding="utf-8"))
    for afi in afis:
        assert afi.text.startswith("The force should") and afi.text in text


def test_essex_figure_4_every_row(essex):
    rows = [s for s in essex.statistics if s.id.startswith("fig4-") and s.area is Area.FORCE]
    assert len(rows) == 20
    first = rows[0]
    assert (first.indicator, first.value, first.outcome_number) == ("Charged/Summonsed", 9.7, "1")
    ew = {s.indicator: s.value for s in essex.statistics if s.id.startswith("fig4-") and s.area is Area.ENGLAND_AND_WALES}
    assert ew["Total offences assigned an outcome"] == 91.3


def test_wessex_judgments_match_the_answer_key(wessex, key):
    expected = {"overall": GRADE_NAMES[key["judgments"]["overall"]["grade"]]}
    for qid, judgment in key["judgments"]["core_questions"].items():
        expected[qid.lower()] = GRADE_NAMES[judgment["grade"]]
    assert grades(wessex) == expected
    previous = {"overall": key["judgments"]["overall"]["previous_grade_2015"]}
    for qid, judgment in key["judgments"]["core_questions"].items():
        if judgment.get("previous_grade_2015"):
            previous[qid.lower()] = judgment["previous_grade_2015"]
    assert grades(wessex, previous=True) == {q: GRADE_NAMES[g] for q, g in previous.items()}


def test_wessex_afis_match_the_answer_key(wessex, key):
    got = [(f.question_id, f.text) for f in wessex.findings if f.kind is FindingKind.AFI]
    expected = [(a["question"].lower(), a["text"]) for a in key["areas_for_improvement"]]
    assert got == expected


def test_wessex_glossary_matches_the_answer_key(wessex, key):
    got = {t.label: collapse(t.definition) for t in wessex.terms}
    expected = {g["term"]: collapse(g["definition"]) for g in key["glossary"]}
    assert set(got) == set(expected)
    for label, definition in expected.items():
        assert got[label].startswith(definition)
    abbreviations = {t.label: t.alt_labels for t in wessex.terms}
    for g in key["glossary"]:
        if "abbreviation" in g:
            assert g["abbreviation"] in abbreviations[g["term"]]


def test_wessex_figure_tables_match_the_answer_key(wessex, key):
    for table in key["statistics"]["figure_tables"]:
        prefix = {"force_in_numbers_crime_outcomes": "fin-", "figure_2": "fig2-", "figure_4": "fig4-"}[table["id"]]
        got = [(s.indicator, s.value, s.parent_indicator) for s in wessex.statistics
               if s.id.startswith(prefix) and s.area is Area.FORCE]
        expected = [(r["indicator"], r["force_value"], r.get("parent")) for r in table["rows"] if r["force_value"] is not None]
        assert got == expected


def test_wessex_prior_findings_and_progress(wessex, key):
    prior = [f for f in wessex.findings if f.kind is FindingKind.PRIOR_FINDING]
    for gold in key["prior_findings_2015"]:
        match = [f for f in prior if collapse(gold["quote"]) in collapse(f.text) or collapse(f.text) in collapse(gold["quote"])]
        assert match, gold["id"]
        assert match[0].question_id == gold["question"].lower()


def test_cause_of_concern_and_its_recommendations():
    facts = extract(segment(read_report(CAUSE_OF_CONCERN)))
    concern = [f for f in facts.findings if f.kind is FindingKind.CAUSE_OF_CONCERN]
    assert len(concern) == 1 and concern[0].question_id == "q3"
    assert concern[0].text.startswith("Mercia Vale Police does not identify vulnerable victims")
    recommendations = [f for f in facts.findings if f.kind is FindingKind.RECOMMENDATION]
    assert [r.parent for r in recommendations] == [concern[0].id] * 2
    assert recommendations[1].text == ("introduce a structured assessment of threat, harm and risk for every call about "
                                       "domestic abuse, supervised by a trained officer.")
    assert [f.id for f in facts.findings if f.kind is FindingKind.AFI] == ["q3-afi-1"]

"""Findings followed from one inspection to the next: the progress a report states, findings raised again."""

from __future__ import annotations

from pathlib import Path

import pytest

from peelkg.evaluate.evaluate import evaluate
from peelkg.graph import query as q
from peelkg.graph.build import build_store
from peelkg.loaders.history import _with_status
from peelkg.model import Finding, FindingKind, ProgressStatus
from peelkg.pipeline import extract_facts
from tests.paths import CAUSE_OF_CONCERN, REPORTS_DIR, WESSEX

CUES = [(ProgressStatus.NOT_ADDRESSED, "not addressed"), (ProgressStatus.ADDRESSED, "fully addressed"),
        (ProgressStatus.ADDRESSED, "has addressed"), (ProgressStatus.PARTLY_ADDRESSED, "progress")]


@pytest.fixture(scope="module")
def wessex():
    return {f.id: f for f in extract_facts(WESSEX).findings}


def prior(progress: str) -> Finding:
    return Finding("q1-prior-1", FindingKind.PRIOR_FINDING, "q1", "the force should ...", [1], 1, progress=progress)


@pytest.mark.parametrize(("sentence", "status"), [
    ("We found that the force has fully addressed this area for improvement.", ProgressStatus.ADDRESSED),
    ("The force has made limited progress against this area for improvement.", ProgressStatus.PARTLY_ADDRESSED),
    ("The force has not addressed this area for improvement, and made little progress.", ProgressStatus.NOT_ADDRESSED),
    ("The force told us about its plans.", None),
])
def test_the_progress_sentence_gives_the_status_by_the_first_cue_that_matches(sentence, status):
    assert _with_status(prior(sentence), CUES).progress_status is status


def test_wessex_2016_reports_progress_on_each_2015_finding(wessex):
    statuses = {fid: f.progress_status for fid, f in wessex.items() if f.kind is FindingKind.PRIOR_FINDING}
    assert statuses == {
        "q1-prior-1": ProgressStatus.ADDRESSED,          # "has fully addressed this area for improvement"
        "q2-prior-1": ProgressStatus.PARTLY_ADDRESSED,   # "has made limited progress"
        "q3-prior-1": ProgressStatus.PARTLY_ADDRESSED,   # "has made good progress against all three"
        "q3-prior-2": ProgressStatus.PARTLY_ADDRESSED,
        "q3-prior-3": ProgressStatus.PARTLY_ADDRESSED,
        "q4-prior-1": ProgressStatus.ADDRESSED,          # "has addressed this area for improvement"
    }
    assert wessex["q2-prior-1"].progress_passages == [367]


def test_an_area_for_improvement_raised_again_continues_the_previous_one(wessex):
    continuing = {fid: f.continues for fid, f in wessex.items() if f.continues}
    assert continuing == {"q2-afi-3": "q2-prior-1"}     # locating and arresting wanted persons, again
    assert "wanted persons" in wessex["q2-afi-3"].text


def test_a_report_without_previous_findings_continues_nothing():
    assert not [f for f in extract_facts(CAUSE_OF_CONCERN).findings if f.continues or f.progress_status]


# --------------------------------------------------------------------------- two years of one force in one store

WESSEX_2015 = REPORTS_DIR / "wessex-2015-effectiveness.txt"
ID = "https://w3id.org/peelkg/id/"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    """The fictional Wessex 2015 report and the 2016 report that follows it up, in one store."""
    return build_store([WESSEX_2015, WESSEX], tmp_path_factory.mktemp("history") / "store", reason=False).store_dir


def select(store: Path, text: str) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in q.run_query(store, text).rows]


def test_the_2015_report_is_read_with_the_questions_of_its_own_cycle():
    facts = extract_facts(WESSEX_2015)
    assert facts.document.meta.inspection == "peel-2015-effectiveness"
    assert [q.id for q in facts.document.questions] == ["overall", "q1", "q2", "q3", "q4"]
    assert {j.question_id: j.grade.value for j in facts.judgments} == {
        "overall": "Good", "q1": "Good", "q2": "Good", "q3": "RequiresImprovement", "q4": "Good"}


def test_the_grades_the_2016_text_quotes_are_the_2015_reports_own_judgments(two_years):
    rows = select(two_years, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        SELECT ?j (COUNT(DISTINCT ?grade) AS ?grades) (COUNT(DISTINCT ?source) AS ?sources) WHERE {
          ?j peel:inReport <https://w3id.org/peelkg/id/report/peel-2015-effectiveness/wessex-constabulary> ;
             peel:grade ?grade ; peel:gradeSource ?source } GROUP BY ?j ORDER BY ?j""")
    assert [(j.removeprefix(ID + "judgment/peel-2015-effectiveness/wessex-constabulary/"), grades, sources)
            for j, grades, sources in rows] == [
        ("overall", "1", "2"), ("q1", "1", "1"), ("q2", "1", "2"), ("q3", "1", "2"), ("q4", "1", "1")]


def test_afi_history_follows_each_2015_area_for_improvement_into_2016(two_years):
    result = q.run_query(two_years, q.resolve_query_text("afi-history"))
    rows = [dict(zip(result.variables, ("" if t is None else t.value for t in row))) for row in result.rows]
    chain = [(r["earlierId"], r["previous"], r["status"], r["raisedAgain"]) for r in rows]
    assert chain == [
        ("q1-afi-1", "q1-prior-1", "addressed", ""),
        ("q2-afi-1", "q2-prior-1", "partly addressed", "q2-afi-3"),
        ("q3-afi-1", "q3-prior-1", "partly addressed", ""),
        ("q3-afi-2", "q3-prior-2", "partly addressed", ""),
        ("q3-afi-3", "q3-prior-3", "partly addressed", ""),
        ("q4-afi-1", "q4-prior-1", "addressed", ""),
    ]
    assert rows[1]["earlierText"].startswith("The force should improve the way it locates and arrests wanted persons")
    assert all(r["inspection"] == "peel-2016-effectiveness" and r["lines"] for r in rows)


def test_the_2015_answer_key_is_met():
    scores = evaluate(REPORTS_DIR / "wessex-2015-effectiveness.gold.yaml", links=False).scores
    for kind in ("judgments", "AFIs", "organisations", "places"):
        assert (scores[kind].precision, scores[kind].recall) == (1.0, 1.0), (kind, scores[kind].missed)

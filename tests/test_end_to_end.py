"""From report text to query answers: build the bundled report with the CLI, then ask it questions."""

import json

import pytest
from click.testing import CliRunner

from peelkg.cli import main


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def rows(store, *args: str) -> list[dict[str, str]]:
    result = cli("query", *args, "--format", "json", "--store", str(store))
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = tmp_path_factory.mktemp("e2e") / "store"
    cli("build", "--store", str(store))
    return store


def test_grades_with_the_previous_inspections(store):
    grades = {r["question"]: (r["grade"], r.get("previousGrade")) for r in rows(store, "grades")}
    assert grades == {
        "overall": ("Good", "Requires improvement"), "q1": ("Good", None), "q2": ("Good", None),
        "q3": ("Requires improvement", "Inadequate"), "q4": ("Good", None), "q5": ("Ungraded", None)}


def test_areas_for_improvement_with_their_lines(store):
    afis = rows(store, "afis")
    assert len(afis) == 9
    titan = rows(store, "initiatives-for-afi", "--param", "afi=q3-afi-3")
    assert titan[0]["initiative"] == "Operation Titan" and titan[0]["addresses"] == "true"


def test_the_reasoner_says_which_judgments_improved(store):
    improved = rows(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        SELECT ?q WHERE { ?j a peel:ImprovedJudgment ; peel:question ?q } ORDER BY ?q""")
    assert [r["q"].rsplit("/", 1)[1] for r in improved] == ["overall", "q3"]


def test_cross_force_and_partnered_initiatives_are_inferred(store):
    found = rows(store, """
        PREFIX peel: <https://w3id.org/peelkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?kind (COUNT(DISTINCT ?i) AS ?n) WHERE {
          VALUES ?kind { peel:CrossForceInitiative peel:PartneredInitiative } ?i a ?kind } GROUP BY ?kind""")
    counts = {r["kind"].rsplit("#", 1)[1]: int(r["n"]) for r in found}
    assert counts.get("CrossForceInitiative", 0) >= 1 and counts.get("PartneredInitiative", 0) >= 5


def test_every_answer_leads_back_to_its_sentence(store):
    [thrive] = rows(store, "glossary", "--param", "term=THRIVE")
    assert thrive["definition"].startswith("THRIVE is a structured assessment")
    passages = rows(store, "passages-mentioning", "--param", "text=Operation Raptor")
    assert passages and all("Raptor" in p["text"] for p in passages)


def test_showcase_builds_queries_and_writes_views(tmp_path):
    result = cli("showcase", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "views"), "--no-reason")
    assert "== grades:" in result.stdout and "== unaddressed-afis:" in result.stdout
    assert result.stdout.strip().endswith(str((tmp_path / "views" / "index.html").resolve()))
    assert (tmp_path / "views" / "index.html").is_file()

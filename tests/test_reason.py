"""HermiT reasoning over one report graph: defined classes, property axioms, consistency.

Runs on tests/data/shapes/valid.ttl (a small report graph shaped as docs/graph.md
says) plus a few judgments added below. HermiT runs in a JVM, about a second a call.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import owlready2
import owlrl
import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, Namespace
from rdflib.namespace import OWL

from peelkg.cli import main
from peelkg.errors import InputError, ValidationFailed
from peelkg.graph import store as st
from peelkg.graph.reason import ReasonerError, reason, unsatisfiable_classes
from peelkg.resources import GRAPH_BASE
from peelkg.vocab import ONTOLOGY_IRI, PEEL, ontology_graph

from tests.paths import DATA_DIR

ID = Namespace("https://w3id.org/peelkg/id/")
J16 = Namespace(ID + "judgment/peel-2016-effectiveness/midshire-constabulary/")
J15 = Namespace(ID + "judgment/peel-2015-effectiveness/midshire-constabulary/")
Q = Namespace(ID + "question/peel-2016-effectiveness/")
FINDING = Namespace(ID + "finding/peel-2016-effectiveness/midshire-constabulary/")
LANTERN = ID["initiative/midshire-constabulary/operation-lantern"]
MIDSHIRE, NORTHSHIRE = ID["force/midshire-constabulary"], ID["force/northshire-police"]
SUBHEADING = ID["question/peel-2016-effectiveness/midshire-constabulary/q2-3-h1"]

PREFIXES = """
@prefix peel: <https://w3id.org/peelkg/ontology#> .
@prefix j16: <https://w3id.org/peelkg/id/judgment/peel-2016-effectiveness/midshire-constabulary/> .
@prefix j15: <https://w3id.org/peelkg/id/judgment/peel-2015-effectiveness/midshire-constabulary/> .
@prefix init: <https://w3id.org/peelkg/id/initiative/midshire-constabulary/> .
"""

# Valid.ttl has q2: Requires improvement (2015) -> Good (2016). These add the other comparisons.
JUDGMENTS = PREFIXES + """
j16:q1 a peel:Judgment ; peel:grade peel:RequiresImprovement ; peel:previousJudgment j15:q1 .
j15:q1 a peel:Judgment ; peel:grade peel:Inadequate .
j16:q3 a peel:Judgment ; peel:grade peel:Good ; peel:previousJudgment j15:q3 .
j15:q3 a peel:Judgment ; peel:grade peel:Good .
j16:q4 a peel:Judgment ; peel:grade peel:RequiresImprovement ; peel:previousJudgment j15:q4 .
j15:q4 a peel:Judgment ; peel:grade peel:Outstanding .
j16:q5 a peel:Judgment ; peel:grade peel:Ungraded ; peel:previousJudgment j15:q5 .
j15:q5 a peel:Judgment ; peel:grade peel:Ungraded .
"""


def report_graph(extra: str = "") -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(DATA_DIR / "shapes" / "valid.ttl", format="turtle")
    if extra:
        graph.parse(data=extra, format="turtle")
    return graph


@pytest.fixture(scope="module")
def result():
    return reason(report_graph(JUDGMENTS))


def types(result, node) -> set:
    return set(result.inferred.objects(node, RDF.type))


def test_reasoning_reports_consistency_and_time(result):
    assert result.consistent
    assert 0 < result.seconds < 60
    assert result.problems == []


def test_every_class_of_the_ontology_can_have_members():
    assert unsatisfiable_classes() == []
    broken = ontology_graph()
    broken.add((PEEL.CrossForceInitiative, OWL.disjointWith, PEEL.Initiative))
    assert unsatisfiable_classes(broken) == [str(PEEL.CrossForceInitiative)]


def test_an_initiative_involving_another_force_is_cross_force(result):
    assert PEEL.CrossForceInitiative in types(result, LANTERN)


def test_an_initiative_involving_a_non_police_body_is_partnered(result):
    assert PEEL.PartneredInitiative in types(result, LANTERN)


def test_an_initiative_with_only_police_partners_is_not_partnered():
    graph = report_graph()
    graph.remove((LANTERN, PEEL.involves, ID["org/midshire-youth-trust"]))
    found = reason(graph)
    assert PEEL.CrossForceInitiative in types(found, LANTERN)
    assert PEEL.PartneredInitiative not in types(found, LANTERN)


def test_judgments_are_compared_with_the_previous_grade(result):
    assert PEEL.ImprovedJudgment in types(result, J16.q1)      # Inadequate 2015 -> Requires improvement 2016
    assert PEEL.ImprovedJudgment in types(result, J16.q2)      # Requires improvement -> Good
    assert PEEL.UnchangedJudgment in types(result, J16.q3)     # Good -> Good
    assert PEEL.DeclinedJudgment in types(result, J16.q4)      # Outstanding -> Requires improvement
    comparisons = {PEEL.ImprovedJudgment, PEEL.UnchangedJudgment, PEEL.DeclinedJudgment}
    assert not types(result, J16.q5) & comparisons             # Ungraded is not on the scale
    for previous in (J15.q1, J15.q2, J15.q3, J15.q4):          # nothing earlier to compare with
        assert not types(result, previous) & comparisons
    assert (J16.q4, PEEL.previousGrade, PEEL.Outstanding) in result.inferred


def test_a_finding_flagged_unaddressed_is_an_unaddressed_finding(result):
    assert PEEL.UnaddressedFinding in types(result, FINDING["q2-afi-2"])
    assert PEEL.UnaddressedFinding not in types(result, FINDING["q2-afi-1"])


def test_addresses_gives_its_inverse(result):
    assert (FINDING["q2-afi-1"], PEEL.addressedBy, LANTERN) in result.inferred


def test_collaboration_is_symmetric(result):
    assert (NORTHSHIRE, PEEL.collaboratesWith, MIDSHIRE) in result.inferred


def test_question_nesting_is_transitive(result):
    assert (SUBHEADING, PEEL.withinQuestion, Q["q2-3"]) in result.inferred
    assert (SUBHEADING, PEEL.withinQuestion, Q.q2) in result.inferred
    assert (Q["q2-3"], PEEL.withinQuestion, Q.q2) in result.inferred
    assert (Q.q2, PEEL.withinQuestion, Q["q2-3"]) not in result.inferred


def test_inferred_triples_are_new_and_about_the_report_only(result):
    asserted = report_graph(JUDGMENTS)
    ontology_subjects = set(ontology_graph().subjects())
    assert len(result.inferred) > 0
    for s, p, o in result.inferred:
        assert (s, p, o) not in asserted
        assert s not in ontology_subjects
        assert str(p).startswith(str(PEEL)) or p == RDF.type
        assert o not in (OWL.Thing, OWL.NamedIndividual)


def test_reasoning_never_touches_owlready2_default_world():
    before = set(owlready2.default_world.ontologies)
    reason(report_graph())
    assert set(owlready2.default_world.ontologies) == before
    assert str(ONTOLOGY_IRI) not in {str(iri).rstrip("#/") for iri in owlready2.default_world.ontologies}


def test_an_individual_in_two_disjoint_classes_is_a_contradiction():
    graph = report_graph(PREFIXES + "init:operation-lantern a peel:Charity .")
    with pytest.raises(ValidationFailed) as caught:
        reason(graph)
    message = str(caught.value)
    assert "\n" not in message
    assert "id:initiative/midshire-constabulary/operation-lantern" in message
    assert "peel:Initiative" in message and "peel:Organisation" in message
    assert "owl:AllDisjointClasses" in message


def test_two_grades_on_one_judgment_are_a_contradiction():
    graph = report_graph(PREFIXES + "j16:q2 peel:grade peel:Outstanding .")
    found = reason(graph, raise_on_inconsistency=False)
    assert not found.consistent
    assert len(found.inferred) == 0
    assert found.problems == [
        "id:judgment/peel-2016-effectiveness/midshire-constabulary/q2 has two values of functional property "
        "peel:grade: peel:Good and peel:Outstanding"
    ]


def test_owl_imports_that_cannot_be_resolved_locally_are_refused():
    graph = report_graph()
    graph.add((ID["report/peel-2016-effectiveness/midshire-constabulary"], OWL.imports,
               rdflib.URIRef("http://example.org/elsewhere.owl")))
    with pytest.raises(InputError, match="http://example.org/elsewhere.owl"):
        reason(graph)


def test_a_missing_java_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    with pytest.raises(ReasonerError, match="Java was not found"):
        reason(report_graph())


def test_importing_the_peel_ontology_itself_is_fine():
    graph = report_graph()
    graph.add((rdflib.URIRef("urn:example:report-ontology"), OWL.imports, ONTOLOGY_IRI))
    assert reason(graph).consistent


def test_owlrl_agrees_on_this_graph_but_materialises_everything_and_does_not_fail(result):
    """OWL 2 RL (owlrl) on a plain rdflib copy of the same graph, for comparison.

    The defined classes are written as equivalences whose right-hand sides OWL RL
    rules can match (cls-svf1, cls-hv1/2, cls-int1, cls-uni with cax-eqc), so on
    this graph owlrl reaches every type and property value HermiT does. The
    differences: owlrl materialises the whole closure (every superclass type,
    owl:sameAs of each node with itself, the ontology's own entailments), where
    the HermiT adapter keeps only new, most specific facts about the report;
    and owlrl records a contradiction as an error node in the graph instead of
    failing (see the next test). What it cannot do at all is shown in
    test_owlrl_misses_what_needs_a_model_not_a_rule.
    """
    closure = rdflib.Graph()
    closure += ontology_graph()
    closure += report_graph(JUDGMENTS)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    assert set(result.inferred) <= set(closure)
    assert len(closure) > 2 * (len(ontology_graph()) + len(report_graph(JUDGMENTS)))
    assert (FINDING["q2-afi-1"], RDF.type, PEEL.Finding) in closure          # a superclass type
    assert (FINDING["q2-afi-1"], RDF.type, PEEL.Finding) not in result.inferred


def test_owlrl_records_a_contradiction_without_failing():
    closure = rdflib.Graph()
    closure += ontology_graph()
    closure += report_graph(PREFIXES + "init:operation-lantern a peel:Charity .")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = set(closure.subjects(RDF.type, rdflib.URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")))
    assert errors


def test_owlrl_misses_what_needs_a_model_not_a_rule():
    """A previous grade known only as "below good": reasoning by cases.

    The 2015 judgment is said to have been either inadequate or requires
    improvement, without saying which. HermiT builds models for both cases and
    finds the 2016 judgment (good) improved in each, so it is an
    peel:ImprovedJudgment. OWL RL rules fire only on a named grade, so owlrl
    cannot draw that conclusion.
    """
    extra = PREFIXES + """
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    j16:q1 a peel:Judgment ; peel:grade peel:Good ; peel:previousJudgment j15:q1 .
    j15:q1 a peel:Judgment , [ a owl:Restriction ; owl:onProperty peel:grade ;
        owl:someValuesFrom [ owl:oneOf ( peel:Inadequate peel:RequiresImprovement ) ] ] .
    """
    assert PEEL.ImprovedJudgment in types(reason(report_graph(extra)), J16.q1)
    closure = rdflib.Graph()
    closure += ontology_graph()
    closure += report_graph(extra)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    assert (J16.q1, RDF.type, PEEL.ImprovedJudgment) not in closure


def test_the_reason_command_reports_and_shows_what_it_infers(tmp_path):
    key = "peel-2016-effectiveness/midshire-constabulary"
    store = st.create_store(tmp_path / "store")
    st.load_graphs(store, {f"{GRAPH_BASE}report/{key}": report_graph(), f"{GRAPH_BASE}links/{key}": rdflib.Graph()})
    st.finish(store)
    del store
    result = CliRunner().invoke(main, ["reason", "--store", str(tmp_path / "store"), "--show"])
    assert result.exit_code == 0, result.output
    assert f"{key}: consistent; " in result.output
    shown = rdflib.Graph().parse(data=result.output.split("\n", 1)[1], format="turtle")
    assert (LANTERN, RDF.type, PEEL.CrossForceInitiative) in shown
    assert "@prefix peel: <https://w3id.org/peelkg/ontology#>" in result.output and "ns1:" not in result.output


def test_the_reason_command_exits_1_on_a_contradiction(tmp_path):
    key = "peel-2016-effectiveness/midshire-constabulary"
    store = st.create_store(tmp_path / "store")
    graph = report_graph(PREFIXES + "init:operation-lantern a peel:Charity .")
    st.load_graphs(store, {f"{GRAPH_BASE}report/{key}": graph})
    st.finish(store)
    del store
    result = CliRunner().invoke(main, ["reason", "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "logically inconsistent" in result.stderr and "operation-lantern" in result.stderr


def _hermit_children(pid: int) -> list[int]:
    """Processes whose parent is `pid` and whose command line runs HermiT."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid and b"HermiT" in command:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_reasoners_java_process_dies_with_a_killed_build():
    script = "import rdflib\nfrom peelkg.graph.reason import reason\nfor _ in range(30):\n    reason(rdflib.Graph())\n"
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        java: list[int] = []
        while not java and time.monotonic() < deadline and child.poll() is None:
            java = _hermit_children(child.pid)
            time.sleep(0.02)
        assert java, "HermiT never started"
    finally:
        child.kill()
        child.wait()
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in java) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in java), "HermiT's Java process outlived the build"

"""The ontology, its schemes and shapes: complete, documented, and in step with peelkg.vocab."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, SH, SKOS

from peelkg import model
from peelkg.resources import ontology_file
from peelkg.vocab import ONTOLOGY_IRI, PEEL, ROLES, THEME, ontology_graph

from tests.paths import TESTS_DIR

GRAPH_DOC = TESTS_DIR.parent / "docs" / "graph.md"
NS = str(PEEL)

# The vocabulary contract of the design (shared/DESIGN.md), term by term.
CONTRACT = {
    "Report", "isbn", "aboutForce", "PoliceForce", "Organisation", "Question", "OverallQuestion",
    "CoreQuestion", "SubQuestion", "subQuestionOf", "questionNumber", "Judgment", "force", "question",
    "grade", "inReport", "Grade", "Outstanding", "Good", "RequiresImprovement", "Inadequate", "Ungraded",
    "Finding", "text", "AreaForImprovement", "CauseOfConcern", "Recommendation", "Initiative", "involves",
    "theme", "location", "addresses", "AddressLink", "initiative", "target", "score", "method", "rationale",
    "collaboratesWith", "Place", "Theme", "Term", "Statistic", "indicator", "value", "unit", "area", "period",
    "Passage", "section", "lineStart", "lineEnd",
}
# Named in docs/graph.md but not terms: a row documenting initiative subclasses, and one "not used".
NOT_TERMS = {"initiativeType", "mentionedIn"}

THEMES_REQUIRED = {
    "gangs", "organised-crime", "domestic-abuse", "child-sexual-exploitation",
    "modern-slavery-and-human-trafficking", "missing-persons", "sex-offenders", "digital-evidence",
    "anti-social-behaviour", "mental-health", "partnership-and-data-sharing", "firearms-and-terrorism",
    "victims", "offender-management", "wanted-persons-and-suspects", "neighbourhood-policing",
    "crime-prevention", "evidence-based-practice", "safeguarding", "workforce-and-training", "cyber-crime",
}


@pytest.fixture(scope="module")
def peel() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ontology_file("peel.ttl"), format="turtle")
    return graph


@pytest.fixture(scope="module")
def themes() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ontology_file("themes.ttl"), format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ontology_file("shapes.ttl"), format="turtle")
    return graph


def local(node) -> str:
    return str(node)[len(NS):]


def peel_terms_defined(peel: rdflib.Graph) -> set[str]:
    return {local(s) for s in peel.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}


def peel_terms_used(graph: rdflib.Graph) -> set[str]:
    return {local(n) for triple in graph for n in triple if isinstance(n, URIRef) and str(n).startswith(NS)}


def test_the_ontology_declares_itself_and_imports_nothing(peel):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in peel
    assert peel.value(ONTOLOGY_IRI, RDFS.label) and peel.value(ONTOLOGY_IRI, RDFS.comment)
    assert not list(peel.objects(None, OWL.imports))


def test_the_closed_namespace_and_the_turtle_list_the_same_terms(peel):
    in_python = set(PEEL.__annotations__)
    assert in_python == peel_terms_defined(peel)


def test_the_closed_namespace_refuses_unknown_terms():
    with pytest.raises(AttributeError):
        PEEL.Initative   # misspelt on purpose


def test_every_peel_term_used_anywhere_is_defined(peel, themes, shapes):
    defined = peel_terms_defined(peel)
    for graph in (peel, themes, shapes):
        assert peel_terms_used(graph) <= defined


def test_every_term_is_typed_once_as_a_kind_of_term(peel):
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
    for name in peel_terms_defined(peel):
        assert set(peel.objects(PEEL[name], RDF.type)) & kinds, f"peel:{name} has no rdf:type"


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_class_and_property_has_an_english_label_and_comment(peel, kind):
    terms = [s for s in peel.subjects(RDF.type, kind) if str(s).startswith(NS)]
    assert terms
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment):
            values = [v for v in peel.objects(term, predicate) if isinstance(v, Literal) and v.language == "en"]
            assert len(values) == 1 and str(values[0]).strip(), f"{term} lacks one English {predicate}"


def test_every_contract_and_extension_term_is_in_the_ontology(peel):
    documented = set(re.findall(r"`peel:(\w+)`", GRAPH_DOC.read_text(encoding="utf-8"))) - NOT_TERMS
    missing = (CONTRACT | documented) - peel_terms_defined(peel)
    assert not missing


def test_alignment_to_w3c_vocabularies(peel):
    expected = [
        (PEEL.Report, RDFS.subClassOf, PROV.Entity),
        (PEEL.Passage, RDFS.subClassOf, PROV.Entity),
        (PEEL.PoliceForce, RDFS.subClassOf, ORG.Organization),
        (PEEL.Organisation, RDFS.subClassOf, ORG.Organization),
        (PEEL.Grade, RDFS.subClassOf, SKOS.Concept),
        (PEEL.Theme, RDFS.subClassOf, SKOS.Concept),
        (PEEL.Term, RDFS.subClassOf, SKOS.Concept),
        (PEEL.Statistic, RDFS.subClassOf, QB.Observation),
        (PEEL.collaboratesWith, RDFS.subPropertyOf, ORG.linkedTo),
        (PEEL.inReport, RDFS.subPropertyOf, DCTERMS.isPartOf),
    ]
    for triple in expected:
        assert triple in peel
    for external in (PROV.Entity, ORG.Organization, SKOS.Concept, QB.Observation):
        assert (external, RDF.type, OWL.Class) in peel      # declared, not copied
        assert len(set(peel.predicate_objects(external))) <= 2


def test_every_kind_of_organisation_is_one_step_under_the_organisation_classes(peel):
    """partners-ranked reads a partner's kind in one rdfs:subClassOf step (no property path,
    which Virtuoso 7.2 evaluates inside an OPTIONAL for the first solution only)."""
    kinds = set(peel.transitive_subjects(RDFS.subClassOf, ORG.Organization)) - {ORG.Organization}
    assert PEEL.Charity in kinds and PEEL.PoliceForce in kinds
    for kind in kinds:
        assert set(peel.objects(kind, RDFS.subClassOf)) & {ORG.Organization, PEEL.Organisation}, kind


def test_property_characteristics(peel):
    assert (PEEL.addressedBy, OWL.inverseOf, PEEL.addresses) in peel
    assert (PEEL.collaboratesWith, RDF.type, OWL.SymmetricProperty) in peel
    assert (PEEL.withinQuestion, RDF.type, OWL.TransitiveProperty) in peel
    assert (PEEL.subQuestionOf, RDFS.subPropertyOf, PEEL.withinQuestion) in peel
    assert (PEEL.grade, RDF.type, OWL.FunctionalProperty) in peel
    chain = peel.value(PEEL.previousGrade, OWL.propertyChainAxiom)
    assert list(Collection(peel, chain)) == [PEEL.previousJudgment, PEEL.grade]


def disjoint_pairs(peel) -> set[frozenset]:
    pairs = {frozenset(pair) for pair in peel.subject_objects(OWL.disjointWith)}
    for axiom in peel.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(peel, peel.value(axiom, OWL.members)))
        pairs |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
    return pairs


def test_disjointness_catches_nonsense(peel):
    pairs = disjoint_pairs(peel)
    for a, b in [(PEEL.Initiative, PEEL.Organisation), (PEEL.Passage, PEEL.Finding),
                 (PEEL.PoliceForce, PEEL.Organisation), (PEEL.Judgment, PEEL.Finding),
                 (PEEL.AreaForImprovement, PEEL.CauseOfConcern),
                 (PEEL.ImprovedJudgment, PEEL.DeclinedJudgment)]:
        assert frozenset((a, b)) in pairs


def test_defined_classes_are_equivalences(peel):
    for cls in (PEEL.CrossForceInitiative, PEEL.PartneredInitiative, PEEL.ImprovedJudgment,
                PEEL.UnchangedJudgment, PEEL.DeclinedJudgment, PEEL.UnaddressedFinding):
        assert peel.value(cls, OWL.equivalentClass) is not None


def test_the_grade_scheme_is_ordered(peel):
    grades = [PEEL.Outstanding, PEEL.Good, PEEL.RequiresImprovement, PEEL.Inadequate, PEEL.Ungraded]
    assert set(peel.subjects(SKOS.inScheme, PEEL.GradeScheme)) == set(grades)
    labels = {g: str(peel.value(g, SKOS.prefLabel)) for g in grades}
    assert labels[PEEL.RequiresImprovement] == "Requires improvement"
    ranks = {g: peel.value(g, PEEL.gradeRank) for g in grades}
    assert {g: int(r) for g, r in ranks.items() if r is not None} == {
        PEEL.Inadequate: 1, PEEL.RequiresImprovement: 2, PEEL.Good: 3, PEEL.Outstanding: 4}
    assert ranks[PEEL.Ungraded] is None
    for g in grades:
        assert {PEEL.Grade, SKOS.Concept} <= set(peel.objects(g, RDF.type))
    # peel:betterThan is the same order as peel:gradeRank (asserted pairs, transitively closed)
    ranked = [g for g in grades if ranks[g] is not None]
    for a in ranked:
        for b in ranked:
            assert ((a, PEEL.betterThan, b) in peel) == (int(ranks[a]) > int(ranks[b])), (a, b)


def test_the_grade_source_and_role_schemes(peel):
    assert set(peel.subjects(SKOS.inScheme, PEEL.GradeSourceScheme)) == {
        PEEL.GradeLine, PEEL.OverviewLine, PEEL.Prose, PEEL.PreviousReportMention}
    assert set(peel.subjects(SKOS.inScheme, PEEL.RoleScheme)) == {
        PEEL.PartnerRole, PEEL.CollaboratorRole, PEEL.ComparatorRole, PEEL.DataSourceRole, PEEL.RegulatorRole}


def test_every_extracted_role_names_a_concept_of_the_role_scheme(peel):
    assert set(ROLES.values()) == set(peel.subjects(SKOS.inScheme, PEEL.RoleScheme))


def test_the_model_enums_name_ontology_terms(peel):
    defined = peel_terms_defined(peel)
    assert {g.value for g in model.Grade} <= defined
    assert {s.value for s in model.GradeSource} <= defined
    assert {k.value for k in model.InitiativeKind} <= defined
    for kind in model.InitiativeKind:
        if kind is not model.InitiativeKind.INITIATIVE:
            assert (PEEL[kind.value], RDFS.subClassOf, PEEL.Initiative) in peel


def test_themes_are_a_skos_scheme_with_keywords(themes):
    found = {str(t)[len(str(THEME)):] for t in themes.subjects(RDF.type, PEEL.Theme)}
    assert THEMES_REQUIRED <= found
    assert set(themes.objects(PEEL.ThemeScheme, SKOS.hasTopConcept)) == {THEME[slug] for slug in found}
    pref_labels = set()
    for slug in found:
        theme = THEME[slug]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        assert (theme, SKOS.inScheme, PEEL.ThemeScheme) in themes
        assert (theme, RDF.type, SKOS.Concept) in themes
        labels = list(themes.objects(theme, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en"
        pref_labels.add(str(labels[0]))
        assert themes.value(theme, RDFS.label) is not None
        assert themes.value(theme, SKOS.definition) is not None
        keywords = [str(k) for k in themes.objects(theme, SKOS.altLabel)]
        assert len(keywords) >= 5, slug
        assert all(k == k.lower() and k == k.strip() and k for k in keywords), slug
    assert len(pref_labels) == len(found)


def test_theme_keywords_include_the_signal_words(themes):
    def keywords(slug):
        return {str(k) for k in themes.objects(THEME[slug], SKOS.altLabel)}

    assert {"gang", "gangs", "county lines", "youth violence"} <= keywords("gangs")
    assert {"digital media investigator", "phone triage", "kiosk", "digital forensic",
            "hi-tech crime unit"} <= keywords("digital-evidence")
    assert {"clare's law", "dash", "marac"} <= keywords("domestic-abuse")


def test_the_ontology_graph_holds_terms_and_themes():
    graph = ontology_graph()
    assert (PEEL.Good, SKOS.inScheme, PEEL.GradeScheme) in graph
    assert (THEME.gangs, RDF.type, PEEL.Theme) in graph


def test_shapes_cover_every_contract_class(shapes):
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in (PEEL.Report, PEEL.Passage, PEEL.Judgment, PEEL.Finding, PEEL.Statistic, PEEL.AddressLink,
                PEEL.Term, PEEL.Initiative, PEEL.Organisation, PEEL.PoliceForce, PEEL.Place, PEEL.Question,
                PEEL.CoreQuestion, PEEL.Theme):
        assert cls in targets, cls
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.message) is not None, f"a property shape of {shape} has no sh:message"

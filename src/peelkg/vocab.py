"""Vocabularies used by peelkg, as closed namespaces so a misspelt term raises.

`PEEL` lists every term of ontology/peel.ttl (a test keeps the two in step);
the W3C vocabularies come from rdflib.namespace.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD, DefinedNamespace

from peelkg.resources import INSTANCE_BASE, ONTOLOGY_FILES, ontology_file

__all__ = [
    "DCTERMS",
    "ID",
    "ONTOLOGY_FILES",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PEEL",
    "PEELSH",
    "PROV",
    "QB",
    "ROLES",
    "RDF",
    "RDFS",
    "SKOS",
    "THEME",
    "XSD",
    "ontology_graph",
    "short",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/peelkg/ontology")

ID = Namespace(INSTANCE_BASE)
THEME = Namespace(INSTANCE_BASE + "theme/")
PEELSH = Namespace("https://w3id.org/peelkg/shapes#")


class PEEL(DefinedNamespace):
    """The peelkg ontology, https://w3id.org/peelkg/ontology#."""

    _NS = Namespace("https://w3id.org/peelkg/ontology#")
    _fail = True

    # reports and passages
    Report: URIRef
    Passage: URIRef
    aboutForce: URIRef
    inReport: URIRef
    isbn: URIRef
    extractedText: URIRef
    inspection: URIRef
    inspectionYear: URIRef
    text: URIRef
    lineStart: URIRef
    lineEnd: URIRef
    section: URIRef
    passageKind: URIRef
    footnoteNumber: URIRef
    cites: URIRef
    usesTerm: URIRef
    order: URIRef

    # forces and organisations
    PoliceForce: URIRef
    Organisation: URIRef
    NationalBody: URIRef
    RegionalUnit: URIRef
    Charity: URIRef
    University: URIRef
    LocalAuthority: URIRef
    PublicService: URIRef
    PartnershipBoard: URIRef
    Company: URIRef
    Inspectorate: URIRef
    collaboratesWith: URIRef
    Collaboration: URIRef
    collaborator: URIRef
    progressStatus: URIRef
    ProgressStatus: URIRef
    ProgressScheme: URIRef
    Addressed: URIRef
    PartlyAddressed: URIRef
    NotAddressed: URIRef
    continues: URIRef
    followsUp: URIRef
    onsCode: URIRef
    policeUkId: URIRef
    role: URIRef
    Role: URIRef
    RoleScheme: URIRef
    PartnerRole: URIRef
    CollaboratorRole: URIRef
    ComparatorRole: URIRef
    DataSourceRole: URIRef
    RegulatorRole: URIRef

    # questions
    Question: URIRef
    OverallQuestion: URIRef
    CoreQuestion: URIRef
    SubQuestion: URIRef
    SubHeading: URIRef
    withinQuestion: URIRef
    subQuestionOf: URIRef
    questionNumber: URIRef
    graded: URIRef
    cycle: URIRef
    question: URIRef

    # judgments and grades
    Judgment: URIRef
    force: URIRef
    grade: URIRef
    gradeSource: URIRef
    previousJudgment: URIRef
    previousGrade: URIRef
    year: URIRef
    ImprovedJudgment: URIRef
    UnchangedJudgment: URIRef
    DeclinedJudgment: URIRef
    CarriedOverJudgment: URIRef
    Grade: URIRef
    gradeRank: URIRef
    betterThan: URIRef
    worseThan: URIRef
    GradeScheme: URIRef
    Outstanding: URIRef
    Good: URIRef
    RequiresImprovement: URIRef
    Inadequate: URIRef
    Ungraded: URIRef
    GradeSource: URIRef
    GradeSourceScheme: URIRef
    GradeLine: URIRef
    OverviewLine: URIRef
    Prose: URIRef
    PreviousReportMention: URIRef

    # findings
    Finding: URIRef
    AreaForImprovement: URIRef
    CauseOfConcern: URIRef
    Recommendation: URIRef
    Summary: URIRef
    PriorFinding: URIRef
    UnaddressedFinding: URIRef
    findingId: URIRef
    recommendationOf: URIRef
    progress: URIRef
    unaddressed: URIRef

    # initiatives and links
    Initiative: URIRef
    Operation: URIRef
    Exercise: URIRef
    Scheme: URIRef
    Programme: URIRef
    Project: URIRef
    Pilot: URIRef
    Plan: URIRef
    Team: URIRef
    System: URIRef
    Form: URIRef
    Campaign: URIRef
    Board: URIRef
    StaffRole: URIRef
    Product: URIRef
    InitiativeKind: URIRef
    InitiativeKindScheme: URIRef
    kind: URIRef
    Ask: URIRef
    ask: URIRef
    action: URIRef
    object: URIRef
    purpose: URIRef
    scope: URIRef
    problemPassage: URIRef
    responsePassage: URIRef
    CrossForceInitiative: URIRef
    PartneredInitiative: URIRef
    involves: URIRef
    theme: URIRef
    location: URIRef
    description: URIRef
    addresses: URIRef
    addressedBy: URIRef
    AddressLink: URIRef
    initiative: URIRef
    target: URIRef
    score: URIRef
    method: URIRef
    rationale: URIRef
    threshold: URIRef

    # places, themes, glossary terms
    Place: URIRef
    Theme: URIRef
    ThemeScheme: URIRef
    Term: URIRef

    # statistics
    Statistic: URIRef
    indicator: URIRef
    value: URIRef
    unit: URIRef
    area: URIRef
    period: URIRef
    figure: URIRef
    outcomeNumber: URIRef
    parentIndicator: URIRef
    comparedWith: URIRef
    comparison: URIRef


# Organisation roles as the extractor names them (peelkg.model.Organisation.roles) -> peel:RoleScheme.
ROLES: dict[str, URIRef] = {
    "partner": PEEL.PartnerRole,
    "collaborator": PEEL.CollaboratorRole,
    "comparator": PEEL.ComparatorRole,
    "data_source": PEEL.DataSourceRole,
    "regulator": PEEL.RegulatorRole,
}


def ontology_graph() -> Graph:
    """The ontology and its SKOS schemes (peel.ttl + themes.ttl) as one plain in-memory graph."""
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(ontology_file(name), format="turtle")
    return graph


_SHORT_PREFIXES = (
    (INSTANCE_BASE, "id:"),
    ("https://w3id.org/peelkg/ontology#", "peel:"),
    (str(PEELSH), "peelsh:"),
    (str(PROV), "prov:"),
    (str(SKOS), "skos:"),
    (str(ORG), "org:"),
    (str(RDFS), "rdfs:"),
    (str(RDF), "rdf:"),
    (str(OWL), "owl:"),
    (str(XSD), "xsd:"),
    (str(DCTERMS), "dcterms:"),
)


def short(node: Node) -> str:
    """A node as people read it in messages: id:force/essex-police, peel:grade, 'text'."""
    if isinstance(node, URIRef):
        text = str(node)
        for base, prefix in _SHORT_PREFIXES:
            if text.startswith(base):
                return prefix + text[len(base):]
        return f"<{text}>"
    if isinstance(node, BNode):
        return "[]"
    if isinstance(node, Literal):
        return repr(str(node))
    return str(node)

"""Assemble stage: facts (+ links) -> RDF, one named graph for the report and one for its links.

IRIs are slugs of content and position (docs/graph.md), never of order of discovery, time or
random ids, so two builds of the same report give the same graph.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from peelkg.errors import InputError
from peelkg.model import (
    AddressLink,
    Area,
    Block,
    BlockKind,
    Facts,
    FindingKind,
    HeadingKind,
    InitiativeKind,
    LinkMethod,
    OrganisationKind,
    Statistic,
)
from peelkg.loaders.reference import cycle_of, in_reference
from peelkg.resources import GRAPH_BASE, INSTANCE_BASE
from peelkg.vocab import PEEL, ROLES

FINDING_CLASS = {
    FindingKind.AFI: PEEL.AreaForImprovement,
    FindingKind.CAUSE_OF_CONCERN: PEEL.CauseOfConcern,
    FindingKind.RECOMMENDATION: PEEL.Recommendation,
    FindingKind.SUMMARY: PEEL.Summary,
    FindingKind.PRIOR_FINDING: PEEL.PriorFinding,
}
QUESTION_CLASS = {
    HeadingKind.OVERVIEW: PEEL.OverallQuestion,
    HeadingKind.CORE: PEEL.CoreQuestion,
    HeadingKind.SUB: PEEL.SubQuestion,
    HeadingKind.SUBHEADING: PEEL.SubHeading,
}


def slug(text: str) -> str:
    """'Operation Raptor' -> 'operation-raptor'; ASCII, lower case, words joined by '-'; never empty.

    A name with nothing in ASCII ('警察', '<>') gets 'x-' and a hash of its text, so two such names
    never share an IRI and no IRI has an empty segment.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if found:
        return found
    return "x-" + hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Iris:
    """The IRIs of one report (docs/graph.md)."""

    inspection: str
    force: str
    base: str = INSTANCE_BASE

    def iri(self, *parts: str) -> URIRef:
        if not all(parts):
            raise InputError(f"the IRI {self.base + '/'.join(parts)} would have an empty segment")
        return URIRef(self.base + "/".join(parts))

    @property
    def force_iri(self) -> URIRef:
        return self.iri("force", self.force)

    @property
    def report(self) -> URIRef:
        return self.iri("report", self.inspection, self.force)

    @property
    def report_graph(self) -> URIRef:
        return URIRef(f"{GRAPH_BASE}report/{self.inspection}/{self.force}")

    @property
    def links_graph(self) -> URIRef:
        return URIRef(f"{GRAPH_BASE}links/{self.inspection}/{self.force}")

    @property
    def inferred_graph(self) -> URIRef:
        return URIRef(f"{GRAPH_BASE}inferred/{self.inspection}/{self.force}")

    def question(self, qid: str, inspection: str | None = None) -> URIRef:
        """Template questions are shared by all forces; a report's own sub-headings are not."""
        local = qid.replace(".", "-")
        if ".h" in qid:
            return self.iri("question", inspection or self.inspection, self.force, local)
        return self.iri("question", inspection or self.inspection, local)

    def earlier_report(self, inspection: str) -> URIRef:
        """The force's report of an earlier cycle, as loading that report would name it."""
        return self.iri("report", inspection, self.force)

    def judgment(self, qid: str, inspection: str | None = None) -> URIRef:
        return self.iri("judgment", inspection or self.inspection, self.force, qid)

    def finding(self, fid: str, inspection: str | None = None) -> URIRef:
        return self.iri("finding", inspection or self.inspection, self.force, fid)

    def passage(self, line: int) -> URIRef:
        return self.iri("passage", self.inspection, self.force, f"L{line}")

    def statistic(self, sid: str) -> URIRef:
        return self.iri("statistic", self.inspection, self.force, sid)

    def term(self, tslug: str) -> URIRef:
        return self.iri("term", self.inspection, self.force, tslug)

    def initiative(self, islug: str) -> URIRef:
        return self.iri("initiative", self.force, islug)

    def organisation(self, oslug: str, kind: OrganisationKind) -> URIRef:
        return self.iri("force" if kind is OrganisationKind.POLICE_FORCE else "org", oslug)

    def place(self, pslug: str) -> URIRef:
        return self.iri("place", pslug)

    def theme(self, tslug: str) -> URIRef:
        return self.iri("theme", tslug)

    def collaboration(self, oslug: str) -> URIRef:
        """The report's own: another report of the force states its own collaboration with the same body."""
        return self.iri("collaboration", self.inspection, self.force, oslug)

    def link(self, target: str, initiative: str) -> URIRef:
        return self.iri("link", self.inspection, self.force, target, initiative)


def iris_for(facts: Facts, base: str = INSTANCE_BASE) -> Iris:
    meta = facts.document.meta
    return Iris(meta.inspection, slug(meta.force_name), base)


def _decimal(value: float) -> Literal:
    return Literal(f"{value:.6f}".rstrip("0").rstrip(".") if "." in f"{value:.6f}" else str(value), datatype=XSD.decimal)


def assemble(facts: Facts, links: list[AddressLink] | None = None, *, threshold: float = 0.55,
             base: str = INSTANCE_BASE) -> dict[URIRef, Graph]:
    """The report's named graphs: {report graph IRI: graph, links graph IRI: graph}."""
    ids = iris_for(facts, base)
    report = _report_graph(facts, ids)
    graphs = {ids.report_graph: report}
    if links is not None:
        graphs[ids.links_graph] = _links_graph(facts, links, ids, threshold)
    return graphs


def comparisons(statistics: list[Statistic]) -> list[tuple[Statistic, Statistic]]:
    """Each force figure with the England and Wales figure its report sets beside it.

    The two share indicator, group row (parent indicator) and period; a figure without a period is
    left unpaired, since two figures of different periods say nothing of each other.
    """
    national: dict[tuple[str, str, str], list[Statistic]] = defaultdict(list)
    for stat in statistics:
        if stat.area is Area.ENGLAND_AND_WALES and stat.period:
            national[(stat.indicator, stat.parent_indicator or "", stat.period)].append(stat)
    return [(stat, other) for stat in statistics if stat.area is Area.FORCE and stat.period
            for other in national.get((stat.indicator, stat.parent_indicator or "", stat.period), [])]


def _add_passage(g: Graph, ids: Iris, block: Block, order: int) -> URIRef:
    p = ids.passage(block.line_start)
    g.add((p, RDF.type, PEEL.Passage))
    g.add((p, RDFS.label, Literal(f"{block.kind.value} at lines {block.line_start}-{block.line_end}")))
    g.add((p, PEEL.text, Literal(block.text)))
    g.add((p, PEEL.inReport, ids.report))
    g.add((p, PEEL.lineStart, Literal(block.line_start, datatype=XSD.integer)))
    g.add((p, PEEL.lineEnd, Literal(block.line_end, datatype=XSD.integer)))
    g.add((p, PEEL.passageKind, Literal(block.kind.value)))
    g.add((p, PEEL.order, Literal(order, datatype=XSD.integer)))
    if block.section:
        g.add((p, PEEL.section, ids.question(block.section)))
    if block.number is not None:
        g.add((p, PEEL.footnoteNumber, Literal(block.number, datatype=XSD.integer)))
    return p


def _report_graph(facts: Facts, ids: Iris) -> Graph:
    doc, meta = facts.document, facts.document.meta
    g = Graph()
    g.bind("peel", str(PEEL))
    g.bind("prov", str(PROV))
    g.bind("skos", str(SKOS))
    g.bind("dcterms", str(DCTERMS))

    # report and force
    r = ids.report
    g.add((r, RDF.type, PEEL.Report))
    g.add((r, RDFS.label, Literal(f"{meta.title} – {meta.subtitle}")))
    g.add((r, DCTERMS.title, Literal(meta.title)))
    g.add((r, DCTERMS.alternative, Literal(meta.subtitle)))
    g.add((r, DCTERMS.publisher, Literal(meta.publisher)))
    if meta.issued:
        g.add((r, DCTERMS.issued, Literal(meta.issued, datatype=XSD.gYearMonth)))
    if meta.isbn:
        g.add((r, PEEL.isbn, Literal(meta.isbn)))
    g.add((r, PEEL.aboutForce, ids.force_iri))
    g.add((r, PEEL.inspection, Literal(meta.inspection)))
    g.add((r, PEEL.inspectionYear, Literal(meta.year, datatype=XSD.integer)))
    g.add((r, DCTERMS.source, Literal(doc.source.path.rsplit("/", 1)[-1])))
    if doc.source.extracted:   # the passages' line numbers refer to this text, not to the PDF file
        g.add((r, PEEL.extractedText, Literal("\n".join(doc.source.raw_lines) + "\n")))
    if not in_reference(ids.force_iri):
        g.add((ids.force_iri, RDF.type, PEEL.PoliceForce))
        g.add((ids.force_iri, RDFS.label, Literal(meta.force_name)))

    passages = {b.line_start: b for b in doc.blocks}
    for order, block in enumerate(doc.blocks):
        _add_passage(g, ids, block, order)
    for block in doc.blocks:
        for n in block.footnote_refs:
            target = next((b for b in doc.blocks if b.kind is BlockKind.FOOTNOTE and b.number == n), None)
            if target is not None:
                g.add((ids.passage(block.line_start), PEEL.cites, ids.passage(target.line_start)))

    def derived(subject: URIRef, lines: list[int]) -> None:
        for line in lines:
            if line in passages:
                g.add((subject, PROV.wasDerivedFrom, ids.passage(line)))

    # questions: the template's are in the reference graph; the report's own sub-headings are here
    for question in doc.questions:
        q = ids.question(question.id)
        if in_reference(q):
            continue
        g.add((q, RDF.type, QUESTION_CLASS[question.kind]))
        g.add((q, RDFS.label, Literal(question.label)))
        g.add((q, PEEL.order, Literal(question.order, datatype=XSD.integer)))
        if question.parent:
            g.add((q, PEEL.subQuestionOf, ids.question(question.parent)))
        if question.number:
            g.add((q, PEEL.questionNumber, Literal(question.number, datatype=XSD.integer)))
        if question.kind is HeadingKind.SUBHEADING:
            g.add((q, PEEL.inReport, r))

    # judgments: a grade the report quotes from an earlier inspection belongs to that inspection's report
    current = {j.question_id: j for j in facts.judgments if not j.previous}
    for judgment in facts.judgments:
        inspection = meta.inspection if not judgment.previous else meta.inspection.replace(str(meta.year), str(judgment.year))
        asked = ids.question(judgment.question_id, inspection)
        if judgment.previous and not in_reference(asked):
            continue   # a question the earlier cycle did not ask
        j = ids.judgment(judgment.question_id, inspection)
        g.add((j, RDF.type, PEEL.Judgment))
        if judgment.carried_over:   # a question not assessed this year: the previous judgment, carried over
            g.add((j, RDF.type, PEEL.CarriedOverJudgment))
        grade = judgment.grade.value if judgment.grade is not None else "grade not stated"
        carried = f" (carried over from {judgment.year - 1})" if judgment.carried_over else ""
        g.add((j, RDFS.label, Literal(f"{meta.force_name} {judgment.year} – {judgment.question_id}: {grade}{carried}")))
        g.add((j, PEEL.force, ids.force_iri))
        g.add((j, PEEL.question, asked))
        if judgment.grade is not None:
            g.add((j, PEEL.grade, PEEL[judgment.grade.value]))
        if judgment.source is not None:
            g.add((j, PEEL.gradeSource, PEEL[judgment.source.value]))
        g.add((j, PEEL.year, Literal(judgment.year, datatype=XSD.integer)))
        g.add((j, PEEL.inReport, _earlier_report(g, ids, r, inspection) if judgment.previous else r))
        derived(j, judgment.passages)
        if judgment.previous and judgment.question_id in current:
            g.add((ids.judgment(judgment.question_id), PEEL.previousJudgment, j))

    # findings; a previous finding points to the finding of the earlier report it follows up
    previous = meta.inspection.replace(str(meta.year), str(meta.year - 1))
    for finding in facts.findings:
        f = ids.finding(finding.id)
        g.add((f, RDF.type, FINDING_CLASS[finding.kind]))
        g.add((f, RDFS.label, Literal(_short(finding.text))))
        g.add((f, PEEL.text, Literal(finding.text)))
        g.add((f, PEEL.findingId, Literal(finding.id)))
        g.add((f, PEEL.question, ids.question(finding.question_id)))
        g.add((f, PEEL.inReport, r))
        g.add((f, PEEL.order, Literal(finding.ordinal, datatype=XSD.integer)))
        derived(f, finding.passages)
        if finding.parent:
            g.add((f, PEEL.recommendationOf, ids.finding(finding.parent)))
        if finding.progress:
            g.add((f, PEEL.progress, Literal(finding.progress)))
            derived(f, finding.progress_passages)
        if finding.progress_status:
            g.add((f, PEEL.progressStatus, PEEL[finding.progress_status.value]))
        if finding.continues:
            g.add((f, PEEL.continues, ids.finding(finding.continues)))
        if finding.follows_up and in_reference(ids.question(finding.question_id, previous)):
            g.add((f, PEEL.followsUp, ids.finding(finding.follows_up, previous)))
        if finding.ask is not None:
            ask = URIRef(f"{f}/ask")
            g.add((f, PEEL.ask, ask))
            g.add((ask, RDF.type, PEEL.Ask))
            g.add((ask, RDFS.label, Literal(_short(" ".join(p for p in (finding.ask.action, finding.ask.object) if p)))))
            for prop, value in ((PEEL.action, finding.ask.action), (PEEL.object, finding.ask.object),
                                (PEEL.purpose, finding.ask.purpose), (PEEL.scope, finding.ask.scope)):
                if value:
                    g.add((ask, prop, Literal(value)))
            derived(ask, finding.passages)
    for tag in facts.theme_tags:
        g.add((ids.finding(tag.subject), PEEL.theme, ids.theme(tag.theme)))

    # glossary
    for term in facts.terms:
        t = ids.term(term.slug)
        g.add((t, RDF.type, PEEL.Term))
        g.add((t, RDFS.label, Literal(term.label)))
        g.add((t, SKOS.prefLabel, Literal(term.label)))
        for alt in term.alt_labels:
            g.add((t, SKOS.altLabel, Literal(alt)))
        g.add((t, SKOS.definition, Literal(term.definition)))
        g.add((t, PEEL.footnoteNumber, Literal(term.footnote, datatype=XSD.integer)))
        g.add((t, PEEL.inReport, r))
        derived(t, [term.passage])
        for line in term.used_in:
            if line in passages:
                g.add((ids.passage(line), PEEL.usesTerm, t))

    # statistics
    england_and_wales = ids.place("england-and-wales")
    if facts.statistics and not in_reference(england_and_wales):
        g.add((england_and_wales, RDF.type, PEEL.Place))
        g.add((england_and_wales, RDFS.label, Literal("England and Wales")))
    if facts.statistics:
        derived(england_and_wales, sorted({s.passage for s in facts.statistics if s.area is Area.ENGLAND_AND_WALES})[:1])
    for stat in facts.statistics:
        s = ids.statistic(stat.id)
        g.add((s, RDF.type, PEEL.Statistic))
        where = meta.force_name if stat.area is Area.FORCE else "England and Wales"
        g.add((s, RDFS.label, Literal(f"{stat.indicator} ({where})")))
        g.add((s, PEEL.indicator, Literal(stat.indicator)))
        g.add((s, PEEL.value, _decimal(stat.value)))
        if stat.unit:
            g.add((s, PEEL.unit, Literal(stat.unit)))
        g.add((s, PEEL.area, ids.force_iri if stat.area is Area.FORCE else england_and_wales))
        if stat.period:
            g.add((s, PEEL.period, Literal(stat.period)))
        if stat.figure:
            g.add((s, PEEL.figure, Literal(stat.figure)))
        if stat.outcome_number:
            g.add((s, PEEL.outcomeNumber, Literal(stat.outcome_number)))
        if stat.parent_indicator:
            g.add((s, PEEL.parentIndicator, Literal(stat.parent_indicator)))
        if stat.comparison:
            g.add((s, PEEL.comparison, Literal(stat.comparison)))
        g.add((s, PEEL.inReport, r))
        derived(s, [stat.passage])
    for stat, national in comparisons(facts.statistics):
        g.add((ids.statistic(stat.id), PEEL.comparedWith, ids.statistic(national.id)))

    # organisations, places, initiatives
    org_iris, org_labels = {}, {}
    for org in facts.organisations:
        o = ids.organisation(org.slug, org.kind)
        org_iris[org.slug], org_labels[org.slug] = o, org.label
        if not in_reference(o):   # a body of the reference graph is named there, once
            g.add((o, RDF.type, PEEL.PoliceForce if org.kind is OrganisationKind.POLICE_FORCE else PEEL.Organisation))
            if org.kind not in (OrganisationKind.POLICE_FORCE, OrganisationKind.OTHER):
                g.add((o, RDF.type, PEEL[org.kind.value if org.kind is not OrganisationKind.BOARD else "PartnershipBoard"]))
            g.add((o, RDFS.label, Literal(org.label)))
            for alt in org.alt_labels:
                g.add((o, SKOS.altLabel, Literal(alt)))
        for role in org.roles:
            g.add((o, PEEL.role, ROLES[role]))
        derived(o, [m.passage for m in org.mentions])
    for place in facts.places:
        p = ids.place(place.slug)
        g.add((p, RDF.type, PEEL.Place))
        g.add((p, RDFS.label, Literal(place.label)))
        derived(p, [m.passage for m in place.mentions])
    from peelkg.loaders.entity_text import gazetteer   # entity_text reads slugs from this module

    kind_concepts = gazetteer()["kind_concepts"]     # initiative class -> initiative-kind slug
    for initiative in facts.initiatives:
        i = ids.initiative(initiative.slug)
        g.add((i, RDF.type, PEEL.Initiative))
        if initiative.kind is not InitiativeKind.INITIATIVE:
            g.add((i, RDF.type, PEEL[initiative.kind.value]))
        g.add((i, PEEL.kind, ids.iri("initiative-kind", kind_concepts[initiative.kind.value])))
        g.add((i, RDFS.label, Literal(initiative.label)))
        for alt in initiative.alt_labels:
            g.add((i, SKOS.altLabel, Literal(alt)))
        if initiative.description:
            g.add((i, PEEL.description, Literal(initiative.description)))
        g.add((i, PEEL.force, ids.force_iri))
        for qid in initiative.question_ids:
            g.add((i, PEEL.question, ids.question(qid)))
        for partner in initiative.partners:
            if partner in org_iris:
                g.add((i, PEEL.involves, org_iris[partner]))
        for place_slug in initiative.places:
            g.add((i, PEEL.location, ids.place(place_slug)))
        for theme in initiative.themes:
            g.add((i, PEEL.theme, ids.theme(theme)))
        derived(i, sorted({m.passage for m in initiative.mentions}))
    for collaboration in facts.collaborations:
        if collaboration.organisation not in org_iris:
            continue
        partner = org_iris[collaboration.organisation]
        g.add((ids.force_iri, PEEL.collaboratesWith, partner))
        # the qualified form: which report states it, and the passages it rests on
        c = ids.collaboration(collaboration.organisation)
        g.add((c, RDF.type, PEEL.Collaboration))
        g.add((c, RDFS.label, Literal(f"{meta.force_name} collaborates with {org_labels[collaboration.organisation]}")))
        g.add((c, PEEL.collaborator, ids.force_iri))
        g.add((c, PEEL.collaborator, partner))
        g.add((c, PEEL.inReport, ids.report))
        derived(c, collaboration.passages)
    return g


def _earlier_report(g: Graph, ids: Iris, citing: URIRef, inspection: str) -> URIRef:
    """The earlier report a report quotes: what the citing text and the cycle say of it, and the reference."""
    earlier = ids.earlier_report(inspection)
    cycle = cycle_of(inspection)
    g.add((citing, DCTERMS.references, earlier))
    g.add((earlier, RDF.type, PEEL.Report))
    g.add((earlier, PEEL.aboutForce, ids.force_iri))
    g.add((earlier, PEEL.inspection, Literal(inspection)))
    if cycle is not None:
        g.add((earlier, RDFS.label, Literal(cycle["title"])))
        g.add((earlier, DCTERMS.title, Literal(cycle["title"])))
        g.add((earlier, PEEL.inspectionYear, Literal(cycle["year"], datatype=XSD.integer)))
        g.add((earlier, DCTERMS.publisher, Literal(cycle["publisher"])))
        g.add((earlier, DCTERMS.issued, Literal(cycle["issued"], datatype=XSD.gYearMonth)))
    return earlier


def _links_graph(facts: Facts, links: list[AddressLink], ids: Iris, threshold: float) -> Graph:
    g = Graph()
    g.bind("peel", str(PEEL))
    addressed = {link.target for link in links if link.above_threshold}
    for link in links:
        node = ids.link(link.target, link.initiative)
        initiative, target = ids.initiative(link.initiative), ids.finding(link.target)
        g.add((node, RDF.type, PEEL.AddressLink))
        verb = "rejected for" if LinkMethod.REJECTED in link.methods else "addresses"
        g.add((node, RDFS.label, Literal(f"{link.initiative} {verb} {link.target} ({link.score:.2f})")))
        g.add((node, PEEL.initiative, initiative))
        g.add((node, PEEL.target, target))
        g.add((node, PEEL.score, _decimal(round(link.score, 4))))
        for method in link.methods:
            g.add((node, PEEL.method, Literal(method.value)))
        g.add((node, PEEL.rationale, Literal(link.rationale)))
        if link.creator:
            g.add((node, DCTERMS.creator, Literal(link.creator)))
        if link.date:
            g.add((node, DCTERMS.date, Literal(link.date.isoformat(), datatype=XSD.date)))
        g.add((node, PEEL.inReport, ids.report))
        for line in link.passages:
            g.add((node, PROV.wasDerivedFrom, ids.passage(line)))
        if link.problem_passage is not None and link.response_passage is not None:
            g.add((node, PEEL.problemPassage, ids.passage(link.problem_passage)))
            g.add((node, PEEL.responsePassage, ids.passage(link.response_passage)))
        if link.above_threshold:
            g.add((initiative, PEEL.addresses, target))
    for finding in facts.findings:
        if finding.kind in (FindingKind.AFI, FindingKind.CAUSE_OF_CONCERN):
            g.add((ids.finding(finding.id), PEEL.unaddressed, Literal(finding.id not in addressed)))
    g.add((ids.report, PEEL.threshold, _decimal(threshold)))
    return g


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"

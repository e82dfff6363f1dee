"""The entity graph of the whole data and the look-ups every view shares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import networkx as nx

from peelkg.views.model import Entity, Evidence, Judgment, QuestionInfo, Report, ViewData
from peelkg.views.text import local

FINDING_KINDS = ("afi", "concern", "recommendation", "summary", "prior", "finding")
TARGET_KINDS = ("afi", "concern")
PARTNER_KINDS = ("organisation", "force")
HUB_KINDS = ("force", "report", "question", "subquestion", "theme")   # a focus view stops at these
PAGE_KINDS = {"afi": "findings", "concern": "findings", "initiative": "initiatives"}


def question_tag(question: QuestionInfo) -> str:
    """ "Overall", "Q1" … "Q5": how the views name a question in a label."""
    return "Overall" if question.overall or question.number is None else f"Q{question.number}"


class Index:
    """The entity graph of the whole data and look-ups over it, shared by every view."""

    def __init__(self, data: ViewData) -> None:
        self.data = data
        self.graph = nx.Graph()
        self.out: dict[str, list[tuple[str, str]]] = defaultdict(list)     # subject -> (property, object)
        self.into: dict[str, list[tuple[str, str]]] = defaultdict(list)    # object -> (property, subject)
        for iri in sorted(data.entities):
            self.graph.add_node(iri)
        for subject, prop, obj in data.relations:
            self.out[subject].append((prop, obj))
            self.into[obj].append((prop, subject))
            if subject in data.entities and obj in data.entities and subject != obj:
                self._add_edge(subject, obj, relation=prop, source=subject)
        for entity in data.entities.values():    # an initiative is drawn next to the questions it is discussed under
            if entity.kind != "initiative":
                continue
            for evidence in entity.evidence:
                if evidence.section in data.entities and not self.graph.has_edge(entity.iri, evidence.section):
                    self._add_edge(entity.iri, evidence.section, relation="section", source=entity.iri)
        for link in data.links:
            if link.shortcut and link.initiative in data.entities and link.target in data.entities:
                self._add_edge(link.initiative, link.target, relation="addresses", source=link.initiative,
                               link=link)
        self.judgments_by_iri = {j.iri: j for j in data.judgments}
        self.judgments_by_report: dict[str, list[Judgment]] = defaultdict(list)
        for judgment in data.judgments:
            self.judgments_by_report[judgment.report or ""].append(judgment)
        self.children: dict[str, list[str]] = defaultdict(list)
        for question in data.questions.values():
            if question.parent:
                self.children[question.parent].append(question.iri)
        self.links_by_target: dict[str, list] = defaultdict(list)
        self.links_by_initiative: dict[str, list] = defaultdict(list)
        for link in data.links:
            self.links_by_target[link.target].append(link)
            self.links_by_initiative[link.initiative].append(link)

    def _add_edge(self, a: str, b: str, **attrs) -> None:
        if self.graph.has_edge(a, b) and self.graph.edges[a, b]["relation"] != "section" \
                and attrs["relation"] != "addresses":
            return
        self.graph.add_edge(a, b, **attrs)

    def entity(self, iri: str) -> Entity:
        return self.data.entities[iri]

    def kind(self, iri: str) -> str:
        entity = self.data.entities.get(iri)
        return entity.kind if entity else ""

    def in_report(self, iri: str, report: Report) -> bool:
        entity = self.data.entities.get(iri)
        return entity is not None and (not entity.reports or report.iri in entity.reports)

    def objects(self, iri: str, prop: str) -> list[str]:
        return [o for p, o in self.out.get(iri, []) if p == prop]

    def subjects(self, iri: str, prop: str) -> list[str]:
        return [s for p, s in self.into.get(iri, []) if p == prop]

    def subgraph(self, nodes: Iterable[str], relations: Sequence[str] | None = None) -> nx.Graph:
        """The entity graph restricted to `nodes` (and to edges of `relations`, when given)."""
        keep = sorted(set(nodes) & set(self.data.entities))
        graph = nx.Graph()
        graph.add_nodes_from(keep)
        graph.add_edges_from((a, b, dict(attrs)) for a, b, attrs in self.graph.subgraph(keep).edges(data=True)
                             if relations is None or attrs.get("relation") in relations)
        return graph

    # ---- what belongs to a report

    def initiatives(self, report: Report) -> list[str]:
        return sorted(i for i, e in self.data.entities.items() if e.kind == "initiative"
                      and report.iri in e.reports
                      and (not self.objects(i, "force") or report.force in self.objects(i, "force")))

    def findings(self, report: Report, kinds: Sequence[str] = FINDING_KINDS) -> list[str]:
        return sorted(f for f, e in self.data.entities.items() if e.kind in kinds and report.iri in e.reports)

    def involved(self, initiative: str) -> list[str]:
        """The organisations and forces an initiative involves."""
        return [o for o in self.objects(initiative, "involves") if self.kind(o) in PARTNER_KINDS]

    def partners(self, initiatives: Iterable[str], report: Report) -> list[str]:
        found = {o for i in initiatives for o in self.involved(i)}
        found |= set(self.collaborators(report))
        found.discard(report.force)
        return sorted(found)

    def collaborators(self, report: Report) -> list[str]:
        """Forces and bodies the report's force collaborates with, as the report itself states it (its
        peel:Collaboration): a collaboration another report of the same force states is not this report's."""
        found = {p for p in self.data.collaborations.get(report.iri, set()) if self.kind(p) in PARTNER_KINDS}
        found.discard(report.force)
        return sorted(found)

    def judgments(self, report: Report, current_only: bool = True) -> list[Judgment]:
        """The report's judgments (peel:inReport it), those a later report quotes from it included; `current_only`
        leaves out an earlier grade the report quotes as its own (`quotes_earlier`)."""
        return [j for j in self.judgments_by_report.get(report.iri, [])
                if not (current_only and self.quotes_earlier(j))]

    def quotes_earlier(self, judgment: Judgment) -> bool:
        """Another judgment of its report points back to it (peel:previousJudgment): a grade of an earlier
        inspection the report holds as its own, not a grade of its own that a later report quotes."""
        return any(self.judgments_by_iri[later].report == judgment.report
                   for later in self.subjects(judgment.iri, "previousJudgment") if later in self.judgments_by_iri)

    def quoted_only(self, iri: str, report: Report) -> list[Evidence]:
        """The passages of later reports a judgment or finding of `report` is known from, when none is its own."""
        evidence = self.data.entities[iri].evidence if iri in self.data.entities else []
        return [] if any(e.report == report.iri for e in evidence) else evidence

    def core_questions(self, report: Report) -> list[QuestionInfo]:
        """The overall and numbered questions this report grades or has findings on, in order."""
        used = {j.question for j in self.judgments(report, current_only=False)}
        used |= {q for f in self.findings(report) for q in self.objects(f, "question")}
        found = [self.data.questions[q] for q in used if q in self.data.questions
                 and (self.data.questions[q].number is not None or self.data.questions[q].overall)]
        return sorted(found, key=lambda q: (q.number or 0, q.order, q.iri))

    def core_question_of(self, iri: str) -> QuestionInfo | None:
        """The numbered (or overall) question a finding or sub-question sits under."""
        todo = self.objects(iri, "question") if iri not in self.data.questions else [iri]
        seen: set[str] = set()
        while todo:
            current = todo.pop(0)
            if current in seen or current not in self.data.questions:
                continue
            seen.add(current)
            question = self.data.questions[current]
            if question.number is not None or question.overall:
                return question
            if question.parent:
                todo.append(question.parent)
        return None

    def grade_of(self, question: QuestionInfo | None, report: Report) -> Judgment | None:
        """The report's current judgment on a question."""
        if question is None:
            return None
        return next((j for j in self.judgments(report) if j.question == question.iri), None)

    def same_question(self, question: QuestionInfo, report: Report) -> QuestionInfo:
        """The question of the report's own cycle with the number of `question` (asked in another cycle), else itself."""
        return next((q for q in self.data.questions.values() if q.cycle and q.cycle == report.inspection
                     and q.number == question.number and q.overall == question.overall), question)

    def descendants(self, question: str, report: Report) -> list[str]:
        found, todo = [], list(self.children.get(question, []))
        while todo:
            child = todo.pop()
            if child in found or not self.in_report(child, report):
                continue
            found.append(child)
            todo.extend(self.children.get(child, []))
        return sorted(found)

    def unaddressed(self, targets: Iterable[str]) -> set[str]:
        """Targets flagged peel:unaddressed, or that no initiative addresses."""
        return {t for t in targets if t in self.data.unaddressed or not self.subjects(t, "addresses")}

    def mark_unaddressed(self, graph: nx.Graph, targets: Iterable[str]) -> None:
        for target in self.unaddressed(t for t in targets if t in graph):
            graph.nodes[target]["unaddressed"] = True

    # ---- pages of findings and initiatives

    def page(self, iri: str, report: Report | None) -> str | None:
        """Where the page of a finding or initiative goes, relative to the output directory."""
        folder = PAGE_KINDS.get(self.kind(iri))
        if folder is None:
            return None
        entity = self.entity(iri)
        if report is None or report.iri not in entity.reports:
            report = next((r for r in self.data.reports if r.iri in entity.reports), None)
        if report is None:
            return None
        return f"{report.key}/{folder}/{local(iri)}.html"

"""One page per core question, in columns: its judgments; the question with those of its
sub-questions that something sits under, in the report's order; the findings under them; the
initiatives answering them or discussed there; and their partners."""

from __future__ import annotations

from peelkg.views.entities import FINDING_KINDS, TARGET_KINDS, Index, question_tag
from peelkg.views.model import QuestionInfo, Report, View
from peelkg.views.panels import grade_rows, unaddressed_panel


def question_view(index: Index, report: Report, question: QuestionInfo) -> View:
    scope = [question.iri, *index.descendants(question.iri, report)]
    ranked = sorted(scope, key=lambda q: (index.data.questions[q].order if q in index.data.questions else 0, q))
    order = {q: number for number, q in enumerate(ranked)}
    judgments = [j.iri for j in index.judgments(report, current_only=False) if j.question == question.iri]
    findings = [f for f in index.findings(report) if set(index.objects(f, "question")) & set(scope)]
    initiatives = []
    for initiative in index.initiatives(report):
        sections = {e.section for e in index.entity(initiative).evidence if e.report in (None, report.iri)}
        answers = set(index.objects(initiative, "addresses")) & set(findings)
        if sections & set(scope) or answers:
            initiatives.append(initiative)
    graph = index.subgraph([question.iri])
    graph.nodes[question.iri].update(level=1, band=order[question.iri])
    for judgment in judgments:
        graph.add_node(judgment, level=0, band=0)
        graph.add_edge(judgment, question.iri, relation="question", source=judgment)

    def section(node: str, sections: set[str]) -> None:
        for where in sorted(sections & set(scope), key=order.__getitem__)[:1]:
            graph.add_node(where, level=1, band=order[where])
            graph.add_edge(node, where, relation="question" if index.kind(node) != "initiative" else "section",
                           source=node)

    for finding in findings:
        kind = index.kind(finding)
        graph.add_node(finding, level=2, band=FINDING_KINDS.index(kind) if kind in FINDING_KINDS else 9)
        section(finding, set(index.objects(finding, "question")))
    for initiative in initiatives:
        graph.add_node(initiative, level=3, band=0)
        answered = [f for f in index.objects(initiative, "addresses") if f in findings]
        for finding in answered:
            graph.add_edge(initiative, finding, relation="addresses", source=initiative)
        if not answers:
            section(initiative, {e.section for e in index.entity(initiative).evidence
                                 if e.report in (None, report.iri) and e.section})
        for partner in index.involved(initiative):
            if partner != report.force:
                graph.add_node(partner, level=4, band=0)
                graph.add_edge(initiative, partner, relation="involves", source=initiative)
    targets = [f for f in findings if index.kind(f) in TARGET_KINDS]
    index.mark_unaddressed(graph, targets)
    tag = question_tag(question)
    label = index.entity(question.iri).label if question.iri in index.data.entities else tag
    path = f"{report.key}/{tag.lower()}.html"
    return View(name=tag.lower(), title=f"{report.force_label}: {tag}. {label}", graph=graph, report=report,
                intro="The question's grades; the question and the sub-questions findings or initiatives sit "
                      "under, in the report's order; the findings; the initiatives answering them or discussed "
                      "there; and their partners.",
                grades=[r for r in grade_rows(index, report) if r.number == tag],
                panels=[unaddressed_panel(index, graph, targets, report, path)])

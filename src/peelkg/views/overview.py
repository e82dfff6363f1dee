"""Overview: a hierarchy in levels, force → questions (coloured by grade) → findings →
initiatives → partners."""

from __future__ import annotations

import networkx as nx

from peelkg.views.entities import TARGET_KINDS, Index
from peelkg.views.model import Panel, PanelItem, Report, View
from peelkg.views.panels import grade_rows, unaddressed_panel

def overview_view(index: Index, report: Report) -> View:
    questions = {q.iri: q for q in index.core_questions(report)}
    targets = index.findings(report, TARGET_KINDS)
    graph = nx.Graph()
    if report.force:
        graph.add_node(report.force, level=0, band=0)
    for number, iri in enumerate(questions):
        if iri in index.data.entities:
            graph.add_node(iri, level=1, band=number)
            judgment = index.grade_of(questions[iri], report)
            graph.nodes[iri]["grade"] = judgment.grade if judgment else "Ungraded"
            if report.force:
                graph.add_edge(report.force, iri, relation="graded", source=report.force)
    order = {iri: number for number, iri in enumerate(questions)}
    for target in targets:
        question = index.core_question_of(target)
        band = order.get(question.iri, len(order)) if question else len(order)
        graph.add_node(target, level=2, band=band)
        if question and question.iri in graph:
            graph.add_edge(question.iri, target, relation="question", source=target)
    own = set(index.initiatives(report))
    for initiative in sorted(own):
        answers = [t for t in index.objects(initiative, "addresses") if t in graph and index.kind(t) in TARGET_KINDS]
        partners = [p for p in index.involved(initiative) if p != report.force]
        if not answers and not partners:
            continue
        graph.add_node(initiative, level=3, band=0)
        for target in answers:
            graph.add_edge(initiative, target, relation="addresses", source=initiative)
        for partner in partners:
            graph.add_node(partner, level=4, band=0 if index.kind(partner) == "force" else 1)
            graph.add_edge(initiative, partner, relation="involves", source=initiative)
    index.mark_unaddressed(graph, targets)
    others = [c for c in index.collaborators(report) if c not in graph]
    panels = [unaddressed_panel(index, graph, targets, report, f"{report.key}/overview.html")]
    if others:
        panels.append(Panel(title="Also works with", items=[PanelItem(text=index.entity(o).label) for o in others],
                            note="Forces and bodies the report says the force collaborates with, "
                                 "outside any initiative it names."))
    return View(name="overview", title=f"{report.force_label}: overview", graph=graph, report=report,
                intro="Read left to right: the force, its grade on each question, the areas for improvement, "
                      "the initiatives that answer them and the partners involved. Click a node for its page.",
                grades=grade_rows(index, report), panels=panels)

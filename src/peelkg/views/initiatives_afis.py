"""Initiatives ↔ areas for improvement: three columns, questions (coloured by grade), their
findings grouped under them, and the initiatives linked to them, ordered to cross least.

Links at or above the threshold are drawn at first; the page's control shows candidates down to
a chosen score. Curated, rejected and machine links each have their own line.
"""

from __future__ import annotations

import networkx as nx

from peelkg.views.entities import TARGET_KINDS, Index
from peelkg.views.model import Link, Report, View
from peelkg.views.panels import unaddressed_panel

DEFAULT_THRESHOLD = 0.5     # the linker's default, for a graph that records no threshold
RELATION = {"above": "addresses", "curated": "curated", "rejected": "rejectedLink", "candidate": "weakLink"}
WEIGHT = {"above": 1.0, "curated": 1.0, "rejected": 0.05, "candidate": 0.2}


def threshold(report: Report, links: list[Link]) -> float:
    """The threshold the report's links graph records (peel:threshold); failing that, the lowest
    score of a machine link that became peel:addresses, else the linker's default."""
    if report.threshold is not None:
        return report.threshold
    scores = [l.score for l in links if l.review == "above" and l.score is not None]
    return round(min(scores), 2) if scores else DEFAULT_THRESHOLD


def initiatives_afis_view(index: Index, report: Report) -> View:
    targets = index.findings(report, TARGET_KINDS)
    questions = [q for q in index.core_questions(report) if q.iri in index.data.entities]
    order = {q.iri: number for number, q in enumerate(questions)}
    graph = nx.Graph()
    for question in questions:
        judgment = index.grade_of(question, report)
        graph.add_node(question.iri, level=0, band=order[question.iri],
                       grade=judgment.grade if judgment else "Ungraded")
    for target in targets:
        core = index.core_question_of(target)
        graph.add_node(target, level=1, band=order.get(core.iri, len(order)) if core else len(order))
        if core and core.iri in graph:
            graph.add_edge(core.iri, target, relation="question", source=target)
    own = set(index.initiatives(report))
    shown_links = []
    for target in targets:
        for link in index.links_by_target.get(target, []):
            if link.initiative in own:
                shown_links.append(link)
        for initiative in index.subjects(target, "addresses"):   # shortcuts without a scored link still count
            if initiative in own and not any(l.initiative == initiative for l in index.links_by_target.get(target, [])):
                shown_links.append(Link(iri="", initiative=initiative, target=target, score=None, methods=[],
                                        rationale="", shortcut=True))
    for link in shown_links:
        graph.add_node(link.initiative, level=2, band=0)
        graph.add_edge(link.initiative, link.target, relation=RELATION[link.review], source=link.initiative,
                       link=link if link.iri else None, weight=WEIGHT[link.review])
    index.mark_unaddressed(graph, targets)
    cut = threshold(report, shown_links)
    return View(name="initiatives-afis", title=f"{report.force_label}: initiatives and areas for improvement",
                graph=graph, report=report, threshold=cut,
                intro="Each area for improvement under its question (coloured by grade), and the initiatives that "
                      "answer it. Line width is the link score; curated links are dark, rejected ones red and "
                      "dotted. Use the control to show weaker candidates; click a node for its page.",
                panels=[unaddressed_panel(index, graph, targets, report, f"{report.key}/initiatives-afis.html")])

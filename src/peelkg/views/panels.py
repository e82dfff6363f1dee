"""What the network pages say beside the drawing: grades at a glance and the unaddressed findings."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from peelkg.views.assets import grade_style
from peelkg.views.entities import Index, question_tag
from peelkg.views.model import GradeRow, Judgment, Panel, PanelItem, Report
from peelkg.views.text import href, local, plural, words

PANEL_ITEMS = 60            # entries listed in a side panel


def grade_rows(index: Index, report: Report) -> list[GradeRow]:
    """The force's grade per question at a glance, with the previous inspection's grade where known."""
    rows = []
    judgments = index.judgments(report)
    for question in index.core_questions(report):
        for judgment in (j for j in judgments if j.question == question.iri):
            look = grade_style(judgment.grade)
            previous = [index.judgments_by_iri[p] for p in index.objects(judgment.iri, "previousJudgment")
                        if p in index.judgments_by_iri]
            earlier = "; ".join(f"{p.year or ''} {p.grade_label if p.grade != 'NotStated' else ''}".strip() for p in previous)
            found = words(judgment.source) if judgment.source else ""
            source = "; ".join(part for part in ("carried over", found) if part) if judgment.carried_over else found
            rows.append(GradeRow(number=question_tag(question), question=index.entity(question.iri).label
                                 if question.iri in index.data.entities else local(question.iri),
                                 grade=judgment.grade, label=judgment.grade_label, color=look["color"],
                                 text_color=look["text"], previous=earlier, source=source,
                                 question_iri=question.iri))
    return rows


def carried_note(index: Index, judgment: Judgment) -> str:
    """ "carried over from 2016, not inspected again in 2017" for a carried-over judgment, else ""."""
    if not judgment.carried_over:
        return ""
    years = [index.judgments_by_iri[p].year for p in index.objects(judgment.iri, "previousJudgment")
             if p in index.judgments_by_iri]
    since = f" from {years[0]}" if years and years[0] else ""
    return f"carried over{since}" + (f", not inspected again in {judgment.year}" if judgment.year else "")


def unaddressed_panel(index: Index, graph: nx.Graph, targets: Iterable[str], report: Report | None,
                      path: str) -> Panel:
    """The areas for improvement of a view that no initiative addresses, each linked to its page."""
    shown = [t for t in targets if t in graph]
    missing = sorted(index.unaddressed(shown), key=lambda t: index.entity(t).label)
    items = []
    for target in missing[:PANEL_ITEMS]:
        page = index.page(target, report)
        items.append(PanelItem(text=index.entity(target).label, detail=index.entity(target).description,
                               href=href(path, page) if page else ""))
    if shown:
        more = f"; the first {PANEL_ITEMS} are listed" if len(missing) > PANEL_ITEMS else ""
        verb = "has" if len(missing) == 1 else "have"
        note = f"{len(missing)} of {plural(len(shown), 'area for improvement', 'areas for improvement')} " \
               f"{verb} no initiative addressing {'it' if len(missing) == 1 else 'them'}{more}."
    else:
        note = "No area for improvement here."
    return Panel(title="Unaddressed areas for improvement", items=items, note=note, css="unaddressed")

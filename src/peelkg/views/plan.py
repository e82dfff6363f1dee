"""Which views to draw: the views of each report, and a focus view when asked."""

from __future__ import annotations

import re
from collections.abc import Sequence

import rdflib

from peelkg.views.data import read_view_data
from peelkg.views.entities import Index
from peelkg.views.focus import focus_view
from peelkg.views.initiatives_afis import initiatives_afis_view
from peelkg.views.model import Report, View, ViewData, ViewError
from peelkg.views.overview import overview_view
from peelkg.views.partners import partners_view
from peelkg.views.questions import question_view

MAIN_VIEWS = ("overview", "initiatives-afis", "partners")
VIEW_NAMES = (*MAIN_VIEWS, "questions")


def report_views(index: Index, report: Report, names: Sequence[str]) -> list[View]:
    views = []
    if "overview" in names:
        views.append(overview_view(index, report))
    if "initiatives-afis" in names:
        views.append(initiatives_afis_view(index, report))
    if "partners" in names:
        views.append(partners_view(index, report))
    for question in index.core_questions(report):
        if question.number is not None and ("questions" in names or f"q{question.number}" in names):
            views.append(question_view(index, report, question))
    return views


def check_names(names: Sequence[str]) -> None:
    for name in names:
        if name not in VIEW_NAMES and not re.fullmatch(r"q[1-9][0-9]?", name):
            raise ViewError(f"unknown view {name!r}: choose from {', '.join(VIEW_NAMES)}, q1 … q5")


def plan_views(graph: rdflib.Graph | ViewData, names: Sequence[str] | None = None, focus: str | None = None,
               depth: int = 2, through_hubs: bool = False) -> tuple[ViewData, list[View]]:
    """The views `build_views` would write, as networkx graphs, without writing anything."""
    data = graph if isinstance(graph, ViewData) else read_view_data(graph)
    names = list(names) if names else list(VIEW_NAMES)
    check_names(names)
    if not data.reports:
        raise ViewError("the graph holds no peel:Report; build the store first (`peelkg build`)")
    index = Index(data)
    views = []
    for report in data.reports:
        views.extend(report_views(index, report, names))
    if focus is not None:
        views.append(focus_view(index, focus, depth, through_hubs))
    return data, views

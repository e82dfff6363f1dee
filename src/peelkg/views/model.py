"""The plain records the view stages pass along: what is read from the graph, what a page holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from peelkg.errors import InputError


class ViewError(InputError):
    """A view cannot be built from what was asked (unknown view, label not found, empty graph)."""


# --------------------------------------------------------------------------- read from the graph


@dataclass
class Evidence:
    """A passage an entity was derived from."""

    text: str
    report: str | None
    section: str | None
    line_start: int | None
    line_end: int | None


@dataclass
class Entity:
    iri: str
    kind: str                      # a key of style.json "kinds"
    type_name: str                 # local name of its most specific type, e.g. "Operation"
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    reports: set[str] = field(default_factory=set)   # empty: shared by all reports (questions, themes ...)


@dataclass
class Judgment:
    iri: str
    question: str | None
    grade: str                     # local name of the grade: Good, RequiresImprovement ...
    grade_label: str
    report: str | None
    year: int | None
    source: str | None
    previous: bool                 # a previous inspection's judgment that a later one points back to
    carried_over: bool = False     # the report's judgment of a question it did not assess: the previous one, carried over


@dataclass
class QuestionInfo:
    iri: str
    number: int | None
    parent: str | None
    order: int
    overall: bool
    cycle: str = ""                # the inspection that asks it (peel:cycle), for the questions of a cycle


@dataclass
class Link:
    iri: str
    initiative: str
    target: str
    score: float | None
    methods: list[str]
    rationale: str
    shortcut: bool                 # above the threshold: the initiative peel:addresses the target
    evidence: list[Evidence] = field(default_factory=list)
    problem: list[Evidence] = field(default_factory=list)    # peel:problemPassage, where present
    response: list[Evidence] = field(default_factory=list)   # peel:responsePassage, where present

    @property
    def review(self) -> str:
        """The link's standing: curated (accepted or asserted), rejected, above or below the threshold."""
        if "rejected" in self.methods:
            return "rejected"
        if "curated" in self.methods:
            return "curated"
        return "above" if self.shortcut else "candidate"


@dataclass
class Ask:
    """What a finding asks for (peel:ask), where the graph says it."""

    action: str
    object: str
    purpose: str
    scope: str = ""


@dataclass
class Progress:
    """A previous finding a report follows up: a row of the named query afi-history."""

    force: str                     # the force's label
    inspection: str                # the inspection of the report that follows it up
    previous: str                  # its finding id there (q2-prior-1)
    quote: str                     # the finding as that report words it
    status: str                    # addressed, partly addressed, not addressed; "" when the report does not say
    progress: str                  # the sentence that says so
    earlier_id: str = ""           # the earlier report's finding it follows up, when that report is in the graph
    earlier_text: str = ""
    raised_again: str = ""         # the finding id of the later report that raises it again
    lines: list[int] = field(default_factory=list)   # the later report's lines of the quote and the progress


@dataclass
class Statistic:
    iri: str
    figure: str
    indicator: str
    parent: str | None
    value: float
    unit: str
    period: str
    area: str                      # IRI of a force or place, or a literal name
    area_label: str
    line: int | None


@dataclass
class Report:
    iri: str
    title: str
    label: str
    force: str | None
    force_label: str
    issued: str
    inspection: str
    year: int | None
    key: str = ""                  # folder of its views under the output directory
    threshold: float | None = None  # the linking threshold its links graph records


@dataclass
class ViewData:
    """Everything the views draw, read once from the graph."""

    entities: dict[str, Entity]
    relations: list[tuple[str, str, str]]           # (subject, property local name, object)
    judgments: list[Judgment]
    questions: dict[str, QuestionInfo]
    links: list[Link]
    unaddressed: set[str]
    statistics: list[Statistic]
    reports: list[Report]
    memberships: dict[str, set[str]]                # any resource -> reports it belongs to
    asks: dict[str, list[Ask]] = field(default_factory=dict)   # finding -> what it asks for
    progress: list[Progress] = field(default_factory=list)    # previous findings followed up, by report
    collaborations: dict[str, set[str]] = field(default_factory=dict)   # report -> parties to its collaborations


# --------------------------------------------------------------------------- what a page holds


@dataclass
class PanelItem:
    text: str
    detail: str = ""
    color: str = ""
    href: str = ""


@dataclass
class Panel:
    title: str
    items: list[PanelItem]
    note: str = ""
    css: str = ""


@dataclass
class GradeRow:
    number: str
    question: str
    grade: str
    label: str
    color: str
    text_color: str
    previous: str = ""
    source: str = ""
    question_iri: str = ""


@dataclass
class View:
    """One network page: a networkx graph of entity IRIs, each node with its `level` (column) and
    `band` (group inside the column), plus what the page says around it."""

    name: str
    title: str
    graph: nx.Graph
    report: Report | None = None
    intro: str = ""
    panels: list[Panel] = field(default_factory=list)
    grades: list[GradeRow] = field(default_factory=list)
    color_by_group: bool = False
    threshold: float | None = None    # initiatives ↔ AFIs: candidates below it are hidden at first

    @property
    def path(self) -> str:
        """Where the page goes, relative to the output directory."""
        return f"{self.report.key}/{self.name}.html" if self.report else f"{self.name}.html"

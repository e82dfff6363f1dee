"""Interactive network views: standalone HTML pages that open offline in any browser.

The views draw the graph of docs/graph.md with vis-network, the network library that pyvis
ships (inlined from the pyvis package, so no page loads anything from the network), on our
own template: pyvis 0.3.2's template links Bootstrap from a CDN and turns tooltips into raw
HTML when they contain "href". Text from the graph only reaches the page as escaped HTML or
as JSON read by the page's script into DOM text nodes, never as markup.

The core, `build_views`, takes a plain rdflib graph (the union of the named graphs of one or
more reports), so it can be used and tested without a store; `read_store` gives that graph
for a store directory.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
import networkx as nx
import rdflib
from markupsafe import Markup

from peelkg.errors import InputError, PeelkgError, first_line
from peelkg.resources import INSTANCE_BASE, package_dir

PEEL = "https://w3id.org/peelkg/ontology#"
MAIN_VIEWS = ("overview", "initiatives-afis", "partners")
VIEW_NAMES = (*MAIN_VIEWS, "questions")
LARGE_GRAPH = 2000          # above this many nodes: precomputed layout, physics off
MEDIUM_GRAPH = 300          # above this many nodes: no Kamada-Kawai seeding in the browser
LABEL_WIDTH = 28            # characters of a node label before it is shortened
QUESTION_WIDTH = 72         # questions are long and alike: they keep more words (wrapped in their box)
FINDING_WIDTH = 36          # so do findings, once the words they all open with are dropped
TIP_WIDTH = 600             # characters of a tooltip text or quote before it is shortened
SEED = 1
PANEL_ITEMS = 60            # entries listed in a side panel
VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
FINDING_KINDS = ("afi", "concern", "recommendation", "summary", "prior", "finding")
TARGET_KINDS = ("afi", "concern")
PARTNER_KINDS = ("organisation", "force")


class ViewError(InputError):
    """A view cannot be built from what was asked (unknown view, label not found, empty graph)."""


# --------------------------------------------------------------------------- what the views read


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


@dataclass
class QuestionInfo:
    iri: str
    number: int | None
    parent: str | None
    order: int
    overall: bool


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


# --------------------------------------------------------------------------- reading the graph


@cache
def _query_text(name: str) -> str:
    return (package_dir("peelkg.views") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def _rows(graph: rdflib.Graph, name: str) -> list[dict[str, rdflib.term.Node | None]]:
    result = graph.query(_query_text(name))
    names = list(result.vars or [])
    return [{str(var): row[var] for var in names} for row in result if isinstance(row, rdflib.query.ResultRow)]


def _text(node: rdflib.term.Node | None) -> str:
    return "" if node is None else str(node)


def _true(node: rdflib.term.Node | None) -> bool:
    """A boolean literal's value; False when unbound."""
    return isinstance(node, rdflib.Literal) and bool(node.toPython())


def _int(node: rdflib.term.Node | None) -> int | None:
    if node is None:
        return None
    try:
        return int(node.toPython()) if isinstance(node, rdflib.Literal) else None
    except (TypeError, ValueError):
        return None


def _float(node: rdflib.term.Node | None) -> float | None:
    if node is None:
        return None
    try:
        return float(node.toPython()) if isinstance(node, rdflib.Literal) else None
    except (TypeError, ValueError):
        return None


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _words(name: str) -> str:
    """"RequiresImprovement" -> "Requires improvement"; a fallback label from an IRI."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return spaced[:1].upper() + spaced[1:].lower() if spaced else name


def union_graph(graph: rdflib.Graph) -> rdflib.Graph:
    """A plain Graph holding every triple of `graph`, flattening the named graphs of a Dataset."""
    if not isinstance(graph, rdflib.ConjunctiveGraph):
        return graph
    union = rdflib.Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def read_view_data(graph: rdflib.Graph) -> ViewData:
    """Run the view queries (src/peelkg/views/queries/*.rq) once and gather their rows."""
    graph = union_graph(graph)
    names: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(graph, "names"):
        names[str(row["entity"])].append((_int(row["rank"]) or 9, _text(row["name"])))
    texts: dict[str, tuple[int, str]] = {}
    for row in _rows(graph, "descriptions"):
        iri, rank = str(row["entity"]), _int(row["rank"]) or 9
        if iri not in texts or rank < texts[iri][0]:
            texts[iri] = (rank, _text(row["text"]))
    evidence: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in _rows(graph, "evidence"):
        evidence[str(row["entity"])][str(row["passage"])] = Evidence(
            text=_text(row["text"]), report=_text(row["report"]) or None,
            section=_text(row["section"]) or None,
            line_start=_int(row["lineStart"]), line_end=_int(row["lineEnd"]))
    memberships: dict[str, set[str]] = defaultdict(set)
    for row in _rows(graph, "memberships"):
        memberships[str(row["entity"])].add(str(row["report"]))

    kinds: dict[str, tuple[int, str, str]] = {}
    for row in _rows(graph, "entities"):
        iri, rank = str(row["entity"]), _int(row["rank"]) or 9
        candidate = (rank, _text(row["kind"]), _local(str(row["type"])))
        if iri not in kinds or candidate < kinds[iri]:
            kinds[iri] = candidate
    entities: dict[str, Entity] = {}
    for iri, (_, kind, type_name) in sorted(kinds.items()):
        ranked = sorted(names.get(iri, []))
        label = ranked[0][1] if ranked else _words(_local(iri))
        alts = sorted({name for _, name in ranked[1:] if name != label})
        found = sorted(evidence.get(iri, {}).values(), key=lambda e: (e.line_start or 0, e.text))
        entities[iri] = Entity(iri=iri, kind=kind, type_name=type_name, label=label, alt_labels=alts,
                               description=texts.get(iri, (0, ""))[1], evidence=found,
                               reports=set(memberships.get(iri, set())))

    relations = sorted({(str(r["subject"]), _local(str(r["property"])), str(r["object"]))
                        for r in _rows(graph, "relations")})
    reports = _reports(graph, entities)
    for subject, prop, obj in relations:   # an initiative without passages belongs to its force's reports
        if prop == "force" and subject in entities and not entities[subject].reports:
            entities[subject].reports = {r.iri for r in reports if r.force == obj}

    judgments = []
    for row in _rows(graph, "judgments"):
        grade = _local(_text(row["grade"])) if row["grade"] is not None else "Ungraded"
        judgments.append(Judgment(
            iri=str(row["judgment"]), question=_text(row["question"]) or None, grade=grade,
            grade_label=_text(row["gradeLabel"]) or _grade_style(grade)["label"],
            report=_text(row["report"]) or None, year=_int(row["year"]),
            source=_local(_text(row["source"])) if row["source"] is not None else None,
            previous=_true(row["previous"])))
    judgments.sort(key=lambda j: j.iri)
    questions: dict[str, QuestionInfo] = {}
    for row in _rows(graph, "questions"):   # one row per type of the question
        iri = str(row["question"])
        overall = _true(row["overall"])
        if iri in questions:
            questions[iri].overall |= overall
            continue
        questions[iri] = QuestionInfo(iri=iri, number=_int(row["number"]), parent=_text(row["parent"]) or None,
                                      order=_int(row["order"]) or 0, overall=overall)
    links = _links(graph)
    for link in links:
        link.evidence = sorted(evidence.get(link.iri, {}).values(), key=lambda e: (e.line_start or 0, e.text))
    unaddressed = {str(r["finding"]) for r in _rows(graph, "unaddressed")}
    statistics = []
    for row in _rows(graph, "statistics"):
        value = _float(row["value"])
        if value is None:
            continue
        area = row["area"]
        area_label = _text(row["areaLabel"]) or (_text(area) if isinstance(area, rdflib.Literal) else "")
        statistics.append(Statistic(
            iri=str(row["statistic"]), figure=_text(row["figure"]), indicator=_text(row["indicator"]),
            parent=_text(row["parent"]) or None, value=value, unit=_text(row["unit"]),
            period=_text(row["period"]), area=_text(area),
            area_label=area_label or _words(_local(_text(area))), line=_int(row["lineStart"])))
    statistics.sort(key=lambda s: (s.line or 0, s.iri))
    return ViewData(entities=entities, relations=relations, judgments=judgments, questions=questions,
                    links=links, unaddressed=unaddressed, statistics=statistics, reports=reports,
                    memberships=dict(memberships))


def _reports(graph: rdflib.Graph, entities: dict[str, Entity]) -> list[Report]:
    found: dict[str, Report] = {}
    for row in _rows(graph, "reports"):
        iri = str(row["report"])
        if iri in found:
            continue
        force = _text(row["force"]) or None
        force_label = entities[force].label if force in entities else _words(_local(force or "force"))
        issued = row["issued"]
        found[iri] = Report(iri=iri, title=_text(row["title"]) or _text(row["label"]) or _words(_local(iri)),
                            label=_text(row["label"]), force=force, force_label=force_label,
                            issued=str(issued) if issued is not None else "",
                            inspection=_text(row["inspection"]), year=_int(row["year"]))
    reports = sorted(found.values(), key=lambda r: (r.force_label, r.year or 0, r.iri))
    used: set[str] = set()
    for report in reports:
        key = _report_key(report)
        while key in used:
            key += "-2"
        used.add(key)
        report.key = key
    return reports


def _links(graph: rdflib.Graph) -> list[Link]:
    gathered: dict[str, Link] = {}
    for row in _rows(graph, "links"):
        iri = str(row["link"])
        link = gathered.setdefault(iri, Link(
            iri=iri, initiative=str(row["initiative"]), target=str(row["target"]), score=_float(row["score"]),
            methods=[], rationale=_text(row["rationale"]),
            shortcut=_true(row["shortcut"])))
        method = _text(row["method"])
        if method and method not in link.methods:
            link.methods.append(_local(method) if method.startswith("http") else method)
    for link in gathered.values():
        link.methods.sort()
    return sorted(gathered.values(), key=lambda l: l.iri)


def slug(text: str, limit: int = 60) -> str:
    """A lower-case ASCII file-name slug, never empty."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return value or "view"


def _report_key(report: Report) -> str:
    base = INSTANCE_BASE + "report/"
    if report.iri.startswith(base):
        parts = [slug(part) for part in report.iri[len(base):].split("/") if part]
        if parts:
            return "/".join(parts)
    return slug(f"{report.force_label} {report.inspection or report.year or report.title}")


# --------------------------------------------------------------------------- style


@cache
def style() -> dict:
    """Colours, shapes and labels per kind of node, grade and relation (view_templates/style.json)."""
    return json.loads(_template_path("style.json").read_text(encoding="utf-8"))


@cache
def _base_options() -> dict:
    return json.loads(_template_path("options.json").read_text(encoding="utf-8"))


def _template_path(name: str) -> Path:
    return package_dir("peelkg.views") / "templates" / name


def _grade_style(grade: str) -> dict:
    grades = style()["grades"]
    return grades.get(grade, {"label": _words(grade), "color": "#bababa", "text": "#000000"})


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """One line of at most `width` characters, cut at a word boundary with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space > width * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


# --------------------------------------------------------------------------- the entity graph


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

    # ---- what belongs to a report

    def initiatives(self, report: Report) -> list[str]:
        return sorted(i for i, e in self.data.entities.items() if e.kind == "initiative"
                      and report.iri in e.reports
                      and (not self.objects(i, "force") or report.force in self.objects(i, "force")))

    def findings(self, report: Report, kinds: Sequence[str] = FINDING_KINDS) -> list[str]:
        return sorted(f for f, e in self.data.entities.items() if e.kind in kinds and report.iri in e.reports)

    def partners(self, initiatives: Iterable[str], report: Report) -> list[str]:
        found = {o for i in initiatives for o in self.objects(i, "involves") if self.kind(o) in PARTNER_KINDS}
        if report.force:
            found |= {o for o in self.objects(report.force, "collaboratesWith") if self.kind(o) in PARTNER_KINDS}
            found |= {s for s in self.subjects(report.force, "collaboratesWith") if self.kind(s) in PARTNER_KINDS}
        found.discard(report.force)
        return sorted(found)

    def judgments(self, report: Report, current_only: bool = True) -> list[Judgment]:
        return [j for j in self.judgments_by_report.get(report.iri, []) if not (current_only and j.previous)]

    def core_questions(self, report: Report) -> list[QuestionInfo]:
        """The overall and numbered questions this report grades or has findings on, in order."""
        used = {j.question for j in self.judgments(report, current_only=False)}
        used |= {q for f in self.findings(report) for q in self.objects(f, "question")}
        found = [self.data.questions[q] for q in used if q in self.data.questions
                 and (self.data.questions[q].number is not None or self.data.questions[q].overall)]
        return sorted(found, key=lambda q: (q.number or 0, q.order, q.iri))

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


# --------------------------------------------------------------------------- views


@dataclass
class PanelItem:
    text: str
    detail: str = ""
    color: str = ""


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


@dataclass
class View:
    """One page: a networkx graph of entity IRIs plus what the page says around it."""

    name: str
    title: str
    graph: nx.Graph
    report: Report | None = None
    intro: str = ""
    panels: list[Panel] = field(default_factory=list)
    grades: list[GradeRow] = field(default_factory=list)
    color_by_group: bool = False

    @property
    def path(self) -> str:
        """Where the page goes, relative to the output directory."""
        return f"{self.report.key}/{self.name}.html" if self.report else f"{self.name}.html"


def _subgraph(index: Index, nodes: Iterable[str]) -> nx.Graph:
    keep = sorted(set(nodes) & set(index.data.entities))
    graph = nx.Graph()
    graph.add_nodes_from(keep)
    graph.add_edges_from((a, b, dict(attrs)) for a, b, attrs in index.graph.subgraph(keep).edges(data=True))
    return graph


def _question_tag(question: QuestionInfo) -> str:
    return "Overall" if question.overall or question.number is None else f"Q{question.number}"


def grade_rows(index: Index, report: Report) -> list[GradeRow]:
    """The force's grade per question at a glance, with the previous inspection's grade where known."""
    rows = []
    judgments = index.judgments(report)
    for question in index.core_questions(report):
        for judgment in (j for j in judgments if j.question == question.iri):
            look = _grade_style(judgment.grade)
            previous = [index.judgments_by_iri[p] for p in index.objects(judgment.iri, "previousJudgment")
                        if p in index.judgments_by_iri]
            earlier = "; ".join(f"{p.year or ''} {p.grade_label}".strip() for p in previous)
            rows.append(GradeRow(number=_question_tag(question), question=index.entity(question.iri).label
                                 if question.iri in index.data.entities else _local(question.iri),
                                 grade=judgment.grade, label=judgment.grade_label, color=look["color"],
                                 text_color=look["text"], previous=earlier,
                                 source=_words(judgment.source) if judgment.source else ""))
    return rows


def overview_view(index: Index, report: Report) -> View:
    initiatives = index.initiatives(report)
    judgments = index.judgments(report)
    targets = index.findings(report, TARGET_KINDS)
    questions = [q.iri for q in index.core_questions(report)]
    nodes = {report.force, *questions, *(j.iri for j in judgments), *targets, *initiatives,
             *index.partners(initiatives, report)}
    graph = _subgraph(index, (n for n in nodes if n))
    _mark_unaddressed(index, graph, targets)
    return View(name="overview", title=f"{report.force_label}: overview", graph=graph, report=report,
                intro="The force, its grade on each question, the areas for improvement, the initiatives "
                      "that answer them and the partners involved.",
                grades=grade_rows(index, report),
                panels=[_unaddressed_panel(index, graph, targets)])


def initiatives_afis_view(index: Index, report: Report) -> View:
    initiatives = index.initiatives(report)
    targets = index.findings(report, TARGET_KINDS)
    graph = nx.Graph()
    graph.add_nodes_from(sorted({*initiatives, *targets}))
    for link in index.data.links:
        if link.initiative in graph and link.target in graph:
            graph.add_edge(link.initiative, link.target, relation=_link_relation(link), source=link.initiative, link=link)
    for target in targets:   # shortcuts without a scored link still count
        for initiative in index.subjects(target, "addresses"):
            if initiative in graph and not graph.has_edge(initiative, target):
                graph.add_edge(initiative, target, relation="addresses", source=initiative)
    _mark_unaddressed(index, graph, targets)
    return View(name="initiatives-afis", title=f"{report.force_label}: initiatives and areas for improvement",
                graph=graph, report=report,
                intro="Which initiatives answer which areas for improvement: line width is the link score, "
                      "dashed lines are below the threshold (red: an analyst rejected the link); "
                      "hover a line for its rationale.",
                panels=[_unaddressed_panel(index, graph, targets)])


def _link_relation(link: Link) -> str:
    """addresses (above the threshold), rejectedLink (an analyst rejected it) or weakLink (below the threshold)."""
    if link.shortcut:
        return "addresses"
    return "rejectedLink" if "rejected" in link.methods else "weakLink"


def partners_view(index: Index, report: Report) -> View:
    initiatives = index.initiatives(report)
    nodes = {report.force, *initiatives, *index.partners(initiatives, report)}
    graph = _subgraph(index, (n for n in nodes if n))
    graph.remove_edges_from([(a, b) for a, b, r in graph.edges(data="relation") if r not in
                             ("force", "involves", "collaboratesWith")])
    centrality = _centrality(graph)
    groups = _communities(graph)
    top = max(centrality.values(), default=0.0) or 1.0
    for node in graph:
        graph.nodes[node]["size"] = 10 + 30 * math.sqrt(centrality.get(node, 0.0) / top)
        graph.nodes[node]["group"] = groups.get(node, 0)
        graph.nodes[node]["centrality"] = centrality.get(node, 0.0)
    members: dict[int, list[str]] = defaultdict(list)
    for node, group in groups.items():
        members[group].append(node)
    palette = style()["communities"]
    items = []
    for group in sorted(members)[:PANEL_ITEMS]:
        ranked = sorted(members[group], key=lambda n: (-centrality.get(n, 0.0), index.entity(n).label))
        items.append(PanelItem(text=f"Group {group + 1} ({len(ranked)})",
                               detail=", ".join(index.entity(n).label for n in ranked[:4])
                               + (", …" if len(ranked) > 4 else ""),
                               color=palette[group % len(palette)]))
    return View(name="partners", title=f"{report.force_label}: partners", graph=graph, report=report,
                intro="Organisations and other forces around the force's initiatives. Node size is "
                      "betweenness centrality (who connects the network); colour is the community "
                      "found by Louvain modularity.",
                panels=[Panel(title="Communities", items=items)], color_by_group=True)


def question_view(index: Index, report: Report, question: QuestionInfo) -> View:
    scope = {question.iri, *index.descendants(question.iri, report)}
    judgments = [j.iri for j in index.judgments(report, current_only=False) if j.question == question.iri]
    findings = [f for f in index.findings(report) if set(index.objects(f, "question")) & scope]
    initiatives = []
    for initiative in index.initiatives(report):
        sections = {e.section for e in index.entity(initiative).evidence if e.report in (None, report.iri)}
        answers = set(index.objects(initiative, "addresses")) & set(findings)
        if sections & scope or answers:
            initiatives.append(initiative)
    partners = {o for i in initiatives for o in index.objects(i, "involves") if index.kind(o) in PARTNER_KINDS}
    graph = _subgraph(index, {*scope, *judgments, *findings, *initiatives, *partners})
    targets = [f for f in findings if index.kind(f) in TARGET_KINDS]
    _mark_unaddressed(index, graph, targets)
    tag = _question_tag(question)
    label = index.entity(question.iri).label if question.iri in index.data.entities else tag
    return View(name=tag.lower(),
                title=f"{report.force_label}: {tag}. {label}", graph=graph, report=report,
                intro="The question, its sub-questions, the findings under it, the initiatives discussed "
                      "there or answering its areas for improvement, and their partners.",
                grades=[r for r in grade_rows(index, report) if r.number == tag],
                panels=[_unaddressed_panel(index, graph, targets)])


def focus_view(index: Index, label: str, depth: int) -> View:
    """The neighbourhood of every entity whose label or alias is `label` (case-insensitive)."""
    if depth < 0:
        raise ViewError(f"--depth must be 0 or more, not {depth}")
    wanted = " ".join(label.split()).casefold()
    centres = sorted(iri for iri, e in index.data.entities.items()
                     if wanted in {" ".join(n.split()).casefold() for n in (e.label, *e.alt_labels)}
                     or iri == label)
    if not centres:
        names = sorted({n for e in index.data.entities.values() for n in (e.label, *e.alt_labels)})
        close = difflib.get_close_matches(label, names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
            "; labels and aliases are matched whole, ignoring case"
        raise ViewError(f"no entity labelled {label!r} in the graph{hint}")
    nodes: set[str] = set()
    for centre in centres:
        nodes |= set(nx.ego_graph(index.graph, centre, radius=depth))
    graph = _subgraph(index, nodes)
    for centre in centres:
        graph.nodes[centre]["focus"] = True
    targets = [n for n in graph if index.kind(n) in TARGET_KINDS]
    _mark_unaddressed(index, graph, targets)
    shown = index.entity(centres[0]).label if len(centres) == 1 else label
    return View(name=f"focus-{slug(label)}", title=f"Around “{shown}” (depth {depth})", graph=graph,
                intro=f"Everything within {depth} step{'s' if depth != 1 else ''} of "
                      f"{len(centres)} matching entit{'ies' if len(centres) != 1 else 'y'}.")


def _mark_unaddressed(index: Index, graph: nx.Graph, targets: Iterable[str]) -> None:
    for target in index.unaddressed(t for t in targets if t in graph):
        graph.nodes[target]["unaddressed"] = True


def _unaddressed_panel(index: Index, graph: nx.Graph, targets: Iterable[str]) -> Panel:
    shown = [t for t in targets if t in graph]
    missing = sorted(index.unaddressed(shown), key=lambda t: index.entity(t).label)
    items = [PanelItem(text=index.entity(t).label, detail=index.entity(t).description)
             for t in missing[:PANEL_ITEMS]]
    note = f"{len(missing)} of {len(shown)} areas for improvement have no initiative addressing them" \
        f"{f'; the first {PANEL_ITEMS} are listed' if len(missing) > PANEL_ITEMS else ''}." \
        if shown else "No area for improvement here."
    return Panel(title="Unaddressed areas for improvement", items=items, note=note, css="unaddressed")


def _centrality(graph: nx.Graph) -> dict[str, float]:
    if graph.number_of_nodes() < 3:
        return {n: 1.0 for n in graph}
    sample = None if graph.number_of_nodes() <= 256 else 256
    return nx.betweenness_centrality(graph, k=sample, seed=SEED)


def _communities(graph: nx.Graph) -> dict[str, int]:
    """Node -> community number, largest community first, stable for the same graph."""
    if graph.number_of_edges() == 0:
        return {n: 0 for n in graph}
    found = nx.community.louvain_communities(graph, seed=SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered) for node in members}


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


def _check_names(names: Sequence[str]) -> None:
    for name in names:
        if name not in VIEW_NAMES and not re.fullmatch(r"q[1-9][0-9]?", name):
            raise ViewError(f"unknown view {name!r}: choose from {', '.join(VIEW_NAMES)}, q1 … q5")


def plan_views(graph: rdflib.Graph | ViewData, names: Sequence[str] | None = None,
               focus: str | None = None, depth: int = 2) -> tuple[ViewData, list[View]]:
    """The views `build_views` would write, as networkx graphs, without writing anything."""
    data = graph if isinstance(graph, ViewData) else read_view_data(graph)
    names = list(names) if names else list(VIEW_NAMES)
    _check_names(names)
    if not data.reports:
        raise ViewError("the graph holds no peel:Report; build the store first (`peelkg build`)")
    index = Index(data)
    views = []
    for report in data.reports:
        views.extend(report_views(index, report, names))
    if focus is not None:
        views.append(focus_view(index, focus, depth))
    return data, views


# --------------------------------------------------------------------------- rendering


def build_views(graph: rdflib.Graph | ViewData, out_dir: Path, names: Sequence[str] | None = None,
                focus: str | None = None, depth: int = 2) -> list[Path]:
    """Write the views and an index.html linking them into `out_dir`; returns the files written.

    `names`: overview, initiatives-afis, partners, questions (= every core question), q1 … q5;
    none means all of them. `focus` adds the ego view of the entities labelled (or aliased)
    `focus`, out to `depth` steps. The index links the views written by this call.
    """
    data, views = plan_views(graph, names, focus, depth)
    index = Index(data)
    out_dir = Path(out_dir)
    written = []
    for view in views:
        written.append(_write(out_dir, view.path, render_view(view, index)))
    written.append(_write(out_dir, "index.html", render_index(data, index, views)))
    return written


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(package_dir("peelkg.views") / "templates")),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


@cache
def vis_javascript() -> str:
    """The vis-network bundle shipped inside the pyvis package, safe to inline in a <script>."""
    path = resources.files("pyvis").joinpath(*VIS_JS)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PeelkgError(f"cannot read vis-network from the pyvis package ({error}); reinstall pyvis") from error
    return text.replace("</script", "<\\/script")


def _asset(name: str) -> str:
    return _template_path(name).read_text(encoding="utf-8")


def _relative_root(view: View) -> str:
    depth = view.path.count("/")
    return "../" * depth


def render_view(view: View, index: Index) -> str:
    """The HTML page of one view."""
    nodes, edges, positions = _vis_data(view, index)
    options = copy.deepcopy(_base_options())
    count = view.graph.number_of_nodes()
    if count > MEDIUM_GRAPH:
        options["layout"]["improvedLayout"] = False
    if positions:
        options["physics"] = {"enabled": False}
        options["interaction"]["hideEdgesOnDrag"] = True
        options["interaction"]["hideEdgesOnZoom"] = True
    payload = {"nodes": nodes, "edges": edges, "options": options}
    kinds = style()["kinds"]
    counts: dict[str, int] = defaultdict(int)
    for node in view.graph:
        counts[index.kind(node)] += 1
    legend = [{"kind": kind, "label": kinds[kind]["label"], "glyph": kinds[kind]["glyph"],
               "color": "#555555" if view.color_by_group else kinds[kind]["color"], "count": counts[kind]}
              for kind in kinds if counts.get(kind)]
    unaddressed = sum(1 for n in view.graph if view.graph.nodes[n].get("unaddressed"))
    if unaddressed:
        look = style()["unaddressed"]
        legend.append({"kind": "", "label": look["label"], "glyph": look["glyph"], "color": look["color"],
                       "count": unaddressed})
    search = sorted({name for node in view.graph for name in
                     (index.entity(node).label, *index.entity(node).alt_labels)})
    return _environment().get_template("network.html").render(
        view=view, root=_relative_root(view), legend=legend, search=search, data=payload,
        node_count=count, edge_count=view.graph.number_of_edges(), large=bool(positions),
        css=Markup(_asset("view.css")), script=Markup(_asset("view.js")), vis=Markup(vis_javascript()))


def _vis_data(view: View, index: Index) -> tuple[list[dict], list[dict], dict]:
    """vis-network node and edge records, built directly (pyvis's add_node is quadratic)."""
    graph = view.graph
    kinds, unaddressed_look = style()["kinds"], style()["unaddressed"]
    palette = style()["communities"]
    positions = _layout(graph) if graph.number_of_nodes() > LARGE_GRAPH else {}
    ids = {node: number for number, node in enumerate(graph)}
    judgments = index.judgments_by_iri
    labels = node_labels(index, graph)
    nodes = []
    for node in graph:
        entity, attrs = index.entity(node), graph.nodes[node]
        look = kinds.get(entity.kind, kinds["finding"])
        color, border, label = look["color"], look["color"], labels[node]
        shape, size, border_width = look["shape"], attrs.get("size", look["size"]), 1
        font: dict = {}
        if entity.kind == "judgment" and node in judgments:
            color = border = _grade_style(judgments[node].grade)["color"]
        if view.color_by_group:
            color = palette[attrs.get("group", 0) % len(palette)]
        if attrs.get("unaddressed"):
            color, border = unaddressed_look["color"], unaddressed_look["border"]
            shape, size, border_width = unaddressed_look["shape"], unaddressed_look["size"], 3
            label = unaddressed_look["prefix"] + label
        if attrs.get("focus"):
            border, border_width = style()["focus"]["border"], style()["focus"]["borderWidth"]
        if shape == "box":
            font = {"color": "#ffffff" if entity.kind == "question" else "#000000", "strokeWidth": 0}
        record = {"id": ids[node], "label": label, "shape": shape, "size": round(size, 1),
                  "borderWidth": border_width, "kind": entity.kind,
                  "color": {"background": color, "border": border,
                            "highlight": {"background": color, "border": "#000000"},
                            "hover": {"background": color, "border": "#000000"}},
                  "search": " | ".join([entity.label, *entity.alt_labels]).casefold(),
                  "tip": _node_tip(index, entity, judgments, attrs)}
        if font:
            record["font"] = font
        if attrs.get("unaddressed"):
            record["shapeProperties"] = {"borderDashes": [4, 3]}
            record["unaddressed"] = True
        if node in positions:
            record["x"], record["y"] = positions[node]
        nodes.append(record)
    relations = style()["relations"]
    edges = []
    for number, (a, b, attrs) in enumerate(graph.edges(data=True)):
        relation = attrs.get("relation", "")
        look = relations.get(relation, {"label": _words(relation), "color": "#adb5bd"})
        source = attrs.get("source", a)
        target = b if source == a else a
        link: Link | None = attrs.get("link")
        record = {"id": number, "from": ids[source], "to": ids[target], "color": look["color"],
                  "dashes": bool(look.get("dashes")), "relation": relation,
                  "tip": _edge_tip(index, source, target, look["label"], link)}
        if relation in ("addresses", "weakLink", "rejectedLink"):
            record["arrows"] = "to"
            score = link.score if link and link.score is not None else 0.5
            record["width"] = round(1 + 7 * max(0.0, min(1.0, score)), 2)
        edges.append(record)
    return nodes, edges, positions


def node_labels(index: Index, graph: nx.Graph) -> dict[str, str]:
    """Short labels. Findings of one kind often open alike ("The force should ..."): the words
    they all share are dropped and the question they belong to is put in front."""
    labels = {node: _node_label(index, index.entity(node)) for node in graph}
    for kind in FINDING_KINDS:
        alike = [n for n in graph if index.kind(n) == kind]
        words = [index.entity(n).label.split() for n in alike]
        shared = 0
        while len(words) > 1 and all(len(w) > shared + 1 for w in words) \
                and len({w[shared].casefold() for w in words}) == 1:
            shared += 1
        for node, label_words in zip(alike, words):
            rest = " ".join(label_words[shared:]) if shared >= 2 else " ".join(label_words)
            questions = [index.data.questions[q] for q in index.objects(node, "question") if q in index.data.questions]
            tag = f"{_question_tag(questions[0])}: " if questions and not rest.startswith(_question_tag(questions[0])) else ""
            labels[node] = tag + shorten(("…" if shared >= 2 else "") + rest, FINDING_WIDTH)
    return labels


def _node_label(index: Index, entity: Entity) -> str:
    judgments = index.judgments_by_iri
    if entity.kind == "judgment" and entity.iri in judgments:
        judgment = judgments[entity.iri]
        question = index.data.questions.get(judgment.question or "")
        tag = _question_tag(question) if question else ""
        year = f"{judgment.year} " if judgment.previous and judgment.year else ""
        return f"{year}{tag}: {judgment.grade_label}".strip(": ")
    if entity.kind == "question" and entity.iri in index.data.questions:
        return f"{_question_tag(index.data.questions[entity.iri])} {shorten(entity.label, QUESTION_WIDTH)}"
    if entity.kind == "subquestion":
        return shorten(entity.label, QUESTION_WIDTH)
    return shorten(entity.label)


def _lines(evidence: Evidence) -> str:
    if evidence.line_start is None:
        return ""
    if evidence.line_end is None or evidence.line_end == evidence.line_start:
        return f"line {evidence.line_start}"
    return f"lines {evidence.line_start}–{evidence.line_end}"


def _evidence_tip(evidence: list[Evidence]) -> tuple[str, str]:
    if not evidence:
        return "", ""
    first = evidence[0]
    source = _lines(first)
    if len(evidence) > 1:
        more = ", ".join(filter(None, (_lines(e) for e in evidence[1:4])))
        source += f" (also {more}{', …' if len(evidence) > 4 else ''})" if more else ""
    return shorten(first.text, TIP_WIDTH), ("Report " + source) if source else ""


def _node_tip(index: Index, entity: Entity, judgments: dict[str, Judgment], attrs: dict) -> dict:
    kind = style()["kinds"].get(entity.kind, {}).get("label", entity.kind)
    kind_line = kind if _words(entity.type_name) == kind or entity.kind == "judgment" \
        else f"{kind} · {_words(entity.type_name)}"
    text = entity.description
    if entity.kind == "judgment" and entity.iri in judgments:
        j = judgments[entity.iri]
        text = f"Grade: {j.grade_label}" + (f" ({j.year})" if j.year else "") + \
            (f", read from {_words(j.source).lower()}" if j.source else "")
    if attrs.get("unaddressed"):
        kind_line += " · no initiative addresses it"
    if "centrality" in attrs:
        kind_line += f" · centrality {attrs['centrality']:.2f}"
    quote, source = _evidence_tip(entity.evidence)
    if quote and " ".join(quote.split()) == " ".join(text.split()):
        text = ""
    return {"title": entity.label, "kind": kind_line, "also": ", ".join(entity.alt_labels),
            "text": shorten(text, TIP_WIDTH) if text else "", "quote": quote, "source": source, "iri": entity.iri}


def _edge_tip(index: Index, source: str, target: str, relation: str, link: Link | None) -> dict:
    title = f"{index.entity(source).label} → {index.entity(target).label}"
    if link is None:
        return {"title": title, "kind": relation, "also": "", "text": "", "quote": "", "source": "", "iri": ""}
    parts = [relation]
    if link.score is not None:
        parts.append(f"score {link.score:.2f}")
    if link.methods:
        parts.append(", ".join(link.methods))
    quote, lines = _evidence_tip(link.evidence)
    return {"title": title, "kind": " · ".join(parts), "also": "", "text": shorten(link.rationale, TIP_WIDTH),
            "quote": quote, "source": lines, "iri": link.iri}


def _layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Positions for graphs too big for the browser's physics: each community laid out alone,
    the communities packed on a sunflower spiral, largest in the middle.

    A spring layout of the whole graph costs O(n²) per iteration (half a minute at 5,000 nodes);
    laying out each Louvain community separately keeps every step small.
    """
    groups = _communities(graph)
    members: dict[int, list[str]] = defaultdict(list)
    for node in graph:
        members[groups.get(node, 0)].append(node)
    positions: dict[str, tuple[float, float]] = {}
    golden = math.pi * (3 - math.sqrt(5))
    area = 0.0
    for number in sorted(members):
        nodes = members[number]
        radius = 30 * math.sqrt(len(nodes)) + 20
        distance = 0.0 if number == 0 else math.sqrt(area / math.pi) + radius
        area += math.pi * (radius * 1.15) ** 2
        centre = (distance * math.cos(number * golden), distance * math.sin(number * golden))
        sub = graph.subgraph(nodes)
        if len(nodes) == 1:
            local = {nodes[0]: (0.0, 0.0)}
        elif len(nodes) <= 600:
            local = nx.spring_layout(sub, seed=SEED, iterations=40)
        else:
            local = nx.circular_layout(sorted(nodes))
        for node, (x, y) in local.items():
            positions[node] = (round(centre[0] + radius * float(x), 1), round(centre[1] + radius * float(y), 1))
    return positions


# --------------------------------------------------------------------------- index page and chart


@dataclass
class ChartRow:
    label: str
    full: str
    force: float | None
    comparator: float | None


@dataclass
class Chart:
    caption: str
    unit: str
    force_label: str
    comparator_label: str
    rows: list[ChartRow]


def figure_charts(index: Index, report: Report) -> list[Chart]:
    """The report's figure statistics, force beside its comparator (England and Wales), one chart per figure and unit."""
    grouped: dict[tuple[str, str], dict[tuple, ChartRow]] = {}
    comparators: dict[tuple[str, str], str] = {}
    for stat in index.data.statistics:
        if report.iri not in index.data.memberships.get(stat.iri, set()):
            continue
        key = (stat.figure, stat.unit)
        full = f"{stat.parent}: {stat.indicator}" if stat.parent else stat.indicator
        row = grouped.setdefault(key, {}).setdefault(
            (stat.parent, stat.indicator, stat.period), ChartRow(label=_row_label(stat), full=full,
                                                                 force=None, comparator=None))
        if stat.area == report.force:
            row.force = stat.value
        else:
            row.comparator = stat.value
            comparators.setdefault(key, stat.area_label)
    charts = []
    for (caption, unit), rows in grouped.items():
        charts.append(Chart(caption=caption, unit=unit, force_label=report.force_label,
                            comparator_label=comparators.get((caption, unit), "Comparator"),
                            rows=list(rows.values())))
    return charts


def _row_label(stat: Statistic, width: int = 46) -> str:
    """The indicator, after as much of its group row's name as fits."""
    indicator = shorten(stat.indicator, width - 10 if stat.parent else width)
    if not stat.parent:
        return indicator
    return f"{shorten(stat.parent, max(width - len(indicator) - 2, 8))}: {indicator}"


def chart_svg(chart: Chart) -> Markup:
    """An inline SVG bar chart (no script, no external resource) drawn by view_templates/chart.svg."""
    label_width, bar_width, bar, gap, top = 300, 320, 11, 10, 34
    values = [v for row in chart.rows for v in (row.force, row.comparator) if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return round(label_width + (value - low) / span * bar_width, 1)

    rows = []
    for number, row in enumerate(chart.rows):
        y = top + number * (2 * bar + gap)
        bars = []
        for offset, value, css in ((0, row.force, "force"), (bar, row.comparator, "comparator")):
            if value is None:
                continue
            start, end = sorted((x(0.0), x(value)))
            bars.append({"x": start, "y": y + offset, "width": max(round(end - start, 1), 0.5), "height": bar - 1,
                         "css": css, "value": f"{value:g}", "text_x": round(max(x(0.0), x(value)) + 4, 1),
                         "text_y": y + offset + bar - 2})
        rows.append({"label": row.label, "full": row.full, "y": y + bar + 3, "bars": bars})
    height = top + len(chart.rows) * (2 * bar + gap) + 8
    colours = style()["chart"]
    return Markup(_environment().get_template("chart.svg").render(
        chart=chart, rows=rows, width=label_width + bar_width + 70, height=height, zero=x(0.0), top=top - 6,
        bottom=height - 6, colours=colours, label_width=label_width))


def render_index(data: ViewData, index: Index, views: list[View]) -> str:
    sections = []
    for report in data.reports:
        targets = index.findings(report, TARGET_KINDS)
        initiatives = index.initiatives(report)
        sections.append({
            "report": report,
            "grades": grade_rows(index, report),
            "charts": [(chart, chart_svg(chart)) for chart in figure_charts(index, report)],
            "views": [v for v in views if v.report is report],
            "counts": {"areas for improvement or causes of concern": len(targets),
                       "unaddressed": len(index.unaddressed(targets)),
                       "initiatives": len(initiatives),
                       "partners": len(index.partners(initiatives, report))},
        })
    others = [v for v in views if v.report is None]
    return _environment().get_template("index.html").render(
        sections=sections, others=others, css=Markup(_asset("view.css")), colours=style()["chart"])


# --------------------------------------------------------------------------- files


def _write(out_dir: Path, relative: str, text: str) -> Path:
    """Write UTF-8 text atomically (temporary file, then rename) at a path inside `out_dir`."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if root != target and root not in target.parents:
        raise ViewError(f"{relative}: refusing to write outside {out_dir}")
    temp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False) as handle:
            temp = Path(handle.name)
            handle.write(text)
        os.replace(temp, target)
    except OSError as error:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise ViewError(f"{target}: cannot write the view ({error.strerror or error})") from error
    return target


def read_store(store_dir: Path) -> rdflib.Graph:
    """The union of every named graph of a store, as a plain in-memory rdflib Graph."""
    from peelkg.graph import store as st

    store = st.open_store(Path(store_dir), read_only=True)
    union = rdflib.Graph()
    for iri in st.graph_names(store):
        union += st.read_graph(store, iri)
    return union


# --------------------------------------------------------------------------- screenshots


def save_screenshots(pages: Sequence[Path], out_dir: Path, executable: str = CHROMIUM,
                     size: tuple[int, int] = (1400, 900)) -> list[Path]:
    """PNG screenshots of the index, the main views of the first report and any focus view, taken in
    headless Chromium once each layout has settled (needs the playwright package and Chromium)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ViewError("screenshots need the playwright package: pip install playwright") from error
    if not Path(executable).exists():
        raise ViewError(f"screenshots need Chromium at {executable}: apt-get install chromium")
    chosen: dict[str, Path] = {}
    for written in pages:
        name = written.stem
        if name in ("index", *MAIN_VIEWS) or name.startswith("focus-"):
            chosen.setdefault(name, written)
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            for name, path in sorted(chosen.items()):
                page.goto(path.resolve().as_uri())
                if name != "index":
                    page.wait_for_function("window.peelkgView && window.peelkgView.settled", timeout=120_000)
                    page.wait_for_timeout(300)
                target = out_dir / f"{name}.png"
                temp = out_dir / f".{name}.png.tmp"
                page.screenshot(path=str(temp), full_page=name == "index", type="png")
                os.replace(temp, target)
                shots.append(target)
            browser.close()
    except PlaywrightError as error:
        raise ViewError(f"screenshots failed in Chromium: {first_line(error)}") from error
    return shots

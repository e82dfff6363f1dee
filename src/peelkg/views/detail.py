"""A page per finding (area for improvement, cause of concern) and per initiative: the evidence
behind each, every candidate link with its score, method, rationale and review state, and the
partners involved. Static and offline; every text from the graph is escaped by the templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from peelkg.views.assets import asset, environment, grade_style, style
from peelkg.views.entities import Index, question_tag
from peelkg.views.model import Ask, Entity, Evidence, Link, Report
from peelkg.views.network import lines
from peelkg.views.text import href, up, words

REVIEW = {"curated": "curated: accepted or asserted by an analyst", "above": "at or above the threshold",
          "candidate": "candidate below the threshold", "rejected": "rejected by an analyst"}
REVIEW_ORDER = ("curated", "above", "candidate", "rejected")


@dataclass
class Passage:
    text: str
    where: str
    line: int = 0


@dataclass
class Named:
    label: str
    href: str = ""
    detail: str = ""


@dataclass
class Candidate:
    """One link of a finding's page (seen from the finding) or of an initiative's page (seen from it)."""

    other: Named
    score: str
    methods: str
    rationale: str
    review: str
    review_label: str
    evidence: list[Passage] = field(default_factory=list)
    problem: list[Passage] = field(default_factory=list)
    response: list[Passage] = field(default_factory=list)


@dataclass
class DetailPage:
    path: str
    title: str
    kind: str
    entity: Entity
    report: Report
    text: str
    evidence: list[Passage]
    question: str = ""
    grade: dict | None = None
    asks: list[Ask] = field(default_factory=list)
    problem: list[Passage] = field(default_factory=list)
    response: list[Passage] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    partners: list[Named] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    unaddressed: bool = False


def _passages(evidence: list[Evidence]) -> list[Passage]:
    return [Passage(text=e.text, where=lines(e), line=e.line_start or 0) for e in evidence if e.text]


def _unique(groups: list[list[Passage]]) -> list[Passage]:
    seen, found = set(), []
    for group in groups:
        for passage in group:
            if (passage.where, passage.text) not in seen:
                seen.add((passage.where, passage.text))
                found.append(passage)
    return sorted(found, key=lambda p: (p.line, p.text))


def _named(index: Index, iri: str, report: Report, path: str) -> Named:
    page = index.page(iri, report)
    return Named(label=index.entity(iri).label, href=href(path, page) if page else "")


def _candidate(index: Index, link: Link, other: str, report: Report, path: str) -> Candidate:
    return Candidate(other=_named(index, other, report, path),
                     score="" if link.score is None else f"{link.score:.2f}", methods=", ".join(link.methods),
                     rationale=link.rationale, review=link.review, review_label=REVIEW[link.review],
                     evidence=_passages(link.evidence), problem=_passages(link.problem),
                     response=_passages(link.response))


def _ranked(links: list[Link]) -> list[Link]:
    return sorted(links, key=lambda l: (REVIEW_ORDER.index(l.review), -(l.score or 0.0), l.iri))


def finding_page(index: Index, finding: str, report: Report) -> DetailPage:
    entity = index.entity(finding)
    path = index.page(finding, report) or f"{report.key}/findings/{finding}.html"
    question = index.core_question_of(finding)
    judgment = index.grade_of(question, report)
    links = _ranked([l for l in index.links_by_target.get(finding, []) if l.initiative in index.data.entities])
    candidates = [_candidate(index, l, l.initiative, report, path) for l in links]
    answering = {l.initiative for l in links if l.review in ("curated", "above")}
    answering |= set(index.subjects(finding, "addresses"))
    partners = sorted({p for i in answering for p in index.involved(i) if p != report.force},
                      key=lambda p: index.entity(p).label)
    shown = [q for q in index.objects(finding, "question") if q in index.data.entities]
    question_label = ""
    if question and question.iri in index.data.entities:
        question_label = f"{question_tag(question)}. {index.entity(question.iri).label}"
    facts = [("Sub-question", index.entity(q).label) for q in shown if not question or q != question.iri]
    return DetailPage(
        path=path, title=entity.label, kind=style()["kinds"].get(entity.kind, {}).get("label", entity.kind),
        entity=entity, report=report, text=entity.description, evidence=_passages(entity.evidence),
        question=question_label, grade=grade_style(judgment.grade) if judgment else None,
        asks=index.data.asks.get(finding, []),
        problem=_unique([c.problem for c in candidates if c.review != "rejected"]),
        response=_unique([c.response for c in candidates if c.review != "rejected"]),
        candidates=candidates, partners=[Named(label=index.entity(p).label) for p in partners], facts=facts,
        unaddressed=bool(index.unaddressed([finding])))


def initiative_page(index: Index, initiative: str, report: Report) -> DetailPage:
    entity = index.entity(initiative)
    path = index.page(initiative, report) or f"{report.key}/initiatives/{initiative}.html"
    links = _ranked([l for l in index.links_by_initiative.get(initiative, [])
                     if l.target in index.data.entities and index.in_report(l.target, report)])
    facts = [("Kind", words(entity.type_name))]
    if entity.alt_labels:
        facts.append(("Also called", ", ".join(entity.alt_labels)))
    for prop, name in (("theme", "Themes"), ("location", "Places")):
        found = sorted(index.entity(o).label for o in index.objects(initiative, prop) if o in index.data.entities)
        if found:
            facts.append((name, ", ".join(found)))
    partners = sorted((p for p in index.involved(initiative) if p != report.force), key=lambda p: index.entity(p).label)
    evidence = [e for e in entity.evidence if e.report in (None, report.iri)]
    return DetailPage(
        path=path, title=entity.label, kind=style()["kinds"]["initiative"]["label"], entity=entity, report=report,
        text=entity.description, evidence=_passages(evidence),
        candidates=[_candidate(index, l, l.target, report, path) for l in links],
        partners=[Named(label=index.entity(p).label, detail=words(index.entity(p).type_name)) for p in partners],
        facts=facts)


def render_detail(page: DetailPage) -> str:
    template = "finding.html" if page.entity.kind != "initiative" else "initiative.html"
    root = up(page.path)
    return environment().get_template(template).render(
        page=page, root=root, report_root=root + page.report.key + "/", css=asset("view.css"))

"""Reading what the views draw: the view queries (queries/*.rq) run once over a plain rdflib graph.

`read_view_data` takes the union of the named graphs of one or more reports, so the views can be
built and tested without a store; `read_store` gives that union for a store directory.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import rdflib

from peelkg.resources import INSTANCE_BASE, package_dir, queries_dir
from peelkg.views.assets import grade_style
from peelkg.views.model import (Ask, Entity, Evidence, Judgment, Link, Progress, QuestionInfo, Report, Statistic,
                                ViewData)
from peelkg.views.text import local, slug, words


NAMED = ("afi-history",)     # named queries (queries/*.rq) the views read as they are


@cache
def _query_text(name: str) -> str:
    folder = queries_dir() if name in NAMED else package_dir("peelkg.views") / "queries"
    return (folder / f"{name}.rq").read_text(encoding="utf-8")


def _rows(graph: rdflib.Graph, name: str) -> list[dict[str, rdflib.term.Node | None]]:
    result = graph.query(_query_text(name))
    names = list(result.vars or [])
    return [{str(var): row[var] for var in names} for row in result if isinstance(row, rdflib.query.ResultRow)]


def _text(node: rdflib.term.Node | None) -> str:
    return "" if node is None else str(node)


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


def _flag(node: rdflib.term.Node | None) -> bool:
    return isinstance(node, rdflib.Literal) and bool(node.toPython())


def _evidence(row: dict) -> Evidence:
    return Evidence(text=_text(row["text"]), report=_text(row["report"]) or None,
                    section=_text(row.get("section")) or None,
                    line_start=_int(row["lineStart"]), line_end=_int(row["lineEnd"]))


def _by_line(found) -> list[Evidence]:
    return sorted(found, key=lambda e: (e.line_start or 0, e.text))


def union_graph(graph: rdflib.Graph) -> rdflib.Graph:
    """A plain Graph holding every triple of `graph`, flattening the named graphs of a Dataset."""
    if not isinstance(graph, rdflib.ConjunctiveGraph):
        return graph
    union = rdflib.Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def read_store(store_dir: Path) -> rdflib.Graph:
    """The union of every named graph of a store, as a plain in-memory rdflib Graph."""
    from peelkg.graph import store as st

    store = st.open_store(Path(store_dir), read_only=True)
    union = rdflib.Graph()
    for iri in st.graph_names(store):
        union += st.read_graph(store, iri)
    return union


def read_view_data(graph: rdflib.Graph) -> ViewData:
    """Run the view queries once and gather their rows."""
    graph = union_graph(graph)
    evidence: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in _rows(graph, "evidence"):
        evidence[str(row["entity"])][str(row["passage"])] = _evidence(row)
    memberships: dict[str, set[str]] = defaultdict(set)
    for row in _rows(graph, "memberships"):
        memberships[str(row["entity"])].add(str(row["report"]))
    entities = _entities(graph, evidence, memberships)
    relations = sorted({(str(r["subject"]), local(str(r["property"])), str(r["object"]))
                        for r in _rows(graph, "relations")})
    reports = _reports(graph, entities)
    for subject, prop, obj in relations:   # an initiative without passages belongs to its force's reports
        if prop == "force" and subject in entities and not entities[subject].reports:
            entities[subject].reports = {r.iri for r in reports if r.force == obj}
    links = _links(graph)
    for link in links:
        link.evidence = _by_line(evidence.get(link.iri, {}).values())
    return ViewData(entities=entities, relations=relations, judgments=_judgments(graph),
                    questions=_questions(graph), links=links,
                    unaddressed={str(r["finding"]) for r in _rows(graph, "unaddressed")},
                    statistics=_statistics(graph), reports=reports, memberships=dict(memberships),
                    asks=_asks(graph), progress=_progress(graph), collaborations=_collaborations(graph))


def _collaborations(graph: rdflib.Graph) -> dict[str, set[str]]:
    parties: dict[str, set[str]] = defaultdict(set)
    for row in _rows(graph, "collaborations"):
        parties[str(row["report"])].add(str(row["party"]))
    return dict(parties)


def _entities(graph: rdflib.Graph, evidence: dict[str, dict[str, Evidence]],
              memberships: dict[str, set[str]]) -> dict[str, Entity]:
    names: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(graph, "names"):
        names[str(row["entity"])].append((_int(row["rank"]) or 9, _text(row["name"])))
    texts: dict[str, tuple[int, str]] = {}
    for row in _rows(graph, "descriptions"):
        iri, rank = str(row["entity"]), _int(row["rank"]) or 9
        if iri not in texts or rank < texts[iri][0]:
            texts[iri] = (rank, _text(row["text"]))
    kinds: dict[str, tuple[int, str, str]] = {}
    for row in _rows(graph, "entities"):
        iri, rank = str(row["entity"]), _int(row["rank"]) or 9
        candidate = (rank, _text(row["kind"]), local(str(row["type"])))
        if iri not in kinds or candidate < kinds[iri]:
            kinds[iri] = candidate
    entities: dict[str, Entity] = {}
    for iri, (_, kind, type_name) in sorted(kinds.items()):
        ranked = sorted(names.get(iri, []))
        label = ranked[0][1] if ranked else words(local(iri))
        alts = sorted({name for _, name in ranked[1:] if name != label})
        entities[iri] = Entity(iri=iri, kind=kind, type_name=type_name, label=label, alt_labels=alts,
                               description=texts.get(iri, (0, ""))[1],
                               evidence=_by_line(evidence.get(iri, {}).values()),
                               reports=set(memberships.get(iri, set())))
    return entities


def _judgments(graph: rdflib.Graph) -> list[Judgment]:
    judgments = []
    for row in _rows(graph, "judgments"):
        grade = local(_text(row["grade"])) if row["grade"] is not None else "NotStated"   # a carried-over judgment's
        judgments.append(Judgment(
            iri=str(row["judgment"]), question=_text(row["question"]) or None, grade=grade,
            grade_label=_text(row["gradeLabel"]) or grade_style(grade)["label"],
            report=_text(row["report"]) or None, year=_int(row["year"]),
            source=local(_text(row["source"])) if row["source"] is not None else None,
            previous=_flag(row["previous"]), carried_over=_flag(row["carried"])))
    return sorted(judgments, key=lambda j: j.iri)


def _questions(graph: rdflib.Graph) -> dict[str, QuestionInfo]:
    questions: dict[str, QuestionInfo] = {}
    for row in _rows(graph, "questions"):   # one row per type of the question
        iri = str(row["question"])
        if iri in questions:
            questions[iri].overall |= _flag(row["overall"])
            continue
        questions[iri] = QuestionInfo(iri=iri, number=_int(row["number"]), parent=_text(row["parent"]) or None,
                                      order=_int(row["order"]) or 0, overall=_flag(row["overall"]),
                                      cycle=_text(row["cycle"]))
    return questions


def _statistics(graph: rdflib.Graph) -> list[Statistic]:
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
            area_label=area_label or words(local(_text(area))), line=_int(row["lineStart"])))
    return sorted(statistics, key=lambda s: (s.line or 0, s.iri))


def _asks(graph: rdflib.Graph) -> dict[str, list[Ask]]:
    found: dict[str, dict[str, Ask]] = defaultdict(dict)
    for row in _rows(graph, "asks"):
        found[str(row["finding"])].setdefault(str(row["ask"]), Ask(
            action=_text(row["action"]), object=_text(row["object"]), purpose=_text(row["purpose"]),
            scope=_text(row["scope"])))
    return {finding: [asks[k] for k in sorted(asks)] for finding, asks in found.items()}


def _progress(graph: rdflib.Graph) -> list[Progress]:
    """The previous findings each report follows up, as the named query afi-history lists them."""
    return [Progress(force=_text(row["force"]), inspection=_text(row["inspection"]), previous=_text(row["previous"]),
                     quote=_text(row["previousFinding"]), status=_text(row["status"]),
                     progress=_text(row["progress"]), earlier_id=_text(row["earlierId"]),
                     earlier_text=_text(row["earlierText"]), raised_again=_text(row["raisedAgain"]),
                     lines=[int(n) for n in _text(row["lines"]).split() if n.isdigit()])
            for row in _rows(graph, "afi-history")]


def _reports(graph: rdflib.Graph, entities: dict[str, Entity]) -> list[Report]:
    found: dict[str, Report] = {}
    for row in _rows(graph, "reports"):
        iri = str(row["report"])
        if iri in found:
            continue
        force = _text(row["force"]) or None
        force_label = entities[force].label if force in entities else words(local(force or "force"))
        issued = row["issued"]
        found[iri] = Report(iri=iri, title=_text(row["title"]) or _text(row["label"]) or words(local(iri)),
                            label=_text(row["label"]), force=force, force_label=force_label,
                            issued=str(issued) if issued is not None else "",
                            inspection=_text(row["inspection"]), year=_int(row["year"]),
                            threshold=_float(row["threshold"]))
    reports = sorted(found.values(), key=lambda r: (r.force_label, r.year or 0, r.iri))
    used: set[str] = set()
    for report in reports:
        key = _report_key(report)
        while key in used:
            key += "-2"
        used.add(key)
        report.key = key
    return reports


def _report_key(report: Report) -> str:
    base = INSTANCE_BASE + "report/"
    if report.iri.startswith(base):
        parts = [slug(part) for part in report.iri[len(base):].split("/") if part]
        if parts:
            return "/".join(parts)
    return slug(f"{report.force_label} {report.inspection or report.year or report.title}")


def _links(graph: rdflib.Graph) -> list[Link]:
    gathered: dict[str, Link] = {}
    for row in _rows(graph, "links"):
        iri = str(row["link"])
        link = gathered.setdefault(iri, Link(
            iri=iri, initiative=str(row["initiative"]), target=str(row["target"]), score=_float(row["score"]),
            methods=[], rationale=_text(row["rationale"]), shortcut=_flag(row["shortcut"])))
        method = _text(row["method"])
        method = local(method) if method.startswith("http") else method
        if method and method not in link.methods:
            link.methods.append(method)
    passages: dict[tuple[str, str], dict[str, Evidence]] = defaultdict(dict)
    for row in _rows(graph, "link-passages"):
        passages[(str(row["link"]), str(row["role"]))][str(row["passage"])] = _evidence(row)
    for link in gathered.values():
        link.methods.sort()
        link.problem = _by_line(passages.get((link.iri, "problem"), {}).values())
        link.response = _by_line(passages.get((link.iri, "response"), {}).values())
    return sorted(gathered.values(), key=lambda l: l.iri)

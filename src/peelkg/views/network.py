"""Rendering a view as a network page: vis-network node and edge records, labels and tooltips,
the layered layout, and the page around them (templates/network.html, view.js).

Text from the graph only reaches the page as escaped HTML or as JSON that the page's script puts
into DOM text nodes, never as markup.
"""

from __future__ import annotations

import copy
from collections import defaultdict

import networkx as nx
from markupsafe import Markup

from peelkg.views.assets import asset, base_options, environment, grade_style, style, vis_javascript
from peelkg.views.entities import FINDING_KINDS, Index, question_tag
from peelkg.views.layout import grid_positions, order_columns
from peelkg.views.model import Entity, Evidence, Judgment, Link, View
from peelkg.views.text import LABEL_WIDTH, href, plural, shorten, up, words

QUESTION_WIDTH = 72         # questions are long and alike: they keep more words (wrapped in their box)
FINDING_WIDTH = 36          # so do findings, once the words they all open with are dropped
TIP_WIDTH = 600             # characters of a tooltip text or quote before it is shortened
MIN_FONT = 12               # pixels: the page never opens zoomed out further than this for its labels
LARGE_GRAPH = 2000          # above this many nodes: edges hidden while dragging or zooming
LINK_RELATIONS = ("addresses", "curated", "rejectedLink", "weakLink")


def render_view(view: View, index: Index) -> str:
    """The HTML page of one view."""
    nodes, edges = vis_data(view, index)
    options = copy.deepcopy(base_options())
    count = view.graph.number_of_nodes()
    if count > LARGE_GRAPH:
        options["interaction"]["hideEdgesOnDrag"] = True
        options["interaction"]["hideEdgesOnZoom"] = True
    payload = {"nodes": nodes, "edges": edges, "options": options, "minFont": MIN_FONT,
               "threshold": view.threshold}
    kinds = style()["kinds"]
    counts: dict[str, int] = defaultdict(int)
    for node in view.graph:
        counts[index.kind(node)] += 1
    legend = [{"kind": kind, "label": kinds[kind]["label"], "glyph": kinds[kind]["glyph"],
               "color": "#555555" if view.color_by_group else kinds[kind]["color"], "count": counts[kind]}
              for kind in kinds if counts.get(kind)]
    grades = [view.graph.nodes[n]["grade"] for n in view.graph if "grade" in view.graph.nodes[n]]
    for grade in style()["grades"]:          # questions take the colour of their grade
        if grade in grades:
            look = grade_style(grade)
            legend.append({"kind": "", "label": f"Question graded {look['label'].lower()}", "glyph": "▬",
                           "color": look["color"], "count": grades.count(grade)})
    unaddressed = sum(1 for n in view.graph if view.graph.nodes[n].get("unaddressed"))
    if unaddressed:
        look = style()["unaddressed"]
        legend.append({"kind": "", "label": look["label"], "glyph": look["glyph"], "color": look["color"],
                       "count": unaddressed})
    lines = [{"label": style()["relations"][r]["label"], "color": style()["relations"][r]["color"],
              "dashes": bool(style()["relations"][r].get("dashes"))}
             for r in LINK_RELATIONS if any(rel == r for _, _, rel in view.graph.edges(data="relation"))]
    search = sorted({name for node in view.graph for name in
                     (index.entity(node).label, *index.entity(node).alt_labels)})
    return environment().get_template("network.html").render(
        view=view, root=up(view.path), legend=legend, lines=lines, search=search, data=payload,
        node_count=plural(count, "node"), edge_count=plural(view.graph.number_of_edges(), "edge"),
        css=asset("view.css"), script=asset("view.js"), vis=Markup(vis_javascript()))


def vis_data(view: View, index: Index) -> tuple[list[dict], list[dict]]:
    """vis-network node and edge records, built directly (pyvis's add_node is quadratic), with
    starting positions from the layered layout."""
    graph = view.graph
    labels = node_labels(index, graph)
    columns = order_columns(graph, level=lambda n: graph.nodes[n].get("level", 0),
                            band=lambda n: graph.nodes[n].get("band", 0), start=lambda n: (labels[n], n))
    positions = grid_positions(columns)
    order = [node for column in columns for node in column]
    ids = {node: number for number, node in enumerate(order)}
    nodes = [_node_record(view, index, node, ids[node], labels[node], positions[node]) for node in order]
    edges = [_edge_record(view, index, number, a, b, attrs, ids)
             for number, (a, b, attrs) in enumerate(sorted(graph.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]])))]
    return nodes, edges


def _node_record(view: View, index: Index, node: str, number: int, label: str,
                 position: tuple[float, float]) -> dict:
    kinds, unaddressed_look, palette = style()["kinds"], style()["unaddressed"], style()["communities"]
    entity, attrs = index.entity(node), view.graph.nodes[node]
    judgments = index.judgments_by_iri
    look = kinds.get(entity.kind, kinds["finding"])
    color, border = look["color"], look["color"]
    shape, size, border_width = look["shape"], attrs.get("size", look["size"]), 1
    font: dict = {}
    if entity.kind == "judgment" and node in judgments:
        color = border = grade_style(judgments[node].grade)["color"]
    if view.color_by_group:
        color = palette[attrs.get("group", 0) % len(palette)]
    if shape == "box":
        font = {"color": "#ffffff" if entity.kind == "question" else "#000000", "strokeWidth": 0}
    if "grade" in attrs:
        grade = grade_style(attrs["grade"])
        color = border = grade["color"]
        font = {"color": grade["text"], "strokeWidth": 0}
    if attrs.get("unaddressed"):
        color, border = unaddressed_look["color"], unaddressed_look["border"]
        shape, size, border_width = unaddressed_look["shape"], unaddressed_look["size"], 3
        label = unaddressed_look["prefix"] + label
    if attrs.get("focus"):
        border, border_width = style()["focus"]["border"], style()["focus"]["borderWidth"]
    record: dict = {"id": number, "label": label, "shape": shape, "size": round(size, 1),
                    "borderWidth": border_width, "kind": entity.kind, "level": attrs.get("level", 0),
                    "band": attrs.get("band", 0),
                    "x": position[0], "y": position[1],
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
    if attrs.get("focus"):
        record["focus"] = True
    if view.threshold is not None and entity.kind == "initiative":
        record["loose"] = True      # hidden while none of its links is shown
    page = index.page(node, view.report)
    if page:
        record["href"] = href(view.path, page)
    return record


def _edge_record(view: View, index: Index, number: int, a: str, b: str, attrs: dict, ids: dict[str, int]) -> dict:
    relations = style()["relations"]
    relation = attrs.get("relation", "")
    look = relations.get(relation, {"label": words(relation), "color": "#adb5bd"})
    source = attrs.get("source", a)
    target = b if source == a else a
    link: Link | None = attrs.get("link")
    record: dict = {"id": number, "from": ids[source], "to": ids[target], "color": look["color"],
                    "dashes": look.get("dashes", False), "relation": relation,
                    "tip": _edge_tip(index, source, target, look["label"], link)}
    if relation in LINK_RELATIONS:
        record["arrows"] = "to"
        score = link.score if link and link.score is not None else 0.5
        record["width"] = round(1 + 5 * max(0.0, min(1.0, score)), 2)
        record["score"] = link.score if link and link.score is not None else 1.0
        record["candidate"] = relation in ("weakLink", "rejectedLink")
    if view.graph.nodes[a].get("level") == view.graph.nodes[b].get("level"):
        record["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.5}
    return record


def node_labels(index: Index, graph: nx.Graph) -> dict[str, str]:
    """Short labels. Findings of one kind often open alike ("The force should ..."): the words
    they all share are dropped and the question they belong to is put in front."""
    labels = {node: _node_label(index, index.entity(node)) for node in graph}
    for kind in FINDING_KINDS:
        alike = [n for n in graph if index.kind(n) == kind]
        words_of = [index.entity(n).label.split() for n in alike]
        shared = 0
        while len(words_of) > 1 and all(len(w) > shared + 1 for w in words_of) \
                and len({w[shared].casefold() for w in words_of}) == 1:
            shared += 1
        for node, label_words in zip(alike, words_of):
            rest = " ".join(label_words[shared:]) if shared >= 2 else " ".join(label_words)
            questions = [index.data.questions[q] for q in index.objects(node, "question") if q in index.data.questions]
            tag = f"{question_tag(questions[0])}: " if questions and not rest.startswith(question_tag(questions[0])) else ""
            labels[node] = tag + shorten(("…" if shared >= 2 else "") + rest, FINDING_WIDTH)
    return labels


def _node_label(index: Index, entity: Entity) -> str:
    judgments = index.judgments_by_iri
    if entity.kind == "judgment" and entity.iri in judgments:
        judgment = judgments[entity.iri]
        question = index.data.questions.get(judgment.question or "")
        tag = question_tag(question) if question else ""
        year = f"{judgment.year} " if judgment.previous and judgment.year else ""
        return f"{year}{tag}: {judgment.grade_label}".strip(": ")
    if entity.kind == "question" and entity.iri in index.data.questions:
        return f"{question_tag(index.data.questions[entity.iri])} {shorten(entity.label, QUESTION_WIDTH)}"
    if entity.kind == "subquestion":
        return shorten(entity.label, QUESTION_WIDTH)
    return shorten(entity.label, LABEL_WIDTH)


def lines(evidence: Evidence) -> str:
    """ "line 12" or "lines 12–14"."""
    if evidence.line_start is None:
        return ""
    if evidence.line_end is None or evidence.line_end == evidence.line_start:
        return f"line {evidence.line_start}"
    return f"lines {evidence.line_start}–{evidence.line_end}"


def _evidence_tip(evidence: list[Evidence]) -> tuple[str, str]:
    if not evidence:
        return "", ""
    first = evidence[0]
    source = lines(first)
    if len(evidence) > 1:
        more = ", ".join(filter(None, (lines(e) for e in evidence[1:4])))
        source += f" (also {more}{', …' if len(evidence) > 4 else ''})" if more else ""
    return shorten(first.text, TIP_WIDTH), ("Report " + source) if source else ""


def _node_tip(index: Index, entity: Entity, judgments: dict[str, Judgment], attrs: dict) -> dict:
    kind = style()["kinds"].get(entity.kind, {}).get("label", entity.kind)
    kind_line = kind if words(entity.type_name) == kind or entity.kind == "judgment" \
        else f"{kind} · {words(entity.type_name)}"
    text = entity.description
    if entity.kind == "judgment" and entity.iri in judgments:
        j = judgments[entity.iri]
        text = f"Grade: {j.grade_label}" + (f" ({j.year})" if j.year else "") + \
            (f", read from {words(j.source).lower()}" if j.source else "")
    if "grade" in attrs:
        kind_line += f" · graded {grade_style(attrs['grade'])['label']}"
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
    quote, where = _evidence_tip(link.evidence)
    return {"title": title, "kind": " · ".join(parts), "also": "", "text": shorten(link.rationale, TIP_WIDTH),
            "quote": quote, "source": where, "iri": link.iri}

"""Partners: the organisations and other forces the force works with, beside the initiatives
they take part in. The force itself is the implied centre, not a node; initiatives without a
partner are left out."""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx

from peelkg.views.assets import style
from peelkg.views.entities import Index
from peelkg.views.model import Panel, PanelItem, Report, View

SEED = 1
PANEL_ITEMS = 60


def partners_view(index: Index, report: Report) -> View:
    graph = nx.Graph()
    for initiative in index.initiatives(report):
        partners = [p for p in index.involved(initiative) if p != report.force]
        if not partners:
            continue
        graph.add_node(initiative, level=1, band=0)
        for partner in partners:
            graph.add_node(partner, level=0, band=0 if index.kind(partner) == "force" else 1)
            graph.add_edge(partner, initiative, relation="involves", source=initiative)
    centrality = _centrality(graph)
    groups = _communities(graph)
    top = max(centrality.values(), default=0.0) or 1.0
    for node in graph:
        graph.nodes[node]["size"] = 10 + 20 * math.sqrt(centrality.get(node, 0.0) / top)
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
    panels = [Panel(title="Communities", items=items)]
    others = [c for c in index.collaborators(report) if c not in graph]
    if others:
        panels.append(Panel(title="Also works with", items=[PanelItem(text=index.entity(o).label) for o in others],
                            note="Forces and bodies the report says the force collaborates with, "
                                 "outside any initiative it names."))
    return View(name="partners", title=f"{report.force_label}: partners", graph=graph, report=report,
                intro=f"Organisations and other forces (left) and the initiatives of {report.force_label} they take "
                      "part in (right). Node size is betweenness centrality (who connects the network); colour is "
                      "the community found by Louvain modularity.",
                panels=panels, color_by_group=True)


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

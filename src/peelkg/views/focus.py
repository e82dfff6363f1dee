"""Focus: the neighbourhood of an entity, in columns by distance.

Hubs (the force, reports, questions, themes) touch nearly everything: the neighbourhood goes
through one only on the first step, from the entity itself, unless asked (`through_hubs`).
"""

from __future__ import annotations

import difflib

from peelkg.views.entities import HUB_KINDS, TARGET_KINDS, Index
from peelkg.views.model import View, ViewError
from peelkg.views.text import plural, slug

KIND_ORDER = ("force", "report", "question", "subquestion", "judgment", "concern", "afi", "recommendation",
              "prior", "summary", "finding", "initiative", "organisation", "place", "theme")


def neighbourhood(index: Index, centres: list[str], depth: int, through_hubs: bool = False) -> dict[str, int]:
    """Every entity within `depth` steps of a centre, with its distance; hubs are ends, not ways."""
    distance = {c: 0 for c in centres}
    frontier = list(centres)
    for step in range(1, depth + 1):
        following = []
        for node in frontier:
            if step > 1 and not through_hubs and index.kind(node) in HUB_KINDS:
                continue
            for other in sorted(index.graph[node]):
                if other not in distance:
                    distance[other] = step
                    following.append(other)
        frontier = following
    return distance


def focus_view(index: Index, label: str, depth: int, through_hubs: bool = False) -> View:
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
    distance = neighbourhood(index, centres, depth, through_hubs)
    graph = index.subgraph(distance)
    for node in graph:
        kind = index.kind(node)
        graph.nodes[node]["level"] = distance[node]
        graph.nodes[node]["band"] = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    for centre in centres:
        graph.nodes[centre]["focus"] = True
    index.mark_unaddressed(graph, [n for n in graph if index.kind(n) in TARGET_KINDS])
    shown = index.entity(centres[0]).label if len(centres) == 1 else label
    hubs = " through every hub" if through_hubs else "; hubs (force, report, questions, themes) are not crossed"
    return View(name=f"focus-{slug(label)}", title=f"Around “{shown}” (depth {depth})", graph=graph,
                intro=f"Everything within {plural(depth, 'step')} of "
                      f"{plural(len(centres), 'matching entity')}{hubs}, in columns by distance.")

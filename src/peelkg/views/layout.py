"""Layered layouts: every view is drawn as columns (levels) of nodes, ordered to cross as few
edges as possible.

Each view gives every node a level (its column) and a band (a group that stays together inside
the column, such as the findings of one question). The order inside each column comes from the
barycentre heuristic of Sugiyama, Tagawa and Toda (1981): sweep the columns left to right and
back, sorting each by the mean position of its neighbours in the columns already placed, and
keep the order with the fewest crossings. The page's script then spaces the columns and rows by
the measured size of each node and its label, so nothing is drawn on top of anything.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable

import networkx as nx

SWEEPS = 8                  # down-and-up sweeps of the barycentre heuristic
COLUMN_GAP = 360            # starting positions, before the page measures the labels
ROW_GAP = 70


def _ranks(columns: list[list[str]]) -> dict[str, float]:
    """Each node's position in its column, scaled to 0..1 so columns of different lengths compare."""
    return {node: (number + 0.5) / len(column) for column in columns for number, node in enumerate(column)}


def crossings(graph: nx.Graph, columns: list[list[str]]) -> int:
    """Edge crossings between every pair of adjacent columns (inversions counted with a sorted list).

    >>> g = nx.Graph([("a", "y"), ("b", "x")])
    >>> crossings(g, [["a", "b"], ["x", "y"]]), crossings(g, [["a", "b"], ["y", "x"]])
    (1, 0)
    """
    where = {node: (level, number) for level, column in enumerate(columns) for number, node in enumerate(column)}
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in graph.edges:
        if a not in where or b not in where:
            continue
        (la, pa), (lb, pb) = where[a], where[b]
        if abs(la - lb) != 1:
            continue
        pairs[min(la, lb)].append((pa, pb) if la < lb else (pb, pa))
    total = 0
    for edges in pairs.values():
        edges.sort()
        seen: list[int] = []
        for _, right in edges:        # edges further down on the left that end higher on the right
            total += len(seen) - bisect_right(seen, right)
            seen.insert(bisect_right(seen, right), right)
    return total


def order_columns(graph: nx.Graph, level: Callable[[str], int], band: Callable[[str], Hashable],
                  start: Callable[[str], Hashable], sweeps: int = SWEEPS) -> list[list[str]]:
    """Columns of `graph`'s nodes, each sorted by band and then by the barycentre of its neighbours.

    `level` gives a node's column, `band` the group it stays in, `start` its place before the
    first sweep. Edges may carry a `weight` (default 1): links drawn faintly pull less.
    """
    levels: dict[int, list[str]] = defaultdict(list)
    for node in graph:
        levels[level(node)].append(node)
    numbers = sorted(levels)
    columns = [sorted(levels[n], key=lambda node: (band(node), start(node))) for n in numbers]
    best, fewest = [list(c) for c in columns], crossings(graph, columns)
    sides = [(range(1, len(columns)), -1), (range(len(columns) - 2, -1, -1), 1)]
    for _ in range(sweeps):
        for order, side in sides:
            for number in order:
                columns[number] = _by_barycentre(graph, columns, number, side, band)
            count = crossings(graph, columns)
            if count < fewest:
                best, fewest = [list(c) for c in columns], count
        if fewest == 0:
            break
    return best


def _by_barycentre(graph: nx.Graph, columns: list[list[str]], number: int, side: int,
                   band: Callable[[str], Hashable]) -> list[str]:
    reference = columns[number + side]
    ranks = _ranks([reference])
    column = columns[number]
    current = _ranks([column])
    keys = {}
    for node in column:
        total = weights = 0.0
        for other in graph[node]:
            if other in ranks:
                weight = graph.edges[node, other].get("weight", 1.0)
                total += weight * ranks[other]
                weights += weight
        keys[node] = (band(node), total / weights if weights else current[node], current[node])
    return sorted(column, key=keys.__getitem__)


def grid_positions(columns: list[list[str]]) -> dict[str, tuple[float, float]]:
    """Starting positions: one column per level, rows centred on the middle."""
    positions = {}
    for level, column in enumerate(columns):
        top = -ROW_GAP * (len(column) - 1) / 2
        for number, node in enumerate(column):
            positions[node] = (float(level * COLUMN_GAP), round(top + number * ROW_GAP, 1))
    return positions

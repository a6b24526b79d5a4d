"""Graph diameter: the largest shortest-route distance between two nodes of a connected graph.

The hop diameter ``D`` is drawn first (evenly over ``2..max_diameter`` by
:func:`balanced_choice`) and the graph is built around it: a spine of ``D`` edges, the
other nodes hung off interior spine nodes in branches short enough that no two nodes are
more than ``D`` hops apart (a node ``k`` steps below spine node ``i`` needs
``k <= min(i, D - i)``), then extra edges only between nodes whose distances from the
spine's first end differ by at most one, which keeps the two spine ends ``D`` apart.
Weighted levels put weights on those edges; their diameter is computed, not chosen.
"""

from __future__ import annotations

import heapq
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_number
from generators.graphs.names import node_names
from generators.graphs.render import LINKS, ROADS, TRACKS, describe
from generators.graphs.sampling import adjacency, weighted_adjacency
from generators.graphs.task import GraphTask, bounded, compose
from schemas.records import Problem

THEMES = (ROADS, TRACKS, LINKS)


class DiameterConfig(TaskConfig):
    nodes: int = Field(default=12, ge=4, le=40, description="nodes in the graph")
    max_diameter: int = Field(
        default=7, ge=2, le=30, description="hop diameters are drawn from 2..max_diameter"
    )
    extra_edges: int = Field(default=4, ge=0, le=100, description="edges beyond a spanning tree")
    max_weight: int = Field(
        default=1, ge=1, le=99, description="edge weights are 1..max_weight (1: unweighted)"
    )


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 7, "max_diameter": 4, "extra_edges": 2, "max_weight": 1},
    2: {"nodes": 8, "max_diameter": 5, "extra_edges": 3, "max_weight": 1},
    3: {"nodes": 10, "max_diameter": 6, "extra_edges": 3, "max_weight": 1},
    4: {"nodes": 12, "max_diameter": 7, "extra_edges": 4, "max_weight": 1},
    5: {"nodes": 13, "max_diameter": 8, "extra_edges": 5, "max_weight": 30},
    6: {"nodes": 15, "max_diameter": 9, "extra_edges": 6, "max_weight": 35},
    7: {"nodes": 17, "max_diameter": 10, "extra_edges": 7, "max_weight": 40},
    8: {"nodes": 19, "max_diameter": 11, "extra_edges": 8, "max_weight": 45},
    9: {"nodes": 21, "max_diameter": 12, "extra_edges": 9, "max_weight": 50},
    10: {"nodes": 24, "max_diameter": 13, "extra_edges": 10, "max_weight": 60},
}

INTROS = (
    "Consider the connected network below.",
    "Here is a connected, undirected graph.",
    "A planner wants to know how far apart the places in this network can be.",
)
HOP_QUESTIONS = (
    "What is the diameter of this graph, that is, the largest number of {edge}s on a "
    "shortest route between any two {nodes}?",
    "Always taking a route with the fewest {edge}s, what is the greatest number of {edge}s "
    "needed to travel between two {nodes}?",
    "Find the two {nodes} that are farthest apart when counting {edge}s along a shortest "
    "route. How many {edge}s separate them?",
)
WEIGHT_QUESTIONS = (
    "What is the weighted diameter of this graph, that is, the largest, over all pairs of "
    "{nodes}, of the least total {weight} of a route between them?",
    "For every pair of {nodes} take the route with the smallest total {weight}. What is the "
    "largest of these totals?",
    "Find the two {nodes} whose cheapest route has the greatest total {weight}. What is that "
    "total?",
)
FORMAT = "Give the diameter as a single whole number."


def _draw(rng: Random, n: int, diameter: int, extra: int) -> list[list[int]]:
    """Edges ``[a, b]`` of a connected graph on ``0..n-1`` with hop diameter ``diameter``
    (``n >= diameter + 2``)."""
    order = list(range(n))
    rng.shuffle(order)
    spine = order[: diameter + 1]
    anchor = {v: i for i, v in enumerate(spine)}
    depth = dict.fromkeys(spine, 0)
    edges = {(min(a, b), max(a, b)) for a, b in zip(spine, spine[1:], strict=False)}
    placed = list(spine)
    for v in order[diameter + 1 :]:
        room = [w for w in placed if depth[w] + 1 <= min(anchor[w], diameter - anchor[w])]
        w = rng.choice(room)
        anchor[v], depth[v] = anchor[w], depth[w] + 1
        edges.add((min(v, w), max(v, w)))
        placed.append(v)
    level = {v: anchor[v] + depth[v] for v in range(n)}
    spare = [
        (a, b)
        for a in range(n)
        for b in range(a + 1, n)
        if abs(level[a] - level[b]) <= 1 and (a, b) not in edges
    ]
    edges.update(rng.sample(spare, min(extra, len(spare))))
    return sorted(list(e) for e in edges)


def eccentricities(n: int, edges: list[list[int]]) -> tuple[list[tuple[int, int]], int]:
    """(farthest node and its distance) from every node, and the effort (nodes settled plus
    edge ends scanned): BFS on unweighted ``[a, b]`` edges, Dijkstra on ``[a, b, w]``."""
    weighted = bool(edges) and len(edges[0]) == 3
    wadj = (
        weighted_adjacency(n, edges)
        if weighted
        else [[(v, 1) for v in row] for row in adjacency(n, edges)]
    )
    far, effort = [], 0
    for source in range(n):
        dist = [-1] * n
        heap = [(0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if dist[u] >= 0:
                continue
            dist[u] = d
            effort += 1 + len(wadj[u])
            for v, w in wadj[u]:
                if dist[v] < 0:
                    heapq.heappush(heap, (d + w, v))
        best = max(range(n), key=lambda v: (dist[v], -v))
        far.append((best, dist[best]))
    return far, effort


def hop_diameter(n: int, edges: list[list[int]]) -> int:
    far, _ = eccentricities(n, [e[:2] for e in edges])
    return max(d for _, d in far)


class GraphDiameter(GraphTask[DiameterConfig]):
    name: ClassVar[str] = "graph_diameter"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Graph diameter: the largest shortest-route distance between two nodes of a connected "
        "graph, counted in edges or, on weighted levels, in total weight."
    )
    Config = DiameterConfig
    LEVELS = LEVELS

    def generate(self, config: DiameterConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        top = max(2, min(config.max_diameter, n - 2))
        hops = 2 + balanced_choice(index, top - 1)
        edges = _draw(rng, n, hops, config.extra_edges)
        weighted = config.max_weight > 1
        if weighted:
            edges = [[a, b, rng.randint(1, config.max_weight)] for a, b in edges]
        far, _ = eccentricities(n, edges)
        diameter = max(d for _, d in far)
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {"nodes": theme.nodes, "edge": theme.edge, "weight": theme.weight}
        questions = WEIGHT_QUESTIONS if weighted else HOP_QUESTIONS
        body = describe(rng, theme, names, edges, weighted=weighted)
        prompt = compose(rng, INTROS, body, rng.choice(questions).format(**words), FORMAT)
        payload = {"names": names, "edges": edges, "diameter": diameter}
        return Instance(prompt, str(diameter), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        far, effort = eccentricities(len(names), p["edges"])
        weighted = len(p["edges"][0]) == 3
        how = "Dijkstra's algorithm" if weighted else "breadth-first search"
        order = sorted(range(len(names)), key=names.__getitem__)
        lines = [
            f"From {names[u]}: the farthest is {names[far[u][0]]} at distance {far[u][1]}."
            for u in order
        ]
        a = max(order, key=lambda u: far[u][1])
        reasoning = "\n".join(
            [
                f"Run {how} from every node and keep the largest distance it finds (its "
                "eccentricity); the diameter is the largest eccentricity.",
                *bounded(lines),
                f"The largest is {far[a][1]}, between {names[a]} and {names[far[a][0]]}.",
            ]
        )
        return Solution(str(p["diameter"]), reasoning, {"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        n, edges = len(self.names(problem)), problem.payload["edges"]
        guesses = {**super().trivial_answers(problem), "nodes minus one": str(n - 1)}
        if len(edges[0]) == 3:
            guesses["hop diameter"] = str(hop_diameter(n, edges))
            guesses["largest weight"] = str(max(e[2] for e in edges))
        return guesses

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["diameter"])

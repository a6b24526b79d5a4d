"""Counting shortest paths: how many distinct fewest-edge routes join two nodes.

The count is drawn first (evenly over ``1..max_count`` by :func:`balanced_choice`). A
graph is built in layers around the source (each node joined to one to three nodes of
the layer before, so a node's layer is its distance; extra edges join nodes of one
layer, which no shortest route from the source uses), and the target is a node two or
more layers out whose count is the drawn one; the graph is redrawn until one exists.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_number
from generators.graphs.names import node_names
from generators.graphs.render import LINKS, ROADS, TRACKS, describe
from generators.graphs.sampling import adjacency
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose, join_names
from schemas.records import Problem

THEMES = (ROADS, TRACKS, LINKS)


class CountPathsConfig(TaskConfig):
    nodes: int = Field(default=12, ge=5, le=40, description="nodes in the graph")
    depth: int = Field(default=4, ge=2, le=12, description="layers around the source")
    max_count: int = Field(default=8, ge=1, le=40, description="counts are drawn from 1..max_count")
    extra_edges: int = Field(default=3, ge=0, le=60, description="edges inside a layer")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 7, "depth": 3, "max_count": 4, "extra_edges": 1},
    2: {"nodes": 9, "depth": 3, "max_count": 5, "extra_edges": 1},
    3: {"nodes": 11, "depth": 4, "max_count": 6, "extra_edges": 2},
    4: {"nodes": 13, "depth": 4, "max_count": 7, "extra_edges": 2},
    5: {"nodes": 15, "depth": 5, "max_count": 8, "extra_edges": 3},
    6: {"nodes": 17, "depth": 5, "max_count": 9, "extra_edges": 3},
    7: {"nodes": 19, "depth": 6, "max_count": 10, "extra_edges": 4},
    8: {"nodes": 21, "depth": 6, "max_count": 11, "extra_edges": 4},
    9: {"nodes": 23, "depth": 7, "max_count": 12, "extra_edges": 5},
    10: {"nodes": 26, "depth": 7, "max_count": 13, "extra_edges": 6},
}

INTROS = (
    "Consider the network below; every {edge} takes the same time to travel.",
    "Here is an undirected, unweighted graph.",
    "A courier travels through this network, one {edge} at a time.",
)
QUESTIONS = (
    "How many different shortest routes (fewest {edge}s) lead from {s} to {t}?",
    "Count the distinct routes from {s} to {t} that use the smallest possible number of {edge}s.",
    "In how many ways can one go from {s} to {t} using as few {edge}s as possible? Two "
    "routes differ when their sequences of {nodes} differ.",
)
FORMAT = "Give the number of shortest routes as a single whole number."


def _layers(rng: Random, n: int, depth: int) -> list[list[int]]:
    """Nodes ``0..n-1`` split into ``depth + 1`` non-empty layers, node 0 alone in layer 0."""
    depth = min(depth, n - 1)
    cuts = sorted(rng.sample(range(2, n), depth - 1))
    return [[0]] + [list(range(a, b)) for a, b in zip([1, *cuts], [*cuts, n], strict=True)]


def _draw(rng: Random, n: int, depth: int, extra: int) -> list[list[int]]:
    layers = _layers(rng, n, depth)
    edges = set()
    for before, layer in zip(layers, layers[1:], strict=False):
        for v in layer:
            for u in rng.sample(before, rng.randint(1, min(3, len(before)))):
                edges.add((u, v))
    inside = [(a, b) for layer in layers for i, a in enumerate(layer) for b in layer[i + 1 :]]
    edges.update(rng.sample(inside, min(extra, len(inside))))
    return sorted([min(a, b), max(a, b)] for a, b in edges)


def count_paths(adj: list[list[int]], source: int) -> tuple[list[int], list[int], list[list[int]]]:
    """(distance, number of shortest paths, breadth-first layers) from ``source``: a node's
    count is the sum of the counts of its neighbours one step closer."""
    n = len(adj)
    dist, count = [-1] * n, [0] * n
    dist[source], count[source] = 0, 1
    layers = [[source]]
    while layers[-1]:
        nxt = []
        for u in layers[-1]:
            for v in adj[u]:
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
                if dist[v] == dist[u] + 1:
                    count[v] += count[u]
        layers.append(nxt)
    return dist, count, layers[:-1]


class CountShortestPaths(GraphTask[CountPathsConfig]):
    name: ClassVar[str] = "count_shortest_paths"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Counting shortest paths: the number of distinct fewest-edge routes between two nodes "
        "of an unweighted graph described in words (counts spread evenly)."
    )
    Config = CountPathsConfig
    LEVELS = LEVELS

    def generate(self, config: CountPathsConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        want = 1 + balanced_choice(index, config.max_count)
        for _ in range(MAX_ATTEMPTS):
            edges = _draw(rng, n, config.depth, config.extra_edges)
            dist, count, _ = count_paths(adjacency(n, edges), 0)
            targets = [v for v in range(n) if dist[v] >= 2 and count[v] == want]
            if targets:
                break
        else:
            raise self.give_up("max_count")
        relabel = list(range(n))
        rng.shuffle(relabel)
        edges = sorted(sorted([relabel[a], relabel[b]]) for a, b in edges)
        source, target = relabel[0], relabel[rng.choice(targets)]
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {
            "s": names[source],
            "t": names[target],
            "nodes": theme.nodes,
            "edge": theme.edge,
        }
        body = describe(rng, theme, names, edges)
        intro = rng.choice(INTROS).format(**words)
        prompt = compose(rng, (intro,), body, rng.choice(QUESTIONS).format(**words), FORMAT)
        payload = {
            "names": names,
            "edges": edges,
            "source": source,
            "target": target,
            "count": want,
        }
        return Instance(prompt, str(want), payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        adj = adjacency(len(names), p["edges"])
        dist, count, layers = count_paths(adj, p["source"])
        target = p["target"]
        lines = []
        for d, layer in enumerate(layers[1 : dist[target] + 1], 1):
            parts = []
            for v in sorted(layer, key=names.__getitem__):
                via = [u for u in adj[v] if dist[u] == d - 1]
                total = " + ".join(str(count[u]) for u in via)
                total += f" = {count[v]}" if len(via) > 1 else ""
                parts.append(f"{names[v]} = {total} (via {join_names(names, via)})")
            lines.append(f"Distance {d}: " + "; ".join(parts) + ".")
        effort = sum(1 + len(row) for row in adj)  # count_paths visits the whole graph
        reasoning = "\n".join(
            [
                f"Breadth-first search from {names[p['source']]} (count 1). Each node's number "
                "of shortest routes is the sum of the numbers of its neighbours one step "
                "closer to the start.",
                *bounded(lines),
                f"{names[target]} is at distance {dist[target]}; the number of shortest "
                f"routes to it is {count[target]}.",
            ]
        )
        return Solution(str(count[target]), reasoning, {"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        p = problem.payload
        adj = adjacency(len(self.names(problem)), p["edges"])
        dist, _, _ = count_paths(adj, p["source"])
        return {
            **super().trivial_answers(problem),
            "distance in edges": str(dist[p["target"]]),
            "degree of the target": str(len(adj[p["target"]])),
        }

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["count"])

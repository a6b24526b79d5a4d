"""Maximum flow: how much can flow from a source to a sink through capacitated pipes.

The graph is directed, with most edges pointing from the source's side towards the sink
and a few pointing back. Edmonds-Karp (shortest augmenting paths) proves the value and
narrates the reference trace; the tests confirm it with networkx's preflow-push and
minimum cut. Instances where the
answer equals what leaves the source or what enters the sink are redrawn, so the
bottleneck is always inside the network and those lazy guesses (declared) fail.
"""

from __future__ import annotations

from collections import deque
from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import GenerationError, Instance, Solution, TaskConfig
from generators.graphs.answers import score_number
from generators.graphs.names import node_names
from generators.graphs.render import CABLES, Theme, describe
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose, join_names
from schemas.records import Problem

PIPES = Theme("junction", "junctions", "pipe", "capacity", "letters")
THEMES = (PIPES, CABLES, Theme("town", "towns", "road", "capacity", "towns"))


class MaxFlowConfig(TaskConfig):
    nodes: int = Field(default=8, ge=4, le=30, description="nodes, source and sink included")
    edges: int = Field(default=14, ge=4, le=120, description="directed edges")
    max_capacity: int = Field(default=20, ge=2, le=99, description="capacities are 1..max")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 5, "edges": 7, "max_capacity": 60},
    2: {"nodes": 6, "edges": 9, "max_capacity": 70},
    3: {"nodes": 7, "edges": 12, "max_capacity": 80},
    4: {"nodes": 8, "edges": 15, "max_capacity": 99},
    5: {"nodes": 10, "edges": 19, "max_capacity": 99},
    6: {"nodes": 12, "edges": 24, "max_capacity": 99},
    7: {"nodes": 14, "edges": 29, "max_capacity": 99},
    8: {"nodes": 16, "edges": 34, "max_capacity": 99},
    9: {"nodes": 18, "edges": 39, "max_capacity": 99},
    10: {"nodes": 20, "edges": 45, "max_capacity": 99},
}

INTROS = (
    "Goods must be moved through the one-way network below.",
    "Here is a directed network with capacities.",
    "Water flows through a system of one-way pipes.",
)
QUESTIONS = (
    "What is the maximum total amount that can flow from {s} to {t} at the same time, if "
    "no {edge} carries more than its {weight}?",
    "Find the maximum flow from {s} to {t}.",
    "How much can be sent from {s} to {t} at once, each {edge} carrying at most its {weight}?",
)
FORMAT = "Give the maximum flow as a single whole number."


def _draw(rng: Random, n: int, m: int, cap: int) -> list[list[int]]:
    """Node 0 is the source and n-1 the sink; about one edge in six points backwards."""
    edges: dict[tuple[int, int], int] = {}
    for v in range(1, n - 1):  # every inner node on some source -> sink route
        edges[(rng.randrange(v), v)] = rng.randint(1, cap)
        edges[(v, rng.randrange(v + 1, n))] = rng.randint(1, cap)
    while len(edges) < min(m, n * (n - 1) - 1):
        a, b = rng.sample(range(n), 2)
        if rng.random() < 5 / 6:
            a, b = min(a, b), max(a, b)
        if (a, b) != (0, n - 1) and b != 0 and a != n - 1:
            edges.setdefault((a, b), rng.randint(1, cap))
    return sorted([a, b, c] for (a, b), c in edges.items())


def _ends(n: int, edges: list[list[int]]) -> tuple[int, int]:
    return (
        sum(c for a, _, c in edges if a == 0),
        sum(c for _, b, c in edges if b == n - 1),
    )


def edmonds_karp(names: list[str], edges: list[list[int]]) -> tuple[int, int, list[str]]:
    """(max flow, edges scanned, trace lines), source 0, sink n-1."""
    n = len(names)
    residual: list[dict[int, int]] = [{} for _ in range(n)]
    for a, b, c in edges:
        residual[a][b] = residual[a].get(b, 0) + c
        residual[b].setdefault(a, 0)
    total, scanned, lines = 0, 0, []
    while True:
        parent = {0: -1}
        queue = deque([0])
        while queue and n - 1 not in parent:
            u = queue.popleft()
            for v, c in sorted(residual[u].items()):
                scanned += 1
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if n - 1 not in parent:
            break
        path = [n - 1]
        while path[-1] != 0:
            path.append(parent[path[-1]])
        path.reverse()
        push = min(residual[a][b] for a, b in zip(path, path[1:], strict=False))
        for a, b in zip(path, path[1:], strict=False):
            residual[a][b] -= push
            residual[b][a] += push
        total += push
        lines.append(f"Augment along {join_names(names, path, ' -> ')} by {push}; flow {total}.")
    lines.append(f"No augmenting path is left; the reachable side is a minimum cut of {total}.")
    return total, scanned, bounded(lines)


class MaxFlow(GraphTask[MaxFlowConfig]):
    name: ClassVar[str] = "max_flow"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Maximum flow: the largest flow from a source to a sink in a directed network with "
        "integer capacities (equal to the minimum cut)."
    )
    Config = MaxFlowConfig
    LEVELS = LEVELS

    def generate(self, config: MaxFlowConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        for _ in range(MAX_ATTEMPTS):
            edges = _draw(rng, n, config.edges, config.max_capacity)
            value = edmonds_karp([""] * n, edges)[0]
            if value not in _ends(n, edges):
                break
        else:
            raise GenerationError(f"{self.name}: no inner bottleneck; raise 'nodes' or 'edges'")
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {"s": names[0], "t": names[-1], "edge": theme.edge, "weight": theme.weight}
        body = describe(rng, theme, names, edges, directed=True, weighted=True)
        prompt = compose(rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT)
        return Instance(prompt, str(value), {"names": names, "edges": edges, "flow": value})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        total, scanned, lines = edmonds_karp(names, problem.payload["edges"])
        reasoning = "\n".join(
            [
                f"Edmonds-Karp: repeatedly find a shortest route from {names[0]} to "
                f"{names[-1]} with spare capacity (counting flow that can be pushed back) "
                "and push as much as its tightest edge allows.",
                *lines,
            ]
        )
        # Effort is the network's size: the number of augmenting rounds varies too much
        # between draws to rank levels, so it is reported beside it.
        edges = problem.payload["edges"]
        stats = {"effort": len(names) + len(edges), "edges_scanned": scanned}
        return Solution(str(total), reasoning, stats)

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        out, into = _ends(len(self.names(problem)), problem.payload["edges"])
        return {
            **super().trivial_answers(problem),
            "capacity out of the source": str(out),
            "capacity into the sink": str(into),
        }

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["flow"])

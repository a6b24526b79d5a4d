"""Connected components: how many separate groups a graph falls into.

The count is drawn first (uniform over 1..max_components by :func:`balanced_choice`),
the nodes are split into that many groups, and each group is a random tree plus extra
edges inside it. Because groups usually contain cycles, "nodes minus edges" (true for
forests) is a declared guess that rarely wins.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_number
from generators.graphs.names import node_names
from generators.graphs.render import FRIENDS, LINKS, ROADS, describe
from generators.graphs.sampling import adjacency, random_tree
from generators.graphs.task import GraphTask, bounded, compose, join_names
from schemas.records import Problem


class ComponentsConfig(TaskConfig):
    nodes: int = Field(default=12, ge=3, le=40, description="nodes in the graph")
    extra_edges: int = Field(
        default=4, ge=0, le=100, description="edges beyond a spanning forest (inside groups)"
    )
    max_components: int = Field(default=6, ge=1, le=20, description="most groups drawn")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 8, "extra_edges": 2, "max_components": 4},
    2: {"nodes": 9, "extra_edges": 3, "max_components": 6},
    3: {"nodes": 11, "extra_edges": 3, "max_components": 7},
    4: {"nodes": 13, "extra_edges": 3, "max_components": 8},
    5: {"nodes": 15, "extra_edges": 4, "max_components": 9},
    6: {"nodes": 17, "extra_edges": 5, "max_components": 10},
    7: {"nodes": 19, "extra_edges": 6, "max_components": 10},
    8: {"nodes": 21, "extra_edges": 7, "max_components": 11},
    9: {"nodes": 23, "extra_edges": 8, "max_components": 12},
    10: {"nodes": 26, "extra_edges": 9, "max_components": 13},
}

INTROS = (
    "Look at how the following are connected.",
    "Here is an undirected graph.",
    "Consider the network below.",
)
QUESTIONS = (
    "Into how many separate groups do the {nodes} fall, where two {nodes} are in the same "
    "group when a chain of {edge}s joins them?",
    "How many connected components does this graph have?",
    "Counting every {node} that has no {edge} at all as a group of its own, how many "
    "groups of mutually reachable {nodes} are there?",
)
FORMAT = "Give the number of groups as a single whole number."
THEMES = (ROADS, LINKS, FRIENDS)


def _draw(rng: Random, n: int, extra: int, count: int) -> list[list[int]]:
    order = list(range(n))
    rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, n), count - 1))
    groups = [order[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    edges: set[tuple[int, int]] = set()
    for group in groups:
        edges.update(tuple(sorted((group[a], group[b]))) for a, b in random_tree(rng, len(group)))
    roomy = [g for g in groups if len(g) >= 3]
    capacity = sum(len(g) * (len(g) - 1) // 2 - (len(g) - 1) for g in roomy)
    target = len(edges) + min(extra, capacity)
    while len(edges) < target:
        a, b = rng.sample(rng.choice(roomy), 2)
        edges.add((min(a, b), max(a, b)))
    return sorted(list(e) for e in edges)


def components(names: list[str], edges: list[list[int]]) -> tuple[list[list[int]], int]:
    """The groups (each in visiting order), found by breadth-first search, and the effort
    (nodes visited plus edge ends scanned)."""
    adj = adjacency(len(names), edges)
    seen, groups, effort = set(), [], 0
    for start in sorted(range(len(names)), key=names.__getitem__):
        if start in seen:
            continue
        seen.add(start)
        group, queue = [], [start]
        while queue:
            u = queue.pop(0)
            group.append(u)
            effort += 1 + len(adj[u])
            for v in adj[u]:
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
        groups.append(group)
    return groups, effort


class ConnectedComponents(GraphTask[ComponentsConfig]):
    name: ClassVar[str] = "connected_components"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Connected components: count the separate groups of an undirected graph described in "
        "words (isolated nodes count)."
    )
    Config = ComponentsConfig
    LEVELS = LEVELS

    def generate(self, config: ComponentsConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        count = 1 + balanced_choice(index, min(config.max_components, n))
        edges = _draw(rng, n, config.extra_edges, count)
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {"node": theme.node, "nodes": theme.nodes, "edge": theme.edge}
        body = describe(rng, theme, names, edges)
        prompt = compose(rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT)
        return Instance(prompt, str(count), {"names": names, "edges": edges, "count": count})

    def solve(self, problem: Problem) -> Solution:
        names = self.names(problem)
        groups, effort = components(names, problem.payload["edges"])
        lines = [
            f"Group {i}: starting from {names[g[0]]}, breadth-first search reaches "
            f"{join_names(names, g)} ({len(g)})."
            for i, g in enumerate(groups, 1)
        ]
        reasoning = "\n".join(
            [
                "Start a breadth-first search from each node not yet reached; each search "
                "collects one group.",
                *bounded(lines),
                f"The number of groups is {len(groups)}.",
            ]
        )
        return Solution(str(len(groups)), reasoning, {"effort": effort})

    def trivial_answers(self, problem: Problem) -> dict[str, str]:
        n, m = len(self.names(problem)), len(problem.payload["edges"])
        return {**super().trivial_answers(problem), "nodes minus edges": str(n - m)}

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_number(answer, problem.payload["count"])

"""Euler trail: walk along every edge exactly once.

The graph is the trace of a random trail (each step takes an unused pair of nodes), so
an Euler trail exists by construction; the reference trace is Hierholzer's algorithm
from an odd-degree node (or any node when all degrees are even). Any Euler trail passes.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import node_sequence
from generators.graphs.names import node_names
from generators.graphs.render import LINKS, ROADS, Theme, describe
from generators.graphs.sampling import adjacency
from generators.graphs.task import GraphTask, bounded, compose, join_names
from schemas.records import Problem

BRIDGES = Theme("island", "islands", "bridge", "length", "towns")
THEMES = (ROADS, LINKS, BRIDGES)


class EulerConfig(TaskConfig):
    nodes: int = Field(default=8, ge=3, le=30, description="nodes in the graph")
    edges: int = Field(default=12, ge=2, le=120, description="edges, all on one trail")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 6, "edges": 7},
    2: {"nodes": 7, "edges": 9},
    3: {"nodes": 8, "edges": 11},
    4: {"nodes": 9, "edges": 13},
    5: {"nodes": 10, "edges": 15},
    6: {"nodes": 11, "edges": 18},
    7: {"nodes": 12, "edges": 21},
    8: {"nodes": 13, "edges": 24},
    9: {"nodes": 14, "edges": 27},
    10: {"nodes": 16, "edges": 32},
}

INTROS = (
    "A walker wants to use every connection of the network below.",
    "Here is an undirected graph.",
    "An inspector must check every connection in this network.",
)
QUESTIONS = (
    "Find a walk that crosses every {edge} exactly once (the walk may visit a {node} "
    "several times, and may start and end anywhere).",
    "Give an Euler trail: a walk that uses each {edge} exactly once.",
    "Plan a route that travels along each {edge} once and only once.",
)
FORMAT = (
    "List the {nodes} in the order the walk visits them, separated by commas, repeating a "
    "{node} each time it is revisited. Any walk that uses every {edge} exactly once is "
    "accepted."
)


def _trail(rng: Random, n: int, m: int) -> list[list[int]]:
    """Edges of a random trail over distinct pairs; it stops early at a saturated node."""
    used: set[tuple[int, int]] = set()
    at = rng.randrange(n)
    while len(used) < m:
        options = [v for v in range(n) if v != at and (min(at, v), max(at, v)) not in used]
        if not options:
            break
        nxt = rng.choice(options)
        used.add((min(at, nxt), max(at, nxt)))
        at = nxt
    return sorted(list(e) for e in used)


def hierholzer(names: list[str], edges: list[list[int]]) -> tuple[list[int], int, list[str]]:
    """(an Euler trail, edge traversals, trace lines); neighbours are taken in name order."""
    adj = adjacency(len(names), edges)
    for row in adj:
        row.sort(key=names.__getitem__, reverse=True)  # pop() takes the first by name
    odd = [v for v in range(len(names)) if len(adj[v]) % 2]
    touched = [v for v in range(len(names)) if adj[v]]
    start = min(odd or touched, key=names.__getitem__)
    used: set[tuple[int, int]] = set()
    stack, trail, steps, lines = [start], [], 0, []
    while stack:
        u = stack[-1]
        while adj[u] and (min(u, adj[u][-1]), max(u, adj[u][-1])) in used:
            adj[u].pop()
        if adj[u]:
            v = adj[u].pop()
            used.add((min(u, v), max(u, v)))
            stack.append(v)
            steps += 1
            lines.append(f"Go {names[u]} -> {names[v]}.")
        else:
            trail.append(stack.pop())
            if stack:
                lines.append(
                    f"{names[u]} has no unused edge left: add it to the trail and back up."
                )
    return trail[::-1], steps, bounded(lines)


class EulerPath(GraphTask[EulerConfig]):
    name: ClassVar[str] = "euler_path"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Euler trail: a walk that uses every edge of an undirected graph exactly once; any "
        "such walk passes."
    )
    Config = EulerConfig
    LEVELS = LEVELS

    def generate(self, config: EulerConfig, rng: Random, index: int) -> Instance:
        n = config.nodes
        edges = _trail(rng, n, config.edges)
        theme = rng.choice(THEMES)
        names = node_names(rng, n, theme.scheme)
        words = {"node": theme.node, "nodes": theme.nodes, "edge": theme.edge}
        body = describe(rng, theme, names, edges)
        prompt = compose(
            rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT.format(**words)
        )
        trail, _, _ = hierholzer(names, edges)
        return Instance(prompt, join_names(names, trail), {"names": names, "edges": edges})

    def solve(self, problem: Problem) -> Solution:
        names, edges = self.names(problem), problem.payload["edges"]
        trail, steps, lines = hierholzer(names, edges)
        degrees = [0] * len(names)
        for a, b in edges:
            degrees[a] += 1
            degrees[b] += 1
        odd = [names[v] for v in range(len(names)) if degrees[v] % 2]
        start = (
            f"The odd-degree nodes are {', '.join(odd)}, so the trail must start at one of them."
            if odd
            else "Every degree is even, so the trail can start anywhere and ends where it started."
        )
        reasoning = "\n".join(
            [
                start,
                "Hierholzer's algorithm: walk along unused edges; when stuck, put the node on "
                "the trail and back up to a node that still has unused edges.",
                *lines,
                f"The trail, read in reverse order of completion, uses all {len(edges)} edges.",
            ]
        )
        return Solution(join_names(names, trail), reasoning, {"effort": steps + len(trail)})

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        names, edges = self.names(problem), problem.payload["edges"]
        walk = node_sequence(answer, names, 2 * len(edges) + 2)
        remaining = {(a, b) for a, b in edges}
        for u, v in zip(walk, walk[1:], strict=False):
            step = (min(u, v), max(u, v))
            if step not in remaining:
                known = any(step == (a, b) for a, b in edges)
                why = "uses an edge twice" if known else "uses a connection that does not exist"
                return 0.0, f"{names[u]} -> {names[v]} {why}"
            remaining.discard(step)
        if remaining:
            return 0.0, f"{len(remaining)} edges are never used"
        return 1.0, "an Euler trail"

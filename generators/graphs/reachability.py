"""Reachability along one-way edges: can you get from X to Y?

Half of the problems (by :func:`balanced_choice`) ask about a target reachable in two or
more steps; the others about a target that is joined to the source if directions are
ignored, but not reachable along them, so reading the edges as two-way always misleads.
The reference trace is a breadth-first search from the source.
"""

from __future__ import annotations

from random import Random
from typing import Any, ClassVar

from pydantic import Field

from generators.balanced import balanced_choice
from generators.base import Instance, Solution, TaskConfig
from generators.graphs.answers import score_yes_no
from generators.graphs.names import node_names
from generators.graphs.render import CABLES, LINKS, ROADS, describe
from generators.graphs.sampling import adjacency, hop_distances
from generators.graphs.task import MAX_ATTEMPTS, GraphTask, bounded, compose, join_names
from schemas.records import Problem

THEMES = (ROADS, LINKS, CABLES)


class ReachabilityConfig(TaskConfig):
    nodes: int = Field(default=10, ge=4, le=40, description="nodes in the graph")
    edges: int = Field(default=14, ge=3, le=150, description="one-way edges")


LEVELS: dict[int, dict[str, Any]] = {
    1: {"nodes": 6, "edges": 8},
    2: {"nodes": 7, "edges": 10},
    3: {"nodes": 8, "edges": 12},
    4: {"nodes": 10, "edges": 15},
    5: {"nodes": 12, "edges": 18},
    6: {"nodes": 14, "edges": 21},
    7: {"nodes": 16, "edges": 24},
    8: {"nodes": 18, "edges": 27},
    9: {"nodes": 20, "edges": 30},
    10: {"nodes": 24, "edges": 36},
}

INTROS = (
    "Every connection in the network below can only be used in one direction.",
    "Here is a directed graph.",
    "A courier may only travel along one-way connections.",
)
QUESTIONS = (
    "Starting at {s} and following one-way {edge}s, can you reach {t}?",
    "Is there a directed path from {s} to {t}?",
    "Can a trip that starts at {s} end at {t}, if every {edge} is used only in its own direction?",
)
FORMAT = 'Answer "yes" if {t} can be reached from {s} and "no" if it cannot.'


def _draw(rng: Random, n: int, m: int, reachable: bool) -> tuple[list[list[int]], int, int] | None:
    edges: set[tuple[int, int]] = set()
    while len(edges) < min(m, n * (n - 1)):
        a, b = rng.sample(range(n), 2)
        edges.add((a, b))
    listed = sorted(edges)
    forward = adjacency(n, listed, directed=True)
    either = adjacency(n, listed)
    source = rng.randrange(n)
    hops, linked = hop_distances(forward, source), hop_distances(either, source)
    if reachable:
        targets = [t for t in range(n) if hops[t] >= 2]
    else:
        targets = [t for t in range(n) if hops[t] < 0 and linked[t] > 0]
    if not targets:
        return None
    return [list(e) for e in listed], source, rng.choice(targets)


def search(
    names: list[str], edges: list[list[int]], source: int, target: int
) -> tuple[list[int] | None, int, list[str]]:
    """(a path or None, edges scanned, trace lines): breadth-first from the source."""
    adj = adjacency(len(names), edges, directed=True)
    parent = {source: -1}
    queue, scanned, lines = [source], 0, []
    while queue and target not in parent:
        u = queue.pop(0)
        new = []
        for v in sorted(adj[u], key=names.__getitem__):
            scanned += 1
            if v not in parent:
                parent[v] = u
                queue.append(v)
                new.append(names[v])
        lines.append(f"From {names[u]}: {', '.join(new) or 'nothing new'}.")
    if target not in parent:
        return None, scanned, bounded(lines)
    path = [target]
    while path[-1] != source:
        path.append(parent[path[-1]])
    return path[::-1], scanned, bounded(lines)


class Reachability(GraphTask[ReachabilityConfig]):
    name: ClassVar[str] = "reachability"
    version: ClassVar[str] = "1.1.0"
    description: ClassVar[str] = (
        "Directed reachability: decide whether one node can be reached from another along "
        "one-way edges (yes and no equally often; 'no' targets are linked if directions are "
        "ignored)."
    )
    Config = ReachabilityConfig
    LEVELS = LEVELS

    def generate(self, config: ReachabilityConfig, rng: Random, index: int) -> Instance:
        reachable = balanced_choice(index, 2, salt=0.6) == 0
        for _ in range(MAX_ATTEMPTS):
            drawn = _draw(rng, config.nodes, config.edges, reachable)
            if drawn is not None:
                break
        else:
            raise self.give_up("edges")
        edges, source, target = drawn
        theme = rng.choice(THEMES)
        names = node_names(rng, config.nodes, theme.scheme)
        words = {"s": names[source], "t": names[target], "edge": theme.edge}
        body = describe(rng, theme, names, edges, directed=True)
        prompt = compose(
            rng, INTROS, body, rng.choice(QUESTIONS).format(**words), FORMAT.format(**words)
        )
        payload = {"names": names, "edges": edges, "source": source, "target": target}
        return Instance(prompt, "yes" if reachable else "no", payload)

    def solve(self, problem: Problem) -> Solution:
        names, p = self.names(problem), problem.payload
        path, scanned, lines = search(names, p["edges"], p["source"], p["target"])
        s, t = names[p["source"]], names[p["target"]]
        if path:
            verdict, answer = f"{t} is reached: {join_names(names, path, ' -> ')}.", "yes"
        else:
            verdict, answer = f"The search ends without reaching {t}.", "no"
        reasoning = "\n".join(
            [
                f"Breadth-first search from {s}, following edges only in their direction.",
                *lines,
                verdict,
            ]
        )
        # The search stops early or dies out in a small corner, so the edges it scans say
        # little about the level; effort is the size of the graph, scans are reported too.
        stats = {"effort": len(names) + len(p["edges"]), "edges_scanned": scanned}
        return Solution(answer, reasoning, stats)

    def labels(self, problem: Problem) -> tuple[str, ...]:
        return ("yes", "no")

    def check_answer(self, problem: Problem, answer: str) -> tuple[float, str]:
        return score_yes_no(answer, problem.answer)
